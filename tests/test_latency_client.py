"""The streaming client through the real openai SDK: a scripted transport with a fake clock gives
exact values; the fake chat server checks every stream shape it can produce."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

from costmodel.latency.client import EndpointConfig, TokenCounter, make_client, redact, stream_chat
from costmodel.latency.metrics import Outcome, TokensSource, request_metrics
from costmodel.testing import FakeChatServer, ServerKnobs

MS = 1_000_000
KEY = "sk-test-0123456789abcdefSECRET"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: float) -> None:
        self.now += round(ms * MS)


def event(obj: dict[str, Any] | str) -> bytes:
    return f"data: {obj if isinstance(obj, str) else json.dumps(obj)}\n\n".encode()


def chunk(delta: dict[str, Any] | None, finish: str | None = None, **extra: Any) -> dict[str, Any]:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m", "choices": choices, **extra}


def scripted(clock: FakeClock, script: list[tuple[float, bytes]], *, status: int = 200) -> httpx2.MockTransport:
    """Each (ms, bytes): advance the clock by ms, then deliver the bytes."""

    async def body() -> AsyncIterator[bytes]:
        for ms, data in script:
            clock.advance(ms)
            yield data

    async def handler(request: httpx2.Request) -> httpx2.Response:
        clock.advance(5)  # the server takes 5 ms to answer with headers
        return httpx2.Response(status, headers={"content-type": "text/event-stream"}, content=body())

    return httpx2.MockTransport(handler)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _one(transport: httpx2.AsyncBaseTransport, clock: FakeClock, **kw: Any) -> Any:
    client = make_client(EndpointConfig(base_url="http://127.0.0.1:9/v1", model="m"), KEY, transport=transport)
    try:
        return await stream_chat(
            client,
            model="m",
            messages=[{"role": "user", "content": "hi"}],
            max_tokens=3,
            clock=clock,
            secrets=(KEY,),
            **kw,
        )
    finally:
        await client.close()


def test_exact_timeline_with_azure_filter_role_empty_and_usage_events() -> None:
    clock = FakeClock()
    script = [
        (0, event(chunk(None, prompt_filter_results=[{"prompt_index": 0}]))),  # Azure: choices []
        (1, event(chunk({"role": "assistant", "content": ""}))),  # role-only
        (1, event(chunk({"content": ""}))),  # empty content
        (1, b": ping\n\n"),  # SSE comment
        (100, event(chunk({"content": "Hello"}))),  # first content at 5+1+1+1+100 = 108 ms
        (20, event(chunk({"content": " big"}))),  # 128
        (20, event(chunk({"content": " world"}))),  # 148
        (1, event(chunk({}, "length"))),  # finish_reason at 149
        (1, event(chunk(None, usage={"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12}))),  # 150
        (1, event("[DONE]")),
    ]
    rec = run(_one(scripted(clock, script), clock))
    assert rec.t_call_ns == 0 and rec.t0_ns == 0
    assert rec.t_headers_ns == 5 * MS
    assert rec.t_any_ns == 5 * MS  # the filter event is the first chunk of any kind
    assert rec.t_first_ns == 108 * MS
    assert rec.t_last_ns == 148 * MS
    assert rec.content_times_ns == (108 * MS, 128 * MS, 148 * MS)
    assert rec.output_tokens == 3 and rec.tokens_source is TokensSource.USAGE
    assert rec.finish_reason == "length" and rec.http_status == 200 and rec.error is None
    m = request_metrics(rec)
    assert (m.ttft_ms, m.ttfb_chunk_ms, m.e2e_ms, m.tpot_ms) == (108.0, 5.0, 148.0, 20.0)
    # the usage event arrives after the last content chunk and must not move t_last (genai-bench #44)
    assert m.e2e_close_ms is not None and m.e2e_close_ms >= 150.0


def test_reasoning_and_tool_call_deltas_count_as_content() -> None:
    clock = FakeClock()
    script = [
        (50, event(chunk({"reasoning_content": "thinking"}))),  # 55 ms: content-bearing, not an answer
        (50, event(chunk({"tool_calls": [{"index": 0, "function": {"name": "f", "arguments": "{}"}}]}))),  # 105
        (50, event(chunk({"content": "ok"}, "stop"))),  # 155: first visible answer
        (0, event("[DONE]")),
    ]
    rec = run(
        _one(
            scripted(clock, script),
            clock,
            include_usage=False,
            token_counter=TokenCounter(lambda t: 7, TokensSource.TOKENIZER, "seven"),
        )
    )
    m = request_metrics(rec)
    assert m.ttft_ms == 55.0 and m.time_to_answer_ms == 155.0
    assert rec.output_tokens == 7 and rec.tokens_source is TokensSource.TOKENIZER and m.tokens_estimated


def test_http_error_is_recorded_and_the_key_is_redacted() -> None:
    clock = FakeClock()

    async def handler(request: httpx2.Request) -> httpx2.Response:
        assert request.headers["authorization"] == f"Bearer {KEY}"
        return httpx2.Response(401, json={"error": {"message": f"Incorrect API key provided: {KEY}", "type": "x"}})

    rec = run(_one(httpx2.MockTransport(handler), clock))
    assert rec.http_status == 401 and rec.outcome is Outcome.ERROR
    assert rec.error is not None and "HTTP 401" in rec.error
    assert KEY not in rec.error and KEY[-8:] not in rec.error and "***" in rec.error


def test_redact() -> None:
    assert redact(f"key {KEY} tail {KEY[-8:]}", [KEY]) == "key *** tail ***"


def test_endpoint_validation() -> None:
    with pytest.raises(ValueError, match="--api-version"):
        EndpointConfig(kind="azure", azure_endpoint="http://127.0.0.1:1", deployment="d", model="m")
    with pytest.raises(ValueError, match="kind='azure'"):
        EndpointConfig(azure_endpoint="http://127.0.0.1:1", model="m")
    with pytest.raises(ValueError, match="not an http"):
        EndpointConfig(base_url="127.0.0.1:8080/v1", model="m")


# --- against the fake server (real sockets on 127.0.0.1) ------------------------------------


async def _against(knobs: ServerKnobs, n: int = 1, azure: bool = False, **kw: Any) -> list[Any]:
    with FakeChatServer(knobs) as srv:
        if azure:
            ep = EndpointConfig(
                kind="azure",
                azure_endpoint=srv.azure_endpoint,
                deployment="dep",
                api_version="2024-10-21",
                model="gpt-4o",
            )
        else:
            ep = EndpointConfig(base_url=srv.base_url, model="m")
        client = make_client(ep, KEY)
        try:
            return [
                await stream_chat(
                    client, model=ep.model, messages=[{"role": "user", "content": "x"}], max_tokens=6, seq=i, **kw
                )
                for i in range(n)
            ]
        finally:
            await client.close()


def test_role_before_ttft_and_azure_filter_event_are_skipped() -> None:
    knobs = ServerKnobs(ttft_ms=60, itl_ms=5, role_chunk="before", azure_filter_chunk=True, empty_chunk=True, ping=True)
    (rec,) = run(_against(knobs, azure=True))
    m = request_metrics(rec)
    assert rec.outcome is Outcome.OK and rec.output_tokens == 6 and rec.tokens_source is TokensSource.USAGE
    assert m.ttfb_chunk_ms is not None and m.ttfb_chunk_ms < 30  # the filter/role events came at once
    assert m.ttft_ms is not None and 59 <= m.ttft_ms < 60 + 40  # ... but TTFT waited for the content
    assert len(rec.content_times_ns) == 6


def test_no_usage_falls_back_to_a_flagged_estimate() -> None:
    words = TokenCounter(lambda text: len(text.split()), TokensSource.TOKENIZER, "words")
    # 4 tokens of 6 allowed: finish_reason "stop", so only the tokenizer can count them
    (rec,) = run(_against(ServerKnobs(ttft_ms=1, itl_ms=1, usage="never", output_tokens=4), token_counter=words))
    assert rec.finish_reason == "stop"
    assert rec.output_tokens == 4 and rec.tokens_source is TokensSource.TOKENIZER
    assert request_metrics(rec).tokens_estimated


def test_no_usage_but_length_stop_counts_the_cap_exactly() -> None:
    never = TokenCounter(lambda text: 999, TokensSource.TOKENIZER, "wrong on purpose")
    (rec,) = run(_against(ServerKnobs(ttft_ms=1, itl_ms=1, usage="never"), token_counter=never))
    assert rec.finish_reason == "length" and rec.output_tokens == 6 and rec.tokens_source is TokensSource.LENGTH_CAP
    assert not request_metrics(rec).tokens_estimated


def test_chunks_are_not_tokens() -> None:
    (rec,) = run(_against(ServerKnobs(ttft_ms=1, itl_ms=2, tokens_per_chunk=3)))
    assert rec.output_tokens == 6 and len(rec.content_times_ns) == 2


def test_failures_are_classified() -> None:
    recs = run(_against(ServerKnobs(ttft_ms=1, itl_ms=1, http_error_every=2, http_error_status=429), n=2))
    assert [r.outcome for r in recs] == [Outcome.OK, Outcome.ERROR]
    assert recs[1].http_status == 429 and "429" in str(recs[1].error)
    (cut,) = run(_against(ServerKnobs(ttft_ms=1, itl_ms=1, fail_mid_stream_every=1)))
    assert cut.outcome is Outcome.CUT_OFF and cut.error and cut.t_first_ns is not None
    (nofin,) = run(_against(ServerKnobs(ttft_ms=1, itl_ms=1, no_finish_every=1)))
    assert nofin.outcome is Outcome.CUT_OFF and nofin.error is None and nofin.finish_reason is None


def test_total_timeout_is_a_recorded_failure() -> None:
    (rec,) = run(_against(ServerKnobs(ttft_ms=2000, itl_ms=1), total_timeout_s=0.2))
    assert rec.outcome is Outcome.ERROR and "total timeout" in str(rec.error)


def test_connection_refused_is_a_recorded_failure() -> None:
    async def go() -> Any:
        client = make_client(EndpointConfig(base_url="http://127.0.0.1:9/v1", model="m"), KEY)
        try:
            return await stream_chat(client, model="m", messages=[{"role": "user", "content": "x"}], max_tokens=2)
        finally:
            await client.close()

    rec = run(go())
    assert rec.outcome is Outcome.ERROR and "connection error" in str(rec.error)


def test_burst_delivery_is_flagged() -> None:
    (rec,) = run(_against(ServerKnobs(ttft_ms=10, itl_ms=10, burst=True), max_tokens_param="max_tokens"))
    # 6 tokens: under the burst minimum of 16, so not flagged; ask for more
    assert not request_metrics(rec).burst
    with FakeChatServer(ServerKnobs(ttft_ms=10, itl_ms=10, burst=True)) as srv:

        async def go() -> Any:
            client = make_client(EndpointConfig(base_url=srv.base_url, model="m"), KEY)
            try:
                return await stream_chat(client, model="m", messages=[{"role": "user", "content": "x"}], max_tokens=20)
            finally:
                await client.close()

        big = run(go())
    m = request_metrics(big)
    assert m.burst and m.ttft_ms is not None and m.ttft_ms >= 10 + 19 * 10 - 1  # everything at the end


def test_sse_parser_edge_cases() -> None:
    from costmodel.latency.client import SSEParser

    p = SSEParser()
    assert p.feed(b'data: {"a":\n') == []
    assert p.feed(b"data: 1}\n\n") == ['{"a":\n1}']  # multi-line data joined with LF
    assert p.feed(b": ping\n\nevent: x\nid: 3\ndata:[DONE]\n\n") == ["[DONE]"]  # comments, other fields
    euro = "€".encode()
    assert p.feed(b"data: " + euro[:1]) == []
    assert p.feed(euro[1:] + b"\r") == []
    assert p.feed(b"\n\r\n") == ["€"]  # UTF-8 and CRLF split across reads


def test_error_event_mid_stream_is_recorded() -> None:
    clock = FakeClock()
    script = [
        (10, event(chunk({"content": "partial"}))),
        (10, event({"error": {"message": "upstream overloaded", "type": "server_error"}})),
    ]
    rec = run(_one(scripted(clock, script), clock))
    assert rec.outcome is Outcome.CUT_OFF and "upstream overloaded" in str(rec.error)


def test_masked_keys_echoed_by_providers_are_redacted() -> None:
    text = "Incorrect API key provided: sk-proj-********abcd. Azure key 0123456789abcdef0123456789abcdef."
    assert redact(text, []) == "Incorrect API key provided: sk-***. Azure key ***."


def test_read_timeout_between_chunks_is_a_cut_off() -> None:
    from costmodel.latency.client import Timeouts

    with FakeChatServer(ServerKnobs(ttft_ms=1, itl_ms=1, stall_ms=600)) as srv:

        async def go() -> Any:
            ep = EndpointConfig(base_url=srv.base_url, model="m")
            client = make_client(ep, KEY, timeouts=Timeouts(read_s=0.2))
            try:
                return await stream_chat(client, model="m", messages=[{"role": "user", "content": "x"}], max_tokens=6)
            finally:
                await client.close()

        rec = run(go())
    assert rec.outcome is Outcome.CUT_OFF and rec.error is not None and "read timeout" in rec.error
    assert len(rec.content_times_ns) == 3  # the half before the stall arrived and was kept


def test_default_fallback_uses_the_bundled_tokenizer_offline() -> None:
    from costmodel.dataset.tokens import get_encoding
    from costmodel.latency.client import resolve_token_counter

    counter = resolve_token_counter("o200k_base")
    (rec,) = run(_against(ServerKnobs(ttft_ms=1, itl_ms=1, usage="never", output_tokens=5), token_counter=counter))
    text = " lorem ipsum dolor sit amet"  # the fake server's first five words
    assert rec.tokens_source is TokensSource.TOKENIZER and counter.name == "o200k_base"
    assert rec.output_tokens == len(get_encoding("o200k_base").encode_ordinary(text))
