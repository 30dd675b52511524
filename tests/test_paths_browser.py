"""In a real browser: a self-hosted path on the Decision page is drawn as a staircase against traffic.

Same setup as tests/test_browser.py (``streamlit run app.py``, Playwright, Debian's chromium).
"""

from __future__ import annotations

import pytest

from tests.browser_support import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 90_000
SELF = "selfhosted:llama-3.1-8b:lora@g6.xlarge"
TOGETHER = "together:llama-3.1-8b-instruct:ft@standard"


def test_decision_chart_draws_a_staircase(chromium: str, base_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 2400}).new_page()
        page.goto(f"{base_url}/?paths={SELF},{TOGETHER}&requests_per_day=100000&as_of=2026-06-01", timeout=TIMEOUT_MS)
        page.wait_for_selector("h1", timeout=TIMEOUT_MS)
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2", timeout=TIMEOUT_MS)
        page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT_MS)
        assert page.locator('[data-testid="stException"]').count() == 0
        # the first chart is cost against traffic; read the drawn trace of the self-hosted path
        steps = page.evaluate(
            """(label) => {
                const gd = document.querySelectorAll('.js-plotly-plot')[0];
                const t = (gd._fullData || gd.data).find(d => d.name === label + ' (steps)');
                if (!t) return null;
                const xs = Array.from(t.x), ys = Array.from(t.y);  // _fullData holds decoded arrays
                let rises = 0;
                for (let i = 1; i < xs.length; i++) {
                    if (ys[i] > ys[i - 1] && (xs[i] - xs[i - 1]) <= xs[i - 1] * 1e-6) rises++;
                }
                return {levels: new Set(ys.map(y => y.toFixed(2))).size, rises: rises};
            }""",
            SELF,
        )
        assert steps is not None, "the self-hosted path is not drawn as steps"
        assert steps["levels"] >= 2 and steps["rises"] >= 1  # flat runs joined by vertical rises
        assert "(steps)" in str(page.locator(".js-plotly-plot").first.text_content())
        browser.close()
