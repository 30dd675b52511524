"""Shortcuts for programs and notebooks: :func:`compare` in one call, with the bundled prices."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from costmodel.engine.scenario import ScenarioResult, evaluate, scenario_from_mapping
from costmodel.engine.usage import PathSpec, Traffic, as_path
from costmodel.errors import InputError
from costmodel.prices import Catalog, bundled_catalog

__all__ = ["compare"]

_COMPARE_HINT = (
    "traffic is requests_per_day with input_tokens_per_request and output_tokens_per_request, "
    "or input_tokens_per_month and output_tokens_per_month (see docs/api.md)"
)


def compare(
    *paths: PathSpec | str,
    traffic: Traffic | Mapping[str, Any],
    as_of: date | None = None,
    catalog: Catalog | None = None,
    horizon_months: int = 12,
    training_tokens: int | None = None,
    epochs: int | None = None,
    amortise_training: bool = False,
) -> ScenarioResult:
    """Cost every path under ``traffic``, with every break-even and payback, in one call.

    ``paths`` are :class:`PathSpec` objects or their text (``"openai:gpt-4o-mini:ft"``);
    ``traffic`` is a :class:`Traffic` or a mapping of its fields; prices are the bundled
    catalogue's (or ``catalog``'s) in force on ``as_of`` (default: today). Training tokens give
    the fine-tuned paths their one-off (``epochs`` defaults to 3). Bad input raises an
    :class:`~costmodel.errors.InputError` that names the field and the fix.

    >>> r = compare("openai:gpt-4o-mini:ft", "openai:gpt-4o:base", as_of=date(2025, 6, 1),
    ...             traffic={"requests_per_day": 1000, "input_tokens_per_request": 300,
    ...                      "output_tokens_per_request": 100})
    >>> for c in r.costs:
    ...     print(c.path.label, c.monthly_total)
    openai:gpt-4o-mini:ft@standard 6.3875
    openai:gpt-4o:base@standard 53.229166667

    By hand: 1,000 requests a day x 730 / 24 = 30,416.67 requests a month; gpt-4o-mini fine-tuned
    at $0.30 / $1.20 per 1M tokens: 9.125M x 0.30 + 3.0417M x 1.20 = $6.3875; gpt-4o at
    $2.50 / $10.00: 9.125M x 2.50 + 3.0417M x 10 = $53.2292.
    """
    if not paths:
        raise InputError(
            "compare() needs at least one path",
            field="paths",
            hint="e.g. compare('openai:gpt-4o-mini:ft', 'openai:gpt-4o:base', traffic={...})",
        )
    specs = tuple(as_path(p, field=f"paths[{i}]") for i, p in enumerate(paths))
    if not isinstance(traffic, Traffic | Mapping):
        raise InputError(
            f"traffic must be a Traffic or a mapping, not {type(traffic).__name__}",
            field="traffic",
            hint=_COMPARE_HINT,
        )
    training: dict[str, Any] = {"amortise": amortise_training}
    if training_tokens is not None:
        training["tokens"] = training_tokens
    if epochs is not None:
        training["epochs"] = epochs
    data: dict[str, Any] = {
        "paths": specs,
        "traffic": traffic if isinstance(traffic, Traffic) else dict(traffic),
        "horizon_months": horizon_months,
        "training": training,
    }
    scenario = scenario_from_mapping(data, source="compare()", hint=_COMPARE_HINT)
    return evaluate(catalog if catalog is not None else bundled_catalog(), scenario, as_of=as_of or date.today())
