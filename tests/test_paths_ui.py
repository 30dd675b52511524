"""The new paths where people see them: the picker, the staircase chart, the wording."""

from __future__ import annotations

from datetime import date

from costmodel.engine.scenario import evaluate, scenario_from_mapping
from costmodel.engine.usage import PathSpec
from costmodel.present.charts import cost_vs_traffic
from costmodel.present.decision import describe_path
from costmodel.prices import bundled_catalog
from costmodel.prices.fleet import bundled_fleet
from costmodel.ui.inputs import ScenarioInputs, path_options, picker_label

DAY = date(2026, 6, 1)
SELF = "selfhosted:llama-3.1-8b:lora@g6.xlarge"
TOGETHER = "together:llama-3.1-8b-instruct:ft@standard"


def test_picker_offers_every_shape_and_each_option_evaluates() -> None:
    catalog, fleet = bundled_catalog(), bundled_fleet()
    options = path_options(catalog, DAY, fleet=fleet)
    shapes = {PathSpec.parse(o).shape for o in options}
    assert shapes == {"per_token", "capacity", "selfhosted"}
    assert {o.split(":")[0] for o in options} >= {"openai", "azure", "vertex", "together", "fireworks", "selfhosted"}
    scenario = ScenarioInputs(paths=(options[0],)).scenario()
    for label in options:
        evaluate(catalog, scenario.model_copy(update={"paths": (PathSpec.parse(label),)}), as_of=DAY, fleet=fleet)
    assert picker_label(SELF) == "Self-hosted (rented GPUs) · llama-3.1-8b:lora@g6.xlarge"


def test_chart_draws_capacity_paths_as_staircases() -> None:
    s = scenario_from_mapping(
        {
            "as_of": DAY,
            "paths": [SELF, TOGETHER],
            "traffic": {"requests_per_day": 100000, "input_tokens_per_request": 500, "output_tokens_per_request": 200},
            "serving": {"tokens_per_second_per_unit": {SELF: 2000}},
        }
    )
    result = evaluate(bundled_catalog(), s, as_of=DAY)
    fig = cost_vs_traffic(result, log_x=False)
    steps = next(t for t in fig.data if t.name == SELF + " (steps)")
    xs, ys = list(steps.x), list(steps.y)
    # vertical rises: two points at one traffic, the second higher by one instance-month (730 x $0.8048 = $587.50)
    rises = [(ys[i] - ys[i - 1]) for i in range(1, len(xs)) if xs[i] == xs[i - 1] and ys[i] > ys[i - 1]]
    assert rises and all(abs(r - 587.504) < 0.01 for r in rises)
    line = next(t for t in fig.data if t.name == TOGETHER)
    assert len(set(round(v, 2) for v in line.y)) > 2  # the per-token path stays a line
    # every crossing (equal and step) is marked
    marks = [t for t in fig.data if str(t.name).startswith(("equal crossing", "step crossing", "break-even"))]
    assert len(marks) >= len(result.crossings[0].crossings) - 1


def test_describe_path_names_the_new_hosts() -> None:
    assert describe_path(SELF) == "lora-tuned llama-3.1-8b on rented GPUs (g6.xlarge)"
    assert describe_path(TOGETHER) == "fine-tuned llama-3.1-8b-instruct on Together AI (standard)"


def test_report_lists_units_prices_and_every_crossing() -> None:
    from costmodel.present.decision import assess, recommend
    from costmodel.present.report import Report

    catalog = bundled_catalog()
    inputs = ScenarioInputs(
        paths=(SELF, TOGETHER, "azure:gpt-4o:ft@provisioned"),
        requests_per_day=100000,
        input_tokens=500,
        output_tokens=200,
        training_tokens=1_000_000,
        epochs=3,
        as_of=DAY,
    )
    result = evaluate(catalog, inputs.scenario(), as_of=DAY)
    readiness = assess(inputs.model_dump())
    report = Report(
        catalog=catalog,
        inputs=inputs,
        result=result,
        readiness=readiness,
        recommendation=recommend(result, readiness),
        generated_on=DAY,
    )
    md = report.markdown()
    assert "Instance hours (" in md and "PTU hours (50 PTUs" in md  # line items show instances and units
    assert any(r.kind == "ptu_hour" for r in report.prices)  # the PTU price row is among the prices used
    # a staircase pair gets the typed "never" with the range examined (20 x 4,166.67 requests/h)
    assert "never cross" in md and "up to 83,333 requests per hour" in md
    assert "<html" in report.html().lower()
