"""The bundled catalogue (data/prices.csv, data/models.csv): valid, sourced, and right.

Expected values are hand-copied from the sources named beside them (see data/README.md for the
source keys: OAI-FT23 is OpenAI's 2023-08-22 fine-tuning post, OAI-DD23 the DevDay post, ...).
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest

from costmodel.errors import PriceLookupError
from costmodel.prices import (
    CSV_COLUMNS,
    DATA_DIR,
    TIERS,
    Catalog,
    Kind,
    PriceRow,
    Reliability,
    bundled_catalog,
    find_overlaps,
    parse_models_csv,
    parse_price_csv,
)

TODAY = date(2026, 11, 26)
ACCEPTANCE_DAY = date(2024, 1, 15)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return bundled_catalog()


def price(cat: Catalog, spec: str, as_of: date) -> Decimal:
    """``provider:model:variant:kind@tier`` -> amount."""
    path, tier = spec.split("@")
    provider, model, variant, kind = path.split(":")
    amount = cat.lookup(provider, model, variant, kind, tier, as_of).amount
    assert amount is not None, spec
    return amount


# -- the file itself -------------------------------------------------------------------------


def test_header_is_exactly_the_schema() -> None:
    with (DATA_DIR / "prices.csv").open(encoding="utf-8") as fh:
        assert tuple(next(csv.reader(fh))) == CSV_COLUMNS


def test_every_bundled_row_validates_strictly() -> None:
    text = (DATA_DIR / "prices.csv").read_text(encoding="utf-8")
    rows = parse_price_csv(text, origin="prices.csv")
    assert len(rows) == len(text.strip().splitlines()) - 1  # no row skipped (no multi-line notes)
    for r in rows:
        # re-validate from the plain values: the strict model refuses unknown keys
        PriceRow.model_validate(r.model_dump())
        assert r.amount is None or r.amount >= 0, r.describe()
        assert r.effective_to is None or r.effective_to > r.effective_from, r.describe()
        assert r.tier in TIERS[r.provider], r.describe()
        assert r.source_url or r.reliability == Reliability.UNCONFIRMED, r.describe()
        assert r.note, f"every bundled row explains itself: {r.describe()}"
        if not r.date_confirmed:
            # an estimated date says how it was chosen
            assert "start = " in r.note or "alias history" in r.note, r.describe()
    assert find_overlaps(rows) == []


def test_every_priced_model_is_a_canonical_registry_name(cat: Catalog) -> None:
    registry = {(m.provider, m.model) for m in cat.models}
    aliases = {(m.provider, a) for m in cat.models for a in m.aliases}
    for r in cat.rows:
        assert (r.provider, r.model) in registry, f"{r.describe()}: add the model to data/models.csv"
        assert (r.provider, r.model) not in aliases, f"{r.describe()}: an alias used as a price name"


def test_models_registry_aliases_are_unambiguous() -> None:
    infos = parse_models_csv((DATA_DIR / "models.csv").read_text(encoding="utf-8"), origin="models.csv")
    seen: dict[tuple[str, str], str] = {}
    for m in infos:
        for name in (m.model, *m.aliases):
            key = (m.provider.value, name.lower())
            assert key not in seen, f"{name} names both {seen[key]} and {m.model}"
            seen[key] = m.model


def test_unconfirmed_rows_are_exactly_the_known_hypotheses(cat: Catalog) -> None:
    # prices.md section 7.9: Azure compute-hour rates, June-2024 token rates, $7/h hosting
    # (the managed hosts' unconfirmed rows are pinned in tests/test_paths_catalog.py)
    got = {
        (r.provider.value, r.model, r.kind.value, str(r.amount))
        for r in cat.rows
        if r.reliability == "unconfirmed" and r.provider in ("openai", "azure")
    }
    assert got == {
        ("azure", "babbage-002", "training_hourly", "34.00"),
        ("azure", "davinci-002", "training_hourly", "40.00"),
        ("azure", "gpt-35-turbo", "training_hourly", "45.00"),
        ("azure", "gpt-35-turbo-16k", "training_hourly", "68.00"),
        ("azure", "gpt-4", "training_hourly", "102.00"),
        ("azure", "babbage-002", "training", "0.40"),
        ("azure", "davinci-002", "training", "6.00"),
        ("azure", "gpt-35-turbo", "training", "8.00"),
        ("azure", "gpt-35-turbo-16k", "training", "8.00"),
        ("azure", "gpt-4", "training", "80.00"),
        ("azure", "gpt-35-turbo", "hosting", "7.00"),
    }


# -- the acceptance figures ------------------------------------------------------------------


def test_headline_comparison_on_2024_01_15(cat: Catalog) -> None:
    d = ACCEPTANCE_DAY
    oai_in = price(cat, "openai:gpt-3.5-turbo:fine_tuned:input@standard", d)  # OAI-DD23: $0.003/1K
    oai_out = price(cat, "openai:gpt-3.5-turbo:fine_tuned:output@standard", d)  # OAI-DD23: $0.006/1K
    az_in = price(cat, "azure:gpt-35-turbo:fine_tuned:input@standard", d)  # LC-12267: $0.0015/1K
    az_out = price(cat, "azure:gpt-35-turbo:fine_tuned:output@standard", d)  # LC-12267: $0.002/1K
    hosting = price(cat, "azure:gpt-35-turbo:fine_tuned:hosting@standard", d)  # hypothesis, unconfirmed
    assert (oai_in, oai_out, az_in, az_out, hosting) == tuple(map(Decimal, ("3.00", "6.00", "1.50", "2.00", "7.00")))
    # break-even at input share 0.5, by hand: 1e6 * 7 / (4.50 - 1.75) = 2,545,454.5 tokens/hour
    blended_gap = (oai_in + oai_out) / 2 - (az_in + az_out) / 2
    assert int(Decimal(1_000_000) * hosting / blended_gap) == 2_545_454
    assert cat.lookup("azure", "gpt-35-turbo", "fine_tuned", "hosting", "standard", d).reliability == "unconfirmed"


@pytest.mark.parametrize(
    ("model", "as_of", "expected_usd"),
    [
        # OpenAI fine-tuning guide: 100,000 tokens x 3 epochs -> $2.40 on gpt-3.5-turbo ($8/1M),
        # $0.90 on gpt-4o-mini ($3/1M)
        ("gpt-3.5-turbo", date(2023, 8, 22), Decimal("2.40")),
        ("gpt-3.5-turbo", TODAY, Decimal("2.40")),
        ("gpt-4o-mini", TODAY, Decimal("0.90")),
    ],
)
def test_guide_training_examples(cat: Catalog, model: str, as_of: date, expected_usd: Decimal) -> None:
    per_million = price(cat, f"openai:{model}:fine_tuned:training@standard", as_of)
    assert per_million * 100_000 * 3 / 1_000_000 == expected_usd


# -- hand-checked lookups, one per fact the engine relies on ---------------------------------

CASES = [
    # spec, as_of, expected amount, source
    ("openai:babbage-002:fine_tuned:training@standard", "2023-09-01", "0.40", "OAI-FT23 $0.0004/1K"),
    ("openai:davinci-002:fine_tuned:output@standard", "2023-09-01", "12.00", "OAI-FT23 $0.012/1K"),
    ("openai:gpt-3.5-turbo:fine_tuned:input@standard", "2023-11-05", "12.00", "OAI-FT23, before DevDay"),
    ("openai:gpt-3.5-turbo:fine_tuned:output@standard", "2023-11-05", "16.00", "OAI-FT23, before DevDay"),
    ("openai:gpt-3.5-turbo:fine_tuned:input@standard", "2023-11-06", "3.00", "OAI-DD23 cut on 2023-11-06"),
    ("openai:gpt-3.5-turbo-0613:fine_tuned:output@standard", "2024-06-01", "6.00", "OAI-DD23: cut applied to 0613"),
    ("openai:gpt-3.5-turbo-1106:fine_tuned:training@standard", "2024-06-01", "8.00", "OAI-DD23/guide"),
    ("openai:gpt-3.5-turbo:fine_tuned:input@batch", "2025-11-01", "1.50", "PP-2025N batch table"),
    ("openai:gpt-4o-mini:fine_tuned:input@standard", "2025-01-01", "0.30", "PP-2025E"),
    ("openai:gpt-4o-mini:fine_tuned:output@batch", "2025-11-01", "0.60", "PP-2025N"),
    ("openai:gpt-4o:fine_tuned:training@standard", "2024-08-20", "25.00", "OAI-4OFT"),
    ("openai:gpt-4o:fine_tuned:input@standard", TODAY.isoformat(), "3.75", "OAI-4OFT"),
    ("openai:gpt-4o:fine_tuned:cached_input@standard", "2025-03-01", "1.875", "PP-2025E"),
    ("openai:gpt-4o:fine_tuned:input@batch", "2025-11-01", "2.225", "PP-2025N (anomaly kept, B over C)"),
    ("openai:gpt-4.1:fine_tuned:training@standard", "2025-07-01", "25.00", "PP-2025M"),
    ("openai:gpt-4.1-mini:fine_tuned:output@standard", "2025-07-01", "3.20", "PP-2025M"),
    ("openai:gpt-4.1-nano:fine_tuned:cached_input@batch", "2025-11-01", "0.025", "PP-2025N"),
    ("openai:o4-mini:fine_tuned:rft_training@standard", "2025-07-01", "100.00", "OAI-RFT $100/hour"),
    ("openai:o4-mini:fine_tuned:output@data_sharing", "2025-07-01", "8.00", "PP-2025M"),
    ("openai:o4-mini:fine_tuned:input@batch_data_sharing", "2025-11-01", "1.00", "PP-2025N"),
    ("openai:gpt-3.5-turbo:base:input@standard", "2023-12-01", "1.50", "alias = 0613 (OAI-DD23 'old' price)"),
    ("openai:gpt-3.5-turbo:base:input@standard", "2024-03-01", "0.50", "alias = 0125 (OAI-JAN24)"),
    ("openai:gpt-3.5-turbo:base:output@standard", "2024-03-01", "1.50", "alias = 0125 (OAI-JAN24)"),
    ("openai:gpt-3.5-turbo-1106:base:input@standard", "2024-03-01", "1.00", "OAI-DD23"),
    ("openai:gpt-3.5-turbo-0613:base:output@standard", "2024-03-01", "2.00", "OAI-DD23"),
    ("openai:gpt-3.5-turbo-16k-0613:base:input@standard", "2023-09-01", "3.00", "OAI-DD23"),
    ("openai:gpt-4:base:output@standard", "2024-01-15", "60.00", "OAI-DD23 $0.06/1K"),
    ("openai:gpt-4-32k:base:input@standard", "2024-01-15", "60.00", "OAI-DD23"),
    ("openai:gpt-4-turbo:base:input@standard", "2024-01-15", "10.00", "OAI-DD23"),
    ("openai:gpt-4o-2024-05-13:base:output@standard", "2024-06-01", "15.00", "PP-2025E"),
    ("openai:gpt-4o:base:input@standard", TODAY.isoformat(), "2.50", "PP-2025E"),
    ("openai:gpt-4o-mini:base:cached_input@standard", TODAY.isoformat(), "0.075", "PP-2025E"),
    ("openai:gpt-4.1:base:output@standard", TODAY.isoformat(), "8.00", "OAI-41"),
    ("openai:gpt-4.1-nano:base:input@batch", TODAY.isoformat(), "0.05", "PP-2025N"),
    ("openai:gpt-5:base:input@standard", TODAY.isoformat(), "1.25", "PP-2025N"),
    ("openai:gpt-5-nano:base:cached_input@standard", TODAY.isoformat(), "0.005", "PP-2025N"),
    ("openai:gpt-5.1:base:output@batch", TODAY.isoformat(), "5.00", "PP-2025N (prices.md section 6)"),
    # Azure, compute-hour era (unconfirmed) and token era
    ("azure:gpt-35-turbo:fine_tuned:training_hourly@standard", "2024-01-15", "45.00", "AZ-TC copy, unconfirmed"),
    ("azure:gpt-35-turbo-16k:fine_tuned:training_hourly@standard", "2024-01-15", "68.00", "AZ-TC copy"),
    ("azure:gpt-4:fine_tuned:training_hourly@standard", "2024-06-01", "102.00", "AZ-TC copy"),
    ("azure:gpt-35-turbo:fine_tuned:training@standard", "2024-08-01", "8.00", "AZ-TC copy, June-2024 rate"),
    ("azure:gpt-4:fine_tuned:training@standard", "2024-08-01", "80.00", "AZ-TC copy"),
    ("azure:gpt-35-turbo:fine_tuned:hosting@standard", "2024-08-01", "1.70", "AZ-FTCOST rule, start assumed"),
    ("azure:davinci-002:fine_tuned:input@standard", "2024-01-15", "2.00", "LC-12267 $0.002/1K"),
    ("azure:gpt-4o-mini:fine_tuned:hosting@global", TODAY.isoformat(), "1.70", "AZ-FTCOST generic statement"),
    ("azure:gpt-4.1:fine_tuned:hosting@developer", TODAY.isoformat(), "0.00", "AZ-FTCOST / AZ-DEPLOY"),
    ("azure:gpt-4.1:fine_tuned:training@global", TODAY.isoformat(), "25.00", "AZ-SHEET 'developer/global'"),
    ("azure:gpt-4.1-mini:fine_tuned:training@standard", TODAY.isoformat(), "5.50", "AZ-SHEET regional"),
    ("azure:gpt-4.1-mini:fine_tuned:output@standard", TODAY.isoformat(), "1.76", "AZ-SHEET"),
    ("azure:gpt-4.1:fine_tuned:input@developer", TODAY.isoformat(), "2.00", "rule: Developer = Global Standard"),
    ("azure:gpt-4o-mini:fine_tuned:input@global", TODAY.isoformat(), "0.15", "rule: FT = base Global Standard"),
    # AZ-FTCOST $100/h; Standard (regional) was the only o4-mini training tier then (fine-tune-models)
    ("azure:o4-mini:fine_tuned:rft_training@standard", TODAY.isoformat(), "100.00", "AZ-FTCOST"),
    ("azure:o4-mini:fine_tuned:rft_job_cap@standard", TODAY.isoformat(), "5000", "AZ-FTCOST $5,000 per job"),
    ("azure:o4-mini:fine_tuned:output@global", TODAY.isoformat(), "4.40", "AZ-FTCOST o4-mini example"),
    ("azure:gpt-4o:fine_tuned:ptu_hour@provisioned", TODAY.isoformat(), "2.00", "AZ-SHEET, min 50 PTU"),
    ("azure:gpt-4o:base:output@standard", TODAY.isoformat(), "11.00", "AZ-SHEET regional"),
    ("azure:gpt-4o-mini:base:cached_input@standard", TODAY.isoformat(), "0.083", "AZ-SHEET"),
]


@pytest.mark.parametrize(("spec", "as_of", "expected", "source"), CASES, ids=[c[0] + "/" + c[1] for c in CASES])
def test_hand_checked_price(cat: Catalog, spec: str, as_of: str, expected: str, source: str) -> None:
    assert price(cat, spec, date.fromisoformat(as_of)) == Decimal(expected), source


@pytest.mark.parametrize(
    ("spec", "as_of"),
    [
        # before / after a window: these must fail loudly, not fall back
        ("azure:gpt-35-turbo:fine_tuned:training_hourly@standard", "2024-08-01"),  # token billing by then
        ("azure:gpt-35-turbo:fine_tuned:training@standard", "2024-01-15"),  # compute hours then
        ("azure:gpt-35-turbo:fine_tuned:hosting@standard", "2025-03-01"),  # 0613 retired 2025-02-13 (AZ-LEGACY)
        ("azure:babbage-002:fine_tuned:input@standard", "2025-01-27"),  # retired 2025-01-27, end exclusive
        ("openai:gpt-3.5-turbo-0613:fine_tuned:input@standard", "2023-08-21"),  # fine-tuning opened 2023-08-22
        ("openai:gpt-4o:fine_tuned:training@batch", TODAY.isoformat()),  # training is not discounted by Batch
    ],
)
def test_no_price_outside_windows(cat: Catalog, spec: str, as_of: str) -> None:
    with pytest.raises(PriceLookupError):
        price(cat, spec, date.fromisoformat(as_of))


def test_provisioned_hosting_has_no_published_figure(cat: Catalog) -> None:
    r = cat.lookup("azure", "gpt-4.1", "fine_tuned", "hosting", "provisioned", TODAY)
    assert r.amount is None and r.reliability == "official"  # AZ-FTCOST: PTU-hours at the agreed rate


def test_conflicting_figure_is_named_in_the_note_of_the_kept_row(cat: Catalog) -> None:
    r = cat.lookup("openai", "gpt-4o", "fine_tuned", "input", "batch", TODAY)
    assert r.reliability == "copy_of_official" and "1.875" in r.note and "tokencost" in r.note


def test_pricing_page_copies_point_at_the_official_page(cat: Catalog) -> None:
    r = cat.lookup("openai", "gpt-5", "base", "input", "standard", TODAY)
    assert r.source_url == "https://platform.openai.com/docs/pricing"
    assert "unattributed copy of this page (~2025-11)" in r.note and r.reliability == "copy_of_official"


def test_sheet_figures_are_third_party_on_the_azure_pricing_page(cat: Catalog) -> None:
    r = cat.lookup("azure", "gpt-4.1-mini", "fine_tuned", "training", "standard", TODAY)
    assert r.reliability == "third_party" and "2025-11-05" in r.note
    assert r.source_url == "https://azure.microsoft.com/pricing/details/cognitive-services/openai-service/"


def test_every_fine_tunable_openai_model_has_a_training_price_today(cat: Catalog) -> None:
    for m in cat.models:
        if m.provider != "openai" or not m.fine_tunable:
            continue
        kind = Kind.RFT_TRAINING if m.model.startswith("o4-mini") else Kind.TRAINING
        assert cat.maybe_lookup("openai", m.model, "fine_tuned", kind, "standard", TODAY) is not None, m.model


def test_rule_derived_rows_are_no_better_than_their_base_row(cat: Catalog) -> None:
    for r in cat.rows:
        if r.provider != "azure" or "derived by the rule" not in r.note:
            continue
        tier = "global" if r.tier == "developer" else r.tier
        base = cat.maybe_lookup("azure", r.model, "base", r.kind, tier, max(r.effective_from, date(2025, 11, 5)))
        assert base is not None and base.amount == r.amount, r.describe()
        assert r.reliability.rank >= base.reliability.rank, r.describe()


# -- the audit of effective dates (issue 10, item 7) -----------------------------------------
# prices.csv is edited by hand and reviewed by these tests; each corrected start is pinned with
# its source. OAI-CHLOG = OpenAI changelog, https://platform.openai.com/docs/changelog, read in the
# copy github.com/dakota-jamie-sims/OpenAI-Learning-Center-Agent (docs/openai_documentation/
# 21_Resources/02_Changelog.md at 225d78b).

CORRECTED_STARTS = [
    # spec, last day without the row (must fail), first day with it, amount, source
    # OAI-CHLOG 2024-05-07: "Added support for fine-tuned models to the Batch API" (Batch API: 2024-04-15)
    ("openai:gpt-3.5-turbo:fine_tuned:input@batch", "2024-05-06", "2024-05-07", "1.50", "OAI-CHLOG 2024-05-07"),
    ("openai:babbage-002:fine_tuned:output@batch", "2024-05-06", "2024-05-07", "0.90", "OAI-CHLOG 2024-05-07"),
    ("openai:gpt-3.5-turbo-0613:fine_tuned:output@batch", "2024-05-06", "2024-05-07", "3.00", "OAI-CHLOG 2024-05-07"),
    # OAI-CHLOG 2024-02-01: "Released gpt-3.5-turbo-0125" (announced 2024-01-25)
    ("openai:gpt-3.5-turbo-0125:base:input@standard", "2024-01-31", "2024-02-01", "0.50", "OAI-CHLOG 2024-02-01"),
    ("openai:gpt-3.5-turbo-0125:fine_tuned:training@standard", "2024-01-31", "2024-02-01", "8.00", "OAI-CHLOG"),
    # OAI-CHLOG 2024-07-23: "Launched fine-tuning for GPT-4o mini" (the model: 2024-07-18)
    ("openai:gpt-4o-mini:fine_tuned:training@standard", "2024-07-22", "2024-07-23", "3.00", "OAI-CHLOG 2024-07-23"),
    ("openai:gpt-4o-mini:fine_tuned:input@batch", "2024-07-22", "2024-07-23", "0.15", "OAI-CHLOG 2024-07-23"),
    # OAI-CHLOG 2025-05-07: reinforcement fine-tuning launched; gpt-4.1-nano available for fine-tuning
    ("openai:gpt-4.1-nano:fine_tuned:training@standard", "2025-05-06", "2025-05-07", "1.50", "OAI-CHLOG 2025-05-07"),
    ("openai:o4-mini:fine_tuned:rft_training@standard", "2025-05-06", "2025-05-07", "100.00", "OAI-CHLOG 2025-05-07"),
    # Microsoft's fine-tuning how-to first documents Global Standard for fine-tuned gpt-4o-mini on
    # 2024-12-18 (MicrosoftDocs/azure-ai-docs compare b8144fb...aba0ab5); gpt-4o: "new deployments
    # aren't available until January 2025" (day assumed: the 1st)
    ("azure:gpt-4o-mini:fine_tuned:input@global", "2024-12-17", "2024-12-18", "0.15", "azure-ai-docs 2024-12-18"),
    ("azure:gpt-4o-mini:fine_tuned:hosting@global", "2024-12-17", "2024-12-18", "1.70", "azure-ai-docs 2024-12-18"),
    ("azure:gpt-4o:fine_tuned:hosting@global", "2024-12-31", "2025-01-01", "1.70", "azure-ai-docs, January 2025"),
]


@pytest.mark.parametrize(
    ("spec", "before", "first", "expected", "source"), CORRECTED_STARTS, ids=[c[0] for c in CORRECTED_STARTS]
)
def test_corrected_start_dates(cat: Catalog, spec: str, before: str, first: str, expected: str, source: str) -> None:
    with pytest.raises(PriceLookupError):
        price(cat, spec, date.fromisoformat(before))
    assert price(cat, spec, date.fromisoformat(first)) == Decimal(expected), source


def test_gpt_35_turbo_alias_keeps_the_0613_price_until_0125_exists(cat: Catalog) -> None:
    # OAI-CHLOG: gpt-3.5-turbo-0125 released 2024-02-01, so the alias cannot carry its price earlier
    assert price(cat, "openai:gpt-3.5-turbo:base:input@standard", date(2024, 1, 31)) == Decimal("1.50")
    assert price(cat, "openai:gpt-3.5-turbo:base:input@standard", date(2024, 2, 1)) == Decimal("0.50")


def test_every_corrected_date_names_its_source_and_matches_the_row(cat: Catalog) -> None:
    corrected = [r for r in cat.rows if "effective_from corrected to " in r.note]
    assert len(corrected) >= 50  # the audit corrected 53 starts (and 2 ends) of the bundled rows
    for r in corrected:
        day = r.note.split("effective_from corrected to ", 1)[1][:10]
        assert r.effective_from == date.fromisoformat(day), r.describe()
        assert r.note.split("effective_from corrected to ", 1)[1][10:12] == ": ", r.describe()


def test_no_openai_fine_tuned_batch_price_before_fine_tuned_batch_existed(cat: Catalog) -> None:
    # OAI-CHLOG 2024-05-07: fine-tuned models joined the Batch API that day
    for r in cat.rows:
        if r.provider == "openai" and r.variant == "fine_tuned" and "batch" in r.tier:
            assert r.effective_from >= date(2024, 5, 7), r.describe()


def test_no_azure_fine_tuned_global_price_before_global_fine_tuned_deployments(cat: Catalog) -> None:
    # Global Standard for fine-tuned models: first documented 2024-12-18 (azure-ai-docs, see above)
    for r in cat.rows:
        if r.provider == "azure" and r.variant == "fine_tuned" and r.tier == "global":
            assert r.effective_from >= date(2024, 12, 18), r.describe()


def test_azure_o4_mini_rft_is_priced_only_on_the_training_tier_azure_offered_for_it(cat: Catalog) -> None:
    # fine-tune-models include (MicrosoftDocs/azure-ai-docs): o4-mini Standard training only, Global "-";
    # Global training came on 2026-04-16 (Microsoft Foundry blog, April 2026) with no published figure
    for kind in ("rft_training", "rft_job_cap"):
        assert cat.maybe_lookup("azure", "o4-mini", "fine_tuned", kind, "global", TODAY) is None
    r = cat.lookup("azure", "o4-mini", "fine_tuned", "rft_training", "standard", TODAY)
    assert r.amount == Decimal("100.00") and r.reliability == "official" and "110" in r.note
