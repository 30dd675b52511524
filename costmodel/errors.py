"""The exception tree of costmodel.

Every error the package raises on purpose is a :class:`CostmodelError`. Messages say what
is wrong, where (file, line, field) and how to fix it, so the CLI and the dashboard can show
them as they are, without a traceback.

::

    CostmodelError
    ├── InputError              bad input from the user: CLI exit code 2, st.error in the app
    │   ├── CatalogError        a price catalogue file or row is invalid
    │   │   └── PriceLookupError    no row, or more than one row, for a price at a date
    │   ├── UnknownModelError   a model name no catalogue or model registry knows
    │   ├── PathSpecError       a path written like ``azure:gpt-35-turbo:ft@standard`` is malformed
    │   ├── ScenarioError       a scenario file or a traffic profile is invalid
    │   └── DatasetError        a training file cannot be read at all
    ├── VocabularyError         a bundled tokenizer vocabulary is missing or corrupted
    ├── StoreError              the local SQLite store cannot be opened or written
    ├── BenchmarkError          a latency benchmark cannot run (bad endpoint settings, ...)
    ├── LaunchError             a fine-tuning launch was refused or failed
    │   ├── BudgetExceededError the estimate is above the user's budget cap
    │   └── LaunchInProgressError   another process holds the launch id's lock
    └── CredentialError         (an InputError) no API key or endpoint set for a provider

Secrets never go into a message: code that builds one from a provider's error text passes it
through :func:`costmodel.secrets.redact` first.
"""

from __future__ import annotations

__all__ = [
    "BenchmarkError",
    "BudgetExceededError",
    "CatalogError",
    "CostmodelError",
    "CredentialError",
    "DatasetError",
    "InputError",
    "LaunchError",
    "LaunchInProgressError",
    "PathSpecError",
    "PriceLookupError",
    "ScenarioError",
    "StoreError",
    "UnknownModelError",
    "VocabularyError",
]


class CostmodelError(Exception):
    """Base class. ``str(err)`` is a complete, human-readable message."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.field = field
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.source:
            where.append(str(self.source))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field '{self.field}'")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.hint:
            text = text.rstrip(".") + ". Fix: " + self.hint
        return text


class InputError(CostmodelError):
    """Input the user can correct. The CLI exits with code 2."""


class CatalogError(InputError):
    """A price catalogue file or row is invalid."""


class PriceLookupError(CatalogError):
    """A price lookup found no row, or more than one, for the date asked."""


class UnknownModelError(InputError):
    """A model name that no catalogue row and no registry entry knows."""


class PathSpecError(InputError):
    """A candidate path string is malformed."""


class ScenarioError(InputError):
    """A scenario file or traffic profile is invalid."""


class DatasetError(InputError):
    """A training file cannot be read at all (problems inside a readable file are not errors)."""


class VocabularyError(CostmodelError):
    """A bundled tokenizer vocabulary is missing or does not match its sha256."""


class StoreError(CostmodelError):
    """The local SQLite store cannot be opened or written."""


class BenchmarkError(CostmodelError):
    """A latency benchmark cannot run."""


class LaunchError(CostmodelError):
    """A fine-tuning launch was refused or failed."""


class BudgetExceededError(LaunchError):
    """The estimated cost is above the budget cap the user set."""


class LaunchInProgressError(LaunchError):
    """Another process (or browser tab) is launching the same launch id right now."""


class CredentialError(InputError):
    """No API key, token or endpoint for the provider; the message names what to set."""
