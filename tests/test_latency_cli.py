"""``costmodel bench`` end to end against the fake server on 127.0.0.1: in this process (the command's
exit codes and outputs), and in a real process where the process is the point (SIGKILL half-way)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from costmodel.testing import FakeChatServer, ServerKnobs
from tests.cli_support import CliRun, run_cli

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    """This environment without an OpenAI key (read at call time, after the fixtures set theirs)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OPENAI_API_KEY", None)
    return env


def cli(*args: str, db: Path, env: dict[str, str] | None = None) -> CliRun:
    return run_cli(["bench", *args, "--db", str(db)], cwd=ROOT, env=env or _env())


@pytest.fixture(scope="module")
def server() -> Iterator[FakeChatServer]:
    with FakeChatServer(ServerKnobs(ttft_ms=20, itl_ms=2, http_error_every=5)) as srv:
        yield srv


def test_json_summary_and_list_show_export(server: FakeChatServer, tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    out = cli("--base-url", server.base_url, "--model", "m", "--concurrency", "2", "--requests", "8",
              "--warmup", "2", "--max-tokens", "8", "--json", db=db)  # fmt: skip
    assert out.returncode == 0, out.stderr
    s = json.loads(out.stdout)
    assert {"run_id", "requests", "errors", "ttft_ms", "e2e_ms", "tpot_ms"} <= set(s)
    for metric in ("ttft_ms", "e2e_ms", "tpot_ms"):
        assert {"p50", "p95"} <= set(s[metric])
    assert s["requests"] == 8 and s["warmup_requests"] == 2
    assert s["errors"] == 2  # every 5th of 10 requests is an HTTP 500: numbers 5 and 10
    assert s["ttft_ms"]["p50"] >= 20

    listed = cli("list", "--json", db=db)
    assert listed.returncode == 0 and json.loads(listed.stdout)[0]["run_id"] == s["run_id"]
    shown = cli("show", s["run_id"], db=db)
    assert shown.returncode == 0 and "ttft_ms" in shown.stdout and "errors 2" in shown.stdout
    exported = cli("export", s["run_id"], "--format", "csv", db=db)
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(rows) == 10 and sum(r["outcome"] == "error" for r in rows) == 2
    target = tmp_path / "run.json"
    assert cli("export", s["run_id"], "--format", "json", "--output", str(target), db=db).returncode == 0
    assert len(json.loads(target.read_text())["requests"]) == 10

    again = cli("--base-url", server.base_url, "--model", "m", "--requests", "3", "--warmup", "0", "--json", db=db)
    cmp = cli("compare", s["run_id"], json.loads(again.stdout)["run_id"], db=db)
    assert cmp.returncode == 0 and "ttft_ms p95" in cmp.stdout


def test_user_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite3"
    cases = [
        ("show", "no-such-run"),
        ("--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--requests", "2", "--duration", "3"),
        ("--base-url", "http://127.0.0.1:9/v1"),  # no model
        ("--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--extra-body", "{oops"),
        ("frobnicate",),
    ]
    for args in cases:
        out = cli(*args, db=db)
        assert out.returncode == 2, (args, out.stderr)
        assert "Traceback" not in out.stderr and out.stderr.startswith("costmodel:"), out.stderr


def test_missing_key_for_a_cloud_endpoint_names_the_variable(tmp_path: Path) -> None:
    out = cli("--azure-endpoint", "http://127.0.0.1:9", "--deployment", "d", "--api-version", "2024-10-21",
              "--model", "gpt-4o", db=tmp_path / "k.sqlite3")  # fmt: skip
    # A missing key is the user's to fix: exit code 2 (an input error), like every other bad input.
    assert out.returncode == 2 and "AZURE_OPENAI_API_KEY" in out.stderr and "Traceback" not in out.stderr


def test_bad_inputs_found_in_qa_exit_2_with_the_field(tmp_path: Path) -> None:
    db = tmp_path / "qa.sqlite3"
    binary = tmp_path / "data.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage\x80\x81")
    out = cli("--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--dataset", str(binary), db=db)
    assert out.returncode == 2 and "not UTF-8" in out.stderr and "Traceback" not in out.stderr
    out = cli("--base-url", "notaurl", "--model", "m", db=db)
    assert out.returncode == 2 and "not an http:// or https:// URL" in out.stderr
    out = cli("--azure-endpoint", "http://127.0.0.1:9", "--api-version", "2024-10-21", "--model", "m", db=db)
    assert out.returncode == 2 and "--deployment" in out.stderr


def test_a_run_where_every_request_failed_is_stored_and_exits_1(tmp_path: Path) -> None:
    db = tmp_path / "fail.sqlite3"
    # Nothing listens on port 9 (discard): every request fails to connect.
    out = cli("--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--requests", "3", "--json", db=db)
    assert out.returncode == 1, out.stderr
    assert "every request failed" in out.stderr
    summary = json.loads(out.stdout)
    assert summary["requests"] == 3 and summary["errors"] == 3


@pytest.mark.slow  # a real process, killed half-way
def test_sigkill_half_way_keeps_every_finished_request(tmp_path: Path) -> None:
    db = tmp_path / "kill.sqlite3"
    # each request takes ~20 + 15*8 = 140 ms; 40 requests at concurrency 2 would take ~3 s
    with FakeChatServer(ServerKnobs(ttft_ms=20, itl_ms=8)) as srv:
        proc = subprocess.Popen(
            [sys.executable, "-m", "costmodel", "bench", "--base-url", srv.base_url, "--model", "m",
             "--concurrency", "2", "--requests", "40", "--warmup", "0", "--max-tokens", "16",
             "--db", str(db), "--verbose"],
            cwd=ROOT, env=_env(), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert proc.stderr is not None
        stored: list[int] = []
        deadline = time.monotonic() + 60
        while len(stored) < 10 and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if line.startswith("stored seq="):
                stored.append(int(line.split()[1].split("=")[1]))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(stored) >= 10
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    seqs = {r[0] for r in conn.execute("SELECT seq FROM latency_requests")}
    assert set(stored) <= seqs  # every request announced as stored is there
    assert len(seqs) < 40  # killed half-way: not all of them ran
    status = conn.execute("SELECT status, finished_utc FROM latency_runs").fetchall()
    assert status == [("running", None)]
    conn.close()
    listed = cli("list", db=db)
    assert "unfinished" in listed.stdout
    run_id = json.loads(cli("list", "--json", db=db).stdout)[0]["run_id"]
    shown = cli("show", run_id, "--json", db=db)
    assert json.loads(shown.stdout)["requests"] == len(seqs)


def test_show_with_an_objective_says_whether_a_stored_run_meets_it(tmp_path: Path) -> None:
    """Issue 12: a per-token path keeps its prices but shows whether its measured latency meets the objective.

    The fake server answers in about 20 ms and fails every 5th request (numbers 5 and 10 of 10, after 2
    warm-ups): 6 of the 8 measured requests are good under a generous TTFT limit (75%), none under 1 ms."""
    db = tmp_path / "o.sqlite3"
    with FakeChatServer(ServerKnobs(ttft_ms=20, itl_ms=2, http_error_every=5)) as own:  # its own error counter
        out = cli("--base-url", own.base_url, "--model", "m", "--concurrency", "1", "--requests", "8",
                  "--warmup", "2", "--max-tokens", "8", "--json", db=db)  # fmt: skip
    assert out.returncode == 0, out.stderr
    run_id = json.loads(out.stdout)["run_id"]
    lenient = cli("show", run_id, "--slo", "ttft:10000", "--slo-percentile", "70", "--json", db=db)
    assert lenient.returncode == 0, lenient.stderr
    verdict = json.loads(lenient.stdout)["objective"]
    assert (verdict["verdict"], verdict["share_good"], verdict["requests"]) == ("meets", 0.75, 8)
    strict = cli("show", run_id, "--slo", "ttft:1", db=db)
    assert strict.returncode == 0 and "objective ttft:1: BREAKS (0.0% of 8 measured requests good" in strict.stdout
    plain = cli("show", run_id, "--json", db=db)
    assert "objective" not in json.loads(plain.stdout)
