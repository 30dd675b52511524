"""Result models of the dataset analysis (frozen pydantic)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from costmodel.errors import InputError

__all__ = ["DatasetAnalysis", "DatasetStats", "Distribution", "Problem"]

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class Problem(BaseModel):
    """One problem found in a training file.

    ``line`` is 1-based (``None`` for the file as a whole); ``field`` a path such as
    ``messages[2].content``; ``code`` a stable identifier (see ``CODES`` in
    :mod:`costmodel.dataset`); ``error`` blocks a launch, ``warning`` does not.
    """

    model_config = _FROZEN

    line: int | None
    field: str | None
    code: str
    severity: Literal["error", "warning"]
    message: str
    hint: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        if self.field:
            where += f", {self.field}"
        return f"{where}: [{self.severity}] {self.code}: {self.message}. Fix: {self.hint}"


class Distribution(BaseModel):
    """Min, max, mean, median and true 5th/95th percentiles of a per-example quantity.

    Percentiles use linear interpolation between order statistics (numpy's default "linear"
    method, the same as a spreadsheet's PERCENTILE.INC).
    """

    model_config = _FROZEN

    min: int
    max: int
    mean: float
    median: float
    p5: float
    p95: float


class DatasetStats(BaseModel):
    """Distributions over examples; ``None`` when the file has no example."""

    model_config = _FROZEN

    messages_per_example: Distribution | None
    total_tokens_per_example: Distribution | None
    assistant_tokens_per_example: Distribution | None


class DatasetAnalysis(BaseModel):
    """Everything the analysis of one training file found.

    ``billed_tokens`` = Σ over examples of min(``training_context_tokens``, tokens);
    ``trained_tokens`` = ``billed_tokens`` × ``n_epochs``; ``per_example_tokens`` are the
    uncapped counts in file order. ``problem_counts`` counts every problem by code;
    ``problems`` lists at most 1,000 per code (``problems_omitted`` says how many more).
    """

    model_config = _FROZEN

    source: str
    size_bytes: int
    lines: int
    format: Literal["chat", "dpo", "unknown"]
    model: str
    encoding: str
    convention: str
    examples: int
    billed_tokens: int
    n_epochs: int
    epochs_source: Literal["default_heuristic", "user"]
    trained_tokens: int
    per_example_tokens: tuple[int, ...]
    training_context_tokens: int | None
    examples_over_context: int
    problems: tuple[Problem, ...]
    problem_counts: dict[str, int]
    problems_omitted: int
    stats: DatasetStats
    token_counts_are_estimates: bool
    estimated_examples: int

    @property
    def has_errors(self) -> bool:
        """True when any problem blocks a launch."""
        return any(p.severity == "error" for p in self.problems)

    @property
    def is_usable(self) -> bool:
        """False when no example of a supported format was found (CLI exit 2)."""
        return self.format != "unknown"

    @property
    def total_tokens(self) -> int:
        """Σ tokens over examples, before the training-context cap."""
        return sum(self.per_example_tokens)

    def few_shot_tokens(self, k: int) -> int:
        """Prompt tokens that ``k`` examples of this dataset add as few-shot shots.

        k × mean tokens per example (uncapped, convention overhead included), rounded half up
        to a whole token: the few-shot side of the fine-tune-or-not comparison.

        Raises :class:`InputError` when k is negative or the file has no example.
        """
        if k < 0:
            raise InputError(f"k = {k} shots", field="k", hint="use 0 or more shots")
        if k == 0:
            return 0
        if self.examples == 0:
            raise InputError(
                "the dataset has no example to measure a shot with",
                source=self.source,
                hint="fix the problems listed for the file",
            )
        total = self.total_tokens
        return (2 * k * total + self.examples) // (2 * self.examples)
