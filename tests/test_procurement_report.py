"""Issue 13, item 3: every break-even and payback in the report with its equation, recomputed from the listed prices.

The recomputation below does not call the engine: it reads the "Prices used" table printed under each
figure (unit price per 1M tokens and tokens per request, hosting per hour) and applies the textbook
equations itself:

    v = sum(tokens per request x price per 1M) / 1e6          cost per request
    H = hosting price per hour x hosted hours / 730            fixed cost per hour
    u* = (H_B - H_A) / (v_A - v_B)   requests per hour;   x 24 = requests a day
    t* = T_F / (r (v_B - v_F) - (H_F - H_B))                   hours, r = requests per day / 24
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from costmodel.engine.scenario import evaluate
from costmodel.present.decision import assess, recommend
from costmodel.present.report import Report
from costmodel.prices import bundled_catalog
from costmodel.prices.fx import usd_rate
from costmodel.ui.inputs import ScenarioInputs

DAY = date(2024, 1, 15)
PATHS = ("openai:gpt-3.5-turbo:ft@standard", "azure:gpt-35-turbo:ft@standard", "openai:gpt-4:base@standard")
REQUESTS_PER_DAY = 2000


def _report(fx_code: str | None = None) -> Report:
    inputs = ScenarioInputs(
        paths=PATHS,
        requests_per_day=REQUESTS_PER_DAY,
        input_tokens=500,
        output_tokens=500,
        few_shot_tokens=1000,
        training_tokens=1_000_000,
        epochs=3,
        as_of=DAY,
    )
    catalog = bundled_catalog()
    result = evaluate(catalog, inputs.scenario(), as_of=DAY)
    readiness = assess(inputs.model_dump())
    return Report(
        catalog=catalog,
        inputs=inputs,
        result=result,
        readiness=readiness,
        recommendation=recommend(result, readiness),
        generated_on=DAY,
        fx=None if fx_code is None else usd_rate(fx_code, DAY),
    )


@pytest.fixture(scope="module")
def report() -> Report:
    return _report()


def _sections(md: str) -> dict[str, str]:
    """``{"Break-even: A vs B": text, "Payback: F against B": text}`` from the Markdown."""
    body = md.split("## Break-even and payback")[1].split("\n## ")[0]
    parts = re.split(r"^### ", body, flags=re.M)[1:]
    return {p.splitlines()[0].strip(): p for p in parts}


def _number(text: str) -> Decimal:
    """``2.55 million`` / ``61,091`` / ``49 minutes`` ... as a Decimal (of the unit given)."""
    m = re.match(r"([\d,.]+)(?: (million|billion))?", text)
    assert m, text
    value = Decimal(m[1].replace(",", ""))
    return value * {None: 1, "million": 10**6, "billion": 10**9}[m[2]]


def _listed(section: str) -> dict[str, dict[str, tuple[Decimal, str]]]:
    """path -> line -> (unit price USD, per unit of traffic) from the section's "Prices used" table."""
    out: dict[str, dict[str, tuple[Decimal, str]]] = {}
    for row in re.findall(r"^\| (\S+:\S+) \| ([^|]+) \| \$([\d,.]+) per [^|]+ \| ([^|]+) \|", section, flags=re.M):
        path, line, price, per = row
        out.setdefault(path, {})[line.strip()] = (Decimal(price.replace(",", "")), per.strip())
    return out


def _v(lines: dict[str, tuple[Decimal, str]]) -> Decimal:
    total = Decimal(0)
    for name, (price, per) in lines.items():
        m = re.fullmatch(r"([\d,]+) tokens per request", per)
        if m and not name.startswith("Training"):
            total += Decimal(m[1].replace(",", "")) * price / 10**6
    return total


def _h(lines: dict[str, tuple[Decimal, str]]) -> Decimal:
    hosting = lines.get("Hosting (deployed hours)")
    if hosting is None:
        return Decimal(0)
    price, per = hosting
    hours = _number(per)
    return price * hours / 730


def test_every_crossing_and_payback_is_in_html_and_markdown_with_its_equation(report: Report) -> None:
    md, page = report.markdown(), report.html()
    sections = _sections(md)
    result = report.result
    assert len(result.breakevens) == 3 and len(result.paybacks) == 2  # all pairs, every ft against every base
    for be in result.breakevens:
        title = f"Break-even: {be.path_a} vs {be.path_b}"
        assert title in sections, sorted(sections)
        assert "u* = (H_B - H_A) / (v_A - v_B)" in sections[title]
        assert f"<h3>{title}</h3>" in page
    for pb in result.paybacks:
        title = f"Payback: {pb.fine_tuned} against {pb.base}"
        assert title in sections
        assert "t* = (T_F - T_B) / (r x (v_B - v_F) - (H_F - H_B))" in sections[title]
        assert f"<h3>{title}</h3>" in page
    assert page.count("u* = (H_B - H_A) / (v_A - v_B)") == 3


def test_each_break_even_recomputed_from_the_listed_prices(report: Report) -> None:
    sections = _sections(report.markdown())
    checked = 0
    for title, text in sections.items():
        if not title.startswith("Break-even: "):
            continue
        a, b = title.removeprefix("Break-even: ").split(" vs ")
        listed = _listed(text)
        v_a, v_b, h_a, h_b = _v(listed[a]), _v(listed[b]), _h(listed[a]), _h(listed[b])
        figure = re.search(r"^\*\*(.+?)\*\*", text, flags=re.M)
        assert figure
        if v_a == v_b or (h_b - h_a) / (v_a - v_b) <= 0:
            assert figure[1] == "never"
            continue
        per_day = (h_b - h_a) / (v_a - v_b) * 24
        shown = re.search(r"\(([\d,.]+(?: million)?) requests a day\)", figure[1])
        assert shown, figure[1]
        assert abs(_number(shown[1]) - per_day) <= max(Decimal("0.005") * per_day, Decimal(1)), (title, per_day)
        checked += 1
    assert checked >= 2


def test_payback_recomputed_from_the_listed_prices(report: Report) -> None:
    sections = _sections(report.markdown())
    title = "Payback: openai:gpt-3.5-turbo:ft@standard against openai:gpt-4:base@standard"
    text = sections[title]
    listed = _listed(text)
    ft, base = listed["openai:gpt-3.5-turbo:ft@standard"], listed["openai:gpt-4:base@standard"]
    train_price, train_qty = ft["Training tokens (1,000,000 billed x 3 epochs)"]
    t_f = _number(train_qty) * train_price / 10**6  # 3 million trained tokens x $8 = $24
    assert t_f == Decimal(24)
    r = Decimal(REQUESTS_PER_DAY) / 24
    hours = t_f / (r * (_v(base) - _v(ft)))
    # gpt-4 base with 1,500 + 500 tokens: 1,500 x $30 + 500 x $60 per 1M = $0.075 a request; ft: 500 x $3 + 500 x $6
    # = $0.0045; saving 83.33 x 0.0705 = $5.875 an hour; 24 / 5.875 = 4.09 hours
    assert round(hours, 2) == Decimal("4.09")
    figure = re.search(r"^\*\*(.+?)\*\*", text, flags=re.M)
    assert figure and figure[1] == "4.1 hours"


def test_headings_carry_as_of_horizon_and_currency() -> None:
    md = _report("EUR").markdown()
    headings = [h for h in md.splitlines() if h.startswith("## ")]
    assert headings
    for h in headings:
        assert "prices as of 2024-01-15" in h and "12-month horizon" in h and "EUR" in h, h
    assert "1 USD = 0.913659 EUR (ECB reference rate of 2024-01-15)" in md


def test_quantities_in_human_units(report: Report) -> None:
    md = report.markdown()
    # 2,000 requests a day x 730 / 24 = 60,833.3 a month x 500 tokens = 30.4 million input tokens
    assert "| Input tokens | 30.4 million tokens |" in md
    assert not re.search(r"\| [\d.,]+ 1M tokens \|", md)  # no "30.4167 1M tokens"


def test_chart_counts_traffic_as_each_path_processes_it(report: Report) -> None:
    # Regression: the chart's traffic left out the few-shot tokens a base path really processes.
    from costmodel.present.charts import cost_vs_traffic

    fig = cost_vs_traffic(report.result)
    base = next(t for t in fig.data if t.name == "openai:gpt-4:base@standard")
    ft = next(t for t in fig.data if t.name == "openai:gpt-3.5-turbo:ft@standard")
    # 500 + 1,000 few-shot + 500 output = 2,000 tokens per request against 1,000 on the x axis: twice x
    assert list(base.customdata) == pytest.approx([2 * v for v in base.x])
    assert list(ft.customdata) == pytest.approx(list(ft.x))
    assert "few-shot included" in base.hovertemplate
    assert "few-shot" in fig.layout.xaxis.title.text
