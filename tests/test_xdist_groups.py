"""The parallel-run groups in tests/conftest.py name files that exist (a renamed file would run ungrouped)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import XDIST_GROUPS, xdist_scope

ROOT = Path(__file__).resolve().parent.parent


def test_every_grouped_file_exists() -> None:
    missing = [path for path in XDIST_GROUPS if not (ROOT / path).is_file()]
    assert missing == []


def test_grouped_tests_share_one_scope_and_the_others_are_their_own() -> None:
    assert xdist_scope("tests/test_browser.py::test_decision_page_control_share_and_report") == "serial"
    assert xdist_scope("tests/test_launch_browser.py::test_launch_page_in_chromium") == "serial"
    assert xdist_scope("tests/test_latency_load.py::test_ramp_up_staggers_first_requests") == "serial"
    assert (
        xdist_scope("tests/test_sweep.py::test_x[tests/test_browser.py]")
        == "tests/test_sweep.py::test_x[tests/test_browser.py]"
    )


def test_every_browser_test_file_is_in_the_serial_group() -> None:
    """A new browser test file (it starts Chromium and rewrites screenshots) joins the serial group."""
    browser_files = sorted(
        f"tests/{p.name}"
        for p in (ROOT / "tests").glob("test_*.py")
        if p.name != "test_xdist_groups.py" and "mark.browser" in p.read_text(encoding="utf-8")
    )
    assert browser_files, "no browser test found: the check would pass vacuously"
    assert [f for f in browser_files if f not in XDIST_GROUPS] == []
