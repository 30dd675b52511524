"""The store's schema, versioned: one ordered list of migrations, applied by ``PRAGMA user_version``.

``PRAGMA user_version`` in the file header says which migrations a store file has had. Opening a
file applies, in order, every migration whose version is above it, each in its own
``BEGIN IMMEDIATE`` transaction that also sets the new ``user_version``: a process killed during
a migration leaves the file at the previous version, and two processes opening the same old file
at once migrate it once (the second one re-reads the version inside its transaction).

Version 0 is a file written by costmodel 0.1.0, whose feature modules created their tables with
``CREATE TABLE IF NOT EXISTS`` and never set ``user_version``; version 1 is exactly those tables,
so migrating such a file to 1 keeps every row and changes nothing but the version number (a 0.1.0
file that only ever held latency runs gets the launch tables it never created).

A file whose ``user_version`` is above :data:`LATEST_VERSION` was written by a newer costmodel;
it is refused with a :class:`~costmodel.errors.StoreError` rather than read with the wrong schema.

To change the schema, append one entry to :data:`MIGRATIONS`, e.g.::

    Migration(2, "goodput sweeps", "CREATE TABLE sweeps (sweep_id TEXT PRIMARY KEY, ...);"),

Never edit a migration that has shipped: a user's file already has it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from costmodel.errors import StoreError

__all__ = ["LATEST_VERSION", "MIGRATIONS", "Migration", "migrate", "statements", "user_version"]


@dataclass(frozen=True)
class Migration:
    """Schema version ``version``: the SQL that takes a file from ``version - 1`` to ``version``."""

    version: int
    name: str
    sql: str


# Version 1: the tables exactly as costmodel 0.1.0 created them (costmodel/latency/store.py and
# costmodel/launch/records.py registered these two blocks; 0.1.0 left user_version at 0).
_V1_LATENCY = """
CREATE TABLE IF NOT EXISTS latency_runs (
    run_id        TEXT PRIMARY KEY,
    created_utc   TEXT NOT NULL,
    finished_utc  TEXT,
    status        TEXT NOT NULL,          -- running | finished | interrupted | failed
    label         TEXT NOT NULL DEFAULT '',
    provider      TEXT NOT NULL,          -- openai | azure | local: the cost path it measures
    path_model    TEXT NOT NULL,          -- catalogue model name of the path
    fine_tuned    INTEGER NOT NULL,
    endpoint_kind TEXT NOT NULL,
    endpoint_url  TEXT NOT NULL,
    model         TEXT NOT NULL,          -- model id or Azure deployment sent in requests
    api_version   TEXT,
    config_json   TEXT NOT NULL,          -- settings, no secrets
    client_json   TEXT NOT NULL,          -- library versions, host
    summary_json  TEXT
);
CREATE TABLE IF NOT EXISTS latency_requests (
    run_id           TEXT NOT NULL REFERENCES latency_runs(run_id) ON DELETE CASCADE,
    seq              INTEGER NOT NULL,
    warmup           INTEGER NOT NULL,
    recorded_utc     TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    http_status      INTEGER,
    finish_reason    TEXT,
    error            TEXT,
    t_sched_ns       INTEGER,
    t_call_ns        INTEGER,
    t0_ns            INTEGER NOT NULL,
    t_headers_ns     INTEGER,
    t_any_ns         INTEGER,
    t_first_ns       INTEGER,
    t_answer_ns      INTEGER,
    t_last_ns        INTEGER,
    t_close_ns       INTEGER,
    content_times_ns TEXT NOT NULL,       -- JSON list of content-chunk arrival times
    chunks           INTEGER NOT NULL,
    output_tokens    INTEGER,
    reasoning_tokens INTEGER,
    prompt_tokens    INTEGER,
    tokens_source    TEXT NOT NULL,
    ttft_ms          REAL,
    ttfb_chunk_ms    REAL,
    e2e_ms           REAL,
    tpot_ms          REAL,
    output_speed_tps REAL,
    queue_ms         REAL,
    PRIMARY KEY (run_id, seq)
);
CREATE INDEX IF NOT EXISTS latency_runs_path ON latency_runs (provider, path_model, fine_tuned, created_utc);
"""

_V1_LAUNCHES = """
CREATE TABLE IF NOT EXISTS launches (
    launch_id            TEXT PRIMARY KEY,
    fingerprint          TEXT NOT NULL,
    provider             TEXT NOT NULL,
    endpoint             TEXT NOT NULL,
    api_version          TEXT,
    model                TEXT NOT NULL,
    method               TEXT NOT NULL,
    tier                 TEXT NOT NULL,
    training_type        TEXT,
    suffix               TEXT,
    dataset_name         TEXT NOT NULL,
    dataset_sha256       TEXT NOT NULL,
    dataset_bytes        INTEGER NOT NULL,
    upload_filename      TEXT NOT NULL,
    create_body_json     TEXT NOT NULL,
    file_id              TEXT,
    validation_file_id   TEXT,
    job_id               TEXT,
    status               TEXT NOT NULL,
    fine_tuned_model     TEXT,
    billed_tokens        INTEGER NOT NULL,
    n_epochs             INTEGER NOT NULL,
    estimated_tokens     INTEGER NOT NULL,
    price_usd_per_1m     TEXT,
    price_reliability    TEXT NOT NULL,
    price_source         TEXT,
    estimated_cost_usd   TEXT NOT NULL,
    budget_usd           TEXT,
    trained_tokens       INTEGER,
    actual_cost_usd      TEXT,
    cost_difference_usd  TEXT,
    estimated_finish     INTEGER,
    error                TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS launch_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    launch_id  TEXT NOT NULL REFERENCES launches(launch_id),
    at         TEXT NOT NULL,
    step       TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS launch_events_by_launch ON launch_events(launch_id, id);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "latency runs and launch records (the tables of costmodel 0.1.0)", _V1_LATENCY + _V1_LAUNCHES),
)

LATEST_VERSION = MIGRATIONS[-1].version


def statements(sql: str) -> Iterator[str]:
    """The complete SQL statements of a script, in order (semicolons in comments and strings are kept)."""
    pending = ""
    for piece in sql.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending.strip()
            pending = ""
    if pending.strip(" \t\r\n;"):
        yield pending.strip()


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _too_new(found: int, latest: int, source: str) -> StoreError:
    return StoreError(
        f"the store has schema version {found}, newer than this costmodel knows (up to {latest})",
        source=source,
        hint="upgrade costmodel (pip install -U costmodel), or set COSTMODEL_DB to another file",
    )


def migrate(conn: sqlite3.Connection, *, source: str, migrations: tuple[Migration, ...] | None = None) -> int:
    """Bring the open file up to the latest version; returns the version it is at.

    ``conn`` must be in autocommit mode (``isolation_level=None``): each migration runs in its own
    explicit transaction. Raises sqlite3.Error for the caller to translate.
    """
    steps = MIGRATIONS if migrations is None else migrations
    latest = steps[-1].version if steps else 0
    current = user_version(conn)
    if current > latest:
        raise _too_new(current, latest, source)
    for step in steps:
        if step.version <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = user_version(conn)  # another process may have migrated while we waited
            if current > latest:
                raise _too_new(current, latest, source)
            if step.version > current:
                for statement in statements(step.sql):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {int(step.version)}")
                current = step.version
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return current
