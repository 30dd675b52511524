"""A local fake of the OpenAI and Azure OpenAI files and fine-tuning HTTP API, for tests.

It listens on 127.0.0.1 only and keeps everything in memory. The real ``openai`` SDK talks to it
unchanged (``OpenAI(base_url=server.openai_base_url)``, ``AzureOpenAI(azure_endpoint=server.url,
api_version=...)`` or the Azure v1 base URL), so the launcher is tested through the same code path
it uses against the real services.

Routes, under three prefixes:

* ``/v1/...`` OpenAI: ``Authorization: Bearer <key>`` required.
* ``/openai/...`` Azure OpenAI (versioned): ``api-version`` query parameter and an ``api-key``
  header (or ``Authorization: Bearer <Entra token>``) required; job ``metadata`` is dropped
  (undocumented on Azure) unless ``azure_keeps_metadata``; ``trainingType`` is checked;
  ``suffix`` is limited to 18 characters and echoed on the job.
* ``/openai/v1/...`` Azure v1 endpoint: no ``api-version``; ``api-key`` or bearer.

Endpoints: ``POST/GET /files``, ``GET /files/{id}``, ``POST/GET /fine_tuning/jobs`` (list
filtered by ``metadata[k]=v``), ``GET /fine_tuning/jobs/{id}``, ``GET .../events``,
``GET .../checkpoints``, ``POST .../cancel``. A job moves ``validating_files -> queued ->
running -> succeeded`` on the fake's clock (durations are settings); on success it reports
``trained_tokens`` (epochs x one token per 4 bytes of each example line, or a fixed override),
``fine_tuned_model``, checkpoints and events. A training file with fewer than 10 examples fails
the job, as the real service does.

Fault injection (:meth:`FakeOpenAIServer.add_fault`) targets a route name such as
``files.create`` or ``jobs.create``: ``error_before`` (answer ``status`` without doing anything,
e.g. 429 with ``retry-after``), ``error_after`` (do the work, then answer 500), ``drop_before``
(read part of the body and close the connection: a dropped upload), ``drop_after`` (do the work,
then close without answering) and ``delay_after`` (do the work, then wait ``delay_s`` before
answering, so a client timeout fires after the job exists).

Every request is recorded (method, path with query, route, header *names*, whether credentials
were present) and can be counted; header values and keys are never recorded or printed. Control
routes for out-of-process use: ``GET /_fake/health``, ``GET /_fake/requests``, ``POST
/_fake/faults`` (JSON fault), ``POST /_fake/reset``.

Run it alone with ``python -m costmodel.testing.fake_openai_api --port 8765``.
"""

from __future__ import annotations

import argparse
import contextlib
import email.parser
import email.policy
import json
import math
import re
import secrets as _random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["FakeOpenAIServer", "Fault", "RecordedRequest", "main"]

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
class _File:
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
class _Job:
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


def _cookbook_epochs(n_examples: int) -> int:
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


class _State:
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
        self.files: dict[str, _File] = {}
        self.jobs: dict[str, _Job] = {}
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
    def file_view(self, f: _File) -> dict[str, Any]:
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

    def job_status(self, job: _Job) -> tuple[str, float | None]:
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

    def job_view(self, job: _Job) -> dict[str, Any]:
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

    def job_events(self, job: _Job) -> list[dict[str, Any]]:
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

    def job_checkpoints(self, job: _Job) -> list[dict[str, Any]]:
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


class _DropConnection(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    _status: int | None = None
    _recorded: bool = False
    _flavor: str = ""
    _route_name: str = ""
    _was_authorized: bool = False

    # never print request lines (they may carry query strings) or headers
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- plumbing ---------------------------------------------------------------------------
    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._record(status)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-request-id", "req_" + _random.token_hex(6))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def _error(self, status: int, message: str, *, param: str | None = None, code: str | None = None) -> None:
        self._status = status
        self._send(
            status, {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
        )

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _drop(self) -> None:
        self._record(None)
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True
        raise _DropConnection

    def _handle(self, method: str) -> None:
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        query = parse_qsl(split.query, keep_blank_values=True)
        self._status = None
        flavor, rest = _flavor(path)
        route, params = _route(method, rest) if flavor != "control" else ("control", {})
        authorized = self._authorized(flavor)
        self._recorded, self._flavor, self._route_name, self._was_authorized = False, flavor, route, authorized
        try:
            if flavor == "control":
                self._control(method, rest)
            elif route == "unknown":
                self._error(404, f"no route {method} {rest}")
            elif not authorized:
                # Worst case on purpose: the real service echoes (a masked form of) the key it was given;
                # the fake echoes it whole, so tests prove the launcher redacts provider messages.
                self._error(401, f"Incorrect API key provided: {self._given_key(flavor)}.", code="invalid_api_key")
            elif flavor == "azure" and not any(k == "api-version" and v for k, v in query):
                self._error(400, "Missing required query parameter api-version", param="api-version")
            else:
                self._dispatch(method, route, params, dict(query), query, flavor)
        except _DropConnection:
            self._status = None
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            self._record(self._status)

    def _record(self, status: int | None) -> None:
        """Record this request once, before its answer (or the dropped connection) reaches the client,
        so a test that saw the answer always finds the request counted."""
        if self._recorded or self._flavor == "control":
            return
        self._recorded = True
        state = self.server.state
        with state.lock:
            state.requests.append(
                RecordedRequest(
                    method=self.command,
                    path=self.path,
                    route=self._route_name,
                    flavor=self._flavor,
                    header_names=tuple(sorted(k.lower() for k in self.headers)),
                    authorized=self._was_authorized,
                    status=status,
                    at=time.time(),
                )
            )

    def _given_key(self, flavor: str) -> str:
        bearer = self.headers.get("Authorization", "")
        token = bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""
        return (self.headers.get("api-key") or "").strip() or token or "(none)"

    def _authorized(self, flavor: str) -> bool:
        expected = self.server.state.expected_key
        bearer = self.headers.get("Authorization", "")
        token = bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""
        api_key = (self.headers.get("api-key") or "").strip()
        if flavor == "openai":
            given = token
        elif flavor in ("azure", "azure_v1"):
            given = api_key or token
        else:
            return True
        if not given:
            return False
        return expected is None or given == expected

    def _control(self, method: str, rest: str) -> None:
        state = self.server.state
        if rest == "/health":
            self._send(200, {"status": "ok"})
        elif rest == "/requests":
            with state.lock:
                rows = [r.__dict__ for r in state.requests]
            self._send(200, {"data": rows})
        elif rest == "/faults" and method == "POST":
            spec = json.loads(self._read_body() or b"{}")
            state.faults.append(Fault(**spec))
            self._send(200, {"ok": True})
        elif rest == "/reset" and method == "POST":
            with state.lock:
                state.files.clear()
                state.jobs.clear()
                state.requests.clear()
                state.faults.clear()
            self._send(200, {"ok": True})
        else:
            self._send(404, {"error": {"message": "unknown control route"}})

    def _dispatch(
        self,
        method: str,
        route: str,
        params: dict[str, str],
        q: dict[str, str],
        query: list[tuple[str, str]],
        flavor: str,
    ) -> None:
        state = self.server.state
        fault = state.take_fault(route)
        if fault and fault.kind == "error_before":
            self._read_body()
            headers = {}
            if fault.retry_after is not None:
                headers["retry-after"] = str(fault.retry_after)
            self._status = fault.status
            self._send(
                fault.status,
                {"error": {"message": fault.message, "type": "fault", "param": None, "code": None}},
                headers,
            )
            return
        if fault and fault.kind == "drop_before":
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(max(1, length // 2))
            self._drop()

        status, body = self._work(method, route, params, q, query, flavor)

        if fault and fault.kind == "drop_after":
            self._drop()
        if fault and fault.kind == "delay_after":
            self._record(status)  # counted on arrival: the client may give up during the delay
            time.sleep(fault.delay_s)
        if fault and fault.kind == "error_after" and status < 400:
            status, body = (
                fault.status,
                {"error": {"message": fault.message, "type": "server_error", "param": None, "code": None}},
            )
        self._status = status
        self._send(status, body)

    # -- the API ----------------------------------------------------------------------------
    def _work(
        self,
        method: str,
        route: str,
        params: dict[str, str],
        q: dict[str, str],
        query: list[tuple[str, str]],
        flavor: str,
    ) -> tuple[int, Any]:
        state = self.server.state
        if route == "files.create":
            return self._create_file(flavor)
        self._read_body() if method == "GET" else None
        if route == "files.list":
            with state.lock:
                files = [state.file_view(f) for f in state.files.values() if f.flavor == flavor]
            if q.get("purpose"):
                files = [f for f in files if f["purpose"] == q["purpose"]]
            files.sort(key=lambda f: (f["created_at"], f["id"]), reverse=q.get("order", "desc") == "desc")
            return 200, _page(files, q)
        if route == "files.retrieve":
            with state.lock:
                f = state.files.get(params["id"])
                if f is None or f.flavor != flavor:
                    return 404, _err(f"No such File object: {params['id']}", "id")
                return 200, state.file_view(f)
        if route == "jobs.create":
            return self._create_job(flavor)
        if route == "jobs.list":
            wanted = {k[len("metadata[") : -1]: v for k, v in query if k.startswith("metadata[") and k.endswith("]")}
            want_null = any(k == "metadata" and v == "null" for k, v in query)
            with state.lock:
                jobs = [j for j in state.jobs.values() if j.flavor == flavor]
                jobs.sort(key=lambda j: (j.created_at, j.id), reverse=True)
                if wanted:
                    jobs = [j for j in jobs if j.metadata and all(j.metadata.get(k) == v for k, v in wanted.items())]
                elif want_null:
                    jobs = [j for j in jobs if not j.metadata]
                views = [state.job_view(j) for j in jobs]
            return 200, _page(views, q)
        with state.lock:
            job = state.jobs.get(params.get("id", ""))
            if job is None or job.flavor != flavor:
                return 404, _err(f"Could not find fine-tune: {params.get('id')}", "fine_tune_id")
            if route == "jobs.retrieve":
                return 200, state.job_view(job)
            if route == "jobs.events":
                return 200, _page(state.job_events(job), q)
            if route == "jobs.checkpoints":
                return 200, _page(state.job_checkpoints(job), q)
            if route == "jobs.cancel":
                status, _ = state.job_status(job)
                if status in ("succeeded", "failed", "cancelled"):
                    return 400, _err(f"Job {job.id} has already completed: {status}", None)
                job.cancelled_at = state.clock()
                return 200, state.job_view(job)
        return 404, _err("unknown route", None)  # pragma: no cover

    def _create_file(self, flavor: str) -> tuple[int, Any]:
        state = self.server.state
        ctype = self.headers.get("Content-Type", "")
        body = self._read_body()
        if not ctype.startswith("multipart/form-data"):
            return 400, _err("expected multipart/form-data", "file")
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body
        )
        fields: dict[str, tuple[str | None, bytes]] = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if isinstance(name, str) and isinstance(payload, bytes):
                fields[name] = (filename, payload)
        if "file" not in fields:
            return 400, _err("missing 'file'", "file")
        purpose = fields.get("purpose", (None, b""))[1].decode()
        if purpose not in ("fine-tune", "assistants", "batch", "vision", "user_data", "evals"):
            return 400, _err(f"invalid purpose {purpose!r}", "purpose")
        filename, data = fields["file"]
        if purpose == "fine-tune" and not (filename or "").endswith(".jsonl"):
            return 400, _err("fine-tune files must be .jsonl", "file")
        with state.lock:
            fid = "file-" + _random.token_hex(12)
            f = _File(fid, filename or "upload.jsonl", purpose, data, state.clock(), flavor)
            state.files[fid] = f
            return 200, state.file_view(f)

    def _create_job(self, flavor: str) -> tuple[int, Any]:
        state = self.server.state
        try:
            body = json.loads(self._read_body() or b"{}")
        except json.JSONDecodeError:
            return 400, _err("body is not JSON", None)
        model = body.get("model")
        training_file = body.get("training_file")
        if not model or not training_file:
            return 400, _err("model and training_file are required", "model" if not model else "training_file")
        suffix = body.get("suffix")
        limit = OPENAI_SUFFIX_MAX if flavor == "openai" else AZURE_SUFFIX_MAX
        if suffix is not None and len(suffix) > limit:
            return 400, _err(f"suffix must be at most {limit} characters", "suffix")
        metadata = body.get("metadata")
        if metadata is not None and (
            len(metadata) > 16 or any(len(k) > 64 or len(str(v)) > 512 for k, v in metadata.items())
        ):
            return 400, _err("metadata: at most 16 pairs, keys <= 64 and values <= 512 characters", "metadata")
        training_type = body.get("trainingType")
        if flavor != "openai" and training_type is not None and training_type not in state.azure_training_types:
            return 400, _err(
                f"Invalid value for trainingType: {training_type!r}; accepted: {', '.join(state.azure_training_types)}",
                "trainingType",
            )
        with state.lock:
            f = state.files.get(training_file)
            if f is None or f.flavor != flavor:
                return 400, _err(f"invalid training_file: {training_file}", "training_file")
            if state.file_view(f)["status"] != "processed":
                return 400, _err(f"File {training_file} is still being processed", "training_file")
            validation_file = body.get("validation_file")
            if validation_file is not None and validation_file not in state.files:
                return 400, _err(f"invalid validation_file: {validation_file}", "validation_file")
            method = body.get("method") or {"type": "supervised", "supervised": {}}
            if method.get("type") not in ("supervised", "dpo", "reinforcement"):
                return 400, _err("method.type must be supervised, dpo or reinforcement", "method")
            hyper = (method.get(method["type"]) or {}).get("hyperparameters") or body.get("hyperparameters") or {}
            n_examples = len(f.examples)
            epochs_param = hyper.get("n_epochs", "auto")
            n_epochs = _cookbook_epochs(n_examples) if epochs_param in (None, "auto") else int(epochs_param)
            per_epoch = sum(math.ceil(len(line) / 4) for line in f.examples)
            trained = state.trained_tokens_override or per_epoch * n_epochs
            fail = None
            if n_examples < MIN_EXAMPLES:
                fail = {
                    "code": "invalid_n_examples",
                    "message": f"Training file has {n_examples} example(s), but must have at least {MIN_EXAMPLES}",
                    "param": "training_file",
                }
            keep_meta = flavor == "openai" or state.azure_keeps_metadata
            job = _Job(
                id="ftjob-" + _random.token_hex(16),
                flavor=flavor,
                model=model,
                training_file=training_file,
                validation_file=validation_file,
                method=method,
                n_epochs=n_epochs,
                suffix=suffix,
                seed=int(body.get("seed") if body.get("seed") is not None else 42),
                metadata=dict(metadata) if (metadata and keep_meta) else None,
                training_type=training_type,
                created_at=state.clock(),
                trained_tokens_if_done=trained,
                fail=fail,
            )
            state.jobs[job.id] = job
            return 200, state.job_view(job)


def _err(message: str, param: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}}


def _page(items: list[dict[str, Any]], q: dict[str, str]) -> dict[str, Any]:
    after = q.get("after")
    if after:
        ids = [i["id"] for i in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    limit = int(q.get("limit") or 20)
    return {"object": "list", "data": items[:limit], "has_more": len(items) > limit}


def _flavor(path: str) -> tuple[str, str]:
    if path.startswith("/_fake"):
        return "control", path[len("/_fake") :]
    if path.startswith("/openai/v1/") or path == "/openai/v1":
        return "azure_v1", path[len("/openai/v1") :]
    if path.startswith("/openai/"):
        return "azure", path[len("/openai") :]
    if path.startswith("/v1/"):
        return "openai", path[len("/v1") :]
    return "openai", path


_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(r"^/files$"), "files.create"),
    ("GET", re.compile(r"^/files$"), "files.list"),
    ("GET", re.compile(r"^/files/(?P<id>[^/]+)$"), "files.retrieve"),
    ("POST", re.compile(r"^/fine_tuning/jobs$"), "jobs.create"),
    ("GET", re.compile(r"^/fine_tuning/jobs$"), "jobs.list"),
    ("GET", re.compile(r"^/fine_tuning/jobs/(?P<id>[^/]+)$"), "jobs.retrieve"),
    ("GET", re.compile(r"^/fine_tuning/jobs/(?P<id>[^/]+)/events$"), "jobs.events"),
    ("GET", re.compile(r"^/fine_tuning/jobs/(?P<id>[^/]+)/checkpoints$"), "jobs.checkpoints"),
    ("POST", re.compile(r"^/fine_tuning/jobs/(?P<id>[^/]+)/cancel$"), "jobs.cancel"),
)


def _route(method: str, rest: str) -> tuple[str, dict[str, str]]:
    for m, pattern, name in _ROUTES:
        match = pattern.match(rest)
        if m == method and match:
            return name, match.groupdict()
    return "unknown", {}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: _State


class FakeOpenAIServer:
    """The fake, startable in a thread: ``with FakeOpenAIServer() as fake: ... fake.openai_base_url``."""

    def __init__(
        self,
        *,
        port: int = 0,
        expected_key: str | None = None,
        clock: Callable[[], float] = time.time,
        validate_s: float = 0.0,
        queue_s: float = 0.0,
        run_s: float = 0.0,
        file_process_s: float = 0.0,
        trained_tokens_override: int | None = None,
        azure_keeps_metadata: bool = False,
        azure_training_types: tuple[str, ...] = AZURE_TRAINING_TYPES,
    ) -> None:
        self.state = _State(
            clock=clock,
            expected_key=expected_key,
            validate_s=validate_s,
            queue_s=queue_s,
            run_s=run_s,
            file_process_s=file_process_s,
            trained_tokens_override=trained_tokens_override,
            azure_keeps_metadata=azure_keeps_metadata,
            azure_training_types=azure_training_types,
        )
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.state = self.state
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> FakeOpenAIServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Root URL; also the Azure endpoint (``AzureOpenAI(azure_endpoint=fake.url)``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return self.url + "/v1"

    @property
    def azure_v1_base_url(self) -> str:
        return self.url + "/openai/v1/"

    # -- inspection and faults -----------------------------------------------------------------
    def add_fault(self, route: str, kind: str, **kwargs: Any) -> None:
        with self.state.lock:
            self.state.faults.append(Fault(route=route, kind=kind, **kwargs))

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.state.lock:
            return list(self.state.requests)

    def count(self, route: str, *, flavor: str | None = None) -> int:
        return sum(1 for r in self.requests if r.route == route and (flavor is None or r.flavor == flavor))

    def jobs(self, flavor: str | None = None) -> list[dict[str, Any]]:
        with self.state.lock:
            return [self.state.job_view(j) for j in self.state.jobs.values() if flavor is None or j.flavor == flavor]

    def files(self, flavor: str | None = None) -> list[dict[str, Any]]:
        with self.state.lock:
            return [self.state.file_view(f) for f in self.state.files.values() if flavor is None or f.flavor == flavor]

    def file_bytes(self, file_id: str) -> bytes:
        with self.state.lock:
            return self.state.files[file_id].data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fake OpenAI / Azure OpenAI fine-tuning API on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--validate-s", type=float, default=1.0)
    parser.add_argument("--queue-s", type=float, default=1.0)
    parser.add_argument("--run-s", type=float, default=3.0)
    parser.add_argument("--file-process-s", type=float, default=0.5)
    parser.add_argument("--trained-tokens", type=int, default=None)
    args = parser.parse_args(argv)
    server = FakeOpenAIServer(
        port=args.port,
        validate_s=args.validate_s,
        queue_s=args.queue_s,
        run_s=args.run_s,
        file_process_s=args.file_process_s,
        trained_tokens_override=args.trained_tokens,
    )
    print(f"fake OpenAI API on {server.url} (OpenAI base URL {server.openai_base_url})", flush=True)
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._httpd.server_close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
