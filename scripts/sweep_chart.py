"""Render a stored sweep's latency-against-rate chart to a PNG (no kaleido needed).

    python scripts/sweep_chart.py --db STORE [--sweep SWEEP_ID] --output docs/screenshots/sweep.png

The figure is :func:`costmodel.latency.charts.sweep_figure`; it is written to HTML and captured with
headless Chromium through Playwright (``/usr/bin/chromium`` unless ``--chromium`` says otherwise).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from playwright.sync_api import sync_playwright

    from costmodel import store
    from costmodel.latency.charts import endpoint_label, sweep_figure
    from costmodel.latency.sweep_runner import list_sweeps, load_sweep

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--sweep", help="sweep id (default: the newest)")
    ap.add_argument("--output", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    conn = store.connect(args.db)
    info = load_sweep(conn, args.sweep) if args.sweep else list_sweeps(conn)[0]
    conn.close()
    fig = sweep_figure(info.outcome)
    fig.update_layout(
        title=f"{fig.layout.title.text}: {info.model} via {endpoint_label(info.endpoint_url, info.endpoint_kind)}",
        width=900,
        height=500,
    )
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "sweep.html"
        fig.write_html(html, include_plotlyjs=True, full_html=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium)
            page = browser.new_page(viewport={"width": 940, "height": 540})
            page.goto(html.as_uri())
            page.wait_for_selector(".main-svg")
            page.locator(".plotly-graph-div").screenshot(path=args.output)
            browser.close()
    print(f"wrote {args.output} ({info.sweep_id})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
