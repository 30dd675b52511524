"""Load generation: closed loop (fixed concurrency) and open loop (seeded Poisson arrivals).

The generator does not know about HTTP: it calls an injected ``send(seq, warmup, t_sched_ns)``
coroutine that returns a :class:`~costmodel.latency.metrics.RequestRecord`, and hands every
finished record to ``on_record`` at once (the store writes it there, so a killed run keeps every
request that finished).

* **Closed loop** (``rate is None``): ``concurrency`` workers; each sends its next request as soon
  as its previous one finished. Warm-up requests go through the same workers, so they respect the
  concurrency cap and warm the connection pool. ``ramp_up_s`` staggers the workers' first measured
  requests over that many seconds (all at once by default: the worst case for the client, which
  then builds every request in the same instant).
* **Open loop** (``rate`` requests/s): arrival times from a seeded Poisson process (exponential gaps,
  mean ``1/rate``); each request is sent at its scheduled time whatever happens to the others,
  optionally capped by ``concurrency``. The scheduled time is recorded, so client-side queueing
  (``t0 - t_sched``) is visible. Warm-up requests run first, closed-loop, before the schedule starts.

Stop after ``requests`` measured requests, or after ``duration_s`` seconds of measurement (no new
request starts after that; those in flight finish).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator

from pydantic import BaseModel, ConfigDict, Field, model_validator

from costmodel.latency.metrics import NS_PER_S, RequestRecord

__all__ = ["LoadPlan", "SendFn", "poisson_offsets_ns", "run_load"]

SendFn = Callable[[int, bool, "int | None"], Awaitable[RequestRecord]]


class LoadPlan(BaseModel):
    """How much load, and how it arrives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    concurrency: int | None = Field(None, ge=1, le=4096)  # closed loop: workers; open loop: optional cap
    rate: float | None = Field(None, gt=0)  # requests per second (open loop)
    seed: int = 42
    requests: int | None = Field(None, ge=1)
    duration_s: float | None = Field(None, gt=0)
    warmup: int = Field(0, ge=0)
    ramp_up_s: float = Field(0.0, ge=0)  # closed loop: worker i starts i/workers of this later

    @model_validator(mode="after")
    def _one_stop_rule(self) -> LoadPlan:
        if self.requests is not None and self.duration_s is not None:
            raise ValueError("give either requests or duration_s, not both")
        if self.requests is None and self.duration_s is None:
            raise ValueError("give requests or duration_s")
        return self

    @property
    def workers(self) -> int:
        """Closed-loop workers (1 when unset)."""
        return self.concurrency or 1

    def describe(self) -> str:
        stop = f"{self.requests} requests" if self.requests is not None else f"{self.duration_s} s"
        if self.rate is None:
            load = f"closed loop, concurrency {self.workers}" + (
                f", ramp-up {self.ramp_up_s} s" if self.ramp_up_s else ""
            )
        else:
            cap = f", cap {self.concurrency}" if self.concurrency else ""
            load = f"Poisson {self.rate}/s seed {self.seed}{cap}"
        return f"{load}, {stop}, {self.warmup} warm-up"


def poisson_offsets_ns(rate: float, seed: int) -> Iterator[int]:
    """Arrival offsets (ns from the schedule's start) of a Poisson process: gaps ~ Exponential(rate).

    The first arrival is at 0. Same seed, same schedule.

    >>> offs = poisson_offsets_ns(10.0, 42)
    >>> [next(offs) for _ in range(3)][0]
    0
    """
    rng = random.Random(seed)
    t = 0.0
    yield 0
    while True:
        t += rng.expovariate(rate)
        yield round(t * NS_PER_S)


async def _sleep_until(clock: Callable[[], int], deadline_ns: int) -> None:
    delay = (deadline_ns - clock()) / NS_PER_S
    if delay > 0:
        await asyncio.sleep(delay)


async def run_load(
    plan: LoadPlan,
    send: SendFn,
    *,
    clock: Callable[[], int],
    on_record: Callable[[RequestRecord], None],
    after_warmup: Callable[[], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> None:
    """Drive ``send`` according to ``plan``; ``on_record`` receives each record as it finishes.

    ``after_warmup`` runs once between the warm-up and the measured requests (nothing in flight).
    ``stop``, when it returns true, ends the measurement early: no new request starts (those in
    flight finish). A goodput sweep uses it to abandon a step whose objective is already broken.
    """
    next_seq = 0

    def take() -> int:
        nonlocal next_seq
        seq = next_seq
        next_seq += 1
        return seq

    # Warm-up: closed loop through at most `workers` concurrent requests, records flagged warmup.
    if plan.warmup:
        warm_left = plan.warmup

        async def warm_worker() -> None:
            nonlocal warm_left
            while warm_left > 0:
                warm_left -= 1
                on_record(await send(take(), True, None))

        async with asyncio.TaskGroup() as tg:
            for _ in range(min(plan.workers, plan.warmup)):
                tg.create_task(warm_worker())

    if after_warmup is not None:
        after_warmup()
    start = clock()
    deadline = start + round(plan.duration_s * NS_PER_S) if plan.duration_s is not None else None
    limit = plan.warmup + plan.requests if plan.requests is not None else None

    def more() -> bool:
        if limit is not None and next_seq >= limit:
            return False
        if stop is not None and stop():
            return False
        return deadline is None or clock() < deadline

    if plan.rate is None:

        async def worker(i: int) -> None:
            if plan.ramp_up_s:
                await asyncio.sleep(i * plan.ramp_up_s / plan.workers)
            while more():
                on_record(await send(take(), False, None))

        async with asyncio.TaskGroup() as tg:
            for i in range(plan.workers):
                tg.create_task(worker(i))
        return

    cap = asyncio.Semaphore(plan.concurrency) if plan.concurrency else None

    async def fire(seq: int, t_sched: int) -> None:
        if cap is None:
            on_record(await send(seq, False, t_sched))
            return
        async with cap:
            on_record(await send(seq, False, t_sched))

    offsets = poisson_offsets_ns(plan.rate, plan.seed)
    async with asyncio.TaskGroup() as tg:
        for offset in offsets:
            t_sched = start + offset
            if limit is not None and next_seq >= limit:
                break
            if deadline is not None and t_sched >= deadline:
                break
            await _sleep_until(clock, t_sched)
            if stop is not None and stop():
                break
            tg.create_task(fire(take(), t_sched))
