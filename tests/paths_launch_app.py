"""The Launch page with the bundled catalogue (AppTest runs it for paths costmodel does not launch)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from costmodel.ui.launch_page import render  # noqa: E402

render()
