"""A tiny Streamlit script that shows only the Launch page (AppTest and the browser test run it).

It uses the fake dataset analysis and a small catalogue (``tests/launch_helpers.py``) so the
estimate is the hand-checked $0.09 for OpenAI gpt-4o-mini-2024-07-18 (10,000 tokens x 3 epochs).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from costmodel.ui.launch_page import render  # noqa: E402
from tests.launch_helpers import fake_preflight, small_catalog  # noqa: E402

render(catalog=small_catalog(), preflight=fake_preflight())
