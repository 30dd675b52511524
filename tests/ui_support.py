"""Helpers for the AppTest tests of the dashboard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from streamlit.testing.v1 import AppTest

from costmodel.dataset import analyze_file
from costmodel.ui.inputs import ScenarioInputs, defaults_from

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def run_app(page: str = "decision", params: Mapping[str, str] | None = None, opened: Sequence[str] = ()) -> AppTest:
    """Run the app (as a fresh session) on ``page`` with the given link parameters.

    ``opened``: keys of popovers and expanders that draw their content only when open (the Decision
    page's ``pop_items``, ``pop_training_items``, ``pop_payback``, ``pop_breakeven``, ``pop_dates``,
    ``exp_numbers``, ``exp_unpriced``, ``exp_compare``, ``pop_scenario_file``), opened as a click would.
    """
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    for key in opened:
        at.session_state[key] = True
    at.run()
    if page != "decision":
        at.switch_page(f"costmodel/ui/pages/{page}.py").run()
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return str(m.value)
    raise KeyError(f"no metric {label!r}; have {[m.label for m in at.metric]}")


def app_defaults(**changes: object) -> ScenarioInputs:
    """The inputs the app opens with (sample dataset's volume and prompt shape), with ``changes``."""
    sample = analyze_file(ROOT / "data" / "sample" / "recipes.jsonl", model="gpt-4.1-mini", workers=1)
    base = defaults_from(sample)
    return ScenarioInputs.model_validate({**base.model_dump(), **changes})


def markdown_table(text: str) -> list[dict[str, str]]:
    """The rows of the first Markdown table in ``text`` (header cells as keys; ``[]`` when none).

    >>> markdown_table("| a | b |\\n|---|---|\\n| 1 | x \\\\| y |\\n")
    [{'a': '1', 'b': 'x | y'}]
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("|")]
    if len(lines) < 2:
        return []

    def cells(line: str) -> list[str]:
        parts = line.strip("|").replace("\\|", "\0").split("|")
        return [p.strip().replace("\0", "|") for p in parts]

    header = cells(lines[0])
    return [dict(zip(header, cells(line), strict=True)) for line in lines[2:]]
