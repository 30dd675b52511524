"""The store's versioned schema: a file written by costmodel 0.1.0 opens, migrates and keeps its rows.

The two DDL blocks below are frozen copies of what costmodel 0.1.0 registered (from
``costmodel/latency/store.py`` and ``costmodel/launch/records.py`` at commit e43fc71); that release
never set ``PRAGMA user_version``, so its files are version 0. They are copied, not imported, so
that a later edit of the schema module cannot silently change what "an old file" means here.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from costmodel import store
from costmodel.errors import StoreError
from costmodel.latency.metrics import RequestRecord, TokensSource
from costmodel.latency.store import list_runs, load_records, record_request, run_summary
from costmodel.launch.records import add_event, get_launch, list_events, list_launches, update_launch
from costmodel.store.schema import LATEST_VERSION, MIGRATIONS, Migration, migrate, statements, user_version

ROOT = Path(__file__).resolve().parents[1]

V0_LATENCY_DDL = """
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

V0_LAUNCH_DDL = """
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


RUN_ROW = (
    "run-0001", "2026-11-30T10:00:00.000+00:00", "2026-11-30T10:01:00.000+00:00", "finished", "old run",
    "openai", "gpt-4o-mini-2024-07-18", 1, "openai", "http://127.0.0.1:9/v1", "ft:gpt-4o-mini:acme::abc", None,
    '{"concurrency": 1}', '{"openai": "3.0.0"}', None,
)  # fmt: skip

# seq, warmup, recorded, outcome, status, finish, error, t_sched, t_call, t0, headers, any, first, answer, last,
# close, content_times, chunks, out tokens, reasoning, prompt, source, ttft, ttfb, e2e, tpot, speed, queue
REQUEST_ROWS = [
    ("run-0001", 1, 0, "2026-11-30T10:00:01.000+00:00", "ok", 200, "stop", None, None, 0, 1_000_000,
     20_000_000, 250_000_000, 250_000_000, 250_000_000, 450_000_000, 460_000_000, "[250000000, 450000000]", 4,
     5, None, 20, "usage", 250.0, 250.0, 460.0, 50.0, 20.0, None),
    ("run-0001", 2, 0, "2026-11-30T10:00:02.000+00:00", "error", 500, None, "HTTP 500", None, 500_000_000,
     501_000_000, 520_000_000, None, None, None, None, 530_000_000, "[]", 0, None, None, None, "none", None, None,
     30.0, None, None, None),
]  # fmt: skip

LAUNCH_ROW = {
    "launch_id": "L-old-1", "fingerprint": "f" * 64, "provider": "openai", "endpoint": "https://api.openai.com/v1",
    "api_version": None, "model": "gpt-4o-mini-2024-07-18", "method": "supervised", "tier": "standard",
    "training_type": None, "suffix": "acme", "dataset_name": "train.jsonl", "dataset_sha256": "a" * 64,
    "dataset_bytes": 1234, "upload_filename": "train.jsonl", "create_body_json": "{}", "file_id": "file-1",
    "validation_file_id": None, "job_id": "ftjob-1", "status": "succeeded", "fine_tuned_model": "ft:x",
    "billed_tokens": 1000, "n_epochs": 3, "estimated_tokens": 3000, "price_usd_per_1m": "3.00",
    "price_reliability": "official", "price_source": "https://openai.com/api/pricing/",
    "estimated_cost_usd": "0.0090", "budget_usd": "5", "trained_tokens": 3000, "actual_cost_usd": "0.009",
    "cost_difference_usd": "0", "estimated_finish": None, "error": None,
    "created_at": "2026-11-29T08:00:00.000+00:00", "updated_at": "2026-11-29T09:00:00.000+00:00",
}  # fmt: skip


def write_release_0_1_0_file(path: Path, *, launches: bool = True) -> None:
    """A store exactly as costmodel 0.1.0 left it: its DDL, WAL, rows, ``user_version`` 0."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(V0_LATENCY_DDL)
    conn.execute(f"INSERT INTO latency_runs VALUES ({','.join('?' * len(RUN_ROW))})", RUN_ROW)
    for row in REQUEST_ROWS:
        conn.execute(f"INSERT INTO latency_requests VALUES ({','.join('?' * len(row))})", row)
    if launches:
        conn.executescript(V0_LAUNCH_DDL)
        cols = ", ".join(LAUNCH_ROW)
        conn.execute(f"INSERT INTO launches ({cols}) VALUES ({', '.join(':' + c for c in LAUNCH_ROW)})", LAUNCH_ROW)
        conn.execute(
            "INSERT INTO launch_events (launch_id, at, step, detail) VALUES (?, ?, ?, ?)",
            ("L-old-1", "2026-11-29T08:00:01.000+00:00", "files.create:after", "file-1"),
        )
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()


def schema_of(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        return [(name, " ".join(sql.split())) for name, sql in rows]
    finally:
        conn.close()


def raw_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_a_release_0_1_0_file_migrates_and_keeps_its_rows(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    write_release_0_1_0_file(old)
    with store.connect(old) as s:
        assert s.schema_version == LATEST_VERSION
        (run,) = list_runs(s)
        assert (run.run_id, run.label, run.status, run.stored_requests) == ("run-0001", "old run", "finished", 2)
        assert run.path_label == "openai:gpt-4o-mini-2024-07-18:ft"
        recs = load_records(s, "run-0001")
        assert [(r.seq, r.http_status, r.content_times_ns) for r in recs] == [
            (1, 200, (250_000_000, 450_000_000)),
            (2, 500, ()),
        ]
        summary = run_summary(s, "run-0001")
        assert (summary.requests, summary.ok) == (2, 1)
        launch = get_launch(s, "L-old-1")
        assert launch is not None
        assert launch.estimated_cost_usd == Decimal("0.0090")
        assert launch.price_usd_per_1m == Decimal("3.00")
        assert [e.step for e in list_events(s, "L-old-1")] == ["files.create:after"]
        # the migrated file takes new writes through the repositories
        record_request(
            s,
            "run-0001",
            RequestRecord(seq=3, t0_ns=0, t_close_ns=10, tokens_source=TokensSource.NONE, error="x"),
            recorded=datetime(2026, 12, 1, tzinfo=UTC),
        )
        add_event(s, "L-old-1", "refresh", "after the upgrade")
        update_launch(s, "L-old-1", status="succeeded")
        assert list_runs(s)[0].stored_requests == 3
        assert len(list_events(s, "L-old-1")) == 2
    assert raw_version(old) == LATEST_VERSION
    fresh = tmp_path / "fresh.sqlite3"
    store.connect(fresh).close()
    assert schema_of(old) == schema_of(fresh)  # a migrated 0.1.0 file is a fresh store


def test_opening_a_migrated_file_again_changes_nothing(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    write_release_0_1_0_file(old)
    store.connect(old).close()
    before = schema_of(old)
    with store.connect(old) as s:
        assert s.schema_version == LATEST_VERSION
        assert len(list_launches(s)) == 1
    assert schema_of(old) == before


def test_a_0_1_0_file_with_only_latency_runs_gets_the_launch_tables(tmp_path: Path) -> None:
    old = tmp_path / "latency-only.sqlite3"
    write_release_0_1_0_file(old, launches=False)
    with store.connect(old) as s:
        assert list_launches(s) == []
        assert [r.run_id for r in list_runs(s)] == ["run-0001"]


def test_a_file_from_a_newer_costmodel_is_refused_and_left_alone(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite3"
    conn = sqlite3.connect(newer)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreError) as err:
        store.connect(newer)
    text = str(err.value)
    assert f"schema version {LATEST_VERSION + 5}" in text
    assert f"up to {LATEST_VERSION}" in text
    assert "upgrade costmodel" in text
    assert str(newer) in text
    assert raw_version(newer) == LATEST_VERSION + 5
    assert [name for name, _ in schema_of(newer)] == ["future"]


def test_a_file_that_is_not_a_store_gives_a_store_error_with_a_fix(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not sqlite" * 200)
    with pytest.raises(StoreError) as err:
        store.connect(junk)
    assert "not a costmodel store" in str(err.value)
    assert "COSTMODEL_DB" in str(err.value)


def test_a_failing_read_becomes_a_store_error(tmp_path: Path) -> None:
    with store.connect(tmp_path / "s.sqlite3") as s:
        s.write("DROP TABLE latency_requests")  # a damaged file: a table is missing
        with pytest.raises(StoreError) as err:
            list_runs(s)
    assert "no such table: latency_requests" in str(err.value)
    assert str(tmp_path / "s.sqlite3") in str(err.value)


def test_version_1_is_exactly_the_0_1_0_tables(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(old)
    conn.executescript(V0_LATENCY_DDL + V0_LAUNCH_DDL)
    conn.close()
    v1 = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(v1, isolation_level=None)
    assert migrate(conn, source=str(v1), migrations=MIGRATIONS[:1]) == 1
    conn.close()
    assert schema_of(v1) == schema_of(old)


def test_migrations_are_numbered_one_by_one_from_1() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert MIGRATIONS[-1].version == LATEST_VERSION


def test_a_later_migration_is_one_entry_and_runs_once(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store.connect(path).close()
    nxt = LATEST_VERSION + 1
    later = (*MIGRATIONS, Migration(nxt, "a later table", "CREATE TABLE test_later (x TEXT PRIMARY KEY); -- done;"))
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, source=str(path), migrations=later) == nxt
    assert migrate(conn, source=str(path), migrations=later) == nxt  # second open: nothing to do
    assert user_version(conn) == nxt
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'test_later'").fetchone() is not None
    conn.close()
    with pytest.raises(StoreError, match="newer than this costmodel knows"):
        store.connect(path)  # this build only knows up to LATEST_VERSION


def test_a_failing_migration_leaves_the_file_at_the_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store.connect(path).close()
    broken = (
        *MIGRATIONS,
        Migration(LATEST_VERSION + 1, "broken", "CREATE TABLE half (x); INSERT INTO missing VALUES (1);"),
    )
    conn = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, source=str(path), migrations=broken)
    assert user_version(conn) == LATEST_VERSION
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None
    assert not conn.in_transaction
    conn.close()


def test_statements_split_a_script_but_not_inside_comments_or_strings() -> None:
    script = "CREATE TABLE a (x TEXT DEFAULT 'p;q'); -- note; here\nCREATE INDEX i ON a (x);\n"
    assert list(statements(script)) == [
        "CREATE TABLE a (x TEXT DEFAULT 'p;q');",
        "-- note; here\nCREATE INDEX i ON a (x);",
    ]


def test_the_store_keeps_wal_and_its_settings_after_migrating(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    write_release_0_1_0_file(old)
    with store.connect(old) as s:
        assert s.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_the_dashboard_and_cli_never_touch_sqlite3_directly() -> None:
    offenders = []
    for folder in ("costmodel/ui", "costmodel/cli"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if "sqlite3" in text or ".execute(" in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert (ROOT / "app.py").read_text(encoding="utf-8").count("sqlite3") == 0
    assert offenders == []
