"""Shared dashboard state: the scenario inputs bound to the URL, the catalogue, the dataset.

* The scenario is one :class:`~costmodel.present.inputs.ScenarioInputs` kept in ``st.session_state``.
  It is read from the URL's query parameters once per session (so a shared link reopens the same
  view) and written back to them on every run (:func:`sync_url`).
* Each widget is bound to one field with :func:`bind`: its key is ``in_<field>``, it starts from
  the field's value, and a change validates the whole model; an impossible value shows an
  ``st.error`` and the field keeps its previous value (the other inputs are untouched).
* The catalogue is the bundled one, or the bundled one overridden by an uploaded CSV
  (cached by the file's bytes). The dataset analysis is cached by the file's bytes too, so moving a
  slider recomputes only the engine and the figures.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import streamlit as st
from pydantic import ValidationError
from streamlit.errors import StreamlitAPIException

from costmodel.engine.scenario import ScenarioResult, evaluate
from costmodel.errors import CatalogError, InputError
from costmodel.present.inputs import ScenarioInputs, defaults_from, from_query, to_query
from costmodel.prices import DATA_DIR, Catalog, bundled_catalog, parse_price_csv
from costmodel.ui.inputs import path_options, provider_group

if TYPE_CHECKING:  # pragma: no cover
    from costmodel.dataset import DatasetAnalysis

__all__ = [
    "bind",
    "catalog",
    "current",
    "evaluate_current",
    "existing_paths",
    "override_name",
    "set_fields",
    "set_override",
    "show_input_errors",
    "sync_url",
    "today",
]

_INPUTS = "scenario_inputs"
_URL_PROBLEMS = "url_problems"
_ERRORS = "input_errors"
_OVERRIDE = "catalog_override"  # (file name, bytes) of an uploaded override catalogue


def today() -> date:
    """The date the app treats as today (the one clock read of the UI)."""
    return date.today()


# -- scenario inputs ---------------------------------------------------------------------------


def current() -> ScenarioInputs:
    """The scenario inputs of this session (read from the URL on the first run)."""
    inputs = st.session_state.get(_INPUTS)
    if isinstance(inputs, ScenarioInputs):
        return inputs
    params = {k: st.query_params[k] for k in st.query_params}
    inputs, problems = from_query(params, base=default_inputs())
    st.session_state[_INPUTS] = inputs
    st.session_state.setdefault(_URL_PROBLEMS, []).extend(problems)
    return inputs


def _widget_value(field: str, value: Any) -> Any:
    if field == "paths":
        return list(value)
    return value


def _store(new: ScenarioInputs) -> None:
    st.session_state[_INPUTS] = new
    sync_url()


def set_fields(**changes: Any) -> bool:
    """Validate and store changed fields (for callbacks and buttons, before widgets render).

    Returns False (and records a readable error) when the change is impossible.
    """
    old = current()
    try:
        new = ScenarioInputs.model_validate({**old.model_dump(), **changes})
    except (ValueError, InputError) as exc:
        errors = st.session_state.setdefault(_ERRORS, {})
        errors[",".join(changes)] = _message(exc)
        return False
    _store(new)
    for field in changes:
        key = f"in_{field}"
        if key in st.session_state:
            with contextlib.suppress(StreamlitAPIException):  # the widget is already drawn in this run
                st.session_state[key] = _widget_value(field, getattr(new, field))
    return True


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "input"
        return f"{field}: {str(first['msg']).removeprefix('Value error, ')}"
    return str(exc)


def _commit(field: str) -> None:
    key = f"in_{field}"
    value = st.session_state.get(key)
    if field == "paths" and isinstance(value, list):
        value = tuple(value)
    if not set_fields(**{field: value}):
        # put the widget back on the last valid value so the screen and the model agree
        st.session_state[key] = _widget_value(field, getattr(current(), field))


def bind(field: str, widget: Callable[..., Any], label: str, **kwargs: Any) -> Any:
    """Draw ``widget`` bound to the inputs' ``field`` (and through them to the URL)."""
    key = f"in_{field}"
    # Always start from the model: a key left over from another page's widget (same key, other
    # page) would otherwise show a stale or default value. Callbacks have already committed this
    # run's changes, so the model is the truth here.
    st.session_state[key] = _widget_value(field, getattr(current(), field))
    if widget in (st.number_input, st.slider):  # limits come from the model, as the URL parser's do
        from costmodel.ui.limits import widget_limits

        kwargs = {**kwargs, **widget_limits(ScenarioInputs, field)}
    return widget(label, key=key, on_change=_commit, args=(field,), **kwargs)


def show_input_errors() -> None:
    """Show (once) the inputs refused since the last run and link parameters that were ignored."""
    for problem in st.session_state.pop(_URL_PROBLEMS, []) or []:
        st.warning(problem)
    errors: dict[str, str] = st.session_state.pop(_ERRORS, {}) or {}
    for message in errors.values():
        st.error(f"That value was not applied: {message}. The previous value is kept.")


def sync_url() -> None:
    """Write the inputs into the URL's query parameters (only ours; only what changed)."""
    inputs = st.session_state.get(_INPUTS)
    if not isinstance(inputs, ScenarioInputs):
        inputs = current()
    wanted = to_query(inputs)
    # One update for every changed parameter: each assignment would send the browser its own
    # "page info changed" message (about 25 on a first run), each handled and re-rendered there.
    changed = {name: value for name, value in wanted.items() if st.query_params.get(name) != value}
    if changed:
        st.query_params.update(changed)
    for name in ScenarioInputs.model_fields:
        if name not in wanted and name in st.query_params:
            del st.query_params[name]


# -- catalogue ---------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=8)
def _overridden(name: str, digest: str, data: bytes) -> Catalog:
    """The bundled catalogue overridden by an uploaded CSV (prices, or lifecycle events); cached by name and hash."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"not UTF-8 text (byte {exc.start})", source=name, hint="save the file as UTF-8 CSV"
        ) from None
    header = {c.strip() for c in text.lstrip("\ufeff").split("\n", 1)[0].split(",")}
    if "event" in header and "kind" not in header:  # a lifecycle file (data/lifecycle.csv's format)
        from costmodel.prices import build_lifecycle, parse_lifecycle_csv

        base = bundled_catalog()
        life = build_lifecycle(parse_lifecycle_csv(text, origin=name), base, base=base.lifecycle)
        return base.with_lifecycle(life)
    rows = parse_price_csv(text, origin=name)
    return bundled_catalog().overridden_by(rows)


def set_override(name: str, data: bytes) -> None:
    """Check and keep an uploaded override catalogue (raises :class:`InputError` when invalid)."""
    _overridden(name, hashlib.sha256(data).hexdigest(), data)
    st.session_state[_OVERRIDE] = (name, data)


def clear_override() -> None:
    st.session_state.pop(_OVERRIDE, None)


def override_name() -> str | None:
    held = st.session_state.get(_OVERRIDE)
    return held[0] if held else None


def catalog() -> Catalog:
    """The catalogue in use: bundled, or overridden by the user's upload."""
    held = st.session_state.get(_OVERRIDE)
    if held:
        name, data = held
        return _overridden(name, hashlib.sha256(data).hexdigest(), data)
    return bundled_catalog()


@st.cache_resource(show_spinner=False, max_entries=32)
def _path_options(override: str | None, digest: str | None, day: date) -> list[str]:
    from costmodel.prices.fleet import bundled_fleet

    options = path_options(catalog(), day, fleet=bundled_fleet())
    return sorted(options, key=lambda label: (provider_group(label), label))  # grouped by provider


def paths_on(day: date) -> list[str]:
    """The paths the catalogue in use can price on ``day`` (cached per catalogue and day)."""
    held = st.session_state.get(_OVERRIDE)
    digest = hashlib.sha256(held[1]).hexdigest() if held else None
    return _path_options(held[0] if held else None, digest, day)


# -- engine ------------------------------------------------------------------------------------


def existing_paths(inputs: ScenarioInputs) -> tuple[list[str], list[str]]:
    """The chosen paths that exist on the inputs' date, and a notice for each one that does not.

    A path does not exist when its lifecycle says retired or closed to new deployments on that day,
    or when the catalogue has no price for it then (a date before its launch).
    """
    from costmodel.engine.availability import windows
    from costmodel.engine.usage import PathSpec, resolve_prices

    cat = catalog()
    day = inputs.as_of or today()
    kept: list[str] = []
    dropped: list[str] = []
    for label in inputs.paths:
        spec = PathSpec.parse(label)
        try:
            av = windows(cat.lifecycle, spec, as_of=day, horizon_months=inputs.horizon_months)
            if av.status in ("retired", "cannot_deploy_now"):
                dropped.append(f"{label} ({av.reason})")
                continue
            if spec.shape == "per_token":  # capacity and self-hosted paths are priced by their own tables
                resolve_prices(cat, spec, day)
        except InputError as exc:
            dropped.append(f"{label} (no price on {day}: {exc.message.split('. Rows seen')[0]})")
            continue
        kept.append(label)
    return kept, dropped


def evaluate_current() -> ScenarioResult | None:
    """The engine's result for the current inputs, or ``None`` after showing a readable error.

    Paths that do not exist on the chosen date are left out with a notice (the others are kept, and
    the inputs are not changed: going back to a date where they exist brings them back).
    """
    inputs = current()
    kept, dropped = existing_paths(inputs)
    if dropped:
        day = inputs.as_of or today()
        if not kept:
            st.warning(
                f"None of the chosen paths exists on {day}: " + "; ".join(dropped) + ". Choose paths that exist then."
            )
            return None
        st.info(f"Left out on {day}, because they do not exist then: " + "; ".join(dropped) + ".")
    try:
        scenario = inputs.scenario()
        if dropped:
            scenario = scenario.model_copy(update={"paths": tuple(p for p in scenario.paths if p.label in kept)})
        return evaluate(catalog(), scenario, as_of=today())
    except InputError as exc:
        st.error(f"{exc}")
        st.caption("Change the input named above (on this page or the What-if page); your other inputs are kept.")
        return None


# -- dataset -----------------------------------------------------------------------------------

SAMPLE_NAME = "recipes.jsonl (bundled sample)"
_DATASET = "dataset_upload"  # (file name, bytes) of an uploaded training file


def training_model(inputs: ScenarioInputs) -> str:
    """The model a training file is tokenised for: the first fine-tuned path's model."""
    from costmodel.engine.usage import PathSpec

    for label in inputs.paths:
        spec = PathSpec.parse(label)
        if spec.fine_tuned:
            return spec.model
    return PathSpec.parse(inputs.paths[0]).model


@st.cache_data(show_spinner=False, max_entries=16)
def _analyze(name: str, digest: str, model: str, _data: bytes) -> DatasetAnalysis:
    """Dataset analysis cached by the file's hash (``_data`` itself is not hashed again)."""
    from costmodel.dataset import analyze_bytes

    return analyze_bytes(_data, model=model, name=name, workers=1)


@st.cache_data(show_spinner=False, max_entries=8)
def sample_analysis(model: str) -> DatasetAnalysis:
    """The bundled sample's analysis for ``model`` (cached: read once per model)."""
    from costmodel.dataset import analyze_file

    return analyze_file(SAMPLE_PATH, model=model, workers=1)


SAMPLE_PATH = DATA_DIR / "sample" / "recipes.jsonl"


def sample_fields() -> tuple[str, dict[str, int]]:
    """The model the sample is tokenised for and the first view's numbers from its analysis (what
    :mod:`costmodel.ui.startup_cache` keeps)."""
    from costmodel.ui.startup_cache import FIELDS

    base = ScenarioInputs()
    model = training_model(base)
    full = defaults_from(sample_analysis(model), base)
    return model, {name: getattr(full, name) for name in FIELDS}


def default_inputs() -> ScenarioInputs:
    """The first view: default paths and traffic, training volume and prompt shape from the sample.

    Without a readable sample (a trimmed install) the model's own defaults are used and the page
    says so once, instead of failing.
    """
    from costmodel.ui.startup_cache import sample_defaults

    base = ScenarioInputs()
    model = training_model(base)
    try:
        # the sample's numbers ship beside it and are kept on disk between starts (startup_cache)
        fields = sample_defaults(SAMPLE_PATH, model, lambda: sample_fields()[1], data_dir=DATA_DIR)
        return ScenarioInputs.model_validate({**base.model_dump(), **fields})
    except InputError as exc:
        st.session_state.setdefault(_URL_PROBLEMS, []).append(
            f"The bundled sample dataset could not be read ({exc}); the scenario starts from built-in defaults."
        )
        return base


def set_dataset(name: str, data: bytes) -> None:
    st.session_state[_DATASET] = (name, data)


def clear_dataset() -> None:
    st.session_state.pop(_DATASET, None)


def dataset_name() -> str:
    held = st.session_state.get(_DATASET)
    return held[0] if held else SAMPLE_NAME


def current_analysis() -> DatasetAnalysis:
    """The analysis of the uploaded file, or of the sample. Raises :class:`InputError` when unreadable."""
    model = training_model(current())
    held = st.session_state.get(_DATASET)
    if held:
        name, data = held
        return _analyze(name, hashlib.sha256(data).hexdigest(), model, data)
    return sample_analysis(model)


def few_shot_tokens_for(k: int) -> int | None:
    """Tokens k examples of the dataset in use add to a prompt (``None`` without a dataset analysis)."""
    try:
        analysis = current_analysis()
    except InputError:
        return None
    return analysis.few_shot_tokens(k)


def latency_path_costs() -> list[Any] | None:
    """The scenario's paths and monthly costs for the Latency page (``None`` if the scenario is invalid)."""
    from costmodel.ui.latency_page import PathCost as LatencyPathCost

    try:
        result = evaluate(catalog(), current().scenario(), as_of=today())
        return [
            LatencyPathCost(
                label=c.path.label,
                provider=c.path.provider.value,
                model=c.model,
                fine_tuned=c.path.fine_tuned,
                monthly_cost=c.monthly_total,
                tier=c.path.tier,
            )
            for c in result.costs
        ]
    except InputError:
        return None
