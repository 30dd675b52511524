# Sourced by the other scripts: makes ./.venv and installs the project into it when
# pyproject.toml changed since the last install. Needs only python3 and the package registry.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.costmodel-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing costmodel and its dependencies into .venv ..."
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  if ! .venv/bin/python -m pip install --quiet -e ".[dev]" > .venv/install.log 2>&1; then
    cat .venv/install.log >&2
    echo "Installing into .venv failed (full log above and in .venv/install.log)." >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
