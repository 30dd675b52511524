"""The latency client's own cost and timing error, against the local fake server.

    PYTHONPATH=. python benchmarks/bench_latency.py [--quick]

Two parts, each with a baseline run in the same process: a bare httpx2 streaming client that
parses the SSE events itself (no openai SDK, no store), so the ratio shows what the SDK-based
client and its per-request SQLite write cost. Both run with the cyclic GC quieted
(:func:`costmodel.latency.runner.quiet_gc`), as ``costmodel bench`` does.

1. **Throughput with tiny responses** (1 output token, no injected delay): the highest sustained
   request rate of the closed-loop client at a few concurrencies, and its CPU time per request.
   The fake server runs in a separate process; it can be the bottleneck (it is pure Python), so
   the client's CPU per request is printed too: ``1000 / cpu_ms`` is the client's ceiling per core.
2. **Timing error against the injected truth** at concurrency 1, 8, 32 and 64: the server holds the
   first content event for ``TTFT`` and spaces events ``ITL`` apart (one token each), so measured
   TTFT - TTFT and TPOT - ITL are the errors. Targets: median TTFT error < 2 ms at concurrency 1,
   p95 < 10 ms at 32.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from costmodel.latency.client import EndpointConfig, make_client, stream_chat
from costmodel.latency.load import LoadPlan, run_load
from costmodel.latency.metrics import RequestRecord, percentile, request_metrics
from costmodel.latency.runner import BenchConfig, quiet_gc, run_benchmark
from costmodel.testing import ServerKnobs, start_subprocess_server

TTFT_MS = 100.0
ITL_MS = 20.0
TOKENS = 16


async def raw_client(url: str, concurrency: int, requests: int, max_tokens: int) -> list[tuple[float, float, int]]:
    """Baseline: httpx2 + a minimal SSE parser. Returns (ttft_ms, e2e_ms, content events) per request."""
    body = {"model": "m", "max_tokens": max_tokens, "stream": True}
    out: list[tuple[float, float, int]] = []
    left = requests
    async with httpx2.AsyncClient(limits=httpx2.Limits(max_connections=concurrency + 4), timeout=60) as client:

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                payload = {**body, "messages": [{"role": "user", "content": f"r{left}"}]}
                t0 = time.perf_counter_ns()
                first = last = 0
                n = 0
                buf = b""
                async with client.stream("POST", url + "/chat/completions", json=payload) as resp:
                    async for data in resp.aiter_bytes():
                        now = time.perf_counter_ns()
                        buf += data
                        *events, buf = buf.split(b"\n\n")
                        for ev in events:
                            if not ev.startswith(b"data: ") or ev == b"data: [DONE]":
                                continue
                            choices = json.loads(ev[6:]).get("choices") or []
                            if any((c.get("delta") or {}).get("content") for c in choices):
                                first = first or now
                                last = now
                                n += 1
                out.append(((first - t0) / 1e6, (last - t0) / 1e6, n))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return out


def sdk_run(url: str, db: Path, concurrency: int, requests: int, max_tokens: int) -> tuple[list, float, float]:  # type: ignore[type-arg]
    cfg = BenchConfig(
        endpoint=EndpointConfig(base_url=url, model="m"),
        load=LoadPlan(concurrency=concurrency, requests=requests, warmup=concurrency),
        max_tokens=max_tokens,
        prompt_tokens=16,
    )
    cpu0 = time.process_time()
    result = run_benchmark(cfg, api_key="local", db_path=db)
    cpu = time.process_time() - cpu0
    if result.summary.errors:
        print(f"  !! {result.summary.errors} errors: {result.summary.outcomes}")
    total = requests + concurrency
    return [r for r in result.records if not r.warmup], result.summary.request_throughput_rps or 0.0, cpu * 1000 / total


def part1(quick: bool, db: Path) -> None:
    print("== 1. client cost: tiny responses (1 token, no injected delay), closed loop")
    n = 300 if quick else 1000
    with start_subprocess_server(ServerKnobs(ttft_ms=0, itl_ms=0, role_chunk="with_first")) as url:
        asyncio.run(raw_client(url, 4, 50, 1))  # warm the server
        for conc in (1, 8, 32):
            _, rps, cpu_ms = sdk_run(url, db, conc, n, 1)
            cpu0, t0 = time.process_time(), time.perf_counter()
            with quiet_gc():
                asyncio.run(raw_client(url, conc, n, 1))
            raw_s = time.perf_counter() - t0
            raw_cpu = (time.process_time() - cpu0) * 1000 / n
            raw_rps = n / raw_s
            print(
                f"  concurrency {conc:>2}: costmodel client {rps:7.0f} req/s, {cpu_ms:.2f} ms CPU/request"
                f" (ceiling ~{1000 / cpu_ms:,.0f} req/s per core) | bare httpx2 baseline {raw_rps:7.0f} req/s,"
                f" {raw_cpu:.2f} ms CPU/request | ratio {rps / raw_rps:.2f}x rate, {cpu_ms / raw_cpu:.2f}x CPU"
            )


def stats_line(name: str, errs: list[float]) -> str:
    absolute = [abs(e) for e in errs]
    return (
        f"{name} error ms: median {percentile(errs, 50):+.2f} (|.| {percentile(absolute, 50):.2f}),"
        f" p95 |.| {percentile(absolute, 95):.2f}, max |.| {max(absolute):.2f}"
    )


async def sdk_timed(
    url: str, concurrency: int, requests: int, ramp_up_s: float = 0.0
) -> list[tuple[RequestRecord, int, int]]:
    """The costmodel client (SDK, absolute perf_counter_ns clock) in a closed loop, with each
    request's server-side arrival and first-content send time read from the fake's diagnostics."""
    client = make_client(EndpointConfig(base_url=url, model="m"), "local", max_connections=concurrency + 4)
    out: list[tuple[RequestRecord, int, int]] = []
    try:

        async def send(seq: int, warmup: bool, t_sched: int | None) -> RequestRecord:
            seen: dict[str, int] = {}

            def tap(chunk: Any, now: int) -> None:
                extra = chunk
                if "x_fake_sent_ns" in extra and "sent" not in seen:
                    seen["sent"] = int(extra["x_fake_sent_ns"])
                    seen["arrival"] = int(extra["x_fake_arrival_ns"])

            rec = await stream_chat(
                client,
                model="m",
                messages=[{"role": "user", "content": f"request {seq}"}],
                max_tokens=TOKENS,
                seq=seq,
                warmup=warmup,
                on_chunk=tap,
            )
            if not warmup and "sent" in seen:
                out.append((rec, seen["arrival"], seen["sent"]))
            return rec

        plan = LoadPlan(concurrency=concurrency, requests=requests, warmup=concurrency, ramp_up_s=ramp_up_s)
        with quiet_gc():
            await run_load(plan, send, clock=time.perf_counter_ns, on_record=lambda rec: None, after_warmup=gc.freeze)
    finally:
        await client.close()
    return out


def part2(quick: bool, db: Path) -> None:
    print(f"== 2. timing error against injected truth: TTFT {TTFT_MS} ms, {TOKENS} tokens {ITL_MS} ms apart")
    print("   (TTFT error = send path [t0 -> server read the request line] + server lateness [first content")
    print("    event left the server after arrival + TTFT] + receive path [left the server -> client timestamp])")
    knobs = ServerKnobs(ttft_ms=TTFT_MS, itl_ms=ITL_MS, role_chunk="before", azure_filter_chunk=True)
    with start_subprocess_server(knobs) as url:
        one_request_s = (TTFT_MS + (TOKENS - 1) * ITL_MS) / 1000
        for conc, ramp in ((1, 0.0), (8, 0.0), (32, 0.0), (64, 0.0), (32, one_request_s), (64, one_request_s)):
            n = max(20, conc * (2 if quick else 3))
            timed = asyncio.run(sdk_timed(url, conc, n, ramp))
            ms = [request_metrics(r) for r, _, _ in timed]
            ttft = [m.ttft_ms - TTFT_MS for m in ms if m.ttft_ms is not None]
            tpot = [m.tpot_ms - ITL_MS for m in ms if m.tpot_ms is not None]
            send_path = [(arr - r.t0_ns) / 1e6 for r, arr, _ in timed]
            late = [(sent - arr) / 1e6 - TTFT_MS for _, arr, sent in timed]
            recv = [(r.t_first_ns - sent) / 1e6 for r, _, sent in timed if r.t_first_ns is not None]
            with quiet_gc():
                raw = asyncio.run(raw_client(url, conc, n, TOKENS))
            raw_ttft = [t - TTFT_MS for t, _, _ in raw]
            raw_tpot = [(e - t) / (k - 1) - ITL_MS for t, e, k in raw if k > 1]
            how = f"workers staggered over {ramp:.2f} s (one request)" if ramp else "all workers start together"
            print(f"  concurrency {conc:>2}, {len(ms)} requests, errors {sum(not m.ok for m in ms)}; {how}")
            print(f"    costmodel client: {stats_line('TTFT', ttft)}; {stats_line('TPOT', tpot)}")
            sp50, sp95 = percentile(send_path, 50), percentile(send_path, 95)
            print(
                f"      split (median / p95 ms): send path {sp50:.2f} / {sp95:.2f},"
                f" server lateness {percentile(late, 50):.2f} / {percentile(late, 95):.2f},"
                f" receive path {percentile(recv, 50):.2f} / {percentile(recv, 95):.2f}"
            )
            print(f"    bare httpx2     : {stats_line('TTFT', raw_ttft)}; {stats_line('TPOT', raw_tpot)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer requests")
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        part1(args.quick, db)
        part2(args.quick, db)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
