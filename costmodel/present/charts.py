"""Plotly figure builders: plain functions from engine results to figures (unit-tested).

This is the plotting edge: money is turned into floats here and nowhere else in the app. Every
coefficient comes from the engine (:func:`costmodel.engine.usage.linear_cost`,
:func:`costmodel.engine.sweep.coefficients`, :func:`costmodel.engine.sweep.breakeven_grid`); the builders only
evaluate those straight lines at the points they draw. A break-even that never happens is drawn as
a labelled "never" cell or note, never as a silent gap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from costmodel.engine.breakeven import describe_duration
from costmodel.engine.scenario import ScenarioResult, cost_curve
from costmodel.engine.shapes import PiecewiseCost
from costmodel.engine.usage import LinearCost, PathSpec, as_path, linear_cost
from costmodel.present.decision import format_tokens
from costmodel.prices import Catalog, Reliability, lowest_reliability

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

# numpy (and the sweep built on it) is imported by the heatmap only: the Decision page's charts are
# plain Python lists, so its first screen does not pay numpy's import (about 0.1 s, more under load).

__all__ = [
    "UNCONFIRMED_NOTE",
    "breakeven_heatmap",
    "cost_vs_traffic",
    "cumulative_cost",
    "line_items_bar",
    "token_histogram",
]

UNCONFIRMED_NOTE = "rests on an unconfirmed price"
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
# No template here: building plotly's named templates costs tens of ms a figure, and the dashboard
# applies Streamlit's theme anyway. The report sets a template on its own copies (costmodel.present.report).
_LAYOUT = {"margin": {"l": 60, "r": 20, "t": 60, "b": 50}, "height": 420}


def _decades(log: bool) -> dict[str, Any]:
    """On a log axis, label whole decades only: plotly's default minor labels ("2", "5") read as amounts."""
    return {"dtick": 1} if log else {}


def _title(text: str, grade: Reliability) -> str:
    return f"{text} ({UNCONFIRMED_NOTE})" if grade == Reliability.UNCONFIRMED else text


def _short(path: PathSpec | str) -> str:
    p = as_path(path)
    return f"{p.provider.value} {p.model} {p.method or ('ft' if p.fine_tuned else 'base')}"


def _lines(result: ScenarioResult) -> dict[str, LinearCost]:
    traffic = result.scenario.traffic
    return {c.path.label: linear_cost(c, traffic) for c in result.costs}


def _figure(traces: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A figure from plain dicts, not validated here: ``st.plotly_chart`` validates every figure it
    draws (and the unit tests validate each builder's output), so validating twice on every rerun
    would only cost time."""
    return go.Figure({"data": traces, "layout": {**_LAYOUT, **layout}}, _validate=False)


def _curves(result: ScenarioResult) -> dict[str, PiecewiseCost]:
    """Each path's hourly cost against traffic: a staircase for capacity paths (the engine's curve)."""
    traffic = result.scenario.traffic
    up_to = result.traffic_range_units_per_hour or traffic.units_per_hour * 20
    return {c.path.label: cost_curve(c, traffic, up_to=up_to) for c in result.costs}


def _monthly_on(
    curve: PiecewiseCost, tokens_per_hour: Sequence[float], tokens_per_unit: float, hours: float
) -> list[float]:
    return [hours * float(curve.at(Decimal(repr(float(t / tokens_per_unit))))) for t in tokens_per_hour]


def _linspace(start: float, stop: float, n: int) -> list[float]:
    """``n`` evenly spaced values from ``start`` to ``stop``, both included (``numpy.linspace``)."""
    if n == 1:
        return [start]
    step = (stop - start) / (n - 1)
    return [start + i * step for i in range(n - 1)] + [stop]


def _geomspace(start: float, stop: float, n: int) -> list[float]:
    """``n`` values evenly spaced on a log scale from ``start`` to ``stop``, both included (``numpy.geomspace``)."""
    if n == 1:
        return [start]
    lo, hi = math.log(start), math.log(stop)
    return [start] + [math.exp(lo + (hi - lo) * i / (n - 1)) for i in range(1, n - 1)] + [stop]


def _points(curve: PiecewiseCost, x: list[float], tpu: float, hours: float) -> tuple[list[float], list[float]]:
    """The curve at the grid ``x`` (tokens per hour), plus both ends of every step inside it.

    A step is drawn as two points at the same traffic (the cost just below and just above), so
    the rise is vertical; each end is evaluated on its own segment's formula.
    """
    ys = _monthly_on(curve, x, tpu, hours)
    if len(curve.segments) == 1:
        return x, ys
    px, py = list(map(float, x)), list(map(float, ys))
    for left, right in zip(curve.segments, curve.segments[1:], strict=False):
        b = left.hi
        if b is None:
            continue
        bx = float(b) * tpu
        if x[0] < bx < x[-1]:
            px += [bx, bx]
            py += [hours * float(left.at(b)), hours * float(right.at(b))]
    order = sorted(range(len(px)), key=lambda k: (px[k], py[k]))
    return [px[k] for k in order], [py[k] for k in order]


def cost_vs_traffic(result: ScenarioResult, *, log_x: bool = True, points: int = 80) -> go.Figure:
    """Monthly cost of every path against traffic (workload tokens per hour), break-evens marked.

    The x axis is the traffic of the short prompt plus the output (the same axis as
    :attr:`BreakEven.tokens_per_hour`); a base path's few-shot tokens are in its cost, not in x.
    Capacity-priced paths (provisioned units, dedicated GPUs, self-hosted instances) are drawn as
    staircases: a vertical rise where one more unit is needed. Every crossing is marked.
    ``log_x`` draws both axes on a log scale.
    """
    traffic = result.scenario.traffic
    tpu = float(traffic.workload_tokens_per_unit)
    hours = float(traffic.hours_per_month)
    current = float(traffic.units_per_hour) * tpu
    crossings = [be for be in result.breakevens if be.status == "crosses" and be.tokens_per_hour is not None]
    every = [x for c in result.crossings for x in c.crossings]
    marks = [current] + [float(be.tokens_per_hour or 0) for be in crossings] + [float(x.tokens_per_hour) for x in every]
    lo, hi = min(marks), max(marks)
    top = hi * 20
    if result.traffic_range_units_per_hour is not None:  # staircases are defined up to this traffic
        top = min(top, float(result.traffic_range_units_per_hour) * tpu)
    x = _geomspace(max(lo / 20, 1.0), top, points) if log_x else _linspace(0.0, min(hi * 1.6, top), points)
    curves = _curves(result)
    # Traffic as each path really processes it: a base path's prompt also carries the few-shot examples.
    processed = {
        c.path.label: float(c.input_tokens_per_unit + c.output_tokens_per_unit) / tpu if tpu else 1.0
        for c in result.costs
    }
    traces: list[dict[str, Any]] = []
    for i, (label, curve) in enumerate(curves.items()):
        xs, ys = _points(curve, x, tpu, hours)
        ratio = processed.get(label, 1.0)
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "customdata": [v * ratio for v in xs],
                "mode": "lines",
                "name": label + (" (steps)" if len(curve.segments) > 1 else ""),
                "line": {"color": _COLORS[i % len(_COLORS)], "width": 2},
                "hovertemplate": "%{x:,.0f} workload tokens/h; this path processes %{customdata:,.0f} tokens/h"
                + (" (few-shot included)" if ratio != 1.0 else "")
                + "<br>$%{y:,.2f} a month<extra>"
                + label
                + "</extra>",
            }
        )
    marked = {(be.path_a, be.path_b) for be in crossings}
    for pair in result.crossings:
        for xing in pair.crossings:
            if (pair.path_a, pair.path_b) in marked and xing is pair.crossings[0]:
                continue  # drawn below with the break-even label
            bx = float(xing.tokens_per_hour)
            if not x[0] <= bx <= x[-1]:
                continue
            traces.append(
                {
                    "type": "scatter",
                    "x": [bx],
                    "y": [hours * float(max(xing.cost_a, xing.cost_b))],
                    "mode": "markers",
                    "marker": {"symbol": "x-thin-open" if xing.kind == "step" else "x", "size": 10, "color": "black"},
                    "name": f"{xing.kind} crossing {pair.path_a} / {pair.path_b}",
                    "showlegend": False,
                    "hovertemplate": f"{xing.cheaper_below} -> {xing.cheaper_above}<br>%{{x:,.0f}} tokens/h"
                    "<extra></extra>",
                }
            )
    for be in crossings:
        bx = float(be.tokens_per_hour or 0)
        by = _monthly_on(curves[be.path_a.label], [bx], tpu, hours)[0]
        text = f"{_short(be.path_a)} = {_short(be.path_b)}<br>{format_tokens(be.tokens_per_hour or Decimal(0))} tok/h"
        traces.append(
            {
                "type": "scatter",
                "x": [bx],
                "y": [by],
                "mode": "markers+text",
                "marker": {"symbol": "x", "size": 12, "color": "black"},
                "text": [text],
                "textposition": "top left",
                "name": f"break-even {be.path_a.label} = {be.path_b.label}",
                "showlegend": False,
                "hovertemplate": f"{be.path_a.label} = {be.path_b.label}<br>%{{x:,.0f}} tokens/h<br>"
                "$%{y:,.2f} a month<extra></extra>",
            }
        )
    grade = lowest_reliability([*(c.reliability for c in result.costs), *(be.reliability for be in crossings)])
    layout = {
        "title": {"text": _title("Monthly cost against traffic", grade)},
        "xaxis": {
            "title": {
                "text": "traffic (tokens per hour: short prompt + output"
                + ("; base paths also process their few-shot tokens, see hover)" if traffic.few_shot_tokens else ")")
            },
            "type": "log" if log_x else "linear",
            **_decades(log_x),
        },
        "yaxis": {
            "title": {"text": "USD per month"},
            "type": "log" if log_x else "linear",
            "tickprefix": "$",
            **_decades(log_x),
        },
        "legend": {"orientation": "h", "y": -0.2},
        "shapes": [
            {
                "type": "line",
                "x0": current,
                "x1": current,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"dash": "dot", "color": "grey"},
            }
        ],
        "annotations": [
            {
                "x": math.log10(current) if log_x else current,
                "y": 1.0,
                "yref": "paper",
                "text": f"your traffic: {format_tokens(Decimal(round(current)))} tok/h",
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"size": 11, "color": "grey"},
            }
        ],
    }
    return _figure(traces, layout)


def cumulative_cost(result: ScenarioResult) -> go.Figure:
    """Cumulative cost of every path over the horizon (training up front), payback months marked."""
    traffic = result.scenario.traffic
    horizon = result.scenario.horizon_months
    hours_per_month = traffic.hours_per_month
    units = traffic.units_per_hour
    months = list(range(horizon + 1))
    lines = _lines(result)
    unknown = {c.path.label for c in result.costs if c.training is not None and c.training_total is None}
    served = {c.path.label: c.serving_months for c in result.costs if c.serving_months is not None}
    traces: list[dict[str, Any]] = []
    for i, (label, line) in enumerate(lines.items()):
        # a path that stops serving inside the horizon (availability in time) stops there
        until = served.get(label)
        xs: list[float] = [float(m) for m in months if until is None or m <= until]
        if until is not None and (not xs or xs[-1] < float(until)):
            xs.append(float(until))
        name = label + (" (training price unknown, not included)" if label in unknown else "")
        if until is not None:
            name += f" (serves {float(until):.1f} of {horizon} months)"
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": [float(line.cumulative(hours_per_month * Decimal(str(x)), units)) for x in xs],
                "mode": "lines",
                "name": name,
                "line": {"color": _COLORS[i % len(_COLORS)], "width": 2},
                "hovertemplate": "month %{x}<br>$%{y:,.2f} so far<extra>" + label + "</extra>",
            }
        )
    notes: list[str] = []
    for pb in result.paybacks:
        if pb.status == "pays_back" and pb.within_horizon and pb.months is not None and pb.hours is not None:
            traces.append(
                {
                    "type": "scatter",
                    "x": [float(pb.months)],
                    "y": [float(lines[pb.fine_tuned.label].cumulative(pb.hours, units))],
                    "mode": "markers+text",
                    "marker": {"symbol": "star", "size": 14, "color": "black"},
                    "text": [f"payback after {describe_duration(pb.hours, hours_per_month)}"],
                    "textposition": "bottom right",
                    "showlegend": False,
                    "name": f"payback {pb.fine_tuned.label} vs {pb.base.label}",
                    "hovertemplate": f"{pb.fine_tuned.label} pays back against {pb.base.label}<extra></extra>",
                }
            )
        elif pb.status == "pays_back" and pb.hours is not None:
            notes.append(
                f"{pb.fine_tuned.label} pays back against {pb.base.label} after "
                f"{describe_duration(pb.hours, hours_per_month)}, beyond the horizon"
            )
        elif pb.status == "never_cheaper":
            notes.append(f"{pb.fine_tuned.label} never pays back against {pb.base.label} at this traffic")
        else:
            notes.append(f"{pb.fine_tuned.label} is cheaper than {pb.base.label} from the first hour")
    grade = lowest_reliability(c.reliability for c in result.costs)
    layout = {
        "title": {"text": _title(f"Cumulative cost over {horizon} months at your traffic", grade)},
        "xaxis": {"title": {"text": "months"}, "range": [0, horizon]},
        "yaxis": {"title": {"text": "USD so far"}, "tickprefix": "$"},
        "legend": {"orientation": "h", "y": -0.2},
        "annotations": [
            {
                "x": 0,
                "y": 1 - 0.07 * k,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "top",
                "text": note,
                "showarrow": False,
                "font": {"size": 11},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
            for k, note in enumerate(notes)
        ],
    }
    return _figure(traces, layout)


def line_items_bar(result: ScenarioResult) -> go.Figure:
    """Each path's monthly cost as a stacked bar of its line items."""
    labels = [c.path.label for c in result.costs]
    names: list[str] = []
    for c in result.costs:
        for item in c.monthly.items:
            if item.name not in names:
                names.append(item.name)
    fig = go.Figure()
    for name in names:
        y = []
        for c in result.costs:
            match = [i for i in c.monthly.items if i.name == name]
            y.append(sum(float(i.cost or 0) for i in match) if match else None)
        fig.add_trace(go.Bar(x=labels, y=y, name=name, hovertemplate="%{x}<br>" + name + ": $%{y:,.2f}<extra></extra>"))
    grade = lowest_reliability(c.monthly.reliability for c in result.costs)
    fig.update_layout(
        **_LAYOUT,
        barmode="stack",
        title=_title("Monthly cost by line item", grade),
        yaxis={"title": "USD per month", "tickprefix": "$"},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


def _fee_axis(current: float) -> np.ndarray:
    import numpy as np

    top = max(2.0 * current, 5.0)
    fees: np.ndarray = np.linspace(0.0, top, 21)
    return fees


def breakeven_heatmap(
    catalog: Catalog,
    result: ScenarioResult,
    pair: tuple[PathSpec | str, PathSpec | str],
    *,
    input_shares: Sequence[float] | None = None,
    fees: Sequence[float] | None = None,
) -> go.Figure:
    """Break-even traffic of ``pair`` against the input share of the traffic and B's hosting fee.

    Cells where the paths never cross are drawn in grey and say who is always cheaper. The
    coefficients come from :func:`costmodel.engine.sweep.coefficients` at the scenario's cached share,
    batch share and hosting schedule; B's fixed cost per hour is replaced by each fee on the y axis.
    """
    import numpy as np

    from costmodel.engine.sweep import (
        A_ALWAYS_CHEAPER,
        B_ALWAYS_CHEAPER,
        CROSSES,
        SAME_COST,
        breakeven_grid,
        coefficients,
    )

    traffic = result.scenario.traffic
    spec_a, spec_b = as_path(pair[0], field="pair"), as_path(pair[1], field="pair")
    label_a, label_b = spec_a.label, spec_b.label
    a, b = (
        coefficients(
            catalog,
            spec,
            as_of=result.as_of,
            cached_share=traffic.cached_share,
            batch_share=traffic.batch_share,
            hosted_hours_per_month=traffic.hosted_hours_per_month,
            hours_per_month=traffic.hours_per_month,
        )
        for spec in (spec_a, spec_b)
    )
    shares = np.asarray(input_shares if input_shares is not None else np.linspace(0.05, 0.95, 19), dtype=float)
    fee_axis = np.asarray(fees if fees is not None else _fee_axis(b.fixed_per_hour), dtype=float)
    grid = breakeven_grid(a, b, shares, fee_axis)
    # rows: fees (y); columns: input shares (x)
    t = grid.tokens_per_hour.T
    status = grid.status.T
    crossing = status == CROSSES
    z_cross = np.where(crossing, np.log10(np.where(crossing & (t > 0), t, 1.0)), np.nan)
    meaning = {
        A_ALWAYS_CHEAPER: f"never: {label_a} always cheaper",
        B_ALWAYS_CHEAPER: f"never: {label_b} always cheaper",
        SAME_COST: "never: same cost",
    }
    text = [
        [
            format_tokens(Decimal(str(round(float(t[i, j]))))) + " tok/h"
            if status[i, j] == CROSSES
            else meaning[int(status[i, j])]
            for j in range(t.shape[1])
        ]
        for i in range(t.shape[0])
    ]
    finite = z_cross[np.isfinite(z_cross)]
    ticks = list(range(math.floor(finite.min()), math.ceil(finite.max()) + 1)) if finite.size else []
    tick_text = [format_tokens(Decimal(10) ** v) for v in ticks]
    never_code = np.where(crossing, np.nan, status.astype(float))
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            x=shares,
            y=fee_axis,
            z=z_cross.tolist(),
            text=text,
            hovertemplate="input share %{x:.0%}<br>B fee $%{y:.2f}/h<br>break-even %{text}<extra></extra>",
            colorscale="Viridis",
            colorbar={"title": "break-even<br>tokens/h", "tickvals": ticks, "ticktext": tick_text},
            name="break-even",
        )
    )
    fig.add_trace(
        go.Heatmap(
            x=shares,
            y=fee_axis,
            z=never_code.tolist(),
            text=text,
            hovertemplate="input share %{x:.0%}<br>B fee $%{y:.2f}/h<br>%{text}<extra></extra>",
            colorscale=[[0.0, "#d9d9d9"], [1.0, "#8c8c8c"]],
            zmin=A_ALWAYS_CHEAPER,
            zmax=SAME_COST,
            showscale=False,
            name="never",
        )
    )
    share_now = float(traffic.shape(few_shot=False)[0] / traffic.workload_tokens_per_unit)
    fig.add_trace(
        go.Scatter(
            x=[share_now],
            y=[b.fixed_per_hour],
            mode="markers+text",
            marker={"symbol": "circle-open", "size": 14, "color": "red", "line": {"width": 3}},
            text=["your scenario"],
            textposition="top center",
            showlegend=False,
            name="your scenario",
        )
    )
    counts = {code: int((status == code).sum()) for code in (A_ALWAYS_CHEAPER, B_ALWAYS_CHEAPER, SAME_COST)}
    never = [f"{n} cells {meaning[code].removeprefix('never: ')}" for code, n in counts.items() if n]
    subtitle = ("grey: the lines never cross (" + "; ".join(never) + ")") if never else "the lines cross in every cell"
    grade = lowest_reliability([result.cost_of(spec_a).reliability, result.cost_of(spec_b).reliability])
    fig.update_layout(
        **_LAYOUT,
        title=_title(f"Break-even traffic: A = {label_a} vs B = {label_b}<br><sup>{subtitle}</sup>", grade),
        xaxis={"title": "input share of the traffic's tokens", "tickformat": ".0%"},
        yaxis={"title": "B's fixed cost (hosting) per hour", "tickprefix": "$"},
    )
    return fig


def _corner_note(text: str, color: str | None = None) -> dict[str, Any]:
    """A small note in the top-right corner of the plot area."""
    font: dict[str, Any] = {"size": 11}
    if color is not None:
        font["color"] = color
    return {
        "x": 1.0,
        "xref": "paper",
        "y": 1.0,
        "yref": "paper",
        "text": text,
        "showarrow": False,
        "xanchor": "right",
        "yanchor": "bottom",
        "font": font,
    }


def token_histogram(
    per_example_tokens: Sequence[int], training_context_tokens: int | None, *, title: str = "Tokens per example"
) -> go.Figure:
    """Distribution of tokens per training example, the model's training context marked.

    When the context is far beyond the longest example (more than 1.5 times), drawing it to scale
    would squash the histogram into one bar: the context is then stated in a note instead.
    """
    values = list(per_example_tokens)
    longest = max(values, default=0)
    over = sum(1 for v in values if training_context_tokens is not None and v > training_context_tokens)
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    if training_context_tokens is not None:
        label = f"training context {training_context_tokens:,} tokens ({over} over)"
        if training_context_tokens <= 1.5 * longest:
            shapes.append(
                {
                    "type": "line",
                    "x0": training_context_tokens,
                    "x1": training_context_tokens,
                    "y0": 0,
                    "y1": 1,
                    "yref": "paper",
                    "line": {"dash": "dash", "color": "red"},
                }
            )
            annotations.append(
                {
                    "x": training_context_tokens,
                    "y": 1.0,
                    "yref": "paper",
                    "text": label,
                    "showarrow": False,
                    "xanchor": "right",
                    "yanchor": "bottom",
                    "font": {"color": "red", "size": 11},
                }
            )
        else:
            annotations.append(
                _corner_note(f"{label}: far right of this range, every example fits (longest {longest:,})", "red")
            )
    else:
        annotations.append(_corner_note("training context unknown for this model"))
    trace = {"type": "histogram", "x": values, "nbinsx": 40, "name": "examples", "marker": {"color": _COLORS[0]}}
    layout = {
        "title": {"text": title},
        "xaxis": {"title": {"text": "tokens per example"}},
        "yaxis": {"title": {"text": "examples"}},
        "showlegend": False,
        "shapes": shapes,
        "annotations": annotations,
    }
    return _figure([trace], layout)
