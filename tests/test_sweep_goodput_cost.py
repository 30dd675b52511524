"""Goodput drives cost: per-instance capacity from a sweep and the price per million tokens."""

from __future__ import annotations

from decimal import Decimal

import pytest

from costmodel.errors import InputError
from costmodel.latency.capacity import (
    capacity_from_sweep,
    cost_per_million_output_tokens,
    instances_for,
    records_meet_objective,
    serving_with_sweep,
)
from costmodel.latency.metrics import RequestRecord, TokensSource
from costmodel.latency.sweep import SweepInfo, SweepOutcome, parse_objective


def info(goodput: float | None, tokens: float | None, provider: str = "local") -> SweepInfo:
    obj = parse_objective("ttft:500 @p95")
    outcome = SweepOutcome(
        objective=obj,
        status="met" if goodput else "never_met",
        stop_reason="bisected",
        goodput_rps=goodput,
        goodput_output_tokens_per_s=tokens,
        goodput_step=1 if goodput else None,
        first_failing_rps=None,
        saturation_rps=None,
        saturation_output_tokens_per_s=None,
        saturated_at_rps=None,
        steps=(),
    )
    return SweepInfo(
        sweep_id="sweep-1",
        created_utc="2026-12-02T01:00:00.000+00:00",
        endpoint_url="http://127.0.0.1:8080/v1",
        endpoint_kind="openai",
        model="tiny",
        provider=provider,
        path_label=f"{provider}:tiny:base",
        outcome=outcome,
        run_ids=(),
    )


@pytest.mark.parametrize(
    ("tps", "usd_per_hour", "expected"),
    [
        # usd_per_hour / (tps x 3600) x 1e6, by hand
        (100.0, "2", "5.5556"),  # 2 / 360,000 x 1e6
        (1000.0, "3.60", "1.0000"),  # 3.6 / 3,600,000 x 1e6
        (250.0, "0", "0.0000"),
        (37.5, "1.20", "8.8889"),  # 1.2 / 135,000 x 1e6 = 8.8888...
    ],
)
def test_cost_per_million_output_tokens(tps: float, usd_per_hour: str, expected: str) -> None:
    cap = capacity_from_sweep(info(2.0, tps))
    assert cost_per_million_output_tokens(cap, Decimal(usd_per_hour)) == Decimal(expected)


def test_capacity_carries_its_source_and_a_local_server_says_so() -> None:
    cap = capacity_from_sweep(info(2.5, 160.0))
    assert cap.requests_per_s == Decimal("2.5") and cap.output_tokens_per_s == Decimal("160")
    assert cap.source == (
        "measured: sweep sweep-1, 2026-12-02, http://127.0.0.1:8080/v1 (local server), ttft<=500 ms for 95% of requests"
    )
    assert "(azure)" in capacity_from_sweep(info(2.5, 160.0, "azure")).source
    assert instances_for(cap, Decimal(161)) == 2 and instances_for(cap, Decimal(160)) == 1


def test_a_sweep_that_never_met_the_objective_prices_nothing() -> None:
    with pytest.raises(InputError) as err:
        capacity_from_sweep(info(None, None))
    assert "never met" in str(err.value)
    with pytest.raises(InputError):
        cost_per_million_output_tokens(capacity_from_sweep(info(1.0, 10.0)), Decimal(-1))


def test_cost_is_inverse_in_goodput() -> None:
    """Property by hand: doubling the goodput halves the price per million tokens."""
    one = cost_per_million_output_tokens(capacity_from_sweep(info(1.0, 200.0)), Decimal(4))
    two = cost_per_million_output_tokens(capacity_from_sweep(info(2.0, 400.0)), Decimal(4))
    assert one == 2 * two


def test_a_per_token_path_keeps_its_prices_and_gets_a_verdict() -> None:
    def rec(seq: int, ttft_ms: int) -> RequestRecord:
        first = ttft_ms * 1_000_000
        return RequestRecord(
            seq=seq,
            t0_ns=0,
            t_first_ns=first,
            t_last_ns=first + 1,
            content_times_ns=(first,),
            output_tokens=1,
            tokens_source=TokensSource.USAGE,
            http_status=200,
            finish_reason="stop",
        )

    obj = parse_objective("ttft:500 @p90")
    records = [rec(i, 100) for i in range(9)] + [rec(9, 900)]  # 9 of 10 good: exactly 90%
    assert records_meet_objective(records, obj) == ("meets", 0.9)
    assert records_meet_objective([*records[:8], rec(8, 900), rec(9, 900)], obj) == ("breaks", 0.8)


def test_a_sweep_feeds_the_engines_capacity_path() -> None:
    """The engine's Serving gets T = goodput req/s x tokens per request and the measured source."""
    from costmodel.engine.capacity import Serving, _measured

    cap = capacity_from_sweep(info(2.5, 160.0))
    label = "selfhosted:llama-3.1-8b:base@g5.xlarge"
    serving = serving_with_sweep(Serving(peak_factor=Decimal(2)), label, cap, Decimal(500))
    assert serving.tokens_per_second_per_unit[label] == Decimal(1250)  # 2.5 x 500, by hand
    assert serving.peak_factor == Decimal(2)
    used = _measured(serving, label, serving.tokens_per_second_per_unit)
    assert used is not None and used.tokens_per_second == Decimal(1250)
    assert used.source.startswith("measured: sweep sweep-1, 2026-12-02, http://127.0.0.1:8080/v1 (local server)")
    with pytest.raises(InputError):
        serving_with_sweep(Serving(), label, cap, Decimal(0))
