"""The procurement report downloads (HTML, Markdown, line items CSV, scenario JSON).

The files are built only when a button is clicked (deferred ``data=`` callables), so a slider
move never pays for embedding plotly.js into a report.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from costmodel.decision import Readiness, Recommendation
from costmodel.report import Report
from costmodel.scenario import ScenarioResult
from costmodel.ui import state


def report_builder(result: ScenarioResult, readiness: Readiness, rec: Recommendation) -> Callable[[], Report]:
    """A function that builds the report on first call. Everything it needs from the session is
    read now, during the script run: the download callables run later, outside it."""
    name = state.override_name()
    catalog, inputs, day = state.catalog(), state.current(), state.today()
    held: list[Report] = []

    def build() -> Report:
        if not held:
            held.append(
                Report(
                    catalog=catalog,
                    inputs=inputs,
                    result=result,
                    readiness=readiness,
                    recommendation=rec,
                    catalog_name="bundled data/prices.csv" + (f", overridden by {name}" if name else ""),
                    generated_on=day,
                )
            )
        return held[0]

    return build


def report_downloads(result: ScenarioResult, readiness: Readiness, rec: Recommendation) -> None:
    st.subheader("Procurement report")
    st.caption(
        "The recommendation, the assumptions, every price used with its source, reliability and as-of date, "
        "and the charts. The HTML file carries plotly inline and opens offline."
    )
    report = report_builder(result, readiness, rec)  # built on the first click: a rerun never pays for it
    stem = f"costmodel-{result.as_of.isoformat()}"
    cols = st.columns(4)
    cols[0].download_button(
        "Report (HTML)",
        data=lambda: report().html(),
        file_name=f"{stem}-report.html",
        mime="text/html",
        on_click="ignore",
        key="dl_html",
    )
    cols[1].download_button(
        "Report (Markdown)",
        data=lambda: report().markdown(),
        file_name=f"{stem}-report.md",
        mime="text/markdown",
        on_click="ignore",
        key="dl_md",
    )
    cols[2].download_button(
        "Line items (CSV)",
        data=lambda: report().line_items_csv(),
        file_name=f"{stem}-line-items.csv",
        mime="text/csv",
        on_click="ignore",
        key="dl_csv",
    )
    cols[3].download_button(
        "Scenario (JSON)",
        data=lambda: report().scenario_json(),
        file_name=f"{stem}-scenario.json",
        mime="application/json",
        on_click="ignore",
        key="dl_json",
    )
