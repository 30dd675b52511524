"""The SDK side of a launch: the client for a provider's settings, and what its errors mean.

:func:`make_client` is the only code that sees a credential's value. The SDK's own retries stay on
for reads (GET is safe) and are switched off for the two POSTs (upload, create), because the SDK
sends no idempotency key: :func:`is_transient` and :func:`retry_delay` decide the launcher's own
retries, after it has searched the server for what a failed POST may have created.
"""

from __future__ import annotations

from collections.abc import Callable

import openai
from openai import OpenAI

from costmodel._tls import sdk_http_client
from costmodel.launch.plan import ProviderSettings
from costmodel.prices import Provider
from costmodel.secrets import AZURE_AD_TOKEN_ENV, AZURE_API_KEY_ENV, OPENAI_API_KEY_ENV, Secret, redact

__all__ = ["ClientFactory", "credential_hint", "describe_error", "is_transient", "make_client", "retry_delay"]

ClientFactory = Callable[[ProviderSettings, Secret, int], OpenAI]

_MAX_SERVER_DELAY_S = 60.0


def make_client(settings: ProviderSettings, credential: Secret, max_retries: int) -> OpenAI:
    """The SDK client for ``settings``. Only this function sees the credential's value."""
    timeout = settings.timeout_s
    if settings.provider == Provider.OPENAI or settings.base_url is not None:
        # OpenAI, or Azure's v1 endpoint (/openai/v1/, opt-in since August 2025) through the plain client
        return OpenAI(
            api_key=credential.reveal(),
            base_url=settings.api_root,
            max_retries=max_retries,
            timeout=timeout,
            http_client=sdk_http_client(),
        )
    endpoint = settings.azure_endpoint or ""
    if settings.azure_auth == "entra_token":
        return openai.AzureOpenAI(
            azure_endpoint=endpoint,
            api_version=settings.effective_api_version,
            azure_ad_token=credential.reveal(),
            max_retries=max_retries,
            timeout=timeout,
            http_client=sdk_http_client(),
        )
    return openai.AzureOpenAI(
        azure_endpoint=endpoint,
        api_version=settings.effective_api_version,
        api_key=credential.reveal(),
        max_retries=max_retries,
        timeout=timeout,
        http_client=sdk_http_client(),
    )


def credential_hint(settings: ProviderSettings) -> str:
    if settings.provider == Provider.OPENAI:
        return f"set {OPENAI_API_KEY_ENV} (or OPENAI_API_KEY in .streamlit/secrets.toml, or the masked field)"
    if settings.azure_auth == "entra_token":
        return f"set {AZURE_AD_TOKEN_ENV} (an Entra ID token for Cognitive Services)"
    return f"set {AZURE_API_KEY_ENV} and AZURE_OPENAI_ENDPOINT (or the same names in .streamlit/secrets.toml)"


def is_transient(exc: Exception) -> bool:
    """A failure worth another attempt: connection, timeout, 408, 409, 429 or 5xx."""
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def describe_error(exc: Exception, credential: Secret) -> str:
    """A short, redacted description of an SDK error (status and the provider's message)."""
    if isinstance(exc, openai.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else None
        message = body.get("message") if body else None
        text = f"HTTP {exc.status_code}: {message or exc.message}"
    elif isinstance(exc, openai.APITimeoutError):
        text = "the request timed out"
    elif isinstance(exc, openai.APIConnectionError):
        text = "the connection failed or was dropped"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return redact(text, credential)


def retry_delay(exc: Exception, attempt: int) -> float:
    """Server-requested delay (retry-after) when sane, else 0.5 s x 2^attempt capped at 8 s."""
    if isinstance(exc, openai.APIStatusError):
        for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
            raw: str | None = exc.response.headers.get(header)
            if raw is None:
                continue
            try:
                seconds = float(raw) / divisor
            except ValueError:
                continue
            if 0 <= seconds <= _MAX_SERVER_DELAY_S:
                return seconds
    return float(min(8.0, 0.5 * 2**attempt))
