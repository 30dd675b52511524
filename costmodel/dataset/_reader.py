"""Split a byte stream into chunks of whole lines, without holding the stream in memory.

A chunk is at most about ``chunk_bytes`` plus one line. A line longer than
:data:`~costmodel.dataset._lines.MAX_LINE_BYTES` is never held whole: it is skipped up to its
line end and reported as an :class:`OversizedLine`, so memory stays bounded whatever the input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from costmodel.dataset._lines import MAX_LINE_BYTES

DEFAULT_CHUNK_BYTES = 1024 * 1024
"""1 MiB: small enough that the chunks in flight (2 per worker) cost little memory, large enough
that the per-chunk overhead (pickling, scheduling) is negligible."""


@dataclass(frozen=True)
class Chunk:
    data: bytes  # whole lines; ends with b"\n" except at the end of the stream
    first_line: int  # 1-based number of the chunk's first line
    at_file_start: bool
    end_offset: int  # bytes of the stream consumed once this chunk is done


@dataclass(frozen=True)
class OversizedLine:
    line: int
    size: int
    end_offset: int


def iter_chunks(
    read: Callable[[int], bytes],
    *,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> Iterator[Chunk | OversizedLine]:
    """Yield chunks of whole lines (and oversized lines) in stream order."""
    buf = b""
    line = 1
    offset = 0  # bytes read so far
    first = True
    skipping: int | None = None  # size so far of an oversized line being skipped
    while True:
        block = read(chunk_bytes)
        if not block:
            break
        offset += len(block)
        if skipping is not None:
            nl = block.find(b"\n")
            if nl < 0:
                skipping += len(block)
                continue
            yield OversizedLine(line, skipping + nl, offset - len(block) + nl + 1)
            line += 1
            first = False
            skipping = None
            block = block[nl + 1 :]
        buf = buf + block if buf else block
        cut = buf.rfind(b"\n")
        if cut < 0:
            if len(buf) > max_line_bytes:
                skipping = len(buf)
                buf = b""
            continue
        piece, buf = buf[: cut + 1], buf[cut + 1 :]
        yield Chunk(piece, line, first, offset - len(buf))
        line += piece.count(b"\n")
        first = False
    if skipping is not None:
        yield OversizedLine(line, skipping, offset)
    elif buf:
        yield Chunk(buf, line, first, offset)
