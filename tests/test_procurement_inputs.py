"""Issue 13, item 2 (AppTest): inputs say what they are.

* the few-shot prompt can be given as tokens, not only as k examples (2,000 tokens needed a hand-edited URL);
* applying a dataset shows what it will change, and is refused while the file has blocking errors.
"""

from __future__ import annotations

from costmodel.dataset import analyze_file
from tests.ui_support import ROOT, run_app, texts

SAMPLE = ROOT / "data" / "sample" / "recipes.jsonl"
PROBLEMS = ROOT / "data" / "sample" / "recipes_with_problems.jsonl"


def _upload(at, path) -> None:  # type: ignore[no-untyped-def]
    at.radio(key="dataset_source").set_value("Upload a JSONL file").run()
    at.file_uploader(key="dataset_file").set_value((path.name, path.read_bytes(), "application/jsonl")).run()


def test_few_shot_prompt_as_tokens() -> None:
    at = run_app("whatif")
    at.radio(key="few_shot_mode").set_value("as tokens").run()
    at.number_input(key="in_few_shot_tokens").set_value(2000).run()
    assert not at.exception
    assert at.query_params["few_shot_tokens"] == "2000"
    assert any("2,000 tokens, set directly" in c for c in texts(at, "caption"))


def test_dataset_with_blocking_errors_is_refused_and_the_scenario_kept() -> None:
    at = run_app("dataset")
    before = at.query_params["training_tokens"]
    _upload(at, PROBLEMS)
    button = at.button(key="use_dataset")
    assert button.disabled
    assert any("Not applied: the file has errors" in e for e in texts(at, "error"))
    assert at.query_params["training_tokens"] == before


def test_dataset_apply_previews_what_changes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    clean = tmp_path / "first60.jsonl"
    clean.write_bytes(b"".join(SAMPLE.read_bytes().splitlines(keepends=True)[:60]))
    at = run_app("dataset")
    _upload(at, clean)
    preview = next(df.value for df in at.dataframe if "after" in df.value.columns)
    row = preview.set_index("input").loc["Billed training tokens (one epoch)"]
    expected = analyze_file(clean, model="gpt-4.1-mini", workers=1).billed_tokens
    assert row["after"] == f"{expected:,}" and row["changes"] == "yes"
    assert row["now"] == f"{int(at.query_params['training_tokens']):,}"
