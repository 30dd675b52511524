"""The state one launch attempt carries through its steps, and how a step records what it did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openai import OpenAI

from costmodel.errors import LaunchError
from costmodel.launch.plan import LaunchPlan
from costmodel.launch.records import LaunchRecord, add_event, update_launch
from costmodel.secrets import Secret, redact
from costmodel.store import Store

__all__ = ["LaunchContext"]


@dataclass
class LaunchContext:
    """One attempt of one launch: every step writes the record and an event through it (redacted)."""

    plan: LaunchPlan
    conn: Store
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
