"""Published latency figures bundled in ``data/latency_reference.csv``, and how a path uses them.

Each row is one figure: (provider, model, tier, metric, statistic, value) with its workload (in
words, and as ``workload_input_tokens`` / ``workload_output_tokens`` when the source states them),
publication date (blank when the page is undated), source URL, conditions and reliability grade
(the catalogue's grades: ``official``, ``copy_of_official``, ``third_party``, ``unconfirmed``; a row
without a source URL must be ``unconfirmed``). Metrics: ``ttft_ms``, ``output_tokens_per_s``,
``latency_ms`` (a source that does not say what its latency is; never used for paths) and
``e2e_ms``. Rows with ``use_for_paths=false`` are shown but never picked as a path's figure.

Only controlled measurements belong here: a gateway's or router's live-traffic averages (they mix
workloads, queueing and failures) are not published latency and are not kept.
:func:`implausible_siblings` flags a smaller model published as slower than its larger sibling by
the same source (the plausibility test runs it over the bundled file).

:func:`reference_latency` picks the figures for one path. No source publishes p95s or
fine-tuned-vs-base figures under a controlled method, so:

* E2E is *derived*: ``TTFT + (N - 1) / output speed`` for an output of ``N`` tokens (``e2e_estimated``);
* a fine-tuned path gets its base model's figures, and says so;
* a model without its own row may use a row of the same family (``gpt-4o-2024-08-06`` → ``gpt-4o``),
  and says so.

A measured run replaces all of this (:mod:`costmodel.latency.paths`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from costmodel.errors import CatalogError
from costmodel.prices import DATA_DIR, Reliability, lowest_reliability

__all__ = [
    "REFERENCE_FILE",
    "ReferenceFigure",
    "ReferenceLatency",
    "bundled_reference",
    "implausible_siblings",
    "model_family",
    "parse_reference_csv",
    "reference_latency",
]

REFERENCE_FILE = DATA_DIR / "latency_reference.csv"
COLUMNS = (
    "provider",
    "model",
    "tier",
    "metric",
    "statistic",
    "value",
    "workload",
    "workload_input_tokens",
    "workload_output_tokens",
    "published",
    "source_url",
    "conditions",
    "reliability",
    "use_for_paths",
    "note",
)


class ReferenceFigure(BaseModel):
    """One published latency figure."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    provider: Literal["openai", "azure"]
    model: Annotated[str, Field(min_length=1)]
    tier: str | None = None
    metric: Literal["ttft_ms", "output_tokens_per_s", "latency_ms", "e2e_ms"]
    statistic: Literal["median", "mean", "p50", "p95", "approx", "ptu_target"]
    value: Annotated[float, Field(gt=0)]
    workload: str
    workload_input_tokens: Annotated[int, Field(gt=0)] | None = None  # the workload in numbers, when stated
    workload_output_tokens: Annotated[int, Field(gt=0)] | None = None
    published: date | None = None
    source_url: str | None = None
    conditions: str
    reliability: Reliability
    use_for_paths: bool
    note: str = ""
    line: int | None = None

    @field_validator("source_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not v.startswith("https://"):
            raise ValueError("must start with https://")
        return v

    @model_validator(mode="after")
    def _graded(self) -> ReferenceFigure:
        if self.source_url is None and self.reliability != Reliability.UNCONFIRMED:
            raise ValueError("a row without source_url must have reliability 'unconfirmed'")
        if self.reliability == Reliability.UNCONFIRMED and not self.note:
            raise ValueError("an unconfirmed row must say in its note where the figure comes from")
        return self

    def cite(self) -> str:
        when = self.published.isoformat() if self.published else "undated"
        return f"{self.note or self.conditions} ({when}; {self.reliability})"


def parse_reference_csv(text: str, *, origin: str) -> list[ReferenceFigure]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise CatalogError(
            f"unexpected columns {reader.fieldnames}",
            source=origin,
            line=1,
            hint="the header must be: " + ",".join(COLUMNS),
        )
    rows: list[ReferenceFigure] = []
    for lineno, raw in enumerate(reader, start=2):
        data: dict[str, object] = {k: (v if v not in ("",) else None) for k, v in raw.items()}
        data["use_for_paths"] = (raw.get("use_for_paths") or "").strip().lower() == "true"
        data["note"] = raw.get("note") or ""
        data["line"] = lineno
        try:
            rows.append(ReferenceFigure.model_validate(data))
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(x) for x in first["loc"]) or None
            raise CatalogError(
                str(first["msg"]),
                source=origin,
                line=lineno,
                field=field,
                hint="fix the row; see the column notes in costmodel/latency/reference.py",
            ) from None
    return rows


def bundled_reference(path: Path = REFERENCE_FILE) -> list[ReferenceFigure]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror}", source=str(path), hint="reinstall costmodel") from None
    return parse_reference_csv(text, origin=path.name)


_DATE_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")


def model_family(model: str) -> str:
    """``gpt-4o-2024-08-06`` → ``gpt-4o``; ``gpt-35-turbo-0125`` → ``gpt-3.5-turbo``; ``ft:`` names → base.

    >>> model_family("gpt-4o-mini-2024-07-18")
    'gpt-4o-mini'
    >>> model_family("ft:gpt-4.1-mini-2025-04-14:acme::abc123")
    'gpt-4.1-mini'
    """
    name = model.strip().lower()
    if name.startswith("ft:"):
        name = name.split(":")[1]
    name = name.split(".ft-")[0]
    name = name.replace("gpt-35", "gpt-3.5")
    return _DATE_SUFFIX.sub("", name)


class ReferenceLatency(BaseModel):
    """What the published figures say about one path."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ttft_ms_p50: float | None
    output_tokens_per_s: float | None
    e2e_ms_p50: float | None
    e2e_estimated: bool
    statistic: str  # how the figures were aggregated ("median", "mean", ...)
    figures: tuple[ReferenceFigure, ...]
    reliability: Reliability
    caveats: tuple[str, ...]

    def describe(self) -> str:
        cites = "; ".join(sorted({f.cite() for f in self.figures}))
        return cites + ("" if not self.caveats else " — " + "; ".join(self.caveats))


def reference_latency(
    figures: Sequence[ReferenceFigure] | Iterable[ReferenceFigure],
    *,
    provider: str,
    model: str,
    fine_tuned: bool = False,
    tier: str | None = None,
    output_tokens: int = 256,
) -> ReferenceLatency | None:
    """Reference latency of a path, or ``None`` when nothing usable is published.

    ``output_tokens`` is the N of the derived E2E. TTFT and speed come from the same source where
    possible (exact model first, then the model family; the best-graded source wins).
    """
    usable = [
        f
        for f in figures
        if f.use_for_paths and f.provider == provider and f.metric != "latency_ms" and f.tier in (None, tier)
    ]
    caveats: list[str] = []
    exact = [f for f in usable if f.model.lower() == model.lower() or f.model.lower() == model_family(model)]
    chosen = exact
    if not chosen:
        chosen = [f for f in usable if model_family(f.model) == model_family(model)]
        if chosen:
            caveats.append(f"figures of {chosen[0].model} (same family as {model})")
    if not chosen:
        return None
    if fine_tuned:
        caveats.append("base-model figures: no published fine-tuned measurement")

    def best(metric: str) -> ReferenceFigure | None:
        cands = [f for f in chosen if f.metric == metric]
        # a PTU target (a floor) is used only when no measured figure exists
        cands.sort(
            key=lambda f: (f.statistic == "ptu_target", f.reliability.rank, -(f.published or date.min).toordinal())
        )
        return cands[0] if cands else None

    ttft = best("ttft_ms")
    speed = best("output_tokens_per_s")
    e2e = best("e2e_ms")
    used = tuple(f for f in (ttft, speed, e2e) if f is not None)
    if not used:
        return None
    e2e_ms: float | None = e2e.value if e2e is not None else None
    estimated = False
    if e2e_ms is None and ttft is not None and speed is not None:
        e2e_ms = ttft.value + (output_tokens - 1) / speed.value * 1000
        estimated = True
        caveats.append(f"E2E derived as TTFT + {output_tokens - 1} tokens / output speed")
    if speed is not None and speed.statistic == "ptu_target":
        caveats.append("speed is Azure's PTU latency target (a floor), not a measurement")
    if ttft is not None and speed is not None and ttft.source_url != speed.source_url:
        caveats.append("TTFT and speed come from different sources")
    return ReferenceLatency(
        ttft_ms_p50=ttft.value if ttft else None,
        output_tokens_per_s=speed.value if speed else None,
        e2e_ms_p50=e2e_ms,
        e2e_estimated=estimated,
        statistic=", ".join(sorted({f.statistic for f in used})),
        figures=used,
        reliability=lowest_reliability(f.reliability for f in used),
        caveats=tuple(caveats),
    )


# (smaller, larger) models of one family: the smaller one should not stream slower
SIBLINGS: tuple[tuple[str, str], ...] = (
    ("gpt-4o-mini", "gpt-4o"),
    ("gpt-4.1-mini", "gpt-4.1"),
    ("gpt-4.1-nano", "gpt-4.1-mini"),
    ("gpt-4.1-nano", "gpt-4.1"),
    ("gpt-5-mini", "gpt-5"),
    ("gpt-5-nano", "gpt-5-mini"),
    ("o3-mini", "o3"),
    ("o4-mini", "o3"),
)


def implausible_siblings(figures: Iterable[ReferenceFigure]) -> list[str]:
    """Rows where a smaller model streams slower than its larger sibling in the same source.

    Compared: ``output_tokens_per_s`` of the same provider, source URL and statistic (PTU targets
    are floors and skipped).

    >>> f = lambda m, v: ReferenceFigure(provider="openai", model=m, metric="output_tokens_per_s",
    ...     statistic="mean", value=v, workload="w", source_url="https://x.example/a", conditions="c",
    ...     reliability="third_party", use_for_paths=True)
    >>> implausible_siblings([f("gpt-4o-mini", 13.6), f("gpt-4o", 81)])
    ['openai gpt-4o-mini 13.6 tok/s (mean) < gpt-4o 81 tok/s in https://x.example/a']
    """
    speeds: dict[tuple[str, str | None, str, str], float] = {}
    for f in figures:
        if f.metric == "output_tokens_per_s" and f.statistic != "ptu_target":
            speeds[(f.provider, f.source_url, f.statistic, model_family(f.model))] = f.value
    problems: list[str] = []
    for (provider, url, statistic, model), value in sorted(speeds.items(), key=lambda kv: str(kv[0])):
        for small, large in SIBLINGS:
            if model != small:
                continue
            other = speeds.get((provider, url, statistic, large))
            if other is not None and value < other:
                problems.append(f"{provider} {small} {value:g} tok/s ({statistic}) < {large} {other:g} tok/s in {url}")
    return problems
