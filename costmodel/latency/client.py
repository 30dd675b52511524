"""Streaming one chat completion through the openai SDK and recording when each chunk arrived.

This is an edge module: it talks to the network through an injected ``AsyncOpenAI`` /
``AsyncAzureOpenAI`` client and reads time from an injected clock (integer nanoseconds,
``time.perf_counter_ns`` by default). It turns what it sees into a
:class:`~costmodel.latency.metrics.RequestRecord`; the arithmetic lives in
:mod:`costmodel.latency.metrics`.

The request goes through the SDK (``with_streaming_response``: request building, auth, Azure
routing, HTTP errors as ``APIStatusError``); the body's SSE events are read here and decoded as
plain dicts, because the SDK's per-chunk model construction cost ~0.1-0.2 ms of CPU per event,
which at 32+ concurrent streams queues events in the client and inflates the measured times.

Chunk classification: a chunk is *content-bearing* when a
choice carries non-empty ``content``, ``reasoning_content``/``reasoning`` or ``tool_calls``.
Azure's ``choices: []`` filter event, the usage-only event, role-only and empty-content deltas
are not. ``choices[0]`` is never indexed blindly.

The API key is only handed to the SDK; it never appears in a record, an error text or a log:
error messages are passed through :func:`redact` with the key before they are stored.
"""

from __future__ import annotations

import asyncio
import codecs
import contextvars
import json
import math
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx2
import openai
from pydantic import BaseModel, ConfigDict, Field, model_validator

from costmodel._tls import tls_context
from costmodel.errors import CredentialError, InputError
from costmodel.latency.metrics import RequestRecord, TokensSource
from costmodel.validate import check_base_url, strip_credentials

__all__ = [
    "Clock",
    "EndpointConfig",
    "SSEParser",
    "Timeouts",
    "TokenCounter",
    "approx_token_counter",
    "classify_chunk",
    "make_client",
    "redact",
    "resolve_token_counter",
    "stream_chat",
    "usage_supported",
]

Clock = Callable[[], int]
"""A monotonic clock in integer nanoseconds (``time.perf_counter_ns``)."""

AZURE_USAGE_API_VERSION = "2024-09-01"  # stream_options arrived with 2024-09-01-preview (openai-python #1469)


class EndpointConfig(BaseModel):
    """Where to send requests. ``kind='openai'`` covers any OpenAI-compatible server via ``base_url``.

    No key in here: the key is passed separately so this can be stored with a run.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["openai", "azure"] = "openai"
    base_url: str | None = None  # None: the SDK's default (api.openai.com)
    azure_endpoint: str | None = None
    deployment: str | None = None
    api_version: str | None = None
    model: str = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> EndpointConfig:
        for name in ("base_url", "azure_endpoint"):
            value = getattr(self, name)
            if value is not None and not value.startswith(("http://", "https://")):
                raise ValueError(f"{name} '{strip_credentials(value)}' is not an http:// or https:// URL")
            if value is not None:
                try:  # one URL rule for bench, launch and the dashboard: host, port, no user:password@
                    check_base_url(value, field=name)
                except InputError as exc:
                    raise ValueError(exc.message + (f" ({exc.hint})" if exc.hint else "")) from None
        if self.kind == "azure":
            missing = [n for n in ("azure_endpoint", "deployment", "api_version") if not getattr(self, n)]
            if missing:
                raise ValueError("an Azure endpoint needs " + ", ".join("--" + m.replace("_", "-") for m in missing))
        elif self.azure_endpoint or self.deployment:
            raise ValueError("azure_endpoint/deployment given but kind is 'openai'; set kind='azure'")
        return self

    @property
    def url(self) -> str:
        """The address requests go to (no key, no query string)."""
        if self.kind == "azure":
            return f"{str(self.azure_endpoint).rstrip('/')}/openai/deployments/{self.deployment}"
        return self.base_url or "https://api.openai.com/v1"


class Timeouts(BaseModel):
    """Seconds. ``read_s`` bounds each wait between bytes (first token included); ``total_s`` a whole request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connect_s: float = Field(10.0, gt=0)
    read_s: float = Field(60.0, gt=0)
    total_s: float = Field(300.0, gt=0)


def usage_supported(endpoint: EndpointConfig) -> bool:
    """Whether ``stream_options.include_usage`` may be sent (old Azure API versions reject it)."""
    if endpoint.kind != "azure":
        return True
    return str(endpoint.api_version)[:10] >= AZURE_USAGE_API_VERSION


# The request being sent by this task. t0 must be the moment the request bytes are written: the
# httpx2 request hook runs after the SDK built the request, but before the connection pool and,
# with many tasks starting at once, before the other tasks' request building; so the hook
# installs an httpcore2 "trace" callback whose "send_request_headers.started" event comes right
# before the socket write. t0 then excludes client-side queueing, which is recorded apart
# (t_call_ns .. t0_ns).
_SENDING: contextvars.ContextVar[_Recorder | None] = contextvars.ContextVar("costmodel_latency_sending", default=None)


async def _trace(name: str, info: Mapping[str, Any]) -> None:
    rec = _SENDING.get()
    if rec is None:
        return
    if name.endswith("send_request_headers.started"):
        rec.t_sent_ns = rec.clock()  # the last one wins (a redirect sends again)
    elif name.endswith("receive_response_headers.complete"):
        rec.t_headers_ns = rec.clock()


async def _stamp_send(request: httpx2.Request) -> None:
    rec = _SENDING.get()
    if rec is not None:
        rec.t_sent_ns = rec.clock()  # replaced by the trace event when the transport supports it
        request.extensions.setdefault("trace", _trace)


async def _stamp_response(response: httpx2.Response) -> None:
    rec = _SENDING.get()
    if rec is not None and rec.t_headers_ns is None:
        rec.t_headers_ns = rec.clock()


def make_client(
    endpoint: EndpointConfig,
    api_key: str,
    *,
    timeouts: Timeouts | None = None,
    max_connections: int = 100,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> openai.AsyncOpenAI:
    """One shared async client with a connection pool sized for the benchmark and no retries.

    ``transport`` replaces the network (tests pass ``httpx2.MockTransport``).
    """
    t = timeouts or Timeouts()
    http = httpx2.AsyncClient(
        timeout=httpx2.Timeout(connect=t.connect_s, read=t.read_s, write=t.connect_s, pool=t.total_s),
        limits=httpx2.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        follow_redirects=True,
        verify=tls_context(),
        event_hooks={"request": [_stamp_send], "response": [_stamp_response]},
        transport=transport,
    )
    if endpoint.kind == "azure":
        return openai.AsyncAzureOpenAI(
            azure_endpoint=str(endpoint.azure_endpoint),
            azure_deployment=endpoint.deployment,
            api_version=endpoint.api_version,
            api_key=api_key,
            max_retries=0,
            http_client=http,
        )
    return openai.AsyncOpenAI(base_url=endpoint.base_url, api_key=api_key, max_retries=0, http_client=http)


_KEY_LIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-*]{2,}|[A-Fa-f0-9]{32})\b")


def redact(text: str, secrets: Sequence[str]) -> str:
    """Replace every secret (and its last-8-characters tail) in ``text`` with ``***``, and anything
    shaped like a key (``sk-...``, providers echo a masked key with its last characters; 32 hex
    digits, Azure's key format) with ``sk-***`` / ``***``.

    >>> redact("Incorrect API key provided: sk-proj-****abcd.", [])
    'Incorrect API key provided: sk-***.'
    """
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
            if len(secret) > 12:
                text = text.replace(secret[-8:], "***")
    text = _KEY_LIKE.sub(lambda m: "sk-***" if m.group(0).startswith("sk-") else "***", text)
    from costmodel.secrets import redact as redact_everywhere  # the project-wide key and token shapes

    return redact_everywhere(text)


@dataclass
class TokenCounter:
    """Counts output tokens from streamed text when the server sent no usage; always an estimate."""

    count: Callable[[str], int]
    source: TokensSource
    name: str


def approx_token_counter() -> TokenCounter:
    """ceil(characters / 4): OpenAI's rule of thumb for English; used only when no tokenizer loads."""
    return TokenCounter(lambda text: math.ceil(len(text) / 4), TokensSource.APPROX_CHARS, "chars/4")


class _LazyTiktoken(TokenCounter):
    """Loads the encoding (:func:`costmodel.dataset.tokens.get_encoding`, offline) on first use (most servers
    send usage, so usually never); if it cannot load, it becomes the labelled chars/4 estimate."""

    def __init__(self, encoding: str) -> None:
        super().__init__(self._count, TokensSource.TOKENIZER, encoding)
        self._enc: Any = None

    def _count(self, text: str) -> int:
        if self._enc is None and self.source is TokensSource.TOKENIZER:
            try:
                from costmodel.dataset.tokens import get_encoding  # the bundled vocabulary: works offline

                self._enc = get_encoding(self.name)
            except Exception:  # an unknown encoding or an unreadable vocabulary: labelled approx_chars
                self.source, self.name = TokensSource.APPROX_CHARS, "chars/4"
        if self._enc is None:
            return math.ceil(len(text) / 4)
        return len(self._enc.encode_ordinary(text))


def resolve_token_counter(encoding: str = "o200k_base") -> TokenCounter:
    """A tokenizer counter for ``encoding`` (loaded when first needed), or the labelled chars/4
    estimate when the vocabulary cannot be loaded."""
    return _LazyTiktoken(encoding)


class SSEParser:
    r"""Incremental Server-Sent Events parser: feed bytes as they arrive, get each event's data.

    Follows the SSE rules that matter here: lines end in LF, CRLF or CR; a blank line ends an
    event; ``data:`` lines are joined with LF (one leading space dropped); comment lines (``:``,
    pings) and other fields are ignored; an incomplete event waits in the buffer.

    >>> p = SSEParser()
    >>> p.feed(b'data: {"a": 1}\n\n: ping\n\ndata: [DO')
    ['{"a": 1}']
    >>> p.feed(b'NE]\r\n\r\n')
    ['[DONE]']
    """

    def __init__(self) -> None:
        self._buf = ""
        self._data: list[str] = []
        self._pending_cr = False
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # UTF-8 split across reads

    def feed(self, data: bytes) -> list[str]:
        text = self._decoder.decode(data)
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]
        self._pending_cr = text.endswith("\r")
        self._buf += text.replace("\r\n", "\n").replace("\r", "\n")
        out: list[str] = []
        *lines, self._buf = self._buf.split("\n")
        for line in lines:
            if not line:
                if self._data:
                    out.append("\n".join(self._data))
                    self._data = []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            if name == "data":
                self._data.append(value[1:] if value.startswith(" ") else value)
        return out


@dataclass(frozen=True, slots=True)
class ChunkInfo:
    content_bearing: bool
    answer_text: str  # visible content
    other_text: str  # reasoning / tool-call text (counted for tokens, not for t_answer)
    finish_reason: str | None
    usage: Mapping[str, Any] | None


def classify_chunk(chunk: Mapping[str, Any]) -> ChunkInfo:
    """Classify one decoded ``chat.completion.chunk`` event (a dict).

    >>> classify_chunk({"choices": [], "prompt_filter_results": []}).content_bearing
    False
    >>> classify_chunk({"choices": [{"delta": {"role": "assistant", "content": ""}}]}).content_bearing
    False
    >>> classify_chunk({"choices": [{"delta": {"content": "Hi"}}]}).answer_text
    'Hi'
    """
    answer: list[str] = []
    other: list[str] = []
    finish: str | None = None
    bearing = False
    choices = chunk.get("choices")
    for choice in choices if isinstance(choices, list) else ():
        if not isinstance(choice, Mapping):
            continue
        finish = choice.get("finish_reason") or finish
        delta = choice.get("delta")
        if not isinstance(delta, Mapping):
            continue
        content = delta.get("content")
        if isinstance(content, str) and content:
            answer.append(content)
            bearing = True
        for key in ("reasoning_content", "reasoning"):
            value = delta.get(key)
            if isinstance(value, str) and value:
                other.append(value)
                bearing = True
        calls = delta.get("tool_calls") or ([delta["function_call"]] if delta.get("function_call") else [])
        if calls:
            bearing = True
            for call in calls:
                fn = call.get("function", call) if isinstance(call, Mapping) else None
                if isinstance(fn, Mapping):
                    other.append(str(fn.get("name") or "") + str(fn.get("arguments") or ""))
    usage = chunk.get("usage")
    return ChunkInfo(bearing, "".join(answer), "".join(other), finish, usage if isinstance(usage, Mapping) else None)


@dataclass
class _Recorder:
    seq: int
    warmup: bool
    t_sched_ns: int | None
    t_call_ns: int
    clock: Clock
    t_sent_ns: int | None = None
    t_headers_ns: int | None = None
    t_any_ns: int | None = None
    t_first_ns: int | None = None
    t_answer_ns: int | None = None
    t_last_ns: int | None = None
    t_close_ns: int | None = None
    times: list[int] = field(default_factory=list)
    chunks: int = 0
    texts: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Mapping[str, Any] | None = None
    http_status: int | None = None
    error: str | None = None


async def stream_chat(
    client: openai.AsyncOpenAI,
    *,
    model: str,
    messages: Sequence[Mapping[str, Any]],
    max_tokens: int,
    seq: int = 0,
    warmup: bool = False,
    t_sched_ns: int | None = None,
    clock: Clock = time.perf_counter_ns,
    include_usage: bool = True,
    max_tokens_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens",
    extra_body: Mapping[str, Any] | None = None,
    total_timeout_s: float | None = None,
    token_counter: TokenCounter | None = None,
    secrets: Sequence[str] = (),
    on_chunk: Callable[[Any, int], None] | None = None,
) -> RequestRecord:
    """Send one streamed chat completion and record its timeline. Never raises for a failed request:
    failures are recorded (``error``, ``http_status``) so they are stored and counted.

    ``on_chunk(chunk, now_ns)`` sees every chunk as it arrives (diagnostics; keep it cheap).
    """
    kwargs: dict[str, Any] = {max_tokens_param: max_tokens}
    if include_usage:
        kwargs["stream_options"] = {"include_usage": True}
    if extra_body:
        kwargs["extra_body"] = dict(extra_body)
    rec = _Recorder(seq=seq, warmup=warmup, t_sched_ns=t_sched_ns, t_call_ns=clock(), clock=clock)
    sending = _SENDING.set(rec)
    try:
        async with (
            asyncio.timeout(total_timeout_s),
            client.chat.completions.with_streaming_response.create(
                model=model,
                messages=list(messages),  # type: ignore[arg-type]
                stream=True,
                **kwargs,
            ) as response,
        ):
            if rec.t_headers_ns is None:  # a client without make_client's hooks
                rec.t_headers_ns = clock()
            rec.http_status = response.status_code
            await _consume(response.http_response.aiter_bytes(), rec, clock, on_chunk)
            if rec.t_close_ns is None:  # closed without [DONE]
                rec.t_close_ns = clock()
    except openai.APIStatusError as exc:
        rec.http_status = exc.status_code
        rec.error = f"HTTP {exc.status_code}: {exc.message}"
    except openai.APITimeoutError:
        rec.error = "read or connect timeout (no bytes within the read timeout)"
    except TimeoutError:
        rec.error = f"total timeout of {total_timeout_s} s exceeded"
    except openai.APIConnectionError as exc:
        cause = exc.__cause__
        rec.error = f"connection error: {type(cause).__name__ if cause else ''} {cause or exc}".strip()
    except openai.OpenAIError as exc:
        rec.error = f"{type(exc).__name__}: {exc}"
    except httpx2.TimeoutException:
        rec.error = "read timeout (no bytes within the read timeout)"
    except httpx2.TransportError as exc:  # the connection broke mid-stream
        rec.error = f"connection error: {type(exc).__name__} {exc}".strip()
    except (httpx2.HTTPError, ValueError) as exc:  # e.g. a malformed event
        rec.error = f"{type(exc).__name__}: {exc}"
    finally:
        _SENDING.reset(sending)
    if rec.error is not None:
        rec.t_close_ns = clock()
        rec.error = redact(rec.error, secrets)[:1000]
    return _finish(rec, token_counter, max_tokens)


async def _consume(
    body: AsyncIterator[bytes], rec: _Recorder, clock: Clock, on_chunk: Callable[[Any, int], None] | None
) -> None:
    """Read the SSE body. Events that arrive in one read share its timestamp (they arrived together).

    After ``[DONE]`` the rest of the body is still read (normally just the chunked-encoding
    terminator): a response closed unread makes the pool drop the connection, and a new TCP
    connection per request would land in the next TTFT.
    """
    parser = SSEParser()
    done = False
    async for data in body:
        if done:
            continue
        now = clock()
        for payload in parser.feed(data):
            if payload.startswith("[DONE]"):
                rec.t_close_ns = now
                done = True
                break
            chunk = json.loads(payload)
            if not isinstance(chunk, dict):
                continue
            rec.chunks += 1
            if rec.t_any_ns is None:
                rec.t_any_ns = now
            if on_chunk is not None:
                on_chunk(chunk, now)
            if chunk.get("error"):
                err = chunk["error"]
                message = err.get("message") if isinstance(err, Mapping) else err
                rec.error = f"error event in the stream: {message}"
                return
            info = classify_chunk(chunk)
            if info.content_bearing:
                if rec.t_first_ns is None:
                    rec.t_first_ns = now
                rec.t_last_ns = now
                rec.times.append(now)
                rec.texts.append(info.answer_text + info.other_text)
            if info.answer_text and rec.t_answer_ns is None:
                rec.t_answer_ns = now
            if info.finish_reason:
                rec.finish_reason = info.finish_reason
            if info.usage is not None:
                rec.usage = info.usage


def _finish(rec: _Recorder, counter: TokenCounter | None, max_tokens: int | None) -> RequestRecord:
    output_tokens: int | None = None
    reasoning: int | None = None
    prompt_tokens: int | None = None
    source = TokensSource.NONE
    usage = rec.usage
    if usage is not None and isinstance(usage.get("completion_tokens"), int):
        output_tokens = int(usage["completion_tokens"])
        prompt = usage.get("prompt_tokens")
        prompt_tokens = prompt if isinstance(prompt, int) else None
        details = usage.get("completion_tokens_details")
        found = details.get("reasoning_tokens") if isinstance(details, Mapping) else None
        reasoning = found if isinstance(found, int) else None
        source = TokensSource.USAGE
    elif rec.finish_reason == "length" and max_tokens is not None and rec.error is None:
        output_tokens = max_tokens  # the server stopped at the cap it was sent: exact without usage
        source = TokensSource.LENGTH_CAP
    elif rec.texts:
        counter = counter or approx_token_counter()
        output_tokens = counter.count("".join(rec.texts))
        source = counter.source  # read after counting: a lazy counter may have fallen back
    return RequestRecord(
        seq=rec.seq,
        warmup=rec.warmup,
        t_call_ns=rec.t_call_ns,
        t0_ns=rec.t_sent_ns if rec.t_sent_ns is not None else rec.t_call_ns,
        t_sched_ns=rec.t_sched_ns,
        t_headers_ns=rec.t_headers_ns,
        t_any_ns=rec.t_any_ns,
        t_first_ns=rec.t_first_ns,
        t_answer_ns=rec.t_answer_ns,
        t_last_ns=rec.t_last_ns,
        t_close_ns=rec.t_close_ns,
        content_times_ns=tuple(rec.times),
        chunks=rec.chunks,
        output_tokens=output_tokens,
        reasoning_tokens=reasoning,
        prompt_tokens=prompt_tokens,
        tokens_source=source,
        http_status=rec.http_status,
        finish_reason=rec.finish_reason,
        error=rec.error,
    )


def missing_key_error(env_name: str) -> CredentialError:
    """A missing key is the user's to fix: an input error (CLI exit code 2)."""
    return CredentialError(
        f"no API key: environment variable {env_name} is not set",
        field="api_key",
        hint=f"export {env_name}=... (or pass --api-key-env NAME); for a local server any value works",
    )
