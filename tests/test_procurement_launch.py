"""Issue 13, item 6: the Launch confirmation says everything BEFORE the job starts (AppTest, fake API).

Regression: the confirmation did not show the endpoint, did not say the job cannot be undone, and mentioned
Azure's hourly hosting fee only after training; the scenario's file and epochs were not carried over.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from costmodel.testing.fake_openai_api import FakeOpenAIServer
from costmodel.ui.launch_confirm import IRREVOCABLE
from tests.launch_helpers import AS_OF, FAKE_KEY, write_dataset

APP = Path(__file__).resolve().parent / "launch_page_app.py"


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
def dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAIServer) -> Path:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "AZURE_OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COSTMODEL_DB", str(tmp_path / "store.sqlite3"))
    monkeypatch.setenv("OPENAI_BASE_URL", fake.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    return write_dataset(tmp_path / "train.jsonl")


def _text(at: AppTest) -> str:
    parts = [str(m.value) for m in at.markdown] + [str(w.value) for w in at.warning]
    parts += [str(t.value) for t in at.table]
    return "\n".join(parts)


def _open(dataset: Path, **state: object) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["launch.dataset_path"] = str(dataset)
    at.session_state["launch.as_of"] = AS_OF
    at.session_state["launch.budget_usd"] = 5.0
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def test_openai_confirmation_names_everything_before_the_job(dataset: Path, fake: FakeOpenAIServer) -> None:
    at = _open(dataset)
    text = _text(at)
    assert fake.openai_base_url in text  # the endpoint
    assert "gpt-4o-mini" in text and dataset.name in text
    assert "Epochs" in text and "$0.09" in text and "copy_of_official" in text  # estimate with its grade
    assert "$5.00" in text  # the budget cap
    assert IRREVOCABLE in [str(w.value) for w in at.warning]
    assert fake.count("jobs.create") == 0  # said before anything started


def test_azure_hosting_fee_and_idle_deletion_before_the_job(dataset: Path) -> None:
    at = _open(
        dataset, **{"launch.provider": "azure", "launch.azure_endpoint": "https://example-resource.openai.azure.com"}
    )
    warnings = " ".join(str(w.value) for w in at.warning)
    assert IRREVOCABLE in warnings
    assert "idle for 15 days" in warnings
    assert "per hour" in warnings or "hourly hosting fee" in warnings
    assert "https://example-resource.openai.azure.com" in _text(at)


def test_scenario_epochs_and_file_carried_to_the_launch_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests.ui_support import ROOT, run_app

    monkeypatch.setenv("COSTMODEL_DB", str(tmp_path / "store.sqlite3"))
    at = run_app("launch", params={"path": "openai:gpt-4.1-mini:ft@standard", "epochs": "5"})
    assert not at.exception
    assert at.number_input(key="launch.n_epochs").value == 5
    assert at.text_input(key="launch.dataset_path").value == str(ROOT / "data" / "sample" / "recipes.jsonl")
