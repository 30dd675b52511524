"""The Launch page's inputs: the form, the endpoint, the key, the training file, and the plan they make.

Inputs live in ``st.session_state`` under :data:`SESSION_KEYS`, so another page can prefill them
(:func:`prefill`), and the Decision page's link (``?path=...``) sets provider, model and tier.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import streamlit as st

from costmodel.engine.usage import as_path
from costmodel.errors import CostmodelError
from costmodel.launch import LaunchPlan, LaunchSpec, ProviderSettings, plan_launch
from costmodel.launch.plan import AZURE_TRAINING_TYPES, Preflight
from costmodel.money import format_usd
from costmodel.prices import Catalog, Provider
from costmodel.secrets import (
    AZURE_AD_TOKEN_ENV,
    AZURE_API_KEY_ENV,
    AZURE_API_VERSION_ENV,
    AZURE_ENDPOINT_ENV,
    OPENAI_API_KEY_ENV,
    Secret,
    lookup_setting,
    resolve_secret,
)
from costmodel.store import default_path

__all__ = [
    "DASHBOARD_DATASET_KEY",
    "SESSION_KEYS",
    "credential_for",
    "dashboard_catalog",
    "dataset_file",
    "defaults_from_path",
    "endpoint_inputs",
    "model_inputs",
    "money",
    "plan_from_inputs",
    "prefill",
    "secrets_or_none",
]

SESSION_KEYS = (
    "launch.provider",
    "launch.model",
    "launch.dataset_path",
    "launch.n_epochs",
    "launch.tier",
    "launch.method",
    "launch.as_of",
    "launch.budget_usd",
    "launch.base_url",
    "launch.azure_endpoint",
    "launch.api_version",
)
DASHBOARD_DATASET_KEY = "dataset_upload"
_DEFAULT_MODELS = {"openai": "gpt-4o-mini-2024-07-18", "azure": "gpt-4.1-mini-2025-04-14"}


def prefill(**values: Any) -> None:
    """Put launch inputs in session state before switching to this page, e.g.
    ``prefill(provider="azure", model="gpt-4.1-mini", tier="global", dataset_path="train.jsonl")``."""
    for name, value in values.items():
        key = f"launch.{name}"
        if key not in SESSION_KEYS:
            raise KeyError(f"unknown launch input {name!r}; use one of {', '.join(k[7:] for k in SESSION_KEYS)}")
        st.session_state[key] = value


def secrets_or_none() -> Any:
    try:
        return st.secrets
    except Exception:  # no secrets file, or an unreadable one: treated as unset
        return None


def money(value: Decimal | None) -> str:
    return format_usd(value, precise=value is not None and abs(value) < 1)


def defaults_from_path() -> None:
    """Prefill provider/model/tier from ``?path=...`` (the Decision page's launch link)."""
    raw = st.query_params.get("path")
    if not raw or "launch._path_applied" in st.session_state:
        return
    st.session_state["launch._path_applied"] = raw
    try:
        path = as_path(raw)
    except CostmodelError:
        return
    st.session_state.setdefault("launch.provider", str(path.provider))
    st.session_state.setdefault("launch.model", path.model)
    if str(path.provider) == "azure" and path.tier in AZURE_TRAINING_TYPES:
        st.session_state.setdefault("launch.tier", path.tier)
    _scenario_training()


def _scenario_training() -> None:
    """Carry the scenario's epochs and training file (the Dataset page's upload, else the bundled sample)."""
    from costmodel.ui import state

    try:
        inputs = state.current()
    except CostmodelError:
        return
    st.session_state.setdefault("launch.n_epochs", int(inputs.epochs))
    if not st.session_state.get(DASHBOARD_DATASET_KEY):
        st.session_state.setdefault("launch.dataset_path", str(state.SAMPLE_PATH))


def dataset_file(upload: Any) -> Path | None:
    """The training file as a path: typed path, this page's upload, or the Dataset page's upload.

    Uploaded bytes are written once, content-addressed, next to the store, so the launch id (which
    hashes the content) stays the same across reruns and refreshes."""
    held: tuple[str, bytes] | None = None
    if upload is not None:
        held = (upload.name, upload.getvalue())
    elif st.session_state.get(DASHBOARD_DATASET_KEY):
        held = st.session_state[DASHBOARD_DATASET_KEY]
    if held is not None:
        name, data = held
        digest = hashlib.sha256(data).hexdigest()
        from costmodel.validate import safe_file_name  # a 300-character or odd name must not break the path

        target = default_path().parent / "uploads" / f"{digest[:16]}-{safe_file_name(name)}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return target
    typed = str(st.session_state.get("launch.dataset_path") or "").strip()
    return Path(typed).expanduser() if typed else None


def credential_for(provider: str, azure_auth: str, typed: str | None) -> Secret | None:
    if provider == "openai":
        names: tuple[str, ...] = (OPENAI_API_KEY_ENV,)
    elif azure_auth == "entra_token":
        names = (AZURE_AD_TOKEN_ENV,)
    else:
        names = (AZURE_API_KEY_ENV,)
    return resolve_secret(*names, explicit=typed, secrets=secrets_or_none())


def model_inputs() -> tuple[str, str, str]:
    st.session_state.setdefault("launch.provider", "openai")
    provider = st.radio("Provider", ["openai", "azure"], key="launch.provider", horizontal=True)
    st.session_state.setdefault("launch.model", _DEFAULT_MODELS[provider])
    cols = list(st.columns(3))
    with cols[0]:
        st.text_input("Base model", key="launch.model", help="pin a dated snapshot, e.g. gpt-4o-mini-2024-07-18")
    with cols[1]:
        st.session_state.setdefault("launch.method", "supervised")
        st.selectbox("Method", ["supervised", "dpo"], key="launch.method")
    with cols[2]:
        tiers = ["standard"] if provider == "openai" else list(AZURE_TRAINING_TYPES)
        if st.session_state.get("launch.tier") not in tiers:
            st.session_state["launch.tier"] = tiers[0]
        st.selectbox(
            "Training tier" if provider == "openai" else "Training type",
            tiers,
            key="launch.tier",
            format_func=lambda t: t if provider == "openai" else f"{t} ({AZURE_TRAINING_TYPES[t]})",
        )
    cols = list(st.columns(4))
    with cols[0]:
        st.session_state.setdefault("launch.n_epochs", 0)
        st.number_input("Epochs (0 = auto)", min_value=0, max_value=50, step=1, key="launch.n_epochs")
    with cols[1]:
        st.text_input("Suffix (optional)", key="launch.suffix", max_chars=64 if provider == "openai" else 18)
    with cols[2]:
        st.number_input("Seed (0 = none)", min_value=0, step=1, key="launch.seed", value=None)
    with cols[3]:
        st.session_state.setdefault("launch.as_of", date.today())
        st.date_input("Prices as of", key="launch.as_of")
    st.text_input("Training file path (.jsonl)", key="launch.dataset_path", placeholder="/path/to/train.jsonl")
    return provider, str(st.session_state["launch.model"]), str(st.session_state["launch.tier"])


def endpoint_inputs(provider: str) -> tuple[dict[str, Any], str]:
    secrets = secrets_or_none()
    with st.expander("Endpoint", expanded=False):
        if provider == "openai":
            st.session_state.setdefault("launch.base_url", lookup_setting("OPENAI_BASE_URL", secrets=secrets) or "")
            st.text_input("Base URL (empty = https://api.openai.com/v1)", key="launch.base_url")
            return {"provider": "openai", "base_url": st.session_state["launch.base_url"] or None}, "api_key"
        st.session_state.setdefault("launch.azure_endpoint", lookup_setting(AZURE_ENDPOINT_ENV, secrets=secrets) or "")
        st.session_state.setdefault("launch.api_version", lookup_setting(AZURE_API_VERSION_ENV, secrets=secrets) or "")
        st.session_state.setdefault("launch.base_url", "")
        st.text_input("Endpoint (AZURE_OPENAI_ENDPOINT)", key="launch.azure_endpoint")
        st.text_input("API version (OPENAI_API_VERSION; empty = 2025-04-01-preview)", key="launch.api_version")
        st.text_input("or the v1 base URL https://RESOURCE.openai.azure.com/openai/v1/", key="launch.base_url")
        auth = st.radio("Credential", ["api_key", "entra_token"], key="launch.azure_auth", horizontal=True)
        v1 = st.session_state["launch.base_url"] or None
        return {
            "provider": "azure",
            "base_url": v1,
            "azure_endpoint": None if v1 else (st.session_state["launch.azure_endpoint"] or None),
            "api_version": st.session_state["launch.api_version"] or None,
            "azure_auth": auth,
        }, str(auth)


def dashboard_catalog() -> Catalog:
    """The dashboard's catalogue (with the user's uploaded override, if any)."""
    from costmodel.ui import state

    return state.catalog()


def plan_from_inputs(
    provider: str,
    model: str,
    tier: str,
    dataset: Path,
    settings_kw: dict[str, Any],
    catalog: Catalog | None,
    preflight: Preflight | None,
) -> LaunchPlan | None:
    ss = st.session_state
    try:
        budget_raw = ss.get("launch.budget_usd") or 0
        budget = Decimal(str(budget_raw)) if budget_raw else None
    except InvalidOperation:
        budget = None
    try:
        spec = LaunchSpec(
            provider=Provider(provider),
            model=model,
            dataset=dataset,
            method=ss.get("launch.method", "supervised"),
            n_epochs=int(ss.get("launch.n_epochs") or 0) or "auto",
            suffix=(ss.get("launch.suffix") or None),
            seed=(int(ss["launch.seed"]) if ss.get("launch.seed") else None),
            tier=tier,
            as_of=ss.get("launch.as_of") or date.today(),
            budget_usd=budget,
        )
        settings = ProviderSettings(**settings_kw)
        return plan_launch(spec, settings, catalog=catalog or dashboard_catalog(), preflight=preflight)
    except CostmodelError as exc:
        st.error(str(exc))
    except ValueError as exc:  # pydantic validation of the inputs
        errors = getattr(exc, "errors", None)
        first = errors()[0] if callable(errors) else None
        text = str(first["msg"]).removeprefix("Value error, ") if first else str(exc)
        where = ".".join(str(p) for p in first["loc"]) if first else ""
        st.error(f"{where}: {text}" if where else text)
    return None
