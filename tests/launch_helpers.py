"""Shared pieces for the launcher tests: a fake dataset analysis, a small catalogue, a dataset.

The fake analysis stands in for ``costmodel.dataset.analyze_file`` (issue 3) through the
launcher's ``preflight`` injection point; it returns fixed, hand-chosen numbers so expected
costs can be written down by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from costmodel.prices import Catalog, PriceRow, bundled_catalog

AS_OF = date(2025, 6, 1)
# A recognisable fake key: tests search for it everywhere it must never appear.
FAKE_KEY = "sk-test-LEAKCANARY-0123456789abcdefXYZ"
FAKE_AZURE_KEY = "azkey-LEAKCANARY-9876543210fedcba"

OPENAI_MODEL = "gpt-4o-mini-2024-07-18"
AZURE_MODEL = "gpt-4.1-mini-2025-04-14"
# Prices used by the tests (same figures as data/prices.csv; source: OpenAI / Azure pricing pages copies)
OPENAI_TRAINING_PRICE = Decimal("3.00")
AZURE_TRAINING_PRICE = Decimal("5.50")


@dataclass(frozen=True)
class FakeProblem:
    line: int | None
    field: str | None
    code: str
    severity: str
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class FakeAnalysis:
    examples: int = 12
    billed_tokens: int = 10_000
    n_epochs: int = 3
    encoding: str = "o200k_base"
    problems: tuple[FakeProblem, ...] = field(default=())

    @property
    def trained_tokens(self) -> int:
        return self.billed_tokens * self.n_epochs

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def fake_preflight(analysis: FakeAnalysis | None = None):  # type: ignore[no-untyped-def]
    def run(
        path: Path, *, model: str, epochs: int | None, catalog: Catalog, provider: str | None = None
    ) -> FakeAnalysis:
        base = analysis or FakeAnalysis()
        if epochs is not None:
            return FakeAnalysis(base.examples, base.billed_tokens, epochs, base.encoding, base.problems)
        return base

    return run


def small_catalog() -> Catalog:
    rows = [
        PriceRow(
            provider="openai",
            model=OPENAI_MODEL,
            variant="fine_tuned",
            kind="training",
            unit="usd_per_1m_tokens",
            tier="standard",
            amount=OPENAI_TRAINING_PRICE,
            effective_from=date(2024, 7, 18),
            source_url="https://openai.com/api/pricing/",
            reliability="copy_of_official",
        ),
        PriceRow(
            provider="azure",
            model=AZURE_MODEL,
            variant="fine_tuned",
            kind="training",
            unit="usd_per_1m_tokens",
            tier="standard",
            amount=AZURE_TRAINING_PRICE,
            effective_from=date(2025, 4, 14),
            source_url="https://azure.microsoft.com/pricing/details/cognitive-services/openai-service/",
            reliability="official",
        ),
        PriceRow(
            provider="azure",
            model=AZURE_MODEL,
            variant="fine_tuned",
            kind="training",
            unit="usd_per_1m_tokens",
            tier="developer",
            amount=Decimal("0.50"),  # a test figure, not a published price
            effective_from=date(2025, 4, 14),
            source_url="https://azure.microsoft.com/pricing/details/cognitive-services/openai-service/",
            reliability="official",
        ),
        PriceRow(
            provider="azure",
            model=AZURE_MODEL,
            variant="fine_tuned",
            kind="training",
            unit="usd_per_1m_tokens",
            tier="global",
            amount=Decimal("5.00"),  # a test figure, not a published price
            effective_from=date(2025, 4, 14),
            source_url="https://azure.microsoft.com/pricing/details/cognitive-services/openai-service/",
            reliability="third_party",
        ),
    ]
    return Catalog(rows, bundled_catalog().models)


def write_dataset(path: Path, n: int = 12) -> Path:
    lines = [
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"question {i}"},
                    {"role": "assistant", "content": f"answer {i}"},
                ]
            }
        )
        for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
