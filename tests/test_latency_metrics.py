"""Metric functions over recorded timestamps: exact values worked out by hand in the comments."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costmodel.latency.load import LoadPlan, poisson_offsets_ns
from costmodel.latency.metrics import (
    Outcome,
    RequestRecord,
    TokensSource,
    percentile,
    request_metrics,
    stats,
    summarize,
)

MS = 1_000_000


def ok_record(
    seq: int = 0, *, t0: int = 0, ttft: int = 200, gap: int = 25, tokens: int = 9, **kw: object
) -> RequestRecord:
    """t0, then content chunks every `gap` ms from t0+ttft, one token per chunk."""
    times = tuple((t0 + ttft + i * gap) * MS for i in range(tokens))
    base: dict[str, object] = dict(
        seq=seq,
        t0_ns=t0 * MS,
        t_call_ns=(t0 - 1) * MS,
        t_headers_ns=(t0 + 5) * MS,
        t_any_ns=(t0 + 6) * MS,  # role-only chunk long before content: must not become TTFT
        t_first_ns=times[0],
        t_answer_ns=times[0],
        t_last_ns=times[-1],
        t_close_ns=times[-1] + 2 * MS,
        content_times_ns=times,
        chunks=tokens + 3,
        output_tokens=tokens,
        tokens_source=TokensSource.USAGE,
        http_status=200,
        finish_reason="length",
    )
    base.update(kw)
    return RequestRecord(**base)  # type: ignore[arg-type]


def test_request_metrics_by_hand() -> None:
    m = request_metrics(ok_record())
    # TTFT = 200 - 0; E2E = t_last - t0 = 200 + 8*25 = 400; TPOT = (400-200)/(9-1) = 25
    assert m.ttft_ms == 200.0
    assert m.ttfb_chunk_ms == 6.0  # the role-only chunk is kept apart
    assert m.e2e_ms == 400.0
    assert m.e2e_close_ms == 402.0
    assert m.tpot_ms == 25.0
    assert m.output_speed_tps == 40.0  # 8 tokens in 0.2 s
    assert m.client_prep_ms == 1.0
    assert m.gaps_ms == (25.0,) * 8
    assert m.outcome is Outcome.OK and m.ok
    assert not m.tokens_estimated and not m.burst


def test_tpot_uses_tokens_not_chunks() -> None:
    # 3 chunks of 4 tokens each (12 tokens): chunks at 100, 180, 260 ms.
    times = (100 * MS, 180 * MS, 260 * MS)
    rec = RequestRecord(
        seq=0,
        t0_ns=0,
        t_first_ns=times[0],
        t_last_ns=times[-1],
        content_times_ns=times,
        chunks=3,
        output_tokens=12,
        tokens_source=TokensSource.USAGE,
        http_status=200,
        finish_reason="stop",
    )
    m = request_metrics(rec)
    # TPOT = (260 - 100) / (12 - 1) = 14.5454...; pooled gaps are per chunk (80 ms each)
    assert m.tpot_ms == pytest.approx(160 / 11)
    assert m.gaps_ms == (80.0, 80.0)
    assert m.output_speed_tps == pytest.approx(11 / 0.16)


def test_reasoning_tokens_are_not_streamed() -> None:
    rec = ok_record(tokens=9, output_tokens=59, reasoning_tokens=50)
    assert request_metrics(rec).tpot_ms == 25.0  # (400-200)/(59-50-1)


def test_single_token_has_no_tpot() -> None:
    m = request_metrics(ok_record(tokens=1))
    assert m.ttft_ms == 200.0 and m.e2e_ms == 200.0
    assert m.tpot_ms is None and m.output_speed_tps is None


def test_outcomes() -> None:
    assert ok_record().outcome is Outcome.OK
    http_err = RequestRecord(seq=0, t0_ns=0, t_close_ns=3 * MS, http_status=429, error="HTTP 429: slow down")
    assert http_err.outcome is Outcome.ERROR
    cut = ok_record(finish_reason=None, error="connection error: RemoteProtocolError")
    assert cut.outcome is Outcome.CUT_OFF
    no_finish = ok_record(finish_reason=None)
    assert no_finish.outcome is Outcome.CUT_OFF
    empty = RequestRecord(seq=0, t0_ns=0, t_any_ns=MS, t_close_ns=2 * MS, http_status=200)
    assert empty.outcome is Outcome.EMPTY


def test_burst_flag() -> None:
    # 20 tokens all within 5 ms after a 3 s TTFT: streaming phase < 10% of E2E
    assert request_metrics(ok_record(ttft=3000, gap=0, tokens=20)).burst
    assert not request_metrics(ok_record(ttft=30, gap=20, tokens=20)).burst


def test_percentile_linear_interpolation() -> None:
    # numpy.percentile([1..10], q) with the default 'linear' method: p50=5.5, p90=9.1, p95=9.55, p99=9.91
    values = [float(v) for v in range(10, 0, -1)]
    assert percentile(values, 50) == 5.5
    assert percentile(values, 90) == pytest.approx(9.1)
    assert percentile(values, 95) == pytest.approx(9.55)
    assert percentile(values, 99) == pytest.approx(9.91)
    assert percentile(values, 0) == 1.0 and percentile(values, 100) == 10.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_stats_small() -> None:
    s = stats([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    assert s.count == 8 and s.mean == 5.0
    assert s.std == pytest.approx(math.sqrt(32 / 7))  # sample std: sum of squares 32 over n-1
    assert s.min == 2.0 and s.max == 9.0 and s.p50 == 4.5
    assert stats([]).count == 0 and stats([]).p50 is None


def test_summary_counts_failures_and_excludes_them_from_percentiles() -> None:
    records = [
        ok_record(0, t0=0, ttft=100),
        ok_record(1, t0=0, ttft=300),
        RequestRecord(seq=2, t0_ns=0, t_close_ns=5 * MS, http_status=500, error="HTTP 500: boom"),
        ok_record(3, t0=10, ttft=50, finish_reason=None, error="connection error"),  # cut off: fast but failed
        ok_record(4, warmup=True, ttft=5),
    ]
    s = summarize(records)
    assert s.requests == 4 and s.ok == 2 and s.errors == 2 and s.error_rate == 0.5
    assert s.warmup_requests == 1
    assert s.outcomes == {"ok": 2, "error": 1, "cut_off": 1, "empty": 0}
    assert s.ttft_ms.count == 2 and s.ttft_ms.p50 == 200.0  # (100+300)/2: the cut-off 50 ms is not in it
    assert s.itl_ms.count == 16  # 8 gaps per successful request, pooled
    # window: earliest t0 = 0, latest end = ttft 300 + 8*25 = 500 ms; 2 ok requests, 18 tokens
    assert s.window_s == 0.5
    assert s.request_throughput_rps == 4.0
    assert s.output_throughput_tps == 36.0


def test_summary_of_nothing() -> None:
    s = summarize([])
    assert s.requests == 0 and s.error_rate is None and s.ttft_ms.count == 0 and s.window_s is None


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=50))
def test_percentiles_are_ordered(values: list[float]) -> None:
    s = stats(values)
    assert s.min is not None and s.p50 is not None and s.p90 is not None and s.p95 is not None
    assert s.p99 is not None and s.max is not None
    assert s.min <= s.p50 <= s.p90 <= s.p95 <= s.p99 <= s.max


def test_poisson_schedule_is_seeded_and_has_the_asked_mean() -> None:
    a = poisson_offsets_ns(20.0, seed=7)
    b = poisson_offsets_ns(20.0, seed=7)
    first = [next(a) for _ in range(2001)]
    assert first[:50] == [next(b) for _ in range(50)]
    c = poisson_offsets_ns(20.0, seed=8)
    assert first[:50] != [next(c) for _ in range(50)]
    mean_gap_s = first[-1] / 2000 / 1e9
    assert mean_gap_s == pytest.approx(1 / 20, rel=0.1)  # 2000 gaps: sd of the mean is ~2.2%


def test_load_plan_needs_one_stop_rule() -> None:
    with pytest.raises(ValueError):
        LoadPlan(requests=5, duration_s=3)
    with pytest.raises(ValueError):
        LoadPlan()


def test_pure_modules_import_no_network_or_ui() -> None:
    root = Path(__file__).resolve().parent.parent / "costmodel" / "latency"
    for name in ("metrics.py", "load.py", "reference.py"):
        tree = ast.parse((root / name).read_text())
        imported = {n.names[0].name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not imported & {"openai", "httpx2", "streamlit", "plotly"}, name


def test_docstring_examples() -> None:
    import doctest

    import costmodel.latency.charts
    import costmodel.latency.client
    import costmodel.latency.load
    import costmodel.latency.metrics
    import costmodel.latency.reference
    import costmodel.latency.runner

    for module in (
        costmodel.latency.metrics,
        costmodel.latency.load,
        costmodel.latency.client,
        costmodel.latency.reference,
        costmodel.latency.charts,
        costmodel.latency.runner,
    ):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
