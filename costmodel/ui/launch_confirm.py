"""What the Launch page says BEFORE a paid job starts: endpoint, model, file, epochs, estimate and grade, budget,
that the job cannot be undone, and (Azure) the hourly hosting fee and the 15-day idle deletion.

:func:`confirmation_rows` and :func:`warnings` are plain functions of the launch plan (tested without a
browser); :func:`render_confirmation` draws them just above the confirmation box.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from costmodel.money import format_usd

if TYPE_CHECKING:  # pragma: no cover
    from costmodel.launch.plan import LaunchPlan
    from costmodel.prices import Catalog

__all__ = ["IRREVOCABLE", "confirmation_rows", "hosting_price", "render_confirmation", "warnings"]

IRREVOCABLE = "This starts a paid job that cannot be undone; a cancelled job is billed for what it trained."
_OPENAI_DEFAULT = "https://api.openai.com/v1"


def _endpoint(plan: LaunchPlan) -> str:
    s = plan.settings
    if s.base_url:
        return s.base_url
    if s.azure_endpoint:
        return f"{s.azure_endpoint} (API version {s.api_version or 'default'})"
    return _OPENAI_DEFAULT if str(s.provider) == "openai" else "(not set)"


def _money(value: Decimal | None) -> str:
    return format_usd(value, precise=value is not None and abs(value) < 1)


def confirmation_rows(plan: LaunchPlan) -> list[dict[str, str]]:
    """One row per thing the user is about to commit to."""
    spec = plan.spec
    budget = spec.budget_usd
    tier = f" ({plan.training_type})" if plan.training_type else ""
    return [
        {"what": "Endpoint", "value": _endpoint(plan)},
        {"what": "Provider and base model", "value": f"{spec.provider} {spec.model}{tier}"},
        {
            "what": "Training file",
            "value": f"{spec.dataset.name} ({plan.n_examples:,} examples, {plan.dataset_bytes:,} bytes)",
        },
        {
            "what": "Epochs",
            "value": str(plan.n_epochs) + (" (auto: the provider's heuristic)" if spec.n_epochs == "auto" else ""),
        },
        {
            "what": "Estimated training cost",
            "value": f"{_money(plan.estimated_cost_usd)} ({plan.price_reliability}; {plan.formula()})",
        },
        {
            "what": "Budget cap",
            "value": "none"
            if budget is None
            else _money(budget) + (" (the estimate is above it)" if plan.over_budget else ""),
        },
    ]


def hosting_price(plan: LaunchPlan, catalog: Catalog, as_of: date) -> Decimal | None:
    """Azure's hourly hosting fee for the fine-tuned model on ``as_of`` (``None`` when unknown)."""
    from costmodel.errors import CostmodelError
    from costmodel.prices import Kind, Provider, Variant

    if str(plan.spec.provider) != "azure":
        return None
    tier = plan.spec.tier if plan.spec.tier in ("standard", "global", "developer") else "standard"
    try:
        model = catalog.canonical_model(Provider.AZURE, plan.spec.model)
        row = catalog.maybe_lookup(Provider.AZURE, model, Variant.FINE_TUNED, Kind.HOSTING, tier, as_of)
    except CostmodelError:
        return None
    return None if row is None else row.amount


def warnings(plan: LaunchPlan, hosting_per_hour: Decimal | None) -> list[str]:
    """The irreversibility warning, then (Azure) what deploying the result will cost, before the job starts."""
    out = [IRREVOCABLE]
    if str(plan.spec.provider) == "azure":
        fee = (
            f"{format_usd(hosting_per_hour)} per hour"
            if hosting_per_hour is not None
            else "an hourly hosting fee (no price in the catalogue for this model)"
        )
        monthly = (
            f" (about {format_usd(hosting_per_hour * 730)} a month if always deployed)"
            if hosting_per_hour is not None
            else ""
        )
        out.append(
            f"After training, serving the model on Azure means deploying it: a deployment is billed {fee}{monthly} "
            "for every hour it is deployed, used or not, and Azure deletes a deployment that has been idle for "
            "15 days. Deploying is a separate step after the job; the training job itself has no hosting fee."
        )
    return out


def render_confirmation(plan: LaunchPlan, catalog: Catalog, as_of: date) -> None:
    import streamlit as st

    st.markdown("**You are about to start this job:**")
    st.table({r["what"]: r["value"] for r in confirmation_rows(plan)})
    for text in warnings(plan, hosting_price(plan, catalog, as_of)):
        st.warning(text)
