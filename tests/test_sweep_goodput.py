"""Goodput sweeps: objective syntax, step verdicts, the rate planner (pure, fake clock), and the
acceptance run against the fake server with a capacity limit."""

from __future__ import annotations

import heapq
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costmodel.errors import InputError
from costmodel.latency.metrics import NS_PER_S, RequestRecord, TokensSource, request_metrics
from costmodel.latency.sweep import (
    Objective,
    StepResult,
    SweepPlan,
    evaluate_step,
    next_rate,
    parse_objective,
    request_meets,
    step_duration_s,
    sweep_outcome,
)
from tests import sweep_model

ROOT = Path(__file__).resolve().parent.parent
MS = 1_000_000


# -- objective syntax (vLLM's --goodput: ttft:MS tpot:MS e2el:MS) --------------------------------
@pytest.mark.parametrize(
    ("spec", "pct", "limits", "percentile"),
    [
        ("ttft:500", None, {"ttft": 500.0}, 95.0),  # default percentile 95
        ("ttft:500 tpot:50", 99, {"ttft": 500.0, "tpot": 50.0}, 99.0),
        ("ttft:200,e2el:2000@p90", None, {"ttft": 200.0, "e2el": 2000.0}, 90.0),
        ("TTFT:1.5 @p50", None, {"ttft": 1.5}, 50.0),
        ("ttft:200 @p90", 80, {"ttft": 200.0}, 80.0),  # the explicit percentile wins
    ],
)
def test_objective_syntax(spec: str, pct: float | None, limits: dict[str, float], percentile: float) -> None:
    obj = parse_objective(spec, pct)
    assert obj.limits_ms == limits and obj.percentile == percentile
    assert parse_objective(obj.spec()) == obj  # round trip


@pytest.mark.parametrize("spec", ["", "ttft", "ttft:abc", "latency:100", "ttft:0", "ttft:1 ttft:2", "ttft:5 @p0"])
def test_bad_objectives_say_how_to_write_one(spec: str) -> None:
    with pytest.raises(InputError) as err:
        parse_objective(spec)
    assert "ttft:500" in str(err.value.hint)


def rec(seq: int, t0_ms: float, ttft_ms: float, e2e_ms: float, n: int = 5, ok: bool = True) -> RequestRecord:
    t0 = round(t0_ms * MS)
    if not ok:
        return RequestRecord(seq=seq, t0_ns=t0, t_close_ns=t0 + 5 * MS, http_status=500, error="HTTP 500")
    first, last = t0 + round(ttft_ms * MS), t0 + round(e2e_ms * MS)
    return RequestRecord(
        seq=seq,
        t0_ns=t0,
        t_first_ns=first,
        t_last_ns=last,
        content_times_ns=(first, last),
        output_tokens=n,
        tokens_source=TokensSource.USAGE,
        http_status=200,
        finish_reason="length",
    )


def test_a_request_is_good_only_within_every_limit() -> None:
    obj = parse_objective("ttft:100 tpot:20")
    # TPOT = (e2e - ttft) / (n - 1): (180 - 100) / 4 = 20 -> meets; (181 - 100) / 4 = 20.25 -> misses
    assert request_meets(request_metrics(rec(0, 0, 100, 180)), obj)
    assert not request_meets(request_metrics(rec(0, 0, 100, 181)), obj)
    assert not request_meets(request_metrics(rec(0, 0, 101, 150)), obj)
    assert not request_meets(request_metrics(rec(0, 0, 0, 0, ok=False)), obj)
    # one-token answer: TPOT undefined, met
    assert request_meets(request_metrics(rec(0, 0, 50, 50, n=1)), obj)


def test_step_verdict_hand_checked() -> None:
    """10 requests 100 ms apart, each 50 ms TTFT / 250 ms E2E, except #8 (HTTP 500) and #9
    (TTFT 300 ms, E2E 350 ms).

    Hand-computed: good = 8 of 10 -> share 0.8; errors 1 -> 10%; successful ends at 250, 350, ...,
    950 ms and 1250 ms (#9: 900 + 350): 9 completions over 1.0 s -> (9 - 1) / 1.0 = 8 req/s,
    5 tokens each -> 40 tokens/s; 8 < 0.9 x 10 offered -> saturated.
    """
    records = [rec(i, i * 100, 50, 250) for i in range(8)]
    records.append(rec(8, 800, 0, 0, ok=False))
    records.append(rec(9, 900, 300, 350))
    obj = parse_objective("ttft:100 @p80")
    step = evaluate_step(records, obj, SweepPlan(max_error_rate=0.1), index=0, rate_rps=10, duration_s=1)
    assert (step.requests, step.ok, step.errors, step.good) == (10, 9, 1, 8)
    assert step.share_meeting == pytest.approx(0.8)
    assert step.meets_objective  # 0.8 >= 0.8 and errors 10% <= 10%
    assert step.achieved_rps == pytest.approx(8.0)
    assert step.output_tokens_per_s == pytest.approx(40.0)
    assert step.ttft_p50_ms == pytest.approx(50.0)
    assert step.saturated
    strict = evaluate_step(records, obj, SweepPlan(max_error_rate=0.05), index=0, rate_rps=10, duration_s=1)
    assert strict.errors_high and not strict.meets_objective  # 10% errors > 5%


def test_saturation_flag_uses_the_ratio() -> None:
    records = [rec(i, i * 100, 50, 250) for i in range(10)]  # ends 250..1150: (10-1)/0.9 s = 10 req/s
    obj = parse_objective("ttft:100")
    plan = SweepPlan(saturation_ratio=0.9)
    at_10 = evaluate_step(records, obj, plan, index=0, rate_rps=10, duration_s=1)
    at_12 = evaluate_step(records, obj, plan, index=1, rate_rps=12, duration_s=1)
    assert at_10.achieved_rps == pytest.approx(10.0)
    assert not at_10.saturated  # 10 >= 9
    assert at_12.saturated  # 10 < 10.8


def step(rate: float, meets: bool, saturated: bool = False, index: int = 0) -> StepResult:
    return StepResult(
        index=index,
        rate_rps=rate,
        duration_s=1,
        requests=10,
        ok=10,
        errors=0,
        error_rate=0.0,
        good=10 if meets else 0,
        share_meeting=1.0 if meets else 0.0,
        achieved_rps=rate if not saturated else rate / 2,
        output_tokens_per_s=None,
        mean_output_tokens=10.0,
        ttft_p50_ms=None,
        ttft_p95_ms=None,
        tpot_p50_ms=None,
        tpot_p95_ms=None,
        e2e_p50_ms=None,
        e2e_p95_ms=None,
        meets_objective=meets,
        errors_high=False,
        saturated=saturated,
    )


def test_planner_sequence_hand_checked() -> None:
    """start 1, x2: 1, 2, 4 (fails, not saturated: keep climbing), 8 (fails, saturated),
    then bisect [2, 4]: 3 (meets), 3.5 (fails): (3.5 - 3) / 3.5 = 14% > 10%, 3.25 meets:
    (3.5 - 3.25) / 3.5 = 7.1% <= 10%: done."""
    plan = SweepPlan(start_rps=1, growth=2, tolerance=0.1)
    truth = {1.0: True, 2.0: True, 4.0: False, 8.0: False, 3.0: True, 3.5: False, 3.25: True}
    steps: list[StepResult] = []
    rates = []
    while (r := next_rate(plan, steps)) is not None:
        rates.append(r)
        steps.append(step(r, truth[r], saturated=r >= 8, index=len(steps)))
    assert rates == [1.0, 2.0, 4.0, 8.0, 3.0, 3.5, 3.25]
    out = sweep_outcome(parse_objective("ttft:1"), plan, steps)
    assert (out.goodput_rps, out.first_failing_rps, out.stop_reason, out.status) == (3.25, 3.5, "bisected", "met")
    assert out.goodput_output_tokens_per_s == pytest.approx(32.5)
    assert out.saturation_rps == pytest.approx(4.0) and out.saturated_at_rps == 8.0


def test_planner_probes_down_and_gives_a_typed_no_answer() -> None:
    plan = SweepPlan(start_rps=8, growth=2, max_probes_down=2)
    steps: list[StepResult] = []
    rates = []
    while (r := next_rate(plan, steps)) is not None:
        rates.append(r)
        steps.append(step(r, False, index=len(steps)))
    assert rates == [8.0, 4.0, 2.0]
    out = sweep_outcome(parse_objective("ttft:1"), plan, steps)
    assert out.status == "never_met" and out.goodput_rps is None and out.goodput_output_tokens_per_s is None
    assert out.stop_reason == "never_met"


def test_planner_stops_at_max_rate_and_max_steps() -> None:
    plan = SweepPlan(start_rps=1, growth=2, max_rps=5)
    steps: list[StepResult] = []
    rates = []
    while (r := next_rate(plan, steps)) is not None:
        rates.append(r)
        steps.append(step(r, True, index=len(steps)))
    assert rates == [1.0, 2.0, 4.0, 5.0]
    assert sweep_outcome(parse_objective("ttft:1"), plan, steps).stop_reason == "max_rate"
    assert next_rate(SweepPlan(max_steps=2), [step(1, True), step(2, True)]) is None


@given(st.floats(0.5, 50), st.floats(0.01, 0.3))
def test_planner_brackets_any_monotone_knee(knee: float, tol: float) -> None:
    """Property: for a service that meets the objective exactly below ``knee`` (and saturates at
    twice it), the sweep ends with goodput <= knee < first failing rate, within the tolerance."""
    plan = SweepPlan(start_rps=1, growth=2, tolerance=tol, max_steps=60, max_probes_down=8, max_rps=1e6)
    steps: list[StepResult] = []
    while (r := next_rate(plan, steps)) is not None:
        steps.append(step(r, r <= knee, saturated=r >= 2 * knee, index=len(steps)))
    out = sweep_outcome(parse_objective("ttft:1"), plan, steps)
    assert out.goodput_rps is not None and out.first_failing_rps is not None
    assert out.goodput_rps <= knee < out.first_failing_rps
    assert (out.first_failing_rps - out.goodput_rps) / out.first_failing_rps <= tol


def simulate_step(rate: float, duration_s: float, *, slots: int, ttft_s: float, itl_s: float, n: int, seed: int):
    """Records of one step against the modelled server, timestamps from a fake clock (pure)."""
    service = ttft_s + (n - 1) * itl_s
    free = [0.0] * slots
    out = []
    for seq, a in enumerate(sweep_model.arrivals(rate, seed, duration_s)):
        start = max(a, heapq.heappop(free))
        heapq.heappush(free, start + service)
        first = start + ttft_s
        out.append(
            RequestRecord(
                seq=seq,
                t0_ns=round(a * NS_PER_S),
                t_first_ns=round(first * NS_PER_S),
                t_last_ns=round((start + service) * NS_PER_S),
                content_times_ns=(round(first * NS_PER_S), round((start + service) * NS_PER_S)),
                output_tokens=n,
                tokens_source=TokensSource.USAGE,
                http_status=200,
                finish_reason="length",
            )
        )
    return out


def test_sweep_on_a_fake_clock_finds_the_modelled_knee_and_ceiling() -> None:
    """The whole planner loop against the modelled M/D/C server (no network, no real clock)."""
    slots, ttft_s, itl_s, n = 4, 0.1, 0.02, 16  # S = 0.1 + 15 * 0.02 = 0.4 s -> C / S = 10 req/s
    obj = parse_objective("ttft:500 @p90")  # wait <= 0.4 s
    plan = SweepPlan(start_rps=2.5, step_s=5, min_requests=20, tolerance=0.03, seed=7)
    steps: list[StepResult] = []
    while (r := next_rate(plan, steps)) is not None:
        d = step_duration_s(plan, r)
        recs = simulate_step(r, d, slots=slots, ttft_s=ttft_s, itl_s=itl_s, n=n, seed=plan.seed)
        steps.append(evaluate_step(recs, obj, plan, index=len(steps), rate_rps=r, duration_s=d))
    out = sweep_outcome(obj, plan, steps)
    knee = sweep_model.goodput_rate(
        slots=slots, service_s=0.4, max_wait_s=0.4, share=0.9, seed=7, step_s=5, min_requests=20
    )
    assert out.goodput_rps is not None and out.saturation_rps is not None
    assert out.goodput_rps == pytest.approx(knee, rel=0.05)
    assert out.saturation_rps == pytest.approx(10.0, rel=0.05)
    assert out.goodput_output_tokens_per_s == pytest.approx(out.goodput_rps * 16)


def test_objective_model_is_frozen() -> None:
    with pytest.raises(ValueError):
        Objective(limits_ms={}, percentile=95)


# -- acceptance: the real sweep against the fake server with a capacity limit ----------------------
@pytest.mark.slow
@pytest.mark.timing
def test_sweep_against_the_capacity_limited_server(tmp_path: Path) -> None:
    """At most 4 streams at once, each 50 ms TTFT + 15 x 10 ms = 200 ms: saturation 4 / 0.2 = 20 req/s
    (analytic). Objective TTFT <= 450 ms for 90% of requests, i.e. a queueing wait of at most
    450 ms minus the unloaded TTFT (50 ms injected + this machine's overhead, taken from the first,
    unloaded step): the goodput is the M/D/4 knee for this seed (tests/sweep_model.py; ~17 req/s,
    and it moves by under 4% per 50 ms of overhead). Both within 10%.

    The times are half those of a typical small-model endpoint so that the sweep takes about 25 s; an
    M/D/C queue is scale-free (halving every time doubles every rate at the same number of arrivals
    per step), so the knee is the same point of the same curve."""
    db = tmp_path / "s.sqlite3"
    code = f"""
import json, sys
from costmodel.testing.fake_chat_server import ServerKnobs, start_subprocess_server
knobs = ServerKnobs(ttft_ms=50, itl_ms=10, output_tokens=16, max_streams=4, role_chunk="with_first")
with start_subprocess_server(knobs) as url:
    from costmodel.cli import main
    sys.argv = ["costmodel", "bench", "sweep", "--base-url", url, "--model", "fake-model", "--max-tokens", "16",
        "--prompt-tokens", "16", "--slo", "ttft:450", "--slo-percentile", "90", "--start-rate", "5",
        "--step-duration", "3", "--min-step-requests", "20", "--tolerance", "0.04", "--seed", "7",
        "--warmup", "4", "--db", {str(db)!r}, "--json"]
    raise SystemExit(main())
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    unloaded_ttft_s = result["steps"][0]["ttft_p50_ms"] / 1000
    assert 0.05 <= unloaded_ttft_s < 0.15
    knee = sweep_model.goodput_rate(
        slots=4, service_s=0.2, max_wait_s=0.45 - unloaded_ttft_s, share=0.9, seed=7, step_s=3, min_requests=20
    )
    assert 16.0 < knee < 19.0  # the model itself, for this seed
    assert result["slo"] == {"limits_ms": {"ttft": 450.0}, "percentile": 90.0}
    assert result["saturation_rps"] == pytest.approx(20.0, rel=0.10)
    assert result["goodput_rps"] == pytest.approx(knee, rel=0.10), result["steps"]
    assert result["goodput_output_tokens_per_s"] == pytest.approx(result["goodput_rps"] * 16, rel=0.01)
    for s in result["steps"]:
        assert {"rate_rps", "achieved_rps", "ttft_p50_ms", "ttft_p95_ms", "tpot_p50_ms", "tpot_p95_ms"} <= set(s)
        assert {"e2e_p50_ms", "e2e_p95_ms", "share_meeting", "errors", "run_id"} <= set(s)
    # every request is stored, one latency run per step
    from costmodel import store
    from costmodel.latency.store import list_runs
    from costmodel.latency.sweep_runner import load_sweep

    conn = store.connect(db)
    runs = list_runs(conn)
    assert {r.run_id for r in runs} == {s["run_id"] for s in result["steps"]}
    again = load_sweep(conn, result["sweep_id"])
    assert again.outcome.goodput_rps == result["goodput_rps"]
    conn.close()
