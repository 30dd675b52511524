"""Plotly figure builders for latency: distributions, and cost against latency with an SLA line.

Plain inputs in, figures out; no store, no Streamlit. Money arrives as ``Decimal`` and becomes a
float only here, for plotting.

The SLA check (:func:`sla_status`) is on p95 end-to-end latency. A path known only by a published
median is judged honestly: a median above the SLA breaks it (p95 >= p50), a median below it is
``unknown``, never "meets".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal, NamedTuple

import plotly.graph_objects as go

from costmodel.money import format_usd, to_float

__all__ = ["CostLatencyPoint", "box_figure", "cost_latency_figure", "ecdf_figure", "ecdf_points", "sla_status"]

SlaStatus = Literal["meets", "breaks", "unknown", "no_latency"]


class CostLatencyPoint(NamedTuple):
    """One path on the cost-vs-latency chart: ``("azure:gpt-4o-mini:ft", Decimal("812.40"), 930.0, "measured")``."""

    label: str
    monthly_cost: Decimal
    e2e_ms: float | None  # p95 E2E when measured; may be a published p50 estimate
    source: str  # "measured" | "reference" | "none"
    statistic: str = "p95"  # "p95" or "p50" (what e2e_ms is)


def sla_status(point: CostLatencyPoint, sla_ms: float) -> SlaStatus:
    """Whether a path meets a "p95 E2E under ``sla_ms``" SLA.

    >>> sla_status(CostLatencyPoint("a", Decimal(1), 900.0, "measured"), 1000)
    'meets'
    >>> sla_status(CostLatencyPoint("b", Decimal(1), 900.0, "reference", "p50"), 1000)
    'unknown'
    >>> sla_status(CostLatencyPoint("c", Decimal(1), 1200.0, "reference", "p50"), 1000)
    'breaks'
    """
    if point.e2e_ms is None:
        return "no_latency"
    if point.e2e_ms > sla_ms:
        return "breaks"
    return "meets" if point.statistic == "p95" else "unknown"


def ecdf_points(values: Sequence[float]) -> tuple[list[float], list[float]]:
    """Sorted values and their empirical CDF (i/n).

    >>> ecdf_points([3.0, 1.0, 2.0])
    ([1.0, 2.0, 3.0], [0.3333333333333333, 0.6666666666666666, 1.0])
    """
    xs = sorted(values)
    n = len(xs)
    return xs, [(i + 1) / n for i in range(n)]


def ecdf_figure(series: Mapping[str, Sequence[float]], *, metric: str = "TTFT (ms)") -> go.Figure:
    """One ECDF line per run (``{"run label": [ms, ...]}``)."""
    fig = go.Figure()
    for name, values in series.items():
        xs, ys = ecdf_points(values)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"shape": "hv"}, name=f"{name} (n={len(xs)})"))
    fig.update_layout(xaxis_title=metric, yaxis_title="share of successful requests", yaxis_range=[0, 1.02])
    return fig


def box_figure(series: Mapping[str, Sequence[float]], *, metric: str = "E2E (ms)") -> go.Figure:
    fig = go.Figure()
    for name, values in series.items():
        fig.add_trace(go.Box(y=list(values), name=name, boxpoints="outliers"))
    fig.update_layout(yaxis_title=metric, showlegend=False)
    return fig


_STYLE: dict[SlaStatus, dict[str, Any]] = {
    "meets": {"color": "#2a9d8f", "symbol": "circle"},
    "unknown": {"color": "#e9c46a", "symbol": "diamond"},
    "breaks": {"color": "#d62828", "symbol": "x"},
    "no_latency": {"color": "#999999", "symbol": "circle-open"},
}


def cost_latency_figure(points: Sequence[CostLatencyPoint | tuple[Any, ...]], *, sla_ms: float | None) -> go.Figure:
    """Monthly cost (y) against E2E latency (x), one marker per path, a vertical SLA line.

    Paths breaking the SLA are red crosses; measured and published figures are told apart in the
    hover text and the marker fill (open markers: published). Paths without any latency figure
    are listed in the title, not plotted at a made-up position.
    """
    pts = [p if isinstance(p, CostLatencyPoint) else CostLatencyPoint(*p) for p in points]
    fig = go.Figure()
    missing = [p.label for p in pts if p.e2e_ms is None]
    groups: dict[SlaStatus, list[CostLatencyPoint]] = {}
    for p in pts:
        if p.e2e_ms is None:
            continue
        status: SlaStatus = sla_status(p, sla_ms) if sla_ms is not None else "meets"
        groups.setdefault(status, []).append(p)
    names = {"meets": "meets SLA", "unknown": "SLA unknown (median only)", "breaks": "breaks SLA"}
    for status, group in groups.items():
        style = _STYLE[status]
        symbols = [style["symbol"] + ("-open" if p.source != "measured" and status != "breaks" else "") for p in group]
        fig.add_trace(
            go.Scatter(
                x=[p.e2e_ms for p in group],
                y=[to_float(p.monthly_cost) for p in group],
                mode="markers+text",
                text=[p.label for p in group],
                textposition="top center",
                marker={"color": style["color"], "symbol": symbols, "size": 13, "line": {"width": 2}},
                name=names.get(status, status) if sla_ms is not None else "paths",
                customdata=[
                    [
                        format_usd(p.monthly_cost),
                        p.source,
                        p.statistic + (" (estimate)" if p.source != "measured" else ""),
                    ]
                    for p in group
                ],
                hovertemplate="%{text}<br>%{customdata[0]} per month<br>E2E %{x:,.0f} ms, %{customdata[2]}"
                "<br>%{customdata[1]}<extra></extra>",
            )
        )
    if sla_ms is not None:
        fig.add_vline(x=sla_ms, line_dash="dash", line_color="#d62828", annotation_text=f"SLA p95 E2E {sla_ms:,.0f} ms")
    title = "Monthly cost against end-to-end latency"
    if missing:
        title += f" (no latency figure: {', '.join(missing)})"
    fig.update_layout(title=title, xaxis_title="E2E latency (ms)", yaxis_title="monthly cost (USD)")
    return fig
