"""AppTest: the Prices page (catalogue as of a date, filters, override upload)."""

from __future__ import annotations

from datetime import date

from costmodel.engine.scenario import evaluate
from costmodel.money import format_usd
from costmodel.present.decision import assess, recommend
from costmodel.prices import CSV_COLUMNS, bundled_catalog, parse_price_csv
from costmodel.ui.state import today
from tests.ui_support import app_defaults, metric, run_app, texts

HEADER = ",".join(CSV_COLUMNS)
# A negotiated price: fine-tuned gpt-4.1-mini input tokens at $0.10 instead of $0.80 from 2025-01-01.
OVERRIDE = (
    HEADER
    + "\nopenai,gpt-4.1-mini,fine_tuned,input,usd_per_1m_tokens,standard,0.10,2025-01-01,,true,"
    + "https://example.invalid/our-contract,official,negotiated\n"
)


def test_default_run_lists_the_prices_in_force_today() -> None:
    at = run_app("prices")
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == len(bundled_catalog().in_force(today()))
    assert {"source", "reliability", "valid"} <= set(table.columns)
    assert set(table["reliability"]) <= {"official", "copy of official", "third party", "UNCONFIRMED"}


def test_filters_narrow_the_table() -> None:
    at = run_app("prices")
    at.multiselect(key="f_provider").set_value(["azure"])
    at.text_input(key="f_model").set_value("gpt-4.1-mini").run()
    table = at.dataframe[0].value
    expected = bundled_catalog().in_force(today(), provider="azure", model="gpt-4.1-mini")
    assert len(table) == len(expected) > 0
    assert set(table["provider"]) == {"azure"}


def test_as_of_date_shows_that_days_catalogue_and_goes_into_the_link() -> None:
    at = run_app("prices")
    at.date_input(key="in_as_of").set_value(date(2024, 1, 15)).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == len(bundled_catalog().in_force(date(2024, 1, 15)))
    assert at.query_params["as_of"] == "2024-01-15"
    # unconfirmed prices of that era are marked as such
    assert "UNCONFIRMED" in set(at.dataframe[0].value["reliability"])


def test_override_catalogue_changes_the_decision() -> None:
    # before OpenAI's fine-tuning wind-down (issue 10), when the discounted path can still be recommended
    before = date(2025, 12, 1)
    at = run_app("prices", params={"as_of": before.isoformat()})
    at.file_uploader(key="override_upload").set_value(("ours.csv", OVERRIDE.encode(), "text/csv")).run()
    assert not at.exception
    assert any("ours.csv override the bundled catalogue" in s for s in texts(at, "success"))
    at.switch_page("costmodel/ui/pages/decision.py").run()
    assert not at.exception
    catalog = bundled_catalog().overridden_by(parse_price_csv(OVERRIDE, origin="ours.csv"))
    inputs = app_defaults(as_of=before)
    result = evaluate(catalog, inputs.scenario(), as_of=today())
    rec = recommend(result, assess(inputs.model_dump(), result))
    assert metric(at, "Recommended path, per month") == format_usd(result.cost_of(rec.path).monthly_total)
    assert metric(at, "Recommended path, per month") != format_usd(
        evaluate(bundled_catalog(), inputs.scenario(), as_of=today()).cost_of(rec.path).monthly_total
    )


def test_invalid_override_is_refused_with_line_field_and_fix() -> None:
    bad = (
        HEADER + "\nopenai,gpt-4.1-mini,fine_tuned,input,usd_per_1m_tokens,standard,cheap,2025-01-01,,true,,official,\n"
    )
    at = run_app("prices")
    at.file_uploader(key="override_upload").set_value(("bad.csv", bad.encode(), "text/csv")).run()
    assert not at.exception
    errors = texts(at, "error")
    assert len(errors) == 1
    assert "bad.csv, line 2, field 'amount'" in errors[0] and "Fix:" in errors[0]
    # the bundled catalogue stays in use
    assert len(at.dataframe[0].value) == len(bundled_catalog().in_force(today()))


def test_non_utf8_override_is_refused() -> None:
    at = run_app("prices")
    at.file_uploader(key="override_upload").set_value(("latin.csv", "é".encode("latin-1"), "text/csv")).run()
    assert not at.exception
    assert any("not UTF-8" in e for e in texts(at, "error"))
