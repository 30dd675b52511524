"""``--opt=--`` on every option that takes one value: exit 2 with a message, never an internal error.

argparse reads ``--opt=--`` as no value and stores an empty list where a string belongs (the CLI fuzz
found ``training --path=--`` crashing). The options are enumerated from the parser, so a new option is
covered automatically.
"""

from __future__ import annotations

import argparse

import pytest

from costmodel.cli import build_parser
from tests.cli_support import run_cli


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    out: list[tuple[tuple[str, ...], str]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.extend(_commands(sub, (*prefix, name)))
        elif (
            isinstance(action, argparse._StoreAction | argparse._AppendAction)
            and action.nargs is None
            and action.option_strings
        ):
            out.append((prefix, max(action.option_strings, key=len)))
    return out


CASES = _commands(build_parser())


def test_the_enumeration_finds_the_options() -> None:
    assert (("training",), "--path") in CASES and (("compare",), "--path") in CASES
    assert len({c for c, _ in CASES}) >= 10


@pytest.mark.parametrize(("command", "option"), CASES, ids=[" ".join((*c, o)) for c, o in CASES])
def test_a_dash_dash_value_is_refused_as_input(command: tuple[str, ...], option: str) -> None:
    res = run_cli([*command, f"{option}=--"])
    assert res.returncode == 2, (res.returncode, res.stderr[-500:])
    assert "internal error" not in res.stderr and "Traceback" not in res.stderr
