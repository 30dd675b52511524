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
