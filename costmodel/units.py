"""Durations, counts and quantities in human units, at any scale (pure; no I/O).

A payback of five minutes reads ``5 minutes`` (not ``0.1 hours``), 973.3333 "1M tokens" reads
``973 million tokens``, 2,545,455 tokens an hour reads ``2.55 million``.

>>> format_duration(Decimal(5) / 60)
'5 minutes'
>>> format_duration(Decimal(3650))
'5 months'
>>> format_count(Decimal("2545454.5"))
'2.55 million'
>>> format_line_quantity(Decimal("973.3333"), "1M tokens")
'973 million tokens'
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

__all__ = ["format_count", "format_duration", "format_line_quantity"]

_HOURS_PER_MONTH = Decimal(730)


def _sig(value: Decimal, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits, thousands separators, no trailing zeros."""
    if value == 0:
        return "0"
    exp = value.adjusted()
    places = max(0, digits - 1 - exp)
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = f"{q:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _plural(n: str, word: str) -> str:
    return f"{n} {word}" if n == "1" else f"{n} {word}s"


def format_duration(hours: Decimal, hours_per_month: Decimal = _HOURS_PER_MONTH) -> str:
    """Seconds, minutes, hours, days, months or years, whichever reads best (two or three significant digits).

    >>> [format_duration(Decimal(h)) for h in ("0.0004", "0.25", "5.5", "48", "8760")]
    ['1 second', '15 minutes', '5.5 hours', '2 days', '12 months']
    >>> format_duration(Decimal(730 * 30))
    '2.5 years'
    """
    if hours < 0:
        return "-" + format_duration(-hours, hours_per_month)
    seconds = hours * 3600
    if seconds < 60:
        return _plural(_sig(max(seconds, Decimal(1)).to_integral_value(), 2), "second")
    if hours < 1:
        return _plural(_sig((hours * 60).to_integral_value(), 2), "minute")
    if hours < 24:
        return _plural(_sig(hours, 2), "hour")
    if hours < hours_per_month:
        return _plural(f"{(hours / 24).to_integral_value(rounding=ROUND_HALF_EVEN)}", "day")  # whole days
    months = hours / hours_per_month
    if months < 24:
        return _plural(_sig(months, 2), "month")
    return _plural(_sig(months / 12, 2), "year")


def format_count(value: Decimal) -> str:
    """A count for people: ``950``, ``12,400``, ``2.55 million``, ``1.2 billion`` (three significant digits).

    >>> [format_count(Decimal(v)) for v in ("0.5", "950", "12400", "973333333", "1.5e12")]
    ['0.5', '950', '12,400', '973 million', '1.5 trillion']
    """
    sign = "-" if value < 0 else ""
    v = abs(value)
    for size, word in ((Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if v >= size:
            return f"{sign}{_sig(v / size)} {word}"
    if v >= 1000:
        return sign + f"{v.to_integral_value(rounding=ROUND_HALF_EVEN):,}"
    return sign + _sig(v)


def format_line_quantity(quantity: Decimal, unit: str) -> str:
    """A line item's quantity in its unit, in human units (``1M tokens`` becomes a token count)."""
    if unit == "1M tokens":
        return f"{format_count(quantity * 1_000_000)} tokens"
    if unit == "hours":
        text = _sig(quantity, 4) if quantity < 1000 else f"{quantity.to_integral_value():,}"
        return f"{text} {'hour' if text == '1' else 'hours'}"
    return f"{_sig(quantity, 4)} {unit}"
