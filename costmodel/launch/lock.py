"""A cross-process lock per launch id: an OS file lock on a file next to the store.

Two ``costmodel launch`` runs, two browser tabs or a Streamlit rerun racing the first run all
open the same lock file; only one holds it at a time. The lock belongs to the open file, so a
killed process releases it at once (no stale lease to expire). POSIX uses ``fcntl.flock``;
Windows uses ``msvcrt.locking`` on the first byte.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from costmodel.errors import LaunchInProgressError
from costmodel.store import Store

__all__ = ["launch_lock", "lock_dir_for"]


def lock_dir_for(conn: Store) -> Path:
    """``<store directory>/locks`` for a file store; the temp directory for an in-memory one."""
    if conn.directory is not None:
        return conn.directory / "locks"
    import tempfile

    return Path(tempfile.gettempdir()) / "costmodel-locks"


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def launch_lock(
    lock_dir: Path,
    launch_id: str,
    *,
    wait_s: float = 30.0,
    poll_s: float = 0.05,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[None]:
    """Hold the lock for ``launch_id``; wait up to ``wait_s`` then raise LaunchInProgressError."""
    lock_dir.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(launch_id.encode()).hexdigest()[:24]
    fd = os.open(lock_dir / f"launch-{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = clock() + wait_s
        while not _try_lock(fd):
            if clock() >= deadline:
                raise LaunchInProgressError(
                    f"launch {launch_id} is being started by another process or tab right now",
                    field="launch_id",
                    hint=f"wait for it to finish, then run `costmodel jobs --launch-id {launch_id}` to see its job",
                )
            sleep(poll_s)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
