"""Showing USD amounts in another currency: pure conversion and formatting.

The engine computes in USD (the catalogue's currency). A figure shown in another currency is
``amount_usd x rate.per_usd`` with the :class:`~costmodel.prices.fx.FxRate` of the scenario's
as-of date, rounded once, at the end, to the currency's minor unit (cents; whole yen). Every
converted figure travels with its rate and the ECB day it comes from (:func:`rate_caption`).

>>> from datetime import date
>>> from decimal import Decimal as D
>>> eur = FxRate("EUR", D(1) / D("1.0945"), date(2024, 1, 15), date(2024, 1, 15), D("1.0945"), D(1))
>>> format_money(D("1000"), eur)
'EUR 913.66'
>>> format_money(D("1000"), None)
'$1,000.00'
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from costmodel.money import format_usd
from costmodel.prices.fx import FxRate

__all__ = [
    "FxRate",
    "convert",
    "currency_code",
    "format_money",
    "minor_unit",
    "quantize_money",
    "rate_caption",
    "rate_tag",
]

# ISO 4217 currencies without a minor unit in everyday prices (among the ECB's).
_NO_MINOR = frozenset({"JPY", "KRW", "ISK"})


def currency_code(fx: FxRate | None) -> str:
    return "USD" if fx is None else fx.currency


def minor_unit(currency: str) -> Decimal:
    return Decimal(1) if currency in _NO_MINOR else Decimal("0.01")


def convert(amount_usd: Decimal | None, fx: FxRate | None) -> Decimal | None:
    """The amount in ``fx.currency`` (unrounded); USD when ``fx`` is None; None stays None."""
    if amount_usd is None or fx is None:
        return amount_usd
    return amount_usd * fx.per_usd


def quantize_money(amount_usd: Decimal, fx: FxRate | None) -> Decimal:
    """Converted and rounded half to even to the currency's minor unit (cents, whole yen)."""
    value = convert(amount_usd, fx)
    assert value is not None
    return value.quantize(minor_unit(currency_code(fx)), rounding=ROUND_HALF_EVEN)


def format_money(amount_usd: Decimal | None, fx: FxRate | None, *, precise: bool = False) -> str:
    """``EUR 913.66`` (or ``$1,000.00`` without a rate). ``None`` prints as ``n/a``.

    ``precise`` keeps six significant digits for small unit prices (``EUR 0.000343``).
    """
    if fx is None or fx.currency == "USD":
        return format_usd(amount_usd, precise=precise)
    if amount_usd is None:
        return "n/a"
    value = amount_usd * fx.per_usd
    sign = "-" if value < 0 else ""
    value = abs(value)
    if precise and value != 0:
        digits = max(2, -value.adjusted() + 5)  # six significant digits, at least two decimals
        text = f"{value:,.{digits}f}".rstrip("0")
        if len(text.split(".")[1]) < 2:
            text = f"{value:,.2f}"
        return f"{sign}{fx.currency} {text}"
    q = value.quantize(minor_unit(fx.currency), rounding=ROUND_HALF_EVEN)
    places = 0 if fx.currency in _NO_MINOR else 2
    return f"{sign}{fx.currency} {q:,.{places}f}"


def rate_tag(fx: FxRate | None) -> str:
    """A short tag to put beside a converted figure: ``EUR at 0.913659/USD, ECB 2024-01-15``; '' for USD."""
    if fx is None or fx.currency == "USD":
        return ""
    from costmodel.prices.fx import six

    return f"{fx.currency} at {six(fx.per_usd)}/USD, ECB {fx.rate_date.isoformat()}"


def rate_caption(fx: FxRate | None) -> str:
    """What a converted figure stands on: the rate, the ECB day used and the source; '' for USD."""
    if fx is None or fx.currency == "USD":
        return ""
    return f"Amounts in {fx.currency}, converted from USD at {fx.describe()}; the catalogue's prices are in USD."
