"""Decision (home): readiness check, the recommendation in one sentence, key metrics, two charts."""

from __future__ import annotations

import streamlit as st

from costmodel.engine.breakdown import Breakdown
from costmodel.engine.scenario import ScenarioResult
from costmodel.errors import CostmodelError
from costmodel.money import format_usd
from costmodel.present.charts import UNCONFIRMED_NOTE, cost_vs_traffic, cumulative_cost
from costmodel.present.decision import (
    QUESTIONS,
    Readiness,
    Recommendation,
    assess,
    describe_duration,
    describe_path,
    format_tokens,
    recommend,
)
from costmodel.present.report import breakdown_rows, md_table
from costmodel.prices import Provider
from costmodel.ui import nav, state
from costmodel.ui.inputs import picker_label
from costmodel.ui.report_section import report_downloads

_ANSWERS = ["yes", "no", "unsure"]
_ITEM_COLUMNS = ["line", "quantity", "unit price", "cost", "reliability", "source"]


def items_table(b: Breakdown) -> None:
    """A breakdown's line items (every figure opens into these). Markdown: cheap on every rerun."""
    st.markdown(f"**{b.label}**\n\n" + md_table(breakdown_rows(b), _ITEM_COLUMNS, links=True))


def _grade(grade: str) -> str:
    return f" ({UNCONFIRMED_NOTE})" if grade == "unconfirmed" else f" ({grade.replace('_', ' ')})"


def _readiness(readiness: Readiness) -> None:
    n = len(readiness.warnings)
    status = "all clear" if n == 0 else f"{n} warning{'s' if n > 1 else ''}"
    if readiness.blocked:
        status += ", fine-tuning held back"
    with st.expander(f"Readiness check: should you fine-tune at all? ({status})", expanded=readiness.blocked):
        cols = st.columns(2)
        for i, q in enumerate(QUESTIONS):
            with cols[i % 2]:
                state.bind(q.key, st.radio, q.text, options=_ANSWERS, horizontal=True)


def _metrics(result: ScenarioResult, rec: Recommendation) -> None:
    chosen = result.cost_of(rec.path)
    horizon = result.scenario.horizon_months
    hours_per_month = result.scenario.traffic.hours_per_month
    cols = st.columns(4)
    with cols[0]:
        st.metric("Recommended path, per month", format_usd(chosen.monthly_total), help=describe_path(rec.path))
        st.caption(rec.path.label + _grade(chosen.monthly.reliability.value))
        with st.popover("Line items", icon=":material/list:"):
            items_table(chosen.monthly)
    with cols[1]:
        st.metric(f"Total over {horizon} months", format_usd(chosen.horizon_total))
        st.caption(
            f"{format_usd(chosen.one_off_total)} one-off + {horizon} x {format_usd(chosen.monthly_total)}"
            + _grade(chosen.reliability.value)
        )
        with st.popover("Training line items", icon=":material/list:"):
            if chosen.training is not None:
                items_table(chosen.training)
            else:
                st.write("No training: a base path.")
    with cols[2]:
        pb = rec.payback
        if pb is None:
            st.metric("Fine-tuning pays back after", "n/a")
            st.caption("Needs a fine-tuned and a base path in the comparison.")
        elif pb.status == "pays_back" and pb.hours is not None:
            st.metric("Fine-tuning pays back after", describe_duration(pb.hours, hours_per_month))
            st.caption(f"{pb.fine_tuned.label} against {pb.base.label}" + _grade(pb.reliability.value))
        elif pb.status == "already_cheaper":
            st.metric("Fine-tuning pays back after", "at once")
            st.caption(pb.explanation)
        else:
            st.metric("Fine-tuning pays back after", "never")
            st.caption(pb.explanation)
        if pb is not None:
            with st.popover("How this is computed", icon=":material/functions:"):
                st.write(pb.explanation)
                st.write(f"Saving per hour at your traffic: {format_usd(pb.saving_per_hour)}")
                if pb.requests_per_day_needed is not None:
                    needed = pb.requests_per_day_needed
                    st.write(
                        f"Traffic needed to pay back within {horizon} months: "
                        + (f"{needed:,.1f}" if needed < 10 else f"{needed:,.0f}")
                        + " requests a day"
                    )
                items_table(result.cost_of(pb.fine_tuned).monthly)
                items_table(result.cost_of(pb.base).monthly)
    with cols[3]:
        be = rec.provider_breakeven
        if be is None:
            st.metric("Break-even, OpenAI vs Azure", "n/a")
            st.caption("Needs an OpenAI and an Azure path of the same kind.")
        elif be.status == "crosses" and be.tokens_per_hour is not None:
            st.metric("Break-even, OpenAI vs Azure", f"{format_tokens(be.tokens_per_hour)} tokens/h")
            above = (
                "Azure" if be.cheaper_above is not None and be.cheaper_above.provider == Provider.AZURE else "OpenAI"
            )
            st.caption(
                f"{above} is cheaper above {format_tokens(be.tokens_per_hour)} tokens/h"
                + (f" (about {be.requests_per_day:,.0f} requests a day)" if be.requests_per_day else "")
                + _grade(be.reliability.value)
            )
        else:
            st.metric("Break-even, OpenAI vs Azure", "never")
            st.caption(be.explanation)
        if be is not None:
            with st.popover("How this is computed", icon=":material/functions:"):
                st.write(be.explanation)
                items_table(result.cost_of(be.path_a).monthly)
                items_table(result.cost_of(be.path_b).monthly)


def _ms(value: float | None) -> int | None:
    """Whole milliseconds for the table; ``None`` (unknown) stays ``None``."""
    return None if value is None else round(value)


@st.cache_data(ttl=30, show_spinner=False)
def _latencies(paths: tuple[tuple[str, str, bool, str], ...], output_tokens: int) -> list[dict[str, object]]:
    """Latency per path: the newest measured run in the store, else the bundled published figure.

    Cached for 30 s so a slider move does not reopen the store; a run measured on the Latency page
    shows up here within that time.
    """
    from costmodel.latency.paths import PathQuery, latency_for_paths

    queries = [PathQuery(provider=p, model=m, fine_tuned=ft, tier=t) for p, m, ft, t in paths]
    rows: list[dict[str, object]] = []
    for lat in latency_for_paths(queries, output_tokens=output_tokens):
        rows.append(
            {
                "path": lat.path.label,
                "latency from": lat.label,
                "TTFT p50 ms": _ms(lat.ttft_ms_p50),
                "E2E p50 ms": _ms(lat.e2e_ms_p50),
                "E2E p95 ms": _ms(lat.e2e_ms_p95),
                "E2E estimated": lat.e2e_estimated,
                "reliability": "" if lat.reliability is None else lat.reliability.value,
                "basis": lat.statistic,
                "detail": lat.detail,
            }
        )
    return rows


def _latency(result: ScenarioResult, rec: Recommendation) -> None:
    """Each path's latency beside its cost; says whether it was measured or is a published figure."""
    traffic = result.scenario.traffic
    output_tokens = traffic.output_tokens_per_request or 256
    keys = tuple((c.path.provider.value, c.model, c.path.fine_tuned, c.path.tier) for c in result.costs)
    try:
        rows = _latencies(keys, int(output_tokens))
    except (CostmodelError, OSError) as exc:  # costs stand without latency
        st.warning(f"Latency figures are unavailable ({type(exc).__name__}); open the Latency page to measure.")
        return
    labels = [c.path.label for c in result.costs]
    for row, label in zip(rows, labels, strict=True):
        row["path"] = label
    chosen = next((r for r in rows if r["path"] == rec.path.label), None)
    st.subheader("Latency")
    if chosen is not None and chosen["E2E p50 ms"] is not None:
        e2e = float(str(chosen["E2E p50 ms"]))
        st.caption(
            f"Recommended path: end-to-end p50 about {e2e:,.0f} ms for {output_tokens} output tokens "
            f"({chosen['latency from']}{', estimated' if chosen['E2E estimated'] else ''}). "
            "Measure your own endpoints on the Latency page; measured runs replace published figures."
        )
    else:
        st.caption("No latency figure for the recommended path yet: measure it on the Latency page.")
    st.dataframe(rows, hide_index=True, column_config={"detail": None})


def render() -> None:
    st.title("Fine-tune or not?")
    st.caption(
        "Answer the readiness check, pick the paths and your traffic; the recommendation, the metrics and the "
        "charts follow. Every figure opens into its line items. Copy the page's link to share this view."
    )
    state.show_input_errors()
    inputs = state.current()
    readiness = assess(inputs.model_dump())
    _readiness(readiness)
    options = state.paths_on(inputs.as_of or state.today())
    options = list(dict.fromkeys([*inputs.paths, *options]))
    left, right = st.columns([3, 1])
    with left:
        state.bind(
            "paths",
            st.multiselect,
            "Paths to compare (grouped by provider)",
            options=options,
            max_selections=6,
            format_func=picker_label,
        )
    with right:
        state.bind(
            "requests_per_day",
            st.number_input,
            "Requests per day",
            min_value=1,
            max_value=1_000_000_000,
            step=1000,
        )
    result = state.evaluate_current()
    if result is None:
        return
    rec = recommend(result, readiness)
    st.subheader("Recommendation")
    text_col, launch_col = st.columns([4, 1])
    with text_col:
        if rec.held_back_by:
            st.warning(rec.sentence)
        else:
            st.success(rec.sentence)
        if rec.unconfirmed:
            st.error(f"This recommendation {UNCONFIRMED_NOTE}: check it on the Prices page before you rely on it.")
    with launch_col:
        if rec.fine_tuned:
            st.page_link(
                nav.page("launch"),
                label="Launch this fine-tuning",
                icon=":material/rocket_launch:",
                query_params={"path": rec.path.label},
            )
            st.caption(rec.path.label)
    for w in readiness.warnings:
        (st.error if w.severity == "blocker" else st.warning)(f"{w.text} ([source]({w.source}))")
    _metrics(result, rec)
    _latency(result, rec)
    scale_col, _ = st.columns([1, 3])
    with scale_col:
        state.bind("log_x", st.toggle, "Log scale")
    st.plotly_chart(cost_vs_traffic(result, log_x=inputs.log_x), key="chart_traffic")
    st.plotly_chart(cumulative_cost(result), key="chart_cumulative")
    report_downloads(result, readiness, rec)
