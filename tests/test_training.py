"""Training cost formulas. Expected values are worked by hand from the prices named beside them."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costmodel.engine.training import (
    DEFAULT_TRAINING_THROUGHPUT_TOKENS_PER_HOUR,
    compute_hour_cost,
    default_epochs,
    estimate_rft,
    estimate_training,
    per_token_cost,
    rft_cost,
    throughput_from_job,
)
from costmodel.errors import InputError, PriceLookupError
from costmodel.prices import Reliability


@pytest.mark.parametrize(
    ("tokens", "epochs", "price", "expected", "source"),
    [
        # OpenAI fine-tuning guide: "100,000 tokens x 3 epochs ~ $2.40" on gpt-3.5-turbo at $0.008/1K.
        (100_000, 3, D("8.00"), D("2.40"), "OpenAI guide, gpt-3.5-turbo"),
        # OpenAI guide (2024): the same file on gpt-4o-mini at $3.00/1M costs about $0.90.
        (100_000, 3, D("3.00"), D("0.90"), "OpenAI guide, gpt-4o-mini"),
        # By hand: 1,234,567 x 2 / 1e6 x 25 = 61.72835 (gpt-4o at $25/1M).
        (1_234_567, 2, D("25.00"), D("61.72835"), "hand calculation"),
    ],
)
def test_per_token_cost_table(tokens: int, epochs: int, price: D, expected: D, source: str) -> None:
    assert per_token_cost(tokens, epochs, price) == expected, source


def test_compute_hours_by_hand() -> None:
    # 5,625,000 tokens x 2 epochs / 5,625,000 tokens per hour = 2 hours; x $45 = $90.
    hours, cost = compute_hour_cost(5_625_000, 2, D(45), D(5_625_000))
    assert (hours, cost) == (D(2), D(90))


def test_default_throughput_is_the_stated_derivation() -> None:
    # $45 per hour / $8 per 1M tokens = 5.625M tokens per hour (training.py explains the choice).
    assert D(45) / D(8) * 1_000_000 == DEFAULT_TRAINING_THROUGHPUT_TOKENS_PER_HOUR


@pytest.mark.parametrize(
    ("n", "epochs"),
    [(5, 20), (10, 10), (33, 3), (34, 3), (500, 3), (8_333, 3), (8_334, 2), (20_000, 1), (100_000, 1), (1, 25)],
)
def test_default_epochs_cookbook_heuristic(n: int, epochs: int) -> None:
    # Worked from the cookbook rule: 3 epochs; 3n < 100 -> min(25, 100 // n); 3n > 25,000 -> max(1, 25,000 // n).
    assert default_epochs(n) == epochs


def test_rft_cap() -> None:
    # Azure RFT: 60 h x $100 = $6,000, capped at $5,000 per job (Microsoft cost-management article).
    assert rft_cost(D(60), D(100), D(5000)) == D(5000)
    assert rft_cost(D(10), D(100), D(5000)) == D(1000)
    assert rft_cost(D(60), D(100), None) == D(6000)


def test_estimate_rft_line_items(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    b = estimate_rft(
        mini_catalog, provider="azure", model="o4-mini", tier="global", as_of=date(2025, 6, 1), hours=D(60)
    )
    assert b.total == D(5000)
    assert [i.name for i in b.items] == ["RFT core training (60 h)", "Per-job billing cap"]


def test_throughput_from_job() -> None:
    # 3,000,000 trained tokens in 1,800 s -> 6,000,000 tokens per hour.
    assert throughput_from_job(3_000_000, D(1800)) == D(6_000_000)


def test_estimate_per_token_and_hourly_eras(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    oai = estimate_training(
        mini_catalog,
        provider="openai",
        model="gpt-3.5-turbo",
        tier="standard",
        as_of=date(2024, 1, 15),
        billed_tokens=100_000,
        epochs=3,
    )
    assert oai.total == D("2.4")
    assert oai.reliability == Reliability.OFFICIAL
    # Azure before July 2024: compute hours at the default throughput (unconfirmed).
    az = estimate_training(
        mini_catalog,
        provider="azure",
        model="gpt-35-turbo",
        tier="standard",
        as_of=date(2024, 1, 15),
        billed_tokens=5_625_000,
        epochs=1,
    )
    assert az.total == D(45)
    assert az.items[0].quantity_unit == "hours"
    assert az.reliability == Reliability.UNCONFIRMED
    # With a measured throughput of 11.25M tokens/h the same job takes half an hour: $22.50.
    az2 = estimate_training(
        mini_catalog,
        provider="azure",
        model="gpt-35-turbo",
        tier="standard",
        as_of=date(2024, 1, 15),
        billed_tokens=5_625_000,
        epochs=1,
        throughput_tokens_per_hour=D(11_250_000),
    )
    assert az2.total == D("22.5")


def test_estimate_before_any_price_names_rows(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PriceLookupError) as err:
        estimate_training(
            mini_catalog,
            provider="openai",
            model="gpt-3.5-turbo",
            tier="standard",
            as_of=date(2022, 1, 1),
            billed_tokens=1000,
            epochs=1,
        )
    assert "2023-08-22" in str(err.value)


@pytest.mark.parametrize(("tokens", "epochs"), [(0, 3), (-5, 3), (100, 0), (100, -1)])
def test_zero_or_negative_volume_is_refused(tokens: int, epochs: int) -> None:
    with pytest.raises(InputError):
        per_token_cost(tokens, epochs, D(8))


@given(st.integers(1, 10**9), st.integers(1, 50), st.decimals(min_value=0, max_value=1000, places=3))
def test_per_token_cost_linear_and_monotone(tokens: int, epochs: int, price: D) -> None:
    one = per_token_cost(tokens, epochs, price)
    assert per_token_cost(tokens * 2, epochs, price) == one * 2
    assert per_token_cost(tokens + 1, epochs, price) >= one
    assert per_token_cost(tokens, epochs + 1, price) >= one
