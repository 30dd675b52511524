"""QA regressions for the dashboard (AppTest): each test is named after what broke."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui_support import ROOT, run_app, texts


@pytest.mark.parametrize("page", ["decision", "whatif"])
def test_hosting_schedule_above_730_hours_is_refused_not_an_error_over_the_whole_page(page: str) -> None:
    # Before: the slider (and a link) allowed up to 744 deployed hours, but the scenario prices a 730-hour
    # month, so every figure was replaced by "hosted hours per month cannot exceed hours per month".
    at = run_app(page, {"hosted_hours": "740"})
    assert not at.exception
    assert texts(at, "error") == []
    if page == "decision":  # the link is read (and its problems shown) on the first page of the session
        assert any("hosted_hours=740" in w for w in texts(at, "warning"))
    else:
        assert at.slider(key="in_hosted_hours").max == 730
        assert at.slider(key="in_hosted_hours").value == 730


@pytest.mark.parametrize(
    ("params", "ignored"),
    [
        ({"training_tokens": "1" + "0" * 30}, "training_tokens="),
        ({"few_shot_tokens": "1" + "0" * 30}, "few_shot_tokens="),
        ({"input_tokens": "0", "output_tokens": "0"}, "output_tokens=0"),
    ],
)
def test_impossible_link_value_is_ignored_alone_not_an_error_over_the_whole_page(
    params: dict[str, str], ignored: str
) -> None:
    # Before: these passed the dashboard's own checks, then the engine refused the whole scenario
    # ("dashboard inputs, field 'training.tokens' ... Fix: see data/scenarios/"), so no figure was shown.
    at = run_app("decision", params)
    assert not at.exception
    assert texts(at, "error") == []
    assert any(ignored in w for w in texts(at, "warning"))
    assert texts(at, "success")  # the recommendation is still there


def test_dashboard_scenario_error_points_at_the_what_if_page_not_scenario_files() -> None:
    # Before: errors from the dashboard's inputs ended "Fix: see data/scenarios/ for examples; keys: ...",
    # advice for scenario files that a dashboard user cannot act on.
    from costmodel.engine.scenario import scenario_from_mapping
    from costmodel.errors import ScenarioError

    bad = {"paths": ["openai:gpt-4o:base"], "traffic": {}}
    with pytest.raises(ScenarioError, match="Fix: change that input on the What-if page"):
        scenario_from_mapping(bad, source="dashboard inputs", hint="change that input on the What-if page")
    with pytest.raises(ScenarioError, match="Fix: see data/scenarios/ for examples"):
        scenario_from_mapping(bad)  # scenario files keep their hint
    with open(ROOT / "costmodel" / "present" / "inputs.py", encoding="utf-8") as f:
        assert 'hint="change that input on the What-if page"' in f.read()


def test_breakeven_caption_names_the_tokens_per_hour() -> None:
    # Before: the caption read "Azure is cheaper above (156,538 requests a day)": the figure was missing.
    at = run_app()
    captions = [str(c.value) for c in at.caption]
    line = next(c for c in captions if "is cheaper above" in c)
    assert " tokens/h (about " in line


def test_removing_every_path_says_choose_one_not_pydantic_tuple_jargon() -> None:
    # Before: "paths: Tuple should have at least 1 item after validation, not 0".
    at = run_app()
    before = at.multiselect(key="in_paths").value
    at.multiselect(key="in_paths").set_value([]).run()
    assert not at.exception
    assert any("choose at least one path to compare" in e for e in texts(at, "error"))
    assert at.multiselect(key="in_paths").value == before
    assert texts(at, "success")  # the recommendation for the kept paths is still shown


def test_batch_share_on_a_path_without_batch_prices_says_the_share_is_global() -> None:
    # Before: "Fix: set the batch share to 0 for this path", but there is one batch share for all paths.
    at = run_app("whatif")
    at.slider(key="in_batch_pct").set_value(50).run()
    assert not at.exception
    errors = texts(at, "error")
    assert any("no batch price for azure:" in e and "it applies to every path" in e for e in errors)
    assert at.slider(key="in_batch_pct").value == 50  # the input is kept so it can be moved back


@pytest.mark.parametrize("page", ["launch", "latency"])
def test_unusable_store_is_an_error_message_not_a_traceback(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: COSTMODEL_DB pointing at a file that is not SQLite raised StoreError out of the Launch page:
    # Streamlit's red exception box with a traceback (nav.run_page caught InputError only).
    bad = tmp_path / "not-a-database.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    monkeypatch.setenv("COSTMODEL_DB", str(bad))
    at = run_app(page)
    assert not at.exception
    assert any("cannot open the store" in e for e in texts(at, "error"))


def test_dataset_problem_table_leaves_a_missing_field_blank_not_none() -> None:
    # Before: a problem of a whole line (invalid JSON, blank line) showed "None" in the field column.
    sample = ROOT / "data" / "sample" / "recipes_with_problems.jsonl"
    at = run_app("dataset")
    at.radio(key="dataset_source").set_value("Upload a JSONL file").run()
    at.file_uploader(key="dataset_file").set_value((sample.name, sample.read_bytes(), "application/jsonl")).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["field"].map(lambda v: isinstance(v, str)).all()
    assert "" in set(table["field"])
