"""Availability in time on every surface: recommendation, readiness, CLI, timeline, dashboard (issue 10).

Dates pinned against their sources: gpt-4.1-mini retires on OpenAI on 2027-01-14 and OpenAI closes
fine-tuning job creation on 2027-01-06 (deprecations page and its copies, quoted in issue 10). The
Azure gpt-4.1-mini retirement used here is a test fixture (a user lifecycle file), not a claim.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from costmodel.cli import main
from costmodel.engine.scenario import Scenario, evaluate
from costmodel.engine.usage import PathSpec
from costmodel.present.decision import OPENAI_TRAINING_QUESTION, assess, questions_for, recommend
from costmodel.present.timeline import availability_timeline, timeline_rows
from costmodel.prices import LIFECYCLE_COLUMNS, Catalog, LifecycleRow, bundled_catalog, load_catalog
from costmodel.ui.inputs import path_marks, path_options
from tests.ui_support import run_app, texts

OAI_FT = "openai:gpt-4.1-mini:ft@standard"
AZ_FT = "azure:gpt-4.1-mini:ft@standard"
OAI_BASE = "openai:gpt-4.1-mini:base@standard"
FIXTURE = "https://example.test/azure-retirements"
ALL_GOOD = {"q_prompting": "yes", "q_examples": "yes", "q_user_data": "no", "q_fresh": "no", "q_general": "no"}


@pytest.fixture
def azure_lifecycle(tmp_path: Path) -> Path:
    path = tmp_path / "azure-dates.csv"
    path.write_text(
        ",".join(LIFECYCLE_COLUMNS)
        + f"\nazure,gpt-4.1-mini,base,retired,2028-06-30,,{FIXTURE},third_party,test fixture"
        + f"\nazure,gpt-4.1-mini,fine_tuned,retired,2028-06-30,,{FIXTURE},third_party,test fixture\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def catalog(azure_lifecycle: Path) -> Catalog:
    return load_catalog(lifecycle_file=azure_lifecycle)


def scenario(paths: list[str], as_of: date, horizon: int = 12) -> Scenario:
    return Scenario.model_validate(
        {
            "as_of": as_of,
            "paths": paths,
            "horizon_months": horizon,
            "traffic": {"requests_per_day": 5000, "input_tokens_per_request": 300, "output_tokens_per_request": 250},
            "training": {"tokens": 400_000, "epochs": 3},
        }
    )


def _openai_gpt41_mini_retirement() -> LifecycleRow:
    spec = PathSpec.parse(OAI_BASE)
    life = bundled_catalog().lifecycle
    return next(r for r in life.rows_for(spec.provider, spec.model, spec.variant) if r.event == "retired")


# -- recommendation -------------------------------------------------------------------------


def test_with_the_bundled_dates_azure_is_recommended_while_it_covers_the_horizon() -> None:
    # Bundled Azure dates (retirement schedule, fine-tuned models table): gpt-4.1-mini fine-tuned deployments
    # retire 2027-10-14. A 9-month horizon from 2026-12-01 (to 2027-09-01) is covered; OpenAI ends 2027-01-14.
    catalog = bundled_catalog()
    result = evaluate(catalog, scenario([OAI_FT, AZ_FT], date(2026, 12, 1), horizon=9), as_of=date(2026, 12, 1))
    assert result.availability_of(OAI_FT).status_date == date(2027, 1, 14)
    assert result.availability_of(AZ_FT).status == "available"
    rec = recommend(result, assess(ALL_GOOD, result))
    assert rec.path.label == AZ_FT and "only until 2027-01-14" in rec.sentence
    # over 12 months (to 2027-12-01) neither lasts: the sentence says how far each gets
    result = evaluate(catalog, scenario([OAI_FT, AZ_FT], date(2026, 12, 1)), as_of=date(2026, 12, 1))
    rec = recommend(result, assess(ALL_GOOD, result))
    assert not rec.covers_horizon and rec.path.label == AZ_FT  # the one that lasts longest
    assert "only until 2027-01-14" in rec.sentence and "only until 2027-10-14" in rec.sentence


def test_openai_gpt41_mini_from_2026_12_01_is_not_recommended_while_azure_covers_the_horizon(
    catalog: Catalog,
) -> None:
    result = evaluate(catalog, scenario([OAI_FT, AZ_FT], date(2026, 12, 1)), as_of=date(2026, 12, 1))
    oai = result.availability_of(OAI_FT)
    assert oai.status == "closes_within_horizon" and oai.status_date == date(2027, 1, 14)
    assert result.availability_of(AZ_FT).status == "available"
    # OpenAI is far cheaper over the 1.4 months it can serve (no hosting fee) ...
    oai_total, az_total = result.cost_of(OAI_FT).horizon_total, result.cost_of(AZ_FT).horizon_total
    assert oai_total is not None and az_total is not None and oai_total < az_total
    # ... and still not the recommendation: it does not last the horizon
    rec = recommend(result, assess(ALL_GOOD, result))
    assert rec.path.label == AZ_FT and rec.covers_horizon
    assert "fine-tuned gpt-4.1-mini on OpenAI would cost less, but it can be served only until 2027-01-14" in (
        rec.sentence
    )
    assert {p.label: why for p, why in rec.passed_over}[OAI_FT].startswith("it can be served only until 2027-01-14")
    assert rec.availability is not None and rec.availability.status == "available"


def test_no_path_covers_the_horizon_says_how_far_each_gets() -> None:
    result = evaluate(bundled_catalog(), scenario([OAI_FT, OAI_BASE], date(2026, 12, 1)), as_of=date(2026, 12, 1))
    rec = recommend(result, assess(ALL_GOOD, result))
    assert not rec.covers_horizon
    assert rec.sentence.startswith("No path can be trained and served for the whole 12 months (")
    assert rec.sentence.count("only until 2027-01-14") == 2  # both paths end with the base model


def test_on_2027_02_01_openai_fine_tuned_paths_are_not_recommended(catalog: Catalog) -> None:
    result = evaluate(catalog, scenario([OAI_FT, AZ_FT], date(2027, 2, 1)), as_of=date(2027, 2, 1))
    assert result.availability_of(OAI_FT).status == "retired"
    assert result.cost_of(OAI_FT).serving_months == 0
    rec = recommend(result, assess(ALL_GOOD, result))
    assert rec.path.label == AZ_FT and "retired on 2027-01-14" in {p.label: why for p, why in rec.passed_over}[OAI_FT]


def test_the_openai_training_question_is_asked_where_it_matters(catalog: Catalog) -> None:
    # 2026-06-01: job creation restricted since 2026-05-07; a 6-month horizon ends before 2027-01-14
    result = evaluate(catalog, scenario([OAI_FT, AZ_FT], date(2026, 6, 1), horizon=6), as_of=date(2026, 6, 1))
    asked = questions_for(result)
    assert asked[-1].key == OPENAI_TRAINING_QUESTION.key
    assert "since 2026-05-07: organisations that have never created a fine-tuning job" in asked[-1].if_unsure
    assert "closes for everyone on 2027-01-06" in asked[-1].if_unsure
    unsure = assess(ALL_GOOD, result)
    assert unsure.openai_training == "unsure" and any(w.key == "q_openai_training" for w in unsure.warnings)
    assert recommend(result, unsure).path.label == OAI_FT  # unsure: a caution, not an exclusion
    no = assess({**ALL_GOOD, "q_openai_training": "no"}, result)
    rec = recommend(result, no)
    assert rec.path.label == AZ_FT
    assert "your organisation can no longer create fine-tuning jobs on OpenAI" in rec.sentence
    # before the wind-down, or without an OpenAI fine-tuned path, the question is not asked
    early = evaluate(catalog, scenario([OAI_FT, AZ_FT], date(2025, 6, 1), horizon=6), as_of=date(2025, 6, 1))
    assert OPENAI_TRAINING_QUESTION.key not in {q.key for q in questions_for(early)}
    assert assess(ALL_GOOD, early).openai_training is None


# -- CLI --------------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


COMPARE = ["--path", OAI_FT, "--path", AZ_FT, "--requests-per-day", "5000", "--input-tokens", "300",
           "--output-tokens", "250", "--training-tokens", "400000", "--as-of", "2026-12-01"]  # fmt: skip


def test_compare_json_has_an_availability_object_per_path(
    capsys: pytest.CaptureFixture[str], azure_lifecycle: Path
) -> None:
    code, out, err = run(capsys, "compare", *COMPARE, "--lifecycle", str(azure_lifecycle), "--json")
    assert code == 0, err
    paths = {p["path"]: p for p in json.loads(out)["paths"]}
    oai = paths[OAI_FT]["availability"]
    assert oai["status"] == "closes_within_horizon" and oai["status_date"] == "2027-01-14"
    assert oai["trainable_until"] == "2027-01-06" and oai["servable_until"] == "2027-01-14"
    retired = _openai_gpt41_mini_retirement()
    assert oai["source"] == retired.source_url and oai["grade"] is not None
    assert oai["serving_months"] == "1.4194" and "1.4194 months" in paths[OAI_FT]["horizon_note"]
    az = paths[AZ_FT]["availability"]
    assert az["status"] == "available" and az["servable_until"] == "2028-06-30" and az["source"] == FIXTURE


def test_compare_and_breakeven_text_print_availability_with_grade_and_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "compare", *COMPARE)
    assert code == 0
    assert "availability: CLOSES WITHIN THE HORIZON (2027-01-14)" in out
    retired = _openai_gpt41_mini_retirement()
    assert f", {retired.source_url}]" in out  # grade and source of the date the status rests on
    # Azure's fine-tuned gpt-4.1-mini deployments retire 2027-10-14 (bundled Azure retirement schedule)
    assert "availability: CLOSES WITHIN THE HORIZON (2027-10-14)" in out
    code, out, _ = run(capsys, "breakeven", "--path", OAI_FT, "--path", AZ_FT, "--as-of", "2026-12-01")
    assert code == 0 and f"{OAI_FT}: availability: CLOSES WITHIN THE HORIZON (2027-01-14)" in out
    code, out, _ = run(capsys, "breakeven", "--path", OAI_FT, "--path", AZ_FT, "--as-of", "2026-12-01", "--json")
    data = json.loads(out)
    assert set(data["availability"]) == {OAI_FT, AZ_FT}
    assert data["availability"][OAI_FT]["servable_until"] == "2027-01-14"


def test_models_command_lists_lifecycle_on_the_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "models", "--provider", "openai", "--as-of", "2027-02-01", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["as_of"] == "2027-02-01"
    rows = {(m["model"], m["variant"]): m["availability"] for m in data["models"]}
    assert rows[("gpt-4.1-mini-2025-04-14", "fine_tuned")]["status"] == "retired"
    assert rows[("gpt-3.5-turbo", "base")]["servable_until"] == "2026-10-23"
    assert all(m["provider"] == "openai" for m in data["models"])
    code, out, _ = run(capsys, "models", "--as-of", "2026-12-01")
    assert code == 0 and "closes_within_horizon" in out and "2027-01-14 (base)" in out
    code, _, err = run(capsys, "models", "--provider", "google")
    assert code == 2 and "--provider" in err


def test_prices_shows_the_lifecycle_of_its_rows(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "prices", "--provider", "openai", "--model", "gpt-4.1-mini", "--as-of", "2026-12-01")
    assert code == 0
    assert "Lifecycle on 2026-12-01" in out
    assert "openai:gpt-4.1-mini-2025-04-14:fine_tuned: CLOSES WITHIN THE HORIZON (2027-01-14)" in out
    code, out, _ = run(capsys, "prices", "--provider", "openai", "--model", "gpt-4.1-mini", "--as-of", "2026-12-01",
                       "--json")  # fmt: skip
    rows = json.loads(out)
    assert rows and all(r["lifecycle"]["servable_until"] == "2027-01-14" for r in rows)


def test_a_bad_lifecycle_file_is_exit_2_naming_file_line_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(LIFECYCLE_COLUMNS) + "\nopenai,gpt-4o,base,retired,2027-13-01,,https://x.test,official,\n")
    code, _, err = run(capsys, "compare", *COMPARE, "--lifecycle", str(bad))
    assert code == 2 and str(bad) in err and "line 2" in err and "field 'date'" in err and "Fix:" in err


# -- timeline and report rows ---------------------------------------------------------------


def test_timeline_figure_draws_windows_today_and_the_horizon(catalog: Catalog) -> None:
    result = evaluate(catalog, scenario([OAI_FT, AZ_FT], date(2026, 12, 1)), as_of=date(2026, 12, 1))
    fig = availability_timeline(result, today=date(2026, 12, 1))
    bars = {t.y[0]: t for t in fig.data if t.mode == "lines"}
    assert set(bars) == {f"{OAI_FT} · training", f"{OAI_FT} · serving", f"{AZ_FT} · training", f"{AZ_FT} · serving"}
    serving = bars[f"{OAI_FT} · serving"]
    assert str(serving.x[1])[:10] == "2027-01-14" and serving.line.color == "#d62728"  # ends inside: red
    assert str(bars[f"{OAI_FT} · training"].x[1])[:10] == "2027-01-06"
    assert str(bars[f"{AZ_FT} · serving"].x[1])[:10] > "2027-12-01"  # runs past the horizon's end
    lines = [(str(s.x0)[:10], s.line.dash) for s in fig.layout.shapes]
    assert ("2026-12-01", None) in lines and ("2027-12-01", "dash") in lines
    assert [a.text for a in fig.layout.annotations][:2] == ["today", "horizon ends 2027-12-01"]
    rows = {r["path"]: r for r in timeline_rows(result)}
    assert rows[OAI_FT]["serving ends"] == "2027-01-14" and rows[OAI_FT]["months served"] == "1.4194 of 12"


# -- dashboard: picker and date -------------------------------------------------------------


def test_path_options_offer_only_paths_that_exist_on_the_day() -> None:
    catalog = bundled_catalog()
    before, after = path_options(catalog, date(2026, 12, 1)), path_options(catalog, date(2027, 2, 1))
    assert OAI_FT in before and OAI_FT not in after  # retired with its base model on 2027-01-14
    assert "openai:gpt-3.5-turbo:ft@standard" not in before  # retired 2026-10-23
    marks = path_marks(catalog, before, date(2026, 12, 1), 12)
    assert marks[OAI_FT] == "ends 2027-01-14"


def test_a_date_where_a_chosen_path_does_not_exist_drops_it_with_a_notice() -> None:
    at = run_app(params={"as_of": "2027-02-01"})
    assert not at.exception
    assert texts(at, "error") == []
    notices = texts(at, "info")
    assert any(n.startswith("Left out on 2027-02-01") and OAI_FT in n and "2027-01-14" in n for n in notices)
    assert texts(at, "success")  # the others are kept and recommended from
    assert at.query_params["paths"].startswith(OAI_FT)  # the user's choice is kept for other dates


def test_a_lifecycle_file_uploaded_as_override_changes_the_decision() -> None:
    from streamlit.testing.v1 import AppTest

    from tests.ui_support import APP

    csv = ",".join(LIFECYCLE_COLUMNS) + f"\nopenai,gpt-4.1-mini,base,retired,2026-10-15,,{FIXTURE},third_party,test\n"
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["as_of"] = "2025-12-01"
    at.run()
    at.switch_page("costmodel/ui/pages/prices.py").run()
    at.file_uploader(key="override_upload").set_value(("dates.csv", csv.encode(), "text/csv")).run()
    assert not at.exception and any("dates.csv override" in s for s in texts(at, "success"))
    at.switch_page("costmodel/ui/pages/decision.py").run()
    assert not at.exception
    # the user's date (2026-10-15) is inside a 12-month horizon from 2025-12-01: no longer the recommendation
    assert any("2026-10-15" in w for w in texts(at, "warning"))
    assert OAI_FT not in texts(at, "success")[0].split(":")[0]


def test_what_if_heatmap_pairs_skip_a_path_dropped_on_the_date() -> None:
    # gpt-4.1-nano retired on OpenAI on 2026-10-23 (bundled lifecycle): on 2026-12-01 it is left out, no exception
    params = {"paths": f"{OAI_FT},{AZ_FT},openai:gpt-4.1-nano:ft", "as_of": "2026-12-01"}
    at = run_app("whatif", params)
    assert not at.exception
    assert any("openai:gpt-4.1-nano:ft@standard" in n for n in texts(at, "info"))
    assert len(at.selectbox(key="heat_pair_choice").options) == 1


def test_capacity_and_self_hosted_paths_are_not_dropped_for_lacking_token_prices() -> None:
    params = {
        "paths": "selfhosted:llama-3.1-8b:lora@g6.xlarge,together:llama-3.1-8b-instruct:ft@standard",
        "requests_per_day": "100000",
        "as_of": "2026-06-01",
    }
    at = run_app(params=params)
    assert not at.exception
    assert not any(n.startswith("Left out") for n in texts(at, "info"))
