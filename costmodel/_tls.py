"""One TLS context per process for every HTTP client costmodel builds.

httpx2 builds a new ``ssl.SSLContext`` for every client and loads the system's CA bundle into it
(about 30 ms of CPU each time); the launcher builds two SDK clients per launch and one per status
refresh, the latency benchmark one per run. The context is the one httpx2 would build
(``verify=True``, honouring ``SSL_CERT_FILE``/``SSL_CERT_DIR`` as they are at the first call), built
once and shared: an ``SSLContext`` is safe to share between connections and threads.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
from typing import Any

__all__ = ["sdk_http_client", "tls_context"]


@functools.cache
def tls_context() -> ssl.SSLContext:
    import httpx2

    return httpx2.create_ssl_context()


@functools.cache
def _client_class() -> Any:
    import openai

    class SharedTLSClient(openai.DefaultHttpxClient):
        """The SDK's default sync client, closed when garbage-collected (as the SDK's own wrapper)."""

        def __del__(self) -> None:
            if self.is_closed:
                return
            with contextlib.suppress(Exception):  # nothing to report to at collection time
                self.close()

    return SharedTLSClient


def sdk_http_client(**kwargs: Any) -> Any:
    """The openai SDK's default sync HTTP client (its timeouts, limits and redirects) with the shared
    context; pass it as ``http_client`` to ``OpenAI`` or ``AzureOpenAI``."""
    return _client_class()(verify=tls_context(), **kwargs)
