"""Dashboard speed: server-side rerun after a widget change, and cold start to the first rendered page.

Rerun: ``streamlit.testing.v1.AppTest`` runs the Decision page (sample dataset, bundled catalogue),
then changes "Requests per day" N times and times each rerun. A trivial page with the same number of
plotly charts (two) and one number input is timed the same way in the same process, so the ratio
is against a baseline measured here and now. Targets: median within 5x the trivial page, p95 under
200 ms.

Cold start: from launching ``streamlit run app.py`` to the Decision page rendered in headless
Chromium (title and both charts drawn); without chromium, to the first HTTP answer of the page.

Usage: python benchmarks/bench_dashboard.py [--changes 40] [--no-cold-start]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

TRIVIAL = """
import plotly.graph_objects as go
import streamlit as st

n = st.number_input("Requests per day", min_value=1, value=5000, step=1000, key="n")
st.metric("cost", f"${n * 0.03:,.2f}")
st.plotly_chart(go.Figure(go.Scatter(x=[0, 1, 2], y=[0, n, 2 * n])), key="a")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b"], y=[n, 2 * n])), key="b")
"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def time_reruns(at: AppTest, key: str, changes: int) -> list[float]:
    at.run()  # first run: imports, caches
    for warm in (6000, 7000):
        at.number_input(key=key).set_value(warm).run()
    times: list[float] = []
    for i in range(changes):
        at.number_input(key=key).set_value(5000 + 1000 * (i % 50) + 17)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(str(at.exception))
    return times


def cold_start() -> tuple[str, float]:
    from tests.browser_support import CHROMIUM_ARGS, chromium_path, serve

    chromium = chromium_path()
    start = time.perf_counter()
    with serve() as url:
        if chromium is None:
            import urllib.request

            with urllib.request.urlopen(url, timeout=30) as resp:
                resp.read()
            return "HTTP (no chromium)", time.perf_counter() - start
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            page.goto(url, timeout=120_000)
            page.wait_for_selector("h1", timeout=120_000)
            page.wait_for_function(
                "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2", timeout=120_000
            )
            elapsed = time.perf_counter() - start
            browser.close()
            return "browser (headless chromium, title and both charts drawn)", elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--no-cold-start", action="store_true")
    args = parser.parse_args()
    os.chdir(ROOT)  # Streamlit reads .streamlit/config.toml from the working directory
    if args.changes < 30:
        parser.error("use at least 30 changes")

    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(TRIVIAL)
        trivial_path = f.name
    trivial = time_reruns(AppTest.from_file(trivial_path, default_timeout=60), "n", args.changes)
    decision = time_reruns(
        AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), "in_requests_per_day", args.changes
    )
    Path(trivial_path).unlink()

    def row(name: str, values: list[float]) -> str:
        med, p95 = statistics.median(values), _percentile(values, 0.95)
        return f"{name:<34} median {med * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (n={len(values)})"

    print("Server-side rerun after a widget change (AppTest, same process):")
    print(row("trivial page, 2 plotly charts", trivial))
    print(row("Decision page, sample dataset", decision))
    ratio = statistics.median(decision) / statistics.median(trivial)
    p95 = _percentile(decision, 0.95)
    print(f"median ratio Decision / trivial: {ratio:.1f}x (target <= 5x: {'met' if ratio <= 5 else 'NOT met'})")
    print(f"Decision p95: {p95 * 1000:.1f} ms (target < 200 ms: {'met' if p95 < 0.2 else 'NOT met'})")
    if not args.no_cold_start:
        how, seconds = cold_start()
        print(f"Cold start, `streamlit run app.py` to first rendered page via {how}: {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
