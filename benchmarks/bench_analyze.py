"""`costmodel analyze FILE` as a user runs it (whole process) against a one-process json.loads + tiktoken script.

    python benchmarks/bench_analyze.py                          # 1,000 / 20,000 / 100,000 examples, 5 rounds
    python benchmarks/bench_analyze.py --examples 1000 20000 --rounds 3

For each size it generates the same realistic chat file as ``bench_dataset.py`` (seeded), then runs,
alternating, ``--rounds`` times:

* ``costmodel analyze FILE --model gpt-4o-mini`` in a new process (the installed entry point: start-up,
  catalogue, validation, counting, statistics, training costs, the printed report);
* a baseline script in a new process: ``json.loads`` every line and count every message value with
  ``tiktoken`` (3 per message + 3 per example, the OpenAI cookbook's loop), its encoding built from the
  same vocabulary file with tiktoken's own loader (``tiktoken.load.load_tiktoken_bpe``; the file is the
  bundled ``o200k_base`` vocabulary, decompressed once before the runs).

It prints each round, the medians and the ratio baseline / costmodel (above 1 = costmodel faster), and
the same ratio of CPU time (user + system, worker processes included), which a busy machine disturbs
less than wall time. The
token totals must agree. Peak memory of ``costmodel analyze`` is measured with its worker processes
included: the sum of the resident sizes of the process and its descendants, sampled every 10 ms from
/proc (Linux).

Targets (issue 9): ratio >= 1.0 on 1,000 examples, 1.3 on 20,000, 1.5 on 100,000; peak RSS < 400 MB.
Both sides run with the same environment (Python may write its bytecode caches, as in a normal
install); costmodel's on-disk vocabulary cache is warmed by one untimed run first (the state after
any earlier use), and its first, cold run is reported on its own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dataset import generate  # noqa: E402  (the same generated file as the dataset benchmark)

BASELINE = r"""
import json
import sys

import tiktoken
from tiktoken.load import load_tiktoken_bpe

spec = json.loads(sys.argv[3])
ranks = load_tiktoken_bpe(sys.argv[2], expected_hash=spec["sha256"])
enc = tiktoken.Encoding(
    name=spec["name"], pat_str=spec["pat_str"], mergeable_ranks=ranks, special_tokens=spec["special_tokens"]
)
encode = enc.encode_ordinary
total = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        example = json.loads(line)
        n = 3
        for message in example["messages"]:
            n += 3
            for key, value in message.items():
                n += len(encode(value))
                if key == "name":
                    n += 1
        total += n
print(total)
"""


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _tree_rss_kb(pid: int) -> int:
    """Resident KiB of ``pid`` and all its descendants (Linux /proc)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


CPU: list[float] = []  # CPU seconds (user + system, children included) of each run, in order


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, str, int]:
    """Wall seconds, stdout, and the peak resident KiB of the process tree (sampled); CPU into CPU."""
    peak = 0
    cpu0 = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tempfile.gettempdir())
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    CPU.append(_children_cpu() - cpu0)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited with {proc.returncode}: {err.decode(errors='replace')[-2000:]}")
    return elapsed, out.decode(), peak


def _analysis_tokens(stdout: str) -> int:
    """The "billed tokens:" figure of the printed report (no example is over the context here)."""
    for line in stdout.splitlines():
        if line.startswith("billed tokens:"):
            return int(line.split()[2].replace(",", ""))
    raise RuntimeError("no 'billed tokens:' line in costmodel's output:\n" + stdout[-2000:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, nargs="+", default=[1_000, 20_000, 100_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--model", default="gpt-4o-mini")
    args = parser.parse_args()

    from costmodel.dataset.tokens import ENCODINGS, VOCAB_DIR  # the bundled vocabulary, for the baseline

    spec = ENCODINGS["o200k_base"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    targets = {1_000: 1.0, 20_000: 1.3, 100_000: 1.5}
    summary: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-analyze-") as tmp:
        vocab = Path(tmp) / "o200k_base.tiktoken"
        vocab.write_bytes(gzip.decompress((VOCAB_DIR / spec.filename).read_bytes()))
        script = Path(tmp) / "baseline.py"
        script.write_text(BASELINE, encoding="utf-8")
        spec_json = json.dumps(
            {"name": spec.name, "sha256": spec.sha256, "pat_str": spec.pat_str, "special_tokens": spec.special_tokens}
        )
        env["TIKTOKEN_CACHE_DIR"] = ""  # tiktoken reads the local file directly (no copy into its cache)
        env["COSTMODEL_CACHE_DIR"] = str(Path(tmp) / "costmodel-cache")
        print(f"cpus: {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}")
        for n in args.examples:
            path = Path(tmp) / f"train-{n}.jsonl"
            size = generate(path, n)
            ours = [_bin("costmodel"), "analyze", str(path), "--model", args.model]
            base = [sys.executable, str(script), str(path), str(vocab), spec_json]
            print(f"\n{n:,} examples, {size / 1e6:,.1f} MB")
            if n == args.examples[0]:
                t, _, _ = run(ours, env)  # cold: parses the vocabulary and writes the cache
                print(f"  costmodel first run (vocabulary cache cold): {t:6.2f} s")
            times_ours: list[float] = []
            times_base: list[float] = []
            cpu_ours: list[float] = []
            cpu_base: list[float] = []
            peaks: list[int] = []
            for i in range(args.rounds):
                t_ours, out, peak = run(ours, env)
                cpu_ours.append(CPU[-1])
                t_base, out_base, _ = run(base, env)
                cpu_base.append(CPU[-1])
                tokens, ref = _analysis_tokens(out), int(out_base.strip())
                if tokens != ref:
                    print(f"MISMATCH: costmodel counted {tokens:,} tokens, the baseline {ref:,}")
                    return 1
                times_ours.append(t_ours)
                times_base.append(t_base)
                peaks.append(peak)
                print(
                    f"  round {i + 1}: costmodel {t_ours:6.2f} s   baseline {t_base:6.2f} s   "
                    f"ratio {t_base / t_ours:4.2f}x   CPU {cpu_ours[-1]:5.2f} s vs {cpu_base[-1]:5.2f} s   "
                    f"peak RSS {peak / 1024:5.0f} MB   load {os.getloadavg()[0]:.2f}"
                )
            med_ours, med_base = statistics.median(times_ours), statistics.median(times_base)
            ratio = med_base / med_ours
            target = targets.get(n)
            verdict = "" if target is None else f"(target >= {target}: {'met' if ratio >= target else 'NOT met'})"
            cpu_ratio = statistics.median(cpu_base) / statistics.median(cpu_ours)
            line = (
                f"{n:>7,} examples: costmodel {med_ours:6.2f} s, baseline {med_base:6.2f} s (medians of "
                f"{args.rounds}); ratio {ratio:.2f}x {verdict}; CPU-time ratio {cpu_ratio:.2f}x; "
                f"peak RSS {max(peaks) / 1024:.0f} MB "
                f"(target < 400 MB: {'met' if max(peaks) < 400 * 1024 else 'NOT met'}); {tokens:,} tokens, both agree"
            )
            print("  " + line)
            summary.append(line)
    print("\nSummary")
    for line in summary:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
