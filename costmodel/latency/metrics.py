"""Latency metrics: pure functions over the timestamps one streamed request recorded.

Nothing here reads a clock, the network or the disk; the client (:mod:`costmodel.latency.client`)
records integer nanosecond timestamps from an injected clock and these functions turn them into
milliseconds. Definitions (``docs/latency.md``, "What is measured", has them as a table):

* ``t0`` is taken just before the request bytes are written (an httpx2 request hook, after the
  SDK built the request and after any client-side queue); ``t_call`` when the SDK was called.
* ``TTFT = t_first - t0`` where ``t_first`` is the arrival of the first *content-bearing* chunk:
  role-only, empty-content, Azure ``choices: []`` (filter results) and usage-only chunks do not
  count. The first chunk of any kind is kept separately as ``ttfb_chunk_ms``.
* ``E2E = t_last - t0`` where ``t_last`` is the last content-bearing chunk; the time to stream
  close is kept as ``e2e_close_ms``.
* ``N`` output tokens come from the stream's ``usage`` (``stream_options.include_usage``); when a
  server does not send it, a tokenizer count of the text is used and flagged (``tokens_source``).
  When there is no usage but the stream stopped with ``finish_reason: "length"``, N is the
  ``max_tokens`` that was sent (exact; ``tokens_source = length_cap``). Chunks are never counted
  as tokens.
* ``TPOT = (E2E - TTFT) / (N - 1)`` for ``N > 1``; output speed ``= (N - 1) / (t_last - t_first)``.
* Inter-chunk gaps are the differences between consecutive content-bearing chunks, pooled across
  requests for the ITL distribution (never used for tokens per second).

A request succeeds when it has no transport/HTTP error and the stream delivered a
``finish_reason``. Everything else is a failure, classified as ``error`` (nothing streamed),
``cut_off`` (content arrived, then the stream broke or ended without ``finish_reason``) or
``empty`` (the stream closed with neither content nor ``finish_reason``). Percentiles are over
successful requests; the summary carries the failure counts beside them.

Percentiles use linear interpolation between closest ranks (numpy's default ``linear`` method,
the same as a spreadsheet's ``PERCENTILE.INC``):

>>> percentile([10.0, 20.0, 30.0, 40.0], 50)
25.0
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = [
    "METRIC_NAMES",
    "MetricStats",
    "Outcome",
    "RequestMetrics",
    "RequestRecord",
    "RunSummary",
    "TokensSource",
    "percentile",
    "request_metrics",
    "stats",
    "summarize",
]

NS_PER_MS = 1_000_000
NS_PER_S = 1_000_000_000


class Outcome(StrEnum):
    OK = "ok"
    ERROR = "error"  # transport error, timeout or non-2xx before any content
    CUT_OFF = "cut_off"  # content arrived, then an error or a close without finish_reason
    EMPTY = "empty"  # closed with neither content nor finish_reason


class TokensSource(StrEnum):
    USAGE = "usage"  # the server's usage.completion_tokens: exact
    LENGTH_CAP = "length_cap"  # no usage, but finish_reason "length": N = the max_tokens sent (exact)
    TOKENIZER = "tokenizer"  # a tokenizer count of the streamed text: estimated
    APPROX_CHARS = "approx_chars"  # characters / 4: a rough estimate when no tokenizer is available
    NONE = "none"  # nothing streamed, nothing to count


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """What one request recorded. Times are integer nanoseconds on the run's monotonic clock.

    ``None`` means the moment never happened (no content, no close, ...).
    """

    seq: int
    t0_ns: int
    warmup: bool = False
    t_sched_ns: int | None = None  # open loop: when the schedule wanted it sent
    t_call_ns: int | None = None  # the SDK was called (t0 - t_call = the SDK building the request)
    t_headers_ns: int | None = None  # the SDK returned the stream object (response headers read)
    t_any_ns: int | None = None  # first chunk of any kind
    t_first_ns: int | None = None  # first content-bearing chunk
    t_answer_ns: int | None = None  # first chunk with non-empty visible ``content``
    t_last_ns: int | None = None  # last content-bearing chunk
    t_close_ns: int | None = None  # stream finished ([DONE] or close) or failed
    content_times_ns: tuple[int, ...] = ()  # arrival of every content-bearing chunk
    chunks: int = 0  # every chunk the SDK yielded
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    prompt_tokens: int | None = None
    tokens_source: TokensSource = TokensSource.NONE
    http_status: int | None = None
    finish_reason: str | None = None
    error: str | None = None

    @property
    def outcome(self) -> Outcome:
        has_content = self.t_first_ns is not None
        if self.error is not None or (self.http_status is not None and not 200 <= self.http_status < 300):
            return Outcome.CUT_OFF if has_content else Outcome.ERROR
        if self.finish_reason is None:
            return Outcome.CUT_OFF if has_content else Outcome.EMPTY
        return Outcome.OK


def _ms(delta_ns: int) -> float:
    return delta_ns / NS_PER_MS


class RequestMetrics(BaseModel):
    """Per-request metrics in milliseconds (``None`` when undefined for this request)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int
    outcome: Outcome
    ttft_ms: float | None
    ttfb_chunk_ms: float | None
    time_to_answer_ms: float | None
    e2e_ms: float | None
    e2e_close_ms: float | None
    queue_ms: float | None
    client_prep_ms: float | None
    tpot_ms: float | None
    output_speed_tps: float | None
    output_tokens: int | None
    tokens_estimated: bool
    gaps_ms: tuple[float, ...]
    burst: bool

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


BURST_FRACTION = 0.1  # streaming phase under 10% of E2E ...
BURST_MIN_TOKENS = 16  # ... with at least this many tokens: delivered in one burst


def request_metrics(rec: RequestRecord) -> RequestMetrics:
    """Metrics of one request from its timestamps.

    >>> r = RequestRecord(seq=0, t0_ns=0, t_any_ns=5_000_000, t_first_ns=100_000_000,
    ...     t_last_ns=500_000_000, t_close_ns=501_000_000, content_times_ns=(100_000_000, 500_000_000),
    ...     output_tokens=5, tokens_source=TokensSource.USAGE, http_status=200, finish_reason="length")
    >>> m = request_metrics(r)
    >>> (m.ttft_ms, m.e2e_ms, m.tpot_ms, m.output_speed_tps)
    (100.0, 500.0, 100.0, 10.0)
    """
    t0 = rec.t0_ns
    ttft = _ms(rec.t_first_ns - t0) if rec.t_first_ns is not None else None
    e2e = _ms(rec.t_last_ns - t0) if rec.t_last_ns is not None else None
    n = rec.output_tokens
    if n is not None and rec.reasoning_tokens:
        n = n - rec.reasoning_tokens  # hidden reasoning is billed but not streamed
    tpot: float | None = None
    speed: float | None = None
    if ttft is not None and e2e is not None and n is not None and n > 1:
        tpot = (e2e - ttft) / (n - 1)
        streaming_ns = rec.t_last_ns - rec.t_first_ns  # type: ignore[operator]
        speed = (n - 1) * NS_PER_S / streaming_ns if streaming_ns > 0 else None
    times = rec.content_times_ns
    gaps = tuple(_ms(b - a) for a, b in itertools.pairwise(times))
    burst = (
        ttft is not None
        and e2e is not None
        and e2e > 0
        and n is not None
        and n >= BURST_MIN_TOKENS
        and (e2e - ttft) < BURST_FRACTION * e2e
    )
    return RequestMetrics(
        seq=rec.seq,
        outcome=rec.outcome,
        ttft_ms=ttft,
        ttfb_chunk_ms=_ms(rec.t_any_ns - t0) if rec.t_any_ns is not None else None,
        time_to_answer_ms=_ms(rec.t_answer_ns - t0) if rec.t_answer_ns is not None else None,
        e2e_ms=e2e,
        e2e_close_ms=_ms(rec.t_close_ns - t0) if rec.t_close_ns is not None else None,
        queue_ms=_ms(t0 - rec.t_sched_ns) if rec.t_sched_ns is not None else None,
        client_prep_ms=_ms(t0 - rec.t_call_ns) if rec.t_call_ns is not None else None,
        tpot_ms=tpot,
        output_speed_tps=speed,
        output_tokens=rec.output_tokens,
        tokens_estimated=rec.tokens_source not in (TokensSource.USAGE, TokensSource.LENGTH_CAP, TokensSource.NONE),
        gaps_ms=gaps,
        burst=burst,
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by linear interpolation between closest ranks.

    Raises ``ValueError`` on an empty sequence: "no value" is for the caller to represent.

    >>> percentile([1.0], 99)
    1.0
    >>> percentile([0.0, 10.0], 95)
    9.5
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


class MetricStats(BaseModel):
    """Distribution of one metric. ``count`` is 0 and every figure ``None`` when nothing was measured."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int
    mean: float | None = None
    std: float | None = None
    min: float | None = None
    max: float | None = None
    p50: float | None = None
    p90: float | None = None
    p95: float | None = None
    p99: float | None = None


def stats(values: Iterable[float]) -> MetricStats:
    """Count, mean, sample standard deviation (0 for one value), min, max, p50/p90/p95/p99."""
    vals = [float(v) for v in values]
    if not vals:
        return MetricStats(count=0)
    n = len(vals)
    mean = math.fsum(vals) / n
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in vals) / (n - 1)) if n > 1 else 0.0
    return MetricStats(
        count=n,
        mean=mean,
        std=std,
        min=min(vals),
        max=max(vals),
        p50=percentile(vals, 50),
        p90=percentile(vals, 90),
        p95=percentile(vals, 95),
        p99=percentile(vals, 99),
    )


METRIC_NAMES = ("ttft_ms", "ttfb_chunk_ms", "e2e_ms", "tpot_ms", "output_speed_tps", "itl_ms", "queue_ms")


class RunSummary(BaseModel):
    """A run's summary over its measured (non-warm-up) requests.

    Percentiles are over successful requests only; ``errors`` and ``error_rate`` sit beside them.
    ``window_s`` runs from the earliest ``t0`` to the latest end (last chunk or failure) of the
    measured requests; throughputs count successful requests and their tokens in that window.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    requests: int
    ok: int
    errors: int
    error_rate: float | None
    outcomes: dict[str, int]
    warmup_requests: int
    ttft_ms: MetricStats
    ttfb_chunk_ms: MetricStats
    e2e_ms: MetricStats
    tpot_ms: MetricStats
    output_speed_tps: MetricStats
    itl_ms: MetricStats  # pooled gaps between content chunks (not per-token)
    queue_ms: MetricStats
    output_tokens_total: int
    tokens_estimated_requests: int
    burst_requests: int
    window_s: float | None
    request_throughput_rps: float | None
    output_throughput_tps: float | None


def _end_ns(rec: RequestRecord) -> int:
    for t in (rec.t_last_ns, rec.t_close_ns, rec.t_any_ns, rec.t_headers_ns):
        if t is not None:
            return t
    return rec.t0_ns


def summarize(records: Iterable[RequestRecord]) -> RunSummary:
    """Summarise the measured requests of a run (warm-up records are counted apart and ignored).

    >>> ok = RequestRecord(seq=0, t0_ns=0, t_first_ns=10_000_000, t_last_ns=30_000_000,
    ...     content_times_ns=(10_000_000, 30_000_000), output_tokens=3, tokens_source=TokensSource.USAGE,
    ...     http_status=200, finish_reason="stop")
    >>> bad = RequestRecord(seq=1, t0_ns=0, t_close_ns=5_000_000, http_status=500, error="HTTP 500")
    >>> s = summarize([ok, bad])
    >>> (s.requests, s.errors, s.error_rate, s.ttft_ms.p50, s.tpot_ms.p50)
    (2, 1, 0.5, 10.0, 10.0)
    """
    all_records = list(records)
    measured = [r for r in all_records if not r.warmup]
    metrics = [request_metrics(r) for r in measured]
    good = [m for m in metrics if m.ok]
    outcomes: dict[str, int] = {o.value: 0 for o in Outcome}
    for m in metrics:
        outcomes[m.outcome.value] += 1

    def col(name: str) -> list[float]:
        out: list[float] = []
        for m in good:
            v = getattr(m, name)
            if v is not None:
                out.append(v)
        return out

    window_s: float | None = None
    rps: float | None = None
    tps: float | None = None
    tokens_total = sum(m.output_tokens or 0 for m in good)
    if measured:
        start = min(r.t0_ns for r in measured)
        end = max(_end_ns(r) for r in measured)
        if end > start:
            window_s = (end - start) / NS_PER_S
            rps = len(good) / window_s
            tps = tokens_total / window_s
    n = len(metrics)
    return RunSummary(
        requests=n,
        ok=len(good),
        errors=n - len(good),
        error_rate=(n - len(good)) / n if n else None,
        outcomes=outcomes,
        warmup_requests=len(all_records) - n,
        ttft_ms=stats(col("ttft_ms")),
        ttfb_chunk_ms=stats(col("ttfb_chunk_ms")),
        e2e_ms=stats(col("e2e_ms")),
        tpot_ms=stats(col("tpot_ms")),
        output_speed_tps=stats(col("output_speed_tps")),
        itl_ms=stats(g for m in good for g in m.gaps_ms),
        queue_ms=stats(col("queue_ms")),
        output_tokens_total=tokens_total,
        tokens_estimated_requests=sum(1 for m in good if m.tokens_estimated),
        burst_requests=sum(1 for m in good if m.burst),
        window_s=window_s,
        request_throughput_rps=rps,
        output_throughput_tps=tps,
    )
