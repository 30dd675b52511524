"""The availability timeline: every path's training and serving windows against the horizon (plotly).

:func:`availability_timeline` draws, per path, two bars on a date axis: when it can be trained
(fine-tuned paths) and when it can be served, clipped to the view from the as-of day to a little
after the horizon ends. A vertical line marks today (or the as-of day, when it is another day) and
another the end of the horizon. A window with no known end runs to the edge and says so; a path
whose lifecycle is unknown is drawn grey and labelled "unknown". :func:`timeline_rows` gives the
same facts as table rows for the report.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go

from costmodel.engine.availability import Availability, Bound
from costmodel.engine.scenario import ScenarioResult

__all__ = ["availability_timeline", "timeline_rows"]

_TRAIN = "#1f77b4"
_SERVE = "#2ca02c"
_ENDING = "#d62728"
_UNKNOWN = "#9e9e9e"
_STATUS_TEXT = {
    "available": "covers the horizon",
    "closes_within_horizon": "ends inside the horizon",
    "cannot_train_now": "cannot be trained now",
    "cannot_deploy_now": "cannot be deployed now",
    "retired": "retired",
    "unknown": "lifecycle unknown",
}


def _clip(start: Bound | None, end: Bound | None, lo: date, hi: date) -> tuple[date, date] | None:
    s = max(start.day, lo) if start is not None else lo
    e = min(end.day, hi) if end is not None else hi
    return (s, e) if e > s else None


def _end_text(end: Bound | None) -> str:
    if end is None:
        return "no announced end"
    src = end.source or "no source"
    return f"until {end.day} ({end.grade.value}{', base model' if end.inherited else ''}; {src})"


def availability_timeline(result: ScenarioResult, *, today: date | None = None) -> go.Figure:
    """Training and serving windows of every path in ``result``, with today's line and the horizon's end.

    ``today`` is the real date (injected; the line is labelled "today" when it is the as-of day,
    else the as-of day is labelled by its date).
    """
    avs: list[Availability] = [c.availability for c in result.costs if c.availability is not None]
    start = result.as_of
    horizon_end = avs[0].horizon_end if avs else start + timedelta(days=365)
    lo = start - timedelta(days=14)
    hi = horizon_end + timedelta(days=31)
    traces: list[dict[str, Any]] = []
    labels: list[str] = []
    for av in reversed(avs):  # first path at the top
        unknown = av.status == "unknown"
        rows: list[tuple[str, Bound | None, Bound | None, str]] = [
            ("serving", av.servable_from, av.servable_until, _SERVE)
        ]
        if av.fine_tuned:
            rows.insert(0, ("training", av.trainable_from, av.trainable_until, _TRAIN))
        for what, s, e, color in rows:
            y = f"{av.path} · {what}"
            labels.append(y)
            span = _clip(s, e, lo, hi)
            if span is None:
                traces.append(
                    {
                        "type": "scatter",
                        "x": [lo],
                        "y": [y],
                        "mode": "text",
                        "text": [f"  {what} ended {e.day}" if e is not None else f"  no {what} window"],
                        "textposition": "middle right",
                        "showlegend": False,
                        "hoverinfo": "skip",
                    }
                )
                continue
            ends_inside = e is not None and e.day < horizon_end
            traces.append(
                {
                    "type": "scatter",
                    "x": [span[0], span[1]],
                    "y": [y, y],
                    "mode": "lines",
                    "line": {"color": _UNKNOWN if unknown else (_ENDING if ends_inside else color), "width": 16},
                    "name": what,
                    "showlegend": False,
                    "hovertemplate": f"{av.path}<br>{what} {_end_text(e)}<br>{av.reason}<extra></extra>",
                }
            )
            end_label = (
                "lifecycle unknown"
                if unknown
                else (f"ends {e.day}" if e is not None and e.day <= hi else "no announced end")
            )
            inside = span[1] >= hi - timedelta(days=60)  # a bar that reaches the edge carries its label inside
            traces.append(
                {
                    "type": "scatter",
                    "x": [span[1]],
                    "y": [y],
                    "mode": "text",
                    "text": [f"{end_label} " if inside else f"  {end_label}"],
                    "textposition": "middle left" if inside else "middle right",
                    "textfont": {"color": "white" if inside else "#222", "size": 11},
                    "showlegend": False,
                    "hoverinfo": "skip",
                }
            )
    is_today = today is None or today == start
    near = today is not None and abs((today - start).days) < 45  # one line for both when they are this close
    shapes = [
        {"type": "line", "x0": start, "x1": start, "y0": 0, "y1": 1, "yref": "paper", "line": {"color": "black"}},
        {
            "type": "line",
            "x0": horizon_end,
            "x1": horizon_end,
            "y0": 0,
            "y1": 1,
            "yref": "paper",
            "line": {"color": "black", "dash": "dash"},
        },
    ]
    annotations: list[dict[str, Any]] = [
        {
            "x": start,
            "y": 1.0,
            "yref": "paper",
            "yanchor": "bottom",
            "text": "today" if is_today else f"as of {start}" + (f" (today {today})" if near else ""),
            "showarrow": False,
            "xanchor": "left",
        },
        {
            "x": horizon_end,
            "y": 1.0,
            "yref": "paper",
            "yanchor": "bottom",
            "text": f"horizon ends {horizon_end}",
            "showarrow": False,
            "xanchor": "right",
        },
        {
            "x": 0,
            "y": 0,
            "xref": "paper",
            "yref": "paper",
            "yanchor": "top",
            "xanchor": "left",
            "yshift": -28,
            "text": "blue: training, green: serving, red: ends inside the horizon, grey: lifecycle unknown",
            "showarrow": False,
            "font": {"size": 11, "color": "#555"},
        },
    ]
    if today is not None and not is_today and not near and lo <= today <= hi:
        shapes.append(
            {"type": "line", "x0": today, "x1": today, "y0": 0, "y1": 1, "yref": "paper", "line": {"color": "grey"}}
        )
        annotations.append(
            {"x": today, "y": 1.0, "yref": "paper", "yanchor": "bottom", "text": "today", "showarrow": False}
        )
    layout = {
        "title": {"text": "Availability: when each path can be trained and served"},
        "xaxis": {"type": "date", "range": [lo, hi]},
        "yaxis": {"categoryorder": "array", "categoryarray": labels, "automargin": True},
        "shapes": shapes,
        "annotations": annotations,
        "height": 160 + 36 * len(labels),
        "margin": {"t": 80, "b": 60},
    }
    return go.Figure({"data": traces, "layout": layout})


def timeline_rows(result: ScenarioResult) -> list[dict[str, str]]:
    """One row per path: status, training and serving ends, months served, grade and source."""
    out: list[dict[str, str]] = []
    for c in result.costs:
        av = c.availability
        if av is None:
            continue
        out.append(
            {
                "path": av.path,
                "status": _STATUS_TEXT[av.status] + (f" ({av.status_date})" if av.status_date else ""),
                "training ends": (str(av.trainable_until.day) if av.trainable_until else "no announced end")
                if av.fine_tuned
                else "n/a",
                "serving ends": str(av.servable_until.day) if av.servable_until else "no announced end",
                "months served": f"{av.serving_months.normalize():f} of {av.horizon_months}",
                "grade": av.grade.value if av.grade else "none",
                "source": av.source or "",
            }
        )
    return out
