"""Keys: masked wrapper, resolution order, redaction of provider text and log records."""

from __future__ import annotations

import logging
import pickle

import pytest

from costmodel.secrets import REDACTED, RedactingFilter, Secret, lookup_setting, redact, resolve_secret

KEY = "sk-proj-SECRETVALUE0123456789abcdef"


def test_secret_text_forms_are_masked() -> None:
    s = Secret(KEY, source="env OPENAI_API_KEY")
    for text in (str(s), repr(s), f"{s}", f"{s:>40}", "%s" % s):  # noqa: UP031
        assert KEY not in text and "SECRETVALUE" not in text
    assert s.reveal() == KEY
    assert s.source == "env OPENAI_API_KEY"


def test_secret_cannot_be_pickled_or_changed() -> None:
    s = Secret(KEY)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(s)
    with pytest.raises(AttributeError):
        s._value = "x"  # type: ignore[misc]


def test_secret_equality_compares_values() -> None:
    assert Secret(KEY) == Secret(KEY, source="other")
    assert Secret(KEY) != Secret(KEY + "x")


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_secret_is_refused(blank: str) -> None:
    with pytest.raises(ValueError):
        Secret(blank)


def test_resolution_order_explicit_then_env_then_streamlit_secrets() -> None:
    env = {"OPENAI_API_KEY": "sk-from-env-12345678"}
    secrets = {"OPENAI_API_KEY": "sk-from-secrets-12345678"}
    assert resolve_secret("OPENAI_API_KEY", explicit="sk-typed-12345678", env=env, secrets=secrets).reveal() == (  # type: ignore[union-attr]
        "sk-typed-12345678"
    )
    got = resolve_secret("OPENAI_API_KEY", env=env, secrets=secrets)
    assert got is not None and got.reveal() == "sk-from-env-12345678" and got.source == "env OPENAI_API_KEY"
    got = resolve_secret("OPENAI_API_KEY", env={}, secrets=secrets)
    assert got is not None and got.source == "streamlit secrets OPENAI_API_KEY"
    assert resolve_secret("OPENAI_API_KEY", env={}, secrets={}) is None
    assert resolve_secret("OPENAI_API_KEY", explicit="  ", env={"OPENAI_API_KEY": ""}) is None


def test_streamlit_secrets_without_a_file_count_as_unset() -> None:
    class NoFile(dict):  # st.secrets raises FileNotFoundError when no secrets.toml exists
        def get(self, key, default=None):  # type: ignore[no-untyped-def]
            raise FileNotFoundError("no secrets.toml")

    assert resolve_secret("OPENAI_API_KEY", env={}, secrets=NoFile()) is None
    assert lookup_setting("AZURE_OPENAI_ENDPOINT", env={}, secrets=NoFile()) is None


def test_lookup_setting() -> None:
    env = {"OPENAI_API_VERSION": "2024-10-21"}
    assert lookup_setting("OPENAI_API_VERSION", env=env) == "2024-10-21"
    assert lookup_setting("OPENAI_API_VERSION", explicit="2025-04-01-preview", env=env) == "2025-04-01-preview"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Incorrect API key provided: {KEY}.", f"Incorrect API key provided: {REDACTED}."),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload", f"Authorization: Bearer {REDACTED}"),
        ('{"api-key": "0123456789abcdef0123"}', f'{{"api-key": "{REDACTED}"}}'),
        ("url?api_key=abcdef123456&x=1", f"url?api_key={REDACTED}&x=1"),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_redact_patterns(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_removes_a_given_secret_of_any_shape() -> None:
    odd = Secret("azure0key0without0prefix42")
    assert redact("HTTP 401 for azure0key0without0prefix42", odd) == f"HTTP 401 for {REDACTED}"
    assert redact("plain", None, "") == "plain"


def test_logging_filter_redacts_records(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("costmodel.test_secrets")
    logger.addFilter(RedactingFilter(Secret("azure0key0without0prefix42")))
    try:
        with caplog.at_level(logging.DEBUG, logger="costmodel.test_secrets"):
            logger.warning("calling with %s and %s", "azure0key0without0prefix42", KEY)
    finally:
        logger.filters.clear()
    assert "azure0key0without0prefix42" not in caplog.text and KEY not in caplog.text
    assert caplog.text.count(REDACTED) == 2
