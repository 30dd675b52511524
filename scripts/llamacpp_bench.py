"""Benchmark a real inference server on this machine: llama-cpp-python + a tiny random-weight GGUF.

    .venv/bin/pip install 'llama-cpp-python[server]' gguf     # compiles llama.cpp: minutes
    python scripts/llamacpp_bench.py [--n-embd 512 --n-layer 4] [--requests 20] [--max-tokens 64]
    python scripts/llamacpp_bench.py --sweep "ttft:1000 @p90" [--sweep-step 8] [--sweep-start 0.5]

Writes the model with the ``gguf`` package (no download), starts ``python -m llama_cpp.server``
on 127.0.0.1 with ``--interrupt_requests False``, then runs ``costmodel bench`` against it at
concurrency 1 and 4 with EOS suppressed (``logit_bias {"2": -100}``) so every answer is
``max_tokens`` long. It prints each run's summary and what the streams looked like: chunks per
request, chunks with text, tokens (from the length cap: llama-cpp-python sends no usage), and a
non-streaming cross-check of ``usage.completion_tokens``.

With ``--sweep OBJECTIVE`` it then runs ``costmodel bench sweep`` against the same server (open-loop
Poisson steps, coarse then bisection) and prints every step, the goodput (the knee) and the
saturation point.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from costmodel.testing.llamacpp import llamacpp_available, llamacpp_server  # noqa: E402
from costmodel.testing.tiny_gguf import EOS_TOKEN_ID, write_tiny_llama_gguf  # noqa: E402


def bench(base_url: str, model: str, db: Path, concurrency: int, requests: int, max_tokens: int) -> dict[str, object]:
    cmd = [
        sys.executable,
        "-m",
        "costmodel",
        "bench",
        "--base-url",
        base_url,
        "--model",
        model,
        "--concurrency",
        str(concurrency),
        "--requests",
        str(requests),
        "--warmup",
        "2",
        "--max-tokens",
        str(max_tokens),
        "--prompt-tokens",
        "64",
        "--extra-body",
        json.dumps({"logit_bias": {str(EOS_TOKEN_ID): -100}}),
        "--db",
        str(db),
        "--label",
        f"llama.cpp tiny c={concurrency}",
        "--json",
    ]
    out = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"costmodel bench failed ({out.returncode}): {out.stderr}")
    result: dict[str, object] = json.loads(out.stdout)
    return result


def sweep(base_url: str, model: str, db: Path, args: argparse.Namespace) -> dict[str, object]:
    cmd = [
        sys.executable, "-m", "costmodel", "bench", "sweep", "--base-url", base_url, "--model", model,
        "--max-tokens", str(args.max_tokens), "--prompt-tokens", "64",
        "--extra-body", json.dumps({"logit_bias": {str(EOS_TOKEN_ID): -100}}),
        "--slo", args.sweep, "--start-rate", str(args.sweep_start), "--step-duration", str(args.sweep_step),
        "--min-step-requests", "8", "--tolerance", "0.1", "--max-steps", "12", "--warmup", "2",
        "--timeout-read", "120", "--db", str(db), "--label", "llama.cpp tiny sweep", "--json",
    ]  # fmt: skip
    out = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"costmodel bench sweep failed ({out.returncode}): {out.stderr}")
    result: dict[str, object] = json.loads(out.stdout)
    return result


def chunk_report(db: Path, run_id: str) -> str:
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT chunks, content_times_ns, output_tokens, tokens_source, finish_reason, ttft_ms, e2e_ms"
        " FROM latency_requests WHERE run_id = ? AND warmup = 0",
        (run_id,),
    ).fetchall()
    conn.close()
    chunks = [r[0] for r in rows]
    content = [len(json.loads(r[1])) for r in rows]
    tokens = [r[2] for r in rows]
    sources = sorted({r[3] for r in rows})
    finishes = sorted({str(r[4]) for r in rows})
    bursts = sum(1 for r in rows if r[5] and r[6] and (r[6] - r[5]) < 0.1 * r[6])
    return (
        f"  per request: chunks {min(chunks)}-{max(chunks)}, chunks with text {min(content)}-{max(content)},"
        f" tokens {min(tokens)}-{max(tokens)} (source {', '.join(sources)}), finish_reason {', '.join(finishes)},"
        f" burst deliveries {bursts}/{len(rows)}"
    )


def non_streaming_usage(base_url: str, model: str, max_tokens: int) -> object:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": "count the tokens"}],
        "max_tokens": max_tokens,
        "logit_bias": {str(EOS_TOKEN_ID): -100},
    }
    req = urllib.request.Request(
        base_url + "/chat/completions", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=120) as resp:
        return json.load(resp).get("usage")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-embd", type=int, default=512)
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--db", type=Path, default=None, help="store (default: a temporary file)")
    ap.add_argument("--sweep", help="also run a goodput sweep with this objective, e.g. 'ttft:1000 @p90'")
    ap.add_argument("--sweep-start", type=float, default=0.5, help="sweep: first rate, req/s")
    ap.add_argument("--sweep-step", type=float, default=8.0, help="sweep: seconds per step")
    ap.add_argument("--skip-closed-loop", action="store_true", help="only the sweep")
    args = ap.parse_args()
    if not llamacpp_available():
        print("llama-cpp-python[server] and gguf are not installed: pip install 'llama-cpp-python[server]' gguf")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        model_path = write_tiny_llama_gguf(
            Path(tmp) / "tiny.gguf", n_embd=args.n_embd, n_layer=args.n_layer, n_head=8, n_ff=args.n_embd * 8 // 3
        )
        print(
            f"model: {model_path.stat().st_size / 1e6:.1f} MB, {args.n_embd}-dim, {args.n_layer} layers, random weights"
        )
        db = args.db or Path(tmp) / "bench.sqlite3"
        with llamacpp_server(model_path, log_path=Path(tmp) / "server.log") as (base_url, model):
            print(f"server: {base_url} (model id {model})")
            usage = non_streaming_usage(base_url, model, args.max_tokens)
            print(f"non-streaming cross-check, max_tokens {args.max_tokens}: usage {usage}")
            for conc in () if args.skip_closed_loop else (1, 4):
                s = bench(base_url, model, db, conc, args.requests, args.max_tokens)
                print(
                    f"concurrency {conc}: run {s['run_id']}, {s['requests']} requests, {s['errors']} errors;"
                    f" TTFT p50/p95 {s['ttft_ms']['p50']:.1f}/{s['ttft_ms']['p95']:.1f} ms;"  # type: ignore[index]
                    f" TPOT p50/p95 {s['tpot_ms']['p50']:.2f}/{s['tpot_ms']['p95']:.2f} ms;"  # type: ignore[index]
                    f" E2E p50/p95 {s['e2e_ms']['p50']:.1f}/{s['e2e_ms']['p95']:.1f} ms;"  # type: ignore[index]
                    f" output {s['output_throughput_tps']:.0f} tok/s"
                )
                print(chunk_report(db, str(s["run_id"])))
            if args.sweep:
                r = sweep(base_url, model, db, args)
                print(f"sweep {r['sweep_id']}: objective {r['slo_text']}")
                for st in r["steps"]:  # type: ignore[attr-defined]
                    print(
                        f"  step {st['index']}: offered {st['rate_rps']:.3g} req/s, achieved"
                        f" {st['achieved_rps'] or 0:.3g}, n {st['requests']}, errors {st['errors']},"
                        f" TTFT p50/p95 {st['ttft_p50_ms'] or 0:.0f}/{st['ttft_p95_ms'] or 0:.0f} ms,"
                        f" E2E p95 {st['e2e_p95_ms'] or 0:.0f} ms, good {st['share_meeting'] or 0:.0%}"
                        f" -> {'meets' if st['meets_objective'] else 'fails'}"
                    )
                print(
                    f"knee (goodput): {r['goodput_rps']} req/s, {r['goodput_output_tokens_per_s']} output tok/s;"
                    f" saturation {r['saturation_rps']} req/s ({r['saturation_output_tokens_per_s']} tok/s);"
                    f" stopped: {r['stop_reason']}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
