"""Traffic from logs: the same eight hand-made requests in every format give the same scenario.

The requests (tests/data/traffic/*, UTC):

    2026-11-01 09:10  in 100 cached   0 out  50      2026-11-02 09:05  in 100 cached   0 out  50
    2026-11-01 09:40  in 200 cached 100 out 150      2026-11-02 10:00  in 200 cached   0 out 150
    2026-11-01 09:50  in 300 cached   0 out  50      2026-11-02 15:30  in 300 cached 100 out  50
    2026-11-01 14:00  in 400 cached 200 out 250      2026-11-02 20:00  in 400 cached   0 out 250

Expected values, by hand:
* requests per day: 8 requests / 2 UTC days = 4;
* input: mean (100+200+300+400) x 2 / 8 = 250; sorted 100,100,200,200,300,300,400,400:
  p50 at rank 3.5 = (200 + 300) / 2 = 250, p95 at rank 6.65 = 400;
* output: sorted 50,50,50,50,150,150,250,250: mean 1000 / 8 = 125, p50 at rank 3.5 = (50 + 150) / 2
  = 100, p95 = 250;
* cached share: (100 + 200 + 100) / 2000 = 0.2;
* hourly: 4 of the 8 started in hour 09 -> share 0.5 -> peak-to-average 0.5 x 24 = 12.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from costmodel.engine.usage import Traffic
from costmodel.errors import ScenarioError
from costmodel.traffic.document import load_replay, to_yaml
from costmodel.traffic.profile import percentile_of_counts
from costmodel.traffic.reader import import_traffic

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "traffic"

FILES = [
    ("openai_completions.jsonl", "auto", 0),
    ("openai_completions.jsonl", "openai", 0),
    ("openai_batch_output.jsonl", "auto", 1),  # one failed batch line: not a request
    ("openai_batch_output.jsonl", "openai-batch", 1),
    ("otel_spans.jsonl", "auto", 0),  # the plain HTTP span inside the OTLP line is skipped silently
    ("otel_spans.jsonl", "otel", 0),
    ("litellm_spend.jsonl", "auto", 0),
    ("litellm_spend.jsonl", "litellm", 0),
    ("plain.csv", "auto", 0),
    ("plain.csv", "csv", 0),
]


@pytest.mark.parametrize(("name", "fmt", "not_requests"), FILES)
def test_every_format_gives_the_documented_scenario(name: str, fmt: str, not_requests: int) -> None:
    result = import_traffic(DATA / name, fmt)
    p = result.profile
    assert result.problem_count == 0, result.problems
    assert p.requests == 8 and p.days == 2 and p.not_requests == not_requests
    assert p.requests_per_day == Decimal(4)
    assert (p.input_tokens.mean, p.input_tokens.p50, p.input_tokens.p95, p.input_tokens.max) == (250, 250, 400, 400)
    assert (p.output_tokens.mean, p.output_tokens.p50, p.output_tokens.p95) == (125, 100, 250)
    assert p.cached_share == Decimal("0.2")
    assert p.hourly_share is not None and p.hourly_share[9] == 0.5
    assert p.peak_to_average == pytest.approx(12.0)
    assert p.first_utc == "2026-11-01T09:10:00+00:00" and p.last_utc == "2026-11-02T20:00:00+00:00"
    assert p.traffic_section() == {
        "requests_per_day": Decimal(4),
        "input_tokens_per_request": 250,
        "output_tokens_per_request": 125,
        "cached_share": Decimal("0.2000"),
    }
    Traffic.model_validate(p.traffic_section())  # the engine accepts the section as it is


def test_malformed_records_are_reported_by_line_and_skipped() -> None:
    result = import_traffic(DATA / "openai_with_malformed.jsonl")
    assert result.profile.requests == 8  # the eight good ones, same figures
    assert result.profile.input_tokens.mean == 250
    got = [(p.line, p.field) for p in result.problems]
    assert got == [
        (3, None),  # truncated JSON
        (6, None),  # an object of no known format
        (9, "usage.prompt_tokens"),  # negative
        (10, "usage"),  # cached 20 > input 10
        (13, None),  # not an object
    ]
    assert "not valid JSON" in str(result.problems[0])
    assert "negative" in result.problems[2].message


def test_csv_errors_name_the_row_and_a_missing_column_names_the_fix(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text(
        "timestamp,input_tokens,output_tokens\n2026-01-01T00:00:00Z,10,5\nyesterday,10,5\n2026-01-01T01:00:00Z,x,5\n"
    )
    result = import_traffic(f)
    assert [(p.line, p.field) for p in result.problems] == [(3, "timestamp"), (4, "input_tokens")]
    assert result.profile.requests == 1
    bad = tmp_path / "h.csv"
    bad.write_text("when,input_tokens\n1,2\n")
    with pytest.raises(ScenarioError) as err:
        import_traffic(bad)
    assert "timestamp" in str(err.value) and "output_tokens" in str(err.value) and "h.csv" in str(err.value)


def test_nothing_usable_is_an_error_not_an_empty_profile(tmp_path: Path) -> None:
    f = tmp_path / "x.jsonl"
    f.write_text("not json\n")
    with pytest.raises(ScenarioError) as err:
        import_traffic(f)
    assert "line 1" in str(err.value)


def test_usage_api_buckets_are_weighted(tmp_path: Path) -> None:
    """Two hourly buckets: 3 requests (600 in / 150 cached / 300 out) at 09:00 and 1 (200/0/100) at 10:00.
    Bucket means 200/50/100 and 200/0/100 -> 4 requests, mean input 200, output 100, cached share
    150 / 800 = 0.1875, peak 3 of 4 in hour 9 -> 0.75 x 24 = 18."""
    page = {
        "object": "page",
        "data": [
            {
                "object": "bucket",
                "start_time": 1793523600,
                "end_time": 1793527200,
                "results": [
                    {
                        "object": "organization.usage.completions.result",
                        "input_tokens": 600,
                        "input_cached_tokens": 150,
                        "output_tokens": 300,
                        "num_model_requests": 3,
                    }
                ],
            },
            {
                "object": "bucket",
                "start_time": 1793527200,
                "end_time": 1793530800,
                "results": [
                    {
                        "object": "organization.usage.completions.result",
                        "input_tokens": 200,
                        "input_cached_tokens": 0,
                        "output_tokens": 100,
                        "num_model_requests": 1,
                    }
                ],
            },
            {"object": "bucket", "start_time": 1793530800, "end_time": 1793534400, "results": []},
        ],
    }
    f = tmp_path / "usage.jsonl"
    f.write_text(json.dumps(page) + "\n")
    p = import_traffic(f).profile
    assert (p.requests, p.input_tokens.mean, p.output_tokens.mean) == (4, 200, 100)
    assert p.cached_share == Decimal("0.1875")
    assert p.peak_to_average == pytest.approx(18.0)
    assert any("bucket" in n for n in p.notes)


@pytest.mark.parametrize(
    ("counts", "q", "expected"),
    [
        ({5: 1}, 95, 5.0),
        ({1: 2, 3: 2}, 50, 2.0),  # 1,1,3,3: rank 1.5 -> (1 + 3) / 2
        ({1: 99, 100: 1}, 99, 1.99),  # rank 98.01 -> 1 + 0.01 x 99
        ({0: 1, 10: 1}, 95, 9.5),
    ],
)
def test_percentile_of_counts_matches_the_expanded_list(counts: dict[int, int], q: float, expected: float) -> None:
    from collections import Counter

    assert percentile_of_counts(Counter(counts), q) == pytest.approx(expected)


def test_yaml_round_trip_and_replay(tmp_path: Path) -> None:
    p = import_traffic(DATA / "plain.csv").profile
    out = tmp_path / "traffic.yaml"
    out.write_text(to_yaml(p))
    doc = yaml.safe_load(out.read_text())
    assert doc["traffic"] == {
        "requests_per_day": 4,
        "input_tokens_per_request": 250,
        "output_tokens_per_request": 125,
        "cached_share": 0.2,
    }
    assert doc["traffic_profile"]["output_tokens"] == {"mean": 125.0, "p50": 100.0, "p95": 250.0, "max": 250}
    replay = load_replay(out)
    assert sorted(replay.pairs) == sorted([(100, 50), (200, 150), (300, 50), (400, 250)] * 2)
    assert replay.peak_rate_rps == pytest.approx(4 * 0.5 / 3600)


def test_cli_writes_yaml_and_reports_problems(tmp_path: Path) -> None:
    out = tmp_path / "t.yaml"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "costmodel",
            "traffic",
            "import",
            str(DATA / "openai_with_malformed.jsonl"),
            "--output",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "line 3: not valid JSON" in proc.stderr and "5 malformed record(s) skipped" in proc.stderr
    assert yaml.safe_load(out.read_text())["traffic"]["requests_per_day"] == 4
    missing = subprocess.run(
        [sys.executable, "-m", "costmodel", "traffic", "import", str(tmp_path / "nope.jsonl")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
