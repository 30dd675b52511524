"""Traffic import speed and memory on a large log, against plain ``json.loads`` over the same file.

Writes a JSON-lines log of OpenAI chat completion objects (``--size-mb``, default 1024: a 1 GB
log; realistic ~400-byte lines with usage, cached tokens and a timestamp spread over 30 days),
then runs, each in its own process (whole-process figures, measured by the parent with
``os.wait4``):

* baseline: ``for line in file: json.loads(line)`` and nothing else;
* import: ``costmodel.traffic.reader.import_traffic`` (parse, validate, accumulate the profile).

It prints records per second, wall time and peak RSS for both, and the ratios. The import must
keep its memory flat (the profile holds value -> count tables, not the records).

Usage: python benchmarks/bench_traffic.py [--size-mb 1024] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BASELINE = """
import json, sys
n = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        if line.strip():
            json.loads(line)
            n += 1
print(n)
"""

IMPORT = """
import sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from costmodel.traffic.reader import import_traffic
r = import_traffic(Path(sys.argv[1]), "openai")
print(r.profile.requests, r.problem_count, r.profile.requests_per_day, r.profile.input_tokens.p95)
"""


def write_log(path: Path, size_mb: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    target = size_mb * 1024 * 1024
    written = 0
    n = 0
    start = 1_790_000_000
    with path.open("w", encoding="utf-8") as f:
        while written < target:
            lines = []
            for _ in range(1000):
                inp = int(rng.lognormvariate(6, 0.8))
                out = int(rng.lognormvariate(5, 0.7))
                cached = rng.choice((0, 0, 0, inp // 2))
                obj = {
                    "id": f"chatcmpl-{n:012d}",
                    "object": "chat.completion",
                    "created": start + rng.randrange(30 * 86400),
                    "model": "gpt-4o-mini-2024-07-18",
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": "ok " * 20}, "finish_reason": "stop"}
                    ],
                    "usage": {
                        "prompt_tokens": inp,
                        "completion_tokens": out,
                        "total_tokens": inp + out,
                        "prompt_tokens_details": {"cached_tokens": cached},
                    },
                }
                lines.append(json.dumps(obj))
                n += 1
            chunk = "\n".join(lines) + "\n"
            f.write(chunk)
            written += len(chunk)
    return n


def run(code: str, *args: str) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MiB (ru_maxrss of the child, KiB on Linux), stdout."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"child failed with {proc.returncode}")
    return wall, usage.ru_maxrss // 1024, out.strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--keep", help="write the log here and keep it (default: a temporary file)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = Path(args.keep) if args.keep else Path(tmp.name) / "usage.jsonl"
    t = time.perf_counter()
    n = write_log(path, args.size_mb)
    size = path.stat().st_size
    print(f"log: {n:,} records, {size / 2**20:,.0f} MiB, written in {time.perf_counter() - t:.1f} s")
    b_wall, b_rss, b_out = run(BASELINE, str(path))
    i_wall, i_rss, i_out = run(IMPORT, str(path), str(ROOT))
    print(
        f"baseline json.loads per line: {int(b_out):,} records in {b_wall:.1f} s = {n / b_wall:,.0f} records/s,"
        f" peak RSS {b_rss} MiB"
    )
    print(
        f"costmodel traffic import:     {i_out.split()[0]} records in {i_wall:.1f} s = {n / i_wall:,.0f} records/s,"
        f" peak RSS {i_rss} MiB  (requests/day, input p95: {' '.join(i_out.split()[2:])})"
    )
    print(
        f"ratio import / baseline: time {i_wall / b_wall:.2f}x, peak RSS {i_rss / b_rss:.2f}x"
        f" (file {size / 2**20:,.0f} MiB)"
    )
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
