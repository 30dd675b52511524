"""Scenario diff: what changes in cost between two scenarios, like a cost diff in an infrastructure review.

:func:`diff_scenarios` evaluates two scenarios path by path and returns a :class:`ScenarioDiff`:

* the inputs that differ (dotted field names: ``traffic.requests_per_day``, ``training.epochs`` ...);
* for every path in either scenario, its monthly, training and horizon totals on each side and
  ``delta = B - A`` (``None`` when a side has no figure: a path only in one scenario, or without a
  price at that date, whose reason is kept);
* for every line item of a path (matched by kind and name, quantities in parentheses ignored),
  both costs and the delta;
* each scenario's cheapest path over its horizon ("both totals").

Amounts are USD Decimals; :func:`to_markdown` and :func:`to_json` show them in USD or, given an
:class:`~costmodel.prices.fx.FxRate`, in another currency at that one rate (the same rate on both
sides, so a delta is a change in cost, not in the exchange rate).

The diff is pure: the caller loads the scenarios and passes the catalogue and the date for
scenarios without ``as_of``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from costmodel.engine.breakdown import Breakdown
from costmodel.engine.scenario import Scenario, evaluate
from costmodel.engine.usage import PathCost
from costmodel.errors import InputError
from costmodel.money import quantize_cents
from costmodel.present.currency import currency_code, format_money, quantize_money, rate_caption
from costmodel.prices import Catalog
from costmodel.prices.fx import FxRate

__all__ = [
    "InputChange",
    "LineDelta",
    "PathDelta",
    "ScenarioDiff",
    "diff_scenarios",
    "flatten_inputs",
    "to_json",
    "to_markdown",
    "to_text",
]

Status = Literal["both", "only_a", "only_b"]
_QUANTITY_NOTE = re.compile(r"\s*\([^)]*\d[^)]*\)")


def _delta(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else b - a


@dataclass(frozen=True)
class InputChange:
    field: str
    a: Any
    b: Any


@dataclass(frozen=True)
class LineDelta:
    section: Literal["monthly", "training"]
    name: str
    kind: str
    a: Decimal | None  # None: not in A (or no price)
    b: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        if self.a is None and self.b is None:
            return None
        return (self.b or Decimal(0)) - (self.a or Decimal(0))


@dataclass(frozen=True)
class PathDelta:
    path: str
    status: Status
    monthly_a: Decimal | None
    monthly_b: Decimal | None
    training_a: Decimal | None
    training_b: Decimal | None
    horizon_a: Decimal | None
    horizon_b: Decimal | None
    lines: tuple[LineDelta, ...]
    problem_a: str | None = None  # why A has no figure for this path (no price at that date ...)
    problem_b: str | None = None

    def _d(self, a: Decimal | None, b: Decimal | None) -> Decimal | None:
        # A path only in one scenario costs nothing in the other (like a removed resource);
        # a path without a price on one side has no delta.
        if self.status == "only_a" and self.problem_a is None:
            return None if a is None else -a
        if self.status == "only_b" and self.problem_b is None:
            return b
        return _delta(a, b)

    @property
    def monthly_delta(self) -> Decimal | None:
        return self._d(self.monthly_a, self.monthly_b)

    @property
    def training_delta(self) -> Decimal | None:
        return self._d(self.training_a, self.training_b)

    @property
    def horizon_delta(self) -> Decimal | None:
        return self._d(self.horizon_a, self.horizon_b)


@dataclass(frozen=True)
class ScenarioDiff:
    name_a: str
    name_b: str
    as_of_a: date
    as_of_b: date
    horizon_a: int
    horizon_b: int
    inputs: tuple[InputChange, ...]
    paths: tuple[PathDelta, ...]
    cheapest_a: tuple[str, Decimal] | None = None  # (path, horizon total)
    cheapest_b: tuple[str, Decimal] | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def identical(self) -> bool:
        return not self.inputs


def flatten_inputs(scenario: Scenario, *, as_of: date) -> dict[str, Any]:
    """Every input of ``scenario`` under a dotted name (``traffic.requests_per_day``); paths as labels."""
    data = scenario.model_dump(mode="python")
    out: dict[str, Any] = {"as_of": scenario.as_of or as_of, "paths": ", ".join(p.label for p in scenario.paths)}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        else:
            out[prefix] = value

    for key, value in data.items():
        if key not in ("as_of", "paths"):
            walk(key, value)
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal | int):
        return a == b
    if isinstance(b, Decimal) and isinstance(a, int):
        return Decimal(a) == b
    return bool(a == b)


def _input_changes(a: dict[str, Any], b: dict[str, Any]) -> tuple[InputChange, ...]:
    keys = list(dict.fromkeys([*a, *b]))
    return tuple(InputChange(k, a.get(k), b.get(k)) for k in keys if not _same(a.get(k), b.get(k)))


def _line_key(name: str) -> str:
    return _QUANTITY_NOTE.sub("", name).strip()


def _lines(section: Literal["monthly", "training"], b: Breakdown | None) -> dict[tuple[str, str, str], Decimal | None]:
    if b is None:
        return {}
    out: dict[tuple[str, str, str], Decimal | None] = {}
    for item in b.items:
        key = (section, item.kind, _line_key(item.name))
        prev = out.get(key)
        out[key] = item.cost if prev is None else (None if item.cost is None else prev + item.cost)
    return out


def _evaluate_paths(
    catalog: Catalog, scenario: Scenario, as_of: date
) -> tuple[dict[str, PathCost], dict[str, str], date]:
    """Each path evaluated on its own, so one path without a price does not hide the others."""
    day = scenario.as_of or as_of
    costs: dict[str, PathCost] = {}
    problems: dict[str, str] = {}
    for path in scenario.paths:
        single = scenario.model_copy(update={"paths": (path,)})
        try:
            result = evaluate(catalog, single, as_of=as_of)
            cost = result.costs[0]
            cost.monthly.total  # noqa: B018 - raises when a monthly price is missing
            costs[path.label] = cost
        except InputError as exc:
            problems[path.label] = exc.message
    return costs, problems, day


def _cheapest(costs: Iterable[PathCost]) -> tuple[str, Decimal] | None:
    priced = [(c.path.label, c.horizon_total) for c in costs if c.horizon_total is not None]
    if not priced:
        return None
    label, total = min(priced, key=lambda x: (x[1] or Decimal(0), x[0]))
    assert total is not None
    return label, total


def diff_scenarios(
    catalog: Catalog,
    a: Scenario,
    b: Scenario,
    *,
    as_of: date,
    name_a: str = "A",
    name_b: str = "B",
) -> ScenarioDiff:
    """The cost diff B - A (``as_of`` is the date for a scenario without its own)."""
    costs_a, problems_a, day_a = _evaluate_paths(catalog, a, as_of)
    costs_b, problems_b, day_b = _evaluate_paths(catalog, b, as_of)
    labels = list(dict.fromkeys([p.label for p in a.paths] + [p.label for p in b.paths]))
    in_a = {p.label for p in a.paths}
    in_b = {p.label for p in b.paths}
    deltas: list[PathDelta] = []
    for label in labels:
        ca, cb = costs_a.get(label), costs_b.get(label)
        status: Status = "both" if label in in_a and label in in_b else ("only_a" if label in in_a else "only_b")
        la = {**_lines("monthly", ca.monthly if ca else None), **_lines("training", ca.training if ca else None)}
        lb = {**_lines("monthly", cb.monthly if cb else None), **_lines("training", cb.training if cb else None)}
        lines = tuple(
            LineDelta(section=k[0], kind=k[1], name=k[2], a=la.get(k), b=lb.get(k))  # type: ignore[arg-type]
            for k in dict.fromkeys([*la, *lb])
        )
        deltas.append(
            PathDelta(
                path=label,
                status=status,
                monthly_a=ca.monthly_total if ca else None,
                monthly_b=cb.monthly_total if cb else None,
                training_a=ca.training_total if ca else None,
                training_b=cb.training_total if cb else None,
                horizon_a=ca.horizon_total if ca else None,
                horizon_b=cb.horizon_total if cb else None,
                lines=lines,
                problem_a=problems_a.get(label) or (None if label in in_a else "not in this scenario"),
                problem_b=problems_b.get(label) or (None if label in in_b else "not in this scenario"),
            )
        )
    return ScenarioDiff(
        name_a=name_a,
        name_b=name_b,
        as_of_a=day_a,
        as_of_b=day_b,
        horizon_a=a.horizon_months,
        horizon_b=b.horizon_months,
        inputs=_input_changes(flatten_inputs(a, as_of=as_of), flatten_inputs(b, as_of=as_of)),
        paths=tuple(deltas),
        cheapest_a=_cheapest(costs_a.values()),
        cheapest_b=_cheapest(costs_b.values()),
    )


# -- output ------------------------------------------------------------------------------------


def _value(v: Any) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, Decimal):
        return f"{v.normalize():f}" if v == v.to_integral_value() else str(v)
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _side(p: PathDelta, side: Literal["a", "b"], amount: Decimal | None, fx: FxRate | None) -> str:
    if (side == "a" and p.status == "only_b") or (side == "b" and p.status == "only_a"):
        return "absent"
    return format_money(amount, fx)


def _signed(amount: Decimal | None, fx: FxRate | None) -> str:
    if amount is None:
        return "n/a"
    text = format_money(amount, fx)
    return text if amount < 0 else "+" + text


def _money_json(amount: Decimal | None, fx: FxRate | None) -> str | None:
    """A decimal string rounded to the currency's minor unit (``"876.00"``; exact, never a float)."""
    if amount is None:
        return None
    return str(quantize_money(amount, fx) if fx is not None else quantize_cents(amount))


def to_json(d: ScenarioDiff, fx: FxRate | None = None) -> dict[str, Any]:
    """Plain JSON values (amounts as decimal strings rounded to the currency's minor unit)."""
    ccy = currency_code(fx)

    def m(x: Decimal | None) -> str | None:
        return _money_json(x, fx)

    return {
        "a": {"name": d.name_a, "as_of": d.as_of_a, "horizon_months": d.horizon_a},
        "b": {"name": d.name_b, "as_of": d.as_of_b, "horizon_months": d.horizon_b},
        "currency": ccy,
        "fx": None
        if fx is None
        else {"currency": fx.currency, "per_usd": fx.per_usd, "rate_date": fx.rate_date, "source": fx.source},
        "inputs_changed": [{"field": c.field, "a": c.a, "b": c.b} for c in d.inputs],
        "cheapest": {
            "a": None if d.cheapest_a is None else {"path": d.cheapest_a[0], "horizon": m(d.cheapest_a[1])},
            "b": None if d.cheapest_b is None else {"path": d.cheapest_b[0], "horizon": m(d.cheapest_b[1])},
        },
        "paths": [
            {
                "path": p.path,
                "status": p.status,
                "monthly": {"a": m(p.monthly_a), "b": m(p.monthly_b), "delta": m(p.monthly_delta)},
                "training": {"a": m(p.training_a), "b": m(p.training_b), "delta": m(p.training_delta)},
                "horizon": {"a": m(p.horizon_a), "b": m(p.horizon_b), "delta": m(p.horizon_delta)},
                "problem_a": p.problem_a,
                "problem_b": p.problem_b,
                "lines": [
                    {
                        "section": li.section,
                        "kind": li.kind,
                        "name": li.name,
                        "a": m(li.a),
                        "b": m(li.b),
                        "delta": m(li.delta),
                    }
                    for li in p.lines
                ],
            }
            for p in d.paths
        ],
    }


def _heading(d: ScenarioDiff, fx: FxRate | None) -> str:
    return (
        f"Cost diff: {d.name_a} (prices as of {d.as_of_a.isoformat()}, {d.horizon_a} months) → "
        f"{d.name_b} (prices as of {d.as_of_b.isoformat()}, {d.horizon_b} months), in {currency_code(fx)}"
    )


def _cheapest_line(name: str, c: tuple[str, Decimal] | None, horizon: int, fx: FxRate | None) -> str:
    if c is None:
        return f"{name}: no path has a complete total"
    return f"{name}: cheapest path {c[0]}, {format_money(c[1], fx)} over {horizon} months"


def to_markdown(d: ScenarioDiff, fx: FxRate | None = None) -> str:
    """A Markdown comment for a pull request: totals, per-path deltas, line items, changed inputs."""
    out = [f"### {_heading(d, fx)}", ""]
    if fx is not None:
        out += [f"_{rate_caption(fx)}_", ""]
    out += [
        "- " + _cheapest_line(d.name_a, d.cheapest_a, d.horizon_a, fx),
        "- " + _cheapest_line(d.name_b, d.cheapest_b, d.horizon_b, fx),
        "",
        "| path | monthly A | monthly B | Δ monthly | horizon A | horizon B | Δ horizon |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in d.paths:
        out.append(
            f"| `{p.path}` | {_side(p, 'a', p.monthly_a, fx)} | {_side(p, 'b', p.monthly_b, fx)} | "
            f"{_signed(p.monthly_delta, fx)} | {_side(p, 'a', p.horizon_a, fx)} | {_side(p, 'b', p.horizon_b, fx)} | "
            f"{_signed(p.horizon_delta, fx)} |"
        )
    notes = [
        (p.path, side, why)
        for p in d.paths
        for side, why in (("A", p.problem_a), ("B", p.problem_b))
        if why and why != "not in this scenario"
    ]
    if notes:
        out.append("")
        out += [f"- `{path}` in {side}: {why}" for path, side, why in notes]
    out += ["", "<details><summary>Line items</summary>", ""]
    out += ["| path | line | A | B | Δ |", "|---|---|---:|---:|---:|"]
    for p in d.paths:
        for li in p.lines:
            name = li.name + (" (one-off)" if li.section == "training" else " (a month)")
            out.append(
                f"| `{p.path}` | {name} | {_side(p, 'a', li.a, fx)} | {_side(p, 'b', li.b, fx)} | "
                f"{_signed(li.delta, fx)} |"
            )
    out += ["", "</details>", ""]
    if d.inputs:
        out += ["**Inputs that differ**", "", "| input | A | B |", "|---|---|---|"]
        out += [f"| `{c.field}` | {_value(c.a)} | {_value(c.b)} |" for c in d.inputs]
    else:
        out.append("The two scenarios have the same inputs.")
    return "\n".join(out) + "\n"


def to_text(d: ScenarioDiff, fx: FxRate | None = None) -> str:
    """The diff for a terminal."""
    out = [_heading(d, fx)]
    if fx is not None:
        out.append(rate_caption(fx))
    out += [
        _cheapest_line(d.name_a, d.cheapest_a, d.horizon_a, fx),
        _cheapest_line(d.name_b, d.cheapest_b, d.horizon_b, fx),
        "",
    ]
    for p in d.paths:
        marker = {"both": " ", "only_a": "-", "only_b": "+"}[p.status]
        out.append(
            f"{marker} {p.path}: monthly {_side(p, 'a', p.monthly_a, fx)} → {_side(p, 'b', p.monthly_b, fx)} "
            f"({_signed(p.monthly_delta, fx)}); horizon {_side(p, 'a', p.horizon_a, fx)} → "
            f"{_side(p, 'b', p.horizon_b, fx)} ({_signed(p.horizon_delta, fx)})"
        )
        for side, why in (("A", p.problem_a), ("B", p.problem_b)):
            if why and why != "not in this scenario":
                out.append(f"    no figure in {side}: {why}")
        for li in p.lines:
            when = "one-off" if li.section == "training" else "a month"
            out.append(
                f"    {li.name} ({when}): {_side(p, 'a', li.a, fx)} → {_side(p, 'b', li.b, fx)} "
                f"({_signed(li.delta, fx)})"
            )
    out.append("")
    if d.inputs:
        out.append("Inputs that differ:")
        out += [f"  {c.field}: {_value(c.a)} → {_value(c.b)}" for c in d.inputs]
    else:
        out.append("The two scenarios have the same inputs.")
    return "\n".join(out) + "\n"
