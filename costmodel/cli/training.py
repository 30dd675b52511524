"""``costmodel training``: the training cost of a path for a number of billed tokens."""

from __future__ import annotations

import argparse

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
from costmodel.cli._scenario_args import breakdown_json, converted, decimal_arg
from costmodel.cli._serving_args import add_serving_options, serving_from_args
from costmodel.engine.breakdown import Breakdown
from costmodel.engine.training import MAX_EPOCHS, default_epochs, estimate_training
from costmodel.engine.usage import PathSpec, training_tier, with_training_minimum
from costmodel.errors import InputError
from costmodel.money import quantize_cents
from costmodel.present.currency import currency_code, format_money, rate_caption, rate_tag
from costmodel.prices import Reliability
from costmodel.units import format_line_quantity


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("training", help="training cost of a fine-tuned path", description=__doc__)
    p.add_argument(
        "--path",
        required=True,
        help="e.g. openai:gpt-4o-mini:ft, azure:gpt-35-turbo:ft@standard, together:llama-3.1-8b-instruct:ft "
        "or selfhosted:llama-3.1-8b:lora@g6.xlarge",
    )
    p.add_argument("--tokens", required=True, type=int, help="billed tokens of the training file (one epoch)")
    p.add_argument("--epochs", type=int, help="default: 3, or the OpenAI heuristic when --examples is given")
    p.add_argument("--examples", type=int, help="number of examples (to pick the default epochs)")
    p.add_argument("--throughput", type=decimal_arg, help="tokens per hour for compute-hour billing (assumption)")
    p.add_argument("--json", action="store_true")
    add_serving_options(p)
    add_catalog_options(p)
    add_currency_option(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path = PathSpec.parse(args.path)
    if not path.fine_tuned:
        raise InputError(
            f"'{args.path}' is a base path: only fine-tuned paths train", field="--path", hint="write PROVIDER:MODEL:ft"
        )
    epochs = (
        args.epochs if args.epochs is not None else (default_epochs(args.examples) if args.examples is not None else 3)
    )
    if not 1 <= epochs <= MAX_EPOCHS:
        raise InputError(
            f"epochs must be 1 to {MAX_EPOCHS}, got {epochs}",
            field="--epochs",
            hint=f"OpenAI and Azure OpenAI accept 1 to {MAX_EPOCHS} epochs",
        )
    catalog = catalog_from_args(args)
    as_of = as_of_from_args(args)
    fx = fx_from_args(args, as_of)
    if path.shape == "selfhosted":
        b = _selfhosted(args, path, epochs)
    else:
        b = estimate_training(
            catalog,
            provider=path.provider.value,
            model=path.model,
            tier=training_tier(path),
            as_of=as_of,
            billed_tokens=args.tokens,
            epochs=epochs,
            throughput_tokens_per_hour=args.throughput,
        )
        b = with_training_minimum(catalog, path, as_of, b)
    if args.json:
        print_json(
            {
                "path": path.label,
                "as_of": as_of,
                "tokens": args.tokens,
                "epochs": epochs,
                "cost_usd": quantize_cents(b.total),
                **converted("cost", b.total, fx),
                "currency": currency_code(fx),
                "fx": fx_json(fx),
                **breakdown_json(b, fx),
            }
        )
        return 0
    tag = f"; {rate_tag(fx)}" if fx is not None else ""
    print(f"{b.label} as of {as_of}: {format_money(b.total, fx)} ({b.reliability.value}{tag})")
    if fx is not None:
        print(rate_caption(fx))
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
                for i in b.items
            ],
            ["line", "quantity", "unit price", "cost", "reliability"],
        )
    )
    for i in b.items:
        if i.note and path.shape == "selfhosted":
            print(f"  {i.note}")
    return 0


def _selfhosted(args: argparse.Namespace, path: PathSpec, epochs: int) -> Breakdown:
    """GPU hours on the path's instance: measured throughput, a throughput.csv row, or the estimate."""
    from costmodel.engine.selfhosted import (
        Throughput,
        check_fits,
        estimate_training_throughput,
        selfhosted_training,
    )
    from costmodel.prices.fleet import bundled_fleet

    if path.method is None:  # pragma: no cover - base paths are refused above
        raise InputError("a self-hosted base path does not train", field="--path")
    fleet = bundled_fleet()
    model = fleet.open_model(path.model)
    instance = fleet.instance(path.tier)
    check_fits(model, instance, path.method, alternatives=fleet.instances)
    serving = serving_from_args(args)
    measured = serving.training_tokens_per_second.get(path.label)
    row = fleet.find_throughput(model.model, path.method, instance)
    if measured is not None:
        throughput = Throughput(measured, Reliability.OFFICIAL, "measured by the user")
    elif row is not None:
        throughput = Throughput.from_row(row)
    else:
        throughput = estimate_training_throughput(model, instance, path.method)
    return selfhosted_training(
        label=path.label,
        model=model,
        method=path.method,
        instance=instance,
        training_tokens=args.tokens,
        epochs=epochs,
        throughput=throughput,
        spot=serving.spot,
    )
