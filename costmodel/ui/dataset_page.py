"""Dataset: the training file's problems, token distribution, billed tokens and training cost."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from costmodel.dataset import DatasetAnalysis, training_costs
from costmodel.errors import InputError
from costmodel.money import format_usd
from costmodel.present.charts import UNCONFIRMED_NOTE, token_histogram
from costmodel.present.inputs import defaults_from
from costmodel.present.report import breakdown_rows
from costmodel.ui import state


def _use_dataset() -> None:
    analysis = state.current_analysis()
    state.set_fields(
        **defaults_from(analysis, state.current()).model_dump(
            include={"training_tokens", "epochs", "few_shot_tokens", "input_tokens", "output_tokens"}
        ),
    )
    st.session_state["dataset_applied"] = True


_APPLIED = ("training_tokens", "epochs", "few_shot_tokens", "input_tokens", "output_tokens")
_APPLIED_LABELS = {
    "training_tokens": "Billed training tokens (one epoch)",
    "epochs": "Epochs",
    "few_shot_tokens": "Few-shot tokens per base prompt",
    "input_tokens": "Input tokens per request",
    "output_tokens": "Output tokens per request",
}


def apply_changes(analysis: DatasetAnalysis) -> list[dict[str, str]]:
    """What applying the dataset would change in the scenario: one row per input, now and after."""
    now = state.current()
    after = defaults_from(analysis, now)
    return [
        {
            "input": _APPLIED_LABELS[f],
            "now": f"{getattr(now, f):,}",
            "after": f"{getattr(after, f):,}",
            "changes": "yes" if getattr(now, f) != getattr(after, f) else "no",
        }
        for f in _APPLIED
    ]


def _apply_preview(analysis: DatasetAnalysis) -> None:
    """Show what 'use this dataset' changes; refuse while the file has blocking errors."""
    st.subheader("Use this dataset in the scenario")
    rows = apply_changes(analysis)
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    blocked = analysis.has_errors or not analysis.is_usable or analysis.examples == 0
    if blocked:
        st.error(
            "Not applied: the file has errors that the fine-tuning API would refuse (see Problems above). "
            "Fix them and upload the file again; the scenario keeps its current values."
        )
    changed = sum(r["changes"] == "yes" for r in rows)
    st.button(
        f"Apply these {changed} change{'s' if changed != 1 else ''} to the scenario"
        if changed
        else "Apply (nothing would change)",
        on_click=_use_dataset,
        key="use_dataset",
        disabled=blocked or changed == 0,
        help="Replaces the values in the 'now' column by those in the 'after' column.",
    )


def _source() -> None:
    choice = st.radio("Training file", ["Bundled sample", "Upload a JSONL file"], horizontal=True, key="dataset_source")
    if choice == "Bundled sample":
        state.clear_dataset()
        return
    upload = st.file_uploader("Chat-format JSONL (one example per line)", type=["jsonl"], key="dataset_file")
    if upload is not None:
        state.set_dataset(upload.name, upload.getvalue())
    else:
        state.clear_dataset()


def _problems(analysis: DatasetAnalysis) -> None:
    problems = list(analysis.problems)
    if not problems:
        st.success("No problems found: every example has the fields and roles fine-tuning needs.")
        return
    counts = ", ".join(f"{n} {code}" for code, n in dict(analysis.problem_counts).items())
    total = sum(analysis.problem_counts.values())
    found = f"{total:,} problem{'s' if total != 1 else ''}"
    if analysis.has_errors:
        st.error(f"{found} ({counts}). Fix the errors before you train: the API would refuse them.")
    else:
        st.warning(f"{found} ({counts}); none stops training, but check them.")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "line": "file" if p.line is None else str(p.line),
                    "field": p.field or "",  # a whole-line problem has no field: blank, not "None"
                    "code": p.code,
                    "severity": p.severity,
                    "message": p.message,
                    "fix": p.hint or "",
                }
                for p in problems
            ]
        ),
        hide_index=True,
    )
    if analysis.problems_omitted:
        st.caption(f"{analysis.problems_omitted:,} more of the same kinds are counted above but not listed.")


def _costs(analysis: DatasetAnalysis) -> None:
    inputs = state.current()
    as_of = inputs.as_of or state.today()
    st.subheader(f"Training cost per provider and tier (prices as of {as_of.isoformat()})")
    try:
        costs = training_costs(analysis, state.catalog(), as_of)
    except InputError as exc:
        st.error(str(exc))
        return
    rows = [
        {
            "provider": provider,
            "tier": tier,
            "billed tokens": f"{analysis.billed_tokens:,}",
            "epochs": analysis.n_epochs,
            "training cost": format_usd(b.total) if b.complete else "n/a",
            "reliability": b.reliability.value + (f" ({UNCONFIRMED_NOTE})" if b.reliability == "unconfirmed" else ""),
        }
        for provider, tier, b in costs
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    for provider, tier, b in costs:
        with st.expander(f"Line items: {provider} {tier}"):
            st.dataframe(
                pd.DataFrame(breakdown_rows(b)),
                hide_index=True,
                column_config={"source": st.column_config.LinkColumn("source")},
            )


def render() -> None:
    st.title("Dataset")
    st.caption(
        "The training file decides the billed tokens, the default epochs and the few-shot prompt size. "
        "Upload your JSONL or use the bundled sample."
    )
    state.show_input_errors()
    _source()
    try:
        analysis = state.current_analysis()
    except InputError as exc:
        st.error(f"{exc}")
        st.caption("The file was not used; the scenario keeps its previous training volume.")
        return
    model = state.training_model(state.current())
    st.write(f"**{state.dataset_name()}**, tokenised for {model} ({analysis.encoding}).")
    cols = st.columns(5)
    cols[0].metric("Examples", f"{analysis.examples:,}")
    cols[1].metric("Billed tokens (one epoch)", f"{analysis.billed_tokens:,}")
    cols[2].metric("Default epochs", analysis.n_epochs if analysis.examples else "n/a")
    cols[3].metric("Trained tokens", f"{analysis.trained_tokens:,}")
    context = analysis.training_context_tokens
    cols[4].metric("Over the training context", f"{analysis.examples_over_context}")
    st.caption(str(analysis.convention))
    st.subheader("Problems")
    _problems(analysis)
    st.plotly_chart(token_histogram(list(analysis.per_example_tokens), context), key="chart_tokens")
    _costs(analysis)
    _apply_preview(analysis)
    if st.session_state.pop("dataset_applied", False):
        st.success("The scenario now uses this dataset's billed tokens, epochs, few-shot size and prompt shape.")
