"""What the layout clean-up removed stays removed, and the one-of-each helpers stay one."""

from __future__ import annotations

import ast
import importlib
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "costmodel"


def _python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_one_duration_formatter_says_1_day() -> None:
    # Regression: present.decision.describe_duration said "1 days" while engine.breakeven._duration said "1 day".
    from costmodel.engine.breakeven import describe_duration
    from costmodel.present import decision

    assert decision.describe_duration is describe_duration
    assert describe_duration(Decimal(30), Decimal(730)) == "1 day"  # 30 h rounds to 1 day
    assert describe_duration(Decimal(48), Decimal(730)) == "2 days"
    assert describe_duration(Decimal(1460), Decimal(730)) == "2 months"
    # issue 13: human units at any scale; 0.01 h = 36 seconds (never "0.1 hours", never "0.0 hours")
    assert describe_duration(Decimal("0.01"), Decimal(730)) == "36 seconds"
    defined = [p for p in _python_files() if "def describe_duration" in p.read_text(encoding="utf-8")]
    assert [p.relative_to(ROOT).as_posix() for p in defined] == ["costmodel/engine/breakeven.py"]


def test_one_text_table_renderer_in_the_cli() -> None:
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in sorted((PACKAGE / "cli").glob("*.py"))
        if ".ljust(" in p.read_text(encoding="utf-8") and p.name != "_common.py"
    ]
    assert offenders == []
    from costmodel.cli._common import table

    assert table([["a", "1"]], ["name", "count"]).splitlines() == ["name  count", "----  -----", "a     1"]


def test_no_file_points_outside_the_repository() -> None:
    needles = ("/" + "work/", "../" + "shared", "shared/" + "reference", "finetuning-api" + ".md")
    roots = [PACKAGE, ROOT / "tests", ROOT / "docs", ROOT / "scripts", ROOT / "benchmarks"]
    texts = [p for r in roots for p in r.rglob("*") if p.suffix in (".py", ".md", ".toml", ".yaml", ".txt")]
    texts += [ROOT / "README.md", ROOT / "data" / "README.md", ROOT / "pyproject.toml"]
    offenders = [
        f"{p.relative_to(ROOT).as_posix()}: {n}"
        for p in texts
        if p.exists()
        for n in needles
        if n in p.read_text(encoding="utf-8", errors="replace")
    ]
    assert offenders == []


def test_leftovers_are_gone() -> None:
    from costmodel.launch import plan
    from costmodel.ui import nav

    assert not hasattr(nav, "LATER_PAGES")
    for name in ("PreflightProblem", "PreflightResult", "LineItemLike", "BreakdownLike"):
        assert not hasattr(plan, name), name
    launch_page_text = "".join(
        (PACKAGE / "ui" / n).read_text(encoding="utf-8")
        for n in ("launch_page.py", "launch_inputs.py", "launch_history.py")
    )
    assert "importlib" not in launch_page_text and "ImportError" not in launch_page_text


@pytest.mark.parametrize("page", ["decision", "dataset", "whatif", "prices", "latency", "launch"])
def test_every_dashboard_page_module_exists_and_renders(page: str) -> None:
    # replaces the test of LATER_PAGES: every page in the navigation has its module
    from costmodel.ui import nav

    module = importlib.import_module(nav._PAGES[page][2])
    assert callable(module.render)


def test_split_modules_stay_cohesive_and_small() -> None:
    split = [
        "launch/runner.py", "launch/client.py", "launch/context.py", "launch/upload.py", "launch/jobs.py",
        "ui/launch_page.py", "ui/launch_inputs.py", "ui/launch_history.py",
        "testing/fake_openai_api.py", "testing/fake_openai_state.py", "testing/fake_openai_http.py",
    ]  # fmt: skip
    sizes = {name: len((PACKAGE / name).read_text(encoding="utf-8").splitlines()) for name in split}
    assert all(n <= 450 for n in sizes.values()), sizes


def test_results_are_read_as_objects_not_reparsed_labels() -> None:
    # Callers of break-even and payback results use their PathSpec fields; only input parsing may parse text.
    callers = [
        "present/decision.py",
        "present/charts.py",
        "present/report.py",
        "cli/breakeven.py",
        "ui/decision_page.py",
    ]
    for name in callers:
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
        parses = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "parse"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "PathSpec"
        ]
        assert parses == [], f"{name} re-parses a path label at line(s) {parses}"
