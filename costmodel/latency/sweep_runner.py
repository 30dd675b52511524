"""Run a goodput sweep against an endpoint, store it, and read stored sweeps back.

Each step is an ordinary latency run (:func:`~costmodel.latency.runner.run_benchmark_async`), so
every request is stored as it finishes, exactly as for ``costmodel bench``. The step's run carries
``config.sweep = {"sweep_id", "step", "rate_rps", "duration_s", "objective", "plan"}`` (in the
run's ``config_json``): a sweep is the set of runs sharing a sweep id, and :func:`load_sweep`
recomputes its verdicts and goodput from their stored request rows. No table was added.

The decisions (which rate next, when a step is hopeless, the verdicts) are the pure functions of
:mod:`costmodel.latency.sweep`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from costmodel import store
from costmodel.errors import InputError
from costmodel.latency import store as lstore
from costmodel.latency.client import Clock, TokenCounter, make_client
from costmodel.latency.load import LoadPlan
from costmodel.latency.metrics import RequestRecord, request_metrics
from costmodel.latency.runner import BenchConfig, run_benchmark_async
from costmodel.latency.sweep import (
    Objective,
    StepResult,
    SweepInfo,
    SweepPlan,
    evaluate_step,
    next_rate,
    request_meets,
    step_duration_s,
    step_is_hopeless,
    sweep_outcome,
)
from costmodel.store import Store

__all__ = ["list_sweeps", "load_sweep", "run_sweep", "run_sweep_async"]


class _StepWatch:
    """Counts a step's misses as records arrive; says when the step cannot meet the objective."""

    def __init__(
        self,
        objective: Objective,
        plan: SweepPlan,
        expected: float,
        on_record: Callable[[RequestRecord], None] | None,
    ) -> None:
        self.objective, self.plan, self.expected, self.on_record = objective, plan, expected, on_record
        self.misses = 0
        self.stopped = False

    def record(self, rec: RequestRecord) -> None:
        if not rec.warmup and not request_meets(request_metrics(rec), self.objective):
            self.misses += 1
            if self.plan.early_stop and step_is_hopeless(self.objective, self.expected, self.misses):
                self.stopped = True
        if self.on_record is not None:
            self.on_record(rec)

    def hopeless(self) -> bool:
        return self.stopped


async def run_sweep_async(
    config: BenchConfig,
    objective: Objective,
    plan: SweepPlan,
    *,
    api_key: str,
    conn: Store,
    clock: Clock = time.perf_counter_ns,
    client: Any = None,
    token_counter: TokenCounter | None = None,
    on_step: Callable[[StepResult, float | None], None] | None = None,
    on_record: Callable[[RequestRecord], None] | None = None,
    now_utc: Callable[[], datetime] = lambda: datetime.now(UTC),
    sweep_id: str | None = None,
) -> SweepInfo:
    """Sweep ``config``'s endpoint; ``config.load.warmup`` warm-up requests run before the first step.

    ``on_step(step, next_rate)`` is called after each step (``next_rate`` None: the sweep ends).
    """
    sid = sweep_id or f"sweep-{now_utc():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    own_client = client is None
    if client is None:
        client = make_client(config.endpoint, api_key, timeouts=config.timeouts, max_connections=1024)
    steps: list[StepResult] = []
    try:
        rate = next_rate(plan, steps)
        while rate is not None:
            index = len(steps)
            duration = step_duration_s(plan, rate)
            watch = _StepWatch(objective, plan, rate * duration, on_record)
            step_config = config.model_copy(
                update={
                    "load": LoadPlan(
                        rate=rate,
                        seed=plan.seed,
                        duration_s=duration,
                        warmup=config.load.warmup if index == 0 else 0,
                    ),
                    "label": (config.label + " " if config.label else "") + f"{sid} step {index}: {rate:.4g} req/s",
                    "sweep": {
                        "sweep_id": sid,
                        "step": index,
                        "rate_rps": rate,
                        "duration_s": duration,
                        "objective": objective.model_dump(mode="json"),
                        "plan": plan.model_dump(mode="json"),
                    },
                }
            )
            result = await run_benchmark_async(
                step_config,
                api_key=api_key,
                conn=conn,
                clock=clock,
                client=client,
                token_counter=token_counter,
                on_record=watch.record,
                now_utc=now_utc,
                run_id=f"{sid}-s{index:02d}",
                stop=watch.hopeless,
            )
            step = evaluate_step(
                result.records,
                objective,
                plan,
                index=index,
                rate_rps=rate,
                duration_s=duration,
                run_id=result.run_id,
                stopped_early=watch.stopped,
            )
            steps.append(step)
            rate = next_rate(plan, steps)
            if on_step is not None:
                on_step(step, rate)
    finally:
        if own_client:
            await client.close()
    return load_sweep(conn, sid)


def run_sweep(
    config: BenchConfig,
    objective: Objective,
    plan: SweepPlan,
    *,
    api_key: str,
    db_path: str | None = None,
    token_counter: TokenCounter | None = None,
    on_step: Callable[[StepResult, float | None], None] | None = None,
) -> SweepInfo:
    """Synchronous wrapper around :func:`run_sweep_async` (opens the store at ``db_path``)."""
    conn = store.connect(db_path)
    try:
        return asyncio.run(
            run_sweep_async(
                config, objective, plan, api_key=api_key, conn=conn, token_counter=token_counter, on_step=on_step
            )
        )
    finally:
        conn.close()


def _sweep_runs(conn: Store, sweep_id: str | None) -> list[lstore.RunInfo]:
    runs = [r for r in lstore.list_runs(conn) if isinstance(r.config.get("sweep"), dict)]
    if sweep_id is not None:
        runs = [r for r in runs if r.config["sweep"].get("sweep_id") == sweep_id]
    return runs


def load_sweep(conn: Store, sweep_id: str) -> SweepInfo:
    """A stored sweep, its verdicts recomputed from the stored request rows."""
    runs = sorted(_sweep_runs(conn, sweep_id), key=lambda r: int(r.config["sweep"]["step"]))
    if not runs:
        known = sorted({r.config["sweep"]["sweep_id"] for r in _sweep_runs(conn, None)}, reverse=True)[:5]
        raise InputError(
            f"no sweep '{sweep_id}' in the store",
            field="sweep_id",
            hint="list sweeps with 'costmodel bench sweep list'" + (f"; recent: {', '.join(known)}" if known else ""),
        )
    tag = runs[0].config["sweep"]
    objective = Objective.model_validate(tag["objective"])
    plan = SweepPlan.model_validate(tag["plan"])
    steps: list[StepResult] = []
    for run in runs:
        t = run.config["sweep"]
        records = lstore.load_records(conn, run.run_id)
        measured = [r for r in records if not r.warmup]
        expected = float(t["rate_rps"]) * float(t["duration_s"])
        misses = sum(1 for r in measured if not request_meets(request_metrics(r), objective))
        stopped = plan.early_stop and step_is_hopeless(objective, expected, misses) and len(measured) < expected
        steps.append(
            evaluate_step(
                records,
                objective,
                plan,
                index=int(t["step"]),
                rate_rps=float(t["rate_rps"]),
                duration_s=float(t["duration_s"]),
                run_id=run.run_id,
                stopped_early=stopped,
            )
        )
    first = runs[0]
    return SweepInfo(
        sweep_id=sweep_id,
        created_utc=first.created_utc,
        endpoint_url=first.endpoint_url,
        endpoint_kind=first.endpoint_kind,
        model=first.model,
        provider=first.provider,
        path_label=first.path_label,
        outcome=sweep_outcome(objective, plan, steps),
        run_ids=tuple(r.run_id for r in runs),
    )


def list_sweeps(conn: Store) -> list[SweepInfo]:
    """Every stored sweep, newest first."""
    ids: list[str] = []
    for r in _sweep_runs(conn, None):  # list_runs is newest first
        sid = r.config["sweep"]["sweep_id"]
        if sid not in ids:
            ids.append(sid)
    return [load_sweep(conn, sid) for sid in ids]
