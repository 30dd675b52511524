"""The fake fine-tuning API's HTTP side: routes, authentication, faults, and the OpenAI/Azure dialects.

Three prefixes map to three dialects (``/v1`` OpenAI, ``/openai`` Azure versioned, ``/openai/v1``
Azure v1); :func:`route_of` names the route a request hits (``files.create``, ``jobs.list``...),
which is what faults target and what the recorded requests count. The handler never logs a
request line or a header value.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import secrets as _random
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from costmodel.testing.fake_openai_state import (
    AZURE_SUFFIX_MAX,
    MIN_EXAMPLES,
    OPENAI_SUFFIX_MAX,
    FakeFile,
    FakeJob,
    FakeState,
    Fault,
    RecordedRequest,
    cookbook_epochs,
)
from costmodel.testing.multipart import parse_form_data

__all__ = ["FakeHTTPServer", "FakeRequestHandler", "route_of", "split_flavor"]


class _DropConnection(Exception):
    pass


class FakeRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeHTTPServer
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
        flavor, rest = split_flavor(path)
        route, params = route_of(method, rest) if flavor != "control" else ("control", {})
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
        fields = parse_form_data(ctype, body)
        if fields is None:
            return 400, _err("malformed multipart/form-data body", "file")
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
            f = FakeFile(fid, filename or "upload.jsonl", purpose, data, state.clock(), flavor)
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
            n_epochs = cookbook_epochs(n_examples) if epochs_param in (None, "auto") else int(epochs_param)
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
            job = FakeJob(
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


def split_flavor(path: str) -> tuple[str, str]:
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


def route_of(method: str, rest: str) -> tuple[str, dict[str, str]]:
    for m, pattern, name in _ROUTES:
        match = pattern.match(rest)
        if m == method and match:
            return name, match.groupdict()
    return "unknown", {}


class FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: FakeState
