"""Issue 14, classes 2 and 3 (text): amounts in one format, long notes, deep nesting, strict YAML, path counts.

Expected outcomes are written by hand from the rules in the docstrings of costmodel.money
(plain decimal with a dot), costmodel.strict_yaml and costmodel.engine.scenario (MAX_PATHS).
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.engine.scenario import MAX_PATHS, load_scenario
from costmodel.errors import CatalogError, ScenarioError
from costmodel.money import parse_decimal
from costmodel.prices import parse_price_csv
from costmodel.strict_yaml import MAX_DEPTH, load_strict

HEADER = ",".join(
    [
        "provider",
        "model",
        "variant",
        "kind",
        "unit",
        "tier",
        "amount",
        "effective_from",
        "effective_to",
        "date_confirmed",
        "source_url",
        "reliability",
        "note",
    ]
)
ROW = "openai,gpt-4o-mini-2024-07-18,base,input,usd_per_1m_tokens,standard,{amount},2024-07-18,,true,https://openai.com/api/pricing/,official,{note}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.40", Decimal("0.40")),
        ("12", Decimal(12)),
        (" 3.5 ", Decimal("3.5")),
        ("-1.25", Decimal("-1.25")),
        ("5e-07", Decimal("5e-07")),
    ],
)
def test_plain_decimals_are_read(text: str, expected: Decimal) -> None:
    assert parse_decimal(text) == expected


@pytest.mark.parametrize(
    "text",
    ["0,40", "1,000", "1,000.00", "$1.00", "1.00$", "USD 1", "NaN", "inf", "-inf", "1_000", "0x10",
     ".5", "5.", "1 000", "١٢", "+1", "--1", "", "1.2.3", "€0.40"],
)  # fmt: skip
def test_every_other_way_of_writing_an_amount_is_refused_with_the_fix(text: str) -> None:
    with pytest.raises(ValueError, match=r"plain decimal|not a number"):
        parse_decimal(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_property_an_accepted_amount_is_digits_and_at_most_one_dot(text: str) -> None:
    try:
        value = parse_decimal(text)
    except ValueError:
        return
    plain = text.strip().removeprefix("-").lower().replace("e-", "e").replace("e+", "e")
    assert plain.replace(".", "", 1).replace("e", "", 1).isascii()
    assert plain.replace(".", "", 1).replace("e", "", 1).isdigit()
    assert value == Decimal(text.strip())


@pytest.mark.parametrize("amount", ["0,40", "$1.00", "1,000"])
def test_a_catalogue_amount_in_another_format_names_file_line_and_field(amount: str) -> None:
    text = HEADER + "\n" + ROW.format(amount=f'"{amount}"', note="x") + "\n"
    with pytest.raises(CatalogError) as info:
        parse_price_csv(text, origin="mine.csv")
    assert (info.value.source, info.value.line, info.value.field) == ("mine.csv", 2, "amount")


@pytest.mark.parametrize("size", [128 * 1024 + 1, 512 * 1024])
def test_a_note_over_128_kib_is_read(size: int) -> None:
    rows = parse_price_csv(HEADER + "\n" + ROW.format(amount="0.15", note="n" * size) + "\n", origin="mine.csv")
    assert len(rows[0].note) == size


def test_a_note_over_the_limit_is_a_catalog_error_not_a_csv_crash() -> None:
    text = HEADER + "\n" + ROW.format(amount="0.15", note="n" * (1024 * 1024 + 1)) + "\n"
    with pytest.raises(CatalogError, match="longer than the limit"):
        parse_price_csv(text, origin="mine.csv")


def _scenario(tmp_path: Path, body: str, suffix: str = ".yaml") -> Path:
    p = tmp_path / f"s{suffix}"
    p.write_text(body, encoding="utf-8")
    return p


GOOD = "paths: [openai:gpt-4o-mini:ft]\ntraffic:\n  requests_per_day: 100\n  input_tokens_per_request: 10\n  output_tokens_per_request: 10\n"  # noqa: E501


def test_the_strict_loader_reads_an_ordinary_scenario(tmp_path: Path) -> None:
    assert load_scenario(_scenario(tmp_path, GOOD)).traffic.requests_per_day == 100


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (GOOD + "horizon_months: 12\nhorizon_months: 24\n", "appears twice"),
        (GOOD.replace("traffic:\n", "traffic:\n  requests_per_day: 5\n"), "appears twice"),
        (GOOD + "horizon_months: 1:30\n", "base-60"),
        (GOOD.replace("100", "1:40"), "base-60"),
        (GOOD.replace("10\n", "1:30:00.5\n", 1), "base-60"),
    ],
)
def test_duplicate_keys_and_sexagesimal_numbers_are_refused(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario(_scenario(tmp_path, body))
    assert info.value.line is not None


def test_a_quoted_time_stays_text() -> None:
    assert load_strict('t: "1:30"') == {"t": "1:30"}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 50_000])
@pytest.mark.parametrize("style", ["yaml-flow", "yaml-block", "json-list", "json-object"])
def test_deep_nesting_is_a_scenario_error_not_recursion_error(tmp_path: Path, depth: int, style: str) -> None:
    if style == "yaml-flow":
        p = _scenario(tmp_path, "paths: " + "[" * depth + "]" * depth + "\n")
    elif style == "yaml-block":
        if depth > 1000:
            pytest.skip("indentation grows quadratically")
        p = _scenario(tmp_path, "".join("  " * i + "a:\n" for i in range(depth)) + "  " * depth + "b: 1\n")
    elif style == "json-list":
        p = _scenario(tmp_path, '{"paths": ' + "[" * depth + "]" * depth + "}", ".json")
    else:
        p = _scenario(tmp_path, '{"a": ' * depth + "1" + "}" * depth, ".json")
    with pytest.raises(ScenarioError):
        load_scenario(p)


@pytest.mark.parametrize("count", [MAX_PATHS + 1, 5000])
def test_too_many_paths_are_refused_quickly_naming_the_limit(tmp_path: Path, count: int) -> None:
    body = json.dumps(
        {
            "paths": ["openai:gpt-4o-mini:ft"] * count,
            "traffic": {"requests_per_day": 1, "input_tokens_per_request": 1, "output_tokens_per_request": 1},
        }
    )
    start = time.monotonic()
    with pytest.raises(ScenarioError, match=f"at most {MAX_PATHS}"):
        load_scenario(_scenario(tmp_path, body, ".json"))
    assert time.monotonic() - start < 30  # generous: the point is "not 519 s"


def test_the_limit_itself_is_accepted(tmp_path: Path) -> None:
    paths = ["openai:gpt-4o-mini:ft", "openai:gpt-4o:base"] * (MAX_PATHS // 2)
    body = json.dumps(
        {
            "paths": paths,
            "traffic": {"requests_per_day": 1, "input_tokens_per_request": 1, "output_tokens_per_request": 1},
        }
    )
    assert len(load_scenario(_scenario(tmp_path, body, ".json")).paths) == MAX_PATHS


# --- class 2: the tokenizer handles long lines in bounded pieces ------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(["hello", "world", " the", "é", "日本語", "\n", "  ", "1234", ",", " x", "\t", "don't", "🙂"]),
        max_size=200,
    )
)
def test_property_counting_in_pieces_is_exact_when_whitespace_separates_them(words: list[str]) -> None:
    """The pieces are cut just before whitespace, where the pre-tokenizer splits: same count as one encode."""
    from costmodel.dataset.tokens import TokenCounter, get_encoding

    enc = get_encoding("o200k_base")
    text = " ".join(words)

    class Small(TokenCounter):
        PIECE_CHARS = 40
        CACHE_MAX_CHARS = 10

    assert Small(enc).text(text) == len(enc.encode_ordinary(text))


def test_a_long_word_without_spaces_is_counted_within_one_token_per_piece() -> None:
    from costmodel.dataset.tokens import TokenCounter, get_encoding

    enc = get_encoding("o200k_base")
    text = "abcdefgh" * 40_000  # 320,000 characters, no whitespace: hard cuts
    exact = len(enc.encode_ordinary(text))
    counted = TokenCounter(enc).text(text)
    pieces = -(-len(text) // TokenCounter.PIECE_CHARS)
    assert abs(counted - exact) <= pieces
