"""Self-hosted fine-tuning and serving on rented GPUs: the memory rule, throughput, hours and instances.

Memory rule (which instance can hold a model for a workload)::

    needed_GB = parameters_in_billions x bytes_per_parameter x 1.2

with 2 bytes per parameter to serve or to train a LoRA adapter on BF16 weights, 0.5 for QLoRA's
4-bit weights (Dettmers et al. 2023, arXiv:2305.14314, fine-tune a 65B model on one 48 GB GPU) and
16 for full fine-tuning with mixed-precision Adam (weights, gradients, FP32 master copy and two
moments: 16 bytes per parameter, Rajbhandari et al. 2020, arXiv:1910.02054). The factor 1.2 is an
assumed allowance for activations, KV cache and the CUDA context. An instance is refused when
``needed_GB`` exceeds its total GPU memory (``gpu_count x GB per GPU``).

Training (hours and cost)::

    hours = training_tokens x epochs / (tokens_per_second x 3600);   cost = hours x USD per hour

Training throughput, when no measurement or table row is given, is the rule of thumb::

    tokens_per_second = gpus x peak_BF16_FLOPS x MFU / (k x parameters)

with ``k = 6`` for full fine-tuning (Kaplan et al. 2020, arXiv:2001.08361: about 6 N FLOPs per
token), ``k = 4`` for LoRA and QLoRA (no weight gradients for the frozen base), an assumed model
FLOPs utilisation of 35 % and QLoRA's de-quantisation taking 40 % off. Serving throughput, likewise,
scales the one measured reference in ``throughput.csv`` (Llama 3.1 8B on one A100 40 GB: 4,455
input+output tokens per second at the latency knee) by memory bandwidth, model size and GPU count.
Every such estimate is graded ``unconfirmed`` and says so; a measurement (``costmodel bench``, a
Hugging Face ``trainer_state.json``) replaces it.

Serving (instances): ``n = max(minimum, ceil(peak tokens/s / sustainable tokens/s per instance))``
with ``peak = average x peak-to-average factor``: the staircase of :mod:`costmodel.engine.shapes`.

>>> from decimal import Decimal as D
>>> memory_needed_gb(D("8.03"), "lora")
Decimal('19.272')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from costmodel.engine.breakdown import Breakdown, LineItem
from costmodel.errors import InputError
from costmodel.money import ZERO, format_quantity
from costmodel.prices import Reliability, lowest_reliability
from costmodel.prices.fleet import GpuInstance, OpenModel, ThroughputRow

__all__ = [
    "BYTES_PER_PARAMETER",
    "MEMORY_OVERHEAD",
    "Throughput",
    "check_fits",
    "estimate_serving_throughput",
    "estimate_training_throughput",
    "memory_needed_gb",
    "selfhosted_training",
    "throughput_from_trainer_state",
]

Workload = Literal["lora", "qlora", "full", "serve"]

BYTES_PER_PARAMETER: dict[str, Decimal] = {
    "serve": Decimal(2),
    "lora": Decimal(2),
    "qlora": Decimal("0.5"),
    "full": Decimal(16),
}
MEMORY_OVERHEAD = Decimal("1.2")
MFU = Decimal("0.35")
FLOPS_PER_PARAMETER_TOKEN = {"full": Decimal(6), "lora": Decimal(4), "qlora": Decimal(4)}
QLORA_SPEED = Decimal("0.6")
# The measured serving reference (throughput.csv, third party): Llama 3.1 8B, one A100 40 GB.
SERVE_REFERENCE_TPS = Decimal(4455)
SERVE_REFERENCE_PARAMS_B = Decimal("8.03")
SERVE_REFERENCE_BANDWIDTH_GBPS = Decimal(1555)

_DOING = {"serve": "serve", "lora": "train with LoRA", "qlora": "train with QLoRA", "full": "fully fine-tune"}


def memory_needed_gb(params_billion: Decimal, workload: Workload) -> Decimal:
    """``params x bytes per parameter x 1.2`` in GB (see the module docstring)."""
    return params_billion * BYTES_PER_PARAMETER[workload] * MEMORY_OVERHEAD


def check_fits(
    model: OpenModel, instance: GpuInstance, workload: Workload, *, alternatives: Sequence[GpuInstance] = ()
) -> None:
    """Raise an :class:`InputError` naming the instance when the memory rule refuses it."""
    need = memory_needed_gb(model.params_billion, workload)
    have = instance.total_memory_gb
    if need <= have:
        return
    fits = sorted(
        (i for i in alternatives if memory_needed_gb(model.params_billion, workload) <= i.total_memory_gb),
        key=lambda i: (i.on_demand_usd_per_hour is None, i.on_demand_usd_per_hour or ZERO),
    )
    better = "; choose an instance with enough GPU memory" + (
        ", e.g. " + ", ".join(i.instance for i in fits[:3]) if fits else ""
    )
    lighter = {"full": " or method lora", "lora": " or method qlora"}.get(workload, "")
    raise InputError(
        f"{instance.describe()} has {format_quantity(have)} GB of GPU memory and cannot {_DOING[workload]} "
        f"{model.model}: that needs about {format_quantity(need, 1)} GB ({model.params_billion}B parameters x "
        f"{BYTES_PER_PARAMETER[workload]} bytes x {MEMORY_OVERHEAD} overhead)",
        field="instance",
        hint=(better + lighter).lstrip("; "),
    )


@dataclass(frozen=True)
class Throughput:
    """Tokens per second with its grade and where it came from (shown in the line item)."""

    tokens_per_second: Decimal
    reliability: Reliability
    source: str

    def __post_init__(self) -> None:
        if self.tokens_per_second <= 0:
            raise InputError(
                f"throughput must be positive, got {self.tokens_per_second} tokens per second",
                field="tokens_per_second",
                hint="give a measured throughput above 0 (e.g. from costmodel bench or trainer_state.json)",
            )

    @classmethod
    def from_row(cls, row: ThroughputRow) -> Throughput:
        where = row.source_url or "costmodel assumption"
        return cls(row.tokens_per_second, row.reliability, f"throughput.csv line {row.line}: {row.note} ({where})")


def estimate_training_throughput(model: OpenModel, instance: GpuInstance, method: str) -> Throughput:
    """The rule of thumb of the module docstring, graded ``unconfirmed``."""
    k = FLOPS_PER_PARAMETER_TOKEN[method]
    flops = instance.gpu_count * instance.gpu_bf16_tflops * Decimal(10**12) * MFU
    tps = flops / (k * model.params_billion * Decimal(10**9))
    if method == "qlora":
        tps *= QLORA_SPEED
    return Throughput(
        tps.quantize(Decimal(1)),
        Reliability.UNCONFIRMED,
        f"estimate: {instance.gpu_count} x {instance.gpu_bf16_tflops} TFLOPS x {MFU} MFU / ({k} x "
        f"{model.params_billion}B parameters)"
        + (f" x {QLORA_SPEED} for QLoRA" if method == "qlora" else "")
        + "; replace with a measurement (trainer_state.json)",
    )


def estimate_serving_throughput(model: OpenModel, instance: GpuInstance) -> Throughput:
    """Scale the measured 8B-on-A100 reference by bandwidth, size and GPU count (``unconfirmed``)."""
    tps = (
        SERVE_REFERENCE_TPS
        * (instance.gpu_memory_bandwidth_gbps / SERVE_REFERENCE_BANDWIDTH_GBPS)
        * (SERVE_REFERENCE_PARAMS_B / model.params_billion)
        * instance.gpu_count
    )
    return Throughput(
        tps.quantize(Decimal(1)),
        Reliability.UNCONFIRMED,
        f"estimate: {SERVE_REFERENCE_TPS} tokens/s (Llama 3.1 8B, one A100 40 GB, throughput.csv) x "
        f"{instance.gpu_memory_bandwidth_gbps}/{SERVE_REFERENCE_BANDWIDTH_GBPS} GB/s x "
        f"{SERVE_REFERENCE_PARAMS_B}/{model.params_billion}B x {instance.gpu_count} GPUs; "
        "replace with a measurement (costmodel bench)",
    )


def throughput_from_trainer_state(
    state: Mapping[str, Any], *, gpus: int = 1, tokens_per_sample: Decimal | None = None
) -> Decimal:
    """Training tokens per second of the whole job from a Hugging Face ``trainer_state.json``.

    Uses, in order: ``train_tokens_per_second`` (the Trainer reports it per device: times
    ``gpus``), ``num_input_tokens_seen`` over ``train_runtime``, or ``train_samples_per_second`` x
    ``tokens_per_sample``.

    >>> str(throughput_from_trainer_state({"log_history": [{"train_runtime": 100, "num_input_tokens_seen": 250000}]}))
    '2500'
    """
    if gpus < 1:
        raise InputError("the job ran on at least one GPU", field="gpus", hint="e.g. 1")
    history = state.get("log_history")
    if not isinstance(history, list):
        raise InputError(
            "no log_history in trainer_state.json", field="trainer_state.json", hint="give the file the Trainer wrote"
        )
    entries = [e for e in history if isinstance(e, dict)]

    def last(key: str) -> Decimal | None:
        for e in reversed(entries):
            v = e.get(key)
            if isinstance(v, int | float) and not isinstance(v, bool) and v > 0:
                return Decimal(str(v))
        return None

    per_device = last("train_tokens_per_second")
    if per_device is not None:
        return per_device * gpus
    runtime = last("train_runtime")
    seen = last("num_input_tokens_seen")
    if runtime is not None and seen is not None:
        return seen / runtime
    samples = last("train_samples_per_second")
    if samples is not None and tokens_per_sample is not None:
        if tokens_per_sample <= 0:
            raise InputError("tokens per sample must be positive", field="tokens_per_sample", hint="e.g. 512")
        return samples * tokens_per_sample
    raise InputError(
        "trainer_state.json has no token throughput (train_tokens_per_second, or num_input_tokens_seen with "
        "train_runtime)" + (" and no tokens per sample to convert samples per second" if samples else ""),
        field="trainer_state.json",
        hint="train with include_tokens_per_second=True (or include_num_input_tokens_seen=True), "
        "or give the tokens per sample",
    )


def selfhosted_training(
    *,
    label: str,
    model: OpenModel,
    method: str,
    instance: GpuInstance,
    training_tokens: int,
    epochs: int,
    throughput: Throughput,
    spot: bool = False,
) -> Breakdown:
    """Hours and cost of training on ``instance`` (the equation in the module docstring)."""
    if training_tokens <= 0 or epochs <= 0:
        raise InputError("training tokens and epochs must be positive", field="training_tokens", hint="e.g. 1000000")
    price = instance.spot_usd_per_hour if spot else instance.on_demand_usd_per_hour
    trained = Decimal(training_tokens) * epochs
    hours = trained / (throughput.tokens_per_second * 3600)
    grade = lowest_reliability([instance.reliability, throughput.reliability])
    price_note = f"{'spot' if spot else 'on-demand'} price of {instance.instance} ({instance.region}): " + (
        f"{price} USD/h" if price is not None else "no published price"
    )
    item = LineItem(
        name=f"Training GPU hours ({training_tokens:,} tokens x {epochs} epochs, {method}, "
        f"at {format_quantity(throughput.tokens_per_second, 0)} tokens/s on {instance.instance})",
        kind="gpu_training",
        quantity=hours,
        quantity_unit="instance-hours",
        unit_price=price,
        cost=None if price is None else hours * price,
        reliability=grade,
        source_url=instance.source_url,
        note=f"hours = tokens x epochs / (tokens per second x 3600); throughput: {throughput.source}; "
        f"{price_note}. {instance.note}".strip(),
    )
    return Breakdown(label=f"Training {label}", items=(item,))
