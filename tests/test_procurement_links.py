"""Shared dashboard links (issue 13): one bad path drops only that path, with a message."""

from __future__ import annotations

from costmodel.ui.inputs import from_query, inputs_from_link


def test_one_bad_path_in_a_link_drops_only_that_path() -> None:
    # Regression: one malformed path used to discard every path of the shared link.
    inputs, problems = from_query({"paths": "openai:gpt-4o:base,openai-gpt-4o,azure:gpt-4.1-mini:ft@standard"})
    assert inputs.paths == ("openai:gpt-4o:base@standard", "azure:gpt-4.1-mini:ft@standard")
    assert len(problems) == 1 and "'openai-gpt-4o' was dropped" in problems[0] and "PROVIDER:MODEL:ft" in problems[0]


def test_link_parsing_reads_a_full_url_or_a_query() -> None:
    a, _ = inputs_from_link("http://localhost:8501/decision?paths=openai:gpt-4o:base&epochs=4&embed=true")
    b, _ = inputs_from_link("?paths=openai:gpt-4o:base&epochs=4")
    assert a == b and a.epochs == 4 and a.paths == ("openai:gpt-4o:base@standard",)
