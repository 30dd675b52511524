"""Options that size capacity-priced paths (provisioned units, dedicated GPUs, self-hosted instances).

``--unit-throughput LABEL=TPS`` and ``--training-throughput LABEL=TPS`` attach a measured
throughput to one path; ``--trainer-state LABEL=FILE`` reads a Hugging Face ``trainer_state.json``.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from costmodel.engine.capacity import Serving
from costmodel.engine.scenario import Scenario
from costmodel.engine.selfhosted import throughput_from_trainer_state
from costmodel.engine.usage import PathSpec
from costmodel.errors import InputError

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


def apply_serving_args(scenario: Scenario, args: argparse.Namespace) -> Scenario:
    """``scenario`` with the command line's capacity options applied over its ``serving``."""
    return scenario.model_copy(update={"serving": serving_from_args(args, scenario.serving)})
