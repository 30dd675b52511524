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
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from costmodel.catalog import Catalog, load_catalog
from costmodel.errors import InputError

__all__ = ["add_catalog_options", "as_of_from_args", "catalog_from_args", "parse_date"]

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_catalog_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--as-of YYYY-MM-DD`` (default today) and ``--catalog FILE`` (a user price catalogue)."""
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
    """The bundled catalogue, overridden by ``--catalog FILE`` when given (errors name file, line, field)."""
    path = getattr(args, "catalog", None)
    return load_catalog(Path(path) if path is not None else None)
