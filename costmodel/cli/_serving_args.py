"""Options that size capacity-priced paths (provisioned units, dedicated GPUs, self-hosted instances).

``--unit-throughput LABEL=TPS`` and ``--training-throughput LABEL=TPS`` attach a measured
throughput to one path; ``--trainer-state LABEL=FILE`` reads a Hugging Face ``trainer_state.json``;
``--sweep [LABEL=]SWEEP_ID`` (with ``--db``) reads a stored goodput sweep (``costmodel bench sweep``)
and gives LABEL one instance's throughput at the sweep's objective, the line item then says
"measured: sweep ID, date, endpoint". The store is read here, at the edge; the engine only receives
the number and its source text (``Serving.tokens_per_second_per_unit`` / ``throughput_sources``).
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costmodel.engine.capacity import Serving
from costmodel.engine.scenario import Scenario
from costmodel.engine.selfhosted import throughput_from_trainer_state
from costmodel.engine.usage import PathSpec
from costmodel.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from costmodel.latency.capacity import MeasuredCapacity

__all__ = ["add_serving_options", "apply_serving_args", "serving_from_args"]


def add_serving_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("capacity paths (provisioned, dedicated, self-hosted)")
    g.add_argument("--peak-factor", metavar="F", help="peak-to-average traffic factor, default 1 (e.g. 2.5)")
    g.add_argument(
        "--unit-throughput",
        action="append",
        default=[],
        metavar="PATH=TPS",
        help="measured sustainable tokens per second of one unit/instance of PATH (repeatable)",
    )
    g.add_argument(
        "--training-throughput",
        action="append",
        default=[],
        metavar="PATH=TPS",
        help="measured training tokens per second of a self-hosted PATH (repeatable)",
    )
    g.add_argument(
        "--trainer-state",
        action="append",
        default=[],
        metavar="PATH=FILE",
        help="a Hugging Face trainer_state.json giving PATH's training throughput (repeatable)",
    )
    g.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="[PATH=]SWEEP_ID",
        help="a stored goodput sweep (costmodel bench sweep) as one instance's throughput of PATH at the "
        "sweep's objective; PATH may be left out when the scenario has one capacity-priced path (repeatable)",
    )
    g.add_argument("--db", metavar="FILE", help="store holding the sweeps (default: COSTMODEL_DB or the user data dir)")
    g.add_argument("--min-instances", type=int, metavar="N", help="self-hosted: instances always running, default 1")
    g.add_argument("--spot", action="store_true", help="self-hosted: price instances at their spot rate")


def _pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    out = []
    for v in values:
        label, sep, value = v.rpartition("=")
        if not sep or not label or not value:
            raise InputError(
                f"'{v}' is not PATH=VALUE",
                field=option,
                hint=f"e.g. {option} selfhosted:llama-3.1-8b:lora@g6.xlarge=1500",
            )
        out.append((PathSpec.parse(label).label, value.strip()))
    return out


def _positive(text: str, option: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError(f"'{text}' is not a number", field=option, hint="e.g. 1500") from None
    if not value.is_finite() or value <= 0:
        raise InputError(
            f"throughput must be positive, got {text}",
            field=option,
            hint="give the tokens per second you measured (above 0)",
        )
    return value


def serving_from_args(args: argparse.Namespace, base: Serving | None = None) -> Serving:
    data: dict[str, Any] = (base or Serving()).model_dump()
    if args.peak_factor is not None:
        factor = _positive(args.peak_factor, "--peak-factor")
        if factor < 1:
            raise InputError(f"the peak factor must be at least 1, got {factor}", field="--peak-factor", hint="e.g. 2")
        data["peak_factor"] = factor
    if args.min_instances is not None:
        if args.min_instances < 1:
            raise InputError("at least one instance runs", field="--min-instances", hint="e.g. 1")
        data["minimum_instances"] = args.min_instances
    if args.spot:
        data["spot"] = True
    for label, value in _pairs(args.unit_throughput, "--unit-throughput"):
        data["tokens_per_second_per_unit"][label] = _positive(value, "--unit-throughput")
        data["throughput_sources"][label] = "measured by the user (--unit-throughput)"
    for label, value in _pairs(args.training_throughput, "--training-throughput"):
        data["training_tokens_per_second"][label] = _positive(value, "--training-throughput")
    for label, file in _pairs(args.trainer_state, "--trainer-state"):
        path = Path(file)
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("file not found", source=file, field="--trainer-state", hint="check the path") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(
                f"not a readable JSON file: {exc}", source=file, field="--trainer-state", hint="give trainer_state.json"
            ) from None
        if not isinstance(state, dict):
            raise InputError(
                "not a trainer state", source=file, field="--trainer-state", hint="give trainer_state.json"
            )
        data["training_tokens_per_second"][label] = throughput_from_trainer_state(state)
    return Serving.model_validate(data)


def _sweep_targets(scenario: Scenario, values: list[str]) -> list[tuple[str, str]]:
    """``(path label, sweep id)`` for each ``--sweep``; a bare ID goes to the only capacity-priced path."""
    capacity = [p.label for p in scenario.paths if p.shape != "per_token"]
    out: list[tuple[str, str]] = []
    for v in values:
        label, sep, sweep_id = v.rpartition("=")
        sweep_id = sweep_id.strip()
        if not sweep_id:
            raise InputError(f"'{v}' names no sweep", field="--sweep", hint="e.g. --sweep sweep-20261202-0100")
        if sep:
            target = PathSpec.parse(label).label
            if target not in {p.label for p in scenario.paths}:
                raise InputError(
                    f"{target} is not one of the scenario's paths",
                    field="--sweep",
                    hint="add it with --path, or use one of: " + ", ".join(p.label for p in scenario.paths),
                )
            if target not in capacity:
                raise InputError(
                    f"{target} is priced per token: a sweep cannot size it",
                    field="--sweep",
                    hint="attach the sweep to a self-hosted, dedicated or provisioned path",
                )
        elif len(capacity) == 1:
            target = capacity[0]
        else:
            raise InputError(
                f"say which path sweep {sweep_id} measured: the scenario has "
                + (f"{len(capacity)} capacity-priced paths" if capacity else "no capacity-priced path"),
                field="--sweep",
                hint=f"write --sweep PATH={sweep_id}"
                + (f", e.g. --sweep {capacity[0]}={sweep_id}" if capacity else ""),
            )
        out.append((target, sweep_id))
    return out


def _tokens_per_request(scenario: Scenario, label: str, capacity: MeasuredCapacity) -> Decimal:
    """Capacity tokens one measured request stands for, in the scenario's traffic shape.

    With requests per day: the scenario's input + output tokens per request (the engine sizes by
    tokens per second, the sweep measured requests per second). With monthly token totals (one
    unit = one token): the sweep's output tokens per request scaled by the traffic's
    (input + output) / output, so that an instance serves ``goodput output tokens/s x (in+out)/out``.
    """
    path = next(p for p in scenario.paths if p.label == label)
    inp, out = scenario.traffic.shape(few_shot=not path.fine_tuned)
    if scenario.traffic.unit == "request":
        return inp + out
    if out <= 0:
        raise InputError(
            "a sweep measures output tokens per second; this traffic has no output tokens",
            field="--sweep",
            hint="give output tokens (--output-tokens-per-month) or --unit-throughput",
        )
    per_request = capacity.output_tokens_per_s / capacity.requests_per_s
    return (per_request * (inp + out) / out).quantize(Decimal("0.0001"))


def apply_serving_args(scenario: Scenario, args: argparse.Namespace) -> Scenario:
    """``scenario`` with the command line's capacity options applied over its ``serving``."""
    scenario = scenario.model_copy(update={"serving": serving_from_args(args, scenario.serving)})
    targets = _sweep_targets(scenario, list(getattr(args, "sweep", None) or []))
    if not targets:
        return scenario
    from costmodel import store
    from costmodel.latency.capacity import capacity_from_sweep, serving_with_sweep
    from costmodel.latency.sweep_runner import load_sweep

    serving = scenario.serving
    conn = store.connect(getattr(args, "db", None))
    try:
        for label, sweep_id in targets:
            capacity = capacity_from_sweep(load_sweep(conn, sweep_id))
            serving = serving_with_sweep(serving, label, capacity, _tokens_per_request(scenario, label, capacity))
    finally:
        conn.close()
    return scenario.model_copy(update={"serving": serving})
