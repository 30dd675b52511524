"""Latency per cost path for the Decision page: measured if a stored run exists, else published.

::

    from costmodel.latency.paths import PathQuery, latency_for_paths
    rows = latency_for_paths([PathQuery(provider="azure", model="gpt-4o-mini-2024-07-18", fine_tuned=True)])
    rows[0].source        # "measured" | "reference" | "none"
    rows[0].e2e_ms_p95    # None when only published medians exist

A measured run is the newest stored run whose path (provider, catalogue model, fine-tuned flag)
matches and which has at least one successful request. Model names are compared by family
(``gpt-4o`` matches ``gpt-4o-2024-08-06``; a run stored under the exact name wins).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from costmodel import store
from costmodel.errors import StoreError
from costmodel.latency.reference import ReferenceFigure, bundled_reference, model_family, reference_latency
from costmodel.latency.store import latest_run_for_path, list_runs
from costmodel.prices import Reliability
from costmodel.store import Store

__all__ = ["PathLatency", "PathQuery", "latency_for_paths"]


class PathQuery(BaseModel):
    """A cost path as the Decision page knows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str
    model: str
    fine_tuned: bool = False
    tier: str | None = None  # "provisioned" lets Azure PTU targets apply

    @property
    def label(self) -> str:
        return f"{self.provider}:{self.model}:{'ft' if self.fine_tuned else 'base'}" + (
            f"@{self.tier}" if self.tier else ""
        )


class PathLatency(BaseModel):
    """A path's latency and where it comes from. Every figure may be ``None`` (not known)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: PathQuery
    source: Literal["measured", "reference", "none"]
    ttft_ms_p50: float | None = None
    ttft_ms_p95: float | None = None
    e2e_ms_p50: float | None = None
    e2e_ms_p95: float | None = None
    output_tokens_per_s: float | None = None
    e2e_estimated: bool = False
    statistic: str = ""  # "p50/p95 of N ok requests" or the published statistic
    detail: str = ""  # run id and counts, or the citations and caveats
    reliability: Reliability | None = None  # reference only
    run_id: str | None = None
    error_rate: float | None = None  # measured only

    @property
    def label(self) -> str:
        return {"measured": "measured", "reference": "published figure", "none": "no figure"}[self.source]


def latency_for_paths(
    paths: Iterable[PathQuery],
    *,
    conn: Store | None = None,
    db_path: str | None = None,
    reference: Sequence[ReferenceFigure] | None = None,
    output_tokens: int = 256,
) -> list[PathLatency]:
    """One :class:`PathLatency` per path, in order. Opens the default store unless ``conn`` is given;
    a missing or unreadable store means "nothing measured", not an error."""
    figures = list(reference) if reference is not None else bundled_reference()
    own = conn is None
    connection = conn
    if connection is None:
        try:
            connection = store.connect(db_path)
        except StoreError:  # no writable data directory or an unreadable file: published figures only
            connection = None
    try:
        return [_one(p, connection, figures, output_tokens) for p in paths]
    finally:
        if own and connection is not None:
            connection.close()


def _measured(conn: Store, path: PathQuery) -> PathLatency | None:
    names = [path.model]
    family = model_family(path.model)
    names += sorted(
        {r.path_model for r in list_runs(conn) if r.provider == path.provider and model_family(r.path_model) == family}
        - {path.model}
    )
    for name in names:
        found = latest_run_for_path(conn, path.provider, name, path.fine_tuned)
        if found is None:
            continue
        info, s = found
        return PathLatency(
            path=path,
            source="measured",
            ttft_ms_p50=s.ttft_ms.p50,
            ttft_ms_p95=s.ttft_ms.p95,
            e2e_ms_p50=s.e2e_ms.p50,
            e2e_ms_p95=s.e2e_ms.p95,
            output_tokens_per_s=s.output_speed_tps.p50,
            statistic=f"p50/p95 of {s.ok} successful requests",
            detail=f"run {info.run_id} ({info.created_utc[:10]}, {info.model} via {info.endpoint_url}; "
            f"{s.errors} of {s.requests} failed; max_tokens {info.config.get('max_tokens')})",
            run_id=info.run_id,
            error_rate=s.error_rate,
        )
    return None


def _one(path: PathQuery, conn: Store | None, figures: Sequence[ReferenceFigure], n: int) -> PathLatency:
    if conn is not None:
        measured = _measured(conn, path)
        if measured is not None:
            return measured
    ref = reference_latency(
        figures, provider=path.provider, model=path.model, fine_tuned=path.fine_tuned, tier=path.tier, output_tokens=n
    )
    if ref is None:
        return PathLatency(path=path, source="none", detail="no stored run and no published figure for this path")
    return PathLatency(
        path=path,
        source="reference",
        ttft_ms_p50=ref.ttft_ms_p50,
        e2e_ms_p50=ref.e2e_ms_p50,
        output_tokens_per_s=ref.output_tokens_per_s,
        e2e_estimated=ref.e2e_estimated,
        statistic=ref.statistic,
        detail=ref.describe(),
        reliability=ref.reliability,
    )
