"""Latency runs and their per-request rows in the local SQLite store (:mod:`costmodel.store`; the tables are
version 1 of :mod:`costmodel.store.schema`).

A run row is written before the first request; each request row is inserted, in its own short
transaction, the moment the request finishes. A benchmark killed half-way therefore keeps every
request that finished; its run stays ``running`` with no ``finished_utc`` and is listed as
*unfinished*. Summaries are always recomputed from the request rows
(:func:`~costmodel.latency.metrics.summarize`), so a killed run can still be summarised.

Raw timestamps are stored as integer nanoseconds on the run's monotonic clock (0 = the run's
start); the derived milliseconds are stored beside them for SQL and spreadsheet users. No API key
is ever written: the run's configuration holds the endpoint URL, model and settings only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from costmodel.errors import InputError
from costmodel.latency.metrics import RequestRecord, RunSummary, TokensSource, request_metrics, summarize
from costmodel.store import Store

__all__ = [
    "REQUEST_COLUMNS",
    "RunInfo",
    "compare_runs",
    "create_run",
    "export_run",
    "finish_run",
    "get_run",
    "latest_run_for_path",
    "list_runs",
    "load_records",
    "record_request",
    "run_summary",
]

_RAW = (
    "t_sched_ns",
    "t_call_ns",
    "t0_ns",
    "t_headers_ns",
    "t_any_ns",
    "t_first_ns",
    "t_answer_ns",
    "t_last_ns",
    "t_close_ns",
)
_DERIVED = ("ttft_ms", "ttfb_chunk_ms", "e2e_ms", "tpot_ms", "output_speed_tps", "queue_ms")
REQUEST_COLUMNS = (
    "run_id",
    "seq",
    "warmup",
    "recorded_utc",
    "outcome",
    "http_status",
    "finish_reason",
    "error",
    *_RAW,
    "content_times_ns",
    "chunks",
    "output_tokens",
    "reasoning_tokens",
    "prompt_tokens",
    "tokens_source",
    *_DERIVED,
)


def _utc(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")


class RunInfo(BaseModel):
    """One stored run (without its request rows)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str
    created_utc: str
    finished_utc: str | None
    status: str
    label: str
    provider: str
    path_model: str
    fine_tuned: bool
    endpoint_kind: str
    endpoint_url: str
    model: str
    api_version: str | None
    config: dict[str, Any]
    client: dict[str, Any]
    stored_requests: int

    @property
    def display_status(self) -> str:
        return "unfinished (killed or still running)" if self.status == "running" else self.status

    @property
    def path_label(self) -> str:
        return f"{self.provider}:{self.path_model}:{'ft' if self.fine_tuned else 'base'}"


def _write(conn: Store, sql: str, params: Sequence[Any]) -> None:
    conn.write(sql, params, doing="write to the latency store")


def create_run(
    conn: Store,
    *,
    run_id: str,
    provider: str,
    path_model: str,
    fine_tuned: bool,
    endpoint_kind: str,
    endpoint_url: str,
    model: str,
    api_version: str | None,
    config: dict[str, Any],
    client: dict[str, Any],
    label: str = "",
    created: datetime | None = None,
) -> str:
    _write(
        conn,
        "INSERT INTO latency_runs (run_id, created_utc, status, label, provider, path_model, fine_tuned, endpoint_kind,"
        " endpoint_url, model, api_version, config_json, client_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            run_id,
            _utc(created),
            "running",
            label,
            provider,
            path_model,
            int(fine_tuned),
            endpoint_kind,
            endpoint_url,
            model,
            api_version,
            json.dumps(config, sort_keys=True),
            json.dumps(client, sort_keys=True),
        ),
    )
    return run_id


def record_request(conn: Store, run_id: str, rec: RequestRecord, *, recorded: datetime | None = None) -> None:
    """Insert one finished request (autocommit: durable as soon as this returns)."""
    m = request_metrics(rec)
    values: dict[str, Any] = {
        "run_id": run_id,
        "seq": rec.seq,
        "warmup": int(rec.warmup),
        "recorded_utc": _utc(recorded),
        "outcome": m.outcome.value,
        "http_status": rec.http_status,
        "finish_reason": rec.finish_reason,
        "error": rec.error,
        **{name: getattr(rec, name) for name in _RAW},
        "content_times_ns": json.dumps(list(rec.content_times_ns)),
        "chunks": rec.chunks,
        "output_tokens": rec.output_tokens,
        "reasoning_tokens": rec.reasoning_tokens,
        "prompt_tokens": rec.prompt_tokens,
        "tokens_source": rec.tokens_source.value,
        **{name: getattr(m, name) for name in _DERIVED},
    }
    cols = ", ".join(REQUEST_COLUMNS)
    marks = ", ".join("?" for _ in REQUEST_COLUMNS)
    _write(conn, f"INSERT INTO latency_requests ({cols}) VALUES ({marks})", [values[c] for c in REQUEST_COLUMNS])


def finish_run(
    conn: Store,
    run_id: str,
    *,
    status: Literal["finished", "interrupted", "failed"],
    summary: RunSummary | None = None,
    finished: datetime | None = None,
) -> None:
    _write(
        conn,
        "UPDATE latency_runs SET status = ?, finished_utc = ?, summary_json = ? WHERE run_id = ?",
        (status, _utc(finished), summary.model_dump_json() if summary else None, run_id),
    )


def _info(row: Any) -> RunInfo:
    return RunInfo(
        run_id=row["run_id"],
        created_utc=row["created_utc"],
        finished_utc=row["finished_utc"],
        status=row["status"],
        label=row["label"],
        provider=row["provider"],
        path_model=row["path_model"],
        fine_tuned=bool(row["fine_tuned"]),
        endpoint_kind=row["endpoint_kind"],
        endpoint_url=row["endpoint_url"],
        model=row["model"],
        api_version=row["api_version"],
        config=json.loads(row["config_json"]),
        client=json.loads(row["client_json"]),
        stored_requests=row["n"],
    )


_RUN_SELECT = "SELECT r.*, (SELECT COUNT(*) FROM latency_requests q WHERE q.run_id = r.run_id) AS n FROM latency_runs r"


def list_runs(conn: Store) -> list[RunInfo]:
    """Every stored run, newest first."""
    return [_info(row) for row in conn.fetchall(_RUN_SELECT + " ORDER BY r.created_utc DESC, r.run_id DESC")]


def get_run(conn: Store, run_id: str) -> RunInfo:
    row = conn.fetchone(_RUN_SELECT + " WHERE r.run_id = ?", (run_id,))
    if row is None:
        known = [r.run_id for r in list_runs(conn)[:5]]
        raise InputError(
            f"no latency run '{run_id}' in the store",
            field="run_id",
            hint="list runs with 'costmodel bench list'" + (f"; recent: {', '.join(known)}" if known else ""),
        )
    return _info(row)


def load_records(conn: Store, run_id: str) -> list[RequestRecord]:
    rows = conn.fetchall("SELECT * FROM latency_requests WHERE run_id = ? ORDER BY seq", (run_id,))
    return [
        RequestRecord(
            seq=row["seq"],
            warmup=bool(row["warmup"]),
            **{name: row[name] for name in _RAW},
            content_times_ns=tuple(json.loads(row["content_times_ns"])),
            chunks=row["chunks"],
            output_tokens=row["output_tokens"],
            reasoning_tokens=row["reasoning_tokens"],
            prompt_tokens=row["prompt_tokens"],
            tokens_source=TokensSource(row["tokens_source"]),
            http_status=row["http_status"],
            finish_reason=row["finish_reason"],
            error=row["error"],
        )
        for row in rows
    ]


def run_summary(conn: Store, run_id: str) -> RunSummary:
    """The run's summary, recomputed from its stored request rows."""
    get_run(conn, run_id)
    return summarize(load_records(conn, run_id))


def compare_runs(conn: Store, run_ids: Iterable[str]) -> list[tuple[RunInfo, RunSummary]]:
    return [(get_run(conn, rid), run_summary(conn, rid)) for rid in run_ids]


def latest_run_for_path(
    conn: Store, provider: str, path_model: str, fine_tuned: bool, *, min_ok: int = 1
) -> tuple[RunInfo, RunSummary] | None:
    """The newest run measuring this path with at least ``min_ok`` successful requests."""
    rows = conn.fetchall(
        _RUN_SELECT + " WHERE r.provider = ? AND r.path_model = ? AND r.fine_tuned = ?"
        " ORDER BY r.created_utc DESC, r.run_id DESC",
        (provider, path_model, int(fine_tuned)),
    )
    for row in rows:
        info = _info(row)
        summary = summarize(load_records(conn, info.run_id))
        if summary.ok >= min_ok:
            return info, summary
    return None


def export_run(conn: Store, run_id: str, fmt: Literal["csv", "json"]) -> str:
    """Every request row of a run (warm-up included, flagged) as CSV, or run + summary + rows as JSON."""
    info = get_run(conn, run_id)
    rows = [
        dict(zip(REQUEST_COLUMNS, r, strict=True))
        for r in conn.fetchall(
            f"SELECT {', '.join(REQUEST_COLUMNS)} FROM latency_requests WHERE run_id = ? ORDER BY seq", (run_id,)
        )
    ]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=REQUEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue()
    if fmt == "json":
        for row in rows:
            row["content_times_ns"] = json.loads(row["content_times_ns"])
        payload = {
            "run": info.model_dump(mode="json"),
            "summary": summarize(load_records(conn, run_id)).model_dump(mode="json"),
            "requests": rows,
        }
        return json.dumps(payload, indent=2)
    raise InputError(f"unknown export format '{fmt}'", field="format", hint="use csv or json")
