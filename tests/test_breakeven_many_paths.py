"""``costmodel breakeven`` with more than two paths reports every pair (the 2026 preset has three)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from tests.cli_support import run_cli

ROOT = Path(__file__).resolve().parent.parent
PRESET = ROOT / "data" / "scenarios" / "2026-every-shape-llama-3.1-8b.yaml"


def test_the_three_path_preset_gives_every_pair() -> None:
    res = run_cli(["breakeven", "--scenario", str(PRESET), "--json"])
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    compared = json.loads(run_cli(["compare", "--scenario", str(PRESET), "--json"]).stdout)
    labels = [p["path"] for p in compared["paths"]]
    assert len(labels) == 3
    assert [(p["path_a"], p["path_b"]) for p in data["pairs"]] == list(itertools.combinations(labels, 2))
    first = data["pairs"][0]
    assert {k: data[k] for k in first} == first  # the top-level fields stay the first pair's (two-path callers)
    for pair in data["pairs"]:
        assert pair["status"] in {"crosses", "never", "always_equal"} or pair["crossings"], pair
        for x in pair["crossings"]:
            assert {x["cheaper_below"], x["cheaper_above"]} == {pair["path_a"], pair["path_b"]}


def test_the_text_names_each_pair() -> None:
    res = run_cli(["breakeven", "--scenario", str(PRESET)])
    assert res.returncode == 0, res.stderr
    assert res.stdout.count(" vs ") >= 3


def test_one_path_is_an_input_error() -> None:
    res = run_cli(["breakeven", "--path", "openai:gpt-4o-mini:ft", "--input-share", "0.5"])
    assert res.returncode == 2
    assert "at least two paths" in res.stderr and "--path" in res.stderr
