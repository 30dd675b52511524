"""Read a usage log line by line (bounded memory) into a :class:`TrafficProfile`.

The file is never loaded whole: JSON lines are parsed one at a time, CSV rows through
:mod:`csv` on the open file. A malformed record is reported with its line number, field and reason
and skipped; the import goes on. ``.gz`` files are read through :mod:`gzip`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from costmodel.errors import ScenarioError
from costmodel.traffic.profile import TrafficAccumulator, TrafficProfile
from costmodel.traffic.records import (
    FORMATS,
    RecordError,
    UsageRecord,
    csv_columns,
    records_from_csv_row,
    records_from_json,
)

__all__ = ["ImportResult", "Problem", "import_traffic", "iter_records"]

MAX_PROBLEMS_KEPT = 50


@dataclass(frozen=True)
class Problem:
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}" + (f", field {self.field}" if self.field else "") + f": {self.message}"


@dataclass(frozen=True)
class ImportResult:
    profile: TrafficProfile
    problems: tuple[Problem, ...]  # the first MAX_PROBLEMS_KEPT
    problem_count: int


def _open(path: Path) -> IO[bytes]:
    try:
        if path.suffix == ".gz":
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return path.open("rb")
    except OSError as exc:
        raise ScenarioError(
            f"cannot read the log: {exc.strerror or exc}", source=str(path), hint="check the path"
        ) from None


def _sniff(path: Path, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return "csv"
    with _open(path) as f:
        for raw in f:
            s = raw.strip()
            if s:
                return "auto" if s.startswith(b"{") else "csv"
    return "auto"


def iter_records(
    stream: IO[bytes], fmt: str, on_problem: Callable[[Problem], None], on_not_request: Callable[[], None]
) -> Iterator[UsageRecord]:
    """Records of an open binary stream in format ``fmt`` (``auto`` = JSON lines, detected per line)."""
    if fmt == "csv":
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="strict", newline="")
        reader = csv.reader(text)
        try:
            header = next(reader, None)
        except (UnicodeDecodeError, csv.Error) as exc:
            on_problem(Problem(1, "header", f"unreadable header: {exc}"))
            return
        if header is None:
            return
        try:
            cols = csv_columns(header)
        except RecordError as exc:
            raise ScenarioError(
                str(exc),
                line=1,
                field="header",
                hint="CSV columns: timestamp, input_tokens, output_tokens[, cached_tokens][, requests]",
            ) from None
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (UnicodeDecodeError, csv.Error) as exc:
                on_problem(Problem(reader.line_num + 1, None, f"unreadable row: {exc}"))
                return  # the decoder cannot resynchronise safely
            if not row or all(not c.strip() for c in row):
                continue
            try:
                yield records_from_csv_row(row, cols)
            except RecordError as exc:
                on_problem(Problem(reader.line_num, exc.field, str(exc)))
        return
    for lineno, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except UnicodeDecodeError:
            on_problem(Problem(lineno, None, "not UTF-8 text"))
            continue
        except ValueError as exc:
            on_problem(Problem(lineno, None, f"not valid JSON ({exc.args[0] if exc.args else exc})"))
            continue
        try:
            recs = records_from_json(obj, fmt)
        except RecordError as exc:
            on_problem(Problem(lineno, exc.field, str(exc)))
            continue
        if not recs:
            on_not_request()
        yield from recs


def import_traffic(path: Path, fmt: str = "auto", *, seed: int = 0) -> ImportResult:
    """The traffic profile of the log at ``path``; malformed records are reported and skipped."""
    if fmt not in FORMATS:
        raise ScenarioError(f"unknown log format '{fmt}'", field="format", hint="use one of " + ", ".join(FORMATS))
    if not path.is_file():
        raise ScenarioError("file not found", source=str(path), hint="check the path")
    kind = _sniff(path, fmt)
    problems: list[Problem] = []
    count = 0
    not_requests = 0

    def problem(p: Problem) -> None:
        nonlocal count
        count += 1
        if len(problems) < MAX_PROBLEMS_KEPT:
            problems.append(p)

    def skip() -> None:
        nonlocal not_requests
        not_requests += 1

    acc = TrafficAccumulator(seed=seed)
    with _open(path) as f:
        try:
            for rec in iter_records(f, kind, problem, skip):
                acc.add(rec)
        except ScenarioError as exc:
            raise ScenarioError(exc.message, source=str(path), line=exc.line, field=exc.field, hint=exc.hint) from None
        except (OSError, EOFError) as exc:  # a truncated .gz
            raise ScenarioError(f"cannot read the log: {exc}", source=str(path), hint="check the file") from None
    if acc.requests == 0:
        first = f"; first problem: {problems[0]}" if problems else ""
        raise ScenarioError(
            f"no usable usage record ({count} malformed, {not_requests} not requests){first}",
            source=str(path),
            hint="see 'costmodel traffic import --help' for the formats and their fields",
        )
    label = "json-lines (auto)" if kind == "auto" else kind
    profile = acc.profile(source=path.name, fmt=label, skipped=count, not_requests=not_requests)
    return ImportResult(profile=profile, problems=tuple(problems), problem_count=count)
