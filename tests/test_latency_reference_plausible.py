"""Plausibility of the bundled published figures: a smaller model is not slower than its larger
sibling in the same source, and every figure states its statistic and workload."""

from __future__ import annotations

from costmodel.latency.reference import ReferenceFigure, bundled_reference, implausible_siblings


def fig(model: str, value: float, url: str = "https://a.example/x", statistic: str = "median") -> ReferenceFigure:
    return ReferenceFigure(
        provider="openai",
        model=model,
        metric="output_tokens_per_s",
        statistic=statistic,  # type: ignore[arg-type]
        value=value,
        workload="w",
        source_url=url,
        conditions="c",
        reliability="third_party",  # type: ignore[arg-type]
        use_for_paths=True,
    )


def test_bundled_figures_are_plausible() -> None:
    assert implausible_siblings(bundled_reference()) == []


def test_the_check_flags_a_smaller_sibling_published_slower() -> None:
    # the figure that broke: gpt-4o-mini at 13.6 tok/s beside gpt-4o at 81 from one source
    assert implausible_siblings([fig("gpt-4o-mini-2024-07-18", 13.6), fig("gpt-4o-2024-05-13", 81)]) == [
        "openai gpt-4o-mini 13.6 tok/s (median) < gpt-4o 81 tok/s in https://a.example/x"
    ]
    # different sources, or different statistics, are not compared
    assert implausible_siblings([fig("gpt-4o-mini", 13.6), fig("gpt-4o", 81, url="https://b.example/y")]) == []
    assert implausible_siblings([fig("gpt-4o-mini", 13.6, statistic="mean"), fig("gpt-4o", 81)]) == []
    assert implausible_siblings([fig("gpt-4.1-nano", 90), fig("gpt-4.1-mini", 95)]) != []


def test_every_path_figure_states_statistic_and_workload() -> None:
    for row in bundled_reference():
        if row.use_for_paths:
            assert row.statistic and row.workload.strip(), row.line
            assert row.metric != "latency_ms", row.line
