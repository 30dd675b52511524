"""Start llama-cpp-python's OpenAI-compatible server on 127.0.0.1 with a tiny random-weight model.

Needs the optional ``llama-cpp-python[server]`` and ``gguf`` packages. Used by
``scripts/llamacpp_bench.py`` and ``tests/test_llamacpp.py``. The server runs with
``--interrupt_requests False``: with the default (True) a new request ends the running stream
early (HTTP 200, one chunk, no ``finish_reason``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

__all__ = ["llamacpp_available", "llamacpp_server"]


def llamacpp_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None and importlib.util.find_spec("gguf") is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def llamacpp_server(
    model_path: Path, *, n_ctx: int = 1024, timeout_s: float = 120.0, log_path: Path | None = None
) -> Iterator[tuple[str, str]]:
    """Yield ``(base_url, model_id)`` of a running ``python -m llama_cpp.server``; stop it afterwards."""
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--interrupt_requests",
        "False",
    ]
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + timeout_s
        model_id = ""
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with code {proc.returncode}: {' '.join(cmd)}")
            try:
                with urllib.request.urlopen(base_url + "/models", timeout=2) as resp:
                    model_id = json.load(resp)["data"][0]["id"]
                break
            except OSError:
                time.sleep(0.3)
        if not model_id:
            raise RuntimeError(f"llama_cpp.server did not answer within {timeout_s} s")
        yield base_url, model_id
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log is not subprocess.DEVNULL:
            log.close()  # type: ignore[union-attr]
