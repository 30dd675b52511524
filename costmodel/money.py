"""Money helpers: every amount is a :class:`~decimal.Decimal` in USD.

Floats appear only at the plotting edge (:func:`to_float`). Formatting goes through
:func:`format_usd` so the app, the CLI and the reports print money the same way.

**Quanta.** Inside the engine arithmetic is exact to 28 significant digits; what leaves it is
quantised (half to even, trailing zeros dropped) so that no result carries division noise such as
``59.31249999999999999999999998`` (it leaves as ``59.3125``):

* ``TOTAL`` (1e-9 USD): totals (``Breakdown.total``; a path's monthly, training, one-off and
  horizon totals). A horizon total is summed from the finer line items, then quantised, so the
  rounding of its parts never shows (``30 + 12 x 486.666666666667`` is ``5870``, not
  ``5870.000000000004``).
* ``FINE`` (1e-12): line-item costs, amounts per hour (fixed costs, savings) and every computed
  quantity (line-item quantities, break-even volumes, payback hours and months, volumes needed).
* ``PER_UNIT`` (1e-15 USD): ``LinearCost.per_unit``, the cost of one request or one token (a
  token costs about 1e-8 USD or more, so this keeps at least seven significant digits).
* Catalogue prices (``PriceRow.amount``, ``LineItem.unit_price``) are never computed: as published.
* ``CENT`` (0.01 USD, :func:`quantize_cents`): what people read. :func:`format_usd` and the CLI's
  JSON totals round to the cent; the engine does not, so that a total is the sum of its line
  items and hand-checked values such as $82.125 a month stay exact.

These quanta are far below any price, so quantising never changes a figure anyone is billed.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

__all__ = [
    "CENT",
    "FINE",
    "MILLION",
    "PER_UNIT",
    "TOTAL",
    "ZERO",
    "fine",
    "format_quantity",
    "format_usd",
    "parse_decimal",
    "quantize",
    "quantize_cents",
    "to_float",
]

ZERO = Decimal(0)
CENT = Decimal("0.01")
FINE = Decimal("1e-12")
TOTAL = Decimal("1e-9")
PER_UNIT = Decimal("1e-15")
MILLION = Decimal(1_000_000)
_WIDE = Context(prec=60)  # quantising 2e20 USD to 1e-12 needs 33 digits; the default context has 28


# digits, an optional dot and fraction, an optional exponent (machine sources such as the Azure Retail
# API print 5e-07); ASCII digits only (\d would take Arabic-Indic digits)
_PLAIN_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


def parse_decimal(value: object) -> Decimal:
    """Turn a string, int or Decimal into a Decimal. Floats are refused: they are not exact.

    A string must be a plain decimal with a dot (``0.40``, ``12``, ``-3.5``, or ``5e-07`` as
    machines print it): the one documented format. ``0,40`` (a decimal comma, which would read as
    40), ``1,000``, ``$1.00`` and ``NaN`` are refused with a message that says how to write it.

    >>> parse_decimal("0.40")
    Decimal('0.40')
    """
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        if not _PLAIN_DECIMAL.match(value.strip()):
            raise ValueError(
                f"{value!r} is not a number written as a plain decimal: use digits and a dot, e.g. 0.40 "
                "(no currency sign, no thousands separator, no decimal comma)"
            )
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise ValueError(f"{value!r} is not a decimal amount (write it as a string such as '0.40')")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def quantize_cents(amount: Decimal) -> Decimal:
    """Round to whole cents, half to even (banker's rounding, as invoices do).

    >>> quantize_cents(Decimal("59.31249999999999999999999998"))
    Decimal('59.31')
    """
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN, context=_WIDE)


def quantize(value: Decimal, quantum: Decimal) -> Decimal:
    """Round to ``quantum`` (half to even) and drop trailing zeros (no positive exponent).

    >>> quantize(Decimal("45.62499999999999999999999998"), FINE), quantize(Decimal("1500.000"), FINE)
    (Decimal('45.625'), Decimal('1500'))
    """
    q = value.quantize(quantum, rounding=ROUND_HALF_EVEN, context=_WIDE).normalize(_WIDE)
    if q.as_tuple().exponent > 0:  # type: ignore[operator]  # 1.5E+3 -> 1500
        q = q.quantize(Decimal(1), context=_WIDE)
    return q if q != 0 else ZERO


def fine(value: Decimal | None) -> Decimal | None:
    """:func:`quantize` to :data:`FINE`, passing ``None`` through."""
    return None if value is None else quantize(value, FINE)


def format_usd(amount: Decimal | None, *, precise: bool = False) -> str:
    """Format an amount for people: ``$1,234.57``; small unit prices keep their digits.

    ``None`` (a missing input) prints as ``n/a``, never as ``$0.00``.

    >>> format_usd(Decimal("1234.567"))
    '$1,234.57'
    >>> format_usd(Decimal("0.000375"), precise=True)
    '$0.000375'
    """
    if amount is None:
        return "n/a"
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    if precise:
        text = format(value.normalize(), "f")
        if "." in text:
            whole, frac = text.split(".")
            frac = frac.ljust(2, "0")
        else:
            whole, frac = text, "00"
        return f"{sign}${int(whole):,}.{frac}"
    return f"{sign}${quantize_cents(value):,.2f}"


def to_float(amount: Decimal | None) -> float | None:
    """For plotting only."""
    return None if amount is None else float(amount)


def format_quantity(value: Decimal, digits: int = 4) -> str:
    """A quantity for people: thousands separators, at most ``digits`` decimals, no trailing zeros.

    >>> format_quantity(Decimal("15.208333333333333"))
    '15.2083'
    >>> format_quantity(Decimal("730"))
    '730'
    """
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
