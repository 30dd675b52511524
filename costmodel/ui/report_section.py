"""The procurement report downloads (HTML, Markdown, line items CSV, scenario JSON).

The files are built only when a button is clicked (deferred ``data=`` callables), so a slider
move never pays for embedding plotly.js into a report.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from costmodel.engine.scenario import ScenarioResult
from costmodel.present.decision import Readiness, Recommendation
from costmodel.present.report import Report
from costmodel.prices.fx import FxRate
from costmodel.ui import state


def report_builder(
    result: ScenarioResult, readiness: Readiness, rec: Recommendation, fx: FxRate | None = None
) -> Callable[[], Report]:
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
                    fx=fx,
                )
            )
        return held[0]

    return build


def report_downloads(
    result: ScenarioResult, readiness: Readiness, rec: Recommendation, fx: FxRate | None = None
) -> None:
    st.subheader("Procurement report")
    st.caption(
        "The recommendation, the assumptions, every price used with its source, reliability and as-of date, "
        "and the charts. The HTML file carries plotly inline and opens offline."
    )
    report = report_builder(result, readiness, rec, fx)  # built on the first click: a rerun never pays for it
    stem = f"costmodel-{result.as_of.isoformat()}"
    downloads = [
        ("Report (HTML)", lambda: report().html(), "report.html", "text/html", "dl_html"),
        ("Report (Markdown)", lambda: report().markdown(), "report.md", "text/markdown", "dl_md"),
        ("Line items (CSV)", lambda: report().line_items_csv(), "line-items.csv", "text/csv", "dl_csv"),
        ("Scenario (JSON)", lambda: report().scenario_json(), "scenario.json", "application/json", "dl_json"),
    ]
    for col, (label, data, suffix, mime, key) in zip(st.columns(len(downloads)), downloads, strict=True):
        col.download_button(label, data=data, file_name=f"{stem}-{suffix}", mime=mime, on_click="ignore", key=key)
