"""Running a launch exactly once, following it, cancelling it, and pricing what it really cost.

The sequence of :func:`execute_launch`::

    refuse (dataset errors, budget)  ->  lock the launch id (cross-process)  ->  record "planned"
    -> file: reuse the recorded id, or find it on the server by name/bytes, or upload it once
       (SDK retries off; after a failure the server is searched again before another upload)
    -> wait until processed
    -> job: find it on the server (OpenAI: jobs.list by metadata; Azure: by training file and
       suffix), else create it once with SDK retries off; after any failure (timeout, dropped
       connection, 429, 5xx) search again before another create
    -> record the job id

Every step writes the launch row and an event before and after its call, so the next run (a
rerun, a refresh, a second terminal) resumes where this one stopped. The SDK's own retries stay
on for reads (GET is safe) and are switched off for the two POSTs, because the SDK sends no
idempotency key (finetuning-api.md §5).

The credential is a :class:`~costmodel.secrets.Secret`; every message built from a provider
error is redacted, and errors are raised outside the ``except`` block so no chained exception
carries the SDK's text.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import openai
from openai import OpenAI
from openai.types.fine_tuning import FineTuningJob

from costmodel.errors import BudgetExceededError, CredentialError, LaunchError
from costmodel.launch.lock import launch_lock, lock_dir_for
from costmodel.launch.plan import (
    AZURE_DEVELOPER_ALT,
    METADATA_KEY,
    LaunchPlan,
    ProviderSettings,
)
from costmodel.launch.records import (
    TERMINAL_JOB_STATUSES,
    LaunchRecord,
    add_event,
    get_launch,
    insert_launch,
    update_launch,
    utc_now,
)
from costmodel.money import MILLION, format_usd
from costmodel.prices import Provider
from costmodel.secrets import (
    AZURE_AD_TOKEN_ENV,
    AZURE_API_KEY_ENV,
    OPENAI_API_KEY_ENV,
    Secret,
    redact,
)

__all__ = [
    "ClientFactory",
    "JobSnapshot",
    "actual_cost",
    "cancel_launch",
    "execute_launch",
    "follow_launch",
    "make_client",
    "refresh_launch",
    "settings_from_record",
]

ClientFactory = Callable[[ProviderSettings, Secret, int], OpenAI]

_FILE_DONE = frozenset({"processed", "error", "deleted"})
_LIST_CAP = 1000  # jobs/files examined when reconciling
_MAX_SERVER_DELAY_S = 60.0


def make_client(settings: ProviderSettings, credential: Secret, max_retries: int) -> OpenAI:
    """The SDK client for ``settings``. Only this function sees the credential's value."""
    timeout = settings.timeout_s
    if settings.provider == Provider.OPENAI or settings.base_url is not None:
        # OpenAI, or Azure's v1 endpoint through the plain client (finetuning-api.md §6.1)
        return OpenAI(
            api_key=credential.reveal(),
            base_url=settings.api_root,
            max_retries=max_retries,
            timeout=timeout,
        )
    endpoint = settings.azure_endpoint or ""
    if settings.azure_auth == "entra_token":
        return openai.AzureOpenAI(
            azure_endpoint=endpoint,
            api_version=settings.effective_api_version,
            azure_ad_token=credential.reveal(),
            max_retries=max_retries,
            timeout=timeout,
        )
    return openai.AzureOpenAI(
        azure_endpoint=endpoint,
        api_version=settings.effective_api_version,
        api_key=credential.reveal(),
        max_retries=max_retries,
        timeout=timeout,
    )


def credential_hint(settings: ProviderSettings) -> str:
    if settings.provider == Provider.OPENAI:
        return f"set {OPENAI_API_KEY_ENV} (or OPENAI_API_KEY in .streamlit/secrets.toml, or the masked field)"
    if settings.azure_auth == "entra_token":
        return f"set {AZURE_AD_TOKEN_ENV} (an Entra ID token for Cognitive Services)"
    return f"set {AZURE_API_KEY_ENV} and AZURE_OPENAI_ENDPOINT (or the same names in .streamlit/secrets.toml)"


def actual_cost(trained_tokens: int | None, price_usd_per_1m: Decimal | None) -> Decimal | None:
    """trained_tokens x price per 1M tokens; None when either is unknown (never 0).

    >>> actual_cost(504, Decimal("3.00"))
    Decimal('0.001512')
    """
    if trained_tokens is None or price_usd_per_1m is None:
        return None
    return Decimal(trained_tokens) * price_usd_per_1m / MILLION


# -- error handling -------------------------------------------------------------------------------
def _transient(exc: Exception) -> bool:
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def _describe(exc: Exception, credential: Secret) -> str:
    if isinstance(exc, openai.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else None
        message = body.get("message") if body else None
        text = f"HTTP {exc.status_code}: {message or exc.message}"
    elif isinstance(exc, openai.APITimeoutError):
        text = "the request timed out"
    elif isinstance(exc, openai.APIConnectionError):
        text = "the connection failed or was dropped"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return redact(text, credential)


def _delay(exc: Exception, attempt: int) -> float:
    """Server-requested delay (retry-after) when sane, else 0.5 s x 2^attempt capped at 8 s."""
    if isinstance(exc, openai.APIStatusError):
        for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
            raw: str | None = exc.response.headers.get(header)
            if raw is None:
                continue
            try:
                seconds = float(raw) / divisor
            except ValueError:
                continue
            if 0 <= seconds <= _MAX_SERVER_DELAY_S:
                return seconds
    return float(min(8.0, 0.5 * 2**attempt))


@dataclass
class _Ctx:
    plan: LaunchPlan
    conn: Any
    credential: Secret
    client: OpenAI  # with the SDK's retries, for reads
    once: OpenAI  # retries off, for POSTs
    sleep: Callable[[float], None]
    clock: Callable[[], float]

    @property
    def launch_id(self) -> str:
        return self.plan.launch_id

    def event(self, step: str, detail: str = "") -> None:
        add_event(self.conn, self.launch_id, step, redact(detail, self.credential))

    def update(self, **changes: Any) -> LaunchRecord:
        if "error" in changes and changes["error"] is not None:
            changes["error"] = redact(changes["error"], self.credential)
        return update_launch(self.conn, self.launch_id, **changes)

    def fail(self, message: str, *, status: str = "error", hint: str | None = None) -> LaunchError:
        message = redact(message, self.credential)
        self.update(status=status, error=message)
        self.event("failed", message)
        return LaunchError(
            f"launch {self.launch_id}: {message}",
            field="launch_id",
            hint=hint or f"run the same launch again (id {self.launch_id}); it resumes without duplicating anything",
        )


# -- files --------------------------------------------------------------------------------------------
def _find_file(ctx: _Ctx, filename: str, size: int) -> Any | None:
    for seen, f in enumerate(ctx.client.files.list(purpose="fine-tune"), start=1):
        if f.filename == filename and f.bytes == size and f.status != "error":
            return f
        if seen >= _LIST_CAP:
            break
    return None


def _ensure_file(ctx: _Ctx, *, filename: str, data: bytes, field_name: str) -> str:
    record = get_launch(ctx.conn, ctx.launch_id)
    assert record is not None
    known: str | None = getattr(record, field_name)
    if known:
        return known
    error: Exception | None = None
    for attempt in range(ctx.plan.settings.max_attempts):
        try:
            found = _find_file(ctx, filename, len(data))
        except openai.OpenAIError as exc:
            error = exc
            break
        if found is not None:
            ctx.event("files.reconcile", f"found {found.id} ({filename}) on the server; not uploading again")
            ctx.update(**{field_name: found.id}, status="uploaded")
            return str(found.id)
        ctx.update(status="uploading")
        ctx.event("files.create:before", f"attempt {attempt + 1}: {filename} ({len(data)} bytes)")
        try:
            uploaded = ctx.once.files.create(file=(filename, data, "application/jsonl"), purpose="fine-tune")
        except openai.OpenAIError as exc:
            error = exc
            ctx.event("files.create:error", _describe(exc, ctx.credential))
            if not _transient(exc):
                break
            ctx.sleep(_delay(exc, attempt))
            continue
        ctx.event("files.create:after", f"{uploaded.id} status {uploaded.status}")
        ctx.update(**{field_name: uploaded.id}, status="uploaded")
        return str(uploaded.id)
    detail = _describe(error, ctx.credential) if error else "no attempt left"
    raise ctx.fail(f"uploading {filename} failed: {detail}")


def _wait_processed(ctx: _Ctx, file_id: str) -> None:
    deadline = ctx.clock() + ctx.plan.settings.file_wait_s
    failure: str | None = None
    while True:
        try:
            f = ctx.client.files.retrieve(file_id)
        except openai.OpenAIError as exc:
            failure = f"checking file {file_id} failed: {_describe(exc, ctx.credential)}"
            break
        if f.status in _FILE_DONE:
            if f.status == "processed":
                ctx.event("files.processed", file_id)
                return
            failure = f"file {file_id} was not accepted ({f.status}): {f.status_details or 'no details'}"
            break
        if ctx.clock() >= deadline:
            failure = f"file {file_id} still '{f.status}' after {ctx.plan.settings.file_wait_s:.0f} s"
            break
        ctx.sleep(ctx.plan.settings.poll_interval_s)
    raise ctx.fail(failure)


# -- jobs ---------------------------------------------------------------------------------------------
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


def _find_jobs(
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


def _adopt(ctx: _Ctx, jobs: list[FineTuningJob], how: str) -> LaunchRecord:
    job = jobs[0]
    detail = f"{job.id} ({job.status})"
    if len(jobs) > 1:
        detail += "; WARNING: other jobs also carry this launch id: " + ", ".join(j.id for j in jobs[1:])
    ctx.event(how, detail)
    return _apply_job(ctx.conn, ctx.launch_id, job, ctx.credential)


def _create_job(ctx: _Ctx, *, file_id: str, validation_id: str | None) -> LaunchRecord:
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
            existing = _find_jobs(
                ctx.client, provider=spec.provider, launch_id=ctx.launch_id, file_id=file_id, suffix=plan.suffix
            )
        except openai.OpenAIError as exc:
            error = exc
            break
        if existing:
            return _adopt(ctx, existing, "jobs.reconcile")
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
            ctx.event("jobs.create:error", _describe(exc, ctx.credential))
            if (
                isinstance(exc, openai.BadRequestError)
                and training_type == "Developer"
                and "trainingtype" in str(exc).lower()
            ):
                training_type = AZURE_DEVELOPER_ALT  # the docs spell the Developer tier both ways (§6.2)
                ctx.event("jobs.create:retry", f"trainingType rejected; trying the spelling {training_type}")
                continue
            if not _transient(exc):
                break
            ctx.sleep(_delay(exc, attempt))
            continue
        ctx.event(
            "jobs.create:after",
            f"{job.id} ({job.status})" + (f", trainingType {training_type}" if training_type else ""),
        )
        return _apply_job(ctx.conn, ctx.launch_id, job, ctx.credential, training_type=training_type)
    # one last look: a create that failed on our side may have succeeded on theirs
    try:
        existing = _find_jobs(
            ctx.client, provider=spec.provider, launch_id=ctx.launch_id, file_id=file_id, suffix=plan.suffix
        )
    except openai.OpenAIError:
        existing = []
    if existing:
        return _adopt(ctx, existing, "jobs.reconcile")
    detail = _describe(error, ctx.credential) if error else "no attempt left"
    retryable = error is not None and _transient(error)
    raise ctx.fail(
        f"creating the fine-tuning job failed: {detail}",
        status="error",
        hint=(
            f"run the same launch again (id {ctx.launch_id}); it looks for the job before creating one"
            if retryable
            else "fix the request (model name, hyperparameters, quota) and launch again"
        ),
    )


def _apply_job(conn: Any, launch_id: str, job: FineTuningJob, credential: Secret | None, **extra: Any) -> LaunchRecord:
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


# -- public API -----------------------------------------------------------------------------------------
def execute_launch(
    plan: LaunchPlan,
    *,
    conn: Any,
    credential: Secret | None,
    client_factory: ClientFactory = make_client,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    lock_wait_s: float = 30.0,
) -> LaunchRecord:
    """Upload and create the job for ``plan`` exactly once. Safe to call again with the same plan:
    a launch that already has a job returns its record without any request."""
    if plan.has_errors:
        first = plan.blocking_problems[:3]
        listing = "; ".join(f"line {p.line}: {p.message}" if p.line is not None else p.message for p in first)
        raise LaunchError(
            f"the dataset has {len(plan.blocking_problems)} error(s) that block the launch: {listing}",
            source=str(plan.spec.dataset),
            hint="fix them (see the dataset analysis) and plan again",
        )
    with launch_lock(lock_dir_for(conn), plan.launch_id, wait_s=lock_wait_s, sleep=sleep):
        now = utc_now()
        draft = LaunchRecord(
            launch_id=plan.launch_id,
            fingerprint=plan.fingerprint,
            provider=str(plan.spec.provider),
            endpoint=plan.settings.endpoint,
            api_version=plan.settings.effective_api_version,
            model=plan.spec.model,
            method=plan.spec.method,
            tier=plan.spec.tier,
            training_type=plan.training_type,
            suffix=plan.suffix,
            dataset_name=plan.spec.dataset.name,
            dataset_sha256=plan.dataset_sha256,
            dataset_bytes=plan.dataset_bytes,
            upload_filename=plan.upload_filename,
            create_body_json=_json(plan.create_body),
            status="planned",
            billed_tokens=plan.billed_tokens,
            n_epochs=plan.n_epochs,
            estimated_tokens=plan.estimated_tokens,
            price_usd_per_1m=plan.price_usd_per_1m,
            price_reliability=plan.price_reliability,
            price_source=plan.price_source,
            estimated_cost_usd=plan.estimated_cost_usd,
            budget_usd=plan.spec.budget_usd,
            created_at=now,
            updated_at=now,
        )
        record, inserted = insert_launch(conn, draft)
        if not inserted and record.fingerprint != plan.fingerprint:
            raise LaunchError(
                f"launch id {plan.launch_id} was already used for a different launch "
                f"({record.provider} {record.model}, dataset {record.dataset_name}, status {record.status})",
                field="launch_id",
                hint="choose another launch id, or leave it out to derive one from the dataset and settings",
            )
        if record.job_id is not None:
            add_event(conn, plan.launch_id, "execute:skipped", f"job {record.job_id} already recorded")
            return record
        if plan.over_budget:
            assert plan.spec.budget_usd is not None
            message = (
                f"estimated training cost {format_usd(plan.estimated_cost_usd)} is above the budget cap "
                f"{format_usd(plan.spec.budget_usd)}"
            )
            update_launch(conn, plan.launch_id, status="refused", error=message, budget_usd=plan.spec.budget_usd)
            add_event(conn, plan.launch_id, "refused", message)
            raise BudgetExceededError(
                message, field="budget", hint="raise the cap, or reduce epochs or the dataset, then plan again"
            )
        if credential is None:
            raise CredentialError(
                f"no credential for {plan.spec.provider}", field="api key", hint=credential_hint(plan.settings)
            )
        if not inserted:
            update_launch(conn, plan.launch_id, budget_usd=plan.spec.budget_usd)
        add_event(
            conn, plan.launch_id, "execute:start", f"{'new' if inserted else 'resumed'} launch, status {record.status}"
        )
        ctx = _Ctx(
            plan=plan,
            conn=conn,
            credential=credential,
            client=client_factory(plan.settings, credential, 2),
            once=client_factory(plan.settings, credential, 0),
            sleep=sleep,
            clock=clock,
        )
        data = plan.spec.dataset.read_bytes()
        if hashlib.sha256(data).hexdigest() != plan.dataset_sha256:
            raise ctx.fail(
                "the training file changed after the estimate was made; nothing was uploaded",
                hint="plan the launch again so the estimate matches the file that will be sent",
            )
        file_id = _ensure_file(ctx, filename=plan.upload_filename, data=data, field_name="file_id")
        _wait_processed(ctx, file_id)
        validation_id = None
        if plan.spec.validation_dataset is not None and plan.validation_filename is not None:
            vdata = plan.spec.validation_dataset.read_bytes()
            validation_id = _ensure_file(
                ctx, filename=plan.validation_filename, data=vdata, field_name="validation_file_id"
            )
            _wait_processed(ctx, validation_id)
        return _create_job(ctx, file_id=file_id, validation_id=validation_id)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)


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
    conn: Any,
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
            found = _find_jobs(
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
        record = _apply_job(conn, launch_id, job, credential)
        events = tuple(
            e.model_dump(mode="json") for e in client.fine_tuning.jobs.list_events(job.id, limit=events_limit).data
        )
        checkpoints = tuple(c.model_dump(mode="json") for c in client.fine_tuning.jobs.checkpoints.list(job.id).data)
    except openai.OpenAIError as exc:
        message = _describe(exc, credential)
    if message is not None:
        raise LaunchError(f"refreshing launch {launch_id} failed: {message}", field="launch_id", hint="try again later")
    return JobSnapshot(record, events, checkpoints)


def follow_launch(
    conn: Any,
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
    conn: Any,
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
        message = _describe(exc, credential)
    if message is not None:
        add_event(conn, launch_id, "jobs.cancel:error", message)
        raise LaunchError(f"cancelling launch {launch_id} failed: {message}", field="launch_id")
    add_event(conn, launch_id, "jobs.cancel:after", f"{job.id} {job.status}")
    return _apply_job(conn, launch_id, job, credential)
