"""``costmodel models``: every model of the registry with its lifecycle on a date.

::

    costmodel models                          # today, both providers, base and fine-tuned
    costmodel models --provider openai --as-of 2026-12-01 --horizon-months 12
    costmodel models --lifecycle my-dates.csv --json

For each model and variant (fine-tuned only when the model is fine-tunable): the status over the
horizon (available, closes_within_horizon, cannot_train_now, cannot_deploy_now, retired, unknown),
the day training and serving end, and the grade and source of those dates (data/lifecycle.csv,
overridden by ``--lifecycle FILE``).
"""

from __future__ import annotations

import argparse
from typing import Any

from costmodel.cli._availability import availability_json, lifecycle_of
from costmodel.cli._common import add_catalog_options, as_of_from_args, catalog_from_args, print_json, table
from costmodel.errors import InputError
from costmodel.prices import Provider

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "models", help="list models with their lifecycle on a date", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    p.add_argument("--provider", help="openai or azure")
    p.add_argument("--horizon-months", type=int, default=12, metavar="M", help="horizon for the status (default 12)")
    p.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    add_catalog_options(p)
    p.set_defaults(handler=run)


def _end(value: str | None) -> str:
    return value or "-"


def run(args: argparse.Namespace) -> int:
    as_of = as_of_from_args(args)
    if not 0 < args.horizon_months <= 120:
        raise InputError(
            f"horizon of {args.horizon_months} months is outside 1..120", field="--horizon-months", hint="e.g. 12"
        )
    provider: Provider | None = None
    if args.provider:
        try:
            provider = Provider(args.provider.strip().lower())
        except ValueError:
            raise InputError(
                f"'{args.provider}' is not a provider", field="--provider", hint="use openai or azure"
            ) from None
    catalog = catalog_from_args(args)
    out: list[dict[str, Any]] = []
    for m in catalog.models:
        if provider is not None and m.provider != provider:
            continue
        for fine_tuned in (False, True) if m.fine_tunable else (False,):
            av = lifecycle_of(catalog, m.provider, m.model, fine_tuned, as_of=as_of, horizon_months=args.horizon_months)
            out.append(
                {
                    "provider": m.provider.value,
                    "model": m.model,
                    "aliases": list(m.aliases),
                    "variant": "fine_tuned" if fine_tuned else "base",
                    "availability": availability_json(av),
                }
            )
    if args.json:
        print_json({"as_of": as_of, "horizon_months": args.horizon_months, "models": out})
        return 0
    print(f"Models on {as_of} (status over {args.horizon_months} months; ends are the day the event takes effect)\n")
    rows = []
    for o in out:
        a = o["availability"]
        rows.append(
            [
                o["provider"],
                o["model"],
                o["variant"],
                a["status"],
                _end(a["trainable_until"]),
                _end(a["servable_until"]) + (" (base)" if a["servable_until_inherited"] else ""),
                a["grade"] or "-",
                a["source"] or "-",
            ]
        )
    print(table(rows, ["provider", "model", "variant", "status", "training ends", "serving ends", "grade", "source"]))
    unknown = sum(1 for o in out if o["availability"]["status"] == "unknown")
    if unknown:
        print(
            f"\n{unknown} model(s) have no lifecycle row of their own: their status is 'unknown', never 'available'. "
            "Add your own dates with --lifecycle FILE (see README, Lifecycle data)."
        )
    return 0
