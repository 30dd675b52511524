"""``costmodel analyze FILE --model M``: validate a training file and count its billed tokens.

Exit codes: 0 clean (warnings allowed), 1 problems of severity ``error``, 2 unusable input
(file missing or unreadable, unknown model, no example of a supported format).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO

from costmodel.cli._common import (
    add_catalog_options,
    add_currency_option,
    as_of_from_args,
    catalog_from_args,
    fx_from_args,
    fx_json,
    print_json,
)
from costmodel.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from costmodel.dataset import DatasetAnalysis
    from costmodel.dataset._prefetch import Prefetch
    from costmodel.engine.breakdown import Breakdown
    from costmodel.present.currency import FxRate

# The analysis, pydantic and the price catalogue are imported inside run(), after the early count
# of the file has started in a forked child (costmodel.dataset._prefetch): the two overlap.

__all__ = ["register", "run"]

PROGRESS_MIN_BYTES = 16 * 1024 * 1024
"""Files at least this large show a progress bar on a terminal."""

MAX_PROBLEMS_SHOWN = 50


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="validate a JSONL training file and count its billed tokens",
        description=(
            "Validate a JSONL fine-tuning file (chat or preference/DPO), count its tokens with the "
            "model's encoding, and estimate the training cost on every provider and tier. "
            "Exit 0 when clean, 1 when there are errors, 2 when the input is unusable."
        ),
    )
    p.add_argument("file", metavar="FILE", help="the .jsonl training file")
    p.add_argument("--model", "-m", required=True, help="base model, e.g. gpt-4o-mini-2024-07-18")
    p.add_argument("--epochs", type=int, help="epochs (default: OpenAI's heuristic from the example count)")
    p.add_argument("--per-example", action="store_true", help="list the tokens of every example (file order)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--shots", type=int, default=3, help="k for the few-shot prompt size (default 3)")
    p.add_argument("--training-context", type=int, help="override the model's training context (tokens)")
    p.add_argument("--provider", choices=["openai", "azure"], help="whose training context applies")
    p.add_argument("--workers", type=int, help="worker processes (default: up to 2)")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: on a terminal, for files over 16 MiB)",
    )
    add_catalog_options(p)
    add_currency_option(p)
    p.set_defaults(handler=run)


class _Bar:
    """A plain-text progress bar on a stream (no dependency)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        pct = 100 if total == 0 else min(100, done * 100 // total)
        if pct == self.last:
            return
        self.last = pct
        elapsed = time.monotonic() - self.start
        rate = done / elapsed / 1e6 if elapsed > 0 else 0.0
        filled = pct * 30 // 100
        self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {pct:3d}%  {rate:6.1f} MB/s")
        self.stream.flush()

    def close(self) -> None:
        if self.last >= 0:
            self.stream.write("\n")
            self.stream.flush()


def run(args: argparse.Namespace) -> int:
    from costmodel.dataset._prefetch import Prefetch

    if args.shots < 0:
        raise InputError(f"--shots {args.shots}", field="shots", hint="use 0 or more shots")
    prefetch = Prefetch.start(args.file, model=args.model, workers=args.workers)
    # No cyclic garbage collection while the command runs: it imports (long-lived objects) and
    # parses JSON (no cycles), so the collector only walked live objects (about 20 ms of 0.3 s
    # of this process' CPU on 1,000 examples, 63 collections). Restored on the way out.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(args, prefetch)
    finally:
        if collecting:
            gc.enable()
        if prefetch is not None:
            prefetch.close()


def _run(args: argparse.Namespace, prefetch: Prefetch | None) -> int:
    from pathlib import Path

    from costmodel.dataset import analyze_file, training_costs

    catalog = catalog_from_args(args)
    as_of = as_of_from_args(args)
    fx = fx_from_args(args, as_of)
    path = Path(args.file)
    show = args.progress
    if show is None:
        try:
            big = path.stat().st_size >= PROGRESS_MIN_BYTES
        except OSError:
            big = False
        show = big and sys.stderr.isatty()
    bar = _Bar(sys.stderr) if show else None
    try:
        analysis = analyze_file(
            path,
            model=args.model,
            epochs=args.epochs,
            catalog=catalog,
            training_context_tokens=args.training_context,
            progress=bar,
            workers=args.workers,
            provider=args.provider,
            prefetch=prefetch,
        )
    finally:
        if bar is not None:
            bar.close()
    costs = training_costs(analysis, catalog, as_of) if analysis.is_usable else []
    few_shot = analysis.few_shot_tokens(args.shots) if analysis.examples else None
    if args.json:
        print_json(to_json(analysis, costs, args, few_shot, as_of, fx=fx))
    else:
        sys.stdout.write(to_text(analysis, costs, args, few_shot, as_of, fx=fx))
    if not analysis.is_usable:
        first = next(p for p in analysis.problems if p.line is None and p.severity == "error")
        sys.stderr.write(f"costmodel: {analysis.source}: unusable: {first.message}. Fix: {first.hint}\n")
        return 2
    return 1 if analysis.has_errors else 0


def to_json(
    analysis: DatasetAnalysis,
    costs: list[tuple[str, str, Breakdown]],
    args: argparse.Namespace,
    few_shot: int | None,
    as_of: date,
    *,
    fx: FxRate | None = None,
) -> dict[str, Any]:
    from costmodel.cli._scenario_args import breakdown_json  # here: the scenario engine only for --json
    from costmodel.present.currency import currency_code

    data: dict[str, Any] = {
        "source": analysis.source,
        "format": analysis.format,
        "model": analysis.model,
        "encoding": analysis.encoding,
        "convention": analysis.convention,
        "token_counts_are_estimates": analysis.token_counts_are_estimates,
        "examples": analysis.examples,
        "billed_tokens": analysis.billed_tokens,
        "n_epochs": analysis.n_epochs,
        "epochs_source": analysis.epochs_source,
        "trained_tokens": analysis.trained_tokens,
        "training_context_tokens": analysis.training_context_tokens,
        "examples_over_context": analysis.examples_over_context,
        "few_shot": {"k": args.shots, "prompt_tokens": few_shot},
        "stats": analysis.stats.model_dump(),
        "as_of": as_of,
        "currency": currency_code(fx),
        "fx": fx_json(fx),
        "training_costs": [{"provider": prov, "tier": tier, **breakdown_json(b, fx)} for prov, tier, b in costs],
        "problem_counts": analysis.problem_counts,
        "problems_omitted": analysis.problems_omitted,
        "problems": [p.model_dump() for p in analysis.problems],
    }
    if args.per_example:
        data["per_example_tokens"] = list(analysis.per_example_tokens)
    return data


def _dist_row(label: str, d: Any) -> str:
    if d is None:
        return f"  {label:<26} n/a\n"
    return f"  {label:<26} {d.min:>8,} {d.max:>8,} {d.mean:>10,.1f} {d.median:>8,.1f} {d.p5:>8,.1f} {d.p95:>8,.1f}\n"


def to_text(
    analysis: DatasetAnalysis,
    costs: list[tuple[str, str, Breakdown]],
    args: argparse.Namespace,
    few_shot: int | None,
    as_of: date,
    *,
    fx: FxRate | None = None,
) -> str:
    from costmodel.dataset import CODES
    from costmodel.present.currency import currency_code, format_money, rate_caption

    a = analysis
    out: list[str] = []
    w = out.append
    w(f"{a.source}: {a.format} format, {a.examples:,} examples in {a.lines:,} lines ({a.size_bytes:,} bytes)\n")
    w(f"model {a.model}; encoding {a.encoding}\n")
    w(f"convention: {a.convention}\n")
    if a.token_counts_are_estimates:
        w(
            f"note: {a.estimated_examples:,} example(s) hold tools, tool calls, content parts or preference outputs, "
            "for which the provider publishes no formula: their counts are estimates\n"
        )
    w("\nper example                       min      max       mean   median       p5      p95\n")
    w(_dist_row("messages", a.stats.messages_per_example))
    w(_dist_row("total tokens", a.stats.total_tokens_per_example))
    w(_dist_row("assistant tokens", a.stats.assistant_tokens_per_example))
    ctx = f"{a.training_context_tokens:,}" if a.training_context_tokens else "unknown"
    w(f"\ntraining context:  {ctx} tokens per example; {a.examples_over_context:,} example(s) over it (truncated)\n")
    w(f"billed tokens:     {a.billed_tokens:,} per epoch (sum of min(context, tokens))\n")
    src = "default heuristic" if a.epochs_source == "default_heuristic" else "given"
    if a.examples:
        w(f"epochs:            {a.n_epochs} ({src})\n")
    else:
        w("epochs:            n/a (no usable examples)\n")
    w(f"trained tokens:    {a.trained_tokens:,} (billed x epochs)\n")
    if few_shot is not None:
        w(f"few-shot prompt:   {few_shot:,} tokens for k={args.shots} shots (k x mean tokens per example)\n")
    if costs:
        w(f"\ntraining cost as of {as_of.isoformat()} in {currency_code(fx)}:\n")
        if fx is not None:
            w(rate_caption(fx) + "\n")
        for provider, tier, b in costs:
            total = format_money(b.total, fx) if b.complete else "n/a (no published figure)"
            what = "; ".join(i.name for i in b.items)
            w(f"  {provider:<7} {tier:<12} {total:>14}  {b.reliability.value:<17} {what}\n")
    elif a.is_usable:
        w(f"\ntraining cost: no training price for {a.model} on {as_of.isoformat()}\n")
    if a.problem_counts:
        errors = sum(n for c, n in a.problem_counts.items() if CODES[c][0] == "error")
        warnings = sum(a.problem_counts.values()) - errors
        w(f"\nproblems: {errors:,} error(s), {warnings:,} warning(s)\n")
        for code, n in a.problem_counts.items():
            w(f"  {code:<28} {CODES[code][0]:<8} {n:>8,}\n")
        w("\n")
        shown = Counter[str]()
        listed = 0
        for p in a.problems:
            if listed >= MAX_PROBLEMS_SHOWN:
                break
            if shown[p.code] >= 5:
                continue
            shown[p.code] += 1
            listed += 1
            w(f"  {p}\n")
        rest = sum(a.problem_counts.values()) - listed
        if rest > 0:
            w(f"  ... and {rest:,} more (use --json for the full list)\n")
    else:
        w("\nno problems found\n")
    if args.per_example:
        w("\ntokens per example (file order):\n")
        w(" ".join(str(t) for t in a.per_example_tokens) + "\n")
    return "".join(out)
