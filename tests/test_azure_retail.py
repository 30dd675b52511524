"""``costmodel prices import azure-retail`` on recorded pages in the API's documented format (no network).

The fixture pages in tests/fixtures/azure_retail/ are written by hand in the documented shape
(``Items``, ``NextPageLink``, ``currencyCode``, ``effectiveStartDate``); their figures are test
inputs, not catalogue facts.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from costmodel.cli import build_parser
from costmodel.cli.prices_import import run
from costmodel.errors import InputError
from costmodel.prices import bundled_catalog, load_catalog
from costmodel.prices.azure_retail import fetch_items, import_azure_retail, openai_query
from costmodel.prices.fleet import bundled_fleet

FIX = Path(__file__).resolve().parent / "fixtures" / "azure_retail"
TODAY = date(2026, 12, 1)


class RecordedApi:
    """Serves the recorded pages by URL and remembers every URL asked for."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> Mapping[str, Any]:
        self.urls.append(url)
        assert url.startswith(("https://prices.azure.com/", "https://prices.azure.com:443/")), url
        text = unquote(url)
        if "page2" in text:
            name = "openai_page2.json"
        elif "productName eq 'Azure OpenAI'" in text:
            name = "openai_page1.json"
        elif "armSkuName eq '" in text:
            sku = text.split("armSkuName eq '")[1].split("'")[0]
            name = f"vm_{sku}.json"
        else:  # pragma: no cover - a query the importer should not make
            raise AssertionError(url)
        path = FIX / name
        if not path.exists():
            return {"BillingCurrency": "USD", "Items": [], "NextPageLink": None, "Count": 0}
        data: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data


def test_import_maps_meters_follows_pages_and_diffs() -> None:
    api = RecordedApi()
    res = import_azure_retail(api, bundled_catalog(), bundled_fleet(), region="eastus", today=TODAY)
    # two OpenAI pages were read (NextPageLink followed), then one query per Azure GPU instance
    assert sum("page2" in unquote(u) for u in api.urls) == 1
    status = {d.what: d.status for d in res.diff}
    # 0.000165 per 1K = $0.165 per 1M, as bundled
    assert status["azure:gpt-4o-mini-2024-07-18:fine_tuned:input@standard"] == "same"
    assert status["azure:gpt-4o-mini-2024-07-18:fine_tuned:output@global"] == "same"
    assert status["azure:gpt-4o-mini-2024-07-18:fine_tuned:hosting@standard"] == "same"
    assert status["azure:gpt-4.1-mini-2025-04-14:fine_tuned:input@developer"] == "same"
    assert status["azure:gpt-4.1-nano-2025-04-14:fine_tuned:output@global"] == "changed"  # 0.40 bundled, 0.45 here
    assert status["Whisper / Whisper Speech to Text Hours"] == "unmapped"  # not dropped silently
    assert not any("Provisioned Managed" in d.what for d in res.diff)  # reservations are not pay-as-you-go
    row = next(r for r in res.price_rows if r.kind == "input" and r.tier == "standard")
    assert (row.amount, row.effective_from, row.reliability) == (D("0.165"), date(2024, 9, 1), "official")
    assert row.source_url == openai_query("eastus") and "fetched 2026-12-01" in row.note
    # GPU VMs: the Linux pay-as-you-go meter (not Windows, not Low Priority), newest effective date; spot kept
    vms = {i.instance: i for i in res.instances}
    a100 = vms["Standard_NC24ads_A100_v4"]
    assert (a100.on_demand_usd_per_hour, a100.spot_usd_per_hour) == (D("3.673"), D("0.7346"))
    assert vms["Standard_ND96isr_H100_v5"].on_demand_usd_per_hour == D("88.49")
    assert status["Standard_ND96isr_H100_v5"] == "changed" and status["Standard_NC24ads_A100_v4"] == "same"
    assert status["Standard_NC40ads_H100_v5"] == "unmapped"  # no page recorded: said, not guessed


def test_other_currency_is_refused_naming_the_field() -> None:
    page = json.loads((FIX / "openai_page2.json").read_text(encoding="utf-8"))
    page["Items"][0]["currencyCode"] = "EUR"
    with pytest.raises(InputError) as err:
        fetch_items(lambda url: page, openai_query("eastus"))
    assert err.value.field == "currencyCode"


def test_a_page_loop_stops_naming_the_field() -> None:
    page = {"Items": [], "NextPageLink": "https://prices.azure.com/api/retail/prices?again"}
    with pytest.raises(InputError) as err:
        fetch_items(lambda url: page, openai_query("eastus"), max_pages=3)
    assert err.value.field == "NextPageLink"


def test_cli_writes_reviewable_files_that_load_as_a_catalogue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser().parse_args(
        ["prices", "import", "azure-retail", "--region", "eastus", "--out-dir", str(tmp_path)]
    )
    assert run(args, get_json=RecordedApi(), today=TODAY) == 0
    out = capsys.readouterr().out
    assert "[changed] azure:gpt-4.1-nano-2025-04-14:fine_tuned:output@global: 0.40" in out
    assert "[unmapped] Whisper" in out
    prices = tmp_path / "azure-retail-prices.csv"
    cat = load_catalog(prices)  # the override file is a valid catalogue over the bundled one
    hit = cat.lookup("azure", "gpt-4.1-nano-2025-04-14", "fine_tuned", "output", "global", date(2026, 6, 1))
    assert hit.amount == D("0.45") and hit.reliability == "official"
    with (tmp_path / "azure-retail-gpu-instances.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["instance"] for r in rows} == {"Standard_NC24ads_A100_v4", "Standard_ND96isr_H100_v5"}


def test_plain_prices_command_still_lists_rows(capsys: pytest.CaptureFixture[str]) -> None:
    from costmodel.cli import main

    assert main(["prices", "--provider", "fireworks", "--as-of", "2025-01-01"]) == 0
    assert "llama-v3p1-8b-instruct" in capsys.readouterr().out
