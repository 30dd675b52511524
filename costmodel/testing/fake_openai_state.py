"""The fake fine-tuning API's in-memory provider: files, jobs and their life on the fake's clock.

:class:`FakeState` holds what a provider would: uploaded files, jobs (``validating_files ->
queued -> running -> succeeded`` after the configured durations), their events and checkpoints,
the injected :class:`Fault` list and every :class:`RecordedRequest`. The HTTP side is in
:mod:`costmodel.testing.fake_openai_http`; the server in :mod:`costmodel.testing.fake_openai_api`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AZURE_SUFFIX_MAX",
    "AZURE_TRAINING_TYPES",
    "MIN_EXAMPLES",
    "OPENAI_SUFFIX_MAX",
    "FakeFile",
    "FakeJob",
    "FakeState",
    "Fault",
    "RecordedRequest",
    "cookbook_epochs",
]

AZURE_SUFFIX_MAX = 18
OPENAI_SUFFIX_MAX = 64
MIN_EXAMPLES = 10
AZURE_TRAINING_TYPES = ("Standard", "GlobalStandard", "Developer", "developerTier")

_FAULT_KINDS = ("error_before", "error_after", "drop_before", "drop_after", "delay_after")


@dataclass
class Fault:
    """One injected failure, consumed ``times`` times by requests to ``route``."""

    route: str
    kind: str
    status: int = 500
    retry_after: float | None = None
    delay_s: float = 0.0
    times: int = 1
    message: str = "injected fault"

    def __post_init__(self) -> None:
        if self.kind not in _FAULT_KINDS:
            raise ValueError(f"fault kind {self.kind!r}: use one of {', '.join(_FAULT_KINDS)}")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # path and query exactly as received (the query never carries a key in a sane client)
    route: str
    flavor: str  # "openai", "azure", "azure_v1", "control"
    header_names: tuple[str, ...]
    authorized: bool
    status: int | None  # None when the connection was dropped
    at: float


@dataclass
class FakeFile:
    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: float
    flavor: str

    @property
    def examples(self) -> list[bytes]:
        return [line for line in self.data.splitlines() if line.strip()]


@dataclass
class FakeJob:
    id: str
    flavor: str
    model: str
    training_file: str
    validation_file: str | None
    method: dict[str, Any]
    n_epochs: int
    suffix: str | None
    seed: int
    metadata: dict[str, str] | None
    training_type: str | None
    created_at: float
    trained_tokens_if_done: int
    fail: dict[str, Any] | None = None
    cancelled_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def cookbook_epochs(n_examples: int) -> int:
    """OpenAI cookbook heuristic (fine-tuning data prep notebook): 3 epochs, clamped to 100..25,000
    examples x epochs and to 1..25 epochs."""
    epochs = 3
    if n_examples == 0:
        return epochs
    if n_examples * epochs < 100:
        epochs = min(25, 100 // n_examples)
    elif n_examples * epochs > 25_000:
        epochs = max(1, 25_000 // n_examples)
    return epochs


class FakeState:
    def __init__(
        self,
        *,
        clock: Callable[[], float],
        expected_key: str | None,
        validate_s: float,
        queue_s: float,
        run_s: float,
        file_process_s: float,
        trained_tokens_override: int | None,
        azure_keeps_metadata: bool,
        azure_training_types: tuple[str, ...],
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.expected_key = expected_key
        self.validate_s = validate_s
        self.queue_s = queue_s
        self.run_s = run_s
        self.file_process_s = file_process_s
        self.trained_tokens_override = trained_tokens_override
        self.azure_keeps_metadata = azure_keeps_metadata
        self.azure_training_types = azure_training_types
        self.files: dict[str, FakeFile] = {}
        self.jobs: dict[str, FakeJob] = {}
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []

    def take_fault(self, route: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.route == route and fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # -- object views ----------------------------------------------------------------------
    def file_view(self, f: FakeFile) -> dict[str, Any]:
        done = self.clock() - f.created_at >= self.file_process_s
        pending = "pending" if f.flavor != "openai" else "uploaded"
        return {
            "id": f.id,
            "object": "file",
            "bytes": len(f.data),
            "created_at": int(f.created_at),
            "filename": f.filename,
            "purpose": f.purpose,
            "status": "processed" if done else pending,
            "status_details": None,
        }

    def job_status(self, job: FakeJob) -> tuple[str, float | None]:
        """(status, time it reached a terminal state)."""
        if job.cancelled_at is not None:
            return "cancelled", job.cancelled_at
        elapsed = self.clock() - job.created_at
        if elapsed < self.validate_s:
            return "validating_files", None
        if job.fail is not None:
            return "failed", job.created_at + self.validate_s
        if elapsed < self.validate_s + self.queue_s:
            return "queued", None
        if elapsed < self.validate_s + self.queue_s + self.run_s:
            return "running", None
        return "succeeded", job.created_at + self.validate_s + self.queue_s + self.run_s

    def job_view(self, job: FakeJob) -> dict[str, Any]:
        status, finished = self.job_status(job)
        total = self.validate_s + self.queue_s + self.run_s
        hyper = dict(job.method.get(job.method["type"], {}).get("hyperparameters", {}))
        hyper["n_epochs"] = job.n_epochs
        hyper.setdefault("batch_size", 1)
        hyper.setdefault("learning_rate_multiplier", 1.8)
        if job.flavor == "openai":
            model_name = f"ft:{job.model}:fake-org:{job.suffix or ''}:{job.id[-8:]}"
        else:
            model_name = f"{job.model}.ft-{job.id[-32:]}"
        view: dict[str, Any] = {
            "id": job.id,
            "object": "fine_tuning.job",
            "created_at": int(job.created_at),
            "error": job.fail if status == "failed" else None,
            "fine_tuned_model": model_name if status == "succeeded" else None,
            "finished_at": int(finished) if finished is not None else None,
            "hyperparameters": hyper if job.method["type"] == "supervised" else {},
            "model": job.model,
            "organization_id": "org-fake",
            "result_files": [f"file-result-{job.id[-8:]}"] if status == "succeeded" else [],
            "seed": job.seed,
            "status": status,
            "trained_tokens": job.trained_tokens_if_done if status == "succeeded" else None,
            "training_file": job.training_file,
            "validation_file": job.validation_file,
            "estimated_finish": int(job.created_at + total) if status in ("queued", "running") else None,
            "integrations": None,
            "metadata": job.metadata,
            "method": job.method,
        }
        if job.flavor != "openai":
            view["suffix"] = job.suffix
            view["trainingType"] = job.training_type
        return view

    def job_events(self, job: FakeJob) -> list[dict[str, Any]]:
        status, finished = self.job_status(job)
        t0 = job.created_at
        events: list[tuple[float, str, str, dict[str, Any] | None]] = [
            (t0, "info", "Created fine-tuning job", None),
            (t0, "info", "Validating training file: " + job.training_file, None),
        ]
        if status == "failed" and job.fail:
            events.append(
                (t0 + self.validate_s, "error", "Training file validation failed: " + job.fail["message"], None)
            )
        if status in ("queued", "running", "succeeded") or (status == "cancelled" and self.validate_s == 0):
            events.append((t0 + self.validate_s, "info", "Files validated, moving job to queued state", None))
        if status in ("running", "succeeded"):
            events.append((t0 + self.validate_s + self.queue_s, "info", "Fine-tuning job started", None))
        if status == "succeeded":
            steps = max(1, job.n_epochs)
            for step in range(1, steps + 1):
                events.append(
                    (
                        t0 + self.validate_s + self.queue_s + self.run_s * step / (steps + 1),
                        "info",
                        f"Step {step}/{steps}: training loss={1.0 / step:.4f}",
                        {"step": step, "total_steps": steps, "train_loss": 1.0 / step},
                    )
                )
            events.append((finished or t0, "info", "The job has successfully completed", None))
        if status == "cancelled":
            events.append((finished or t0, "info", "Fine-tuning job cancelled", None))
        out = []
        for i, (at, level, message, data) in enumerate(events):
            out.append(
                {
                    "id": f"ftevent-{job.id[-8:]}-{i:03d}",
                    "object": "fine_tuning.job.event",
                    "created_at": int(at),
                    "level": level,
                    "message": message,
                    "type": "metrics" if data else "message",
                    "data": data,
                }
            )
        out.reverse()  # newest first, as the service lists them
        return out

    def job_checkpoints(self, job: FakeJob) -> list[dict[str, Any]]:
        status, finished = self.job_status(job)
        if status != "succeeded":
            return []
        out = []
        for epoch in range(max(1, job.n_epochs - 2), job.n_epochs + 1):
            out.append(
                {
                    "id": f"ftckpt-{job.id[-8:]}-{epoch}",
                    "object": "fine_tuning.job.checkpoint",
                    "created_at": int(finished or job.created_at),
                    "fine_tuned_model_checkpoint": f"ft:{job.model}:fake-org:{job.suffix or ''}:ckpt-step-{epoch}",
                    "fine_tuning_job_id": job.id,
                    "step_number": epoch,
                    "metrics": {"step": float(epoch), "train_loss": 1.0 / epoch},
                }
            )
        out.reverse()
        return out
