#!/usr/bin/env bash
# Runs the whole check: lint (ruff), types (mypy --strict on costmodel/), then every test,
# browser tests included. Installs what it needs on a fresh machine (a venv in .venv and
# Debian's chromium for the browser tests).
export COSTMODEL_EXTRAS=dev  # tests, lint and types: every optional dependency
source "$(dirname "$0")/_venv.sh"
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests ..."
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
# Two phases: everything but the wall-clock latency tests on every core (pytest-xdist, see
# pyproject.toml; the browser tests form one group that starts first, tests/conftest.py), then the
# tests marked "timing" or "alone" one at a time, so no other test shares the CPU while they measure
# milliseconds (or, for the Chromium launch test, race a double click). Exit code 5 (no test
# selected, e.g. a file argument without such tests) is not a failure.
run_pytest() { .venv/bin/pytest "$@" || { rc=$?; [ "$rc" -eq 5 ] || exit "$rc"; }; }
echo "== pytest (parallel)"; run_pytest -m "not timing and not alone" "$@"
echo "== pytest (timing tests, alone)"; run_pytest -m "timing or alone" -n 0 "$@"
