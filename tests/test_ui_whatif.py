"""AppTest: the What-if page."""

from __future__ import annotations

from costmodel.engine.scenario import evaluate
from costmodel.money import format_usd
from costmodel.present.decision import describe_path
from costmodel.prices import bundled_catalog
from costmodel.ui.inputs import DEFAULT_PATHS
from costmodel.ui.state import today
from tests.ui_support import app_defaults, run_app, texts


def _titles(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.label for e in at.expander]


def test_default_run_has_tables_bar_and_heatmap() -> None:
    at = run_app("whatif")
    assert not at.exception
    assert texts(at, "error") == []
    assert len(at.get("plotly_chart")) == 2
    result = evaluate(bundled_catalog(), app_defaults().scenario(), as_of=today())
    for cost in result.costs:
        assert any(
            t.startswith(f"{describe_path(cost.path.label)}: {format_usd(cost.monthly_total)} a month")
            for t in _titles(at)
        )
    assert len(at.dataframe) >= len(result.costs)


def test_hosting_schedule_changes_azure_cost_to_the_engines_value() -> None:
    at = run_app("whatif")
    at.slider(key="in_hosted_hours").set_value(176).run()
    assert not at.exception
    result = evaluate(bundled_catalog(), app_defaults(hosted_hours=176).scenario(), as_of=today())
    azure = result.cost_of(DEFAULT_PATHS[1])
    assert any(
        t.startswith(f"{describe_path(azure.path.label)}: {format_usd(azure.monthly_total)} a month")
        for t in _titles(at)
    )
    assert at.query_params["hosted_hours"] == "176"


def test_every_control_is_bound_to_the_url() -> None:
    at = run_app("whatif")
    at.number_input(key="in_input_tokens").set_value(800)
    at.number_input(key="in_output_tokens").set_value(120)
    at.slider(key="in_cached_pct").set_value(40)
    at.slider(key="in_horizon_months").set_value(24)
    at.number_input(key="in_epochs").set_value(2)
    at.number_input(key="in_training_tokens").set_value(900_000)
    at.run()
    assert not at.exception
    expected = {
        "input_tokens": "800",
        "output_tokens": "120",
        "cached_pct": "40",
        "horizon_months": "24",
        "epochs": "2",
        "training_tokens": "900000",
    }
    assert {k: at.query_params[k] for k in expected} == expected


def test_heatmap_pair_is_part_of_the_link() -> None:
    params = {
        "paths": "openai:gpt-4.1-mini:ft,azure:gpt-4.1-mini:ft@standard,openai:gpt-4.1-nano:ft",
        "as_of": "2025-12-01",  # gpt-4.1-nano retires on OpenAI on 2026-10-23 (issue 10)
    }
    at = run_app("whatif", params)
    assert not at.exception
    box = at.selectbox(key="heat_pair_choice")
    assert len(box.options) == 3  # three fine-tuned paths: three pairs
    box.set_value(box.options[2]).run()
    assert not at.exception
    assert at.query_params["heat_a"] == "azure:gpt-4.1-mini:ft@standard"
    assert at.query_params["heat_b"] == "openai:gpt-4.1-nano:ft@standard"


def test_batch_share_on_azure_gives_readable_error_and_keeps_inputs() -> None:
    at = run_app("whatif")
    at.slider(key="in_batch_pct").set_value(50).run()
    assert not at.exception
    errors = texts(at, "error")
    assert errors and "no batch price" in errors[0] and "Fix:" in errors[0]
    assert at.slider(key="in_batch_pct").value == 50
    assert at.number_input(key="in_requests_per_day").value == 5000


def test_a_change_on_one_page_is_shown_on_the_other() -> None:
    at = run_app()
    at.number_input(key="in_requests_per_day").set_value(4321).run()
    at.switch_page("costmodel/ui/pages/whatif.py").run()
    assert at.number_input(key="in_requests_per_day").value == 4321
    at.number_input(key="in_requests_per_day").set_value(9876).run()
    at.switch_page("costmodel/ui/pages/decision.py").run()
    assert at.number_input(key="in_requests_per_day").value == 9876
    assert at.query_params["requests_per_day"] == "9876"
