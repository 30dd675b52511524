"""Test-suite wall time: the current tree against the last release (issue 9: at most half of it).

One run measures, side by side on this machine and with the same Python (this interpreter's
virtualenv), three suites, each timed whole-process (start to exit, with the CPU time of the
processes and everything they started):

* **baseline**: the baseline commit (default ``553e062``, the release the issue measured) checked out
  into a temporary ``git worktree``; its suite runs the way its README ran it (``pytest`` with its own
  ``pyproject.toml`` settings; the README's script also runs ruff and mypy first, which are left out
  on both sides).
* **current, whole suite**: ``bash scripts/test.sh`` itself, with ``COSTMODEL_SKIP_LINT=1`` (its
  install step finds the venv up to date): the parallel phase (pytest-xdist on every core, the
  browser tests as one group) and then the ``timing`` and ``alone`` tests one at a time. Its bytecode
  cache (``PYTHONPYCACHEPREFIX``) is a new empty directory for each run, as in a fresh clone. It
  holds about five times as many tests as the baseline (the later issues' tests).
* **current, the baseline's tests** (like for like, the issue's "same coverage"): the same command
  on the test ids of the baseline that still exist in the current tree (collected from both trees;
  the ids that were replaced are listed).

The baseline runs in this machine's environment as its own script ran it; where that environment
sets ``PYTHONDONTWRITEBYTECODE`` (these machines do) it compiles everything in every process, which
the current script avoids. ``--baseline-bytecode`` gives the baseline a fresh bytecode cache as well,
to see how much of the gain that is.

With ``--repeat N`` the suites alternate N times and medians are compared, so a neighbour's load
falls on all alike. The temporary worktree is removed afterwards, also on failure or Ctrl-C. The
browser tests of the current tree rewrite ``docs/screenshots/*.png`` (as in every full run).

Usage: python benchmarks/bench_tests.py [--baseline 553e062] [--repeat 1] [--target 0.5] [--baseline-bytecode]
       [--suites baseline,current,current-like] [-- PYTEST_ARGS]
Exit code: 0 when every suite passes (whatever the ratio), 1 when one fails.
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
SUMMARY = re.compile(r"^=* ?(\d+ (?:passed|failed).*?) in [\d.]+s", re.MULTILINE)
TEST_SH = ["bash", str(ROOT / "scripts" / "test.sh")]


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


def run_suite(label: str, tree: Path, log: Path, commands: list[list[str]], bytecode: Path | None) -> Run:
    """Each command in ``tree``, with that tree first on the import path, one after the other; output
    goes to ``log``. Exit code 5 (nothing selected) is fine. ``bytecode``: a new, empty bytecode cache
    for the run (``PYTHONPYCACHEPREFIX``, writing allowed); None keeps this environment's setting."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTHONPATH", "PYTHONPYCACHEPREFIX")}
    env["PYTHONPATH"] = str(tree)
    if bytecode is not None:
        shutil.rmtree(bytecode, ignore_errors=True)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    load = os.getloadavg()[0]
    cpu0 = _children_cpu()
    start = time.perf_counter()
    returncode = 0
    with log.open("w", encoding="utf-8") as out:
        for command in commands:
            proc = subprocess.run(command, cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT)
            if proc.returncode not in (0, 5):
                returncode = proc.returncode
    wall = time.perf_counter() - start
    cpu = _children_cpu() - cpu0
    text = log.read_text(encoding="utf-8", errors="replace")
    found = SUMMARY.findall(text)
    summary = " + ".join(found) if found else "(no pytest summary line)"
    if returncode != 0:
        sys.stderr.write(f"--- {label}: exit code {returncode}; the end of its output:\n{text[-3000:]}\n")
    return Run(label, wall, cpu, returncode, summary, load)


def collect_ids(tree: Path) -> set[str]:
    """The test ids of ``tree`` (``pytest --collect-only -q``, one process)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTHONPATH")}
    env["PYTHONPATH"] = str(tree)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-n", "0"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    return {line.strip() for line in proc.stdout.splitlines() if "::" in line}


def _git(*args: str) -> None:
    subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--baseline", default=BASELINE, help=f"commit to compare with (default {BASELINE})")
    parser.add_argument("--repeat", type=int, default=1, help="alternate baseline and current N times (medians)")
    parser.add_argument("--target", type=float, default=0.5, help="wall-time ratio to meet (default 0.5)")
    parser.add_argument(
        "--baseline-bytecode", action="store_true", help="give the baseline a fresh bytecode cache too (see above)"
    )
    parser.add_argument(
        "--suites",
        default="baseline,current,current-like",
        help="which suites to run, comma-separated (default: all three; the baseline always runs)",
    )
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
        base_ids, cur_ids = collect_ids(tree), collect_ids(ROOT)
        common = sorted(base_ids & cur_ids)
        replaced = sorted(base_ids - cur_ids)
        ids_file = tmp / "baseline-ids.txt"
        ids_file.write_text("\n".join(common) + "\n", encoding="utf-8")
        print(
            f"tests: baseline {len(base_ids)}, current {len(cur_ids)}; {len(common)} of the baseline's ids exist in "
            f"the current tree; {len(replaced)} were replaced:"
        )
        for node in replaced:
            print(f"    {node}")
        pytest = [sys.executable, "-m", "pytest", *PYTEST_ARGS]
        suites: list[tuple[str, Path, list[list[str]], Path | None]] = [
            ("baseline", tree, [[*pytest, *args.pytest_args]], (tmp / "pyc-base") if args.baseline_bytecode else None),
            ("current", ROOT, [[*TEST_SH, *args.pytest_args]], tmp / "pyc-current"),
            ("current-like", ROOT, [[*TEST_SH, f"@{ids_file}", *args.pytest_args]], tmp / "pyc-current"),
        ]
        chosen = {name.strip() for name in args.suites.split(",")} | {"baseline"}
        unknown = chosen - {label for label, *_ in suites}
        if unknown:
            parser.error(f"unknown suite(s): {', '.join(sorted(unknown))}")
        suites = [suite for suite in suites if suite[0] in chosen]
        os.environ["COSTMODEL_SKIP_LINT"] = "1"  # scripts/test.sh: the tests only, as on the baseline's side
        for i in range(args.repeat):
            for label, where, commands, bytecode in suites:
                run = run_suite(label, where, tmp / f"{label}-{i}.log", commands, bytecode)
                runs.append(run)
                print(
                    f"  {label:12s} #{i + 1}: wall {run.wall_s:7.1f} s  cpu {run.cpu_s:7.1f} s  "
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

    base_wall, base_cpu = median("baseline", "wall_s"), median("baseline", "cpu_s")
    print(f"median wall: baseline {base_wall:.1f} s (cpu {base_cpu:.1f} s)")
    for label, what in (("current-like", "the baseline's tests"), ("current", "the whole current suite")):
        if not any(r.label == label for r in runs):
            continue
        wall, cpu = median(label, "wall_s"), median(label, "cpu_s")
        bases = [r.wall_s for r in runs if r.label == "baseline"]
        mine = [r.wall_s for r in runs if r.label == label]
        pairs = ", ".join(f"{m / b:.2f}" for m, b in zip(mine, bases, strict=True))
        print(f"  {what}, each run against the baseline run just before it: {pairs}")
        ratio = wall / base_wall
        verdict = "meets" if ratio <= args.target else "MISSES"
        print(
            f"  {what}: {wall:.1f} s (cpu {cpu:.1f} s); wall-time ratio to the baseline {ratio:.2f} "
            f"({verdict} the target <= {args.target})"
        )
    return 0 if all(r.returncode == 0 for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
