"""Azure Retail Prices API: read its pages, turn Azure OpenAI and GPU VM meters into dated override rows.

The API (https://prices.azure.com/api/retail/prices, documented at
https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices) needs no
key. Each page is JSON with ``Items`` (``currencyCode``, ``retailPrice``, ``unitOfMeasure``,
``effectiveStartDate``, ``armRegionName``, ``serviceName``, ``productName``, ``skuName``,
``meterName``, ``armSkuName``, ``type``) and ``NextPageLink`` (``null`` on the last page).

The HTTP fetch is injected (:func:`fetch_items` takes ``get_json(url) -> dict``), so tests run on
recorded pages and nothing here opens a connection. Meters are mapped to catalogue keys by
documented heuristics on the meter and SKU names (:func:`map_openai_meter`); a meter they cannot
place is reported as unmapped, never dropped silently. Every imported row is graded ``official``
(Microsoft's own price list), dated by ``effectiveStartDate`` and sourced with the query URL; the
user reviews the diff against the catalogue before using the file with ``--catalog``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from costmodel.errors import InputError
from costmodel.money import parse_decimal
from costmodel.prices.catalog import Catalog
from costmodel.prices.fleet import Fleet, GpuInstance
from costmodel.prices.rows import UNIT_OF_KIND, Kind, PriceRow, Provider, Reliability, Variant

__all__ = [
    "API_URL",
    "DiffLine",
    "ImportResult",
    "RetailItem",
    "fetch_items",
    "import_azure_retail",
    "map_openai_meter",
    "openai_query",
    "vm_query",
]

API_URL = "https://prices.azure.com/api/retail/prices"
MAX_PAGES = 200

GetJson = Callable[[str], Mapping[str, Any]]


@dataclass(frozen=True)
class RetailItem:
    """The fields costmodel reads from one item of a page."""

    currency: str
    price: Decimal
    unit_of_measure: str
    effective: date
    region: str
    service: str
    product: str
    sku: str
    meter: str
    arm_sku: str
    type: str

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], *, where: str) -> RetailItem:
        def text(key: str) -> str:
            v = raw.get(key)
            return v if isinstance(v, str) else ""

        try:
            price = parse_decimal(str(raw.get("retailPrice")))
            start = datetime.fromisoformat(text("effectiveStartDate").replace("Z", "+00:00")).date()
        except ValueError as exc:
            raise InputError(
                f"an item cannot be read: {exc}",
                source=where,
                field="retailPrice/effectiveStartDate",
                hint="the page must be in the documented Azure Retail Prices format",
            ) from None
        return cls(
            currency=text("currencyCode"),
            price=price,
            unit_of_measure=text("unitOfMeasure"),
            effective=start,
            region=text("armRegionName"),
            service=text("serviceName"),
            product=text("productName"),
            sku=text("skuName"),
            meter=text("meterName"),
            arm_sku=text("armSkuName"),
            type=text("type"),
        )


def _query(filter_: str, currency: str) -> str:
    safe = "'()"
    return f"{API_URL}?currencyCode='{currency}'&$filter={quote(filter_, safe=safe)}"


def openai_query(region: str, currency: str = "USD") -> str:
    """The first page's URL for Azure OpenAI meters in ``region`` (old and new service names)."""
    return _query(
        f"armRegionName eq '{region}' and (productName eq 'Azure OpenAI' or serviceName eq 'Foundry Models')",
        currency,
    )


def vm_query(arm_sku: str, region: str, currency: str = "USD") -> str:
    return _query(
        f"serviceName eq 'Virtual Machines' and armRegionName eq '{region}' and armSkuName eq '{arm_sku}'",
        currency,
    )


def fetch_items(get_json: GetJson, url: str, *, currency: str = "USD", max_pages: int = MAX_PAGES) -> list[RetailItem]:
    """Every item of the query, following ``NextPageLink``; refuses another currency."""
    items: list[RetailItem] = []
    next_url: str | None = url
    pages = 0
    while next_url:
        pages += 1
        if pages > max_pages:
            raise InputError(
                f"more than {max_pages} pages for {url}",
                field="NextPageLink",
                hint="narrow the query (one region) or raise --max-pages",
            )
        page = get_json(next_url)
        raw_items = page.get("Items")
        if not isinstance(raw_items, list):
            raise InputError(
                "the page has no Items list",
                source=next_url,
                field="Items",
                hint="check that the URL is the Azure Retail Prices API",
            )
        for raw in raw_items:
            if not isinstance(raw, Mapping):
                continue
            item = RetailItem.from_json(raw, where=next_url)
            if item.currency != currency:
                raise InputError(
                    f"price in {item.currency or 'no currency'}, expected {currency}",
                    source=next_url,
                    field="currencyCode",
                    hint=f"query with currencyCode='{currency}' (costmodel's amounts are USD)",
                )
            items.append(item)
        link = page.get("NextPageLink")
        next_url = link if isinstance(link, str) and link else None
    return items


# -- Azure OpenAI meters -------------------------------------------------------------------------

_KIND_WORDS = [
    (re.compile(r"\b(cached|cchd|cache)\b"), Kind.CACHED_INPUT),
    (re.compile(r"\b(inp|input|prompt)\b"), Kind.INPUT),
    (re.compile(r"\b(outp|output|opt|completion)\b"), Kind.OUTPUT),
    (re.compile(r"\b(hosting|host|deployment)\b"), Kind.HOSTING),
    (re.compile(r"\b(training|trng|train)\b"), Kind.TRAINING),
    (re.compile(r"\b(ptu|provisioned)\b"), Kind.PTU_HOUR),
]
_TIER_WORDS = [
    (re.compile(r"\b(batch)\b"), "batch"),
    (re.compile(r"\b(dev|developer)\b"), "developer"),
    (re.compile(r"\b(glbl|global|gl)\b"), "global"),
    (re.compile(r"\b(ptu|provisioned)\b"), "provisioned"),
]
_FT_WORDS = re.compile(r"\b(ft|ftuned|fine|finetuned|fine-tuned|fntn)\b")


def _words(item: RetailItem) -> str:
    return re.sub(r"[^a-z0-9.]+", " ", f"{item.sku} {item.meter}".lower())


def _compact(name: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "", name.lower())


def map_openai_meter(
    item: RetailItem, models: Iterable[tuple[str, tuple[str, ...]]]
) -> tuple[str, Variant, Kind, str] | None:
    """``(model, variant, kind, tier)`` for an Azure OpenAI meter, or ``None`` when it cannot be placed.

    The model is the longest registry name or alias whose letters and digits appear in the SKU or
    meter name; the kind, tier and fine-tuned flag come from words such as ``Inp``/``Outp``,
    ``glbl``/``Dev``/``Batch`` and ``FT``. The result is a candidate for review, not a fact.
    """
    words = _words(item)
    squashed = _compact(item.sku + item.meter)
    best: tuple[int, str] | None = None
    for canonical, aliases in models:
        for name in (canonical, *aliases):
            c = _compact(name)
            if c and c in squashed and (best is None or len(c) > best[0]):
                best = (len(c), canonical)
    if best is None:
        return None
    kind = next((k for pattern, k in _KIND_WORDS if pattern.search(words)), None)
    if kind is None:
        return None
    tier = next((t for pattern, t in _TIER_WORDS if pattern.search(words)), "standard")
    variant = Variant.FINE_TUNED if _FT_WORDS.search(words) or kind in (Kind.HOSTING, Kind.TRAINING) else Variant.BASE
    return best[1], variant, kind, tier


_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KkMm])?\s*(hours?|tokens?)?\s*$", re.IGNORECASE)


def _per_unit(item: RetailItem, kind: Kind) -> Decimal | None:
    """The price converted to the catalogue's unit for ``kind`` (per 1M tokens or per hour)."""
    m = _UNIT.match(item.unit_of_measure.replace(",", ""))
    if not m:
        return None
    count = Decimal(m.group(1))
    scale = {"k": Decimal(1000), "m": Decimal(1_000_000)}.get((m.group(2) or "").lower(), Decimal(1))
    is_hours = (m.group(3) or "").lower().startswith("hour")
    per_hour_kind = UNIT_OF_KIND[kind].value == "usd_per_hour"
    if per_hour_kind != is_hours:
        return None
    if is_hours:
        return item.price / count
    return item.price / (count * scale) * Decimal(1_000_000)


@dataclass(frozen=True)
class DiffLine:
    what: str
    status: str  # "same", "changed", "new", "unmapped"
    bundled: str
    imported: str


@dataclass(frozen=True)
class ImportResult:
    price_rows: tuple[PriceRow, ...]
    instances: tuple[GpuInstance, ...]
    diff: tuple[DiffLine, ...]


def import_azure_retail(
    get_json: GetJson,
    catalog: Catalog,
    fleet: Fleet,
    *,
    region: str,
    today: date,
    include_openai: bool = True,
    include_vms: bool = True,
    max_pages: int = MAX_PAGES,
) -> ImportResult:
    """Fetch, map and compare. ``today`` is the fetch day, written into each row's note."""
    rows: list[PriceRow] = []
    diff: list[DiffLine] = []
    instances: list[GpuInstance] = []
    if include_openai:
        url = openai_query(region)
        models = [(m.model, m.aliases) for m in catalog.models if m.provider == Provider.AZURE]
        seen: dict[tuple[str, Variant, Kind, str, date], PriceRow] = {}
        for item in fetch_items(get_json, url, max_pages=max_pages):
            if item.type and item.type != "Consumption":
                continue
            mapped = map_openai_meter(item, models)
            amount = None if mapped is None else _per_unit(item, mapped[2])
            if mapped is None or amount is None:
                diff.append(
                    DiffLine(f"{item.sku} / {item.meter}", "unmapped", "", f"{item.price} per {item.unit_of_measure}")
                )
                continue
            model, variant, kind, tier = mapped
            key = (model, variant, kind, tier, item.effective)
            row = PriceRow(
                provider=Provider.AZURE,
                model=model,
                variant=variant,
                kind=kind,
                unit=UNIT_OF_KIND[kind],
                tier=tier,
                amount=amount,
                effective_from=item.effective,
                date_confirmed=True,
                source_url=url,
                reliability=Reliability.OFFICIAL,
                note=f"Azure Retail Prices API, {region}, meter '{item.meter}' (SKU '{item.sku}'), "
                f"{item.price} USD per {item.unit_of_measure}, fetched {today.isoformat()}; mapped by costmodel's "
                "meter-name rules: review before use",
                origin="azure-retail",
            )
            if key in seen:  # two meters on one key (e.g. a duplicate SKU): keep the first, say so
                diff.append(DiffLine(f"{row.key} from '{item.meter}'", "unmapped", "", "duplicate of another meter"))
                continue
            seen[key] = row
            rows.append(row)
            bundled = catalog.maybe_lookup(Provider.AZURE, model, variant, kind, tier, item.effective)
            if bundled is None:
                diff.append(DiffLine(str(row.key), "new", "no row", f"{amount} from {item.effective}"))
            elif bundled.amount == amount:
                diff.append(DiffLine(str(row.key), "same", f"{bundled.amount}", f"{amount}"))
            else:
                diff.append(
                    DiffLine(
                        str(row.key),
                        "changed",
                        f"{bundled.amount} ({bundled.reliability.value}, {bundled.window()})",
                        f"{amount} from {item.effective}",
                    )
                )
    if include_vms:
        for inst in fleet.instances:
            if inst.cloud != "azure":
                continue
            on_demand: RetailItem | None = None
            spot: RetailItem | None = None
            for item in fetch_items(get_json, vm_query(inst.instance, region), max_pages=max_pages):
                if item.type != "Consumption" or "windows" in item.product.lower():
                    continue
                if "low priority" in item.sku.lower() or not item.unit_of_measure.lower().endswith("hour"):
                    continue
                if "spot" in item.sku.lower():
                    spot = item if spot is None or item.effective > spot.effective else spot
                else:
                    on_demand = item if on_demand is None or item.effective > on_demand.effective else on_demand
            if on_demand is None:
                diff.append(DiffLine(inst.instance, "unmapped", str(inst.on_demand_usd_per_hour), "no Linux meter"))
                continue
            url = vm_query(inst.instance, region)
            imported = inst.model_copy(
                update={
                    "on_demand_usd_per_hour": on_demand.price,
                    "spot_usd_per_hour": None if spot is None else spot.price,
                    "region": region,
                    "effective_from": on_demand.effective,
                    "source_url": url,
                    "reliability": Reliability.OFFICIAL,
                    "note": f"Azure Retail Prices API, Linux pay-as-you-go meter '{on_demand.meter}', fetched "
                    f"{today.isoformat()}",
                    "origin": "azure-retail",
                    "line": None,
                }
            )
            instances.append(imported)
            status = "same" if inst.on_demand_usd_per_hour == on_demand.price else "changed"
            diff.append(
                DiffLine(
                    inst.instance,
                    status,
                    f"{inst.on_demand_usd_per_hour} ({inst.reliability.value})",
                    f"{on_demand.price} from {on_demand.effective}" + (f", spot {spot.price}" if spot else ""),
                )
            )
    return ImportResult(tuple(rows), tuple(instances), tuple(diff))
