"""Azure deployment through ARM: a separate step that refuses without the hosting-fee acknowledgement.

Expected request from Microsoft's SDK article on deploying a fine-tuned model (control plane 2024-10-01).
"""

from __future__ import annotations

import json

import pytest

from costmodel.errors import LaunchError
from costmodel.launch import HOSTING_WARNING, AzureDeploymentTarget, deploy_azure_model, plan_azure_deployment
from costmodel.secrets import Secret

TOKEN = Secret("arm-token-LEAKCANARY-0123456789", source="test")
TARGET = AzureDeploymentTarget(
    subscription_id="00000000-1111-2222-3333-444444444444",
    resource_group="rg-ml",
    account_name="my-aoai",
    deployment_name="support-bot",
    model_name="gpt-4.1-mini-2025-04-14.ft-0123456789abcdef0123456789abcdef",
)


class Recorder:
    def __init__(
        self, status: int = 201, body: bytes = b'{"id": "dep", "properties": {"provisioningState": "Creating"}}'
    ):
        self.calls: list[tuple[str, str, dict[str, str], bytes]] = []
        self.status, self.body = status, body

    def __call__(self, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        self.calls.append((method, url, headers, body))
        return self.status, self.body


def test_refused_without_the_acknowledgement() -> None:
    send = Recorder()
    with pytest.raises(LaunchError, match="hourly hosting fee") as info:
        deploy_azure_model(TARGET, token=TOKEN, acknowledge_hosting_fee=False, transport=send)
    assert "15 days" in str(info.value)
    assert send.calls == []


def test_put_request_matches_the_documented_shape() -> None:
    send = Recorder()
    result = deploy_azure_model(TARGET, token=TOKEN, acknowledge_hosting_fee=True, transport=send)
    assert result["properties"]["provisioningState"] == "Creating"
    ((method, url, headers, body),) = send.calls
    assert method == "PUT"
    assert url == (
        "https://management.azure.com/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-ml"
        "/providers/Microsoft.CognitiveServices/accounts/my-aoai/deployments/support-bot?api-version=2024-10-01"
    )
    assert headers["Authorization"] == "Bearer " + TOKEN.reveal()
    assert json.loads(body) == {
        "sku": {"name": "standard", "capacity": 1},
        "properties": {"model": {"format": "OpenAI", "name": TARGET.model_name, "version": "1"}},
    }


def test_plan_shows_the_warning_and_hides_the_token() -> None:
    planned = plan_azure_deployment(TARGET)
    assert planned.note == HOSTING_WARNING
    assert planned.headers["Authorization"] == "Bearer [REDACTED]"
    assert "LEAKCANARY" not in json.dumps(planned.as_dict())


def test_forbidden_names_the_role_and_never_the_token() -> None:
    echo = json.dumps({"error": {"code": "AuthorizationFailed", "message": f"token {TOKEN.reveal()} lacks rights"}})
    send = Recorder(status=403, body=echo.encode())
    with pytest.raises(LaunchError) as info:
        deploy_azure_model(TARGET, token=TOKEN, acknowledge_hosting_fee=True, transport=send)
    assert "Azure AI Owner" in str(info.value)
    assert "LEAKCANARY" not in str(info.value)


def test_names_with_slashes_are_refused() -> None:
    with pytest.raises(ValueError):
        AzureDeploymentTarget(**{**TARGET.model_dump(), "resource_group": "rg/../other"})
