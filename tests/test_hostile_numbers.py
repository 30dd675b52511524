"""Issue 14, class 3: every numeric flag of every command is finite and in range before anything runs.

The flags are enumerated from the parser (``numeric_actions``), so a flag added later is covered
without touching this file. Expected outcomes come from the limits table in ``cli/_limits.py``:
a value is either refused with an InputError naming the flag, or accepted and inside the range.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.cli import build_parser, main
from costmodel.cli._limits import FLAG_LIMITS, numeric_actions
from costmodel.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "recipes.jsonl"

HOSTILE = [
    "nan", "NaN", "-nan", "snan", "inf", "-inf", "Infinity", "1e400", "-1e400", "1e308", "1e-300", "-1e-300",
    "1e23", "-0", "0", "-1", "0,40", "1,000", "$1.00", "1.5", "1e2", "99999999999999999999999999", "", " ",
    "0x10", "1_000", "٣",  # Arabic-Indic three: Decimal reads it, the flag must still be in range
]  # fmt: skip

ACTIONS = list(numeric_actions(build_parser()))
IDS = [f"{path}:{action.option_strings[-1]}" for path, _p, action in ACTIONS]


def test_the_parser_has_numeric_flags_and_every_one_is_guarded() -> None:
    flags = {action.option_strings[-1] for _path, _p, action in ACTIONS}
    # a few that the issue names, so an enumeration that finds nothing cannot pass
    assert {"--budget", "--rate", "--duration", "--training-context", "--learning-rate-multiplier"} <= flags
    for _path, _p, action in ACTIONS:
        assert getattr(action.type, "_costmodel_limit", None) is not None, action.option_strings


@pytest.mark.parametrize(("path", "parser", "action"), ACTIONS, ids=IDS)
@pytest.mark.parametrize("text", HOSTILE)
def test_every_numeric_flag_refuses_or_accepts_in_range(path: str, parser: object, action: object, text: str) -> None:
    convert = action.type  # type: ignore[attr-defined]
    limit = convert._costmodel_limit
    flag = next(o for o in action.option_strings if o.startswith("--"))  # type: ignore[attr-defined]
    try:
        value = convert(text)
    except InputError as exc:
        assert exc.field == flag
        assert "Fix:" in str(exc)
        return
    except ValueError:  # argparse's own "invalid int value" (exit 2): the int() of a value the range allowed
        return
    if isinstance(value, str) and not value.strip()[:1].isdigit() and value in ("auto",):
        return
    number = Decimal(str(value))
    assert number.is_finite()
    assert limit.checked_later or limit.low <= number <= limit.high, (flag, text, value)


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=len(ACTIONS) - 1),
    x=st.floats(allow_nan=True, allow_infinity=True) | st.decimals(allow_nan=True, allow_infinity=True),
)
def test_property_any_float_or_decimal_text_is_refused_or_in_range(index: int, x: object) -> None:
    _path, _p, action = ACTIONS[index]
    convert = action.type
    limit = convert._costmodel_limit  # type: ignore[union-attr]
    try:
        value = convert(str(x))  # type: ignore[misc,operator]
    except (InputError, ValueError):
        return
    number = Decimal(str(value))
    assert number.is_finite() and (limit.checked_later or limit.low <= number <= limit.high)


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["launch", "--provider", "openai", "--dataset", str(SAMPLE), "--model", "gpt-4o-mini-2024-07-18",
          "--dry-run", "--budget", "1e400"], "--budget"),
        (["launch", "--provider", "openai", "--dataset", str(SAMPLE), "--model", "gpt-4o-mini-2024-07-18",
          "--dry-run", "--budget", "$1.00"], "--budget"),
        (["bench", "--rate", "1e-300"], "--rate"),
        (["bench", "--duration", "1e308"], "--duration"),
        (["bench", "--prompt-tokens", "100000000"], "--prompt-tokens"),
        (["analyze", str(SAMPLE), "-m", "gpt-4o-mini", "--training-context", "1e23"], "--training-context"),
        (["analyze", str(SAMPLE), "-m", "gpt-4o-mini", "--epochs", "51"], "--epochs"),
        (["launch", "--provider", "openai", "--dataset", str(SAMPLE), "--model", "gpt-4o-mini-2024-07-18",
          "--epochs", "51", "--dry-run"], "--epochs"),
        (["compare", "--path", "openai:gpt-4o-mini", "--requests-per-day", "nan"], "--requests-per-day"),
    ],
)  # fmt: skip
def test_the_issue_examples_exit_2_naming_the_flag(
    capsys: pytest.CaptureFixture[str], argv: list[str], flag: str
) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"field '{flag}'" in err
    assert "benchmarking" not in err


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "0", "-1"])
def test_a_bad_learning_rate_multiplier_stops_before_the_upload(value: str, tmp_path: Path) -> None:
    """Before: a NaN multiplier crashed JSON encoding after the file was uploaded (a file with no job)."""
    from costmodel.testing.fake_openai_api import FakeOpenAIServer

    env_before = dict(os.environ)
    with FakeOpenAIServer() as fake:
        os.environ["OPENAI_API_KEY"] = "sk-test-hostile-0000"
        try:
            code = main(
                [
                    "launch", "--provider", "openai", "--dataset", str(SAMPLE), "--model", "gpt-4o-mini-2024-07-18",
                    "--base-url", fake.openai_base_url, "--yes", "--db", str(tmp_path / "s.db"),
                    f"--learning-rate-multiplier={value}",
                ]
            )  # fmt: skip
        finally:
            os.environ.clear()
            os.environ.update(env_before)
        assert code == 2
        assert fake.requests == []


def test_limits_table_names_only_real_flags() -> None:
    flags = {o for _path, _p, action in ACTIONS for o in action.option_strings}
    assert set(FLAG_LIMITS) <= flags | {"--throughput"}, set(FLAG_LIMITS) - flags


def test_the_epoch_limit_is_the_engines() -> None:
    from costmodel.cli._limits import MAX_EPOCHS
    from costmodel.engine.training import MAX_EPOCHS as ENGINE_MAX_EPOCHS

    assert MAX_EPOCHS == ENGINE_MAX_EPOCHS
