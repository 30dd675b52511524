"""Prices and their data access: the dated catalogue, the model registry and the as-of lookup (reads ``data/``).

* :mod:`costmodel.prices.rows`: the validated row types (:class:`PriceRow`, :class:`ModelInfo`,
  :class:`DatedAlias`) and their enums.
* :mod:`costmodel.prices.csvfiles`: reading the CSV files, with errors that name file, line and field.
* :mod:`costmodel.prices.catalog`: :class:`Catalog` (as-of lookups, user overrides) and the bundled files.
* :mod:`costmodel.prices.lifecycle`: dated lifecycle events (available, training closed, retired ...).
"""

from __future__ import annotations

from costmodel.prices.catalog import DATA_DIR, Catalog, bundled_catalog, find_overlaps, load_catalog
from costmodel.prices.csvfiles import parse_aliases_csv, parse_models_csv, parse_price_csv
from costmodel.prices.lifecycle import (
    LIFECYCLE_COLUMNS,
    Event,
    Lifecycle,
    LifecycleRow,
    build_lifecycle,
    parse_lifecycle_csv,
)
from costmodel.prices.rows import (
    CSV_COLUMNS,
    TIERS,
    UNIT_OF_KIND,
    DatedAlias,
    Kind,
    ModelInfo,
    PriceKey,
    PriceRow,
    Provider,
    Reliability,
    Unit,
    Variant,
    lowest_reliability,
)

__all__ = [
    "CSV_COLUMNS",
    "DATA_DIR",
    "LIFECYCLE_COLUMNS",
    "TIERS",
    "UNIT_OF_KIND",
    "Catalog",
    "DatedAlias",
    "Event",
    "Kind",
    "Lifecycle",
    "LifecycleRow",
    "ModelInfo",
    "PriceKey",
    "PriceRow",
    "Provider",
    "Reliability",
    "Unit",
    "Variant",
    "build_lifecycle",
    "bundled_catalog",
    "find_overlaps",
    "load_catalog",
    "lowest_reliability",
    "parse_aliases_csv",
    "parse_lifecycle_csv",
    "parse_models_csv",
    "parse_price_csv",
]
