"""Issue 14 acceptance: a grammar fuzz of every subcommand and flag, under memory and time limits.

The grammar is read from the parser (subcommands, their options, choices and value types), so a new
command or flag is fuzzed without an edit here. Values come from hostile pools (special files,
huge and non-finite numbers, locale formats, malformed URLs, lone surrogates, long text). Every
call runs in a child process limited to MEMORY bytes of address space and SECONDS per call; the
only outcomes allowed are exit codes 0, 1, 2 with no traceback and no "internal error".

Nothing leaves the machine: no API key is set, every URL in the pools points at 127.0.0.1's
discard port, and the proxies point there too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costmodel.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "tests" / "hostile_cli_driver.py"
MEMORY = 3 * 1024**3  # address space of the whole batch process (the interpreter with pandas/openai is ~1 GB)
SECONDS = 30
SAMPLE = str(ROOT / "data" / "sample" / "recipes.jsonl")
LOCAL = "http://127.0.0.1:9/v1"  # the discard port: connections are refused at once

FILES = [SAMPLE, str(ROOT / "data" / "sample" / "recipes_with_problems.jsonl"), "/dev/zero", "/dev/null",
         "/dev/urandom", str(ROOT), "/nonexistent/x.jsonl", str(ROOT / "data" / "prices.csv"), ""]  # fmt: skip
NUMBERS = ["0", "1", "-1", "3", "50", "51", "nan", "inf", "-inf", "1e400", "1e-300", "1e308", "1e23", "-0", "0,40",
           "1,000", "$1.00", "0x10", "1_0", "99999999999999999999", "0.5", "auto"]  # fmt: skip
URLS = [LOCAL, "http://[::1", "http://127.0.0.1:99999/v1", "http://user:sk-FUZZ@127.0.0.1:9/v1", "ftp://127.0.0.1/",
        "127.0.0.1:9", "http://127.0.0.1:9/v1\n", ""]  # fmt: skip
TEXTS = st.one_of(
    st.sampled_from(["gpt-4o-mini", "gpt-4o-mini-2024-07-18", "openai:gpt-4o-mini:ft", "azure:gpt-4.1-mini:ft@global",
                     "\ud800", "x" * 5000, "2024-08-01", "9999-99-99", "", "-", "--", "%s%n", "../../etc/passwd"]),
    st.text(max_size=20),
)  # fmt: skip


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


# `dashboard` replaces its process with the Streamlit server (os.execv) and serves until stopped: in a
# batch it would become the server and never answer. Its arguments are checked in tests/test_startup.py
# and tests/test_wheel.py; every other subcommand is fuzzed.
NOT_FUZZED = frozenset({"dashboard"})
COMMANDS = {name: sub for name, sub in _subcommands().items() if name not in NOT_FUZZED}


def _value(action: argparse.Action) -> st.SearchStrategy[str]:
    flag = (action.option_strings or [action.dest])[-1]
    if action.choices:
        return st.one_of(st.sampled_from([str(c) for c in action.choices]), TEXTS)
    name = f"{flag} {action.metavar or ''}".lower()
    if "url" in name or "endpoint" in name:
        return st.sampled_from(URLS)
    if action.type is Path or "file" in name or "dataset" in name or "catalog" in name or "scenario" in name:
        return st.sampled_from(FILES)
    if flag == "--db":
        return st.sampled_from(["/nonexistent/x.db", "/dev/null", str(ROOT)])
    if getattr(action.type, "_costmodel_limit", None) is not None or action.type in (int, float):
        ordinary = st.sampled_from(["1", "2", "3", "10", "100"])  # so that some calls get past the parser
        return st.one_of(ordinary, st.sampled_from(NUMBERS), st.floats().map(repr), st.integers().map(str))
    return TEXTS


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    name = draw(st.sampled_from(sorted(COMMANDS)))
    sub = COMMANDS[name]
    argv = [name]
    for action in sub._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:  # positionals: FILE, ACTION words
            if action.nargs in ("*", "?") and not draw(st.booleans()):
                continue
            if action.dest == "action":
                argv += draw(st.lists(st.sampled_from(["run", "list", "show", "compare", "export", "x"]), max_size=2))
            else:
                argv.append(draw(st.sampled_from(FILES)))
            continue
        if not action.required and draw(st.integers(0, 3)) != 0:
            continue
        flag = draw(st.sampled_from(action.option_strings))
        if action.nargs == 0:
            argv.append(flag)
        else:
            value = draw(_value(action))
            argv.append(f"{flag}={value}" if value.startswith("-") else flag)
            if not value.startswith("-"):
                argv.append(value)
    if name in ("bench", "launch") and not any(a.startswith("--base-url") for a in argv):
        argv += ["--base-url", LOCAL]
    return argv


def _run_batch(argvs: list[list[str]], tmp: Path) -> list[dict[str, object]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        COSTMODEL_DB=str(tmp / "fuzz.db"),
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        ALL_PROXY="http://127.0.0.1:9",
        NO_PROXY="",
    )
    env.pop("COSTMODEL_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, str(DRIVER), str(MEMORY), str(SECONDS)],
        input=json.dumps(argvs),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
        timeout=SECONDS * len(argvs) + 60,
        stdin=None,
    )
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(argvs), f"the batch died (exit {proc.returncode}): {proc.stderr[-3000:]}"
    return results


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(command_lines(), min_size=12, max_size=12))
def test_every_command_line_ends_with_0_1_or_2_and_no_traceback(batch: list[list[str]], tmp_path: Path) -> None:
    batch = [[a.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for a in argv] for argv in batch]
    for result in _run_batch(batch, tmp_path):
        code, err = result["code"], str(result["err"])
        assert code in (0, 1, 2), result
        assert "Traceback" not in err, result
        assert "internal error" not in err, result
        assert "sk-FUZZ" not in err, result


def test_the_grammar_covers_every_subcommand() -> None:
    assert {"analyze", "bench", "breakeven", "compare", "jobs", "launch", "prices", "training"} <= set(COMMANDS)
    assert set(COMMANDS) | NOT_FUZZED == set(_subcommands())  # a new subcommand is fuzzed unless listed
