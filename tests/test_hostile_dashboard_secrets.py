"""Issue 14, class 6 on the dashboard: a key typed into the Latency page's URL never shows or lands in the store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_latency_page import page_script

CANARY = "sk-LEAKCANARY-dash-0123"


@pytest.mark.parametrize(
    "url",
    [f"http://user:{CANARY}@127.0.0.1:9/v1", f"http://{CANARY}@127.0.0.1:9/v1", f"http://:{CANARY}@[::1]:9/v1"],
)
def test_a_credential_in_the_latency_url_is_refused_and_never_shown(tmp_path: Path, url: str) -> None:
    db = tmp_path / "ui.sqlite3"
    at = AppTest.from_function(page_script, args=(str(db), True), default_timeout=30)
    at.run()
    at.radio(key="lat_kind").set_value("OpenAI-compatible (local or other)").run()
    at.text_input(key="lat_url_compat").set_value(url).run()
    assert not at.exception
    run = [b for b in at.button if b.key == "lat_run"]
    if run and not run[0].disabled:
        run[0].click().run()
    assert not at.exception
    shown = [str(getattr(e, "value", "")) for kind in ("markdown", "info", "error", "warning", "caption", "success")
             for e in getattr(at, kind)]  # fmt: skip
    assert not [s for s in shown if CANARY in s]
    if db.exists():
        assert CANARY not in "\n".join(sqlite3.connect(db).iterdump())
