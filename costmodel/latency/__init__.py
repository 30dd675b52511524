"""Latency: measure streamed chat completions, keep every measurement, compare with published figures.

* :mod:`~costmodel.latency.metrics` pure metric functions over recorded chunk timestamps
* :mod:`~costmodel.latency.client` streaming through the openai SDK with an injected clock
* :mod:`~costmodel.latency.load` closed-loop and seeded Poisson open-loop load generators
* :mod:`~costmodel.latency.store` runs and per-request rows in the SQLite store
* :mod:`~costmodel.latency.runner` the benchmark API (:func:`run_benchmark`)
* :mod:`~costmodel.latency.reference` published figures bundled in ``data/latency_reference.csv``
* :mod:`~costmodel.latency.paths` :func:`latency_for_paths` for the Decision page
* :mod:`~costmodel.latency.charts` plotly figure builders

Importing this package imports only the pure parts; the client, runner and charts are imported
from their modules.
"""

from costmodel.latency.metrics import (
    MetricStats,
    Outcome,
    RequestMetrics,
    RequestRecord,
    RunSummary,
    TokensSource,
    percentile,
    request_metrics,
    summarize,
)

__all__ = [
    "MetricStats",
    "Outcome",
    "RequestMetrics",
    "RequestRecord",
    "RunSummary",
    "TokensSource",
    "percentile",
    "request_metrics",
    "summarize",
]
