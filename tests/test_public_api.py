"""The public API is pinned: adding or removing a name is a deliberate change made here too."""

import doctest

import costmodel

EXPECTED = {
    "BreakEven",
    "Breakdown",
    "Catalog",
    "CostmodelError",
    "InputError",
    "Kind",
    "LineItem",
    "LinearCost",
    "ModelInfo",
    "PathCost",
    "PathSpec",
    "Payback",
    "PriceRow",
    "Provider",
    "Reliability",
    "Scenario",
    "ScenarioResult",
    "Traffic",
    "Unit",
    "Variant",
    "__version__",
    "breakeven",
    "bundled_catalog",
    "default_epochs",
    "estimate_training",
    "evaluate",
    "linear_cost",
    "load_catalog",
    "load_scenario",
    "path_cost",
    "payback",
    "scenario_from_mapping",
}


def test_public_api_is_pinned() -> None:
    assert set(costmodel.__all__) == EXPECTED
    for name in costmodel.__all__:
        assert hasattr(costmodel, name), name


def test_docstring_examples_run() -> None:
    import importlib

    names = (
        "costmodel",
        "costmodel.engine.breakeven",
        "costmodel.money",
        "costmodel.engine.training",
        "costmodel.engine.usage",
    )
    for module in (importlib.import_module(n) for n in names):
        failed, _ = doctest.testmod(module)
        assert failed == 0, module.__name__
