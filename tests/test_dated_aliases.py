"""Moving names (``gpt-4o``) resolve to the snapshot they named on the as-of day (data/aliases.csv).

Issue 14, class 9: ``prices --model gpt-4o --as-of 2024-08-01`` found nothing because the alias
pointed only at the later snapshot. OpenAI moved ``gpt-4o`` from gpt-4o-2024-05-13 to
gpt-4o-2024-08-06 on 2024-10-02 (its e-mail to API users, quoted in the source of the rows); the
launch snapshot cost $5.00 / $15.00 per 1M input / output tokens (OpenAI pricing page, copied in
data/prices.csv), the August snapshot $2.50 / $10.00.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from costmodel.errors import CatalogError
from costmodel.prices import (
    DATA_DIR,
    Catalog,
    Kind,
    Variant,
    bundled_catalog,
    parse_aliases_csv,
    parse_models_csv,
    parse_price_csv,
)
from tests.cli_support import run_cli

MOVED = date(2024, 10, 2)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return bundled_catalog()


@pytest.mark.parametrize(
    ("day", "snapshot"),
    [
        (date(2024, 5, 13), "gpt-4o-2024-05-13"),
        (date(2024, 8, 1), "gpt-4o-2024-05-13"),
        (MOVED - timedelta(days=1), "gpt-4o-2024-05-13"),
        (MOVED, "gpt-4o-2024-08-06"),
        (date(2026, 12, 1), "gpt-4o-2024-08-06"),
    ],
)
def test_gpt_4o_names_the_snapshot_of_the_day(cat: Catalog, day: date, snapshot: str) -> None:
    assert cat.canonical_model("openai", "gpt-4o", day) == snapshot
    assert cat.canonical_model("openai", " GPT-4o ", day) == snapshot
    assert cat.lifecycle.canonical(cat.dated_aliases[0].provider, "gpt-4o", day) == snapshot


def test_fine_tuning_gpt_4o_always_meant_the_august_snapshot(cat: Catalog) -> None:
    """Fine-tuning opened on 2024-08-20 for gpt-4o-2024-08-06 while requests to the alias still went to
    the May snapshot: the rows are per variant."""
    day = date(2024, 8, 20)
    assert cat.canonical_model("openai", "gpt-4o", day, Variant.FINE_TUNED) == "gpt-4o-2024-08-06"
    assert cat.canonical_model("openai", "gpt-4o", day, Variant.BASE) == "gpt-4o-2024-05-13"
    row = cat.lookup("openai", "gpt-4o", Variant.FINE_TUNED, Kind.TRAINING, "standard", day)
    assert row.amount == Decimal("25.00") and row.model == "gpt-4o-2024-08-06"  # OpenAI, 2024-08-20 post
    models = {(r.variant, r.model) for r in cat.in_force(day, provider="openai", model="gpt-4o")}
    assert models == {(Variant.BASE, "gpt-4o-2024-05-13"), (Variant.FINE_TUNED, "gpt-4o-2024-08-06")}


def test_the_lifecycle_of_a_fine_tuned_alias_is_the_august_snapshots(cat: Catalog) -> None:
    from costmodel.engine.availability import windows
    from costmodel.engine.usage import PathSpec

    before = windows(cat.lifecycle, PathSpec.parse("openai:gpt-4o:ft"), as_of=date(2024, 8, 1))
    assert before.status == "cannot_train_now", before
    base = windows(cat.lifecycle, PathSpec.parse("openai:gpt-4o:base"), as_of=date(2024, 8, 1))
    assert base.status == "available" and base.servable_from is not None
    assert base.servable_from.day == date(2024, 5, 13)


def test_without_a_date_the_registry_alias_stands(cat: Catalog) -> None:
    assert cat.canonical_model("openai", "gpt-4o") == "gpt-4o-2024-08-06"
    assert cat.canonical_model("openai", "gpt-4o-2024-05-13", date(2026, 1, 1)) == "gpt-4o-2024-05-13"


@pytest.mark.parametrize(
    ("day", "inp", "out"), [(date(2024, 8, 1), "5.00", "15.00"), (date(2024, 10, 2), "2.50", "10.00")]
)
def test_lookup_through_the_alias_prices_that_days_snapshot(cat: Catalog, day: date, inp: str, out: str) -> None:
    row = cat.lookup("openai", "gpt-4o", Variant.BASE, Kind.INPUT, "standard", day)
    assert row.amount == Decimal(inp)
    assert cat.lookup("openai", "gpt-4o", Variant.BASE, Kind.OUTPUT, "standard", day).amount == Decimal(out)
    assert {r.model for r in cat.in_force(day, provider="openai", model="gpt-4o")} == {row.model}


def test_the_issue_example_finds_the_launch_snapshot() -> None:
    res = run_cli(["prices", "--model", "gpt-4o", "--as-of", "2024-08-01"])
    assert res.returncode == 0, res.stderr
    assert "gpt-4o-2024-05-13" in res.stdout and "$5.00" in res.stdout and "$15.00" in res.stdout
    assert "'gpt-4o' (base) named gpt-4o-2024-05-13" in res.stdout and "[2024-05-13, 2024-10-02)" in res.stdout
    rows = json.loads(run_cli(["prices", "--model", "gpt-4o", "--as-of", "2024-08-01", "--json"]).stdout)
    assert {r["model"] for r in rows} == {"gpt-4o-2024-05-13"}


def test_compare_prices_and_dates_the_path_by_the_same_snapshot() -> None:
    args = ["--requests-per-day", "1000", "--input-tokens", "500", "--output-tokens", "100", "--json"]
    res = run_cli(["compare", "--path", "openai:gpt-4o:base", "--as-of", "2024-08-01", *args])
    assert res.returncode == 0, res.stderr
    path = json.loads(res.stdout)["paths"][0]
    units = {ln["name"]: Decimal(ln["unit_price_usd"]) for ln in path["lines"]}
    assert units["Input tokens"] == Decimal("5.00")
    # the lifecycle of that snapshot (servable from 2024-05-13), not of the later one (2024-08-06)
    assert path["availability"]["status"] == "available", path["availability"]


def test_a_user_row_for_the_alias_lands_on_that_days_snapshot(cat: Catalog) -> None:
    text = (
        "provider,model,variant,kind,unit,tier,amount,effective_from,effective_to,date_confirmed,"
        "source_url,reliability,note\n"
        "openai,gpt-4o,base,input,usd_per_1m_tokens,standard,4.00,2024-06-01,2024-09-01,true,,unconfirmed,negotiated\n"
    )
    user = cat.overridden_by(parse_price_csv(text, origin="mine.csv"))
    row = user.lookup("openai", "gpt-4o-2024-05-13", Variant.BASE, Kind.INPUT, "standard", date(2024, 8, 1))
    assert row.amount == Decimal("4.00") and row.origin == "mine.csv"


def test_every_bundled_alias_row_names_a_priced_snapshot(cat: Catalog) -> None:
    assert cat.dated_aliases, "data/aliases.csv is empty"
    for a in cat.dated_aliases:
        assert cat.in_force(a.effective_from, provider=a.provider, model=a.model), a
        assert a.source_url or a.reliability == "unconfirmed"


HEADER = "provider,alias,variant,model,effective_from,effective_to,source_url,reliability,note\n"
SRC = "https://example.org/notice,official,"


@pytest.mark.parametrize(
    ("rows", "line", "field", "words"),
    [
        (
            [
                f"openai,gpt-4o,base,gpt-4o-2024-05-13,2024-05-13,2024-11-01,{SRC}",
                f"openai,gpt-4o,base,gpt-4o-2024-08-06,2024-10-02,,{SRC}",
            ],
            3,
            "effective_from",
            "two snapshots at once",
        ),
        ([f"openai,gpt-4o,base,gpt-9,2024-05-13,,{SRC}"], 2, "model", "not in the model registry"),
        ([f"openai,gpt-4o,base,gpt-4o-mini,2024-05-13,,{SRC}"], 2, "model", "not in the model registry"),  # an alias
        ([f"openai,gpt-4o-2024-05-13,base,gpt-4o-2024-08-06,2024-05-13,2024-06-01,{SRC}"], 2, "alias", "own name"),
        ([f"openai,gpt-4o,base,gpt-4o-2024-05-13,2024-05-13,,{SRC}"], 2, "model", "data/models.csv gives it to"),
        ([f"openai,gpt-4o,base,gpt-4o-2024-05-13,2024-10-02,2024-05-13,{SRC}"], 2, "effective_to", "must be after"),
        (["openai,gpt-4o,base,gpt-4o-2024-05-13,2024-05-13,2024-10-02,,official,"], 2, "source_url", "unconfirmed"),
        (["openai,gpt-4o,base,gpt-4o-2024-05-13,2024-05-13,2024-10-02,,unconfirmed,"], 2, "note", "how the date"),
        (
            [f"openai,gpt-4o,base,gpt-4o-2024-05-13,2024-05-13T00:00,2024-10-02,{SRC}"],
            2,
            "effective_from",
            "YYYY-MM-DD",
        ),
        (["openai,gpt-4o,base,gpt-4o-2024-05-13,2024-05-13,2024-10-02,ftp://x,official,"], 2, "source_url", "https"),
    ],
)
def test_a_bad_alias_file_is_refused_naming_line_and_field(
    cat: Catalog, rows: list[str], line: int, field: str, words: str
) -> None:
    models = parse_models_csv((DATA_DIR / "models.csv").read_text(encoding="utf-8"), origin="models.csv")
    with pytest.raises(CatalogError) as err:
        Catalog(cat.rows, models, aliases=parse_aliases_csv(HEADER + "\n".join(rows) + "\n", origin="aliases.csv"))
    assert err.value.line == line and err.value.field == field, str(err.value)
    assert words in str(err.value)


def test_an_unknown_column_is_refused() -> None:
    with pytest.raises(CatalogError) as err:
        parse_aliases_csv(
            HEADER.replace("note", "notes") + "openai,a,base,b,2024-01-01,,,unconfirmed,x\n", origin="a.csv"
        )
    assert err.value.line == 2
