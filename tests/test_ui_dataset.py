"""AppTest: the Dataset page (sample, upload with problems, use in the scenario) and few-shot k."""

from __future__ import annotations

from costmodel.dataset import analyze_bytes, analyze_file
from tests.ui_support import ROOT, metric, run_app, texts

SAMPLE = ROOT / "data" / "sample" / "recipes.jsonl"
PROBLEMS = ROOT / "data" / "sample" / "recipes_with_problems.jsonl"
MODEL = "gpt-4.1-mini"  # the first fine-tuned default path's model


def _upload(at, path) -> None:  # type: ignore[no-untyped-def]
    at.radio(key="dataset_source").set_value("Upload a JSONL file").run()
    at.file_uploader(key="dataset_file").set_value((path.name, path.read_bytes(), "application/jsonl")).run()


def test_default_run_analyses_the_bundled_sample() -> None:
    at = run_app("dataset")
    assert not at.exception
    expected = analyze_file(SAMPLE, model=MODEL, workers=1)
    assert metric(at, "Examples") == f"{expected.examples:,}"
    assert metric(at, "Billed tokens (one epoch)") == f"{expected.billed_tokens:,}"
    assert metric(at, "Default epochs") == str(expected.n_epochs)
    assert any("No problems found" in s for s in texts(at, "success"))
    assert len(at.get("plotly_chart")) == 1  # token histogram
    costs = at.dataframe[0].value
    assert {"openai", "azure"} <= set(costs["provider"])


def test_upload_with_problems_lists_them() -> None:
    at = run_app("dataset")
    _upload(at, PROBLEMS)
    assert not at.exception
    expected = analyze_bytes(PROBLEMS.read_bytes(), model=MODEL, name=PROBLEMS.name, workers=1)
    assert expected.has_errors
    summary = texts(at, "error")[0]
    assert f"{len(expected.problems)} problems" in summary
    table = at.dataframe[0].value
    assert len(table) == len(expected.problems)
    assert set(table["code"]) == set(expected.problem_counts)
    assert {"line", "field", "message", "fix"} <= set(table.columns)
    assert metric(at, "Examples") == f"{expected.examples:,}"


def test_use_this_dataset_puts_its_figures_into_the_scenario(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A clean file (the sample's first 60 examples): a file with blocking errors is refused (issue 13).
    clean = tmp_path / "first60.jsonl"
    clean.write_bytes(b"".join(SAMPLE.read_bytes().splitlines(keepends=True)[:60]))
    at = run_app("dataset")
    _upload(at, clean)
    at.button(key="use_dataset").click().run()
    assert not at.exception
    expected = analyze_bytes(clean.read_bytes(), model=MODEL, name=clean.name, workers=1)
    assert at.query_params["training_tokens"] == str(expected.billed_tokens)
    assert at.query_params["epochs"] == str(expected.n_epochs)
    assert at.query_params["few_shot_tokens"] == str(expected.few_shot_tokens(3))


def test_unreadable_upload_gives_a_readable_message_and_the_app_keeps_running() -> None:
    at = run_app("dataset")
    at.radio(key="dataset_source").set_value("Upload a JSONL file").run()
    at.file_uploader(key="dataset_file").set_value(("junk.jsonl", b"\xff\xfe not json\n", "application/jsonl")).run()
    assert not at.exception
    shown = texts(at, "error")
    assert shown  # either a DatasetError or the problem summary, never a traceback
    at.switch_page("costmodel/ui/pages/decision.py").run()
    assert not at.exception and texts(at, "success")


def test_few_shot_k_takes_the_tokens_from_the_dataset() -> None:
    at = run_app("whatif")
    at.slider(key="in_few_shot_k").set_value(5).run()
    assert not at.exception
    expected = analyze_file(SAMPLE, model=MODEL, workers=1).few_shot_tokens(5)
    assert at.query_params["few_shot_k"] == "5"
    assert at.query_params["few_shot_tokens"] == str(expected)
