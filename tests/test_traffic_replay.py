"""``costmodel bench --traffic FILE`` replays the imported token lengths against a local server."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from costmodel.testing.fake_chat_server import FakeChatServer, ServerKnobs
from costmodel.traffic.document import to_yaml
from costmodel.traffic.reader import import_traffic

ROOT = Path(__file__).resolve().parent.parent


def test_bench_replays_the_sampled_lengths(tmp_path: Path) -> None:
    traffic = tmp_path / "traffic.yaml"
    traffic.write_text(to_yaml(import_traffic(ROOT / "tests" / "data" / "traffic" / "plain.csv").profile))
    db = tmp_path / "s.sqlite3"
    with FakeChatServer(ServerKnobs(ttft_ms=1, itl_ms=0)) as srv:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "costmodel",
                "bench",
                "--base-url",
                srv.base_url,
                "--model",
                "fake-model",
                "--traffic",
                str(traffic),
                "--concurrency",
                "2",
                "--requests",
                "8",
                "--warmup",
                "0",
                "--db",
                str(db),
                "--json",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    # the eight sampled pairs (fewer than the reservoir) in file order; outputs 50,150,50,250,50,150,50,250
    assert summary["output_tokens_total"] == 1000
    conn = sqlite3.connect(db)
    tokens = [r[0] for r in conn.execute("SELECT output_tokens FROM latency_requests ORDER BY seq")]
    config = json.loads(conn.execute("SELECT config_json FROM latency_runs").fetchone()[0])
    conn.close()
    assert tokens == [50, 150, 50, 250, 50, 150, 50, 250]
    assert config["workload_source"] == str(traffic) and len(config["workload"]) == 8


def test_a_traffic_file_without_a_profile_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "scenario.yaml"
    bad.write_text("traffic: {requests_per_day: 5, input_tokens_per_request: 3, output_tokens_per_request: 3}\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "costmodel",
            "bench",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--model",
            "m",
            "--traffic",
            str(bad),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "traffic_profile" in proc.stderr and "Traceback" not in proc.stderr
