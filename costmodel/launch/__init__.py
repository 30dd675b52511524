"""Launching the chosen fine-tuning job on OpenAI or Azure OpenAI, exactly once, and pricing it.

* :func:`plan_launch` (no network): dataset analysis, training estimate with its reliability,
  budget check, deterministic launch id, and the exact requests with the key redacted.
* :func:`execute_launch`: upload and create exactly once (cross-process lock, SQLite record
  before and after every call, reconcile with the provider before any upload or create).
* :func:`refresh_launch`, :func:`follow_launch`, :func:`cancel_launch`: status, events,
  checkpoints, trained tokens, and the actual cost beside the estimate.
* :func:`deploy_azure_model`: the separate, acknowledged Azure deployment step.
"""

from __future__ import annotations

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
