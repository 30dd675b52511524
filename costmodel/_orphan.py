"""Worker processes that die with their parent, whatever signal ended it.

A ``ProcessPoolExecutor`` shuts its workers down only when the parent exits normally (or on
SIGINT, which every process of the group receives). SIGTERM or SIGKILL sent to the parent alone
would leave the workers (and multiprocessing's resource tracker, which waits for them) running
with parent 1. Pass :func:`die_with_parent` as the pool's ``initializer`` with the parent's pid::

    ProcessPoolExecutor(n, mp_context=ctx, initializer=die_with_parent, initargs=(os.getpid(),))

On Linux the kernel delivers SIGKILL to the worker the moment its parent dies
(``PR_SET_PDEATHSIG``); everywhere a daemon thread also polls the parent pid twice a second and
ends the worker when it changed (re-parented to init or a subreaper).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1
_POLL_S = 0.5


def _set_pdeathsig() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # no libc prctl: the polling thread still covers it
        return


def _watch(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(1)
        time.sleep(_POLL_S)


_watching: set[int] = set()


def die_with_parent(parent_pid: int) -> None:
    """Make the calling process end when ``parent_pid`` is no longer its parent (idempotent)."""
    if parent_pid in _watching:
        return
    _watching.add(parent_pid)
    _set_pdeathsig()
    if os.getppid() != parent_pid:  # the parent died before we got here
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid,), name="die-with-parent", daemon=True).start()
