"""The public API is pinned: adding or removing a name is a deliberate change made here too."""

import doctest
import importlib
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import costmodel
from costmodel.errors import InputError, PathSpecError

ROOT = Path(__file__).resolve().parents[1]

EXPECTED = {
    "BreakEven",
    "Breakdown",
    "Catalog",
    "CostmodelError",
    "DatasetAnalysis",
    "InputError",
    "Kind",
    "LineItem",
    "LinearCost",
    "ModelInfo",
    "PathCost",
    "PathSpec",
    "PathSpecError",
    "Payback",
    "PriceRow",
    "Provider",
    "Reliability",
    "Scenario",
    "ScenarioResult",
    "StoreError",
    "Traffic",
    "Unit",
    "Variant",
    "__version__",
    "analyze_file",
    "as_path",
    "breakeven",
    "bundled_catalog",
    "compare",
    "default_epochs",
    "describe_duration",
    "estimate_training",
    "evaluate",
    "linear_cost",
    "load_catalog",
    "load_scenario",
    "path_cost",
    "payback",
    "scenario_from_mapping",
}


def test_public_api_is_pinned() -> None:
    assert set(costmodel.__all__) == EXPECTED
    for name in costmodel.__all__:
        assert hasattr(costmodel, name), name


def test_importing_costmodel_leaves_the_dataset_analyser_for_later() -> None:
    code = "import sys, costmodel; print('costmodel.dataset' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_docstring_examples_run() -> None:
    names = (
        "costmodel",
        "costmodel._api",
        "costmodel.engine.breakeven",
        "costmodel.money",
        "costmodel.engine.training",
        "costmodel.engine.usage",
        "costmodel.present.decision",
    )
    for module in (importlib.import_module(n) for n in names):
        failed, attempted = doctest.testmod(module)
        assert failed == 0, module.__name__
        assert attempted > 0, module.__name__


def test_docs_api_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the examples read data/sample/ as a user in a checkout would
    failed, attempted = doctest.testfile(
        str(ROOT / "docs" / "api.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert failed == 0
    assert attempted >= 20


# --- paths as text or objects --------------------------------------------------------------------

TRAFFIC = costmodel.Traffic(requests_per_day=Decimal(1000), input_tokens_per_request=300, output_tokens_per_request=100)
DAY = date(2025, 6, 1)


def test_path_cost_takes_text_or_a_pathspec_and_gives_the_same_answer() -> None:
    cat = costmodel.bundled_catalog()
    by_text = costmodel.path_cost(cat, "openai:gpt-4o-mini:ft", TRAFFIC, as_of=DAY)
    by_spec = costmodel.path_cost(cat, costmodel.PathSpec.parse("openai:gpt-4o-mini:ft@standard"), TRAFFIC, as_of=DAY)
    assert by_text == by_spec
    # by hand: 1,000 x 730 / 24 requests x (300 x $0.30 + 100 x $1.20) / 1e6 = $6.3875
    assert by_text.monthly_total == Decimal("6.3875")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("gpt-4o-mini", "'gpt-4o-mini' is not a path"),
        ("aws:gpt-4o:ft", "unknown provider 'aws'"),
        (42, "must be a PathSpec or a string"),
        (None, "must be a PathSpec or a string"),
    ],
)
def test_a_bad_path_is_an_input_error_naming_the_field_and_the_fix(bad: object, message: str) -> None:
    with pytest.raises(PathSpecError) as err:
        costmodel.path_cost(costmodel.bundled_catalog(), bad, TRAFFIC, as_of=DAY)  # type: ignore[arg-type]
    assert isinstance(err.value, InputError)
    assert err.value.field == "path"
    assert message in str(err.value)
    assert "Fix: " in str(err.value)


def test_compare_names_the_bad_path_by_position() -> None:
    with pytest.raises(PathSpecError) as err:
        costmodel.compare("openai:gpt-4o:base", "gpt-4o", traffic=TRAFFIC, as_of=DAY)
    assert err.value.field == "paths[1]"
    with pytest.raises(InputError, match="at least one path"):
        costmodel.compare(traffic=TRAFFIC, as_of=DAY)
    with pytest.raises(InputError) as bad_traffic:
        costmodel.compare("openai:gpt-4o:base", traffic={"requests_per_day": 5}, as_of=DAY)
    assert bad_traffic.value.field == "traffic" and "compare()" in str(bad_traffic.value)


def test_cost_of_takes_text_or_a_pathspec() -> None:
    r = costmodel.compare("openai:gpt-4o-mini:ft", "openai:gpt-4o:base", traffic=TRAFFIC, as_of=DAY)
    assert r.cost_of("openai:gpt-4o:base") is r.cost_of(costmodel.PathSpec.parse("openai:gpt-4o:base@standard"))
    with pytest.raises(KeyError):
        r.cost_of("azure:gpt-4o:base")


# --- results hold paths; money leaves quantised -----------------------------------------------------


def _digits_after_point(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def test_results_hold_pathspecs_and_quantised_money() -> None:
    # Regression: the fine-tune-vs-few-shot sample scenario's monthly total left the API as
    # 59.31249999999999999999999998 (exact: 10,000 requests a day ... = $59.3125).
    s = costmodel.load_scenario(ROOT / "data/scenarios/fine-tune-gpt-4o-mini-vs-few-shot-gpt-4o.yaml")
    r = costmodel.evaluate(costmodel.bundled_catalog(), s, as_of=date(2026, 12, 1))
    ft = r.cost_of("openai:gpt-4o-mini:ft")
    assert ft.monthly_total == Decimal("59.3125") and str(ft.monthly_total) == "59.3125"
    for c in r.costs:
        for total in (c.monthly_total, c.training_total, c.one_off_total, c.horizon_total):
            assert total is None or _digits_after_point(total) <= 9
        for item in c.monthly.items + (c.training.items if c.training else ()):
            assert item.cost is None or _digits_after_point(item.cost) <= 12
            assert _digits_after_point(item.quantity) <= 12
    (pb,) = r.paybacks
    assert isinstance(pb.fine_tuned, costmodel.PathSpec) and isinstance(pb.base, costmodel.PathSpec)
    assert (pb.fine_tuned.model, pb.base.model) == ("gpt-4o-mini", "gpt-4o")
    for figure in (pb.hours, pb.months, pb.saving_per_hour, pb.units_needed_over_horizon, pb.units_per_hour_needed):
        assert figure is not None and _digits_after_point(figure) <= 12
    for be in r.breakevens:
        assert isinstance(be.path_a, costmodel.PathSpec) and isinstance(be.path_b, costmodel.PathSpec)
        assert be.always_cheaper is None or be.always_cheaper in be.paths
    line = costmodel.linear_cost(ft, s.traffic)
    assert line.path == ft.path and _digits_after_point(line.per_unit) <= 15


def test_quanta_are_pinned() -> None:
    from costmodel.money import FINE, PER_UNIT, TOTAL, quantize

    assert (Decimal("1e-9"), Decimal("1e-12"), Decimal("1e-15")) == (TOTAL, FINE, PER_UNIT)
    assert quantize(Decimal("59.31249999999999999999999998"), TOTAL) == Decimal("59.3125")
    assert str(quantize(Decimal("5870.000000000004"), TOTAL)) == "5870"  # no exponent, no trailing zeros
    assert str(quantize(Decimal("0.0000000000005"), FINE)) == "0"  # half to even
    assert str(quantize(Decimal("0.0000000000015"), FINE)) == "2E-12"
    assert quantize(Decimal(2) * 10**20 / 3, FINE) == Decimal("66666666666666666666.66666667")  # wide context


def test_a_horizon_total_does_not_show_the_rounding_of_its_parts() -> None:
    # By hand (docs/api.md): 20,000 requests a day on fine-tuned gpt-4.1-mini costs 486.666... a month;
    # 30 + 12 x 486.666... = 5,870 exactly; from the rounded monthly figure it would be 5870.000000000004.
    r = costmodel.compare(
        "openai:gpt-4.1-mini:ft",
        traffic={"requests_per_day": 20_000, "input_tokens_per_request": 400, "output_tokens_per_request": 150},
        training_tokens=2_000_000,
        epochs=3,
        as_of=date(2025, 9, 1),
    )
    assert str(r.costs[0].horizon_total) == "5870"
