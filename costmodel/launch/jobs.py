"""Fine-tuning jobs: create exactly once (find before create), then refresh, follow, cancel, and price.

OpenAI jobs carry the launch id in their metadata and are listed by it; Azure jobs are matched by
the training file uploaded for the launch (and the suffix when the service echoes it). Whatever
the provider reports is stored on the launch record, with the actual cost beside the estimate
once the job has succeeded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import openai
from openai import OpenAI
from openai.types.fine_tuning import FineTuningJob

from costmodel.errors import CredentialError, LaunchError
from costmodel.launch.client import (
    ClientFactory,
    credential_hint,
    describe_error,
    is_transient,
    make_client,
    retry_delay,
)
from costmodel.launch.context import LaunchContext
from costmodel.launch.plan import AZURE_DEVELOPER_ALT, METADATA_KEY, ProviderSettings
from costmodel.launch.records import TERMINAL_JOB_STATUSES, LaunchRecord, add_event, get_launch, update_launch
from costmodel.money import MILLION
from costmodel.prices import Provider
from costmodel.secrets import Secret, redact
from costmodel.store import Store

__all__ = [
    "JobSnapshot",
    "actual_cost",
    "adopt",
    "apply_job",
    "cancel_launch",
    "create_job",
    "find_jobs",
    "follow_launch",
    "refresh_launch",
    "settings_from_record",
]

_LIST_CAP = 1000  # jobs examined when reconciling


def actual_cost(trained_tokens: int | None, price_usd_per_1m: Decimal | None) -> Decimal | None:
    """trained_tokens x price per 1M tokens; None when either is unknown (never 0).

    >>> actual_cost(504, Decimal("3.00"))
    Decimal('0.001512')
    """
    if trained_tokens is None or price_usd_per_1m is None:
        return None
    return Decimal(trained_tokens) * price_usd_per_1m / MILLION


def _extra(job: FineTuningJob, name: str) -> Any:
    extra = job.model_extra or {}
    return extra.get(name)


def _matches(job: FineTuningJob, *, provider: str, launch_id: str, file_id: str | None, suffix: str) -> bool:
    if job.metadata and job.metadata.get(METADATA_KEY) == launch_id:
        return True
    if provider != Provider.AZURE or file_id is None or job.training_file != file_id:
        return False
    # Azure: the training file was uploaded for this launch only (its name carries the launch tag);
    # the suffix, when the service echoes it, must agree too.
    job_suffix = _extra(job, "suffix")
    return job_suffix is None or job_suffix == suffix


def find_jobs(
    client: OpenAI, *, provider: str, launch_id: str, file_id: str | None, suffix: str
) -> list[FineTuningJob]:
    pages: Iterable[FineTuningJob]
    if provider == Provider.OPENAI:
        pages = client.fine_tuning.jobs.list(metadata={METADATA_KEY: launch_id}, limit=100)
    else:
        pages = client.fine_tuning.jobs.list(limit=100)
    found: list[FineTuningJob] = []
    for seen, job in enumerate(pages, start=1):
        if _matches(job, provider=provider, launch_id=launch_id, file_id=file_id, suffix=suffix):
            found.append(job)
        if seen >= _LIST_CAP:
            break
    return sorted(found, key=lambda j: (j.created_at, j.id))


def adopt(ctx: LaunchContext, jobs: list[FineTuningJob], how: str) -> LaunchRecord:
    job = jobs[0]
    detail = f"{job.id} ({job.status})"
    if len(jobs) > 1:
        detail += "; WARNING: other jobs also carry this launch id: " + ", ".join(j.id for j in jobs[1:])
    ctx.event(how, detail)
    return apply_job(ctx.conn, ctx.launch_id, job, ctx.credential)


def create_job(ctx: LaunchContext, *, file_id: str, validation_id: str | None) -> LaunchRecord:
    plan = ctx.plan
    spec = plan.spec
    body = dict(plan.create_body)
    body["training_file"] = file_id
    if validation_id is not None:
        body["validation_file"] = validation_id
    training_type = body.pop("trainingType", None)
    error: Exception | None = None
    for attempt in range(plan.settings.max_attempts):
        try:
            existing = find_jobs(
                ctx.client, provider=spec.provider, launch_id=ctx.launch_id, file_id=file_id, suffix=plan.suffix
            )
        except openai.OpenAIError as exc:
            error = exc
            break
        if existing:
            return adopt(ctx, existing, "jobs.reconcile")
        ctx.update(status="creating", training_type=training_type)
        ctx.event(
            "jobs.create:before",
            f"attempt {attempt + 1}" + (f", trainingType {training_type}" if training_type else ""),
        )
        try:
            job = ctx.once.fine_tuning.jobs.create(
                model=str(body["model"]),
                training_file=file_id,
                method=cast(Any, body["method"]),
                suffix=str(body["suffix"]),
                seed=int(body["seed"]) if "seed" in body else openai.omit,
                validation_file=validation_id if validation_id else openai.omit,
                metadata=cast(dict[str, str], body["metadata"]) if "metadata" in body else openai.omit,
                extra_body={"trainingType": training_type} if training_type else None,
            )
        except openai.OpenAIError as exc:
            error = exc
            ctx.event("jobs.create:error", describe_error(exc, ctx.credential))
            if (
                isinstance(exc, openai.BadRequestError)
                and training_type == "Developer"
                and "trainingtype" in str(exc).lower()
            ):
                training_type = AZURE_DEVELOPER_ALT  # Microsoft's docs spell the Developer tier both ways
                ctx.event("jobs.create:retry", f"trainingType rejected; trying the spelling {training_type}")
                continue
            if not is_transient(exc):
                break
            ctx.sleep(retry_delay(exc, attempt))
            continue
        ctx.event(
            "jobs.create:after",
            f"{job.id} ({job.status})" + (f", trainingType {training_type}" if training_type else ""),
        )
        return apply_job(ctx.conn, ctx.launch_id, job, ctx.credential, training_type=training_type)
    # one last look: a create that failed on our side may have succeeded on theirs
    try:
        existing = find_jobs(
            ctx.client, provider=spec.provider, launch_id=ctx.launch_id, file_id=file_id, suffix=plan.suffix
        )
    except openai.OpenAIError:
        existing = []
    if existing:
        return adopt(ctx, existing, "jobs.reconcile")
    detail = describe_error(error, ctx.credential) if error else "no attempt left"
    retryable = error is not None and is_transient(error)
    raise ctx.fail(
        f"creating the fine-tuning job failed: {detail}",
        status="error",
        hint=(
            f"run the same launch again (id {ctx.launch_id}); it looks for the job before creating one"
            if retryable
            else "fix the request (model name, hyperparameters, quota) and launch again"
        ),
    )


def apply_job(conn: Store, launch_id: str, job: FineTuningJob, credential: Secret | None, **extra: Any) -> LaunchRecord:
    record = get_launch(conn, launch_id)
    assert record is not None
    changes: dict[str, Any] = {
        "job_id": job.id,
        "status": str(job.status),
        "fine_tuned_model": job.fine_tuned_model,
        "trained_tokens": job.trained_tokens,
        "estimated_finish": job.estimated_finish,
        "error": None,
    }
    if job.error is not None and (job.error.message or job.error.code):
        changes["error"] = redact(f"{job.error.code}: {job.error.message} (param {job.error.param})", credential)
    if job.status == "succeeded":
        cost = actual_cost(job.trained_tokens, record.price_usd_per_1m)
        changes["actual_cost_usd"] = cost
        changes["cost_difference_usd"] = None if cost is None else cost - record.estimated_cost_usd
    changes.update({k: v for k, v in extra.items() if v is not None})
    return update_launch(conn, launch_id, **changes)


def settings_from_record(record: LaunchRecord, **overrides: Any) -> ProviderSettings:
    """Provider settings that reach the launch's endpoint again (for refresh/cancel)."""
    provider = Provider(record.provider)
    if provider == Provider.AZURE and record.api_version:
        base: dict[str, Any] = {
            "provider": provider,
            "azure_endpoint": record.endpoint,
            "api_version": record.api_version,
        }
    else:
        base = {"provider": provider, "base_url": record.endpoint}
    return ProviderSettings(**{**base, **overrides})


@dataclass(frozen=True)
class JobSnapshot:
    """A refreshed launch: the stored record plus what the provider reports now."""

    record: LaunchRecord
    events: tuple[dict[str, Any], ...] = ()
    checkpoints: tuple[dict[str, Any], ...] = ()
    note: str = ""


def refresh_launch(
    conn: Store,
    launch_id: str,
    *,
    credential: Secret | None,
    client_factory: ClientFactory = make_client,
    settings: ProviderSettings | None = None,
    events_limit: int = 20,
) -> JobSnapshot:
    """Ask the provider for the job's status, events and checkpoints and store what changed.

    A launch interrupted before its job id was stored is reconciled here (the job is found by its
    launch id), so ``costmodel jobs`` heals what a killed process left."""
    record = get_launch(conn, launch_id)
    if record is None:
        raise LaunchError(
            f"no launch {launch_id} in the store", field="launch_id", hint="run `costmodel jobs` to list them"
        )
    if credential is None:
        return JobSnapshot(
            record, note="not refreshed: no credential; " + credential_hint(settings_from_record(record))
        )
    settings = settings or settings_from_record(record)
    client = client_factory(settings, credential, 2)
    message: str | None = None
    try:
        if record.job_id is None:
            if record.status in ("refused",):
                return JobSnapshot(record, note="refused before any request")
            found = find_jobs(
                client,
                provider=record.provider,
                launch_id=launch_id,
                file_id=record.file_id,
                suffix=record.suffix or "",
            )
            if not found:
                return JobSnapshot(record, note="no job on the server for this launch yet")
            add_event(conn, launch_id, "refresh:reconcile", f"found {found[0].id}")
            job = found[0]
        else:
            job = client.fine_tuning.jobs.retrieve(record.job_id)
        record = apply_job(conn, launch_id, job, credential)
        events = tuple(
            e.model_dump(mode="json") for e in client.fine_tuning.jobs.list_events(job.id, limit=events_limit).data
        )
        checkpoints = tuple(c.model_dump(mode="json") for c in client.fine_tuning.jobs.checkpoints.list(job.id).data)
    except openai.OpenAIError as exc:
        message = describe_error(exc, credential)
    if message is not None:
        raise LaunchError(f"refreshing launch {launch_id} failed: {message}", field="launch_id", hint="try again later")
    return JobSnapshot(record, events, checkpoints)


def follow_launch(
    conn: Store,
    launch_id: str,
    *,
    credential: Secret | None,
    client_factory: ClientFactory = make_client,
    poll_s: float = 10.0,
    timeout_s: float = 3600.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_update: Callable[[JobSnapshot], None] | None = None,
) -> JobSnapshot:
    """Refresh until the job is succeeded, failed or cancelled (or ``timeout_s`` passes)."""
    deadline = clock() + timeout_s
    while True:
        snap = refresh_launch(conn, launch_id, credential=credential, client_factory=client_factory)
        if on_update is not None:
            on_update(snap)
        if snap.record.status in TERMINAL_JOB_STATUSES or snap.note or clock() >= deadline:
            return snap
        sleep(poll_s)


def cancel_launch(
    conn: Store,
    launch_id: str,
    *,
    credential: Secret | None,
    client_factory: ClientFactory = make_client,
    settings: ProviderSettings | None = None,
) -> LaunchRecord:
    record = get_launch(conn, launch_id)
    if record is None:
        raise LaunchError(f"no launch {launch_id} in the store", field="launch_id")
    if record.job_id is None:
        raise LaunchError(f"launch {launch_id} has no job to cancel (status {record.status})", field="launch_id")
    if record.is_terminal:
        return record
    if credential is None:
        raise CredentialError("no credential to cancel the job", hint=credential_hint(settings_from_record(record)))
    client = client_factory(settings or settings_from_record(record), credential, 2)
    add_event(conn, launch_id, "jobs.cancel:before", record.job_id)
    message: str | None = None
    try:
        job = client.fine_tuning.jobs.cancel(record.job_id)
    except openai.OpenAIError as exc:
        message = describe_error(exc, credential)
    if message is not None:
        add_event(conn, launch_id, "jobs.cancel:error", message)
        raise LaunchError(f"cancelling launch {launch_id} failed: {message}", field="launch_id")
    add_event(conn, launch_id, "jobs.cancel:after", f"{job.id} {job.status}")
    return apply_job(conn, launch_id, job, credential)
