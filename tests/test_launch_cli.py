"""``costmodel launch`` and ``costmodel jobs`` against the fake API on 127.0.0.1.

Run in this process with the fake dataset analysis (``tests/launch_cli_entry.py`` explains it),
except two concurrent launches, which are two real processes racing for one launch id."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import costmodel.launch.plan as plan_module
from costmodel.testing.fake_openai_api import FakeOpenAIServer
from tests.cli_support import CliRun, run_cli
from tests.launch_helpers import AZURE_MODEL, FAKE_AZURE_KEY, FAKE_KEY, OPENAI_MODEL, fake_preflight, write_dataset

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "tests" / "launch_cli_entry.py"

# Prices pinned for these tests (same figures as data/prices.csv on 2025-06-01).
CATALOG_CSV = (
    "provider,model,variant,kind,unit,tier,amount,effective_from,effective_to,date_confirmed,source_url,reliability,note\n"
    """openai,gpt-4o-mini-2024-07-18,fine_tuned,training,usd_per_1m_tokens,standard,3.00,2024-07-18,,true,https://openai.com/api/pricing/,copy_of_official,
azure,gpt-4.1-mini-2025-04-14,fine_tuned,training,usd_per_1m_tokens,standard,5.50,2025-04-14,,true,https://azure.microsoft.com/pricing/details/cognitive-services/openai-service/,official,
"""
)


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(trained_tokens_override=31_000) as server:
        yield server


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    e["COSTMODEL_DB"] = str(tmp_path / "store.sqlite3")
    e["PYTHONPATH"] = str(ROOT)
    return e


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    catalog = tmp_path / "prices.csv"
    catalog.write_text(CATALOG_CSV, encoding="utf-8")
    return {"dataset": write_dataset(tmp_path / "train.jsonl"), "catalog": catalog}


@pytest.fixture(autouse=True)
def _fake_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``tests/launch_cli_entry.py`` does for a subprocess: the fixed, hand-checkable analysis."""
    monkeypatch.setattr(plan_module, "default_preflight", fake_preflight())


def cli(args: list[str], env: dict[str, str], stdin: str = "") -> CliRun:
    return run_cli(args, env=env, cwd=ROOT, stdin=stdin)


def openai_args(fake: FakeOpenAIServer, files: dict[str, Path], *extra: str) -> list[str]:
    return [
        "launch",
        "--provider", "openai",
        "--dataset", str(files["dataset"]),
        "--model", OPENAI_MODEL,
        "--base-url", fake.openai_base_url,
        "--catalog", str(files["catalog"]),
        "--as-of", "2025-06-01",
        *extra,
    ]  # fmt: skip


def test_launch_json_then_jobs_shows_actual_cost(
    fake: FakeOpenAIServer, files: dict[str, Path], env: dict[str, str]
) -> None:
    env["OPENAI_API_KEY"] = FAKE_KEY
    done = cli(openai_args(fake, files, "--yes", "--json", "--launch-id", "cli-1"), env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["launch_id"] == "cli-1"
    assert out["job_id"] == fake.jobs()[0]["id"] and out["file_id"] == fake.files()[0]["id"]
    assert out["estimated_cost_usd"] == "0.09"  # 10,000 x 3 epochs x $3.00 / 1M (fake analysis)
    assert out["status"] in ("validating_files", "queued", "running", "succeeded")
    jobs = cli(["jobs", "--json"], env)
    assert jobs.returncode == 0, jobs.stderr
    (row,) = json.loads(jobs.stdout)
    assert row["status"] == "succeeded"
    assert row["actual_cost_usd"] == "0.093"  # 31,000 trained tokens x $3.00 / 1M
    assert row["cost_difference_usd"] == "0.003"
    human = cli(["jobs", "--launch-id", "cli-1", "--no-refresh"], env)
    assert "cli-1" in human.stdout and "$0.093" in human.stdout


def test_without_yes_it_asks_and_a_no_sends_nothing(
    fake: FakeOpenAIServer, files: dict[str, Path], env: dict[str, str]
) -> None:
    env["OPENAI_API_KEY"] = FAKE_KEY
    declined = cli(openai_args(fake, files), env, stdin="n\n")
    assert declined.returncode == 1
    assert "$0.09" in declined.stdout and "[y/N]" in declined.stdout and "Not launched" in declined.stdout
    assert fake.requests == []
    accepted = cli(openai_args(fake, files), env, stdin="y\n")
    assert accepted.returncode == 0, accepted.stderr
    assert len(fake.jobs()) == 1
    again = cli(openai_args(fake, files, "--yes", "--json"), env)
    assert json.loads(again.stdout)["job_id"] == fake.jobs()[0]["id"]
    assert fake.count("jobs.create") == 1 and fake.count("files.create") == 1


def test_dry_run_without_a_key_shows_the_requests(
    fake: FakeOpenAIServer, files: dict[str, Path], env: dict[str, str]
) -> None:
    done = cli(openai_args(fake, files, "--dry-run", "--json"), env)
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    create = plan["requests"][-1]
    assert create["headers"]["Authorization"] == "Bearer [REDACTED]"
    assert create["body"]["model"] == OPENAI_MODEL
    assert fake.requests == []


def test_without_a_key_it_says_what_to_set(fake: FakeOpenAIServer, files: dict[str, Path], env: dict[str, str]) -> None:
    done = cli(openai_args(fake, files, "--yes"), env)
    assert done.returncode == 2
    assert "OPENAI_API_KEY" in done.stderr and "Traceback" not in done.stderr
    assert fake.requests == []


def test_budget_cap_refuses(fake: FakeOpenAIServer, files: dict[str, Path], env: dict[str, str]) -> None:
    env["OPENAI_API_KEY"] = FAKE_KEY
    done = cli(openai_args(fake, files, "--yes", "--budget", "0.05"), env)
    assert done.returncode == 1
    assert "above the budget cap $0.05" in done.stderr
    assert fake.requests == []


@pytest.mark.slow  # two real processes
def test_two_concurrent_runs_with_one_launch_id_leave_one_job(
    fake: FakeOpenAIServer, files: dict[str, Path], env: dict[str, str]
) -> None:
    env["OPENAI_API_KEY"] = FAKE_KEY
    fake.add_fault("jobs.create", "delay_after", delay_s=0.8)  # keep the first run inside its create call
    args = openai_args(fake, files, "--yes", "--json", "--launch-id", "same-id")
    procs = [
        subprocess.Popen(
            [sys.executable, str(ENTRY), *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=90) for p in procs]
    assert len(fake.jobs()) == 1, outputs
    assert fake.count("jobs.create") == 1 and fake.count("files.create") == 1
    job_id = fake.jobs()[0]["id"]
    for p, (stdout, stderr) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, stderr
        assert json.loads(stdout)["job_id"] == job_id


def test_azure_launch_from_environment(fake: FakeOpenAIServer, files: dict[str, Path], env: dict[str, str]) -> None:
    env.update(AZURE_OPENAI_API_KEY=FAKE_AZURE_KEY, AZURE_OPENAI_ENDPOINT=fake.url, OPENAI_API_VERSION="2024-10-21")
    args = [
        "launch", "--provider", "azure", "--dataset", str(files["dataset"]), "--model", AZURE_MODEL,
        "--catalog", str(files["catalog"]), "--as-of", "2025-06-01", "--yes", "--json",
    ]  # fmt: skip
    done = cli(args, env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["estimated_cost_usd"] == "0.165"  # 30,000 x $5.50 / 1M
    (job,) = fake.jobs("azure")
    assert out["job_id"] == job["id"] and job["trainingType"] == "Standard"
    assert all("api-version=2024-10-21" in r.path for r in fake.requests)


def test_follow_waits_for_the_job_and_prints_the_actual_cost(
    fake: FakeOpenAIServer, files: dict[str, Path], env: dict[str, str]
) -> None:
    env["OPENAI_API_KEY"] = FAKE_KEY
    done = cli(openai_args(fake, files, "--yes", "--follow"), env)
    assert done.returncode == 0, done.stderr
    assert "succeeded" in done.stdout
    assert "actual cost $0.093 vs estimate $0.09" in done.stdout  # 31,000 and 30,000 tokens x $3.00 / 1M


def test_jobs_cancel_needs_a_launch_id(env: dict[str, str]) -> None:
    done = cli(["jobs", "--cancel"], env)
    assert done.returncode == 2 and "--launch-id" in done.stderr
