"""The traffic profile of a log, accumulated one record at a time in bounded memory (pure).

Memory does not grow with the number of records: token counts are kept as value -> count tables
(as many entries as distinct token counts), requests per calendar day as date -> count, and a
fixed-size seeded reservoir of (input, output) pairs for replay.

Definitions (documented in the README's traffic section):

* ``requests_per_day`` = requests / the number of distinct UTC calendar days that have records
  (a log of three full days and one hour of a fourth counts four days: cut logs at midnight);
  ``None`` when no record has a time;
* token distributions: mean, p50, p95 (linear interpolation between closest ranks, as
  :func:`costmodel.latency.metrics.percentile`) and max of input (cached included), cached and
  output tokens per request;
* ``cached_share`` = all cached tokens / all input tokens;
* ``hourly_share[h]`` = share of the requests that started in UTC hour ``h`` (all days pooled);
  ``peak_to_average`` = the busiest hour's requests / the mean hour's (``max(hourly) * 24``).

>>> acc = TrafficAccumulator()
>>> from costmodel.traffic.records import UsageRecord
>>> for ts, i, o in [(0, 100, 10), (3600, 300, 30), (3700, 200, 20)]:
...     acc.add(UsageRecord(ts=ts, input_tokens=i, cached_tokens=0, output_tokens=o))
>>> p = acc.profile(source="x", fmt="csv")
>>> (p.requests, p.days, p.requests_per_day, p.input_tokens.mean, p.input_tokens.p50, p.peak_to_average)
(3, 1, Decimal('3'), 200.0, 200.0, 16.0)
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from costmodel.traffic.records import UsageRecord

__all__ = ["Distribution", "TrafficAccumulator", "TrafficProfile", "percentile_of_counts"]

SAMPLE_SIZE = 1000


def percentile_of_counts(counts: Counter[int], q: float) -> float:
    """The ``q``-th percentile of a multiset given as value -> count (linear interpolation).

    >>> percentile_of_counts(Counter({10: 1, 20: 1, 30: 1, 40: 1}), 50)
    25.0
    >>> percentile_of_counts(Counter({0: 1, 10: 1}), 95)
    9.5
    """
    n = sum(counts.values())
    if n == 0:
        raise ValueError("percentile of no values")
    pos = (n - 1) * q / 100
    lo_rank = int(pos)
    frac = pos - lo_rank
    lo_val: int | None = None
    hi_val: int | None = None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if lo_val is None and seen > lo_rank:
            lo_val = value
        if seen > lo_rank + 1 or (seen > lo_rank and lo_rank + 1 >= n):
            hi_val = value
            break
    assert lo_val is not None and hi_val is not None
    return lo_val + (hi_val - lo_val) * frac


class Distribution(BaseModel):
    """Tokens per request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mean: float
    p50: float
    p95: float
    max: int


def _distribution(counts: Counter[int]) -> Distribution:
    n = sum(counts.values())
    total = sum(v * c for v, c in counts.items())
    return Distribution(
        mean=total / n,
        p50=percentile_of_counts(counts, 50),
        p95=percentile_of_counts(counts, 95),
        max=max(counts),
    )


class TrafficProfile(BaseModel):
    """What a log says about the traffic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    format: str
    requests: int
    skipped: int = 0  # malformed records (reported by line)
    not_requests: int = 0  # valid lines that are no request (plain spans, failed batch lines)
    days: int | None
    first_utc: str | None
    last_utc: str | None
    requests_per_day: Decimal | None
    input_tokens: Distribution
    cached_tokens: Distribution
    output_tokens: Distribution
    cached_share: Decimal
    hourly_share: tuple[float, ...] | None
    peak_to_average: float | None
    samples: tuple[tuple[int, int], ...]  # (input, output) pairs for replay
    notes: tuple[str, ...] = ()

    def traffic_section(self) -> dict[str, Any]:
        """The scenario ``traffic:`` keys (the engine's per-request shape), means rounded to tokens."""
        section: dict[str, Any] = {}
        if self.requests_per_day is not None:
            section["requests_per_day"] = self.requests_per_day
        section["input_tokens_per_request"] = round(self.input_tokens.mean)
        section["output_tokens_per_request"] = round(self.output_tokens.mean)
        section["cached_share"] = self.cached_share
        return section

    def peak_rate_rps(self) -> float | None:
        """Requests per second in the busiest hour of an average day."""
        if self.requests_per_day is None or self.hourly_share is None:
            return None
        return float(self.requests_per_day) * max(self.hourly_share) / 3600


class TrafficAccumulator:
    """Add records one at a time; :meth:`profile` summarises. Memory is bounded (see the module)."""

    def __init__(self, seed: int = 0) -> None:
        self.inputs: Counter[int] = Counter()
        self.cached: Counter[int] = Counter()
        self.outputs: Counter[int] = Counter()
        self.per_epoch_hour: Counter[int] = Counter()  # requests per UTC hour since the epoch
        self.requests = 0
        self.timed = 0
        self.sum_input = 0
        self.sum_cached = 0
        self.first: float | None = None
        self.last: float | None = None
        self.weighted = False
        self._rng = random.Random(seed)
        self._sample: list[tuple[int, int]] = []
        self._seen = 0

    def add(self, rec: UsageRecord) -> None:
        w = rec.weight
        if w == 0:
            return
        if w > 1:
            self.weighted = True
        self.requests += w
        self.inputs[rec.input_tokens] += w
        self.cached[rec.cached_tokens] += w
        self.outputs[rec.output_tokens] += w
        self.sum_input += rec.input_tokens * w
        self.sum_cached += rec.cached_tokens * w
        if rec.ts is not None:
            self.timed += w
            self.per_epoch_hour[int(rec.ts // 3600)] += w
            self.first = rec.ts if self.first is None else min(self.first, rec.ts)
            self.last = rec.ts if self.last is None else max(self.last, rec.ts)
        # reservoir sampling (Algorithm R) over records; a weighted record counts once
        self._seen += 1
        pair = (rec.input_tokens, rec.output_tokens)
        if len(self._sample) < SAMPLE_SIZE:
            self._sample.append(pair)
        else:
            j = self._rng.randrange(self._seen)
            if j < SAMPLE_SIZE:
                self._sample[j] = pair

    def profile(self, *, source: str, fmt: str, skipped: int = 0, not_requests: int = 0) -> TrafficProfile:
        if self.requests == 0:
            raise ValueError("no usage record")
        notes: list[str] = []
        per_hour = [0] * 24
        day_set: set[int] = set()
        for epoch_hour, count in self.per_epoch_hour.items():
            per_hour[epoch_hour % 24] += count
            day_set.add(epoch_hour // 24)
        days = len(day_set) if day_set else None
        rpd = Decimal(self.timed) / Decimal(days) if days else None
        if rpd is not None and rpd == rpd.to_integral_value():
            rpd = rpd.quantize(Decimal(1))
        elif rpd is not None:
            rpd = rpd.quantize(Decimal("0.01"))
        if self.timed < self.requests:
            notes.append(
                f"{self.requests - self.timed} request(s) had no time: in the token figures, not in requests per day"
            )
        if self.weighted:
            notes.append("aggregated records (usage buckets): percentiles are over bucket means, not single requests")
        hourly: tuple[float, ...] | None = None
        peak: float | None = None
        if self.timed:
            hourly = tuple(c / self.timed for c in per_hour)
            peak = max(hourly) * 24
        share = Decimal(self.sum_cached) / Decimal(self.sum_input) if self.sum_input else Decimal(0)
        return TrafficProfile(
            source=source,
            format=fmt,
            requests=self.requests,
            skipped=skipped,
            not_requests=not_requests,
            days=days,
            first_utc=datetime.fromtimestamp(self.first, UTC).isoformat() if self.first is not None else None,
            last_utc=datetime.fromtimestamp(self.last, UTC).isoformat() if self.last is not None else None,
            requests_per_day=rpd,
            input_tokens=_distribution(self.inputs),
            cached_tokens=_distribution(self.cached),
            output_tokens=_distribution(self.outputs),
            cached_share=share.quantize(Decimal("0.0001")),
            hourly_share=hourly,
            peak_to_average=peak,
            samples=tuple(self._sample),
            notes=tuple(notes),
        )
