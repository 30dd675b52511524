"""``costmodel breakeven``: the traffic at which two paths cost the same.

With more than two paths (e.g. the 2026 preset: an API, a dedicated GPU, a self-hosted GPU) every
pair is reported, each with all of its crossings; the JSON's top-level fields are the first pair's
and ``pairs`` holds every pair."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from costmodel.cli._availability import availability_json, availability_text
from costmodel.cli._common import (
    add_catalog_options,
    add_currency_option,
    as_of_from_args,
    catalog_from_args,
    fx_from_args,
    fx_json,
    print_json,
)
from costmodel.cli._scenario_args import add_scenario_options, decimal_arg, scenario_from_args
from costmodel.cli._serving_args import add_serving_options, apply_serving_args
from costmodel.engine.breakeven import BreakEven
from costmodel.engine.crossings import Crossings
from costmodel.engine.scenario import evaluate
from costmodel.engine.usage import PathSpec
from costmodel.errors import InputError
from costmodel.money import format_quantity
from costmodel.present.currency import currency_code, rate_caption
from costmodel.present.numbers import explain


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "breakeven", help="traffic at which two paths cost the same (every pair of 2+ paths)", description=__doc__
    )
    add_scenario_options(p)
    add_serving_options(p)
    p.add_argument(
        "--input-share",
        type=decimal_arg,
        metavar="S",
        help="share of input tokens in the traffic (0..1) when no request shape is given; default 0.5",
    )
    p.add_argument("--json", action="store_true")
    add_catalog_options(p)
    add_currency_option(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    share = args.input_share if args.input_share is not None else Decimal("0.5")
    if not Decimal(0) <= share <= 1:
        raise InputError(f"input share {share} is outside 0..1", field="--input-share", hint="e.g. 0.5")
    million = Decimal(1_000_000)
    default = {"input_tokens_per_month": share * million, "output_tokens_per_month": (1 - share) * million}
    scenario = apply_serving_args(scenario_from_args(args, default_traffic=default), args)
    if len(scenario.paths) < 2:
        raise InputError(
            f"breakeven needs at least two paths, got {len(scenario.paths)}",
            field="--path",
            hint="give --path A --path B (more paths: every pair is reported)",
        )
    result = evaluate(catalog_from_args(args), scenario, as_of=as_of_from_args(args))
    pairs = list(zip(result.breakevens, result.crossings or (None,) * len(result.breakevens), strict=True))
    be = result.breakevens[0]
    fx = fx_from_args(args, result.as_of)
    explained = explain(result, fx)
    if args.json:
        print_json(
            {
                "as_of": result.as_of,
                **_pair_json(*pairs[0]),
                "pairs": [_pair_json(b, c) for b, c in pairs],
                "currency": currency_code(fx),
                "fx": fx_json(fx),
                "equations": [
                    {
                        "kind": e.kind,
                        "title": e.title,
                        "figure": e.figure,
                        "equation": e.equation,
                        "substituted": e.substituted,
                        "coefficients": list(e.coefficients),
                    }
                    for e in explained
                ],
                "availability": {c.path.label: availability_json(c.availability) for c in result.costs},
                "capacity": {
                    c.path.label: {
                        "unit": c.capacity.unit_name,
                        "tokens_per_second_per_unit": c.capacity.tokens_per_second_per_unit,
                        "throughput_source": c.capacity.throughput_source,
                    }
                    for c in result.costs
                    if c.capacity is not None
                },
                "paybacks": [
                    {
                        "fine_tuned": pb.fine_tuned.label,
                        "base": pb.base.label,
                        "status": pb.status,
                        "months": None if pb.months is None else float(round(pb.months, 2)),
                        "within_horizon": pb.within_horizon,
                        "reliability": pb.reliability.value,
                        "explanation": pb.explanation,
                    }
                    for pb in result.paybacks
                ],
            }
        )
        return 0
    print(f"Prices as of {result.as_of} ({be.reliability.value})")
    for cost in result.costs:
        print(f"{cost.path.label}: {availability_text(cost.availability)}")
        if cost.capacity is not None:
            cap = cost.capacity
            tps = format_quantity(cap.tokens_per_second_per_unit, 1)
            print(f"  one {cap.unit_name} sustains {tps} tokens/s ({cap.throughput_source})")
    t = scenario.traffic
    if t.input_tokens_per_month is not None and t.output_tokens_per_month is not None:
        share = t.input_tokens_per_month / (t.input_tokens_per_month + t.output_tokens_per_month)
        print(f"Traffic mix: {share:.0%} input / {1 - share:.0%} output tokens")
    elif t.input_tokens_per_request is not None and t.output_tokens_per_request is not None:
        few = f" (+{t.few_shot_tokens:,} few-shot tokens on base paths)" if t.few_shot_tokens else ""
        print(
            f"Request shape: {t.input_tokens_per_request:,} input + {t.output_tokens_per_request:,} output tokens{few}"
        )
    for b, every in pairs:
        if len(pairs) > 1:
            print(f"\n{b.path_a.label} vs {b.path_b.label}:")
        _print_pair(b, every, scenario.traffic.workload_tokens_per_unit)
    for pb in result.paybacks:
        # The break-even above compares running costs; the one-off training is paid back here.
        print(f"Payback of training: {pb.explanation.rstrip('.')} ({pb.reliability.value}).")
        ft = pb.availability_fine_tuned
        if ft is not None and ft.status != "available":
            print(f"  but {pb.fine_tuned}: {ft.reason} (status {ft.status}).")
    print(f"\nHow these are computed (amounts in {currency_code(fx)}):")
    if fx is not None:
        print(rate_caption(fx))
    for e in explained:
        print(f"\n{e.kind} {e.title}: {e.figure}")
        print(f"  {e.equation}")
        print(f"  {e.substituted}")
        for c in e.coefficients:
            print(f"    {c}")
    return 0


def _pair_json(be: BreakEven, every: Crossings | None) -> dict[str, Any]:
    return {
        "path_a": be.path_a.label,
        "path_b": be.path_b.label,
        "status": be.status,
        "tokens_per_hour": None if be.tokens_per_hour is None else float(round(be.tokens_per_hour, 2)),
        "requests_per_day": None if be.requests_per_day is None else float(round(be.requests_per_day, 2)),
        "cheaper_below": _label(be.cheaper_below),
        "cheaper_above": _label(be.cheaper_above),
        "always_cheaper": _label(be.always_cheaper),
        "reliability": be.reliability.value,
        "explanation": be.explanation,
        "crossings": [
            {
                "kind": x.kind,
                "tokens_per_hour": float(round(x.tokens_per_hour, 2)),
                "requests_per_day": None if x.requests_per_day is None else float(round(x.requests_per_day, 2)),
                "cheaper_below": x.cheaper_below.label,
                "cheaper_above": x.cheaper_above.label,
            }
            for x in (every.crossings if every is not None else ())
        ],
    }


def _print_pair(be: BreakEven, every: Crossings | None, tokens_per_unit: Decimal) -> None:
    if every is not None and len(every.crossings) > 1:
        print(f"The cheaper path changes {len(every.crossings)} times (capacity comes in steps):")
        for x in every.crossings:
            at = f"{x.tokens_per_hour:,.0f} tokens per hour"
            if x.requests_per_day is not None:
                at += f" ({x.requests_per_day:,.0f} requests per day)"
            how = "costs equal" if x.kind == "equal" else "a capacity step"
            print(f"  at {at} ({how}): {x.cheaper_below} -> {x.cheaper_above}")
        if every.upper_units_per_hour is not None:
            top = every.upper_units_per_hour * tokens_per_unit
            print(f"  (examined up to {top:,.0f} tokens per hour)")
    elif be.status == "crosses" and be.tokens_per_hour is not None:
        line = f"Break-even at {be.tokens_per_hour:,.0f} tokens per hour"
        if be.requests_per_day is not None:
            line += f" ({be.requests_per_day:,.0f} requests per day)"
        print(line + ".")
        print(f"Below it {_label(be.cheaper_below)} is cheaper; above it {_label(be.cheaper_above)} is cheaper.")
    else:
        print(be.explanation + ".")


def _label(path: PathSpec | None) -> str | None:
    return None if path is None else path.label
