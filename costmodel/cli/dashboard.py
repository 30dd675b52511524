"""``costmodel dashboard``: start the dashboard (``streamlit run`` on the app inside the package).

::

    costmodel dashboard                       # http://127.0.0.1:8501, opens a browser tab
    costmodel dashboard --port 8502 --headless
    costmodel dashboard -- --theme.base dark  # anything after -- goes to streamlit

The server listens on 127.0.0.1 unless ``--address`` says otherwise (the dashboard can start paid
fine-tuning jobs with your key), never asks for an e-mail address, sends no usage statistics, and
does not watch its own files.
Needs the optional ``dashboard`` dependencies: ``pip install 'costmodel[dashboard]'``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from typing import Any

from costmodel.errors import InputError

__all__ = ["register", "streamlit_command"]

APP_MODULE = "costmodel.ui.streamlit_app"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "dashboard",
        help="start the dashboard (Streamlit) on this machine",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument("--port", type=int, default=8501, help="port to listen on (default 8501)")
    p.add_argument("--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--headless", action="store_true", help="do not open a browser tab")
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="after --: options passed to streamlit run")
    p.set_defaults(handler=run)


def app_path() -> str:
    """The file of the dashboard's entry script inside the installed package."""
    spec = importlib.util.find_spec(APP_MODULE)
    if spec is None or spec.origin is None:  # pragma: no cover - a broken install
        raise InputError(
            f"the dashboard's entry script ({APP_MODULE}) is missing",
            hint="reinstall costmodel: pip install --force-reinstall 'costmodel[dashboard]'",
        )
    return spec.origin


def streamlit_command(args: argparse.Namespace) -> list[str]:
    """The ``python -m streamlit run ...`` command line for ``args``."""
    if not 0 < args.port < 65536:
        raise InputError(f"port {args.port}", field="--port", hint="use a port between 1 and 65535")
    extra = list(args.streamlit_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app_path(),
        "--server.address",
        args.address,
        "--server.port",
        str(args.port),
        "--server.headless",
        "true" if args.headless else "false",
        "--server.showEmailPrompt",
        "false",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *extra,
    ]


def run(args: argparse.Namespace) -> int:
    missing = [m for m in ("streamlit", "plotly", "pandas") if importlib.util.find_spec(m) is None]
    if missing:
        raise ModuleNotFoundError(f"No module named '{missing[0]}'", name=missing[0])  # -> the extra's message
    cmd = streamlit_command(args)
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execv(sys.executable, cmd)  # the server replaces this process: signals reach it directly
    return _wait(subprocess.Popen(cmd))  # pragma: no cover - Windows


def _wait(proc: subprocess.Popen[Any]) -> int:  # pragma: no cover - Windows
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()
