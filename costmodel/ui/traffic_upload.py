"""What-if: import the traffic from a usage log (the same importer as ``costmodel traffic import``).

The uploaded file goes through :func:`costmodel.traffic.reader.import_traffic` (line by line,
malformed records reported by line and skipped). The page shows what the log says (requests a
day, token means and p95, cached share, peak-to-average) and, on a button, applies it to the
scenario through :func:`traffic_changes`: requests per day, input and output tokens per request
(the means, rounded) and the cached share (whole percent). The peak-to-average factor is shown
for sizing capacity-priced paths; the dashboard has no peak input, so it is not applied (the CLI
takes it as ``--peak-factor``).
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from costmodel.errors import CostmodelError
from costmodel.ui import state

if TYPE_CHECKING:
    from costmodel.traffic.profile import TrafficProfile
    from costmodel.traffic.reader import ImportResult

__all__ = ["render_traffic_upload", "traffic_changes", "traffic_rows"]

_RESULT = "_traffic_import"  # session key: (digest, format, ImportResult | error text)


def traffic_changes(profile: TrafficProfile) -> dict[str, Any]:
    """The scenario inputs the log sets: means rounded to whole tokens, cached share to whole percent.

    A log without timestamps has no requests per day: the current value is kept (not in the result).

    >>> from decimal import Decimal
    >>> from costmodel.traffic.profile import Distribution, TrafficProfile
    >>> d = Distribution(mean=249.6, p50=250, p95=400, max=400)
    >>> p = TrafficProfile(source="x", format="csv", requests=8, days=2, first_utc=None, last_utc=None,
    ...     requests_per_day=Decimal("4"), input_tokens=d, cached_tokens=d, output_tokens=d,
    ...     cached_share=Decimal("0.205"), hourly_share=None, peak_to_average=None, samples=())
    >>> traffic_changes(p)
    {'requests_per_day': 4, 'input_tokens': 250, 'output_tokens': 250, 'cached_pct': 20}
    """
    changes: dict[str, Any] = {}
    if profile.requests_per_day is not None:
        changes["requests_per_day"] = max(1, round(profile.requests_per_day))
    changes["input_tokens"] = round(profile.input_tokens.mean)
    changes["output_tokens"] = round(profile.output_tokens.mean)
    changes["cached_pct"] = round(profile.cached_share * 100)
    return changes


def _num(value: float | None, digits: int = 1) -> str:
    return "unknown" if value is None else f"{value:,.{digits}f}"


def traffic_rows(profile: TrafficProfile) -> list[dict[str, str]]:
    """The imported figures as a table (text cells, so unknown stays 'unknown', never 0)."""
    days = f" over {profile.days} UTC days" if profile.days else ""
    rpd = None if profile.requests_per_day is None else float(profile.requests_per_day)
    rows = [
        {"figure": "Requests", "value": f"{profile.requests:,}{days}"},
        {"figure": "Requests per day", "value": _num(rpd)},
    ]
    for name, dist in (
        ("Input tokens per request", profile.input_tokens),
        ("Cached input tokens per request", profile.cached_tokens),
        ("Output tokens per request", profile.output_tokens),
    ):
        rows.append({"figure": name, "value": f"mean {_num(dist.mean)}, p95 {_num(dist.p95, 0)}"})
    rows.append({"figure": "Cached share of input tokens", "value": f"{float(profile.cached_share):.1%}"})
    rows.append({"figure": "Peak-to-average (busiest hour)", "value": _num(profile.peak_to_average, 2)})
    return rows


def _import(name: str, data: bytes, fmt: str) -> ImportResult:
    """Run the importer on the upload (written to a private temporary file under its own name)."""
    from costmodel.traffic.reader import import_traffic

    with tempfile.TemporaryDirectory(prefix="costmodel-traffic-") as tmp:
        path = Path(tmp) / (Path(name).name or "upload.jsonl")
        path.write_bytes(data)
        return import_traffic(path, fmt)


def _apply() -> None:
    stored = st.session_state.get(_RESULT)
    if stored is None or isinstance(stored[2], str):
        return
    if state.set_fields(**traffic_changes(stored[2].profile)):
        st.session_state["_traffic_applied"] = stored[2].profile.source


def render_traffic_upload() -> None:
    """The uploader, the imported figures, malformed lines, and the Apply button."""
    from costmodel.traffic.records import FORMATS

    with st.expander("Import traffic from a usage log", expanded=False):
        st.caption(
            "An OpenAI usage or Batch output file, OpenTelemetry GenAI spans (JSON lines), a LiteLLM spend log, or a "
            "CSV with timestamp and token columns (.gz accepted); the same importer as 'costmodel traffic import'."
        )
        fmt = st.selectbox("Format", list(FORMATS), key="traffic_format")
        upload = st.file_uploader("Usage log", type=["jsonl", "json", "csv", "gz", "ndjson", "log"], key="traffic_file")
        if upload is None:
            st.session_state.pop(_RESULT, None)
            return
        data = upload.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        stored = st.session_state.get(_RESULT)
        if stored is None or stored[:2] != (digest, fmt):
            try:
                outcome: ImportResult | str = _import(upload.name, data, fmt)
            except (CostmodelError, OSError) as exc:
                outcome = str(exc)
            stored = (digest, fmt, outcome)
            st.session_state[_RESULT] = stored
        result = stored[2]
        if isinstance(result, str):
            st.error(f"{upload.name}: {result}")
            return
        p = result.profile
        st.caption(f"{p.source} ({p.format}): {p.requests:,} requests read")
        st.dataframe(traffic_rows(p), hide_index=True, key="traffic_figures")
        for note in p.notes:
            st.caption(note)
        if result.problem_count:
            shown = "\n".join(f"- {problem}" for problem in result.problems)
            more = result.problem_count - len(result.problems)
            st.warning(
                f"{result.problem_count} malformed record(s) skipped:\n{shown}"
                + (f"\n- ... and {more} more" if more > 0 else "")
            )
        if p.requests_per_day is None:
            st.caption("The log has no timestamps: requests per day is not applied (the current value is kept).")
        st.caption(
            "Apply sets requests per day, input and output tokens per request (the log's means) and the cached "
            "share. The peak-to-average factor is not an input here; use it to size capacity paths "
            "('costmodel compare --peak-factor')."
        )
        st.button("Apply this traffic to the scenario", key="traffic_apply", on_click=_apply)
        applied = st.session_state.pop("_traffic_applied", None)
        if applied is not None:
            st.success(f"Traffic from {applied} applied to the scenario.")
