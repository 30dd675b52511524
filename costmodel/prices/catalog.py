"""The dated, sourced price catalogue and the model registry.

A price is a :class:`PriceRow`: one amount for one (provider, model, variant, kind, tier) in
one validity window ``[effective_from, effective_to)``. A price changes by closing the old row
and adding a new one, so history survives. Every row carries its unit, a source URL and a
reliability grade; rows nobody could source are graded ``unconfirmed`` and say so in the note.

:meth:`Catalog.lookup` takes an "as of" date and returns exactly one row, or raises
:class:`~costmodel.errors.PriceLookupError` naming the rows it saw.

The bundled files are ``data/prices.csv`` and ``data/models.csv`` at the top of the project.
A user catalogue in the same CSV format overrides the bundled one with
:meth:`Catalog.overridden_by`: a user row replaces the part of every bundled row with the same
key whose window it overlaps.

Tiers, by provider:

* ``openai``: ``standard``, ``batch``, ``data_sharing``, ``batch_data_sharing``.
* ``azure``: ``standard`` (Regional Standard deployment, Regional training), ``global``
  (Global Standard deployment, Global training), ``developer`` (Developer deployment and
  training), ``provisioned`` (Regional PTU), ``batch`` (Global Batch deployment).
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from costmodel.errors import CatalogError, InputError, PriceLookupError, UnknownModelError
from costmodel.money import parse_decimal

__all__ = [
    "DATA_DIR",
    "TIERS",
    "Catalog",
    "Kind",
    "ModelInfo",
    "PriceKey",
    "PriceRow",
    "Provider",
    "Reliability",
    "Unit",
    "Variant",
    "bundled_catalog",
    "lowest_reliability",
]

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"


class Provider(StrEnum):
    OPENAI = "openai"
    AZURE = "azure"


class Variant(StrEnum):
    BASE = "base"
    FINE_TUNED = "fine_tuned"


class Kind(StrEnum):
    TRAINING = "training"  # per 1M training tokens (x epochs)
    TRAINING_HOURLY = "training_hourly"  # Azure before mid-2024: per compute hour
    RFT_TRAINING = "rft_training"  # reinforcement fine-tuning: per core training hour
    RFT_JOB_CAP = "rft_job_cap"  # Azure: billing cap per RFT job
    INPUT = "input"
    CACHED_INPUT = "cached_input"
    OUTPUT = "output"
    HOSTING = "hosting"  # per deployed hour
    PTU_HOUR = "ptu_hour"  # per provisioned-throughput unit and hour


class Unit(StrEnum):
    USD_PER_1M_TOKENS = "usd_per_1m_tokens"
    USD_PER_HOUR = "usd_per_hour"
    USD_PER_JOB = "usd_per_job"


class Reliability(StrEnum):
    """Grades, best first. A derived figure carries the lowest grade of its inputs."""

    OFFICIAL = "official"
    COPY_OF_OFFICIAL = "copy_of_official"
    THIRD_PARTY = "third_party"
    UNCONFIRMED = "unconfirmed"

    @property
    def rank(self) -> int:
        return list(Reliability).index(self)


def lowest_reliability(grades: Iterable[Reliability]) -> Reliability:
    """The worst of the grades (``official`` when there are none)."""
    return max(grades, key=lambda g: g.rank, default=Reliability.OFFICIAL)


TIERS: dict[Provider, tuple[str, ...]] = {
    Provider.OPENAI: ("standard", "batch", "data_sharing", "batch_data_sharing"),
    Provider.AZURE: ("standard", "global", "developer", "provisioned", "batch"),
}

UNIT_OF_KIND: dict[Kind, Unit] = {
    Kind.TRAINING: Unit.USD_PER_1M_TOKENS,
    Kind.TRAINING_HOURLY: Unit.USD_PER_HOUR,
    Kind.RFT_TRAINING: Unit.USD_PER_HOUR,
    Kind.RFT_JOB_CAP: Unit.USD_PER_JOB,
    Kind.INPUT: Unit.USD_PER_1M_TOKENS,
    Kind.CACHED_INPUT: Unit.USD_PER_1M_TOKENS,
    Kind.OUTPUT: Unit.USD_PER_1M_TOKENS,
    Kind.HOSTING: Unit.USD_PER_HOUR,
    Kind.PTU_HOUR: Unit.USD_PER_HOUR,
}

CSV_COLUMNS = (
    "provider",
    "model",
    "variant",
    "kind",
    "unit",
    "tier",
    "amount",
    "effective_from",
    "effective_to",
    "date_confirmed",
    "source_url",
    "reliability",
    "note",
)

_STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _FieldError(ValueError):
    """A ValueError raised by a whole-row check that still belongs to one field (for messages)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, order=True)
class PriceKey:
    provider: Provider
    model: str
    variant: Variant
    kind: Kind
    tier: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}:{self.variant}:{self.kind}@{self.tier}"


MAX_AMOUNT_USD = Decimal(1_000_000)


class PriceRow(BaseModel):
    """One price in one validity window. ``effective_to`` is exclusive; ``None`` means open."""

    model_config = _STRICT

    provider: Provider
    model: Annotated[str, Field(min_length=1)]
    variant: Variant
    kind: Kind
    unit: Unit
    tier: Annotated[str, Field(min_length=1)]
    # At most a million dollars per unit (the bundled maximum is a $5,000 job cap): keeps every cost
    # computed from a row within Decimal's 28 digits.
    amount: Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT_USD)] | None
    effective_from: date
    effective_to: date | None = None
    date_confirmed: bool = True
    source_url: str | None = None
    reliability: Reliability
    note: str = ""
    origin: str = "bundled"  # file name the row came from, and its line: for messages
    line: int | None = None

    @field_validator("effective_from", "effective_to", mode="before")
    @classmethod
    def _iso_date(cls, v: object) -> object:
        # pydantic alone also takes datetimes ("2024-01-01T00:00"); a catalogue date is a plain day
        if isinstance(v, str) and not _ISO_DATE.match(v.strip()):
            raise ValueError(f"{v!r} is not a date written YYYY-MM-DD")
        return v

    @field_validator("source_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not v.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or be empty for an unconfirmed row)")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> PriceRow:
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise _FieldError(
                "effective_to",
                f"effective_to ({self.effective_to}) must be after effective_from ({self.effective_from})",
            )
        if self.tier not in TIERS[self.provider]:
            raise _FieldError(
                "tier",
                f"tier '{self.tier}' is not a {self.provider} tier; use one of {', '.join(TIERS[self.provider])}",
            )
        want = UNIT_OF_KIND[self.kind]
        if self.unit != want:
            raise _FieldError("unit", f"kind '{self.kind}' is priced in '{want}', not '{self.unit}'")
        if self.source_url is None and self.reliability != Reliability.UNCONFIRMED:
            raise _FieldError("source_url", "a row without source_url must have reliability 'unconfirmed'")
        if self.reliability == Reliability.UNCONFIRMED and not self.note:
            raise _FieldError("note", "an unconfirmed row must say in its note how the figure was obtained")
        return self

    @property
    def key(self) -> PriceKey:
        return PriceKey(self.provider, self.model, self.variant, self.kind, self.tier)

    def in_force(self, as_of: date) -> bool:
        return self.effective_from <= as_of and (self.effective_to is None or as_of < self.effective_to)

    def window(self) -> str:
        end = self.effective_to.isoformat() if self.effective_to else "open"
        return f"[{self.effective_from.isoformat()}, {end})"

    def describe(self) -> str:
        amount = "no published figure" if self.amount is None else f"{self.amount} {self.unit}"
        where = f" ({self.origin}" + (f" line {self.line}" if self.line else "") + ")"
        return f"{self.key} {self.window()} = {amount}, {self.reliability}{where}"


class ModelInfo(BaseModel):
    """What the registry knows of a model name: aliases, tokenizer, training context."""

    model_config = _STRICT

    provider: Provider
    model: str
    aliases: tuple[str, ...] = ()
    fine_tunable: bool = False
    encoding: Literal["o200k_base", "cl100k_base"]
    training_context_tokens: int | None = None
    note: str = ""


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _parse_bool(value: str | None, default: bool) -> bool:
    v = (value or "").strip().lower()
    if not v:
        return default
    if v in ("true", "yes", "1"):
        return True
    if v in ("false", "no", "0"):
        return False
    raise ValueError(f"{value!r} is not true or false")


def _first_error(err: ValidationError) -> tuple[str | None, str]:
    first = err.errors()[0]
    # the top-level field only: a union such as "Decimal | None" adds a member name to the location
    field = str(first["loc"][0]) if first["loc"] else None
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, _FieldError):
        field = cause.field
    msg = first["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return field, msg


_FIX = {
    "amount": "write a non-negative decimal such as 0.40, at most 1000000 (or leave it empty when no figure is "
    "published)",
    "effective_from": "write the date as YYYY-MM-DD",
    "effective_to": "write the date as YYYY-MM-DD after effective_from, or leave it empty for an open window",
    "provider": "use 'openai' or 'azure'",
    "variant": "use 'base' or 'fine_tuned'",
    "kind": "use one of " + ", ".join(k.value for k in Kind),
    "unit": "use one of " + ", ".join(u.value for u in Unit),
    "reliability": "use one of " + ", ".join(r.value for r in Reliability),
    "source_url": "give the https:// address of the source, or grade the row 'unconfirmed' and explain in note",
    "tier": "use a tier of the row's provider: " + "; ".join(f"{p.value}: {', '.join(t)}" for p, t in TIERS.items()),
    "model": "write the model name as the provider spells it, e.g. gpt-4o-mini-2024-07-18",
    "note": "say in the note where the figure comes from and why it could not be confirmed",
}


def parse_price_csv(text: str, *, origin: str) -> list[PriceRow]:
    """Parse a catalogue CSV. Errors name the file, the line and the field."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = header
    unknown = [c for c in header if c not in CSV_COLUMNS]
    doubled = sorted({c for c in header if header.count(c) > 1})
    if doubled:
        raise CatalogError(
            f"column(s) {', '.join(doubled)} appear more than once",
            source=origin,
            line=1,
            field=doubled[0],
            hint="keep one of each column: " + ", ".join(CSV_COLUMNS),
        )
    missing = [c for c in CSV_COLUMNS if c not in header and c not in ("date_confirmed", "note", "source_url")]
    if unknown:
        raise CatalogError(
            f"unknown column(s) {', '.join(unknown)}",
            source=origin,
            line=1,
            field=unknown[0],
            hint="use exactly the columns " + ", ".join(CSV_COLUMNS),
        )
    if missing:
        raise CatalogError(
            f"missing column(s) {', '.join(missing)}",
            source=origin,
            line=1,
            field=missing[0],
            hint="use exactly the columns " + ", ".join(CSV_COLUMNS),
        )
    rows: list[PriceRow] = []
    end_of_previous = reader.line_num
    for raw in reader:
        line = end_of_previous + 1  # first line of the record (a quoted value may span lines)
        end_of_previous = reader.line_num
        if None in raw:
            raise CatalogError(
                "more values than columns", source=origin, line=line, hint="quote values that contain commas"
            )
        data: dict[str, Any] = {k: _blank_to_none(v) for k, v in raw.items()}
        if all(v is None for v in data.values()):
            continue
        try:
            if data.get("amount") is not None:
                try:
                    data["amount"] = parse_decimal(data["amount"])
                except ValueError as exc:
                    raise CatalogError(
                        str(exc), source=origin, line=line, field="amount", hint=_FIX["amount"]
                    ) from None
            try:
                data["date_confirmed"] = _parse_bool(data.get("date_confirmed"), True)
            except ValueError as exc:
                raise CatalogError(
                    str(exc), source=origin, line=line, field="date_confirmed", hint="true or false"
                ) from None
            data["note"] = data.get("note") or ""
            rows.append(PriceRow(**data, origin=origin, line=line))
        except ValidationError as exc:
            field, msg = _first_error(exc)
            raise CatalogError(msg, source=origin, line=line, field=field, hint=_FIX.get(field or "")) from None
    return rows


def parse_models_csv(text: str, *, origin: str) -> list[ModelInfo]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    out: list[ModelInfo] = []
    for raw in reader:
        line = reader.line_num
        data: dict[str, Any] = {k: _blank_to_none(v) for k, v in raw.items()}
        try:
            data["aliases"] = tuple(a.strip() for a in (data.get("aliases") or "").split(";") if a.strip())
            data["fine_tunable"] = _parse_bool(data.get("fine_tunable"), False)
            data["note"] = data.get("note") or ""
            out.append(ModelInfo(**data))
        except (ValidationError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                field, msg = _first_error(exc)
            else:
                field, msg = None, str(exc)
            raise CatalogError(msg, source=origin, line=line, field=field) from None
    return out


def find_overlaps(rows: Sequence[PriceRow]) -> list[tuple[PriceRow, PriceRow]]:
    """Pairs of rows with the same key whose windows overlap."""
    by_key: dict[PriceKey, list[PriceRow]] = {}
    for r in rows:
        by_key.setdefault(r.key, []).append(r)
    clashes: list[tuple[PriceRow, PriceRow]] = []
    for group in by_key.values():
        group = sorted(group, key=lambda r: r.effective_from)
        for a, b in itertools.pairwise(group):
            if a.effective_to is None or b.effective_from < a.effective_to:
                clashes.append((a, b))
    return clashes


class Catalog:
    """An immutable set of price rows plus the model registry, with as-of lookups."""

    def __init__(self, rows: Iterable[PriceRow], models: Iterable[ModelInfo] = ()) -> None:
        self._rows: tuple[PriceRow, ...] = tuple(rows)
        self._models: tuple[ModelInfo, ...] = tuple(models)
        clashes = find_overlaps(self._rows)
        if clashes:
            a, b = clashes[0]
            raise CatalogError(
                f"two rows for {a.key} overlap: {a.window()} ({a.origin} line {a.line}) "
                f"and {b.window()} ({b.origin} line {b.line})",
                source=b.origin,
                line=b.line,
                field="effective_from",
                hint="close the older row with effective_to on the day the newer one starts",
            )
        self._by_key: dict[PriceKey, list[PriceRow]] = {}
        for r in self._rows:
            self._by_key.setdefault(r.key, []).append(r)
        self._alias: dict[tuple[Provider, str], str] = {}
        for m in self._models:
            for name in (m.model, *m.aliases):
                taken = self._alias.get((m.provider, name.lower()))
                if taken is not None and taken != m.model:
                    raise CatalogError(
                        f"{m.provider} name '{name}' is given to two models: {taken} and {m.model}",
                        source="models.csv",
                        field="aliases",
                        hint="a name (model or alias) may belong to one model per provider",
                    )
                self._alias[(m.provider, name.lower())] = m.model

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def from_files(cls, prices: Path, models: Path | None = None) -> Catalog:
        rows = parse_price_csv(_read(prices), origin=prices.name)
        infos = parse_models_csv(_read(models), origin=models.name) if models else []
        return cls(rows, infos)

    def overridden_by(self, user_rows: Sequence[PriceRow]) -> Catalog:
        """A new catalogue where ``user_rows`` win over this one's rows where windows overlap.

        A bundled row partly covered by a user row is cut to the days the user row leaves free,
        so a negotiated discount from 2025-01-01 keeps the bundled history before that day.
        """
        user_rows = [self._canonical_row(u) for u in user_rows]
        clashes = find_overlaps(user_rows)
        if clashes:
            a, b = clashes[0]
            raise CatalogError(
                f"two rows for {a.key} overlap: {a.window()} (line {a.line}) and {b.window()} (line {b.line})",
                source=b.origin,
                line=b.line,
                field="effective_from",
                hint="close the older row with effective_to on the day the newer one starts",
            )
        kept: list[PriceRow] = []
        for row in self._rows:
            pieces = [row]
            for u in user_rows:
                if u.key != row.key:
                    continue
                next_pieces: list[PriceRow] = []
                for p in pieces:
                    next_pieces.extend(_subtract(p, u))
                pieces = next_pieces
            kept.extend(pieces)
        return Catalog([*kept, *user_rows], self._models)

    def _canonical_row(self, row: PriceRow) -> PriceRow:
        """``row`` with its model written as the registry's canonical name (aliases resolved)."""
        name = self._alias.get((row.provider, row.model.strip().lower()))
        return row if name is None or name == row.model else row.model_copy(update={"model": name})

    # -- queries ---------------------------------------------------------------------------
    @property
    def rows(self) -> tuple[PriceRow, ...]:
        return self._rows

    @property
    def models(self) -> tuple[ModelInfo, ...]:
        return self._models

    def canonical_model(self, provider: Provider | str, model: str) -> str:
        """The catalogue's spelling of ``model`` (resolving aliases); raises if unknown."""
        provider = _provider(provider)
        name = self._alias.get((provider, model.strip().lower()))
        if name is not None:
            return name
        if any(r.provider == provider and r.model == model for r in self._rows):
            return model
        known = sorted({r.model for r in self._rows if r.provider == provider})
        raise UnknownModelError(
            f"unknown {provider} model '{model}'",
            field="model",
            hint="use one of " + ", ".join(known),
        )

    def model_info(self, provider: Provider | str, model: str) -> ModelInfo:
        canonical = self.canonical_model(provider, model)
        for m in self._models:
            if m.provider == _provider(provider) and m.model == canonical:
                return m
        raise UnknownModelError(
            f"no registry entry for {provider} model '{model}' (tokenizer and training context unknown)",
            field="model",
            hint="add it to data/models.csv",
        )

    def find_model_info(self, model: str) -> ModelInfo:
        """Registry entry for a model name under any provider (OpenAI first)."""
        for provider in Provider:
            try:
                return self.model_info(provider, model)
            except UnknownModelError:
                continue
        raise UnknownModelError(
            f"unknown model '{model}'",
            field="model",
            hint="use one of " + ", ".join(sorted({m.model for m in self._models})),
        )

    def lookup(
        self,
        provider: Provider | str,
        model: str,
        variant: Variant | str,
        kind: Kind | str,
        tier: str,
        as_of: date,
    ) -> PriceRow:
        """The one row in force on ``as_of``. Raises :class:`PriceLookupError` otherwise."""
        provider = _provider(provider)
        canonical = self.canonical_model(provider, model)
        tier = tier.strip().lower()
        if tier not in TIERS[provider]:
            raise PriceLookupError(
                f"tier '{tier}' is not a {provider} tier",
                field="tier",
                hint="use one of " + ", ".join(TIERS[provider]),
            )
        key = PriceKey(provider, canonical, _enum(Variant, variant, "variant"), _enum(Kind, kind, "kind"), tier)
        candidates = self._by_key.get(key, [])
        hits = [r for r in candidates if r.in_force(as_of)]
        if len(hits) == 1:
            return hits[0]
        related = [
            r for r in self._rows if r.provider == provider and r.model == canonical and r.variant == key.variant
        ]
        seen = "; ".join(r.describe() for r in sorted(related, key=lambda r: (r.kind, r.tier, r.effective_from)))
        if not hits:
            raise PriceLookupError(
                f"no {key.kind} price for {provider} {canonical} ({key.variant}, tier {tier}) on {as_of}. "
                f"Rows seen: {seen or 'none'}",
                field="as_of",
                hint="pick a date inside one of these windows, another tier, or add a row in a catalogue file",
            )
        raise PriceLookupError(  # pragma: no cover - prevented by the overlap check
            f"{len(hits)} rows match {key} on {as_of}: " + "; ".join(r.describe() for r in hits),
            hint="close one of the rows with effective_to",
        )

    def maybe_lookup(
        self,
        provider: Provider | str,
        model: str,
        variant: Variant | str,
        kind: Kind | str,
        tier: str,
        as_of: date,
    ) -> PriceRow | None:
        """Like :meth:`lookup` but ``None`` when no row is in force (unknown models still raise)."""
        prov = _provider(provider)
        if tier in TIERS[prov]:
            key = PriceKey(
                prov,
                self.canonical_model(prov, model),
                _enum(Variant, variant, "variant"),
                _enum(Kind, kind, "kind"),
                tier,
            )
            hits = [r for r in self._by_key.get(key, ()) if r.in_force(as_of)]
            if len(hits) == 1:
                return hits[0]
            if not hits:
                return None  # fast path: no error message built for an expected miss
        try:
            return self.lookup(provider, model, variant, kind, tier, as_of)
        except PriceLookupError:
            return None

    def in_force(
        self, as_of: date, *, provider: Provider | str | None = None, model: str | None = None
    ) -> list[PriceRow]:
        """The rows in force on ``as_of``, optionally for one provider and/or one model (aliases resolved).

        A model name no provider knows raises :class:`UnknownModelError` (no silent empty list).
        """
        prov = _provider(provider) if provider else None
        names: set[tuple[Provider, str]] | None = None
        if model:
            names = set()
            for p in [prov] if prov else list(Provider):
                try:
                    names.add((p, self.canonical_model(p, model)))
                except UnknownModelError:
                    if prov is not None:
                        raise
            if not names:
                raise UnknownModelError(
                    f"unknown model '{model}'",
                    field="model",
                    hint="use one of " + ", ".join(sorted({r.model for r in self._rows})),
                )
        out = [
            r
            for r in self._rows
            if r.in_force(as_of)
            and (prov is None or r.provider == prov)
            and (names is None or (r.provider, r.model) in names)
        ]
        return sorted(out, key=lambda r: (r.provider, r.model, r.variant, r.kind, r.tier))

    def __iter__(self) -> Iterator[PriceRow]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _provider(value: Provider | str) -> Provider:
    return _enum(Provider, value, "provider")


_E = TypeVar("_E", bound=StrEnum)


def _enum(cls: type[_E], value: _E | str, field: str) -> _E:
    """``cls(value)``, or an :class:`InputError` naming the field and the allowed values."""
    try:
        return cls(str(value).strip().lower())
    except ValueError:
        raise InputError(
            f"'{value}' is not a valid {field}",
            field=field,
            hint="use one of " + ", ".join(m.value for m in cls),
        ) from None


def _subtract(row: PriceRow, cut: PriceRow) -> list[PriceRow]:
    """The parts of ``row``'s window that ``cut`` does not cover."""
    r_end = row.effective_to or date.max
    c_end = cut.effective_to or date.max
    if c_end <= row.effective_from or r_end <= cut.effective_from:
        return [row]
    parts: list[PriceRow] = []
    if row.effective_from < cut.effective_from:
        parts.append(row.model_copy(update={"effective_to": cut.effective_from}))
    if c_end < r_end:
        parts.append(row.model_copy(update={"effective_from": c_end}))
    return parts


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError("file not found", source=str(path), hint="check the path") from None
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"not UTF-8 text (byte {exc.start})", source=str(path), hint="save the file as UTF-8 CSV"
        ) from None
    except OSError as exc:  # a directory, no permission, an unreadable device
        raise CatalogError(
            f"cannot read the file: {exc.strerror or exc}", source=str(path), hint="give the path of a CSV file"
        ) from None


@functools.cache
def bundled_catalog() -> Catalog:
    """The catalogue shipped in ``data/`` (read on first use, never at import; then cached)."""
    return Catalog.from_files(DATA_DIR / "prices.csv", DATA_DIR / "models.csv")


def load_catalog(user_file: Path | None = None) -> Catalog:
    """The bundled catalogue, overridden by ``user_file`` when given."""
    base = bundled_catalog()
    if user_file is None:
        return base
    rows = parse_price_csv(_read(user_file), origin=str(user_file))
    return base.overridden_by(rows)
