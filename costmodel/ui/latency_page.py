"""The dashboard's Latency page: run a small benchmark, see distributions, compare runs, and put
latency beside cost.

``render()`` needs no argument. The cost-against-latency chart needs the current paths' monthly
costs: pass them as ``render(path_costs=[PathCost(...), ...])`` or leave them in
``st.session_state["latency_path_costs"]`` (the Decision page can do that); without them the page
shows each path's latency table only.

API keys come from the environment or ``st.secrets`` (``OPENAI_API_KEY``,
``AZURE_OPENAI_API_KEY``), otherwise from a password field. A key is handed to the SDK only:
never put in the URL, the store, a log line or a message.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import streamlit as st

from costmodel.errors import CostmodelError

__all__ = ["SESSION_PATH_COSTS", "PathCost", "render"]

SESSION_PATH_COSTS = "latency_path_costs"
MAX_UI_REQUESTS = 200


class PathCost(NamedTuple):
    """A cost path and its monthly cost, as the Decision page computed it."""

    label: str
    provider: str
    model: str
    fine_tuned: bool
    monthly_cost: Decimal
    tier: str | None = None


def _secret(name: str) -> str | None:
    value = os.environ.get(name)
    if value:
        return value
    try:
        found = st.secrets.get(name)
    except Exception:  # no secrets.toml: Streamlit raises rather than returning None
        return None
    return str(found) if found else None


def render(path_costs: Sequence[PathCost] | None = None, *, db_path: str | Path | None = None) -> None:
    from costmodel import store

    st.title("Latency")
    st.caption(
        "Time to first token (TTFT), end-to-end latency (E2E) and time per output token (TPOT), measured through "
        "the openai SDK and kept in the local store; published figures stand in until you measure a path."
    )
    try:
        conn = store.connect(db_path)
    except CostmodelError as exc:
        st.error(str(exc))
        return
    try:
        _benchmark_section(conn, db_path)
        _runs_section(conn)
        _sweeps_section(conn)
        costs = path_costs if path_costs is not None else st.session_state.get(SESSION_PATH_COSTS)
        _paths_section(conn, list(costs) if costs else None)
    finally:
        conn.close()


# --- run a benchmark --------------------------------------------------------------------------


def _benchmark_section(conn: Any, db_path: str | Path | None) -> None:
    from pydantic import ValidationError

    from costmodel.latency.client import EndpointConfig
    from costmodel.latency.load import LoadPlan
    from costmodel.latency.runner import BenchConfig, PathKey, guess_path

    st.subheader("Run a benchmark")
    kind = st.radio(
        "Endpoint",
        ["OpenAI", "Azure OpenAI", "OpenAI-compatible (local or other)"],
        horizontal=True,
        key="lat_kind",
    )
    c1, c2 = st.columns(2)
    env_name = "AZURE_OPENAI_API_KEY" if kind == "Azure OpenAI" else "OPENAI_API_KEY"
    try:
        if kind == "Azure OpenAI":
            azure_endpoint = c1.text_input("Azure endpoint", placeholder="https://NAME.openai.azure.com", key="lat_az")
            deployment = c1.text_input("Deployment", key="lat_dep")
            api_version = c1.text_input("API version", value="2024-10-21", key="lat_ver")
            model = c2.text_input("Model of the deployment", value="gpt-4o-mini", key="lat_model_az")
            endpoint = EndpointConfig(
                kind="azure",
                azure_endpoint=azure_endpoint,
                deployment=deployment,
                api_version=api_version,
                model=model or deployment,
            )
        else:
            default_url = "" if kind == "OpenAI" else "http://127.0.0.1:8080/v1"
            base_url = c1.text_input(
                "Base URL", value=default_url, key="lat_url_openai" if kind == "OpenAI" else "lat_url_compat"
            )
            model = c2.text_input("Model", value="gpt-4o-mini", key="lat_model")
            endpoint = EndpointConfig(base_url=base_url or None, model=model)
    except ValidationError:
        st.info("Fill in the endpoint fields to run a benchmark.")
        return

    key = _secret(env_name)
    guessed = guess_path(endpoint)
    if key:
        c2.caption(f"API key: from {env_name} (environment or Streamlit secrets).")
    elif guessed.provider == "local":
        key = "no-key-local-server"
        c2.caption("No key needed for a local server.")
    else:
        key = c2.text_input(f"API key ({env_name} not set)", type="password", key="lat_key") or None

    c3, c4, c5 = st.columns(3)
    concurrency = c3.number_input("Concurrency", 1, 64, 2, key="lat_conc")
    requests = c3.number_input("Requests", 1, MAX_UI_REQUESTS, 10, key="lat_req")
    warmup = c4.number_input("Warm-up requests", 0, 20, 1, key="lat_warm")
    max_tokens = c4.number_input("Output tokens (max_tokens)", 1, 4096, 64, key="lat_maxtok")
    prompt_tokens = c5.number_input("Prompt tokens (synthetic)", 1, 100_000, 128, key="lat_prompt")
    provider_choice = c5.selectbox(
        "Cost path: provider",
        ["auto", "openai", "azure", "local"],
        format_func=lambda v: f"auto ({guessed.provider})" if v == "auto" else v,
        key="lat_pprov",
    )
    provider = guessed.provider if provider_choice == "auto" else provider_choice
    c6, c7 = st.columns(2)
    path_model = c6.text_input("Cost path: catalogue model", placeholder=guessed.model, key="lat_pmodel")
    fine_tuned = c7.checkbox("Fine-tuned model", value=guessed.fine_tuned, key="lat_ft")

    path_key = PathKey(provider=provider, model=path_model or guessed.model, fine_tuned=fine_tuned)
    _sweep_controls(conn, endpoint, path_key, key, int(max_tokens), int(prompt_tokens), int(warmup))
    if not st.button("Run benchmark", type="primary", disabled=not key, key="lat_run"):
        return
    try:
        config = BenchConfig(
            endpoint=endpoint,
            load=LoadPlan(concurrency=int(concurrency), requests=int(requests), warmup=int(warmup)),
            max_tokens=int(max_tokens),
            prompt_tokens=int(prompt_tokens),
            path=path_key,
            label="dashboard",
        )
    except ValidationError as err:
        st.error("Invalid settings: " + "; ".join(str(e["msg"]) for e in err.errors()))
        return
    from costmodel.latency.metrics import RequestRecord
    from costmodel.latency.runner import run_benchmark

    total = int(requests) + int(warmup)
    bar = st.progress(0.0, text="starting ...")
    done = 0

    def progress(rec: RequestRecord) -> None:
        nonlocal done
        done += 1
        bar.progress(min(done / total, 1.0), text=f"{done} of {total} requests finished")

    try:
        result = run_benchmark(config, api_key=str(key), conn=conn, on_record=progress)
    except CostmodelError as exc:
        st.error(str(exc))
        return
    s = result.summary
    bar.progress(1.0, text=f"run {result.run_id} finished")
    st.session_state["lat_runs"] = [result.run_id]  # the new run is the one shown below
    if s.errors:
        st.warning(f"{s.errors} of {s.requests} requests failed ({', '.join(_failures(s.outcomes))}).")
    st.success(
        f"Run {result.run_id}: TTFT p50 {_ms(s.ttft_ms.p50)} / p95 {_ms(s.ttft_ms.p95)}, "
        f"E2E p50 {_ms(s.e2e_ms.p50)} / p95 {_ms(s.e2e_ms.p95)}, TPOT p50 {_ms(s.tpot_ms.p50, 2)}."
    )


def _failures(outcomes: dict[str, int]) -> list[str]:
    return [f"{k.replace('_', ' ')} {v}" for k, v in outcomes.items() if k != "ok" and v]


def _ms(v: float | None, digits: int = 0) -> str:
    return "n/a" if v is None else f"{v:,.{digits}f} ms"


# --- stored runs --------------------------------------------------------------------------------


def _runs_section(conn: Any) -> None:
    from costmodel.latency.charts import box_figure, ecdf_figure
    from costmodel.latency.metrics import request_metrics
    from costmodel.latency.store import list_runs, load_records, run_summary

    st.subheader("Stored runs")
    runs = list_runs(conn)
    if not runs:
        st.info("No run stored yet. Run a benchmark above or with `costmodel bench`.")
        return
    from costmodel.latency.charts import endpoint_label

    labels = {
        r.run_id: f"{r.run_id} · {r.path_label} via {endpoint_label(r.endpoint_url, r.endpoint_kind)}"
        f" · {r.stored_requests} rows · {r.display_status}"
        for r in runs
    }
    known = [rid for rid in st.session_state.get("lat_runs", []) if rid in labels]
    if "lat_runs" in st.session_state and len(known) != len(st.session_state["lat_runs"]):
        st.session_state["lat_runs"] = known
    chosen = st.multiselect(
        "Runs to compare",
        list(labels),
        default=[r.run_id for r in runs[:2]],
        format_func=lambda rid: labels[rid],
        key="lat_runs",
    )
    if not chosen:
        return
    rows = []
    ttft: dict[str, list[float]] = {}
    e2e: dict[str, list[float]] = {}
    for rid in chosen:
        s = run_summary(conn, rid)
        info = next(r for r in runs if r.run_id == rid)
        rows.append(
            {
                "run": rid,
                "endpoint": endpoint_label(info.endpoint_url, info.endpoint_kind),
                "requests": s.requests,
                "errors": s.errors,
                "TTFT p50 ms": s.ttft_ms.p50,
                "TTFT p95 ms": s.ttft_ms.p95,
                "E2E p50 ms": s.e2e_ms.p50,
                "E2E p95 ms": s.e2e_ms.p95,
                "TPOT p50 ms": s.tpot_ms.p50,
                "tokens/s p50": s.output_speed_tps.p50,
                "token counts": "estimated" if s.tokens_estimated_requests else "from the server",
            }
        )
        ms = [request_metrics(r) for r in load_records(conn, rid) if not r.warmup]
        ttft[rid] = [m.ttft_ms for m in ms if m.ok and m.ttft_ms is not None]
        e2e[rid] = [m.e2e_ms for m in ms if m.ok and m.e2e_ms is not None]
    st.dataframe(rows, hide_index=True)
    view = st.radio("Distribution", ["ECDF", "Box plot"], horizontal=True, key="lat_view")
    a, b = st.columns(2)
    if view == "ECDF":
        a.plotly_chart(ecdf_figure(ttft, metric="TTFT (ms)"), key="lat_ecdf_ttft")
        b.plotly_chart(ecdf_figure(e2e, metric="E2E (ms)"), key="lat_ecdf_e2e")
    else:
        a.plotly_chart(box_figure(ttft, metric="TTFT (ms)"), key="lat_box_ttft")
        b.plotly_chart(box_figure(e2e, metric="E2E (ms)"), key="lat_box_e2e")
    if len(chosen) == 1:
        from costmodel.latency.store import export_run

        st.download_button("Export run (CSV)", export_run(conn, chosen[0], "csv"), f"{chosen[0]}.csv", key="lat_csv")


# --- goodput sweeps -------------------------------------------------------------------------------


def _sweep_controls(
    conn: Any, endpoint: Any, path: Any, key: str | None, max_tokens: int, prompt_tokens: int, warmup: int
) -> None:
    from costmodel.latency.sweep import SweepPlan, parse_objective

    with st.expander("Goodput sweep: the highest request rate that still meets a latency objective"):
        s1, s2, s3 = st.columns(3)
        spec = s1.text_input("Objective (ms)", value="ttft:500", key="lat_slo", help="ttft:MS tpot:MS e2el:MS")
        pct = s1.number_input("Share of requests that must meet it (%)", 1.0, 100.0, 95.0, key="lat_slo_pct")
        start = s2.number_input("First rate (requests/s)", 0.01, 1000.0, 1.0, key="lat_sw_start")
        step_s = s2.number_input("Seconds per step", 1.0, 600.0, 10.0, key="lat_sw_step")
        max_steps = s3.number_input("At most steps", 1, 40, 12, key="lat_sw_max")
        tolerance = s3.number_input("Bisection tolerance", 0.01, 0.5, 0.05, key="lat_sw_tol")
        if not st.button("Run goodput sweep", disabled=not key, key="lat_sweep_run"):
            return
        try:
            objective = parse_objective(spec, float(pct))
            plan = SweepPlan(
                start_rps=float(start), step_s=float(step_s), max_steps=int(max_steps), tolerance=float(tolerance)
            )
        except CostmodelError as exc:
            st.error(str(exc))
            return
        _run_sweep(conn, endpoint, path, str(key), objective, plan, max_tokens, prompt_tokens, warmup)


def _run_sweep(
    conn: Any,
    endpoint: Any,
    path: Any,
    key: str,
    objective: Any,
    plan: Any,
    max_tokens: int,
    prompt_tokens: int,
    warmup: int,
) -> None:
    import asyncio

    from costmodel.latency.load import LoadPlan
    from costmodel.latency.runner import BenchConfig
    from costmodel.latency.sweep import StepResult
    from costmodel.latency.sweep_runner import run_sweep_async

    config = BenchConfig(
        endpoint=endpoint,
        load=LoadPlan(rate=1.0, duration_s=1.0, warmup=warmup),
        max_tokens=max_tokens,
        prompt_tokens=prompt_tokens,
        path=path,
        label="dashboard",
    )
    bar = st.progress(0.0, text=f"sweeping: {objective.describe()}")

    def on_step(step: StepResult, nxt: float | None) -> None:
        verdict = "meets" if step.meets_objective else "fails"
        text = f"step {step.index + 1}: {step.rate_rps:.3g} req/s {verdict}" + (
            f", next {nxt:.3g} req/s" if nxt else ", done"
        )
        bar.progress(min((step.index + 1) / plan.max_steps, 1.0), text=text)

    try:
        info = asyncio.run(run_sweep_async(config, objective, plan, api_key=key, conn=conn, on_step=on_step))
    except CostmodelError as exc:
        st.error(str(exc))
        return
    bar.progress(1.0, text=f"sweep {info.sweep_id} finished")
    st.session_state["lat_sweep"] = info.sweep_id  # the new sweep is the one shown below
    o = info.outcome
    if o.goodput_rps is None:
        st.warning(f"Sweep {info.sweep_id}: the objective was not met at any rate tried.")
    else:
        st.success(
            f"Sweep {info.sweep_id}: goodput {o.goodput_rps:.3g} req/s, "
            f"{o.goodput_output_tokens_per_s or 0:,.0f} output tokens/s at {objective.describe()}."
        )


def _sweep_label(info: Any) -> str:
    from costmodel.latency.charts import endpoint_label

    where = endpoint_label(info.endpoint_url, info.endpoint_kind)
    return f"{info.sweep_id} · {info.path_label} via {where} · {info.outcome.objective.spec()}"


def _sweeps_section(conn: Any) -> None:
    from costmodel.latency.charts import endpoint_label, sweep_figure
    from costmodel.latency.sweep_runner import list_sweeps

    sweeps = list_sweeps(conn)
    if not sweeps:
        return
    st.subheader("Goodput sweeps")
    by_id = {s.sweep_id: s for s in sweeps}
    if st.session_state.get("lat_sweep") not in by_id:
        st.session_state["lat_sweep"] = sweeps[0].sweep_id  # newest first
    chosen = st.selectbox(
        "Sweep",
        list(by_id),
        format_func=lambda sid: _sweep_label(by_id[sid]),
        key="lat_sweep",
    )
    info = by_id[chosen]
    o = info.outcome
    st.caption(
        f"Endpoint: {endpoint_label(info.endpoint_url, info.endpoint_kind)} ({info.endpoint_url}), model {info.model},"
        f" measured {info.created_utc[:16]} UTC. Objective: {o.objective.describe()}."
    )
    st.plotly_chart(sweep_figure(o), key="lat_sweep_fig")
    st.dataframe(
        [
            {
                "rate req/s": s.rate_rps,
                "achieved req/s": s.achieved_rps,
                "requests": s.requests,
                "errors": s.errors,
                "TTFT p50 ms": s.ttft_p50_ms,
                "TTFT p95 ms": s.ttft_p95_ms,
                "TPOT p95 ms": s.tpot_p95_ms,
                "E2E p95 ms": s.e2e_p95_ms,
                "meeting objective": s.share_meeting,
                "verdict": "meets" if s.meets_objective else "fails",
            }
            for s in o.steps
        ],
        hide_index=True,
    )


# --- latency by path, cost against latency -------------------------------------------------------


def _paths_section(conn: Any, path_costs: list[PathCost] | None) -> None:
    from costmodel.latency.charts import CostLatencyPoint, cost_latency_figure, sla_status
    from costmodel.latency.paths import PathQuery, latency_for_paths

    st.subheader("Latency by path")
    if path_costs is None:
        st.info("Open the Decision page to see these paths' costs against their latency.")
        return
    output_tokens = int(st.session_state.get("lat_maxtok", 256))
    lats = latency_for_paths(
        [PathQuery(provider=p.provider, model=p.model, fine_tuned=p.fine_tuned, tier=p.tier) for p in path_costs],
        conn=conn,
        output_tokens=output_tokens,
    )
    points = []
    table = []
    for pc, lat in zip(path_costs, lats, strict=True):
        e2e: float | None = lat.e2e_ms_p95 if lat.e2e_ms_p95 is not None else lat.e2e_ms_p50
        stat = "p95" if lat.e2e_ms_p95 is not None else "p50"
        points.append(CostLatencyPoint(pc.label, pc.monthly_cost, e2e, lat.source, stat))
        table.append(
            {
                "path": pc.label,
                "latency from": lat.label,
                "TTFT p50 ms": lat.ttft_ms_p50,
                "E2E p50 ms": lat.e2e_ms_p50,
                "E2E p95 ms": lat.e2e_ms_p95,
                "E2E estimated": lat.e2e_estimated,
                "reliability": str(lat.reliability or ""),
                "source": lat.detail,
            }
        )
    sla = st.number_input("SLA: p95 end-to-end latency under (ms)", 50, 600_000, 5_000, step=250, key="lat_sla")
    st.plotly_chart(cost_latency_figure(points, sla_ms=float(sla)), key="lat_cost_chart")
    breaking = [p.label for p in points if sla_status(p, float(sla)) == "breaks"]
    unknown = [p.label for p in points if sla_status(p, float(sla)) == "unknown"]
    if breaking:
        st.error(f"Breaks the SLA of {sla:,} ms: {', '.join(breaking)}.")
    if unknown:
        st.warning(f"Only a published median, no p95: {', '.join(unknown)}. Measure these paths to check the SLA.")
    st.dataframe(table, hide_index=True)
