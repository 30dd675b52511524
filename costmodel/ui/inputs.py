"""The dashboard's path picker: which paths can be offered, their marks and labels.

The scenario inputs themselves (:class:`~costmodel.present.inputs.ScenarioInputs`, the URL's two
directions, ``defaults_from``) live in :mod:`costmodel.present.inputs`, below the UI (the report
and the CLI read them too); they are re-exported here for the dashboard's modules. Pure: no streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from costmodel.engine.availability import windows
from costmodel.engine.usage import PathSpec, training_tier
from costmodel.present.inputs import (
    DEFAULT_FEW_SHOT_K,
    DEFAULT_PATHS,
    Answer,
    ScenarioInputs,
    defaults_from,
    from_query,
    inputs_from_link,
    to_query,
)
from costmodel.prices import Catalog, Kind, Provider, Variant
from costmodel.prices.fleet import Fleet

__all__ = [
    "DEFAULT_FEW_SHOT_K",
    "DEFAULT_PATHS",
    "PROVIDER_NAMES",
    "Answer",
    "ScenarioInputs",
    "defaults_from",
    "from_query",
    "inputs_from_link",
    "path_marks",
    "path_options",
    "picker_label",
    "provider_group",
    "to_query",
]

_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def path_options(catalog: Catalog, as_of: date, fleet: Fleet | None = None) -> list[str]:
    """Every path the catalogue can price on ``as_of``: an input and an output price in force.

    With a ``fleet`` (GPU and capacity tables) the list also holds the capacity paths that can be
    sized without a measurement (Azure PTU with a published unit throughput) and self-hosted LoRA
    and QLoRA paths on the two cheapest instances that hold each open-weight model.

    Fine-tuned paths are listed only when a training price (per token or per hour) is in force
    for their training tier (and, on Azure, a hosting price), so every option can be evaluated
    with a training volume. Models are written with their shortest registry name
    (``gpt-4.1-mini`` rather than ``gpt-4.1-mini-2025-04-14``).
    """
    have: dict[tuple[Provider, str, Variant, str], set[Kind]] = {}
    for r in catalog.in_force(as_of):
        if r.amount is not None:
            have.setdefault((r.provider, r.model, r.variant, r.tier), set()).add(r.kind)
    short: dict[tuple[Provider, str], str] = {}
    for m in catalog.models:
        dated = _DATED.search(m.model) is not None
        short[(m.provider, m.model)] = min((m.model, *m.aliases), key=lambda n: (len(n), n)) if dated else m.model
    out: list[str] = []
    for (provider, model, variant, tier), kinds in sorted(have.items()):
        if tier in ("batch", "batch_data_sharing") or not {Kind.INPUT, Kind.OUTPUT} <= kinds:
            continue  # batch is a share of the traffic, not a path of its own
        name = short.get((provider, model), model)
        path = PathSpec(provider=provider, model=name, fine_tuned=variant == Variant.FINE_TUNED, tier=tier)
        if path.fine_tuned:
            train = have.get((provider, model, variant, training_tier(path)), set())
            if not train & {Kind.TRAINING, Kind.TRAINING_HOURLY}:
                continue
            if provider == Provider.AZURE and Kind.HOSTING not in kinds:
                continue
        out.append(path.label)
    if fleet is not None:
        out.extend(_capacity_options(have, short, fleet))
    return [p for p in out if _exists(catalog, p, as_of)]


_GONE = ("retired", "cannot_deploy_now")


def _exists(catalog: Catalog, label: str, as_of: date) -> bool:
    """Not retired and open to new deployments on ``as_of`` (an unknown lifecycle counts as existing)."""
    return windows(catalog.lifecycle, PathSpec.parse(label), as_of=as_of).status not in _GONE


def path_marks(catalog: Catalog, labels: Sequence[str], as_of: date, horizon_months: int) -> dict[str, str]:
    """A short mark per path for the picker: ``ends 2027-01-14``, ``training closed``, ``retired`` ...

    Paths that cover the horizon get no mark.
    """
    marks: dict[str, str] = {}
    for label in labels:
        av = windows(catalog.lifecycle, PathSpec.parse(label), as_of=as_of, horizon_months=horizon_months)
        if av.status == "closes_within_horizon":
            marks[label] = f"ends {av.status_date}"
        elif av.status == "cannot_train_now":
            marks[label] = "training closed" if av.status_date and av.status_date <= as_of else "training not open yet"
        elif av.status == "retired":
            marks[label] = f"retired {av.status_date}"
        elif av.status == "cannot_deploy_now":
            marks[label] = "no new deployments"
        elif av.status == "unknown":
            marks[label] = "lifecycle unknown"
    return marks


def _capacity_options(
    have: dict[tuple[Provider, str, Variant, str], set[Kind]], short: dict[tuple[Provider, str], str], fleet: Fleet
) -> list[str]:
    from costmodel.engine.selfhosted import memory_needed_gb

    out: list[str] = []
    for (provider, model, variant, tier), kinds in sorted(have.items()):
        cap = fleet.find_capacity(provider, model, tier)
        if Kind.PTU_HOUR in kinds and cap is not None and cap.tokens_per_minute_per_unit is not None:
            name = short.get((provider, model), model)
            out.append(
                PathSpec(provider=provider, model=name, fine_tuned=variant == Variant.FINE_TUNED, tier=tier).label
            )
    priced = [i for i in fleet.instances if i.on_demand_usd_per_hour is not None]
    for m in fleet.models:
        for method in ("lora", "qlora"):
            need = max(memory_needed_gb(m.params_billion, method), memory_needed_gb(m.params_billion, "serve"))
            fits = sorted((i for i in priced if need <= i.total_memory_gb), key=lambda i: i.on_demand_usd_per_hour or 0)
            out.extend(f"selfhosted:{m.model}:{method}@{i.instance}" for i in fits[:2])
    return out


def provider_group(label: str) -> str:
    """The picker's group name for a path label: ``Azure OpenAI · ...``, ``Self-hosted · ...``."""
    provider = label.split(":", 1)[0]
    return PROVIDER_NAMES.get(provider, provider)


PROVIDER_NAMES = {
    "openai": "OpenAI",
    "azure": "Azure OpenAI",
    "bedrock": "Amazon Bedrock",
    "vertex": "Google Vertex AI",
    "together": "Together AI",
    "fireworks": "Fireworks AI",
    "selfhosted": "Self-hosted (rented GPUs)",
}


def picker_label(label: str) -> str:
    """How the picker shows a path: its provider group first, so options read grouped by provider."""
    return f"{provider_group(label)} · {label.split(':', 1)[1]}"
