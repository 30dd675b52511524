"""What-if: a usage log uploaded on the page goes through the traffic importer and, on a button,
becomes the scenario's traffic.

Expected figures are the hand-computed ones of tests/test_traffic_import.py's module docstring
(the eight requests of tests/data/traffic/*): 4 requests a day, input mean 250 / p95 400, cached
mean 50 / p95 165 (sorted 0,0,0,0,0,100,100,200: rank 6.65 -> 100 + 0.65 x 100 = 165), output mean 125 / p95 250,
cached share 20%, peak-to-average 12.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from costmodel.traffic.reader import import_traffic
from costmodel.ui.traffic_upload import traffic_changes, traffic_rows
from tests.ui_support import run_app

DATA = Path(__file__).resolve().parent / "data" / "traffic"

EXPECTED_ROWS = {
    "Requests": "8 over 2 UTC days",
    "Requests per day": "4.0",
    "Input tokens per request": "mean 250.0, p95 400",
    "Cached input tokens per request": "mean 50.0, p95 165",
    "Output tokens per request": "mean 125.0, p95 250",
    "Cached share of input tokens": "20.0%",
    "Peak-to-average (busiest hour)": "12.00",
}


@pytest.mark.parametrize("name", ["openai_completions.jsonl", "plain.csv", "otel_spans.jsonl"])
def test_rows_and_changes_from_the_hand_made_logs(name: str) -> None:
    profile = import_traffic(DATA / name).profile
    assert {r["figure"]: r["value"] for r in traffic_rows(profile)} == EXPECTED_ROWS
    assert traffic_changes(profile) == {
        "requests_per_day": 4,
        "input_tokens": 250,
        "output_tokens": 125,
        "cached_pct": 20,
    }


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="traffic_file").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception
    return at


def _figures(at: AppTest) -> dict[str, str]:
    (table,) = [df for df in at.dataframe if list(df.value.columns) == ["figure", "value"]]
    return {r["figure"]: r["value"] for r in table.value.to_dict("records")}


def test_upload_shows_the_figures_and_apply_sets_the_scenario() -> None:
    at = run_app("whatif")
    assert not at.exception
    before = at.number_input(key="in_requests_per_day").value
    at = _upload(at, "plain.csv", (DATA / "plain.csv").read_bytes())
    assert _figures(at) == EXPECTED_ROWS
    assert at.number_input(key="in_requests_per_day").value == before  # nothing applied yet
    at.button(key="traffic_apply").click().run()
    assert not at.exception
    assert at.number_input(key="in_requests_per_day").value == 4
    assert at.number_input(key="in_input_tokens").value == 250
    assert at.number_input(key="in_output_tokens").value == 125
    assert at.slider(key="in_cached_pct").value == 20
    assert any("applied to the scenario" in s.value for s in at.success)
    assert at.query_params["requests_per_day"] == "4"


def test_malformed_lines_are_reported_by_line_and_the_rest_imported() -> None:
    at = _upload(run_app("whatif"), "mixed.jsonl", (DATA / "openai_with_malformed.jsonl").read_bytes())
    warning = " ".join(w.value for w in at.warning)
    assert "5 malformed record(s) skipped" in warning
    for line in ("line 3", "line 6", "line 9, field usage.prompt_tokens", "line 10, field usage", "line 13"):
        assert line in warning
    assert _figures(at)["Input tokens per request"] == "mean 250.0, p95 400"


def test_a_file_with_nothing_usable_is_an_error_not_a_crash() -> None:
    at = _upload(run_app("whatif"), "junk.jsonl", b"\xff\xfe not json\n{\n")
    assert any("no usable usage record" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "traffic_apply"]
