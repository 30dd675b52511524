"""Launch and availability in time (issue 10, item 5): refused before any request when training is
closed on the day; warnings to acknowledge when the model retires within 90 days or job creation is
restricted.

Dates: gpt-3.5-turbo retires 2026-10-23 (copies of OpenAI's deprecations page, quoted in issue 10),
so on any day after it no job can be created; OpenAI restricted job creation on 2026-05-07 and
2026-07-02 and closes it on 2027-01-06 (deprecations page, notice of 2026-05-07).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from costmodel.errors import InputError
from costmodel.launch.availability_check import check_launch, refuse_if_closed
from costmodel.prices import LIFECYCLE_COLUMNS, bundled_catalog
from costmodel.testing.fake_openai_api import FakeOpenAIServer
from tests.launch_helpers import AS_OF, FAKE_KEY, OPENAI_MODEL, write_dataset

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "tests" / "launch_cli_entry.py"
PAGE = ROOT / "tests" / "lifecycle_launch_app.py"
URL = "https://example.test/deprecations"


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    e["COSTMODEL_DB"] = str(tmp_path / "store.sqlite3")
    e["PYTHONPATH"] = str(ROOT)
    e["OPENAI_API_KEY"] = FAKE_KEY
    return e


def cli(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ENTRY), *args], env=env, cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=60
    )


def test_launch_of_gpt35_turbo_on_openai_today_is_refused_before_any_request(
    fake: FakeOpenAIServer, env: dict[str, str], tmp_path: Path
) -> None:
    dataset = write_dataset(tmp_path / "train.jsonl")
    done = cli(
        ["launch", "--provider", "openai", "--model", "gpt-3.5-turbo", "--dataset", str(dataset),
         "--base-url", fake.openai_base_url, "--yes", "--acknowledge-lifecycle"],
        env,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    retired = next(r for r in bundled_catalog().lifecycle if r.model == "gpt-3.5-turbo" and r.event == "retired")
    assert retired.date == date(2026, 10, 23) and retired.source_url
    assert "retired on 2026-10-23" in done.stderr and retired.source_url in done.stderr
    assert "--model" in done.stderr and "Fix:" in done.stderr
    assert len(fake.requests) == 0  # nothing reached the (fake) server
    assert fake.count("files.create") == 0 and fake.count("jobs.create") == 0


def test_check_launch_by_hand() -> None:
    catalog = bundled_catalog()
    closed = check_launch(catalog, "openai", "gpt-3.5-turbo", date(2026, 12, 2))
    assert closed.refused and "2026-10-23" in (closed.refusal or "")
    with pytest.raises(InputError) as err:
        refuse_if_closed(closed)
    assert err.value.field == "--model"
    # gpt-4.1-mini on 2026-12-01: trainable until 2027-01-06, retires 2027-01-14 (44 days): warned, restricted
    warned = check_launch(catalog, "openai", "gpt-4.1-mini", date(2026, 12, 1))
    assert not warned.refused
    text = "\n".join(warned.warnings)
    assert "retires on 2027-01-14" in text and "44 days" in text
    assert "since 2026-05-07" in text and "since 2026-07-02" in text and "2027-01-06" in text
    # on 2027-01-06 job creation is closed for everyone
    assert check_launch(catalog, "openai", "gpt-4.1-mini", date(2027, 1, 6)).refused
    # long before the wind-down: nothing to say
    early = check_launch(catalog, "openai", "gpt-4.1-mini", date(2025, 6, 1))
    assert not early.refused and early.warnings == ()


def test_cli_warnings_need_acknowledgement(fake: FakeOpenAIServer, env: dict[str, str], tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path / "train.jsonl")
    life = tmp_path / "life.csv"
    life.write_text(",".join(LIFECYCLE_COLUMNS) + f"\nopenai,{OPENAI_MODEL},base,retired,2025-07-15,,{URL},official,\n")
    args = ["launch", "--provider", "openai", "--model", OPENAI_MODEL, "--dataset", str(dataset),
            "--base-url", fake.openai_base_url, "--as-of", AS_OF.isoformat(), "--lifecycle", str(life)]  # fmt: skip
    refused = cli([*args, "--yes"], env)
    assert refused.returncode == 2 and "--acknowledge-lifecycle" in refused.stderr
    assert "retires on 2025-07-15" in refused.stdout
    assert fake.count("files.create") == 0
    declined = cli(args, env, stdin="n\n")
    assert declined.returncode == 1 and "Not launched" in declined.stdout
    assert fake.count("files.create") == 0


def _page(tmp_path: Path, fake: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, lifecycle: str) -> AppTest:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "AZURE_OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COSTMODEL_DB", str(tmp_path / "store.sqlite3"))
    monkeypatch.setenv("OPENAI_BASE_URL", fake.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.session_state["launch.dataset_path"] = str(write_dataset(tmp_path / "train.jsonl"))
    at.session_state["launch.as_of"] = AS_OF
    at.session_state["test.lifecycle_csv"] = ",".join(LIFECYCLE_COLUMNS) + "\n" + lifecycle
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_disables_the_button_with_the_same_words(
    tmp_path: Path, fake: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _page(tmp_path, fake, monkeypatch, f"openai,*,fine_tuned,training_closed,2025-05-01,,{URL},official,\n")
    refusal = [e.value for e in at.error if str(e.value).startswith("Launch refused")]
    assert refusal and "2025-05-01" in refusal[0] and URL in refusal[0]
    button = at.button(key="launch.button")
    assert button.disabled
    assert button.proto.help and button.proto.help in refusal[0]
    assert at.checkbox(key="launch.confirm").disabled  # the paid-job confirmation cannot even be ticked
    assert fake.count("files.create") == 0


def test_page_warnings_need_the_acknowledgement(
    tmp_path: Path, fake: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _page(tmp_path, fake, monkeypatch, f"openai,{OPENAI_MODEL},base,retired,2025-07-15,,{URL},official,\n")
    assert any("retires on 2025-07-15" in str(w.value) for w in at.warning)
    assert at.checkbox(key="launch.confirm").disabled and at.button(key="launch.button").disabled
    at.checkbox(key="launch.lifecycle_ack").check().run()
    at.checkbox(key="launch.confirm").check().run()
    assert not at.button(key="launch.button").disabled
