"""Every traffic level at which the cheaper of two paths changes, exact on piecewise-linear costs.

Two hourly costs ``A(x)`` and ``B(x)`` (:class:`~costmodel.engine.shapes.PiecewiseCost`) are
linear between the union of their breakpoints. On each piece ``(l, r]`` the difference is
``d(x) = (F_A - F_B) + (v_A - v_B) x`` and, where it changes sign inside the piece, the costs are
equal at the closed form::

    x* = (F_B - F_A) / (v_A - v_B)

(the two-path break-even of :mod:`costmodel.engine.breakeven`, applied piece by piece). A
staircase can also overtake the other path without ever costing the same: at a step ``x_k`` the
order flips from just below to just above. Such a crossing is reported with ``kind="step"`` and
the costs on both sides of the step; an ``equal`` crossing has both costs equal.

Every crossing in ``[0, upper]`` is reported (not only the first). When there is none the answer
is the typed ``never`` (``always_cheaper`` names the cheaper path, or ``None`` when both cost the
same everywhere), as in :class:`~costmodel.engine.breakeven.BreakEven`; ``upper`` says how far a
staircase was examined (``None``: all traffic).

>>> from decimal import Decimal as D
>>> from costmodel.engine.shapes import capacity_cost, linear_piecewise
>>> api = linear_piecewise("openai:gpt-4o-mini:base", D(0), D("1.5"), Reliability.OFFICIAL)
>>> gpu = capacity_cost("azure:gpt-4o-mini:base@provisioned", price_per_unit_hour=D(12), per_unit=D(10), up_to=D(25))
>>> found = crossings(api, gpu, tokens_per_unit=D(1))
>>> [(c.kind, str(c.units_per_hour)) for c in found.crossings]
[('equal', '8'), ('step', '10'), ('equal', '16'), ('step', '20'), ('equal', '24')]
>>> found.crossings[0].cheaper_above.tier
'provisioned'
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from costmodel.engine.shapes import PiecewiseCost, Segment
from costmodel.engine.usage import PathSpec, as_path
from costmodel.money import ZERO, fine
from costmodel.prices import Reliability, lowest_reliability

__all__ = ["Crossing", "Crossings", "Regime", "crossings"]

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class Crossing(BaseModel):
    """One change of the cheaper path at ``units_per_hour``.

    ``kind``: ``equal`` (both cost ``cost_a == cost_b`` there) or ``step`` (one path steps up
    past the other: ``cost_a``/``cost_b`` at the point, ``cost_a_above``/``cost_b_above`` just above).
    """

    model_config = _FROZEN

    kind: Literal["equal", "step"]
    units_per_hour: Decimal
    tokens_per_hour: Decimal
    requests_per_day: Decimal | None
    cheaper_below: PathSpec
    cheaper_above: PathSpec
    cost_a: Decimal
    cost_b: Decimal
    cost_a_above: Decimal
    cost_b_above: Decimal

    @field_validator(
        "units_per_hour", "tokens_per_hour", "requests_per_day", "cost_a", "cost_b", "cost_a_above", "cost_b_above"
    )
    @classmethod
    def _quantised(cls, value: Decimal | None) -> Decimal | None:
        return fine(value)  # volumes and amounts per hour leave to 1e-12 (costmodel.money)


class Regime(BaseModel):
    """A traffic range ``(lo, hi]`` with one cheaper path (``None``: they cost the same)."""

    model_config = _FROZEN

    lo: Decimal
    hi: Decimal | None
    cheaper: PathSpec | None

    @field_validator("lo", "hi")
    @classmethod
    def _quantised(cls, value: Decimal | None) -> Decimal | None:
        return fine(value)


class Crossings(BaseModel):
    """Every crossing of ``path_a`` and ``path_b``; paths are :class:`PathSpec` objects, not labels."""

    model_config = _FROZEN

    path_a: PathSpec
    path_b: PathSpec
    status: Literal["crosses", "never"]
    crossings: tuple[Crossing, ...] = ()
    regimes: tuple[Regime, ...] = ()
    always_cheaper: PathSpec | None = None
    upper_units_per_hour: Decimal | None = None
    reliability: Reliability
    explanation: str

    @field_validator("upper_units_per_hour")
    @classmethod
    def _quantised(cls, value: Decimal | None) -> Decimal | None:
        return fine(value)


def _sign(v: Decimal) -> int:
    return (v > 0) - (v < 0)


def _path(cost: PiecewiseCost, field: str) -> PathSpec:
    """The path ``cost`` belongs to: the one it carries, else its label read as a path."""
    return cost.path if cost.path is not None else as_path(cost.label, field=field)


def _seg(cost: PiecewiseCost, r: Decimal | None) -> Segment:
    return cost.segments[-1] if r is None else cost.segment_at(r)


def crossings(
    a: PiecewiseCost,
    b: PiecewiseCost,
    *,
    tokens_per_unit: Decimal,
    per_request: bool = False,
) -> Crossings:
    """All crossings of ``a`` and ``b`` on the traffic range both are defined for."""
    path_a, path_b = _path(a, "a"), _path(b, "b")
    uppers = [u for u in (a.upper, b.upper) if u is not None]
    upper = min(uppers) if uppers else None
    cuts = sorted({ZERO, *(p for p in a.breakpoints() + b.breakpoints() if upper is None or p < upper)})
    ends: list[Decimal | None] = [*cuts[1:], upper]
    found: list[Crossing] = []
    prev_sign = 0
    zero_at: Decimal | None = None

    def label(sign: int) -> PathSpec:
        return path_b if sign > 0 else path_a  # d = A - B > 0: B is cheaper

    def report(kind: Literal["equal", "step"], x: Decimal, new_sign: int) -> None:
        sa, sb = a.segment_at(x), b.segment_at(x)
        # just above x: the segment that starts at x, if any
        above_a = next((s for s in a.segments if s.lo == x), sa)
        above_b = next((s for s in b.segments if s.lo == x), sb)
        found.append(
            Crossing(
                kind=kind,
                units_per_hour=x,
                tokens_per_hour=x * tokens_per_unit,
                requests_per_day=x * 24 if per_request else None,
                cheaper_below=label(-new_sign),
                cheaper_above=label(new_sign),
                cost_a=sa.at(x),
                cost_b=sb.at(x),
                cost_a_above=above_a.at(x),
                cost_b_above=above_b.at(x),
            )
        )

    def observe(v: Decimal, x: Decimal, exact: bool, step_at: Decimal) -> None:
        # Inside a piece d is linear: a flip without an exact zero can only be a jump at its start.
        nonlocal prev_sign, zero_at
        s = _sign(v)
        if s == 0:
            if exact and zero_at is None:
                zero_at = x
            return
        if prev_sign and s != prev_sign:
            if zero_at is not None:
                report("equal", zero_at, s)
            else:
                report("step", step_at, s)
        prev_sign = s
        zero_at = None

    for lo, hi in zip(cuts, ends, strict=True):
        sa, sb = _seg(a, hi), _seg(b, hi)
        c0, c1 = sa.fixed - sb.fixed, sa.slope - sb.slope
        observe(c0 + c1 * lo, lo, lo == 0, lo)
        if c1 != 0:
            root = -c0 / c1
            if lo < root and (hi is None or root < hi):
                observe(ZERO, root, True, lo)
        if hi is not None:
            observe(c0 + c1 * hi, hi, True, lo)
        else:
            observe(c1 if c1 != 0 else c0, lo, False, lo)  # the sign far out
    grade = lowest_reliability([a.reliability, b.reliability])
    unit = "requests" if per_request else "units of traffic"
    where = "" if upper is None else f" up to {upper:,.0f} {unit} per hour"
    common = {
        "path_a": path_a,
        "path_b": path_b,
        "reliability": grade,
        "upper_units_per_hour": upper,
    }
    regimes: list[Regime] = []
    lo_r = ZERO
    for c in found:
        regimes.append(Regime(lo=lo_r, hi=c.units_per_hour, cheaper=c.cheaper_below))
        lo_r = c.units_per_hour
    if not found:
        if prev_sign == 0:
            return Crossings(
                **common,
                status="never",
                regimes=(Regime(lo=ZERO, hi=upper, cheaper=None),),
                explanation=f"both paths cost the same at every traffic{where}",
            )
        cheaper = label(prev_sign)
        return Crossings(
            **common,
            status="never",
            always_cheaper=cheaper,
            regimes=(Regime(lo=ZERO, hi=upper, cheaper=cheaper),),
            explanation=f"{cheaper} is cheaper (or no dearer) at every traffic{where}: the costs never cross",
        )
    regimes.append(Regime(lo=lo_r, hi=upper, cheaper=found[-1].cheaper_above))
    n = len(found)
    return Crossings(
        **common,
        status="crosses",
        crossings=tuple(found),
        regimes=tuple(regimes),
        explanation=f"the cheaper path changes {n} time{'s' if n > 1 else ''}{where}",
    )
