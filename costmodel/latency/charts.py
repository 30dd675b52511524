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
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import urlsplit

import plotly.graph_objects as go

from costmodel.money import format_usd, to_float

if TYPE_CHECKING:
    from costmodel.latency.sweep import SweepOutcome

__all__ = [
    "CostLatencyPoint",
    "box_figure",
    "cost_latency_figure",
    "ecdf_figure",
    "ecdf_points",
    "endpoint_label",
    "sla_status",
    "sweep_figure",
]

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


_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "0.0.0.0")


def endpoint_label(url: str, kind: str = "openai") -> str:
    """Where a run went, in words; a local server is called one whatever path it was tagged with.

    >>> endpoint_label("http://127.0.0.1:8055/v1")
    'local server 127.0.0.1:8055'
    >>> endpoint_label("https://api.openai.com/v1")
    'OpenAI API'
    >>> endpoint_label("https://acme.openai.azure.com/openai/deployments/d", "azure")
    'Azure OpenAI acme.openai.azure.com'
    """
    parts = urlsplit(url)
    host = parts.hostname or url
    if host in _LOCAL_HOSTS or host.startswith("127.") or host.endswith(".local"):
        return f"local server {parts.netloc or host}"
    if kind == "azure":
        return f"Azure OpenAI {host}"
    if host == "api.openai.com":
        return "OpenAI API"
    return f"OpenAI-compatible server {host}"


_SWEEP_METRICS = {
    "ttft": ("ttft_p50_ms", "ttft_p95_ms", "TTFT"),
    "tpot": ("tpot_p50_ms", "tpot_p95_ms", "TPOT"),
    "e2el": ("e2e_p50_ms", "e2e_p95_ms", "E2E"),
}


def sweep_figure(outcome: SweepOutcome, *, metric: str | None = None) -> go.Figure:
    """Latency against offered rate: p50 and p95 per step, the objective's limit (dashed), the
    goodput (green vertical line) and the saturation point (grey), steps that met the objective
    filled, the others open."""
    name = metric or next(iter(outcome.objective.limits_ms))
    p50_field, p95_field, label = _SWEEP_METRICS[name]
    steps = sorted(outcome.steps, key=lambda s: s.rate_rps)
    fig = go.Figure()
    for field, stat, dash in ((p50_field, "p50", "dot"), (p95_field, "p95", "solid")):
        pts = [(s.rate_rps, getattr(s, field), s.meets_objective) for s in steps if getattr(s, field) is not None]
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in pts],
                y=[p[1] for p in pts],
                mode="lines+markers",
                name=f"{label} {stat}",
                line={"dash": dash},
                marker={"symbol": ["circle" if p[2] else "circle-open" for p in pts], "size": 9},
                hovertemplate="%{x:.3g} req/s offered<br>" + f"{label} {stat} " + "%{y:,.0f} ms<extra></extra>",
            )
        )
    limit = outcome.objective.limits_ms.get(name)  # type: ignore[call-overload]
    if limit is not None:
        fig.add_hline(
            y=limit,
            line_dash="dash",
            line_color="#d62828",
            annotation_text=f"objective {label} <= {limit:g} ms for {outcome.objective.percentile:g}%",
        )
    if outcome.goodput_rps is not None:
        fig.add_vline(
            x=outcome.goodput_rps,
            line_color="#2a9d8f",
            annotation_text=f"goodput {outcome.goodput_rps:.3g} req/s",
            annotation_position="top left",
        )
    if outcome.saturation_rps is not None:
        fig.add_vline(
            x=outcome.saturation_rps,
            line_color="#888888",
            line_dash="dot",
            annotation_text=f"saturation {outcome.saturation_rps:.3g} req/s",
            annotation_position="bottom right",
        )
    fig.update_layout(
        title=f"{label} against request rate" + ("" if outcome.goodput_rps is not None else " (objective never met)"),
        xaxis_title="offered rate (requests/s, Poisson arrivals)",
        yaxis_title=f"{label} (ms)",
    )
    return fig
