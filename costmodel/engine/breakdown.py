"""Results as line items: every figure opens into what it is made of.

A :class:`LineItem` is one priced quantity (name, quantity and its unit, unit price, cost, the
grade and source of the price). A :class:`Breakdown` is a labelled tuple of line items whose
total is their sum and whose reliability is the lowest grade among them. A missing input is
``None``, never zero. Line-item costs and quantities are quantised to 1e-12
(:data:`~costmodel.money.FINE`), totals to 1e-9 USD (:data:`~costmodel.money.TOTAL`; see
:mod:`costmodel.money` for why).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, field_validator

from costmodel.errors import PriceLookupError
from costmodel.money import TOTAL, ZERO, fine, quantize
from costmodel.prices import PriceRow, Reliability, lowest_reliability

__all__ = ["Breakdown", "LineItem", "item_from_row"]

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class LineItem(BaseModel):
    model_config = _FROZEN

    name: str
    kind: str
    quantity: Decimal
    quantity_unit: str
    unit_price: Decimal | None
    cost: Decimal | None
    reliability: Reliability
    source_url: str | None = None
    note: str = ""

    @field_validator("quantity", "cost")
    @classmethod
    def _quantised(cls, value: Decimal | None) -> Decimal | None:
        return fine(value)


class Breakdown(BaseModel):
    model_config = _FROZEN

    label: str
    items: tuple[LineItem, ...] = ()

    @property
    def total(self) -> Decimal:
        """Sum of the priced items (to 1e-9 USD). Raises if an item has no price (a missing input)."""
        missing = [i.name for i in self.items if i.cost is None]
        if missing:
            raise PriceLookupError(
                f"{self.label}: no published price for {', '.join(missing)}",
                hint="add an amount for it in a catalogue file (--catalog), or choose another tier or date",
            )
        return quantize(self.exact_sum(), TOTAL)

    def exact_sum(self) -> Decimal:
        """Sum of the priced items' costs before the total's rounding (for sums of totals)."""
        return sum((i.cost for i in self.items if i.cost is not None), ZERO)

    @property
    def complete(self) -> bool:
        return all(i.cost is not None for i in self.items)

    @property
    def reliability(self) -> Reliability:
        return lowest_reliability(i.reliability for i in self.items)

    def scaled(self, factor: Decimal, label: str | None = None) -> Breakdown:
        """The same items with quantities and costs multiplied by ``factor``."""
        return Breakdown(
            label=label or self.label,
            items=tuple(
                i.model_copy(
                    update={
                        "quantity": i.quantity * factor,
                        "cost": None if i.cost is None else i.cost * factor,
                    }
                )
                for i in self.items
            ),
        )

    def __add__(self, other: Breakdown) -> Breakdown:
        return Breakdown(label=self.label, items=self.items + other.items)


def item_from_row(name: str, row: PriceRow, quantity: Decimal, quantity_unit: str, note: str = "") -> LineItem:
    """A line item priced by a catalogue row: cost = quantity x amount."""
    cost = None if row.amount is None else quantity * row.amount
    return LineItem(
        name=name,
        kind=row.kind.value,
        quantity=quantity,
        quantity_unit=quantity_unit,
        unit_price=row.amount,
        cost=cost,
        reliability=row.reliability,
        source_url=row.source_url,
        note=note or row.note,
    )
