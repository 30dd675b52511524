"""Grids of scenarios at once, for charts: vectorised with numpy, agreeing with the scalar engine.

Each path's cost is linear, so a path reduces to four coefficients (:class:`PathCoefficients`):
the fixed cost per hour, the effective price of one input token and of one output token (cached
share and batch share already mixed in, taken from the scalar engine itself), and the one-off.
A grid of traffic (workload tokens per hour) x input share then costs::

    monthly = hours_per_month x (H + T x (s x p_in + (1 - s) x p_out))

Floats are used here on purpose: these arrays feed plots. Money that is reported comes from the
scalar, Decimal engine; a test checks that both agree to 1e-9 relative.

A break-even grid marks where the lines never cross with a status array instead of NaN values
reaching a plot silently: ``status == CROSSES`` where ``tokens_per_hour`` holds a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from costmodel.engine.usage import PathSpec, Traffic, linear_cost, path_cost
from costmodel.prices import Catalog

__all__ = [
    "A_ALWAYS_CHEAPER",
    "B_ALWAYS_CHEAPER",
    "CROSSES",
    "SAME_COST",
    "BreakEvenGrid",
    "PathCoefficients",
    "breakeven_grid",
    "coefficients",
    "monthly_cost_grid",
]

FloatArray = npt.NDArray[np.float64]

CROSSES, A_ALWAYS_CHEAPER, B_ALWAYS_CHEAPER, SAME_COST = 0, 1, 2, 3


@dataclass(frozen=True)
class PathCoefficients:
    label: str
    fixed_per_hour: float
    input_per_token: float
    output_per_token: float
    one_off: float
    few_shot_tokens: int  # added to every prompt of this path (base paths)


def coefficients(
    catalog: Catalog,
    path: PathSpec,
    *,
    as_of: date,
    cached_share: Decimal = Decimal(0),
    batch_share: Decimal = Decimal(0),
    hosted_hours_per_month: Decimal | None = None,
    hours_per_month: Decimal = Decimal(730),
    few_shot_tokens: int = 0,
    training_tokens: int | None = None,
    epochs: int | None = None,
) -> PathCoefficients:
    """Reduce a path to its linear coefficients using the scalar engine (so both agree)."""
    million = Decimal(1_000_000)
    common = {
        "cached_share": cached_share,
        "batch_share": batch_share,
        "hours_per_month": hours_per_month,
        "hosted_hours_per_month": hosted_hours_per_month,
    }
    only_in = Traffic(input_tokens_per_month=million, output_tokens_per_month=Decimal(0), **common)
    only_out = Traffic(input_tokens_per_month=Decimal(0), output_tokens_per_month=million, **common)
    cin = linear_cost(
        path_cost(catalog, path, only_in, as_of=as_of, training_tokens=training_tokens, epochs=epochs), only_in
    )
    cout = linear_cost(path_cost(catalog, path, only_out, as_of=as_of), only_out)
    return PathCoefficients(
        label=path.label,
        fixed_per_hour=float(cin.fixed_per_hour),
        input_per_token=float(cin.per_unit),
        output_per_token=float(cout.per_unit),
        one_off=float(cin.one_off or 0),
        few_shot_tokens=0 if path.fine_tuned else few_shot_tokens,
    )


def monthly_cost_grid(
    coef: PathCoefficients,
    tokens_per_hour: FloatArray,
    input_share: FloatArray,
    *,
    hours_per_month: float = 730.0,
) -> FloatArray:
    """Monthly cost for every (traffic, input share) pair: shape ``(len(tokens), len(shares))``."""
    t = np.asarray(tokens_per_hour, dtype=np.float64)[:, None]
    s = np.asarray(input_share, dtype=np.float64)[None, :]
    price = s * coef.input_per_token + (1.0 - s) * coef.output_per_token
    result: FloatArray = hours_per_month * (coef.fixed_per_hour + t * price)
    return result


@dataclass(frozen=True)
class BreakEvenGrid:
    tokens_per_hour: FloatArray  # NaN where status != CROSSES
    status: npt.NDArray[np.int8]


def breakeven_grid(
    a: PathCoefficients,
    b: PathCoefficients,
    input_share: FloatArray,
    b_fixed_per_hour: FloatArray | None = None,
) -> BreakEvenGrid:
    """Break-even traffic for every (input share, B's fixed hourly cost) pair.

    ``T* = (H_B - H_A) / (P_A - P_B)``; shape ``(len(input_share), len(b_fixed_per_hour))``.
    """
    s = np.asarray(input_share, dtype=np.float64)[:, None]
    hb = np.asarray([b.fixed_per_hour] if b_fixed_per_hour is None else b_fixed_per_hour, dtype=np.float64)[None, :]
    pa = s * a.input_per_token + (1.0 - s) * a.output_per_token
    pb = s * b.input_per_token + (1.0 - s) * b.output_per_token
    shape = (s.shape[0], hb.shape[1])
    d_fixed = np.broadcast_to(hb - a.fixed_per_hour, shape)
    d_var = np.broadcast_to(pa - pb, shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(d_var != 0, d_fixed / np.where(d_var != 0, d_var, 1.0), np.nan)
    status = np.full(d_var.shape, CROSSES, dtype=np.int8)
    never = ~(t > 0)
    # Who is always cheaper where they never cross: lower variable cost and not higher fixed cost.
    b_cheaper = never & ((d_var > 0) | ((d_var == 0) & (d_fixed < 0)))
    a_cheaper = never & ((d_var < 0) | ((d_var == 0) & (d_fixed > 0)))
    status[a_cheaper] = A_ALWAYS_CHEAPER
    status[b_cheaper] = B_ALWAYS_CHEAPER
    status[never & (d_var == 0) & (d_fixed == 0)] = SAME_COST
    t = np.where(status == CROSSES, t, np.nan)
    return BreakEvenGrid(tokens_per_hour=t, status=status)
