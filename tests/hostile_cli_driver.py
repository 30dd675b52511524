"""Run a batch of ``costmodel`` command lines in one process, each under a time limit.

Used by tests/test_hostile_cli_fuzz.py: ``python tests/hostile_cli_driver.py MEMORY_BYTES SECONDS``
reads a JSON list of argv lists on stdin, sets an address-space limit for the whole process
(``resource.setrlimit``), runs each argv through ``costmodel.cli.main`` with a per-call alarm and
prints one JSON object per call: ``{"argv", "code", "err"}`` (code "timeout" when the alarm fired).
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import signal
import sys


class CallTimeout(BaseException):  # a BaseException: main()'s "internal error" handler does not swallow it
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise CallTimeout


def main() -> int:
    memory, seconds = int(sys.argv[1]), int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    from costmodel.cli import main as cli_main

    argvs = json.loads(sys.stdin.read())
    signal.signal(signal.SIGALRM, _alarm)
    real_out = sys.stdout
    for argv in argvs:
        out, err = io.StringIO(), io.StringIO()
        signal.alarm(seconds)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code: object = cli_main(argv)
                except SystemExit as exc:  # argparse's usage errors
                    code = exc.code if isinstance(exc.code, int) else 1
        except CallTimeout:
            code = "timeout"
        except MemoryError:
            code = "memory"
        finally:
            signal.alarm(0)
        real_out.write(json.dumps({"argv": argv, "code": code, "err": err.getvalue()[-2000:]}) + "\n")
        real_out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
