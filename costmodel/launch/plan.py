"""Planning a launch: what will be sent, what it should cost, and whether it may go.

:func:`plan_launch` touches no network. It reads the dataset, runs the dataset analysis (errors
block the launch), prices the training with the engine (billed tokens x epochs x price, with the
price's reliability), checks the budget cap, derives a deterministic launch id and lists the
exact requests the launcher will send, with the credential redacted. The dashboard and the CLI
show this plan before anyone can click "Launch"; a dry run is just the plan.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from costmodel.engine.breakdown import Breakdown
from costmodel.engine.training import estimate_training
from costmodel.errors import DatasetError, InputError, LaunchError
from costmodel.prices import Catalog, Provider
from costmodel.secrets import REDACTED

if TYPE_CHECKING:
    from costmodel.dataset import DatasetAnalysis, Problem

__all__ = [
    "AZURE_SUFFIX_MAX",
    "AZURE_TRAINING_TYPES",
    "DEFAULT_AZURE_API_VERSION",
    "METADATA_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_SUFFIX_MAX",
    "Estimator",
    "LaunchPlan",
    "LaunchSpec",
    "PlannedRequest",
    "Preflight",
    "ProviderSettings",
    "default_preflight",
    "plan_launch",
]

OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_AZURE_API_VERSION = "2025-04-01-preview"  # latest preview Microsoft's fine-tuning docs name; has seed/events
METADATA_KEY = "costmodel_launch_id"
OPENAI_SUFFIX_MAX = 64  # OpenAI API reference, fine_tuning.jobs.create: suffix up to 64 characters
AZURE_SUFFIX_MAX = 18  # Azure OpenAI fine-tuning docs: suffix up to 18 characters
# catalogue tier -> Azure trainingType (Azure OpenAI fine-tuning docs); the Developer tier has a second spelling
AZURE_TRAINING_TYPES = {"standard": "Standard", "global": "GlobalStandard", "developer": "Developer"}
AZURE_DEVELOPER_ALT = "developerTier"

_LAUNCH_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")

Auto = Literal["auto"]


class ProviderSettings(BaseModel):
    """Where to send the requests (never the credential itself)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: Provider
    base_url: str | None = None  # OpenAI (default api.openai.com/v1) or the Azure v1 base URL .../openai/v1/
    azure_endpoint: str | None = None  # Azure versioned API: https://<resource>.openai.azure.com
    api_version: str | None = None  # Azure versioned API only
    azure_auth: Literal["api_key", "entra_token"] = "api_key"
    timeout_s: float = Field(default=120.0, gt=0)
    poll_interval_s: float = Field(default=2.0, ge=0)
    file_wait_s: float = Field(default=1800.0, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=10)

    @field_validator("base_url", "azure_endpoint")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip()
        if not v.startswith(("https://", "http://")):
            raise ValueError("must start with https://")
        if "key=" in v.lower():
            raise ValueError("must not contain credentials; keys go in OPENAI_API_KEY / AZURE_OPENAI_API_KEY")
        from costmodel.errors import InputError
        from costmodel.validate import check_base_url

        try:  # one URL rule for bench, launch and the dashboard: host, port 1-65535, no user:password@
            return check_base_url(v)
        except InputError as exc:
            raise ValueError(exc.message + (f" ({exc.hint})" if exc.hint else "")) from None

    @model_validator(mode="after")
    def _azure(self) -> ProviderSettings:
        if self.provider == Provider.AZURE:
            if self.base_url is None and self.azure_endpoint is None:
                raise ValueError("Azure needs AZURE_OPENAI_ENDPOINT (or the v1 base URL .../openai/v1/)")
            if self.base_url is not None and self.azure_endpoint is not None:
                raise ValueError("give either the Azure endpoint or the v1 base URL, not both")
        elif self.azure_endpoint is not None:
            raise ValueError("azure_endpoint is for provider azure")
        return self

    @property
    def uses_api_version(self) -> bool:
        return self.provider == Provider.AZURE and self.base_url is None

    @property
    def effective_api_version(self) -> str | None:
        return (self.api_version or DEFAULT_AZURE_API_VERSION) if self.uses_api_version else None

    @property
    def api_root(self) -> str:
        """The URL the file and job paths hang under."""
        if self.provider == Provider.OPENAI:
            return (self.base_url or OPENAI_BASE_URL).rstrip("/")
        if self.base_url is not None:
            return self.base_url.rstrip("/")
        assert self.azure_endpoint is not None
        return self.azure_endpoint.rstrip("/") + "/openai"

    @property
    def endpoint(self) -> str:
        """What the launch record keeps to find the job again."""
        if self.provider == Provider.AZURE and self.azure_endpoint is not None:
            return self.azure_endpoint.rstrip("/")
        return self.api_root

    def auth_header(self) -> tuple[str, str]:
        """Header name and redacted value, for display."""
        if self.provider == Provider.AZURE and self.uses_api_version and self.azure_auth == "api_key":
            return "api-key", REDACTED
        return "Authorization", f"Bearer {REDACTED}"


class LaunchSpec(BaseModel):
    """What the user asked for. ``tier`` is the catalogue tier (Azure: the training type)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: Provider
    model: str = Field(min_length=1)
    dataset: Path
    validation_dataset: Path | None = None
    method: Literal["supervised", "dpo"] = "supervised"
    n_epochs: int | Auto = "auto"
    batch_size: int | Auto = "auto"
    learning_rate_multiplier: float | Auto = "auto"
    beta: float | Auto = "auto"
    suffix: str | None = None
    seed: int | None = None
    tier: str = "standard"
    as_of: date
    budget_usd: Decimal | None = Field(default=None, ge=0)
    launch_id: str | None = None

    @field_validator("n_epochs", "batch_size")
    @classmethod
    def _positive(cls, v: int | str) -> int | str:
        if isinstance(v, int) and not 1 <= v <= 50:
            raise ValueError("must be between 1 and 50, or 'auto'")
        return v

    @field_validator("launch_id")
    @classmethod
    def _launch_id(cls, v: str | None) -> str | None:
        if v is not None and not _LAUNCH_ID.match(v):
            raise ValueError("use 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit")
        return v

    @model_validator(mode="after")
    def _checks(self) -> LaunchSpec:
        if self.beta != "auto" and self.method != "dpo":
            raise ValueError("beta applies to method 'dpo' only")
        if self.suffix is not None:
            limit = OPENAI_SUFFIX_MAX if self.provider == Provider.OPENAI else AZURE_SUFFIX_MAX
            if len(self.suffix) > limit:
                raise ValueError(f"suffix: at most {limit} characters on {self.provider}")
            if self.provider == Provider.AZURE and "." in self.suffix:
                raise ValueError("suffix: Azure model names must not contain dots")
        if self.provider == Provider.AZURE and self.tier not in AZURE_TRAINING_TYPES:
            raise ValueError(f"tier: Azure training types are {', '.join(AZURE_TRAINING_TYPES)}")
        return self


# -- injected collaborators ------------------------------------------------------------------
# ``preflight`` is :func:`costmodel.dataset.analyze_file`-shaped (tests pass a fake); ``estimator``
# is :func:`costmodel.engine.training.estimate_training`-shaped.
Preflight = Callable[..., "DatasetAnalysis"]
Estimator = Callable[..., Breakdown]


def default_preflight(
    path: Path, *, model: str, epochs: int | None, catalog: Catalog, provider: str | None = None
) -> DatasetAnalysis:
    """The dataset analysis: :func:`costmodel.dataset.analyze_file` (imported on use: it is heavy)."""
    from costmodel.dataset import analyze_file

    return analyze_file(path, model=model, epochs=epochs, catalog=catalog, provider=provider)


def default_estimator(catalog: Catalog, **kwargs: Any) -> Breakdown:
    return estimate_training(catalog, **kwargs)


# -- the plan -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlannedRequest:
    """One HTTP request the launcher will send, credential redacted."""

    purpose: str
    method: str
    url: str
    headers: dict[str, str]
    body: Any = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "method": self.method,
            "url": self.url,
            "headers": self.headers,
            "body": self.body,
            "note": self.note,
        }


@dataclass(frozen=True)
class LaunchPlan:
    spec: LaunchSpec
    settings: ProviderSettings
    launch_id: str
    fingerprint: str
    dataset_sha256: str
    dataset_bytes: int
    upload_filename: str
    validation_sha256: str | None
    validation_filename: str | None
    n_examples: int
    billed_tokens: int
    n_epochs: int
    estimated_tokens: int
    problems: tuple[Problem, ...]
    has_errors: bool
    breakdown: Breakdown
    estimated_cost_usd: Decimal
    price_usd_per_1m: Decimal | None
    price_reliability: str
    price_source: str | None
    suffix: str
    training_type: str | None
    create_body: dict[str, Any]
    requests: tuple[PlannedRequest, ...] = field(default=())

    @property
    def over_budget(self) -> bool:
        budget = self.spec.budget_usd
        return budget is not None and self.estimated_cost_usd > budget

    @property
    def blocking_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def formula(self) -> str:
        price = "n/a" if self.price_usd_per_1m is None else f"${self.price_usd_per_1m} per 1M tokens"
        return (
            f"{self.billed_tokens:,} billed tokens x {self.n_epochs} epochs = {self.estimated_tokens:,} "
            f"training tokens x {price}"
        )


def _count(examples: object) -> int:
    if isinstance(examples, int):
        return examples
    if isinstance(examples, Sequence):
        return len(examples)
    raise TypeError("analysis.examples must be a count or a sequence")


MAX_DATASET_BYTES = 512 * 1024 * 1024
"""The largest training file read for a launch: the Files API's limit for one upload (512 MB)."""


def _read_dataset(path: Path, what: str) -> bytes:
    from costmodel.validate import read_user_file

    return read_user_file(path, what=what, expect=".jsonl file", max_bytes=MAX_DATASET_BYTES, error=DatasetError)


def _hyperparameters(spec: LaunchSpec) -> dict[str, Any]:
    hp: dict[str, Any] = {}
    if spec.n_epochs != "auto":
        hp["n_epochs"] = spec.n_epochs
    if spec.batch_size != "auto":
        hp["batch_size"] = spec.batch_size
    if spec.learning_rate_multiplier != "auto":
        hp["learning_rate_multiplier"] = spec.learning_rate_multiplier
    if spec.method == "dpo" and spec.beta != "auto":
        hp["beta"] = spec.beta
    return hp


def _fingerprint(spec: LaunchSpec, settings: ProviderSettings, dataset_sha: str, validation_sha: str | None) -> str:
    material = {
        "provider": str(spec.provider),
        "endpoint": settings.endpoint,
        "model": spec.model,
        "method": spec.method,
        "hyperparameters": _hyperparameters(spec),
        "suffix": spec.suffix,
        "seed": spec.seed,
        "tier": spec.tier,
        "dataset_sha256": dataset_sha,
        "validation_sha256": validation_sha,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def plan_launch(
    spec: LaunchSpec,
    settings: ProviderSettings,
    *,
    catalog: Catalog,
    preflight: Preflight | None = None,
    estimator: Estimator | None = None,
) -> LaunchPlan:
    """Everything that can be known before a request is sent. Raises on unreadable input only;
    dataset problems and an exceeded budget are reported on the plan (``has_errors``,
    ``over_budget``) so the page can show them, and :func:`execute_launch` refuses them."""
    if settings.provider != spec.provider:
        raise InputError(
            f"settings are for {settings.provider} but the launch is for {spec.provider}", field="provider"
        )
    data = _read_dataset(spec.dataset, "training file")
    dataset_sha = hashlib.sha256(data).hexdigest()
    validation_sha = validation_name = None
    if spec.validation_dataset is not None:
        vdata = _read_dataset(spec.validation_dataset, "validation file")
        validation_sha = hashlib.sha256(vdata).hexdigest()
    fingerprint = _fingerprint(spec, settings, dataset_sha, validation_sha)
    launch_id = spec.launch_id or f"cm-{fingerprint[:20]}"
    tag = hashlib.sha256(launch_id.encode()).hexdigest()[:10]
    upload_filename = f"costmodel-{tag}-{dataset_sha[:12]}.jsonl"
    if validation_sha is not None:
        validation_name = f"costmodel-{tag}-{validation_sha[:12]}-validation.jsonl"
    suffix = spec.suffix if spec.suffix is not None else f"cm-{tag}"

    analysis = (preflight or default_preflight)(
        spec.dataset,
        model=spec.model,
        epochs=None if spec.n_epochs == "auto" else spec.n_epochs,
        catalog=catalog,
        provider=str(spec.provider),
    )
    n_epochs = int(analysis.n_epochs)
    billed = int(analysis.billed_tokens)
    if billed <= 0 or n_epochs <= 0:
        # Nothing to train (an empty, binary or non-chat file): say why, not "training tokens must be positive".
        errors = [p for p in analysis.problems if p.severity == "error"][:3]
        detail = "; ".join(f"line {p.line}: {p.message}" if p.line else p.message for p in errors)
        raise DatasetError(
            f"nothing to train: {detail}" if detail else "the file holds no trainable example",
            source=str(spec.dataset),
            hint="write one chat example per line as JSON; the Dataset page or `costmodel analyze` lists every problem",
        )
    if spec.n_epochs != "auto" and n_epochs != spec.n_epochs:
        raise LaunchError(
            f"the dataset analysis used {n_epochs} epochs but the launch asks for {spec.n_epochs}",
            field="n_epochs",
            hint="report this as a bug: the estimate must use the epochs that will be sent",
        )
    breakdown = (estimator or default_estimator)(
        catalog,
        provider=str(spec.provider),
        model=spec.model,
        tier=spec.tier,
        as_of=spec.as_of,
        billed_tokens=billed,
        epochs=n_epochs,
    )
    training = [i for i in breakdown.items if i.kind in ("training", "training_hourly")]
    per_token = next((i for i in training if i.kind == "training"), None)
    price_item = per_token or (training[0] if training else None)
    price = per_token.unit_price if per_token is not None else None
    reliability = breakdown.reliability.value

    training_type = AZURE_TRAINING_TYPES[spec.tier] if spec.provider == Provider.AZURE else None
    method: dict[str, Any] = {"type": spec.method, spec.method: {"hyperparameters": _hyperparameters(spec)}}
    body: dict[str, Any] = {"model": spec.model, "training_file": "<file id from the upload>", "method": method}
    if validation_sha is not None:
        body["validation_file"] = "<validation file id from the upload>"
    body["suffix"] = suffix
    if spec.seed is not None:
        body["seed"] = spec.seed
    if spec.provider == Provider.OPENAI:
        body["metadata"] = {METADATA_KEY: launch_id}
    else:
        body["trainingType"] = training_type

    problems = tuple(analysis.problems)
    has_errors = bool(analysis.has_errors)
    wanted = {"supervised": "chat", "dpo": "dpo"}.get(str(spec.method))
    found = getattr(analysis, "format", None)  # "chat", "dpo" or "unknown" (a DatasetAnalysis)
    if wanted is not None and found in ("chat", "dpo") and found != wanted:
        # refused here, before any upload: the API would accept the file and fail the job later
        from costmodel.dataset import Problem

        problems += (
            Problem(
                line=None,
                field="method",
                code="method_mismatch",
                severity="error",
                message=f"method '{spec.method}' needs {wanted} examples but the file holds {found} examples",
                hint="use --method dpo for preference examples, supervised for chat examples"
                if found == "dpo"
                else "use --method supervised for chat examples, or give a preference (DPO) file",
            ),
        )
        has_errors = True

    plan = LaunchPlan(
        spec=spec,
        settings=settings,
        launch_id=launch_id,
        fingerprint=fingerprint,
        dataset_sha256=dataset_sha,
        dataset_bytes=len(data),
        upload_filename=upload_filename,
        validation_sha256=validation_sha,
        validation_filename=validation_name,
        n_examples=_count(analysis.examples),
        billed_tokens=billed,
        n_epochs=n_epochs,
        estimated_tokens=billed * n_epochs,
        problems=problems,
        has_errors=has_errors,
        breakdown=breakdown,
        estimated_cost_usd=breakdown.total,
        price_usd_per_1m=price,
        price_reliability=reliability,
        price_source=price_item.source_url if price_item is not None else None,
        suffix=suffix,
        training_type=training_type,
        create_body=body,
    )
    return _with_requests(plan)


def _with_requests(plan: LaunchPlan) -> LaunchPlan:
    s = plan.settings
    root = s.api_root
    version = f"?api-version={s.effective_api_version}" if s.uses_api_version else ""
    joiner = "&" if version else "?"
    header, value = s.auth_header()
    auth = {header: value}
    reqs = [
        PlannedRequest(
            "find an earlier upload of this file",
            "GET",
            f"{root}/files{version}{joiner}purpose=fine-tune",
            auth,
            note=f"looks for {plan.upload_filename} ({plan.dataset_bytes} bytes); reused if found",
        ),
        PlannedRequest(
            "upload the training file",
            "POST",
            f"{root}/files{version}",
            {**auth, "Content-Type": "multipart/form-data"},
            {
                "purpose": "fine-tune",
                "file": f"{plan.upload_filename} ({plan.dataset_bytes} bytes, sha256 {plan.dataset_sha256[:16]}…)",
            },
            note="sent once, without automatic retries; skipped when the file is already on the server",
        ),
    ]
    if plan.validation_filename:
        reqs.append(
            PlannedRequest(
                "upload the validation file",
                "POST",
                f"{root}/files{version}",
                {**auth, "Content-Type": "multipart/form-data"},
                {"purpose": "fine-tune", "file": plan.validation_filename},
            )
        )
    reqs.append(
        PlannedRequest(
            "wait until the file is processed", "GET", f"{root}/files/<file id>{version}", auth, note="polled"
        )
    )
    if s.provider == Provider.OPENAI:
        find_url = f"{root}/fine_tuning/jobs?metadata[{METADATA_KEY}]={plan.launch_id}&limit=100"
        find_note = "a job already created for this launch id is adopted, never duplicated"
    else:
        find_url = f"{root}/fine_tuning/jobs{version}{joiner}limit=100"
        find_note = "jobs on the uploaded training file with this suffix are adopted (Azure keeps no job metadata)"
    reqs.append(PlannedRequest("find a job already created for this launch", "GET", find_url, auth, note=find_note))
    reqs.append(
        PlannedRequest(
            "create the fine-tuning job",
            "POST",
            f"{root}/fine_tuning/jobs{version}",
            {**auth, "Content-Type": "application/json"},
            plan.create_body,
            note="sent with automatic retries disabled; after any failure the job is looked up before a new try",
        )
    )
    return LaunchPlan(**{**plan.__dict__, "requests": tuple(reqs)})
