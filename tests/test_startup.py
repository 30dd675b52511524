"""Commands import only what they use; a missing optional dependency names the extra to install."""

from __future__ import annotations

import argparse
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import costmodel
import costmodel.cli
from costmodel.cli import COMMANDS, EXTRAS, build_parser, main

ROOT = Path(__file__).resolve().parent.parent
SDK = ("openai", "httpx2", "httpx")
WEB = ("streamlit", "plotly", "pandas")


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (output of ``code`` discarded)."""
    probe = (
        "import io, json, sys, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        + "".join(f"    {line}\n" for line in code.splitlines())
        + "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def _tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_help_imports_no_command_module_and_no_dependency() -> None:
    mods = _modules_after("from costmodel.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert not _tops(mods) & {*SDK, *WEB, "pydantic", "numpy", "tiktoken", "yaml"}
    assert not {m for m in mods if m.startswith("costmodel.cli.") and not m.startswith("costmodel.cli._")}
    assert not {m for m in mods if m.startswith(("costmodel.prices", "costmodel.engine", "costmodel.dataset"))}


def test_the_probe_sees_an_import() -> None:
    """Guard: the same probe does report a module the code imports."""
    assert "costmodel.cli.prices" in _modules_after("import costmodel.cli.prices")


def test_prices_imports_only_its_own_command() -> None:
    mods = _modules_after("from costmodel.cli import main\nmain(['prices', '--model', 'gpt-4o-mini'])")
    assert "costmodel.cli.prices" in mods
    assert not _tops(mods) & {*SDK, *WEB, "tiktoken"}
    commands = {m for m in mods if m.startswith("costmodel.cli.") and not m.startswith("costmodel.cli._")}
    assert commands == {"costmodel.cli.prices", "costmodel.cli.prices_import"}  # prices import extends prices


def test_analyze_imports_no_sdk_or_web_stack() -> None:
    sample = ROOT / "data" / "sample" / "recipes.jsonl"
    mods = _modules_after(f"from costmodel.cli import main\nmain(['analyze', {str(sample)!r}, '-m', 'gpt-4o-mini'])")
    # the probe ran the analysis (the tokens may be counted in a forked child: costmodel.dataset._prefetch)
    assert "costmodel.dataset._analyze" in mods
    assert not _tops(mods) & {*SDK, *WEB}


def test_sdk_is_imported_where_a_request_is_made() -> None:
    mods = _modules_after("import costmodel, costmodel.launch, costmodel.latency, costmodel.cli")
    assert not _tops(mods) & {*SDK, *WEB}
    mods = _modules_after("from costmodel.launch import plan_launch")
    assert not _tops(mods) & set(SDK)
    mods = _modules_after("from costmodel.launch import execute_launch")
    assert "openai" in _tops(mods)


def test_import_costmodel_is_light_and_its_names_load_on_use() -> None:
    mods = _modules_after("import costmodel")
    assert not _tops(mods) & {"pydantic", "numpy", "tiktoken", *SDK, *WEB}
    from costmodel.prices import Catalog

    assert costmodel.Catalog is Catalog
    assert set(costmodel._EXPORTS) | {"__version__"} == set(costmodel.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = costmodel.nope  # type: ignore[attr-defined]


def test_launch_package_names_load_on_use() -> None:
    import costmodel.launch as launch

    assert set(launch._EXPORTS) == set(launch.__all__)
    from costmodel.launch.plan import plan_launch

    assert launch.plan_launch is plan_launch


def test_command_table_lists_every_command_module() -> None:
    modules = {i.name for i in pkgutil.iter_modules(costmodel.cli.__path__) if not i.name.startswith("_")}
    listed = {cmd.module for cmd in COMMANDS.values()} | {m for cmd in COMMANDS.values() for m in cmd.extended_by}
    assert {f"costmodel.cli.{m}" for m in modules} == listed
    assert costmodel.cli._unlisted_modules() == []
    assert all(cmd.module == f"costmodel.cli.{name}" for name, cmd in COMMANDS.items())


def test_table_help_is_the_help_each_module_registers() -> None:
    """The one-line help in the lazy table says what the command's own parser says (no drift)."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    registered = {action.dest: action.help for action in sub._choices_actions}
    assert registered == {name: cmd.help for name, cmd in COMMANDS.items()}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_help_works(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    assert f"usage: costmodel {name}" in capsys.readouterr().out


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name, cmd in COMMANDS.items():
        assert name in out
        assert cmd.help.split()[0] in out


def test_prices_import_is_reachable_through_the_lazy_table(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["prices", "import", "azure-retail", "--help"])
    assert exc.value.code == 0
    assert "usage: costmodel prices import azure-retail" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["nope"])
    assert exc.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err


def _without(modules: tuple[str, ...], argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``costmodel ARGV`` in a fresh interpreter where ``modules`` cannot be imported."""
    code = (
        "import sys\n"
        f"for m in {modules!r}: sys.modules[m] = None  # import of m raises ModuleNotFoundError\n"
        "from costmodel.cli import main\n"
        f"raise SystemExit(main({argv!r}))\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("argv", "extra"),
    [
        (["jobs", "--no-refresh"], "client"),
        (["launch", "--dataset", "x.jsonl", "--model", "gpt-4o-mini"], "client"),
        (["dashboard", "--headless"], "dashboard"),
    ],
)
def test_missing_extra_names_the_pip_command(argv: list[str], extra: str) -> None:
    proc = _without(EXTRAS["client"] + EXTRAS["dashboard"], argv)
    assert proc.returncode == 2, proc.stderr
    assert f"pip install 'costmodel[{extra}]'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1  # one line


def test_pricing_commands_need_no_extra() -> None:
    proc = _without(EXTRAS["client"] + EXTRAS["dashboard"], ["prices", "--model", "gpt-4o-mini"])
    assert proc.returncode == 0, proc.stderr
    assert "gpt-4o-mini" in proc.stdout


def test_a_missing_module_of_no_extra_is_an_internal_error_not_an_extra() -> None:
    from costmodel.cli import missing_extra_message

    assert missing_extra_message(ModuleNotFoundError("x", name="yaml"), "compare") is None
    msg = missing_extra_message(ModuleNotFoundError("x", name="openai.types"), "bench")
    assert msg is not None
    assert "`costmodel bench`" in msg
    assert "pip install 'costmodel[client]'" in msg


def test_broken_pipe_is_quiet() -> None:
    """`costmodel prices --json | head -c 1`: the reader leaves early; no 'internal error' line, exit 141."""
    proc = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m costmodel prices --json | head -c 1; s=${{PIPESTATUS[0]}}; echo; echo $s"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    first, status = proc.stdout.splitlines()[:2]
    assert first == "["
    assert status == "141"  # the output (over 200 kB) outgrew the pipe: the write did fail
    assert proc.stderr == ""
