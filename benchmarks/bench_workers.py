"""Where a second process starts to pay: `costmodel analyze` in one process vs two, by file size.

    python benchmarks/bench_workers.py                        # 1,000 .. 16,000 examples, 3 rounds
    python benchmarks/bench_workers.py --examples 2000 8000 --rounds 5

For each size (the generated file of ``bench_dataset.py``) it runs, alternating, the whole command
with ``--workers 1`` and ``--workers 2`` (the size thresholds :data:`IN_PROCESS_MAX_BYTES` and
``FORK_IN_PROCESS_MAX_BYTES`` set to 0 for the measurement, so two processes really run: forked,
as the command line starts them) and prints the median wall time and CPU time of each (CPU: user +
system of the process and its children). ``--workers 1`` counts in the command's early child
(``costmodel.dataset._prefetch``), as a small file does. The thresholds are set from where the
wall-time ratio crosses 1 (the load average is printed; see :func:`costmodel.dataset._analyze.default_workers`).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dataset import generate

RUN = (
    "import sys\n"
    "from costmodel.dataset import _analyze, _prefetch\n"
    "_analyze.IN_PROCESS_MAX_BYTES = _analyze.FORK_IN_PROCESS_MAX_BYTES = _prefetch.FORK_IN_PROCESS_MAX_BYTES = 0\n"
    "from costmodel.cli import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n"
)


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(path: Path, workers: int, env: dict[str, str]) -> tuple[float, float]:
    cmd = [sys.executable, "-c", RUN, "analyze", str(path), "--model", "gpt-4o-mini", "--workers", str(workers)]
    c0, t0 = _children_cpu(), time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=tempfile.gettempdir())
    return time.perf_counter() - t0, _children_cpu() - c0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, nargs="+", default=[1_000, 2_000, 4_000, 8_000, 16_000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        env["COSTMODEL_CACHE_DIR"] = str(Path(tmp) / "cache")
        print(f"cpus: {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}")
        for n in args.examples:
            path = Path(tmp) / f"train-{n}.jsonl"
            size = generate(path, n)
            run(path, 1, env)  # warm the vocabulary cache and the file system cache
            one: list[tuple[float, float]] = []
            two: list[tuple[float, float]] = []
            for _ in range(args.rounds):
                one.append(run(path, 1, env))
                two.append(run(path, 2, env))
            w1, c1 = statistics.median(t for t, _ in one), statistics.median(c for _, c in one)
            w2, c2 = statistics.median(t for t, _ in two), statistics.median(c for _, c in two)
            print(
                f"{n:>7,} examples {size / 1e6:6.1f} MB: 1 process {w1:6.2f} s wall {c1:6.2f} s CPU | "
                f"2 processes {w2:6.2f} s wall {c2:6.2f} s CPU | wall ratio 1/2 = {w1 / w2:4.2f}x   "
                f"load {os.getloadavg()[0]:.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
