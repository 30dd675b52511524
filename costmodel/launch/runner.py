"""Running a launch exactly once: the sequence, and the launcher's public entry points.

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
rerun, a refresh, a second terminal) resumes where this one stopped. The steps live in
:mod:`~costmodel.launch.upload` and :mod:`~costmodel.launch.jobs`, the SDK client and the meaning
of its errors in :mod:`~costmodel.launch.client`.

The credential is a :class:`~costmodel.secrets.Secret`; every message built from a provider
error is redacted, and errors are raised outside the ``except`` block so no chained exception
carries the SDK's text.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable

from costmodel.errors import BudgetExceededError, CredentialError, LaunchError
from costmodel.launch.client import ClientFactory, credential_hint, make_client
from costmodel.launch.context import LaunchContext
from costmodel.launch.jobs import (
    JobSnapshot,
    actual_cost,
    cancel_launch,
    create_job,
    follow_launch,
    refresh_launch,
    settings_from_record,
)
from costmodel.launch.lock import launch_lock, lock_dir_for
from costmodel.launch.plan import LaunchPlan
from costmodel.launch.records import LaunchRecord, add_event, insert_launch, update_launch, utc_now
from costmodel.launch.upload import ensure_file, wait_processed
from costmodel.money import format_usd
from costmodel.secrets import Secret
from costmodel.store import Store

__all__ = [
    "ClientFactory",
    "JobSnapshot",
    "actual_cost",
    "cancel_launch",
    "credential_hint",
    "execute_launch",
    "follow_launch",
    "make_client",
    "refresh_launch",
    "settings_from_record",
]


def execute_launch(
    plan: LaunchPlan,
    *,
    conn: Store,
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
            create_body_json=json.dumps(plan.create_body, sort_keys=True),
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
        ctx = LaunchContext(
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
        file_id = ensure_file(ctx, filename=plan.upload_filename, data=data, field_name="file_id")
        wait_processed(ctx, file_id)
        validation_id = None
        if plan.spec.validation_dataset is not None and plan.validation_filename is not None:
            vdata = plan.spec.validation_dataset.read_bytes()
            validation_id = ensure_file(
                ctx, filename=plan.validation_filename, data=vdata, field_name="validation_file_id"
            )
            wait_processed(ctx, validation_id)
        return create_job(ctx, file_id=file_id, validation_id=validation_id)
