"""The vectorised sweeps agree with the scalar Decimal engine."""

from datetime import date
from decimal import Decimal as D

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.engine.breakeven import breakeven
from costmodel.engine.sweep import (
    A_ALWAYS_CHEAPER,
    B_ALWAYS_CHEAPER,
    CROSSES,
    breakeven_grid,
    coefficients,
    monthly_cost_grid,
)
from costmodel.engine.usage import PathSpec, Traffic, linear_cost, path_cost
from tests.conftest import make_mini_catalog

CAT = make_mini_catalog()
JAN24 = date(2024, 1, 15)
OAI = PathSpec.parse("openai:gpt-3.5-turbo:ft")
AZ = PathSpec.parse("azure:gpt-35-turbo:ft@standard")


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 10**8),
    st.decimals(min_value=0, max_value=1, places=3),
    st.sampled_from([OAI, AZ]),
    st.decimals(min_value=0, max_value=D("0.9"), places=2),
)
def test_monthly_grid_matches_scalar(tokens_per_hour: int, share: D, path: PathSpec, cached: D) -> None:
    coef = coefficients(CAT, path, as_of=JAN24, cached_share=cached)
    grid = monthly_cost_grid(coef, np.array([float(tokens_per_hour)]), np.array([float(share)]))
    per_month = D(tokens_per_hour) * 730
    t = Traffic(
        input_tokens_per_month=per_month * share, output_tokens_per_month=per_month * (1 - share), cached_share=cached
    )
    scalar = path_cost(CAT, path, t, as_of=JAN24).monthly_total
    assert abs(grid[0, 0] - float(scalar)) <= 1e-9 * max(1.0, float(scalar))


def test_breakeven_grid_matches_scalar_and_marks_never() -> None:
    a, b = coefficients(CAT, OAI, as_of=JAN24), coefficients(CAT, AZ, as_of=JAN24)
    shares = np.linspace(0, 1, 11)
    fees = np.array([0.0, 7.0, 14.0])
    g = breakeven_grid(a, b, shares, fees)
    assert g.tokens_per_hour.shape == (11, 3)
    # Zero fee on Azure: Azure (cheaper per token) is always cheaper; no NaN leaks without a status.
    assert (g.status[:, 0] == B_ALWAYS_CHEAPER).all()
    assert np.isnan(g.tokens_per_hour[:, 0]).all()
    assert (g.status[:, 1:] == CROSSES).all()
    # Scalar check at share 0.5 and $7/h: 2,545,454.5 tokens/hour (prices.md §9 formula).
    t = Traffic(input_tokens_per_month=D(10**6), output_tokens_per_month=D(10**6))
    be = breakeven(
        linear_cost(path_cost(CAT, OAI, t, as_of=JAN24), t),
        linear_cost(path_cost(CAT, AZ, t, as_of=JAN24), t),
        tokens_per_unit=D(1),
    )
    assert be.tokens_per_hour is not None
    assert abs(g.tokens_per_hour[5, 1] - float(be.tokens_per_hour)) < 1e-3
    # Doubling the fee doubles the break-even (linear in the fee).
    assert abs(g.tokens_per_hour[5, 2] - 2 * g.tokens_per_hour[5, 1]) < 1e-3
    assert A_ALWAYS_CHEAPER not in g.status
