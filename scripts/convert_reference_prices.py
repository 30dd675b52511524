"""One-off conversion of the shared price reference into ``data/prices.csv``.

Usage (from the repository root)::

    python scripts/convert_reference_prices.py /work/shared/reference/prices.csv data/prices.csv

The committed ``data/prices.csv`` is the product; this script records how each reference row
was mapped so a reviewer can follow the decisions (and re-run it if the reference is corrected).
Every rule that is a judgement, not a mechanical mapping, is written in the ``note`` of the row it
produces. ``data/README.md`` explains the columns, grades and dating rules.

Mapping (reference -> catalogue):

* provider ``OpenAI`` -> ``openai``, ``Azure OpenAI`` -> ``azure``;
* ``price_type`` -> (variant, kind): ``base_*`` -> base, everything else -> fine_tuned;
* Azure tiers: ``regional``/``regional_standard`` -> ``standard``, ``global``/``global_standard``
  -> ``global``, ``developer`` -> ``developer``, ``regional_ptu`` -> ``provisioned``;
* grades: A -> official, B -> copy_of_official, C -> third_party, unconfirmed -> unconfirmed;
* empty ``effective_from`` -> a dated estimate with ``date_confirmed=false`` (rules below);
* a row for a group of models ("any fine-tuned deployment", ...) -> one row per model.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from costmodel.prices import CSV_COLUMNS, Catalog, parse_models_csv, parse_price_csv  # noqa: E402

# -- sources ---------------------------------------------------------------------------------
OPENAI_PRICING = "https://platform.openai.com/docs/pricing"
AZURE_PRICING = "https://azure.microsoft.com/pricing/details/cognitive-services/openai-service/"
AZ_FTCOST = (
    "https://github.com/MicrosoftDocs/azure-ai-docs/blob/3e1d6f3cbe54d271b78c64e4662ac24ffb5f7c27/"
    "articles/ai-foundry/openai/how-to/fine-tuning-cost-management.md"
)
AZ_DEPLOY = (
    "https://github.com/MicrosoftDocs/azure-ai-docs/blob/13842c099256be1161684189fe559c001231dfc1/"
    "articles/ai-foundry/openai/how-to/fine-tuning-deploy.md"
)
AZ_LEGACY = "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/legacy-models"
OAI_RFT = "https://help.openai.com/en/articles/11323177"
LC_12267 = "https://github.com/langchain-ai/langchain/pull/12267"

PP2025N_NOTE = "figure read from an unattributed copy of this page (~2025-11)"
SHEET_NOTE = (
    "figure from a third-party export of the Azure retail price sheet for East US 2 dated 2025-11-05 "
    "(repository not identified); the Azure pricing page itself renders placeholders"
)

# -- dates used as estimates (each is explained in the note of every row that uses it) ------
D = date.fromisoformat
BATCH_API = D("2024-04-15")
BATCH_API_WHY = (
    "start = later of the model's price start and the Batch API launch (April 2024; the day 2024-04-15 "
    "is from OpenAI's changelog, not from the reference sources read)"
)
AZ_TOKEN_ERA = D("2024-07-01")
AZ_TOKEN_ERA_WHY = (
    "start = 2024-07-01, assumed: Azure switched fine-tuning to token-based billing in June 2024 "
    "(Azure OpenAI What's new); exact day not confirmed"
)
AZ_FT_ERA = D("2023-10-01")
AZ_FT_ERA_WHY = (
    "start = about 2023-10-01: API version 2023-10-01-preview brought fine-tuning of babbage-002, "
    "davinci-002 and gpt-35-turbo-0613 to Azure (exact day not confirmed)"
)
AZ_FTCOST_FIRST = D("2025-07-08")
AZ_FTCOST_FIRST_WHY = (
    "start = 2025-07-08, the first version of Microsoft's fine-tuning cost-management article "
    "(the earliest official statement found; the real start may be earlier)"
)
OAI_RFT_START = D("2025-05-08")

AZ_RETIRED: dict[str, date] = {  # Microsoft Learn legacy-models page (grade A)
    "babbage-002": D("2025-01-27"),
    "davinci-002": D("2025-01-27"),
    "gpt-35-turbo": D("2025-02-13"),  # the 0613 snapshot, the one these rows price
    "gpt-35-turbo-16k": D("2025-04-30"),
    "gpt-4": D("2025-06-06"),
}
AZ_RELEASE: dict[str, date] = {  # snapshot dates in the model names
    "gpt-4o-mini-2024-07-18": D("2024-07-18"),
    "gpt-4o-2024-08-06": D("2024-08-06"),
    "gpt-4.1-2025-04-14": D("2025-04-14"),
    "gpt-4.1-mini-2025-04-14": D("2025-04-14"),
    "gpt-4.1-nano-2025-04-14": D("2025-04-14"),
    "o4-mini-2025-04-16": AZ_FTCOST_FIRST,  # fine-tuning of o4-mini is RFT: dated like the RFT rules
}
AZ_41 = ("gpt-4.1-2025-04-14", "gpt-4.1-mini-2025-04-14", "gpt-4.1-nano-2025-04-14")
AZ_GLOBAL_FT = ("gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06", *AZ_41, "o4-mini-2025-04-16")
AZ_LEGACY_FT = ("babbage-002", "davinci-002", "gpt-35-turbo", "gpt-35-turbo-16k", "gpt-4")

# OpenAI fine-tuning start per model (standard tier), with how the date was chosen.
OAI_FT_START: dict[str, tuple[date, bool, str]] = {
    "babbage-002": (D("2023-08-22"), True, ""),
    "davinci-002": (D("2023-08-22"), True, ""),
    "gpt-3.5-turbo": (D("2023-08-22"), True, ""),
    "gpt-3.5-turbo-0613": (D("2023-08-22"), True, ""),
    "gpt-3.5-turbo-1106": (D("2023-11-06"), True, "snapshot released at DevDay 2023-11-06"),
    "gpt-3.5-turbo-0125": (
        D("2024-01-25"),
        False,
        "start = announcement of the 0125 snapshot (2024-01-25); availability for fine-tuning a little later, "
        "day not confirmed",
    ),
    "gpt-4o-mini-2024-07-18": (
        D("2024-07-18"),
        False,
        "first seen in an early-2025 pricing-page copy; start = release date of the snapshot (2024-07-18); "
        "fine-tuning opened in July 2024, day not confirmed",
    ),
    "gpt-4o-2024-08-06": (D("2024-08-20"), True, ""),
    "gpt-4.1-2025-04-14": (
        D("2025-04-14"),
        False,
        "first seen in a mid-2025 pricing-page copy; start = launch date of the model (2025-04-14), "
        "not confirmed for fine-tuning",
    ),
    "gpt-4.1-mini-2025-04-14": (
        D("2025-04-14"),
        False,
        "first seen in a mid-2025 pricing-page copy; start = launch date of the model (2025-04-14), "
        "not confirmed for fine-tuning",
    ),
    "gpt-4.1-nano-2025-04-14": (
        D("2025-05-08"),
        False,
        "start = 2025-05-08, the day third-party reposts report nano fine-tuning available (C); not confirmed",
    ),
    "o4-mini-2025-04-16": (
        OAI_RFT_START,
        False,
        "start = 2025-05-08, the day third-party reposts report reinforcement fine-tuning of o4-mini available "
        "(C); not confirmed",
    ),
}
CACHING_START = (
    D("2024-10-01"),
    False,
    "start = 2024-10-01, OpenAI DevDay 2024 where prompt caching "
    "was introduced (date not in the reference sources read; not confirmed)",
)

# OpenAI base-model starts where the reference leaves them empty.
OAI_BASE_START: dict[str, tuple[date, str]] = {
    "gpt-4": (
        D("2023-03-14"),
        "start = GPT-4 API launch 2023-03-14 (the sources read say only 'since the 2023 launch')",
    ),
    "gpt-4-32k": (
        D("2023-03-14"),
        "start = GPT-4 API launch 2023-03-14 (the sources read give no date; 32K access was staged)",
    ),
    "gpt-3.5-turbo-0125": (
        D("2024-01-25"),
        "start = announcement day 2024-01-25; the snapshot became available shortly after (day not confirmed)",
    ),
    "gpt-5": (D("2025-08-07"), "start = GPT-5 launch day 2025-08-07 (the reference gives only 2025-08)"),
    "gpt-5-mini": (D("2025-08-07"), "start = GPT-5 launch day 2025-08-07 (the reference gives only 2025-08)"),
    "gpt-5-nano": (D("2025-08-07"), "start = GPT-5 launch day 2025-08-07 (the reference gives only 2025-08)"),
    "gpt-5.1": (
        D("2025-11-13"),
        "start = GPT-5.1 API release 2025-11-13 (the reference says only ~2025-11; not confirmed)",
    ),
}
GPT35_ALIAS_SWITCH = D("2024-01-25")
GPT35_ALIAS_WHY = (
    "gpt-3.5-turbo alias history: 0613 price until 2024-01-25, then the 0125 price; 2024-01-25 is the day OpenAI "
    "announced 0125 and its price (the alias itself moved to 0125 some days later, and may have pointed at 1106 "
    "for part of the winter; not confirmed)"
)

REL = {"A": "official", "B": "copy_of_official", "C": "third_party", "unconfirmed": "unconfirmed"}
KIND = {
    "training": ("fine_tuned", "training"),
    "training_hourly": ("fine_tuned", "training_hourly"),
    "rft_training": ("fine_tuned", "rft_training"),
    "ft_input": ("fine_tuned", "input"),
    "ft_cached_input": ("fine_tuned", "cached_input"),
    "ft_output": ("fine_tuned", "output"),
    "base_input": ("base", "input"),
    "base_cached_input": ("base", "cached_input"),
    "base_output": ("base", "output"),
    "hosting": ("fine_tuned", "hosting"),
    "ptu_hour": ("fine_tuned", "ptu_hour"),
}
AZ_TIER = {
    "regional": "standard",
    "regional_standard": "standard",
    "global": "global",
    "global_standard": "global",
    "developer": "developer",
    "regional_ptu": "provisioned",
}
OAI_CANONICAL = {
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "o4-mini": "o4-mini-2025-04-16",
}


@dataclass
class Row:
    provider: str
    model: str
    variant: str
    kind: str
    unit: str
    tier: str
    amount: str
    effective_from: date
    effective_to: date | None
    date_confirmed: bool
    source_url: str
    reliability: str
    notes: list[str] = field(default_factory=list)

    def as_csv(self) -> dict[str, str]:
        return {
            "provider": self.provider,
            "model": self.model,
            "variant": self.variant,
            "kind": self.kind,
            "unit": self.unit,
            "tier": self.tier,
            "amount": self.amount,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else "",
            "date_confirmed": "true" if self.date_confirmed else "false",
            "source_url": self.source_url,
            "reliability": self.reliability,
            "note": _clean_note(self.notes),
        }


_DROP_FRAGMENTS = {"start date unknown", "as above", "effective_to = model retirement"}


def _clean_note(notes: list[str]) -> str:
    """Join note fragments with '; ', dropping empty, repeated and superseded fragments."""
    out: list[str] = []
    for note in notes:
        for frag in note.split("; "):
            frag = frag.strip().strip(";").strip()
            frag = frag.replace(" (start date unknown)", "")
            if not frag or frag in out or frag in _DROP_FRAGMENTS or frag.startswith("effective_to = model retirement"):
                continue
            if frag.startswith("tier ambiguous: the sheet labels"):
                continue  # replaced by the 'tier chosen' sentence
            out.append(frag)
    return "; ".join(out)


def _copy(row: Row, **changes: object) -> Row:
    data = {**row.__dict__, "notes": list(row.notes)}
    data.update(changes)
    return Row(**data)  # type: ignore[arg-type]


def convert(ref: dict[str, str]) -> list[Row]:
    """The catalogue rows for one reference row (often one, sometimes several, sometimes none)."""
    provider = {"OpenAI": "openai", "Azure OpenAI": "azure"}[ref["provider"]]
    variant, kind = KIND[ref["price_type"]]
    ref_model = ref["model"]
    grade = REL[ref["reliability"]]
    url = ref["source_url"]
    notes: list[str] = []
    if not url and grade == "copy_of_official":  # PP-2025N
        url = OPENAI_PRICING
        notes.append(PP2025N_NOTE)
    elif not url and grade == "third_party":  # AZ-SHEET
        url = AZURE_PRICING
        notes.append(SHEET_NOTE)
    ref_note = ref["notes"]
    # the reference's own sentence about the unattributed copy is replaced by ours
    for phrase in (
        "read in a copy of the OpenAI pricing page from ~2025-11 (official page https://platform.openai.com/docs/pricing;"
        " repository of the copy not identified)",
        "from a third-party export of the Azure retail price sheet for East US 2 marked 'updated 2025-11-05' "
        "(repository not identified)",
    ):
        ref_note = ref_note.replace(phrase, "")
    ref_note = ref_note.strip().strip(";").strip()
    if ref_note == "as above":
        ref_note = "same source and rule as the input row"
    tier = ref["tier"]
    if provider == "azure":
        if tier == "":
            tier = "global"
            notes.append(
                "tier chosen: the sheet labels the row 'developer/global'; Microsoft docs put Developer training "
                "50% below Global, so one figure cannot be both: catalogued as global"
            )
        else:
            tier = AZ_TIER[tier]
    amount = ref["amount_usd"]
    eff_from = D(ref["effective_from"]) if ref["effective_from"] else None
    eff_to = D(ref["effective_to"]) if ref["effective_to"] else None
    base = Row(provider, "", variant, kind, ref["unit"], tier, amount, eff_from or date.min, eff_to, True, url, grade)
    base.notes = [*notes, ref_note] if ref_note else notes

    if provider == "openai":
        return _openai(base, ref_model, eff_from)
    return _azure(base, ref_model, eff_from)


def _openai(row: Row, ref_model: str, eff_from: date | None) -> list[Row]:
    model = OAI_CANONICAL.get(ref_model, ref_model)
    out: list[Row] = []

    def dated(r: Row, start: date, confirmed: bool, why: str) -> Row:
        r = _copy(r, effective_from=start, date_confirmed=confirmed)
        if why:
            r.notes.insert(0, why)
        return r

    if row.variant == "fine_tuned":
        if ref_model == "gpt-4o-2024-08-06" and row.tier == "batch" and "tokencost" in row.source_url:
            return []  # the conflicting tokencost figures are named in the notes of the kept rows
        if ref_model == "gpt-3.5-turbo-0613":  # launch prices, replaced on 2023-11-06
            for name in ("gpt-3.5-turbo", "gpt-3.5-turbo-0613"):
                r = _copy(row, model=name, effective_from=eff_from)
                if name == "gpt-3.5-turbo":
                    r.notes.insert(
                        0, "alias row: in 2023-08 gpt-3.5-turbo-0613 was the only fine-tunable gpt-3.5-turbo"
                    )
                out.append(r)
            return out
        if ref_model == "gpt-3.5-turbo":  # one price for the 0613, 1106 and 0125 snapshots
            snapshots = ("gpt-3.5-turbo", "gpt-3.5-turbo-0613", "gpt-3.5-turbo-1106", "gpt-3.5-turbo-0125")
            for name in snapshots:
                start, confirmed, why = OAI_FT_START[name]
                if row.tier == "batch":
                    start, confirmed, why = max(start, BATCH_API), False, BATCH_API_WHY
                elif eff_from is not None and eff_from > start:
                    start, confirmed, why = eff_from, True, ""
                r = dated(_copy(row, model=name), start, confirmed, why)
                if name != "gpt-3.5-turbo":
                    r.notes.insert(0, "expanded from the reference row for gpt-3.5-turbo (one price for all snapshots)")
                out.append(r)
            return out
        start, confirmed, why = OAI_FT_START[model]
        if eff_from is not None:
            start, confirmed, why = eff_from, True, ""
        elif row.kind == "cached_input" and model in ("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18"):
            start, confirmed, why = CACHING_START
        if row.tier in ("batch", "batch_data_sharing"):
            start, confirmed, why = max(start, BATCH_API), False, BATCH_API_WHY
        r = dated(_copy(row, model=model), start, confirmed, why)
        if model == "gpt-4o-2024-08-06" and row.tier == "batch":
            tc = {"input": "1.875", "output": "7.50"}.get(row.kind)
            r.notes.append(
                "kept the pricing-page copy (copy_of_official) over AgentOps-AI/tokencost"
                + (f" ({tc}, third_party, = 50% rule)" if tc else "")
                + "; let the user override it"
            )
        out.append(r)
        if model == "o4-mini-2025-04-16" and row.kind == "rft_training":
            ds = _copy(r, tier="data_sharing")
            ds.notes.insert(
                0, "data-sharing tier: OpenAI's RFT billing article gives the same hourly rate with data sharing"
            )
            out.append(ds)
        return out

    # base models
    if ref_model == "gpt-3.5-turbo-0613":
        out.append(_copy(row, model=model))
        alias = _copy(row, model="gpt-3.5-turbo", effective_to=GPT35_ALIAS_SWITCH, date_confirmed=False)
        alias.notes.insert(0, GPT35_ALIAS_WHY)
        out.append(alias)
        return out
    if eff_from is None:
        if row.tier == "batch":
            model_start = _base_start(model)
            start = max(model_start, BATCH_API)
            why = BATCH_API_WHY
        else:
            start, why = OAI_BASE_START[model]
        r = dated(_copy(row, model=model), start, False, why)
    else:
        r = _copy(row, model=model)
    out.append(r)
    if model == "gpt-3.5-turbo-0125":
        alias = _copy(r, model="gpt-3.5-turbo", effective_from=max(r.effective_from, GPT35_ALIAS_SWITCH))
        alias.notes.insert(0, GPT35_ALIAS_WHY)
        out.append(alias)
    return out


_BASE_STARTS: dict[str, date] = {}


def _base_start(model: str) -> date:
    if model in OAI_BASE_START:
        return OAI_BASE_START[model][0]
    return _BASE_STARTS[model]


def _azure(row: Row, ref_model: str, eff_from: date | None) -> list[Row]:
    out: list[Row] = []

    def with_start(r: Row, start: date, why: str, end: date | None = None, confirmed: bool = False) -> Row:
        r = _copy(r, effective_from=start, date_confirmed=confirmed, effective_to=end or r.effective_to)
        if why:
            r.notes.insert(0, why)
        return r

    k = row.kind
    if k == "training_hourly":
        model = {"gpt-35-turbo (4K)": "gpt-35-turbo", "gpt-35-turbo (16K)": "gpt-35-turbo-16k"}.get(
            ref_model, ref_model
        )
        start, why = AZ_FT_ERA, AZ_FT_ERA_WHY
        if model == "gpt-4":
            start, why = (
                D("2024-05-01"),
                "start = 2024-05-01: May 2024, when the GPT-4 fine-tuning preview opened (day not confirmed)",
            )
        r = with_start(
            _copy(row, model=model), start, why + "; ends on the assumed switch to token billing", AZ_TOKEN_ERA
        )
        return [r]
    if k == "training" and row.reliability == "unconfirmed":  # June-2024 per-token rates
        models = ["gpt-35-turbo", "gpt-35-turbo-16k"] if ref_model.startswith("gpt-35-turbo") else [ref_model]
        for m in models:
            end = AZ_RETIRED[m]
            r = with_start(
                _copy(row, model=m),
                AZ_TOKEN_ERA,
                AZ_TOKEN_ERA_WHY + f"; effective_to = retirement on Azure ({AZ_LEGACY})",
                end,
            )
            out.append(r)
        return out
    if k == "hosting" and ref_model.startswith("gpt-35-turbo"):  # the $7/h hypothesis
        r = with_start(
            _copy(row, model="gpt-35-turbo"),
            AZ_FT_ERA,
            AZ_FT_ERA_WHY + "; ends on the assumed switch to the current hosting rule",
            AZ_TOKEN_ERA,
        )
        r.notes.append("kept so the late-2023 comparison can be made")
        return [r]
    if k == "hosting" and ref_model == "any fine-tuned deployment" and row.tier in ("standard", "global"):
        models = (*AZ_LEGACY_FT, *AZ_GLOBAL_FT) if row.tier == "standard" else AZ_GLOBAL_FT
        for m in models:
            start = max(AZ_TOKEN_ERA, AZ_RELEASE.get(m, AZ_TOKEN_ERA))
            why = (
                "start = the June-2024 billing change (2024-07-01, assumed) or the snapshot's release, whichever is "
                "later; the earliest official statement of $1.70/h is 2025-07-08; expanded from the reference row "
                "for 'any fine-tuned deployment'"
            )
            if m == "o4-mini-2025-04-16":
                why = AZ_FTCOST_FIRST_WHY + "; expanded from the reference row for 'any fine-tuned deployment'"
            if m == "gpt-4o-mini-2024-07-18":
                why += "; no source names gpt-4o-mini with a dated $1.70/h row: this applies the generic statement"
            end = AZ_RETIRED.get(m)
            if end:
                why += f"; effective_to = retirement on Azure ({AZ_LEGACY})"
            out.append(with_start(_copy(row, model=m), start, why, end))
        return out
    if k == "hosting" and row.tier == "developer":
        for m in AZ_41:
            out.append(
                with_start(
                    _copy(row, model=m),
                    AZ_FTCOST_FIRST,
                    AZ_FTCOST_FIRST_WHY + "; expanded from the reference row for the GPT-4.1 family",
                )
            )
        return out
    if k == "hosting" and row.tier == "provisioned":
        for m in ("gpt-4.1-2025-04-14", "gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18"):
            out.append(
                with_start(
                    _copy(row, model=m),
                    AZ_FTCOST_FIRST,
                    "expanded from the reference row for 'any fine-tuned deployment' to the models Microsoft names for "
                    f"Regional PTU ({AZ_DEPLOY}); no published figure (amount empty); " + AZ_FTCOST_FIRST_WHY,
                )
            )
        return out
    if k == "ptu_hour":
        m = {"fine-tuned GPT-4o": "gpt-4o-2024-08-06", "fine-tuned GPT-4o-mini": "gpt-4o-mini-2024-07-18"}[ref_model]
        return [with_start(_copy(row, model=m), AZ_FTCOST_FIRST, AZ_FTCOST_FIRST_WHY + " (PTU for fine-tuned models)")]
    if k == "rft_training":
        return [with_start(_copy(row, model=ref_model), AZ_FTCOST_FIRST, AZ_FTCOST_FIRST_WHY)]
    if row.source_url == LC_12267:  # 2023 fine-tuned usage rates
        m = {"babbage-002 (fine-tuned)": "babbage-002", "davinci-002 (fine-tuned)": "davinci-002"}.get(
            ref_model, "gpt-35-turbo"
        )
        r = with_start(_copy(row, model=m), AZ_FT_ERA, AZ_FT_ERA_WHY)
        if m == "gpt-35-turbo":
            r.notes.append("priced for the 0613 snapshot")
        r.notes.append(f"effective_to = retirement on Azure ({AZ_LEGACY})")
        out.append(r)
        base = with_start(
            _copy(r, variant="base", notes=[]),
            AZ_FT_ERA,
            AZ_FT_ERA_WHY
            + "; base rate derived from the same langchain table: its fine-tuned rates equal Azure's base rates of "
            "the time (reference observation); window matches the fine-tuned row",
        )
        out.append(base)
        return out
    # token-era rows for current models (training, fine-tuned usage, base usage)
    m = ref_model.replace(" (fine-tuned)", "")
    start = max(AZ_RELEASE[m], AZ_TOKEN_ERA) if row.variant == "fine_tuned" else AZ_RELEASE[m]
    if row.variant == "base" and m == "o4-mini-2025-04-16":
        start = D("2025-04-16")
    if eff_from is not None:
        start = eff_from
    if start == AZ_FTCOST_FIRST:
        why = AZ_FTCOST_FIRST_WHY
    else:
        why = (
            f"start = release of the snapshot ({start.isoformat()}); the figure is assumed unchanged since then "
            "(not confirmed)"
        )
    out.append(with_start(_copy(row, model=m), start, why))
    return out


def additions(rows: list[Row]) -> list[Row]:
    """Rows for facts of prices.md that have no row in prices.csv, and rows derived by documented rules."""
    out: list[Row] = []
    # gpt-5.1 Batch (prices.md section 6; PP-2025N)
    for kind, amount in (("input", "0.625"), ("output", "5.00")):
        out.append(
            Row(
                "openai",
                "gpt-5.1",
                "base",
                kind,
                "usd_per_1m_tokens",
                "batch",
                amount,
                D("2025-11-13"),
                None,
                False,
                OPENAI_PRICING,
                "copy_of_official",
                [
                    "start = GPT-5.1 API release 2025-11-13 (the reference says only ~2025-11; not confirmed)",
                    PP2025N_NOTE,
                    "Batch API tier, 50% of standard (prices.md section 6; no row in the reference CSV)",
                ],
            )
        )
    # Azure RFT per-job cap (A)
    for tier in ("global", "standard"):
        out.append(
            Row(
                "azure",
                "o4-mini-2025-04-16",
                "fine_tuned",
                "rft_job_cap",
                "usd_per_job",
                tier,
                "5000",
                AZ_FTCOST_FIRST,
                None,
                False,
                AZ_FTCOST,
                "official",
                [
                    AZ_FTCOST_FIRST_WHY,
                    "per-job billing cap for reinforcement fine-tuning: at $5,000 training pauses and a deployable "
                    "checkpoint is created; if the user resumes, billing continues with no further cap",
                ],
            )
        )
    # Azure fine-tuned usage derived from base rows (Microsoft's rule, AZ-FTCOST)
    have = {(r.model, r.variant, r.kind, r.tier) for r in rows if r.provider == "azure"}
    rule = (
        "derived by the rule 'a fine-tuned deployment pays the base model's per-token rate for that deployment type' "
        f"({AZ_FTCOST}, official); graded as the base row it copies"
    )
    for r in rows:
        if r.provider != "azure" or r.variant != "base" or r.model not in AZ_GLOBAL_FT:
            continue
        if (r.model, "fine_tuned", r.kind, r.tier) not in have:
            start = max(r.effective_from, AZ_TOKEN_ERA, AZ_RELEASE[r.model])
            d = _copy(r, variant="fine_tuned", effective_from=start, date_confirmed=False)
            why = (
                AZ_FTCOST_FIRST_WHY
                if start == AZ_FTCOST_FIRST
                else (
                    f"start = {start.isoformat()} as the base row (snapshot release; figure assumed unchanged since; "
                    "not confirmed)"
                )
            )
            d.notes = [rule, why, *[n for n in r.notes if not n.startswith("start =")]]
            out.append(d)
            have.add((r.model, "fine_tuned", r.kind, r.tier))
    # Developer deployments pay Global Standard rates (GPT-4.1 family)
    for r in [*rows, *out]:
        if (
            r.provider == "azure"
            and r.variant == "fine_tuned"
            and r.tier == "global"
            and r.model in AZ_41
            and r.kind in ("input", "cached_input", "output")
        ):
            d = _copy(r, tier="developer", effective_from=max(r.effective_from, AZ_FTCOST_FIRST), date_confirmed=False)
            d.notes = [
                "derived by the rule 'a Developer deployment pays Global Standard token rates' "
                f"({AZ_FTCOST}, official); graded as the global row it copies; " + AZ_FTCOST_FIRST_WHY,
                *[n for n in r.notes if not n.startswith("start =")],
            ]
            out.append(d)
    return out


ORDER_PROVIDER = {"openai": 0, "azure": 1}
ORDER_KIND = {
    k: i
    for i, k in enumerate(
        (
            "training",
            "training_hourly",
            "rft_training",
            "rft_job_cap",
            "input",
            "cached_input",
            "output",
            "hosting",
            "ptu_hour",
        )
    )
}
ORDER_TIER = {
    t: i
    for i, t in enumerate(
        ("standard", "global", "developer", "provisioned", "batch", "data_sharing", "batch_data_sharing")
    )
}


def main(argv: list[str]) -> int:
    ref_path = Path(argv[1]) if len(argv) > 1 else Path("/work/shared/reference/prices.csv")
    out_path = Path(argv[2]) if len(argv) > 2 else ROOT / "data" / "prices.csv"
    with ref_path.open(encoding="utf-8") as fh:
        refs = list(csv.DictReader(fh))
    rows: list[Row] = []
    for ref in refs:  # base standard rows first so batch rows can find their model's start
        if ref["price_type"].startswith("base_") and ref["provider"] == "OpenAI" and ref["effective_from"]:
            _BASE_STARTS[OAI_CANONICAL.get(ref["model"], ref["model"])] = D(ref["effective_from"])
    for ref in refs:
        rows.extend(convert(ref))
    rows.extend(additions(rows))
    rows.sort(
        key=lambda r: (
            ORDER_PROVIDER[r.provider],
            r.variant != "fine_tuned",
            r.model,
            ORDER_KIND[r.kind],
            ORDER_TIER[r.tier],
            r.effective_from,
        )
    )
    with out_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r.as_csv())
    # validate the product with the real parser, overlap check included
    parsed = parse_price_csv(out_path.read_text(encoding="utf-8"), origin=out_path.name)
    models = parse_models_csv((ROOT / "data" / "models.csv").read_text(encoding="utf-8"), origin="models.csv")
    Catalog(parsed, models)
    _check_coverage(refs, parsed)
    print(f"{len(refs)} reference rows -> {len(parsed)} catalogue rows in {out_path}")
    return 0


def _check_coverage(refs: list[dict[str, str]], parsed: list[object]) -> None:
    """Every reference figure appears in the catalogue under its kind and mapped tier (or is named in a note)."""
    from decimal import Decimal

    have = {(r.provider, r.variant, r.kind, r.tier, r.amount) for r in parsed}  # type: ignore[attr-defined]
    notes = " ".join(r.note for r in parsed)  # type: ignore[attr-defined]
    for ref in refs:
        provider = {"OpenAI": "openai", "Azure OpenAI": "azure"}[ref["provider"]]
        variant, kind = KIND[ref["price_type"]]
        tier = AZ_TIER.get(ref["tier"], ref["tier"] or "global") if provider == "azure" else ref["tier"]
        amount = Decimal(ref["amount_usd"]) if ref["amount_usd"] else None
        if (provider, variant, kind, tier, amount) in have:
            continue
        if amount is not None and ref["amount_usd"].rstrip("0") in notes:
            print(f"note only: {ref['model']} {ref['price_type']} {ref['tier']} {ref['amount_usd']}")
            continue
        raise SystemExit(f"reference row not covered: {ref}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
