"""Memory on adversarial input (issue 14): peak RSS of analysis, launch and bench, against stated bounds.

Each case runs ``python -m costmodel ...`` as a child process and reads its peak resident set size
from ``os.wait4`` (on Linux the largest single process among the child and the descendants it
waited for, e.g. analysis workers), measured by a small launcher process so the figure is not
floored at this script's own size. The baseline is a plain ``python -c pass`` measured in the same
run, and ``python -c "import costmodel.cli; ..."`` (the interpreter with the CLI loaded) for scale.

Adversarial inputs (written to a temporary folder):
* analysis: a 15 MB line without a space, then 200,000 ordinary examples, plus /dev/zero and a FIFO;
* launch --dry-run: the same file, and a 100 MB file of ordinary examples (read whole, capped at 512 MB);
* bench: against the local fake chat server, --prompt-tokens at its limit (2,000,000) and a
  --dataset of 60 MB of prompts (cap 64 MiB); plus --prompt-tokens 100000000 (refused at parse time).

Bounds (stated here, printed with each figure): analysis 400 MB, launch 400 MB + 2 x the file,
bench 600 MB. Usage: python benchmarks/bench_hostile.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024
MODEL = "gpt-4o-mini-2024-07-18"


# A small launcher process forks and runs the command, then reports the child's peak RSS. Forking the
# command from this (large) process directly would floor every figure at this process's own size:
# Linux keeps the peak across exec, and a forked child starts with its parent's pages.
_LAUNCHER = """
import os, sys, json
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stdout.write(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]))
"""


def peak_rss(argv: list[str], env: dict[str, str], timeout: float = 600) -> tuple[int, float, int, str]:
    """(exit code, seconds, peak RSS in MB, last stderr line) of one command."""
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-S", "-c", _LAUNCHER, *argv],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - start
    code, max_kb = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return int(code), seconds, int(max_kb) // 1024, (lines[-1][:110] if lines else "")


def _example(i: int) -> str:
    return json.dumps(
        {
            "messages": [
                {"role": "system", "content": "You answer recipe questions briefly."},
                {"role": "user", "content": f"How long do I boil egg number {i}?"},
                {"role": "assistant", "content": "About six minutes, then cold water."},
            ]
        }
    )


def write_inputs(folder: Path, quick: bool) -> dict[str, Path]:
    n = 20_000 if quick else 200_000
    long_line = folder / "long_line.jsonl"
    with long_line.open("w") as f:
        word = "x" * (15 * 1_000_000)
        f.write(json.dumps({"messages": [{"role": "user", "content": word}, {"role": "assistant", "content": "y"}]}))
        f.write("\n")
        for i in range(n):
            f.write(_example(i) + "\n")
    big = folder / "big.jsonl"
    with big.open("w") as f:
        target = (10 if quick else 100) * MB
        i = 0
        while f.tell() < target:
            f.write(_example(i) + "\n")
            i += 1
    prompts = folder / "prompts.jsonl"
    with prompts.open("w") as f:
        target = (6 if quick else 60) * MB
        text = "Tell me about bread. " * 500
        while f.tell() < target:
            f.write(json.dumps({"messages": [{"role": "user", "content": text}]}) + "\n")
    fifo = folder / "fifo.jsonl"
    os.mkfifo(fifo)
    return {"long_line": long_line, "big": big, "prompts": prompts, "fifo": fifo}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller files (a smoke run)")
    opts = parser.parse_args()
    from costmodel.testing.fake_chat_server import FakeChatServer, ServerKnobs

    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_inputs(folder, opts.quick)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_"))}
        env.update(PYTHONPATH=str(ROOT), COSTMODEL_DB=str(folder / "store.sqlite3"))
        _, _, plain, _ = peak_rss([py, "-c", "pass"], env)
        _, _, loaded, _ = peak_rss([py, "-c", "import costmodel.cli; costmodel.cli.build_parser()"], env)
        print(f"baseline: plain python {plain} MB; python with the CLI parser built {loaded} MB")
        big_mb = files["big"].stat().st_size // MB
        prompts_mb = files["prompts"].stat().st_size // MB
        with FakeChatServer(ServerKnobs()) as srv:
            bench = [py, "-m", "costmodel", "bench", "--base-url", srv.base_url, "--model", "m", "--requests", "3",
                     "--warmup", "0", "--max-tokens", "8"]  # fmt: skip
            cases = [
                ("analysis", "15 MB word + lines", 400,
                 [py, "-m", "costmodel", "analyze", str(files["long_line"]), "-m", MODEL, "--workers", "2"]),
                ("analysis", "/dev/zero", 400, [py, "-m", "costmodel", "analyze", "/dev/zero", "-m", MODEL]),
                ("analysis", "a FIFO", 400, [py, "-m", "costmodel", "analyze", str(files["fifo"]), "-m", MODEL]),
                ("launch", "15 MB word + lines", 400 + 2 * 60,
                 [py, "-m", "costmodel", "launch", "--provider", "openai", "--dataset", str(files["long_line"]),
                  "--model", MODEL, "--dry-run"]),
                ("launch", f"{big_mb} MB file", 400 + 2 * big_mb,
                 [py, "-m", "costmodel", "launch", "--provider", "openai", "--dataset", str(files["big"]),
                  "--model", MODEL, "--dry-run"]),
                ("launch", "/dev/zero", 400,
                 [py, "-m", "costmodel", "launch", "--provider", "openai", "--dataset", "/dev/zero", "--model", MODEL,
                  "--dry-run"]),
                ("bench", "--prompt-tokens 2000000", 600, [*bench, "--prompt-tokens", "2000000"]),
                ("bench", "--prompt-tokens 100000000", 600, [*bench, "--prompt-tokens", "100000000"]),
                ("bench", f"{prompts_mb} MB --dataset", 600, [*bench, "--dataset", str(files["prompts"])]),
                ("bench", "/dev/urandom --dataset", 600, [*bench, "--dataset", "/dev/urandom"]),
            ]  # fmt: skip
            worst = 0.0
            print(f"{'what':<9} {'input':<26} {'exit':>4} {'sec':>6} {'peak MB':>8} {'bound':>6} {'x plain':>8}  note")
            for what, label, bound, argv in cases:
                code, seconds, peak, note = peak_rss(argv, env)
                worst = max(worst, peak / bound)
                flag = "" if peak <= bound else "  OVER THE BOUND"
                print(f"{what:<9} {label:<26} {code:>4} {seconds:>6.1f} {peak:>8} {bound:>6} {peak / plain:>8.1f}  "
                      f"{note}{flag}")  # fmt: skip
    print(f"worst peak / bound: {worst:.2f} ({'within' if worst <= 1 else 'ABOVE'} every bound)")
    return 0 if worst <= 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
