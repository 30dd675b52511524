"""Price rows and the model registry's rows: the enums, units, tiers and grades, validated by pydantic.

A price is a :class:`PriceRow`: one amount for one (provider, model, variant, kind, tier) in
one validity window ``[effective_from, effective_to)``. A price changes by closing the old row
and adding a new one, so history survives. Every row carries its unit, a source URL and a
reliability grade; rows nobody could source are graded ``unconfirmed`` and say so in the note.

Tiers, by provider:

* ``openai``: ``standard``, ``batch``, ``data_sharing``, ``batch_data_sharing``.
* ``azure``: ``standard`` (Regional Standard deployment, Regional training), ``global``
  (Global Standard deployment, Global training), ``developer`` (Developer deployment and
  training), ``provisioned`` (Regional PTU), ``batch`` (Global Batch deployment).
* ``bedrock`` (Amazon Bedrock): ``standard`` (on-demand), ``batch``, ``provisioned`` (Provisioned
  Throughput without commitment, per model unit and hour), ``provisioned_1m`` and ``provisioned_6m``
  (1- and 6-month commitments).
* ``vertex`` (Google Vertex AI): ``standard``, ``batch``.
* ``together`` (Together AI): ``standard`` (LoRA training, serverless LoRA inference), ``full`` (full
  fine-tuning), ``dedicated`` (dedicated endpoint, per GPU and hour), ``batch``.
* ``fireworks`` (Fireworks AI): ``standard`` (LoRA training, serverless inference), ``dedicated``
  (on-demand deployment, per GPU and hour, billed by the second), ``batch``.

Capacity kinds: ``ptu_hour`` is any provisioned-throughput unit and hour (an Azure PTU, a Bedrock
model unit); ``gpu_hour`` is one GPU of a dedicated deployment for an hour; ``storage_month`` is a
monthly fee for keeping a custom model; ``training_minimum`` is the least a training job costs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from costmodel.errors import InputError

__all__ = [
    "CSV_COLUMNS",
    "MAX_AMOUNT_USD",
    "TIERS",
    "UNIT_OF_KIND",
    "DatedAlias",
    "Kind",
    "ModelInfo",
    "PriceKey",
    "PriceRow",
    "Provider",
    "Reliability",
    "Unit",
    "Variant",
    "lowest_reliability",
]


class Provider(StrEnum):
    OPENAI = "openai"
    AZURE = "azure"
    BEDROCK = "bedrock"
    VERTEX = "vertex"
    TOGETHER = "together"
    FIREWORKS = "fireworks"
    SELFHOSTED = "selfhosted"  # rented GPUs: priced from gpu_instances.csv, never from price rows


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
    PTU_HOUR = "ptu_hour"  # per provisioned-throughput unit (Azure PTU, Bedrock model unit) and hour
    GPU_HOUR = "gpu_hour"  # one GPU of a dedicated deployment for an hour
    STORAGE_MONTH = "storage_month"  # keeping a custom model, per month
    TRAINING_MINIMUM = "training_minimum"  # the least a training job is billed


class Unit(StrEnum):
    USD_PER_1M_TOKENS = "usd_per_1m_tokens"
    USD_PER_HOUR = "usd_per_hour"
    USD_PER_JOB = "usd_per_job"
    USD_PER_MONTH = "usd_per_month"


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
    Provider.BEDROCK: ("standard", "batch", "provisioned", "provisioned_1m", "provisioned_6m"),
    Provider.VERTEX: ("standard", "batch"),
    Provider.TOGETHER: ("standard", "full", "dedicated", "batch"),
    Provider.FIREWORKS: ("standard", "dedicated", "batch"),
    Provider.SELFHOSTED: (),  # no price rows: the "tier" of a self-hosted path is a GPU instance
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
    Kind.GPU_HOUR: Unit.USD_PER_HOUR,
    Kind.STORAGE_MONTH: Unit.USD_PER_MONTH,
    Kind.TRAINING_MINIMUM: Unit.USD_PER_JOB,
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


def check_iso_date(v: object) -> object:
    """A date field's raw value: a string must be a plain day ``YYYY-MM-DD`` (pydantic alone also
    takes datetimes such as ``2024-01-01T00:00``). Shared by every validated data file."""
    if isinstance(v, str) and not _ISO_DATE.match(v.strip()):
        raise ValueError(f"{v!r} is not a date written YYYY-MM-DD")
    return v


def check_source_url(v: str | None) -> str | None:
    """A ``source_url`` field: empty means none (the row must then be graded unconfirmed), else http(s)."""
    if not v:
        return None
    if not v.startswith(("https://", "http://")):
        raise ValueError("must start with https:// (or be empty for an unconfirmed row)")
    return v


class _FieldError(ValueError):
    """A ValueError raised by a whole-row check that still belongs to one field (for messages)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_window(effective_from: date, effective_to: date | None) -> None:
    """A validity window ``[effective_from, effective_to)`` ends after it starts (or is open)."""
    if effective_to is not None and effective_to <= effective_from:
        raise _FieldError(
            "effective_to", f"effective_to ({effective_to}) must be after effective_from ({effective_from})"
        )


def check_grade(source_url: str | None, reliability: Reliability, note: str, *, obtained: str) -> None:
    """A sourced row's grade: no source means ``unconfirmed``, and an unconfirmed row says in its note
    how its value was obtained (``obtained``: "the figure", "the date")."""
    if source_url is None and reliability != Reliability.UNCONFIRMED:
        raise _FieldError("source_url", "a row without source_url must have reliability 'unconfirmed'")
    if reliability == Reliability.UNCONFIRMED and not note:
        raise _FieldError("note", f"an unconfirmed row must say in its note how {obtained} was obtained")


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


class _SourcedRow(BaseModel):
    """The checks the bundled data's dated rows (prices, aliases, lifecycle) share: their dates are plain
    days and their source a URL. The fields stay in each row, in its file's column order."""

    @field_validator("effective_from", "effective_to", "date", mode="before", check_fields=False)
    @classmethod
    def _iso_date(cls, v: object) -> object:
        # pydantic alone also takes datetimes ("2024-01-01T00:00"); a catalogue date is a plain day
        return check_iso_date(v)

    @field_validator("source_url", check_fields=False)
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return check_source_url(v)


class _WindowedRow(_SourcedRow):
    """A sourced row that holds in ``[effective_from, effective_to)``."""

    if TYPE_CHECKING:  # the fields are declared by each row, in its column order
        effective_from: date
        effective_to: date | None

    def in_force(self, as_of: date) -> bool:
        return self.effective_from <= as_of and (self.effective_to is None or as_of < self.effective_to)

    def window(self) -> str:
        end = self.effective_to.isoformat() if self.effective_to else "open"
        return f"[{self.effective_from.isoformat()}, {end})"


class PriceRow(_WindowedRow):
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

    @model_validator(mode="after")
    def _consistent(self) -> PriceRow:
        check_window(self.effective_from, self.effective_to)
        if self.provider == Provider.SELFHOSTED:
            raise _FieldError(
                "provider", "self-hosted paths are priced from data/gpu_instances.csv, not from price rows"
            )
        if self.tier not in TIERS[self.provider]:
            raise _FieldError(
                "tier",
                f"tier '{self.tier}' is not a {self.provider} tier; use one of {', '.join(TIERS[self.provider])}",
            )
        want = UNIT_OF_KIND[self.kind]
        if self.unit != want:
            raise _FieldError("unit", f"kind '{self.kind}' is priced in '{want}', not '{self.unit}'")
        check_grade(self.source_url, self.reliability, self.note, obtained="the figure")
        return self

    @property
    def key(self) -> PriceKey:
        return PriceKey(self.provider, self.model, self.variant, self.kind, self.tier)

    def describe(self) -> str:
        amount = "no published figure" if self.amount is None else f"{self.amount} {self.unit}"
        where = f" ({self.origin}" + (f" line {self.line}" if self.line else "") + ")"
        return f"{self.key} {self.window()} = {amount}, {self.reliability}{where}"


class DatedAlias(_WindowedRow):
    """A moving name (``gpt-4o``) and the snapshot it named in one window ``[effective_from, effective_to)``.

    A provider re-points an alias to a newer snapshot on a given day, so the same request at an
    earlier date meant another model at another price. A row concerns one variant: OpenAI's
    ``gpt-4o`` named the May snapshot for requests until 2024-10-02, while fine-tuning "gpt-4o" meant
    the August snapshot from its first day. The registry (``data/models.csv``) gives each
    alias its current snapshot; these rows (``data/aliases.csv``) give the history.
    """

    model_config = _STRICT

    provider: Provider
    alias: Annotated[str, Field(min_length=1)]
    variant: Variant  # the move concerns this variant only (fine-tuning may start on the new snapshot first)
    model: Annotated[str, Field(min_length=1)]
    effective_from: date
    effective_to: date | None = None
    source_url: str | None = None
    reliability: Reliability
    note: str = ""
    origin: str = "bundled"
    line: int | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DatedAlias:
        check_window(self.effective_from, self.effective_to)
        if self.alias.strip().lower() == self.model.strip().lower():
            raise _FieldError("alias", f"'{self.alias}' cannot be an alias of itself")
        check_grade(self.source_url, self.reliability, self.note, obtained="the date")
        return self

    def where(self) -> str:
        return f"{self.origin}" + (f" line {self.line}" if self.line else "")


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
