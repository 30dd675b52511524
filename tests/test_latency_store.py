"""Runs and request rows in the SQLite store: failures kept and counted, exports, path lookup."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from costmodel import store
from costmodel.errors import InputError
from costmodel.latency.client import EndpointConfig
from costmodel.latency.load import LoadPlan
from costmodel.latency.paths import PathQuery, latency_for_paths
from costmodel.latency.runner import BenchConfig, PathKey, run_benchmark
from costmodel.latency.store import compare_runs, export_run, list_runs, load_records, run_summary
from costmodel.testing import FakeChatServer, ServerKnobs


def bench(srv: FakeChatServer, db: Path, **load: object) -> object:
    cfg = BenchConfig(
        endpoint=EndpointConfig(base_url=srv.base_url, model="gpt-4o-mini"),
        load=LoadPlan(**load),  # type: ignore[arg-type]
        max_tokens=5,
        prompt_tokens=20,
        path=PathKey(provider="openai", model="gpt-4o-mini-2024-07-18", fine_tuned=True),
    )
    return run_benchmark(cfg, api_key="sk-never-stored-1234567890", db_path=db)


def test_failures_and_cut_offs_are_stored_and_counted(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    knobs = ServerKnobs(ttft_ms=2, itl_ms=1, http_error_every=3, fail_mid_stream_every=4)
    with FakeChatServer(knobs) as srv:
        result = bench(srv, db, concurrency=1, requests=12, warmup=0)
    # concurrency 1 numbers the requests 1..12 in order:
    # HTTP 500 at 3, 6, 9, 12 (4 errors); dropped mid-stream at 4 and 8 (12 already failed): 2 cut-offs
    s = result.summary  # type: ignore[attr-defined]
    assert (s.requests, s.ok, s.errors) == (12, 6, 6)
    assert s.outcomes == {"ok": 6, "error": 4, "cut_off": 2, "empty": 0}
    assert s.ttft_ms.count == 6 and s.error_rate == 0.5
    conn = store.connect(db)
    rows = conn.execute("SELECT seq, outcome, http_status, error FROM latency_requests ORDER BY seq").fetchall()
    assert len(rows) == 12
    assert [r["outcome"] for r in rows if r["seq"] in (2, 5, 8, 11)] == ["error"] * 4  # seq = number - 1
    assert [r["http_status"] for r in rows if r["outcome"] == "error"] == [500] * 4
    assert [r["seq"] for r in rows if r["outcome"] == "cut_off"] == [3, 7]
    assert run_summary(conn, result.run_id) == s  # type: ignore[attr-defined]
    dump = "\n".join(str(tuple(r)) for r in conn.execute("SELECT * FROM latency_runs")) + export_run(
        conn,
        result.run_id,
        "json",  # type: ignore[attr-defined]
    )
    assert "sk-never-stored" not in dump and "1234567890" not in dump
    conn.close()


def test_warmup_is_stored_flagged_and_left_out(tmp_path: Path) -> None:
    db = tmp_path / "w.sqlite3"
    with FakeChatServer(ServerKnobs(ttft_ms=1, itl_ms=0)) as srv:
        result = bench(srv, db, concurrency=2, requests=4, warmup=3)
    conn = store.connect(db)
    recs = load_records(conn, result.run_id)  # type: ignore[attr-defined]
    assert sorted(r.seq for r in recs) == list(range(7))
    assert [r.seq for r in recs if r.warmup] == [0, 1, 2]
    assert run_summary(conn, result.run_id).requests == 4  # type: ignore[attr-defined]


def test_open_loop_records_schedule_and_queue(tmp_path: Path) -> None:
    db = tmp_path / "p.sqlite3"
    with FakeChatServer(ServerKnobs(ttft_ms=1, itl_ms=0)) as srv:
        result = bench(srv, db, rate=200.0, seed=3, requests=10, concurrency=4)
    recs = [r for r in result.records if not r.warmup]  # type: ignore[attr-defined]
    assert len(recs) == 10 and all(r.t_sched_ns is not None for r in recs)
    assert all(r.t0_ns >= r.t_sched_ns for r in recs)  # type: ignore[operator]
    assert result.summary.queue_ms.count == 10  # type: ignore[attr-defined]


def test_export_csv_json_and_compare(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite3"
    with FakeChatServer(ServerKnobs(ttft_ms=3, itl_ms=1, http_error_every=4)) as srv:
        a = bench(srv, db, concurrency=1, requests=4, warmup=1)
        b = bench(srv, db, concurrency=2, requests=6, warmup=0)
    conn = store.connect(db)
    rows = list(csv.DictReader(io.StringIO(export_run(conn, a.run_id, "csv"))))  # type: ignore[attr-defined]
    assert len(rows) == 5 and rows[0]["warmup"] == "1"
    assert {"ttft_ms", "e2e_ms", "tpot_ms", "outcome", "error", "content_times_ns"} <= set(rows[0])
    assert sum(r["outcome"] == "error" for r in rows) == 1  # request 4 of 5
    doc = json.loads(export_run(conn, b.run_id, "json"))  # type: ignore[attr-defined]
    assert doc["run"]["run_id"] == b.run_id and len(doc["requests"]) == 6  # type: ignore[attr-defined]
    assert isinstance(doc["requests"][0]["content_times_ns"], list)
    assert doc["summary"]["requests"] == 6
    pairs = compare_runs(conn, [a.run_id, b.run_id])  # type: ignore[attr-defined]
    assert [i.run_id for i, _ in pairs] == [a.run_id, b.run_id]  # type: ignore[attr-defined]
    assert [r.run_id for r in list_runs(conn)] == [b.run_id, a.run_id]  # type: ignore[attr-defined]  # newest first
    with pytest.raises(InputError, match="no latency run"):
        export_run(conn, "nope", "csv")


def test_a_measured_run_replaces_the_reference_figure(tmp_path: Path) -> None:
    db = tmp_path / "m.sqlite3"
    q = PathQuery(provider="openai", model="gpt-4o-mini-2024-07-18", fine_tuned=True)
    base = PathQuery(provider="openai", model="gpt-4o-mini-2024-07-18", fine_tuned=False)
    before = latency_for_paths([q, base], db_path=str(db))
    assert [p.source for p in before] == ["reference", "reference"]
    assert "fine-tuned" in before[0].detail and before[0].e2e_ms_p95 is None
    with FakeChatServer(ServerKnobs(ttft_ms=40, itl_ms=2)) as srv:
        run = bench(srv, db, concurrency=1, requests=3, warmup=0)
    after = latency_for_paths([q, base], db_path=str(db))
    assert after[0].source == "measured" and after[0].run_id == run.run_id  # type: ignore[attr-defined]
    assert after[0].ttft_ms_p50 is not None and 40 <= after[0].ttft_ms_p50 < 200
    assert after[0].e2e_ms_p95 is not None
    assert after[1].source == "reference"  # the base path was not measured


def test_dataset_prompts_are_sent(tmp_path: Path) -> None:
    from costmodel.latency.runner import dataset_prompts

    data = tmp_path / "train.jsonl"
    lines = [
        {
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": "q1"},
                {"role": "assistant", "content": "a1"},
            ]
        },
        {"messages": [{"role": "user", "content": "q2"}, {"role": "assistant", "content": "a2"}]},
    ]
    data.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    prompts = dataset_prompts(data)
    assert prompts == [
        [{"role": "system", "content": "be brief"}, {"role": "user", "content": "q1"}],
        [{"role": "user", "content": "q2"}],
    ]  # the answer the model was trained on is not sent
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": []}\n{"prompt": 1}\n')
    with pytest.raises(InputError) as err:
        dataset_prompts(bad)
    assert "line 2" in str(err.value) and "messages" in str(err.value)

    with FakeChatServer(ServerKnobs(ttft_ms=1, itl_ms=0)) as srv:
        cfg = BenchConfig(
            endpoint=EndpointConfig(base_url=srv.base_url, model="m"),
            load=LoadPlan(concurrency=1, requests=3),
            max_tokens=2,
            dataset=str(data),
        )
        result = run_benchmark(cfg, api_key="k", db_path=tmp_path / "d.sqlite3")
    assert result.summary.ok == 3


def test_path_guessed_from_the_endpoint() -> None:
    from costmodel.latency.runner import guess_path

    ft = guess_path(EndpointConfig(model="ft:gpt-4o-mini-2024-07-18:acme::abc123"))
    assert (ft.provider, ft.model, ft.fine_tuned) == ("openai", "gpt-4o-mini-2024-07-18", True)
    az = EndpointConfig(
        kind="azure",
        azure_endpoint="https://x.openai.azure.com",
        deployment="d",
        api_version="2024-10-21",
        model="gpt-4o-mini-2024-07-18.ft-0123abcd",
    )
    assert guess_path(az) == PathKey(provider="azure", model="gpt-4o-mini-2024-07-18", fine_tuned=True)
    local = guess_path(EndpointConfig(base_url="http://127.0.0.1:8080/v1", model="tiny"))
    assert (local.provider, local.fine_tuned) == ("local", False)
