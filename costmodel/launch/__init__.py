"""Launching the chosen fine-tuning job on OpenAI or Azure OpenAI, exactly once, and pricing it.

* :func:`plan_launch` (no network): dataset analysis, training estimate with its reliability,
  budget check, deterministic launch id, and the exact requests with the key redacted.
* :func:`execute_launch`: upload and create exactly once (cross-process lock, SQLite record
  before and after every call, reconcile with the provider before any upload or create).
* :func:`refresh_launch`, :func:`follow_launch`, :func:`cancel_launch`: status, events,
  checkpoints, trained tokens, and the actual cost beside the estimate.
* :func:`deploy_azure_model`: the separate, acknowledged Azure deployment step.

Importing this package imports none of them: each name is imported on first use (the runner
needs the ``openai`` SDK, which ``costmodel --help`` and the pricing commands never load).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from costmodel._lazy import lazy_exports

if TYPE_CHECKING:
    from costmodel.launch.azure_deploy import (
        HOSTING_WARNING,
        AzureDeploymentTarget,
        deploy_azure_model,
        plan_azure_deployment,
    )
    from costmodel.launch.plan import (
        METADATA_KEY,
        LaunchPlan,
        LaunchSpec,
        PlannedRequest,
        ProviderSettings,
        plan_launch,
    )
    from costmodel.launch.records import LaunchRecord, get_launch, list_events, list_launches
    from costmodel.launch.runner import (
        JobSnapshot,
        actual_cost,
        cancel_launch,
        credential_hint,
        execute_launch,
        follow_launch,
        make_client,
        refresh_launch,
        settings_from_record,
    )

__all__ = [
    "HOSTING_WARNING",
    "METADATA_KEY",
    "AzureDeploymentTarget",
    "JobSnapshot",
    "LaunchPlan",
    "LaunchRecord",
    "LaunchSpec",
    "PlannedRequest",
    "ProviderSettings",
    "actual_cost",
    "cancel_launch",
    "credential_hint",
    "deploy_azure_model",
    "execute_launch",
    "follow_launch",
    "get_launch",
    "list_events",
    "list_launches",
    "make_client",
    "plan_azure_deployment",
    "plan_launch",
    "refresh_launch",
    "settings_from_record",
]

_EXPORTS: dict[str, str] = {
    "AzureDeploymentTarget": "costmodel.launch.azure_deploy",
    "HOSTING_WARNING": "costmodel.launch.azure_deploy",
    "JobSnapshot": "costmodel.launch.runner",
    "LaunchPlan": "costmodel.launch.plan",
    "LaunchRecord": "costmodel.launch.records",
    "LaunchSpec": "costmodel.launch.plan",
    "METADATA_KEY": "costmodel.launch.plan",
    "PlannedRequest": "costmodel.launch.plan",
    "ProviderSettings": "costmodel.launch.plan",
    "actual_cost": "costmodel.launch.runner",
    "cancel_launch": "costmodel.launch.runner",
    "credential_hint": "costmodel.launch.runner",
    "deploy_azure_model": "costmodel.launch.azure_deploy",
    "execute_launch": "costmodel.launch.runner",
    "follow_launch": "costmodel.launch.runner",
    "get_launch": "costmodel.launch.records",
    "list_events": "costmodel.launch.records",
    "list_launches": "costmodel.launch.records",
    "make_client": "costmodel.launch.runner",
    "plan_azure_deployment": "costmodel.launch.azure_deploy",
    "plan_launch": "costmodel.launch.plan",
    "refresh_launch": "costmodel.launch.runner",
    "settings_from_record": "costmodel.launch.runner",
}


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
