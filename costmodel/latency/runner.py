"""Run a latency benchmark end to end: prompts, load, streaming client, store, summary.

The Python API behind ``costmodel bench`` and the dashboard's Latency page::

    config = BenchConfig(endpoint=EndpointConfig(base_url="http://127.0.0.1:8055/v1", model="m"),
                         load=LoadPlan(concurrency=4, requests=40, warmup=4), max_tokens=64)
    result = run_benchmark(config, api_key="...", db_path=None)
    result.run_id, result.summary.ttft_ms.p95

Prompts are either synthetic (``prompt_tokens`` words, each a single token in cl100k_base and
o200k_base, behind a unique per-request prefix so no prefix cache helps) or taken from the user's
chat-format JSONL dataset (each line's messages up to, not including, the last assistant turn;
lines are used in order and cycled).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import platform
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from costmodel import store
from costmodel.errors import InputError
from costmodel.latency import store as lstore
from costmodel.latency.client import (
    Clock,
    EndpointConfig,
    Timeouts,
    TokenCounter,
    make_client,
    resolve_token_counter,
    stream_chat,
    usage_supported,
)
from costmodel.latency.load import LoadPlan, run_load
from costmodel.latency.metrics import RequestRecord, RunSummary, summarize
from costmodel.store import Store

__all__ = [
    "BenchConfig",
    "BenchResult",
    "PathKey",
    "dataset_prompts",
    "default_token_counter",
    "quiet_gc",
    "run_benchmark",
    "run_benchmark_async",
    "synthetic_messages",
]

# Common English words; with a leading space each is one token in cl100k_base and o200k_base.
_FILLER = (
    " the",
    " of",
    " and",
    " to",
    " in",
    " is",
    " that",
    " for",
    " it",
    " with",
    " as",
    " was",
    " on",
    " be",
    " at",
    " by",
    " this",
    " had",
    " not",
    " are",
)


def synthetic_messages(seq: int, prompt_tokens: int, nonce: str) -> list[dict[str, str]]:
    """A unique user message of about ``prompt_tokens`` tokens (the prefix takes ~8 of them).

    >>> synthetic_messages(3, 12, "ab12")[0]["content"][:16]
    'Request ab12-3. '
    """
    prefix = f"Request {nonce}-{seq}. Continue:"
    words = max(prompt_tokens - 8, 0)
    body = "".join(_FILLER[(seq + i) % len(_FILLER)] for i in range(words))
    return [{"role": "user", "content": prefix + body}]


MAX_BENCH_DATASET_BYTES = 64 * 1024 * 1024
"""A benchmark's prompt file is held in memory: 64 MiB of prompts is far more than a run sends."""


def dataset_prompts(path: Path) -> list[list[dict[str, Any]]]:
    """Prompt message lists from a chat-format JSONL file (``{"messages": [...]}`` per line)."""
    from costmodel.validate import read_user_file

    data = read_user_file(
        path, field="--dataset", what="dataset", expect="chat-format .jsonl file", max_bytes=MAX_BENCH_DATASET_BYTES
    )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start})",
            source=str(path),
            field="dataset",
            hint="give a chat-format JSONL file saved as UTF-8",
        ) from None
    prompts: list[list[dict[str, Any]]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise InputError(
                f"not valid JSON ({exc})", source=str(path), line=lineno, hint="one JSON object per line"
            ) from None
        messages = obj.get("messages") if isinstance(obj, dict) else None
        if not isinstance(messages, list) or not all(isinstance(m, dict) and "role" in m for m in messages):
            raise InputError(
                "no 'messages' list of {role, content} objects",
                source=str(path),
                line=lineno,
                field="messages",
                hint='use the chat fine-tuning format: {"messages": [{"role": "user", "content": "..."}, ...]}',
            )
        last_assistant = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=None)
        prompt = messages[:last_assistant] if last_assistant is not None else messages
        if not prompt:
            continue
        prompts.append([{k: v for k, v in m.items() if k in ("role", "content", "name")} for m in prompt])
    if not prompts:
        raise InputError("no usable prompt in the dataset", source=str(path), hint="each line needs a user message")
    return prompts


class PathKey(BaseModel):
    """Which cost path a run measures: the Decision page joins on this."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Literal["openai", "azure", "local"]
    model: str = Field(min_length=1)
    fine_tuned: bool = False

    @property
    def label(self) -> str:
        return f"{self.provider}:{self.model}:{'ft' if self.fine_tuned else 'base'}"


def guess_path(endpoint: EndpointConfig) -> PathKey:
    if endpoint.kind == "azure":
        provider: Literal["openai", "azure", "local"] = "azure"
    elif endpoint.base_url is None or "api.openai.com" in endpoint.base_url:
        provider = "openai"
    else:
        provider = "local"
    model = endpoint.model
    fine_tuned = model.startswith("ft:") or ".ft-" in model
    if model.startswith("ft:"):  # OpenAI: ft:BASE:ORG:SUFFIX:ID
        model = model.split(":")[1]
    model = model.split(".ft-")[0]  # Azure: BASE.ft-ID
    return PathKey(provider=provider, model=model, fine_tuned=fine_tuned)


class BenchConfig(BaseModel):
    """Everything a benchmark needs except the key. Stored with the run (no secrets in here)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint: EndpointConfig
    load: LoadPlan
    timeouts: Timeouts = Timeouts()
    max_tokens: int = Field(64, ge=1)
    max_tokens_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    include_usage: bool | None = None  # None: send it unless an old Azure API version rejects it
    prompt_tokens: int | None = Field(128, ge=1)
    dataset: str | None = None
    extra_body: dict[str, Any] | None = None  # server extensions, sent only when given
    path: PathKey | None = None  # None: guessed from the endpoint
    label: str = ""
    sweep: dict[str, Any] | None = None  # a goodput sweep's step: sweep id, step, rate, objective
    # replayed traffic (costmodel traffic import): request i sends a synthetic prompt of
    # workload[i % n][0] tokens with max_tokens workload[i % n][1]
    workload: tuple[tuple[int, int], ...] | None = None
    workload_source: str | None = None

    @model_validator(mode="after")
    def _prompt_source(self) -> BenchConfig:
        if self.dataset is None and self.prompt_tokens is None:
            raise ValueError("give dataset or prompt_tokens")
        return self

    @property
    def path_key(self) -> PathKey:
        return self.path or guess_path(self.endpoint)

    @property
    def sends_usage(self) -> bool:
        return usage_supported(self.endpoint) if self.include_usage is None else self.include_usage


def default_token_counter(model: str) -> TokenCounter:
    """The fallback counter for a model: its registry encoding (``data/models.csv``), else o200k_base;
    loaded lazily and labelled ``approx_chars`` if the vocabulary cannot be loaded."""
    from costmodel.dataset.tokens import encoding_name_for_model
    from costmodel.errors import CostmodelError
    from costmodel.prices import bundled_catalog

    encoding: str
    try:
        encoding = bundled_catalog().find_model_info(model).encoding
    except CostmodelError:
        try:
            encoding = encoding_name_for_model(model)
        except CostmodelError:
            encoding = "o200k_base"  # an unknown (e.g. local) model: labelled an estimate anyway
    return resolve_token_counter(encoding)


@contextlib.contextmanager
def quiet_gc() -> Iterator[None]:
    """Move every object alive now out of the cyclic GC's reach for the duration of a run.

    With the SDK imported, a full (generation 2) collection walks ~80,000 objects and pauses the
    event loop for tens of milliseconds; one landing in a request's stream shows up as TTFT or TPOT
    spikes. ``gc.freeze()`` leaves only objects created during the run to scan (the run's own
    records are few); ``gc.unfreeze()`` afterwards restores normal collection.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _refreeze() -> None:
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class BenchResult:
    run_id: str
    summary: RunSummary
    records: tuple[RequestRecord, ...]
    status: str


def _client_info() -> dict[str, Any]:
    import httpx2
    import openai

    return {
        "openai": openai.__version__,
        "httpx2": getattr(httpx2, "__version__", "?"),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


async def run_benchmark_async(
    config: BenchConfig,
    *,
    api_key: str,
    conn: Store,
    clock: Clock = time.perf_counter_ns,
    client: Any = None,
    token_counter: TokenCounter | None = None,
    on_record: Callable[[RequestRecord], None] | None = None,
    now_utc: Callable[[], datetime] = lambda: datetime.now(UTC),
    run_id: str | None = None,
    stop: Callable[[], bool] | None = None,
) -> BenchResult:
    """Run ``config`` and store every request in ``conn`` as it finishes.

    ``stop`` (checked before each new request) ends the measurement early; see :func:`run_load`.
    """
    token_counter = token_counter or default_token_counter(config.path_key.model)
    prompts: Sequence[Sequence[Mapping[str, Any]]] | None = None
    if config.dataset is not None:
        prompts = dataset_prompts(Path(config.dataset))
    started = now_utc()
    rid = run_id or f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    nonce = rid[-6:]
    path = config.path_key
    lstore.create_run(
        conn,
        run_id=rid,
        provider=path.provider,
        path_model=path.model,
        fine_tuned=path.fine_tuned,
        endpoint_kind=config.endpoint.kind,
        endpoint_url=config.endpoint.url,
        model=config.endpoint.model,
        api_version=config.endpoint.api_version,
        config=config.model_dump(mode="json"),
        client=_client_info(),
        label=config.label,
        created=started,
    )
    own_client = client is None
    if client is None:
        client = make_client(
            config.endpoint,
            api_key,
            timeouts=config.timeouts,
            max_connections=max(config.load.concurrency or 1, 1) + (64 if config.load.rate else 0),
        )
    origin = clock()

    def run_clock() -> int:
        return clock() - origin

    records: list[RequestRecord] = []

    def keep(rec: RequestRecord) -> None:
        lstore.record_request(conn, rid, rec, recorded=now_utc())
        records.append(rec)
        if on_record is not None:
            on_record(rec)

    async def send(seq: int, warmup: bool, t_sched: int | None) -> RequestRecord:
        max_tokens = config.max_tokens
        messages: Sequence[Mapping[str, Any]]
        if config.workload:
            prompt_len, out_len = config.workload[seq % len(config.workload)]
            messages = synthetic_messages(seq, max(prompt_len, 1), nonce)
            max_tokens = max(out_len, 1)
        elif prompts is not None:
            messages = prompts[seq % len(prompts)]
        else:
            messages = synthetic_messages(seq, int(config.prompt_tokens or 1), nonce)
        return await stream_chat(
            client,
            model=config.endpoint.model,
            messages=messages,
            max_tokens=max_tokens,
            seq=seq,
            warmup=warmup,
            t_sched_ns=t_sched,
            clock=run_clock,
            include_usage=config.sends_usage,
            max_tokens_param=config.max_tokens_param,
            extra_body=config.extra_body,
            total_timeout_s=config.timeouts.total_s,
            token_counter=token_counter,
            secrets=(api_key,),
        )

    status: Literal["finished", "interrupted", "failed"] = "failed"
    try:
        with quiet_gc():
            # freeze again after warm-up: the first requests import and build SDK objects lazily
            await run_load(config.load, send, clock=run_clock, on_record=keep, after_warmup=_refreeze, stop=stop)
        status = "finished"
    except (asyncio.CancelledError, KeyboardInterrupt):
        status = "interrupted"
        raise
    finally:
        summary = summarize(records)
        lstore.finish_run(conn, rid, status=status, summary=summary, finished=now_utc())
        if own_client:
            await client.close()
    return BenchResult(run_id=rid, summary=summary, records=tuple(records), status=status)


def run_benchmark(
    config: BenchConfig,
    *,
    api_key: str,
    db_path: Path | str | None = None,
    conn: Store | None = None,
    clock: Clock = time.perf_counter_ns,
    token_counter: TokenCounter | None = None,
    on_record: Callable[[RequestRecord], None] | None = None,
) -> BenchResult:
    """Synchronous wrapper: opens the store (``db_path`` or the default) unless ``conn`` is given."""
    own = conn is None
    connection = conn if conn is not None else store.connect(db_path)
    try:
        return asyncio.run(
            run_benchmark_async(
                config,
                api_key=api_key,
                conn=connection,
                clock=clock,
                token_counter=token_counter,
                on_record=on_record,
            )
        )
    finally:
        if own:
            connection.close()
