"""``costmodel prices`` and the shared ``--as-of`` / ``--catalog`` helpers."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import pytest

from costmodel.cli import main
from costmodel.cli._common import add_catalog_options, as_of_from_args, catalog_from_args, parse_date
from costmodel.errors import InputError
from costmodel.prices import CSV_COLUMNS
from tests.cli_support import run_cli

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["prices", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_for_the_late_2023_azure_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--provider", "azure", "--model", "gpt-3.5-turbo", "--as-of", "2024-01-15")
    assert (code, err) == (0, "")
    assert "Prices in force on 2024-01-15 (6 rows)" in out
    lines = out.splitlines()
    hosting = next(line for line in lines if " hosting " in line)
    # the $7/h hypothesis (prices.md 7.2), shown with its grade and estimated window
    assert "$7.00 per hour" in hosting and "unconfirmed" in hosting and "[2023-10-01, 2024-07-01)*" in hosting
    ft_input = next(line for line in lines if "fine_tuned  input" in line)
    assert "$1.50 per 1M tokens" in ft_input and "https://github.com/langchain-ai/langchain/pull/12267" in ft_input
    assert "unconfirmed rows are hypotheses" in out


def test_json_lists_rows_with_decimal_strings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "--provider",
        "openai",
        "--model",
        "gpt-3.5-turbo",
        "--variant",
        "fine_tuned",
        "--as-of",
        "2024-01-15",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    by_kind = {(d["kind"], d["tier"]): d for d in data}
    # OAI-DD23: $0.003 / $0.006 per 1K after 2023-11-06; OAI-FT23: $0.008/1K training
    assert by_kind[("input", "standard")]["amount"] == "3.00"
    assert by_kind[("output", "standard")]["amount"] == "6.00"
    assert by_kind[("training", "standard")]["amount"] == "8.00"
    assert set(by_kind) == {("input", "standard"), ("output", "standard"), ("training", "standard")}  # no batch yet
    row = by_kind[("input", "standard")]
    assert set(row) == {*CSV_COLUMNS, "origin", "line", "lifecycle"}  # lifecycle of the row's model (issue 10)
    assert row["effective_from"] == "2023-11-06" and row["effective_to"] is None
    assert row["reliability"] == "official" and row["origin"] == "prices.csv" and isinstance(row["line"], int)


def test_filters_combine(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--kind", "hosting", "--tier", "developer", "--as-of", "2026-11-26", "--json")
    data = json.loads(out)
    # AZ-FTCOST / AZ-DEPLOY: Developer deployments of the GPT-4.1 family pay no hosting fee
    assert code == 0 and sorted(d["model"] for d in data) == [
        "gpt-4.1-2025-04-14",
        "gpt-4.1-mini-2025-04-14",
        "gpt-4.1-nano-2025-04-14",
    ]
    assert {d["amount"] for d in data} == {"0.00"}


def test_no_published_figure_is_null_in_json_and_words_in_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    args = (
        "--provider",
        "azure",
        "--model",
        "gpt-4o",
        "--tier",
        "provisioned",
        "--kind",
        "hosting",
        "--as-of",
        "2026-01-01",
    )
    code, out, _ = run(capsys, *args, "--json")
    assert code == 0 and [d["amount"] for d in json.loads(out)] == [None]
    code, out, _ = run(capsys, *args)
    assert "no published figure" in out and "$0" not in out


def test_empty_result_is_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--model", "gpt-4.1", "--as-of", "2024-01-01")
    assert code == 0 and "No price rows in force on 2024-01-01" in out
    code, out, _ = run(capsys, "--model", "gpt-4.1", "--as-of", "2024-01-01", "--json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("--as-of", "15/01/2024"), "field '--as-of': '15/01/2024' is not a date. Fix: write it as YYYY-MM-DD"),
        (("--as-of", "2024-02-30"), "'2024-02-30' is not a valid date"),
        (("--provider", "aws"), "'aws' is not a valid --provider. Fix: use one of openai, azure"),
        (("--provider", "openai", "--tier", "global"), "Fix: use one of standard, batch, data_sharing"),
        (("--kind", "fee"), "'fee' is not a valid --kind"),
        (("--model", "gpt-9"), "unknown model 'gpt-9'"),
        (("--provider", "azure", "--model", "gpt-5"), "unknown azure model 'gpt-5'"),
    ],
)
def test_bad_input_exits_2_with_one_paragraph(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], fragment: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("costmodel: ") and fragment in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_catalog_override_file_wins(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    user = tmp_path / "discounts.csv"
    user.write_text(
        ",".join(CSV_COLUMNS) + "\nazure,gpt-4o-mini,fine_tuned,hosting,usd_per_hour,global,1.20,2026-01-01,,true,"
        "https://example.test/agreement,official,negotiated\n",
        encoding="utf-8",
    )
    base = ("--provider", "azure", "--model", "gpt-4o-mini", "--kind", "hosting", "--tier", "global", "--json")
    code, out, _ = run(capsys, *base, "--as-of", "2026-06-01", "--catalog", str(user))
    (row,) = json.loads(out)
    assert code == 0 and (row["amount"], row["origin"], row["line"]) == ("1.20", str(user), 2)
    code, out, _ = run(capsys, *base[:-1], "--as-of", "2026-06-01", "--catalog", str(user))
    assert "(1 row)" in out and f"rows from {user} override the bundled catalogue" in out
    code, out, _ = run(capsys, *base, "--as-of", "2025-12-31", "--catalog", str(user))
    (row,) = json.loads(out)
    # bundled $1.70/h (AZ-FTCOST), cut to end where the user row starts
    assert (row["amount"], row["effective_to"]) == ("1.70", "2026-01-01")


def test_bad_catalog_file_exits_2_naming_file_line_field(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    user = tmp_path / "bad.csv"
    user.write_text(
        ",".join(CSV_COLUMNS)
        + "\nopenai,gpt-4o,base,input,usd_per_1m_tokens,standard,-1,2026-01-01,,true,https://example.test,official,\n"
    )
    code, _, err = run(capsys, "--catalog", str(user))
    assert code == 2 and f"{user}, line 2, field 'amount'" in err and "Fix:" in err


# -- the shared helpers ----------------------------------------------------------------------


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_catalog_options(parser)
    return parser.parse_args(list(argv))


def test_as_of_defaults_to_the_injected_today() -> None:
    assert as_of_from_args(_parse(), today=lambda: date(2026, 11, 26)) == date(2026, 11, 26)
    assert as_of_from_args(_parse("--as-of", "2024-01-15"), today=lambda: date(2000, 1, 1)) == date(2024, 1, 15)


def test_parse_date_names_the_field() -> None:
    with pytest.raises(InputError) as exc:
        parse_date("2024-1-5", field="--from")
    assert exc.value.field == "--from"


def test_catalog_from_args_without_file_is_the_bundled_catalogue() -> None:
    from costmodel.prices import bundled_catalog

    assert catalog_from_args(_parse()) is bundled_catalog()


def test_prices_json_for_one_provider() -> None:
    # In this process (the entry point through ``python -m costmodel`` is tested in test_cli_engine.py).
    proc = run_cli(["prices", "--json", "--as-of", "2026-11-26", "--provider", "openai"], cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    gpt4o_mini_training = [d for d in data if d["model"] == "gpt-4o-mini-2024-07-18" and d["kind"] == "training"]
    assert [d["amount"] for d in gpt4o_mini_training] == ["3.00"]  # OpenAI guide: $3/1M
    assert all(d["provider"] == "openai" for d in data)
