"""Money and computed quantities leaving the engine are quantised (costmodel/money.py): property test.

For random per-token, capacity (provisioned, dedicated) and self-hosted scenarios, every amount in a
:class:`~costmodel.engine.scenario.ScenarioResult` has no more decimal places than its quantum:
totals 1e-9 USD, line items, amounts per hour and computed quantities 1e-12, the cost of one unit
of traffic 1e-15. Catalogue prices (``unit_price``, ``price_per_unit_hour``) are as published and
the scenario's own inputs are the user's, so neither is checked.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from costmodel.engine.scenario import ScenarioResult, evaluate, scenario_from_mapping
from costmodel.engine.usage import linear_cost
from costmodel.errors import InputError
from costmodel.money import FINE, PER_UNIT, TOTAL
from costmodel.prices import Catalog, bundled_catalog

DAY = date(2026, 6, 1)
PER_TOKEN = ["together:llama-3.1-8b-instruct:ft", "openai:gpt-4.1-mini:ft", "openai:gpt-4.1-mini:base"]
CAPACITY = ["bedrock:llama-3.1-8b-instruct:ft@provisioned", "azure:gpt-4o-2024-08-06:ft@provisioned"]
SELFHOSTED = ["selfhosted:llama-3.1-8b:lora@g6.xlarge", "selfhosted:llama-3.1-8b:base@g6.xlarge"]
AS_PUBLISHED = {"unit_price", "price_per_unit_hour"}  # catalogue prices: never computed
NOT_RESULTS = {"scenario", "availability", "availability_fine_tuned", "availability_base"}  # inputs / dates


def places(value: D) -> int:
    exp = value.as_tuple().exponent
    assert isinstance(exp, int)
    return max(0, -exp)


def decimals(obj: Any, where: str) -> list[tuple[str, D]]:
    """Every Decimal in ``obj`` (pydantic models, dataclasses, tuples, dicts), with where it sits."""
    found: list[tuple[str, D]] = []
    if isinstance(obj, D):
        found.append((where, obj))
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            if name not in AS_PUBLISHED and name not in NOT_RESULTS:
                found += decimals(getattr(obj, name), f"{where}.{name}")
    elif is_dataclass(obj) and not isinstance(obj, type):
        for f in fields(obj):
            if f.name not in AS_PUBLISHED:
                found += decimals(getattr(obj, f.name), f"{where}.{f.name}")
    elif isinstance(obj, tuple | list):
        for i, v in enumerate(obj):
            found += decimals(v, f"{where}[{i}]")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            found += decimals(v, f"{where}[{k!r}]")
    return found


def quantum_of(where: str) -> D:
    return PER_UNIT if where.endswith((".per_unit", ".per_traffic_unit")) else FINE


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return bundled_catalog()


scenarios = st.fixed_dictionaries(
    {
        "paths": st.lists(st.sampled_from(PER_TOKEN + CAPACITY + SELFHOSTED), min_size=2, max_size=3, unique=True),
        "requests_per_day": st.integers(min_value=1, max_value=300_000),
        "input": st.integers(min_value=1, max_value=8000),
        "output": st.integers(min_value=1, max_value=2000),
        "horizon": st.integers(min_value=1, max_value=36),
        "training_tokens": st.integers(min_value=1000, max_value=50_000_000),
        "epochs": st.integers(min_value=1, max_value=5),
        "peak": st.integers(min_value=4, max_value=12).map(lambda i: D(i) / 4),
        "tps": st.integers(min_value=700, max_value=900_000).map(lambda i: D(i) / 7),
    }
)


def _evaluate(cat: Catalog, s: dict[str, Any]) -> ScenarioResult:
    capacity = [p for p in s["paths"] if p not in PER_TOKEN]  # measured throughput for every staircase
    scenario = scenario_from_mapping(
        {
            "as_of": DAY.isoformat(),
            "paths": s["paths"],
            "traffic": {
                "requests_per_day": s["requests_per_day"],
                "input_tokens_per_request": s["input"],
                "output_tokens_per_request": s["output"],
            },
            "horizon_months": s["horizon"],
            "training": {"tokens": s["training_tokens"], "epochs": s["epochs"]},
            "serving": {
                "peak_factor": str(s["peak"]),
                "tokens_per_second_per_unit": {p: str(s["tps"]) for p in capacity},
            },
        }
    )
    return evaluate(cat, scenario, as_of=DAY)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenarios)
def test_no_amount_has_more_places_than_its_quantum(cat: Catalog, s: dict[str, Any]) -> None:
    try:
        result = _evaluate(cat, s)
    except InputError as exc:  # a staircase too fine to draw over 20x the traffic: refused, not a result
        assume(exc.field != "up_to")
        raise
    checked = decimals(result, "result")
    for c in result.costs:
        name = f"result[{c.path}]"
        for total in ("monthly_total", "training_total", "one_off_total", "horizon_total"):
            value = getattr(c, total)
            if value is not None:
                assert places(value) <= places(TOTAL), (f"{name}.{total}", value)
        line = linear_cost(c, result.scenario.traffic)
        checked += decimals(line, f"{name}.linear")
    assert checked, "nothing was checked"
    for where, value in checked:
        assert places(value) <= places(quantum_of(where)), (where, value)


def test_crossing_costs_of_the_every_shape_preset_are_quantised(cat: Catalog) -> None:
    """Self-hosted at 2,000 tokens/s against Together (three crossings, tests/test_paths_shapes.py): to 1e-12."""
    s = {
        "paths": [SELFHOSTED[0], PER_TOKEN[0]],
        "requests_per_day": 20000,
        "input": 500,
        "output": 200,
        "horizon": 12,
        "training_tokens": 2_000_000,
        "epochs": 3,
        "peak": D(1),
        "tps": D(2000),
    }
    result = _evaluate(cat, s)
    xs = [x for pair in result.crossings for x in pair.crossings]
    assert xs, "the preset's staircases cross"
    for where, value in decimals(result.crossings, "crossings"):
        assert places(value) <= places(FINE), (where, value)
