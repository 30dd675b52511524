"""The engine's command line: acceptance figures, JSON shapes and bad input (exit code 2, no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from costmodel.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_late_2023_breakeven_acceptance(capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 2 acceptance: about 2.5 million tokens per hour (within 3%). Worked: 1e6 x 7 / (4.5 - 1.75).
    code, out, _ = run(
        capsys,
        "breakeven",
        "--as-of",
        "2024-01-15",
        "--path",
        "openai:gpt-3.5-turbo:ft",
        "--path",
        "azure:gpt-35-turbo:ft",
        "--input-share",
        "0.5",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert abs(data["tokens_per_hour"] - 2_500_000) / 2_500_000 < 0.03
    assert data["cheaper_above"] == "azure:gpt-35-turbo:ft@standard"
    assert data["cheaper_below"] == "openai:gpt-3.5-turbo:ft@standard"
    assert data["reliability"] == "unconfirmed"


def test_breakeven_with_request_shape_reports_requests_per_day(capsys: pytest.CaptureFixture[str]) -> None:
    # 1,000 tokens per request (500 + 500): 2,545,454.5 tokens/h = 2,545.45 requests/h = 61,090.9 per day.
    code, out, _ = run(
        capsys,
        "breakeven",
        "--as-of",
        "2024-01-15",
        "--path",
        "openai:gpt-3.5-turbo:ft",
        "--path",
        "azure:gpt-35-turbo:ft",
        "--input-tokens",
        "500",
        "--output-tokens",
        "500",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert abs(data["requests_per_day"] - 61_090.9) < 1


def test_training_json_guide_figures(capsys: pytest.CaptureFixture[str]) -> None:
    # OpenAI guide: 100,000 tokens x 3 epochs ~ $2.40 (gpt-3.5-turbo) and ~ $0.90 (gpt-4o-mini).
    for path, expected in (("openai:gpt-3.5-turbo:ft", "2.40"), ("openai:gpt-4o-mini:ft", "0.90")):
        code, out, _ = run(capsys, "training", "--path", path, "--tokens", "100000", "--epochs", "3", "--json")
        assert code == 0
        data = json.loads(out)
        assert Decimal(data["cost_usd"]) == Decimal(expected)
        assert data["lines"][0]["quantity_unit"] == "1M tokens"


def test_compare_json_and_human(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "compare",
        "--as-of",
        "2024-01-15",
        "--path",
        "openai:gpt-3.5-turbo:ft",
        "--path",
        "azure:gpt-35-turbo:ft",
        "--input-tokens-per-month",
        "1000000",
        "--output-tokens-per-month",
        "1000000",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    monthly = {p["path"]: Decimal(p["monthly_usd"]) for p in data["paths"]}
    # 1M x $3 + 1M x $6 = $9 ; 1M x $1.50 + 1M x $2 + 730 h x $7 = $5,113.50 (late-2023 prices).
    assert monthly == {
        "openai:gpt-3.5-turbo:ft@standard": Decimal("9.00"),
        "azure:gpt-35-turbo:ft@standard": Decimal("5113.50"),
    }
    assert {line["kind"] for p in data["paths"] for line in p["lines"]} >= {"input", "output", "hosting"}
    code, out, _ = run(
        capsys, "compare", "--scenario", str(ROOT / "data/scenarios/fine-tune-gpt-4o-mini-vs-few-shot-gpt-4o.yaml")
    )
    assert code == 0 and "a month" in out


@pytest.mark.parametrize("preset", sorted((ROOT / "data" / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_preset_evaluates(preset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "compare", "--scenario", str(preset), "--json")
    assert code == 0, err
    assert json.loads(out)["paths"]


def test_scenario_file_breakeven_matches_flags(capsys: pytest.CaptureFixture[str]) -> None:
    preset = ROOT / "data/scenarios/late-2023-gpt35-openai-vs-azure.yaml"
    code, out, _ = run(capsys, "breakeven", "--scenario", str(preset), "--json")
    assert code == 0
    assert abs(json.loads(out)["tokens_per_hour"] - 2_545_454.55) < 1


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


HEADER = (
    "provider,model,variant,kind,unit,tier,amount,effective_from,effective_to,"
    "date_confirmed,source_url,reliability,note\n"
)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["training", "--path", "openai:gpt-9:ft", "--tokens", "100"], "unknown openai model 'gpt-9'"),
        (["training", "--path", "openai:gpt-3.5-turbo:ft", "--tokens", "100", "--as-of", "2020-01-01"], "Rows seen"),
        (["training", "--path", "openai:gpt-3.5-turbo:ft", "--tokens", "0"], "training tokens must be positive"),
        (["training", "--path", "openai:gpt-3.5-turbo:ft", "--tokens", "-5"], "training tokens must be positive"),
        (["training", "--path", "openai-gpt-3.5", "--tokens", "100"], "is not a path"),
        (
            [
                "compare",
                "--path",
                "openai:gpt-4o:base",
                "--requests-per-day",
                "0",
                "--input-tokens",
                "10",
                "--output-tokens",
                "10",
            ],
            "requests_per_day",
        ),
        (
            [
                "compare",
                "--path",
                "openai:gpt-4o:base",
                "--requests-per-day",
                "-3",
                "--input-tokens",
                "10",
                "--output-tokens",
                "10",
            ],
            "requests_per_day",
        ),
        (["compare", "--path", "openai:gpt-4o:base"], "give either requests_per_day"),
        (["breakeven", "--path", "openai:gpt-4o:base", "--input-share", "1.5"], "input share"),
        (["training", "--path", "openai:gpt-3.5-turbo:ft", "--tokens", "100", "--as-of", "15/01/2024"], "YYYY-MM-DD"),
    ],
)
def test_bad_input_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err


def test_bad_catalogue_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = "openai,gpt-3.5-turbo,fine_tuned,training,usd_per_1m_tokens,standard,{amount},{start},{end},true,https://x.example/,official,\n"
    cases = {
        "negative.csv": (HEADER + row.format(amount="-1", start="2030-01-01", end=""), "amount"),
        "text.csv": (HEADER + row.format(amount="cheap", start="2030-01-01", end=""), "amount"),
        "overlap.csv": (
            HEADER
            + row.format(amount="1", start="2030-01-01", end="")
            + row.format(amount="2", start="2030-06-01", end=""),
            "overlap",
        ),
    }
    for name, (text, needle) in cases.items():
        path = write(tmp_path, name, text)
        code, _, err = run(
            capsys, "training", "--path", "openai:gpt-3.5-turbo:ft", "--tokens", "100", "--catalog", str(path)
        )
        assert code == 2, name
        assert name in err and "line" in err and needle in err, err


def test_unknown_key_in_scenario_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(
        tmp_path,
        "s.yaml",
        "paths: [openai:gpt-4o:base]\ntraffic: {requests_per_day: 10, "
        "input_tokens_per_request: 10, output_tokens_per_request: 10, colour: blue}\n",
    )
    code, _, err = run(capsys, "compare", "--scenario", str(bad))
    assert code == 2
    assert "s.yaml" in err and "unknown key 'colour'" in err and "traffic.colour" in err


def test_user_catalogue_overrides_bundled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A negotiated price of $6 per 1M training tokens from 2024-01-01: 100,000 x 3 x 6 / 1e6 = $1.80.
    cat = write(
        tmp_path,
        "deal.csv",
        HEADER + "openai,gpt-3.5-turbo,fine_tuned,training,usd_per_1m_tokens,standard,"
        "6.00,2024-01-01,,true,https://contracts.example/deal,official,negotiated\n",
    )
    code, out, _ = run(
        capsys,
        "training",
        "--path",
        "openai:gpt-3.5-turbo:ft",
        "--tokens",
        "100000",
        "--epochs",
        "3",
        "--catalog",
        str(cat),
        "--json",
    )
    assert code == 0 and Decimal(json.loads(out)["cost_usd"]) == Decimal("1.80")
    # Before the deal the bundled price still applies: $2.40.
    code, out, _ = run(
        capsys,
        "training",
        "--path",
        "openai:gpt-3.5-turbo:ft",
        "--tokens",
        "100000",
        "--epochs",
        "3",
        "--catalog",
        str(cat),
        "--as-of",
        "2023-12-01",
        "--json",
    )
    assert Decimal(json.loads(out)["cost_usd"]) == Decimal("2.40")


def test_console_entry_point_subprocess() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "costmodel",
            "breakeven",
            "--as-of",
            "2024-01-15",
            "--path",
            "openai:gpt-3.5-turbo:ft",
            "--path",
            "azure:gpt-35-turbo:ft",
            "--input-share",
            "0.5",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "2,545,455 tokens per hour" in proc.stdout
    # bad input through the real process: exit code 2 and one paragraph, no traceback
    bad = subprocess.run(
        [sys.executable, "-m", "costmodel", "prices", "--as-of", "2024-13-45"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("costmodel: ") and "--as-of" in bad.stderr and "Traceback" not in bad.stderr


def test_an_unforeseen_bug_is_one_redacted_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import costmodel.cli.training as training_cmd

    def boom(args: object) -> int:
        raise RuntimeError("kaboom with sk-proj-abcdefghijklmnopqrstuvwxyz0123456789")

    monkeypatch.setattr(training_cmd, "run", boom)
    monkeypatch.delenv("COSTMODEL_DEBUG", raising=False)
    code, _, err = run(capsys, "training", "--path", "openai:gpt-4o-mini:ft", "--tokens", "10")
    assert code == 1
    assert "internal error (RuntimeError" in err and "COSTMODEL_DEBUG=1" in err
    assert "Traceback" not in err and "abcdefghijklmnop" not in err
    monkeypatch.setenv("COSTMODEL_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["training", "--path", "openai:gpt-4o-mini:ft", "--tokens", "10"])
