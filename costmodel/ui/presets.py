"""Presets: open a scenario file (bundled in ``data/scenarios/`` or the user's own) on the dashboard in one click.

:func:`inputs_from_scenario` (pure) turns an engine :class:`~costmodel.engine.scenario.Scenario` into
the dashboard's :class:`~costmodel.present.inputs.ScenarioInputs`, with notes for what had to be
translated: the dashboard speaks requests per day, so monthly token totals become requests of
1,000 tokens split as the file splits them (a break-even in tokens per hour does not depend on
the volume, so it is unchanged). :func:`render_presets` draws the buttons and the file opener.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from costmodel.engine.scenario import Scenario, load_scenario, scenario_from_mapping
from costmodel.errors import InputError
from costmodel.present.inputs import ScenarioInputs
from costmodel.prices import DATA_DIR

__all__ = ["PRESETS", "Preset", "inputs_from_scenario", "preset_inputs", "render_presets"]

SCENARIOS_DIR = DATA_DIR / "scenarios"
_TOKENS_PER_REQUEST = 1000  # the request a monthly token total is cut into


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    file: str  # in data/scenarios/
    help: str


# The order is the order on the page: the late-2023 reference case first.
PRESETS: tuple[Preset, ...] = (
    Preset(
        "late2023",
        "Late 2023: OpenAI vs Azure, gpt-3.5-turbo",
        "late-2023-gpt35-openai-vs-azure.yaml",
        "The classic comparison at January 2024 prices: about 2.5 million tokens per hour break-even.",
    ),
    Preset(
        "ft_vs_fewshot",
        "Fine-tune vs few-shot, today's models",
        "fine-tune-gpt-4o-mini-vs-few-shot-gpt-4o.yaml",
        "A fine-tuned gpt-4o-mini with a short prompt against gpt-4o with five examples in every prompt.",
    ),
    Preset(
        "oai_vs_azure",
        "OpenAI vs Azure today, gpt-4.1-mini",
        "azure-vs-openai-gpt-4.1-mini.yaml",
        "A fine-tuned gpt-4.1-mini on OpenAI against an Azure Standard deployment ($1.70 per hosted hour).",
    ),
    # Engineer H6's capacity and self-hosted paths have landed (data/scenarios/2026-every-shape-llama-3.1-8b.yaml),
    # but that file needs serving options (peak factor, unit throughput) the dashboard has no inputs for yet, so it
    # opens from "Open a scenario file" with a note instead of being a one-click preset.
)


def _int(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_EVEN))


def inputs_from_scenario(scenario: Scenario, base: ScenarioInputs | None = None) -> tuple[ScenarioInputs, list[str]]:
    """The dashboard inputs for ``scenario`` (fields the file does not set keep ``base``'s), and notes."""
    base = base or ScenarioInputs()
    notes: list[str] = []
    t = scenario.traffic
    changes: dict[str, Any] = {
        "paths": tuple(p.label for p in scenario.paths),
        "as_of": scenario.as_of,
        "horizon_months": scenario.horizon_months,
        "cached_pct": _int(t.cached_share * 100),
        "batch_pct": _int(t.batch_share * 100),
        "hosted_hours": _int(t.hosted_hours),
        "few_shot_tokens": t.few_shot_tokens,
        "heat_a": None,
        "heat_b": None,
    }
    if t.requests_per_day is not None:
        changes["requests_per_day"] = max(1, _int(t.requests_per_day))
        changes["input_tokens"] = t.input_tokens_per_request
        changes["output_tokens"] = t.output_tokens_per_request
    else:
        inp, out = t.input_tokens_per_month or Decimal(0), t.output_tokens_per_month or Decimal(0)
        total = inp + out
        in_tokens = _int(inp / total * _TOKENS_PER_REQUEST)
        per_day = total / _TOKENS_PER_REQUEST / t.hours_per_month * 24
        changes["input_tokens"] = in_tokens
        changes["output_tokens"] = _TOKENS_PER_REQUEST - in_tokens
        changes["requests_per_day"] = max(1, _int(per_day))
        notes.append(
            f"The file gives monthly token totals ({total:,.0f} tokens); the dashboard shows them as "
            f"{changes['requests_per_day']:,} requests a day of {in_tokens:,} input + "
            f"{_TOKENS_PER_REQUEST - in_tokens:,} output tokens. Break-evens in tokens per hour are unchanged."
        )
    if scenario.training.tokens is not None:
        changes["training_tokens"] = scenario.training.tokens
    if scenario.training.epochs is not None:
        changes["epochs"] = scenario.training.epochs
    serving = getattr(scenario, "serving", None)
    if serving is not None and serving.model_dump(exclude_defaults=True):
        notes.append(
            "The file sets serving options (peak factor, capacity throughput) that the dashboard has no inputs for "
            "yet: a capacity path that needs them shows an error naming the field. The command line uses them: "
            "costmodel compare --scenario FILE."
        )
    if scenario.training.amortise:
        notes.append("The file amortises training over the horizon; the dashboard shows it paid up front.")
    if t.hours_per_month != Decimal(730):
        notes.append(f"The file uses {t.hours_per_month} hours a month; the dashboard uses 730.")
    if t.few_shot_tokens:
        changes["few_shot_k"] = base.few_shot_k
        notes.append(f"Base paths carry {t.few_shot_tokens:,} few-shot tokens per prompt, as in the file.")
    return ScenarioInputs.model_validate({**base.model_dump(), **changes}), notes


def preset_inputs(preset: Preset, base: ScenarioInputs | None = None) -> tuple[ScenarioInputs, list[str]]:
    return inputs_from_scenario(load_scenario(SCENARIOS_DIR / preset.file), base)


def scenario_from_upload(name: str, data: bytes) -> Scenario:
    """A user's scenario file (YAML or JSON bytes); errors name the file and the field."""
    import json

    import yaml

    try:
        text = data.decode("utf-8")
        parsed = json.loads(text) if name.lower().endswith(".json") else yaml.safe_load(text)
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", source=name, hint="save the file as UTF-8") from None
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(
            f"not valid {'JSON' if name.lower().endswith('.json') else 'YAML'}: {str(exc).splitlines()[0]}",
            source=name,
            hint="fix the syntax (see data/scenarios/ for examples)",
        ) from None
    except ValueError as exc:
        raise InputError(f"a value cannot be read: {exc}", source=name, hint="write dates as YYYY-MM-DD") from None
    return scenario_from_mapping(parsed, source=name)


# -- streamlit ---------------------------------------------------------------------------------

_NOTES = "preset_notes"


def _apply(inputs: ScenarioInputs, notes: list[str], title: str) -> None:
    from costmodel.ui import state

    if state.set_fields(**{k: getattr(inputs, k) for k in ScenarioInputs.model_fields}):
        import streamlit as st

        st.session_state[_NOTES] = [f"Opened: {title}.", *notes]


def _open_preset(key: str) -> None:
    from costmodel.ui import state

    preset = next(p for p in PRESETS if p.key == key)
    inputs, notes = preset_inputs(preset, state.current())
    _apply(inputs, notes, preset.title)


def _open_upload() -> None:
    import streamlit as st

    from costmodel.ui import state

    upload = st.session_state.get("preset_file")
    if upload is None:
        return
    try:
        scenario = scenario_from_upload(upload.name, upload.getvalue())
        inputs, notes = inputs_from_scenario(scenario, state.current())
    except InputError as exc:
        st.session_state[_NOTES] = [f"That file was not opened: {exc}"]
        return
    _apply(inputs, notes, upload.name)


def _open_bundled() -> None:
    import streamlit as st

    name = st.session_state.get("preset_bundled")
    if not name:
        return
    try:
        inputs, notes = inputs_from_scenario(load_scenario(SCENARIOS_DIR / name), _current())
    except InputError as exc:
        st.session_state[_NOTES] = [f"That file was not opened: {exc}"]
        return
    _apply(inputs, notes, name)


def _current() -> ScenarioInputs:
    from costmodel.ui import state

    return state.current()


def render_presets() -> None:
    """One click opens a preset; a file uploader opens the user's own scenario file."""
    import streamlit as st

    st.markdown("**Start from a preset** (one click sets every input; change anything afterwards)")
    cols = st.columns(len(PRESETS) + 1)
    for col, preset in zip(cols, PRESETS, strict=False):
        col.button(
            preset.title,
            key=f"preset_{preset.key}",
            help=preset.help,
            on_click=_open_preset,
            args=(preset.key,),
            use_container_width=True,
        )
    with cols[-1]:
        pop = st.popover(
            "Open a scenario file",
            icon=":material/upload_file:",
            use_container_width=True,
            key="pop_scenario_file",
            on_change="rerun",  # the uploader is drawn when the popover is open, not on every run
        )
    if pop.open:
        _file_choices(pop)
    for note in st.session_state.pop(_NOTES, []) or []:
        (st.error if note.startswith("That file was not opened") else st.info)(note)


def _file_choices(pop: Any) -> None:
    import streamlit as st

    with pop:
        st.file_uploader(
            "YAML or JSON scenario (the format of data/scenarios/)",
            type=["yaml", "yml", "json"],
            key="preset_file",
            on_change=_open_upload,
        )
        st.selectbox(
            "Or a bundled scenario (data/scenarios/)",
            [p.name for p in bundled_files()],
            index=None,
            key="preset_bundled",
            on_change=_open_bundled,
        )


def bundled_files() -> list[Path]:
    """Every scenario file in ``data/scenarios/`` (the presets and any added later)."""
    return sorted(SCENARIOS_DIR.glob("*.y*ml")) + sorted(SCENARIOS_DIR.glob("*.json"))
