"""The Launch page's record of past launches: status, refresh, cancel, and Azure's separate deploy step.

Refresh, cancel and deploy run in ``on_click`` callbacks, before the page is drawn, so every part
of the page shows the same state; their errors are kept in session state and shown once.
"""

from __future__ import annotations

import streamlit as st

from costmodel.errors import CostmodelError
from costmodel.launch import (
    HOSTING_WARNING,
    AzureDeploymentTarget,
    ProviderSettings,
    cancel_launch,
    deploy_azure_model,
    get_launch,
    list_launches,
    refresh_launch,
    settings_from_record,
)
from costmodel.launch.azure_deploy import ArmTransport
from costmodel.launch.records import LaunchRecord, add_event
from costmodel.launch.runner import ClientFactory
from costmodel.secrets import Secret, resolve_secret
from costmodel.store import Store, connect
from costmodel.ui.launch_inputs import credential_for, money, secrets_or_none

__all__ = ["ARM_TOKEN_ENV", "past_launches", "show_record"]

_SNAPSHOT = "launch.snapshot"
_PAST_ERROR = "launch.past_error"
_DEPLOY_RESULT = "launch.deploy_result"
ARM_TOKEN_ENV = "AZURE_ARM_TOKEN"  # e.g. from `az account get-access-token --query accessToken -o tsv`


def show_record(record: LaunchRecord) -> None:
    cols = list(st.columns(4))
    cols[0].metric("Status", record.status)
    cols[1].metric("Estimated", money(record.estimated_cost_usd))
    delta = None if record.cost_difference_usd is None else money(record.cost_difference_usd)
    cols[2].metric("Actual", money(record.actual_cost_usd), delta=delta, delta_color="inverse")
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
        token = resolve_secret(ARM_TOKEN_ENV, secrets=secrets_or_none())
        if token is None:
            typed = st.text_input(
                f"ARM access token ({ARM_TOKEN_ENV}; kept in this session's memory only)",
                type="password",
                key="launch.deploy.token",
            )
            token = resolve_secret(ARM_TOKEN_ENV, explicit=typed or None, secrets=secrets_or_none())
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


def past_launches(
    conn: Store, client_factory: ClientFactory, typed_key: str | None, arm_transport: ArmTransport | None
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
                "estimate": money(r.estimated_cost_usd),
                "actual": money(r.actual_cost_usd),
                "difference": money(r.cost_difference_usd),
            }
            for r in records
        ],
        hide_index=True,
    )
    ids = [r.launch_id for r in records]
    chosen = st.selectbox("Launch", ids, key="launch.selected")
    record = next(r for r in records if r.launch_id == chosen)
    auth = "api_key"
    credential = credential_for(
        record.provider, auth, typed_key if record.provider == st.session_state.get("launch.provider") else None
    )
    if record.provider == "azure" and credential is None:
        auth = "entra_token"
        credential = credential_for(record.provider, auth, None)
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
    show_record(record)
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
