"""Paths the catalogue knows on a date but cannot price, each with the reason (listed, not hidden).

The path picker offers only paths that can be evaluated (:func:`costmodel.ui.inputs.path_options`);
:func:`unpriced_paths` lists the others that have some price row in force that day, and says what is
missing (a training price, a hosting price, an input or output price, or a row without a figure).
"""

from __future__ import annotations

import re
from datetime import date

from costmodel.engine.usage import PathSpec, training_tier
from costmodel.prices import Catalog, Kind, Provider, Variant
from costmodel.ui.inputs import path_options

__all__ = ["render_unpriced", "unpriced_paths"]

_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def unpriced_paths(catalog: Catalog, as_of: date) -> list[tuple[str, str]]:
    """``[(path label, reason)]`` for every path with rows in force on ``as_of`` that cannot be priced."""
    offered = set(path_options(catalog, as_of))
    have: dict[tuple[Provider, str, Variant, str], set[Kind]] = {}
    blank: dict[tuple[Provider, str, Variant, str], set[Kind]] = {}
    for r in catalog.in_force(as_of):
        key = (r.provider, r.model, r.variant, r.tier)
        (have if r.amount is not None else blank).setdefault(key, set()).add(r.kind)
        have.setdefault(key, set())
    short: dict[tuple[Provider, str], str] = {}
    for m in catalog.models:  # the picker's shortest registry name (gpt-4.1-mini, not gpt-4.1-mini-2025-04-14)
        dated = _DATED.search(m.model) is not None
        short[(m.provider, m.model)] = min((m.model, *m.aliases), key=lambda n: (len(n), n)) if dated else m.model
    day = as_of.isoformat()
    out: list[tuple[str, str]] = []
    for (provider, model, variant, tier), kinds in sorted(have.items()):
        if tier in ("batch", "batch_data_sharing"):
            continue
        name = short.get((provider, model), model)
        path = PathSpec(provider=provider, model=name, fine_tuned=variant == Variant.FINE_TUNED, tier=tier)
        label = path.label
        if label in offered:
            continue
        reasons: list[str] = []
        missing = {Kind.INPUT, Kind.OUTPUT} - kinds
        if missing:
            reasons.append("no " + " or ".join(sorted(k.value for k in missing)) + f" price on {day}")
        if path.fine_tuned:
            train = have.get((provider, model, variant, training_tier(path)), set())
            if not train & {Kind.TRAINING, Kind.TRAINING_HOURLY}:
                reasons.append(f"no training price (per token or per hour) for tier '{training_tier(path)}' on {day}")
            if provider == Provider.AZURE and Kind.HOSTING not in kinds:
                reasons.append(f"no hosting price on {day}")
        empty = blank.get((provider, model, variant, tier), set())
        if empty:
            reasons.append("listed without a published figure: " + ", ".join(sorted(k.value for k in empty)))
        if reasons:
            out.append((label, "; ".join(reasons)))
    return out


def render_unpriced(catalog: Catalog, as_of: date) -> None:
    """An expander next to the picker: the paths it does not offer, and why."""
    import streamlit as st

    rows = unpriced_paths(catalog, as_of)
    if not rows:
        return
    label = f"{len(rows)} path{'s' if len(rows) != 1 else ''} without a price on {as_of.isoformat()}"
    # drawn only when opened (a rerun): closed, the list was still rendered by the browser on every run
    expander = st.expander(label, key="exp_unpriced", on_change="rerun")
    if not expander.open:
        return
    with expander:
        st.caption(
            "These are in the catalogue on this date but cannot be compared: what is missing is named. "
            "Add the price in a catalogue file (Prices page) to compare them."
        )
        st.markdown("\n".join(f"- `{label}`: {why}" for label, why in rows))
