"""Issue 14, class 9: exit codes and messages that follow the CLI's rule (input errors exit 2, before any banner).

Table-driven: each row is a command line and the exit code the documented rule gives it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from costmodel.cli import main
from costmodel.testing.fake_openai_api import FakeOpenAIServer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "recipes.jsonl"
MODEL = "gpt-4o-mini-2024-07-18"


@pytest.fixture
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "AZURE_OPENAI_")):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    "argv",
    [
        ["jobs", "--db", "/nonexistent-costmodel-h9/x.db"],
        ["jobs", "--no-refresh", "--db", "/nonexistent-costmodel-h9/deeper/x.db"],
        ["bench", "list", "--db", "/nonexistent-costmodel-h9/x.db"],
        ["bench", "show", "r1", "--db", "/nonexistent-costmodel-h9/x.db"],
        ["jobs", "--db", "/dev/null"],
        ["jobs", "--db", "{dir}"],
    ],
)
def test_an_unusable_store_path_exits_2_and_creates_no_folder(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], no_keys: None
) -> None:
    code = main([a.replace("{dir}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Fix:" in err
    assert not Path("/nonexistent-costmodel-h9").exists()


def test_jobs_cancel_without_a_key_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], no_keys: None) -> None:
    db = tmp_path / "s.db"
    with FakeOpenAIServer() as fake:
        os.environ["OPENAI_API_KEY"] = "sk-test-hostile-0000"
        try:
            assert main(["launch", "--provider", "openai", "--dataset", str(SAMPLE), "--model", MODEL,
                         "--base-url", fake.openai_base_url, "--yes", "--json", "--acknowledge-lifecycle",
                         "--db", str(db)]) == 0  # fmt: skip
            launch_id = json.loads(capsys.readouterr().out)["launch_id"]
        finally:
            del os.environ["OPENAI_API_KEY"]
        code = main(["jobs", "--cancel", "--launch-id", launch_id, "--db", str(db)])
        err = capsys.readouterr().err
        assert code == 2, err
        assert "OPENAI_API_KEY" in err
        assert not [r for r in fake.requests if r.method == "POST" and r.path.endswith("/cancel")]


@pytest.mark.parametrize(("method", "dataset"), [("dpo", SAMPLE)])
def test_a_method_that_does_not_match_the_file_is_refused_before_anything_is_sent(
    method: str, dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_keys: None
) -> None:
    with FakeOpenAIServer() as fake:
        os.environ["OPENAI_API_KEY"] = "sk-test-hostile-0000"
        try:
            code = main(["launch", "--provider", "openai", "--dataset", str(dataset), "--model", MODEL,
                         "--method", method, "--base-url", fake.openai_base_url, "--yes", "--acknowledge-lifecycle",
                         "--db", str(tmp_path / "s.db")])  # fmt: skip
        finally:
            del os.environ["OPENAI_API_KEY"]
        out, err = capsys.readouterr()
        assert code in (1, 2), err
        assert "method_mismatch" in out + err or "needs dpo examples" in out + err
        assert fake.requests == []


@pytest.mark.parametrize("epochs", ["0", "51", "100", "-1"])
@pytest.mark.parametrize("command", ["analyze", "launch", "training"])
def test_epochs_out_of_range_are_refused_the_same_by_every_command(
    command: str, epochs: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_keys: None
) -> None:
    argv = {
        "analyze": ["analyze", str(SAMPLE), "-m", MODEL],
        "launch": ["launch", "--provider", "openai", "--dataset", str(SAMPLE), "--model", MODEL, "--dry-run",
                   "--db", str(tmp_path / "s.db")],
        "training": ["training", "--path", "openai:gpt-4o-mini:ft", "--tokens", "1000"],
    }[command]  # fmt: skip
    code = main([*argv, f"--epochs={epochs}"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "field '--epochs': epochs must be 1 to 50" in err
