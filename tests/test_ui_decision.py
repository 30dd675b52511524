"""AppTest: the Decision page (home)."""

from __future__ import annotations

from costmodel.engine.scenario import evaluate
from costmodel.money import format_usd
from costmodel.present.decision import assess, describe_duration, format_tokens, recommend
from costmodel.prices import bundled_catalog
from costmodel.ui.inputs import ScenarioInputs
from costmodel.ui.state import today
from tests.ui_support import app_defaults, markdown_table, metric, run_app, texts


def engine(inputs: ScenarioInputs):  # type: ignore[no-untyped-def]
    result = evaluate(bundled_catalog(), inputs.scenario(), as_of=today())
    return result, recommend(result, assess(inputs.model_dump()))


def test_default_run_shows_recommendation_metrics_and_two_charts() -> None:
    at = run_app()
    assert not at.exception
    assert texts(at, "error") == []
    _, rec = engine(app_defaults())
    assert texts(at, "success") == [rec.sentence]
    assert metric(at, "Recommended path, per month") == format_usd(rec.monthly)
    # cost against traffic, cumulative cost, and the availability timeline (issue 10)
    assert [c.key for c in at.get("plotly_chart")] == ["chart_traffic", "chart_cumulative", "chart_timeline"]
    # the scenario is in the URL from the first run
    assert at.query_params["requests_per_day"] == "5000"


def test_changing_traffic_shows_the_engines_cost_and_breakeven() -> None:
    at = run_app()
    before = metric(at, "Recommended path, per month")
    at.number_input(key="in_requests_per_day").set_value(150_000).run()
    assert not at.exception
    result, rec = engine(app_defaults(requests_per_day=150_000))
    shown = metric(at, "Recommended path, per month")
    assert shown == format_usd(result.cost_of(rec.path).monthly_total)
    assert shown != before
    assert rec.provider_breakeven is not None and rec.provider_breakeven.tokens_per_hour is not None
    assert (
        metric(at, "Break-even, OpenAI vs Azure") == f"{format_tokens(rec.provider_breakeven.tokens_per_hour)} tokens/h"
    )
    assert rec.payback is not None and rec.payback.hours is not None
    assert metric(at, "Fine-tuning pays back after") == describe_duration(
        rec.payback.hours, result.scenario.traffic.hours_per_month
    )
    assert at.query_params["requests_per_day"] == "150000"


def test_never_paying_back_is_said_in_words() -> None:
    params = {
        "paths": "azure:gpt-4.1-mini:ft@standard,openai:gpt-4.1-mini:base@standard",
        "requests_per_day": "200",
        "as_of": "2025-12-01",  # both paths last the horizon then (issue 10: later, neither does)
    }
    at = run_app(params=params)
    assert not at.exception
    sentence = texts(at, "success")[0]
    assert "fine-tuning never pays back at this traffic" in sentence
    assert metric(at, "Fine-tuning pays back after") == "never"


def test_shared_link_reopens_the_same_scenario() -> None:
    params = {"requests_per_day": "1234", "horizon_months": "24", "log_x": "0", "q_general": "yes"}
    at = run_app(params=params)
    assert not at.exception
    assert at.number_input(key="in_requests_per_day").value == 1234
    assert at.toggle(key="in_log_x").value is False
    assert at.radio(key="in_q_general").value == "yes"
    inputs = app_defaults(requests_per_day=1234, horizon_months=24, log_x=False, q_general="yes")
    _, rec = engine(inputs)
    assert texts(at, "success") == [rec.sentence]
    assert metric(at, "Total over 24 months") == format_usd(rec.horizon_total)
    assert any("specialist" in w for w in texts(at, "warning"))


def test_bad_link_parameter_is_reported_and_the_rest_kept() -> None:
    at = run_app(params={"requests_per_day": "many", "horizon_months": "6"})
    assert not at.exception
    assert any("requests_per_day=many" in w for w in texts(at, "warning"))
    assert at.number_input(key="in_requests_per_day").value == 5000
    assert metric(at, "Total over 6 months")


def test_impossible_inputs_give_a_readable_error_and_keep_running() -> None:
    # batch share on a path without batch prices (Azure fine-tuned deployments)
    at = run_app(params={"batch_pct": "30"})
    assert not at.exception
    errors = texts(at, "error")
    assert len(errors) == 1
    assert "no batch price for azure:gpt-4.1-mini:ft@standard" in errors[0]
    assert "Fix: set the batch share to 0" in errors[0]
    # the other inputs are kept, and fixing the field brings the page back
    assert at.number_input(key="in_requests_per_day").value == 5000
    at.number_input(key="in_requests_per_day").set_value(7000).run()
    assert not at.exception and texts(at, "error")
    assert at.query_params["requests_per_day"] == "7000"


def test_request_without_tokens_is_refused_with_the_field() -> None:
    # The second zero is refused on its own (a warning naming the link parameter); the figures stay on screen.
    at = run_app(params={"input_tokens": "0", "output_tokens": "0"})
    assert not at.exception
    assert any(
        "'output_tokens=0' was ignored: a request must have some input or output tokens" in w
        for w in texts(at, "warning")
    )
    assert texts(at, "error") == []
    at.switch_page("costmodel/ui/pages/whatif.py").run()
    at.number_input(key="in_output_tokens").set_value(0).run()
    assert any("a request must have some input or output tokens" in e for e in texts(at, "error"))
    assert at.number_input(key="in_output_tokens").value != 0  # the previous value is kept


def test_readiness_blocker_holds_fine_tuning_back() -> None:
    at = run_app(params={"as_of": "2025-12-01"})  # before the base path's retirement enters the horizon
    at.radio(key="in_q_prompting").set_value("no").run()
    assert not at.exception
    sentence = texts(at, "warning")[0]
    assert sentence.startswith("Stay with gpt-4.1 base with a few-shot prompt on OpenAI for now")
    assert any("Try prompt engineering first" in e for e in texts(at, "error"))
    assert at.query_params["q_prompting"] == "no"


def test_launch_link_carries_the_chosen_path() -> None:
    # before OpenAI's fine-tuning wind-down (issue 10): on today's date this path ends inside the horizon
    at = run_app(params={"as_of": "2025-12-01"})
    links = at.get("page_link")
    assert len(links) == 1
    assert links[0].proto.page == "launch"
    assert links[0].proto.query_string == "path=openai%3Agpt-4.1-mini%3Aft%40standard"


def test_metric_line_items_are_shown() -> None:
    # before the wind-down: the OpenAI fine-tuned path is chosen; the two line-item popovers opened
    at = run_app(params={"as_of": "2025-12-01"}, opened=("pop_items", "pop_training_items"))
    tables = [m for m in texts(at, "markdown") if m.startswith("**openai:gpt-4.1-mini:ft@standard per month**")]
    assert tables and "| Input tokens |" in tables[0] and "| Output tokens |" in tables[0]
    assert "[open](https://" in tables[0]  # each price links to its source
    assert any(m.startswith("**Training openai:gpt-4.1-mini") for m in texts(at, "markdown"))


def test_date_before_any_price_is_a_readable_error() -> None:
    at = run_app(params={"as_of": "2020-01-01"})
    assert not at.exception
    # issue 10: a date never leaves the page on an error; paths that do not exist then are named
    assert texts(at, "error") == []
    warnings = texts(at, "warning")
    assert warnings and "None of the chosen paths exists on 2020-01-01" in warnings[0]
    assert "no input price" in warnings[0].lower()


def test_unconfirmed_prices_are_labelled_on_screen() -> None:
    params = {
        "as_of": "2024-01-15",
        "paths": "openai:gpt-3.5-turbo:ft,azure:gpt-35-turbo:ft@standard,openai:gpt-4:base",
    }
    at = run_app(params=params)
    assert not at.exception
    assert texts(at, "success")[0].endswith("This rests on at least one unconfirmed price.")
    assert any("rests on an unconfirmed price" in e for e in texts(at, "error"))


def test_invalid_date_in_link_is_ignored_with_a_warning() -> None:
    at = run_app(params={"as_of": "2024-13-45"})
    assert not at.exception
    assert any("as_of=2024-13-45" in w for w in texts(at, "warning"))
    assert texts(at, "success")


def test_removing_every_path_is_refused_and_the_paths_kept() -> None:
    at = run_app()
    at.multiselect(key="in_paths").set_value([]).run()
    assert not at.exception
    assert any("That value was not applied: paths" in e for e in texts(at, "error"))
    assert at.multiselect(key="in_paths").value == list(app_defaults().paths)
    assert texts(at, "success")  # the recommendation is still there


def test_decision_page_shows_each_paths_latency_and_where_it_comes_from() -> None:
    # Issue 5: "The Decision page uses each path's latency when it is known." With an empty store the
    # figures are the bundled published ones, labelled so; no path is left without a row.
    at = run_app()
    assert not at.exception
    assert "Latency" in [h.value for h in at.subheader]
    # a Markdown table since the cold-start work (st.dataframe imported pandas and pyarrow)
    (rows,) = [t for t in (markdown_table(m.value) for m in at.markdown) if t and "latency from" in t[0]]
    result, _ = engine(app_defaults())
    assert [r["path"] for r in rows] == [c.path.label for c in result.costs]
    assert {r["latency from"] for r in rows} <= {"published figure", "no figure", "measured"}
    assert any(r["latency from"] == "published figure" for r in rows)
    assert any("Measure your own endpoints" in c.value or "measure it" in c.value for c in at.caption)
