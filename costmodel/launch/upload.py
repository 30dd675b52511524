"""Uploading a training file exactly once: reuse the recorded id, or find it on the server, or upload.

The uploaded name carries the launch tag and the file's hash, so a file a killed process uploaded
is found again by name and size instead of being sent twice.
"""

from __future__ import annotations

from typing import Any

import openai

from costmodel.launch.client import describe_error, is_transient, retry_delay
from costmodel.launch.context import LaunchContext
from costmodel.launch.records import get_launch

__all__ = ["ensure_file", "find_file", "wait_processed"]

_FILE_DONE = frozenset({"processed", "error", "deleted"})
_LIST_CAP = 1000  # files examined when reconciling


def find_file(ctx: LaunchContext, filename: str, size: int) -> Any | None:
    for seen, f in enumerate(ctx.client.files.list(purpose="fine-tune"), start=1):
        if f.filename == filename and f.bytes == size and f.status != "error":
            return f
        if seen >= _LIST_CAP:
            break
    return None


def ensure_file(ctx: LaunchContext, *, filename: str, data: bytes, field_name: str) -> str:
    record = get_launch(ctx.conn, ctx.launch_id)
    assert record is not None
    known: str | None = getattr(record, field_name)
    if known:
        return known
    error: Exception | None = None
    for attempt in range(ctx.plan.settings.max_attempts):
        try:
            found = find_file(ctx, filename, len(data))
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
            ctx.event("files.create:error", describe_error(exc, ctx.credential))
            if not is_transient(exc):
                break
            ctx.sleep(retry_delay(exc, attempt))
            continue
        ctx.event("files.create:after", f"{uploaded.id} status {uploaded.status}")
        ctx.update(**{field_name: uploaded.id}, status="uploaded")
        return str(uploaded.id)
    detail = describe_error(error, ctx.credential) if error else "no attempt left"
    raise ctx.fail(f"uploading {filename} failed: {detail}")


def wait_processed(ctx: LaunchContext, file_id: str) -> None:
    deadline = ctx.clock() + ctx.plan.settings.file_wait_s
    failure: str | None = None
    while True:
        try:
            f = ctx.client.files.retrieve(file_id)
        except openai.OpenAIError as exc:
            failure = f"checking file {file_id} failed: {describe_error(exc, ctx.credential)}"
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
