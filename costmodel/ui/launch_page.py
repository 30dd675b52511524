"""The Launch page: estimate, confirm, launch exactly once, then follow the job to its real cost.

:func:`render` is self-contained (the dashboard puts it in ``st.navigation``). It reads optional
inputs other pages may leave behind:

* query parameter ``path`` (``openai:gpt-4o-mini-2024-07-18:ft`` or ``azure:MODEL:ft@global``), as
  the Decision page's "Launch fine-tuning" link sends it;
* ``st.session_state["dataset_upload"]``: ``(file name, bytes)`` of the training file uploaded on
  the Dataset page; prices come from ``costmodel.ui.state.catalog()`` (the user's override) when
  the dashboard provides it, else the bundled catalogue;
* ``st.session_state`` keys :data:`SESSION_KEYS` (``launch.provider``, ``launch.model``,
  ``launch.dataset_path``, ``launch.n_epochs`` (0 = auto), ``launch.tier``, ``launch.method``,
  ``launch.as_of``, ``launch.budget_usd`` (0 = no cap), ``launch.base_url``,
  ``launch.azure_endpoint``, ``launch.api_version``): set them before switching to this page to
  prefill the form (see :func:`prefill`).

Exactly once: the launch id is derived from the dataset and the settings (or typed), kept in
``st.session_state["launch.inflight"]`` while the call runs, and the store's record is checked
before the button is even shown; the click runs in an ``on_click`` callback, and
:func:`~costmodel.launch.execute_launch` itself locks the launch id across processes and
reconciles with the provider. A double click, a rerun, a refreshed tab or a second tab therefore
find the job that exists instead of creating another.

Keys come from ``OPENAI_API_KEY`` / ``AZURE_OPENAI_API_KEY`` / ``AZURE_OPENAI_AD_TOKEN``,
``.streamlit/secrets.toml``, or a masked field whose value stays in this session's memory only.
"""

from __future__ import annotations

import hashlib
import importlib
import sqlite3
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import streamlit as st

from costmodel.errors import CostmodelError
from costmodel.launch import (
    HOSTING_WARNING,
    AzureDeploymentTarget,
    LaunchPlan,
    LaunchSpec,
    ProviderSettings,
    cancel_launch,
    credential_hint,
    deploy_azure_model,
    execute_launch,
    get_launch,
    list_launches,
    plan_launch,
    refresh_launch,
    settings_from_record,
)
from costmodel.launch.azure_deploy import ArmTransport
from costmodel.launch.plan import AZURE_TRAINING_TYPES, Preflight
from costmodel.launch.records import LaunchRecord, add_event
from costmodel.launch.runner import ClientFactory, make_client
from costmodel.money import format_usd
from costmodel.prices import Catalog, Provider, bundled_catalog
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
from costmodel.store import connect, default_path

__all__ = ["SESSION_KEYS", "prefill", "render"]

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
_INFLIGHT = "launch.inflight"
_RESULT = "launch.result"
_ERROR = "launch.error"
_SNAPSHOT = "launch.snapshot"
_PAST_ERROR = "launch.past_error"
_DEPLOY_RESULT = "launch.deploy_result"
ARM_TOKEN_ENV = "AZURE_ARM_TOKEN"  # e.g. from `az account get-access-token --query accessToken -o tsv`
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


def _secrets() -> Any:
    try:
        return st.secrets
    except Exception:  # no secrets file, or an unreadable one: treated as unset
        return None


def _money(value: Decimal | None) -> str:
    return format_usd(value, precise=value is not None and abs(value) < 1)


def _defaults_from_path() -> None:
    """Prefill provider/model/tier from ``?path=...`` (the Decision page's launch link)."""
    raw = st.query_params.get("path")
    if not raw or "launch._path_applied" in st.session_state:
        return
    st.session_state["launch._path_applied"] = raw
    try:
        from costmodel.engine.usage import PathSpec

        path = PathSpec.parse(raw)
    except (ImportError, CostmodelError):
        return
    st.session_state.setdefault("launch.provider", str(path.provider))
    st.session_state.setdefault("launch.model", path.model)
    if str(path.provider) == "azure" and path.tier in AZURE_TRAINING_TYPES:
        st.session_state.setdefault("launch.tier", path.tier)


def _external_path(catalog: Catalog | None) -> bool:
    """For a path costmodel does not launch (?path=bedrock:..., selfhosted:...): the command and the estimate."""
    from costmodel.engine.usage import PathSpec
    from costmodel.launch.external import external_launch

    raw = st.query_params.get("path")
    try:
        path = PathSpec.parse(raw) if raw else None
    except CostmodelError:
        return False
    what = None if path is None else external_launch(path, epochs=3)
    if path is None or what is None:
        return False
    from costmodel.engine.scenario import evaluate
    from costmodel.ui import state

    st.subheader(what.title)
    try:
        scenario = state.current().scenario()
        epochs = scenario.training.epochs or 3
        what = external_launch(path, epochs=epochs) or what
        result = evaluate(
            catalog or state.catalog(), scenario.model_copy(update={"paths": (path,)}), as_of=state.today()
        )
        cost = result.costs[0]
        st.metric("Training (one-off)", _money(cost.training_total))
        st.metric("Running cost per month", _money(cost.monthly_total))
        st.caption(f"Estimate for the Decision page's scenario ({cost.reliability.value}).")
    except CostmodelError as exc:
        st.error(f"No estimate: {exc}")
    st.warning(what.notice)
    st.code(what.command, language=what.language)
    st.markdown(f"Documented at {what.docs_url}")
    return True


def _dataset_file(upload: Any) -> Path | None:
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
        target = default_path().parent / "uploads" / f"{digest[:16]}-{Path(name).name}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return target
    typed = str(st.session_state.get("launch.dataset_path") or "").strip()
    return Path(typed).expanduser() if typed else None


def _credential(provider: str, azure_auth: str, typed: str | None) -> Secret | None:
    if provider == "openai":
        names: tuple[str, ...] = (OPENAI_API_KEY_ENV,)
    elif azure_auth == "entra_token":
        names = (AZURE_AD_TOKEN_ENV,)
    else:
        names = (AZURE_API_KEY_ENV,)
    return resolve_secret(*names, explicit=typed, secrets=_secrets())


def _on_launch(plan: LaunchPlan, credential: Secret | None, client_factory: ClientFactory) -> None:
    """The Launch button's callback: runs once per click, before the rerun."""
    if st.session_state.get(_INFLIGHT) == plan.launch_id:
        return  # a second click while the first is still running
    if not st.session_state.get("launch.confirm"):
        st.session_state[_ERROR] = "Tick the confirmation first."
        return
    st.session_state[_INFLIGHT] = plan.launch_id
    st.session_state.pop(_ERROR, None)
    conn = connect()
    try:
        record = execute_launch(plan, conn=conn, credential=credential, client_factory=client_factory)
        st.session_state[_RESULT] = record.launch_id
    except CostmodelError as exc:
        st.session_state[_ERROR] = str(exc)
    finally:
        conn.close()
        st.session_state.pop(_INFLIGHT, None)


def _inputs() -> tuple[str, str, str]:
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


def _endpoint(provider: str) -> tuple[dict[str, Any], str]:
    secrets = _secrets()
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


def _show_estimate(plan: LaunchPlan) -> None:
    cols = list(st.columns(3))
    cols[0].metric("Estimated training cost", _money(plan.estimated_cost_usd), help=plan.formula())
    cols[1].metric("Training tokens", f"{plan.estimated_tokens:,}", help="billed tokens x epochs")
    cols[2].metric("Price per 1M training tokens", _money(plan.price_usd_per_1m))
    st.markdown(f"Price reliability: **{plan.price_reliability}**")
    st.caption(
        f"{plan.formula()}. Launch id `{plan.launch_id}`."
        + (f" Price source: {plan.price_source}" if plan.price_source else "")
    )
    if plan.problems:
        rows = [
            {"severity": p.severity, "line": p.line, "field": p.field, "message": p.message, "fix": p.hint}
            for p in plan.problems
        ]
        st.dataframe(rows, hide_index=True)
    if plan.has_errors:
        st.error(f"The dataset has {len(plan.blocking_problems)} error(s): fix them before launching.")


def _show_record(record: LaunchRecord) -> None:
    cols = list(st.columns(4))
    cols[0].metric("Status", record.status)
    cols[1].metric("Estimated", _money(record.estimated_cost_usd))
    delta = None if record.cost_difference_usd is None else _money(record.cost_difference_usd)
    cols[2].metric("Actual", _money(record.actual_cost_usd), delta=delta, delta_color="inverse")
    cols[3].metric("Trained tokens", "n/a" if record.trained_tokens is None else f"{record.trained_tokens:,}")
    st.caption(
        f"Launch `{record.launch_id}` · file `{record.file_id or '-'}` · job `{record.job_id or '-'}`"
        + (f" · model `{record.fine_tuned_model}`" if record.fine_tuned_model else "")
    )
    if record.error:
        st.warning(record.error)


def _on_refresh(
    launch_id: str, credential: Secret | None, client_factory: ClientFactory, settings: ProviderSettings | None
) -> None:
    """Refresh in the callback, before the page is drawn, so every part of the page agrees."""
    st.session_state.pop(_PAST_ERROR, None)
    conn = connect()
    try:
        st.session_state[_SNAPSHOT] = refresh_launch(
            conn, launch_id, credential=credential, client_factory=client_factory, settings=settings
        )
    except CostmodelError as exc:
        st.session_state[_PAST_ERROR] = str(exc)
    finally:
        conn.close()


def _on_cancel(
    launch_id: str, credential: Secret | None, client_factory: ClientFactory, settings: ProviderSettings | None
) -> None:
    st.session_state.pop(_PAST_ERROR, None)
    conn = connect()
    try:
        cancel_launch(conn, launch_id, credential=credential, client_factory=client_factory, settings=settings)
        st.session_state.pop(_SNAPSHOT, None)
    except CostmodelError as exc:
        st.session_state[_PAST_ERROR] = str(exc)
    finally:
        conn.close()


def _on_deploy(record: LaunchRecord, token: Secret | None, transport: ArmTransport | None) -> None:
    ss = st.session_state
    ss.pop(_DEPLOY_RESULT, None)
    ss.pop(_PAST_ERROR, None)
    if token is None:
        ss[_PAST_ERROR] = f"No ARM token: set {ARM_TOKEN_ENV} or paste one in the field."
        return
    conn = connect()
    try:
        target = AzureDeploymentTarget(
            subscription_id=ss.get("launch.deploy.subscription", ""),
            resource_group=ss.get("launch.deploy.group", ""),
            account_name=ss.get("launch.deploy.account", ""),
            deployment_name=ss.get("launch.deploy.name", ""),
            model_name=record.fine_tuned_model or "",
            sku_name=ss.get("launch.deploy.sku", "standard"),
            sku_capacity=int(ss.get("launch.deploy.capacity") or 1),
        )
        add_event(conn, record.launch_id, "deploy:before", f"{target.deployment_name} ({target.sku_name})")
        result = deploy_azure_model(
            target, token=token, acknowledge_hosting_fee=bool(ss.get("launch.deploy.ack")), transport=transport
        )
        add_event(conn, record.launch_id, "deploy:after", target.deployment_name)
        ss[_DEPLOY_RESULT] = f"Deployment {target.deployment_name} requested: " + str(
            result.get("properties", {}).get("provisioningState", "accepted")
        )
    except CostmodelError as exc:
        ss[_PAST_ERROR] = str(exc)
    except ValueError as exc:  # pydantic validation of the names
        ss[_PAST_ERROR] = f"Check the deployment fields: {exc}"
    finally:
        conn.close()


def _deploy_section(record: LaunchRecord, transport: ArmTransport | None) -> None:
    """Azure only: deploying is a separate, acknowledged step (hourly hosting fee, 15-day idle deletion)."""
    if record.provider != "azure" or record.status != "succeeded" or not record.fine_tuned_model:
        return
    with st.expander("Deploy this model on Azure (separate step; starts an hourly fee)", expanded=False):
        st.warning(HOSTING_WARNING)
        cols = list(st.columns(2))
        cols[0].text_input("Subscription id", key="launch.deploy.subscription")
        cols[1].text_input("Resource group", key="launch.deploy.group")
        cols = list(st.columns(2))
        cols[0].text_input("Azure OpenAI account (resource) name", key="launch.deploy.account")
        cols[1].text_input("Deployment name", key="launch.deploy.name")
        cols = list(st.columns(2))
        cols[0].selectbox(
            "SKU", ["standard", "GlobalStandard", "developertier", "ProvisionedStandard"], key="launch.deploy.sku"
        )
        cols[1].number_input("Capacity", min_value=1, step=1, key="launch.deploy.capacity", value=1)
        token = resolve_secret(ARM_TOKEN_ENV, secrets=_secrets())
        if token is None:
            typed = st.text_input(
                f"ARM access token ({ARM_TOKEN_ENV}; kept in this session's memory only)",
                type="password",
                key="launch.deploy.token",
            )
            token = resolve_secret(ARM_TOKEN_ENV, explicit=typed or None, secrets=_secrets())
        st.checkbox(
            "I accept the hourly hosting fee and that Azure deletes a deployment idle for 15 days",
            key="launch.deploy.ack",
        )
        st.button(
            "Deploy",
            key="launch.deploy.button",
            disabled=not st.session_state.get("launch.deploy.ack"),
            on_click=_on_deploy,
            args=(record, token, transport),
        )
        if st.session_state.get(_DEPLOY_RESULT):
            st.success(st.session_state[_DEPLOY_RESULT])


def _past_launches(
    conn: sqlite3.Connection, client_factory: ClientFactory, typed_key: str | None, arm_transport: ArmTransport | None
) -> None:
    st.subheader("Launches")
    records = list_launches(conn)
    if not records:
        st.caption("No launches recorded yet.")
        return
    st.dataframe(
        [
            {
                "launch id": r.launch_id,
                "provider": r.provider,
                "model": r.model,
                "status": r.status,
                "job": r.job_id or "",
                "estimate": _money(r.estimated_cost_usd),
                "actual": _money(r.actual_cost_usd),
                "difference": _money(r.cost_difference_usd),
            }
            for r in records
        ],
        hide_index=True,
    )
    ids = [r.launch_id for r in records]
    chosen = st.selectbox("Launch", ids, key="launch.selected")
    record = next(r for r in records if r.launch_id == chosen)
    auth = "api_key"
    credential = _credential(
        record.provider, auth, typed_key if record.provider == st.session_state.get("launch.provider") else None
    )
    if record.provider == "azure" and credential is None:
        auth = "entra_token"
        credential = _credential(record.provider, auth, None)
    settings = settings_from_record(record, azure_auth=auth) if record.provider == "azure" else None
    cols = list(st.columns(2))
    args = (chosen, credential, client_factory, settings)
    cols[0].button("Refresh status", key="launch.refresh", on_click=_on_refresh, args=args)
    cols[1].button(
        "Cancel job",
        key="launch.cancel",
        disabled=record.job_id is None or record.is_terminal,
        on_click=_on_cancel,
        args=args,
    )
    if st.session_state.get(_PAST_ERROR):
        st.error(st.session_state[_PAST_ERROR])
    record = get_launch(conn, chosen) or record
    _show_record(record)
    _deploy_section(record, arm_transport)
    snap = st.session_state.get(_SNAPSHOT)
    if snap is not None and snap.record.launch_id == chosen:
        if snap.note:
            st.info(snap.note)
        if snap.events:
            with st.expander("Events", expanded=False):
                st.dataframe(
                    [{"time": e["created_at"], "level": e["level"], "message": e["message"]} for e in snap.events],
                    hide_index=True,
                )
        if snap.checkpoints:
            with st.expander("Checkpoints", expanded=False):
                st.dataframe(
                    [{"step": c["step_number"], "model": c["fine_tuned_model_checkpoint"]} for c in snap.checkpoints],
                    hide_index=True,
                )


def render(
    *,
    catalog: Catalog | None = None,
    preflight: Preflight | None = None,
    client_factory: ClientFactory = make_client,
    arm_transport: ArmTransport | None = None,
) -> None:
    """Draw the page. Arguments are for tests (a small catalogue, a fake analysis, an ARM transport)."""
    st.title("Launch fine-tuning")
    if _external_path(catalog):
        return
    _defaults_from_path()
    provider, model, tier = _inputs()
    upload = st.file_uploader("…or upload the training file", type=["jsonl"], key="launch.upload")
    settings_kw, azure_auth = _endpoint(provider)

    typed_key: str | None = None
    credential = _credential(provider, azure_auth, None)
    if credential is None:
        hint_settings = ProviderSettings.model_construct(provider=Provider(provider), azure_auth=azure_auth)  # type: ignore[arg-type]
        st.info(
            f"No key found: {credential_hint(hint_settings)}. "
            "You can still see the estimate and the exact requests (a dry run)."
        )
        typed_key = (
            st.text_input("API key (kept in this session's memory only)", type="password", key="launch.key") or None
        )
        credential = _credential(provider, azure_auth, typed_key)

    st.subheader("Budget")
    st.session_state.setdefault("launch.budget_usd", 0.0)
    st.number_input("Budget cap in USD (0 = no cap)", min_value=0.0, step=1.0, key="launch.budget_usd", format="%.2f")

    dataset = _dataset_file(upload)
    conn = connect()
    try:
        plan: LaunchPlan | None = None
        if dataset is None:
            st.info("Choose a training file to see the estimate.")
        else:
            plan = _plan(provider, model, tier, dataset, settings_kw, catalog, preflight)
        if plan is not None:
            st.subheader("Estimate")
            _show_estimate(plan)
            with st.expander("Requests that will be sent (key redacted)", expanded=credential is None):
                st.json([r.as_dict() for r in plan.requests], expanded=True)
            if plan.over_budget:
                st.error(
                    f"The estimate {_money(plan.estimated_cost_usd)} is above the budget cap "
                    f"{_money(plan.spec.budget_usd)}: the launch is refused."
                )
            _launch_controls(conn, plan, credential, client_factory)
        _past_launches(conn, client_factory, typed_key, arm_transport)
    finally:
        conn.close()


def _dashboard_catalog() -> Catalog:
    """The dashboard's catalogue (with the user's uploaded override) when the app provides one."""
    try:
        state = importlib.import_module("costmodel.ui.state")
    except ModuleNotFoundError:
        return bundled_catalog()
    chosen = getattr(state, "catalog", None)
    return chosen() if callable(chosen) else bundled_catalog()


def _plan(
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
        return plan_launch(spec, settings, catalog=catalog or _dashboard_catalog(), preflight=preflight)
    except CostmodelError as exc:
        st.error(str(exc))
    except ValueError as exc:  # pydantic validation of the inputs
        errors = getattr(exc, "errors", None)
        first = errors()[0] if callable(errors) else None
        text = str(first["msg"]).removeprefix("Value error, ") if first else str(exc)
        where = ".".join(str(p) for p in first["loc"]) if first else ""
        st.error(f"{where}: {text}" if where else text)
    return None


def _launch_controls(
    conn: sqlite3.Connection, plan: LaunchPlan, credential: Secret | None, client_factory: ClientFactory
) -> None:
    st.subheader("Launch")
    existing = get_launch(conn, plan.launch_id)
    if existing is not None and existing.job_id is not None:
        st.success(f"Already launched: job `{existing.job_id}` ({existing.status}). It will not be started again.")
        _show_record(existing)
        return
    error = st.session_state.get(_ERROR)
    if error:
        st.error(error)
    inflight = st.session_state.get(_INFLIGHT) == plan.launch_id
    blocked = plan.has_errors or plan.over_budget or credential is None
    st.checkbox(
        f"I have seen the estimate of {_money(plan.estimated_cost_usd)} and want to start this paid job",
        key="launch.confirm",
        disabled=blocked,
    )
    st.button(
        "Launch",
        key="launch.button",
        type="primary",
        disabled=blocked or inflight or not st.session_state.get("launch.confirm"),
        on_click=_on_launch,
        args=(plan, credential, client_factory),
    )
    if credential is None:
        st.caption("Dry run: set a key to launch.")
