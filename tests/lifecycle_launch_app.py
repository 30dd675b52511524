"""The Launch page with the small test catalogue plus lifecycle rows given in session state (AppTest)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import streamlit as st  # noqa: E402

from costmodel.prices import build_lifecycle, parse_lifecycle_csv  # noqa: E402
from costmodel.ui.launch_page import render  # noqa: E402
from tests.launch_helpers import fake_preflight, small_catalog  # noqa: E402

catalog = small_catalog()
rows = parse_lifecycle_csv(str(st.session_state.get("test.lifecycle_csv", "")), origin="test-lifecycle.csv")
render(catalog=catalog.with_lifecycle(build_lifecycle(rows, catalog)), preflight=fake_preflight())
