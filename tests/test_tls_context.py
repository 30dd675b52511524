"""Every HTTP client costmodel builds shares one TLS context (costmodel/_tls.py) instead of loading
the CA bundle again (about 30 ms each): the launcher's SDK clients, the benchmark's and Azure's."""

from __future__ import annotations

import ssl

import httpx2

from costmodel._tls import sdk_http_client, tls_context
from costmodel.latency.client import EndpointConfig
from costmodel.latency.client import make_client as latency_client
from costmodel.launch.client import make_client as launch_client
from costmodel.launch.plan import ProviderSettings
from costmodel.secrets import Secret


def _context_of(http: httpx2.Client | httpx2.AsyncClient) -> ssl.SSLContext:
    pool = http._transport._pool  # type: ignore[union-attr]  # httpx2's default transport
    return pool._ssl_context  # type: ignore[no-any-return]


def test_one_context_built_once_and_verifying() -> None:
    ctx = tls_context()
    assert ctx is tls_context()
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert ctx.cert_store_stats()["x509_ca"] > 0  # the CA bundle is loaded


def test_the_launchers_sdk_clients_share_it() -> None:
    key = Secret("sk-test-0000000000000000", source="test")
    openai_settings = ProviderSettings(provider="openai", base_url="http://127.0.0.1:9/v1")
    azure_settings = ProviderSettings(
        provider="azure", azure_endpoint="https://x.openai.azure.com", api_version="2024-10-21"
    )
    for settings in (openai_settings, azure_settings):
        client = launch_client(settings, key, 2)
        assert _context_of(client._client) is tls_context()
        assert client.max_retries == 2
        client.close()


def test_the_benchmark_client_shares_it() -> None:
    endpoint = EndpointConfig(base_url="http://127.0.0.1:9/v1", model="m")
    client = latency_client(endpoint, "k")
    assert _context_of(client._client) is tls_context()


def test_an_unclosed_sdk_client_is_closed_when_collected() -> None:
    http = sdk_http_client()
    assert not http.is_closed
    http.__del__()  # what garbage collection calls
    assert http.is_closed
    http.__del__()  # twice is harmless
