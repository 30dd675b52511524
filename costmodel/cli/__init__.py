"""The ``costmodel`` command line: a thin wrapper over the library.

Each subcommand lives in its own module in this package and exposes ``register(subparsers)``.
:data:`COMMANDS` names them with their one-line help, so ``costmodel --help`` imports none of
them and ``costmodel prices`` imports only ``costmodel.cli.prices`` (and what it uses): a command
module is imported only when its command runs or its ``--help`` is asked.

This module parses, and turns :class:`~costmodel.errors.InputError` (and
:class:`~costmodel.errors.StoreError`: the store path is the user's setting) into a one-paragraph
message and exit code 2. A command that needs an optional dependency group that is not installed says
which ``pip install 'costmodel[...]'`` to run (exit code 2). Nothing here prints a traceback: an
unforeseen exception (a bug) becomes one redacted line and exit code 1, unless
``COSTMODEL_DEBUG`` is set.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from costmodel.errors import CostmodelError, InputError, StoreError

__all__ = ["COMMANDS", "EXTRAS", "Command", "build_parser", "main", "missing_extra_message"]


@dataclass(frozen=True)
class Command:
    """A subcommand: the module that registers it, the line ``costmodel --help`` shows, and the
    modules that add to its parser after it (``prices import`` extends ``prices``)."""

    module: str
    help: str
    extended_by: tuple[str, ...] = ()


COMMANDS: dict[str, Command] = {
    "analyze": Command("costmodel.cli.analyze", "validate a JSONL training file and count its billed tokens"),
    "bench": Command(
        "costmodel.cli.bench",
        "measure streamed chat latency (OpenAI, Azure OpenAI, any OpenAI-compatible server); list/compare/export runs",
    ),
    "breakeven": Command(
        "costmodel.cli.breakeven", "traffic at which two paths cost the same (every pair of 2+ paths)"
    ),
    "compare": Command("costmodel.cli.compare", "monthly cost of each path with line items"),
    "dashboard": Command("costmodel.cli.dashboard", "start the dashboard (Streamlit) on this machine"),
    "diff": Command("costmodel.cli.diff", "cost difference between two scenarios (files or dashboard links)"),
    "jobs": Command("costmodel.cli.jobs", "recorded fine-tuning launches and their status"),
    "launch": Command("costmodel.cli.launch", "start a fine-tuning job on OpenAI or Azure OpenAI (exactly once)"),
    "models": Command("costmodel.cli.models", "list models with their lifecycle on a date"),
    "prices": Command(
        "costmodel.cli.prices", "list the prices in force on a date", extended_by=("costmodel.cli.prices_import",)
    ),
    "traffic": Command(
        "costmodel.cli.traffic", "traffic from logs: requests per day, token distributions, hourly peak"
    ),
    "training": Command("costmodel.cli.training", "training cost of a fine-tuned path"),
}
"""Every subcommand (``tests/test_startup.py`` checks that each module of this package is listed)."""

EXTRAS: dict[str, tuple[str, ...]] = {
    "client": ("openai", "httpx2"),
    "dashboard": ("streamlit", "plotly", "pandas"),
}
"""Optional dependency groups (``pyproject.toml``) and the top-level modules each one provides."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"costmodel: error: {message}\n")
        raise SystemExit(2)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        ns, extras = super().parse_known_args(args, namespace)
        # argparse reads ``--opt=--`` as no value at all and stores an empty list where one value belongs
        for action in self._actions:
            if action.nargs is not None or not action.option_strings:
                continue
            value = getattr(ns, action.dest, None)
            single = isinstance(action, argparse._StoreAction) and isinstance(value, list)
            appended = isinstance(action, argparse._AppendAction) and any(isinstance(v, list) for v in value or ())
            if single or appended:
                self.error(f"argument {'/'.join(action.option_strings)}: expected one value ('--' is not a value)")
        return ns, extras


def _selected(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is not an option), if any."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def _unlisted_modules() -> list[str]:
    """Command modules of this package missing from :data:`COMMANDS` (imported eagerly, as a safety net)."""
    listed = {cmd.module for cmd in COMMANDS.values()} | {m for cmd in COMMANDS.values() for m in cmd.extended_by}
    return sorted(
        f"{__name__}.{info.name}"
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_") and f"{__name__}.{info.name}" not in listed
    )


EXIT_CODES = """exit codes:
  0    done
  1    the command could not finish (e.g. no price in force, a server error); the message says why
  2    bad input or setting: the message names the file, line or flag and what to do
  130  interrupted (Ctrl-C)
  141  the reader of the output went away (costmodel prices | head): what was written was complete
       up to there; 128 + SIGPIPE, as a Unix tool stopped by a closed pipe"""


def build_parser() -> argparse.ArgumentParser:
    """The whole parser, every command module imported (:func:`main` imports only the one it runs)."""
    return _build(set(COMMANDS))


def _build(load: set[str]) -> argparse.ArgumentParser:
    """The parser with the commands in ``load`` registered by their modules, the others as stubs."""
    parser = _Parser(
        prog="costmodel",
        description="Decision calculator for LLM fine-tuning: cost, break-even, latency, launch.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, cmd in COMMANDS.items():
        if name in load:
            for module in (cmd.module, *cmd.extended_by):
                importlib.import_module(module).register(sub)
        else:
            sub.add_parser(name, help=cmd.help, description=cmd.help)
    for module in _unlisted_modules():
        importlib.import_module(module).register(sub)
    from costmodel.cli._limits import guard_numeric_flags  # every numeric flag range-checked

    return guard_numeric_flags(parser)


def missing_extra_message(exc: ModuleNotFoundError, command: str | None) -> str | None:
    """The message for a missing optional dependency (``None`` when ``exc`` is about something else)."""
    top = (exc.name or "").split(".")[0]
    for extra, modules in EXTRAS.items():
        if top in modules:
            what = f"`costmodel {command}`" if command else "this command"
            return (
                f"{what} needs the optional '{extra}' dependencies ({', '.join(modules)}), and '{top}' is not "
                f"installed. Install them with: pip install 'costmodel[{extra}]'"
            )
    return None


def _tolerant_streams() -> None:
    """Text that cannot be encoded (a lone surrogate from a JSON escape) prints as an escape, not a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a closed or unusual stream: leave it as it is
                reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_streams()
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = _selected(args_list)
    try:
        parser = _build({command} if command else set())
        args = parser.parse_args(args_list)
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help()
            return 2
        code = int(handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at interpreter exit
        return code
    except (InputError, StoreError) as exc:  # a store path that cannot be used is the user's setting to fix
        sys.stderr.write(f"costmodel: {exc}\n")
        return 2
    except CostmodelError as exc:
        sys.stderr.write(f"costmodel: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("costmodel: interrupted\n")
        return 130
    except BrokenPipeError:  # the reader went away (costmodel prices | head): not an error of ours
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141
    except ModuleNotFoundError as exc:
        message = missing_extra_message(exc, command)
        if message is None:
            return _internal_error(exc)
        sys.stderr.write(f"costmodel: {message}\n")
        return 2
    except Exception as exc:
        return _internal_error(exc)


def _internal_error(exc: Exception) -> int:
    """A bug: one readable line, never a traceback (set COSTMODEL_DEBUG=1 to see it)."""
    if os.environ.get("COSTMODEL_DEBUG"):
        raise exc
    from costmodel.secrets import redact

    sys.stderr.write(
        f"costmodel: internal error ({type(exc).__name__}: {redact(exc)}). This is a bug in costmodel; "
        "run again with COSTMODEL_DEBUG=1 for the details and report them.\n"
    )
    return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
