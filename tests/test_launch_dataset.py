"""The launcher with the real dataset analysis (costmodel.dataset, issue 3) as its preflight."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from costmodel import store
from costmodel.dataset import analyze_file
from costmodel.errors import LaunchError
from costmodel.launch import LaunchSpec, ProviderSettings, execute_launch, plan_launch
from costmodel.secrets import Secret
from costmodel.testing.fake_openai_api import FakeOpenAIServer
from tests.cli_support import run_cli
from tests.launch_helpers import AS_OF, FAKE_KEY, OPENAI_MODEL, small_catalog, write_dataset

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    c = store.connect(tmp_path / "store.sqlite3")
    yield c
    c.close()


def test_real_analysis_prices_the_launch(fake: FakeOpenAIServer, tmp_path: Path, conn: sqlite3.Connection) -> None:
    dataset = write_dataset(tmp_path / "train.jsonl", n=12)
    spec = LaunchSpec(provider="openai", model=OPENAI_MODEL, dataset=dataset, as_of=AS_OF)
    settings = ProviderSettings(provider="openai", base_url=fake.openai_base_url, poll_interval_s=0)
    plan = plan_launch(spec, settings, catalog=small_catalog())
    analysis = analyze_file(dataset, model=OPENAI_MODEL, catalog=small_catalog(), provider="openai")
    assert plan.n_examples == 12
    # cookbook heuristic: 12 examples x 3 = 36 < 100, so min(25, 100 // 12) = 8 epochs
    assert plan.n_epochs == 8
    assert plan.billed_tokens == analysis.billed_tokens > 0
    assert plan.estimated_cost_usd == Decimal(analysis.billed_tokens) * 8 * Decimal("3.00") / 1_000_000
    record = execute_launch(plan, conn=conn, credential=Secret(FAKE_KEY), sleep=lambda _: None)
    assert record.job_id == fake.jobs()[0]["id"]


def test_real_analysis_errors_block_the_launch(
    fake: FakeOpenAIServer, tmp_path: Path, conn: sqlite3.Connection
) -> None:
    dataset = write_dataset(tmp_path / "train.jsonl", n=12)
    with dataset.open("a", encoding="utf-8") as f:
        f.write('{"messages": [{"role": "user", "content": "truncated"\n')  # line 13: invalid JSON
    spec = LaunchSpec(provider="openai", model=OPENAI_MODEL, dataset=dataset, as_of=AS_OF)
    settings = ProviderSettings(provider="openai", base_url=fake.openai_base_url)
    plan = plan_launch(spec, settings, catalog=small_catalog())
    assert plan.has_errors
    assert any(p.code == "invalid_json" and p.line == 13 for p in plan.blocking_problems)
    with pytest.raises(LaunchError, match="line 13"):
        execute_launch(plan, conn=conn, credential=Secret(FAKE_KEY))
    assert fake.requests == []


def test_cli_with_the_real_analysis(fake: FakeOpenAIServer, tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path / "train.jsonl", n=12)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env.update(COSTMODEL_DB=str(tmp_path / "store.sqlite3"), PYTHONPATH=str(ROOT), OPENAI_API_KEY=FAKE_KEY)
    args = [
        "launch", "--provider", "openai", "--dataset", str(dataset),
        "--model", "gpt-4o-mini", "--base-url", fake.openai_base_url, "--as-of", "2025-06-01", "--json",
    ]  # fmt: skip
    dry = run_cli([*args, "--dry-run"], env=env, cwd=ROOT)
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["status"] == "dry_run" and fake.requests == []
    done = run_cli([*args, "--yes"], env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["job_id"] == fake.jobs()[0]["id"]
    assert fake.jobs()[0]["model"] == "gpt-4o-mini"
