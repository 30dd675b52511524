#!/usr/bin/env bash
# Starts the dashboard on the bundled defaults (sample dataset, current prices, reference latencies),
# on http://127.0.0.1:8501. Installs the dashboard's dependencies into .venv on first use.
# Usage: bash scripts/dashboard.sh [--port 8502] [--headless] [-- other streamlit options]
COSTMODEL_EXTRAS="${COSTMODEL_EXTRAS:-dashboard}"
export COSTMODEL_EXTRAS
source "$(dirname "$0")/_venv.sh"
exec .venv/bin/costmodel dashboard "$@"
