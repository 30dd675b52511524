"""What-if: move every assumption; each path's line items, a stacked bar, a break-even heatmap."""

from __future__ import annotations

import itertools

import pandas as pd
import streamlit as st

from costmodel.engine.usage import PathSpec
from costmodel.errors import InputError
from costmodel.present.charts import UNCONFIRMED_NOTE, breakeven_heatmap, line_items_bar
from costmodel.present.decision import describe_path
from costmodel.present.inputs import ScenarioInputs
from costmodel.present.report import breakdown_rows
from costmodel.ui import state
from costmodel.ui.limits import widget_limits


def _set_k() -> None:
    """Few-shot k changed: the tokens it adds come from the dataset in use."""
    k = st.session_state["in_few_shot_k"]
    tokens = state.few_shot_tokens_for(k)
    if tokens is None:
        state.set_fields(few_shot_k=k)
    else:
        state.set_fields(few_shot_k=k, few_shot_tokens=tokens)


def _controls() -> None:
    st.subheader("Assumptions")
    c1, c2, c3 = st.columns(3)
    with c1:
        state.bind("requests_per_day", st.number_input, "Requests per day", min_value=1, step=1000)
        state.bind("input_tokens", st.number_input, "Input tokens per request (short prompt)", min_value=0, step=50)
        state.bind("output_tokens", st.number_input, "Output tokens per request", min_value=0, step=50)
        state.bind("horizon_months", st.slider, "Horizon (months)")  # limits: ScenarioInputs (ui/limits.py)
    with c2:
        state.bind("cached_pct", st.slider, "Cached share of input tokens (%)", min_value=0, max_value=100)
        state.bind(
            "batch_pct",
            st.slider,
            "Share of requests sent through Batch (%)",
            min_value=0,
            max_value=100,
            help="Needs a batch price for every path (Azure fine-tuned deployments have none).",
        )
        state.bind(
            "hosted_hours",
            st.slider,
            "Hosting schedule: deployed hours a month",
            min_value=0,
            max_value=730,  # the hours of the month the scenario prices (8,760 / 12)
            help="Azure bills a fine-tuned deployment for every hour it is deployed. Examples: always on 730 h; "
            "weekdays 12 h a day 264 h; office hours (8 h x 22 days) 176 h.",
        )
    with c3:
        state.bind("epochs", st.number_input, "Epochs", min_value=1, max_value=50)
        state.bind("training_tokens", st.number_input, "Billed training tokens (one epoch)", min_value=1, step=10_000)
        mode = st.radio(
            "Few-shot prompt size",
            ["as k examples", "as tokens"],
            horizontal=True,
            key="few_shot_mode",
            help="Base paths carry the few-shot examples in every prompt. Give the number of examples (their "
            "tokens come from the dataset in use) or the prompt's token count directly.",
        )
        if mode == "as tokens":
            state.bind(
                "few_shot_tokens",
                st.number_input,
                "Few-shot tokens added to every base-path prompt",
                min_value=0,
                step=100,
            )
            st.caption(f"{state.current().few_shot_tokens:,} tokens, set directly (k is not used).")
        else:
            key = "in_few_shot_k"
            st.session_state[key] = state.current().few_shot_k  # from the model, as state.bind does
            st.slider(
                "Few-shot examples in a base prompt (k)",
                key=key,
                on_change=_set_k,
                **widget_limits(ScenarioInputs, "few_shot_k"),  # the URL parser's limits (one table)
            )
            st.caption(f"k examples add {state.current().few_shot_tokens:,} tokens to every base-path prompt.")


def render() -> None:
    st.title("What-if")
    st.caption("Every control here is part of the scenario: the Decision page and a copied link use the same values.")
    state.show_input_errors()
    from costmodel.ui.traffic_upload import render_traffic_upload

    render_traffic_upload()
    _controls()
    result = state.evaluate_current()
    if result is None:
        return
    from costmodel.present.currency import currency_code, format_money, rate_caption
    from costmodel.ui.currency import current_fx

    fx = current_fx(result)
    st.subheader(
        f"Line items per path (prices as of {result.as_of.isoformat()}, "
        f"{result.scenario.horizon_months}-month horizon, {currency_code(fx)})"
    )
    if fx is not None:
        st.caption(rate_caption(fx))
    for c in result.costs:
        grade = c.reliability.value
        flag = f" ({UNCONFIRMED_NOTE})" if grade == "unconfirmed" else f" ({grade.replace('_', ' ')})"
        title = (
            f"{describe_path(c.path.label)}: {format_money(c.monthly_total, fx)} a month, "
            f"{format_money(c.horizon_total, fx)} over {c.horizon_months} months{flag}"
        )
        with st.expander(title, expanded=False):
            st.dataframe(
                pd.DataFrame(breakdown_rows(c.monthly, fx)),
                hide_index=True,
                column_config={"source": st.column_config.LinkColumn("source")},
            )
            if c.training is not None:
                st.caption(f"Training (one-off): {format_money(c.training_total, fx)}")
                st.dataframe(pd.DataFrame(breakdown_rows(c.training, fx)), hide_index=True)
    st.plotly_chart(line_items_bar(result), key="chart_bar")
    st.subheader("Break-even heatmap")
    inputs = state.current()
    evaluated = [c.path.label for c in result.costs]  # without paths that do not exist on the date
    same_kind = [
        (a, b)
        for a, b in itertools.combinations(evaluated, 2)
        if PathSpec.parse(a).fine_tuned == PathSpec.parse(b).fine_tuned
    ]
    if not same_kind:
        st.info("The heatmap compares two paths of the same kind (both fine-tuned or both base): add one.")
        return
    labels = [f"{a}  vs  {b}" for a, b in same_kind]
    current_pair = inputs.heat_pair()
    index = same_kind.index(current_pair) if current_pair in same_kind else 0
    choice = st.selectbox("Pair (B's hosting fee is on the y axis)", labels, index=index, key="heat_pair_choice")
    pair = same_kind[labels.index(choice)]
    if pair != current_pair:
        state.set_fields(heat_a=pair[0], heat_b=pair[1])
    try:
        st.plotly_chart(breakeven_heatmap(state.catalog(), result, pair), key="chart_heatmap")
    except InputError as exc:
        st.error(str(exc))
