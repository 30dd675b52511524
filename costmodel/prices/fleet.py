"""Capacity data: GPU instances, open-weight models, throughput assumptions and provisioned units.

Four CSV files in ``data/``, validated like ``prices.csv`` (errors name the file, the line, the
field and the fix):

* ``gpu_instances.csv``: one rentable machine per row (cloud, instance, GPU model and count, GPU
  memory per GPU, on-demand and spot USD per hour, region, date, source, grade).
* ``open_models.csv``: open-weight models a team can fine-tune itself (parameters in billions,
  Hugging Face repository), for the memory rule.
* ``throughput.csv``: tokens per second for training (``lora``, ``qlora``, ``full``) or serving
  (``serve``) one model on one GPU configuration. These are graded assumptions, replaceable by a
  measurement (``costmodel bench``) or a Hugging Face ``trainer_state.json``.
* ``capacity.csv``: what one provisioned unit delivers (Azure PTU input tokens per minute, a
  Bedrock model unit, a dedicated replica), its minimum and scale increment.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from costmodel.errors import CatalogError, InputError
from costmodel.money import parse_decimal
from costmodel.prices.csvfiles import _first_error, _read
from costmodel.prices.rows import TIERS, Provider, Reliability, check_source_url

__all__ = [
    "CapacityRow",
    "Fleet",
    "GpuInstance",
    "Method",
    "OpenModel",
    "ThroughputRow",
    "bundled_fleet",
    "load_fleet",
]

Method = Literal["lora", "qlora", "full"]
Workload = Literal["lora", "qlora", "full", "serve"]

_STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _Graded(BaseModel):
    model_config = _STRICT

    source_url: str | None = None
    reliability: Reliability
    note: str = ""
    origin: str = "bundled"
    line: int | None = None

    @field_validator("source_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return check_source_url(v)

    @model_validator(mode="after")
    def _graded(self) -> _Graded:
        if self.source_url is None and self.reliability != Reliability.UNCONFIRMED:
            raise ValueError("a row without source_url must have reliability 'unconfirmed'")
        if self.reliability == Reliability.UNCONFIRMED and not self.note:
            raise ValueError("an unconfirmed row must say in its note how the figure was obtained")
        return self


class GpuInstance(_Graded):
    """A machine rented by the hour. ``gpu_memory_gb`` is per GPU."""

    cloud: Annotated[str, Field(min_length=1)]
    instance: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9._\-]+$")]
    gpu_model: Annotated[str, Field(min_length=1)]
    gpu_count: Annotated[int, Field(ge=1, le=64)]
    gpu_memory_gb: Annotated[Decimal, Field(gt=0, le=1024)]
    gpu_bf16_tflops: Annotated[Decimal, Field(gt=0, le=100_000)]  # dense, per GPU (datasheet)
    gpu_memory_bandwidth_gbps: Annotated[Decimal, Field(gt=0, le=100_000)]  # per GPU (datasheet)
    on_demand_usd_per_hour: Annotated[Decimal, Field(gt=0, le=10_000)] | None
    spot_usd_per_hour: Annotated[Decimal, Field(gt=0, le=10_000)] | None = None
    region: str = ""
    effective_from: date

    @property
    def total_memory_gb(self) -> Decimal:
        return self.gpu_memory_gb * self.gpu_count

    def describe(self) -> str:
        return f"{self.instance} ({self.cloud}, {self.gpu_count} x {self.gpu_model} {self.gpu_memory_gb} GB)"


class OpenModel(_Graded):
    model: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9._\-]+$")]
    params_billion: Annotated[Decimal, Field(gt=0, le=10_000)]
    hf_repo: str = ""
    aliases: tuple[str, ...] = ()


class ThroughputRow(_Graded):
    """Sustained tokens per second for one model, workload and GPU configuration."""

    model: str
    workload: Workload
    gpu_model: str
    gpu_count: Annotated[int, Field(ge=1, le=64)]
    tokens_per_second: Annotated[Decimal, Field(gt=0, le=10_000_000)]


class CapacityRow(_Graded):
    """One provisioned unit: its throughput (None: not published), minimum and increment."""

    provider: Provider
    model: str
    tier: str
    unit_name: Annotated[str, Field(min_length=1)]
    tokens_per_minute_per_unit: Annotated[Decimal, Field(gt=0)] | None
    output_token_weight: Annotated[Decimal, Field(ge=0, le=100)] = Decimal(1)
    minimum_units: Annotated[int, Field(ge=0, le=100_000)] = 1
    increment: Annotated[int, Field(ge=1, le=100_000)] = 1

    @model_validator(mode="after")
    def _tier(self) -> CapacityRow:
        if self.tier not in TIERS[self.provider]:
            raise ValueError(f"tier '{self.tier}' is not a {self.provider} tier")
        return self


_FIX = {
    "gpu_count": "a whole number of GPUs, 1 to 64",
    "gpu_memory_gb": "GPU memory per GPU in GB, e.g. 80",
    "on_demand_usd_per_hour": "USD per hour for the whole instance, e.g. 3.67 (empty when not published)",
    "spot_usd_per_hour": "USD per hour, or empty",
    "tokens_per_second": "a positive number of tokens per second",
    "tokens_per_minute_per_unit": "input tokens per minute of one unit, or empty when not published",
    "workload": "one of lora, qlora, full, serve",
    "reliability": "use one of " + ", ".join(r.value for r in Reliability),
    "source_url": "give the https:// address of the source, or grade the row 'unconfirmed' and explain in note",
    "effective_from": "write the date as YYYY-MM-DD",
    "instance": "letters, digits, dot, dash and underscore only",
    "model": "letters, digits, dot, dash and underscore only",
}

_R = TypeVar("_R", bound=_Graded)


def _parse(cls: type[_R], text: str, *, origin: str, decimals: Iterable[str] = ()) -> list[_R]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    expected = [n for n in cls.model_fields if n not in ("origin", "line")]
    header = [c.strip() for c in (reader.fieldnames or [])]
    unknown = [c for c in header if c not in expected]
    if unknown:
        raise CatalogError(
            f"unknown column(s) {', '.join(unknown)}",
            source=origin,
            line=1,
            field=unknown[0],
            hint="use the columns " + ", ".join(expected),
        )
    reader.fieldnames = header
    out: list[_R] = []
    end = reader.line_num
    for raw in reader:
        line = end + 1
        end = reader.line_num
        if None in raw:
            raise CatalogError("more values than columns", source=origin, line=line, hint="quote values with commas")
        data: dict[str, Any] = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in raw.items()}
        if all(v is None for v in data.values()):
            continue
        for name in decimals:
            if data.get(name) is not None:
                try:
                    data[name] = parse_decimal(data[name])
                except ValueError as exc:
                    raise CatalogError(str(exc), source=origin, line=line, field=name, hint=_FIX.get(name)) from None
        if "aliases" in data:
            data["aliases"] = tuple(a.strip() for a in (data.get("aliases") or "").split(";") if a.strip())
        data["note"] = data.get("note") or ""
        # an empty cell is None where the column has no default (e.g. "not published"), else the default
        data = {
            k: v
            for k, v in data.items()
            if v is not None or k not in cls.model_fields or cls.model_fields[k].is_required()
        }
        try:
            out.append(cls(**data, origin=origin, line=line))
        except ValidationError as exc:
            field, msg = _first_error(exc)
            raise CatalogError(msg, source=origin, line=line, field=field, hint=_FIX.get(field or "")) from None
    return out


class Fleet:
    """The four capacity tables, with lookups that fail naming the field and the fix."""

    def __init__(
        self,
        instances: Iterable[GpuInstance] = (),
        models: Iterable[OpenModel] = (),
        throughput: Iterable[ThroughputRow] = (),
        capacity: Iterable[CapacityRow] = (),
    ) -> None:
        self.instances = tuple(instances)
        self.models = tuple(models)
        self.throughput = tuple(throughput)
        self.capacity = tuple(capacity)
        seen: dict[str, GpuInstance] = {}
        for i in self.instances:
            if i.instance.lower() in seen:
                raise CatalogError(
                    f"instance '{i.instance}' appears twice",
                    source=i.origin,
                    line=i.line,
                    field="instance",
                    hint="keep one row per instance (one region)",
                )
            seen[i.instance.lower()] = i
        self._instances = seen
        self._models: dict[str, OpenModel] = {}
        for m in self.models:
            for name in (m.model, *m.aliases):
                self._models[name.lower()] = m

    def instance(self, name: str) -> GpuInstance:
        hit = self._instances.get(name.strip().lower())
        if hit is None:
            raise InputError(
                f"unknown GPU instance '{name}'",
                field="instance",
                hint="use one of " + ", ".join(sorted(i.instance for i in self.instances)),
            )
        return hit

    def open_model(self, name: str) -> OpenModel:
        hit = self._models.get(name.strip().lower())
        if hit is None:
            raise InputError(
                f"unknown open-weight model '{name}'",
                field="model",
                hint="use one of "
                + ", ".join(sorted(m.model for m in self.models))
                + " (or add it to open_models.csv)",
            )
        return hit

    def find_throughput(self, model: str, workload: Workload, instance: GpuInstance) -> ThroughputRow | None:
        canonical = self.open_model(model).model
        for t in self.throughput:
            if (
                t.model == canonical
                and t.workload == workload
                and t.gpu_model.lower() == instance.gpu_model.lower()
                and t.gpu_count == instance.gpu_count
            ):
                return t
        return None

    def find_capacity(self, provider: Provider, model: str, tier: str) -> CapacityRow | None:
        for c in self.capacity:
            if c.provider == provider and c.model == model and c.tier == tier:
                return c
        return None


def load_fleet(data_dir: Path) -> Fleet:
    """Read the four files from ``data_dir`` (a missing file is an error naming it)."""
    return Fleet(
        _parse(
            GpuInstance,
            _read(data_dir / "gpu_instances.csv"),
            origin="gpu_instances.csv",
            decimals=(
                "gpu_memory_gb",
                "gpu_bf16_tflops",
                "gpu_memory_bandwidth_gbps",
                "on_demand_usd_per_hour",
                "spot_usd_per_hour",
            ),
        ),
        _parse(OpenModel, _read(data_dir / "open_models.csv"), origin="open_models.csv", decimals=("params_billion",)),
        _parse(
            ThroughputRow, _read(data_dir / "throughput.csv"), origin="throughput.csv", decimals=("tokens_per_second",)
        ),
        _parse(
            CapacityRow,
            _read(data_dir / "capacity.csv"),
            origin="capacity.csv",
            decimals=("tokens_per_minute_per_unit", "output_token_weight"),
        ),
    )


@functools.cache
def bundled_fleet() -> Fleet:
    from costmodel.prices.catalog import DATA_DIR

    return load_fleet(DATA_DIR)
