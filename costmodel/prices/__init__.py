"""Prices and their data access: the dated catalogue, the model registry and the as-of lookup (reads ``data/``).

* :mod:`costmodel.prices.rows`: the validated row types (:class:`PriceRow`, :class:`ModelInfo`) and their enums.
* :mod:`costmodel.prices.csvfiles`: reading the CSV files, with errors that name file, line and field.
* :mod:`costmodel.prices.catalog`: :class:`Catalog` (as-of lookups, user overrides) and the bundled files.
"""

from __future__ import annotations

from costmodel.prices.catalog import DATA_DIR, Catalog, bundled_catalog, find_overlaps, load_catalog
from costmodel.prices.csvfiles import parse_models_csv, parse_price_csv
from costmodel.prices.rows import (
    CSV_COLUMNS,
    TIERS,
    UNIT_OF_KIND,
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
    "TIERS",
    "UNIT_OF_KIND",
    "Catalog",
    "Kind",
    "ModelInfo",
    "PriceKey",
    "PriceRow",
    "Provider",
    "Reliability",
    "Unit",
    "Variant",
    "bundled_catalog",
    "find_overlaps",
    "load_catalog",
    "lowest_reliability",
    "parse_models_csv",
    "parse_price_csv",
]
