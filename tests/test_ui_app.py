"""AppTest: navigation and the pages other issues bring."""

from __future__ import annotations

import importlib.util

import pytest

from tests.ui_support import run_app, texts


@pytest.mark.parametrize("page", ["decision", "dataset", "whatif", "prices", "latency", "launch"])
def test_every_page_runs_without_exception(page: str) -> None:
    at = run_app(page)
    assert not at.exception
    assert at.title, page


@pytest.mark.parametrize("page", ["latency", "launch"])
def test_pages_of_other_issues_say_when_they_arrive(page: str) -> None:
    at = run_app(page)
    if importlib.util.find_spec(f"costmodel.ui.{page}_page") is None:
        assert texts(at, "info") == [f"This page arrives with the {page} issue (costmodel.ui.{page}_page)."]
    else:
        assert not any("arrives with" in t for t in texts(at, "info"))
