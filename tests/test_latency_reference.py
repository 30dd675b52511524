"""The bundled published latency figures and how a path uses them (expected values from the CSV rows)."""

from __future__ import annotations

import pytest

from costmodel.errors import CatalogError
from costmodel.latency.reference import (
    COLUMNS,
    REFERENCE_FILE,
    bundled_reference,
    model_family,
    parse_reference_csv,
    reference_latency,
)
from costmodel.prices import Reliability


def test_bundled_file_is_valid_and_sourced() -> None:
    rows = bundled_reference()
    assert len(rows) >= 30
    for row in rows:
        assert row.source_url or row.reliability is Reliability.UNCONFIRMED, row.line
    # every path figure is TTFT or speed or E2E; the undefined "latency_ms" rows never feed a path
    assert all(not r.use_for_paths for r in rows if r.metric == "latency_ms")
    assert REFERENCE_FILE.name == "latency_reference.csv"


def test_gpt4o_mini_is_no_longer_a_gateway_average() -> None:
    """Regression: fine-tuned gpt-4o-mini showed 13.6 tok/s (slower than gpt-4o) from a gateway's
    live-traffic averages. Now: the controlled side-by-side row (OpenAI community forum, tacho CLI,
    500 output tokens, mean 59.0 tok/s), base-model figures for the fine-tuned path; Azure standard
    has no controlled figure for it, so no reference at all rather than a gateway average."""
    ref = reference_latency(
        bundled_reference(), provider="openai", model="gpt-4o-mini-2024-07-18", fine_tuned=True, output_tokens=101
    )
    assert ref is not None
    assert ref.output_tokens_per_s == 59.0 and ref.statistic == "mean" and ref.ttft_ms_p50 is None
    assert ref.figures[0].workload_output_tokens == 500
    assert any("fine-tuned" in c for c in ref.caveats)
    assert reference_latency(bundled_reference(), provider="azure", model="gpt-4o-mini", tier="standard") is None
    assert not [r for r in bundled_reference() if "gateway" in r.workload or "router" in r.workload]


def test_family_fallback_and_ptu_targets() -> None:
    figures = bundled_reference()
    ref = reference_latency(figures, provider="openai", model="gpt-4o-2024-08-06", output_tokens=2)
    assert ref is not None and ref.ttft_ms_p50 == 390 and any("same family" in c for c in ref.caveats)
    standard = reference_latency(figures, provider="azure", model="gpt-4.1-nano-2025-04-14", tier="standard")
    assert standard is None  # only a PTU target is published for nano: not for a standard deployment
    ptu = reference_latency(figures, provider="azure", model="gpt-4.1-nano-2025-04-14", tier="provisioned")
    assert ptu is not None and ptu.output_tokens_per_s == 100 and ptu.ttft_ms_p50 is None
    assert ptu.reliability is Reliability.OFFICIAL and any("PTU" in c for c in ptu.caveats)
    assert reference_latency(figures, provider="openai", model="babbage-002") is None


def test_model_family() -> None:
    assert model_family("gpt-35-turbo-0125") == "gpt-3.5-turbo"
    assert model_family("gpt-4o-mini-2024-07-18.ft-abc") == "gpt-4o-mini"


def test_bad_rows_name_line_and_field() -> None:
    header = ",".join(COLUMNS)
    row = "openai,gpt-4o,,ttft_ms,median,390,w,,,,,c,third_party,true,"  # no URL but graded third_party
    with pytest.raises(CatalogError) as err:
        parse_reference_csv(header + "\n" + row + "\n", origin="x.csv")
    assert "x.csv, line 2" in str(err.value) and "unconfirmed" in str(err.value)
    with pytest.raises(CatalogError, match=r"line 2.*value"):
        parse_reference_csv(header + "\n" + row.replace(",390,", ",-1,") + "\n", origin="x.csv")
    with pytest.raises(CatalogError, match="header"):
        parse_reference_csv("provider,model\n", origin="x.csv")
