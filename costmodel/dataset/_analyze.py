"""Orchestration: stream the file, fan chunks out to worker processes, merge, check, summarise."""

from __future__ import annotations

import contextlib
import io
import math
import multiprocessing
import os
import sys
from array import array
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path
from typing import BinaryIO, Literal

from costmodel._orphan import die_with_parent
from costmodel.dataset import _lines, _reader
from costmodel.dataset._lines import (
    CODES,
    FORMAT_CHAT,
    FORMAT_DPO,
    MAX_DETAILS_PER_CODE,
    ChunkResult,
    ProblemTuple,
    analyze_chunk,
)
from costmodel.dataset._models import DatasetAnalysis, DatasetStats, Distribution, Problem
from costmodel.dataset._prefetch import FORK_IN_PROCESS_MAX_BYTES, Prefetch, start_method
from costmodel.dataset._reader import Chunk, OversizedLine, iter_chunks
from costmodel.dataset.tokens import CONVENTION, Encoder
from costmodel.engine.breakdown import Breakdown
from costmodel.engine.training import default_epochs, estimate_training
from costmodel.errors import CostmodelError, DatasetError, InputError, PriceLookupError, UnknownModelError
from costmodel.prices import TIERS, Catalog, ModelInfo, Provider, bundled_catalog
from costmodel.validate import open_user_file

__all__ = [
    "FILE_SIZE_LIMIT_BYTES",
    "FORK_IN_PROCESS_MAX_BYTES",
    "IN_PROCESS_MAX_BYTES",
    "MIN_EXAMPLES",
    "analyze_bytes",
    "analyze_file",
    "default_workers",
    "start_method",
    "training_costs",
]

FILE_SIZE_LIMIT_BYTES = 512_000_000
"""OpenAI: 512 MB per file through the Files API; Azure: under 512 MB. The decimal reading
(512,000,000 bytes) is used, the smaller one, so a file that passes is accepted by both."""

MIN_EXAMPLES = 10
"""OpenAI and Azure refuse a training file with fewer examples."""

IN_PROCESS_MAX_BYTES = 32 * 1024 * 1024
"""Inputs up to this size are analysed in the calling process alone when worker processes would
be ``spawn``-started (see :func:`start_method`; forked workers use :data:`FORK_IN_PROCESS_MAX_BYTES`).

Measured with ``benchmarks/bench_workers.py`` (whole ``costmodel analyze`` commands, medians of 3, a
shared 2-CPU machine at a load average of about 2.5): one process counts about 20 MB of chat
examples per CPU second after about 1 s of start-up, and a second process costs about 0.5 to 1 s
of CPU before it counts anything (start, imports, encoding). Two processes did not shorten the run
up to 20 MB (5.1 MB: 1.02x, 20.5 MB: 0.91x) and did from 51 MB (1.34x; 32 MB and 77 MB were
within the machine's noise); at a load average of 12 they never did (0.60x to 0.90x)."""

SATURATED_LOAD_PER_CPU = 3.0
"""A 1-minute load average above this many times the CPUs counts as saturated: no forked worker."""

ProgressFn = Callable[[int, int], None]


def default_workers(method: Literal["fork", "spawn"] | None = None) -> int:
    """Processes that count tokens when the caller does not say (1 or 2), for workers started
    with ``method`` (default: :func:`start_method`).

    *Forked* workers (the command line): 2 when this process may use 2 CPUs and the machine is
    not saturated (1-minute load average up to :data:`SATURATED_LOAD_PER_CPU` x the CPUs). A forked
    worker costs a few milliseconds and about 5% more CPU in all; the scheduler shares the CPUs
    between runnable processes, so a second one shortens the run even on a busy machine
    (measured on 255 MB at a load average of 4.5 to 5 on 2 CPUs: 11.0 and 13.6 s against 15.6
    and 19.2 s in one process).

    *Spawned* workers (a threaded caller such as the dashboard): 2 when this process may use 2
    CPUs, another CPU is idle right now and the machine was not saturated over the last minute;
    else 1. A spawned process adds its start-up and its own encoding (about 1 s of CPU) and takes
    the same core time slices (measured: a 51 MB file took 17 s in one process and 28 s with two
    at a load average of 11 on 2 CPUs). "Idle right now" is the kernel's count of runnable
    processes (``/proc/loadavg``, this one included): the 1-minute average alone lags, and still
    counts a run that ended seconds ago.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    if cpus < 2:
        return 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - Windows
        return 2
    if (method or start_method()) == "fork":
        return 2 if load <= SATURATED_LOAD_PER_CPU * cpus else 1
    running = _runnable_now()
    if running is None:
        return 2 if load <= cpus - 1 else 1
    return 2 if running <= cpus - 1 and load <= cpus else 1


def _runnable_now() -> int | None:
    """Processes runnable at this instant, this one included (Linux; ``None`` elsewhere)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return int(f.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None


def _in_process_max_bytes(method: Literal["fork", "spawn"]) -> int:
    # read at call time, so tests can lower them
    return FORK_IN_PROCESS_MAX_BYTES if method == "fork" else IN_PROCESS_MAX_BYTES


def analyze_file(
    path: str | Path,
    *,
    model: str,
    epochs: int | None = None,
    catalog: Catalog | None = None,
    training_context_tokens: int | None = None,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    provider: str | None = None,
    encoder: Encoder | None = None,
    prefetch: Prefetch | None = None,
) -> DatasetAnalysis:
    """Validate a JSONL training file and count its billed tokens for ``model``.

    Streams the file (memory stays bounded whatever its size). ``workers`` processes count
    tokens, this one included (default: :func:`default_workers`; 1 = only this process).
    ``training_context_tokens`` overrides the registry's limit for the model; ``provider`` picks
    whose registry entry gives that limit (default: OpenAI's, then Azure's). ``encoder`` replaces the bundled encoding
    (tests; forces one process). ``progress(bytes_done, bytes_total)`` is called as chunks finish.
    ``prefetch``: the command line's early count of this file (:mod:`costmodel.dataset._prefetch`),
    used when it counted with the model's encoding and the file is analysed in one process.

    With more than one worker the file is analysed in worker processes: forked (after this
    process built the encoding) when this process runs no other thread on a POSIX system, else
    ``spawn``-started, so a script that calls this needs the usual ``if __name__ == "__main__":``
    guard (as any multiprocessing code on macOS and Windows). Inputs up to
    :data:`FORK_IN_PROCESS_MAX_BYTES` (forked workers) or :data:`IN_PROCESS_MAX_BYTES` (spawned)
    stay in this process.

    Raises :class:`DatasetError` when the file cannot be read at all and
    :class:`UnknownModelError` for a model the registry does not know. Problems inside a
    readable file are reported in :attr:`DatasetAnalysis.problems`, never raised.
    """
    p = Path(path)
    # a regular file only: /dev/zero, a FIFO or a directory is refused before any read
    fh, size = open_user_file(p, what="file", expect=".jsonl file", error=DatasetError)
    with fh:
        return _analyze_stream(
            fh,
            size=size,
            source=str(p),
            model=model,
            epochs=epochs,
            catalog=catalog,
            training_context_tokens=training_context_tokens,
            progress=progress,
            workers=workers,
            provider=provider,
            encoder=encoder,
            prefetch=prefetch,
        )


def analyze_bytes(
    data: bytes,
    *,
    model: str,
    name: str = "upload.jsonl",
    epochs: int | None = None,
    catalog: Catalog | None = None,
    training_context_tokens: int | None = None,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    provider: str | None = None,
    encoder: Encoder | None = None,
) -> DatasetAnalysis:
    """:func:`analyze_file` for content already in memory (an upload); ``name`` labels it."""
    return _analyze_stream(
        io.BytesIO(data),
        size=len(data),
        source=name,
        model=model,
        epochs=epochs,
        catalog=catalog,
        training_context_tokens=training_context_tokens,
        progress=progress,
        workers=workers,
        provider=provider,
        encoder=encoder,
    )


def _resolve_model(catalog: Catalog, model: str, provider: str | None) -> ModelInfo:
    """The registry entry for ``model``: the given provider's, else the first fine-tunable one
    (OpenAI before Azure), else the first one found."""
    if provider is not None:
        try:
            prov = Provider(provider)
        except ValueError:
            raise InputError(
                f"unknown provider '{provider}'", field="provider", hint="use 'openai' or 'azure'"
            ) from None
        return catalog.model_info(prov, model)
    infos: list[ModelInfo] = []
    for prov in Provider:
        try:
            infos.append(catalog.model_info(prov, model))
        except UnknownModelError:
            continue
    if not infos:
        return catalog.find_model_info(model)  # raises, listing the known models
    return next((i for i in infos if i.fine_tunable), infos[0])


LEGACY_COMPLETION_MODELS = ("babbage-002", "davinci-002")
"""Fine-tuned on prompt/completion examples, not on chat or preference examples."""


def _analyze_stream(
    fh: BinaryIO,
    *,
    size: int,
    source: str,
    model: str,
    epochs: int | None,
    catalog: Catalog | None,
    training_context_tokens: int | None,
    progress: ProgressFn | None,
    workers: int | None,
    provider: str | None,
    encoder: Encoder | None,
    prefetch: Prefetch | None = None,
) -> DatasetAnalysis:
    if epochs is not None and epochs < 1:
        raise InputError(f"{epochs} epochs", field="epochs", hint="use 1 or more epochs, or leave it to the default")
    if training_context_tokens is not None and training_context_tokens < 1:
        raise InputError(
            f"training context of {training_context_tokens} tokens",
            field="training_context_tokens",
            hint="give a positive number of tokens",
        )
    if workers is not None and workers < 1:
        raise InputError(f"{workers} workers", field="workers", hint="use 1 or more")
    cat = catalog or bundled_catalog()
    info = _resolve_model(cat, model, provider)
    canonical, encoding_name = info.model, str(info.encoding)
    cap = training_context_tokens or info.training_context_tokens
    context_source: Literal["registry", "user", "unknown"] = (
        "user" if training_context_tokens else ("registry" if cap else "unknown")
    )
    method = start_method()
    if encoder is not None:
        encoding_name = encoder.name
        n_workers = 1
    else:
        n_workers = workers or default_workers(method)
        if size <= _in_process_max_bytes(method):
            n_workers = 1

    merged = _Merged()
    prefetched = prefetch.take(encoding_name) if prefetch is not None and n_workers == 1 and encoder is None else None
    if prefetch is not None:
        prefetch.close()  # not taken: ended
    if prefetched is not None:
        results: Iterator[tuple[Chunk | OversizedLine, ChunkResult | None]] = iter(prefetched)
    else:
        # module constants read at call time (tests lower them)
        chunks = iter_chunks(fh.read, chunk_bytes=_reader.DEFAULT_CHUNK_BYTES, max_line_bytes=_lines.MAX_LINE_BYTES)
        results = _run(chunks, n_workers, encoding_name, encoder, method=method)
    for part, result in results:
        merged.absorb(part, result)
        if progress is not None:
            progress(part.end_offset, size)
    return _summarise(
        merged,
        source=source,
        size=size,
        model=canonical,
        encoding_name=encoding_name,
        cap=cap,
        epochs=epochs,
        fine_tunable=info.fine_tunable,
        context_source=context_source,
    )


def _run(
    chunks: Iterator[Chunk | OversizedLine],
    n_workers: int,
    encoding_name: str,
    encoder: Encoder | None,
    *,
    method: Literal["fork", "spawn"] = "spawn",
) -> Iterator[tuple[Chunk | OversizedLine, ChunkResult | None]]:
    """Results in stream order.

    With ``n_workers`` > 1, this process is one of them: ``n_workers - 1`` worker processes
    (started with ``method``, see :func:`start_method`) take chunks while this one counts the
    chunks they have no room for (at most 2 chunks per worker in flight, so memory stays bounded).
    That saves one process start and one encoding build, and keeps this process busy while the
    others start.
    """
    if n_workers == 1:
        for part in chunks:
            yield part, _local(part, encoding_name, encoder)
        return
    n_pool = n_workers - 1
    if method == "fork":
        # built before the fork, so every forked process starts with it (no second load or build);
        # a corrupt bundled vocabulary raises here, the same error as in one process
        if encoder is None:
            _lines._counter_for(encoding_name)
        for stream in (sys.stdout, sys.stderr):  # a forked child must not write this process' buffers again
            with contextlib.suppress(OSError, ValueError):  # closed or broken: nothing left to write twice
                stream.flush()
    ctx = multiprocessing.get_context(method)
    # every worker process ends with this one, whatever the signal (issue 14): set as it starts
    with ProcessPoolExecutor(
        max_workers=n_pool, mp_context=ctx, initializer=die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        # chunks go to the worker processes only once they are ready (started, encoding built):
        # until then this process counts alone, so it never waits for a process still starting
        ready = [pool.submit(warm_up, encoding_name) for _ in range(n_pool)]
        pending: deque[tuple[Chunk | OversizedLine, Future[ChunkResult] | ChunkResult | None]] = deque()
        in_flight = 0
        for part in chunks:
            if isinstance(part, Chunk) and in_flight < 2 * n_pool and _all_ready(ready):
                fut = pool.submit(
                    analyze_chunk,
                    part.data,
                    part.first_line,
                    at_file_start=part.at_file_start,
                    encoding_name=encoding_name,
                )
                pending.append((part, fut))
            else:
                pending.append((_without_data(part), _local(part, encoding_name, None)))
            # hand out what is ready at the front, in order (and wait for it if too much piled up)
            while pending and (
                not isinstance(pending[0][1], Future) or pending[0][1].done() or len(pending) > 8 * n_workers
            ):
                yield _take(pending)
            in_flight = sum(1 for _, r in pending if isinstance(r, Future))
        while pending:
            yield _take(pending)
        for f in ready:
            f.cancel()  # not started yet: never start it


def _all_ready(ready: list[Future[None]]) -> bool:
    """Whether every worker process has built its encoding (raises if one could not start)."""
    if not all(f.done() for f in ready):
        return False
    for f in ready:
        exc = f.exception()
        if isinstance(exc, CostmodelError):
            raise exc  # e.g. a corrupt bundled vocabulary: the same error as in one process
        if exc is not None:
            raise DatasetError(
                f"a worker process could not start ({type(exc).__name__}: {exc})",
                hint="run again with workers=1 (CLI: --workers 1); a script using several workers needs "
                'an `if __name__ == "__main__":` guard',
            )
    return True


def warm_up(encoding_name: str, parent_pid: int | None = None) -> None:
    """A worker process' first task: build the encoding (already built in a forked one), so that it is ready for chunks.

    With ``parent_pid``, the process also ends when that parent dies, whatever the signal (issue 14)."""
    if parent_pid is not None:
        die_with_parent(parent_pid)
    _lines._counter_for(encoding_name)


def _local(part: Chunk | OversizedLine, encoding_name: str, encoder: Encoder | None) -> ChunkResult | None:
    if isinstance(part, OversizedLine):
        return None
    return analyze_chunk(
        part.data, part.first_line, at_file_start=part.at_file_start, encoding_name=encoding_name, encoder=encoder
    )


def _without_data(part: Chunk | OversizedLine) -> Chunk | OversizedLine:
    if isinstance(part, Chunk):
        return Chunk(b"", part.first_line, part.at_file_start, part.end_offset)  # drop the bytes early
    return part


def _take(
    pending: deque[tuple[Chunk | OversizedLine, Future[ChunkResult] | ChunkResult | None]],
) -> tuple[Chunk | OversizedLine, ChunkResult | None]:
    part, fut = pending.popleft()
    if not isinstance(fut, Future):
        return part, fut
    try:
        result = fut.result()
    except BrokenProcessPool as exc:
        first = part.first_line if isinstance(part, Chunk) else part.line
        raise DatasetError(
            f"a worker process stopped while analysing the lines from {first} on ({exc})",
            line=first,
            hint="run again with workers=1 (CLI: --workers 1); a script using several workers needs "
            'an `if __name__ == "__main__":` guard',
        ) from None
    return _without_data(part), result


class _Merged:
    """Chunk results joined in file order."""

    def __init__(self) -> None:
        self.lines = 0
        self.tokens = array("I")  # uint32, 4 bytes per example (see ChunkResult)
        self.assistant = array("I")
        self.messages = array("I")
        self.example_lines = array("q")
        self.hashes = array("Q")
        self.formats = bytearray()
        self.estimated = 0
        self.objects = 0
        self.problems: list[ProblemTuple] = []
        self.counts: dict[str, int] = {}

    def add(self, line: int | None, fld: str | None, code: str, message: str, n: int = 1) -> None:
        before = self.counts.get(code, 0)
        self.counts[code] = before + n
        if before < MAX_DETAILS_PER_CODE:
            self.problems.append((line, fld, code, message))

    def absorb(self, part: Chunk | OversizedLine, result: ChunkResult | None) -> None:
        if isinstance(part, OversizedLine):
            self.lines = part.line
            self.add(part.line, None, "line_too_long", f"line of {part.size:,} bytes not read (too long)")
            return
        assert result is not None
        self.lines += result.lines_seen
        self.tokens.extend(result.tokens)
        self.assistant.extend(result.assistant_tokens)
        self.messages.extend(result.messages)
        self.example_lines.extend(result.example_lines)
        self.hashes.extend(result.hashes)
        self.formats.extend(result.formats)
        self.estimated += result.estimated
        self.objects += result.objects
        for code, n in result.counts.items():
            before = self.counts.get(code, 0)
            self.counts[code] = before + n
            room = MAX_DETAILS_PER_CODE - before
            if room > 0:
                self.problems.extend([p for p in result.problems if p[2] == code][:room])


def _summarise(
    m: _Merged,
    *,
    source: str,
    size: int,
    model: str,
    encoding_name: str,
    cap: int | None,
    epochs: int | None,
    fine_tunable: bool = True,
    context_source: Literal["registry", "user", "unknown"] = "registry",
) -> DatasetAnalysis:
    tokens = m.tokens  # uint32 counts, one per example in file order
    lines = m.example_lines
    n = len(tokens)

    # format of the file: the first example's; examples of the other format are errors
    fmt: Literal["chat", "dpo", "unknown"] = "unknown"
    if n:
        first = m.formats[0]
        fmt = "chat" if first == FORMAT_CHAT else "dpo"
        other = FORMAT_DPO if first == FORMAT_CHAT else FORMAT_CHAT
        i = m.formats.find(other)
        while i >= 0:
            m.add(lines[i], None, "format_mismatch", f"a {_FORMAT_NAMES[other]} example in a {fmt} file")
            i = m.formats.find(other, i + 1)

    # file-level problems
    if size > FILE_SIZE_LIMIT_BYTES:
        m.add(None, None, "file_too_large", f"{size:,} bytes; the providers' limit is {FILE_SIZE_LIMIT_BYTES:,}")
    if n == 0:
        if m.objects:
            m.add(
                None,
                None,
                "unsupported_format",
                "no line is a chat or preference (DPO) example",
            )
        else:
            m.add(None, None, "no_examples", "the file holds no example (it is empty or has no JSON object line)")
    elif n < MIN_EXAMPLES:
        m.add(None, None, "too_few_examples", f"{n} example(s); the providers need at least {MIN_EXAMPLES}")
    if cap is None and n:
        m.add(None, None, "unknown_training_context", f"no training context is known for {model}")
    if not fine_tunable:
        m.add(None, None, "model_not_fine_tunable", f"{model} cannot be fine-tuned (model registry)")
    if n and model.startswith(LEGACY_COMPLETION_MODELS):
        m.add(
            None,
            None,
            "unsupported_format",
            f"{model} trains on legacy prompt/completion examples, not on {fmt} examples",
        )

    # examples over the training context (truncated, billed at the cap)
    over = 0
    billed = sum(tokens)
    if cap is not None and n and max(tokens) > cap:
        for i, t in enumerate(tokens):
            if t > cap:
                over += 1
                billed -= t - cap
                m.add(
                    lines[i],
                    None,
                    "example_too_long",
                    f"{t:,} tokens, over the {cap:,}-token training context: truncated, billed {cap:,}",
                )

    # duplicates: same bytes (64-bit hash) as an earlier example line
    if n > 1:
        for dup, orig in _duplicates(m.hashes):
            m.add(lines[dup], None, "duplicate_example", f"same example as line {lines[orig]}")

    epochs_source: Literal["default_heuristic", "user"] = "user" if epochs is not None else "default_heuristic"
    default = default_epochs(n) if n else 0
    n_epochs = epochs if epochs is not None else default

    problems = tuple(
        sorted(
            (_problem(p) for p in m.problems),
            key=lambda p: (p.line is not None, p.line or 0, p.code, p.field or ""),
        )
    )
    listed = len(m.problems)
    total_problems = sum(m.counts.values())
    stats = DatasetStats(
        messages_per_example=_distribution(m.messages),
        total_tokens_per_example=_distribution(tokens),
        assistant_tokens_per_example=_distribution(m.assistant),
    )
    return DatasetAnalysis(
        source=source,
        size_bytes=size,
        lines=m.lines,
        format=fmt,
        model=model,
        encoding=encoding_name,
        convention=CONVENTION,
        examples=n,
        billed_tokens=billed,
        n_epochs=n_epochs,
        epochs_source=epochs_source,
        trained_tokens=billed * n_epochs,
        per_example_tokens=tuple(m.tokens),
        training_context_tokens=cap,
        training_context_source=context_source,
        examples_over_context=over,
        problems=problems,
        problem_counts=dict(sorted(m.counts.items())),
        problems_omitted=total_problems - listed,
        stats=stats,
        token_counts_are_estimates=m.estimated > 0 or fmt == "dpo",
        estimated_examples=m.estimated,
    )


_FORMAT_NAMES = {FORMAT_CHAT: "chat", FORMAT_DPO: "preference (DPO)"}


def _problem(p: ProblemTuple) -> Problem:
    line, fld, code, message = p
    severity, hint = CODES[code]
    return Problem(line=line, field=fld, code=code, severity=severity, message=message, hint=hint)


def _duplicates(hashes: Sequence[int]) -> list[tuple[int, int]]:
    """(index, index of the first example with the same hash) for every repeated hash, in the order
    of a stable sort by hash (hash, then file order): the order the problems are listed in, so
    that the first :data:`MAX_DETAILS_PER_CODE` listed are the same whatever computes them."""
    first: dict[int, int] = {}
    found: list[tuple[int, int, int]] = []
    for i, h in enumerate(hashes):
        j = first.setdefault(h, i)
        if j != i:
            found.append((h, i, j))
    found.sort()
    return [(i, j) for _, i, j in found]


def _percentile(ordered: Sequence[int], q: int) -> float:
    """The ``q``-th percentile of the sorted ``ordered`` by linear interpolation between order
    statistics (Hyndman and Fan's method 7, a spreadsheet's PERCENTILE.INC), computed with
    numpy's own float operations (``numpy.percentile``'s default "linear" method: index
    (n - 1) x q / 100, then ``a + (b - a) x t``, or ``b - (b - a) x (1 - t)`` when t >= 0.5),
    so the figures are the ones numpy gives to the last bit.

    >>> _percentile([1, 2, 3, 4], 50)
    2.5
    >>> _percentile([10, 20], 95)
    19.5
    """
    n = len(ordered)
    at = (n - 1) * (q / 100)
    if at >= n - 1:
        return float(ordered[-1])
    below = math.floor(at)
    t = at - below
    a, b = ordered[below], ordered[below + 1]
    d = b - a
    return b - d * (1 - t) if t >= 0.5 else a + d * t


def _distribution(values: Sequence[int]) -> Distribution | None:
    """Min, max, mean, median, 5th and 95th percentiles of integer counts (``None`` when empty).

    The mean is the exact sum divided by the count (correctly rounded, as numpy's mean of
    integers below 2**53 is)."""
    if not values:
        return None
    ordered = sorted(values)
    return Distribution(
        min=ordered[0],
        max=ordered[-1],
        mean=sum(ordered) / len(ordered),
        median=_percentile(ordered, 50),
        p5=_percentile(ordered, 5),
        p95=_percentile(ordered, 95),
    )


def training_costs(analysis: DatasetAnalysis, catalog: Catalog, as_of: date) -> list[tuple[str, str, Breakdown]]:
    """(provider, tier, breakdown) for every provider and tier with a training price at ``as_of``.

    Computed through :func:`costmodel.engine.training.estimate_training` with the analysis' epochs and
    billed tokens. The billed tokens follow each provider's own training context from the model
    registry (Azure's gpt-35-turbo trains on 4,096 tokens where OpenAI's gpt-3.5-turbo takes
    16,385), unless the user gave the context. Tiers without a training price on that date are
    left out.
    """
    out: list[tuple[str, str, Breakdown]] = []
    if analysis.examples == 0 or analysis.n_epochs == 0:
        return out
    for provider in Provider:
        try:
            canonical = catalog.canonical_model(provider, analysis.model)
        except UnknownModelError:
            continue
        try:
            context = catalog.model_info(provider, canonical).training_context_tokens
        except UnknownModelError:  # priced but not in the registry: keep the analysis' cap
            context = None
        if analysis.training_context_source == "user" or context is None:
            billed = analysis.billed_tokens
        else:
            billed = analysis.billed_tokens_at(context)
        for tier in TIERS[provider]:
            try:
                breakdown = estimate_training(
                    catalog,
                    provider=provider.value,
                    model=canonical,
                    tier=tier,
                    as_of=as_of,
                    billed_tokens=billed,
                    epochs=analysis.n_epochs,
                )
            except PriceLookupError:
                continue
            out.append((provider.value, tier, breakdown))
    return out
