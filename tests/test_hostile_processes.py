"""Issue 14, class 7: processes and pipes.

A signal sent to ``costmodel analyze`` alone (not to its process group) must take its worker
processes and multiprocessing's resource tracker with it, whatever the signal; a reader that closes
the pipe early (``costmodel prices | head -1``) ends the command quietly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COSTMODEL_DB": "/nonexistent-h9/never.db"}

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def descendants(root: int) -> set[int]:
    """Every live process whose parent chain reaches ``root``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            ppid = _ppid(int(entry.name))
            if ppid is not None:
                parents[int(entry.name)] = ppid
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def first_children(proc: subprocess.Popen[bytes], what: str, *, poll_s: float) -> set[int]:
    """The processes under ``proc`` as soon as there are any (waiting up to 60 s); skips the test when
    ``proc`` ends first (the machine was too fast for the file)."""
    kids: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and not kids:
        kids = descendants(proc.pid)
        if not kids:
            time.sleep(poll_s)
    if proc.poll() is not None:
        pytest.skip(f"analyze finished before {what} could be seen (machine too fast for the file)")
    return kids


def still_alive(pids: set[int], timeout_s: float = 15.0) -> list[int]:
    """Those of ``pids`` still alive after up to ``timeout_s`` of waiting for them to go."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(_alive(k) for k in pids):
        time.sleep(0.1)
    return [k for k in pids if _alive(k)]


def _big_dataset(path: Path, lines: int = 130_000) -> Path:  # over 32 MiB: analyze starts workers from there
    row = {
        "messages": [
            {"role": "system", "content": "You answer recipe questions briefly."},
            {"role": "user", "content": "How long do I boil an egg for a soft yolk? " * 4},
            {"role": "assistant", "content": "About six minutes in boiling water, then cold water. " * 4},
        ]
    }
    text = json.dumps(row) + "\n"
    with path.open("w") as f:
        for _ in range(lines):
            f.write(text)
    return path


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _big_dataset(tmp_path_factory.mktemp("hostile") / "big.jsonl")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGHUP, signal.SIGINT])
def test_a_signal_to_analyze_leaves_no_worker_behind(big_file: Path, sig: signal.Signals) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "costmodel", "analyze", str(big_file), "-m", "gpt-4o-mini-2024-07-18", "--workers", "2"],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # a worker (the command forks it: no resource tracker, unlike a spawned one); the main
        # process is a worker too
        kids = first_children(proc, "its workers", poll_s=0.05)
        assert kids, f"expected worker processes under {proc.pid}, saw {kids}"
        time.sleep(0.2)
        kids |= descendants(proc.pid)
        proc.send_signal(sig)
        proc.wait(timeout=30)
        left = still_alive(kids)
        assert left == [], f"{sig.name}: processes left behind: {left}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(
    "argv",
    [
        ["prices"],
        ["prices", "--json"],
        ["analyze", str(ROOT / "data" / "sample" / "recipes.jsonl"), "-m", "gpt-4o-mini-2024-07-18", "--per-example"],
    ],
)
def test_a_closed_pipe_ends_the_command_quietly(argv: list[str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "costmodel", *argv],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader leaves, like `head -1`
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    # 141: the documented code for a closed pipe (128 + SIGPIPE); 0 when everything fitted in the pipe first
    assert code in (0, 141), err
    assert "internal error" not in err and "Traceback" not in err and "BrokenPipe" not in err, err


def test_every_exit_code_main_returns_is_documented_in_help() -> None:
    import inspect
    import re

    from costmodel import cli

    returned = {int(n) for n in re.findall(r"return (\d+)\b", inspect.getsource(cli.main))} | {0, 1, 2}
    documented = {int(n) for n in re.findall(r"^  (\d+) ", cli.EXIT_CODES, re.MULTILINE)}
    assert returned <= documented, returned - documented
    assert {130, 141} <= returned  # the check reads main's source: it would see a new code
