"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from costmodel.catalog import Catalog, load_catalog
from costmodel.errors import InputError


def add_catalog_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="date whose prices apply (default: today)")
    parser.add_argument("--catalog", metavar="FILE", type=Path, help="your own price CSV overriding the bundled one")


def as_of_from_args(args: argparse.Namespace) -> date:
    text = getattr(args, "as_of", None)
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"'{text}' is not a date", field="--as-of", hint="write it as YYYY-MM-DD") from None


def catalog_from_args(args: argparse.Namespace) -> Catalog:
    return load_catalog(getattr(args, "catalog", None))


def _default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return format(o.normalize(), "f") if o == o.to_integral_value() else str(o)
    if isinstance(o, date):
        return o.isoformat()
    raise TypeError(type(o).__name__)


def print_json(data: Any) -> None:
    """JSON on stdout; Decimals become decimal strings (exact), dates ISO strings."""
    json.dump(data, sys.stdout, indent=2, default=_default)
    sys.stdout.write("\n")


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain aligned text table."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)
