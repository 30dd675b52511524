"""Issue 13 on the dashboard (AppTest): presets in one click, the break-even beside the launch control, currencies,
equations on the page, paths without a price listed with the reason, and the compare-with view."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from costmodel.engine.scenario import load_scenario
from costmodel.ui.inputs import ScenarioInputs
from costmodel.ui.presets import PRESETS, SCENARIOS_DIR, inputs_from_scenario, preset_inputs
from tests.ui_support import metric, run_app, texts


def _click_preset(key: str) -> object:
    at = run_app()
    at.button(key=f"preset_{key}").click().run()
    return at


def test_late_2023_preset_in_one_click_shows_2_5_million_beside_launch() -> None:
    # Regression: the preset could not be opened from the dashboard (8 to 11 steps by hand).
    at = _click_preset("late2023")
    assert not at.exception
    value = metric(at, "Break-even (tokens per hour)")
    # 1e6 x $7 / ($4.50 - $1.75) per 1M tokens = 2,545,455 tokens per hour (late-2023 rows of data/prices.csv)
    assert re.fullmatch(r"2\.5\d* million", value), value
    assert "Opened: Late 2023: OpenAI vs Azure, gpt-3.5-turbo." in texts(at, "info")
    assert any("prices as of 2024-01-15" in s for s in texts(at, "subheader"))
    # no wall of price-lookup errors: only the (correct) warning that Azure's 2023 hosting fee is unconfirmed
    assert all("unconfirmed price" in e for e in texts(at, "error")), texts(at, "error")


def test_preset_is_the_first_button_on_the_page() -> None:
    at = run_app()
    assert at.button[0].key == "preset_late2023"


def test_every_bundled_scenario_opens() -> None:
    for path in sorted(SCENARIOS_DIR.glob("*.yaml")):
        inputs, _ = inputs_from_scenario(load_scenario(path))
        assert inputs.scenario().paths == load_scenario(path).paths


def test_monthly_token_totals_become_requests_with_a_note() -> None:
    inputs, notes = preset_inputs(PRESETS[0])
    # 1e9 tokens a month / 1,000 per request / 730 h x 24 = 32,876.7 -> 32,877 requests a day of 500 + 500
    assert (inputs.requests_per_day, inputs.input_tokens, inputs.output_tokens) == (32_877, 500, 500)
    assert inputs.as_of == date(2024, 1, 15) and inputs.training_tokens == 1_000_000
    assert any("monthly token totals" in n for n in notes)


def test_currency_selector_converts_at_the_ecb_rate_and_shows_it() -> None:
    at = _click_preset("late2023")
    at.selectbox(key="in_currency").set_value("EUR").run()
    assert not at.exception
    captions = " ".join(texts(at, "caption"))
    assert "1 USD = 0.913659 EUR (ECB reference rate of 2024-01-15)" in captions
    assert metric(at, "Recommended path, per month").startswith("EUR ")
    assert any(s.endswith("EUR)") for s in texts(at, "subheader"))


def test_every_break_even_with_its_equation_on_the_page() -> None:
    at = run_app(opened=("exp_numbers", "pop_breakeven"))  # drawn when opened (cold start)
    md = " ".join(texts(at, "markdown"))
    assert "u* = (H_B - H_A) / (v_A - v_B)" in md
    assert "t* = (T_F - T_B) / (r x (v_B - v_F) - (H_F - H_B))" in md
    # the default scenario has three paths: three crossings (one of them also in its metric's popover)
    assert len(set(re.findall(r"### Break-even: (\S+ vs \S+)", md))) == 3


def test_paths_without_a_price_are_listed_with_the_reason() -> None:
    at = run_app(params={"as_of": "2025-06-02"}, opened=("exp_unpriced",))
    md = " ".join(texts(at, "markdown"))
    assert "`azure:gpt-4o-mini:ft@standard`: no training price" in md


def test_compare_with_a_preset_shows_the_diff() -> None:
    at = run_app(opened=("exp_compare",))
    at.selectbox(key="compare_choice").set_value("OpenAI vs Azure today, gpt-4.1-mini").run()
    assert not at.exception
    md = " ".join(texts(at, "markdown"))
    assert "### Cost diff: this scenario" in md and "Inputs that differ" in md


def test_payback_under_an_hour_reads_in_minutes() -> None:
    # Regression: a payback of a few minutes showed as "0.1 hours".
    at = run_app(params={"requests_per_day": "1000000"})
    value = metric(at, "Fine-tuning pays back after")
    assert "0.1 hours" not in value
    assert re.fullmatch(r"\d+ (seconds?|minutes?)", value) or value == "at once", value


def test_currency_round_trips_through_the_link() -> None:
    inputs = ScenarioInputs(currency="gbp")
    assert inputs.currency == "GBP"
    at = run_app(params={"currency": "JPY"})
    assert metric(at, "Recommended path, per month").startswith("JPY ")
    assert Decimal(1)  # keeps the import honest for type checkers


def test_line_item_quantities_read_in_human_units() -> None:
    # Regression: quantities read "973.3333 1M tokens".
    at = run_app(opened=("pop_items",))  # the line items popover, opened
    md = " ".join(texts(at, "markdown"))
    assert not re.search(r"\| [\d.,]+ 1M tokens \|", md)
    assert re.search(r"\| [\d.,]+ (million|billion) tokens \|", md)


def test_link_with_one_bad_path_keeps_the_others_on_the_page() -> None:
    # Regression: one bad path in a shared link dropped every path.
    at = run_app(params={"paths": "openai:gpt-4o:base,not-a-path,openai:gpt-4o-mini:ft"})
    assert not at.exception
    assert at.multiselect(key="in_paths").value == ["openai:gpt-4o:base@standard", "openai:gpt-4o-mini:ft@standard"]
    assert any("'not-a-path' was dropped" in w for w in texts(at, "warning"))


def test_what_if_amounts_follow_the_currency() -> None:
    at = run_app("whatif", params={"currency": "EUR", "as_of": "2025-06-02"})
    assert not at.exception
    assert any(s.endswith("EUR)") and "2025-06-02" in s for s in texts(at, "subheader"))
    titles = [e.label for e in at.expander if "a month" in e.label]
    assert titles and all(": EUR " in t for t in titles), titles
    assert any("ECB reference rate of 2025-06-02" in c for c in texts(at, "caption"))


def test_a_scenario_with_serving_options_says_what_the_dashboard_cannot_hold() -> None:
    inputs, notes = inputs_from_scenario(load_scenario(SCENARIOS_DIR / "2026-every-shape-llama-3.1-8b.yaml"))
    assert inputs.paths[2] == "selfhosted:llama-3.1-8b:lora@g6.xlarge"
    assert any("serving options" in n for n in notes)


def test_launch_control_stays_beside_the_break_even_disabled_with_its_lifecycle_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 13 acceptance with issue 10: on 2026-12-02 gpt-3.5-turbo can no longer be fine-tuned on OpenAI
    (retired 2026-10-23, data/lifecycle.csv), so the late-2023 preset's launch control is there but disabled,
    naming why; before the wind-down (2024-01-15, the preset's own date) it is a live link."""
    from costmodel.ui import state

    monkeypatch.setattr(state, "today", lambda: date(2026, 12, 2))
    at = _click_preset("late2023")
    assert not at.exception
    disabled = [b for b in at.button if b.key == "launch_disabled"]
    assert disabled and disabled[0].disabled and disabled[0].label == "Launch this fine-tuning"
    reason = [c for c in texts(at, "caption") if c.startswith("Disabled: ")]
    assert reason and "not possible on 2026-12-02" in reason[0] and "gpt-3.5-turbo" in reason[0], reason
    monkeypatch.setattr(state, "today", lambda: date(2024, 1, 15))
    at = _click_preset("late2023")
    assert not [b for b in at.button if b.key == "launch_disabled"]
