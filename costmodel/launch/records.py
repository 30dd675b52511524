"""Launch records in the local SQLite store: one row per launch id, plus an event log.

The row is written before and after every provider call, so a launch interrupted at any point
(killed process, closed tab, timeout) can be resumed: the next attempt reads the row, reconciles
with the provider and carries on without uploading or creating twice. Keys are never stored:
the row holds the endpoint, the ids and the money, nothing that authenticates.

``status`` is the launch's lifecycle until a job exists (``planned``, ``uploading``,
``uploaded``, ``creating``, ``refused``, ``error``), then the provider's job status
(``validating_files``, ``queued``, ``running``, ``succeeded``, ``failed``, ``cancelled``, or
whatever new string the provider sends).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from costmodel.errors import StoreError
from costmodel.store import Store

__all__ = [
    "ACTIVE_JOB_STATUSES",
    "TERMINAL_JOB_STATUSES",
    "LaunchEvent",
    "LaunchRecord",
    "add_event",
    "get_launch",
    "insert_launch",
    "list_events",
    "list_launches",
    "update_launch",
]

TERMINAL_JOB_STATUSES = frozenset({"succeeded", "failed", "cancelled"})
ACTIVE_JOB_STATUSES = frozenset({"validating_files", "queued", "running", "pending", "paused"})

_DECIMAL_FIELDS = ("price_usd_per_1m", "estimated_cost_usd", "budget_usd", "actual_cost_usd", "cost_difference_usd")


class LaunchRecord(BaseModel):
    """One launch as stored. Money is Decimal (stored as text to keep it exact)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    launch_id: str
    fingerprint: str
    provider: str
    endpoint: str
    api_version: str | None = None
    model: str
    method: str
    tier: str
    training_type: str | None = None
    suffix: str | None = None
    dataset_name: str
    dataset_sha256: str
    dataset_bytes: int
    upload_filename: str
    create_body_json: str
    file_id: str | None = None
    validation_file_id: str | None = None
    job_id: str | None = None
    status: str
    fine_tuned_model: str | None = None
    billed_tokens: int
    n_epochs: int
    estimated_tokens: int
    price_usd_per_1m: Decimal | None = None
    price_reliability: str
    price_source: str | None = None
    estimated_cost_usd: Decimal
    budget_usd: Decimal | None = None
    trained_tokens: int | None = None
    actual_cost_usd: Decimal | None = None
    cost_difference_usd: Decimal | None = None
    estimated_finish: int | None = None
    error: str | None = None
    created_at: str
    updated_at: str

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_JOB_STATUSES

    def summary(self) -> dict[str, Any]:
        """The fields the CLI's ``--json`` prints (money as strings, exact)."""
        return {
            "launch_id": self.launch_id,
            "provider": self.provider,
            "model": self.model,
            "file_id": self.file_id,
            "job_id": self.job_id,
            "status": self.status,
            "fine_tuned_model": self.fine_tuned_model,
            "estimated_tokens": self.estimated_tokens,
            "estimated_cost_usd": _dec(self.estimated_cost_usd),
            "price_usd_per_1m": _dec(self.price_usd_per_1m),
            "price_reliability": self.price_reliability,
            "trained_tokens": self.trained_tokens,
            "actual_cost_usd": _dec(self.actual_cost_usd),
            "cost_difference_usd": _dec(self.cost_difference_usd),
            "budget_usd": _dec(self.budget_usd),
            "error": self.error,
        }


def _dec(value: Decimal | None) -> str | None:
    """Exact decimal text without trailing zeros: Decimal('0.0900') -> '0.09'."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


class LaunchEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    launch_id: str
    at: str
    step: str
    detail: str


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _to_row(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in _DECIMAL_FIELDS:
        if name in out and out[name] is not None:
            out[name] = str(out[name])
    return out


def _from_row(row: Any) -> LaunchRecord:
    data = {k: row[k] for k in row.keys()}  # noqa: SIM118 - sqlite3.Row is not a mapping
    for name in _DECIMAL_FIELDS:
        if data.get(name) is not None:
            data[name] = Decimal(data[name])
    return LaunchRecord(**data)


def _write(conn: Store, action: Callable[[Any], None]) -> None:
    """One short transaction around ``action(connection)``; failures become StoreError."""
    with conn.transaction("write the launch record") as tx:
        action(tx)


def insert_launch(conn: Store, record: LaunchRecord) -> tuple[LaunchRecord, bool]:
    """Insert ``record`` unless its launch id exists. Returns (stored row, inserted?)."""
    row = _to_row(record.model_dump())
    cols = ", ".join(row)
    marks = ", ".join(f":{c}" for c in row)
    inserted = False

    def action(tx: Any) -> None:
        nonlocal inserted
        cur = tx.execute(f"INSERT OR IGNORE INTO launches ({cols}) VALUES ({marks})", row)
        inserted = cur.rowcount == 1

    _write(conn, action)
    stored = get_launch(conn, record.launch_id)
    assert stored is not None
    return stored, inserted


def update_launch(conn: Store, launch_id: str, **changes: Any) -> LaunchRecord:
    unknown = set(changes) - set(LaunchRecord.model_fields)
    if unknown:
        raise ValueError(f"unknown launch field(s): {', '.join(sorted(unknown))}")
    changes = _to_row({**changes, "updated_at": utc_now()})
    assignments = ", ".join(f"{k} = :{k}" for k in changes)

    def action(tx: Any) -> None:
        tx.execute(f"UPDATE launches SET {assignments} WHERE launch_id = :_id", {**changes, "_id": launch_id})

    _write(conn, action)
    stored = get_launch(conn, launch_id)
    if stored is None:
        raise StoreError(f"launch {launch_id} vanished from the store", hint="do not delete rows while launching")
    return stored


def add_event(conn: Store, launch_id: str, step: str, detail: str = "") -> None:
    def action(tx: Any) -> None:
        tx.execute(
            "INSERT INTO launch_events (launch_id, at, step, detail) VALUES (?, ?, ?, ?)",
            (launch_id, utc_now(), step, detail),
        )

    _write(conn, action)


def get_launch(conn: Store, launch_id: str) -> LaunchRecord | None:
    row = conn.fetchone("SELECT * FROM launches WHERE launch_id = ?", (launch_id,))
    return None if row is None else _from_row(row)


def list_launches(conn: Store, *, launch_id: str | None = None) -> list[LaunchRecord]:
    if launch_id is not None:
        rows = conn.fetchall("SELECT * FROM launches WHERE launch_id = ?", (launch_id,))
    else:
        rows = conn.fetchall("SELECT * FROM launches ORDER BY created_at DESC, launch_id")
    return [_from_row(r) for r in rows]


def list_events(conn: Store, launch_id: str) -> list[LaunchEvent]:
    rows = conn.fetchall(
        "SELECT launch_id, at, step, detail FROM launch_events WHERE launch_id = ? ORDER BY id", (launch_id,)
    )
    return [LaunchEvent(launch_id=r[0], at=r[1], step=r[2], detail=r[3]) for r in rows]
