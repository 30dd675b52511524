"""Scenario options shared by ``compare`` and ``breakeven``: flags or a ``--scenario`` file."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costmodel.engine.breakdown import Breakdown, LineItem
from costmodel.engine.scenario import Scenario, load_scenario, scenario_from_mapping
from costmodel.errors import InputError
from costmodel.money import quantize_cents

if TYPE_CHECKING:  # pragma: no cover
    from costmodel.prices.fx import FxRate


def decimal_arg(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
    return value


def add_scenario_options(parser: argparse.ArgumentParser, *, paths_required: bool = True) -> None:
    parser.add_argument(
        "--path",
        action="append",
        dest="paths",
        metavar="PATH",
        help="PROVIDER:MODEL:ft|base[@TIER], e.g. azure:gpt-35-turbo:ft@standard (repeat for each path)",
    )
    parser.add_argument("--scenario", type=Path, metavar="FILE", help="YAML or JSON scenario file")
    g = parser.add_argument_group("traffic per request")
    g.add_argument("--requests-per-day", type=decimal_arg, metavar="N")
    g.add_argument("--input-tokens", type=int, metavar="N", help="input tokens per request (short prompt)")
    g.add_argument("--output-tokens", type=int, metavar="N", help="output tokens per request")
    g = parser.add_argument_group("traffic as monthly totals")
    g.add_argument("--input-tokens-per-month", type=decimal_arg, metavar="N")
    g.add_argument("--output-tokens-per-month", type=decimal_arg, metavar="N")
    g = parser.add_argument_group("shape and schedule")
    g.add_argument("--cached-share", type=decimal_arg, metavar="S", help="share of input tokens served from cache")
    g.add_argument("--batch-share", type=decimal_arg, metavar="S", help="share of requests sent through Batch")
    g.add_argument("--hours-per-month", type=decimal_arg, metavar="H", help="default 730 (8,760 / 12)")
    g.add_argument("--hosted-hours-per-month", type=decimal_arg, metavar="H", help="deployed hours (default: all)")
    g.add_argument("--horizon-months", type=int, metavar="M")
    g.add_argument("--few-shot-tokens", type=int, metavar="N", help="added to every prompt of base paths")
    g = parser.add_argument_group("training")
    g.add_argument("--training-tokens", type=int, metavar="N", help="billed tokens of the training file")
    g.add_argument("--epochs", type=int, metavar="E")
    g.add_argument("--amortise", action="store_true", help="spread training over the horizon")


_TRAFFIC_FLAGS = {
    "requests_per_day": "requests_per_day",
    "input_tokens": "input_tokens_per_request",
    "output_tokens": "output_tokens_per_request",
    "input_tokens_per_month": "input_tokens_per_month",
    "output_tokens_per_month": "output_tokens_per_month",
    "cached_share": "cached_share",
    "batch_share": "batch_share",
    "hours_per_month": "hours_per_month",
    "hosted_hours_per_month": "hosted_hours_per_month",
    "few_shot_tokens": "few_shot_tokens",
}


def scenario_from_args(args: argparse.Namespace, *, default_traffic: dict[str, Any] | None = None) -> Scenario:
    """Flags override the scenario file; a missing traffic shape falls back to ``default_traffic``."""
    base: dict[str, Any] = {}
    if args.scenario is not None:
        base = load_scenario(args.scenario).model_dump(exclude_none=True)
        base["paths"] = [p.label for p in load_scenario(args.scenario).paths]
    if args.paths:
        base["paths"] = list(args.paths)
    if not base.get("paths"):
        raise InputError("no path given", field="--path", hint="add --path PROVIDER:MODEL:ft|base (or --scenario)")
    traffic: dict[str, Any] = dict(base.get("traffic", {}))
    given = {v: getattr(args, k) for k, v in _TRAFFIC_FLAGS.items() if getattr(args, k, None) is not None}
    if any(k in given for k in ("requests_per_day", "input_tokens_per_request", "output_tokens_per_request")):
        for k in ("input_tokens_per_month", "output_tokens_per_month"):
            traffic.pop(k, None)
    if any(k in given for k in ("input_tokens_per_month", "output_tokens_per_month")):
        for k in ("requests_per_day", "input_tokens_per_request", "output_tokens_per_request"):
            traffic.pop(k, None)
    traffic.update(given)
    shape_keys = ("requests_per_day", "input_tokens_per_request", "input_tokens_per_month")
    if default_traffic and not any(k in traffic for k in shape_keys):
        traffic = {**default_traffic, **traffic}
    elif default_traffic and "input_tokens_per_request" in traffic and "requests_per_day" not in traffic:
        traffic["requests_per_day"] = default_traffic.get("requests_per_day", Decimal(1000))
    base["traffic"] = traffic
    if args.horizon_months is not None:
        base["horizon_months"] = args.horizon_months
    training = dict(base.get("training", {}))
    if args.training_tokens is not None:
        training["tokens"] = args.training_tokens
    if args.epochs is not None:
        training["epochs"] = args.epochs
    if args.amortise:
        training["amortise"] = True
    base["training"] = training
    if getattr(args, "input_share", None) is not None:
        base["input_share"] = args.input_share
    return scenario_from_mapping(base, source=str(args.scenario) if args.scenario else "command line")


def converted(name: str, amount_usd: Decimal | None, fx: FxRate | None) -> dict[str, Any]:
    """``{"<name>_<ccy>": amount}`` rounded to the currency's minor unit; ``{}`` without a rate."""
    if fx is None:
        return {}
    from costmodel.present.currency import quantize_money

    key = f"{name}_{fx.currency.lower()}"
    return {key: None if amount_usd is None else quantize_money(amount_usd, fx)}


def line_json(item: LineItem, fx: FxRate | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": item.name,
        "kind": item.kind,
        "quantity": item.quantity.quantize(Decimal("0.000001")).normalize(),
        "quantity_unit": item.quantity_unit,
        "unit_price_usd": item.unit_price,
        "cost_usd": None if item.cost is None else item.cost.quantize(Decimal("0.000001")).normalize(),
        "reliability": item.reliability.value,
        "source_url": item.source_url,
        "note": item.note,
    }
    if fx is not None:
        price = None if item.unit_price is None else (item.unit_price * fx.per_usd).quantize(Decimal("1e-9"))
        data[f"unit_price_{fx.currency.lower()}"] = None if price is None else price.normalize()
        data.update(converted("cost", item.cost, fx))
    return data


def breakdown_json(b: Breakdown, fx: FxRate | None = None) -> dict[str, Any]:
    return {
        "label": b.label,
        "total_usd": quantize_cents(b.total) if b.complete else None,
        **converted("total", b.total if b.complete else None, fx),
        "reliability": b.reliability.value,
        "lines": [line_json(i, fx) for i in b.items],
    }
