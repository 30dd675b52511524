"""``costmodel training``: the training cost of a path for a number of billed tokens."""

from __future__ import annotations

import argparse

from costmodel.cli._common import add_catalog_options, as_of_from_args, catalog_from_args, print_json, table
from costmodel.cli._scenario_args import breakdown_json, decimal_arg
from costmodel.engine.training import MAX_EPOCHS, default_epochs, estimate_training
from costmodel.engine.usage import PathSpec, training_tier
from costmodel.errors import InputError
from costmodel.money import format_quantity, format_usd, quantize_cents


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("training", help="training cost of a fine-tuned path", description=__doc__)
    p.add_argument("--path", required=True, help="e.g. openai:gpt-4o-mini:ft or azure:gpt-35-turbo:ft@standard")
    p.add_argument("--tokens", required=True, type=int, help="billed tokens of the training file (one epoch)")
    p.add_argument("--epochs", type=int, help="default: 3, or the OpenAI heuristic when --examples is given")
    p.add_argument("--examples", type=int, help="number of examples (to pick the default epochs)")
    p.add_argument("--throughput", type=decimal_arg, help="tokens per hour for compute-hour billing (assumption)")
    p.add_argument("--json", action="store_true")
    add_catalog_options(p)
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
    if args.json:
        print_json(
            {
                "path": path.label,
                "as_of": as_of,
                "tokens": args.tokens,
                "epochs": epochs,
                "cost_usd": quantize_cents(b.total),
                **breakdown_json(b),
            }
        )
        return 0
    print(f"{b.label} as of {as_of}: {format_usd(b.total)} ({b.reliability.value})")
    print(
        table(
            [
                [
                    i.name,
                    f"{format_quantity(i.quantity)} {i.quantity_unit}",
                    format_usd(i.unit_price, precise=True),
                    format_usd(i.cost),
                    i.reliability.value,
                ]
                for i in b.items
            ],
            ["line", "quantity", "unit price", "cost", "reliability"],
        )
    )
    return 0
