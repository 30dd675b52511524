"""Numbers in the open: every break-even and payback of a scenario with its equation and the prices it used.

:func:`explain` returns one :class:`Explained` per crossing of the scenario (every pair of paths)
and per payback (every fine-tuned path against every base path). Each carries

* the figure in human units (``2.55 million tokens per hour``, ``5 minutes``, or ``never`` with the reason),
* the equation as written in :mod:`costmodel.engine.breakeven`, then the same equation with the
  scenario's numbers put in,
* the coefficients (fixed cost per hour ``H``, cost per unit of traffic ``v``, one-off ``T``) and
  how each is made of catalogue prices (tokens per unit x price per 1M tokens; hosting per hour),
* the price rows used (amount, unit, grade, source).

The coefficients are the engine's (:func:`~costmodel.engine.usage.linear_cost`), so the page, the
report and the CLI show the numbers the decision rests on. Amounts show in USD or, given an
:class:`~costmodel.prices.fx.FxRate`, in that currency at that rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from costmodel.engine.breakeven import BreakEven, Payback
from costmodel.engine.scenario import ScenarioResult
from costmodel.engine.usage import LinearCost, PathCost, linear_cost
from costmodel.money import MILLION
from costmodel.present.currency import format_money
from costmodel.prices.fx import FxRate
from costmodel.units import format_count, format_duration

__all__ = ["Explained", "PriceUsed", "explain", "traffic_note"]


@dataclass(frozen=True)
class PriceUsed:
    path: str
    item: str  # "Input tokens", "Hosting (deployed hours)" ...
    unit_price: Decimal | None  # USD
    unit: str  # "per 1M tokens", "per hour"
    per_unit_of_traffic: str  # "2,300 tokens per request" or "730 hours a month"
    reliability: str
    source_url: str | None


@dataclass(frozen=True)
class Explained:
    kind: Literal["break-even", "payback"]
    title: str  # "openai:... vs azure:..."
    figure: str  # human units, or "never: ..."
    equation: str  # symbolic
    substituted: str  # with the scenario's numbers
    coefficients: tuple[str, ...]  # one line per coefficient, with how it is made of prices
    prices: tuple[PriceUsed, ...]
    reliability: str
    value: Decimal | None  # tokens per hour (break-even) or hours (payback); None when there is no crossing
    reading: str  # what it means (which path is cheaper where)


def _money6(amount: Decimal | None, fx: FxRate | None) -> str:
    """A computed amount (not a catalogue price) with at most six significant digits."""
    if amount is None or amount == 0:
        return format_money(amount, fx)
    q = amount.quantize(Decimal(1).scaleb(amount.adjusted() - 5))
    return format_money(q.normalize(), fx, precise=True)


def _unit_words(unit: str) -> tuple[str, str]:
    return ("request", "requests") if unit == "request" else ("token", "tokens")


def _per_unit_money(v: Decimal, unit: str, fx: FxRate | None) -> str:
    """A cost per unit of traffic: per 1M tokens, or per 1,000 requests."""
    if unit == "token":
        return f"{_money6(v * MILLION, fx)} per 1M tokens"
    return f"{_money6(v * 1000, fx)} per 1,000 requests"


def _prices(cost: PathCost, units_per_month: Decimal, unit: str) -> tuple[PriceUsed, ...]:
    out: list[PriceUsed] = []
    one, _many = _unit_words(unit)
    for i in cost.monthly.items:
        if i.quantity_unit == "1M tokens":
            per = i.quantity * MILLION / units_per_month
            share = (
                f"{format_count(per)} tokens per {one}" if unit == "request" else f"{format_count(per)} of each token"
            )
            out.append(
                PriceUsed(
                    cost.path.label, i.name, i.unit_price, "per 1M tokens", share, i.reliability.value, i.source_url
                )
            )
        else:
            out.append(
                PriceUsed(
                    cost.path.label,
                    i.name,
                    i.unit_price,
                    "per hour" if i.quantity_unit == "hours" else f"per {i.quantity_unit}",
                    f"{format_count(i.quantity)} {i.quantity_unit} a month",
                    i.reliability.value,
                    i.source_url,
                )
            )
    if cost.training is not None:
        for i in cost.training.items:
            unit_name = "per 1M tokens" if i.quantity_unit == "1M tokens" else f"per {i.quantity_unit.rstrip('s')}"
            qty = (
                f"{format_count(i.quantity * MILLION)} trained tokens"
                if i.quantity_unit == "1M tokens"
                else f"{i.quantity:.4g} {i.quantity_unit}"
            )
            out.append(
                PriceUsed(
                    cost.path.label,
                    i.name,
                    i.unit_price,
                    unit_name,
                    f"{qty}, one-off",
                    i.reliability.value,
                    i.source_url,
                )
            )
    return tuple(out)


def _v_line(name: str, cost: PathCost, line: LinearCost, units_per_month: Decimal, fx: FxRate | None) -> str:
    """``v_A = 0.5 x $3.00 + 0.5 x $6.00 per 1M tokens = $4.50 per 1M tokens`` (the path's per-unit cost)."""
    terms = []
    for i in cost.monthly.items:
        if i.kind in ("input", "cached_input", "output") and i.unit_price is not None:
            per = i.quantity * MILLION / units_per_month
            if line.unit == "token":
                terms.append(f"{_sig(per)} x {format_money(i.unit_price, fx, precise=True)}")
            else:
                terms.append(f"{format_count(per)} x {format_money(i.unit_price, fx, precise=True)} / 1M")
    made = " + ".join(terms) or "0"
    if line.unit == "token":
        made += " (share of each token x price per 1M tokens)"
    else:
        made += " (tokens per request x price per 1M tokens)"
    return f"{name} = {made} = {_per_unit_money(line.per_unit, line.unit, fx)}   [{cost.path.label}]"


def _sig(value: Decimal) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def _h_line(name: str, cost: PathCost, line: LinearCost, fx: FxRate | None) -> str:
    fixed = [i for i in cost.monthly.items if i.kind not in ("input", "cached_input", "output")]
    if not fixed:
        return f"{name} = {format_money(Decimal(0), fx)} per hour (no hosting fee)   [{cost.path.label}]"
    parts = " + ".join(f"{i.name}: {format_money(i.cost, fx)} a month" for i in fixed)
    return f"{name} = ({parts}) / hours per month = {_money6(line.fixed_per_hour, fx)} per hour   [{cost.path.label}]"


def _breakeven(
    be: BreakEven,
    ca: PathCost,
    cb: PathCost,
    la: LinearCost,
    lb: LinearCost,
    result: ScenarioResult,
    fx: FxRate | None,
) -> Explained:
    if ca.capacity is not None or cb.capacity is not None:
        return _staircase(be, ca, cb, la, lb, result, fx)
    traffic = result.scenario.traffic
    units = traffic.units_per_month
    _one, many = _unit_words(la.unit)
    coeffs = (
        _h_line("H_A", ca, la, fx),
        _h_line("H_B", cb, lb, fx),
        _v_line("v_A", ca, la, units, fx),
        _v_line("v_B", cb, lb, units, fx),
    )
    equation = "u* = (H_B - H_A) / (v_A - v_B)   (traffic at which both paths cost the same per hour)"
    if la.unit == "request":
        equation += f"; tokens per hour = u* x {format_count(traffic.workload_tokens_per_unit)} tokens per request"
    num = f"({_money6(lb.fixed_per_hour, fx)} - {_money6(la.fixed_per_hour, fx)}) per hour"
    den = (
        f"({_per_unit_money(la.per_unit, la.unit, fx).split(' per ')[0]} - {_per_unit_money(lb.per_unit, lb.unit, fx)})"
    )
    if be.status == "crosses" and be.units_per_hour is not None and be.tokens_per_hour is not None:
        value = be.tokens_per_hour
        figure = f"{format_count(value)} tokens per hour"
        if be.requests_per_day is not None:
            figure += f" ({format_count(be.requests_per_day)} requests a day)"
        result_text = f"{format_count(be.units_per_hour)} {many} per hour"
        if la.unit == "request":
            result_text += f" = {format_count(value)} tokens per hour"
        substituted = f"u* = {num} / {den} = {result_text}"
        reading = f"Below it {be.cheaper_below} is cheaper; above it {be.cheaper_above} is cheaper."
    else:
        value = None
        figure = "never"
        substituted = f"u* = {num} / {den}: no positive solution"
        reading = be.explanation[:1].upper() + be.explanation[1:] + "."
    return Explained(
        kind="break-even",
        title=f"{be.path_a} vs {be.path_b}",
        figure=figure,
        equation=equation,
        substituted=substituted,
        coefficients=coeffs,
        prices=_prices(ca, units, la.unit) + _prices(cb, units, lb.unit),
        reliability=be.reliability.value,
        value=value,
        reading=reading,
    )


def _staircase(
    be: BreakEven,
    ca: PathCost,
    cb: PathCost,
    la: LinearCost,
    lb: LinearCost,
    result: ScenarioResult,
    fx: FxRate | None,
) -> Explained:
    """A pair with a capacity path: its cost is a staircase, so every crossing is listed (no single equation)."""
    units = result.scenario.traffic.units_per_month
    pair = next(
        (x for x in result.crossings if {x.path_a, x.path_b} == {be.path_a, be.path_b}),
        None,
    )
    found = () if pair is None else pair.crossings
    lines = [
        f"{x.kind} crossing at {format_count(x.tokens_per_hour)} tokens per hour: "
        f"{x.cheaper_below} cheaper below, {x.cheaper_above} above"
        for x in found
    ]
    figure = (
        "never" if not found else ", ".join(f"{format_count(x.tokens_per_hour)}" for x in found) + " tokens per hour"
    )
    return Explained(
        kind="break-even",
        title=f"{be.path_a} vs {be.path_b}",
        figure=figure,
        equation="C_X(u) = H_X(n(u)) + v_X u, with n(u) capacity units (a staircase): every crossing of the two "
        "piecewise-linear costs is listed",
        substituted="; ".join(lines) or be.explanation,
        coefficients=(
            _v_line("v_A", ca, la, units, fx),
            _v_line("v_B", cb, lb, units, fx),
            f"H_A at your traffic = {_money6(la.fixed_per_hour, fx)} per hour   [{ca.path.label}]",
            f"H_B at your traffic = {_money6(lb.fixed_per_hour, fx)} per hour   [{cb.path.label}]",
        ),
        prices=_prices(ca, units, la.unit) + _prices(cb, units, lb.unit),
        reliability=be.reliability.value,
        value=found[0].tokens_per_hour if found else None,
        reading=be.explanation[:1].upper() + be.explanation[1:] + ".",
    )


def _payback(
    pb: Payback,
    cf: PathCost,
    cb: PathCost,
    lf: LinearCost,
    lb: LinearCost,
    result: ScenarioResult,
    fx: FxRate | None,
) -> Explained:
    traffic = result.scenario.traffic
    units = traffic.units_per_month
    hpm = traffic.hours_per_month
    _one, many = _unit_words(lf.unit)
    r = traffic.units_per_hour
    coeffs = (
        f"T_F = {format_money(lf.one_off, fx)} training, one-off   [{cf.path.label}]",
        f"T_B = {format_money(lb.one_off or Decimal(0), fx)} (a base path trains nothing)   [{cb.path.label}]",
        _h_line("H_F", cf, lf, fx),
        _h_line("H_B", cb, lb, fx),
        _v_line("v_F", cf, lf, units, fx),
        _v_line("v_B", cb, lb, units, fx),
        f"r = {format_count(r)} {many} per hour (your traffic)",
    )
    equation = "t* = (T_F - T_B) / (r x (v_B - v_F) - (H_F - H_B))   (hours until the training is paid back)"
    saving = f"{_money6(pb.saving_per_hour, fx)} saved per hour"
    t_diff = format_money((lf.one_off or Decimal(0)) - (lb.one_off or Decimal(0)), fx)
    if pb.status == "pays_back" and pb.hours is not None:
        figure = format_duration(pb.hours, hpm)
        if not pb.within_horizon:
            figure += " (beyond the horizon)"
        hours_text = f"{format_count(pb.hours)} hours"
        human = format_duration(pb.hours, hpm)
        substituted = f"t* = {t_diff} / {saving} = {hours_text}" + ("" if human == hours_text else f" = {human}")
        value: Decimal | None = pb.hours
    elif pb.status == "already_cheaper":
        figure = "at once"
        substituted = f"t* = {t_diff} / {saving} = 0: nothing to pay back"
        value = Decimal(0)
    else:
        figure = "never"
        substituted = f"t* = {t_diff} / {saving}: the saving per hour is not positive"
        value = None
    if pb.units_per_hour_needed is not None:
        need = f"{format_count(pb.units_per_hour_needed)} {many} per hour"
        if pb.requests_per_day_needed is not None:
            need += f" ({format_count(pb.requests_per_day_needed)} requests a day)"
        reading = (
            f"{pb.explanation} Traffic needed to pay back within {result.scenario.horizon_months} months: {need} "
            "(N* = ((T_F - T_B) + h x (H_F - H_B)) / (v_B - v_F) over the horizon h)."
        )
    else:
        reading = pb.explanation + " No traffic pays it back: the fine-tuned path costs as much or more per unit."
    return Explained(
        kind="payback",
        title=f"{pb.fine_tuned} against {pb.base}",
        figure=figure,
        equation=equation,
        substituted=substituted,
        coefficients=coeffs,
        prices=_prices(cf, units, lf.unit) + _prices(cb, units, lb.unit),
        reliability=pb.reliability.value,
        value=value,
        reading=reading,
    )


def explain(result: ScenarioResult, fx: FxRate | None = None) -> list[Explained]:
    """Every break-even (all pairs) and every payback of ``result``, with equations and prices."""
    traffic = result.scenario.traffic
    costs = {c.path.label: c for c in result.costs}
    lines = {label: linear_cost(c, traffic) for label, c in costs.items()}
    out: list[Explained] = []
    for be in result.breakevens:
        a, b = str(be.path_a), str(be.path_b)
        out.append(_breakeven(be, costs[a], costs[b], lines[a], lines[b], result, fx))
    for pb in result.paybacks:
        f, base = str(pb.fine_tuned), str(pb.base)
        out.append(_payback(pb, costs[f], costs[base], lines[f], lines[base], result, fx))
    return out


def traffic_note(result: ScenarioResult) -> str:
    """How the traffic axis counts tokens: each path as it really processes them (few-shot included)."""
    t = result.scenario.traffic
    if t.unit == "token" or not t.few_shot_tokens:
        return "Traffic is counted in workload tokens (input + output) per hour, the same for every path."
    return (
        f"Traffic is counted per request; a base path's prompt carries {t.few_shot_tokens:,} few-shot tokens on top "
        f"of the {t.input_tokens_per_request or 0:,} input tokens, and its cost includes them. Token figures on the "
        "axis are the fine-tuned prompt's; each path's hover shows the tokens it really processes."
    )
