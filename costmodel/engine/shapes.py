"""Cost shapes as piecewise-linear hourly costs in traffic, and the capacity staircase.

Every path's running cost per hour is a function of the traffic ``x`` (units per hour, the same
unit as :class:`~costmodel.engine.usage.LinearCost`: requests or workload tokens). The shapes:

(a) per token: ``C(x) = v x``;
(b) per token plus a fee per deployed hour: ``C(x) = H + v x``;
(c) provisioned capacity (Azure PTU, Bedrock model units, dedicated endpoints) and (d) self-hosted
    serving: ``C(x) = p x n(x) + H + v x`` with the number of units (instances)::

        n(x) = max(n_min, s x ceil( max(1, ceil(x f / c)) / s ))

    where ``c`` is one unit's sustainable throughput (units of traffic per hour), ``f`` the
    peak-to-average factor, ``s`` the scale increment and ``n_min`` the minimum. ``C`` is a
    staircase: flat between the traffic levels ``x_k = k s c / f`` and one step ``p s`` higher
    just above each of them;
(e) storage or a monthly model fee: a fixed ``H = fee / hours per month``.

A :class:`PiecewiseCost` holds the segments ``(lo, hi]`` (the first one includes 0) on each of
which ``C(x) = fixed + slope x``. Staircases are cut at an upper traffic bound given by the caller
(they have infinitely many steps); a linear cost has one unbounded segment.

>>> from decimal import Decimal as D
>>> units_needed(D(1000), per_unit=D(400), peak_factor=D(1), minimum=1, increment=1)
3
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from costmodel.errors import InputError
from costmodel.money import FINE, PER_UNIT, ZERO, quantize
from costmodel.prices import Reliability

if TYPE_CHECKING:
    from costmodel.engine.usage import PathSpec

__all__ = [
    "MAX_SEGMENTS",
    "CapacityPlan",
    "PiecewiseCost",
    "Segment",
    "capacity_cost",
    "linear_piecewise",
    "units_needed",
]

MAX_SEGMENTS = 20_000


@dataclass(frozen=True)
class Segment:
    """``C(x) = fixed + slope x`` for ``lo < x <= hi`` (``hi`` None: unbounded)."""

    lo: Decimal
    hi: Decimal | None
    fixed: Decimal
    slope: Decimal

    def at(self, x: Decimal) -> Decimal:
        return self.fixed + self.slope * x


@dataclass(frozen=True)
class PiecewiseCost:
    """An hourly cost that is linear on each segment; segments are contiguous from 0."""

    label: str
    segments: tuple[Segment, ...]
    reliability: Reliability = Reliability.OFFICIAL
    one_off: Decimal | None = ZERO
    path: PathSpec | None = None  # the path this cost belongs to (None: ``label`` is the path's text)

    def __post_init__(self) -> None:
        if not self.segments or self.segments[0].lo != 0:
            raise ValueError("segments must start at traffic 0")
        for a, b in zip(self.segments, self.segments[1:], strict=False):
            if a.hi is None or a.hi != b.lo or a.hi <= a.lo:
                raise ValueError("segments must be contiguous and increasing")

    @property
    def upper(self) -> Decimal | None:
        """The largest traffic the cost is defined for (None: every traffic)."""
        return self.segments[-1].hi

    def segment_at(self, x: Decimal) -> Segment:
        if x < 0:
            raise ValueError("traffic must not be negative")
        for s in self.segments:
            if s.hi is None or x <= s.hi:
                return s
        raise InputError(
            f"{self.label}: traffic {x} is above the range this cost was built for ({self.upper})",
            field="traffic",
            hint="build the cost up to a larger traffic",
        )

    def at(self, x: Decimal) -> Decimal:
        """Hourly cost at ``x`` units per hour."""
        return self.segment_at(x).at(x)

    def breakpoints(self) -> list[Decimal]:
        return [s.hi for s in self.segments if s.hi is not None]


def linear_piecewise(
    label: str,
    fixed_per_hour: Decimal,
    per_unit: Decimal,
    reliability: Reliability,
    one_off: Decimal | None = ZERO,
    *,
    path: PathSpec | None = None,
) -> PiecewiseCost:
    """Shapes (a), (b), (e): one unbounded segment."""
    return PiecewiseCost(label, (Segment(ZERO, None, fixed_per_hour, per_unit),), reliability, one_off, path)


def _ceil(x: Decimal) -> int:
    return int(x.to_integral_value(rounding=ROUND_CEILING))


def _check_capacity(per_unit: Decimal, peak_factor: Decimal, minimum: int, increment: int) -> None:
    if per_unit <= 0:
        raise InputError(
            f"throughput per unit must be positive, got {per_unit}",
            field="tokens_per_second_per_unit",
            hint="give the sustainable throughput of one unit or instance (e.g. measured with costmodel bench)",
        )
    if peak_factor < 1:
        raise InputError(
            f"peak-to-average factor must be at least 1, got {peak_factor}",
            field="peak_factor",
            hint="1 for flat traffic; 2 to 3 for a daytime peak",
        )
    if minimum < 0 or increment < 1:
        raise InputError(
            "minimum units must be 0 or more and the increment at least 1",
            field="minimum_units",
            hint="e.g. minimum 1, increment 1",
        )


def units_needed(x: Decimal, *, per_unit: Decimal, peak_factor: Decimal, minimum: int, increment: int) -> int:
    """``max(minimum, increment x ceil(ceil(x f / c) / increment))`` (see the module docstring)."""
    _check_capacity(per_unit, peak_factor, minimum, increment)
    raw = max(1, _ceil(x * peak_factor / per_unit))  # a running path has at least one increment
    stepped = _ceil(Decimal(raw) / increment) * increment
    return max(minimum, stepped)


def capacity_cost(
    label: str,
    *,
    price_per_unit_hour: Decimal,
    per_unit: Decimal,
    up_to: Decimal,
    peak_factor: Decimal = Decimal(1),
    minimum: int = 1,
    increment: int = 1,
    fixed_per_hour: Decimal = ZERO,
    per_traffic_unit: Decimal = ZERO,
    reliability: Reliability = Reliability.OFFICIAL,
    one_off: Decimal | None = ZERO,
    path: PathSpec | None = None,
) -> PiecewiseCost:
    """Shapes (c) and (d): the staircase ``p n(x) + H + v x`` for ``0 <= x <= up_to``.

    ``per_unit`` is one unit's sustainable throughput in units of traffic per hour (the caller
    converts tokens per second with the workload's tokens per unit).
    """
    _check_capacity(per_unit, peak_factor, minimum, increment)
    if up_to <= 0:
        raise InputError("the traffic range must be positive", field="up_to", hint="e.g. twice the expected traffic")
    width = per_unit * increment / peak_factor  # traffic covered by one more increment
    steps = _ceil(up_to / width)
    if steps > MAX_SEGMENTS:
        raise InputError(
            f"{label}: {steps:,} capacity steps up to {up_to} units per hour are too many to draw",
            field="up_to",
            hint="give a smaller traffic range or a larger throughput per unit",
        )
    segments: list[Segment] = []
    lo = ZERO
    for k in range(1, steps + 1):
        hi = up_to if k == steps else width * k  # the last step ends at up_to exactly (no 79.99...)
        n = max(minimum, k * increment)
        seg = Segment(lo, hi, fixed_per_hour + price_per_unit_hour * n, per_traffic_unit)
        if segments and segments[-1].fixed == seg.fixed and segments[-1].slope == seg.slope:
            segments[-1] = Segment(segments[-1].lo, hi, seg.fixed, seg.slope)  # below the minimum: one flat piece
        else:
            segments.append(seg)
        lo = hi
    return PiecewiseCost(label, tuple(segments), reliability, one_off, path)


@dataclass(frozen=True)
class CapacityPlan:
    """What a capacity-priced path (provisioned units, dedicated GPUs, self-hosted instances) runs on.

    ``capacity_tokens_per_unit`` is how many capacity tokens one unit of traffic uses (input +
    weight x output); one unit sustains ``tokens_per_second_per_unit`` of them, so it serves
    ``tokens_per_second_per_unit x 3600 / capacity_tokens_per_unit`` units of traffic per hour.
    ``fixed_per_hour`` (storage, fees) and ``per_traffic_unit`` (token charges on top) complete
    ``C(x) = price x n(x) + fixed + v x``.
    """

    unit_name: str
    price_per_unit_hour: Decimal
    tokens_per_second_per_unit: Decimal
    capacity_tokens_per_unit: Decimal
    peak_factor: Decimal
    minimum: int
    increment: int
    units: int
    fixed_per_hour: Decimal
    per_traffic_unit: Decimal
    throughput_source: str
    reliability: Reliability

    def __post_init__(self) -> None:
        # what leaves the engine is quantised (costmodel.money): amounts per hour and computed
        # throughputs to 1e-12, the charge per unit of traffic to 1e-15
        for name in ("tokens_per_second_per_unit", "capacity_tokens_per_unit", "fixed_per_hour"):
            object.__setattr__(self, name, quantize(getattr(self, name), FINE))
        object.__setattr__(self, "per_traffic_unit", quantize(self.per_traffic_unit, PER_UNIT))

    @property
    def traffic_per_unit_hour(self) -> Decimal:
        return self.tokens_per_second_per_unit * 3600 / self.capacity_tokens_per_unit

    def curve(
        self, label: str, up_to: Decimal, one_off: Decimal | None = ZERO, *, path: PathSpec | None = None
    ) -> PiecewiseCost:
        return capacity_cost(
            label,
            price_per_unit_hour=self.price_per_unit_hour,
            per_unit=self.traffic_per_unit_hour,
            up_to=up_to,
            peak_factor=self.peak_factor,
            minimum=self.minimum,
            increment=self.increment,
            fixed_per_hour=self.fixed_per_hour,
            per_traffic_unit=self.per_traffic_unit,
            reliability=self.reliability,
            one_off=one_off,
            path=path,
        )
