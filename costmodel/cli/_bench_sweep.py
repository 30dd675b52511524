"""``costmodel bench sweep``: find the goodput of an endpoint (see :mod:`costmodel.latency.sweep`).

::

    costmodel bench sweep --base-url http://127.0.0.1:8080/v1 --model m --slo ttft:500 --slo-percentile 95
    costmodel bench sweep list
    costmodel bench sweep show SWEEP [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pydantic import ValidationError

from costmodel.errors import InputError


def sweep(args: argparse.Namespace, rest: list[str]) -> int:
    if rest and rest[0] == "list":
        return _list(args)
    if rest and rest[0] == "show":
        if len(rest) != 2:
            raise InputError(
                "expected: bench sweep show SWEEP", field="action", hint="see 'costmodel bench sweep list'"
            )
        return _show(args, rest[1])
    if rest:
        raise InputError(
            f"unexpected arguments: {' '.join(rest)}", hint="bench sweep [list | show SWEEP]; options start with --"
        )
    return _run(args)


def _objective_and_plan(args: argparse.Namespace) -> tuple[Any, Any]:
    from costmodel.latency.sweep import SweepPlan, parse_objective

    if not args.slo:
        raise InputError(
            "--slo is required for a sweep",
            field="slo",
            hint="e.g. --slo ttft:500 --slo-percentile 95 (ttft, tpot, e2el in milliseconds)",
        )
    objective = parse_objective(args.slo, args.slo_percentile)
    try:
        plan = SweepPlan(
            start_rps=args.start_rate,
            growth=args.growth,
            max_rps=args.max_rate,
            step_s=args.step_duration,
            min_requests=args.min_step_requests,
            tolerance=args.tolerance,
            max_steps=args.max_steps,
            max_error_rate=args.max_error_rate,
            seed=args.seed,
            early_stop=args.early_stop,
        )
    except ValidationError as err:
        first = err.errors()[0]
        raise InputError(
            f"invalid sweep setting {'.'.join(str(x) for x in first['loc'])}: {first['msg']}",
            hint="see costmodel bench --help (goodput sweep options)",
        ) from None
    return objective, plan


def _fmt(v: float | None, digits: int = 1) -> str:
    return "n/a" if v is None else f"{v:,.{digits}f}"


def _priced(info: Any, usd_per_hour: str | None) -> dict[str, Any] | None:
    """The path priced at the measured goodput (``--usd-per-hour``), or None."""
    if not usd_per_hour:
        return None
    from decimal import Decimal, InvalidOperation

    from costmodel.latency.capacity import capacity_from_sweep, cost_per_million_output_tokens

    try:
        price = Decimal(usd_per_hour)
    except InvalidOperation:
        raise InputError(f"--usd-per-hour {usd_per_hour!r} is not a number", field="usd_per_hour") from None
    if info.outcome.goodput_rps is None:
        return {"usd_per_hour": str(price), "usd_per_1m_output_tokens": None, "source": "objective never met"}
    cap = capacity_from_sweep(info)
    return {
        "usd_per_hour": str(price),
        "sustainable_output_tokens_per_s": str(cap.output_tokens_per_s),
        "sustainable_requests_per_s": str(cap.requests_per_s),
        "usd_per_1m_output_tokens": str(cost_per_million_output_tokens(cap, price)),
        "source": cap.source,
    }


def sweep_json(info: Any, usd_per_hour: str | None = None) -> dict[str, Any]:
    """The ``--json`` document of a sweep."""
    o = info.outcome
    priced = _priced(info, usd_per_hour)
    return {
        **({"priced": priced} if priced else {}),
        "sweep_id": info.sweep_id,
        "created_utc": info.created_utc,
        "endpoint_url": info.endpoint_url,
        "endpoint_kind": info.endpoint_kind,
        "model": info.model,
        "path": info.path_label,
        "slo": o.objective.model_dump(mode="json"),
        "slo_text": o.objective.describe(),
        "status": o.status,
        "stop_reason": o.stop_reason,
        "goodput_rps": o.goodput_rps,
        "goodput_output_tokens_per_s": o.goodput_output_tokens_per_s,
        "first_failing_rps": o.first_failing_rps,
        "saturation_rps": o.saturation_rps,
        "saturation_output_tokens_per_s": o.saturation_output_tokens_per_s,
        "saturated_at_rps": o.saturated_at_rps,
        "steps": [s.model_dump(mode="json") for s in o.steps],
    }


def step_line(s: Any) -> str:
    share = "n/a" if s.share_meeting is None else f"{s.share_meeting:.0%}"
    verdict = "meets" if s.meets_objective else ("FAILS" + (" (errors)" if s.errors_high else ""))
    return (
        f"{s.index:>4}{s.rate_rps:>10.3g}{_fmt(s.achieved_rps, 2):>10}{s.requests:>6}{s.errors:>6}"
        f"{_fmt(s.ttft_p50_ms):>10}{_fmt(s.ttft_p95_ms):>10}{_fmt(s.tpot_p95_ms):>10}{_fmt(s.e2e_p95_ms):>10}"
        f"{share:>8}  {verdict}" + (" saturated" if s.saturated else "") + (" stopped early" if s.stopped_early else "")
    )


STEP_HEADER = (
    f"{'step':>4}{'rate':>10}{'achieved':>10}{'n':>6}{'err':>6}{'ttft p50':>10}{'ttft p95':>10}"
    f"{'tpot p95':>10}{'e2e p95':>10}{'good':>8}"
)


def sweep_text(info: Any, usd_per_hour: str | None = None) -> str:
    o = info.outcome
    priced = _priced(info, usd_per_hour)
    lines = [
        f"sweep {info.sweep_id} of {info.model} via {info.endpoint_url} ({info.path_label})",
        f"objective: {o.objective.describe()}",
        STEP_HEADER,
        *[step_line(s) for s in o.steps],
    ]
    if o.goodput_rps is None:
        lines.append(
            "goodput: the objective was not met at any rate tried (lowest tried: "
            f"{min((s.rate_rps for s in o.steps), default=0):.3g} req/s)"
        )
    else:
        lines.append(
            f"goodput: {o.goodput_rps:.3g} req/s, {_fmt(o.goodput_output_tokens_per_s)} output tokens/s"
            " at the objective" + (f" (fails at {o.first_failing_rps:.3g} req/s)" if o.first_failing_rps else "")
        )
    if o.saturation_rps is None:
        lines.append("saturation: not reached (no step completed fewer than 90% of the offered requests)")
    else:
        lines.append(
            f"saturation: {o.saturation_rps:.3g} req/s, {_fmt(o.saturation_output_tokens_per_s)} output tokens/s"
            f" (first saturated at an offered {o.saturated_at_rps:.3g} req/s)"
        )
    lines.append(f"stopped: {o.stop_reason}; every request is stored (costmodel bench show RUN for a step)")
    if priced and priced["usd_per_1m_output_tokens"] is not None:
        lines.append(
            f"priced at the goodput: ${priced['usd_per_hour']}/h / ({priced['sustainable_output_tokens_per_s']} tok/s"
            f" x 3600) = ${priced['usd_per_1m_output_tokens']} per million output tokens ({priced['source']})"
        )
    elif priced:
        lines.append("priced at the goodput: n/a, the objective was never met")
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    from costmodel.cli.bench import _api_key, _build_config, _token_counter
    from costmodel.latency.sweep_runner import run_sweep

    objective, plan = _objective_and_plan(args)
    args.requests, args.duration, args.rate, args.concurrency = None, 1.0, 1.0, None
    config = _build_config(args)
    key = _api_key(args, config)
    counter = _token_counter(args, config)

    def progress(step: Any, nxt: float | None) -> None:
        if not args.json:
            if step.index == 0:
                sys.stderr.write(STEP_HEADER + "\n")
            sys.stderr.write(step_line(step) + (f"  -> next {nxt:.3g} req/s" if nxt else "  -> done") + "\n")
            sys.stderr.flush()

    if not args.json:
        sys.stderr.write(
            f"sweeping {config.endpoint.url} model {config.endpoint.model}: {objective.describe()},"
            f" Poisson arrivals from {plan.start_rps:g} req/s, steps of {plan.step_s:g} s\n"
        )
    info = run_sweep(config, objective, plan, api_key=key, db_path=args.db, token_counter=counter, on_step=progress)
    if args.json:
        print(json.dumps(sweep_json(info, args.usd_per_hour), indent=2))
    else:
        print(sweep_text(info, args.usd_per_hour))
    return 0 if any(s.ok for s in info.outcome.steps) else 1


def _list(args: argparse.Namespace) -> int:
    from costmodel import store
    from costmodel.latency.sweep_runner import list_sweeps

    conn = store.connect(args.db)
    try:
        sweeps = list_sweeps(conn)
    finally:
        conn.close()
    if args.json:
        print(json.dumps([sweep_json(s) for s in sweeps], indent=2))
        return 0
    if not sweeps:
        print("no sweeps stored yet; run 'costmodel bench sweep --help'")
    for s in sweeps:
        o = s.outcome
        gp = "not met" if o.goodput_rps is None else f"{o.goodput_rps:.3g} req/s"
        print(
            f"{s.sweep_id}  {s.created_utc[:19]}  {s.path_label:<36} goodput {gp:<14} {o.objective.spec()}"
            f"  {s.endpoint_url}"
        )
    return 0


def _show(args: argparse.Namespace, sweep_id: str) -> int:
    from costmodel import store
    from costmodel.latency.sweep_runner import load_sweep

    conn = store.connect(args.db)
    try:
        info = load_sweep(conn, sweep_id)
    finally:
        conn.close()
    print(
        json.dumps(sweep_json(info, args.usd_per_hour), indent=2) if args.json else sweep_text(info, args.usd_per_hour)
    )
    return 0
