"""Start-up of the command line, whole process, against bare Python measured in the same run.

    python benchmarks/bench_startup.py            # medians of 5
    python benchmarks/bench_startup.py --rounds 11

Pairs, run alternately (the machine is shared, so its load changes from second to second):

* ``costmodel --help`` against ``python -c pass`` (target: within 10x);
* ``costmodel prices --model gpt-4o-mini`` against ``python -c "import pydantic"`` (target: within 4x).

``costmodel`` is the installed entry point next to this interpreter (``.venv/bin/costmodel``); every
command starts a new process from a temporary working directory, with the environment of this
one minus ``PYTHONDONTWRITEBYTECODE`` (so Python keeps its bytecode caches, as in a normal install).
One untimed run of each command comes first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAIRS = [
    ("costmodel --help", ["costmodel", "--help"], "python -c pass", ["-c", "pass"], 10.0),
    (
        "costmodel prices --model gpt-4o-mini",
        ["costmodel", "prices", "--model", "gpt-4o-mini"],
        'python -c "import pydantic"',
        ["-c", "import pydantic"],
        4.0,
    ),
]


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tempfile.gettempdir()
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    print(f"cpus: {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}; {args.rounds} rounds")
    failed = False
    for name, ours, base_name, base, target in PAIRS:
        ours_cmd = [str(bindir / ours[0]), *ours[1:]]
        base_cmd = [sys.executable, *base]
        _time(ours_cmd, env)
        _time(base_cmd, env)
        t_ours: list[float] = []
        t_base: list[float] = []
        for _ in range(args.rounds):
            t_ours.append(_time(ours_cmd, env))
            t_base.append(_time(base_cmd, env))
        m_ours, m_base = statistics.median(t_ours), statistics.median(t_base)
        ratio = m_ours / m_base
        ok = ratio <= target
        failed |= not ok
        print(
            f"{name:<38} {m_ours * 1000:7.0f} ms   {base_name:<28} {m_base * 1000:6.0f} ms   "
            f"ratio {ratio:5.2f}x (target <= {target:g}x: {'met' if ok else 'NOT met'})"
        )
        rounds_ours = " ".join(f"{t * 1000:.0f}" for t in t_ours)
        rounds_base = " ".join(f"{t * 1000:.0f}" for t in t_base)
        print(f"    every round (ms): {rounds_ours}  vs  {rounds_base}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
