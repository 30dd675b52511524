"""The Launch page in AppTest against the fake API: estimate, dry run, confirm, launch once.

The estimate on screen is hand-checked: the fake analysis gives 10,000 billed tokens x 3 epochs,
at $3.00 per 1M training tokens (gpt-4o-mini-2024-07-18) = $0.09.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from costmodel import store
from costmodel.launch import list_events, list_launches
from costmodel.testing.fake_openai_api import FakeOpenAIServer
from tests.launch_helpers import AS_OF, FAKE_KEY, write_dataset

APP = Path(__file__).resolve().parent / "launch_page_app.py"


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(trained_tokens_override=31_000) as server:
        yield server


@pytest.fixture
def dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAIServer) -> Path:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "AZURE_OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COSTMODEL_DB", str(tmp_path / "store.sqlite3"))
    monkeypatch.setenv("OPENAI_BASE_URL", fake.openai_base_url)
    return write_dataset(tmp_path / "train.jsonl")


def open_page(dataset: Path, **state: object) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["launch.dataset_path"] = str(dataset)
    at.session_state["launch.as_of"] = AS_OF
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def text_of(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption]
    parts += [e.value for e in at.info] + [e.value for e in at.error] + [e.value for e in at.success]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def posts(fake: FakeOpenAIServer) -> int:
    return fake.count("files.create") + fake.count("jobs.create")


def launch(at: AppTest) -> None:
    at.checkbox(key="launch.confirm").check().run()
    at.button(key="launch.button").click().run()
    assert not at.exception, at.exception


def test_without_a_key_the_page_says_what_to_set_and_shows_the_dry_run(dataset: Path, fake: FakeOpenAIServer) -> None:
    at = open_page(dataset)
    text = text_of(at)
    assert "OPENAI_API_KEY" in text
    assert "Estimated training cost=$0.09" in text
    assert "Price reliability: **copy_of_official**" in text
    assert "Price per 1M training tokens=$3.00" in text
    requests = at.get("json")[0].proto.body
    assert "Bearer [REDACTED]" in requests and fake.openai_base_url + "/fine_tuning/jobs" in requests
    assert at.button(key="launch.button").disabled
    assert fake.requests == []


def test_confirm_then_launch_creates_one_job(
    dataset: Path, fake: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    at = open_page(dataset)
    assert at.button(key="launch.button").disabled  # not confirmed yet
    launch(at)
    (job,) = fake.jobs()
    assert "Already launched" in text_of(at) and job["id"] in text_of(at)
    assert fake.count("files.create") == 1 and fake.count("jobs.create") == 1


def test_double_click_creates_one_job(dataset: Path, fake: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    at = open_page(dataset)
    at.checkbox(key="launch.confirm").check().run()
    at.button(key="launch.button").click()
    # Both clicks leave the browser from the same page (the second before the page re-rendered), so
    # both reruns carry the same widget states with the button's trigger set. AppTest has no public
    # call to replay a widget-state message, hence ``_run``.
    clicked = at.get_widget_states() if hasattr(at, "get_widget_states") else at._tree.get_widget_states()
    at._run(clicked)  # first click
    at._run(clicked)  # second click
    assert not at.exception, at.exception
    conn = store.connect(os.environ["COSTMODEL_DB"])
    (record,) = list_launches(conn)
    steps = [e.step for e in list_events(conn, record.launch_id)]
    conn.close()
    assert steps.count("execute:skipped") == 1  # the second click reached the launcher, which sent nothing
    assert len(fake.jobs()) == 1
    assert fake.count("files.create") == 1 and fake.count("jobs.create") == 1


def test_a_stale_in_flight_flag_does_not_lock_the_button_and_the_launch_stays_single(
    dataset: Path, fake: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run interrupted in the middle of the Launch callback may leave its in-flight flag behind.
    The page is drawn after this session's callbacks, so a flag seen there is stale: the button
    must stay usable (it once stayed disabled for the rest of the session, with nothing launched,
    under a double click on a loaded machine), and exactly once still holds."""
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    at = open_page(dataset)
    at.checkbox(key="launch.confirm").check().run()
    launch_id = next(c.value for c in at.caption if "Launch id" in c.value).split("`")[1]
    at.session_state["launch.inflight"] = launch_id
    at.run()
    assert not at.button(key="launch.button").disabled
    assert fake.requests == []
    at.button(key="launch.button").click().run()
    assert "Already launched" in text_of(at), text_of(at)
    assert len(fake.jobs()) == 1 and posts(fake) == 2


def test_rerun_and_browser_refresh_do_not_launch_again(
    dataset: Path, fake: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    at = open_page(dataset)
    launch(at)
    before = posts(fake)
    at.run()  # a Streamlit rerun
    at.run()
    fresh = open_page(dataset)  # a refreshed tab: new session, empty session state
    assert "Already launched" in text_of(fresh)
    assert [b.key for b in fresh.button if b.key == "launch.button"] == []
    assert posts(fake) == before == 2
    assert len(fake.jobs()) == 1


def test_budget_cap_refuses_on_the_page(dataset: Path, fake: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    at = open_page(dataset, **{"launch.budget_usd": 0.05})
    assert "above the budget cap $0.05" in text_of(at)
    assert at.button(key="launch.button").disabled and at.checkbox(key="launch.confirm").disabled
    assert fake.requests == []


def test_status_refresh_shows_actual_cost_beside_estimate(
    dataset: Path, fake: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    at = open_page(dataset)
    launch(at)
    at.button(key="launch.refresh").click().run()
    assert not at.exception
    text = text_of(at)
    # 31,000 trained tokens x $3.00 / 1M = $0.093 actual vs $0.09 estimated (+$0.003)
    assert "Actual=$0.093" in text and "Estimated=$0.09" in text and "Status=succeeded" in text
    delta = next(m for m in at.metric if m.label == "Actual")
    assert "0.003" in str(delta.proto.delta)
    conn = store.connect(os.environ["COSTMODEL_DB"])
    (record,) = list_launches(conn)
    conn.close()
    assert str(record.actual_cost_usd) == "0.093"


def test_cancel_from_the_page(dataset: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with FakeOpenAIServer(run_s=600) as slow:
        monkeypatch.setenv("OPENAI_BASE_URL", slow.openai_base_url)
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        at = open_page(dataset)
        launch(at)
        at.button(key="launch.cancel").click().run()
        assert not at.exception
        assert slow.jobs()[0]["status"] == "cancelled"
        assert "Status=cancelled" in text_of(at)


def test_prefill_from_the_decision_page_link(dataset: Path, fake: FakeOpenAIServer) -> None:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params["path"] = "azure:gpt-4.1-mini-2025-04-14:ft@developer"
    at.session_state["launch.dataset_path"] = str(dataset)
    at.session_state["launch.as_of"] = AS_OF
    at.run()
    assert not at.exception
    assert at.radio(key="launch.provider").value == "azure"
    assert at.text_input(key="launch.model").value == "gpt-4.1-mini-2025-04-14"
    assert at.selectbox(key="launch.tier").value == "developer"


def test_key_from_streamlit_secrets(dataset: Path, fake: FakeOpenAIServer) -> None:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["OPENAI_API_KEY"] = FAKE_KEY
    at.session_state["launch.dataset_path"] = str(dataset)
    at.session_state["launch.as_of"] = AS_OF
    at.run()
    assert "No key found" not in text_of(at)
    launch(at)
    assert len(fake.jobs()) == 1


def test_key_typed_in_the_masked_field(dataset: Path, fake: FakeOpenAIServer) -> None:
    at = open_page(dataset)
    field = at.text_input(key="launch.key")
    assert field.proto.type == field.proto.PASSWORD
    field.input(FAKE_KEY).run()
    launch(at)
    assert len(fake.jobs()) == 1
    assert all(r.authorized for r in fake.requests)


def _deploy_app(transport: object) -> None:
    from costmodel.ui.launch_page import render
    from tests.launch_helpers import fake_preflight, small_catalog

    render(catalog=small_catalog(), preflight=fake_preflight(), arm_transport=transport)  # type: ignore[arg-type]


def test_azure_deploy_is_a_separate_acknowledged_step(
    dataset: Path, fake: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.launch_helpers import AZURE_MODEL, FAKE_AZURE_KEY

    monkeypatch.setenv("AZURE_OPENAI_API_KEY", FAKE_AZURE_KEY)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", fake.url)
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
    monkeypatch.setenv("AZURE_ARM_TOKEN", "arm-token-LEAKCANARY-42")
    calls: list[tuple[str, str]] = []

    def transport(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        calls.append((method, url))
        return 201, b'{"properties": {"provisioningState": "Creating"}}'

    at = AppTest.from_function(_deploy_app, default_timeout=30, kwargs={"transport": transport})
    at.session_state["launch.provider"] = "azure"
    at.session_state["launch.model"] = AZURE_MODEL
    at.session_state["launch.dataset_path"] = str(dataset)
    at.session_state["launch.as_of"] = AS_OF
    at.run()
    launch(at)
    at.button(key="launch.refresh").click().run()
    assert "Status=succeeded" in text_of(at)
    assert any("hourly hosting fee" in w.value and "15 days" in w.value for w in at.warning)
    assert at.button(key="launch.deploy.button").disabled  # not acknowledged yet
    at.text_input(key="launch.deploy.subscription").input("sub-1")
    at.text_input(key="launch.deploy.group").input("rg-ml")
    at.text_input(key="launch.deploy.account").input("my-aoai")
    at.text_input(key="launch.deploy.name").input("support-bot").run()
    assert calls == []
    at.checkbox(key="launch.deploy.ack").check().run()
    at.button(key="launch.deploy.button").click().run()
    assert not at.exception, at.exception
    ((method, url),) = calls
    assert method == "PUT" and url.endswith("/accounts/my-aoai/deployments/support-bot?api-version=2024-10-01")
    assert any("support-bot requested: Creating" in s.value for s in at.success)
