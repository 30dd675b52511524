"""Issue 13.3: the CLI's line-item tables print quantities in human units; JSON keeps exact numbers.

Expected texts are worked by hand (730 hours a month, costmodel.engine.usage.HOURS_PER_MONTH):
10,000 requests a day x 730 / 24 = 304,166.67 requests a month;
x 500 input tokens = 152,083,333 tokens -> "152 million tokens" (three significant digits, costmodel.units);
x 200 output tokens = 60,833,333 tokens -> "60.8 million tokens".
Training: 2,000,000 billed tokens x 3 epochs = 6,000,000 -> "6 million tokens".
"""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from costmodel.cli import main

TRAFFIC = ["--requests-per-day", "10000", "--input-tokens", "500", "--output-tokens", "200", "--as-of", "2026-06-01"]


def _rows(out: str) -> dict[str, str]:
    """The table rows by line name (the first column), as printed."""
    return {r.split("  ")[0].strip(): r for r in out.splitlines() if r.startswith(("Input", "Output", "Hosting"))}


def test_compare_table_prints_millions_of_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--path", "openai:gpt-4.1-mini:ft", *TRAFFIC]) == 0
    out = capsys.readouterr().out
    rows = _rows(out)
    assert "152 million tokens" in rows["Input tokens"]
    assert "60.8 million tokens" in rows["Output tokens"]
    assert "1M tokens" not in out and "152.0833" not in out


def test_compare_hours_and_training_lines_read_as_people_write(capsys: pytest.CaptureFixture[str]) -> None:
    # Azure hosting: 730 deployed hours a month; training 2,000,000 x 3 epochs
    path = "azure:gpt-4o-mini-2024-07-18:ft"
    assert main(["compare", "--path", path, *TRAFFIC, "--training-tokens", "2000000"]) == 0
    out = capsys.readouterr().out
    assert "730 hours" in _rows(out)["Hosting (deployed hours)"]
    assert "(2,000,000 billed x 3 epochs): 6 million tokens x" in out


def test_training_table_prints_millions_of_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["training", "--path", "openai:gpt-4o-mini:ft", "--tokens", "2000000", "--epochs", "3"]
    assert main([*args, "--as-of", "2026-06-01"]) == 0
    out = capsys.readouterr().out
    assert "6 million tokens" in out and "1M tokens" not in out


def test_json_keeps_exact_quantities(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--path", "openai:gpt-4.1-mini:ft", *TRAFFIC, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    lines = {i["name"]: i for i in data["paths"][0]["lines"]}
    # 304,166.666... requests x 500 tokens / 1M = 152.083333 (to six decimals in the JSON)
    assert D(str(lines["Input tokens"]["quantity"])) == D("152.083333")
    assert lines["Input tokens"]["quantity_unit"] == "1M tokens"
