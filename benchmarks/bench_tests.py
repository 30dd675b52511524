"""Test-suite wall time: the current tree against the last release (issue 9: at most half of it).

One run measures both, side by side on this machine and with the same Python (this interpreter's
virtualenv): the baseline commit (default ``553e062``, the last landed release) is checked out
into a temporary ``git worktree``, and its suite runs the way its README ran it (``pytest`` with
its own ``pyproject.toml`` settings; the README's script also runs ruff and mypy first, which are
left out on both sides); then the current working tree's suite runs the same way (its settings
add ``-n logical --dist loadgroup``). Each is timed whole-process, from start to exit, with the
CPU time of the process and everything it started. With ``--repeat N`` the two alternate N times
and the medians are compared, so a neighbour's load falls on both sides alike.

The temporary worktree is removed afterwards, also on failure or Ctrl-C. The browser tests of the
current tree rewrite ``docs/screenshots/*.png`` (as they do in every full run).

Usage: python benchmarks/bench_tests.py [--baseline 553e062] [--repeat 1] [--target 0.5] [-- PYTEST_ARGS]
Exit code: 0 when both suites pass (whatever the ratio), 1 when either fails.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "553e062"
PYTEST_ARGS = ["-q", "-p", "no:cacheprovider"]
SUMMARY = re.compile(r"^=* ?(\d+ (passed|failed).*) in [\d.]+s", re.MULTILINE)


@dataclass(frozen=True)
class Run:
    label: str
    wall_s: float
    cpu_s: float
    returncode: int
    summary: str
    load_before: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_suite(label: str, tree: Path, log: Path, extra: list[str]) -> Run:
    """``python -m pytest`` in ``tree`` with that tree first on the import path; output goes to ``log``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTHONPATH")}
    env["PYTHONPATH"] = str(tree)
    load = os.getloadavg()[0]
    cpu0 = _children_cpu()
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", *PYTEST_ARGS, *extra],
            cwd=tree,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    wall = time.perf_counter() - start
    cpu = _children_cpu() - cpu0
    text = log.read_text(encoding="utf-8", errors="replace")
    found = SUMMARY.findall(text)
    summary = found[-1][0] if found else "(no pytest summary line)"
    if proc.returncode != 0:
        sys.stderr.write(f"--- {label}: pytest exited with {proc.returncode}; the end of its output:\n{text[-3000:]}\n")
    return Run(label, wall, cpu, proc.returncode, summary, load)


def _git(*args: str) -> None:
    subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--baseline", default=BASELINE, help=f"commit to compare with (default {BASELINE})")
    parser.add_argument("--repeat", type=int, default=1, help="alternate baseline and current N times (medians)")
    parser.add_argument("--target", type=float, default=0.5, help="wall-time ratio to meet (default 0.5)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments for both sides (default: none)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.baseline], check=True, capture_output=True, text=True
    ).stdout.strip()
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    ).stdout.strip()
    print(f"python {sys.executable} ({sys.version.split()[0]}), {os.cpu_count()} CPUs")
    print(
        f"baseline {commit} (temporary worktree); current {ROOT} at {head}{' + uncommitted changes' if dirty else ''}"
    )

    tmp = Path(tempfile.mkdtemp(prefix="costmodel-bench-tests-"))
    tree = tmp / "baseline"
    runs: list[Run] = []
    try:
        _git("worktree", "add", "--detach", str(tree), commit)
        for i in range(args.repeat):
            for label, where in (("baseline", tree), ("current", ROOT)):
                run = run_suite(label, where, tmp / f"{label}-{i}.log", args.pytest_args)
                runs.append(run)
                print(
                    f"  {label:8s} #{i + 1}: wall {run.wall_s:7.1f} s  cpu {run.cpu_s:7.1f} s  "
                    f"load before {run.load_before:4.1f}  exit {run.returncode}  {run.summary}",
                    flush=True,
                )
    finally:
        try:
            _git("worktree", "remove", "--force", str(tree))
        except subprocess.CalledProcessError as exc:  # pragma: no cover - reported, then cleaned by hand below
            sys.stderr.write(f"git worktree remove failed: {exc.stderr}")
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False)

    def median(label: str, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs if r.label == label)

    base_wall, cur_wall = median("baseline", "wall_s"), median("current", "wall_s")
    base_cpu, cur_cpu = median("baseline", "cpu_s"), median("current", "cpu_s")
    ratio = cur_wall / base_wall
    print(f"median wall: baseline {base_wall:.1f} s, current {cur_wall:.1f} s")
    print(f"median cpu:  baseline {base_cpu:.1f} s, current {cur_cpu:.1f} s  (ratio {cur_cpu / base_cpu:.2f})")
    verdict = "meets" if ratio <= args.target else "MISSES"
    print(f"wall-time ratio current/baseline: {ratio:.2f} ({verdict} the target <= {args.target})")
    return 0 if all(r.returncode == 0 for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
