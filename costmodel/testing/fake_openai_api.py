"""A local fake of the OpenAI and Azure OpenAI files and fine-tuning HTTP API, for tests.

It listens on 127.0.0.1 only and keeps everything in memory. The real ``openai`` SDK talks to it
unchanged (``OpenAI(base_url=server.openai_base_url)``, ``AzureOpenAI(azure_endpoint=server.url,
api_version=...)`` or the Azure v1 base URL), so the launcher is tested through the same code path
it uses against the real services.

Routes, under three prefixes:

* ``/v1/...`` OpenAI: ``Authorization: Bearer <key>`` required.
* ``/openai/...`` Azure OpenAI (versioned): ``api-version`` query parameter and an ``api-key``
  header (or ``Authorization: Bearer <Entra token>``) required; job ``metadata`` is dropped
  (undocumented on Azure) unless ``azure_keeps_metadata``; ``trainingType`` is checked;
  ``suffix`` is limited to 18 characters and echoed on the job.
* ``/openai/v1/...`` Azure v1 endpoint: no ``api-version``; ``api-key`` or bearer.

Endpoints: ``POST/GET /files``, ``GET /files/{id}``, ``POST/GET /fine_tuning/jobs`` (list
filtered by ``metadata[k]=v``), ``GET /fine_tuning/jobs/{id}``, ``GET .../events``,
``GET .../checkpoints``, ``POST .../cancel``. A job moves ``validating_files -> queued ->
running -> succeeded`` on the fake's clock (durations are settings); on success it reports
``trained_tokens`` (epochs x one token per 4 bytes of each example line, or a fixed override),
``fine_tuned_model``, checkpoints and events. A training file with fewer than 10 examples fails
the job, as the real service does.

Fault injection (:meth:`FakeOpenAIServer.add_fault`) targets a route name such as
``files.create`` or ``jobs.create``: ``error_before`` (answer ``status`` without doing anything,
e.g. 429 with ``retry-after``), ``error_after`` (do the work, then answer 500), ``drop_before``
(read part of the body and close the connection: a dropped upload), ``drop_after`` (do the work,
then close without answering) and ``delay_after`` (do the work, then wait ``delay_s`` before
answering, so a client timeout fires after the job exists).

Every request is recorded (method, path with query, route, header *names*, whether credentials
were present) and can be counted; header values and keys are never recorded or printed. Control
routes for out-of-process use: ``GET /_fake/health``, ``GET /_fake/requests``, ``POST
/_fake/faults`` (JSON fault), ``POST /_fake/reset``.

Run it alone with ``python -m costmodel.testing.fake_openai_api --port 8765``.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from typing import Any

from costmodel.testing.fake_openai_http import FakeHTTPServer, FakeRequestHandler
from costmodel.testing.fake_openai_state import AZURE_TRAINING_TYPES, FakeState, Fault, RecordedRequest

__all__ = ["FakeOpenAIServer", "Fault", "RecordedRequest", "main"]


class FakeOpenAIServer:
    """The fake, startable in a thread: ``with FakeOpenAIServer() as fake: ... fake.openai_base_url``."""

    def __init__(
        self,
        *,
        port: int = 0,
        expected_key: str | None = None,
        clock: Callable[[], float] = time.time,
        validate_s: float = 0.0,
        queue_s: float = 0.0,
        run_s: float = 0.0,
        file_process_s: float = 0.0,
        trained_tokens_override: int | None = None,
        azure_keeps_metadata: bool = False,
        azure_training_types: tuple[str, ...] = AZURE_TRAINING_TYPES,
    ) -> None:
        self.state = FakeState(
            clock=clock,
            expected_key=expected_key,
            validate_s=validate_s,
            queue_s=queue_s,
            run_s=run_s,
            file_process_s=file_process_s,
            trained_tokens_override=trained_tokens_override,
            azure_keeps_metadata=azure_keeps_metadata,
            azure_training_types=azure_training_types,
        )
        self._httpd = FakeHTTPServer(("127.0.0.1", port), FakeRequestHandler)
        self._httpd.state = self.state
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> FakeOpenAIServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Root URL; also the Azure endpoint (``AzureOpenAI(azure_endpoint=fake.url)``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return self.url + "/v1"

    @property
    def azure_v1_base_url(self) -> str:
        return self.url + "/openai/v1/"

    # -- inspection and faults -----------------------------------------------------------------
    def add_fault(self, route: str, kind: str, **kwargs: Any) -> None:
        with self.state.lock:
            self.state.faults.append(Fault(route=route, kind=kind, **kwargs))

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.state.lock:
            return list(self.state.requests)

    def count(self, route: str, *, flavor: str | None = None) -> int:
        return sum(1 for r in self.requests if r.route == route and (flavor is None or r.flavor == flavor))

    def jobs(self, flavor: str | None = None) -> list[dict[str, Any]]:
        with self.state.lock:
            return [self.state.job_view(j) for j in self.state.jobs.values() if flavor is None or j.flavor == flavor]

    def files(self, flavor: str | None = None) -> list[dict[str, Any]]:
        with self.state.lock:
            return [self.state.file_view(f) for f in self.state.files.values() if flavor is None or f.flavor == flavor]

    def file_bytes(self, file_id: str) -> bytes:
        with self.state.lock:
            return self.state.files[file_id].data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fake OpenAI / Azure OpenAI fine-tuning API on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--validate-s", type=float, default=1.0)
    parser.add_argument("--queue-s", type=float, default=1.0)
    parser.add_argument("--run-s", type=float, default=3.0)
    parser.add_argument("--file-process-s", type=float, default=0.5)
    parser.add_argument("--trained-tokens", type=int, default=None)
    args = parser.parse_args(argv)
    server = FakeOpenAIServer(
        port=args.port,
        validate_s=args.validate_s,
        queue_s=args.queue_s,
        run_s=args.run_s,
        file_process_s=args.file_process_s,
        trained_tokens_override=args.trained_tokens,
    )
    print(f"fake OpenAI API on {server.url} (OpenAI base URL {server.openai_base_url})", flush=True)
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._httpd.server_close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
