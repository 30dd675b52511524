"""Goodput drives cost: a stored sweep as a dedicated path's per-instance throughput (pure).

A self-hosted or dedicated path is priced per instance-hour; what one instance sustains at the
latency objective is the sweep's goodput. From it:

* :func:`capacity_from_sweep` -> :class:`MeasuredCapacity`: sustainable output tokens/s and
  requests/s per instance, and the line item's source text
  ``"measured: sweep ID, DATE, ENDPOINT (objective)"``;
* :func:`cost_per_million_output_tokens`: ``usd_per_hour / (tokens_per_s * 3600) * 1e6``, the
  price of a million output tokens when the instance runs at its goodput (Decimal, quantised);
* :func:`instances_for` the instances needed for a peak load, rounded up;
* :func:`serving_with_sweep` hands the measurement to a capacity-priced path of the engine
  (:class:`costmodel.engine.capacity.Serving`): the unit's sustainable tokens per second there are
  capacity tokens (input + output per request), so it is ``goodput req/s x tokens per request``
  of the scenario's shape, and the line item's source says "measured: sweep ...";
* :func:`records_meet_objective` for a path priced per token (OpenAI, Azure standard): its prices
  stay, and this says whether its measured requests meet the objective.

Hand-checked example: 2 $/h, goodput 100 output tokens/s -> 360,000 tokens/h ->
2 / 360,000 * 1,000,000 = 5.5556 $ per million output tokens.

>>> from decimal import Decimal
>>> cap = MeasuredCapacity(output_tokens_per_s=Decimal("100"), requests_per_s=Decimal("2"),
...     objective="ttft<=500 ms for 95% of requests", sweep_id="s1", measured_utc="2026-12-02T01:00:00",
...     endpoint_url="http://127.0.0.1:8080/v1", provider="local")
>>> cost_per_million_output_tokens(cap, Decimal("2"))
Decimal('5.5556')
>>> cap.source
'measured: sweep s1, 2026-12-02, http://127.0.0.1:8080/v1 (local server), ttft<=500 ms for 95% of requests'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from costmodel.errors import InputError
from costmodel.latency.metrics import RequestRecord, request_metrics
from costmodel.latency.sweep import Objective, SweepInfo, request_meets

if TYPE_CHECKING:
    from costmodel.engine.capacity import Serving

__all__ = [
    "MeasuredCapacity",
    "ObjectiveVerdict",
    "capacity_from_sweep",
    "cost_per_million_output_tokens",
    "instances_for",
    "records_meet_objective",
    "serving_with_sweep",
]

_QUANTUM = Decimal("0.0001")


class MeasuredCapacity(BaseModel):
    """What one instance sustains at the objective, and where that figure comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    output_tokens_per_s: Decimal = Field(gt=0)
    requests_per_s: Decimal = Field(gt=0)
    objective: str
    sweep_id: str
    measured_utc: str
    endpoint_url: str
    provider: str

    @property
    def source(self) -> str:
        where = self.endpoint_url + (" (local server)" if self.provider == "local" else f" ({self.provider})")
        return f"measured: sweep {self.sweep_id}, {self.measured_utc[:10]}, {where}, {self.objective}"


def capacity_from_sweep(sweep: SweepInfo) -> MeasuredCapacity:
    """The sweep's goodput as per-instance capacity; a sweep that never met its objective is an error."""
    o = sweep.outcome
    if o.goodput_rps is None or o.goodput_output_tokens_per_s is None or o.goodput_output_tokens_per_s <= 0:
        raise InputError(
            f"sweep {sweep.sweep_id} never met its objective ({o.objective.describe()})",
            field="sweep_id",
            hint="run a sweep with a looser objective or a lower --start-rate, or price the path by hand",
        )
    return MeasuredCapacity(
        output_tokens_per_s=Decimal(repr(o.goodput_output_tokens_per_s)).quantize(_QUANTUM),
        requests_per_s=Decimal(repr(o.goodput_rps)).quantize(_QUANTUM),
        objective=o.objective.describe(),
        sweep_id=sweep.sweep_id,
        measured_utc=sweep.created_utc,
        endpoint_url=sweep.endpoint_url,
        provider=sweep.provider,
    )


def cost_per_million_output_tokens(capacity: MeasuredCapacity, usd_per_hour: Decimal) -> Decimal:
    """Instance price per million output tokens at the goodput: ``usd_per_hour / (tps * 3600) * 10**6``."""
    if usd_per_hour < 0:
        raise InputError("an instance price cannot be negative", field="usd_per_hour")
    per_hour = capacity.output_tokens_per_s * 3600
    return (usd_per_hour / per_hour * Decimal(1_000_000)).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)


def instances_for(capacity: MeasuredCapacity, peak_output_tokens_per_s: Decimal) -> int:
    """Instances needed so the peak load stays within every instance's goodput (at least 1).

    >>> from decimal import Decimal
    >>> cap = MeasuredCapacity(output_tokens_per_s=Decimal(100), requests_per_s=Decimal(1), objective="o",
    ...     sweep_id="s", measured_utc="2026-01-01", endpoint_url="u", provider="local")
    >>> instances_for(cap, Decimal(250)), instances_for(cap, Decimal(0))
    (3, 1)
    """
    return max(1, math.ceil(peak_output_tokens_per_s / capacity.output_tokens_per_s))


ObjectiveVerdict = Literal["meets", "breaks", "no_data"]


def records_meet_objective(records: Sequence[RequestRecord], objective: Objective) -> tuple[ObjectiveVerdict, float]:
    """Whether a measured run (any path, e.g. per-token OpenAI) meets the objective, and its share.

    >>> records_meet_objective([], Objective(limits_ms={"ttft": 100}))
    ('no_data', 0.0)
    """
    measured = [r for r in records if not r.warmup]
    if not measured:
        return "no_data", 0.0
    good = sum(1 for r in measured if request_meets(request_metrics(r), objective))
    share = good / len(measured)
    return ("meets" if share >= objective.share - 1e-12 else "breaks"), share


def serving_with_sweep(
    serving: Serving, path_label: str, capacity: MeasuredCapacity, tokens_per_request: Decimal
) -> Serving:
    """``serving`` with ``path_label``'s per-instance throughput taken from a goodput sweep.

    ``tokens_per_request`` is the scenario's capacity tokens per request (input + output): the
    engine sizes a unit by tokens per second, the sweep measured requests per second at the
    objective, so ``T = goodput_rps x tokens_per_request``.

    >>> from costmodel.engine.capacity import Serving
    >>> cap = MeasuredCapacity(output_tokens_per_s=Decimal(100), requests_per_s=Decimal(2), objective="o",
    ...     sweep_id="s1", measured_utc="2026-12-02", endpoint_url="http://127.0.0.1:8080/v1", provider="local")
    >>> out = serving_with_sweep(Serving(), "selfhosted:llama:base@g5", cap, Decimal(600))
    >>> out.tokens_per_second_per_unit["selfhosted:llama:base@g5"]
    Decimal('1200.0000')
    """
    if tokens_per_request <= 0:
        raise InputError("tokens per request must be positive", field="tokens_per_request")
    tps = (capacity.requests_per_s * tokens_per_request).quantize(_QUANTUM)
    source = f"{capacity.source}; {capacity.requests_per_s} req/s x {tokens_per_request} tokens per request"
    return serving.model_copy(
        update={
            "tokens_per_second_per_unit": {**serving.tokens_per_second_per_unit, path_label: tps},
            "throughput_sources": {**serving.throughput_sources, path_label: source},
        }
    )
