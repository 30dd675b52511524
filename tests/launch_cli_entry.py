"""``python tests/launch_cli_entry.py ARGS`` = ``costmodel ARGS`` with the fake dataset analysis.

The launcher's real preflight is ``costmodel.dataset.analyze_file`` (tested end to end in
``tests/test_launch_dataset.py``). CLI tests that need fixed, hand-checkable token counts swap in
the fake analysis here, through the injection point the library offers
(``costmodel.launch.plan.default_preflight``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import costmodel.launch.plan as plan_module
from costmodel.cli import main
from tests.launch_helpers import fake_preflight

plan_module.default_preflight = fake_preflight()  # type: ignore[assignment]

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
