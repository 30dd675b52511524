"""The Decision page computes every path's published latency at one output length and says which."""

from __future__ import annotations

import pytest

from costmodel.ui.decision_page import output_length_caption
from tests.ui_support import app_defaults, run_app, texts


@pytest.mark.parametrize(
    ("scenario_tokens", "used", "expected"),
    [
        (200, 200, "200 output tokens per request (the scenario's)"),
        (1500, 1500, "1,500 output tokens per request (the scenario's)"),
        (None, 256, "256 output tokens per request (a default: the traffic gives no output tokens per request)"),
        (0, 256, "256 output tokens per request (a default: the traffic gives no output tokens per request)"),
    ],
)
def test_caption_names_the_length_and_its_origin(scenario_tokens: int | None, used: int, expected: str) -> None:
    caption = output_length_caption(scenario_tokens, used)
    assert caption.startswith("Every path's end-to-end latency is for the same output length: ")
    assert caption.endswith(expected + ".")


def _length_captions(params: dict[str, str] | None = None) -> list[str]:
    at = run_app(params=params)
    assert not at.exception
    return [c for c in texts(at, "caption") if "same output length" in c]


def test_decision_page_says_which_output_length_its_latencies_use() -> None:
    # the app opens with the sample dataset's mean reply length (tests/ui_support.app_defaults)
    default = app_defaults().output_tokens
    assert _length_captions() == [output_length_caption(default, default)]
    assert f"{default:,} output tokens per request (the scenario's)" in _length_captions()[0]
    # a link with another length: the caption follows it
    assert _length_captions({"output_tokens": "640"}) == [output_length_caption(640, 640)]
