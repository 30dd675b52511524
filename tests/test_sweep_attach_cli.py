"""``compare`` and ``breakeven`` price a capacity path at a stored sweep's goodput (``--sweep``).

End to end: a real sweep against the fake chat server with a capacity limit is stored, then
``compare --sweep`` reads it back; the self-hosted path's unit throughput is the sweep's goodput
(requests/s) x the scenario's tokens per request, and its line item says "measured: sweep ...".
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from costmodel.cli import main
from costmodel.money import format_quantity

ROOT = Path(__file__).resolve().parents[1]
SELF = "selfhosted:llama-3.1-8b:lora@g6.xlarge"
OPENAI = "openai:gpt-4o-mini-2024-07-18:ft@standard"
TRAFFIC = ["--requests-per-day", "20000", "--input-tokens", "500", "--output-tokens", "200", "--as-of", "2026-06-01"]


@pytest.fixture(scope="module")
def stored_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A short sweep (3 steps of about a second, from 8 req/s) against a server serving at most 2 streams at once."""
    db = tmp_path_factory.mktemp("sweep") / "s.sqlite3"
    code = f"""
import sys
from costmodel.testing.fake_chat_server import ServerKnobs, start_subprocess_server
knobs = ServerKnobs(ttft_ms=20, itl_ms=5, output_tokens=8, max_streams=2, role_chunk="with_first")
with start_subprocess_server(knobs) as url:
    from costmodel.cli import main
    sys.argv = ["costmodel", "bench", "sweep", "--base-url", url, "--model", "fake-model", "--max-tokens", "8",
        "--prompt-tokens", "16", "--slo", "ttft:400", "--slo-percentile", "90", "--start-rate", "8",
        "--step-duration", "1", "--min-step-requests", "8", "--max-steps", "3", "--seed", "3",
        "--db", {str(db)!r}, "--json"]
    raise SystemExit(main())
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=200)
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout)
    assert result["goodput_rps"] is not None, result["steps"]
    return db, result


def _path(out: str, label: str) -> dict[str, Any]:
    data = json.loads(out)
    path: dict[str, Any] = next(p for p in data["paths"] if p["path"] == label)
    return path


def _lines(out: str, label: str) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = _path(out, label)["lines"]
    return lines


@pytest.mark.slow
def test_compare_prices_the_selfhosted_path_at_the_sweeps_goodput(
    stored_sweep: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, sweep = stored_sweep
    sid = sweep["sweep_id"]
    code = main(["compare", "--path", SELF, "--path", OPENAI, *TRAFFIC, "--sweep", sid, "--db", str(db), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = _lines(captured.out, SELF)
    sized = [ln for ln in lines if ln["note"] and "measured: sweep" in ln["note"]]
    assert sized, lines
    note = sized[0]["note"]
    assert f"measured: sweep {sid}" in note and "(local server)" in note and "ttft<=400 ms for 90% of requests" in note
    # goodput req/s (quantised to 1e-4 as stored in MeasuredCapacity) x (500 + 200) tokens per request
    rps = Decimal(repr(sweep["goodput_rps"])).quantize(Decimal("0.0001"))
    assert f"{rps} req/s x 700 tokens per request" in note
    capacity = _path(captured.out, SELF)["capacity"]
    assert Decimal(capacity["tokens_per_second_per_unit"]) == rps * 700
    assert capacity["throughput_source"].startswith(f"measured: sweep {sid}, ")
    code = main(["compare", "--path", SELF, *TRAFFIC, "--sweep", f"{SELF}={sid}", "--db", str(db)])
    text = capsys.readouterr().out
    assert (
        code == 0 and f"one instance sustains {format_quantity(rps * 700, 1)} tokens/s (measured: sweep {sid}, " in text
    )
    # the per-token path keeps its published prices: no sweep text there
    assert not any(ln["note"] and "measured: sweep" in ln["note"] for ln in _lines(captured.out, OPENAI))


@pytest.mark.slow
def test_breakeven_takes_the_sweep_in_token_mode(
    stored_sweep: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Monthly token totals: one instance serves goodput output tokens/s x (in + out) / out."""
    db, sweep = stored_sweep
    sid = sweep["sweep_id"]
    pair = ["--path", SELF, "--path", OPENAI, "--as-of", "2026-06-01"]
    code = main(["breakeven", *pair, "--sweep", f"{SELF}={sid}", "--db", str(db), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    capacity = json.loads(captured.out)["capacity"][SELF]
    assert capacity["throughput_source"].startswith(f"measured: sweep {sid}, ")
    # default breakeven traffic: 50% input / 50% output tokens, so (in + out) / out = 2
    out_tps = Decimal(repr(sweep["goodput_output_tokens_per_s"])).quantize(Decimal("0.0001"))
    rps = Decimal(repr(sweep["goodput_rps"])).quantize(Decimal("0.0001"))
    per_request = (out_tps / rps * 2).quantize(Decimal("0.0001"))
    assert Decimal(capacity["tokens_per_second_per_unit"]) == (rps * per_request).quantize(Decimal("0.0001"))
    assert OPENAI not in json.loads(captured.out)["capacity"]
    code = main(
        ["breakeven", "--path", SELF, "--path", OPENAI, "--as-of", "2026-06-01", "--sweep", sid, "--db", str(db)]
    )
    text = capsys.readouterr().out
    assert code == 0 and "one instance sustains" in text and f"(measured: sweep {sid}, " in text


def test_a_bare_sweep_id_needs_exactly_one_capacity_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["compare", "--path", OPENAI, *TRAFFIC, "--sweep", "sweep-x", "--db", str(tmp_path / "s.sqlite3")])
    err = capsys.readouterr().err
    assert code == 2
    assert "field '--sweep'" in err and "no capacity-priced path" in err


def test_a_per_token_path_cannot_take_a_sweep(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["compare", "--path", OPENAI, "--path", SELF, *TRAFFIC, "--sweep", f"{OPENAI}=sweep-x"]
    code = main([*args, "--db", str(tmp_path / "s.sqlite3")])
    err = capsys.readouterr().err
    assert code == 2
    assert "priced per token" in err


def test_an_unknown_sweep_is_refused_naming_the_field(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["compare", "--path", SELF, *TRAFFIC, "--sweep", "sweep-nope", "--db", str(tmp_path / "s.sqlite3")])
    err = capsys.readouterr().err
    assert code == 2
    assert "no sweep 'sweep-nope'" in err and "field 'sweep_id'" in err
