"""Capacity-priced paths: provisioned units, dedicated GPUs and self-hosted instances, as line items.

A path whose tier is ``provisioned`` (Azure PTU, Bedrock model units; ``provisioned_1m`` and
``provisioned_6m`` for Bedrock commitments) or ``dedicated`` (Together, Fireworks GPUs), or a
``selfhosted`` path, pays for whole units of capacity by the hour. At the scenario's traffic
(``x`` units of traffic per hour) it runs::

    n = max(minimum, increment x ceil(max(1, ceil(x f c_t / (3600 T))) / increment))

units, where ``c_t`` is the capacity tokens one unit of traffic uses (input + weight x output;
Azure counts an output token as several input tokens), ``T`` one unit's sustainable tokens per
second and ``f`` the peak-to-average factor. The monthly cost is ``n x price x hours`` plus any
storage fee. Against traffic the cost is a staircase
(:meth:`~costmodel.engine.shapes.CapacityPlan.curve`); :mod:`costmodel.engine.crossings` finds
every crossing with other paths.

The per-unit throughput is, in order: the user's measurement (:class:`Serving`, e.g. a goodput
sweep), a row of ``throughput.csv`` or ``capacity.csv``, or (self-hosted only) the graded estimate
of :mod:`costmodel.engine.selfhosted`. A provisioned path with none of these is an error naming
``tokens_per_second_per_unit``: costmodel does not guess a provider's unit size.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from costmodel.engine.breakdown import Breakdown, LineItem
from costmodel.engine.selfhosted import (
    Throughput,
    check_fits,
    estimate_serving_throughput,
    estimate_training_throughput,
    selfhosted_training,
)
from costmodel.engine.shapes import CapacityPlan, units_needed
from costmodel.engine.usage import (
    PathCost,
    PathSpec,
    Traffic,
    _training_breakdown,
    assemble,
    storage_item,
)
from costmodel.errors import InputError, PriceLookupError
from costmodel.money import ZERO, format_quantity
from costmodel.prices import Catalog, Kind, PriceRow, Reliability, Variant, lowest_reliability
from costmodel.prices.fleet import Fleet

__all__ = ["Serving", "capacity_path_cost"]

_STRICT = ConfigDict(extra="forbid", frozen=True)

_UNIT_KIND = {"provisioned": Kind.PTU_HOUR, "provisioned_1m": Kind.PTU_HOUR, "provisioned_6m": Kind.PTU_HOUR}


class Serving(BaseModel):
    """How capacity paths are sized: the traffic's daily shape and measured throughputs.

    ``tokens_per_second_per_unit`` and ``training_tokens_per_second`` map a path label to a
    measurement (e.g. a goodput sweep's sustainable tokens per second per instance, or a
    ``trainer_state.json``); ``throughput_sources`` says where each came from (shown in the line
    item).
    """

    model_config = _STRICT

    peak_factor: Annotated[Decimal, Field(ge=1, le=100)] = Decimal(1)
    minimum_instances: Annotated[int, Field(ge=1, le=10_000)] = 1
    spot: bool = False
    tokens_per_second_per_unit: dict[str, Annotated[Decimal, Field(gt=0, le=10_000_000)]] = {}
    training_tokens_per_second: dict[str, Annotated[Decimal, Field(gt=0, le=10_000_000)]] = {}
    throughput_sources: dict[str, str] = {}


def _measured(serving: Serving, label: str, table: dict[str, Decimal]) -> Throughput | None:
    value = table.get(label)
    if value is None:
        return None
    source = serving.throughput_sources.get(label, "measured by the user")
    return Throughput(value, Reliability.OFFICIAL, source)


def _price(catalog: Catalog, path: PathSpec, model: str, kind: Kind, as_of: date) -> PriceRow:
    row = catalog.maybe_lookup(path.provider, model, path.variant, kind, path.tier, as_of)
    if row is None or row.amount is None:
        seen = [
            r.describe()
            for r in catalog.rows
            if r.provider == path.provider and r.model == model and r.kind == kind and r.tier == path.tier
        ]
        raise PriceLookupError(
            f"{path.label}: no published price for {kind.value} on {as_of}"
            + (f" (rows seen: {'; '.join(seen)})" if seen else ""),
            field="path",
            hint="choose another tier or date, or add the price (from your agreement) in a catalogue file (--catalog)",
        )
    return row


def capacity_path_cost(
    catalog: Catalog,
    path: PathSpec,
    traffic: Traffic,
    *,
    as_of: date,
    horizon_months: int = 12,
    training_tokens: int | None = None,
    epochs: int | None = None,
    amortise_training: bool = False,
    serving: Serving | None = None,
    fleet: Fleet | None = None,
) -> PathCost:
    """Line items of a provisioned, dedicated or self-hosted path (equations in the module docstring)."""
    serving = serving or Serving()
    if fleet is None:
        raise InputError(
            f"{path.label} needs the GPU and capacity tables",
            field="fleet",
            hint="pass the fleet (costmodel.prices.fleet.bundled_fleet())",
        )
    inp, out = traffic.shape(few_shot=not path.fine_tuned)
    items: list[LineItem] = []
    training: Breakdown | None = None
    if path.shape == "selfhosted":
        model_row = fleet.open_model(path.model)
        model = model_row.model
        instance = fleet.instance(path.tier)
        check_fits(model_row, instance, "serve", alternatives=fleet.instances)
        if path.method is not None:
            check_fits(model_row, instance, path.method, alternatives=fleet.instances)
        price = instance.spot_usd_per_hour if serving.spot else instance.on_demand_usd_per_hour
        if price is None:
            raise PriceLookupError(
                f"{instance.instance} has no published {'spot' if serving.spot else 'on-demand'} price",
                field="instance",
                hint="choose another instance, or add the price to gpu_instances.csv",
            )
        serve_row = fleet.find_throughput(model, "serve", instance)
        throughput = (
            _measured(serving, path.label, serving.tokens_per_second_per_unit)
            or (Throughput.from_row(serve_row) if serve_row else None)
            or estimate_serving_throughput(model_row, instance)
        )
        unit_name, minimum, increment, weight = "instance", serving.minimum_instances, 1, Decimal(1)
        grade = lowest_reliability([instance.reliability, throughput.reliability])
        price_source, price_note = instance.source_url, f"{instance.describe()}, {instance.region}. {instance.note}"
        if path.method is not None and training_tokens is not None and epochs is not None:
            train_row = fleet.find_throughput(model, path.method, instance)
            train_tps = (
                _measured(serving, path.label, serving.training_tokens_per_second)
                or (Throughput.from_row(train_row) if train_row else None)
                or estimate_training_throughput(model_row, instance, path.method)
            )
            training = selfhosted_training(
                label=path.label,
                model=model_row,
                method=path.method,
                instance=instance,
                training_tokens=training_tokens,
                epochs=epochs,
                throughput=train_tps,
                spot=serving.spot,
            )
        unit_price = price
    else:
        model = catalog.canonical_model(path.provider, path.model, as_of, path.variant)
        kind = _UNIT_KIND.get(path.tier, Kind.GPU_HOUR)
        row = _price(catalog, path, model, kind, as_of)
        cap = fleet.find_capacity(path.provider, model, path.tier)
        measured = _measured(serving, path.label, serving.tokens_per_second_per_unit)
        if measured is not None:
            throughput = measured
        elif cap is not None and cap.tokens_per_minute_per_unit is not None:
            throughput = Throughput(
                cap.tokens_per_minute_per_unit / 60,
                cap.reliability,
                f"capacity.csv line {cap.line}: {format_quantity(cap.tokens_per_minute_per_unit)} tokens per minute "
                f"per {cap.unit_name}. {cap.note}",
            )
        else:
            raise InputError(
                f"{path.label}: the throughput of one {cap.unit_name if cap else 'unit'} is not published",
                field="tokens_per_second_per_unit",
                hint=f"give the sustainable tokens per second you measured, e.g. "
                f"--unit-throughput {path.label}=2000 (or tokens_per_second_per_unit in the scenario's serving)",
            )
        unit_name = cap.unit_name if cap else "unit"
        minimum, increment = (cap.minimum_units, cap.increment) if cap else (1, 1)
        weight = cap.output_token_weight if cap else Decimal(1)
        grade = lowest_reliability([row.reliability, throughput.reliability])
        unit_price = row.amount or ZERO
        price_source, price_note = row.source_url, row.note
        storage = catalog.maybe_lookup(path.provider, model, Variant.FINE_TUNED, Kind.STORAGE_MONTH, "standard", as_of)
        if path.fine_tuned and storage is not None:
            items.append(storage_item(storage, traffic))
        training = _training_breakdown(catalog, path, as_of, training_tokens, epochs, None)
    capacity_tokens = inp + weight * out
    if capacity_tokens <= 0:
        raise InputError("the traffic has no tokens to serve", field="traffic", hint="give input or output tokens")
    plan_units = units_needed(
        traffic.units_per_hour,
        per_unit=throughput.tokens_per_second * 3600 / capacity_tokens,
        peak_factor=serving.peak_factor,
        minimum=minimum,
        increment=increment,
    )
    hours = traffic.hours_per_month
    needed_tps = traffic.units_per_hour * capacity_tokens * serving.peak_factor / 3600
    plural = "s" if plan_units > 1 else ""
    items.insert(
        0,
        LineItem(
            name=f"{unit_name[:1].upper()}{unit_name[1:]} hours ({plan_units} {unit_name}{plural} x "
            f"{format_quantity(hours)} h)",
            kind="capacity",
            quantity=Decimal(plan_units) * hours,
            quantity_unit=f"{unit_name}-hours",
            unit_price=unit_price,
            cost=Decimal(plan_units) * hours * unit_price,
            reliability=grade,
            source_url=price_source,
            note=(
                f"{plan_units} = max({minimum}, ceil(peak {format_quantity(needed_tps, 1)} tokens/s / "
                f"{format_quantity(throughput.tokens_per_second, 1)} tokens/s per {unit_name}) in steps of "
                f"{increment}); peak = average x {serving.peak_factor}; "
                + (f"an output token counts as {weight} capacity tokens; " if weight != 1 else "")
                + f"throughput: {throughput.source}. Price: {price_note}"
            ).strip(),
        ),
    )
    fixed_other = sum((i.cost or ZERO for i in items[1:]), ZERO) / hours
    plan = CapacityPlan(
        unit_name=unit_name,
        price_per_unit_hour=unit_price,
        tokens_per_second_per_unit=throughput.tokens_per_second,
        capacity_tokens_per_unit=capacity_tokens,
        peak_factor=serving.peak_factor,
        minimum=minimum,
        increment=increment,
        units=plan_units,
        fixed_per_hour=fixed_other,
        per_traffic_unit=ZERO,
        throughput_source=throughput.source,
        reliability=grade,
    )
    return assemble(path, model, as_of, traffic, items, training, amortise_training, horizon_months, capacity=plan)
