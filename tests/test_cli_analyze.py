"""``costmodel analyze``: output, exit codes, and bad input that must never crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from costmodel.cli import main
from costmodel.dataset import CODES
from tests.cookbook_reference import chat_tokens, reference_encoding

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "recipes.jsonl"


def ex(i: int) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": "You write recipes."},
            {"role": "user", "content": f"Recipe number {i}?"},
            {"role": "assistant", "content": f"Boil {i} eggs for 7 minutes."},
        ]
    }


def lines(n: int = 10) -> list[str]:
    return [json.dumps(ex(i)) for i in range(n)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["analyze", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def analyze_json(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, str(path), "--model", "gpt-4o-mini", "--json", "--as-of", "2025-06-01", *extra)
    return code, json.loads(out)


def write(tmp_path: Path, data: bytes, name: str = "train.jsonl") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


# -- output -------------------------------------------------------------------------------------------


def test_json_output_on_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = analyze_json(capsys, SAMPLE, "--per-example")
    assert code == 0
    enc = reference_encoding("o200k_base")
    expected = [chat_tokens(enc, json.loads(line)) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert data["per_example_tokens"] == expected
    assert data["examples"] == len(expected)
    assert data["billed_tokens"] == sum(expected)
    assert data["n_epochs"] == 3  # 3 x 300 examples is within [100, 25,000]: the target of 3 epochs
    assert data["trained_tokens"] == 3 * sum(expected)
    assert data["encoding"] == "o200k_base"
    assert "cookbook" in data["convention"]
    assert data["problems"] == []
    # gpt-4o-mini training on OpenAI standard: $3.00 per 1M tokens in data/prices.csv
    openai = [c for c in data["training_costs"] if (c["provider"], c["tier"]) == ("openai", "standard")]
    assert len(openai) == 1
    assert openai[0]["lines"][0]["unit_price_usd"] == "3"
    assert data["few_shot"]["prompt_tokens"] == round(3 * sum(expected) / len(expected))


def test_human_output_names_encoding_convention_few_shot_and_costs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(SAMPLE), "--model", "gpt-4o-mini", "--as-of", "2025-06-01", "--shots", "2")
    assert code == 0
    assert "encoding o200k_base" in out
    assert "convention: openai-cookbook-chat" in out
    assert "few-shot prompt:" in out and "k=2" in out
    assert "openai  standard" in out
    assert "p5" in out and "p95" in out
    assert "no problems found" in out


def test_problems_in_json_and_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    body = lines()
    body.insert(2, '{"messages": [{"content": "no role"}, {"role": "assistant", "content": "x"}]}')
    code, data = analyze_json(capsys, write(tmp_path, ("\n".join(body) + "\n").encode()))
    assert code == 1
    p = next(p for p in data["problems"] if p["code"] == "missing_role")
    assert p["line"] == 3 and p["severity"] == "error" and p["field"] == "messages[0].role" and p["message"]
    assert data["problem_counts"]["missing_role"] == 1


def test_epochs_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, data = analyze_json(capsys, write(tmp_path, ("\n".join(lines()) + "\n").encode()), "--epochs", "4")
    assert code == 0
    assert data["n_epochs"] == 4 and data["trained_tokens"] == 4 * data["billed_tokens"]


def test_subprocess_entry_point(tmp_path: Path) -> None:
    p = write(tmp_path, ("\n".join(lines()) + "\n").encode())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TIKTOKEN_CACHE_DIR": str(tmp_path / "empty-cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "costmodel", "analyze", str(p), "--model", "gpt-4o-mini", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["examples"] == 10
    assert not (tmp_path / "empty-cache").exists()  # tiktoken's download cache was never used


def test_progress_bar(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = write(tmp_path, ("\n".join(lines()) + "\n").encode())
    code, _, err = run(capsys, str(p), "--model", "gpt-4o-mini", "--progress")
    assert code == 0
    assert "100%" in err


# -- unusable input: exit 2, one paragraph, no traceback -------------------------------------------------


@pytest.mark.parametrize(
    ("argv_file", "model", "message"),
    [
        ("missing.jsonl", "gpt-4o-mini", "file not found"),
        ("", "gpt-4o-mini", "directory"),
        ("train.jsonl", "not-a-model", "unknown model 'not-a-model'"),
    ],
)
def test_unreadable_input_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv_file: str, model: str, message: str
) -> None:
    write(tmp_path, ("\n".join(lines()) + "\n").encode())
    code, _out, err = run(capsys, str(tmp_path / argv_file), "--model", model)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


# -- bad input: the documented problems, the documented exit code, never a crash ---------------------------

GOOD = ("\n".join(lines()) + "\n").encode()
BAD_CASES: list[tuple[str, bytes, int, dict[str, int]]] = [
    # name, file content, exit code, problem counts expected (exactly)
    ("truncated last line", GOOD + b'{"messages": [{"role": "user", "con', 1, {"invalid_json": 1}),
    (
        "invalid utf-8",
        GOOD.replace(b"Recipe number 3", b"Recipe \xff\xfe number 3"),
        1,
        {"invalid_utf8": 1, "too_few_examples": 1},
    ),
    ("json array", GOOD + b"[1, 2, 3]\n", 1, {"not_an_object": 1}),
    (
        "message without role",
        GOOD + b'{"messages": [{"content": "hi"}, {"role": "assistant", "content": "yo"}]}\n',
        1,
        {"missing_role": 1, "no_system_message": 1, "no_user_message": 1},
    ),
    (
        "numbers where strings belong",
        GOOD + b'{"messages": [{"role": "system", "content": 1}, {"role": "user", "content": 2.5},'
        b' {"role": "assistant", "content": 3, "name": 4}]}\n',
        1,
        {"invalid_type": 4},
    ),
    ("empty file", b"", 2, {"no_examples": 1}),
    ("blank lines only", b"\n\n \n\r\n", 2, {"blank_line": 4, "no_examples": 1}),
    ("bom", b"\xef\xbb\xbf" + GOOD, 0, {}),
    ("crlf", GOOD.replace(b"\n", b"\r\n"), 0, {}),
    ("bom and crlf, no final newline", b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n").rstrip(), 0, {}),
    ("bom inside", GOOD + b"\xef\xbb\xbf" + lines()[0].encode() + b"\n", 1, {"invalid_json": 1}),
    ("arrays only", b"[1]\n[2]\n", 2, {"not_an_object": 2, "no_examples": 1}),
    ("legacy format only", b'{"prompt": "a", "completion": "b"}\n' * 10, 2, {"unsupported_format": 11}),
    ("nan", GOOD + b'{"messages": NaN}\n', 1, {"invalid_json": 1}),
    ("deep nesting", GOOD + b"[" * 100_000 + b"]" * 100_000 + b"\n", 1, {"invalid_json": 1}),
    ("nul bytes", GOOD + b"\x00\x00\n", 1, {"invalid_json": 1}),
    (
        "lone surrogate escapes",
        GOOD + b'{"messages": [{"role": "user", "content": "\\ud800"}, {"role": "assistant", "content": "\\udfff"}]}\n',
        1,  # issue 14: a lone surrogate is not text any API accepts; reported, not silently counted
        {"invalid_unicode": 1},
    ),
]


@pytest.mark.parametrize(("name", "data", "exit_code", "expected"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, data: bytes, exit_code: int, expected: dict[str, int]
) -> None:
    code, result = analyze_json(capsys, write(tmp_path, data))
    assert code == exit_code
    assert result["problem_counts"] == expected
    for p in result["problems"]:
        assert {"line", "code", "severity", "message", "hint", "field"} <= p.keys()
        assert p["severity"] == CODES[p["code"]][0]


@pytest.mark.slow  # a big file
def test_single_10_mb_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    words = " ".join(f"step{i % 997}" for i in range(1_300_000))  # ~10 MB of text
    big = {"messages": [{"role": "user", "content": "long"}, {"role": "assistant", "content": words}]}
    data = json.dumps(big).encode() + b"\n"
    assert len(data) > 10_000_000
    code, result = analyze_json(capsys, write(tmp_path, data), "--per-example")
    assert code == 1  # fewer than 10 examples
    assert result["examples"] == 1
    assert result["problem_counts"] == {"example_too_long": 1, "no_system_message": 1, "too_few_examples": 1}
    assert result["per_example_tokens"][0] > 65_536
    assert result["billed_tokens"] == 65_536  # truncated: billed at the training context


def test_line_over_the_read_limit_is_reported_not_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from costmodel.dataset import _lines, _reader

    monkeypatch.setattr(_lines, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(_reader, "DEFAULT_CHUNK_BYTES", 256)
    data = GOOD + b'{"messages": "' + b"x" * 5000 + b'"}\n' + lines()[0].encode() + b"\n"
    code, result = analyze_json(capsys, write(tmp_path, data))
    assert code == 1
    assert result["problem_counts"] == {"line_too_long": 1, "duplicate_example": 1}
    assert result["examples"] == 11
    assert next(p for p in result["problems"] if p["code"] == "line_too_long")["line"] == 11


def test_unusable_file_says_which_formats_are_supported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = write(tmp_path, b'{"prompt": "Soup?", "completion": "Leek and potato."}\n')
    code, out, err = run(capsys, str(p), "--model", "gpt-4o-mini")
    assert code == 2
    assert "unusable" in err and "'messages'" in err and "preferred_output" in err
    assert "legacy prompt/completion" in out
