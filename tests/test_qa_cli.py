"""QA regressions for the command line: each test is named after what broke.

Every bad input must exit 2 with a one-paragraph ``costmodel: ...`` message (field and fix), never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from costmodel.cli import main

ROOT = Path(__file__).resolve().parent.parent
TRAFFIC = ["--requests-per-day", "1000", "--input-tokens", "500", "--output-tokens", "200"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [
        ["prices", "--catalog", "{dir}"],
        ["compare", "--path", "openai:gpt-4o-mini:ft", *TRAFFIC, "--catalog", "{dir}"],
        ["training", "--path", "openai:gpt-4o-mini:ft", "--tokens", "1000", "--catalog", "{dir}"],
        ["compare", "--scenario", "{dir}"],
        ["breakeven", "--path", "openai:gpt-4o-mini:ft", "--path", "openai:gpt-4o:base", "--scenario", "{dir}"],
    ],
)
def test_directory_given_as_catalog_or_scenario_file_exits_2_not_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    # Before: IsADirectoryError escaped load_catalog / load_scenario as a traceback (exit 1).
    code, out, err = run(capsys, *[a.replace("{dir}", str(tmp_path)) for a in argv])
    assert code == 2
    assert err.startswith(f"costmodel: {tmp_path}: cannot read the file")
    assert "Fix: give the path of a" in err
    assert out == ""


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--requests-per-day", "1e30", "--input-tokens", "500", "--output-tokens", "200"], "traffic.requests_per_day"),
        (["--requests-per-day", "1e400", "--input-tokens", "5", "--output-tokens", "5"], "traffic.requests_per_day"),
        (["--input-tokens-per-month", "1e30", "--output-tokens-per-month", "5"], "traffic.input_tokens_per_month"),
        (["--requests-per-day", "1", "--input-tokens", "10" * 10, "--output-tokens", "5"], "input_tokens_per_request"),
    ],
)
def test_huge_volume_exits_2_not_decimal_invalid_operation(
    capsys: pytest.CaptureFixture[str], argv: list[str], field: str
) -> None:
    # Before: 1e30 requests a day reached quantize_cents and raised decimal.InvalidOperation (a traceback).
    code, _, err = run(capsys, "compare", "--path", "openai:gpt-4o-mini:ft", *argv)
    assert code == 2
    assert field in err and "less than or equal to" in err


def test_largest_accepted_volume_still_prices_to_the_cent(capsys: pytest.CaptureFixture[str]) -> None:
    # The bounds keep every figure within Decimal's 28 digits. By hand: 1e12 req/day x 30.4167 days x 1e8 tokens
    # = 3.0417e21 tokens a month each way; x $0.30 + $1.20 per 1M = $4.5625e15 a month; x 120 months.
    code, out, err = run(
        capsys,
        "compare",
        "--path",
        "openai:gpt-4o-mini:ft",
        "--as-of",
        "2025-06-01",
        "--requests-per-day",
        "1e12",
        "--input-tokens",
        "100000000",
        "--output-tokens",
        "100000000",
        "--horizon-months",
        "120",
        "--training-tokens",
        "10000000000000",
        "--epochs",
        "50",
        "--json",
    )
    assert code == 0, err
    assert '"monthly_usd": "4562500000000000"' in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--tokens", "99999999999999999999999999"],
            "field 'tokens': training tokens 99,999,999,999,999,999,999,999,999",
        ),
        (["--tokens", "1000", "--epochs", "100"], "field '--epochs': epochs must be 1 to 50, got 100"),
    ],
)
def test_training_volume_beyond_the_apis_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    # Before: 1e26 tokens gave a 30-digit dollar figure (1e40 a traceback); 100 epochs were priced silently.
    code, _, err = run(capsys, "training", "--path", "openai:gpt-4o-mini:ft", "--as-of", "2025-06-01", *argv)
    assert code == 2
    assert message in err


def test_training_tokens_without_epochs_are_priced_not_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    # Before: --training-tokens without --epochs silently left the training cost out of compare.
    # By hand: 1,000,000 billed tokens x 3 epochs x $3.00 per 1M (gpt-4o-mini fine-tuning, prices.csv) = $9.00.
    code, out, err = run(
        capsys,
        "compare",
        "--path",
        "openai:gpt-4o-mini:ft",
        *TRAFFIC,
        "--as-of",
        "2025-06-01",
        "--training-tokens",
        "1000000",
    )
    assert code == 0, err
    assert "training (one-off): $9.00" in out
    assert "Training tokens (1,000,000 billed x 3 epochs): 3 million tokens x $3.00 = $9.00 (copy_of_official)" in out


def test_breakeven_of_fine_tuned_against_few_shot_reports_the_payback(capsys: pytest.CaptureFixture[str]) -> None:
    # Before: breakeven said only "cheaper at every volume" and never mentioned the one-off training to pay back.
    # By hand (prices.csv, 2025-06-01): training 400,000 x 3 x $3.00/1M = $3.60. Per request, gpt-4o base with
    # 2,000 few-shot tokens: 2,300 x $2.50/1M + 250 x $10/1M = $0.00825; ft gpt-4o-mini: 300 x $0.30/1M + 250 x
    # $1.20/1M = $0.00039; saving $0.00786 x 5,000/24 requests an hour = $1.6375/h; $3.60 / 1.6375 = 2.2 hours.
    code, out, err = run(
        capsys,
        "breakeven",
        "--scenario",
        str(ROOT / "data/scenarios/fine-tune-gpt-4o-mini-vs-few-shot-gpt-4o.yaml"),
        "--as-of",
        "2025-06-01",
    )
    assert code == 0, err
    assert "Payback of training: Fine-tuning pays back its training after 2.2 hours" in out
    code, out, _ = run(
        capsys,
        "breakeven",
        "--scenario",
        str(ROOT / "data/scenarios/fine-tune-gpt-4o-mini-vs-few-shot-gpt-4o.yaml"),
        "--as-of",
        "2025-06-01",
        "--json",
    )
    assert '"status": "pays_back"' in out


def test_payback_of_about_one_day_reads_1_day_not_1_days() -> None:
    from decimal import Decimal

    from costmodel.engine.breakeven import describe_duration as _duration

    assert _duration(Decimal(30), Decimal(730)) == "1 day"
    assert _duration(Decimal(50), Decimal(730)) == "2 days"


@pytest.mark.parametrize("content", [b"", bytes(range(256)) * 2, b'{"not": "chat"}\n'])
def test_launch_of_a_file_with_nothing_to_train_names_the_file_not_training_tokens(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    # Before: an empty or binary training file was refused with "field 'tokens': training tokens must be
    # positive, got 0", which names neither the file nor what is wrong with it.
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    dataset = tmp_path / "train.jsonl"
    dataset.write_bytes(content)
    code, _, err = run(
        capsys,
        "launch",
        "--provider",
        "openai",
        "--dataset",
        str(dataset),
        "--model",
        "gpt-4o-mini-2024-07-18",
        "--dry-run",
        "--db",
        str(tmp_path / "store.db"),
    )
    assert code == 2
    assert err.startswith(f"costmodel: {dataset}: ")
    assert "training tokens must be positive" not in err
    assert "costmodel analyze" in err


def test_zero_throughput_is_refused_not_replaced_by_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    # Before: --throughput 0 was falsy and silently became the 5,625,000 tokens/h default assumption.
    code, _, err = run(
        capsys,
        "training",
        "--path",
        "azure:gpt-35-turbo:ft",
        "--tokens",
        "1000",
        "--throughput",
        "0",
        "--as-of",
        "2023-11-15",
    )
    assert code == 2
    assert "field 'throughput_tokens_per_hour': training throughput must be positive" in err


def test_zero_examples_is_refused_not_replaced_by_3_epochs(capsys: pytest.CaptureFixture[str]) -> None:
    # Before: --examples 0 was falsy and silently gave 3 epochs, while --examples -4 was refused.
    code, _, err = run(capsys, "training", "--path", "openai:gpt-4o-mini:ft", "--tokens", "1000", "--examples", "0")
    assert code == 2
    assert "field 'examples'" in err


def test_launch_of_a_directory_says_give_a_file_not_check_permissions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: "cannot read the training file: Is a directory. Fix: check permissions".
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    code, _, err = run(
        capsys,
        "launch",
        "--provider",
        "openai",
        "--dataset",
        str(tmp_path),
        "--model",
        "gpt-4o-mini-2024-07-18",
        "--dry-run",
        "--db",
        str(tmp_path / "store.db"),
    )
    assert code == 2
    assert "Is a directory. Fix: give the path of a .jsonl file" in err


def test_line_item_note_rounds_the_monthly_request_count(capsys: pytest.CaptureFixture[str]) -> None:
    # Before: the note read "500 tokens per request x 30,416.666666666666666666666667 requests" (28 digits)
    # in the CLI JSON, the line-item popovers and the procurement report. 1,000/day x 730/24 days = 30,416.6667.
    code, out, err = run(
        capsys, "compare", "--path", "openai:gpt-4o-mini:ft", *TRAFFIC, "--as-of", "2025-06-01", "--json"
    )
    assert code == 0, err
    assert "500 tokens per request x 30,416.6667 requests" in out
    assert "666666" not in out


@pytest.mark.parametrize(("argv", "flag"), [(["--epochs", "-1"], "--epochs"), (["--budget", "-1"], "--budget")])
def test_launch_errors_name_the_flag_the_user_typed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], flag: str
) -> None:
    # Before: "field '--n-epochs'" and "field '--budget-usd'", flags that do not exist, and no fix.
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    code, _, err = run(
        capsys,
        "launch",
        "--provider",
        "openai",
        "--dataset",
        str(ROOT / "data" / "sample" / "recipes.jsonl"),
        "--model",
        "gpt-4o-mini-2024-07-18",
        "--dry-run",
        "--db",
        str(tmp_path / "store.db"),
        *argv,
    )
    assert code == 2
    assert f"field '{flag}'" in err and "Fix: " in err


def test_breakeven_states_the_traffic_mix_it_assumed(capsys: pytest.CaptureFixture[str]) -> None:
    # Before: "Break-even at 2,074,074 tokens per hour" without saying it assumed 25% input tokens.
    # By hand (prices.csv, 2023-11-15): OpenAI ft 0.25 x $3 + 0.75 x $6 = $5.25 per 1M; Azure ft 0.25 x $1.50 +
    # 0.75 x $2 = $1.875 per 1M plus $7/h hosting; 7 / (5.25 - 1.875) = 2.074074M tokens/h.
    code, out, err = run(
        capsys,
        "breakeven",
        "--path",
        "azure:gpt-35-turbo:ft",
        "--path",
        "openai:gpt-3.5-turbo:ft",
        "--as-of",
        "2023-11-15",
        "--input-share",
        "0.25",
    )
    assert code == 0, err
    assert "Traffic mix: 25% input / 75% output tokens" in out
    assert "Break-even at 2,074,074 tokens per hour." in out


def test_scenario_with_an_impossible_yaml_date_exits_2_not_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Before: yaml.safe_load raised ValueError("month must be in 1..12") while building the date: a traceback.
    f = tmp_path / "s.yaml"
    f.write_text(
        "as_of: 2024-13-45\npaths: [openai:gpt-4o-mini:ft]\n"
        "traffic: {requests_per_day: 100, input_tokens_per_request: 10, output_tokens_per_request: 10}\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "compare", "--scenario", str(f))
    assert code == 2
    assert f"{f}: a value cannot be read: month must be in 1..12. Fix: write dates as YYYY-MM-DD" in err


def test_scenario_with_one_path_written_without_a_list_is_accepted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Before: "field 'paths': Input should be a valid tuple" for `paths: openai:gpt-4o-mini:ft`.
    f = tmp_path / "s.yaml"
    f.write_text(
        "paths: openai:gpt-4o-mini:ft\n"
        "traffic: {requests_per_day: 100, input_tokens_per_request: 10, output_tokens_per_request: 10}\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "compare", "--scenario", str(f), "--as-of", "2025-06-01")
    assert code == 0, err
    assert "openai:gpt-4o-mini:ft@standard:" in out


@pytest.mark.parametrize("amount", ["1e400", "99999999999999999999999999"])
def test_override_price_too_large_to_compute_is_refused_with_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, amount: str
) -> None:
    # Before: a price of 1e400 passed the catalogue checks and crashed quantize_cents (decimal.InvalidOperation).
    header = (ROOT / "data" / "prices.csv").read_text(encoding="utf-8").splitlines()[0]
    f = tmp_path / "override.csv"
    f.write_text(
        f"{header}\nopenai,gpt-4o-mini-2024-07-18,fine_tuned,input,usd_per_1m_tokens,standard,{amount},"
        "2025-01-01,,true,https://example.com/negotiated,official,\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "compare", "--path", "openai:gpt-4o-mini:ft", *TRAFFIC, "--catalog", str(f))
    assert code == 2
    assert f"{f}, line 2, field 'amount': Input should be less than or equal to 1000000" in err


def test_tiny_training_throughput_is_refused_not_decimal_overflow(capsys: pytest.CaptureFixture[str]) -> None:
    # Before: --throughput 1e-20 turned 1e13 tokens into 5e34 compute hours and crashed while rounding to cents.
    code, _, err = run(
        capsys,
        "training",
        "--path",
        "azure:gpt-35-turbo:ft",
        "--tokens",
        "10000000000000",
        "--epochs",
        "50",
        "--throughput",
        "1e-20",
        "--as-of",
        "2023-11-15",
    )
    assert code == 2
    assert "at least 1 token per hour" in err
