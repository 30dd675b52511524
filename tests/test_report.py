"""The procurement report: self-contained HTML, Markdown, line items CSV and scenario JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest

from costmodel.engine.scenario import evaluate
from costmodel.present.decision import assess, recommend
from costmodel.present.report import Report, prices_used
from costmodel.prices import Catalog
from costmodel.ui.inputs import ScenarioInputs

DAY = date(2024, 1, 15)
PATHS = ("openai:gpt-3.5-turbo:ft@standard", "azure:gpt-35-turbo:ft@standard", "openai:gpt-4:base@standard")


@pytest.fixture
def report(mini_catalog: Catalog) -> Report:
    inputs = ScenarioInputs(
        paths=PATHS,
        requests_per_day=1000,
        input_tokens=500,
        output_tokens=500,
        few_shot_tokens=1000,
        training_tokens=100_000,
        epochs=3,
        as_of=DAY,
        q_fresh="yes",
    )
    result = evaluate(mini_catalog, inputs.scenario(), as_of=date(2026, 1, 1))
    readiness = assess(inputs.model_dump())
    return Report(
        catalog=mini_catalog,
        inputs=inputs,
        result=result,
        readiness=readiness,
        recommendation=recommend(result, readiness),
        catalog_name="mini catalogue",
        generated_on=date(2026, 1, 2),
    )


def test_prices_used_are_every_row_the_result_rests_on(report: Report) -> None:
    kinds = sorted((str(r.provider), r.model, str(r.kind)) for r in report.prices)
    assert kinds == [
        ("azure", "gpt-35-turbo", "hosting"),
        ("azure", "gpt-35-turbo", "input"),
        ("azure", "gpt-35-turbo", "output"),
        ("azure", "gpt-35-turbo", "training_hourly"),  # Azure trained per compute hour in 2023
        ("openai", "gpt-3.5-turbo", "input"),
        ("openai", "gpt-3.5-turbo", "output"),
        ("openai", "gpt-3.5-turbo", "training"),
        ("openai", "gpt-4", "input"),
        ("openai", "gpt-4", "output"),
    ]
    assert all(r.in_force(DAY) for r in report.prices)


def test_html_is_self_contained_and_complete(report: Report) -> None:
    page = report.html()
    assert page.startswith("<!DOCTYPE html>")
    # plotly.js is inline: no script is loaded from anywhere
    assert not re.search(r"<script[^>]+src=", page)
    assert "plotly.js v" in page or "Plotly" in page
    assert page.count('class="plotly-graph-div"') == 4  # availability timeline + the three cost charts
    assert "Prices as of" in page and "2024-01-15" in page
    assert report.recommendation.sentence.replace("'", "&#x27;") in page
    # every price used appears with its source and grade
    for row in report.prices:
        assert (row.source_url or "none (unconfirmed)") in page or row.source_url is None
    assert '<span class="unconfirmed">unconfirmed' in page
    assert "rests on an unconfirmed price" in page
    # the readiness warning (answers must stay up to date) is in the report
    assert "retrieval (RAG)" in page


def test_markdown_has_recommendation_assumptions_and_prices(report: Report) -> None:
    md = report.markdown()
    assert md.startswith("# Fine-tuning cost decision: fine-tuned gpt-3.5-turbo on OpenAI")
    assert report.recommendation.sentence in md
    assert "| Requests per day | 1000 |" in md
    assert "| Prices as of | 2024-01-15 |" in md
    prices_section = md.split(
        "## Prices used (prices as of 2024-01-15, 12-month horizon, USD) (in force on 2024-01-15)"
    )[1]
    assert prices_section.count("\n| azure |") + prices_section.count("\n| openai |") == 9
    assert "| $7.00 | usd_per_hour | [2023-10-01, 2024-07-01) | unconfirmed |" in prices_section
    assert "**Warning:** this recommendation rests on an unconfirmed price." in md


def test_line_items_csv_adds_up(report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(report.line_items_csv())))
    for cost in report.result.costs:
        monthly = [r for r in rows if r["path"] == cost.path.label and r["section"] == "monthly"]
        total = sum(Decimal(r["cost_usd"]) for r in monthly)
        assert total == pytest.approx(cost.monthly_total, abs=Decimal("0.00001"))
    training = [r for r in rows if r["section"] == "training (one-off)" and r["path"] == PATHS[0]]
    assert [r["cost_usd"] for r in training] == ["2.4"]  # 100,000 x 3 x $8 / 1M
    assert all(r["as_of"] == "2024-01-15" for r in rows)
    assert all("E" not in r["quantity"] for r in rows)  # no exponent notation


def test_scenario_json_reopens_the_same_inputs(report: Report) -> None:
    data = json.loads(report.scenario_json())
    assert ScenarioInputs.model_validate(data["inputs"]) == report.inputs
    assert data["as_of"] == "2024-01-15"
    assert data["recommendation"]["path"] == PATHS[0]


def test_prices_used_include_batch_rows_when_batch_is_used(mini_catalog: Catalog) -> None:
    inputs = ScenarioInputs(paths=(PATHS[0],), batch_pct=50, as_of=date(2024, 5, 1))
    result = evaluate(mini_catalog, inputs.scenario(), as_of=date(2026, 1, 1))
    tiers = sorted({(r.kind.value, r.tier) for r in prices_used(mini_catalog, result)})
    assert ("input", "batch") in tiers and ("output", "batch") in tiers
