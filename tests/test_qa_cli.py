"""QA regressions for the command line: each test is named after what broke.

Every bad input must exit 2 with a one-paragraph ``costmodel: ...`` message (field and fix), never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from costmodel.cli import main

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
