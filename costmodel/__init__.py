"""costmodel: a decision calculator for LLM fine-tuning.

Fine-tune or not, OpenAI or Azure OpenAI, at what volume, and how fast: answered with dated,
sourced prices and line-item breakdowns. The names below are the public API (pinned by
``tests/test_public_api.py``); the submodules hold the details.

>>> from datetime import date
>>> from costmodel import bundled_catalog, estimate_training
>>> b = estimate_training(bundled_catalog(), provider="openai", model="gpt-4o-mini", tier="standard",
...                       as_of=date(2025, 1, 1), billed_tokens=100_000, epochs=3)
>>> str(b.total)
'0.900'
"""

from __future__ import annotations

from costmodel.engine.breakdown import Breakdown, LineItem
from costmodel.engine.breakeven import BreakEven, Payback, breakeven, payback
from costmodel.engine.scenario import Scenario, ScenarioResult, evaluate, load_scenario, scenario_from_mapping
from costmodel.engine.training import default_epochs, estimate_training
from costmodel.engine.usage import LinearCost, PathCost, PathSpec, Traffic, linear_cost, path_cost
from costmodel.errors import CostmodelError, InputError
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
    "InputError",
    "Kind",
    "LineItem",
    "LinearCost",
    "ModelInfo",
    "PathCost",
    "PathSpec",
    "Payback",
    "PriceRow",
    "Provider",
    "Reliability",
    "Scenario",
    "ScenarioResult",
    "Traffic",
    "Unit",
    "Variant",
    "__version__",
    "breakeven",
    "bundled_catalog",
    "default_epochs",
    "estimate_training",
    "evaluate",
    "linear_cost",
    "load_catalog",
    "load_scenario",
    "path_cost",
    "payback",
    "scenario_from_mapping",
]
