"""Dashboard speed: server-side rerun after a widget change, and cold start to the first rendered page.

Rerun: ``streamlit.testing.v1.AppTest`` runs the Decision page (sample dataset, bundled catalogue),
then changes "Requests per day" N times and times each rerun. A trivial page with the same number of
plotly charts (two) and one number input is timed the same way in the same process, so the ratio
is against a baseline measured here and now. Targets: median within 5x the trivial page, p95 under
200 ms.

Cold start: from starting the command to the Decision page rendered in headless Chromium (its title
and both charts drawn), for ``streamlit run app.py`` and for ``costmodel dashboard``, against the
trivial two-chart page started the same way (``streamlit run`` with the flags ``costmodel dashboard``
passes) until both of its charts are drawn; alternating, medians of ``--cold-rounds`` (5). The
browser is started before the timers. Target: within 1.5x of the trivial app.

Each cold start also reports its phases (server healthy, then drawn), the server's CPU seconds and,
with ``--cpu``, the page's main-thread CPU seconds: a cross-check that depends less on the load of
other processes than wall time (2 shared cores).

``--empty-cache`` starts every server with an empty ``COSTMODEL_CACHE_DIR`` (the first start after an
install: the sample's first-view numbers and the tokenizer vocabulary are computed, not read).

Usage: python benchmarks/bench_dashboard.py [--changes 40] [--no-cold-start] [--no-rerun] [--cold-rounds 5] [--cpu]
       [--empty-cache]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


def _serve_cmd(script: str, port: int) -> list[str]:
    """``streamlit run SCRIPT`` with the flags ``costmodel dashboard`` passes (headless, local, no stats)."""
    return [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
        "--server.showEmailPrompt", "false", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip


def _dashboard_cmd(port: int) -> list[str]:
    return [str(Path(sys.executable).parent / "costmodel"), "dashboard", "--headless", "--port", str(port)]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux ``/proc``; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def cold_start(
    cmd_for_port: Any,
    wait_js: str,
    browser: Any,
    record: dict[str, list[float]] | None = None,
    cpu: bool = False,
    cache_dir: str | None = None,
) -> float:
    """Seconds from starting the command to the page drawn in ``browser`` (``wait_js`` true).

    ``record`` (when given) receives ``healthy``: the seconds to the server's health check answering
    (the rest is the page's load, first script run and drawing), and ``server cpu``: the server
    process's CPU seconds when the page is drawn. With ``cpu`` it also receives ``browser cpu``: the
    page's main-thread task time (Chrome's ``TaskDuration``), read after the timer stops; these two
    depend much less on the other processes' load than the wall time does. ``cache_dir`` (when
    given) is the server's ``COSTMODEL_CACHE_DIR``.
    """
    import subprocess

    from tests.browser_support import free_port, wait_healthy

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env["PYTHONPATH"] = str(ROOT)
    if cache_dir is not None:
        env["COSTMODEL_CACHE_DIR"] = cache_dir
    start = time.perf_counter()
    proc = subprocess.Popen(cmd_for_port(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(port, timeout_s=180, proc=proc)
        healthy = time.perf_counter() - start
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        cdp = None
        if cpu:
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
        page.goto(f"http://127.0.0.1:{port}", timeout=180_000)
        page.wait_for_function(wait_js, timeout=180_000)
        elapsed = time.perf_counter() - start
        if record is not None:
            record.setdefault("healthy", []).append(healthy)
            record.setdefault("server cpu", []).append(_cpu_seconds(proc.pid))
            if cdp is not None:
                metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
                record.setdefault("browser cpu", []).append(float(metrics.get("TaskDuration", 0.0)))
        page.close()
        return elapsed
    finally:
        proc.terminate()
        proc.wait(timeout=30)


DECISION_DRAWN = (
    "document.querySelector('h1') && document.querySelector('h1').textContent.includes('Fine-tune or not')"
    " && document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2"
)
TRIVIAL_DRAWN = "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2"


def cold_starts(rounds: int, trivial_path: str, cpu: bool = False, empty_cache: bool = False) -> None:
    """Medians of ``rounds`` cold starts each, alternating: the dashboard vs the trivial 2-chart app."""
    from tests.browser_support import CHROMIUM_ARGS, chromium_path

    chromium = chromium_path()
    if chromium is None:
        print("Cold start: skipped (no chromium found)")
        return
    from playwright.sync_api import sync_playwright

    apps: dict[str, tuple[Any, str]] = {
        "trivial": (lambda port: _serve_cmd(trivial_path, port), TRIVIAL_DRAWN),
        "streamlit run app.py": (lambda port: _serve_cmd(str(ROOT / "app.py"), port), DECISION_DRAWN),
        "costmodel dashboard": (_dashboard_cmd, DECISION_DRAWN),
    }
    runs: dict[str, list[float]] = {name: [] for name in apps}
    records: dict[str, dict[str, list[float]]] = {name: {} for name in apps}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)  # launched before any timer
        for _ in range(rounds):
            for name, (cmd, drawn) in apps.items():
                with tempfile.TemporaryDirectory() as empty:  # a first start after install: nothing cached
                    cache = empty if empty_cache else None
                    runs[name].append(cold_start(cmd, drawn, browser, records[name], cpu, cache))
        browser.close()
    base = statistics.median(runs["trivial"])
    print(
        f"Cold start, command to first rendered page in headless chromium (title and both charts drawn), "
        f"medians of {rounds}"
        + (", every start with an empty COSTMODEL_CACHE_DIR (first start after install):" if empty_cache else ":")
    )
    print(f"  trivial 2-chart app (streamlit run trivial.py): {base:6.2f} s   rounds {_fmt(runs['trivial'])}")
    for name in ("streamlit run app.py", "costmodel dashboard"):
        med = statistics.median(runs[name])
        verdict = "met" if med / base <= 1.5 else "NOT met"
        print(
            f"  Decision page ({name}): {med:6.2f} s   ratio {med / base:.2f}x (target <= 1.5x: {verdict})   "
            f"rounds {_fmt(runs[name])}"
        )
    print("  phases (medians): server healthy, then page loaded, run and drawn; CPU seconds until drawn:")
    for name in runs:
        rec = records[name]
        up = statistics.median(rec["healthy"])
        drawn = statistics.median([t - h for t, h in zip(runs[name], rec["healthy"], strict=True)])
        line = f"    {name:<22} healthy after {up:5.2f} s, drawn {drawn:5.2f} s later; server CPU"
        line += f" {statistics.median(rec['server cpu']):5.2f} s"
        if "browser cpu" in rec:
            line += f", page main thread {statistics.median(rec['browser cpu']):5.2f} s"
        print(line)
    if cpu:
        total = {
            n: statistics.median([a + b for a, b in zip(r["server cpu"], r["browser cpu"], strict=True)])
            for n, r in records.items()
        }
        for name in ("streamlit run app.py", "costmodel dashboard"):
            ratio = total[name] / total["trivial"]
            print(f"  CPU-time ratio (server + page main thread), {name} / trivial: {ratio:.2f}x")
    print(f"  load average (1, 5, 15 min) after the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _fmt(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def rerun(changes: int) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(TRIVIAL)
        trivial_path = f.name
    trivial = time_reruns(AppTest.from_file(trivial_path, default_timeout=60), "n", changes)
    decision = time_reruns(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), "in_requests_per_day", changes)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--no-cold-start", action="store_true")
    parser.add_argument("--cold-rounds", type=int, default=5, help="cold starts of each app (median)")
    parser.add_argument("--no-rerun", action="store_true", help="only the cold starts")
    parser.add_argument(
        "--empty-cache",
        action="store_true",
        help="start every server with an empty COSTMODEL_CACHE_DIR (the first start after an install)",
    )
    parser.add_argument(
        "--cpu", action="store_true", help="also read the page's main-thread CPU time (Chrome DevTools) per cold start"
    )
    args = parser.parse_args()
    os.chdir(ROOT)  # Streamlit reads .streamlit/config.toml from the working directory
    if args.changes < 30:
        parser.error("use at least 30 changes")

    if not args.no_rerun:
        rerun(args.changes)
    if not args.no_cold_start:
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(TRIVIAL)
            trivial_path = f.name
        try:
            cold_starts(args.cold_rounds, trivial_path, cpu=args.cpu, empty_cache=args.empty_cache)
        finally:
            Path(trivial_path).unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
