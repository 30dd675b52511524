"""Candidate paths, traffic profiles and the monthly cost of serving them.

A :class:`PathSpec` is provider + model + base or fine-tuned + tier, written
``PROVIDER:MODEL:ft|base[@TIER]`` (``azure:gpt-35-turbo:ft@standard``,
``bedrock:llama-3.1-8b-instruct:ft@provisioned``). A self-hosted path on rented GPUs is written
``selfhosted:MODEL:METHOD@INSTANCE`` with METHOD ``lora``, ``qlora`` or ``full`` (``ft`` means
``lora``; ``base`` serves the base model) and INSTANCE a row of ``data/gpu_instances.csv``
(``selfhosted:llama-3.1-8b:lora@g6.xlarge``). A :class:`Traffic` is
either requests per day with input/output tokens per request, or monthly token totals, plus the
cached-input share, the batch share, hours per month (730 = 8,760 / 12 by default) and the hours a
fine-tuned deployment is hosted each month (a partial schedule; defaults to all of them).

Every path's cost is linear in volume (:class:`LinearCost`): a one-off amount (training), a fixed
amount per hour (hosting, and amortised training when chosen) and a variable amount per unit of
traffic (one request, or one token when the traffic is given as token totals or shares). The
line-item breakdowns and the break-even formulas use the same coefficients, so they agree.

Per unit of traffic (all prices per 1M tokens)::

    per_unit = [ in x ((1-c) p_in + c p_cached) + out x p_out ] / 1e6   mixed over tiers by batch share b:
             = (1-b) x per_unit(standard prices) + b x per_unit(batch prices)

where ``in`` includes the few-shot examples on a base path (``few_shot_tokens``) and ``c`` is the
cached share of input tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from costmodel.engine.availability import Availability
from costmodel.engine.breakdown import Breakdown, LineItem, item_from_row
from costmodel.engine.shapes import CapacityPlan
from costmodel.engine.training import estimate_training
from costmodel.errors import PathSpecError, PriceLookupError, ScenarioError
from costmodel.money import FINE, MILLION, PER_UNIT, TOTAL, ZERO, format_quantity, quantize
from costmodel.prices import Catalog, Kind, PriceRow, Provider, Reliability, Variant, lowest_reliability

if TYPE_CHECKING:
    from costmodel.engine.capacity import Serving
    from costmodel.prices.fleet import Fleet

__all__ = [
    "CAPACITY_TIERS",
    "HOURS_PER_MONTH",
    "LinearCost",
    "PathCost",
    "PathPrices",
    "PathSpec",
    "Traffic",
    "WorkloadUnit",
    "as_path",
    "assemble",
    "linear_cost",
    "path_cost",
    "resolve_prices",
    "storage_item",
    "training_tier",
    "with_training_minimum",
]

HOURS_PER_MONTH = Decimal(730)  # 8,760 hours a year / 12
_STRICT = ConfigDict(extra="forbid", frozen=True)
_PATH_RE = re.compile(
    r"^(?P<provider>[a-z]+):(?P<model>[A-Za-z0-9._\-]+):(?P<variant>ft|base)(?:@(?P<tier>[a-z0-9_]+))?$"
)
_SELFHOSTED_RE = re.compile(
    r"^selfhosted:(?P<model>[A-Za-z0-9._\-]+):(?P<method>ft|base|lora|qlora|full)@(?P<instance>[A-Za-z0-9._\-]+)$"
)
CAPACITY_TIERS = frozenset({"provisioned", "provisioned_1m", "provisioned_6m", "dedicated"})
Method = Literal["lora", "qlora", "full"]

WorkloadUnit = Literal["request", "token"]


class PathSpec(BaseModel):
    """One candidate way of serving the workload."""

    model_config = _STRICT

    provider: Provider
    model: str
    fine_tuned: bool
    tier: str = "standard"  # for a self-hosted path: the GPU instance
    method: Method | None = None  # self-hosted fine-tuning method

    @model_validator(mode="after")
    def _method(self) -> PathSpec:
        if self.provider == Provider.SELFHOSTED:
            if self.fine_tuned != (self.method is not None):
                raise ValueError("a self-hosted fine-tuned path needs a method (lora, qlora, full); a base path none")
        elif self.method is not None:
            raise ValueError("only self-hosted paths have a fine-tuning method")
        return self

    @classmethod
    def parse(cls, text: str) -> PathSpec:
        """Parse ``PROVIDER:MODEL:ft|base[@TIER]`` or ``selfhosted:MODEL:METHOD@INSTANCE``.

        >>> PathSpec.parse("azure:gpt-35-turbo:ft@standard").label
        'azure:gpt-35-turbo:ft@standard'
        >>> PathSpec.parse("selfhosted:llama-3.1-8b:ft@g6.xlarge").label
        'selfhosted:llama-3.1-8b:lora@g6.xlarge'
        """
        text = text.strip()
        if text.startswith("selfhosted:"):
            s = _SELFHOSTED_RE.match(text)
            if not s:
                raise PathSpecError(
                    f"'{text}' is not a self-hosted path",
                    field="path",
                    hint="write selfhosted:MODEL:METHOD@INSTANCE with METHOD lora, qlora, full or base, "
                    "e.g. selfhosted:llama-3.1-8b:lora@g6.xlarge",
                )
            method = {"ft": "lora", "base": None}.get(s["method"], s["method"])
            return cls(
                provider=Provider.SELFHOSTED,
                model=s["model"],
                fine_tuned=method is not None,
                tier=s["instance"],
                method=method,
            )
        m = _PATH_RE.match(text)
        if not m:
            raise PathSpecError(
                f"'{text}' is not a path",
                field="path",
                hint="write PROVIDER:MODEL:ft or PROVIDER:MODEL:base, optionally @TIER, "
                "e.g. azure:gpt-35-turbo:ft@standard or openai:gpt-4o:base "
                "(self-hosted: selfhosted:MODEL:lora@INSTANCE)",
            )
        try:
            provider = Provider(m["provider"])
        except ValueError:
            raise PathSpecError(
                f"unknown provider '{m['provider']}' in '{text}'",
                field="path",
                hint="use one of " + ", ".join(p.value for p in Provider),
            ) from None
        return cls(provider=provider, model=m["model"], fine_tuned=m["variant"] == "ft", tier=m["tier"] or "standard")

    @property
    def shape(self) -> Literal["per_token", "capacity", "selfhosted"]:
        """How the path is billed: per token (plus hosting or storage), by capacity units, or on rented GPUs."""
        if self.provider == Provider.SELFHOSTED:
            return "selfhosted"
        return "capacity" if self.tier in CAPACITY_TIERS else "per_token"

    @property
    def variant(self) -> Variant:
        return Variant.FINE_TUNED if self.fine_tuned else Variant.BASE

    @property
    def label(self) -> str:
        if self.provider == Provider.SELFHOSTED:
            return f"{self.provider}:{self.model}:{self.method or 'base'}@{self.tier}"
        return f"{self.provider}:{self.model}:{'ft' if self.fine_tuned else 'base'}@{self.tier}"

    def __str__(self) -> str:
        return self.label


def as_path(path: PathSpec | str, *, field: str = "path") -> PathSpec:
    """A :class:`PathSpec` from a path object or its text (``"openai:gpt-4o-mini:ft"``).

    The one place a path is read: every public function that takes a path calls it.

    >>> as_path("openai:gpt-4o-mini:ft") == as_path(PathSpec.parse("openai:gpt-4o-mini:ft@standard"))
    True
    """
    if isinstance(path, PathSpec):
        return path
    if isinstance(path, str):
        try:
            return PathSpec.parse(path)
        except PathSpecError as exc:
            raise PathSpecError(exc.message, field=field, hint=exc.hint) from None
    raise PathSpecError(
        f"{field} must be a PathSpec or a string such as 'openai:gpt-4o-mini:ft', not {type(path).__name__}",
        field=field,
        hint="write PROVIDER:MODEL:ft or PROVIDER:MODEL:base, optionally @TIER, or pass PathSpec.parse(...)",
    )


MAX_REQUESTS_PER_DAY = Decimal(10**12)
MAX_TOKENS_PER_REQUEST = 10**8
MAX_TOKENS_PER_MONTH = Decimal(10**18)


class Traffic(BaseModel):
    """How much the workload sends. Either per request or monthly totals; volumes must be positive."""

    model_config = _STRICT

    # Upper bounds far above any real workload keep every money figure within Decimal's 28 digits
    # (1e12 requests a day x 1e8 tokens x 31 days at $600 per 1M tokens x 120 months is about 2e20 USD).
    requests_per_day: Annotated[Decimal, Field(gt=0, le=MAX_REQUESTS_PER_DAY)] | None = None
    input_tokens_per_request: Annotated[int, Field(ge=0, le=MAX_TOKENS_PER_REQUEST)] | None = None
    output_tokens_per_request: Annotated[int, Field(ge=0, le=MAX_TOKENS_PER_REQUEST)] | None = None
    input_tokens_per_month: Annotated[Decimal, Field(ge=0, le=MAX_TOKENS_PER_MONTH)] | None = None
    output_tokens_per_month: Annotated[Decimal, Field(ge=0, le=MAX_TOKENS_PER_MONTH)] | None = None
    cached_share: Annotated[Decimal, Field(ge=0, le=1)] = ZERO
    batch_share: Annotated[Decimal, Field(ge=0, le=1)] = ZERO
    hours_per_month: Annotated[Decimal, Field(gt=0, le=744)] = HOURS_PER_MONTH
    hosted_hours_per_month: Annotated[Decimal, Field(ge=0, le=744)] | None = None
    few_shot_tokens: Annotated[int, Field(ge=0, le=MAX_TOKENS_PER_REQUEST)] = 0

    @model_validator(mode="after")
    def _one_shape(self) -> Traffic:
        per_request = (self.requests_per_day, self.input_tokens_per_request, self.output_tokens_per_request)
        monthly = (self.input_tokens_per_month, self.output_tokens_per_month)
        if all(v is not None for v in per_request) and all(v is None for v in monthly):
            if (self.input_tokens_per_request or 0) + (self.output_tokens_per_request or 0) <= 0:
                raise ValueError("a request must have some input or output tokens")
        elif all(v is not None for v in monthly) and all(v is None for v in per_request):
            if (self.input_tokens_per_month or 0) + (self.output_tokens_per_month or 0) <= 0:
                raise ValueError("monthly token volume must be positive")
            if self.few_shot_tokens:
                raise ValueError("few-shot tokens need a request count: give requests per day and tokens per request")
        else:
            raise ValueError(
                "give either requests_per_day with input_tokens_per_request and output_tokens_per_request, "
                "or input_tokens_per_month and output_tokens_per_month"
            )
        if self.hosted_hours_per_month is not None and self.hosted_hours_per_month > self.hours_per_month:
            raise ValueError("hosted hours per month cannot exceed hours per month")
        return self

    @property
    def unit(self) -> WorkloadUnit:
        return "request" if self.requests_per_day is not None else "token"

    @property
    def units_per_month(self) -> Decimal:
        """Requests per month, or workload tokens per month."""
        if self.requests_per_day is not None:
            return self.requests_per_day * self.hours_per_month / 24
        return (self.input_tokens_per_month or ZERO) + (self.output_tokens_per_month or ZERO)

    @property
    def units_per_hour(self) -> Decimal:
        return self.units_per_month / self.hours_per_month

    def shape(self, few_shot: bool) -> tuple[Decimal, Decimal]:
        """(input, output) tokens per unit; a base path's prompt carries the few-shot examples."""
        if self.requests_per_day is not None:
            extra = self.few_shot_tokens if few_shot else 0
            return Decimal((self.input_tokens_per_request or 0) + extra), Decimal(self.output_tokens_per_request or 0)
        total = self.units_per_month
        return (self.input_tokens_per_month or ZERO) / total, (self.output_tokens_per_month or ZERO) / total

    @property
    def workload_tokens_per_unit(self) -> Decimal:
        """Tokens of the short (fine-tuned) prompt plus output, per unit: the traffic axis."""
        i, o = self.shape(few_shot=False)
        return i + o

    @property
    def hosted_hours(self) -> Decimal:
        return self.hours_per_month if self.hosted_hours_per_month is None else self.hosted_hours_per_month

    def with_volume(self, units_per_hour: Decimal) -> Traffic:
        """The same shape at another volume (units per hour)."""
        if self.requests_per_day is not None:
            return self.model_copy(update={"requests_per_day": units_per_hour * 24})
        i, o = self.shape(few_shot=False)
        per_month = units_per_hour * self.hours_per_month
        return self.model_copy(
            update={"input_tokens_per_month": i * per_month, "output_tokens_per_month": o * per_month}
        )


def training_tier(path: PathSpec | str) -> str:
    """The training tier that goes with a serving tier (OpenAI trains at one price for all tiers)."""
    path = as_path(path)
    if path.provider == Provider.AZURE:
        return {"standard": "standard", "global": "global", "developer": "developer"}.get(path.tier, "standard")
    return "standard"


def _batch_tier(path: PathSpec) -> str:
    if path.provider == Provider.OPENAI:
        return "batch_data_sharing" if path.tier == "data_sharing" else "batch"
    return "batch"


@dataclass(frozen=True)
class PathPrices:
    """The catalogue rows a path uses at one date. ``None`` where no row is needed or exists."""

    path: PathSpec
    model: str  # canonical
    as_of: date
    input: PriceRow
    cached_input: PriceRow | None
    output: PriceRow
    batch_input: PriceRow | None
    batch_cached_input: PriceRow | None
    batch_output: PriceRow | None
    hosting: PriceRow | None

    @property
    def reliability(self) -> Reliability:
        rows = [
            r
            for r in (self.input, self.cached_input, self.output, self.batch_input, self.batch_output, self.hosting)
            if r is not None
        ]
        return lowest_reliability(r.reliability for r in rows)


def resolve_prices(catalog: Catalog, path: PathSpec | str, as_of: date, *, need_batch: bool = False) -> PathPrices:
    """Look up every row ``path`` needs at ``as_of`` (raises naming what is missing)."""
    path = as_path(path)
    model = catalog.canonical_model(path.provider, path.model, as_of, path.variant)
    if not any(r.provider == path.provider and r.model == model and r.amount is not None for r in catalog.rows):
        raise PriceLookupError(
            f"{path.label}: no published price ({path.provider} lists {model}, but the catalogue has no figure for it)",
            field="path",
            hint="remove this path, or add the prices from your agreement in a catalogue file (--catalog)",
        )

    def get(kind: Kind, tier: str) -> PriceRow:
        return catalog.lookup(path.provider, model, path.variant, kind, tier, as_of)

    def maybe(kind: Kind, tier: str) -> PriceRow | None:
        return catalog.maybe_lookup(path.provider, model, path.variant, kind, tier, as_of)

    btier = _batch_tier(path)
    batch_input = maybe(Kind.INPUT, btier)
    batch_output = maybe(Kind.OUTPUT, btier)
    if need_batch and (batch_input is None or batch_output is None):
        raise PriceLookupError(
            f"no batch price for {path.label} on {as_of} (tier '{btier}')",
            field="batch_share",
            hint="set the batch share to 0 (it applies to every path), remove this path from the comparison, "
            "or add batch rows in a catalogue file",
        )
    hosting = None
    if path.fine_tuned and path.provider == Provider.AZURE:
        hosting = get(Kind.HOSTING, path.tier)
    return PathPrices(
        path=path,
        model=model,
        as_of=as_of,
        input=get(Kind.INPUT, path.tier),
        cached_input=maybe(Kind.CACHED_INPUT, path.tier),
        output=get(Kind.OUTPUT, path.tier),
        batch_input=batch_input,
        batch_cached_input=maybe(Kind.CACHED_INPUT, btier),
        batch_output=batch_output,
        hosting=hosting,
    )


@dataclass(frozen=True)
class _UnitItem:
    name: str
    row: PriceRow
    tokens_per_unit: Decimal  # tokens of this kind per unit of traffic
    note: str = ""


def _unit_items(prices: PathPrices, traffic: Traffic) -> list[_UnitItem]:
    path = prices.path
    inp, out = traffic.shape(few_shot=not path.fine_tuned)
    c, b = traffic.cached_share, traffic.batch_share
    items: list[_UnitItem] = []
    for share, label, p_in, p_cached, p_out in (
        (1 - b, "", prices.input, prices.cached_input, prices.output),
        (b, " (batch)", prices.batch_input, prices.batch_cached_input, prices.batch_output),
    ):
        if share == 0:
            continue
        if p_in is None or p_out is None:  # pragma: no cover - resolve_prices(need_batch=True) refuses first
            raise PriceLookupError(f"no batch price for {path.label}", field="batch_share")
        uncached = inp * (1 - c) * share
        cached = inp * c * share
        if uncached:
            items.append(_UnitItem(f"Input tokens{label}", p_in, uncached))
        if cached:
            if p_cached is not None:
                items.append(_UnitItem(f"Cached input tokens{label}", p_cached, cached))
            else:
                items.append(
                    _UnitItem(
                        f"Cached input tokens{label}",
                        p_in,
                        cached,
                        note="no cached-input price for this model: cached tokens are billed at the input price",
                    )
                )
        if out * share:
            items.append(_UnitItem(f"Output tokens{label}", p_out, out * share))
    return items


@dataclass(frozen=True)
class LinearCost:
    """``cost(hours, units) = one_off + fixed_per_hour x hours + per_unit x units`` (USD) of ``path``."""

    path: PathSpec
    unit: WorkloadUnit
    one_off: Decimal | None  # None: unknown (e.g. training tokens not given)
    fixed_per_hour: Decimal
    per_unit: Decimal
    reliability: Reliability

    @property
    def label(self) -> str:
        return self.path.label

    def hourly(self, units_per_hour: Decimal) -> Decimal:
        return self.fixed_per_hour + self.per_unit * units_per_hour

    def cumulative(self, hours: Decimal, units_per_hour: Decimal) -> Decimal:
        return (self.one_off or ZERO) + hours * self.hourly(units_per_hour)


class PathCost(BaseModel):
    """Everything costmodel says about one path in one scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    path: PathSpec
    model: str
    as_of: date
    monthly: Breakdown  # usage + hosting (+ amortised training when chosen)
    training: Breakdown | None  # the one-off; None for a base path or when tokens are unknown
    training_amortised: bool
    horizon_months: int
    input_tokens_per_unit: Decimal
    output_tokens_per_unit: Decimal
    capacity: CapacityPlan | None = None  # provisioned units, dedicated GPUs or self-hosted instances
    # availability in time (set by costmodel.engine.scenario.evaluate): the horizon total counts
    # only ``serving_months`` (None: the whole horizon) and ``horizon_note`` says so
    availability: Availability | None = None
    serving_months: Decimal | None = None
    horizon_note: str = ""

    @property
    def monthly_total(self) -> Decimal:
        """Usage, hosting (and amortised training) a month (to 1e-9 USD; print with ``format_usd``)."""
        return self.monthly.total

    @property
    def training_total(self) -> Decimal | None:
        """The training one-off; ``None`` when there is none or its price is unknown."""
        if self.training is None or not self.training.complete:
            return None
        return self.training.total

    @property
    def one_off_total(self) -> Decimal | None:
        """What is paid up front: zero for a base path or amortised training; ``None`` if unknown."""
        if self.training is None or self.training_amortised:
            return ZERO if self.monthly.complete else None
        return self.training_total

    @property
    def horizon_total(self) -> Decimal | None:
        if self.one_off_total is None or not self.monthly.complete:
            return None
        one_off = ZERO if self.training is None or self.training_amortised else self.training.exact_sum()
        if self.serving_months is None:
            return quantize(one_off + self.monthly.exact_sum() * self.horizon_months, TOTAL)
        total = one_off + self.monthly.exact_sum() * self.serving_months
        if self.training_amortised and self.training is not None and self.training.complete:
            # training amortised over the horizon is paid in full even when serving stops early
            unpaid = Decimal(self.horizon_months) - self.serving_months
            total += self.training.exact_sum() * unpaid / self.horizon_months
        return quantize(total, TOTAL)

    @property
    def reliability(self) -> Reliability:
        parts = [self.monthly.reliability]
        if self.training is not None:
            parts.append(self.training.reliability)
        return lowest_reliability(parts)


def with_training_minimum(catalog: Catalog, path: PathSpec, as_of: date, training: Breakdown) -> Breakdown:
    """Add a top-up line when the provider bills at least a minimum per job (Together: $5 until late 2025)."""
    model = catalog.canonical_model(path.provider, path.model, as_of, Variant.FINE_TUNED)
    row = catalog.maybe_lookup(
        path.provider, model, Variant.FINE_TUNED, Kind.TRAINING_MINIMUM, training_tier(path), as_of
    )
    if row is None or row.amount is None or not training.complete or training.total >= row.amount:
        return training
    gap = row.amount - training.total
    top_up = LineItem(
        name="Minimum charge per job (top-up)",
        kind=row.kind.value,
        quantity=Decimal(1),
        quantity_unit="job",
        unit_price=gap,
        cost=gap,
        reliability=row.reliability,
        source_url=row.source_url,
        note=f"the job is billed at least {row.amount} USD; the tokens cost {training.total:.2f}. {row.note}",
    )
    return training + Breakdown(label=training.label, items=(top_up,))


def _training_breakdown(
    catalog: Catalog,
    path: PathSpec,
    as_of: date,
    training_tokens: int | None,
    epochs: int | None,
    throughput: Decimal | None,
) -> Breakdown | None:
    if not path.fine_tuned or training_tokens is None or epochs is None:
        return None
    try:
        estimate = estimate_training(
            catalog,
            provider=path.provider.value,
            model=path.model,
            tier=training_tier(path),
            as_of=as_of,
            billed_tokens=training_tokens,
            epochs=epochs,
            throughput_tokens_per_hour=throughput,
        )
        return with_training_minimum(catalog, path, as_of, estimate)
    except PriceLookupError as exc:
        # Serving costs are still known: say the training price is missing instead of failing the path.
        return Breakdown(
            label=f"Training {path.label}",
            items=(
                LineItem(
                    name=f"Training tokens ({training_tokens:,} billed x {epochs} epochs)",
                    kind="training",
                    quantity=Decimal(training_tokens) * epochs / MILLION,
                    quantity_unit="1M tokens",
                    unit_price=None,
                    cost=None,
                    reliability=Reliability.UNCONFIRMED,
                    note=f"No training price in the catalogue: {exc.message} Add one in a catalogue file.",
                ),
            ),
        )


def path_cost(
    catalog: Catalog,
    path: PathSpec | str,
    traffic: Traffic,
    *,
    as_of: date,
    horizon_months: int = 12,
    training_tokens: int | None = None,
    epochs: int | None = None,
    amortise_training: bool = False,
    throughput_tokens_per_hour: Decimal | None = None,
    serving: Serving | None = None,
    fleet: Fleet | None = None,
) -> PathCost:
    """Monthly line items, the training one-off and horizon total for ``path`` under ``traffic``.

    ``path`` is a :class:`PathSpec` or its text (``"openai:gpt-4o-mini:ft"``). Every amount is
    quantised: totals to 1e-9 USD, line items to 1e-12 (see :mod:`costmodel.money`).

    Capacity-priced and self-hosted paths (:attr:`PathSpec.shape`) are costed by
    :func:`costmodel.engine.capacity.capacity_path_cost` with ``serving`` (peak factor, measured
    throughputs) and ``fleet`` (GPU instances, throughput and capacity tables).
    """
    path = as_path(path)
    if horizon_months <= 0:
        raise ScenarioError("the horizon must be at least one month", field="horizon_months", hint="e.g. 12")
    if path.shape != "per_token":
        from costmodel.engine.capacity import capacity_path_cost

        return capacity_path_cost(
            catalog,
            path,
            traffic,
            as_of=as_of,
            horizon_months=horizon_months,
            training_tokens=training_tokens,
            epochs=epochs,
            amortise_training=amortise_training,
            serving=serving,
            fleet=fleet,
        )
    prices = resolve_prices(catalog, path, as_of, need_batch=traffic.batch_share > 0)
    units = traffic.units_per_month
    unit_name = "requests" if traffic.unit == "request" else "tokens"
    items: list[LineItem] = []
    for u in _unit_items(prices, traffic):
        tokens = u.tokens_per_unit * units
        note = f"{format_quantity(u.tokens_per_unit)} tokens per {traffic.unit} x {format_quantity(units)} {unit_name}"
        items.append(item_from_row(u.name, u.row, tokens / MILLION, "1M tokens", note=(note + ". " + u.note).strip()))
    if prices.hosting is not None:
        items.append(
            item_from_row(
                "Hosting (deployed hours)",
                prices.hosting,
                traffic.hosted_hours,
                "hours",
                note=f"{traffic.hosted_hours.normalize():f} deployed hours a month. {prices.hosting.note}".strip(),
            )
        )
    storage = (
        catalog.maybe_lookup(path.provider, prices.model, Variant.FINE_TUNED, Kind.STORAGE_MONTH, "standard", as_of)
        if path.fine_tuned
        else None
    )
    if storage is not None:
        items.append(storage_item(storage, traffic))
    training = _training_breakdown(catalog, path, as_of, training_tokens, epochs, throughput_tokens_per_hour)
    return assemble(path, prices.model, as_of, traffic, items, training, amortise_training, horizon_months)


def storage_item(row: PriceRow, traffic: Traffic) -> LineItem:
    """A monthly model-storage fee as a line item (fixed per month)."""
    return item_from_row(
        "Custom model storage (per month)",
        row,
        Decimal(1),
        "months",
        note=f"a monthly fee for keeping the custom model, whatever the traffic. {row.note}".strip(),
    )


def assemble(
    path: PathSpec,
    model: str,
    as_of: date,
    traffic: Traffic,
    items: list[LineItem],
    training: Breakdown | None,
    amortise_training: bool,
    horizon_months: int,
    capacity: CapacityPlan | None = None,
) -> PathCost:
    """The :class:`PathCost` from monthly items and the training one-off (amortised if asked)."""
    amortised = amortise_training and training is not None and training.complete
    if training is not None and amortised:
        months = Decimal(horizon_months)
        items.extend(
            i.model_copy(
                update={
                    "name": f"{i.name}, amortised over {horizon_months} months",
                    "quantity": i.quantity / months,
                    "cost": None if i.cost is None else i.cost / months,
                }
            )
            for i in training.items
        )
    inp, out = traffic.shape(few_shot=not path.fine_tuned)
    return PathCost(
        path=path,
        model=model,
        as_of=as_of,
        monthly=Breakdown(label=f"{path.label} per month", items=tuple(items)),
        training=training,
        training_amortised=amortised,
        horizon_months=horizon_months,
        input_tokens_per_unit=inp,
        output_tokens_per_unit=out,
        capacity=capacity,
    )


def linear_cost(cost: PathCost, traffic: Traffic) -> LinearCost:
    """The coefficients behind ``cost`` (hosting and amortised training are fixed per hour)."""
    units = traffic.units_per_month
    variable = ZERO
    fixed_month = ZERO
    for i in cost.monthly.items:
        if i.cost is None:
            raise PriceLookupError(
                f"{cost.path.label}: '{i.name}' has no published price",
                hint="add an amount for it in a catalogue file",
            )
        if i.kind in ("input", "cached_input", "output"):
            variable += i.cost
        else:
            fixed_month += i.cost
    one_off = cost.one_off_total
    if cost.training is None and cost.path.fine_tuned:
        one_off = None  # training volume not given: the one-off is unknown, not zero
    return LinearCost(
        path=cost.path,
        unit=traffic.unit,
        one_off=one_off,
        fixed_per_hour=quantize(fixed_month / traffic.hours_per_month, FINE),
        per_unit=quantize(variable / units, PER_UNIT),
        reliability=cost.reliability,
    )
