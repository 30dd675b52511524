"""Issue 14, class 4 (and the Launch page's typed path of class 1): text a terminal or a table cannot show.

A lone UTF-16 surrogate can only reach us through a JSON ``\\uXXXX`` escape. Wherever it sits (a
key, a value, a role, a DPO field), the line is reported as ``invalid_unicode`` and never echoed;
a valid surrogate pair (an emoji) is ordinary text. The CLI's human and JSON output and the
Launch page's table must not crash on such a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from costmodel.cli import main
from costmodel.dataset import analyze_bytes

ROOT = Path(__file__).resolve().parents[1]
GOOD = json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]})
LAUNCH_APP = ROOT / "tests" / "launch_page_app.py"

PLACES = {
    "example key": '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}], "\\ud800": 1}',  # noqa: E501
    "message key": '{"messages": [{"role": "user", "\\ud800": "a"}, {"role": "assistant", "content": "b"}]}',
    "content (high)": '{"messages": [{"role": "user", "content": "x\\ud800y"}, {"role": "assistant", "content": "b"}]}',
    "content (low)": '{"messages": [{"role": "user", "content": "\\udfff"}, {"role": "assistant", "content": "b"}]}',
    "reversed pair": '{"messages": [{"role": "user", "content": "\\ude00\\ud83d"}, {"role": "assistant", "content": "b"}]}',  # noqa: E501
    "role": '{"messages": [{"role": "\\uDBFF", "content": "a"}, {"role": "assistant", "content": "b"}]}',
    "nested name": '{"messages": [{"role": "user", "content": [{"type": "text", "text": "\\ud800"}]}, '
    '{"role": "assistant", "content": "b"}]}',
    "dpo": '{"input": {"messages": [{"role": "user", "content": "q"}]}, "preferred_output": '
    '[{"role": "assistant", "content": "\\ud800"}], "non_preferred_output": [{"role": "assistant", "content": "n"}]}',
}  # fmt: skip


def _file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize("place", list(PLACES))
def test_a_lone_surrogate_anywhere_is_reported_as_invalid_unicode(place: str) -> None:
    analysis = analyze_bytes(_file(*[GOOD] * 10, PLACES[place]), model="gpt-4o-mini", workers=1)
    codes = [(p.line, p.code) for p in analysis.problems if p.line is not None]
    assert (11, "invalid_unicode") in codes
    for p in analysis.problems:  # nothing echoes the surrogate
        for text in (p.message, p.hint or "", p.field or ""):
            text.encode("utf-8")


def test_a_valid_surrogate_pair_is_ordinary_text() -> None:
    emoji = '{"messages": [{"role": "user", "content": "\\ud83d\\ude00"}, {"role": "assistant", "content": "b"}]}'
    analysis = analyze_bytes(_file(*[GOOD] * 10, emoji), model="gpt-4o-mini", workers=1)
    assert not [p for p in analysis.problems if p.code == "invalid_unicode"]
    assert analysis.examples == 11


@pytest.mark.parametrize("extra", [[], ["--json"], ["--per-example"]])
def test_the_cli_output_survives_surrogates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    f = tmp_path / "s.jsonl"
    f.write_bytes(_file(*[GOOD] * 10, *PLACES.values()))
    code = main(["analyze", str(f), "-m", "gpt-4o-mini", *extra])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert "internal error" not in err
    assert "invalid_unicode" in out + err


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "AZURE_OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COSTMODEL_DB", str(tmp_path / "store.sqlite3"))
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    return tmp_path


def _launch_page(path: str) -> AppTest:
    at = AppTest.from_file(str(LAUNCH_APP), default_timeout=60)
    at.session_state["launch.dataset_path"] = path
    at.run()
    return at


def test_the_launch_page_table_survives_surrogates(clean_env: Path) -> None:
    f = clean_env / "s.jsonl"
    f.write_bytes(_file(*[GOOD] * 10, *PLACES.values()))
    at = _launch_page(str(f))
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/urandom", "{fifo}", "{dir}", "x" * 5000, "\x00"])
def test_the_launch_page_refuses_special_typed_paths_without_reading_them(clean_env: Path, path: str) -> None:
    fifo = clean_env / "fifo"
    os.mkfifo(fifo)
    at = _launch_page(path.replace("{fifo}", str(fifo)).replace("{dir}", str(clean_env)))
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("train.jsonl", "train.jsonl"),
        ("x" * 300 + ".jsonl", "x" * 94 + ".jsonl"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\train.jsonl", "train.jsonl"),
        ("a\x00b\nc.jsonl", "abc.jsonl"),
        ("\ud800.jsonl", "jsonl"),  # no hidden files: leading dots go
        ("", "upload.jsonl"),
        ("..", "upload.jsonl"),
        ("é" * 300 + ".jsonl", "é" * 94 + ".jsonl"),
    ],
)
def test_upload_names_are_made_safe(name: str, expected: str) -> None:
    from costmodel.validate import safe_file_name

    safe = safe_file_name(name)
    assert safe == expected
    assert len(safe.encode("utf-8")) <= 255 and "/" not in safe


@pytest.mark.parametrize("name", ["x" * 300 + ".jsonl", "\ud800" * 3 + "a.jsonl", "é" * 400])
def test_property_an_upload_name_can_always_be_written(tmp_path: Path, name: str) -> None:
    from costmodel.validate import safe_file_name

    target = tmp_path / f"{'0' * 16}-{safe_file_name(name)}"
    target.write_bytes(b"{}")
    assert target.read_bytes() == b"{}"
