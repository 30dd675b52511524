"""A recognisable fake key goes through every launch path; afterwards it is nowhere.

Searched: every log record (all loggers at DEBUG, including the openai SDK's), every byte of
every file the store wrote (database, WAL, lock files), the CLI's human and JSON output (the
exported reports of a launch), every exception message raised on the way with its chain, the
planned requests shown before the click, and every URL the fake server received.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import costmodel.launch.plan as plan_module
from costmodel import store
from costmodel.errors import CostmodelError
from costmodel.launch import (
    LaunchSpec,
    ProviderSettings,
    cancel_launch,
    execute_launch,
    list_events,
    list_launches,
    plan_launch,
    refresh_launch,
)
from costmodel.secrets import Secret
from costmodel.testing.fake_openai_api import FakeOpenAIServer
from tests.cli_support import run_cli
from tests.launch_helpers import (
    AS_OF,
    AZURE_MODEL,
    FAKE_AZURE_KEY,
    FAKE_KEY,
    OPENAI_MODEL,
    fake_preflight,
    small_catalog,
    write_dataset,
)

ROOT = Path(__file__).resolve().parent.parent
CANARIES = (FAKE_KEY, FAKE_AZURE_KEY, "LEAKCANARY")


def _chain(exc: BaseException) -> list[str]:
    out: list[str] = []
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        out += [str(cur), repr(cur), *map(str, cur.args)]
        cur = cur.__cause__ or cur.__context__
    return out


def _assert_clean(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"the key leaked into {where}"


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(run_s=60) as server:
        yield server


def test_the_key_is_never_logged_stored_reported_or_raised(
    fake: FakeOpenAIServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, including openai._base_client and httpx2
    for name in ("openai", "httpx2", "httpcore2", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    db = tmp_path / "store" / "launch.sqlite3"
    conn = store.connect(db)
    dataset = write_dataset(tmp_path / "train.jsonl")
    catalog = small_catalog()
    key = Secret(FAKE_KEY, source="test")
    az_key = Secret(FAKE_AZURE_KEY, source="test")
    raised: list[BaseException] = []
    openai_settings = ProviderSettings(
        provider="openai", base_url=fake.openai_base_url, timeout_s=0.5, poll_interval_s=0
    )

    def attempt(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return fn(*args, **kwargs)
        except CostmodelError as exc:
            raised.append(exc)
            return None

    def plan(launch_id: str, provider: str = "openai", settings: ProviderSettings = openai_settings):  # type: ignore[no-untyped-def]
        model = OPENAI_MODEL if provider == "openai" else AZURE_MODEL
        spec = LaunchSpec(provider=provider, model=model, dataset=dataset, as_of=AS_OF, launch_id=launch_id)  # type: ignore[arg-type]
        return plan_launch(spec, settings, catalog=catalog, preflight=fake_preflight())

    # 1. the provider echoes the key in an error (worst case): the message must be redacted
    fake.add_fault("jobs.create", "error_before", status=400, message=f"Invalid request from key {FAKE_KEY}")
    attempt(execute_launch, plan("leak-1"), conn=conn, credential=key, sleep=lambda _: None)
    # 2. a wrong key: the fake's 401 echoes the key it was given, in full
    with FakeOpenAIServer(expected_key="sk-the-right-key-000000") as strict:
        s = ProviderSettings(provider="openai", base_url=strict.openai_base_url, poll_interval_s=0)
        attempt(execute_launch, plan("leak-2", settings=s), conn=conn, credential=key, sleep=lambda _: None)
        azs = ProviderSettings(provider="azure", azure_endpoint=strict.url, api_version="2024-10-21")
        attempt(execute_launch, plan("leak-2az", "azure", azs), conn=conn, credential=az_key, sleep=lambda _: None)
    # 3. 429, a timeout and a dropped upload, then success; refresh; cancel
    fake.add_fault("files.create", "drop_before")
    fake.add_fault("jobs.create", "error_before", status=429, retry_after=0.0)
    fake.add_fault("jobs.create", "delay_after", delay_s=1.0)
    ok = attempt(execute_launch, plan("leak-3"), conn=conn, credential=key, sleep=lambda _: None)
    assert ok is not None and ok.job_id
    attempt(refresh_launch, conn, "leak-3", credential=key)
    attempt(cancel_launch, conn, "leak-3", credential=key)
    azure_settings = ProviderSettings(provider="azure", azure_endpoint=fake.url, api_version="2024-10-21")
    attempt(execute_launch, plan("leak-4", "azure", azure_settings), conn=conn, credential=az_key, sleep=lambda _: None)
    attempt(refresh_launch, conn, "leak-4", credential=az_key)
    # 4. the command line: human and JSON output, and an error path
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env.update(COSTMODEL_DB=str(db), PYTHONPATH=str(ROOT), OPENAI_API_KEY=FAKE_KEY)
    outputs: list[str] = []
    entry = str(ROOT / "tests" / "launch_cli_entry.py")
    common = ["--provider", "openai", "--dataset", str(dataset), "--model", OPENAI_MODEL, "--as-of", "2025-06-01"]
    # In this process (its log records land in caplog, searched below), with the fake analysis that
    # tests/launch_cli_entry.py installs for a subprocess; the error path in a real process (all it prints).
    monkeypatch.setattr(plan_module, "default_preflight", fake_preflight())
    for args in (
        ["launch", *common, "--base-url", fake.openai_base_url, "--yes", "--json", "--launch-id", "leak-cli"],
        ["launch", *common, "--base-url", fake.openai_base_url, "--dry-run"],
        ["launch", *common, "--base-url", fake.openai_base_url, "--dry-run", "--json"],
    ):
        ran = run_cli(args, env=env, cwd=ROOT)
        outputs += [ran.stdout, ran.stderr]
    bad = ["launch", *common, "--base-url", strict_url_placeholder(fake), "--yes", "--launch-id", "leak-cli-bad"]
    done = subprocess.run([sys.executable, entry, *bad], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and done.stderr.startswith("costmodel:"), done.stderr
    outputs += [done.stdout, done.stderr]
    for args in (["jobs", "--json"], ["jobs"]):
        ran = run_cli(args, env=env, cwd=ROOT)
        outputs += [ran.stdout, ran.stderr]
    assert any("leak-cli" in o for o in outputs)
    conn.close()

    # -- the searches ------------------------------------------------------------------------------------
    assert raised, "the error paths above were expected to raise"
    for exc in raised:
        for text in _chain(exc):
            _assert_clean(text, f"an exception ({type(exc).__name__})")
    assert any("[REDACTED]" in str(e) for e in raised)  # the echoed key was there, and was removed
    _assert_clean(caplog.text, "the logs")
    for record in caplog.records:
        _assert_clean(record.getMessage(), "a log record")
    for path in (tmp_path / "store").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for canary in CANARIES:
                assert canary.encode() not in data, f"the key leaked into {path.name}"
    check = store.connect(db)
    for rec in list_launches(check):
        _assert_clean(rec.model_dump_json(), "a launch record")
        for event in list_events(check, rec.launch_id):
            _assert_clean(event.detail, "a launch event")
    check.close()
    for i, text in enumerate(outputs):
        _assert_clean(text, f"CLI output #{i}")
    for r in fake.requests:
        _assert_clean(r.path, "a request URL")
    _assert_clean(json.dumps([r.as_dict() for r in plan("leak-5").requests]), "the planned requests")


def strict_url_placeholder(fake: FakeOpenAIServer) -> str:
    """A 127.0.0.1 URL whose routes answer 404 (an error path for the CLI, still local)."""
    return fake.url + "/nowhere/v1"
