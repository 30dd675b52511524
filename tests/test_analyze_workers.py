"""How the analysis shares chunks between this process and spawned ones, and how many it starts."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, ClassVar, Literal

import pytest

from costmodel.dataset import _analyze, _reader, analyze_bytes
from costmodel.errors import DatasetError
from tests.test_dataset import generated, jsonl


class LazyPool:
    """A stand-in for ProcessPoolExecutor, in this process: the warm-up is done at once; a chunk's
    future stays pending until someone asks for its result, so chunks pile up as they do while the
    real workers are busy, and the scheduler must count some of them itself."""

    instances: ClassVar[list[LazyPool]] = []

    def __init__(
        self, max_workers: int, mp_context: Any = None, initializer: Any = None, initargs: tuple[Any, ...] = ()
    ) -> None:
        self.max_workers = max_workers
        self.initializer = initializer  # die_with_parent in a real worker: not run here (this process is the parent)
        self.ran_in_pool = 0
        LazyPool.instances.append(self)

    def __enter__(self) -> LazyPool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        fut: Future[Any] = Future()
        if fn is _analyze.warm_up:
            fut.set_result(None)
            return fut
        pool = self

        class Lazy(Future[Any]):
            def result(self, timeout: float | None = None) -> Any:
                if not super().done():
                    pool.ran_in_pool += 1
                    self.set_result(fn(*args, **kwargs))
                return super().result(timeout)

        return Lazy()


@pytest.fixture
def many_chunks(monkeypatch: pytest.MonkeyPatch) -> bytes:
    data = jsonl(generated(seed=7, n=300)) + b"{oops\n" + jsonl(generated(seed=7, n=4))
    monkeypatch.setattr(_reader, "DEFAULT_CHUNK_BYTES", 8_000)  # dozens of chunks
    monkeypatch.setattr(_analyze, "IN_PROCESS_MAX_BYTES", 0)
    monkeypatch.setattr(_analyze, "FORK_IN_PROCESS_MAX_BYTES", 0)
    return data


def test_this_process_counts_what_the_workers_have_no_room_for(
    many_chunks: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = analyze_bytes(many_chunks, model="gpt-4o", workers=1)
    local_calls: list[int] = []
    real_local = _analyze._local

    def counting_local(part: Any, encoding_name: str, encoder: Any) -> Any:
        local_calls.append(1)
        return real_local(part, encoding_name, encoder)

    LazyPool.instances.clear()
    monkeypatch.setattr(_analyze, "ProcessPoolExecutor", LazyPool)
    monkeypatch.setattr(_analyze, "_local", counting_local)
    seen: list[int] = []
    two = analyze_bytes(many_chunks, model="gpt-4o", workers=2, progress=lambda d, t: seen.append(d))
    assert two == one  # same analysis, problems and line numbers included, whoever counted
    (pool,) = LazyPool.instances
    assert pool.max_workers == 1  # 2 workers = this process + 1 spawned
    assert pool.ran_in_pool > 0
    assert len(local_calls) > 0
    assert seen == sorted(seen)  # results handed out in file order
    assert len(seen) == pool.ran_in_pool + len(local_calls)


def test_no_chunk_goes_to_a_worker_that_is_not_ready(many_chunks: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the spawned process is starting (warm-up not done), this process counts alone."""

    class NeverReady(LazyPool):
        def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
            if fn is _analyze.warm_up:
                return Future()  # still starting
            raise AssertionError("a chunk was sent to a worker that is not ready")

    one = analyze_bytes(many_chunks, model="gpt-4o", workers=1)
    monkeypatch.setattr(_analyze, "ProcessPoolExecutor", NeverReady)
    assert analyze_bytes(many_chunks, model="gpt-4o", workers=2) == one


def test_real_worker_processes_give_the_same_result(many_chunks: bytes) -> None:
    one = analyze_bytes(many_chunks, model="gpt-4o", workers=1)
    assert analyze_bytes(many_chunks, model="gpt-4o", workers=3) == one


def _default_workers(
    start: Literal["fork", "spawn"], cpus: int, load: float, running: int | None, monkeypatch: pytest.MonkeyPatch
) -> int:
    """``default_workers`` on a machine with ``cpus`` CPUs, this 1-minute load and ``running`` runnable now."""
    monkeypatch.setattr(_analyze.os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    monkeypatch.setattr(_analyze.os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(_analyze, "_runnable_now", lambda: running)
    return _analyze.default_workers(start)


@pytest.mark.parametrize(
    ("cpus", "load", "running", "expected"),
    [
        (1, 0.0, 1, 1),  # one CPU: never a second process
        (2, 0.2, 1, 2),  # idle machine
        (2, 1.0, 1, 2),  # this run on one CPU, the other idle
        (2, 1.5, 1, 2),  # the average still counts a run that just ended; nothing else runnable now
        (2, 1.5, 2, 1),  # another process is runnable right now: the other CPU is not idle
        (2, 11.0, 1, 1),  # a saturated machine (measured: 17 s alone, 28 s with a second process)
        (8, 3.0, 2, 2),  # capped at 2
        (2, 1.0, None, 2),  # no /proc/loadavg: the 1-minute average alone
        (2, 1.5, None, 1),
    ],
)
def test_default_workers(
    cpus: int, load: float, running: int | None, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _default_workers("spawn", cpus, load, running, monkeypatch) == expected


@pytest.mark.parametrize(
    ("cpus", "load", "running", "expected"),
    [
        (1, 0.0, 1, 1),  # one CPU: never a second process
        (2, 0.2, 1, 2),  # idle machine
        (2, 1.5, 2, 2),  # another process runnable: a forked worker still gets its share of the CPUs
        (2, 5.0, 3, 2),  # busy (measured at 4.5-5 on 2 CPUs: 11.0 and 13.6 s against 15.6 and 19.2 s alone)
        (2, 6.0, 3, 2),  # 3 x the CPUs: the limit, still counted as not saturated
        (2, 6.5, 3, 1),  # saturated
        (2, 11.0, 1, 1),
        (8, 3.0, 2, 2),  # capped at 2
        (2, 1.0, None, 2),  # no /proc/loadavg: the same rule (the instant count is not used)
    ],
)
def test_default_workers_forked(
    cpus: int, load: float, running: int | None, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _default_workers("fork", cpus, load, running, monkeypatch) == expected


def test_default_workers_follows_the_start_method(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_analyze.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(_analyze.os, "getloadavg", lambda: (2.5, 2.5, 2.5))
    monkeypatch.setattr(_analyze, "_runnable_now", lambda: 2)
    monkeypatch.setattr(_analyze, "start_method", lambda: "fork")
    assert _analyze.default_workers() == 2
    monkeypatch.setattr(_analyze, "start_method", lambda: "spawn")
    assert _analyze.default_workers() == 1


def test_runnable_now_reads_the_kernel_count() -> None:
    n = _analyze._runnable_now()
    assert n is None or n >= 1  # this process is running while it reads


def test_small_inputs_stay_in_process_whatever_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("started a process pool for a small input")

    monkeypatch.setattr(_analyze, "ProcessPoolExecutor", no_pool)
    data = jsonl(generated(seed=1, n=20))
    assert len(data) <= min(_analyze.IN_PROCESS_MAX_BYTES, _analyze.FORK_IN_PROCESS_MAX_BYTES)
    assert analyze_bytes(data, model="gpt-4o", workers=2).examples == 20


def test_a_worker_that_cannot_start_is_a_dataset_error(many_chunks: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    class CannotStart(LazyPool):
        def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
            fut: Future[Any] = Future()
            fut.set_exception(OSError("spawn failed"))
            return fut

    monkeypatch.setattr(_analyze, "ProcessPoolExecutor", CannotStart)
    with pytest.raises(DatasetError, match=r"could not start \(OSError: spawn failed\)") as err:
        analyze_bytes(many_chunks, model="gpt-4o", workers=2)
    assert "--workers 1" in str(err.value)
