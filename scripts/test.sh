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
if [ "${COSTMODEL_SKIP_LINT:-0}" != "1" ]; then  # benchmarks/bench_tests.py times the tests alone
  echo "== ruff"; .venv/bin/ruff check .
  echo "== mypy"; .venv/bin/mypy
fi
# Bytecode is cached (in .venv/pycache, not beside the sources) even where PYTHONDONTWRITEBYTECODE is
# set: every pytest process, CLI subprocess and Streamlit server of the run would otherwise compile
# the package and rewrite the test modules again (5 to 10 s per pytest process).
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="${PYTHONPYCACHEPREFIX:-$ROOT/.venv/pycache}"
# compiled once here on every core (under a second), not by each pytest worker as it imports them
.venv/bin/python -m compileall -q -j 0 costmodel tests app.py >/dev/null
# Two phases: everything but the wall-clock latency tests on every core (pytest-xdist, see
# pyproject.toml; the browser tests form one group that starts first, tests/conftest.py), then the
# tests marked "timing" or "alone" one at a time, so no other test shares the CPU while they measure
# milliseconds (or, for the Chromium launch test, race a double click). The first phase lists those
# tests' ids (tests/conftest.py: COSTMODEL_ALONE_IDS) so the second collects only their files. Exit
# code 5 (no test selected, e.g. -k matching none of them) is not a failure.
run_pytest() { .venv/bin/pytest "$@" || { rc=$?; [ "$rc" -eq 5 ] || exit "$rc"; }; }
alone_ids="$(mktemp)"
trap 'rm -f "$alone_ids"' EXIT
# One worker more than there are CPUs: the browser tests' worker mostly waits on Chromium and the
# Streamlit server, and other tests on subprocesses and fake servers (measured: 48 s against 53 to
# 65 s for the release's tests with 3 workers against 2 on 2 CPUs; the whole phase no slower).
workers=$(( $(nproc) + 1 ))
echo "== pytest (parallel, $workers workers)"
COSTMODEL_ALONE_IDS="$alone_ids" run_pytest -n "$workers" -m "not timing and not alone" "$@"
echo "== pytest (timing tests, alone)"
if [ -s "$alone_ids" ]; then
  # the listed ids, and the arguments again (options such as -k or -x; files add nothing the list lacks)
  run_pytest -m "timing or alone" -n 0 "@$alone_ids" "$@"
else
  echo "no test marked timing or alone was selected"
fi
