"""Cost shapes and every crossing: staircases, hand-checked examples, and properties against a dense scan."""

from __future__ import annotations

import itertools
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.engine.crossings import crossings
from costmodel.engine.shapes import PiecewiseCost, Segment, capacity_cost, linear_piecewise, units_needed
from costmodel.engine.usage import PathSpec
from costmodel.errors import InputError, PathSpecError
from costmodel.money import FINE
from costmodel.prices import Reliability

R = Reliability.OFFICIAL
API = "openai:gpt-4o-mini:base@standard"
GPU = "azure:gpt-4o-mini:base@provisioned"
P = PathSpec.parse


# --- hand-checked ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "per_unit", "peak", "minimum", "increment", "expected"),
    [
        # ceil(1000 x 1 / 400) = 3 (worked by hand)
        (D(1000), D(400), D(1), 1, 1, 3),
        # peak factor 2: ceil(2000 / 400) = 5
        (D(1000), D(400), D(2), 1, 1, 5),
        # Azure-style: minimum 50, increment 50; 120 needed -> 150
        (D(120), D(1), D(1), 50, 50, 150),
        # below the minimum: 3 needed, minimum 50
        (D(3), D(1), D(1), 50, 50, 50),
        # exactly on a step: 800 / 400 = 2 units, not 3
        (D(800), D(400), D(1), 1, 1, 2),
        # no traffic still runs one increment (minimum 0)
        (D(0), D(400), D(1), 0, 1, 1),
    ],
)
def test_units_needed_table(x: D, per_unit: D, peak: D, minimum: int, increment: int, expected: int) -> None:
    assert units_needed(x, per_unit=per_unit, peak_factor=peak, minimum=minimum, increment=increment) == expected


def test_staircase_matches_units_needed_and_price() -> None:
    cost = capacity_cost(GPU, price_per_unit_hour=D(2), per_unit=D(10), up_to=D(1000), minimum=50, increment=50)
    for x in (D(1), D(500), D(501), D(999), D(1000)):
        n = units_needed(x, per_unit=D(10), peak_factor=D(1), minimum=50, increment=50)
        assert cost.at(x) == D(2) * n
    # 500 units/h fill 50 units of 10/h: $100/h; one more unit of traffic needs the next 50: $200/h
    assert cost.at(D(500)) == D(100)
    assert cost.at(D(501)) == D(200)


def test_two_crossings_both_reported() -> None:
    """Hand-checked: per-token 1.5x against a $12 staircase of width 10 (see the crossings doctest)."""
    api = linear_piecewise(API, D(0), D("1.5"), R)
    gpu = capacity_cost(GPU, price_per_unit_hour=D(12), per_unit=D(10), up_to=D(25))
    res = crossings(api, gpu, tokens_per_unit=D(100))
    assert res.status == "crosses"
    kinds = [(c.kind, c.units_per_hour) for c in res.crossings]
    assert kinds == [("equal", D(8)), ("step", D(10)), ("equal", D(16)), ("step", D(20)), ("equal", D(24))]
    first = res.crossings[0]
    assert (first.cheaper_below, first.cheaper_above) == (P(API), P(GPU))
    assert first.tokens_per_hour == D(800)
    step = res.crossings[1]
    # at 10: api 15, gpu 12; just above: gpu 24
    assert (step.cost_a, step.cost_b, step.cost_b_above) == (D(15), D(12), D(24))
    assert [r.cheaper for r in res.regimes] == [P(API), P(GPU), P(API), P(GPU), P(API), P(GPU)]


def test_never_crosses_is_typed() -> None:
    cheap = linear_piecewise("openai:cheap:base", D(0), D(1), R)
    dear = linear_piecewise("openai:dear:base", D(5), D(2), R)
    res = crossings(cheap, dear, tokens_per_unit=D(1))
    assert res.status == "never"
    assert res.always_cheaper == P("openai:cheap:base")
    assert res.crossings == ()
    same = crossings(cheap, linear_piecewise("azure:twin:base", D(0), D(1), R), tokens_per_unit=D(1))
    assert same.status == "never" and same.always_cheaper is None


def test_linear_case_agrees_with_closed_form() -> None:
    """u* = (H_B - H_A) / (v_A - v_B) = (7 - 0) / (4.5e-6 - 1.75e-6) (the breakeven doctest)."""
    a = linear_piecewise("openai:gpt-4o:ft", D(0), D("4.5") / 10**6, R)
    b = linear_piecewise("azure:gpt-4o:ft", D(7), D("1.75") / 10**6, R)
    (c,) = crossings(a, b, tokens_per_unit=D(1)).crossings
    assert round(c.units_per_hour) == 2545455


def test_a_crossings_paths_are_pathspec_objects() -> None:
    """Issue 9.3: results hold the paths as objects; a carried PathSpec wins over the label's text."""
    spec = PathSpec.parse("selfhosted:llama-3.1-8b:qlora@g6.xlarge")
    own = capacity_cost("my GPU box", price_per_unit_hour=D(12), per_unit=D(10), up_to=D(25), path=spec)
    api = linear_piecewise(API, D(0), D("1.5"), R)
    res = crossings(api, own, tokens_per_unit=D(1))
    assert isinstance(res.path_a, PathSpec) and isinstance(res.path_b, PathSpec)
    assert (res.path_a, res.path_b) == (P(API), spec)
    assert res.path_b.method == "qlora" and res.path_b.tier == "g6.xlarge"
    for c in res.crossings:
        assert isinstance(c.cheaper_below, PathSpec) and isinstance(c.cheaper_above, PathSpec)
        assert {c.cheaper_below, c.cheaper_above} == {P(API), spec}
    assert all(isinstance(r.cheaper, PathSpec) for r in res.regimes)
    never = crossings(linear_piecewise(API, D(0), D(1), R), linear_piecewise(GPU, D(5), D(2), R), tokens_per_unit=D(1))
    assert isinstance(never.always_cheaper, PathSpec) and never.always_cheaper == P(API)


def test_a_label_that_is_no_path_is_a_friendly_error() -> None:
    with pytest.raises(PathSpecError) as err:
        crossings(linear_piecewise("api", D(0), D(1), R), linear_piecewise(GPU, D(1), D(1), R), tokens_per_unit=D(1))
    assert err.value.field == "a" and "PROVIDER:MODEL" in (err.value.hint or "")


def test_throughput_zero_is_an_error_naming_the_field() -> None:
    with pytest.raises(InputError) as err:
        capacity_cost("x", price_per_unit_hour=D(1), per_unit=D(0), up_to=D(10))
    assert err.value.field == "tokens_per_second_per_unit"


# --- properties ------------------------------------------------------------------------------------

money = st.integers(min_value=0, max_value=400).map(lambda i: D(i) / 4)


@st.composite
def piecewise(draw: st.DrawFn, label: str) -> PiecewiseCost:
    cuts = sorted(set(draw(st.lists(st.integers(min_value=1, max_value=60), min_size=0, max_size=6))))
    bounded = draw(st.booleans())
    his: list[D | None] = [D(c) for c in cuts]
    if bounded:
        his.append(D(draw(st.integers(min_value=(cuts[-1] if cuts else 0) + 1, max_value=80))))
    else:
        his.append(None)
    segs = []
    lo = D(0)
    for hi in his:
        segs.append(Segment(lo, hi, draw(money), draw(money) / 10))
        lo = hi if hi is not None else lo
    return PiecewiseCost(label, tuple(segs), R)


@st.composite
def staircase(draw: st.DrawFn, label: str) -> PiecewiseCost:
    return capacity_cost(
        label,
        price_per_unit_hour=draw(money) + D("0.25"),
        per_unit=D(draw(st.integers(min_value=1, max_value=30))),
        peak_factor=D(draw(st.integers(min_value=4, max_value=12))) / 4,
        minimum=draw(st.integers(min_value=0, max_value=4)),
        increment=draw(st.integers(min_value=1, max_value=3)),
        up_to=D(80),
        fixed_per_hour=draw(money),
        per_traffic_unit=draw(money) / 100,
    )


def shape(label: str) -> st.SearchStrategy[PiecewiseCost]:
    return st.one_of(
        piecewise(label), staircase(label), st.builds(lambda f, v: linear_piecewise(label, f, v, R), money, money)
    )


@given(staircase(GPU), st.lists(st.integers(min_value=0, max_value=8000), min_size=2, max_size=20))
def test_staircase_is_monotone_in_traffic(cost: PiecewiseCost, xs: list[int]) -> None:
    values = [cost.at(D(x) / 100) for x in sorted(xs)]
    assert values == sorted(values)


def _sign(v: D) -> int:
    return (v > 0) - (v < 0)


@settings(max_examples=150, deadline=None)
@given(shape("openai:a:base"), shape("azure:b:base"))
def test_every_crossing_is_real_and_none_is_missed(a: PiecewiseCost, b: PiecewiseCost) -> None:
    res = crossings(a, b, tokens_per_unit=D(1))
    # the reported upper is quantised to 1e-12: scan up to the paths' own (exact) upper
    top = min((u for u in (a.upper, b.upper) if u is not None), default=D(90))
    for c in res.crossings:
        x = c.units_per_hour
        assert x >= 0
        if res.upper_units_per_hour is not None:
            assert x <= res.upper_units_per_hour
        if c.kind == "equal":
            # both paths' own formulas give the same cost there, to the cent; x is quantised to 1e-12
            # (costmodel.money), so at a step it may sit just beside the breakpoint it stands for
            near = [x] + [p for p in a.breakpoints() + b.breakpoints() if abs(p - x) <= FINE]
            assert any(abs(a.at(p) - b.at(p)) < D("0.005") for p in near)
            assert abs(c.cost_a - c.cost_b) <= FINE
        else:
            # the order flips across the step: one side at x, the other just above
            below, above = _sign(c.cost_a - c.cost_b), _sign(c.cost_a_above - c.cost_b_above)
            assert below != 0 and above != 0 and below != above
    # dense scan: a sign change between two grid points must contain a reported crossing
    grid = [top * i / 720 for i in range(721)]
    signs = [(x, _sign(a.at(x) - b.at(x))) for x in grid]
    nonzero = [(x, s) for x, s in signs if s != 0]
    for (x0, s0), (x1, s1) in itertools.pairwise(nonzero):
        if s0 != s1:
            assert any(x0 - FINE <= c.units_per_hour <= x1 + FINE for c in res.crossings), (x0, x1, res.crossings)
    # and the count is not inflated: reported flips alternate the cheaper path
    for c0, c1 in zip(res.crossings, res.crossings[1:], strict=False):
        assert c0.cheaper_above == c1.cheaper_below
    if res.status == "never" and nonzero:
        assert len({s for _, s in nonzero}) == 1


def test_new_engine_modules_are_pure_and_their_examples_run() -> None:
    import doctest
    import importlib
    import json
    import subprocess
    import sys
    from pathlib import Path

    names = [
        "costmodel.engine.shapes",
        "costmodel.engine.crossings",
        "costmodel.engine.selfhosted",
        "costmodel.engine.capacity",
    ]
    for module in (importlib.import_module(n) for n in names):
        failed, _ = doctest.testmod(module)
        assert failed == 0, module.__name__
    code = (
        "import importlib, json, sys\n"
        f"for m in {names!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(n for n in sys.modules if n.split('.')[0] in ('streamlit', 'openai', 'httpx2'))))\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
