"""The Latency page through Streamlit's AppTest, against the fake server on 127.0.0.1."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from costmodel.latency.charts import CostLatencyPoint, cost_latency_figure, ecdf_points, sla_status
from costmodel.testing import FakeChatServer, ServerKnobs


def page_script(db_path: str, with_costs: bool) -> None:
    from decimal import Decimal

    from costmodel.ui.latency_page import PathCost, render

    costs = [
        PathCost("OpenAI gpt-4o-mini ft", "openai", "gpt-4o-mini-2024-07-18", True, Decimal("812.40")),
        PathCost("Azure gpt-4o-mini ft", "azure", "gpt-4o-mini-2024-07-18", True, Decimal("790.00")),
        PathCost("OpenAI babbage", "openai", "babbage-002", False, Decimal("100")),
    ]
    render(costs if with_costs else None, db_path=db_path)


def test_page_runs_a_benchmark_and_compares_paths(tmp_path: Path) -> None:
    db = str(tmp_path / "ui.sqlite3")
    at = AppTest.from_function(page_script, args=(db, True), default_timeout=30)
    at.run()
    assert not at.exception
    assert any("No run stored yet" in i.value for i in at.info)
    # before any measurement, the paths use published figures and say so
    table = at.dataframe[-1].value
    # Azure gpt-4o-mini has no controlled published figure (the gateway average was removed)
    assert list(table["latency from"]) == ["published figure", "no figure", "no figure"]

    with FakeChatServer(ServerKnobs(ttft_ms=15, itl_ms=1)) as srv:
        at.radio(key="lat_kind").set_value("OpenAI-compatible (local or other)").run()
        at.text_input(key="lat_url_compat").set_value(srv.base_url)
        at.number_input(key="lat_req").set_value(4)
        at.number_input(key="lat_maxtok").set_value(8)
        at.selectbox(key="lat_pprov").set_value("openai")
        at.text_input(key="lat_pmodel").set_value("gpt-4o-mini-2024-07-18")
        at.checkbox(key="lat_ft").check()
        at.button(key="lat_run").click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Run ") for s in at.success), [e.value for e in at.error]
    table = at.dataframe[-1].value
    assert list(table["latency from"]) == ["measured", "no figure", "no figure"]
    assert table["E2E p95 ms"][0] > 15
    runs = at.dataframe[0].value
    assert list(runs["requests"]) == [4] and list(runs["errors"]) == [0]


def test_page_without_costs_and_no_key_has_no_run_button_enabled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    at = AppTest.from_function(page_script, args=(str(tmp_path / "k.sqlite3"), False), default_timeout=30)
    at.run()
    assert not at.exception
    assert at.button(key="lat_run").disabled  # the OpenAI endpoint needs a key, none is set
    assert at.text_input(key="lat_key").proto.type == at.text_input(key="lat_key").proto.PASSWORD
    assert any("Open the Decision page" in i.value for i in at.info)


def test_sla_marks_breaking_paths_and_figure_has_the_line() -> None:
    pts = [
        CostLatencyPoint("fast", Decimal("900"), 800.0, "measured"),
        CostLatencyPoint("slow", Decimal("300"), 2500.0, "measured"),
        CostLatencyPoint("median only", Decimal("500"), 900.0, "reference", "p50"),
        CostLatencyPoint("nothing", Decimal("100"), None, "none"),
    ]
    assert [sla_status(p, 1000) for p in pts] == ["meets", "breaks", "unknown", "no_latency"]
    fig = cost_latency_figure(pts, sla_ms=1000)
    names = {t.name: list(t.text) for t in fig.data}
    assert names["breaks SLA"] == ["slow"] and names["meets SLA"] == ["fast"]
    assert fig.layout.shapes[0].x0 == 1000
    assert "nothing" in fig.layout.title.text
    assert ecdf_points([2.0, 1.0]) == ([1.0, 2.0], [0.5, 1.0])
