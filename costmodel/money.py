"""Money helpers: every amount is a :class:`~decimal.Decimal` in USD.

Floats appear only at the plotting edge (:func:`to_float`). Formatting goes through
:func:`format_usd` so the app, the CLI and the reports print money the same way.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

__all__ = ["CENT", "MILLION", "ZERO", "format_quantity", "format_usd", "parse_decimal", "quantize_cents", "to_float"]

ZERO = Decimal(0)
CENT = Decimal("0.01")
MILLION = Decimal(1_000_000)


def parse_decimal(value: object) -> Decimal:
    """Turn a string, int or Decimal into a Decimal. Floats are refused: they are not exact.

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
        try:
            result = Decimal(value.strip().replace(",", "").lstrip("$"))
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise ValueError(f"{value!r} is not a decimal amount (write it as a string such as '0.40')")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def quantize_cents(amount: Decimal) -> Decimal:
    """Round to whole cents, half to even (banker's rounding, as invoices do)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


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
