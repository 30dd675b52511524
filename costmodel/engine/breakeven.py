"""Break-even points, in closed form, with a typed answer when the lines never cross.

Two paths A and B with linear costs (:class:`~costmodel.engine.usage.LinearCost`) per hour
``C_X(u) = H_X + u x v_X`` (``H`` fixed per hour: hosting, amortised training; ``v`` cost per unit of
traffic; ``u`` units per hour) cost the same at::

    u* = (H_B - H_A) / (v_A - v_B)

which exists (is positive) only when one path has the higher fixed cost and the lower variable cost.
Above ``u*`` the path with the lower variable cost is cheaper. The traffic axis is reported in
workload tokens per hour (``u* x tokens per unit``) and, when traffic is given per request, in
requests per day (``u* x 24``). With per-1M token prices and only an input share ``s`` this is
``T* = 1e6 (H_B - H_A) / (P_A - P_B)`` with ``P = s p_in + (1-s) p_out``.

Payback of a fine-tuned path F (one-off training ``T``, fixed ``H_F``, variable ``v_F``) against a
few-shot base path B (``v_B``, no fixed cost) at ``r`` units per hour::

    t* = (T_F - T_B) / (r (v_B - v_F) - (H_F - H_B))        hours

and the volume that pays the training back within a horizon of ``h`` hours::

    N* = ((T_F - T_B) + h (H_F - H_B)) / (v_B - v_F)          units over the horizon

Neither ever returns infinity or NaN: :class:`BreakEven` and :class:`Payback` carry a status.
Both hold the paths they compare as :class:`~costmodel.engine.usage.PathSpec` objects (a
program reads ``be.cheaper_above.provider``, it never re-parses a label), and their figures are
quantised (volumes, hours and amounts per hour to 1e-12; see :mod:`costmodel.money`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from costmodel.engine.availability import Availability
from costmodel.engine.usage import LinearCost, PathSpec
from costmodel.money import ZERO, fine
from costmodel.prices import Reliability, lowest_reliability
from costmodel.units import format_duration

__all__ = ["BreakEven", "Payback", "breakeven", "describe_duration", "payback"]

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class BreakEven(BaseModel):
    """Where two paths cost the same.

    ``status``: ``crosses`` (a positive crossing exists), ``never`` (one path is cheaper at every
    volume: ``always_cheaper`` names it, ``None`` when they cost the same everywhere).
    """

    model_config = _FROZEN

    path_a: PathSpec
    path_b: PathSpec
    status: Literal["crosses", "never"]
    units_per_hour: Decimal | None = None
    tokens_per_hour: Decimal | None = None
    requests_per_day: Decimal | None = None
    cheaper_below: PathSpec | None = None
    cheaper_above: PathSpec | None = None
    always_cheaper: PathSpec | None = None
    reliability: Reliability
    explanation: str
    # availability in time of each path (set by costmodel.engine.scenario.evaluate)
    availability_a: Availability | None = None
    availability_b: Availability | None = None

    @property
    def paths(self) -> tuple[PathSpec, PathSpec]:
        return self.path_a, self.path_b


def breakeven(a: LinearCost, b: LinearCost, *, tokens_per_unit: Decimal) -> BreakEven:
    """Crossing of two linear hourly costs (see the module docstring for the equation).

    >>> from decimal import Decimal as D
    >>> from costmodel.prices import Reliability as R
    >>> oai = LinearCost(PathSpec.parse("openai:gpt-3.5-turbo:ft"), "token", D(0), D(0), D("4.5") / 10**6, R.OFFICIAL)
    >>> az = LinearCost(PathSpec.parse("azure:gpt-35-turbo:ft"), "token", D(0), D(7), D("1.75") / 10**6, R.UNCONFIRMED)
    >>> be = breakeven(oai, az, tokens_per_unit=D(1))
    >>> be.tokens_per_hour, be.cheaper_above.provider.value
    (Decimal('2545454.545454545455'), 'azure')
    """
    if a.unit != b.unit:
        raise ValueError("both paths must be measured in the same traffic unit")
    grade = lowest_reliability([a.reliability, b.reliability])
    d_fixed = b.fixed_per_hour - a.fixed_per_hour
    d_var = a.per_unit - b.per_unit
    common = {"path_a": a.path, "path_b": b.path, "reliability": grade}
    if d_var == 0:
        if d_fixed == 0:
            return BreakEven(**common, status="never", explanation="both paths cost the same at every volume")
        cheaper = a.path if d_fixed > 0 else b.path
        return BreakEven(
            **common,
            status="never",
            always_cheaper=cheaper,
            explanation=f"same cost per unit of traffic, and {cheaper.label} has the lower fixed cost: "
            "it is always cheaper",
        )
    u = d_fixed / d_var
    if u <= 0:
        # The path with the lower variable cost also has the lower (or equal) fixed cost.
        cheaper = b.path if d_var > 0 else a.path
        return BreakEven(
            **common,
            status="never",
            always_cheaper=cheaper,
            explanation=f"{cheaper.label} costs less per unit and no more per hour: it is cheaper at every volume",
        )
    low_var, high_var = (b.path, a.path) if d_var > 0 else (a.path, b.path)
    return BreakEven(
        **common,
        status="crosses",
        units_per_hour=fine(u),
        tokens_per_hour=fine(u * tokens_per_unit),
        requests_per_day=fine(u * 24) if a.unit == "request" else None,
        cheaper_below=high_var,
        cheaper_above=low_var,
        explanation=f"{high_var.label} is cheaper below the crossing (lower fixed cost); "
        f"{low_var.label} is cheaper above it (lower cost per unit)",
    )


class Payback(BaseModel):
    """When a fine-tuned path pays back its training against a few-shot base path.

    ``status``: ``pays_back`` (``hours``/``months`` until cumulative costs meet; ``within_horizon``
    says whether that is inside the horizon), ``never_cheaper`` (at this traffic the fine-tuned path
    saves nothing per hour: it never catches up), ``already_cheaper`` (no training cost left to pay
    back and it is cheaper from the start). ``units_needed_over_horizon`` and
    ``units_per_hour_needed`` give the volume needed to pay back within the horizon, ``None`` when no
    volume can (the fine-tuned path costs as much or more per unit).
    """

    model_config = _FROZEN

    fine_tuned: PathSpec
    base: PathSpec
    status: Literal["pays_back", "never_cheaper", "already_cheaper"]
    hours: Decimal | None = None
    months: Decimal | None = None
    within_horizon: bool | None = None
    saving_per_hour: Decimal
    units_needed_over_horizon: Decimal | None = None
    units_per_hour_needed: Decimal | None = None
    requests_per_day_needed: Decimal | None = None
    reliability: Reliability
    explanation: str
    # availability in time of each path (set by costmodel.engine.scenario.evaluate)
    availability_fine_tuned: Availability | None = None
    availability_base: Availability | None = None


def describe_duration(hours: Decimal, hours_per_month: Decimal) -> str:
    """``5 minutes``, ``12 days``, ``1 day``, ``3.2 months``: the one duration formatter, in human units at any
    scale (never ``0.1 hours`` for five minutes; see :func:`costmodel.units.format_duration`).

    >>> describe_duration(Decimal(7300), Decimal(730)), describe_duration(Decimal(30), Decimal(730))
    ('10 months', '1 day')
    >>> describe_duration(Decimal(5) / 60, Decimal(730))
    '5 minutes'
    """
    return format_duration(hours, hours_per_month)


def payback(
    fine_tuned: LinearCost,
    base: LinearCost,
    *,
    units_per_hour: Decimal,
    horizon_hours: Decimal,
    hours_per_month: Decimal,
) -> Payback:
    """Payback time and the volume needed (equations in the module docstring)."""
    if fine_tuned.unit != base.unit:
        raise ValueError("both paths must be measured in the same traffic unit")
    if fine_tuned.one_off is None:
        raise ValueError("the fine-tuned path's training cost is unknown: give training tokens and epochs")
    grade = lowest_reliability([fine_tuned.reliability, base.reliability])
    d_one_off = fine_tuned.one_off - (base.one_off or ZERO)
    d_fixed = fine_tuned.fixed_per_hour - base.fixed_per_hour
    d_var = base.per_unit - fine_tuned.per_unit
    saving = units_per_hour * d_var - d_fixed
    needed: Decimal | None = None
    per_hour_needed: Decimal | None = None
    if d_var > 0:
        needed = max(ZERO, (d_one_off + horizon_hours * d_fixed) / d_var)
        per_hour_needed = needed / horizon_hours
    common = {
        "fine_tuned": fine_tuned.path,
        "base": base.path,
        "saving_per_hour": fine(saving),
        "units_needed_over_horizon": fine(needed),
        "units_per_hour_needed": fine(per_hour_needed),
        "requests_per_day_needed": fine(per_hour_needed * 24)
        if (per_hour_needed is not None and base.unit == "request")
        else None,
        "reliability": grade,
    }
    if saving <= 0:
        if d_one_off <= 0 and saving == 0:
            reason = "the two paths cost the same"
        elif d_var <= 0:
            reason = "the fine-tuned path costs as much or more per unit of traffic"
        else:
            reason = "at this traffic the per-request saving does not cover the hosting fee"
        return Payback(
            **common,
            status="never_cheaper",
            explanation=f"Fine-tuning never pays back at this traffic: {reason}.",
        )
    if d_one_off <= 0:
        return Payback(
            **common,
            status="already_cheaper",
            hours=ZERO,
            months=ZERO,
            within_horizon=True,
            explanation="The fine-tuned path is cheaper from the first hour: there is no training cost to pay back.",
        )
    hours = d_one_off / saving
    months = hours / hours_per_month
    return Payback(
        **common,
        status="pays_back",
        hours=fine(hours),
        months=fine(months),
        within_horizon=hours <= horizon_hours,
        explanation="Fine-tuning pays back its training after "
        f"{describe_duration(hours, hours_per_month)} at this traffic"
        + ("." if hours <= horizon_hours else ", which is beyond the horizon."),
    )
