"""The dashboard's currency: the ECB rate for the chosen currency on the result's as-of date."""

from __future__ import annotations

import streamlit as st

from costmodel.engine.scenario import ScenarioResult
from costmodel.errors import InputError
from costmodel.prices.fx import FxRate
from costmodel.ui import state

__all__ = ["current_fx"]


def current_fx(result: ScenarioResult) -> FxRate | None:
    """The rate for the inputs' currency (None for USD, or after a warning when it has no ECB rate)."""
    code = state.current().currency
    if code == "USD":
        return None
    from costmodel.prices.fx import usd_rate

    try:
        return usd_rate(code, result.as_of)
    except InputError as exc:
        st.warning(f"Amounts stay in USD: {exc}")
        return None
