"""Lifecycle rows: when a model (base or fine-tuned) can be trained, deployed and served.

``data/lifecycle.csv`` holds dated events, one a row, validated as strictly as ``prices.csv``::

    provider,model,variant,event,date,scope,source_url,reliability,note

* ``model``: a name of the model registry (``data/models.csv``; aliases resolve to the canonical
  name) or ``*`` for every model of that provider and variant.
* ``event`` (takes effect ON ``date``): ``available`` (can be deployed and served from that day),
  ``training_available`` (fine-tuning jobs can be created), ``training_restricted`` (only some
  organisations may still create jobs; ``scope`` says which lose it), ``training_closed`` (nobody
  can create jobs), ``no_new_deployments`` (existing deployments keep running, new ones cannot be
  made), ``retired`` (inference ends).
* ``scope``: words naming who is affected (empty: everyone).
* ``reliability``: ``official``, ``copy_of_official``, ``third_party`` or ``unconfirmed`` (an
  unconfirmed row says in its note how the date was obtained).

A fine-tuned model inherits its base model's retirement unless a fine-tuned row says otherwise
(see :mod:`costmodel.engine.availability`). Two rows with the same provider, model, variant, event
and scope are rejected: a date changes by editing the row, or in a user file, which replaces the
bundled row of the same key (:meth:`Lifecycle.overridden_by`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import ConfigDict, Field, ValidationError, model_validator

from costmodel.errors import CatalogError, UnknownModelError
from costmodel.prices.csvfiles import _blank_to_none, _first_error
from costmodel.prices.rows import (
    DatedAlias,
    Provider,
    Reliability,
    Variant,
    _FieldError,
    _SourcedRow,
    check_grade,
)

if TYPE_CHECKING:
    from costmodel.prices.catalog import Catalog

__all__ = [
    "ANY_MODEL",
    "LIFECYCLE_COLUMNS",
    "Event",
    "Lifecycle",
    "LifecycleKey",
    "LifecycleRow",
    "build_lifecycle",
    "parse_lifecycle_csv",
]

ANY_MODEL = "*"

LIFECYCLE_COLUMNS = ("provider", "model", "variant", "event", "date", "scope", "source_url", "reliability", "note")
_OPTIONAL = ("scope", "note")


class Event(StrEnum):
    AVAILABLE = "available"
    TRAINING_AVAILABLE = "training_available"
    TRAINING_RESTRICTED = "training_restricted"
    TRAINING_CLOSED = "training_closed"
    NO_NEW_DEPLOYMENTS = "no_new_deployments"
    RETIRED = "retired"


_TRAINING_EVENTS = (Event.TRAINING_AVAILABLE, Event.TRAINING_RESTRICTED, Event.TRAINING_CLOSED)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, order=True)
class LifecycleKey:
    provider: Provider
    model: str
    variant: Variant
    event: Event
    scope: str

    def __str__(self) -> str:
        scope = f" [{self.scope}]" if self.scope else ""
        return f"{self.provider}:{self.model}:{self.variant}:{self.event}{scope}"


class LifecycleRow(_SourcedRow):
    """One dated event in the life of a model (base or fine-tuned)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    provider: Provider
    model: Annotated[str, Field(min_length=1)]
    variant: Variant
    event: Event
    date: date
    scope: str = ""
    source_url: str | None = None
    reliability: Reliability
    note: str = ""
    origin: str = "bundled"
    line: int | None = None

    @model_validator(mode="after")
    def _consistent(self) -> LifecycleRow:
        if self.event in _TRAINING_EVENTS and self.variant != Variant.FINE_TUNED:
            raise _FieldError("variant", f"event '{self.event}' concerns fine-tuning: write variant 'fine_tuned'")
        check_grade(self.source_url, self.reliability, self.note, obtained="the date")
        return self

    @property
    def key(self) -> LifecycleKey:
        return LifecycleKey(self.provider, self.model, self.variant, self.event, self.scope.lower())

    def where(self) -> str:
        return f"{self.origin}" + (f" line {self.line}" if self.line else "")

    def describe(self) -> str:
        scope = f" ({self.scope})" if self.scope else ""
        return f"{self.key.provider}:{self.model}:{self.variant} {self.event} on {self.date}{scope}, {self.reliability}"


_FIX = {
    "provider": "use 'openai' or 'azure'",
    "model": "write a model name of data/models.csv (or an alias), or * for every model of the provider",
    "variant": "use 'base' or 'fine_tuned'",
    "event": "use one of " + ", ".join(e.value for e in Event),
    "date": "write the day the event takes effect as YYYY-MM-DD",
    "reliability": "use one of " + ", ".join(r.value for r in Reliability),
    "source_url": "give the https:// address of the source, or grade the row 'unconfirmed' and explain in note",
    "note": "say in the note where the date comes from and why it could not be confirmed",
}


def parse_lifecycle_csv(text: str, *, origin: str) -> list[LifecycleRow]:
    """Parse a lifecycle CSV (model names not yet checked: see :func:`build_lifecycle`)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = header
    doubled = sorted({c for c in header if header.count(c) > 1})
    unknown = [c for c in header if c not in LIFECYCLE_COLUMNS]
    missing = [c for c in LIFECYCLE_COLUMNS if c not in header and c not in _OPTIONAL]
    for cols, message in (
        (doubled, f"column(s) {', '.join(doubled)} appear more than once"),
        (unknown, f"unknown column(s) {', '.join(unknown)}"),
        (missing, f"missing column(s) {', '.join(missing)}"),
    ):
        if cols:
            raise CatalogError(
                message,
                source=origin,
                line=1,
                field=cols[0],
                hint="use the columns " + ", ".join(LIFECYCLE_COLUMNS) + " (scope and note may be left out)",
            )
    rows: list[LifecycleRow] = []
    end_of_previous = reader.line_num
    for raw in reader:
        line = end_of_previous + 1
        end_of_previous = reader.line_num
        if None in raw:
            raise CatalogError(
                "more values than columns", source=origin, line=line, hint="quote values that contain commas"
            )
        data: dict[str, Any] = {k: _blank_to_none(v) for k, v in raw.items()}
        if all(v is None for v in data.values()):
            continue
        data["scope"] = data.get("scope") or ""
        data["note"] = data.get("note") or ""
        try:
            rows.append(LifecycleRow(**data, origin=origin, line=line))
        except ValidationError as exc:
            field, msg = _first_error(exc)
            raise CatalogError(msg, source=origin, line=line, field=field, hint=_FIX.get(field or "")) from None
    return rows


class Lifecycle:
    """Validated lifecycle rows with canonical model names, and the alias map to find them."""

    def __init__(
        self,
        rows: Iterable[LifecycleRow] = (),
        aliases: Mapping[tuple[Provider, str], str] | None = None,
        dated_aliases: Iterable[DatedAlias] = (),
    ):
        self._rows: tuple[LifecycleRow, ...] = tuple(rows)
        self._alias: dict[tuple[Provider, str], str] = dict(aliases or {})
        self._dated_aliases = tuple(dated_aliases)
        seen: dict[LifecycleKey, LifecycleRow] = {}
        for r in self._rows:
            other = seen.get(r.key)
            if other is not None:
                raise CatalogError(
                    f"{r.key} is given twice: {other.date} ({other.where()}) and {r.date} ({r.where()})",
                    source=r.origin,
                    line=r.line,
                    field="event",
                    hint="keep one row per provider, model, variant, event and scope (correct the date in place)",
                )
            seen[r.key] = r

    @property
    def rows(self) -> tuple[LifecycleRow, ...]:
        return self._rows

    def __iter__(self) -> Iterator[LifecycleRow]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def canonical(
        self, provider: Provider, model: str, as_of: date | None = None, variant: Variant = Variant.BASE
    ) -> str:
        """The registry's name of ``model``; with ``as_of``, a moving name (``gpt-4o``) resolves to the
        snapshot it named that day for ``variant`` (``data/aliases.csv``), as the price lookup does."""
        key = model.strip().lower()
        if as_of is not None:
            for a in self._dated_aliases:
                if a.provider == provider and a.variant == variant and a.alias.lower() == key and a.in_force(as_of):
                    return a.model
        return self._alias.get((provider, key), model)

    def rows_for(
        self, provider: Provider, model: str, variant: Variant, as_of: date | None = None
    ) -> tuple[LifecycleRow, ...]:
        """The rows of one model and variant: its own, then the provider-wide ``*`` rows."""
        name = self.canonical(provider, model, as_of, variant)
        own = [r for r in self._rows if r.provider == provider and r.variant == variant and r.model == name]
        star = [r for r in self._rows if r.provider == provider and r.variant == variant and r.model == ANY_MODEL]
        return tuple(sorted(own, key=lambda r: r.date)) + tuple(sorted(star, key=lambda r: r.date))

    def of_model(self, provider: Provider, model: str) -> tuple[LifecycleRow, ...]:
        """Every row naming this model (both variants), oldest first; ``*`` rows not included."""
        name = self.canonical(provider, model)
        return tuple(sorted((r for r in self._rows if r.provider == provider and r.model == name), key=_order))

    def overridden_by(self, user_rows: Sequence[LifecycleRow]) -> Lifecycle:
        """User rows replace bundled rows with the same key; the others are added."""
        replaced = {r.key for r in user_rows}
        return Lifecycle(
            [*(r for r in self._rows if r.key not in replaced), *user_rows], self._alias, self._dated_aliases
        )


def _order(r: LifecycleRow) -> tuple[date, str, int]:
    return (r.date, r.variant.value, list(Event).index(r.event))


def build_lifecycle(rows: Sequence[LifecycleRow], catalog: Catalog, *, base: Lifecycle | None = None) -> Lifecycle:
    """Check every model name against ``catalog``'s registry, write it canonically, reject duplicates.

    With ``base``, the rows override it (a user file over the bundled one).
    """
    aliases: dict[tuple[Provider, str], str] = {}
    for m in catalog.models:
        for name in (m.model, *m.aliases):
            aliases[(m.provider, name.lower())] = m.model
    checked: list[LifecycleRow] = []
    for r in rows:
        if r.model == ANY_MODEL:
            checked.append(r)
            continue
        try:
            name = catalog.canonical_model(r.provider, r.model)
        except UnknownModelError as exc:
            raise CatalogError(
                f"unknown {r.provider} model '{r.model}'",
                source=r.origin,
                line=r.line,
                field="model",
                hint=(exc.hint or _FIX["model"]) + "; or * for every model",
            ) from None
        checked.append(r if name == r.model else r.model_copy(update={"model": name}))
    if base is not None:
        Lifecycle(checked)  # duplicates inside the user file are an error too
        return base.overridden_by(checked)
    return Lifecycle(checked, aliases, catalog.dated_aliases)
