"""The managed hosts' price rows (Bedrock, Vertex, Together, Fireworks) and the GPU fleet: each figure
pinned with the source it was checked against, and the grade that source allows.

Grading rule (data/README.md): ``official`` only when the provider's own page text was read,
``copy_of_official`` for a dated copy of that page, ``third_party`` for an aggregator or a third party
quoting the page, ``unconfirmed`` when no source stating the figure was found (the note then says so and
what was searched). Every expected value below is copied by hand from the source named in its comment,
never computed by the code under test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from costmodel.errors import PriceLookupError
from costmodel.prices import Catalog, PriceRow, Provider, Reliability, bundled_catalog
from costmodel.prices.fleet import bundled_fleet

BEFORE_CHANGES = date(2025, 1, 15)
MID_2026 = date(2026, 6, 1)
LATE_2026 = date(2026, 11, 26)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return bundled_catalog()


def row(cat: Catalog, spec: str, as_of: date) -> PriceRow:
    """``provider:model:variant:kind@tier`` -> the row in force on ``as_of``."""
    path, tier = spec.split("@")
    provider, model, variant, kind = path.split(":")
    return cat.lookup(provider, model, variant, kind, tier, as_of)


# -- Amazon Bedrock --------------------------------------------------------------------------
# No source states a Bedrock customisation price for Llama 3.1 8B. The three figures equal the Llama 2 13B
# row of a dated copy of aws.amazon.com/bedrock/pricing (github.com/becloudready/beautiful-jekyll,
# _posts/2024-03-13-aws-bedrock-pricing.md): "$0.00149 | $1.95 | $23.50" (train 1,000 tokens; store per month;
# 1 model unit per hour, no commitment). They stay unconfirmed and say so.


@pytest.mark.parametrize(
    ("spec", "amount"),
    [
        ("bedrock:llama-3.1-8b-instruct:fine_tuned:training@standard", Decimal("1.49")),  # $0.00149 per 1K
        ("bedrock:llama-3.1-8b-instruct:fine_tuned:storage_month@standard", Decimal("1.95")),
        ("bedrock:llama-3.1-8b-instruct:fine_tuned:ptu_hour@provisioned", Decimal("23.50")),
    ],
)
def test_bedrock_figures_are_the_llama_2_copy_and_stay_unconfirmed(cat: Catalog, spec: str, amount: Decimal) -> None:
    r = row(cat, spec, MID_2026)
    assert r.amount == amount
    assert r.reliability == Reliability.UNCONFIRMED
    assert "No source found" in r.note and "Llama 2" in r.note and "2024-03-13" in r.note
    assert "convo-lang" in r.note  # what was searched is named


# -- Google Vertex AI ------------------------------------------------------------------------
# github.com/Vvren2022/finetune-gemini-vertex-ai README (commit 80f4e95), tuning table:
# "gemini-2.5-flash | $5.00 / 1M tokens | $0.30 / 1M | $2.50 / 1M" (training; input and output inference).
# A dated third-party research note (2026-03-09, "Vertex AI Pricing Page accessed 2026-03-09") agrees. The
# official page was not found in a stored copy with figures, so the grade is third_party.


@pytest.mark.parametrize(
    ("spec", "amount"),
    [
        ("vertex:gemini-2.5-flash:fine_tuned:training@standard", Decimal("5.00")),
        ("vertex:gemini-2.5-flash:fine_tuned:input@standard", Decimal("0.30")),
        ("vertex:gemini-2.5-flash:fine_tuned:output@standard", Decimal("2.50")),
    ],
)
def test_vertex_gemini_2_5_flash_tuning(cat: Catalog, spec: str, amount: Decimal) -> None:
    r = row(cat, spec, MID_2026)
    assert r.amount == amount
    assert r.reliability == Reliability.THIRD_PARTY
    assert r.source_url is not None and "Vvren2022/finetune-gemini-vertex-ai" in r.source_url
    assert "2026-03-09" in r.note and "not found in any stored copy" in r.note


# -- Together AI -----------------------------------------------------------------------------
# github.com/api-evangelist/together-ai plans/together-ai-plans-pricing.yml (2026-05-08, a transcription of
# together.ai/pricing): "Up to 16B (LoRA / Full) $0.48-$1.35", "70B-100B $2.90-$8.00"; the low ends are the
# SFT LoRA rates, which four further third-party transcriptions (2025-2026) state outright. Full fine-tuning
# ($0.54, $3.20) is disputed by one 2026-08-19 survey: the notes say so.


@pytest.mark.parametrize(
    ("spec", "amount"),
    [
        ("together:llama-3.1-8b-instruct:fine_tuned:training@standard", Decimal("0.48")),  # LoRA, up to 16B
        ("together:llama-3.1-8b-instruct:fine_tuned:training@full", Decimal("0.54")),
        ("together:llama-3.1-70b-instruct:fine_tuned:training@standard", Decimal("2.90")),  # LoRA, 70B-100B
        ("together:llama-3.1-70b-instruct:fine_tuned:training@full", Decimal("3.20")),
        ("together:qwen2.5-7b-instruct:fine_tuned:training@standard", Decimal("0.48")),
        ("together:qwen2.5-72b-instruct:fine_tuned:training@standard", Decimal("2.90")),
    ],
)
def test_together_training_per_1m_tokens(cat: Catalog, spec: str, amount: Decimal) -> None:
    r = row(cat, spec, MID_2026)
    assert r.amount == amount
    assert r.reliability == Reliability.THIRD_PARTY
    assert r.source_url is not None and "api-evangelist/together-ai" in r.source_url
    assert "was not read" in r.note


def test_together_full_fine_tuning_notes_carry_the_dispute(cat: Catalog) -> None:
    for model, other in (("llama-3.1-8b-instruct", "$1.20"), ("llama-3.1-70b-instruct", "$7.25")):
        note = row(cat, f"together:{model}:fine_tuned:training@full", MID_2026).note
        assert "2026-08-19" in note and other in note and "disputed" in note


def test_together_serverless_lora_rate_has_no_source(cat: Catalog) -> None:
    for spec in (
        "together:llama-3.1-8b-instruct:fine_tuned:input@standard",
        "together:llama-3.1-70b-instruct:fine_tuned:output@standard",
    ):
        r = row(cat, spec, MID_2026)
        assert r.reliability == Reliability.UNCONFIRMED and "No source found" in r.note


def test_together_minimum_closes_when_together_says_there_is_none(cat: Catalog) -> None:
    # docs.together.ai/docs/fine-tuning-pricing: "there is no minimum price for fine-tuning jobs"; support article
    # updated 2025-11-14. Before that a third party quotes $5.
    spec = "together:llama-3.1-8b-instruct:fine_tuned:training_minimum@standard"
    assert row(cat, spec, BEFORE_CHANGES).amount == Decimal("5.00")
    with pytest.raises(PriceLookupError, match="training_minimum"):
        row(cat, spec, MID_2026)


# -- Fireworks AI ----------------------------------------------------------------------------
# fireworks.ai/pricing, stored copy read (undated, 2024): "up to 16B $0.20 | 16.1B - 80B $0.90" ($/1M tokens,
# serverless); "Models up to 16B parameters $0.50 | Models 16.1B - 80B $3.00" ($/1M tokens in training); "We charge
# $3.89 per hour for one NVIDIA A100 80 GB GPU". Dated copies: knnlabs/Conduit docs/model-pricing/fireworks-pricing.md
# (last updated 2025-07-19): "A100 80 GB GPU | $2.90"; api-evangelist/fireworks-ai plans (2026-10-07, verbatim):
# "Managed Training LoRA SFT - models up to 16B $0.50", "On Demand H100 80 GB GPU $8.00", no A100.


@pytest.mark.parametrize(
    ("spec", "amount"),
    [
        ("fireworks:llama-v3p1-8b-instruct:fine_tuned:training@standard", Decimal("0.50")),
        ("fireworks:llama-v3p1-70b-instruct:fine_tuned:training@standard", Decimal("3.00")),
        ("fireworks:llama-v3p1-8b-instruct:fine_tuned:input@standard", Decimal("0.20")),  # LoRA at the base rate
        ("fireworks:llama-v3p1-8b-instruct:base:output@standard", Decimal("0.20")),
        ("fireworks:llama-v3p1-70b-instruct:fine_tuned:output@standard", Decimal("0.90")),
    ],
)
def test_fireworks_page_figures_are_official(cat: Catalog, spec: str, amount: Decimal) -> None:
    r = row(cat, spec, BEFORE_CHANGES)
    assert r.amount == amount
    assert r.reliability == Reliability.OFFICIAL and r.source_url == "https://fireworks.ai/pricing"
    assert row(cat, spec, LATE_2026).amount == amount  # one row, still in force (training confirmed 2026-10-07)


@pytest.mark.parametrize("model", ["llama-v3p1-8b-instruct", "llama-v3p1-70b-instruct"])
def test_fireworks_dedicated_gpu_hour_history(cat: Catalog, model: str) -> None:
    spec = f"fireworks:{model}:fine_tuned:gpu_hour@dedicated"
    early = row(cat, spec, BEFORE_CHANGES)
    assert (early.amount, early.reliability) == (Decimal("3.89"), Reliability.OFFICIAL)  # A100, 2024 page
    mid = row(cat, spec, MID_2026)
    assert (mid.amount, mid.reliability) == (Decimal("2.90"), Reliability.COPY_OF_OFFICIAL)  # A100, 2025-07-19
    assert mid.source_url is not None and "knnlabs/Conduit" in mid.source_url
    late = row(cat, spec, LATE_2026)
    assert (late.amount, late.reliability) == (Decimal("8.00"), Reliability.COPY_OF_OFFICIAL)  # H100, 2026-10-07
    assert "H100" in late.note and "no A100" in late.note
    # the change days are bounds, not known dates: each note says so
    assert "exact date is not known" in early.note and "change date is not known" in mid.note


# -- capacity.csv and throughput.csv ---------------------------------------------------------
# MicrosoftDocs azure-ai-docs articles/foundry/openai/includes/how-to-provisioned-throughput-onboarding-3.md
# (2026-03-20), "Previous Azure OpenAI models": gpt-4o regional minimum 50, increment 50, input TPM per PTU 2,500;
# gpt-4o-mini 25, 25, 37,000. articles/ai-services/openai/concepts/provisioned-throughput.md (2024-08-07): "Max
# Output TPM per PTU | 833 | 12,333", so one output token weighs 2,500 / 833 = 37,000 / 12,333 = 3 input tokens.


@pytest.mark.parametrize(
    ("model", "tpm", "minimum"),
    [("gpt-4o-2024-08-06", Decimal(2500), 50), ("gpt-4o-mini-2024-07-18", Decimal(37000), 25)],
)
def test_azure_ptu_capacity_from_microsoft_docs(model: str, tpm: Decimal, minimum: int) -> None:
    cap = bundled_fleet().find_capacity(Provider.AZURE, model, "provisioned")
    assert cap is not None
    assert (cap.tokens_per_minute_per_unit, cap.output_token_weight) == (tpm, Decimal(3))
    assert (cap.minimum_units, cap.increment) == (minimum, minimum)
    assert cap.reliability == Reliability.OFFICIAL


def test_h100_serving_row_stays_a_derivation_with_the_real_repository() -> None:
    # LambdaLabsML/vllm-benchmark benchmark_v0.md: Meta-Llama-3.1-8B-FP8 "1xA100-80GB-SXM | 1517.54/42.85" and
    # "1xH100-80GB-SXM | 3400.4/19.75" (output tokens/s / ITL ms): output-only, FP8, so not the row's figure.
    rows = {(t.model, t.workload, t.gpu_model): t for t in bundled_fleet().throughput}
    h100 = rows[("llama-3.1-8b", "serve", "H100-SXM")]
    assert h100.tokens_per_second == 2 * rows[("llama-3.1-8b", "serve", "A100-40GB")].tokens_per_second
    assert h100.reliability == Reliability.UNCONFIRMED and "derived, not a measurement" in h100.note
    assert h100.source_url is not None and h100.source_url.startswith("https://github.com/LambdaLabsML/vllm-benchmark")


# -- gpu_instances.csv -----------------------------------------------------------------------
# factualminds.com EC2 on-demand guide (2026-06-17): "a GPU g5.xlarge is $1.006/hr" (us-east-1).
# xither.com GPU cost guide: p4d.24xlarge "approximately $32.77 per hour in the US East region as of Q2 2024".
# techbytes.app serverless GPU matrix ("verified on May 7, 2026 from official vendor pricing"): "Lambda H100:
# $2.86/hr for 1x H100 PCIe".


@pytest.mark.parametrize(
    ("instance", "usd_per_hour", "grade"),
    [
        ("g5.xlarge", Decimal("1.006"), Reliability.THIRD_PARTY),
        ("p4d.24xlarge", Decimal("32.77"), Reliability.THIRD_PARTY),
        ("gpu_1x_h100_pcie", Decimal("2.86"), Reliability.THIRD_PARTY),
        ("g6.xlarge", Decimal("0.8048"), Reliability.UNCONFIRMED),  # recalled; no source found
    ],
)
def test_gpu_instance_prices(instance: str, usd_per_hour: Decimal, grade: Reliability) -> None:
    i = bundled_fleet().instance(instance)
    assert (i.on_demand_usd_per_hour, i.reliability) == (usd_per_hour, grade)
    if grade == Reliability.UNCONFIRMED:
        assert "no source found" in i.note


def test_aws_p_instances_warn_about_the_june_2025_cut() -> None:
    for name in ("p4d.24xlarge", "p5.48xlarge"):
        assert "June 2025" in bundled_fleet().instance(name).note
