"""Scenarios: the inputs of one comparison, validated, loadable from YAML or JSON, and evaluated.

A :class:`Scenario` names the candidate paths, the traffic, the horizon, the training volume and
the date whose prices apply. :func:`evaluate` returns every path's cost, the break-even of every
pair of paths, and the payback of every fine-tuned path against every base path.

Scenario file example (``data/scenarios/late-2023-gpt35-openai-vs-azure.yaml``)::

    as_of: 2024-01-15
    paths: [openai:gpt-3.5-turbo:ft, azure:gpt-35-turbo:ft@standard]
    traffic: {requests_per_day: 20000, input_tokens_per_request: 500, output_tokens_per_request: 500}
"""

from __future__ import annotations

import itertools
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from costmodel.engine.availability import Availability, windows
from costmodel.engine.breakeven import BreakEven, Payback, breakeven, payback
from costmodel.engine.capacity import Serving
from costmodel.engine.crossings import Crossings, crossings
from costmodel.engine.shapes import PiecewiseCost, linear_piecewise
from costmodel.engine.training import MAX_EPOCHS, MAX_TRAINING_TOKENS, TARGET_EPOCHS
from costmodel.engine.usage import LinearCost, PathCost, PathSpec, Traffic, as_path, linear_cost, path_cost
from costmodel.errors import ScenarioError
from costmodel.money import fine
from costmodel.prices import Catalog
from costmodel.prices.fleet import Fleet

__all__ = ["Scenario", "ScenarioResult", "evaluate", "load_scenario", "scenario_from_mapping"]

_STRICT = ConfigDict(extra="forbid", frozen=True)


class TrainingSpec(BaseModel):
    model_config = _STRICT

    tokens: Annotated[int, Field(gt=0, le=MAX_TRAINING_TOKENS)] | None = None  # billed tokens of the training file
    epochs: Annotated[int, Field(gt=0, le=MAX_EPOCHS)] | None = None
    amortise: bool = False  # spread training over the horizon instead of paying it up front
    throughput_tokens_per_hour: Annotated[Decimal, Field(gt=0)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_epochs(cls, data: Any) -> Any:
        # Training tokens without epochs used to drop the training cost silently; take the
        # usual 3 epochs instead (the CLI ``training`` command and the dashboard default), shown
        # in the line item's name.
        if isinstance(data, dict) and data.get("tokens") is not None and data.get("epochs") is None:
            return {**data, "epochs": TARGET_EPOCHS}
        return data


MAX_PATHS = 20
"""Paths in one scenario: break-even is computed for every pair (190 pairs at 20)."""


class Scenario(BaseModel):
    model_config = _STRICT

    as_of: date | None = None  # None: today, decided at the edge (CLI, app)
    paths: Annotated[tuple[PathSpec, ...], Field(min_length=1)]
    traffic: Traffic
    horizon_months: Annotated[int, Field(gt=0, le=120)] = 12
    training: TrainingSpec = TrainingSpec()
    input_share: Annotated[Decimal, Field(ge=0, le=1)] | None = None  # for token-mode break-even
    serving: Serving = Serving()  # sizing of provisioned, dedicated and self-hosted paths

    @field_validator("paths", mode="before")
    @classmethod
    def _parse_paths(cls, value: Any) -> Any:
        if isinstance(value, str):  # one path written without a list
            value = [value]
        if isinstance(value, list | tuple) and len(value) > MAX_PATHS:  # before parsing 5,000 of them
            raise ValueError(
                f"{len(value):,} paths: at most {MAX_PATHS} are compared (break-even runs for every pair); "
                "split the comparison into several scenarios"
            )
        if isinstance(value, list | tuple):
            return tuple(as_path(v, field=f"paths[{i}]") if isinstance(v, str) else v for i, v in enumerate(value))
        return value


def _human(err: ValidationError) -> tuple[str, str]:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = f"unknown key '{first['loc'][-1]}'"
    return field, msg


_SCENARIO_HINT = (
    "see data/scenarios/ for examples; keys: as_of, paths, traffic, horizon_months, training, input_share, serving"
)


def scenario_from_mapping(data: Any, *, source: str = "scenario", hint: str = _SCENARIO_HINT) -> Scenario:
    """A validated :class:`Scenario`; errors name ``source`` and the field, and end with ``hint``."""
    if not isinstance(data, dict):
        raise ScenarioError("a scenario must be a mapping of keys to values", source=source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        field, msg = _human(exc)
        raise ScenarioError(
            msg,
            source=source,
            field=field,
            hint=hint,
        ) from None


def load_scenario(path: Path) -> Scenario:
    """Read a YAML or JSON scenario file; errors name the file and the field."""
    from costmodel.validate import MiB, read_user_file

    data = read_user_file(
        path, expect="YAML or JSON scenario file", max_bytes=4 * MiB, error=ScenarioError
    )  # a regular file, no device or FIFO
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError("not UTF-8 text", source=str(path), hint="save the file as UTF-8") from None
    from costmodel.strict_yaml import MAX_DEPTH, load_strict

    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else load_strict(text)
    except RecursionError:  # JSON nested thousands deep (the YAML reader stops at MAX_DEPTH itself)
        raise ScenarioError(
            f"nested too deeply (more than {MAX_DEPTH} levels; a scenario needs 3)",
            source=str(path),
            hint="see data/scenarios/ for the shape of a scenario",
        ) from None
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        line = getattr(exc, "lineno", None)
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            line = mark.line + 1
        raise ScenarioError(
            f"not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}".splitlines()[0],
            source=str(path),
            line=line,
            hint="fix the syntax at that line",
        ) from None
    except ValueError as exc:  # a YAML value that cannot be built, e.g. the date 2024-13-45
        raise ScenarioError(
            f"a value cannot be read: {exc}", source=str(path), hint="write dates as YYYY-MM-DD, numbers as digits"
        ) from None
    try:
        return scenario_from_mapping(data, source=str(path))
    except RecursionError:  # deep JSON that json.loads still managed to read
        raise ScenarioError(
            f"nested too deeply (more than {MAX_DEPTH} levels; a scenario needs 3)",
            source=str(path),
            hint="see data/scenarios/ for the shape of a scenario",
        ) from None


class ScenarioResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    scenario: Scenario
    as_of: date
    costs: tuple[PathCost, ...]
    breakevens: tuple[BreakEven, ...]
    paybacks: tuple[Payback, ...]
    crossings: tuple[Crossings, ...] = ()  # every crossing of every pair (staircases included)
    traffic_range_units_per_hour: Decimal | None = None  # how far staircases were examined

    def cost_of(self, path: PathSpec | str) -> PathCost:
        """The cost of ``path`` (a :class:`PathSpec` or its text); KeyError if it is not in the scenario."""
        spec = as_path(path)
        for c in self.costs:
            if c.path == spec:
                return c
        raise KeyError(spec.label)

    def availability_of(self, path: PathSpec | str) -> Availability:
        """The path's availability in time (every evaluated path has one)."""
        cost = self.cost_of(path)
        assert cost.availability is not None  # set by evaluate()
        return cost.availability


def _with_availability(cost: PathCost, av: Availability) -> PathCost:
    """``cost`` with its availability; the horizon total counts only the months it can serve, and says so."""
    update: dict[str, Any] = {"availability": av}
    if av.serving_months < cost.horizon_months:
        months = f"{av.serving_months.normalize():f}"
        update["serving_months"] = av.serving_months
        update["horizon_note"] = (
            f"The total over {cost.horizon_months} months counts only the {months} months this path can "
            f"serve: {av.reason}."
        )
    elif av.status == "unknown":
        update["horizon_note"] = f"The total counts the whole horizon, but {av.reason}."
    return cost.model_copy(update=update)


TRAFFIC_RANGE = Decimal(20)  # staircases are examined up to 20 x the scenario's traffic


def cost_curve(cost: PathCost, traffic: Traffic, *, up_to: Decimal) -> PiecewiseCost:
    """The hourly cost of ``cost``'s path against traffic: a staircase for capacity paths, else a line."""
    line = linear_cost(cost, traffic)
    if cost.capacity is None:
        return linear_piecewise(
            line.label, line.fixed_per_hour, line.per_unit, line.reliability, line.one_off, path=cost.path
        )
    return cost.capacity.curve(line.label, up_to, one_off=line.one_off, path=cost.path)


def _as_breakeven(c: Crossings, tokens_per_unit: Decimal, per_request: bool) -> BreakEven:
    """The first crossing as a :class:`BreakEven`, the explanation naming every crossing."""
    common = {"path_a": c.path_a, "path_b": c.path_b, "reliability": c.reliability}
    if c.status == "never" or not c.crossings:
        return BreakEven(**common, status="never", always_cheaper=c.always_cheaper, explanation=c.explanation)
    first = c.crossings[0]
    where = ", ".join(f"{x.tokens_per_hour:,.0f}" for x in c.crossings)
    return BreakEven(
        **common,
        status="crosses",
        units_per_hour=first.units_per_hour,
        tokens_per_hour=fine(first.units_per_hour * tokens_per_unit),
        requests_per_day=fine(first.units_per_hour * 24) if per_request else None,
        cheaper_below=first.cheaper_below,
        cheaper_above=first.cheaper_above,
        explanation=f"the cheaper path changes {len(c.crossings)} time(s), at {where} tokens per hour "
        f"(capacity steps); first {first.cheaper_below} is cheaper, then {first.cheaper_above}",
    )


def evaluate(catalog: Catalog, scenario: Scenario, *, as_of: date, fleet: Fleet | None = None) -> ScenarioResult:
    """Every path's cost, every pair's break-even, every fine-tuned-vs-base payback.

    ``fleet`` (GPU instances, throughput and capacity tables) is needed by provisioned, dedicated
    and self-hosted paths; the bundled tables are read when it is not given.
    """
    day = scenario.as_of or as_of
    t = scenario.training
    traffic = scenario.traffic
    if fleet is None and any(p.shape != "per_token" for p in scenario.paths):
        from costmodel.prices.fleet import bundled_fleet

        fleet = bundled_fleet()
    costs = tuple(
        _with_availability(
            path_cost(
                catalog,
                p,
                traffic,
                as_of=day,
                horizon_months=scenario.horizon_months,
                training_tokens=t.tokens,
                epochs=t.epochs,
                amortise_training=t.amortise,
                throughput_tokens_per_hour=t.throughput_tokens_per_hour,
                serving=scenario.serving,
                fleet=fleet,
            ),
            windows(catalog.lifecycle, p, as_of=day, horizon_months=scenario.horizon_months),
        )
        for p in scenario.paths
    )
    lines: dict[str, LinearCost] = {c.path.label: linear_cost(c, traffic) for c in costs}
    tpu = traffic.workload_tokens_per_unit
    up_to = traffic.units_per_hour * TRAFFIC_RANGE
    curves = {c.path.label: cost_curve(c, traffic, up_to=up_to) for c in costs}
    per_request = traffic.unit == "request"
    # Break-even of running costs: training enters only when amortised into the monthly figure.
    all_crossings = tuple(
        crossings(curves[a.path.label], curves[b.path.label], tokens_per_unit=tpu, per_request=per_request)
        for a, b in itertools.combinations(costs, 2)
    )
    breakevens = tuple(
        (
            breakeven(lines[a.path.label], lines[b.path.label], tokens_per_unit=tpu)
            if a.capacity is None and b.capacity is None
            else _as_breakeven(x, tpu, per_request)
        ).model_copy(update={"availability_a": a.availability, "availability_b": b.availability})
        for (a, b), x in zip(itertools.combinations(costs, 2), all_crossings, strict=True)
    )
    horizon_hours = traffic.hours_per_month * scenario.horizon_months
    paybacks = tuple(
        payback(
            lines[ft.path.label],
            lines[base.path.label],
            units_per_hour=traffic.units_per_hour,
            horizon_hours=horizon_hours,
            hours_per_month=traffic.hours_per_month,
        ).model_copy(update={"availability_fine_tuned": ft.availability, "availability_base": base.availability})
        for ft in costs
        if ft.path.fine_tuned and lines[ft.path.label].one_off is not None
        for base in costs
        if not base.path.fine_tuned
    )
    has_steps = any(c.capacity is not None for c in costs)
    return ScenarioResult(
        scenario=scenario,
        as_of=day,
        costs=costs,
        breakevens=breakevens,
        paybacks=paybacks,
        crossings=all_crossings,
        traffic_range_units_per_hour=fine(up_to) if has_steps else None,
    )
