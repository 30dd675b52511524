"""Availability in time: when a path can be trained and served, and what that means over a horizon.

Pure: :func:`windows` reads lifecycle rows (:mod:`costmodel.prices.lifecycle`) and a date, nothing
else. Every window is half-open, like a price row's validity: ``[from, until)``, where ``until`` is
the day the closing event takes effect (training closed on 2027-01-06 means the last day to create a
job is 2027-01-05). ``None`` means no event is known on that side.

For a path (provider, model, base or fine-tuned) the rows that apply are the model's own rows and the
provider-wide ``*`` rows of the same variant. An end (training closed, no new deployments, retired)
is the earliest such row, so no window runs past any event that closes it; a start is the model's own
row when there is one, else the provider-wide row:

* **trainable** (fine-tuned paths): from ``training_available`` (else ``available`` of the fine-tuned
  variant) until ``training_closed`` or the end of serving, whichever comes first.
  ``training_restricted`` rows in force do not close the window: they are listed with their scope
  (who lost the right to create jobs).
* **servable**: from ``available`` (a fine-tuned path: from the day it can be trained, when no
  fine-tuned ``available`` row exists) until ``retired``. A fine-tuned model inherits its base
  model's retirement unless a fine-tuned row of that model names its own (a provider-wide fine-tuned
  retirement does not replace the base model's: the earlier of the two applies).
* **deployable** until ``no_new_deployments`` (a new path cannot be started after it).

Status, as of a day ``d`` and a horizon of ``H`` months ending on ``d + H months``:

=========================  ============================================================
``retired``                 serving has ended on ``d``
``cannot_train_now``        a fine-tuned path that cannot be trained on ``d``
``cannot_deploy_now``       not yet available, or no new deployments on ``d``
``unknown``                 no row names this model (provider-wide rows alone do not tell
                            when it retires): never reported as available
``closes_within_horizon``   serving ends before the horizon does (``status_date`` says when)
``available``               can be trained (if needed) and served for the whole horizon
=========================  ============================================================

The horizon cost counts only the months a path can serve (:attr:`Availability.serving_months`, a
fraction for a partly served month: days served / days in that month).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from costmodel.prices.lifecycle import ANY_MODEL, Event, Lifecycle, LifecycleRow
from costmodel.prices.rows import Provider, Reliability, Variant, lowest_reliability

__all__ = [
    "STATUSES",
    "Availability",
    "Bound",
    "PathLike",
    "Status",
    "add_months",
    "months_between",
    "windows",
]

Status = Literal["available", "closes_within_horizon", "cannot_train_now", "cannot_deploy_now", "retired", "unknown"]
STATUSES: tuple[Status, ...] = (
    "available",
    "closes_within_horizon",
    "cannot_train_now",
    "cannot_deploy_now",
    "retired",
    "unknown",
)
_FROZEN = ConfigDict(extra="forbid", frozen=True)


class PathLike(Protocol):
    """What :func:`windows` needs of a path (a :class:`~costmodel.engine.usage.PathSpec` fits)."""

    @property
    def provider(self) -> Provider: ...

    @property
    def model(self) -> str: ...

    @property
    def fine_tuned(self) -> bool: ...

    @property
    def label(self) -> str: ...


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months (the 31st becomes the month's last day).

    >>> add_months(date(2026, 12, 1), 12), add_months(date(2024, 1, 31), 1)
    (datetime.date(2027, 12, 1), datetime.date(2024, 2, 29))
    """
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date, horizon_months: int, window: tuple[date | None, date | None]) -> Decimal:
    """Months of ``[start, start + horizon_months)`` inside ``window`` (``[from, until)``, ``None`` = open).

    Month ``i`` is ``[start + i months, start + i + 1 months)``; a partly covered month counts the
    covered share of its days.

    >>> months_between(date(2026, 12, 1), date(2027, 12, 1), 12, (None, date(2027, 1, 14)))
    Decimal('1.4194')
    """
    lo, hi = window
    total = Decimal(0)
    for i in range(horizon_months):
        a, b = add_months(start, i), add_months(start, i + 1)
        s = max(a, lo) if lo is not None else a
        e = min(b, hi) if hi is not None else b
        if e > s:
            total += Decimal((e - s).days) / Decimal((b - a).days)
    return total.quantize(Decimal("0.0001"))


class Bound(BaseModel):
    """One side of a window: the day and the row it comes from."""

    model_config = _FROZEN

    day: date
    row: LifecycleRow
    inherited: bool = False  # a fine-tuned path's end taken from its base model

    @property
    def source(self) -> str | None:
        return self.row.source_url

    @property
    def grade(self) -> Reliability:
        return self.row.reliability


class Availability(BaseModel):
    """A path's training and serving windows as of a day, and what they mean over the horizon."""

    model_config = _FROZEN

    path: str
    fine_tuned: bool
    as_of: date
    horizon_months: int
    horizon_end: date
    trainable_from: Bound | None = None
    trainable_until: Bound | None = None
    servable_from: Bound | None = None
    servable_until: Bound | None = None
    deployable_until: Bound | None = None
    restrictions: tuple[LifecycleRow, ...] = ()  # training_restricted rows in force on as_of
    rows: tuple[LifecycleRow, ...] = ()  # every row that applies to the path
    known: bool  # some row names this model (not only provider-wide rows)
    status: Status
    status_date: date | None = None  # the day the status is about (the end inside the horizon, the closure)
    reason: str
    serving_months: Decimal  # months of the horizon the path can serve

    # -- queries -------------------------------------------------------------------------------
    def can_serve(self, day: date) -> bool:
        return _inside(day, self.servable_from, self.servable_until)

    def can_train(self, day: date) -> bool:
        return self.fine_tuned and _inside(day, self.trainable_from, self.trainable_until)

    @property
    def covers_horizon(self) -> bool:
        """Can be trained (when it needs training) and served for the whole horizon."""
        return self.status == "available"

    @property
    def deciding(self) -> Bound | None:
        """The bound the status rests on (for its grade and source)."""
        if self.status == "retired" or self.status == "closes_within_horizon":
            return self.servable_until
        if self.status == "cannot_train_now":
            if self.trainable_until is not None and self.as_of >= self.trainable_until.day:
                return self.trainable_until
            return self.trainable_from
        if self.status == "cannot_deploy_now":
            if self.deployable_until is not None and self.as_of >= self.deployable_until.day:
                return self.deployable_until
            return self.servable_from
        return self.servable_until or self.trainable_until

    @property
    def grade(self) -> Reliability | None:
        """The lowest grade of the rows the windows rest on; ``None`` when there are none."""
        bounds = [
            b
            for b in (
                self.trainable_from,
                self.trainable_until,
                self.servable_from,
                self.servable_until,
                self.deployable_until,
            )
            if b is not None
        ]
        if not bounds:
            return None
        return lowest_reliability(b.grade for b in bounds)

    @property
    def source(self) -> str | None:
        bound = self.deciding
        if bound is not None:
            return bound.source
        return next((r.source_url for r in self.rows if r.source_url), None)

    def summary(self) -> str:
        """``trainable until 2027-01-06, servable until 2027-01-14`` (or what is not known)."""
        parts = []
        if self.fine_tuned:
            parts.append(_side("trainable", self.trainable_from, self.trainable_until))
        parts.append(_side("servable", self.servable_from, self.servable_until))
        if self.deployable_until is not None:
            parts.append(f"no new deployments from {self.deployable_until.day}")
        return ", ".join(parts)


def _side(what: str, start: Bound | None, end: Bound | None) -> str:
    text = what
    if start is not None:
        text += f" from {start.day}"
    text += f" until {end.day}" if end is not None else " with no announced end"
    return text


def _inside(day: date, start: Bound | None, end: Bound | None) -> bool:
    return (start is None or start.day <= day) and (end is None or day < end.day)


def _pick(rows: Sequence[LifecycleRow], event: Event, *, start: bool = False) -> LifecycleRow | None:
    """The row that decides one bound.

    An end (closure, retirement): the earliest of the model's own and the provider-wide rows, so no
    window ever runs past any event that closes it. A start: the model's own row when there is one
    (the latest, when several scopes give several), else the provider-wide row.
    """
    hits = [r for r in rows if r.event == event]
    if not hits:
        return None
    if not start:
        return min(hits, key=lambda r: (r.date, r.model == ANY_MODEL))
    own = [r for r in hits if r.model != ANY_MODEL]
    return max(own or hits, key=lambda r: r.date)


def _bound(row: LifecycleRow | None, inherited: bool = False) -> Bound | None:
    return None if row is None else Bound(day=row.date, row=row, inherited=inherited)


def windows(lifecycle: Lifecycle, path: PathLike, *, as_of: date, horizon_months: int = 12) -> Availability:
    """The windows and status of ``path`` on ``as_of`` over ``horizon_months`` (see the module docstring).

    >>> from costmodel.prices.lifecycle import LifecycleRow as R
    >>> from costmodel.engine.usage import PathSpec
    >>> rows = [
    ...     R(provider="openai", model="*", variant="fine_tuned", event="training_closed", date=date(2027, 1, 6),
    ...       source_url="https://example.org/deprecations", reliability="official"),
    ...     R(provider="openai", model="gpt-4.1-mini", variant="base", event="retired", date=date(2027, 1, 14),
    ...       source_url="https://example.org/deprecations", reliability="official"),
    ... ]
    >>> a = windows(Lifecycle(rows), PathSpec.parse("openai:gpt-4.1-mini:ft"), as_of=date(2026, 12, 1))
    >>> a.status, a.status_date, a.trainable_until.day
    ('closes_within_horizon', datetime.date(2027, 1, 14), datetime.date(2027, 1, 6))
    """
    variant = Variant.FINE_TUNED if path.fine_tuned else Variant.BASE
    # a moving name (gpt-4o) is the snapshot it named on as_of for this variant; a fine-tuned model's
    # base is that same snapshot
    model = lifecycle.canonical(path.provider, path.model, as_of, variant)
    own = lifecycle.rows_for(path.provider, model, variant)
    base_rows = lifecycle.rows_for(path.provider, model, Variant.BASE) if path.fine_tuned else ()
    known = any(r.model != ANY_MODEL for r in (*own, *base_rows))

    trainable_from = trainable_until = None
    restrictions: tuple[LifecycleRow, ...] = ()
    if path.fine_tuned:
        start = _pick(own, Event.TRAINING_AVAILABLE, start=True) or _pick(own, Event.AVAILABLE, start=True)
        trainable_from = _bound(start)
        trainable_until = _bound(_pick(own, Event.TRAINING_CLOSED))
        restrictions = tuple(r for r in own if r.event == Event.TRAINING_RESTRICTED and r.date <= as_of)
    served = _pick(own, Event.AVAILABLE, start=True)
    servable_from = _bound(served) if served is not None else trainable_from
    end = _pick(own, Event.RETIRED)
    servable_until = _bound(end)
    if path.fine_tuned and not any(r.event == Event.RETIRED and r.model != ANY_MODEL for r in own):
        inherited = _pick(base_rows, Event.RETIRED)
        if inherited is not None and (end is None or inherited.date < end.date):
            servable_until = _bound(inherited, inherited=True)
    if (
        path.fine_tuned
        and servable_until is not None
        and (trainable_until is None or servable_until.day < trainable_until.day)
    ):
        trainable_until = servable_until  # nothing can be trained on a model that is retired
    deployable_until = _bound(_pick(own, Event.NO_NEW_DEPLOYMENTS))
    horizon_end = add_months(as_of, horizon_months)
    serving = months_between(
        as_of,
        horizon_end,
        horizon_months,
        (
            servable_from.day if servable_from else None,
            servable_until.day if servable_until else None,
        ),
    )
    status, status_date, reason = _status(
        path, as_of, horizon_end, known, trainable_from, trainable_until, servable_from, servable_until,
        deployable_until,
    )  # fmt: skip
    return Availability(
        path=path.label,
        fine_tuned=path.fine_tuned,
        as_of=as_of,
        horizon_months=horizon_months,
        horizon_end=horizon_end,
        trainable_from=trainable_from,
        trainable_until=trainable_until,
        servable_from=servable_from,
        servable_until=servable_until,
        deployable_until=deployable_until,
        restrictions=restrictions,
        rows=tuple(sorted({*own, *base_rows}, key=lambda r: (r.date, r.model, r.event))),
        known=known,
        status=status,
        status_date=status_date,
        reason=reason,
        serving_months=serving if status not in ("retired",) else Decimal(0),
    )


def _grade_text(b: Bound) -> str:
    inherited = ", the base model's retirement" if b.inherited else ""
    return f"{b.row.reliability.value}{inherited}"


def _status(
    path: PathLike,
    as_of: date,
    horizon_end: date,
    known: bool,
    trainable_from: Bound | None,
    trainable_until: Bound | None,
    servable_from: Bound | None,
    servable_until: Bound | None,
    deployable_until: Bound | None,
) -> tuple[Status, date | None, str]:
    if servable_until is not None and as_of >= servable_until.day:
        b = servable_until
        return "retired", b.day, f"retired on {b.day} ({_grade_text(b)})"
    if path.fine_tuned:
        if trainable_until is not None and as_of >= trainable_until.day:
            b = trainable_until
            what = "fine-tuning closed" if b.row.event == Event.TRAINING_CLOSED else "the model retired"
            return "cannot_train_now", b.day, f"{what} on {b.day} ({_grade_text(b)})"
        if trainable_from is not None and as_of < trainable_from.day:
            b = trainable_from
            return "cannot_train_now", b.day, f"fine-tuning opens on {b.day} ({_grade_text(b)})"
    if deployable_until is not None and as_of >= deployable_until.day:
        b = deployable_until
        return "cannot_deploy_now", b.day, f"no new deployments since {b.day} ({_grade_text(b)})"
    if servable_from is not None and as_of < servable_from.day:
        b = servable_from
        return "cannot_deploy_now", b.day, f"available from {b.day} ({_grade_text(b)})"
    if not known:
        return "unknown", None, "its lifecycle is unknown: no retirement or availability date is recorded for it"
    if servable_until is not None and servable_until.day < horizon_end:
        b = servable_until
        return (
            "closes_within_horizon",
            b.day,
            f"it can be served only until {b.day}, before the horizon ends on {horizon_end} ({_grade_text(b)})",
        )
    return "available", None, "can be " + ("trained and " if path.fine_tuned else "") + "served for the whole horizon"
