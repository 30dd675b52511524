"""The catalogue machinery: strict parsing, errors that name file/line/field, lookups, overrides.

These tests build small catalogues by hand; ``test_catalog_data.py`` checks the bundled data.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from costmodel.errors import CatalogError, InputError, PriceLookupError, UnknownModelError
from costmodel.prices import (
    CSV_COLUMNS,
    Catalog,
    ModelInfo,
    PriceRow,
    Provider,
    bundled_catalog,
    load_catalog,
    parse_price_csv,
)

HEADER = ",".join(CSV_COLUMNS)
URL = "https://example.test/pricing"
GOOD = (
    f"openai,gpt-4o-mini-2024-07-18,fine_tuned,input,usd_per_1m_tokens,standard,0.30,2024-07-18,,true,{URL},official,"
)


def csv_text(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def row(**overrides: object) -> PriceRow:
    data: dict[str, object] = {
        "provider": "openai",
        "model": "m",
        "variant": "base",
        "kind": "input",
        "unit": "usd_per_1m_tokens",
        "tier": "standard",
        "amount": Decimal("1"),
        "effective_from": date(2024, 1, 1),
        "source_url": URL,
        "reliability": "official",
    }
    data.update(overrides)
    return PriceRow.model_validate(data)


# -- parsing ---------------------------------------------------------------------------------


def test_good_row_parses_with_decimal_amount_and_line() -> None:
    (r,) = parse_price_csv(csv_text(GOOD), origin="user.csv")
    assert r.amount == Decimal("0.30") and isinstance(r.amount, Decimal)
    assert r.effective_from == date(2024, 7, 18) and r.effective_to is None
    assert (r.origin, r.line) == ("user.csv", 2)


def test_empty_amount_means_no_published_figure_not_zero() -> None:
    line = GOOD.replace(",0.30,", ",,")
    (r,) = parse_price_csv(csv_text(line), origin="user.csv")
    assert r.amount is None


def test_blank_lines_are_skipped_and_line_numbers_stay_true() -> None:
    text = csv_text(GOOD, ",,,,,,,,,,,,", GOOD.replace("standard", "batch"))
    rows = parse_price_csv(text, origin="user.csv")
    assert [r.line for r in rows] == [2, 4]


def test_line_number_is_the_first_line_of_a_record_with_a_multiline_note() -> None:
    first = GOOD + '"a note\nover two lines"'
    bad = GOOD.replace("0.30", "-1")
    with pytest.raises(CatalogError) as exc:
        parse_price_csv(csv_text(first, bad), origin="user.csv")
    assert exc.value.line == 4  # header 1, first record 2-3, bad record 4


@pytest.mark.parametrize(
    ("line", "header", "want_line", "want_field", "fragment"),
    [
        # what is wrong                     -> which field the message must name
        (GOOD.replace("0.30", "-0.01"), HEADER, 2, "amount", "greater than or equal to 0"),
        (GOOD.replace("0.30", "abc"), HEADER, 2, "amount", "not a number"),
        (GOOD.replace("2024-07-18,", "2024-13-01,"), HEADER, 2, "effective_from", "date"),
        (GOOD.replace("2024-07-18,", "18/07/2024,"), HEADER, 2, "effective_from", "YYYY-MM-DD"),
        (GOOD.replace("2024-07-18,", "2024-07-18T00:00,"), HEADER, 2, "effective_from", "YYYY-MM-DD"),
        (GOOD.replace("2024-07-18,,", "2024-07-18,2024-07-01,"), HEADER, 2, "effective_to", "after"),
        (GOOD.replace("standard", "global"), HEADER, 2, "tier", "not a openai tier"),
        (GOOD.replace("usd_per_1m_tokens", "usd_per_hour"), HEADER, 2, "unit", "priced in"),
        (GOOD.replace("input", "inputs"), HEADER, 2, "kind", "input"),
        (GOOD.replace(f"{URL},official", ",official"), HEADER, 2, "source_url", "unconfirmed"),
        (GOOD.replace(f"{URL},official", "ftp://x,official"), HEADER, 2, "source_url", "https://"),
        (GOOD.replace(f"{URL},official,", ",unconfirmed,"), HEADER, 2, "note", "note"),
        (GOOD.replace("true", "maybe"), HEADER, 2, "date_confirmed", "true or false"),
        (GOOD, HEADER + ",discount", 1, "discount", "unknown column"),
        (GOOD, HEADER.replace(",tier", ""), 1, "tier", "missing column"),
        (GOOD, HEADER.replace("note", "tier"), 1, "tier", "more than once"),
    ],
)
def test_bad_rows_name_file_line_and_field(
    line: str, header: str, want_line: int, want_field: str, fragment: str
) -> None:
    with pytest.raises(CatalogError) as exc:
        parse_price_csv(csv_text(GOOD, line, header=header), origin="discounts.csv")
    err = exc.value
    want_line = 3 if want_line == 2 else want_line  # the bad row is the second record
    assert (err.source, err.line, err.field) == ("discounts.csv", want_line, want_field)
    message = str(err)
    assert f"discounts.csv, line {want_line}, field '{want_field}'" in message
    assert fragment in message
    assert "Fix:" in message or err.hint is None


def test_extra_values_in_a_row_are_refused() -> None:
    with pytest.raises(CatalogError, match="more values than columns"):
        parse_price_csv(csv_text(GOOD + ",extra"), origin="x.csv")


def test_unknown_keys_are_refused_by_the_model() -> None:
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        row(discount="10%")


def test_overlapping_windows_in_a_file_name_both_rows() -> None:
    a = GOOD.replace("2024-07-18,,", "2024-07-18,2025-01-01,")
    b = GOOD.replace("2024-07-18,,", "2024-12-01,,")
    rows = parse_price_csv(csv_text(a, b), origin="prices.csv")
    with pytest.raises(CatalogError) as exc:
        Catalog(rows)
    err = exc.value
    assert (err.source, err.line, err.field) == ("prices.csv", 3, "effective_from")
    assert "line 2" in str(err) and "[2024-12-01, open)" in str(err)


def test_touching_windows_do_not_overlap() -> None:
    # effective_to is exclusive: [a, b) and [b, c) share no day
    cat = Catalog([row(effective_to=date(2024, 6, 1)), row(effective_from=date(2024, 6, 1), amount=Decimal(2))])
    assert cat.lookup("openai", "m", "base", "input", "standard", date(2024, 5, 31)).amount == 1
    assert cat.lookup("openai", "m", "base", "input", "standard", date(2024, 6, 1)).amount == 2


# -- lookups ---------------------------------------------------------------------------------


def test_lookup_before_any_price_names_the_rows_it_saw() -> None:
    cat = bundled_catalog()
    with pytest.raises(PriceLookupError) as exc:
        # gpt-4o-2024-08-06 fine-tuning opened on 2024-08-20 (OpenAI, "Fine-tuning now available for GPT-4o")
        cat.lookup("openai", "gpt-4o", "fine_tuned", "training", "standard", date(2024, 8, 1))
    message = str(exc.value)
    assert "no training price for openai gpt-4o-2024-08-06" in message
    assert "Rows seen:" in message and "[2024-08-20, open) = 25.00 usd_per_1m_tokens" in message
    assert "prices.csv line" in message


def test_unknown_model_raises_unknown_model_error_with_the_known_names() -> None:
    with pytest.raises(UnknownModelError) as exc:
        bundled_catalog().lookup("openai", "gpt-9", "base", "input", "standard", date(2025, 1, 1))
    assert exc.value.field == "model" and "gpt-4o-mini-2024-07-18" in str(exc.value)


@pytest.mark.parametrize(
    ("provider", "alias", "canonical"),
    [
        ("azure", "gpt-3.5-turbo", "gpt-35-turbo"),  # OpenAI spelling on Azure (data/models.csv)
        ("azure", "GPT-35-Turbo-0613", "gpt-35-turbo"),  # case-insensitive
        ("openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
        ("openai", "gpt-4.1", "gpt-4.1-2025-04-14"),
        ("openai", "gpt-35-turbo", "gpt-3.5-turbo"),  # Azure spelling on OpenAI
        ("openai", "gpt-3.5-turbo-0125", "gpt-3.5-turbo-0125"),  # a snapshot is its own model
    ],
)
def test_alias_lookups(provider: str, alias: str, canonical: str) -> None:
    cat = bundled_catalog()
    assert cat.canonical_model(provider, alias) == canonical


def test_alias_lookup_returns_the_canonical_row() -> None:
    # langchain PR #12267: Azure fine-tuned gpt-35-turbo-0613 $0.0015/1K input
    r = bundled_catalog().lookup("azure", "gpt-3.5-turbo", "fine_tuned", "input", "standard", date(2024, 1, 15))
    assert (r.model, r.amount) == ("gpt-35-turbo", Decimal("1.50"))


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("aws", "m", "base", "input", "standard"), "provider"),
        (("openai", "m", "distilled", "input", "standard"), "variant"),
        (("openai", "m", "base", "inputs", "standard"), "kind"),
        (("openai", "m", "base", "input", "global"), "tier"),
    ],
)
def test_bad_lookup_arguments_are_input_errors(args: tuple[str, str, str, str, str], field: str) -> None:
    cat = Catalog([row()])
    with pytest.raises(InputError) as exc:
        cat.lookup(*args, date(2024, 6, 1))
    assert exc.value.field == field and exc.value.hint


def test_maybe_lookup_returns_none_only_for_missing_dates() -> None:
    cat = Catalog([row()])
    assert cat.maybe_lookup("openai", "m", "base", "input", "standard", date(2023, 1, 1)) is None
    with pytest.raises(UnknownModelError):
        cat.maybe_lookup("openai", "nope", "base", "input", "standard", date(2023, 1, 1))


def test_in_force_resolves_aliases_and_does_not_match_substrings() -> None:
    cat = bundled_catalog()
    rows = cat.in_force(date(2026, 11, 26), model="gpt-4.1")
    assert rows and {r.model for r in rows} == {"gpt-4.1-2025-04-14"}  # not gpt-4.1-mini / -nano
    assert {r.provider for r in rows} == {Provider.OPENAI, Provider.AZURE}
    with pytest.raises(UnknownModelError):
        cat.in_force(date(2026, 11, 26), model="gpt-9")


# -- overrides -------------------------------------------------------------------------------


def test_user_override_cuts_bundled_window_and_wins(tmp_path: Path) -> None:
    user = tmp_path / "negotiated.csv"
    # a negotiated price for fine-tuned gpt-4o-mini input from 2025-01-01 to 2025-07-01, written with the alias
    user.write_text(
        csv_text(
            "openai,gpt-4o-mini,fine_tuned,input,usd_per_1m_tokens,standard,0.20,2025-01-01,2025-07-01,true,"
            "https://example.test/contract,official,negotiated discount"
        ),
        encoding="utf-8",
    )
    cat = load_catalog(user)
    key = ("openai", "gpt-4o-mini", "fine_tuned", "input", "standard")
    before = cat.lookup(*key, date(2024, 12, 31))
    during = cat.lookup(*key, date(2025, 3, 1))
    after = cat.lookup(*key, date(2025, 7, 1))
    # bundled: $0.30/1M (OpenAI pricing page copy, early 2025)
    assert (before.amount, before.origin) == (Decimal("0.30"), "prices.csv")
    assert before.effective_to == date(2025, 1, 1)
    assert (during.amount, during.origin, during.line) == (Decimal("0.20"), str(user), 2)
    assert (after.amount, after.origin, after.effective_from) == (Decimal("0.30"), "prices.csv", date(2025, 7, 1))
    # other keys untouched
    assert cat.lookup("openai", "gpt-4o-mini", "fine_tuned", "output", "standard", date(2025, 3, 1)).amount == Decimal(
        "1.20"
    )


def test_user_override_for_a_new_model_is_looked_up_by_its_own_name(tmp_path: Path) -> None:
    user = tmp_path / "extra.csv"
    user.write_text(
        csv_text("azure,my-private-model,base,input,usd_per_1m_tokens,global,0.05,2026-01-01,,false,,unconfirmed,quote")
    )
    r = load_catalog(user).lookup("azure", "my-private-model", "base", "input", "global", date(2026, 11, 26))
    assert r.amount == Decimal("0.05") and r.reliability == "unconfirmed"


def test_user_override_with_overlapping_rows_is_refused(tmp_path: Path) -> None:
    user = tmp_path / "bad.csv"
    a = GOOD.replace("2024-07-18,,", "2025-01-01,2025-06-01,")
    b = GOOD.replace("2024-07-18,,", "2025-03-01,,")
    user.write_text(csv_text(a, b))
    with pytest.raises(CatalogError) as exc:
        load_catalog(user)
    assert exc.value.source == str(user) and exc.value.line == 3


def test_user_file_errors_name_the_user_file(tmp_path: Path) -> None:
    user = tmp_path / "bad.csv"
    user.write_text(csv_text(GOOD.replace("0.30", "-3")))
    with pytest.raises(CatalogError) as exc:
        load_catalog(user)
    assert str(exc.value).startswith(f"{user}, line 2, field 'amount'")


def test_missing_user_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="file not found"):
        load_catalog(tmp_path / "nope.csv")


def test_models_registry_aliases_map_to_canonical_names() -> None:
    cat = Catalog(
        [row(model="gpt-x-2025")],
        [ModelInfo(provider="openai", model="gpt-x-2025", aliases=("gpt-x",), encoding="o200k_base")],
    )
    assert cat.lookup("openai", "gpt-x", "base", "input", "standard", date(2025, 1, 1)).model == "gpt-x-2025"


# -- property: an as-of lookup never returns two rows ----------------------------------------

DAY0 = date(2023, 1, 1)


@st.composite
def disjoint_windows(draw: st.DrawFn) -> list[tuple[date, date | None]]:
    """Sorted, non-overlapping windows, some touching, some with gaps; the last may be open."""
    cuts = sorted(draw(st.sets(st.integers(0, 2000), min_size=1, max_size=16)))
    windows: list[tuple[date, date | None]] = []
    for start, end in itertools.pairwise(cuts):
        if draw(st.booleans()):
            windows.append((DAY0 + timedelta(days=start), DAY0 + timedelta(days=end)))
    if draw(st.booleans()):
        windows.append((DAY0 + timedelta(days=cuts[-1]), None))
    return windows


@settings(max_examples=150, deadline=None)
@given(windows=disjoint_windows(), probe=st.integers(-10, 2100))
def test_as_of_lookup_gives_zero_or_one_row(windows: list[tuple[date, date | None]], probe: int) -> None:
    assume(windows)  # an empty catalogue knows no model at all (UnknownModelError, tested above)
    rows = [row(effective_from=a, effective_to=b, amount=Decimal(i)) for i, (a, b) in enumerate(windows)]
    cat = Catalog(rows)
    as_of = DAY0 + timedelta(days=probe)
    containing = [i for i, (a, b) in enumerate(windows) if a <= as_of and (b is None or as_of < b)]
    assert len(containing) <= 1
    hits = cat.in_force(as_of, provider="openai", model="m")
    assert len(hits) == len(containing)
    if containing:
        assert cat.lookup("openai", "m", "base", "input", "standard", as_of).amount == containing[0]
    else:
        with pytest.raises(PriceLookupError):
            cat.lookup("openai", "m", "base", "input", "standard", as_of)


@settings(max_examples=100, deadline=None)
@given(
    a=st.integers(0, 1000),
    len_a=st.one_of(st.none(), st.integers(1, 500)),
    b_offset=st.integers(0, 499),
    len_b=st.one_of(st.none(), st.integers(1, 500)),
)
def test_overlapping_windows_are_refused_at_construction(
    a: int, len_a: int | None, b_offset: int, len_b: int | None
) -> None:
    # window B starts inside window A, so they share at least B's first day
    if len_a is not None:
        b_offset = b_offset % len_a
    start_a = DAY0 + timedelta(days=a)
    end_a = None if len_a is None else start_a + timedelta(days=len_a)
    start_b = start_a + timedelta(days=b_offset)
    end_b = None if len_b is None else start_b + timedelta(days=len_b)
    rows = [row(effective_from=start_a, effective_to=end_a), row(effective_from=start_b, effective_to=end_b)]
    with pytest.raises(CatalogError, match="overlap"):
        Catalog(rows)
    with pytest.raises(CatalogError, match="overlap"):
        Catalog([]).overridden_by(rows)


def test_a_name_given_to_two_models_is_refused() -> None:
    infos = [
        ModelInfo(provider="openai", model="a", aliases=("x",), encoding="o200k_base"),
        ModelInfo(provider="openai", model="b", aliases=("X",), encoding="o200k_base"),
    ]
    with pytest.raises(CatalogError, match="'X' is given to two models: a and b"):
        Catalog([], infos)


def test_tier_is_matched_case_insensitively() -> None:
    cat = Catalog([row()])
    assert cat.lookup("OpenAI", "m", "base", "input", " Standard ", date(2024, 6, 1)).amount == 1
