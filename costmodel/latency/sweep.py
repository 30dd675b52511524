"""Goodput sweeps, the pure part: objectives, step verdicts, the rate planner and the result.

A sweep offers open-loop (Poisson) load at increasing rates and finds the highest rate at which the
service still meets a latency objective (its *goodput*). Nothing here reads a clock, the network
or the disk: :mod:`costmodel.latency.sweep_runner` runs the steps and hands their records here.

**Objective** (as vLLM's ``benchmark_serving.py --goodput``): one or more per-request limits
``ttft:MS``, ``tpot:MS``, ``e2el:MS``; a request is *good* when it succeeded and meets every limit.
A step meets the objective when at least ``percentile`` % of its requests are good (failures count
as not good), which is the same as "the p``percentile`` of each metric is within its limit" for a
single limit. ``"ttft:500 tpot:50 @p95"`` is accepted as one string.

**Plan** (:func:`next_rate`): a coarse sweep multiplies the rate by ``growth`` from ``start_rps``
until a step fails the objective *and* the service is saturated (it completes fewer than
``saturation_ratio`` of the offered requests per second) or errors rise above ``max_error_rate``;
then a bisection between the highest passing and the lowest failing rate stops once they are
within ``tolerance`` of each other. If the first step already fails, the rate is divided by
``growth`` (at most ``max_probes_down`` times). ``max_steps`` bounds everything.

**Result** (:func:`sweep_outcome`): ``goodput_rps`` is the highest *offered* rate whose step met
the objective (a capacity plan sizes for arrivals), ``goodput_output_tokens_per_s`` that rate times
the step's mean output tokens per successful request. The saturation point is the highest
completion rate among the saturated steps (a saturated service completes requests at its
capacity whatever the offered rate); ``None`` when no step saturated it. "No passing step" is a
typed answer (``goodput_rps is None`` with ``status = "never_met"``), never 0 or NaN.

>>> obj = parse_objective("ttft:500 @p90")
>>> obj.describe()
'ttft<=500 ms for 90% of requests'
>>> plan = SweepPlan(start_rps=1, growth=2, tolerance=0.1)
>>> next_rate(plan, [])
1.0
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from costmodel.errors import InputError
from costmodel.latency.metrics import NS_PER_S, RequestMetrics, RequestRecord, percentile, request_metrics

__all__ = [
    "SLO_METRICS",
    "Objective",
    "StepResult",
    "SweepInfo",
    "SweepOutcome",
    "SweepPlan",
    "evaluate_step",
    "next_rate",
    "parse_objective",
    "request_meets",
    "step_duration_s",
    "step_is_hopeless",
    "sweep_outcome",
]

SloMetric = Literal["ttft", "tpot", "e2el"]
SLO_METRICS: tuple[SloMetric, ...] = ("ttft", "tpot", "e2el")
_METRIC_FIELD = {"ttft": "ttft_ms", "tpot": "tpot_ms", "e2el": "e2e_ms"}


class Objective(BaseModel):
    """Per-request latency limits in milliseconds, and the share of requests that must meet all."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    limits_ms: dict[SloMetric, float] = Field(min_length=1)
    percentile: float = Field(95.0, gt=0, le=100)

    @property
    def share(self) -> float:
        """Fraction of requests that must be good (``percentile / 100``)."""
        return self.percentile / 100

    def spec(self) -> str:
        """The objective in the syntax :func:`parse_objective` reads back."""
        limits = " ".join(f"{k}:{_num(v)}" for k, v in self.limits_ms.items())
        return f"{limits} @p{_num(self.percentile)}"

    def describe(self) -> str:
        limits = ", ".join(f"{k}<={_num(v)} ms" for k, v in self.limits_ms.items())
        return f"{limits} for {_num(self.percentile)}% of requests"


def _num(v: float) -> str:
    return f"{v:g}"


_TOKEN = re.compile(r"^(ttft|tpot|e2el):(\d+(?:\.\d+)?)$")
_PCT = re.compile(r"^@?p(\d+(?:\.\d+)?)$")


def parse_objective(spec: str | Sequence[str], percentile: float | None = None) -> Objective:
    """Read ``"ttft:500 tpot:50 @p95"`` (or a list of such tokens; commas also separate).

    ``percentile`` (when given) overrides an ``@pNN`` in the text; the default is 95.

    >>> parse_objective(["ttft:200", "e2el:2000"], 99).limits_ms
    {'ttft': 200.0, 'e2el': 2000.0}
    >>> parse_objective("ttft:200@p90").percentile
    90.0
    """
    text = spec if isinstance(spec, str) else " ".join(spec)
    text = text.replace(",", " ").replace("@", " @")
    limits: dict[SloMetric, float] = {}
    pct: float | None = None
    hint = "write e.g. 'ttft:500 tpot:50 @p95' (milliseconds; metrics ttft, tpot, e2el)"
    for token in text.split():
        low = token.lower()
        m = _TOKEN.match(low)
        if m:
            name: SloMetric = m.group(1)  # type: ignore[assignment]
            if name in limits:
                raise InputError(f"objective names {name} twice", field="slo", hint=hint)
            value = float(m.group(2))
            if value <= 0:
                raise InputError(f"objective limit {token} must be above 0 ms", field="slo", hint=hint)
            limits[name] = value
            continue
        p = _PCT.match(low)
        if p:
            pct = float(p.group(1))
            continue
        raise InputError(f"cannot read '{token}' in the objective", field="slo", hint=hint)
    if not limits:
        raise InputError("the objective has no limit", field="slo", hint=hint)
    chosen = percentile if percentile is not None else (pct if pct is not None else 95.0)
    if not 0 < chosen <= 100:
        raise InputError(f"percentile {chosen:g} is outside (0, 100]", field="slo_percentile", hint=hint)
    return Objective(limits_ms=limits, percentile=chosen)


def request_meets(m: RequestMetrics, objective: Objective) -> bool:
    """A successful request within every limit (TPOT is undefined, so met, for one-token answers)."""
    if not m.ok:
        return False
    for name, limit in objective.limits_ms.items():
        value = getattr(m, _METRIC_FIELD[name])
        if value is None:
            if name == "tpot" and (m.output_tokens or 0) <= 1:
                continue
            return False
        if value > limit:
            return False
    return True


class SweepPlan(BaseModel):
    """How the sweep chooses its rates and how long each step lasts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start_rps: float = Field(1.0, gt=0)
    growth: float = Field(2.0, gt=1)
    max_rps: float = Field(1000.0, gt=0)
    step_s: float = Field(20.0, gt=0, description="seconds of arrivals per step")
    min_requests: int = Field(20, ge=1, description="a step lasts long enough for this many arrivals")
    tolerance: float = Field(0.05, gt=0, lt=1, description="bisection stops when (hi - lo) / hi is within this")
    max_steps: int = Field(16, ge=1)
    max_error_rate: float = Field(0.05, ge=0, le=1)
    saturation_ratio: float = Field(0.9, gt=0, le=1)
    max_probes_down: int = Field(4, ge=0)
    seed: int = 42
    early_stop: bool = True


def step_duration_s(plan: SweepPlan, rate: float) -> float:
    """Seconds of arrivals at ``rate``: ``step_s``, longer when needed for ``min_requests``.

    >>> step_duration_s(SweepPlan(step_s=10, min_requests=20), 1.0)
    20.0
    """
    return max(plan.step_s, plan.min_requests / rate)


def step_is_hopeless(objective: Objective, expected_requests: float, misses: int) -> bool:
    """True once more requests missed the objective than the step may miss in total.

    >>> step_is_hopeless(parse_objective("ttft:100 @p90"), 100, 10)
    False
    >>> step_is_hopeless(parse_objective("ttft:100 @p90"), 100, 11)
    True
    """
    allowed = (1 - objective.share) * expected_requests
    return misses > allowed + 1e-9


class StepResult(BaseModel):
    """One step of a sweep: offered rate, what was achieved, latency, the verdict."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    index: int
    rate_rps: float  # offered (Poisson arrival rate)
    duration_s: float  # planned seconds of arrivals
    run_id: str | None = None
    requests: int
    ok: int
    errors: int
    error_rate: float | None
    good: int
    share_meeting: float | None  # good / requests
    achieved_rps: float | None  # successful completions per second
    output_tokens_per_s: float | None  # output tokens of successful requests per second
    mean_output_tokens: float | None
    ttft_p50_ms: float | None
    ttft_p95_ms: float | None
    tpot_p50_ms: float | None
    tpot_p95_ms: float | None
    e2e_p50_ms: float | None
    e2e_p95_ms: float | None
    stopped_early: bool = False
    meets_objective: bool
    errors_high: bool
    saturated: bool


def _pct(values: list[float], q: float) -> float | None:
    return percentile(values, q) if values else None


def _end_ns(rec: RequestRecord) -> int:
    for t in (rec.t_last_ns, rec.t_close_ns, rec.t_any_ns, rec.t_headers_ns):
        if t is not None:
            return t
    return rec.t0_ns


def evaluate_step(
    records: Sequence[RequestRecord],
    objective: Objective,
    plan: SweepPlan,
    *,
    index: int,
    rate_rps: float,
    duration_s: float,
    run_id: str | None = None,
    stopped_early: bool = False,
) -> StepResult:
    """The verdict and figures of one step from its records (warm-up records are ignored).

    * ``achieved_rps``: successful completions per second, ``(ok - 1) / (last end - first end)``
      (the rate the service delivered, which a saturated service holds at its capacity);
    * the step *meets* the objective when at least ``objective.share`` of its requests are good and
      its error rate is within ``plan.max_error_rate`` (a step stopped early has, by construction,
      more misses than the objective allows);
    * it is *saturated* when it achieved under ``plan.saturation_ratio`` of the offered rate.
    """
    measured = [r for r in records if not r.warmup]
    metrics = [request_metrics(r) for r in measured]
    good_metrics = [m for m in metrics if m.ok]
    n = len(metrics)
    good = sum(1 for m in metrics if request_meets(m, objective))
    ok_ends = sorted(_end_ns(r) for r, m in zip(measured, metrics, strict=True) if m.ok)
    achieved: float | None = None
    tokens_per_s: float | None = None
    tokens = [m.output_tokens for m in good_metrics if m.output_tokens is not None]
    mean_tokens = sum(tokens) / len(tokens) if tokens else None
    if len(ok_ends) >= 2 and ok_ends[-1] > ok_ends[0]:
        achieved = (len(ok_ends) - 1) * NS_PER_S / (ok_ends[-1] - ok_ends[0])
        if mean_tokens is not None:
            tokens_per_s = achieved * mean_tokens

    def col(name: str) -> list[float]:
        return [v for m in good_metrics if (v := getattr(m, name)) is not None]

    error_rate = (n - len(good_metrics)) / n if n else None
    share = good / n if n else None
    errors_high = error_rate is not None and error_rate > plan.max_error_rate
    meets = share is not None and share >= objective.share - 1e-12 and not errors_high
    saturated = achieved is not None and achieved < plan.saturation_ratio * rate_rps
    ttft, tpot, e2e = col("ttft_ms"), col("tpot_ms"), col("e2e_ms")
    return StepResult(
        index=index,
        rate_rps=rate_rps,
        duration_s=duration_s,
        run_id=run_id,
        requests=n,
        ok=len(good_metrics),
        errors=n - len(good_metrics),
        error_rate=error_rate,
        good=good,
        share_meeting=share,
        achieved_rps=achieved,
        output_tokens_per_s=tokens_per_s,
        mean_output_tokens=mean_tokens,
        ttft_p50_ms=_pct(ttft, 50),
        ttft_p95_ms=_pct(ttft, 95),
        tpot_p50_ms=_pct(tpot, 50),
        tpot_p95_ms=_pct(tpot, 95),
        e2e_p50_ms=_pct(e2e, 50),
        e2e_p95_ms=_pct(e2e, 95),
        stopped_early=stopped_early,
        meets_objective=meets,
        errors_high=errors_high,
        saturated=saturated,
    )


StopReason = Literal["bisected", "max_steps", "max_rate", "never_met"]


def _bracket(steps: Sequence[StepResult]) -> tuple[float | None, float | None]:
    passed = [s.rate_rps for s in steps if s.meets_objective]
    lo = max(passed) if passed else None
    failed = [s.rate_rps for s in steps if not s.meets_objective and (lo is None or s.rate_rps > lo)]
    return lo, (min(failed) if failed else None)


def next_rate(plan: SweepPlan, steps: Sequence[StepResult]) -> float | None:
    """The next step's offered rate, or ``None`` when the sweep is done (see the module docstring).

    >>> p = SweepPlan(start_rps=2, growth=2, tolerance=0.1)
    >>> def s(rate, ok, sat=False):
    ...     return StepResult(index=0, rate_rps=rate, duration_s=1, requests=10, ok=10, errors=0,
    ...         error_rate=0, good=10 if ok else 0, share_meeting=1.0 if ok else 0.0, achieved_rps=rate,
    ...         output_tokens_per_s=None, mean_output_tokens=None, ttft_p50_ms=None, ttft_p95_ms=None,
    ...         tpot_p50_ms=None, tpot_p95_ms=None, e2e_p50_ms=None, e2e_p95_ms=None,
    ...         meets_objective=ok, errors_high=False, saturated=sat)
    >>> next_rate(p, [s(2, True), s(4, True)])
    8.0
    >>> next_rate(p, [s(2, True), s(4, True), s(8, False, sat=True)])
    6.0
    >>> next_rate(p, [s(2, True), s(4, True), s(8, False, sat=True), s(6, True), s(7, True)])
    7.5
    """
    return _decide(plan, steps)[0]


def _decide(plan: SweepPlan, steps: Sequence[StepResult]) -> tuple[float | None, StopReason | None]:
    if not steps:
        return min(plan.start_rps, plan.max_rps), None
    if len(steps) >= plan.max_steps:
        return None, "max_steps"
    lo, hi = _bracket(steps)
    coarse_done = any((not s.meets_objective) and (s.saturated or s.errors_high) for s in steps) or any(
        s.rate_rps >= plan.max_rps for s in steps if not s.meets_objective
    )
    top = max(s.rate_rps for s in steps)
    if lo is None:  # nothing met the objective yet: probe downwards
        low = min(s.rate_rps for s in steps)
        if low <= plan.start_rps / plan.growth**plan.max_probes_down * (1 + 1e-9):
            return None, "never_met"
        return low / plan.growth, None
    if not coarse_done:  # keep climbing until the service saturates (the knee and the ceiling)
        if top >= plan.max_rps:
            return (None, "max_rate") if hi is None else _bisect(plan, lo, hi)
        return min(top * plan.growth, plan.max_rps), None
    if hi is None:
        return None, "max_rate"
    return _bisect(plan, lo, hi)


def _bisect(plan: SweepPlan, lo: float, hi: float) -> tuple[float | None, StopReason | None]:
    if (hi - lo) / hi <= plan.tolerance:
        return None, "bisected"
    return (lo + hi) / 2, None


class SweepOutcome(BaseModel):
    """What a finished (or stopped) sweep found."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    objective: Objective
    status: Literal["met", "never_met"]
    stop_reason: StopReason | None
    goodput_rps: float | None  # highest offered rate that met the objective
    goodput_output_tokens_per_s: float | None
    goodput_step: int | None
    first_failing_rps: float | None  # the lowest failing rate above the goodput (the bracket's top)
    saturation_rps: float | None  # highest completion rate of a saturated step (None: never saturated)
    saturation_output_tokens_per_s: float | None
    saturated_at_rps: float | None  # the lowest offered rate at which the service saturated
    steps: tuple[StepResult, ...]


def sweep_outcome(objective: Objective, plan: SweepPlan, steps: Sequence[StepResult]) -> SweepOutcome:
    """Goodput and saturation from the steps (in any order)."""
    ordered = tuple(sorted(steps, key=lambda s: s.index))
    hi = _bracket(ordered)[1]
    best = max((s for s in ordered if s.meets_objective), key=lambda s: s.rate_rps, default=None)
    goodput_tps: float | None = None
    if best is not None and best.mean_output_tokens is not None:
        goodput_tps = best.rate_rps * best.mean_output_tokens
    saturated = [s for s in ordered if s.saturated and s.achieved_rps is not None]
    top = max(saturated, key=lambda s: s.achieved_rps or 0.0, default=None)
    sat_rates = [s.rate_rps for s in saturated]
    reason = _decide(plan, ordered)[1] if ordered else None
    return SweepOutcome(
        objective=objective,
        status="met" if best is not None else "never_met",
        stop_reason=reason,
        goodput_rps=best.rate_rps if best is not None else None,
        goodput_output_tokens_per_s=goodput_tps,
        goodput_step=best.index if best is not None else None,
        first_failing_rps=hi,
        saturation_rps=top.achieved_rps if top is not None else None,
        saturation_output_tokens_per_s=top.output_tokens_per_s if top is not None else None,
        saturated_at_rps=min(sat_rates) if sat_rates else None,
        steps=ordered,
    )


@dataclass(frozen=True)
class SweepInfo:
    """A stored sweep: where it ran, when, and what it found."""

    sweep_id: str
    created_utc: str
    endpoint_url: str
    endpoint_kind: str
    model: str
    provider: str  # the cost path the runs were tagged with (openai | azure | local)
    path_label: str
    outcome: SweepOutcome
    run_ids: tuple[str, ...]

    @property
    def is_local(self) -> bool:
        return self.provider == "local"
