"""``costmodel bench``: measure streamed chat latency and manage the stored runs.

::

    costmodel bench --base-url http://127.0.0.1:8080/v1 --model m --concurrency 4 --requests 40
    costmodel bench --azure-endpoint https://x.openai.azure.com --deployment d --api-version 2024-10-21 --model gpt-4o
    costmodel bench list
    costmodel bench show RUN
    costmodel bench compare RUN RUN [RUN ...]
    costmodel bench export RUN --format csv|json [--output FILE]
    costmodel bench sweep --base-url http://127.0.0.1:8080/v1 --model m --slo ttft:500 --slo-percentile 95
    costmodel bench sweep list
    costmodel bench sweep show SWEEP

Every request is stored in the SQLite store as it finishes (``--db`` or ``COSTMODEL_DB`` or the
user data directory). ``--json`` prints machine-readable output.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from costmodel import store
from costmodel.errors import InputError

HELP = "measure streamed chat latency (OpenAI, Azure OpenAI, any OpenAI-compatible server); list/compare/export runs"
ACTIONS = ("run", "list", "show", "compare", "export", "sweep")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("bench", help=HELP, description=__doc__.split("\n\n")[0])
    p.add_argument(
        "action",
        nargs="*",
        metavar="ACTION",
        help="run (default) | list | show RUN | compare RUN RUN | export RUN | sweep [list | show SWEEP]",
    )
    g = p.add_argument_group("endpoint")
    g.add_argument(
        "--base-url", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1 (default: api.openai.com)"
    )
    g.add_argument("--azure-endpoint", help="Azure OpenAI resource endpoint, e.g. https://NAME.openai.azure.com")
    g.add_argument("--deployment", help="Azure deployment name")
    g.add_argument("--api-version", help="Azure API version, e.g. 2024-10-21")
    g.add_argument("--model", help="model id sent with each request (Azure: the deployment's model)")
    g.add_argument(
        "--api-key-env", help="environment variable holding the key (default OPENAI_API_KEY / AZURE_OPENAI_API_KEY)"
    )
    w = p.add_argument_group("workload")
    w.add_argument("--dataset", help="chat-format JSONL whose prompts are sent (the real workload shape)")
    w.add_argument(
        "--traffic",
        help="replay a traffic file from 'costmodel traffic import': its sampled input/output lengths, and (without"
        " --rate or --concurrency) its peak-hour arrival rate",
    )
    w.add_argument("--prompt-tokens", type=int, default=128, help="synthetic prompt length in tokens (default 128)")
    w.add_argument("--max-tokens", type=int, default=64, help="output length cap sent with each request (default 64)")
    w.add_argument("--max-tokens-param", choices=("max_tokens", "max_completion_tokens"), default="max_tokens")
    w.add_argument(
        "--include-usage",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="send stream_options.include_usage (default: yes, except Azure API versions before 2024-09-01)",
    )
    w.add_argument("--extra-body", help='JSON object merged into each request, e.g. \'{"logit_bias": {"2": -100}}\'')
    w.add_argument("--tokenizer", default=None, help="encoding for the token-count fallback (default: from the model)")
    ld = p.add_argument_group("load")
    ld.add_argument("--concurrency", type=int, help="closed loop: concurrent workers (default 1); with --rate: a cap")
    ld.add_argument("--rate", type=float, help="open loop: Poisson arrivals per second")
    ld.add_argument("--seed", type=int, default=42, help="seed of the Poisson schedule (default 42)")
    ld.add_argument("--requests", type=int, help="measured requests (default 20)")
    ld.add_argument("--duration", type=float, help="measure for this many seconds instead of a request count")
    ld.add_argument(
        "--ramp-up", type=float, default=0.0, help="closed loop: stagger the workers' starts over S seconds"
    )
    ld.add_argument("--warmup", type=int, default=2, help="warm-up requests, stored but not summarised (default 2)")
    ld.add_argument("--timeout-connect", type=float, default=10.0, help="seconds (default 10)")
    ld.add_argument("--timeout-read", type=float, default=60.0, help="seconds between bytes, first token included")
    ld.add_argument("--timeout-total", type=float, default=300.0, help="seconds per request (default 300)")
    sw = p.add_argument_group("goodput sweep (bench sweep)")
    sw.add_argument(
        "--slo",
        action="append",
        default=None,
        help="latency objective as vLLM's --goodput: ttft:MS, tpot:MS, e2el:MS (repeat or space-separate;"
        " a request is good when it meets all), optionally @pNN",
    )
    sw.add_argument(
        "--slo-percentile", type=float, default=None, help="share of requests that must be good, in %% (default 95)"
    )
    sw.add_argument("--start-rate", type=float, default=1.0, help="first step's arrival rate, req/s (default 1)")
    sw.add_argument("--growth", type=float, default=2.0, help="coarse sweep: rate multiplier per step (default 2)")
    sw.add_argument("--max-rate", type=float, default=1000.0, help="never offer more than this, req/s")
    sw.add_argument("--step-duration", type=float, default=20.0, help="seconds of arrivals per step (default 20)")
    sw.add_argument(
        "--min-step-requests", type=int, default=20, help="a step lasts long enough for this many (default 20)"
    )
    sw.add_argument(
        "--tolerance", type=float, default=0.05, help="bisection stops when the bracket is this narrow (default 0.05)"
    )
    sw.add_argument("--max-steps", type=int, default=16, help="at most this many steps (default 16)")
    sw.add_argument("--max-error-rate", type=float, default=0.05, help="a step with more errors fails (default 0.05)")
    sw.add_argument(
        "--usd-per-hour",
        help="price of one instance per hour: prints the cost per million output tokens at the goodput"
        " (a self-hosted or dedicated path priced at its measured goodput)",
    )
    sw.add_argument(
        "--early-stop",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="end a step as soon as more requests missed the objective than it allows (default on)",
    )
    s = p.add_argument_group("storage and output")
    s.add_argument("--db", help="SQLite store path (default: COSTMODEL_DB or the user data directory)")
    s.add_argument("--path-provider", choices=("openai", "azure", "local"), help="cost path this run measures")
    s.add_argument("--path-model", help="catalogue model name of the path (default: --model)")
    s.add_argument("--fine-tuned", action=argparse.BooleanOptionalAction, default=None, help="the path is fine-tuned")
    s.add_argument("--label", default="", help="free text stored with the run")
    s.add_argument("--format", choices=("csv", "json"), default="csv", help="export format")
    s.add_argument("--output", help="export: write to this file instead of stdout")
    s.add_argument("--verbose", action="store_true", help="print one line per finished (and stored) request")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    action = args.action[0] if args.action else "run"
    rest = args.action[1:]
    if action not in ACTIONS:
        raise InputError(f"unknown bench action '{action}'", field="action", hint="use one of " + ", ".join(ACTIONS))
    if action == "run":
        if rest:
            raise InputError(f"unexpected arguments: {' '.join(rest)}", hint="options start with --")
        return _run(args)
    if action == "sweep":
        from costmodel.cli import _bench_sweep

        return _bench_sweep.sweep(args, rest)
    conn = store.connect(args.db, create=False)  # list/show/compare/export create no folders
    try:
        if action == "list":
            return _list(conn, args)
        if action == "show":
            return _show(conn, args, _ids(rest, 1, 1, "show RUN"))
        if action == "compare":
            return _compare(conn, args, _ids(rest, 2, 20, "compare RUN RUN [RUN ...]"))
        return _export(conn, args, _ids(rest, 1, 1, "export RUN --format csv|json")[0])
    finally:
        conn.close()


def _ids(rest: list[str], lo: int, hi: int, usage: str) -> list[str]:
    if not lo <= len(rest) <= hi:
        raise InputError(f"expected {usage}", field="action", hint="see 'costmodel bench list' for run ids")
    return rest


def _validation_message(err: ValidationError) -> str:
    first = err.errors()[0]
    loc = ".".join(str(x) for x in first["loc"])
    return f"{loc}: {first['msg']}" if loc else str(first["msg"])


def _build_config(args: argparse.Namespace) -> Any:
    from costmodel.latency.client import EndpointConfig, Timeouts
    from costmodel.latency.load import LoadPlan
    from costmodel.latency.runner import BenchConfig, PathKey, guess_path

    extra_body = None
    if args.extra_body:
        try:
            extra_body = json.loads(args.extra_body)
        except ValueError as exc:
            raise InputError(
                f"--extra-body is not JSON ({exc})", field="extra_body", hint="quote it: '{...}'"
            ) from None
        if not isinstance(extra_body, dict):
            raise InputError("--extra-body must be a JSON object", field="extra_body")
    workload = None
    workload_source = None
    if getattr(args, "traffic", None):
        from costmodel.traffic.document import load_replay

        replay = load_replay(Path(args.traffic))
        workload = tuple(replay.pairs)
        workload_source = replay.source
        if args.rate is None and args.concurrency is None:
            if replay.peak_rate_rps is None:
                raise InputError(
                    "the traffic file has no arrival times", field="traffic", hint="give --rate or --concurrency"
                )
            args.rate = replay.peak_rate_rps
            sys.stderr.write(f"arrivals: the log's peak hour, {args.rate:.4g} req/s (scale with --rate)\n")
    try:
        if args.azure_endpoint or args.deployment:
            endpoint = EndpointConfig(
                kind="azure",
                azure_endpoint=args.azure_endpoint,
                deployment=args.deployment,
                api_version=args.api_version,
                model=args.model or args.deployment or "",
            )
        else:
            if not args.model:
                raise InputError("--model is required", field="model", hint="e.g. --model gpt-4o-mini")
            endpoint = EndpointConfig(base_url=args.base_url, model=args.model)
        load = LoadPlan(
            concurrency=args.concurrency,
            rate=args.rate,
            seed=args.seed,
            requests=args.requests if args.requests is not None or args.duration is not None else 20,
            duration_s=args.duration,
            warmup=args.warmup,
            ramp_up_s=args.ramp_up,
        )
        guessed = guess_path(endpoint)
        path = PathKey(
            provider=args.path_provider or guessed.provider,
            model=args.path_model or guessed.model,
            fine_tuned=guessed.fine_tuned if args.fine_tuned is None else args.fine_tuned,
        )
        return BenchConfig(
            endpoint=endpoint,
            load=load,
            timeouts=Timeouts(connect_s=args.timeout_connect, read_s=args.timeout_read, total_s=args.timeout_total),
            max_tokens=args.max_tokens,
            max_tokens_param=args.max_tokens_param,
            include_usage=args.include_usage,
            prompt_tokens=None if args.dataset else args.prompt_tokens,
            dataset=args.dataset,
            extra_body=extra_body,
            path=path,
            label=args.label,
            workload=workload,
            workload_source=workload_source,
        )
    except ValidationError as err:
        raise InputError(
            "invalid benchmark settings: " + _validation_message(err), hint="see costmodel bench --help"
        ) from None


def _api_key(args: argparse.Namespace, config: Any) -> str:
    from costmodel.latency.client import missing_key_error

    name = args.api_key_env or ("AZURE_OPENAI_API_KEY" if config.endpoint.kind == "azure" else "OPENAI_API_KEY")
    key = os.environ.get(name)
    if key:
        return key
    from costmodel.latency.runner import guess_path

    if guess_path(config.endpoint).provider == "local":
        return "no-key-local-server"  # local servers ignore the key; the SDK insists on one
    raise missing_key_error(name)


def _token_counter(args: argparse.Namespace, config: Any) -> Any:
    from costmodel.latency.client import resolve_token_counter
    from costmodel.latency.runner import default_token_counter

    if args.tokenizer:
        from costmodel.dataset.tokens import ENCODINGS

        if args.tokenizer not in ENCODINGS:
            raise InputError(
                f"unknown tokenizer '{args.tokenizer}'",
                field="--tokenizer",
                hint="use one of " + ", ".join(sorted(ENCODINGS)) + " (or leave it out: the model decides)",
            )
        return resolve_token_counter(args.tokenizer)
    return default_token_counter(config.path_key.model)


def _run(args: argparse.Namespace) -> int:
    from costmodel.latency.metrics import RequestRecord, request_metrics
    from costmodel.latency.runner import run_benchmark

    config = _build_config(args)
    key = _api_key(args, config)
    counter = _token_counter(args, config)
    if config.dataset is not None:  # input errors before the banner, not after it
        from costmodel.latency.runner import dataset_prompts

        dataset_prompts(Path(config.dataset))

    def progress(rec: RequestRecord) -> None:
        if args.verbose:
            m = request_metrics(rec)
            ttft = f"{m.ttft_ms:.1f}" if m.ttft_ms is not None else "-"
            e2e = f"{m.e2e_ms:.1f}" if m.e2e_ms is not None else "-"
            sys.stderr.write(
                f"stored seq={rec.seq} warmup={int(rec.warmup)} outcome={m.outcome.value} ttft_ms={ttft} e2e_ms={e2e}\n"
            )
            sys.stderr.flush()

    if not args.json:
        sys.stderr.write(
            f"benchmarking {config.endpoint.url} model {config.endpoint.model}: {config.load.describe()}\n"
        )
    result = run_benchmark(config, api_key=key, db_path=args.db, token_counter=counter, on_record=progress)
    if args.json:
        print(json.dumps(_summary_json(result.run_id, result.status, result.summary), indent=2))
    else:
        print(f"run {result.run_id} ({result.status})")
        print(_summary_text(result.summary))
    if result.summary.requests > 0 and result.summary.ok == 0:
        sys.stderr.write(
            f"costmodel: every request failed (run {result.run_id} is stored with its errors: "
            f"costmodel bench show {result.run_id}). Check the URL, the model and the key.\n"
        )
        return 1
    return 0


def _summary_json(run_id: str, status: str, summary: Any) -> dict[str, Any]:
    return {"run_id": run_id, "status": status, **summary.model_dump(mode="json")}


def _fmt(v: float | None, digits: int = 1) -> str:
    return "n/a" if v is None else f"{v:,.{digits}f}"


def _summary_text(s: Any) -> str:
    rate = "n/a" if s.error_rate is None else f"{s.error_rate:.1%}"
    fails = ", ".join(f"{k} {v}" for k, v in s.outcomes.items() if k != "ok" and v)
    lines = [
        f"requests {s.requests} (+{s.warmup_requests} warm-up), ok {s.ok}, errors {s.errors} ({rate})"
        + (f": {fails}" if fails else ""),
        f"{'metric (ok requests)':<22}{'n':>6}{'mean':>10}{'p50':>10}{'p90':>10}{'p95':>10}{'p99':>10}",
    ]
    for name in ("ttft_ms", "e2e_ms", "tpot_ms", "itl_ms", "output_speed_tps", "ttfb_chunk_ms", "queue_ms"):
        st = getattr(s, name)
        if st.count == 0:
            continue
        lines.append(
            f"{name:<22}{st.count:>6}"
            + "".join(f"{_fmt(getattr(st, q)):>10}" for q in ("mean", "p50", "p90", "p95", "p99"))
        )
    lines.append(
        f"throughput: {_fmt(s.request_throughput_rps, 2)} req/s, {_fmt(s.output_throughput_tps)} output tokens/s"
        f" over {_fmt(s.window_s, 2)} s"
    )
    if s.tokens_estimated_requests:
        lines.append(
            f"note: {s.tokens_estimated_requests} request(s) had no usage from the server; their token counts"
            " (and TPOT) are estimates (tokenizer count of the text; see tokens_source in the rows)"
        )
    if s.burst_requests:
        lines.append(f"note: {s.burst_requests} request(s) arrived in one burst (buffered delivery)")
    return "\n".join(lines)


def _list(conn: Any, args: argparse.Namespace) -> int:
    from costmodel.latency.store import list_runs

    runs = list_runs(conn)
    if args.json:
        print(json.dumps([r.model_dump(mode="json") for r in runs], indent=2))
        return 0
    if not runs:
        print("no latency runs stored yet; run 'costmodel bench --help'")
        return 0
    for r in runs:
        print(
            f"{r.run_id}  {r.created_utc[:19]}  {r.display_status:<10}  {r.path_label:<40}  {r.stored_requests:>5} rows"
            f"  {r.endpoint_url}" + (f"  [{r.label}]" if r.label else "")
        )
    return 0


def _show(conn: Any, args: argparse.Namespace, ids: list[str]) -> int:
    from costmodel.latency.store import get_run, run_summary

    info = get_run(conn, ids[0])
    summary = run_summary(conn, ids[0])
    verdict = _objective_verdict(conn, args, info.run_id)
    if args.json:
        out = _summary_json(info.run_id, info.status, summary)
        if verdict is not None:
            out["objective"] = verdict
        print(json.dumps(out, indent=2))
    else:
        print(f"run {info.run_id} ({info.display_status}) {info.path_label} via {info.endpoint_url}")
        print(_summary_text(summary))
        if verdict is not None:
            print(
                f"objective {verdict['slo']}: {verdict['verdict'].upper()} "
                f"({verdict['share_good']:.1%} of {verdict['requests']} measured requests good; "
                f"{verdict['required_share']:.0%} required)"
            )
    return 0


def _objective_verdict(conn: Any, args: argparse.Namespace, run_id: str) -> dict[str, Any] | None:
    """With ``--slo``: whether this stored run (any path, e.g. a per-token OpenAI path) meets the objective."""
    if not getattr(args, "slo", None):
        return None
    from costmodel.latency.capacity import records_meet_objective
    from costmodel.latency.store import load_records
    from costmodel.latency.sweep import parse_objective

    objective = parse_objective(args.slo, args.slo_percentile)
    records = load_records(conn, run_id)
    verdict, share = records_meet_objective(records, objective)
    return {
        "slo": " ".join(args.slo) if isinstance(args.slo, list) else str(args.slo),
        "required_share": objective.share,
        "verdict": verdict,
        "share_good": share,
        "requests": sum(1 for r in records if not r.warmup),
    }


def _compare(conn: Any, args: argparse.Namespace, ids: list[str]) -> int:
    from costmodel.latency.store import compare_runs

    pairs = compare_runs(conn, ids)
    if args.json:
        print(json.dumps([_summary_json(i.run_id, i.status, s) for i, s in pairs], indent=2))
        return 0
    header = f"{'':<26}" + "".join(f"{i.run_id:>24}" for i, _ in pairs)
    rows = [header, f"{'path':<26}" + "".join(f"{i.path_label[-23:]:>24}" for i, _ in pairs)]
    rows.append(f"{'requests / errors':<26}" + "".join(f"{f'{s.requests} / {s.errors}':>24}" for _, s in pairs))
    for name in ("ttft_ms", "e2e_ms", "tpot_ms", "output_speed_tps"):
        for q in ("p50", "p95"):
            rows.append(
                f"{name + ' ' + q:<26}" + "".join(f"{_fmt(getattr(getattr(s, name), q)):>24}" for _, s in pairs)
            )
    print("\n".join(rows))
    return 0


def _export(conn: Any, args: argparse.Namespace, run_id: str) -> int:
    from costmodel.latency.store import export_run

    if args.output:
        from costmodel.validate import check_output_path

        check_output_path(args.output, field="--output")
    text = export_run(conn, run_id, args.format)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"cannot write the export: {exc.strerror or exc}", source=args.output, field="--output"
            ) from None
        sys.stderr.write(f"wrote {args.output}\n")
    else:
        sys.stdout.write(text)
    return 0
