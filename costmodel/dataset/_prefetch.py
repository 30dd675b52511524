"""Counting a small training file in a forked child while the command loads everything else.

``costmodel analyze`` spends about a quarter of a second importing pydantic and reading the price
catalogue and model registry, and the counting side about as long loading the vocabulary and
building the encoding before it counts anything. Neither needs the other until the end. So the
command (:mod:`costmodel.cli.analyze`) calls :meth:`Prefetch.start` first thing, before those
imports: a forked child builds the encoding of the model's family (by name,
:func:`~costmodel.dataset.tokens.encoding_name_for_model`) and analyses every chunk of the file,
while this process goes on. :func:`~costmodel.dataset.analyze_file` then asks :meth:`Prefetch.take`
for the chunk results with the encoding the model registry names: when it is the one the child
used, they are merged exactly as this process' own would have been (same code, same chunks);
otherwise, or when the child failed, they are dropped and this process counts as usual (and
meets any error itself, with its usual message).

Only for files that are analysed in one process anyway (up to :data:`FORK_IN_PROCESS_MAX_BYTES`)
and only where :func:`start_method` allows a fork. This module imports nothing heavy (no
pydantic, no catalogue): that is its point.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from typing import TYPE_CHECKING, BinaryIO, Literal, TypeAlias

from costmodel.errors import CostmodelError

if TYPE_CHECKING:  # pragma: no cover
    from costmodel.dataset._lines import ChunkResult
    from costmodel.dataset._reader import Chunk, OversizedLine

# Nothing else is imported before the fork: the child imports the counting modules and tiktoken
# itself, while this process imports pydantic and the catalogue.

__all__ = ["FORK_IN_PROCESS_MAX_BYTES", "Prefetch", "start_method"]

FORK_IN_PROCESS_MAX_BYTES = 8 * 1024 * 1024
"""Inputs up to this size are analysed in one process when workers would be forked.

A forked worker starts in milliseconds with the encoding already built, so only the pool itself
(queues, a management thread, the chunks sent through a pipe) and the shorter run decide.
Measured whole-command (``costmodel analyze``, 2-CPU machine at a load average of 3.5 to 5):
on 2.6 MB (1,000 examples) a second process gained nothing (0.56 to 1.17 s against 0.60 to
0.76 s alone); on 255 MB it cut the run from 15.6-19.2 s to 11.0-13.6 s for 5% more CPU."""

Results: TypeAlias = "list[tuple[Chunk | OversizedLine, ChunkResult | None]]"

_STARTED_BEFORE = False  # a child was forked in this process already (see Prefetch.start)


def start_method() -> Literal["fork", "spawn"]:
    """How worker processes start: ``fork`` when this process may (POSIX) and runs no other
    thread, else ``spawn``.

    A forked worker starts with this process' memory, the encoding already built in it: it
    costs a few milliseconds instead of a new interpreter, its imports, the vocabulary load and
    the encoding build (about 0.5 to 1 s of CPU each; measured with ``benchmarks/bench_analyze.py``).
    Forking a process that runs other threads (the dashboard's server) may copy a lock another
    thread holds and hang the child: such callers get ``spawn``.
    """
    if threading.active_count() == 1 and hasattr(os, "fork"):  # POSIX: multiprocessing offers "fork" there
        return "fork"
    return "spawn"


class Prefetch:
    """A forked child analysing a whole file with a guessed encoding (see the module docstring)."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self._fd: int | None = fd

    @classmethod
    def start(cls, path: str | os.PathLike[str], *, model: str, workers: int | None = None) -> Prefetch | None:
        """Fork the child for ``path``, or ``None`` when it would not help or cannot be done:
        a file over :data:`FORK_IN_PROCESS_MAX_BYTES` (worker processes count it) unless
        ``workers`` is 1, a file that cannot be opened (the analysis reports it), no fork,
        another thread running, the encoding already built in this process, or a child started
        before in this process (a process that analyses twice builds the encoding itself, once,
        and keeps it). The child picks
        the encoding by the model's name and ends at once for a model of no known family (the
        registry decides then)."""
        global _STARTED_BEFORE
        if start_method() != "fork" or (workers is not None and workers < 1):
            return None
        if _STARTED_BEFORE:
            # A second analysis in this process (a script, the tests): its encoding is built here
            # once and kept, instead of in a new child each time (whose encoding dies with it).
            return None
        tokens = sys.modules.get("costmodel.dataset.tokens")
        if tokens is not None:  # an earlier analysis in this process (a script, a test) may have built it
            try:
                if tokens.is_built(tokens.encoding_name_for_model(model)):
                    return None  # cached here: counting here costs no load or build
            except CostmodelError:
                return None  # no known family: the registry decides, and this process counts
        from costmodel.validate import open_user_file

        try:
            fh, size = open_user_file(path)
        except CostmodelError:
            return None  # the analysis itself reports the problem, with its own message
        with fh:
            if size > FORK_IN_PROCESS_MAX_BYTES and workers != 1:
                return None
            parent = os.getpid()
            _STARTED_BEFORE = True
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: never returns
                os.close(r)
                _child(fh, w, model, parent)
        os.close(w)
        return cls(pid, r)

    def take(self, encoding_name: str) -> Results | None:
        """The child's chunk results if it counted with ``encoding_name`` and succeeded, else
        ``None`` (the caller counts). Waits for the child when its encoding is the right one;
        ends it either way."""
        if self._fd is None:
            return None
        with os.fdopen(os.dup(self._fd), "rb") as f:
            used = f.readline().decode("ascii", "replace").strip()  # the encoding, written first
            if used != encoding_name:
                self.close()
                return None
            data = f.read()
        fd, self._fd = self._fd, None
        os.close(fd)
        _, status = os.waitpid(self.pid, 0)
        if status != 0 or not data:
            return None
        results: Results = pickle.loads(data)  # written by our own fork, just now
        return results

    def close(self) -> None:
        """End the child if its results were not taken (idempotent)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.close(fd)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _child(fh: BinaryIO, w: int, model: str, parent: int) -> None:
    """Write the encoding guessed from ``model``'s name (one line), then analyse every chunk of
    ``fh`` as :func:`costmodel.dataset._analyze._run` does in one process and write the pickled
    results to ``w``; exit without running any of the parent's clean-up (``os._exit``: no atexit
    handler, no second flush of the parent's buffers)."""
    code = 1
    try:
        from costmodel._orphan import die_with_parent

        die_with_parent(parent)
        from costmodel.dataset import _lines, _reader
        from costmodel.dataset._reader import Chunk, OversizedLine
        from costmodel.dataset.tokens import encoding_name_for_model

        encoding_name = encoding_name_for_model(model)  # UnknownModelError: no count (the registry decides)
        with os.fdopen(w, "wb") as out:
            out.write(encoding_name.encode("ascii") + b"\n")
            out.flush()
            results: Results = []
            listed: dict[str, int] = {}  # problems kept so far per code, in file order
            # module constants read now, as the analysis reads them (tests lower them)
            for part in _reader.iter_chunks(
                fh.read, chunk_bytes=_reader.DEFAULT_CHUNK_BYTES, max_line_bytes=_lines.MAX_LINE_BYTES
            ):
                if isinstance(part, OversizedLine):
                    results.append((part, None))
                    continue
                result = _lines.analyze_chunk(
                    part.data, part.first_line, at_file_start=part.at_file_start, encoding_name=encoding_name
                )
                # only the first MAX_DETAILS_PER_CODE of a code in the file can be listed (the merge
                # keeps those, counting the rest): the others are dropped here, so a file of errors
                # costs no more memory than when this process streams it (counts stay complete)
                kept = []
                for problem in result.problems:
                    n = listed.get(problem[2], 0)
                    if n < _lines.MAX_DETAILS_PER_CODE:
                        listed[problem[2]] = n + 1
                        kept.append(problem)
                result.problems = kept
                results.append((Chunk(b"", part.first_line, part.at_file_start, part.end_offset), result))
            out.write(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    except BaseException:  # any failure: the parent counts itself and meets the error there
        code = 1
    finally:
        os._exit(code)
