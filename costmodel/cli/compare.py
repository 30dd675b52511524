"""``costmodel compare``: monthly and horizon cost of each path, as line items."""

from __future__ import annotations

import argparse

from costmodel.cli._availability import availability_json, availability_text
from costmodel.cli._common import (
    add_catalog_options,
    add_currency_option,
    as_of_from_args,
    catalog_from_args,
    fx_from_args,
    fx_json,
    print_json,
    table,
)
from costmodel.cli._scenario_args import add_scenario_options, breakdown_json, converted, scenario_from_args
from costmodel.cli._serving_args import add_serving_options, apply_serving_args
from costmodel.engine.scenario import evaluate
from costmodel.money import format_quantity, quantize_cents
from costmodel.present.currency import currency_code, format_money, rate_caption, rate_tag
from costmodel.units import format_line_quantity


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("compare", help="monthly cost of each path with line items", description=__doc__)
    add_scenario_options(p)
    add_serving_options(p)
    p.add_argument("--json", action="store_true")
    add_catalog_options(p)
    add_currency_option(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    scenario = apply_serving_args(scenario_from_args(args), args)
    result = evaluate(catalog_from_args(args), scenario, as_of=as_of_from_args(args))
    fx = fx_from_args(args, result.as_of)
    if args.json:
        print_json(
            {
                "as_of": result.as_of,
                "horizon_months": scenario.horizon_months,
                "currency": currency_code(fx),
                "fx": fx_json(fx),
                "paths": [
                    {
                        "path": c.path.label,
                        "model": c.model,
                        "monthly_usd": quantize_cents(c.monthly_total),
                        "training_usd": None if c.training_total is None else quantize_cents(c.training_total),
                        "horizon_usd": None if c.horizon_total is None else quantize_cents(c.horizon_total),
                        **converted("monthly", c.monthly_total, fx),
                        **converted("training", c.training_total, fx),
                        **converted("horizon", c.horizon_total, fx),
                        "horizon_note": c.horizon_note or None,
                        "availability": availability_json(c.availability),
                        "reliability": c.reliability.value,
                        "lines": breakdown_json(c.monthly, fx)["lines"],
                        "training_lines": None if c.training is None else breakdown_json(c.training, fx)["lines"],
                        "capacity": None
                        if c.capacity is None
                        else {
                            "unit": c.capacity.unit_name,
                            "units": c.capacity.units,
                            "tokens_per_second_per_unit": c.capacity.tokens_per_second_per_unit,
                            "peak_factor": c.capacity.peak_factor,
                            "throughput_source": c.capacity.throughput_source,
                        },
                    }
                    for c in result.costs
                ],
            }
        )
        return 0
    print(f"Prices as of {result.as_of}; horizon {scenario.horizon_months} months; amounts in {currency_code(fx)}")
    if fx is not None:
        print(rate_caption(fx))
    print()
    for c in result.costs:
        tag = f"; {rate_tag(fx)}" if fx is not None else ""
        print(f"{c.path.label}: {format_money(c.monthly_total, fx)} a month ({c.reliability.value}{tag})")
        print(f"  {availability_text(c.availability)}")
        print(
            table(
                [
                    [
                        i.name,
                        format_line_quantity(i.quantity, i.quantity_unit),
                        format_money(i.unit_price, fx, precise=True),
                        format_money(i.cost, fx),
                        i.reliability.value,
                    ]
                    for i in c.monthly.items
                ],
                ["line", "quantity", "unit price", "cost", "reliability"],
            )
        )
        if c.capacity is not None:
            cap = c.capacity
            tps = format_quantity(cap.tokens_per_second_per_unit, 1)
            print(f"  one {cap.unit_name} sustains {tps} tokens/s ({cap.throughput_source})")
        if c.training is not None:
            print(f"  training (one-off): {format_money(c.training_total, fx)}{f' ({rate_tag(fx)})' if fx else ''}")
            for i in c.training.items:
                price = format_money(i.unit_price, fx, precise=True)
                print(
                    f"    {i.name}: {format_line_quantity(i.quantity, i.quantity_unit)} x {price}"
                    f" = {format_money(i.cost, fx)} ({i.reliability.value})"
                )
        print(
            f"  over {scenario.horizon_months} months: {format_money(c.horizon_total, fx)}"
            + (f" ({rate_tag(fx)})" if fx else "")
        )
        if c.horizon_note:
            print(f"  {c.horizon_note}")
        print()
    return 0
