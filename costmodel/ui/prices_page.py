"""Prices: the catalogue in force on a chosen date, filterable, with sources and reliability grades."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from costmodel.errors import InputError
from costmodel.present.report import price_rows
from costmodel.prices import Kind, Provider, Reliability, Variant
from costmodel.ui import state

_GRADE_TEXT = {
    Reliability.OFFICIAL.value: "official (provider's own page)",
    Reliability.COPY_OF_OFFICIAL.value: "copy of official (an archived or mirrored copy of the provider's page)",
    Reliability.THIRD_PARTY.value: "third party (a reseller or tracker, not the provider)",
    Reliability.UNCONFIRMED.value: "UNCONFIRMED (no source found: see the note)",
}


_GRADE_MARK = {
    Reliability.OFFICIAL.value: "official",
    Reliability.COPY_OF_OFFICIAL.value: "copy of official",
    Reliability.THIRD_PARTY.value: "third party",
    Reliability.UNCONFIRMED.value: "UNCONFIRMED",
}


def _as_of_changed() -> None:
    state.set_fields(as_of=st.session_state["in_as_of"])


def _override() -> None:
    with st.expander("Use your own prices (override catalogue)", expanded=state.override_name() is not None):
        st.caption(
            "A CSV in the format of data/prices.csv (see data/README.md). Your rows replace the bundled rows with "
            "the same provider, model, variant, kind and tier over the days they cover. A CSV in the format of "
            "data/lifecycle.csv (see README, Lifecycle data) replaces lifecycle events instead."
        )
        upload = st.file_uploader("Override catalogue (CSV)", type=["csv"], key="override_upload")
        if upload is not None:
            try:
                state.set_override(upload.name, upload.getvalue())
            except InputError as exc:
                st.error(f"{exc}")
                st.caption("The catalogue in use is unchanged; fix the file and upload it again.")
        name = state.override_name()
        if name:
            st.success(f"Rows from {name} override the bundled catalogue on every page.")
            if st.button("Remove the override", key="override_clear"):
                state.clear_override()
                st.rerun()


def render() -> None:
    st.title("Prices")
    state.show_input_errors()
    _override()
    st.session_state["in_as_of"] = state.current().as_of or state.today()  # from the model, as state.bind does
    st.date_input("Prices as of (applies to every page)", key="in_as_of", on_change=_as_of_changed, format="YYYY-MM-DD")
    as_of = state.current().as_of or state.today()
    rows = state.catalog().in_force(as_of)
    c1, c2, c3, c4, c5 = st.columns([1, 1, 1, 1, 2])
    providers = c1.multiselect("Provider", [p.value for p in Provider], key="f_provider")
    variants = c2.multiselect("Variant", [v.value for v in Variant], key="f_variant")
    kinds = c3.multiselect("Kind", [k.value for k in Kind], key="f_kind")
    grades = c4.multiselect("Reliability", [r.value for r in Reliability], key="f_grade")
    text = c5.text_input("Model contains", key="f_model")
    shown = [
        r
        for r in rows
        if (not providers or r.provider.value in providers)
        and (not variants or r.variant.value in variants)
        and (not kinds or r.kind.value in kinds)
        and (not grades or r.reliability.value in grades)
        and (not text or text.strip().lower() in r.model.lower())
    ]
    unconfirmed = sum(1 for r in shown if r.reliability == Reliability.UNCONFIRMED)
    st.write(
        f"{len(shown)} of {len(rows)} prices in force on {as_of.isoformat()}"
        + (f"; **{unconfirmed} unconfirmed**" if unconfirmed else "")
    )
    columns = ["provider", "model", "variant", "kind", "tier", "amount", "unit", "reliability", "source", "valid"]
    table = pd.DataFrame(price_rows(shown), columns=[*columns, "note", "origin"])
    table["reliability"] = table["reliability"].map(_GRADE_MARK)
    st.dataframe(
        table,
        hide_index=True,
        column_config={"source": st.column_config.LinkColumn("source", display_text="open source")},
        height=560,
    )
    with st.expander("What the reliability grades mean"):
        for text_ in _GRADE_TEXT.values():
            st.write(f"- {text_}")
        st.write("A figure derived from several prices carries the lowest grade among them.")
