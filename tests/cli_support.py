"""Run the ``costmodel`` command line in the test process, the way a subprocess would see it.

:func:`run_cli` calls :func:`costmodel.cli.main` with its own stdin, stdout and stderr, and, for
the length of the call, the given environment and working directory. It returns what
``subprocess.run`` would: the exit code and both outputs. Starting ``python -m costmodel`` costs a
second or more of imports each time; tests that are about the process itself (the entry point,
signals, two processes racing, a key-leak scan of a real process) still start one.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from costmodel.cli import main

__all__ = ["CliRun", "run_cli"]


class CliRun(NamedTuple):
    """The fields of ``subprocess.CompletedProcess`` the tests read; unpacks as ``(code, out, err)``."""

    returncode: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    if env is None:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _cwd(path: Path | str | None) -> Iterator[None]:
    if path is None:
        yield
        return
    saved = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(saved)


def _exit_code(exc: SystemExit, err: io.StringIO) -> int:
    # What the interpreter does with SystemExit at the top of a process.
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    err.write(f"{exc.code}\n")
    return 1


def run_cli(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdin: str = "",
    cwd: Path | str | None = None,
) -> CliRun:
    """``costmodel ARGS`` in this process. ``env`` (when given) replaces the whole environment, as
    ``subprocess.run(env=...)`` does; ``stdin`` is what the command reads from standard input."""
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with _environment(env), _cwd(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's usage errors and --help
                code = _exit_code(exc, err)
    finally:
        sys.stdin = saved_stdin
    return CliRun(code, out.getvalue(), err.getvalue())
