"""Usage cost, provider break-even and payback: hand-checked tables and properties."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from costmodel.engine.breakeven import breakeven, payback
from costmodel.engine.scenario import evaluate, scenario_from_mapping
from costmodel.engine.usage import PathSpec, Traffic, linear_cost, path_cost
from costmodel.errors import PathSpecError, PriceLookupError
from costmodel.money import quantize_cents
from tests.conftest import make_mini_catalog

CAT = make_mini_catalog()
JAN24 = date(2024, 1, 15)
OAI = PathSpec.parse("openai:gpt-3.5-turbo:ft")
AZ = PathSpec.parse("azure:gpt-35-turbo:ft@standard")


def monthly(path: PathSpec, traffic: Traffic, day: date = JAN24) -> D:
    return path_cost(CAT, path, traffic, as_of=day).monthly_total


def test_path_parsing() -> None:
    p = PathSpec.parse("azure:gpt-35-turbo:ft@standard")
    assert (p.provider.value, p.model, p.fine_tuned, p.tier) == ("azure", "gpt-35-turbo", True, "standard")
    assert PathSpec.parse("openai:gpt-4o:base").tier == "standard"
    for bad in ["gpt-4o", "openai:gpt-4o", "openai:gpt-4o:tuned", "aws:gpt-4o:ft", "openai::ft", "openai:gpt 4:ft"]:
        with pytest.raises(PathSpecError):
            PathSpec.parse(bad)


@pytest.mark.parametrize(
    ("path", "traffic", "expected", "how"),
    [
        # 1M in + 1M out on OpenAI ft gpt-3.5-turbo after DevDay: 1 x $3 + 1 x $6 = $9.
        (OAI, Traffic(input_tokens_per_month=D(10**6), output_tokens_per_month=D(10**6)), D(9), "DevDay prices"),
        # Same on Azure late 2023: 1 x $1.50 + 1 x $2.00 + 730 h x $7 = $5,113.50.
        (AZ, Traffic(input_tokens_per_month=D(10**6), output_tokens_per_month=D(10**6)), D("5113.5"), "hand"),
        # Partial schedule: hosted 200 h -> 3.5 + 1,400 = $1,403.50.
        (
            AZ,
            Traffic(input_tokens_per_month=D(10**6), output_tokens_per_month=D(10**6), hosted_hours_per_month=D(200)),
            D("1403.5"),
            "hand",
        ),
        # 1,000 requests/day x 30.4167 days (730/24) x (500 in x $3 + 200 out x $6) / 1e6 = $82.125.
        (
            OAI,
            Traffic(requests_per_day=D(1000), input_tokens_per_request=500, output_tokens_per_request=200),
            D("82.125"),
            "hand",
        ),
    ],
)
def test_monthly_cost_table(path: PathSpec, traffic: Traffic, expected: D, how: str) -> None:
    assert abs(monthly(path, traffic) - expected) < D("1e-9"), how


def test_cached_and_batch_shares() -> None:
    # gpt-4o-mini ft (0.30 in, 0.15 cached, 1.20 out): 1M in with 40% cached + 1M out
    # = 0.6 x 0.30 + 0.4 x 0.15 + 1.20 = 0.18 + 0.06 + 1.20 = $1.44.
    t = Traffic(input_tokens_per_month=D(10**6), output_tokens_per_month=D(10**6), cached_share=D("0.4"))
    mini = PathSpec.parse("openai:gpt-4o-mini:ft")
    assert monthly(mini, t, date(2025, 1, 1)) == D("1.44")
    # Batch share 50% on gpt-3.5-turbo ft (batch 1.50 / 3.00): 0.5 x 9 + 0.5 x 4.5 = $6.75.
    tb = Traffic(input_tokens_per_month=D(10**6), output_tokens_per_month=D(10**6), batch_share=D("0.5"))
    assert monthly(OAI, tb, date(2024, 6, 1)) == D("6.75")
    # No cached price for gpt-3.5-turbo: cached tokens billed at the input price, and the line says so.
    tc = Traffic(input_tokens_per_month=D(10**6), output_tokens_per_month=D(0), cached_share=D("0.5"))
    cost = path_cost(CAT, OAI, tc, as_of=JAN24)
    assert cost.monthly_total == D(3)
    assert any("billed at the input price" in i.note for i in cost.monthly.items)


def test_batch_without_batch_price_is_a_clear_error() -> None:
    t = Traffic(input_tokens_per_month=D(10**6), output_tokens_per_month=D(10**6), batch_share=D("0.1"))
    with pytest.raises(PriceLookupError, match="batch"):
        monthly(AZ, t)


def test_late_2023_breakeven_is_about_2_5_million_tokens_per_hour() -> None:
    # prices.md §9: T* = 1e6 x (7 - 0) / ((3 + 6)/2 - (1.5 + 2)/2) = 7e6 / 2.75 = 2,545,454.5 tokens/hour.
    t = Traffic(input_tokens_per_month=D(5 * 10**8), output_tokens_per_month=D(5 * 10**8))
    a, b = path_cost(CAT, OAI, t, as_of=JAN24), path_cost(CAT, AZ, t, as_of=JAN24)
    be = breakeven(linear_cost(a, t), linear_cost(b, t), tokens_per_unit=t.workload_tokens_per_unit)
    assert be.status == "crosses"
    assert be.tokens_per_hour is not None
    assert abs(be.tokens_per_hour - D("2545454.545")) < 1
    assert be.cheaper_above == AZ and be.cheaper_below == OAI
    assert be.reliability.value == "unconfirmed"


def test_breakeven_never_cross_says_who_is_cheaper() -> None:
    # After July 2024 Azure hosting is $1.70/h; with a 100% input share OpenAI costs $3/1M vs Azure $1.50/1M:
    # they cross at 1.7e6/1.5 = 1,133,333 tokens/hour. With identical variable prices they never cross.
    t = Traffic(input_tokens_per_month=D(10**6), output_tokens_per_month=D(0))
    a = linear_cost(path_cost(CAT, OAI, t, as_of=date(2024, 8, 1)), t)
    b = linear_cost(path_cost(CAT, AZ, t, as_of=date(2024, 8, 1)), t)
    be = breakeven(a, b, tokens_per_unit=D(1))
    assert be.tokens_per_hour is not None and abs(be.tokens_per_hour - D("1133333.33")) < 1
    same = breakeven(a, a.__class__(**{**a.__dict__, "fixed_per_hour": D(1), "path": AZ}), tokens_per_unit=D(1))
    assert same.status == "never" and same.always_cheaper == a.path == OAI


def test_payback_table() -> None:
    # Few-shot gpt-4 ($30 in / $60 out) vs fine-tuned gpt-3.5-turbo ($3 / $6) on OpenAI, Jan 2024.
    # 100 requests/day, 200 in + 1,800 few-shot tokens on gpt-4, 100 out:
    #   c_fs = (2000 x 30 + 100 x 60) / 1e6 = $0.066 ; c_ft = (200 x 3 + 100 x 6) / 1e6 = $0.0012
    #   saving per hour = 100/24 x 0.0648 = $0.27 ; training 100,000 x 3 x $8/1M = $2.40
    #   payback = 2.40 / 0.27 = 8.888... hours.
    s = scenario_from_mapping(
        {
            "as_of": "2024-01-15",
            "paths": ["openai:gpt-4:base", "openai:gpt-3.5-turbo:ft"],
            "traffic": {
                "requests_per_day": 100,
                "input_tokens_per_request": 200,
                "output_tokens_per_request": 100,
                "few_shot_tokens": 1800,
            },
            "training": {"tokens": 100000, "epochs": 3},
        }
    )
    r = evaluate(CAT, s, as_of=JAN24)
    (pb,) = r.paybacks
    assert pb.status == "pays_back"
    assert pb.hours is not None and abs(pb.hours - D("8.8889")) < D("0.001")
    # Volume to pay back within 12 months (8,760 h): N* = 2.40 / 0.0648 = 37.04 requests over the horizon.
    assert pb.units_needed_over_horizon is not None and abs(pb.units_needed_over_horizon - D("37.037")) < D("0.01")


def test_payback_never_when_hosting_eats_the_saving() -> None:
    # Azure ft gpt-35-turbo ($1.50/$2.00 + $7/h) vs few-shot gpt-4 at 1 request/day: saving ~$0.003/h < $7/h.
    s = scenario_from_mapping(
        {
            "as_of": "2024-01-15",
            "paths": ["openai:gpt-4:base", "azure:gpt-35-turbo:ft@standard"],
            "traffic": {
                "requests_per_day": 1,
                "input_tokens_per_request": 200,
                "output_tokens_per_request": 100,
                "few_shot_tokens": 1800,
            },
            "training": {"tokens": 100000, "epochs": 3},
        }
    )
    (pb,) = evaluate(CAT, s, as_of=JAN24).paybacks
    assert pb.status == "never_cheaper"
    assert "never pays back" in pb.explanation
    assert pb.requests_per_day_needed is not None and pb.requests_per_day_needed > 1


def test_payback_already_cheaper_without_training() -> None:
    from costmodel.engine.usage import LinearCost
    from costmodel.prices import Reliability as R

    ft = LinearCost(OAI, "request", D(0), D(0), D("0.001"), R.OFFICIAL)
    base = LinearCost(PathSpec.parse("openai:gpt-4:base"), "request", D(0), D(0), D("0.002"), R.OFFICIAL)
    pb = payback(ft, base, units_per_hour=D(10), horizon_hours=D(8760), hours_per_month=D(730))
    assert pb.status == "already_cheaper"


traffic_st = st.builds(
    lambda rpd, i, o: Traffic(requests_per_day=D(rpd), input_tokens_per_request=i, output_tokens_per_request=o),
    st.integers(1, 10**7),
    st.integers(0, 20_000),
    st.integers(1, 5_000),
)


@settings(max_examples=60, deadline=None)
@given(traffic_st, st.sampled_from([OAI, AZ]))
def test_cost_is_linear_and_monotone_in_volume(t: Traffic, path: PathSpec) -> None:
    lin = linear_cost(path_cost(CAT, path, t, as_of=JAN24), t)
    twice = t.with_volume(t.units_per_hour * 2)
    # line items leave quantised to 1e-12 (costmodel.money.FINE): linear to within a few quanta
    c1, c2 = (path_cost(CAT, path, x, as_of=JAN24).monthly.exact_sum() for x in (t, twice))
    fixed = lin.fixed_per_hour * t.hours_per_month
    assert abs((c2 - fixed) - 2 * (c1 - fixed)) < D("1e-11")
    assert c2 >= c1


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 100), st.integers(1, 1000), st.integers(1, 100))
def test_cost_monotone_in_every_quantity(i: int, o: int, rpd: int) -> None:
    base = Traffic(requests_per_day=D(rpd), input_tokens_per_request=i, output_tokens_per_request=o)
    more_in = base.model_copy(update={"input_tokens_per_request": i + 1})
    more_out = base.model_copy(update={"output_tokens_per_request": o + 1})
    more_req = base.model_copy(update={"requests_per_day": D(rpd + 1)})
    for p in (OAI, AZ):
        c = monthly(p, base)
        assert monthly(p, more_in) >= c and monthly(p, more_out) >= c and monthly(p, more_req) >= c


@settings(max_examples=80, deadline=None)
@given(st.decimals(min_value=D("0.01"), max_value=D("0.99"), places=2))
def test_at_the_breakeven_both_paths_cost_the_same_to_the_cent(share: D) -> None:
    t = Traffic(input_tokens_per_month=share * 10**6, output_tokens_per_month=(1 - share) * 10**6)
    a, b = path_cost(CAT, OAI, t, as_of=JAN24), path_cost(CAT, AZ, t, as_of=JAN24)
    be = breakeven(linear_cost(a, t), linear_cost(b, t), tokens_per_unit=t.workload_tokens_per_unit)
    assume(be.status == "crosses")
    assert be.units_per_hour is not None
    at = t.with_volume(be.units_per_hour)
    assert quantize_cents(monthly(OAI, at)) == quantize_cents(monthly(AZ, at))


def test_missing_training_price_keeps_serving_costs_and_says_so() -> None:
    # The mini catalogue has no training price for openai gpt-4o (base model only); a fine-tuned path on a model
    # with serving prices but no training price still gets its monthly cost, and the one-off is unknown (None).
    from costmodel.prices import Catalog

    extra = [r.model_copy(update={"variant": "fine_tuned"}) for r in CAT.rows if r.model == "gpt-4o-2024-08-06"]
    cat = Catalog([*CAT.rows, *extra], CAT.models)
    t = Traffic(requests_per_day=D(100), input_tokens_per_request=100, output_tokens_per_request=100)
    cost = path_cost(cat, PathSpec.parse("openai:gpt-4o:ft"), t, as_of=date(2025, 1, 1), training_tokens=1000, epochs=3)
    assert cost.monthly_total > 0
    assert cost.training is not None and not cost.training.complete
    assert cost.training_total is None and cost.horizon_total is None
    assert "No training price" in cost.training.items[0].note
    assert linear_cost(cost, t).one_off is None


@settings(max_examples=60, deadline=None)
@given(st.integers(50, 100_000), st.integers(10, 2_000), st.integers(1, 1_000), st.integers(0, 5_000))
def test_at_payback_cumulative_costs_meet(rpd: int, inp: int, out: int, shots: int) -> None:
    # Property: when fine-tuning pays back after t* hours, both cumulative costs are equal at t* (to the cent).
    s = scenario_from_mapping(
        {
            "as_of": "2024-01-15",
            "paths": ["openai:gpt-4:base", "openai:gpt-3.5-turbo:ft"],
            "traffic": {
                "requests_per_day": rpd,
                "input_tokens_per_request": inp,
                "output_tokens_per_request": out,
                "few_shot_tokens": shots,
            },
            "training": {"tokens": 500_000, "epochs": 3},
        }
    )
    r = evaluate(CAT, s, as_of=JAN24)
    (pb,) = r.paybacks
    assume(pb.status == "pays_back" and pb.hours is not None)
    t = s.traffic
    base = linear_cost(r.cost_of("openai:gpt-4:base@standard"), t)
    ft = linear_cost(r.cost_of("openai:gpt-3.5-turbo:ft@standard"), t)
    assert quantize_cents(base.cumulative(pb.hours, t.units_per_hour)) == quantize_cents(
        ft.cumulative(pb.hours, t.units_per_hour)
    )
