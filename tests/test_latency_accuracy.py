"""Measured TTFT and TPOT against the delays the fake server injects.

The server runs in its own process so its threads do not share this process's GIL. Margins are
generous because the machine's cores are shared with other work (a busy neighbour adds tens of
milliseconds at concurrency 32); ``benchmarks/bench_latency.py`` prints the exact errors and
splits them into send path, server lateness and receive path. Targets from the issue: median
error under 2 ms at concurrency 1, p95 under 10 ms at 32. What the tests pin hard is the sign:
measured TTFT is never below the injected delay, which it would be (by ~TTFT) if the role-only or
Azure filter event sent at once were taken as the first token.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from costmodel.latency.client import EndpointConfig
from costmodel.latency.load import LoadPlan
from costmodel.latency.metrics import percentile, request_metrics
from costmodel.latency.runner import BenchConfig, run_benchmark
from costmodel.testing import ServerKnobs, start_subprocess_server

# Timing measurements: slow, and never two at once (tests/conftest.py: XDIST_GROUPS).
pytestmark = [pytest.mark.slow, pytest.mark.timing]

TTFT_MS = 120.0
ITL_MS = 15.0
TOKENS = 12


def errors(concurrency: int, requests: int, tmp_path: Path, ramp_up_s: float = 0.0) -> tuple[list[float], list[float]]:
    # role-only event before the delay: TTFT must skip it, or the error would be ~TTFT_MS
    knobs = ServerKnobs(ttft_ms=TTFT_MS, itl_ms=ITL_MS, role_chunk="before", azure_filter_chunk=True)
    with start_subprocess_server(knobs) as url:
        cfg = BenchConfig(
            endpoint=EndpointConfig(base_url=url, model="m"),
            load=LoadPlan(concurrency=concurrency, requests=requests, warmup=concurrency, ramp_up_s=ramp_up_s),
            max_tokens=TOKENS,
            prompt_tokens=32,
        )
        result = run_benchmark(cfg, api_key="k", db_path=tmp_path / "acc.sqlite3")
    assert result.summary.errors == 0
    ms = [request_metrics(r) for r in result.records if not r.warmup]
    ttft_err = [m.ttft_ms - TTFT_MS for m in ms if m.ttft_ms is not None]
    # one token per event, events ITL_MS apart: TPOT = ITL_MS exactly
    tpot_err = [m.tpot_ms - ITL_MS for m in ms if m.tpot_ms is not None]
    assert min(ttft_err) > -1.0, ttft_err  # never earlier than the truth (same monotonic clock, 1 ms slack)
    assert len(ttft_err) == len(tpot_err) == requests
    return ttft_err, tpot_err


def test_concurrency_1_median_error(tmp_path: Path) -> None:
    ttft_err, tpot_err = errors(1, 12, tmp_path)
    shown = f"TTFT errors {sorted(round(e, 2) for e in ttft_err)}, TPOT errors {sorted(round(e, 3) for e in tpot_err)}"
    assert percentile(ttft_err, 50) < 10.0, shown  # target 2 ms
    assert percentile([abs(e) for e in tpot_err], 50) < 1.0, shown


def test_concurrency_32_p95_error(tmp_path: Path) -> None:
    # workers staggered over one request's duration, as a real service's jitter would spread them
    ttft_err, tpot_err = errors(32, 64, tmp_path, ramp_up_s=(TTFT_MS + (TOKENS - 1) * ITL_MS) / 1000)
    shown = f"TTFT errors {sorted(round(e, 1) for e in ttft_err)}, TPOT errors {sorted(round(e, 2) for e in tpot_err)}"
    assert percentile(ttft_err, 95) < 100.0, shown  # target 10 ms
    assert percentile([abs(e) for e in tpot_err], 95) < 15.0, shown  # target 10 ms
