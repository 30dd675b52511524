"""The dashboard's scenario inputs: URL round trip, field-by-field recovery, engine scenario."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costmodel.engine.scenario import evaluate
from costmodel.engine.usage import PathSpec
from costmodel.errors import ScenarioError
from costmodel.prices import Catalog, bundled_catalog
from costmodel.ui.inputs import DEFAULT_PATHS, ScenarioInputs, from_query, path_options, to_query


def test_defaults_evaluate_on_the_bundled_catalogue() -> None:
    """Zero configuration: the default inputs are a valid scenario at today's prices."""
    result = evaluate(bundled_catalog(), ScenarioInputs().scenario(), as_of=date(2026, 1, 1))
    assert [c.path.label for c in result.costs] == list(DEFAULT_PATHS)
    assert result.paybacks  # a fine-tuned and a base path: the payback is defined


@given(
    rpd=st.integers(1, 10_000_000),
    cached=st.integers(0, 100),
    k=st.integers(0, 50),
    log_x=st.booleans(),
    q=st.sampled_from(["yes", "no", "unsure"]),
    day=st.dates(date(2023, 1, 1), date(2030, 1, 1)) | st.none(),
)
def test_query_round_trip(rpd: int, cached: int, k: int, log_x: bool, q: str, day: date | None) -> None:
    inputs = ScenarioInputs(
        requests_per_day=rpd,
        cached_pct=cached,
        few_shot_k=k,
        log_x=log_x,
        q_fresh=q,
        as_of=day,  # type: ignore[arg-type]
    )
    back, problems = from_query(to_query(inputs))
    assert problems == []
    assert back == inputs


def test_bad_parameter_is_skipped_and_the_others_kept() -> None:
    params = {"requests_per_day": "lots", "epochs": "4", "cached_pct": "250", "paths": "openai:gpt-4o:base"}
    inputs, problems = from_query(params)
    assert inputs.requests_per_day == ScenarioInputs().requests_per_day  # default kept
    assert inputs.cached_pct == 0
    assert inputs.epochs == 4  # the valid ones applied
    assert inputs.paths == ("openai:gpt-4o:base@standard",)  # canonical label
    assert len(problems) == 2
    assert "requests_per_day=lots" in problems[0] and "valid integer" in problems[0]
    assert "cached_pct=250" in problems[1] and "less than or equal to 100" in problems[1]


def test_malformed_path_in_link_names_the_fix() -> None:
    inputs, problems = from_query({"paths": "openai-gpt-4o"})
    assert inputs.paths == DEFAULT_PATHS
    assert "PROVIDER:MODEL:ft" in problems[0]


def test_unknown_parameters_are_not_ours() -> None:
    inputs, problems = from_query({"embed": "true", "path": "x"})
    assert inputs == ScenarioInputs() and problems == []


def test_scenario_carries_every_input() -> None:
    inputs = ScenarioInputs(
        requests_per_day=1234,
        input_tokens=111,
        output_tokens=22,
        cached_pct=25,
        batch_pct=10,
        hosted_hours=200,
        few_shot_tokens=900,
        training_tokens=50_000,
        epochs=4,
        horizon_months=6,
        as_of=date(2025, 6, 1),
    )
    s = inputs.scenario()
    t = s.traffic
    assert t.requests_per_day == Decimal(1234)
    assert (t.input_tokens_per_request, t.output_tokens_per_request) == (111, 22)
    assert t.cached_share == Decimal("0.25") and t.batch_share == Decimal("0.1")
    assert t.hosted_hours_per_month == Decimal(200)
    assert t.few_shot_tokens == 900
    assert (s.training.tokens, s.training.epochs, s.horizon_months, s.as_of) == (50_000, 4, 6, date(2025, 6, 1))


def test_impossible_scenario_raises_a_readable_error() -> None:
    # Refused by the inputs themselves (so a widget or a link keeps its other values) ...
    with pytest.raises(ValueError, match="a request must have some input or output tokens"):
        ScenarioInputs(input_tokens=0, output_tokens=0)
    # ... and what only the engine can refuse names the dashboard inputs and where to change them.
    with pytest.raises(ScenarioError) as err:
        ScenarioInputs(paths=("openai:gpt-4o-mini:ft",), training_tokens=1).model_copy(
            update={"hosted_hours": 740}
        ).scenario()
    assert "hosted hours per month cannot exceed hours per month" in str(err.value)
    assert "dashboard inputs" in str(err.value)
    assert "Fix: change that input on the What-if page" in str(err.value)


def test_heat_pair_defaults_to_the_first_two_paths() -> None:
    assert ScenarioInputs().heat_pair() == DEFAULT_PATHS[:2]
    chosen = ScenarioInputs(heat_a=DEFAULT_PATHS[2], heat_b=DEFAULT_PATHS[0])
    assert chosen.heat_pair() == (DEFAULT_PATHS[2], DEFAULT_PATHS[0])
    assert ScenarioInputs(paths=DEFAULT_PATHS[:1]).heat_pair() is None


def test_path_options_are_priced_and_short(mini_catalog: Catalog) -> None:
    options = path_options(mini_catalog, date(2024, 1, 15))
    # gpt-4o-mini fine-tuned exists from 2024-07-18 only; babbage/o4-mini have no serving prices here
    assert options == [
        "azure:gpt-35-turbo:ft@standard",
        "openai:gpt-3.5-turbo:ft@standard",
        "openai:gpt-4:base@standard",
    ]
    later = path_options(mini_catalog, date(2024, 9, 1))
    assert "openai:gpt-4o-mini:ft@standard" in later  # the alias, not gpt-4o-mini-2024-07-18
    assert "openai:gpt-4o:base@standard" in later


def test_every_bundled_path_option_evaluates() -> None:
    """Each option the Paths box offers can be priced with a training volume today."""
    catalog = bundled_catalog()
    day = date(2026, 1, 1)
    options = path_options(catalog, day)
    assert set(DEFAULT_PATHS) <= set(options)
    scenario = ScenarioInputs(paths=tuple(options[:6])).scenario()
    for label in options:
        evaluate(catalog, scenario.model_copy(update={"paths": (PathSpec.parse(label),)}), as_of=day)
