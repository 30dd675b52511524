"""The launcher against a local fake of the OpenAI / Azure OpenAI API, through the real openai SDK.

Expected costs are computed by hand from the prices in ``tests/launch_helpers.py``:
OpenAI gpt-4o-mini training $3.00 per 1M tokens, Azure gpt-4.1-mini $5.50 per 1M tokens.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openai
import pytest

from costmodel import store
from costmodel.errors import BudgetExceededError, CredentialError, LaunchError
from costmodel.launch import (
    METADATA_KEY,
    LaunchSpec,
    ProviderSettings,
    cancel_launch,
    execute_launch,
    get_launch,
    list_events,
    plan_launch,
    refresh_launch,
)
from costmodel.launch.records import update_launch
from costmodel.secrets import Secret
from costmodel.testing.fake_openai_api import FakeOpenAIServer
from tests.launch_helpers import (
    AS_OF,
    AZURE_MODEL,
    FAKE_AZURE_KEY,
    FAKE_KEY,
    OPENAI_MODEL,
    FakeAnalysis,
    FakeProblem,
    fake_preflight,
    small_catalog,
    write_dataset,
)

KEY = Secret(FAKE_KEY, source="test")
AZ_KEY = Secret(FAKE_AZURE_KEY, source="test")


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(trained_tokens_override=31_000) as server:
        yield server


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    c = store.connect(tmp_path / "store.sqlite3")
    yield c
    c.close()


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "train.jsonl")


def _no_sleep(_: float) -> None:
    return None


def openai_plan(fake: FakeOpenAIServer, dataset: Path, **spec_kw: object):  # type: ignore[no-untyped-def]
    spec = LaunchSpec(provider="openai", model=OPENAI_MODEL, dataset=dataset, as_of=AS_OF, **spec_kw)  # type: ignore[arg-type]
    settings = ProviderSettings(provider="openai", base_url=fake.openai_base_url, timeout_s=5, poll_interval_s=0)
    return plan_launch(spec, settings, catalog=small_catalog(), preflight=fake_preflight())


def azure_plan(fake: FakeOpenAIServer, dataset: Path, *, v1: bool = False, **spec_kw: object):  # type: ignore[no-untyped-def]
    spec = LaunchSpec(provider="azure", model=AZURE_MODEL, dataset=dataset, as_of=AS_OF, **spec_kw)  # type: ignore[arg-type]
    if v1:
        settings = ProviderSettings(provider="azure", base_url=fake.azure_v1_base_url, timeout_s=5, poll_interval_s=0)
    else:
        settings = ProviderSettings(
            provider="azure", azure_endpoint=fake.url, api_version="2025-04-01-preview", timeout_s=5, poll_interval_s=0
        )
    return plan_launch(spec, settings, catalog=small_catalog(), preflight=fake_preflight())


# -- planning ---------------------------------------------------------------------------------------
def test_plan_estimate_is_billed_tokens_times_epochs_times_price(fake: FakeOpenAIServer, dataset: Path) -> None:
    plan = openai_plan(fake, dataset)
    # 10,000 billed tokens x 3 epochs = 30,000 tokens; x $3.00 / 1M = $0.09 (by hand)
    assert plan.estimated_tokens == 30_000
    assert plan.estimated_cost_usd == Decimal("0.09")
    assert plan.price_usd_per_1m == Decimal("3.00")
    assert plan.price_reliability == "copy_of_official"
    assert plan.launch_id.startswith("cm-")
    assert fake.requests == []  # planning sends nothing


def test_plan_launch_id_is_deterministic_and_changes_with_the_settings(fake: FakeOpenAIServer, dataset: Path) -> None:
    a = openai_plan(fake, dataset)
    b = openai_plan(fake, dataset)
    c = openai_plan(fake, dataset, n_epochs=4)
    assert a.launch_id == b.launch_id
    assert c.launch_id != a.launch_id


def test_planned_requests_show_the_create_body_and_redact_the_key(fake: FakeOpenAIServer, dataset: Path) -> None:
    plan = openai_plan(fake, dataset, n_epochs=2, seed=7, suffix="support-bot")
    create = plan.requests[-1]
    assert create.method == "POST" and create.url == fake.openai_base_url + "/fine_tuning/jobs"
    assert create.headers["Authorization"] == "Bearer [REDACTED]"
    assert create.body["method"] == {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}}
    assert create.body["metadata"] == {METADATA_KEY: plan.launch_id}
    assert create.body["seed"] == 7 and create.body["suffix"] == "support-bot"
    az = azure_plan(fake, dataset)
    assert az.requests[-1].headers == {"api-key": "[REDACTED]", "Content-Type": "application/json"}
    assert "api-version=2025-04-01-preview" in az.requests[-1].url
    assert az.requests[-1].body["trainingType"] == "Standard"
    assert "metadata" not in az.requests[-1].body


def test_azure_suffix_limit_is_18_characters(dataset: Path) -> None:
    with pytest.raises(ValueError, match="at most 18"):
        LaunchSpec(provider="azure", model=AZURE_MODEL, dataset=dataset, as_of=AS_OF, suffix="x" * 19)


# -- happy paths --------------------------------------------------------------------------------------
def test_openai_happy_path_then_actual_cost_beside_estimate(
    fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection
) -> None:
    plan = openai_plan(fake, dataset, n_epochs=3)
    record = execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
    assert record.file_id and record.job_id
    assert fake.count("files.create") == 1 and fake.count("jobs.create") == 1
    (job,) = fake.jobs("openai")
    assert job["id"] == record.job_id
    assert job["metadata"] == {METADATA_KEY: plan.launch_id}
    assert job["method"]["supervised"]["hyperparameters"] == {"n_epochs": 3}
    assert fake.file_bytes(record.file_id) == dataset.read_bytes()

    snap = refresh_launch(conn, plan.launch_id, credential=KEY)
    rec = snap.record
    assert rec.status == "succeeded"
    assert rec.trained_tokens == 31_000
    # actual = 31,000 x $3.00 / 1M = $0.093; estimate $0.09; difference +$0.003 (by hand)
    assert rec.actual_cost_usd == Decimal("0.093")
    assert rec.estimated_cost_usd == Decimal("0.09")
    assert rec.cost_difference_usd == Decimal("0.003")
    assert rec.fine_tuned_model and rec.fine_tuned_model.startswith("ft:" + OPENAI_MODEL)
    assert any("successfully completed" in e["message"] for e in snap.events)
    assert [c["step_number"] for c in snap.checkpoints] == [3, 2, 1]
    # stored: reopening the store gives the same numbers
    again = get_launch(conn, plan.launch_id)
    assert again is not None and again.actual_cost_usd == Decimal("0.093")


def test_azure_happy_path_versioned_endpoint(fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection) -> None:
    plan = azure_plan(fake, dataset)
    record = execute_launch(plan, conn=conn, credential=AZ_KEY, sleep=_no_sleep)
    (job,) = fake.jobs("azure")
    assert job["id"] == record.job_id
    assert job["trainingType"] == "Standard"
    assert job["suffix"] == plan.suffix and len(plan.suffix) <= 18
    azure_requests = [r for r in fake.requests if r.flavor == "azure"]
    assert azure_requests and all("api-version=2025-04-01-preview" in r.path for r in azure_requests)
    assert all("api-key" in r.header_names for r in azure_requests)
    snap = refresh_launch(conn, plan.launch_id, credential=AZ_KEY)
    # 31,000 x $5.50 / 1M = $0.1705; estimate 30,000 x 5.50 / 1M = $0.165 (by hand)
    assert snap.record.actual_cost_usd == Decimal("0.1705")
    assert snap.record.estimated_cost_usd == Decimal("0.165")
    assert snap.record.fine_tuned_model == f"{AZURE_MODEL}.ft-{record.job_id[-32:]}"  # type: ignore[index]


def test_azure_v1_base_url(fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection) -> None:
    plan = azure_plan(fake, dataset, v1=True, tier="developer")
    record = execute_launch(plan, conn=conn, credential=AZ_KEY, sleep=_no_sleep)
    assert record.job_id
    assert {r.flavor for r in fake.requests} == {"azure_v1"}
    assert fake.jobs("azure_v1")[0]["trainingType"] == "Developer"


def test_azure_developer_training_type_falls_back_to_the_other_spelling(
    dataset: Path, conn: sqlite3.Connection
) -> None:
    with FakeOpenAIServer(azure_training_types=("Standard", "GlobalStandard", "developerTier")) as fake:
        plan = azure_plan(fake, dataset, tier="developer")
        record = execute_launch(plan, conn=conn, credential=AZ_KEY, sleep=_no_sleep)
        assert fake.count("jobs.create") == 2
        assert len(fake.jobs()) == 1
        assert record.training_type == "developerTier"
        assert any("developerTier" in e.detail for e in list_events(conn, plan.launch_id))


# -- exactly once ---------------------------------------------------------------------------------------
def test_second_execute_sends_nothing(fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection) -> None:
    plan = openai_plan(fake, dataset)
    first = execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
    before = len(fake.requests)
    second = execute_launch(openai_plan(fake, dataset), conn=conn, credential=KEY, sleep=_no_sleep)
    assert second.job_id == first.job_id
    assert len(fake.requests) == before


def test_429_then_success_on_create(fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection) -> None:
    fake.add_fault("jobs.create", "error_before", status=429, retry_after=0.0)
    slept: list[float] = []
    record = execute_launch(openai_plan(fake, dataset), conn=conn, credential=KEY, sleep=slept.append)
    assert fake.count("jobs.create") == 2
    assert len(fake.jobs()) == 1 and record.job_id == fake.jobs()[0]["id"]
    assert slept == [0.0]  # the server's retry-after was honoured


def test_429_then_success_on_upload(fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection) -> None:
    fake.add_fault("files.create", "error_before", status=429, retry_after=0.0)
    record = execute_launch(openai_plan(fake, dataset), conn=conn, credential=KEY, sleep=_no_sleep)
    assert fake.count("files.create") == 2 and len(fake.files()) == 1
    assert record.job_id


def test_500_after_the_job_was_created_adopts_it(
    fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection
) -> None:
    fake.add_fault("jobs.create", "error_after", status=500)
    plan = openai_plan(fake, dataset)
    record = execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
    assert fake.count("jobs.create") == 1  # the retry found the job and created nothing
    (job,) = fake.jobs()
    assert record.job_id == job["id"]
    steps = [e.step for e in list_events(conn, plan.launch_id)]
    assert "jobs.create:error" in steps and "jobs.reconcile" in steps


def test_the_sdk_alone_would_have_created_two_jobs(fake: FakeOpenAIServer, dataset: Path) -> None:
    """Why the guard exists: with the SDK's default retries a 500-after-create duplicates the job."""
    fake.add_fault("jobs.create", "error_after", status=500)
    client = openai.OpenAI(api_key=FAKE_KEY, base_url=fake.openai_base_url)
    f = client.files.create(file=("d.jsonl", dataset.read_bytes()), purpose="fine-tune")
    client.fine_tuning.jobs.create(model=OPENAI_MODEL, training_file=f.id)
    assert len(fake.jobs()) == 2


def test_500_after_create_on_azure_adopts_by_training_file(
    fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection
) -> None:
    fake.add_fault("jobs.create", "error_after", status=500)
    record = execute_launch(azure_plan(fake, dataset), conn=conn, credential=AZ_KEY, sleep=_no_sleep)
    assert fake.count("jobs.create") == 1 and len(fake.jobs()) == 1
    assert record.job_id == fake.jobs()[0]["id"]


def test_connection_dropped_mid_upload(fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection) -> None:
    fake.add_fault("files.create", "drop_before")
    record = execute_launch(openai_plan(fake, dataset), conn=conn, credential=KEY, sleep=_no_sleep)
    assert fake.count("files.create") == 2
    assert len(fake.files()) == 1 and record.file_id == fake.files()[0]["id"]
    assert len(fake.jobs()) == 1


def test_connection_dropped_after_the_upload_was_stored(
    fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection
) -> None:
    fake.add_fault("files.create", "drop_after")
    plan = openai_plan(fake, dataset)
    record = execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
    assert fake.count("files.create") == 1  # found on the server, not uploaded twice
    assert len(fake.files()) == 1 and record.file_id == fake.files()[0]["id"]
    assert "files.reconcile" in [e.step for e in list_events(conn, plan.launch_id)]


def test_timeout_on_create_after_the_server_created_the_job(dataset: Path, conn: sqlite3.Connection) -> None:
    with FakeOpenAIServer() as fake:
        fake.add_fault("jobs.create", "delay_after", delay_s=1.5)
        spec = LaunchSpec(provider="openai", model=OPENAI_MODEL, dataset=dataset, as_of=AS_OF)
        settings = ProviderSettings(provider="openai", base_url=fake.openai_base_url, timeout_s=0.4, poll_interval_s=0)
        plan = plan_launch(spec, settings, catalog=small_catalog(), preflight=fake_preflight())
        record = execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
        assert len(fake.jobs()) == 1 and record.job_id == fake.jobs()[0]["id"]
        assert fake.count("jobs.create") == 1  # the timed-out create was not sent again
        assert "timed out" in " ".join(e.detail for e in list_events(conn, plan.launch_id))


def test_a_crash_between_create_and_record_is_healed_by_the_next_run(
    fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection
) -> None:
    plan = openai_plan(fake, dataset)
    execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
    # simulate a process killed after the server created the job but before the id was stored
    update_launch(conn, plan.launch_id, job_id=None, status="creating")
    record = execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
    assert fake.count("jobs.create") == 1 and len(fake.jobs()) == 1
    assert record.job_id == fake.jobs()[0]["id"]


def test_concurrent_executes_with_one_launch_id_create_one_job(
    fake: FakeOpenAIServer, dataset: Path, tmp_path: Path
) -> None:
    fake.add_fault("jobs.create", "delay_after", delay_s=0.3)  # widen the race window
    plan = openai_plan(fake, dataset)
    results: list[object] = []

    def run() -> None:
        c = store.connect(tmp_path / "store.sqlite3")
        try:
            results.append(execute_launch(plan, conn=c, credential=KEY))
        except Exception as exc:  # collected and asserted below
            results.append(exc)
        finally:
            c.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(fake.jobs()) == 1 and fake.count("jobs.create") == 1 and fake.count("files.create") == 1
    job_ids = {getattr(r, "job_id", None) for r in results}
    assert job_ids == {fake.jobs()[0]["id"]}


# -- refusals -----------------------------------------------------------------------------------------------
def test_budget_cap_refuses_before_any_request(fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection) -> None:
    plan = openai_plan(fake, dataset, budget_usd=Decimal("0.05"))  # estimate $0.09
    assert plan.over_budget
    with pytest.raises(BudgetExceededError, match=r"\$0.09.*\$0.05"):
        execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
    assert fake.requests == []
    record = get_launch(conn, plan.launch_id)
    assert record is not None and record.status == "refused"


def test_budget_at_the_estimate_is_allowed(fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection) -> None:
    plan = openai_plan(fake, dataset, budget_usd=Decimal("0.09"))
    assert not plan.over_budget
    assert execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep).job_id


def test_dataset_errors_block_the_launch(fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection) -> None:
    bad = FakeAnalysis(problems=(FakeProblem(4, "messages", "missing_messages_list", "error", "no messages"),))
    spec = LaunchSpec(provider="openai", model=OPENAI_MODEL, dataset=dataset, as_of=AS_OF)
    settings = ProviderSettings(provider="openai", base_url=fake.openai_base_url)
    plan = plan_launch(spec, settings, catalog=small_catalog(), preflight=fake_preflight(bad))
    with pytest.raises(LaunchError, match="line 4: no messages"):
        execute_launch(plan, conn=conn, credential=KEY)
    assert fake.requests == []


def test_missing_credential_says_what_to_set(fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection) -> None:
    with pytest.raises(CredentialError, match="OPENAI_API_KEY"):
        execute_launch(openai_plan(fake, dataset), conn=conn, credential=None)
    assert fake.requests == []


def test_launch_id_reused_for_another_dataset_is_refused(
    fake: FakeOpenAIServer, dataset: Path, tmp_path: Path, conn: sqlite3.Connection
) -> None:
    execute_launch(openai_plan(fake, dataset, launch_id="mine-1"), conn=conn, credential=KEY, sleep=_no_sleep)
    other = write_dataset(tmp_path / "other.jsonl", n=15)
    with pytest.raises(LaunchError, match="already used for a different launch"):
        execute_launch(openai_plan(fake, other, launch_id="mine-1"), conn=conn, credential=KEY, sleep=_no_sleep)
    assert len(fake.jobs()) == 1


def test_wrong_key_gives_a_clear_error(dataset: Path, conn: sqlite3.Connection) -> None:
    with FakeOpenAIServer(expected_key="sk-the-right-one-123456") as fake:
        with pytest.raises(LaunchError, match="HTTP 401"):
            execute_launch(openai_plan(fake, dataset), conn=conn, credential=KEY, sleep=_no_sleep)
        assert fake.jobs() == []


# -- follow and cancel -----------------------------------------------------------------------------------
def test_follow_running_job_then_cancel(dataset: Path, conn: sqlite3.Connection) -> None:
    with FakeOpenAIServer(run_s=600) as fake:
        plan = openai_plan(fake, dataset)
        execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
        snap = refresh_launch(conn, plan.launch_id, credential=KEY)
        assert snap.record.status == "running"
        assert snap.record.estimated_finish is not None
        assert snap.record.actual_cost_usd is None  # not finished: no actual cost, never 0
        record = cancel_launch(conn, plan.launch_id, credential=KEY)
        assert record.status == "cancelled"
        assert fake.jobs()[0]["status"] == "cancelled"


def test_failed_job_keeps_the_providers_reason(dataset: Path, tmp_path: Path, conn: sqlite3.Connection) -> None:
    small = write_dataset(tmp_path / "small.jsonl", n=5)  # the service wants at least 10 examples
    with FakeOpenAIServer() as fake:
        plan = openai_plan(fake, small)
        execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
        rec = refresh_launch(conn, plan.launch_id, credential=KEY).record
        assert rec.status == "failed"
        assert rec.error is not None and "at least 10" in rec.error
        assert rec.actual_cost_usd is None


# -- more paths ------------------------------------------------------------------------------------------
def test_refresh_heals_a_launch_whose_job_id_was_never_stored(
    fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection
) -> None:
    plan = openai_plan(fake, dataset)
    execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
    update_launch(conn, plan.launch_id, job_id=None, status="creating")  # killed before recording
    snap = refresh_launch(conn, plan.launch_id, credential=KEY)
    assert snap.record.job_id == fake.jobs()[0]["id"] and snap.record.status == "succeeded"
    assert fake.count("jobs.create") == 1


def test_azure_entra_token_goes_in_the_authorization_header(
    fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection
) -> None:
    spec = LaunchSpec(provider="azure", model=AZURE_MODEL, dataset=dataset, as_of=AS_OF, tier="global")
    settings = ProviderSettings(
        provider="azure", azure_endpoint=fake.url, api_version="2024-10-21", azure_auth="entra_token", poll_interval_s=0
    )
    plan = plan_launch(spec, settings, catalog=small_catalog(), preflight=fake_preflight())
    assert plan.requests[-1].headers["Authorization"] == "Bearer [REDACTED]"
    record = execute_launch(plan, conn=conn, credential=AZ_KEY, sleep=_no_sleep)
    assert record.job_id
    azure = [r for r in fake.requests if r.flavor == "azure"]
    assert all("authorization" in r.header_names and "api-key" not in r.header_names for r in azure)
    assert fake.jobs()[0]["trainingType"] == "GlobalStandard"


def test_validation_file_and_dpo_hyperparameters_are_sent(
    fake: FakeOpenAIServer, dataset: Path, tmp_path: Path, conn: sqlite3.Connection
) -> None:
    validation = write_dataset(tmp_path / "valid.jsonl", n=10)
    plan = openai_plan(
        fake, dataset, validation_dataset=validation, method="dpo", beta=0.2, n_epochs=2, learning_rate_multiplier=0.5
    )
    record = execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
    (job,) = fake.jobs()
    assert job["validation_file"] == record.validation_file_id is not None
    assert fake.file_bytes(job["validation_file"]) == validation.read_bytes()
    assert job["method"] == {
        "type": "dpo",
        "dpo": {"hyperparameters": {"n_epochs": 2, "learning_rate_multiplier": 0.5, "beta": 0.2}},
    }
    assert fake.count("files.create") == 2


def test_missing_price_is_an_error_not_a_zero(fake: FakeOpenAIServer, dataset: Path) -> None:
    from costmodel.errors import PriceLookupError

    spec = LaunchSpec(provider="openai", model="gpt-4o-2024-08-06", dataset=dataset, as_of=AS_OF)
    settings = ProviderSettings(provider="openai", base_url=fake.openai_base_url)
    with pytest.raises(PriceLookupError):
        plan_launch(spec, settings, catalog=small_catalog(), preflight=fake_preflight())


def test_fake_server_runs_as_a_module() -> None:
    import json
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-m", "costmodel.testing.fake_openai_api", "--port", str(port)],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fake/health", timeout=1) as r:
                    assert json.load(r) == {"status": "ok"}
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/_fake/faults",
            data=json.dumps({"route": "jobs.create", "kind": "error_before", "status": 429}).encode(),
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=2) as r:
            assert json.load(r) == {"ok": True}
        client = openai.OpenAI(api_key=FAKE_KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
        with pytest.raises(openai.RateLimitError):
            client.fine_tuning.jobs.create(model=OPENAI_MODEL, training_file="file-x")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fake/requests", timeout=2) as r:
            assert [row["route"] for row in json.load(r)["data"]] == ["jobs.create"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_file_changed_after_the_estimate_is_not_uploaded(
    fake: FakeOpenAIServer, dataset: Path, conn: sqlite3.Connection
) -> None:
    plan = openai_plan(fake, dataset)
    write_dataset(dataset, n=40)  # edited after the user saw the estimate
    with pytest.raises(LaunchError, match="changed after the estimate"):
        execute_launch(plan, conn=conn, credential=KEY, sleep=_no_sleep)
    assert fake.requests == []
