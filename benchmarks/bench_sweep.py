"""Sweep benchmark (issue 2): 1,000 x 1,000 scenarios at once vs the scalar engine in a Python loop.

Run from the repository root: .venv/bin/python benchmarks/bench_sweep.py

A scenario is (traffic in tokens per hour, input share) for the late-2023 OpenAI vs Azure
gpt-3.5-turbo comparison: both paths' monthly cost plus their break-even. The baseline computes the
same with the scalar Decimal functions (path_cost, linear_cost, breakeven) on a 10,000-scenario
sample; the speed-up is per scenario. Targets: sweep under 1 s, at least 50x the loop.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from costmodel.engine.breakeven import breakeven
from costmodel.engine.sweep import breakeven_grid, coefficients, monthly_cost_grid
from costmodel.engine.usage import PathSpec, Traffic, linear_cost, path_cost
from costmodel.prices import bundled_catalog

AS_OF = date(2024, 1, 15)
A = PathSpec.parse("openai:gpt-3.5-turbo:ft")
B = PathSpec.parse("azure:gpt-35-turbo:ft@standard")


def sweep(n: int) -> float:
    cat = bundled_catalog()
    t0 = time.perf_counter()
    ca, cb = coefficients(cat, A, as_of=AS_OF), coefficients(cat, B, as_of=AS_OF)
    tokens = np.geomspace(1e3, 1e9, n)
    shares = np.linspace(0.0, 1.0, n)
    cost_a = monthly_cost_grid(ca, tokens, shares)
    cost_b = monthly_cost_grid(cb, tokens, shares)
    cheaper_b = cost_b < cost_a
    be = breakeven_grid(ca, cb, shares)
    elapsed = time.perf_counter() - t0
    assert cost_a.shape == (n, n) and cheaper_b.shape == (n, n) and be.status.shape == (n, 1)
    return elapsed


def scalar_loop(samples: int) -> float:
    cat = bundled_catalog()
    rng = random.Random(42)
    t0 = time.perf_counter()
    for _ in range(samples):
        tph = Decimal(rng.randint(1_000, 10**9))
        share = Decimal(rng.randint(0, 1000)) / 1000
        per_month = tph * 730
        t = Traffic(input_tokens_per_month=per_month * share, output_tokens_per_month=per_month * (1 - share))
        a, b = path_cost(cat, A, t, as_of=AS_OF), path_cost(cat, B, t, as_of=AS_OF)
        _ = a.monthly_total < b.monthly_total
        breakeven(linear_cost(a, t), linear_cost(b, t), tokens_per_unit=Decimal(1))
    return time.perf_counter() - t0


def main() -> None:
    n, samples = 1000, 10_000
    sweep(50)  # warm-up: imports, catalogue load
    t_sweep = min(sweep(n) for _ in range(3))
    t_loop = scalar_loop(samples)
    per_sweep = t_sweep / (n * n)
    per_loop = t_loop / samples
    print(f"sweep {n} x {n} = {n * n:,} scenarios: {t_sweep:.3f} s ({per_sweep * 1e9:.1f} ns per scenario)")
    print(f"scalar loop, {samples:,} scenarios: {t_loop:.3f} s ({per_loop * 1e6:.1f} us per scenario)")
    print(f"speed-up per scenario: {per_loop / per_sweep:,.0f}x (target >= 50x); sweep under 1 s: {t_sweep < 1}")


if __name__ == "__main__":
    main()
