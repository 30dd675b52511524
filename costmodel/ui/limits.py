"""The one source of truth for the dashboard's numeric limits (issue 14, class 8).

The URL parser validates query parameters with :class:`~costmodel.present.inputs.ScenarioInputs`;
the widgets take their ``min_value``/``max_value`` from the same model's field constraints
through :func:`bounds`, so a value the URL accepts (``?horizon_months=120``, ``?few_shot_k=50``)
is always a value the widget can show, and a widget never offers one the model refuses.
"""

from __future__ import annotations

from typing import Any

import annotated_types
from pydantic import BaseModel

__all__ = ["bounds", "widget_limits"]


def bounds(model: type[BaseModel], field: str) -> tuple[int | float | None, int | float | None]:
    """``(lowest, highest)`` allowed value of a numeric ``field`` of ``model`` (``None``: no bound).

    ``gt``/``lt`` on an integer field become the next whole number inside the range.
    """
    info = model.model_fields[field]
    integer = info.annotation is int
    low: Any = None
    high: Any = None
    item: Any
    for item in info.metadata:
        value: Any
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            value = item.gt
            low = value + 1 if integer else value
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            value = item.lt
            high = value - 1 if integer else value
    return low, high


def widget_limits(model: type[BaseModel], field: str) -> dict[str, Any]:
    """``min_value``/``max_value`` keyword arguments for ``st.number_input`` or ``st.slider``."""
    low, high = bounds(model, field)
    out: dict[str, Any] = {}
    if low is not None:
        out["min_value"] = low
    if high is not None:
        out["max_value"] = high
    return out
