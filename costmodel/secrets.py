"""API keys: where they come from, how they are held, and how they are kept out of text.

A key is resolved, in this order, from an explicit value (a masked field in the dashboard), the
environment (``OPENAI_API_KEY``, ``AZURE_OPENAI_API_KEY``, ``AZURE_OPENAI_AD_TOKEN``, ...) and
Streamlit secrets (a mapping the caller passes in; this module never imports streamlit). The
result is a :class:`Secret`: its ``str``, ``repr`` and ``format`` are masked, it refuses to be
pickled (so it cannot slip into ``st.cache_data`` or a file), and the real value comes out only
through :meth:`Secret.reveal`, which the launcher calls when it builds the SDK client.

Every message built from a provider's error text goes through :func:`redact`, which removes the
given secrets and anything shaped like a key or a bearer token.

>>> key = Secret("sk-test-1234567890abcdef", source="env OPENAI_API_KEY")
>>> str(key)
'sk-…(redacted)'
>>> redact("401: Incorrect API key provided: sk-test-1234567890abcdef", key)
'401: Incorrect API key provided: [REDACTED]'
"""

from __future__ import annotations

import hmac
import logging
import os
import re
from collections.abc import Mapping
from typing import Any, NoReturn

__all__ = [
    "AZURE_AD_TOKEN_ENV",
    "AZURE_API_KEY_ENV",
    "AZURE_API_VERSION_ENV",
    "AZURE_ENDPOINT_ENV",
    "OPENAI_API_KEY_ENV",
    "REDACTED",
    "RedactingFilter",
    "Secret",
    "lookup_setting",
    "redact",
    "resolve_secret",
]

OPENAI_API_KEY_ENV = "OPENAI_API_KEY"
AZURE_API_KEY_ENV = "AZURE_OPENAI_API_KEY"
AZURE_AD_TOKEN_ENV = "AZURE_OPENAI_AD_TOKEN"
AZURE_ENDPOINT_ENV = "AZURE_OPENAI_ENDPOINT"
AZURE_API_VERSION_ENV = "OPENAI_API_VERSION"

REDACTED = "[REDACTED]"

# Shapes of credentials worth removing even when the caller did not pass the secret itself:
# OpenAI keys (sk-..., sk-proj-...), bearer tokens, and "api-key: ..." / "api_key=..." pairs.
_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9_\-\.=+/]{8,}"),
    re.compile(r"(?i)(api[-_]?key[\"']?\s*[:=]\s*[\"']?)[^\s\"',;}&]{4,}"),
)


class Secret:
    """A credential whose text form is masked. ``reveal()`` gives the value to the SDK only."""

    __slots__ = ("_source", "_value")
    _source: str
    _value: str

    def __init__(self, value: str, *, source: str = "explicit") -> None:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("a secret must be a non-empty string")
        object.__setattr__(self, "_value", value.strip())
        object.__setattr__(self, "_source", source)

    @property
    def source(self) -> str:
        """Where the value came from (``env OPENAI_API_KEY``, ``streamlit secrets``, ``explicit``)."""
        return self._source

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        prefix = self._value[:3] if self._value.startswith("sk-") else ""
        return f"{prefix}…(redacted)"

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"Secret({self.masked()!r}, source={self._source!r})"

    def __format__(self, spec: str) -> str:
        return format(self.masked(), spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Secret is immutable")

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled or cached; keep it in memory only")


def _secrets_get(secrets: Mapping[str, Any] | None, name: str) -> Any:
    """``secrets[name]`` tolerant of Streamlit's "no secrets file" behaviour (FileNotFoundError)."""
    if secrets is None:
        return None
    try:
        return secrets.get(name)
    except (FileNotFoundError, KeyError, AttributeError):
        return None
    except Exception as exc:  # streamlit raises its own parse errors for a broken secrets.toml
        logging.getLogger(__name__).warning("cannot read Streamlit secrets: %s", type(exc).__name__)
        return None


def resolve_secret(
    *names: str,
    explicit: str | Secret | None = None,
    env: Mapping[str, str] | None = None,
    secrets: Mapping[str, Any] | None = None,
) -> Secret | None:
    """The first credential found: the explicit value, then each env var in ``names``, then secrets.

    ``env`` defaults to ``os.environ``; ``secrets`` is e.g. ``st.secrets`` (optional). Returns
    ``None`` when nothing is set, so the caller can say which variable to set.

    >>> resolve_secret("OPENAI_API_KEY", env={"OPENAI_API_KEY": "sk-abcdefgh12345"}).source
    'env OPENAI_API_KEY'
    """
    if isinstance(explicit, Secret):
        return explicit
    if isinstance(explicit, str) and explicit.strip():
        return Secret(explicit, source="explicit")
    environ = os.environ if env is None else env
    for name in names:
        value = environ.get(name)
        if value and value.strip():
            return Secret(value, source=f"env {name}")
    for name in names:
        value = _secrets_get(secrets, name)
        if isinstance(value, str) and value.strip():
            return Secret(value, source=f"streamlit secrets {name}")
    return None


def lookup_setting(
    name: str,
    *,
    explicit: str | None = None,
    env: Mapping[str, str] | None = None,
    secrets: Mapping[str, Any] | None = None,
) -> str | None:
    """A non-secret setting (endpoint, API version) from the same three places."""
    if explicit is not None and explicit.strip():
        return explicit.strip()
    environ = os.environ if env is None else env
    value = environ.get(name)
    if value and value.strip():
        return value.strip()
    found = _secrets_get(secrets, name)
    return found.strip() if isinstance(found, str) and found.strip() else None


def redact(text: object, *secrets: Secret | str | None) -> str:
    """``text`` with every given secret and every key-shaped string replaced by ``[REDACTED]``."""
    out = str(text)
    values = sorted(
        {s.reveal() if isinstance(s, Secret) else s for s in secrets if s},
        key=len,
        reverse=True,
    )
    for value in values:
        if len(value) >= 4:
            out = out.replace(value, REDACTED)
    out = _PATTERNS[0].sub(REDACTED, out)
    out = _PATTERNS[1].sub(lambda m: m.group(1) + REDACTED, out)
    out = _PATTERNS[2].sub(lambda m: m.group(1) + REDACTED, out)
    return out


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the given secrets (and key shapes) from every record."""

    def __init__(self, *secrets: Secret | str | None) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, *self._secrets)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        return True
