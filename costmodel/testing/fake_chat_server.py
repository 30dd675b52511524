"""A local OpenAI-compatible chat server with controllable streaming timing, for tests and demos.

It speaks ``POST /v1/chat/completions`` (OpenAI style, any ``--base-url``), the Azure route
``POST /openai/deployments/{deployment}/chat/completions?api-version=...`` and ``GET /v1/models``,
on 127.0.0.1 only. Every delay is known, so a benchmark's measured TTFT and TPOT can be checked
against the truth.

Timing of one streamed response (``t`` = the moment the request body was read)::

    t                     Azure filter event (choices: []), ping comment, role-only event,
                          empty-content event (each only when switched on)
    t + ttft              first content event
    t + ttft + j*k*itl    content event j (k = tokens_per_chunk tokens each)
    after the last        event with finish_reason, usage event (choices: []) if asked, [DONE]

With a capacity limit (``max_streams`` = N), at most N chat requests are served at once; the
others wait in a FIFO queue, and ``t`` is the moment a request got its slot (the client's TTFT then
includes the queueing). One request holds its slot for ``ttft + (n - 1) * itl`` (n content events),
so the server saturates at ``N / (ttft + (n - 1) * itl)`` requests per second.

The role-only event is sent *before* the TTFT delay by default: a client that starts TTFT at the
first event of any kind measures ~0 ms here, which is the trap this server exists to catch.

Run it in a thread (:class:`FakeChatServer`) or as a process::

    python -m costmodel.testing.fake_chat_server --port 8055 --ttft-ms 200 --itl-ms 20

(:func:`start_subprocess_server` does that and returns the URL; a separate process keeps the
server's threads off the client's GIL, which matters for timing accuracy at high concurrency.)
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FakeChatServer", "ServerKnobs", "start_subprocess_server"]

_WORDS = (" lorem", " ipsum", " dolor", " sit", " amet", " consectetur", " adipiscing", " elit")


class ServerKnobs(BaseModel):
    """How the fake server behaves. Counters (``*_every``) count requests from 1 across the server."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ttft_ms: float = Field(50.0, ge=0, description="delay from request to first content event")
    itl_ms: float = Field(10.0, ge=0, description="delay per output token between content events")
    tokens_per_chunk: int = Field(1, ge=1, description="tokens carried by each content event")
    output_tokens: int | None = Field(None, ge=1, description="tokens to emit (default: the request's max_tokens)")
    default_max_tokens: int = Field(16, ge=1, description="tokens when the request sets no max_tokens")
    role_chunk: Literal["before", "with_first", "none"] = Field(
        "before", description="role-only event before the TTFT delay, merged into the first content event, or none"
    )
    azure_filter_chunk: bool = Field(False, description="send Azure's choices: [] prompt_filter_results event first")
    empty_chunk: bool = Field(False, description="send an empty-content event before the TTFT delay")
    ping: bool = Field(False, description="send an SSE comment ': ping' before the TTFT delay")
    usage: Literal["auto", "never"] = Field("auto", description="honour stream_options.include_usage, or never")
    burst: bool = Field(False, description="hold every content event and send them all at the end")
    stall_ms: float = Field(0.0, ge=0, description="one extra pause half-way through the content")
    fail_mid_stream_every: int = Field(0, ge=0, description="every Nth request: drop the connection half-way")
    no_finish_every: int = Field(0, ge=0, description="every Nth request: end with [DONE] but no finish_reason")
    http_error_every: int = Field(0, ge=0, description="every Nth request: answer with http_error_status")
    http_error_status: int = Field(500, ge=400, le=599)
    max_streams: int = Field(
        0,
        ge=0,
        description="capacity: at most this many chat requests served at once, the rest queue FIFO (0: no limit)",
    )


def _chunk(model: str, delta: dict[str, Any] | None, finish: str | None = None) -> dict[str, Any]:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": choices,
        "usage": None,
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # 64+ clients connect at once; the default backlog of 5 drops SYNs
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], knobs: ServerKnobs) -> None:
        super().__init__(address, _Handler)
        self.knobs = knobs
        self.counter = 0
        self.lock = threading.Lock()
        self.slots = _FifoSlots(knobs.max_streams) if knobs.max_streams else None

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            return  # the client went away (a timeout or a cancelled benchmark): not the server's problem
        super().handle_error(request, client_address)

    def next_number(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter


class _FifoSlots:
    """A counting semaphore that hands free slots out in arrival order (threading.Semaphore does not)."""

    def __init__(self, n: int) -> None:
        self._free = n
        self._waiting: list[threading.Event] = []
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return
            ticket = threading.Event()
            self._waiting.append(ticket)
        ticket.wait()  # release() handed its slot straight to this ticket

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.pop(0).set()
            else:
                self._free += 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # each SSE event leaves at once
    server: _Server
    t_arrival: float = 0.0
    t_arrival_ns: int = 0

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def parse_request(self) -> bool:
        # The request line has just been read: this is when the request "arrived". TTFT and the
        # token schedule count from here, so header and body parsing are inside the injected delay.
        self.t_arrival_ns = time.perf_counter_ns()
        self.t_arrival = self.t_arrival_ns / 1e9
        return super().parse_request()

    # -- plumbing ---------------------------------------------------------------------------
    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _event(self, payload: dict[str, Any] | str) -> bytes:
        text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
        return f"data: {text}\n\n".encode()

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            self._send_json(
                200, {"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": "me"}]}
            )
        else:
            self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        slots = self.server.slots
        if slots is None:
            self._post(raw, self.t_arrival)
            return
        slots.acquire()
        try:
            self._post(raw, time.perf_counter())  # the schedule starts when the request got its slot
        finally:
            slots.release()

    def _post(self, raw: bytes, t_start: float) -> None:
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        deployment: str | None = None
        if (
            len(parts) == 5
            and parts[0] == "openai"
            and parts[1] == "deployments"
            and parts[3:] == ["chat", "completions"]
        ):
            deployment = parts[2]
        elif url.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._send_json(404, {"error": {"message": f"no route {url.path}", "type": "not_found"}})
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send_json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
            return
        knobs = self.server.knobs
        number = self.server.next_number()
        if knobs.http_error_every and number % knobs.http_error_every == 0:
            status = knobs.http_error_status
            self._send_json(
                status, {"error": {"message": f"injected HTTP {status} (request {number})", "type": "server_error"}}
            )
            return
        model = deployment or str(body.get("model") or "fake-model")
        max_tokens = body.get("max_completion_tokens") or body.get("max_tokens") or knobs.default_max_tokens
        n_tokens = min(int(max_tokens), knobs.output_tokens) if knobs.output_tokens else int(max_tokens)
        finish = "length" if n_tokens >= int(max_tokens) else "stop"
        words = [_WORDS[i % len(_WORDS)] for i in range(n_tokens)]
        k = knobs.tokens_per_chunk
        pieces = ["".join(words[i : i + k]) for i in range(0, n_tokens, k)]
        if not body.get("stream"):
            time.sleep(max(0.0, knobs.ttft_ms / 1000 + (n_tokens - 1) * knobs.itl_ms / 1000))
            self._send_json(
                200,
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": 0,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "".join(pieces)},
                            "finish_reason": finish,
                        }
                    ],
                    "usage": {"prompt_tokens": 10, "completion_tokens": n_tokens, "total_tokens": 10 + n_tokens},
                },
            )
            return
        include_usage = knobs.usage == "auto" and bool((body.get("stream_options") or {}).get("include_usage"))
        self._stream(
            model=model,
            pieces=pieces,
            finish=None if knobs.no_finish_every and number % knobs.no_finish_every == 0 else finish,
            fail=bool(knobs.fail_mid_stream_every and number % knobs.fail_mid_stream_every == 0),
            include_usage=include_usage,
            n_tokens=n_tokens,
            t_start=t_start,
        )

    def _stream(
        self,
        *,
        model: str,
        pieces: list[str],
        finish: str | None,
        fail: bool,
        include_usage: bool,
        n_tokens: int,
        t_start: float,
    ) -> None:
        knobs = self.server.knobs
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        # perf_counter is CLOCK_MONOTONIC on Linux, shared by every process: a client on the same
        # machine can split its measured TTFT into send path, injected delay and receive path.
        self.send_header("X-Fake-Arrival-Ns", str(self.t_arrival_ns))
        self.end_headers()
        pre = b""
        if knobs.azure_filter_chunk:
            filt = _chunk("", None)
            filt["prompt_filter_results"] = [{"prompt_index": 0, "content_filter_results": {}}]
            pre += self._event(filt)
        if knobs.ping:
            pre += b": ping\n\n"
        if knobs.role_chunk == "before":
            pre += self._event(_chunk(model, {"role": "assistant", "content": ""}))
        if knobs.empty_chunk:
            pre += self._event(_chunk(model, {"content": ""}))
        if pre:
            self._write_chunk(pre)
        ttft = knobs.ttft_ms / 1000
        step = knobs.tokens_per_chunk * knobs.itl_ms / 1000
        half = len(pieces) // 2
        held = b""
        for j, piece in enumerate(pieces):
            due = t_start + ttft + j * step + (knobs.stall_ms / 1000 if knobs.stall_ms and j >= max(half, 1) else 0.0)
            if fail and j == max(half, 1):
                self._die()
                return
            delta: dict[str, Any] = {"content": piece}
            if j == 0 and knobs.role_chunk == "with_first":
                delta["role"] = "assistant"
            if knobs.burst:
                held += self._event(_chunk(model, delta))
                continue
            _sleep_until(due)
            payload = _chunk(model, delta)
            # diagnostics for a client on this machine (CLOCK_MONOTONIC is shared by processes):
            # when the request arrived and when this event left, in perf_counter_ns
            payload["x_fake_arrival_ns"] = self.t_arrival_ns
            payload["x_fake_sent_ns"] = time.perf_counter_ns()
            self._write_chunk(self._event(payload))
        if fail:  # fewer than two pieces: fail after all content
            _sleep_until(t_start + ttft + len(pieces) * step)
            self._die()
            return
        tail = held
        tail += self._event(_chunk(model, {}, finish)) if finish else b""
        if include_usage:
            usage = _chunk(model, None)
            usage["usage"] = {"prompt_tokens": 10, "completion_tokens": n_tokens, "total_tokens": 10 + n_tokens}
            tail += self._event(usage)
        tail += self._event("[DONE]")
        if knobs.burst:
            _sleep_until(t_start + ttft + (len(pieces) - 1) * step)
        self._write_chunk(tail)
        self.wfile.write(b"0\r\n\r\n")

    def _die(self) -> None:
        """Drop the connection in the middle of a chunked body (what a crashed upstream looks like)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)


def _sleep_until(deadline: float) -> None:
    delay = deadline - time.perf_counter()
    if delay > 0:
        time.sleep(delay)


class FakeChatServer:
    """The fake server in a background thread of this process::

    with FakeChatServer(ServerKnobs(ttft_ms=100)) as srv:
        OpenAI(base_url=srv.base_url, api_key="x")
    """

    def __init__(self, knobs: ServerKnobs | None = None, *, port: int = 0) -> None:
        self._server = _Server(("127.0.0.1", port), knobs or ServerKnobs())
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="fake-chat-server", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def azure_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests_seen(self) -> int:
        return self._server.counter

    def start(self) -> FakeChatServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeChatServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _knob_args(knobs: ServerKnobs) -> list[str]:
    args: list[str] = []
    for name, value in knobs.model_dump().items():
        if value is None:
            continue
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            args.append(flag if value else f"--no-{name.replace('_', '-')}")
        else:
            args += [flag, str(value)]
    return args


@contextlib.contextmanager
def start_subprocess_server(knobs: ServerKnobs | None = None, *, timeout_s: float = 20.0) -> Iterator[str]:
    """Run the server in a child process on a free port; yields its OpenAI base URL (``.../v1``)."""
    cmd = [
        sys.executable,
        "-m",
        "costmodel.testing.fake_chat_server",
        "--port",
        "0",
        *_knob_args(knobs or ServerKnobs()),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout_s
        line = ""
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("listening "):
                break
            if proc.poll() is not None:
                raise RuntimeError(f"fake chat server exited with code {proc.returncode}")
        if not line.startswith("listening "):
            raise RuntimeError("fake chat server did not start")
        yield line.split()[1].strip() + "/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m costmodel.testing.fake_chat_server", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--port", type=int, default=8055, help="port on 127.0.0.1 (0: any free port)")
    for name, field in ServerKnobs.model_fields.items():
        flag = "--" + name.replace("_", "-")
        if field.annotation is bool:
            parser.add_argument(
                flag, dest=name, action=argparse.BooleanOptionalAction, default=None, help=field.description
            )
        else:
            parser.add_argument(flag, dest=name, default=None, help=field.description)
    ns = parser.parse_args(argv)
    given = {k: v for k, v in vars(ns).items() if k != "port" and v is not None}
    knobs = ServerKnobs.model_validate(given)
    # Many sleeping threads wake at once under load; a short GIL switch interval keeps each one's
    # write close to its deadline (the default 5 ms lets one thread delay the others).
    sys.setswitchinterval(0.0005)
    server = _Server(("127.0.0.1", ns.port), knobs)
    gc.collect()
    gc.freeze()  # full collections would pause every stream at once for tens of milliseconds
    print(f"listening http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
