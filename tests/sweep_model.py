"""An independent model of the fake chat server with a capacity limit, for the goodput tests.

The server serves at most ``C`` requests at once, FIFO, each for ``S = ttft + (n - 1) * itl``
seconds. Under Poisson arrivals this is an M/D/C queue:

* saturation (the most it can complete per second): ``C / S`` (each of C slots finishes one
  request every S seconds);
* TTFT of a request = its wait for a slot + ``ttft``. The waits of one seeded schedule follow from
  the Kiefer-Wolfowitz recursion (each arrival takes the earliest free slot), computed here with a
  heap, so the goodput at a TTFT objective is the highest rate at which at least ``share`` of the
  step's requests wait at most ``limit - ttft``.

The arrival schedule is rebuilt from ``random.Random(seed).expovariate`` (the same Poisson process
the load generator uses: gaps ~ Exponential(rate), first arrival at 0), not imported from it.
"""

from __future__ import annotations

import heapq
import random


def unit_offsets(seed: int, count: int) -> list[float]:
    """Arrival offsets of a rate-1 Poisson process; at rate r they are these divided by r."""
    rng = random.Random(seed)
    out = [0.0]
    t = 0.0
    while len(out) < count:
        t += rng.expovariate(1.0)
        out.append(t)
    return out


def arrivals(rate: float, seed: int, duration_s: float) -> list[float]:
    # expovariate(rate) == expovariate(1) / rate for the same random() draws
    return [o / rate for o in unit_offsets(seed, int(rate * duration_s * 3) + 50) if o / rate < duration_s]


def waits(rate: float, *, slots: int, service_s: float, seed: int, duration_s: float) -> list[float]:
    free = [0.0] * slots
    out: list[float] = []
    for a in arrivals(rate, seed, duration_s):
        earliest = heapq.heappop(free)
        start = max(a, earliest)
        heapq.heappush(free, start + service_s)
        out.append(start - a)
    return out


def share_within(rate: float, max_wait_s: float, **kw: float | int) -> float:
    w = waits(rate, **kw)  # type: ignore[arg-type]
    return sum(1 for x in w if x <= max_wait_s) / len(w)


def goodput_rate(
    *,
    slots: int,
    service_s: float,
    max_wait_s: float,
    share: float,
    seed: int,
    step_s: float,
    min_requests: int,
) -> float:
    """The rate at which the share of requests waiting at most ``max_wait_s`` falls to ``share``."""
    lo, hi = 0.01, 10 * slots / service_s
    for _ in range(60):
        mid = (lo + hi) / 2
        dur = max(step_s, min_requests / mid)
        if share_within(mid, max_wait_s, slots=slots, service_s=service_s, seed=seed, duration_s=dur) >= share:
            lo = mid
        else:
            hi = mid
    return lo
