"""costmodel: a decision calculator for LLM fine-tuning.

Fine-tune or not, OpenAI or Azure OpenAI, at what volume, and how fast: answered with dated,
sourced prices and line-item breakdowns. The names below are the public API (pinned by
``tests/test_public_api.py``; ``docs/api.md`` walks through it); the submodules hold the details.
Results hold the paths they were computed for as :class:`PathSpec` objects, and every amount
leaves quantised (see :mod:`costmodel.money`).

>>> from datetime import date
>>> from costmodel import bundled_catalog, estimate_training
>>> b = estimate_training(bundled_catalog(), provider="openai", model="gpt-4o-mini", tier="standard",
...                       as_of=date(2025, 1, 1), billed_tokens=100_000, epochs=3)
>>> b.total
Decimal('0.9')

Every name is imported on first use (PEP 562), so ``import costmodel`` (and every ``costmodel``
command, whose entry point imports this package first) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from costmodel._lazy import lazy_exports

if TYPE_CHECKING:
    from costmodel._api import compare
    from costmodel.dataset import DatasetAnalysis, analyze_file
    from costmodel.engine.breakdown import Breakdown, LineItem
    from costmodel.engine.breakeven import BreakEven, Payback, breakeven, describe_duration, payback
    from costmodel.engine.scenario import Scenario, ScenarioResult, evaluate, load_scenario, scenario_from_mapping
    from costmodel.engine.training import default_epochs, estimate_training
    from costmodel.engine.usage import LinearCost, PathCost, PathSpec, Traffic, as_path, linear_cost, path_cost
    from costmodel.errors import CostmodelError, InputError, PathSpecError, StoreError
    from costmodel.prices import (
        Catalog,
        Kind,
        ModelInfo,
        PriceRow,
        Provider,
        Reliability,
        Unit,
        Variant,
        bundled_catalog,
        load_catalog,
    )

__version__ = "0.1.0"

__all__ = [
    "BreakEven",
    "Breakdown",
    "Catalog",
    "CostmodelError",
    "DatasetAnalysis",
    "InputError",
    "Kind",
    "LineItem",
    "LinearCost",
    "ModelInfo",
    "PathCost",
    "PathSpec",
    "PathSpecError",
    "Payback",
    "PriceRow",
    "Provider",
    "Reliability",
    "Scenario",
    "ScenarioResult",
    "StoreError",
    "Traffic",
    "Unit",
    "Variant",
    "__version__",
    "analyze_file",
    "as_path",
    "breakeven",
    "bundled_catalog",
    "compare",
    "default_epochs",
    "describe_duration",
    "estimate_training",
    "evaluate",
    "linear_cost",
    "load_catalog",
    "load_scenario",
    "path_cost",
    "payback",
    "scenario_from_mapping",
]

_EXPORTS: dict[str, str] = {
    "BreakEven": "costmodel.engine.breakeven",
    "Breakdown": "costmodel.engine.breakdown",
    "Catalog": "costmodel.prices",
    "CostmodelError": "costmodel.errors",
    "DatasetAnalysis": "costmodel.dataset",
    "InputError": "costmodel.errors",
    "Kind": "costmodel.prices",
    "LineItem": "costmodel.engine.breakdown",
    "LinearCost": "costmodel.engine.usage",
    "ModelInfo": "costmodel.prices",
    "PathCost": "costmodel.engine.usage",
    "PathSpec": "costmodel.engine.usage",
    "PathSpecError": "costmodel.errors",
    "Payback": "costmodel.engine.breakeven",
    "PriceRow": "costmodel.prices",
    "Provider": "costmodel.prices",
    "Reliability": "costmodel.prices",
    "Scenario": "costmodel.engine.scenario",
    "ScenarioResult": "costmodel.engine.scenario",
    "StoreError": "costmodel.errors",
    "Traffic": "costmodel.engine.usage",
    "Unit": "costmodel.prices",
    "Variant": "costmodel.prices",
    "analyze_file": "costmodel.dataset",
    "as_path": "costmodel.engine.usage",
    "breakeven": "costmodel.engine.breakeven",
    "bundled_catalog": "costmodel.prices",
    "compare": "costmodel._api",
    "default_epochs": "costmodel.engine.training",
    "describe_duration": "costmodel.engine.breakeven",
    "estimate_training": "costmodel.engine.training",
    "evaluate": "costmodel.engine.scenario",
    "linear_cost": "costmodel.engine.usage",
    "load_catalog": "costmodel.prices",
    "load_scenario": "costmodel.engine.scenario",
    "path_cost": "costmodel.engine.usage",
    "payback": "costmodel.engine.breakeven",
    "scenario_from_mapping": "costmodel.engine.scenario",
}
"""Each public name and the module it comes from (``tests/test_startup.py`` checks it against ``__all__``)."""


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)  # a public name imported on first use
