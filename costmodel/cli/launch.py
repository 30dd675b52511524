"""``costmodel launch``: upload a training file and start one fine-tuning job, exactly once.

Without ``--yes`` it shows the estimate and the requests and asks before sending anything. The
key comes from the environment only (``OPENAI_API_KEY``; ``AZURE_OPENAI_API_KEY`` or
``AZURE_OPENAI_AD_TOKEN`` with ``AZURE_OPENAI_ENDPOINT`` and ``OPENAI_API_VERSION``), never from a
command-line flag, which would land in shell history and process lists. Running the command
again with the same launch id (by default derived from the dataset and settings) never uploads
or creates twice: it reports the job already started.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from costmodel.cli._common import add_catalog_options, as_of_from_args, catalog_from_args, print_json
from costmodel.errors import InputError, LaunchError
from costmodel.launch import (
    LaunchPlan,
    LaunchSpec,
    ProviderSettings,
    credential_hint,
    execute_launch,
    follow_launch,
    plan_launch,
)
from costmodel.money import format_usd
from costmodel.prices import Catalog
from costmodel.secrets import (
    AZURE_AD_TOKEN_ENV,
    AZURE_API_KEY_ENV,
    AZURE_API_VERSION_ENV,
    AZURE_ENDPOINT_ENV,
    OPENAI_API_KEY_ENV,
    Secret,
    lookup_setting,
    resolve_secret,
)
from costmodel.store import connect

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "launch", help="start a fine-tuning job on OpenAI or Azure OpenAI (exactly once)", description=__doc__
    )
    p.add_argument("--provider", required=True, choices=["openai", "azure"])
    p.add_argument("--dataset", required=True, type=Path, metavar="FILE", help="training file (.jsonl)")
    p.add_argument("--model", required=True, metavar="M", help="base model, e.g. gpt-4o-mini-2024-07-18")
    p.add_argument(
        "--base-url", metavar="URL", help="OpenAI base URL, or the Azure v1 URL https://RES.openai.azure.com/openai/v1/"
    )
    p.add_argument("--azure-endpoint", metavar="URL", help=f"Azure resource endpoint (default ${AZURE_ENDPOINT_ENV})")
    p.add_argument(
        "--api-version", metavar="V", help=f"Azure data-plane API version (default ${AZURE_API_VERSION_ENV})"
    )
    p.add_argument("--azure-auth", choices=["api_key", "entra_token"], default=None, help="Azure credential kind")
    p.add_argument("--launch-id", metavar="ID", help="idempotency key (default: derived from the dataset and settings)")
    p.add_argument("--budget", metavar="USD", help="refuse the launch when the estimate is above this amount")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument(
        "--acknowledge-lifecycle",
        action="store_true",
        help="launch although the model retires within 90 days or the provider restricts who may train "
        "(the warnings are printed first); a model whose training is closed is always refused",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--dry-run", action="store_true", help="show the estimate and the requests; send nothing")
    p.add_argument("--follow", action="store_true", help="wait and report until the job finishes")
    p.add_argument("--method", choices=["supervised", "dpo"], default="supervised")
    p.add_argument("--epochs", metavar="N", default="auto", help="n_epochs (default auto)")
    p.add_argument("--batch-size", metavar="N", default="auto")
    p.add_argument("--learning-rate-multiplier", metavar="X", default="auto")
    p.add_argument("--beta", metavar="X", default="auto", help="DPO beta")
    p.add_argument("--suffix", help="model-name suffix (OpenAI <= 64 chars, Azure <= 18)")
    p.add_argument("--seed", type=int)
    p.add_argument(
        "--tier", default="standard", help="OpenAI: standard; Azure training type: standard, global, developer"
    )
    p.add_argument("--validation-file", type=Path, metavar="FILE")
    p.add_argument("--timeout", type=float, default=120.0, metavar="S", help="per-request timeout in seconds")
    p.add_argument("--db", type=Path, metavar="PATH", help="launch store (default $COSTMODEL_DB or the user data dir)")
    add_catalog_options(p)
    p.set_defaults(handler=run)


def _auto_int(text: str, name: str) -> int | str:
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise InputError(f"'{text}' is not a whole number", field=name, hint="write a number or 'auto'") from None


def _auto_float(text: str, name: str) -> float | str:
    if text == "auto":
        return text
    try:
        return float(text)
    except ValueError:
        raise InputError(f"'{text}' is not a number", field=name, hint="write a number or 'auto'") from None


# LaunchSpec / ProviderSettings fields whose command-line flag has another name
_FLAG_OF = {"n_epochs": "--epochs", "budget_usd": "--budget", "validation_dataset": "--validation-file"}


def _validation_error(exc: ValidationError) -> InputError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    msg = str(first["msg"]).removeprefix("Value error, ")
    flag = field and _FLAG_OF.get(field, "--" + field.replace("_", "-"))
    return InputError(msg, field=flag, hint=f"see costmodel launch --help for {flag}" if flag else None)


def build(args: argparse.Namespace) -> tuple[LaunchSpec, ProviderSettings]:
    budget: Decimal | None = None
    if args.budget is not None:
        try:
            budget = Decimal(str(args.budget).lstrip("$"))
        except ArithmeticError:
            raise InputError(f"'{args.budget}' is not an amount", field="--budget", hint="e.g. 25.00") from None
    try:
        spec = LaunchSpec(
            provider=args.provider,
            model=args.model,
            dataset=args.dataset,
            validation_dataset=args.validation_file,
            method=args.method,
            n_epochs=_auto_int(args.epochs, "--epochs"),
            batch_size=_auto_int(args.batch_size, "--batch-size"),
            learning_rate_multiplier=_auto_float(args.learning_rate_multiplier, "--learning-rate-multiplier"),
            beta=_auto_float(args.beta, "--beta"),
            suffix=args.suffix,
            seed=args.seed,
            tier=args.tier,
            as_of=as_of_from_args(args),
            budget_usd=budget,
            launch_id=args.launch_id,
        )
        if args.provider == "azure":
            endpoint = None if args.base_url else lookup_setting(AZURE_ENDPOINT_ENV, explicit=args.azure_endpoint)
            auth = args.azure_auth or (
                "entra_token"
                if resolve_secret(AZURE_AD_TOKEN_ENV) and not resolve_secret(AZURE_API_KEY_ENV)
                else "api_key"
            )
            settings = ProviderSettings(
                provider="azure",
                base_url=args.base_url,
                azure_endpoint=endpoint,
                api_version=lookup_setting(AZURE_API_VERSION_ENV, explicit=args.api_version),
                azure_auth=auth,
                timeout_s=args.timeout,
            )
        else:
            settings = ProviderSettings(provider="openai", base_url=args.base_url, timeout_s=args.timeout)
    except ValidationError as exc:
        raise _validation_error(exc) from None
    return spec, settings


def credential_for(settings: ProviderSettings) -> Secret | None:
    if settings.provider == "openai":
        return resolve_secret(OPENAI_API_KEY_ENV)
    if settings.azure_auth == "entra_token":
        return resolve_secret(AZURE_AD_TOKEN_ENV)
    # the Azure v1 endpoint also accepts the resource key
    return resolve_secret(AZURE_API_KEY_ENV)


def describe_plan(plan: LaunchPlan) -> str:
    lines = [
        f"Launch {plan.launch_id}: {plan.spec.provider} {plan.spec.model} ({plan.spec.method}, tier {plan.spec.tier})",
        f"  dataset      {plan.spec.dataset} ({plan.n_examples} examples, {plan.dataset_bytes:,} bytes)",
        f"  estimate     {format_usd(plan.estimated_cost_usd, precise=plan.estimated_cost_usd < 1)} = {plan.formula()}",
        f"  reliability  {plan.price_reliability}" + (f" ({plan.price_source})" if plan.price_source else ""),
    ]
    if plan.spec.budget_usd is not None:
        verdict = "ABOVE the cap: the launch will be refused" if plan.over_budget else "within the cap"
        lines.append(f"  budget       {format_usd(plan.spec.budget_usd)} ({verdict})")
    for problem in plan.problems:
        where = f"line {problem.line}: " if problem.line is not None else ""
        lines.append(f"  {problem.severity:<8}     {where}{problem.message}")
    lines.append("  requests (key redacted):")
    for r in plan.requests:
        lines.append(f"    {r.method} {r.url}  -- {r.purpose}")
    lines.append("    body of the create request: " + json.dumps(plan.requests[-1].body, sort_keys=True))
    return "\n".join(lines)


def _plan_json(plan: LaunchPlan) -> dict[str, Any]:
    return {
        "launch_id": plan.launch_id,
        "file_id": None,
        "job_id": None,
        "status": "dry_run",
        "estimated_cost_usd": format(plan.estimated_cost_usd.normalize(), "f"),
        "estimated_tokens": plan.estimated_tokens,
        "price_usd_per_1m": None if plan.price_usd_per_1m is None else format(plan.price_usd_per_1m.normalize(), "f"),
        "price_reliability": plan.price_reliability,
        "over_budget": plan.over_budget,
        "problems": [
            {"line": p.line, "field": p.field, "code": p.code, "severity": p.severity, "message": p.message}
            for p in plan.problems
        ],
        "requests": [r.as_dict() for r in plan.requests],
    }


def _lifecycle_gate(args: argparse.Namespace, spec: LaunchSpec, catalog: Catalog, out: Any) -> bool:
    """Refuse (exit 2) a launch whose training is closed on the day; ask to acknowledge the warnings.

    Returns False when the user declined.
    """
    from costmodel.launch.availability_check import check_launch, refuse_if_closed

    check = check_launch(catalog, spec.provider, spec.model, spec.as_of)
    refuse_if_closed(check)
    if not check.warnings:
        return True
    for w in check.warnings:
        print(f"  warning      {w}", file=out)
    if args.acknowledge_lifecycle or args.dry_run:
        return True
    if args.yes:
        raise InputError(
            "this launch has lifecycle warnings (listed above) that were not acknowledged",
            field="--acknowledge-lifecycle",
            hint="read the warnings and add --acknowledge-lifecycle to launch anyway",
        )
    print("Acknowledge these warnings and continue? [y/N] ", end="", file=out, flush=True)
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        print("Not launched.", file=out)
        return False
    return True


def run(args: argparse.Namespace) -> int:
    spec, settings = build(args)
    catalog = catalog_from_args(args)
    if not _lifecycle_gate(args, spec, catalog, sys.stderr if args.json else sys.stdout):
        return 1
    plan = plan_launch(spec, settings, catalog=catalog)
    out = sys.stderr if args.json else sys.stdout
    if args.dry_run:
        if args.json:
            print_json(_plan_json(plan))
        else:
            print(describe_plan(plan))
            print("Dry run: nothing was sent.")
        return 0
    print(describe_plan(plan), file=out)
    if plan.has_errors:
        raise LaunchError(
            f"the dataset has {len(plan.blocking_problems)} error(s); nothing was sent",
            source=str(spec.dataset),
            hint="fix the lines listed above",
        )
    credential = credential_for(settings)
    if credential is None:
        raise InputError(f"no credential for {spec.provider}", field="api key", hint=credential_hint(settings))
    if not args.yes:
        print(
            f"Start this paid job for about {format_usd(plan.estimated_cost_usd, precise=True)}? [y/N] ",
            end="",
            file=out,
            flush=True,
        )
        answer = sys.stdin.readline().strip().lower()
        if answer not in ("y", "yes"):
            print("Not launched.", file=out)
            return 1
    with closing(connect(args.db)) as conn:
        record = execute_launch(plan, conn=conn, credential=credential)
        if args.follow:

            def show(snap: Any) -> None:
                print(f"  {snap.record.status} (trained tokens {snap.record.trained_tokens})", file=out, flush=True)

            record = follow_launch(conn, plan.launch_id, credential=credential, on_update=show).record
    if args.json:
        print_json(record.summary())
    else:
        print(f"Launched: file {record.file_id}, job {record.job_id}, status {record.status}")
        if record.actual_cost_usd is not None:
            print(
                f"  actual cost {format_usd(record.actual_cost_usd, precise=True)} vs estimate "
                f"{format_usd(record.estimated_cost_usd, precise=True)}"
            )
        print(f"Follow it with: costmodel jobs --launch-id {record.launch_id}")
    return 0
