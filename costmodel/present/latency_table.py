"""The Decision page's latency table: one row of text per path, and why a cell is empty.

A figure that is not known is shown as an em dash (``—``), never as ``None`` or ``0``, and the
table comes with one note per path that has a dash, saying why (no published figure at all, a
published median without a p95, a run that recorded no time to first token ...). Pure: it takes
:class:`~costmodel.latency.paths.PathLatency` results and returns strings, so the page draws it as
a Markdown table (no pandas or pyarrow on the first screen).

>>> from costmodel.latency.paths import PathLatency, PathQuery
>>> lat = PathLatency(path=PathQuery(provider="openai", model="gpt-4o"), source="reference",
...                   ttft_ms_p50=500.4, e2e_ms_p50=3000.0, statistic="median")
>>> table = latency_table([lat])
>>> table.rows[0]["TTFT p50 ms"], table.rows[0]["E2E p95 ms"]
('500', '—')
>>> table.notes
['No E2E p95 ms for openai:gpt-4o:base: the published figure is a median; a p95 needs a measured run.']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from costmodel.latency.paths import PathLatency

__all__ = ["COLUMNS", "EMPTY", "LatencyTable", "latency_table"]

EMPTY = "—"  # an unknown figure (the notes say why)
COLUMNS = ("path", "latency from", "TTFT p50 ms", "E2E p50 ms", "E2E p95 ms", "E2E estimated", "reliability", "basis")
_FIGURES = (("TTFT p50 ms", "ttft_ms_p50"), ("E2E p50 ms", "e2e_ms_p50"), ("E2E p95 ms", "e2e_ms_p95"))


@dataclass(frozen=True)
class LatencyTable:
    """Rows of text keyed by :data:`COLUMNS`, and one note per reason for empty cells (naming the paths)."""

    rows: list[dict[str, str]]
    notes: list[str]


def _ms(value: float | None) -> str:
    return EMPTY if value is None else f"{round(value):,}"


def _why(lat: PathLatency, column: str) -> str:
    """Why ``column`` is unknown for ``lat``."""
    if lat.source == "none":
        return lat.detail or "no stored run and no published figure for this path"
    if lat.source == "reference":
        if column.startswith("E2E p95"):
            return "the published figure is a median; a p95 needs a measured run"
        if column.startswith("TTFT"):
            return "the published source gives no time to first token"
        return "the published source gives neither an end-to-end time nor an output speed to derive it from"
    return "the measured run recorded no such figure (no successful streamed request)"


def latency_table(latencies: Sequence[PathLatency], labels: Sequence[str] | None = None) -> LatencyTable:
    """The table of ``latencies`` (``labels`` overrides each row's path label, e.g. the cost path's)."""
    names = list(labels) if labels is not None else [lat.path.label for lat in latencies]
    if len(names) != len(latencies):
        raise ValueError(f"{len(names)} labels for {len(latencies)} latencies")
    rows: list[dict[str, str]] = []
    missing: dict[tuple[str, str], list[str]] = {}  # (column, reason) -> paths, in order
    for name, lat in zip(names, latencies, strict=True):
        row = {"path": name, "latency from": lat.label}
        for column, attr in _FIGURES:
            row[column] = _ms(getattr(lat, attr))
        known = lat.e2e_ms_p50 is not None or lat.e2e_ms_p95 is not None
        row["E2E estimated"] = ("yes" if lat.e2e_estimated else "no") if known else EMPTY
        if lat.reliability is not None:
            row["reliability"] = lat.reliability.value.replace("_", " ")
        else:
            row["reliability"] = "own measurement" if lat.source == "measured" else EMPTY
        row["basis"] = lat.statistic or EMPTY
        rows.append(row)
        if lat.source == "none":
            missing.setdefault(("figures", _why(lat, "")), []).append(name)
            continue
        for column, attr in _FIGURES:
            if getattr(lat, attr) is None:
                missing.setdefault((column, _why(lat, column)), []).append(name)
    notes = [f"No {what} for {', '.join(paths)}: {why}." for (what, why), paths in missing.items()]
    return LatencyTable(rows=rows, notes=notes)
