"""Load generators with a fake send: concurrency caps, warm-up, request counts, ramp-up, schedules."""

from __future__ import annotations

import asyncio
import time

import pytest

from costmodel.latency.load import LoadPlan, poisson_offsets_ns, run_load
from costmodel.latency.metrics import RequestRecord


def drive(plan: LoadPlan, service_s: float = 0.005) -> tuple[list[RequestRecord], int, list[int]]:
    in_flight = 0
    peak = 0
    starts: list[int] = []
    out: list[RequestRecord] = []

    async def send(seq: int, warmup: bool, t_sched: int | None) -> RequestRecord:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        t0 = time.perf_counter_ns()
        if not warmup:
            starts.append(t0)
        await asyncio.sleep(service_s)
        in_flight -= 1
        return RequestRecord(seq=seq, t0_ns=t0, warmup=warmup, t_sched_ns=t_sched)

    asyncio.run(run_load(plan, send, clock=time.perf_counter_ns, on_record=out.append))
    return out, peak, starts


def test_closed_loop_counts_and_cap() -> None:
    out, peak, _ = drive(LoadPlan(concurrency=4, requests=20, warmup=3))
    assert len(out) == 23 and sorted(r.seq for r in out) == list(range(23))
    assert [r.seq for r in out if r.warmup] == [0, 1, 2]
    assert peak == 4


def test_warmup_respects_the_cap() -> None:
    _, peak, _ = drive(LoadPlan(concurrency=2, requests=1, warmup=10))
    assert peak == 2


def test_duration_stops_new_requests() -> None:
    out, _, _ = drive(LoadPlan(concurrency=2, duration_s=0.1), service_s=0.02)
    # 2 workers x 0.1 s / 0.02 s = ~10 requests (timer slack allowed), never unbounded
    assert 6 <= len(out) <= 14


@pytest.mark.timing
def test_ramp_up_staggers_first_requests() -> None:
    _, _, starts = drive(LoadPlan(concurrency=4, requests=4, ramp_up_s=0.2), service_s=0.5)
    gaps = [(b - a) / 1e9 for a, b in zip(sorted(starts), sorted(starts)[1:], strict=False)]
    assert all(g >= 0.045 for g in gaps)  # 0.2 s / 4 workers = 0.05 s apart


def test_open_loop_follows_the_seeded_schedule() -> None:
    plan = LoadPlan(rate=100.0, seed=5, requests=15)
    out, _, _ = drive(plan, service_s=0.001)
    measured = sorted((r for r in out if not r.warmup), key=lambda r: r.seq)
    start = measured[0].t_sched_ns
    assert start is not None
    offsets = poisson_offsets_ns(100.0, 5)
    expected = [next(offsets) for _ in range(15)]
    assert [r.t_sched_ns - start for r in measured] == expected  # type: ignore[operator]
    assert all(r.t0_ns >= r.t_sched_ns for r in measured)  # type: ignore[operator]


def test_after_warmup_runs_once_between_the_phases() -> None:
    events: list[str] = []

    async def send(seq: int, warmup: bool, t_sched: int | None) -> RequestRecord:
        events.append("warm" if warmup else "measured")
        await asyncio.sleep(0)
        return RequestRecord(seq=seq, t0_ns=0, warmup=warmup)

    plan = LoadPlan(concurrency=2, requests=3, warmup=2)
    asyncio.run(
        run_load(
            plan, send, clock=time.perf_counter_ns, on_record=lambda r: None, after_warmup=lambda: events.append("hook")
        )
    )
    assert events == ["warm", "warm", "hook", "measured", "measured", "measured"]
