"""``costmodel prices``: the price rows in force on a date, as a table or as JSON.

::

    costmodel prices --provider azure --model gpt-35-turbo --as-of 2024-01-15
    costmodel prices --kind hosting --json
    costmodel prices --catalog my-discounts.csv --model gpt-4o-mini

JSON output is a list of rows; amounts are decimal strings (``"0.30"``) or ``null`` when no
figure is published, never floats. Each row carries the ``lifecycle`` of its model and variant on
the date (status over the next 12 months, training and serving ends, grade and source); the table
is followed by the same lifecycle, one line per model and variant.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal
from typing import Any

from costmodel.cli._availability import availability_json, availability_text, lifecycle_of
from costmodel.cli._common import (
    add_catalog_options,
    add_currency_option,
    as_of_from_args,
    catalog_from_args,
    fx_from_args,
    table,
)
from costmodel.errors import InputError
from costmodel.money import format_usd
from costmodel.present.currency import FxRate, format_money, rate_caption
from costmodel.prices import TIERS, Catalog, Kind, PriceRow, Provider, Unit, Variant

__all__ = ["register", "row_to_json", "run"]

_PER = {
    Unit.USD_PER_1M_TOKENS: "per 1M tokens",
    Unit.USD_PER_HOUR: "per hour",
    Unit.USD_PER_JOB: "per job",
    Unit.USD_PER_MONTH: "per month",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "prices",
        help="list the prices in force on a date",
        description="List the catalogue rows in force on a date (default today), with unit, window, "
        "reliability grade and source. Filters combine.",
    )
    parser.add_argument("--provider", help="one of " + ", ".join(p.value for p in Provider))
    parser.add_argument("--model", help="model name or alias, e.g. gpt-4o-mini or gpt-35-turbo")
    parser.add_argument("--variant", help="base or fine_tuned")
    parser.add_argument("--kind", help="one of " + ", ".join(k.value for k in Kind))
    parser.add_argument("--tier", help="e.g. standard, batch, global, developer, provisioned")
    add_catalog_options(parser)
    add_currency_option(parser)
    parser.add_argument("--json", action="store_true", help="print a JSON list of rows instead of a table")
    parser.set_defaults(handler=run)


def _choice(value: str | None, allowed: list[str], option: str) -> str | None:
    if value is None:
        return None
    v = value.strip().lower()
    if v not in allowed:
        raise InputError(f"'{value}' is not a valid {option}", field=option, hint="use one of " + ", ".join(allowed))
    return v


def select_rows(args: argparse.Namespace, as_of: date, catalog: Catalog) -> list[PriceRow]:
    """The rows of ``catalog`` in force on ``as_of`` that match the filters in ``args``."""
    provider = _choice(args.provider, [p.value for p in Provider], "--provider")
    variant = _choice(args.variant, [v.value for v in Variant], "--variant")
    kind = _choice(args.kind, [k.value for k in Kind], "--kind")
    tiers = TIERS[Provider(provider)] if provider else tuple(dict.fromkeys(t for ts in TIERS.values() for t in ts))
    tier = _choice(args.tier, list(tiers), "--tier")
    rows = catalog.in_force(as_of, provider=provider, model=args.model)
    return [
        r
        for r in rows
        if (variant is None or r.variant == variant)
        and (kind is None or r.kind == kind)
        and (tier is None or r.tier == tier)
    ]


def row_to_json(row: PriceRow, fx: FxRate | None = None) -> dict[str, Any]:
    """One row as plain JSON values: amounts as decimal strings, dates as YYYY-MM-DD."""
    return {
        "provider": row.provider.value,
        "model": row.model,
        "variant": row.variant.value,
        "kind": row.kind.value,
        "unit": row.unit.value,
        "tier": row.tier,
        "amount": None if row.amount is None else str(row.amount),
        "effective_from": row.effective_from.isoformat(),
        "effective_to": row.effective_to.isoformat() if row.effective_to else None,
        "date_confirmed": row.date_confirmed,
        "source_url": row.source_url,
        "reliability": row.reliability.value,
        "note": row.note,
        "origin": row.origin,
        "line": row.line,
        **(
            {}
            if fx is None
            else {
                f"amount_{fx.currency.lower()}": None
                if row.amount is None
                else str((row.amount * fx.per_usd).quantize(Decimal("1e-9")).normalize()),
                "fx": {"currency": fx.currency, "per_usd": str(fx.per_usd), "rate_date": fx.rate_date.isoformat()},
            }
        ),
    }


def _amount(row: PriceRow, fx: FxRate | None = None) -> str:
    if row.amount is None:
        return "no published figure"
    text = f"{format_usd(row.amount, precise=True)} {_PER[row.unit]}"
    if fx is not None:
        text += f" = {format_money(row.amount, fx, precise=True)}"
    return text


def _window(row: PriceRow) -> str:
    text = row.window()
    return text + ("*" if not row.date_confirmed else "")


def render_table(rows: list[PriceRow], fx: FxRate | None = None) -> str:
    headers = ("provider", "model", "variant", "kind", "tier", "amount", "window", "reliability", "source")
    cells = [
        (
            r.provider.value,
            r.model,
            r.variant.value,
            r.kind.value,
            r.tier,
            _amount(r, fx),
            _window(r),
            r.reliability.value,
            r.source_url or "(none: " + ("user file" if r.origin != "prices.csv" else "see note") + ")",
        )
        for r in rows
    ]
    return table(cells, headers)


def _lifecycles(catalog: Catalog, rows: list[PriceRow], as_of: date) -> dict[tuple[Provider, str, Variant], Any]:
    """The availability of each (provider, model, variant) among ``rows`` on ``as_of`` (12-month horizon)."""
    keys = dict.fromkeys((r.provider, r.model, r.variant) for r in rows)
    return {
        k: lifecycle_of(catalog, k[0], k[1], k[2] == Variant.FINE_TUNED, as_of=as_of, horizon_months=12) for k in keys
    }


def run(args: argparse.Namespace) -> int:
    as_of = as_of_from_args(args)
    catalog = catalog_from_args(args)  # once: a --catalog or --lifecycle file is read and checked here
    rows = select_rows(args, as_of, catalog)
    fx = fx_from_args(args, as_of)
    lifecycles = _lifecycles(catalog, rows, as_of)
    if args.json:
        out = [
            {**row_to_json(r, fx), "lifecycle": availability_json(lifecycles[(r.provider, r.model, r.variant)])}
            for r in rows
        ]
        json.dump(out, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    if not rows:
        sys.stdout.write(f"No price rows in force on {as_of.isoformat()} match these filters.\n")
        return 0
    count = f"{len(rows)} row" + ("" if len(rows) == 1 else "s")
    sys.stdout.write(f"Prices in force on {as_of.isoformat()} ({count})\n\n")
    if fx is not None:
        sys.stdout.write(
            rate_caption(fx) + " Each amount: the USD catalogue figure = its " + fx.currency + " equivalent.\n\n"
        )
    sys.stdout.write(render_table(rows, fx) + "\n\n")
    sys.stdout.write(f"Lifecycle on {as_of.isoformat()} (status over the next 12 months)\n")
    for (provider, model, variant), av in lifecycles.items():
        sys.stdout.write(f"  {provider}:{model}:{variant}: {availability_text(av).removeprefix('availability: ')}\n")
    sys.stdout.write("\n")
    notes = ["windows are [from, to): the end day is excluded; 'open' = no known end"]
    if args.model:
        for provider in [args.provider] if args.provider else list(Provider):
            for variant in Variant:
                moved = catalog.dated_alias(provider, args.model, as_of, variant)
                if moved is None:
                    continue
                notes.append(
                    f"on {as_of.isoformat()} {moved.provider} '{args.model}' ({variant}) named {moved.model} "
                    f"(from {moved.window()}; {moved.reliability}: {moved.source_url or moved.note})"
                )
    user_files = sorted({r.origin for r in rows if r.origin != "prices.csv"})
    if user_files:
        notes.append("rows from " + ", ".join(user_files) + " override the bundled catalogue")
    if any(not r.date_confirmed for r in rows):
        notes.append("* the window's dates are estimates (see the row's note: costmodel prices --json)")
    if any(r.reliability == "unconfirmed" for r in rows):
        notes.append("unconfirmed rows are hypotheses: anything computed from them is unconfirmed too")
    sys.stdout.write("\n".join("Note: " + n for n in notes) + "\n")
    return 0
