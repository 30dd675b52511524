"""Figure builders: the data they draw, checked against hand computation (see tests/test_decision.py).

Mini catalogue, 2024-01-15, 1,000 requests a day of 500 + 500 tokens (41,666.67 tokens an hour):
OpenAI fine-tuned $0.0045 a request; Azure fine-tuned $0.00175 a request + $7/h hosting; they
cross at 2,545,454.5 tokens an hour where both cost 2,545.45 x 0.0045 x 730 = $8,361.82 a month.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import plotly.graph_objects as go
import pytest

from costmodel.engine.scenario import ScenarioResult, evaluate, scenario_from_mapping
from costmodel.present.charts import (
    UNCONFIRMED_NOTE,
    breakeven_heatmap,
    cost_vs_traffic,
    cumulative_cost,
    line_items_bar,
    token_histogram,
)
from costmodel.prices import Catalog

DAY = date(2024, 1, 15)
OAI_FT = "openai:gpt-3.5-turbo:ft@standard"
AZ_FT = "azure:gpt-35-turbo:ft@standard"
GPT4 = "openai:gpt-4:base@standard"


def result_for(catalog: Catalog, paths: list[str], requests_per_day: int = 1000) -> ScenarioResult:
    scenario = scenario_from_mapping(
        {
            "as_of": DAY,
            "paths": paths,
            "traffic": {
                "requests_per_day": requests_per_day,
                "input_tokens_per_request": 500,
                "output_tokens_per_request": 500,
                "few_shot_tokens": 1000,
            },
            "training": {"tokens": 100_000, "epochs": 3},
        }
    )
    return evaluate(catalog, scenario, as_of=DAY)


def _valid(fig):  # type: ignore[no-untyped-def]
    """Builders skip plotly's validation (Streamlit validates what it draws): check it here."""
    go.Figure(fig.to_dict())
    return fig


def _traces(fig, name_prefix: str = ""):  # type: ignore[no-untyped-def]
    return [t for t in fig.data if (t.name or "").startswith(name_prefix)]


@pytest.mark.parametrize("log_x", [True, False])
def test_cost_vs_traffic_marks_the_breakeven_where_lines_meet(mini_catalog: Catalog, log_x: bool) -> None:
    fig = _valid(cost_vs_traffic(result_for(mini_catalog, [OAI_FT, AZ_FT]), log_x=log_x))
    lines = [t for t in fig.data if t.mode == "lines"]
    assert [t.name for t in lines] == [OAI_FT, AZ_FT]
    marks = _traces(fig, "break-even")
    assert len(marks) == 1
    assert marks[0].x[0] == pytest.approx(7 / 0.00275 * 1000, rel=1e-9)  # = 2,545,454.55
    assert marks[0].y[0] == pytest.approx(8_361.82, abs=0.01)
    assert "2.5M tok/h" in marks[0].text[0]
    # the Azure line is flat at its hosting fee near zero traffic: 7 x 730 = $5,110
    azure = lines[1]
    assert azure.y[0] == pytest.approx(5110 + 730 * 0.00175 * float(azure.x[0]) / 1000, rel=1e-9)
    assert fig.layout.xaxis.type == ("log" if log_x else "linear")
    if not log_x:
        assert azure.x[0] == 0.0
    # the current traffic is marked: 1000 / 24 x 1000 tokens
    assert fig.layout.shapes[0].x0 == pytest.approx(41_666.67, abs=0.01)
    # Azure's 2023 hosting fee is unconfirmed: the title says so
    assert UNCONFIRMED_NOTE in fig.layout.title.text


def test_no_crossing_draws_no_marker(mini_catalog: Catalog) -> None:
    # gpt-4 base costs more per request than the OpenAI fine-tune and has no fixed cost: never cross
    fig = _valid(cost_vs_traffic(result_for(mini_catalog, [OAI_FT, GPT4])))
    assert _traces(fig, "break-even") == []
    assert all(np.all(np.isfinite(t.y)) for t in fig.data)
    assert UNCONFIRMED_NOTE not in fig.layout.title.text


def test_cumulative_cost_and_payback_marker(mini_catalog: Catalog) -> None:
    fig = _valid(cumulative_cost(result_for(mini_catalog, [OAI_FT, GPT4])))
    oai = next(t for t in fig.data if t.name == OAI_FT)
    assert list(oai.x) == list(range(13))
    assert oai.y[0] == pytest.approx(2.40)  # training up front
    assert oai.y[12] == pytest.approx(2.40 + 12 * 136.875)
    payback = _traces(fig, "payback")
    assert len(payback) == 1
    # 2.40 / 2.9375 = 0.817 hours = 0.817 / 730 months
    assert payback[0].x[0] == pytest.approx(2.40 / 2.9375 / 730, rel=1e-9)
    assert "payback after 49 minutes" in payback[0].text[0]  # 0.817 h x 60 (issue 13: no "0.8 hours")


def test_never_paying_back_is_written_on_the_chart(mini_catalog: Catalog) -> None:
    fig = _valid(cumulative_cost(result_for(mini_catalog, [AZ_FT, GPT4], requests_per_day=10)))
    assert _traces(fig, "payback") == []
    notes = [a.text for a in fig.layout.annotations]
    assert f"{AZ_FT} never pays back against {GPT4} at this traffic" in notes


def test_line_items_bar_stacks_each_path(mini_catalog: Catalog) -> None:
    fig = _valid(line_items_bar(result_for(mini_catalog, [OAI_FT, AZ_FT])))
    assert fig.layout.barmode == "stack"
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"Input tokens", "Output tokens", "Hosting (deployed hours)"}
    assert list(by_name["Hosting (deployed hours)"].y) == [None, pytest.approx(5110.0)]
    # OpenAI input: 30,416.67 requests x 500 tokens x $3 / 1M = $45.625
    assert by_name["Input tokens"].y[0] == pytest.approx(45.625)


def test_heatmap_labels_never_cells_and_matches_the_formula(mini_catalog: Catalog) -> None:
    result = result_for(mini_catalog, [OAI_FT, AZ_FT])
    fig = _valid(breakeven_heatmap(mini_catalog, result, (OAI_FT, AZ_FT), input_shares=[0.5], fees=[0.0, 7.0]))
    cross, never = fig.data[0], fig.data[1]
    # fee 0: Azure is cheaper per token and has no fixed cost -> never crosses, Azure always cheaper
    assert cross.z[0][0] is None or math.isnan(cross.z[0][0])
    assert cross.text[0][0] == f"never: {AZ_FT} always cheaper"
    assert never.z[0][0] is not None and not math.isnan(never.z[0][0])
    # fee $7/h at a 50% input share: 7 / ((4.5 - 1.75) / 1e6) = 2,545,454.5 tokens an hour
    assert cross.z[1][0] == pytest.approx(math.log10(7 / 2.75e-6), rel=1e-9)
    assert cross.text[1][0] == "2.5M tok/h"
    assert never.z[1][0] is None or math.isnan(never.z[1][0])
    assert "never cross (1 cells" in fig.layout.title.text
    assert "nan" not in str(cross.text).lower()


def test_token_histogram_marks_the_training_context() -> None:
    fig = _valid(token_histogram([100, 200, 5000, 70_000], 65_536))
    assert list(fig.data[0].x) == [100, 200, 5000, 70_000]
    assert fig.layout.shapes[0].x0 == 65_536
    assert "training context 65,536 tokens (1 over)" in fig.layout.annotations[0].text


def test_token_histogram_states_a_far_context_instead_of_squashing_the_bars() -> None:
    fig = _valid(token_histogram([200, 437], 65_536))  # 65,536 > 1.5 x 437
    assert fig.layout.shapes == ()
    assert fig.layout.annotations[0].text == (
        "training context 65,536 tokens (0 over): far right of this range, every example fits (longest 437)"
    )


def test_token_histogram_without_known_context() -> None:
    fig = _valid(token_histogram([10, 20], None))
    assert fig.layout.shapes == ()
    assert fig.layout.annotations[0].text == "training context unknown for this model"


@pytest.mark.parametrize("log_x", [True, False])
def test_log_scale_cost_chart_labels_whole_decades_not_bare_2_and_5(mini_catalog: Catalog, log_x: bool) -> None:
    # QA: plotly's default minor labels on a log axis ("$100k", "5", "2") read as amounts without a unit.
    fig = _valid(cost_vs_traffic(result_for(mini_catalog, [OAI_FT, AZ_FT]), log_x=log_x))
    assert fig.layout.yaxis.dtick == (1 if log_x else None)
    assert fig.layout.xaxis.dtick == (1 if log_x else None)
