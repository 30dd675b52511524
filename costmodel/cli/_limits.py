"""One range check for every numeric command-line flag (issue 14, class 3).

:func:`guard_numeric_flags` walks a finished parser (every subcommand, nested ones too) and wraps
the ``type`` of each numeric option so that a value is finite and inside its range *while the
command line is parsed*: before a banner is printed, a file is uploaded or a request is sent.
A value outside the range raises :class:`~costmodel.errors.InputError` out of ``parse_args`` (the
CLI prints it and exits with code 2); the message names the flag, the limit and the fix.

The range of a flag comes from :data:`FLAG_LIMITS` (keyed by the option string, shared by every
command that has the flag). A numeric flag missing from the table still gets :data:`DEFAULT_LIMIT`
(finite, magnitude at most 10**15, no denormal-sized fractions), so a flag added later is covered
without an edit here. Options whose values are text with a word alternative (``--epochs auto``)
are listed in :data:`TEXT_NUMERIC_FLAGS` and checked the same way, the word passing through.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from costmodel.errors import InputError

__all__ = [
    "DEFAULT_LIMIT",
    "FLAG_LIMITS",
    "MAX_PROMPT_TOKENS",
    "TEXT_NUMERIC_FLAGS",
    "Limit",
    "check_number",
    "guard_numeric_flags",
    "numeric_actions",
]

MAX_EPOCHS = 50
"""The n_epochs range of both fine-tuning APIs; equal to costmodel.engine.training.MAX_EPOCHS (pinned by a
test; not imported, so that ``costmodel --help`` loads no engine or pydantic code)."""

MAX_PROMPT_TOKENS = 2_000_000
"""Synthetic prompt of ``bench --prompt-tokens``: above the largest context window sold (about 1M)."""


@dataclass(frozen=True)
class Limit:
    """``low``/``high`` bounds; ``low_open`` makes the lower bound exclusive (``> low``)."""

    low: Decimal
    high: Decimal
    low_open: bool = False
    integer: bool = False
    why: str = ""
    checked_later: bool = False  # only finiteness here: the model the value goes into checks the range

    def span(self) -> str:
        if self.low_open:
            return f"more than {self.low} and at most {self.high:,}"
        return f"{self.low:,} to {self.high:,}"

    def describe(self, *, integer: bool = False) -> str:
        low = f"> {self.low}" if self.low_open else f">= {self.low}"
        return f"{'a whole number' if integer or self.integer else 'a number'} {low} and <= {self.high:,}"


def _lim(
    low: float | int | Decimal,
    high: float | int | Decimal,
    *,
    open_low: bool = False,
    why: str = "",
    checked_later: bool = False,
) -> Limit:
    return Limit(Decimal(str(low)), Decimal(str(high)), low_open=open_low, why=why, checked_later=checked_later)


_LATER = _lim(0, 0, why="finite here; the scenario or training model checks the range", checked_later=True)


DAY_S = 86_400
_TINY = Decimal("1e-9")
DEFAULT_LIMIT = _lim(-(10**15), 10**15, why="no command takes a larger figure")

FLAG_LIMITS: dict[str, Limit] = {
    # money
    "--budget": _lim(0, 10**9, why="a budget cap in USD"),
    # training
    "--epochs": _lim(1, MAX_EPOCHS, why="the n_epochs range of both fine-tuning APIs"),
    "--batch-size": _lim(1, 256, why="the batch_size range of the fine-tuning APIs"),
    "--learning-rate-multiplier": _lim(0, 100, open_low=True, why="a positive multiplier"),
    "--beta": _lim(0, 2, open_low=True, why="the DPO beta range"),
    "--seed": _lim(0, 2**31 - 1, why="the seed range of the APIs"),
    "--tokens": _LATER,
    "--training-tokens": _LATER,
    "--examples": _LATER,
    "--throughput": _LATER,
    # dataset analysis
    "--shots": _lim(0, 1000, why="examples in a few-shot prompt"),
    "--training-context": _lim(1, 10_000_000, why="tokens of a training context"),
    "--workers": _lim(1, 64, why="worker processes"),
    # traffic: the scenario models check these ranges themselves (their messages name the model field)
    **dict.fromkeys(
        [
            "--requests-per-day",
            "--input-tokens",
            "--output-tokens",
            "--few-shot-tokens",
            "--input-tokens-per-month",
            "--output-tokens-per-month",
            "--cached-share",
            "--batch-share",
            "--hours-per-month",
            "--hosted-hours-per-month",
            "--horizon-months",
        ],
        _LATER,
    ),
    # latency benchmark
    "--prompt-tokens": _lim(1, MAX_PROMPT_TOKENS, why="the largest context window sold"),
    "--max-tokens": _lim(1, MAX_PROMPT_TOKENS, why="the largest context window sold"),
    "--concurrency": _lim(1, 4096, why="concurrent workers"),
    "--rate": _lim(0.001, 10_000, why="requests per second (one request every 1,000 s at the lowest)"),
    "--requests": _lim(1, 1_000_000, why="measured requests"),
    "--duration": _lim(0, 7 * DAY_S, open_low=True, why="seconds (a week at most)"),
    "--ramp-up": _lim(0, DAY_S, why="seconds"),
    "--warmup": _lim(0, 100_000, why="warm-up requests"),
    "--timeout": _lim(0, DAY_S, open_low=True, why="seconds"),
    "--timeout-connect": _lim(0, DAY_S, open_low=True, why="seconds"),
    "--timeout-read": _lim(0, DAY_S, open_low=True, why="seconds"),
    "--timeout-total": _lim(0, DAY_S, open_low=True, why="seconds"),
}

TEXT_NUMERIC_FLAGS: dict[str, tuple[str, ...]] = {
    "--budget": (),
    "--epochs": ("auto",),
    "--batch-size": ("auto",),
    "--learning-rate-multiplier": ("auto",),
    "--beta": ("auto",),
}
"""Options read as text by their command (so a word such as ``auto`` can pass) but holding a number."""

_INTEGER_FLAGS = {"--epochs", "--batch-size", "--seed"}


def _type_name(kind: Any) -> str:
    return str(getattr(kind, "__name__", ""))


def _is_numeric_type(kind: Any) -> bool:
    return kind in (int, float, Decimal) or _type_name(kind) in ("decimal_arg",)


def _flag(action: argparse.Action) -> str | None:
    longs = [o for o in action.option_strings if o.startswith("--")]
    return longs[0] if longs else None


def numeric_actions(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser, argparse.Action]]:
    """``(command path, parser, action)`` for every numeric option of every (sub)command."""

    def walk(p: argparse.ArgumentParser, path: str) -> Iterator[tuple[str, argparse.ArgumentParser, argparse.Action]]:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    yield from walk(child, f"{path} {name}".strip())
                continue
            flag = _flag(action)
            if flag is None:
                continue
            if (
                _is_numeric_type(action.type)
                or getattr(action.type, "_costmodel_limit", None) is not None
                or (flag in TEXT_NUMERIC_FLAGS and action.type is None and action.nargs is None)
            ):
                yield path, p, action

    yield from walk(parser, "")


def check_number(text: str, flag: str, limit: Limit, *, integer: bool) -> Decimal:
    """The value of ``text`` as a Decimal, or an :class:`InputError` naming the flag, the range and the fix."""
    raw = text.strip()
    noun = flag.lstrip("-").replace("-", " ")
    try:
        value: Decimal | None = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise InputError(
            f"'{text}' is not a finite number",
            field=flag,
            hint="write a plain decimal with a dot, e.g. 1.5 (no currency sign, no thousands separator, "
            "no decimal comma)",
        )
    if integer and value != value.to_integral_value():
        raise InputError(f"'{text}' is not a whole number", field=flag, hint=f"give {limit.describe(integer=True)}")
    if limit.checked_later:
        return value
    too_low = value <= limit.low if limit.low_open else value < limit.low
    if too_low or value > limit.high:
        why = f" ({limit.why})" if limit.why else ""
        raise InputError(
            f"{noun} must be {limit.span()}, got {text}{why}",
            field=flag,
            hint=f"give {limit.describe(integer=integer)}",
        )
    if not integer and value != 0 and abs(value) < _TINY:
        raise InputError(
            f"{noun} {text} is too small to mean anything", field=flag, hint=f"give {limit.describe(integer=integer)}"
        )
    return value


def _wrap(
    convert: Callable[[str], Any] | None, flag: str, limit: Limit, *, integer: bool, words: tuple[str, ...]
) -> Any:
    def checked(text: str) -> Any:
        if text in words:
            return text
        check_number(text, flag, limit, integer=integer)
        return convert(text) if convert is not None else text

    checked.__name__ = _type_name(convert) or "number"  # argparse names the type in "invalid X value"
    checked._costmodel_limit = limit  # type: ignore[attr-defined]
    checked._costmodel_integer = integer  # type: ignore[attr-defined]
    return checked


def guard_numeric_flags(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Wrap the type of every numeric option of ``parser`` with its range check (idempotent)."""
    for _path, _p, action in numeric_actions(parser):
        if getattr(action.type, "_costmodel_limit", None) is not None:
            continue
        flag = _flag(action)
        assert flag is not None
        limit = FLAG_LIMITS.get(flag, DEFAULT_LIMIT)
        integer = action.type is int or flag in _INTEGER_FLAGS
        words = TEXT_NUMERIC_FLAGS.get(flag, ()) if action.type is None else ()
        convert = action.type if callable(action.type) else None  # numeric_actions yields callables or None
        action.type = _wrap(convert, flag, limit, integer=integer, words=words)
    return parser
