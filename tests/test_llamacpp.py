"""Against a real inference server: llama-cpp-python with a tiny random-weight GGUF (no download).

Runs only when ``llama-cpp-python[server]`` and ``gguf`` are installed (they are optional: the
sdist compiles llama.cpp for minutes). ``scripts/llamacpp_bench.py`` is the longer version.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from costmodel.latency.client import EndpointConfig, make_client, stream_chat
from costmodel.latency.metrics import Outcome, TokensSource, request_metrics
from costmodel.testing.llamacpp import llamacpp_available, llamacpp_server

pytestmark = [
    pytest.mark.llamacpp,
    pytest.mark.slow,
    pytest.mark.skipif(not llamacpp_available(), reason="llama-cpp-python[server] and gguf are not installed"),
]


def test_streams_from_llama_cpp_server_are_measured(tmp_path: Path) -> None:
    from costmodel.testing.tiny_gguf import EOS_TOKEN_ID, write_tiny_llama_gguf

    model_path = write_tiny_llama_gguf(tmp_path / "tiny.gguf")  # 64-dim, 2 layers: fast on any CPU
    with llamacpp_server(model_path, log_path=tmp_path / "server.log") as (base_url, model):

        async def go() -> list[object]:
            client = make_client(EndpointConfig(base_url=base_url, model=model), "local")
            try:
                msgs = [{"role": "user", "content": "hello there"}]
                seq = [
                    await stream_chat(
                        client,
                        model=model,
                        messages=msgs,
                        max_tokens=32,
                        seq=i,
                        extra_body={"logit_bias": {str(EOS_TOKEN_ID): -100}},
                    )
                    for i in range(3)
                ]
                # two at once: with --interrupt_requests False neither stream is cut short
                both = await asyncio.gather(
                    *(
                        stream_chat(
                            client,
                            model=model,
                            messages=msgs,
                            max_tokens=32,
                            seq=10 + i,
                            extra_body={"logit_bias": {str(EOS_TOKEN_ID): -100}},
                        )
                        for i in range(2)
                    )
                )
                return [*seq, *both]
            finally:
                await client.close()

        recs = asyncio.run(go())
    for rec in recs:
        m = request_metrics(rec)  # type: ignore[arg-type]
        assert m.outcome is Outcome.OK, (rec, (tmp_path / "server.log").read_text()[-2000:])
        assert rec.finish_reason == "length"  # type: ignore[attr-defined]
        # llama-cpp-python sends no usage; the length stop fixes N at max_tokens
        assert rec.tokens_source is TokensSource.LENGTH_CAP and rec.output_tokens == 32  # type: ignore[attr-defined]
        assert m.ttft_ms is not None and m.ttft_ms > 0 and m.e2e_ms is not None and m.e2e_ms >= m.ttft_ms
        # role-only first chunk and the finish chunk are not content; byte tokens may decode to ""
        assert len(rec.content_times_ns) < rec.chunks  # type: ignore[attr-defined]
    print(json.dumps([[len(r.content_times_ns), r.chunks] for r in recs]))  # type: ignore[attr-defined]
