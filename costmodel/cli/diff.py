"""``costmodel diff A B``: what changes in cost from scenario A to scenario B.

A and B are scenario files (YAML or JSON, e.g. ``data/scenarios/*.yaml``) or shared dashboard
links (the page's address, ``http://host/?paths=...&requests_per_day=...``). The output lists each
scenario's cheapest path and horizon total, the delta per path and per line item, and the inputs
that differ; ``--markdown`` writes a pull-request comment and ``--json`` a machine-readable diff.

::

    costmodel diff data/scenarios/azure-vs-openai-gpt-4.1-mini.yaml my-scenario.yaml --markdown
    costmodel diff old.yaml 'http://localhost:8501/?paths=openai:gpt-4o-mini:ft&requests_per_day=8000'
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from costmodel.cli._common import (
    add_catalog_options,
    add_currency_option,
    as_of_from_args,
    catalog_from_args,
    fx_from_args,
    print_json,
)

if TYPE_CHECKING:  # pragma: no cover
    from costmodel.engine.scenario import Scenario

__all__ = ["load_source", "register", "run"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "diff",
        help="cost difference between two scenarios (files or dashboard links)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("a", metavar="A", help="the scenario before: a YAML/JSON file or a dashboard link")
    p.add_argument("b", metavar="B", help="the scenario after: a YAML/JSON file or a dashboard link")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the diff as JSON")
    out.add_argument("--markdown", action="store_true", help="print a Markdown comment for a pull request")
    add_catalog_options(p)
    add_currency_option(p)
    p.set_defaults(handler=run)


def _is_link(text: str) -> bool:
    return "://" in text or text.startswith("?") or ("=" in text and not Path(text).exists())


def load_source(text: str) -> tuple[Scenario, str, list[str]]:
    """(scenario, display name, warnings) from a scenario file or a shared dashboard link."""
    from costmodel.engine.scenario import load_scenario

    if _is_link(text):
        from costmodel.present.inputs import inputs_from_link

        inputs, problems = inputs_from_link(text)
        return inputs.scenario(), "link", problems
    path = Path(text)
    return load_scenario(path), path.name, []


def run(args: argparse.Namespace) -> int:
    from costmodel.present.diff import diff_scenarios, to_json, to_markdown, to_text

    scenario_a, name_a, warn_a = load_source(args.a)
    scenario_b, name_b, warn_b = load_source(args.b)
    if name_a == name_b:
        name_a, name_b = f"A ({name_a})", f"B ({name_b})"
    for where, warnings in (("A", warn_a), ("B", warn_b)):
        for w in warnings:
            sys.stderr.write(f"costmodel: warning: {where}: {w}\n")
    as_of: date = as_of_from_args(args)
    d = diff_scenarios(catalog_from_args(args), scenario_a, scenario_b, as_of=as_of, name_a=name_a, name_b=name_b)
    # One rate for both sides (B's price date), so a delta is a change in cost, not in the exchange rate.
    fx = fx_from_args(args, d.as_of_b)
    if args.json:
        print_json(to_json(d, fx))
    elif args.markdown:
        sys.stdout.write(to_markdown(d, fx))
    else:
        sys.stdout.write(to_text(d, fx))
    return 0
