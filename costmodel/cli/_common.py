"""Option helpers shared by the CLI subcommands: ``--as-of`` and ``--catalog``.

Every command that prices something takes the same two options::

    def register(subparsers):
        parser = subparsers.add_parser("mycommand")
        add_catalog_options(parser)
        parser.set_defaults(handler=run)

    def run(args):
        catalog = catalog_from_args(args)   # bundled catalogue, overridden by --catalog FILE
        as_of = as_of_from_args(args)       # --as-of YYYY-MM-DD, default today
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costmodel.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from costmodel.prices import Catalog
    from costmodel.prices.fx import FxRate

__all__ = [
    "add_catalog_options",
    "add_currency_option",
    "as_of_from_args",
    "catalog_from_args",
    "fx_from_args",
    "fx_json",
    "parse_date",
    "print_json",
    "table",
]

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_catalog_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--as-of YYYY-MM-DD`` (default today), ``--catalog FILE`` (user prices) and ``--lifecycle FILE``."""
    parser.add_argument(
        "--as-of",
        dest="as_of",
        metavar="YYYY-MM-DD",
        default=None,
        help="price date: the rows in force on this day are used (default: today)",
    )
    parser.add_argument(
        "--catalog",
        metavar="FILE",
        type=Path,
        default=None,
        help="a price CSV in the bundled format whose rows override the bundled ones (e.g. negotiated discounts)",
    )
    parser.add_argument(
        "--lifecycle",
        metavar="FILE",
        type=Path,
        default=None,
        help="a lifecycle CSV in the format of data/lifecycle.csv whose events replace the bundled ones of the same "
        "provider, model, variant, event and scope (e.g. a retirement date your account manager gave you)",
    )


def add_currency_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--currency CODE``: amounts shown in an ECB currency at the as-of date's reference rate."""
    parser.add_argument(
        "--currency",
        metavar="CODE",
        default=None,
        help="show amounts in this currency (EUR, GBP, JPY or any ECB currency), converted from USD at the "
        "European Central Bank reference rate of the as-of date (offline; the rate and its date are printed). "
        "Default: USD",
    )


def fx_from_args(args: argparse.Namespace, as_of: date) -> FxRate | None:
    """The ECB rate for ``--currency`` on ``as_of``; None for USD or when the option is absent."""
    code = getattr(args, "currency", None)
    if code is None or code.strip().upper() == "USD":
        return None
    from costmodel.prices.fx import usd_rate

    return usd_rate(code, as_of)


def fx_json(fx: FxRate | None) -> dict[str, Any] | None:
    """The rate block of a JSON output (``None`` when amounts are in USD)."""
    if fx is None:
        return None
    return {
        "currency": fx.currency,
        "per_usd": fx.per_usd,
        "rate_date": fx.rate_date,
        "requested_date": fx.requested,
        "ecb_usd_per_eur": fx.usd_per_eur,
        "ecb_currency_per_eur": fx.currency_per_eur,
        "source": fx.source,
        "description": fx.describe(),
    }


def parse_date(text: str, *, field: str = "--as-of") -> date:
    """A ``YYYY-MM-DD`` day, or an :class:`InputError` that says how to write it."""
    value = text.strip()
    if _ISO_DAY.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise InputError(
                f"'{text}' is not a valid date ({exc})", field=field, hint="write it as YYYY-MM-DD"
            ) from None
    raise InputError(f"'{text}' is not a date", field=field, hint="write it as YYYY-MM-DD, e.g. 2024-01-15")


def as_of_from_args(args: argparse.Namespace, *, today: Callable[[], date] = date.today) -> date:
    """The ``--as-of`` date, or ``today()`` when the option was not given."""
    value = getattr(args, "as_of", None)
    if value is None:
        return today()
    if isinstance(value, date):
        return value
    return parse_date(str(value))


def catalog_from_args(args: argparse.Namespace) -> Catalog:
    """The bundled catalogue, overridden by ``--catalog FILE`` and ``--lifecycle FILE`` when given.

    Errors name the file, the line and the field.
    """
    from costmodel.prices import load_catalog  # here: registering the options needs no catalogue

    path = getattr(args, "catalog", None)
    life = getattr(args, "lifecycle", None)
    return load_catalog(Path(path) if path is not None else None, Path(life) if life is not None else None)


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


def table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    """A plain aligned text table (columns two spaces apart, a dashed rule, no trailing blanks).

    The one text-table renderer of the CLI (``prices``, ``compare``, ``training``, ``jobs``).

    >>> print(table([["a", "1"], ["bb", "22"]], ["name", "n"]))
    name  n
    ----  --
    a     1
    bb    22
    """
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)
