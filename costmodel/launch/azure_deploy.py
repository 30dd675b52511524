"""Deploying a finished Azure fine-tune: a separate, explicit step through Azure Resource Manager.

Training and deployment are billed differently: a deployment charges an hourly hosting fee from
the moment it exists, used or not. So deploying is never part of a launch; it is this function,
which refuses to run until the caller acknowledges :data:`HOSTING_WARNING`.

The request (Microsoft Learn, "Deploy a fine-tuned model", and the management SDK's PutDeployment
example for control-plane version 2024-10-01)::

    PUT https://management.azure.com/subscriptions/{subscription}/resourceGroups/{group}/providers/
        Microsoft.CognitiveServices/accounts/{account}/deployments/{deployment}?api-version=2024-10-01
    Authorization: Bearer <ARM token>
    {"sku": {"name": "standard", "capacity": 1},
     "properties": {"model": {"format": "OpenAI", "name": "<ft model id>", "version": "1"}}}

The ARM token (``az account get-access-token`` or ``DefaultAzureCredential``) is passed in as a
:class:`~costmodel.secrets.Secret`; the HTTP transport is injected so tests run offline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from costmodel.errors import LaunchError
from costmodel.launch.plan import PlannedRequest
from costmodel.secrets import REDACTED, Secret, redact

__all__ = [
    "ARM_API_VERSION",
    "HOSTING_WARNING",
    "ArmTransport",
    "AzureDeploymentTarget",
    "deploy_azure_model",
    "plan_azure_deployment",
]

ARM_API_VERSION = "2024-10-01"  # control-plane version used by Microsoft's SDK article
ARM_BASE_URL = "https://management.azure.com"

HOSTING_WARNING = (
    "Deploying a fine-tuned model on Azure OpenAI starts an hourly hosting fee that is charged for every "
    "hour the deployment exists, whether or not it receives a single request, until you delete it. "
    "A fine-tuned deployment that receives no calls for 15 days is deleted by Azure (the model is kept "
    "and can be deployed again); Developer deployments are removed after 24 hours."
)

# (method, url, headers, body) -> (status code, response body)
ArmTransport = Callable[[str, str, dict[str, str], bytes], tuple[int, bytes]]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._()-]{0,89}$")


class AzureDeploymentTarget(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    subscription_id: str = Field(min_length=1)
    resource_group: str = Field(min_length=1)
    account_name: str = Field(min_length=1)
    deployment_name: str = Field(min_length=1)
    model_name: str = Field(min_length=1)  # the fine-tuned model id (...ft-...) or a checkpoint id (ftchkpt-...)
    sku_name: Literal["standard", "GlobalStandard", "ProvisionedStandard", "developertier"] = "standard"
    sku_capacity: int = Field(default=1, ge=1)
    source_account_id: str | None = None  # ARM id of the training account for cross-region deployment
    api_version: str = ARM_API_VERSION

    @field_validator("subscription_id", "resource_group", "account_name", "deployment_name")
    @classmethod
    def _segment(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError("use letters, digits, '.', '_', '-', '(' or ')' (no '/' or spaces)")
        return v

    def url(self, base_url: str = ARM_BASE_URL) -> str:
        return (
            f"{base_url.rstrip('/')}/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.CognitiveServices/accounts/{self.account_name}/deployments/"
            f"{self.deployment_name}?api-version={self.api_version}"
        )

    def body(self) -> dict[str, Any]:
        model: dict[str, Any] = {"format": "OpenAI", "name": self.model_name, "version": "1"}
        if self.source_account_id:
            model["source"] = self.source_account_id
        return {"sku": {"name": self.sku_name, "capacity": self.sku_capacity}, "properties": {"model": model}}


def plan_azure_deployment(target: AzureDeploymentTarget, *, base_url: str = ARM_BASE_URL) -> PlannedRequest:
    return PlannedRequest(
        "deploy the fine-tuned model (starts the hourly hosting fee)",
        "PUT",
        target.url(base_url),
        {"Authorization": f"Bearer {REDACTED}", "Content-Type": "application/json"},
        target.body(),
        note=HOSTING_WARNING,
    )


def _httpx_transport(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    import httpx2

    from costmodel._tls import tls_context

    with httpx2.Client(timeout=60.0, verify=tls_context()) as client:
        response = client.request(method, url, headers=headers, content=body)
        return response.status_code, response.content


def deploy_azure_model(
    target: AzureDeploymentTarget,
    *,
    token: Secret,
    acknowledge_hosting_fee: bool,
    transport: ArmTransport | None = None,
    base_url: str = ARM_BASE_URL,
) -> dict[str, Any]:
    """PUT the deployment. Refuses unless ``acknowledge_hosting_fee`` is True (see HOSTING_WARNING)."""
    if acknowledge_hosting_fee is not True:
        raise LaunchError(
            "deployment refused: " + HOSTING_WARNING,
            field="acknowledge_hosting_fee",
            hint="confirm that you accept the hourly hosting fee and the 15-day idle deletion, then deploy again",
        )
    send = transport or _httpx_transport
    headers = {"Authorization": f"Bearer {token.reveal()}", "Content-Type": "application/json"}
    message: str | None = None
    status, raw = 0, b""
    try:
        status, raw = send("PUT", target.url(base_url), headers, json.dumps(target.body()).encode())
    except OSError as exc:
        message = f"the request to Azure Resource Manager failed: {type(exc).__name__}"
    except Exception as exc:  # transport libraries raise their own error types
        message = f"the request to Azure Resource Manager failed: {type(exc).__name__}: {exc}"
    if message is not None:
        raise LaunchError(redact(message, token), field="deployment", hint="check the network and try again")
    try:
        payload: Any = json.loads(raw or b"{}")
    except ValueError:
        payload = {"raw": raw[:500].decode("utf-8", "replace")}
    if status not in (200, 201, 202):
        err = payload.get("error", {}) if isinstance(payload, dict) else {}
        text = redact(f"HTTP {status}: {err.get('code', '')} {err.get('message', '')}".strip(), token)
        hint = (
            "deploying needs the Azure AI Owner role (Microsoft.CognitiveServices/accounts/deployments/write)"
            if status == 403
            else "check the subscription, resource group, account, model name and SKU"
        )
        raise LaunchError(f"Azure refused the deployment: {text}", field="deployment", hint=hint)
    return payload if isinstance(payload, dict) else {"response": payload}
