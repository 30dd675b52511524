"""The dashboard's scenario as one flat, validated model that round-trips through a URL.

:class:`ScenarioInputs` holds every input the dashboard lets people move (paths, traffic,
training volume, readiness answers, chart options). It is pure: no streamlit. The UI binds each
field to a widget and to a query parameter of the same name, so a copied link reopens the same
view; :func:`to_query` and :func:`from_query` are the two directions. :meth:`ScenarioInputs.scenario`
turns the inputs into the engine's :class:`~costmodel.engine.scenario.Scenario` (raising
:class:`~costmodel.errors.ScenarioError` with the field and the fix when they are impossible).

>>> inputs = ScenarioInputs()
>>> from_query(to_query(inputs))[0] == inputs
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from costmodel.engine.availability import windows
from costmodel.engine.scenario import Scenario, scenario_from_mapping
from costmodel.engine.training import MAX_TRAINING_TOKENS
from costmodel.engine.usage import HOURS_PER_MONTH, MAX_TOKENS_PER_REQUEST, PathSpec, training_tier
from costmodel.errors import InputError
from costmodel.prices import Catalog, Kind, Provider, Variant
from costmodel.prices.fleet import Fleet

if TYPE_CHECKING:  # pragma: no cover
    from costmodel.dataset import DatasetAnalysis

__all__ = [
    "DEFAULT_FEW_SHOT_K",
    "DEFAULT_PATHS",
    "Answer",
    "ScenarioInputs",
    "defaults_from",
    "from_query",
    "inputs_from_link",
    "path_options",
    "to_query",
]

Answer = Literal["yes", "no", "unsure"]

# Fine-tuned gpt-4.1-mini on OpenAI and on an Azure Regional Standard deployment (the Azure tier
# with a training price in the bundled catalogue), against gpt-4.1 base with a few-shot prompt.
DEFAULT_PATHS: tuple[str, ...] = (
    "openai:gpt-4.1-mini:ft@standard",
    "azure:gpt-4.1-mini:ft@standard",
    "openai:gpt-4.1:base@standard",
)

DEFAULT_FEW_SHOT_K = 3
_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")
_PERCENT = Annotated[int, Field(ge=0, le=100)]


class ScenarioInputs(BaseModel):
    """Every input of the dashboard. Field names are the URL's query parameter names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paths: Annotated[tuple[str, ...], Field(min_length=1, max_length=6)] = DEFAULT_PATHS
    requests_per_day: Annotated[int, Field(gt=0, le=1_000_000_000)] = 5_000
    input_tokens: Annotated[int, Field(ge=0, le=2_000_000)] = 300  # short prompt, per request
    output_tokens: Annotated[int, Field(ge=0, le=2_000_000)] = 250
    cached_pct: _PERCENT = 0  # share of input tokens served from the prompt cache
    batch_pct: _PERCENT = 0  # share of requests sent through the Batch API
    horizon_months: Annotated[int, Field(gt=0, le=120)] = 12
    # deployed hours a month (hosting schedule); at most the 730 hours of the month the scenario prices
    hosted_hours: Annotated[int, Field(ge=0, le=int(HOURS_PER_MONTH))] = 730
    training_tokens: Annotated[int, Field(gt=0, le=MAX_TRAINING_TOKENS)] = 400_000  # billed tokens of the file
    epochs: Annotated[int, Field(gt=0, le=50)] = 3
    few_shot_k: Annotated[int, Field(ge=0, le=50)] = 3
    few_shot_tokens: Annotated[int, Field(ge=0, le=MAX_TOKENS_PER_REQUEST)] = 1_200  # k examples in a base prompt
    as_of: date | None = None  # None: today
    log_x: bool = True
    currency: str = "USD"  # amounts shown in this ECB currency at the as-of date's reference rate
    heat_a: str | None = None  # break-even heatmap pair (None: the first two paths)
    heat_b: str | None = None
    # readiness check (see costmodel.present.decision.QUESTIONS)
    q_prompting: Answer = "yes"
    q_examples: Answer = "yes"
    q_user_data: Answer = "no"
    q_fresh: Answer = "no"
    q_general: Answer = "no"
    # asked only where OpenAI restricts who may still create fine-tuning jobs (issue 10)
    q_openai_training: Answer = "unsure"

    @field_validator("paths", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in value.split(",") if v.strip()]
        if isinstance(value, list | tuple):
            # canonical labels, so "openai:gpt-4o:base" and "...@standard" are one path
            labels = [PathSpec.parse(v).label if isinstance(v, str) else v for v in value]
            if not labels:
                raise ValueError("choose at least one path to compare")
            return tuple(dict.fromkeys(labels))
        return value

    @model_validator(mode="after")
    def _some_tokens(self) -> ScenarioInputs:
        # Refused here, field by field, so a link or a widget keeps its other values (the engine would
        # refuse the whole scenario).
        if self.input_tokens + self.output_tokens <= 0:
            raise ValueError("a request must have some input or output tokens")
        return self

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any) -> Any:
        if isinstance(value, str):
            code = value.strip().upper()
            if not re.fullmatch(r"[A-Z]{3}", code):
                raise ValueError(f"'{value}' is not a three-letter currency code (e.g. USD, EUR, GBP, JPY)")
            return code
        return value

    @field_validator("heat_a", "heat_b", mode="before")
    @classmethod
    def _path(cls, value: Any) -> Any:
        if isinstance(value, str):
            return PathSpec.parse(value).label if value.strip() else None
        return value

    def scenario(self) -> Scenario:
        """The engine's scenario. Impossible inputs raise :class:`ScenarioError` naming the field."""
        traffic: dict[str, Any] = {
            "requests_per_day": Decimal(self.requests_per_day),
            "input_tokens_per_request": self.input_tokens,
            "output_tokens_per_request": self.output_tokens,
            "cached_share": Decimal(self.cached_pct) / 100,
            "batch_share": Decimal(self.batch_pct) / 100,
            "hosted_hours_per_month": Decimal(self.hosted_hours),
            "few_shot_tokens": self.few_shot_tokens,
        }
        return scenario_from_mapping(
            {
                "as_of": self.as_of,
                "paths": list(self.paths),
                "traffic": traffic,
                "horizon_months": self.horizon_months,
                "training": {"tokens": self.training_tokens, "epochs": self.epochs},
            },
            source="dashboard inputs",
            hint="change that input on the What-if page",
        )

    def heat_pair(self) -> tuple[str, str] | None:
        """The two paths of the break-even heatmap (defaults: the first two paths)."""
        a = self.heat_a if self.heat_a in self.paths else None
        b = self.heat_b if self.heat_b in self.paths else None
        rest = [p for p in self.paths if p not in (a, b)]
        a = a or (rest.pop(0) if rest else None)
        b = b or (rest.pop(0) if rest else None)
        if a is None or b is None or a == b:
            return None
        return a, b


def _encode(value: object) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_query(inputs: ScenarioInputs) -> dict[str, str]:
    """Query parameters for ``inputs`` (every field that has a value)."""
    return {k: _encode(v) for k, v in inputs.model_dump().items() if v is not None}


def _field_message(err: ValidationError) -> str:
    first = err.errors()[0]
    return str(first["msg"]).removeprefix("Value error, ")


def from_query(params: Mapping[str, str], base: ScenarioInputs | None = None) -> tuple[ScenarioInputs, list[str]]:
    """Inputs read from query parameters, field by field.

    A parameter that is unknown or invalid is skipped (its field keeps the ``base`` value) and
    described in the returned messages, so one bad value never loses the others.
    """
    current = (base or ScenarioInputs()).model_dump()
    problems: list[str] = []
    for name, raw in params.items():
        if name not in ScenarioInputs.model_fields:
            continue  # other pages' parameters (and streamlit's own) are not ours
        value: Any = raw
        if name == "log_x":
            value = {"1": True, "0": False}.get(raw, raw)
        if name in ("as_of", "heat_a", "heat_b") and raw == "":
            value = None
        if name == "paths":
            # One bad path drops that path only (with a message), not every path of the link.
            good: list[str] = []
            for part in (p.strip() for p in str(raw).split(",")):
                if not part:
                    continue
                try:
                    good.append(PathSpec.parse(part).label)
                except InputError as exc:
                    problems.append(f"link path '{part}' was dropped, the other paths are kept: {exc}")
            if not good:
                problems.append(f"link parameter 'paths={raw}' was ignored: no valid path in it")
                continue
            value = good
        try:
            current = ScenarioInputs.model_validate({**current, name: value}).model_dump()
        except (ValidationError, InputError, ValueError) as exc:
            why = _field_message(exc) if isinstance(exc, ValidationError) else str(exc)
            problems.append(f"link parameter '{name}={raw}' was ignored: {why}")
    return ScenarioInputs.model_validate(current), problems


def inputs_from_link(link: str, base: ScenarioInputs | None = None) -> tuple[ScenarioInputs, list[str]]:
    """Inputs read from a shared dashboard link (a full URL or just its ``?query``), and what was ignored.

    >>> inputs, problems = inputs_from_link("http://localhost:8501/?paths=openai:gpt-4o:base,bogus&epochs=4")
    >>> inputs.paths, inputs.epochs, len(problems)
    (('openai:gpt-4o:base@standard',), 4, 1)
    """
    from urllib.parse import parse_qsl, urlsplit

    text = link.strip()
    query = urlsplit(text).query if "://" in text else text.lstrip("?")
    params = dict(parse_qsl(query, keep_blank_values=True))
    if not any(k in ScenarioInputs.model_fields for k in params):
        raise InputError(
            "the link carries no scenario inputs",
            source=link,
            hint="copy the address of the dashboard page (it ends with ?paths=...&requests_per_day=...)",
        )
    return from_query(params, base=base)


def path_options(catalog: Catalog, as_of: date, fleet: Fleet | None = None) -> list[str]:
    """Every path the catalogue can price on ``as_of``: an input and an output price in force.

    With a ``fleet`` (GPU and capacity tables) the list also holds the capacity paths that can be
    sized without a measurement (Azure PTU with a published unit throughput) and self-hosted LoRA
    and QLoRA paths on the two cheapest instances that hold each open-weight model.

    Fine-tuned paths are listed only when a training price (per token or per hour) is in force
    for their training tier (and, on Azure, a hosting price), so every option can be evaluated
    with a training volume. Models are written with their shortest registry name
    (``gpt-4.1-mini`` rather than ``gpt-4.1-mini-2025-04-14``).
    """
    have: dict[tuple[Provider, str, Variant, str], set[Kind]] = {}
    for r in catalog.in_force(as_of):
        if r.amount is not None:
            have.setdefault((r.provider, r.model, r.variant, r.tier), set()).add(r.kind)
    short: dict[tuple[Provider, str], str] = {}
    for m in catalog.models:
        dated = _DATED.search(m.model) is not None
        short[(m.provider, m.model)] = min((m.model, *m.aliases), key=lambda n: (len(n), n)) if dated else m.model
    out: list[str] = []
    for (provider, model, variant, tier), kinds in sorted(have.items()):
        if tier in ("batch", "batch_data_sharing") or not {Kind.INPUT, Kind.OUTPUT} <= kinds:
            continue  # batch is a share of the traffic, not a path of its own
        name = short.get((provider, model), model)
        path = PathSpec(provider=provider, model=name, fine_tuned=variant == Variant.FINE_TUNED, tier=tier)
        if path.fine_tuned:
            train = have.get((provider, model, variant, training_tier(path)), set())
            if not train & {Kind.TRAINING, Kind.TRAINING_HOURLY}:
                continue
            if provider == Provider.AZURE and Kind.HOSTING not in kinds:
                continue
        out.append(path.label)
    if fleet is not None:
        out.extend(_capacity_options(have, short, fleet))
    return [p for p in out if _exists(catalog, p, as_of)]


_GONE = ("retired", "cannot_deploy_now")


def _exists(catalog: Catalog, label: str, as_of: date) -> bool:
    """Not retired and open to new deployments on ``as_of`` (an unknown lifecycle counts as existing)."""
    return windows(catalog.lifecycle, PathSpec.parse(label), as_of=as_of).status not in _GONE


def path_marks(catalog: Catalog, labels: Sequence[str], as_of: date, horizon_months: int) -> dict[str, str]:
    """A short mark per path for the picker: ``ends 2027-01-14``, ``training closed``, ``retired`` ...

    Paths that cover the horizon get no mark.
    """
    marks: dict[str, str] = {}
    for label in labels:
        av = windows(catalog.lifecycle, PathSpec.parse(label), as_of=as_of, horizon_months=horizon_months)
        if av.status == "closes_within_horizon":
            marks[label] = f"ends {av.status_date}"
        elif av.status == "cannot_train_now":
            marks[label] = "training closed" if av.status_date and av.status_date <= as_of else "training not open yet"
        elif av.status == "retired":
            marks[label] = f"retired {av.status_date}"
        elif av.status == "cannot_deploy_now":
            marks[label] = "no new deployments"
        elif av.status == "unknown":
            marks[label] = "lifecycle unknown"
    return marks


def _capacity_options(
    have: dict[tuple[Provider, str, Variant, str], set[Kind]], short: dict[tuple[Provider, str], str], fleet: Fleet
) -> list[str]:
    from costmodel.engine.selfhosted import memory_needed_gb

    out: list[str] = []
    for (provider, model, variant, tier), kinds in sorted(have.items()):
        cap = fleet.find_capacity(provider, model, tier)
        if Kind.PTU_HOUR in kinds and cap is not None and cap.tokens_per_minute_per_unit is not None:
            name = short.get((provider, model), model)
            out.append(
                PathSpec(provider=provider, model=name, fine_tuned=variant == Variant.FINE_TUNED, tier=tier).label
            )
    priced = [i for i in fleet.instances if i.on_demand_usd_per_hour is not None]
    for m in fleet.models:
        for method in ("lora", "qlora"):
            need = max(memory_needed_gb(m.params_billion, method), memory_needed_gb(m.params_billion, "serve"))
            fits = sorted((i for i in priced if need <= i.total_memory_gb), key=lambda i: i.on_demand_usd_per_hour or 0)
            out.extend(f"selfhosted:{m.model}:{method}@{i.instance}" for i in fits[:2])
    return out


def provider_group(label: str) -> str:
    """The picker's group name for a path label: ``Azure OpenAI · ...``, ``Self-hosted · ...``."""
    provider = label.split(":", 1)[0]
    return PROVIDER_NAMES.get(provider, provider)


PROVIDER_NAMES = {
    "openai": "OpenAI",
    "azure": "Azure OpenAI",
    "bedrock": "Amazon Bedrock",
    "vertex": "Google Vertex AI",
    "together": "Together AI",
    "fireworks": "Fireworks AI",
    "selfhosted": "Self-hosted (rented GPUs)",
}


def picker_label(label: str) -> str:
    """How the picker shows a path: its provider group first, so options read grouped by provider."""
    return f"{provider_group(label)} · {label.split(':', 1)[1]}"


def defaults_from(analysis: DatasetAnalysis, base: ScenarioInputs | None = None) -> ScenarioInputs:
    """Inputs whose training volume, epochs, few-shot size and prompt shape come from a training file.

    * ``training_tokens`` = the file's billed tokens, ``epochs`` = its default epochs;
    * ``few_shot_tokens`` = the tokens ``few_shot_k`` of its examples add to a prompt;
    * ``input_tokens`` = mean tokens of an example without its assistant reply (the prompt a
      fine-tuned model is sent), ``output_tokens`` = mean assistant tokens (rounded to whole tokens).

    A file without examples leaves ``base`` as it is.
    """
    base = base or ScenarioInputs()
    if analysis.examples == 0:
        return base
    changes: dict[str, Any] = {
        "training_tokens": analysis.billed_tokens,
        "epochs": analysis.n_epochs,
        "few_shot_tokens": analysis.few_shot_tokens(base.few_shot_k),
    }
    total, reply = analysis.stats.total_tokens_per_example, analysis.stats.assistant_tokens_per_example
    if total is not None and reply is not None:
        changes["input_tokens"] = max(1, round(total.mean - reply.mean))
        changes["output_tokens"] = max(1, round(reply.mean))
    return ScenarioInputs.model_validate({**base.model_dump(), **changes})
