"""Reading the catalogue's CSV files: every error names the file, the line and the field, with a fix."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from costmodel.errors import CatalogError
from costmodel.money import parse_decimal
from costmodel.prices.rows import (
    CSV_COLUMNS,
    TIERS,
    DatedAlias,
    Kind,
    ModelInfo,
    PriceRow,
    Provider,
    Reliability,
    Unit,
    _FieldError,
)


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
    "provider": "use one of " + ", ".join(p.value for p in Provider),
    "variant": "use 'base' or 'fine_tuned'",
    "kind": "use one of " + ", ".join(k.value for k in Kind),
    "unit": "use one of " + ", ".join(u.value for u in Unit),
    "reliability": "use one of " + ", ".join(r.value for r in Reliability),
    "source_url": "give the https:// address of the source, or grade the row 'unconfirmed' and explain in note",
    "tier": "use a tier of the row's provider: " + "; ".join(f"{p.value}: {', '.join(t)}" for p, t in TIERS.items()),
    "model": "write the model name as the provider spells it, e.g. gpt-4o-mini-2024-07-18",
    "note": "say in the note where the figure comes from and why it could not be confirmed",
}


MAX_FIELD_CHARS = 1024 * 1024
"""Longest value of one CSV cell (a note): 1 Mi characters, above csv's 128 KiB default."""


def _dict_reader(text: str) -> csv.DictReader[str]:
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)
    return csv.DictReader(io.StringIO(text.lstrip("\ufeff")))


def _csv_error(exc: csv.Error, origin: str, line: int | None) -> CatalogError:
    if "field larger than field limit" in str(exc):
        return CatalogError(
            f"a value is longer than the limit of {MAX_FIELD_CHARS:,} characters",
            source=origin,
            line=line,
            hint="shorten the note (link the source instead of copying it), or check for an unclosed quote",
        )
    return CatalogError(f"not readable as CSV ({exc})", source=origin, line=line, hint="check the quoting")


def parse_price_csv(text: str, *, origin: str) -> list[PriceRow]:
    """Parse a catalogue CSV. Errors name the file, the line and the field."""
    try:
        return _parse_price_csv(text, origin=origin)
    except csv.Error as exc:
        raise _csv_error(exc, origin, _line_of(exc, text)) from None


def _line_of(exc: csv.Error, text: str) -> int | None:
    return None  # the csv module does not say where; the message names the limit


def _parse_price_csv(text: str, *, origin: str) -> list[PriceRow]:
    reader = _dict_reader(text)
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
    try:
        return _parse_models_csv(text, origin=origin)
    except csv.Error as exc:
        raise _csv_error(exc, origin, _line_of(exc, text)) from None


def _parse_models_csv(text: str, *, origin: str) -> list[ModelInfo]:
    reader = _dict_reader(text)
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


_ALIAS_FIX = {
    "alias": "write the moving name (e.g. gpt-4o), not a snapshot's own name",
    "model": "write the snapshot the name pointed to, as data/models.csv spells it (e.g. gpt-4o-2024-05-13)",
    "effective_to": "write the first day it pointed elsewhere as YYYY-MM-DD, or leave it empty (still current)",
    "note": "say in the note where the date comes from and why it could not be confirmed",
}


def parse_aliases_csv(text: str, *, origin: str) -> list[DatedAlias]:
    """Rows of ``data/aliases.csv``: provider, alias, model, effective_from, effective_to, source_url,
    reliability, note (see :class:`~costmodel.prices.rows.DatedAlias`)."""
    try:
        reader = _dict_reader(text)
        out: list[DatedAlias] = []
        for raw in reader:
            line = reader.line_num
            data: dict[str, Any] = {k: _blank_to_none(v) for k, v in raw.items()}
            data["note"] = data.get("note") or ""
            try:
                out.append(DatedAlias(**data, origin=origin, line=line))
            except ValidationError as exc:
                field, msg = _first_error(exc)
                hint = _ALIAS_FIX.get(field or "", _FIX.get(field or ""))
                raise CatalogError(msg, source=origin, line=line, field=field, hint=hint) from None
        return out
    except csv.Error as exc:
        raise _csv_error(exc, origin, _line_of(exc, text)) from None


def _read(path: Path) -> str:
    from costmodel.validate import MiB, read_user_file

    data = read_user_file(
        path, expect="CSV file", max_bytes=64 * MiB, error=CatalogError
    )  # a regular file, no device or FIFO
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"not UTF-8 text (byte {exc.start})", source=str(path), hint="save the file as UTF-8 CSV"
        ) from None
