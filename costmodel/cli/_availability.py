"""Availability in time for the CLI: one line of text and one JSON object per path (shared helpers)."""

from __future__ import annotations

from datetime import date
from typing import Any

from costmodel.engine.availability import Availability, Bound, windows
from costmodel.engine.usage import PathSpec
from costmodel.prices import Catalog, Provider

__all__ = ["availability_json", "availability_text", "lifecycle_of"]


def _day(b: Bound | None) -> str | None:
    return None if b is None else b.day.isoformat()


def availability_json(av: Availability | None) -> dict[str, Any] | None:
    """``{status, status_date, trainable_until, servable_until, grade, source, ...}``.

    Dates are ISO strings; ``None`` means no such event is known.
    """
    if av is None:
        return None
    return {
        "status": av.status,
        "status_date": None if av.status_date is None else av.status_date.isoformat(),
        "reason": av.reason,
        "trainable_from": _day(av.trainable_from) if av.fine_tuned else None,
        "trainable_until": _day(av.trainable_until) if av.fine_tuned else None,
        "servable_from": _day(av.servable_from),
        "servable_until": _day(av.servable_until),
        "servable_until_inherited": bool(av.servable_until and av.servable_until.inherited),
        "no_new_deployments_from": _day(av.deployable_until),
        "serving_months": av.serving_months,
        "horizon_months": av.horizon_months,
        "restrictions": [
            {"date": r.date.isoformat(), "scope": r.scope, "source": r.source_url} for r in av.restrictions
        ],
        "grade": None if av.grade is None else av.grade.value,
        "source": av.source,
    }


_STATUS_WORDS = {
    "available": "available for the whole horizon",
    "closes_within_horizon": "CLOSES WITHIN THE HORIZON",
    "cannot_train_now": "CANNOT BE TRAINED NOW",
    "cannot_deploy_now": "CANNOT BE DEPLOYED NOW",
    "retired": "RETIRED",
    "unknown": "lifecycle UNKNOWN",
}


def availability_text(av: Availability | None) -> str:
    """``availability: CLOSES WITHIN THE HORIZON (2027-01-14); trainable until ..., servable until ... [grade]``.

    One line: the status, the windows, restrictions in force, and the grade and source of the dates.
    """
    if av is None:
        return "availability: not evaluated"
    when = f" ({av.status_date})" if av.status_date is not None and av.status != "available" else ""
    text = f"availability: {_STATUS_WORDS[av.status]}{when}; {av.summary()}"
    if av.restrictions:
        text += "; training restricted " + "; ".join(f"since {r.date} for {r.scope or 'some'}" for r in av.restrictions)
    if av.grade is not None:
        text += f" [{av.grade.value}, {av.source or 'no source'}]"
    return text


def lifecycle_of(
    catalog: Catalog, provider: Provider, model: str, fine_tuned: bool, *, as_of: date, horizon_months: int = 12
) -> Availability:
    """The availability of one model and variant (a standard-tier path) on ``as_of``."""
    spec = PathSpec(provider=provider, model=model, fine_tuned=fine_tuned)
    return windows(catalog.lifecycle, spec, as_of=as_of, horizon_months=horizon_months)
