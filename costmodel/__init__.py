"""costmodel: a decision calculator for LLM fine-tuning.

Fine-tune or not, OpenAI or Azure OpenAI, at what volume, and how fast: answered with dated,
sourced prices and line-item breakdowns. The public API is re-exported here; the submodules
hold the details.
"""

from __future__ import annotations

from costmodel.catalog import Catalog, Kind, PriceRow, Provider, Reliability, Variant, bundled_catalog
from costmodel.errors import CostmodelError, InputError

__version__ = "0.1.0"

__all__ = [
    "Catalog",
    "CostmodelError",
    "InputError",
    "Kind",
    "PriceRow",
    "Provider",
    "Reliability",
    "Variant",
    "__version__",
    "bundled_catalog",
]
