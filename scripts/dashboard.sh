#!/usr/bin/env bash
# Starts the dashboard on the bundled defaults (sample dataset, current prices, reference latencies).
# Usage: bash scripts/dashboard.sh [extra streamlit options, e.g. --server.port 8502]
source "$(dirname "$0")/_venv.sh"
exec .venv/bin/streamlit run app.py "$@"
