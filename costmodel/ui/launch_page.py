"""The Launch page: estimate, confirm, launch exactly once, then follow the job to its real cost.

:func:`render` is self-contained (the dashboard puts it in ``st.navigation``). It reads optional
inputs other pages may leave behind:

* query parameter ``path`` (``openai:gpt-4o-mini-2024-07-18:ft`` or ``azure:MODEL:ft@global``), as
  the Decision page's "Launch fine-tuning" link sends it;
* ``st.session_state["dataset_upload"]``: ``(file name, bytes)`` of the training file uploaded on
  the Dataset page; prices come from ``costmodel.ui.state.catalog()`` (the bundled catalogue
  with the user's override, if any);
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

The form and the plan are in :mod:`~costmodel.ui.launch_inputs`, past launches (refresh, cancel,
Azure deploy) in :mod:`~costmodel.ui.launch_history`.

Keys come from ``OPENAI_API_KEY`` / ``AZURE_OPENAI_API_KEY`` / ``AZURE_OPENAI_AD_TOKEN``,
``.streamlit/secrets.toml``, or a masked field whose value stays in this session's memory only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from costmodel.errors import CostmodelError
from costmodel.launch import LaunchPlan, ProviderSettings, credential_hint, execute_launch, get_launch
from costmodel.launch.azure_deploy import ArmTransport
from costmodel.launch.plan import Preflight
from costmodel.launch.runner import ClientFactory, make_client
from costmodel.prices import Catalog, Provider
from costmodel.secrets import Secret
from costmodel.store import Store, connect
from costmodel.ui.launch_history import past_launches, show_record
from costmodel.ui.launch_inputs import (
    SESSION_KEYS,
    credential_for,
    dashboard_catalog,
    dataset_file,
    defaults_from_path,
    endpoint_inputs,
    model_inputs,
    money,
    plan_from_inputs,
    prefill,
)

if TYPE_CHECKING:
    from costmodel.launch.availability_check import LaunchAvailability

__all__ = ["SESSION_KEYS", "prefill", "render"]

_INFLIGHT = "launch.inflight"
_RESULT = "launch.result"
_ERROR = "launch.error"


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
    defaults_from_path()
    provider, model, tier = model_inputs()
    upload = st.file_uploader("…or upload the training file", type=["jsonl"], key="launch.upload")
    settings_kw, azure_auth = endpoint_inputs(provider)

    typed_key: str | None = None
    credential = credential_for(provider, azure_auth, None)
    if credential is None:
        hint_settings = ProviderSettings.model_construct(provider=Provider(provider), azure_auth=azure_auth)  # type: ignore[arg-type]
        st.info(
            f"No key found: {credential_hint(hint_settings)}. "
            "You can still see the estimate and the exact requests (a dry run)."
        )
        typed_key = (
            st.text_input("API key (kept in this session's memory only)", type="password", key="launch.key") or None
        )
        credential = credential_for(provider, azure_auth, typed_key)

    st.subheader("Budget")
    st.session_state.setdefault("launch.budget_usd", 0.0)
    st.number_input("Budget cap in USD (0 = no cap)", min_value=0.0, step=1.0, key="launch.budget_usd", format="%.2f")

    dataset = dataset_file(upload)
    conn = connect()
    try:
        plan: LaunchPlan | None = None
        if dataset is None:
            st.info("Choose a training file to see the estimate.")
        else:
            plan = plan_from_inputs(provider, model, tier, dataset, settings_kw, catalog, preflight)
        if plan is not None:
            st.subheader("Estimate")
            _show_estimate(plan)
            with st.expander("Requests that will be sent (key redacted)", expanded=credential is None):
                st.json([r.as_dict() for r in plan.requests], expanded=True)
            if plan.over_budget:
                st.error(
                    f"The estimate {money(plan.estimated_cost_usd)} is above the budget cap "
                    f"{money(plan.spec.budget_usd)}: the launch is refused."
                )
            _launch_controls(conn, plan, credential, client_factory, _lifecycle(plan, catalog))
        past_launches(conn, client_factory, typed_key, arm_transport)
    finally:
        conn.close()


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
        st.metric("Training (one-off)", money(cost.training_total))
        st.metric("Running cost per month", money(cost.monthly_total))
        st.caption(f"Estimate for the Decision page's scenario ({cost.reliability.value}).")
    except CostmodelError as exc:
        st.error(f"No estimate: {exc}")
    st.warning(what.notice)
    st.code(what.command, language=what.language)
    st.markdown(f"Documented at {what.docs_url}")
    return True


def _show_estimate(plan: LaunchPlan) -> None:
    cols = list(st.columns(3))
    cols[0].metric("Estimated training cost", money(plan.estimated_cost_usd), help=plan.formula())
    cols[1].metric("Training tokens", f"{plan.estimated_tokens:,}", help="billed tokens x epochs")
    cols[2].metric("Price per 1M training tokens", money(plan.price_usd_per_1m))
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


def _lifecycle(plan: LaunchPlan, catalog: Catalog | None) -> LaunchAvailability | None:
    """Whether the plan's model can still be fine-tuned on its date (None: the model is unknown to the catalogue)."""
    from costmodel.launch.availability_check import check_launch

    try:
        return check_launch(catalog or dashboard_catalog(), plan.spec.provider, plan.spec.model, plan.spec.as_of)
    except CostmodelError:
        return None


def _launch_controls(
    conn: Store,
    plan: LaunchPlan,
    credential: Secret | None,
    client_factory: ClientFactory,
    lifecycle: LaunchAvailability | None = None,
) -> None:
    st.subheader("Launch")
    existing = get_launch(conn, plan.launch_id)
    if existing is not None and existing.job_id is not None:
        st.success(f"Already launched: job `{existing.job_id}` ({existing.status}). It will not be started again.")
        show_record(existing)
        return
    error = st.session_state.get(_ERROR)
    if error:
        st.error(error)
    # Callbacks run in this session's script thread before the page is drawn, so no launch of this
    # session is running now: a flag still set here is stale (a run interrupted mid-callback) and
    # would keep the button disabled for the rest of the session. Exactly once is the store's job
    # (execute_launch and the launch id), not this flag's.
    st.session_state.pop(_INFLIGHT, None)
    blocked = plan.has_errors or plan.over_budget or credential is None
    from costmodel.ui.launch_confirm import render_confirmation  # issue 13: everything, before the job

    render_confirmation(plan, dashboard_catalog(), plan.spec.as_of)
    refusal = lifecycle.refusal if lifecycle is not None else None
    if refusal is not None:
        st.error(f"Launch refused: {refusal}.")
        blocked = True
    elif lifecycle is not None and lifecycle.warnings:
        for w in lifecycle.warnings:
            st.warning(w)
        st.checkbox("I have read these lifecycle warnings and launch anyway", key="launch.lifecycle_ack")
        blocked = blocked or not st.session_state.get("launch.lifecycle_ack")
    st.checkbox(
        f"I have seen the estimate of {money(plan.estimated_cost_usd)} and want to start this paid job",
        key="launch.confirm",
        disabled=blocked,
    )
    st.button(
        "Launch",
        key="launch.button",
        type="primary",
        disabled=blocked or not st.session_state.get("launch.confirm"),
        help=refusal,
        on_click=_on_launch,
        args=(plan, credential, client_factory),
    )
    if credential is None:
        st.caption("Dry run: set a key to launch.")


def _on_launch(plan: LaunchPlan, credential: Secret | None, client_factory: ClientFactory) -> None:
    """The Launch button's callback: runs once per click, before the rerun. A session's callbacks run
    one after the other, so a second click's callback finds the first one finished, and
    execute_launch (the launch id in the store) makes it return the same job."""
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
