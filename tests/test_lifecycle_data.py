"""The bundled lifecycle file (data/lifecycle.csv): well formed, sourced, complete, and right.

These tests read the file with the csv module only, so they check the data whatever loader reads
it. Expected dates are copied by hand from the sources named beside them:

* OAI-WIND: OpenAI deprecations page, "Update to OpenAI's self-serve fine-tuning" (notice of
  2026-05-07), dates read in reports quoting its timeline (wpnews.pro / narracomm, techscurrent).
* OAI-DEPR: OpenAI deprecations page, mid-2025 copy in shimondoodkin/openai-reference-docs-markdown.
* OAI-0422: deprecations page, "2026-04-22: Legacy GPT model snapshots" (spybara.com page history).
* OAI-CHLOG: OpenAI changelog, copy in dakota-jamie-sims/OpenAI-Learning-Center-Agent.
* AZ-LEGACY: Azure "Retired models" (legacy-models.md, ms.date 2026-02-12).
* AZ-SCHED: Azure "Model retirement schedule" (official include of 2026-07-07; Learn page of 2026-09-02).
"""

from __future__ import annotations

import csv
import re
from datetime import date

import pytest

from costmodel.prices import DATA_DIR, parse_models_csv

COLUMNS = ("provider", "model", "variant", "event", "date", "scope", "source_url", "reliability", "note")
EVENTS = ("available", "training_available", "training_restricted", "training_closed", "no_new_deployments", "retired")
TRAINING_EVENTS = ("training_available", "training_restricted", "training_closed")
GRADES = ("official", "copy_of_official", "third_party", "unconfirmed")


def _rows() -> list[dict[str, str]]:
    with (DATA_DIR / "lifecycle.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROWS = _rows()


def _canonical() -> dict[tuple[str, str], str]:
    infos = parse_models_csv((DATA_DIR / "models.csv").read_text(encoding="utf-8"), origin="models.csv")
    names: dict[tuple[str, str], str] = {}
    for m in infos:
        for name in (m.model, *m.aliases):
            names[(m.provider.value, name.lower())] = m.model
    return names


def find(provider: str, model: str, variant: str, event: str) -> list[dict[str, str]]:
    return [
        r for r in ROWS if (r["provider"], r["model"], r["variant"], r["event"]) == (provider, model, variant, event)
    ]


def only_date(provider: str, model: str, variant: str, event: str) -> date:
    hits = find(provider, model, variant, event)
    assert len(hits) == 1, (provider, model, variant, event, hits)
    return date.fromisoformat(hits[0]["date"])


# -- the file itself -------------------------------------------------------------------------


def test_header_is_exactly_the_format() -> None:
    with (DATA_DIR / "lifecycle.csv").open(encoding="utf-8") as fh:
        assert tuple(next(csv.reader(fh))) == COLUMNS


def test_every_row_is_well_formed_and_sourced() -> None:
    text = (DATA_DIR / "lifecycle.csv").read_text(encoding="utf-8")
    assert len(ROWS) == len(text.strip().splitlines()) - 1  # one line per row (no multi-line notes)
    for r in ROWS:
        where = f"{r['provider']}:{r['model']}:{r['variant']}:{r['event']}"
        assert r["provider"] in ("openai", "azure"), where
        assert r["variant"] in ("base", "fine_tuned"), where
        assert r["event"] in EVENTS, where
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date"]), where
        date.fromisoformat(r["date"])  # a real calendar day
        assert r["reliability"] in GRADES, where
        assert r["source_url"].startswith("https://") or r["reliability"] == "unconfirmed", where
        assert r["note"], f"every row says what its source says: {where}"
        if r["reliability"] == "unconfirmed":
            assert "unconfirmed" in r["note"] or "not read" in r["note"], where
        if r["event"] in TRAINING_EVENTS:
            assert r["variant"] == "fine_tuned", where


def test_rows_are_sorted_by_provider_model_date() -> None:
    keys = [(r["provider"], r["model"], r["date"]) for r in ROWS]
    assert keys == sorted(keys)


def test_one_row_per_provider_model_variant_event_and_scope() -> None:
    keys = [(r["provider"], r["model"], r["variant"], r["event"], r["scope"].lower()) for r in ROWS]
    assert len(keys) == len(set(keys))


def test_every_model_name_is_in_the_registry() -> None:
    names = _canonical()
    for r in ROWS:
        if r["model"] != "*":
            assert (r["provider"], r["model"].lower()) in names, f"{r['model']}: add it to data/models.csv"


def test_every_catalogued_model_has_its_own_lifecycle_rows() -> None:
    # provider-wide '*' rows alone leave a path 'unknown': every priced model needs its own row
    with (DATA_DIR / "prices.csv").open(encoding="utf-8", newline="") as fh:
        priced = {(p["provider"], p["model"]) for p in csv.DictReader(fh) if p["provider"] in ("openai", "azure")}
    named = {(r["provider"], r["model"]) for r in ROWS}
    assert priced - named == set()


def test_no_model_is_retired_before_it_is_available() -> None:
    for r in ROWS:
        if r["event"] != "retired" or r["model"] == "*":
            continue
        starts = find(r["provider"], r["model"], "base", "available") + find(
            r["provider"], r["model"], "fine_tuned", "training_available"
        )
        for s in starts:
            assert s["date"] < r["date"], (r["model"], s["date"], r["date"])


# -- the dates of issue 10, each against its source -------------------------------------------


def test_openai_fine_tuning_wind_down() -> None:
    # OAI-WIND: never-fine-tuned organisations 2026-05-07; no fine-tuned inference in 60 days
    # 2026-07-02; everyone 2027-01-06
    restricted = {r["date"]: r["scope"] for r in find("openai", "*", "fine_tuned", "training_restricted")}
    assert sorted(restricted) == ["2026-05-07", "2026-07-02"]
    assert "never" in restricted["2026-05-07"] and "60 days" in restricted["2026-07-02"]
    assert only_date("openai", "*", "fine_tuned", "training_closed") == date(2027, 1, 6)


@pytest.mark.parametrize(
    ("model", "day", "grade", "source"),
    [
        ("gpt-3.5-turbo", "2026-10-23", "copy_of_official", "OAI-0422: gpt-3.5-turbo-0125 | gpt-3.5-turbo"),
        ("gpt-3.5-turbo-0125", "2026-10-23", "copy_of_official", "OAI-0422"),
        ("gpt-4", "2026-10-23", "copy_of_official", "OAI-0422: gpt-4-0613 | gpt-4"),
        ("gpt-3.5-turbo-0613", "2024-09-13", "copy_of_official", "OAI-DEPR, 2023-11-06 entry"),
        ("gpt-4-32k", "2025-06-06", "copy_of_official", "OAI-DEPR, 2024-06-06 entry"),
        ("gpt-4.1-nano-2025-04-14", "2026-10-23", "third_party", "aihola report of the 2026-04-22 list"),
        ("gpt-5", "2026-12-11", "third_party", "report of the notice of 2026-06-11"),
        ("gpt-4.1-mini-2025-04-14", "2027-01-14", "unconfirmed", "shared reference only; no copy found"),
    ],
)
def test_openai_base_retirements(model: str, day: str, grade: str, source: str) -> None:
    (row,) = find("openai", model, "base", "retired")
    assert (row["date"], row["reliability"]) == (day, grade), source


def test_openai_fine_tuned_0613_models_outlive_their_base_snapshot() -> None:
    # OAI-DEPR: "Fine-tuned models created from these base models are not affected by this
    # deprecation", so the fine-tuned row must not inherit the 2024-09-13 shutdown
    assert only_date("openai", "gpt-3.5-turbo-0613", "fine_tuned", "retired") > date(2024, 9, 13)
    assert only_date("openai", "gpt-3.5-turbo-0613", "fine_tuned", "training_closed") == date(2024, 9, 13)
    # OAI-DEPR, 2024-08-29 entry: no new fine-tuning on babbage-002 / davinci-002 from 2024-10-28
    assert only_date("openai", "babbage-002", "fine_tuned", "training_closed") == date(2024, 10, 28)
    assert only_date("openai", "davinci-002", "fine_tuned", "training_closed") == date(2024, 10, 28)


@pytest.mark.parametrize(
    ("model", "day", "source"),
    [
        ("gpt-4o-mini-2024-07-18", "2024-07-23", "OAI-CHLOG 2024-07-23 'Launched fine-tuning for GPT-4o mini'"),
        ("gpt-4o-2024-08-06", "2024-08-20", "OAI-CHLOG 2024-08-20 GA of gpt-4o-2024-08-06 fine-tuning"),
        ("gpt-4.1-mini-2025-04-14", "2025-04-14", "OAI-CHLOG 2025-04-14"),
        ("gpt-4.1-nano-2025-04-14", "2025-05-07", "OAI-CHLOG 2025-05-07"),
        ("o4-mini-2025-04-16", "2025-05-07", "OAI-CHLOG 2025-05-07 reinforcement fine-tuning"),
    ],
)
def test_openai_fine_tuning_opened(model: str, day: str, source: str) -> None:
    assert only_date("openai", model, "fine_tuned", "training_available") == date.fromisoformat(day), source


@pytest.mark.parametrize(
    ("model", "day"),
    # AZ-LEGACY, "Retired models" table
    [
        ("babbage-002", "2025-01-27"),
        ("davinci-002", "2025-01-27"),
        ("gpt-35-turbo", "2025-02-13"),
        ("gpt-35-turbo-16k", "2025-04-30"),
        ("gpt-4", "2025-06-06"),
    ],
)
def test_azure_retired_models(model: str, day: str) -> None:
    (row,) = find("azure", model, "base", "retired")
    assert (row["date"], row["reliability"]) == (day, "official")


@pytest.mark.parametrize(
    ("model", "base_retired", "training_closed", "deployment_retired"),
    [
        # AZ-SCHED: base retirement (2026-09-02); fine-tuned training "no earlier than" / deployment
        ("gpt-4.1-2025-04-14", "2027-04-14", "2027-04-14", "2027-10-14"),
        ("gpt-4.1-mini-2025-04-14", "2027-04-14", "2027-04-14", "2027-10-14"),
        ("gpt-4.1-nano-2025-04-14", "2027-04-14", "2027-04-14", "2027-10-14"),
        ("gpt-4o-2024-08-06", "2027-04-14", "2027-04-01", "2027-10-01"),
        ("gpt-4o-mini-2024-07-18", "2027-04-14", "2027-04-01", "2027-10-01"),
        ("o4-mini-2025-04-16", "2026-10-16", "2027-04-16", "2027-10-16"),
    ],
)
def test_azure_current_models_and_their_fine_tunes(
    model: str, base_retired: str, training_closed: str, deployment_retired: str
) -> None:
    assert only_date("azure", model, "base", "retired") == date.fromisoformat(base_retired)
    assert only_date("azure", model, "fine_tuned", "training_closed") == date.fromisoformat(training_closed)
    # Azure gives fine-tuned deployments their own retirement: it overrides the base model's
    assert only_date("azure", model, "fine_tuned", "retired") == date.fromisoformat(deployment_retired)
    assert date.fromisoformat(deployment_retired) > date.fromisoformat(base_retired)


def test_azure_o4_mini_training_for_new_customers_ends_with_the_base_model() -> None:
    # AZ-SCHED footnote: "For existing customers only. Otherwise, training retirement occurs at
    # base model retirement" (o4-mini base: 2026-10-16)
    (row,) = find("azure", "o4-mini-2025-04-16", "fine_tuned", "training_restricted")
    assert row["date"] == "2026-10-16" and "existing" in row["scope"]


def test_inferred_dates_say_so() -> None:
    # a lower bound ("no earlier than") or a month without a day turned into a date is an inference
    for r in ROWS:
        bound = r["event"] in TRAINING_EVENTS and "no earlier than" in r["note"].lower()
        if bound or "last day of the month" in r["note"]:
            assert "inferred" in r["note"], r
