"""Training cost: per token, per compute hour, and reinforcement fine-tuning per hour.

Equations (all amounts USD, prices from the catalogue):

* per token (OpenAI; Azure from mid-2024):
  ``cost = billed_tokens x epochs / 1e6 x price_per_1m``. Validation tokens are free.
* per compute hour (Azure before mid-2024):
  ``hours = billed_tokens x epochs / throughput_tokens_per_hour``; ``cost = hours x price_per_hour``.
  The throughput is an explicit assumption (:data:`DEFAULT_TRAINING_THROUGHPUT_TOKENS_PER_HOUR`) or
  derived from a measured job with :func:`throughput_from_job`.
* reinforcement fine-tuning: ``cost = min(hours x price_per_hour, cap)`` where the provider has a
  per-job cap (Azure: $5,000); OpenAI has none.

>>> from decimal import Decimal
>>> per_token_cost(100_000, 3, Decimal("8.00"))
Decimal('2.400')
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from costmodel.engine.breakdown import Breakdown, LineItem, item_from_row
from costmodel.errors import InputError, PriceLookupError
from costmodel.money import MILLION
from costmodel.prices import Catalog, Kind, Provider, Reliability, Variant

__all__ = [
    "DEFAULT_TRAINING_THROUGHPUT_TOKENS_PER_HOUR",
    "MAX_DEFAULT_EPOCHS",
    "MAX_TARGET_EXAMPLES",
    "MIN_DEFAULT_EPOCHS",
    "MIN_TARGET_EXAMPLES",
    "TARGET_EPOCHS",
    "compute_hour_cost",
    "default_epochs",
    "estimate_training",
    "per_token_cost",
    "rft_cost",
    "throughput_from_job",
]

# OpenAI cookbook ("Data preparation and analysis for chat model fine-tuning") default-epoch heuristic.
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25

# Assumed training throughput for Azure's compute-hour era. No source publishes one. This value is
# the throughput at which Microsoft's June-2024 per-token price for gpt-35-turbo ($8 per 1M tokens)
# equals its previous hourly rate ($45 per hour): 45 / 8 x 1e6 = 5,625,000 tokens per hour. Both
# figures are unconfirmed, so every cost computed with it is graded "unconfirmed".
DEFAULT_TRAINING_THROUGHPUT_TOKENS_PER_HOUR = Decimal(5_625_000)


def default_epochs(n_examples: int) -> int:
    """Epochs OpenAI picks for ``n_epochs="auto"`` (cookbook heuristic).

    ``3``; if ``3n < 100`` then ``min(25, 100 // n)``; if ``3n > 25,000`` then ``max(1, 25,000 // n)``.

    >>> default_epochs(10), default_epochs(5), default_epochs(500), default_epochs(20_000)
    (10, 20, 3, 1)
    """
    if n_examples <= 0:
        raise InputError("the dataset has no examples", field="examples", hint="add at least 10 examples")
    epochs = TARGET_EPOCHS
    if epochs * n_examples < MIN_TARGET_EXAMPLES:
        epochs = min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    elif epochs * n_examples > MAX_TARGET_EXAMPLES:
        epochs = max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return epochs


# Far above any fine-tuning file (providers cap files at a few GB); keeps money within Decimal's 28 digits.
MAX_TRAINING_TOKENS = 10**13
MAX_EPOCHS = 50  # the n_epochs range of both fine-tuning APIs


def _check_volume(billed_tokens: int, epochs: int) -> None:
    if billed_tokens <= 0:
        raise InputError(
            f"training tokens must be positive, got {billed_tokens}",
            field="tokens",
            hint="give the billed tokens of the training file",
        )
    if billed_tokens > MAX_TRAINING_TOKENS:
        raise InputError(
            f"training tokens {billed_tokens:,} are more than the {MAX_TRAINING_TOKENS:,} costmodel accepts",
            field="tokens",
            hint="give the billed tokens of one epoch of the training file",
        )
    if epochs <= 0:
        raise InputError(f"epochs must be positive, got {epochs}", field="epochs", hint="use 1 or more epochs")


def per_token_cost(billed_tokens: int, epochs: int, price_per_1m: Decimal) -> Decimal:
    """``billed_tokens x epochs / 1e6 x price_per_1m``."""
    _check_volume(billed_tokens, epochs)
    return Decimal(billed_tokens) * epochs / MILLION * price_per_1m


def compute_hour_cost(
    billed_tokens: int, epochs: int, price_per_hour: Decimal, throughput_tokens_per_hour: Decimal
) -> tuple[Decimal, Decimal]:
    """``(hours, cost)`` with ``hours = billed_tokens x epochs / throughput``."""
    _check_volume(billed_tokens, epochs)
    if throughput_tokens_per_hour < 1:  # below one token an hour the hours (and the cost) explode
        raise InputError(
            "training throughput must be positive (at least 1 token per hour)",
            field="throughput_tokens_per_hour",
            hint="e.g. 5625000",
        )
    hours = Decimal(billed_tokens) * epochs / throughput_tokens_per_hour
    return hours, hours * price_per_hour


def throughput_from_job(trained_tokens: int, duration_seconds: Decimal) -> Decimal:
    """Tokens per hour observed in a finished job (``trained_tokens`` over its training time)."""
    if trained_tokens <= 0 or duration_seconds <= 0:
        raise InputError("a measured job needs positive trained tokens and duration", field="duration_seconds")
    return Decimal(trained_tokens) * 3600 / duration_seconds


def rft_cost(hours: Decimal, price_per_hour: Decimal, cap: Decimal | None) -> Decimal:
    """Reinforcement fine-tuning: ``min(hours x price, cap)`` (no cap when ``cap`` is None).

    >>> rft_cost(Decimal(60), Decimal(100), Decimal(5000))
    Decimal('5000')
    """
    if hours < 0:
        raise InputError("RFT hours must not be negative", field="hours")
    raw = hours * price_per_hour
    return raw if cap is None else min(raw, cap)


def estimate_training(
    catalog: Catalog,
    *,
    provider: str,
    model: str,
    tier: str,
    as_of: date,
    billed_tokens: int,
    epochs: int,
    throughput_tokens_per_hour: Decimal | None = None,
) -> Breakdown:
    """Training cost of a supervised (or DPO) job at ``as_of``, as line items.

    Uses the per-token price when one is in force; otherwise the compute-hour price with the
    throughput assumption. Raises :class:`PriceLookupError` when neither exists.
    """
    _check_volume(billed_tokens, epochs)
    prov = Provider(provider)
    canonical = catalog.canonical_model(prov, model, as_of, Variant.FINE_TUNED)
    label = f"Training {prov}:{canonical}@{tier}"
    row = catalog.maybe_lookup(prov, canonical, Variant.FINE_TUNED, Kind.TRAINING, tier, as_of)
    if row is not None:
        quantity = Decimal(billed_tokens) * epochs / MILLION
        item = item_from_row(
            f"Training tokens ({billed_tokens:,} billed x {epochs} epochs)",
            row,
            quantity,
            "1M tokens",
            note=f"billed tokens x epochs x price; validation tokens are free. {row.note}".strip(),
        )
        return Breakdown(label=label, items=(item,))
    hourly = catalog.maybe_lookup(prov, canonical, Variant.FINE_TUNED, Kind.TRAINING_HOURLY, tier, as_of)
    if hourly is not None:
        throughput = (
            DEFAULT_TRAINING_THROUGHPUT_TOKENS_PER_HOUR
            if throughput_tokens_per_hour is None
            else throughput_tokens_per_hour
        )
        assumed = throughput_tokens_per_hour is None
        hours, _ = compute_hour_cost(billed_tokens, epochs, hourly.amount or Decimal(0), throughput)
        item = item_from_row(
            f"Training compute hours ({billed_tokens:,} x {epochs} epochs at {throughput:,.0f} tokens/h)",
            hourly,
            hours,
            "hours",
            note=(
                "hours = billed tokens x epochs / throughput; "
                + (
                    "throughput is the default assumption (the rate at which $8/1M equals $45/h; unconfirmed)"
                    if assumed
                    else "throughput given by the user"
                )
                + f". {hourly.note}"
            ).strip(),
        )
        if assumed:
            item = item.model_copy(update={"reliability": Reliability.UNCONFIRMED})
        return Breakdown(label=label, items=(item,))
    rows = [
        r
        for r in catalog.rows
        if r.provider == prov and r.model == canonical and r.kind in (Kind.TRAINING, Kind.TRAINING_HOURLY)
    ]
    seen = "; ".join(r.describe() for r in rows) or "none"
    raise PriceLookupError(
        f"no training price for {prov} {canonical} at tier '{tier}' on {as_of}. Rows seen: {seen}",
        field="as_of",
        hint="choose a date and tier that have a training price, or add one in a catalogue file",
    )


def estimate_rft(catalog: Catalog, *, provider: str, model: str, tier: str, as_of: date, hours: Decimal) -> Breakdown:
    """Reinforcement fine-tuning cost for ``hours`` of core training, capped where the provider caps it."""
    prov = Provider(provider)
    canonical = catalog.canonical_model(prov, model, as_of, Variant.FINE_TUNED)
    row = catalog.lookup(prov, canonical, Variant.FINE_TUNED, Kind.RFT_TRAINING, tier, as_of)
    cap_row = catalog.maybe_lookup(prov, canonical, Variant.FINE_TUNED, Kind.RFT_JOB_CAP, tier, as_of)
    item = item_from_row(f"RFT core training ({hours} h)", row, hours, "hours")
    items: list[LineItem] = [item]
    if cap_row is not None and cap_row.amount is not None and item.cost is not None and item.cost > cap_row.amount:
        items.append(
            LineItem(
                name="Per-job billing cap",
                kind=cap_row.kind.value,
                quantity=Decimal(1),
                quantity_unit="job",
                unit_price=cap_row.amount - item.cost,
                cost=cap_row.amount - item.cost,
                reliability=cap_row.reliability,
                source_url=cap_row.source_url,
                note=f"billing stops at {cap_row.amount} per job; training pauses at the cap. {cap_row.note}",
            )
        )
    return Breakdown(label=f"RFT {prov}:{canonical}@{tier}", items=tuple(items))
