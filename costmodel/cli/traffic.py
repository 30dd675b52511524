"""``costmodel traffic import FILE``: a scenario's traffic section from real usage records.

::

    costmodel traffic import requests.jsonl                 # format detected per line
    costmodel traffic import spend.csv --format csv --output traffic.yaml
    costmodel traffic import spans.jsonl --json

Formats: openai (chat completion / Responses objects), openai-batch (Batch output file),
openai-usage (Usage API completions buckets), otel (OpenTelemetry GenAI spans as JSON lines),
litellm (spend log rows), csv (timestamp, input_tokens, output_tokens[, cached_tokens][, requests]).
Malformed records are reported by line on stderr and skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from costmodel.errors import InputError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "traffic",
        help="traffic from logs: requests per day, token distributions, hourly peak",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=("import",), help="import FILE")
    p.add_argument("file", help="the log: JSON lines or CSV (.gz is read too)")
    p.add_argument(
        "--format",
        default="auto",
        choices=("auto", "openai", "openai-batch", "openai-usage", "otel", "litellm", "csv"),
        help="log format (default auto: JSON lines recognised per line, CSV by extension or first byte)",
    )
    p.add_argument("--output", help="write the traffic YAML here (default: stdout)")
    p.add_argument("--json", action="store_true", help="print the profile as JSON instead of YAML")
    p.add_argument("--quiet", action="store_true", help="do not list malformed records on stderr")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from costmodel.traffic.document import document, to_yaml
    from costmodel.traffic.reader import import_traffic

    result = import_traffic(Path(args.file), args.format)
    prof = result.profile
    if result.problem_count and not args.quiet:
        for p in result.problems:
            sys.stderr.write(f"{args.file}: {p} (skipped)\n")
        if result.problem_count > len(result.problems):
            sys.stderr.write(f"... and {result.problem_count - len(result.problems)} more malformed record(s)\n")
    text = json.dumps(document(prof), indent=2) + "\n" if args.json else to_yaml(prof)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {args.output}: {exc.strerror or exc}", field="output") from None
        sys.stderr.write(f"wrote {args.output}\n")
    else:
        sys.stdout.write(text)
    rpd = "n/a (no times)" if prof.requests_per_day is None else f"{prof.requests_per_day}"
    sys.stderr.write(
        f"{prof.requests} requests, {rpd} per day, input mean {prof.input_tokens.mean:.1f} (p95"
        f" {prof.input_tokens.p95:.0f}), output mean {prof.output_tokens.mean:.1f} (p95 {prof.output_tokens.p95:.0f}),"
        f" cached share {prof.cached_share}, peak-to-average "
        + ("n/a" if prof.peak_to_average is None else f"{prof.peak_to_average:.2f}")
        + (f"; {result.problem_count} malformed record(s) skipped" if result.problem_count else "")
        + "\n"
    )
    return 0
