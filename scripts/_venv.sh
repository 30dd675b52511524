# Sourced by the other scripts: makes ./.venv and installs the project into it (editable) with the
# optional dependency group the calling script needs, when pyproject.toml or that group changed since
# the last install. Needs only python3 and the package registry.
#   COSTMODEL_EXTRAS=dashboard   (scripts/dashboard.sh: the dashboard's dependencies)
#   COSTMODEL_EXTRAS=dev         (scripts/test.sh, the default: tests and tools, includes the others)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
EXTRAS="${COSTMODEL_EXTRAS:-dev}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.costmodel-installed"
hash="$(sha256sum pyproject.toml | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
# an install of "dev" already holds every other group
if [ "$have" != "$hash $EXTRAS" ] && [ "$have" != "$hash dev" ]; then
  echo "Installing costmodel[$EXTRAS] and its dependencies into .venv ..."
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  if ! .venv/bin/python -m pip install --quiet -e ".[$EXTRAS]" > .venv/install.log 2>&1; then
    cat .venv/install.log >&2
    echo "Installing into .venv failed (full log above and in .venv/install.log)." >&2
    exit 1
  fi
  echo "$hash $EXTRAS" > "$stamp"
fi
