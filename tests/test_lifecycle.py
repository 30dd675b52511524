"""Lifecycle rows (loading, validation, overrides) and the pure availability engine.

Expected dates are pinned against their sources, not computed by the code under test:

* OpenAI fine-tuning wind-down (deprecations page, notice of 2026-05-07, as quoted in issue 10):
  job creation restricted 2026-05-07 (organisations that never fine-tuned) and 2026-07-02
  (no fine-tuned inference in the previous 60 days); closed for everyone 2027-01-06.
* Base retirements quoted in issue 10 from copies of that page: gpt-3.5-turbo 2026-10-23,
  gpt-4.1-mini 2027-01-14.
* Azure gpt-35-turbo 0613 retired 2025-02-13 (Azure legacy-models page, "Retired models").
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.engine.availability import add_months, months_between, windows
from costmodel.engine.scenario import evaluate, load_scenario
from costmodel.engine.usage import PathSpec
from costmodel.errors import CatalogError
from costmodel.prices import (
    LIFECYCLE_COLUMNS,
    Event,
    Lifecycle,
    LifecycleRow,
    build_lifecycle,
    bundled_catalog,
    load_catalog,
    parse_lifecycle_csv,
)

HEADER = ",".join(LIFECYCLE_COLUMNS)
URL = "https://example.test/deprecations"
DATA = Path(__file__).resolve().parent.parent / "data"


def csv_text(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def lrow(model: str, variant: str, event: str, day: str, provider: str = "openai", scope: str = "") -> LifecycleRow:
    return LifecycleRow(
        provider=provider,
        model=model,
        variant=variant,
        event=event,
        date=date.fromisoformat(day),
        scope=scope,
        source_url=URL,
        reliability="official",
    )


# -- parsing and validation ------------------------------------------------------------------


def test_a_good_file_parses_with_line_numbers() -> None:
    rows = parse_lifecycle_csv(
        csv_text(
            f"openai,gpt-4.1-mini,base,retired,2027-01-14,,{URL},copy_of_official,a note",
            f"openai,*,fine_tuned,training_closed,2027-01-06,all organisations,{URL},official,",
        ),
        origin="life.csv",
    )
    assert [(r.event, r.date, r.line) for r in rows] == [
        (Event.RETIRED, date(2027, 1, 14), 2),
        (Event.TRAINING_CLOSED, date(2027, 1, 6), 3),
    ]


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        (f"openai,gpt-4o,base,retird,2027-01-14,,{URL},official,", "event", "retired"),
        (f"openai,gpt-4o,base,retired,14/01/2027,,{URL},official,", "date", "YYYY-MM-DD"),
        (f"openai,gpt-4o,base,retired,2027-02-30,,{URL},official,", "date", "YYYY-MM-DD"),
        (f"openai,gpt-4o,base,training_closed,2027-01-06,,{URL},official,", "variant", "fine_tuned"),
        ("openai,gpt-4o,base,retired,2027-01-14,,,official,", "source_url", "unconfirmed"),
        ("openai,gpt-4o,base,retired,2027-01-14,,,unconfirmed,", "note", "note"),
        ("openai,gpt-4o,base,retired,2027-01-14,,ftp://x,official,", "source_url", "https"),
        (f"google,gpt-4o,base,retired,2027-01-14,,{URL},official,", "provider", "openai"),
        (f"openai,gpt-4o,base,retired,2027-01-14,,{URL},rumour,", "reliability", "official"),
    ],
)
def test_bad_rows_name_file_line_field_and_fix(line: str, field: str, words: str) -> None:
    with pytest.raises(CatalogError) as err:
        parse_lifecycle_csv(csv_text(f"openai,gpt-4o,base,retired,2027-01-14,,{URL},official,", line), origin="l.csv")
    text = str(err.value)
    assert err.value.line == 3 and err.value.field == field, text
    assert text.startswith("l.csv, line 3") and "Fix:" in text and words in text


def test_header_problems_are_line_1() -> None:
    with pytest.raises(CatalogError, match="missing column"):
        parse_lifecycle_csv("provider,model,variant,event\n", origin="l.csv")
    with pytest.raises(CatalogError, match="unknown column"):
        parse_lifecycle_csv(csv_text(header=HEADER + ",extra"), origin="l.csv")


def test_scope_and_note_columns_are_optional() -> None:
    header = "provider,model,variant,event,date,source_url,reliability"
    rows = parse_lifecycle_csv(
        csv_text(f"openai,gpt-4o,base,retired,2027-01-14,{URL},official", header=header), origin="x"
    )
    assert rows[0].scope == "" and rows[0].note == ""


def test_unknown_model_is_rejected_against_the_registry_but_star_is_not() -> None:
    catalog = bundled_catalog()
    rows = parse_lifecycle_csv(csv_text(f"openai,gpt-9-ultra,base,retired,2027-01-14,,{URL},official,"), origin="u.csv")
    with pytest.raises(CatalogError) as err:
        build_lifecycle(rows, catalog)
    assert err.value.line == 2 and err.value.field == "model" and "gpt-4.1-mini" in str(err.value)
    star = parse_lifecycle_csv(csv_text(f"azure,*,fine_tuned,training_closed,2030-01-01,,{URL},official,"), origin="s")
    assert len(build_lifecycle(star, catalog)) == 1


def test_aliases_are_written_canonically() -> None:
    rows = parse_lifecycle_csv(csv_text(f"openai,gpt-4.1-mini,base,retired,2027-01-14,,{URL},official,"), origin="a")
    life = build_lifecycle(rows, bundled_catalog())
    assert life.rows[0].model == "gpt-4.1-mini-2025-04-14"
    assert life.rows_for(life.rows[0].provider, "gpt-4.1-mini", life.rows[0].variant) == life.rows


def test_duplicate_events_are_rejected_naming_both_lines() -> None:
    rows = parse_lifecycle_csv(
        csv_text(
            f"openai,gpt-4.1-mini,base,retired,2027-01-14,,{URL},official,",
            f"openai,gpt-4.1-mini-2025-04-14,base,retired,2027-02-14,,{URL},official,",
        ),
        origin="d.csv",
    )
    with pytest.raises(CatalogError) as err:
        build_lifecycle(rows, bundled_catalog())
    assert err.value.line == 3 and "line 2" in str(err.value) and "given twice" in str(err.value)


def test_user_file_overrides_the_bundled_row_of_the_same_key(tmp_path: Path) -> None:
    user = tmp_path / "my-lifecycle.csv"
    user.write_text(
        csv_text(
            f"openai,gpt-4.1-mini,base,retired,2027-06-30,,{URL},third_party,our account manager's letter",
            f"azure,gpt-4.1-mini,base,retired,2028-03-31,,{URL},third_party,",
        )
    )
    catalog = load_catalog(lifecycle_file=user)
    spec = PathSpec.parse("openai:gpt-4.1-mini:base")
    retired = [r for r in catalog.lifecycle.rows_for(spec.provider, spec.model, spec.variant) if r.event == "retired"]
    assert [(r.date, r.origin) for r in retired] == [(date(2027, 6, 30), str(user))]
    az = PathSpec.parse("azure:gpt-4.1-mini:base")
    az_retired = [r for r in catalog.lifecycle.rows_for(az.provider, az.model, az.variant) if r.event == "retired"]
    assert [r.date for r in az_retired] == [date(2028, 3, 31)]
    bundled = bundled_catalog().lifecycle
    replaced = sum(1 for r in bundled if r.key in {u.key for u in catalog.lifecycle if u.origin == str(user)})
    assert len(catalog.lifecycle) == len(bundled) - replaced + 2
    assert catalog.rows == bundled_catalog().rows  # prices untouched


def test_a_bad_user_lifecycle_file_names_itself(tmp_path: Path) -> None:
    user = tmp_path / "bad.csv"
    user.write_text(csv_text(f"openai,gpt-4o,base,retired,someday,,{URL},official,"))
    with pytest.raises(CatalogError) as err:
        load_catalog(lifecycle_file=user)
    assert str(user) in str(err.value) and err.value.line == 2


# -- the bundled file: the dates of issue 10, each against its source -------------------------


def _bundled(provider: str, model: str, variant: str, event: str) -> list[LifecycleRow]:
    life = bundled_catalog().lifecycle
    spec = PathSpec.parse(f"{provider}:{model}:{'ft' if variant == 'fine_tuned' else 'base'}")
    return [r for r in life.rows_for(spec.provider, spec.model, spec.variant) if r.event == event]


def test_openai_fine_tuning_wind_down_dates() -> None:
    # Deprecations page, notice of 2026-05-07 (issue 10).
    restricted = _bundled("openai", "gpt-4.1-mini", "fine_tuned", "training_restricted")
    assert sorted(r.date for r in restricted) == [date(2026, 5, 7), date(2026, 7, 2)]
    assert all(r.model == "*" and r.scope and r.source_url for r in restricted)
    closed = _bundled("openai", "gpt-4o-mini", "fine_tuned", "training_closed")
    assert [r.date for r in closed] == [date(2027, 1, 6)]


def test_base_retirements_quoted_in_the_issue() -> None:
    assert [r.date for r in _bundled("openai", "gpt-4.1-mini", "base", "retired")] == [date(2027, 1, 14)]
    assert [r.date for r in _bundled("openai", "gpt-3.5-turbo", "base", "retired")] == [date(2026, 10, 23)]


def test_every_bundled_row_is_sourced_or_explained() -> None:
    for r in bundled_catalog().lifecycle:
        assert r.source_url or (r.reliability == "unconfirmed" and r.note), r.describe()


# -- the engine ----------------------------------------------------------------------------


def test_gpt41_mini_fine_tuned_from_2026_12_01_closes_inside_a_12_month_horizon() -> None:
    a = windows(bundled_catalog().lifecycle, PathSpec.parse("openai:gpt-4.1-mini:ft"), as_of=date(2026, 12, 1))
    assert a.status == "closes_within_horizon"
    assert a.status_date == date(2027, 1, 14)  # base retirement, inherited by the fine-tuned model
    assert a.servable_until is not None and a.servable_until.inherited
    assert a.trainable_until is not None and a.trainable_until.day == date(2027, 1, 6)
    assert a.horizon_end == date(2027, 12, 1)
    # 2026-12-01..2027-01-01 is a full month, then 13 of January's 31 days: 1 + 13/31 = 1.4194
    assert a.serving_months == Decimal("1.4194")
    retired = _bundled("openai", "gpt-4.1-mini", "base", "retired")[0]
    assert a.source == retired.source_url  # the status rests on the base model's retirement row
    closed = _bundled("openai", "gpt-4.1-mini", "fine_tuned", "training_closed")[0]
    assert a.grade is not None and a.grade.rank >= max(retired.reliability.rank, closed.reliability.rank)


def test_on_2027_02_01_openai_fine_tuned_paths_are_unavailable() -> None:
    life = bundled_catalog().lifecycle
    for label in ("openai:gpt-4.1-mini:ft", "openai:gpt-4o-mini:ft", "openai:gpt-3.5-turbo:ft", "openai:gpt-4.1:ft"):
        a = windows(life, PathSpec.parse(label), as_of=date(2027, 2, 1))
        assert a.status in ("retired", "cannot_train_now"), (label, a.status)
        assert not a.can_train(date(2027, 2, 1))


def test_a_path_with_no_rows_is_unknown_never_available() -> None:
    a = windows(Lifecycle(), PathSpec.parse("azure:gpt-4o:base"), as_of=date(2026, 1, 1))
    assert a.status == "unknown" and not a.covers_horizon and a.serving_months == 12
    # provider-wide rows alone do not say when the model retires
    star = Lifecycle([lrow("*", "fine_tuned", "training_closed", "2030-01-01")])
    assert windows(star, PathSpec.parse("openai:gpt-4o:ft"), as_of=date(2026, 1, 1)).status == "unknown"


def test_fine_tuned_row_overrides_the_inherited_base_retirement() -> None:
    life = Lifecycle([lrow("m", "base", "retired", "2027-01-01"), lrow("m", "fine_tuned", "retired", "2028-01-01")])
    a = windows(life, PathSpec.parse("openai:m:ft"), as_of=date(2026, 6, 1), horizon_months=24)
    assert a.servable_until is not None and a.servable_until.day == date(2028, 1, 1) and not a.servable_until.inherited


@pytest.mark.parametrize(
    ("rows", "as_of", "status", "day"),
    [
        # source of each expectation: the status table in costmodel.engine.availability's docstring
        ([("m", "base", "retired", "2027-01-01")], "2027-01-01", "retired", "2027-01-01"),  # takes effect ON the day
        ([("m", "base", "retired", "2027-01-01")], "2026-12-31", "closes_within_horizon", "2027-01-01"),
        ([("m", "base", "retired", "2027-01-01")], "2026-01-02", "closes_within_horizon", "2027-01-01"),
        ([("m", "base", "retired", "2027-01-01")], "2026-01-01", "available", None),  # horizon [2026-01-01, 2027-01-01)
        ([("m", "base", "available", "2025-01-01")], "2024-12-31", "cannot_deploy_now", "2025-01-01"),
        ([("m", "base", "no_new_deployments", "2025-01-01")], "2025-01-01", "cannot_deploy_now", "2025-01-01"),
        ([("m", "fine_tuned", "training_available", "2025-01-01")], "2024-06-01", "cannot_train_now", "2025-01-01"),
        ([("m", "fine_tuned", "training_closed", "2025-01-01")], "2025-01-01", "cannot_train_now", "2025-01-01"),
        ([("m", "fine_tuned", "training_closed", "2025-01-01")], "2024-12-31", "available", None),
    ],
)
def test_status_table(rows: list[tuple[str, str, str, str]], as_of: str, status: str, day: str | None) -> None:
    life = Lifecycle([lrow(*r) for r in rows])
    fine_tuned = any(r[1] == "fine_tuned" for r in rows)
    a = windows(life, PathSpec.parse(f"openai:m:{'ft' if fine_tuned else 'base'}"), as_of=date.fromisoformat(as_of))
    assert (a.status, a.status_date) == (status, None if day is None else date.fromisoformat(day))


def test_restrictions_in_force_are_listed_with_their_scope() -> None:
    life = bundled_catalog().lifecycle
    a = windows(life, PathSpec.parse("openai:gpt-4.1-mini:ft"), as_of=date(2026, 6, 1))
    assert [r.date for r in a.restrictions] == [date(2026, 5, 7)]
    b = windows(life, PathSpec.parse("openai:gpt-4.1-mini:ft"), as_of=date(2026, 8, 1))
    assert [r.date for r in b.restrictions] == [date(2026, 5, 7), date(2026, 7, 2)]
    assert "60 days" in b.restrictions[1].scope


def test_months_between_by_hand() -> None:
    start = date(2026, 12, 1)
    assert months_between(start, add_months(start, 12), 12, (None, None)) == 12
    # 15 of 31 days of December, nothing after
    assert months_between(start, add_months(start, 12), 12, (None, date(2026, 12, 16))) == Decimal("0.4839")
    # from 2027-03-01 on: months 3..11 = 9 months
    assert months_between(start, add_months(start, 12), 12, (date(2027, 3, 1), None)) == 9


# -- scenario results carry the availability --------------------------------------------------


def test_late_2023_scenario_still_reproduces_2_5m_tokens_an_hour_with_both_paths_available() -> None:
    scenario = load_scenario(DATA / "scenarios" / "late-2023-gpt35-openai-vs-azure.yaml")
    result = evaluate(bundled_catalog(), scenario, as_of=date(2026, 12, 2))
    assert result.as_of == date(2024, 1, 15)
    assert [c.availability.status for c in result.costs if c.availability] == ["available", "available"]
    be = result.breakevens[0]
    # prices.md §9: $7/h hosting over a $2.75/1M blended gap = 2,545,454.5 tokens/h
    assert be.tokens_per_hour is not None and abs(be.tokens_per_hour - Decimal("2545454.5")) < 1
    assert be.availability_a is not None and be.availability_a.status == "available"
    assert be.availability_b is not None and be.availability_b.status == "available"
    assert all(c.serving_months is None and c.horizon_note == "" for c in result.costs)


def test_horizon_total_counts_only_the_months_a_path_can_serve() -> None:
    scenario = load_scenario(DATA / "scenarios" / "azure-vs-openai-gpt-4.1-mini.yaml").model_copy(
        update={"as_of": date(2026, 12, 1), "horizon_months": 12}
    )
    result = evaluate(bundled_catalog(), scenario, as_of=date(2026, 12, 1))
    c = next(c for c in result.costs if c.path.provider == "openai" and c.path.fine_tuned)
    assert c.serving_months == Decimal("1.4194")
    assert c.horizon_total == (c.one_off_total or 0) + c.monthly_total * Decimal("1.4194")
    assert "1.4194 months" in c.horizon_note and "2027-01-14" in c.horizon_note
    for pb in result.paybacks:
        assert pb.availability_fine_tuned is not None and pb.availability_base is not None


# -- property: the windows never contradict the events ---------------------------------------

EVENTS = [e.value for e in Event]
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def lifecycles(draw: st.DrawFn) -> list[LifecycleRow]:
    rows: list[LifecycleRow] = []
    seen: set[tuple[str, str, str]] = set()
    for _ in range(draw(st.integers(0, 7))):
        model = draw(st.sampled_from(["m", "*"]))
        variant = draw(st.sampled_from(["base", "fine_tuned"]))
        event = draw(st.sampled_from(EVENTS))
        if variant == "base" and event.startswith("training"):
            continue
        if model == "*" and variant == "base":
            model = "m"
        if (model, variant, event) in seen:
            continue
        seen.add((model, variant, event))
        rows.append(lrow(model, variant, event, draw(days).isoformat()))
    return rows


@settings(max_examples=300, deadline=None)
@given(rows=lifecycles(), as_of=days, horizon=st.integers(1, 60), fine_tuned=st.booleans(), probe=days)
def test_windows_never_contradict_the_events(
    rows: list[LifecycleRow], as_of: date, horizon: int, fine_tuned: bool, probe: date
) -> None:
    a = windows(Lifecycle(rows), PathSpec.parse(f"openai:m:{'ft' if fine_tuned else 'base'}"), as_of=as_of,
                horizon_months=horizon)  # fmt: skip
    variant = "fine_tuned" if fine_tuned else "base"
    own = [r for r in rows if r.variant == variant]
    retired = [r.date for r in own if r.event == "retired"]
    if fine_tuned and not any(r.model == "m" for r in own if r.event == "retired"):
        retired += [r.date for r in rows if r.variant == "base" and r.event == "retired"]
    closed = [r.date for r in own if r.event == "training_closed"]
    # no path served on or after its retirement, no training on or after training closed / retirement
    if retired and probe >= min(retired):
        assert not a.can_serve(probe)
        assert not a.can_train(probe)
    if closed and probe >= min(closed):
        assert not a.can_train(probe)
    # the status agrees with the windows
    if a.status in ("available", "closes_within_horizon"):
        assert a.can_serve(as_of)
        assert not fine_tuned or a.can_train(as_of)
    if a.status == "available":
        assert a.can_serve(a.horizon_end - timedelta(days=1))
        assert a.serving_months == horizon
    if a.status == "closes_within_horizon":
        assert a.status_date is not None and as_of < a.status_date < a.horizon_end
        assert not a.can_serve(a.status_date)
        assert 0 < a.serving_months < horizon
    if a.status == "retired":
        assert not a.can_serve(as_of) and a.serving_months == 0
    if not any(r.model == "m" for r in rows):  # only provider-wide rows: never "available"
        assert a.status in ("unknown", "retired", "cannot_train_now", "cannot_deploy_now")
    assert 0 <= a.serving_months <= horizon


# -- module hygiene ------------------------------------------------------------------------


def test_availability_docstring_examples_run() -> None:
    import doctest

    import costmodel.engine.availability as module

    failed, tried = doctest.testmod(module)
    assert failed == 0 and tried >= 3


def test_lifecycle_modules_are_pure() -> None:
    import json
    import subprocess
    import sys

    modules = [
        "costmodel.prices.lifecycle",
        "costmodel.engine.availability",
        "costmodel.present.timeline",
    ]  # (costmodel.launch.availability_check is pure too, but importing its package loads the HTTP client)
    forbidden = ("streamlit", "openai", "httpx2", "httpx")
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(json.dumps(sorted(n for n in sys.modules if n.split('.')[0] in {forbidden!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=DATA.parent, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
