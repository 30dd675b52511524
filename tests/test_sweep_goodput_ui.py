"""The Latency page runs a goodput sweep with a progress bar, selects the new sweep and charts it;
the sweep figure builder; every run names its endpoint (a local server is called one)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from costmodel.latency.charts import endpoint_label, sweep_figure
from costmodel.latency.sweep import SweepOutcome, parse_objective
from costmodel.testing.fake_chat_server import FakeChatServer, ServerKnobs
from tests.test_sweep_goodput import step


def page_script(db_path: str) -> None:
    from costmodel.ui.latency_page import render

    render(None, db_path=db_path)


def test_page_runs_a_sweep_and_shows_the_newest(tmp_path: Path) -> None:
    db = str(tmp_path / "ui.sqlite3")
    at = AppTest.from_function(page_script, args=(db,), default_timeout=120)
    at.run()
    assert not at.exception
    with FakeChatServer(ServerKnobs(ttft_ms=5, itl_ms=1, max_streams=2)) as srv:
        at.radio(key="lat_kind").set_value("OpenAI-compatible (local or other)").run()
        at.text_input(key="lat_url_compat").set_value(srv.base_url)
        at.number_input(key="lat_maxtok").set_value(4)
        at.number_input(key="lat_warm").set_value(0)
        at.selectbox(key="lat_pprov").set_value("openai")  # tagged as an OpenAI path on purpose
        at.text_input(key="lat_slo").set_value("ttft:2000")
        at.number_input(key="lat_sw_start").set_value(20.0)
        at.number_input(key="lat_sw_step").set_value(1.0)
        at.number_input(key="lat_sw_max").set_value(2)
        at.button(key="lat_sweep_run").click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Sweep sweep-") and "goodput" in s.value for s in at.success), [
        e.value for e in at.error
    ]
    chosen = at.selectbox(key="lat_sweep").value
    assert chosen.startswith("sweep-")
    assert any("local server 127.0.0.1" in c.value for c in at.caption)  # never "OpenAI" for a local URL
    assert len(at.get("plotly_chart")) >= 1
    runs = at.dataframe[0].value
    assert all(e.startswith("local server") for e in runs["endpoint"])


def test_sweep_figure_draws_curves_objective_goodput_and_saturation() -> None:
    steps = (step(1, True, index=0), step(2, True, index=1), step(4, False, saturated=True, index=2))
    steps = tuple(
        s.model_copy(update={"ttft_p50_ms": 100.0 * (i + 1), "ttft_p95_ms": 200.0 * (i + 1)})
        for i, s in enumerate(steps)
    )
    outcome = SweepOutcome(
        objective=parse_objective("ttft:500 @p95"),
        status="met",
        stop_reason="bisected",
        goodput_rps=2.0,
        goodput_output_tokens_per_s=20.0,
        goodput_step=1,
        first_failing_rps=4.0,
        saturation_rps=2.0,
        saturation_output_tokens_per_s=None,
        saturated_at_rps=4.0,
        steps=steps,
    )
    fig = sweep_figure(outcome)
    assert [t.name for t in fig.data] == ["TTFT p50", "TTFT p95"]
    assert list(fig.data[1].y) == [200.0, 400.0, 600.0] and list(fig.data[1].x) == [1, 2, 4]
    assert list(fig.data[1].marker.symbol) == ["circle", "circle", "circle-open"]
    lines = [(sh.type, sh.y0, sh.x0) for sh in fig.layout.shapes]
    assert ("line", 500, 0) in lines  # the objective (horizontal, at 500 ms)
    assert any(sh.x0 == 2.0 and sh.line.color == "#2a9d8f" for sh in fig.layout.shapes)  # goodput
    assert "never met" not in fig.layout.title.text
    none = outcome.model_copy(update={"goodput_rps": None, "status": "never_met"})
    assert "never met" in sweep_figure(none).layout.title.text


def test_endpoint_labels() -> None:
    assert endpoint_label("http://localhost:8080/v1") == "local server localhost:8080"
    assert endpoint_label("http://10.0.0.5:8000/v1") == "OpenAI-compatible server 10.0.0.5"
    assert endpoint_label("https://x.openai.azure.com", "azure") == "Azure OpenAI x.openai.azure.com"
