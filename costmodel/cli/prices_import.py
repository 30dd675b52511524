"""``costmodel prices import azure-retail``: Azure OpenAI and GPU VM prices from the Azure Retail Prices API.

::

    costmodel prices import azure-retail --region eastus --out-dir imported/

writes ``azure-retail-prices.csv`` (catalogue format: use it with ``--catalog`` after review) and
``azure-retail-gpu-instances.csv`` (the format of ``data/gpu_instances.csv``), and prints the
difference against the bundled catalogue: same, changed, new, or unmapped meters. The API needs
no key; only prices.azure.com is contacted.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from costmodel.cli._common import catalog_from_args
from costmodel.errors import InputError
from costmodel.prices import CSV_COLUMNS

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    prices = subparsers.choices.get("prices")
    if prices is None:  # pragma: no cover - prices.py registers first (modules load in name order)
        return
    sub = prices.add_subparsers(dest="prices_command", metavar="import")
    imp = sub.add_parser("import", help="import prices from a provider's public price list")
    which = imp.add_subparsers(dest="source", metavar="SOURCE", required=True)
    p = which.add_parser(
        "azure-retail",
        help="Azure OpenAI and GPU VM prices from the Azure Retail Prices API (no key)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--region", default="eastus", help="Azure region (armRegionName), default eastus")
    p.add_argument("--out-dir", type=Path, default=Path("."), help="where to write the two CSV files")
    p.add_argument("--only", choices=["openai", "vms"], help="import only Azure OpenAI meters or only GPU VMs")
    p.add_argument("--max-pages", type=int, default=200, help="stop after this many pages per query")
    p.add_argument("--json", action="store_true", help="print the diff as JSON")
    p.set_defaults(handler=run)


def _http_get_json(url: str) -> Mapping[str, Any]:  # pragma: no cover - the network edge; tests inject pages
    import urllib.request

    if not url.startswith("https://prices.azure.com/"):
        raise InputError(f"refusing to follow {url}", field="NextPageLink", hint="only prices.azure.com is contacted")
    with urllib.request.urlopen(url, timeout=60) as resp:
        data = json.loads(resp.read().decode("utf-8"))
    if not isinstance(data, dict):
        raise InputError("the API did not return a JSON object", source=url, field="Items")
    return data


def run(args: argparse.Namespace, *, get_json: Any = None, today: date | None = None) -> int:
    from costmodel.prices.azure_retail import import_azure_retail
    from costmodel.prices.fleet import bundled_fleet

    if args.max_pages < 1:
        raise InputError("at least one page", field="--max-pages", hint="e.g. 200")
    result = import_azure_retail(
        get_json or _http_get_json,
        catalog_from_args(args),
        bundled_fleet(),
        region=args.region,
        today=today or date.today(),
        include_openai=args.only in (None, "openai"),
        include_vms=args.only in (None, "vms"),
        max_pages=args.max_pages,
    )
    out: Path = args.out_dir
    try:
        out.mkdir(parents=True, exist_ok=True)
        prices_file = out / "azure-retail-prices.csv"
        prices_file.write_text(_prices_csv(result.price_rows), encoding="utf-8")
        vms_file = out / "azure-retail-gpu-instances.csv"
        vms_file.write_text(_instances_csv(result.instances), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", source=str(out), field="--out-dir") from None
    if args.json:
        print(json.dumps([d.__dict__ for d in result.diff], indent=2))
        return 0
    print(
        f"Wrote {len(result.price_rows)} price rows to {prices_file} "
        f"and {len(result.instances)} instances to {vms_file}."
    )
    print("Review the differences before using them (--catalog for prices):")
    for d in result.diff:
        arrow = f"{d.bundled} -> {d.imported}" if d.bundled else d.imported
        print(f"  [{d.status}] {d.what}: {arrow}")
    return 0


def _prices_csv(rows: Any) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        w.writerow(
            [
                r.provider.value,
                r.model,
                r.variant.value,
                r.kind.value,
                r.unit.value,
                r.tier,
                "" if r.amount is None else format(r.amount.normalize(), "f"),
                r.effective_from.isoformat(),
                "",
                "true",
                r.source_url or "",
                r.reliability.value,
                r.note,
            ]
        )
    return buf.getvalue()


def _instances_csv(instances: Any) -> str:
    from costmodel.prices.fleet import GpuInstance

    columns = [n for n in GpuInstance.model_fields if n not in ("origin", "line")]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for i in instances:
        data = i.model_dump()
        w.writerow(
            ["" if data[c] is None else (data[c].value if hasattr(data[c], "value") else data[c]) for c in columns]
        )
    return buf.getvalue()
