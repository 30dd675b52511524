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
    "costmodel.present.inputs",
    "costmodel.present.latency_table",
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


def _imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports (``import x``, ``from x import y``, at any depth: lazy ones too)."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _upward_ui_imports(package: Path) -> list[str]:
    out = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent)
        if rel.parts[:2] == ("costmodel", "ui"):
            continue
        bad = sorted(m for m in _imports_of(path) if m == "costmodel.ui" or m.startswith("costmodel.ui."))
        out.extend(f"{rel}: imports {m}" for m in bad)
    return out


def test_nothing_outside_the_ui_imports_costmodel_ui() -> None:
    """Layers point one way: presentation takes a scenario, not the dashboard's modules (issue 9).

    Regression: present/report.py imported costmodel.ui.inputs, and costmodel diff did too.
    """
    assert _upward_ui_imports(ROOT / "costmodel") == []


def test_the_upward_import_check_sees_a_lazy_import(tmp_path: Path) -> None:
    """Guard: the check finds ``from costmodel.ui.inputs import ...`` inside a function, outside ui/."""
    pkg = tmp_path / "costmodel"
    (pkg / "present").mkdir(parents=True)
    (pkg / "ui").mkdir()
    (pkg / "ui" / "x.py").write_text("from costmodel.ui import state\n")  # inside ui: allowed
    (pkg / "present" / "r.py").write_text("def f():\n    from costmodel.ui.inputs import ScenarioInputs\n")
    assert _upward_ui_imports(pkg) == [
        "costmodel/present/r.py: imports costmodel.ui.inputs",
        "costmodel/present/r.py: imports costmodel.ui.inputs.ScenarioInputs",
    ]
