"""AppTest: navigation and every page."""

from __future__ import annotations

import pytest

from tests.ui_support import run_app, texts


@pytest.mark.parametrize("page", ["decision", "dataset", "whatif", "prices", "latency", "launch"])
def test_every_page_runs_without_exception(page: str) -> None:
    at = run_app(page)
    assert not at.exception
    assert at.title, page


def test_missing_sample_falls_back_to_builtin_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import streamlit as st

    from costmodel.ui import state

    monkeypatch.setattr(state, "SAMPLE_PATH", tmp_path / "missing.jsonl")
    st.cache_data.clear()
    try:
        at = run_app()
        assert not at.exception
        assert any("sample dataset could not be read" in w for w in texts(at, "warning"))
        assert texts(at, "success")  # a recommendation on the built-in defaults
        assert at.query_params["training_tokens"] == "400000"
    finally:
        st.cache_data.clear()


def test_apptest_reuses_one_component_scan() -> None:
    """tests/conftest.py keeps Streamlit's component-manifest scan for the process; if Streamlit stops
    calling the scanner this way, the saving is gone and this says so."""
    from streamlit.components.v2 import manifest_scanner

    scan_once = manifest_scanner.scan_component_manifests
    run_app()
    run_app("prices")
    assert scan_once.real_scans == 1  # type: ignore[attr-defined]
