"""A scenario as people enter it: one flat, validated model that round-trips through a URL.

:class:`ScenarioInputs` holds every input the dashboard lets people move (paths, traffic,
training volume, readiness answers, chart options); the procurement report and ``costmodel diff``
(a shared link) read it too, so it lives here, below the UI. It is pure: no streamlit. The UI binds
each field to a widget and to a query parameter of the same name, so a copied link reopens the
same view; :func:`to_query` and :func:`from_query` are the two directions. :meth:`ScenarioInputs.scenario`
turns the inputs into the engine's :class:`~costmodel.engine.scenario.Scenario` (raising
:class:`~costmodel.errors.ScenarioError` with the field and the fix when they are impossible).

>>> inputs = ScenarioInputs()
>>> from_query(to_query(inputs))[0] == inputs
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from costmodel.engine.scenario import Scenario, scenario_from_mapping
from costmodel.engine.training import MAX_TRAINING_TOKENS
from costmodel.engine.usage import HOURS_PER_MONTH, MAX_TOKENS_PER_REQUEST, PathSpec
from costmodel.errors import InputError

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
