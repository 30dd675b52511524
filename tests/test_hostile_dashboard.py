"""Issue 14, classes 8 and 4 on the dashboard: hostile URLs and inputs never raise.

Every page is opened with query parameters at and beyond each limit of ScenarioInputs (the limits
are read from the model, so a new field is covered), with garbage, huge numbers and lone
surrogates, and with random parameters from hypothesis. The only thing checked is the issue's
rule: no uncaught exception (``at.exception`` empty); refused values show as warnings.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costmodel.ui.inputs import ScenarioInputs
from costmodel.ui.limits import bounds, widget_limits
from tests.ui_support import run_app

PAGES = ["decision", "whatif", "prices", "dataset", "latency", "launch"]
NUMERIC = [
    name for name, info in ScenarioInputs.model_fields.items() if info.annotation in (int, float)
]  # fmt: skip


def _edge_values(field: str) -> list[str]:
    low, high = bounds(ScenarioInputs, field)
    # (no lone surrogate here: a URL cannot carry one, AppTest's urlencode refuses it like a browser would)
    values = ["-1", "0", "1e400", "nan", "inf", "1,000", "0,40", "$1", "\u202e1", "9" * 40]
    if low is not None:
        values += [str(low), str(low - 1)]
    if high is not None:
        values += [str(high), str(high + 1)]
    return values


def test_every_numeric_input_has_widget_limits_from_the_model() -> None:
    assert {"horizon_months", "few_shot_k", "epochs", "hosted_hours"} <= set(NUMERIC)
    for field in NUMERIC:
        limits = widget_limits(ScenarioInputs, field)
        assert "min_value" in limits and "max_value" in limits, field
        ScenarioInputs(**{field: limits["max_value"]})  # the model accepts what the widget offers
        ScenarioInputs(**{field: limits["min_value"]})


@pytest.mark.parametrize(
    "params",
    [{"horizon_months": "120"}, {"few_shot_k": "50"}, {"few_shot_k": "50", "horizon_months": "120", "epochs": "50"}],
)
def test_the_issue_examples_do_not_raise_on_the_whatif_page(params: dict[str, str]) -> None:
    at = run_app("whatif", params)
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="in_horizon_months").value == int(params.get("horizon_months", 12))


@pytest.mark.parametrize("page", ["whatif", "decision"])
@pytest.mark.parametrize("i", range(14))
def test_every_limit_and_its_neighbours_on_the_scenario_pages(page: str, i: int) -> None:
    # the i-th edge value of every numeric field at once (each field is parsed on its own)
    params = {field: _edge_values(field)[i] for field in NUMERIC if i < len(_edge_values(field))}
    at = run_app(page, params)
    assert not at.exception, (page, params, [e.value for e in at.exception])


_PARAM_NAMES = [*ScenarioInputs.model_fields, "path", "run", "launch_id", "page", "x" * 300]
_VALUES = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),  # a URL cannot carry a lone surrogate
    st.sampled_from(["\u202e", "1e400", "nan", "-0", "0,40", "openai:gpt-4o-mini:ft", "azure:x:ft@global", "%00"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(_PARAM_NAMES), _VALUES, max_size=4))
def test_random_query_parameters_never_raise(page: str, params: dict[str, Any]) -> None:
    at = run_app(page, params)
    assert not at.exception, (page, params, [e.value for e in at.exception])
