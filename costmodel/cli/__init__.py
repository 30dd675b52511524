"""The ``costmodel`` command line: a thin wrapper over the library.

Each subcommand lives in its own module in this package and exposes
``register(subparsers)``; this module only discovers them, parses, and turns
:class:`~costmodel.errors.InputError` into a one-paragraph message and exit code 2.
Nothing here prints a traceback: an unforeseen exception (a bug) becomes one redacted line
and exit code 1, unless ``COSTMODEL_DEBUG`` is set.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from costmodel.errors import CostmodelError, InputError

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"costmodel: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="costmodel",
        description="Decision calculator for LLM fine-tuning: cost, break-even, latency, launch.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except InputError as exc:
        sys.stderr.write(f"costmodel: {exc}\n")
        return 2
    except CostmodelError as exc:
        sys.stderr.write(f"costmodel: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("costmodel: interrupted\n")
        return 130
    except Exception as exc:  # a bug: one readable line, never a traceback (set COSTMODEL_DEBUG=1 to see it)
        if os.environ.get("COSTMODEL_DEBUG"):
            raise
        from costmodel.secrets import redact

        sys.stderr.write(
            f"costmodel: internal error ({type(exc).__name__}: {redact(exc)}). This is a bug in costmodel; "
            "run again with COSTMODEL_DEBUG=1 for the details and report them.\n"
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
