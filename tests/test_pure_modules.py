"""The engine, charts and report import no UI, network or SDK code (STYLE: a pure engine)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURE = [
    "costmodel.prices.catalog",
    "costmodel.engine.training",
    "costmodel.engine.usage",
    "costmodel.engine.breakeven",
    "costmodel.engine.sweep",
    "costmodel.engine.scenario",
    "costmodel.present.decision",
    "costmodel.ui.inputs",
    "costmodel.present.charts",
    "costmodel.present.report",
]
FORBIDDEN = ("streamlit", "openai", "httpx2", "httpx")


def test_pure_modules_import_no_streamlit_openai_or_http() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for m in {PURE!r}: importlib.import_module(m)\n"
        f"print(json.dumps(sorted(n for n in sys.modules if n.split('.')[0] in {FORBIDDEN!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_the_check_would_see_a_forbidden_import() -> None:
    """Guard: the same probe does report streamlit when it is imported."""
    code = (
        "import json, sys, streamlit\n"
        f"print(json.dumps([n for n in sys.modules if n.split('.')[0] in {FORBIDDEN!r}]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "streamlit" in json.loads(out.stdout)
