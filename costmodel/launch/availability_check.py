"""Before a fine-tuning job is created: may this model still be trained on this day?

:func:`check_launch` reads the lifecycle (:mod:`costmodel.engine.availability`) and returns a
:class:`LaunchAvailability`:

* ``refusal``: training is closed on the day (closed, the model retired, or not open yet). The CLI
  exits 2 with this text before any request is sent; the dashboard disables its button with it.
* ``warnings``: the model retires within :data:`WARN_DAYS` days, or the provider restricts who may
  still create jobs (scopes in words). A launch needs an explicit acknowledgement of them.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from costmodel.engine.availability import Availability, windows
from costmodel.engine.usage import PathSpec
from costmodel.errors import InputError
from costmodel.prices import Catalog, Provider

__all__ = ["WARN_DAYS", "LaunchAvailability", "check_launch", "refuse_if_closed"]

WARN_DAYS = 90


class LaunchAvailability(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    availability: Availability
    refusal: str | None = None  # why no job can be created on the day; None: it can
    warnings: tuple[str, ...] = ()  # to acknowledge before launching

    @property
    def refused(self) -> bool:
        return self.refusal is not None


def _source(av: Availability) -> str:
    bound = av.deciding
    if bound is None:
        return ""
    src = bound.source or "no source"
    return f" (source: {src}, {bound.grade.value})"


def check_launch(catalog: Catalog, provider: Provider | str, model: str, as_of: date) -> LaunchAvailability:
    """Whether a fine-tuning job on ``model`` may be created on ``as_of``, and what to acknowledge.

    The model name is resolved through the catalogue (an unknown name raises, as for prices).
    """
    spec = PathSpec(provider=Provider(str(provider)), model=catalog.canonical_model(provider, model), fine_tuned=True)
    av = windows(catalog.lifecycle, spec, as_of=as_of, horizon_months=3)
    who = f"{spec.provider} {model}"
    if not av.can_train(as_of):
        refusal = f"fine-tuning {who} is not possible on {as_of}: {av.reason}{_source(av)}"
        return LaunchAvailability(availability=av, refusal=refusal)
    warnings: list[str] = []
    end = av.servable_until
    if end is not None and end.day - as_of <= timedelta(days=WARN_DAYS):
        base = " (its base model's retirement)" if end.inherited else ""
        warnings.append(
            f"{who} retires on {end.day}{base}, {(end.day - as_of).days} days after {as_of}: a model trained now "
            f"can be served only until then (source: {end.source or 'no source'}, {end.grade.value})"
        )
    for r in av.restrictions:
        warnings.append(
            f"{spec.provider} restricts fine-tuning job creation since {r.date}: {r.scope or 'some organisations'} "
            f"can no longer create jobs; check that your organisation still can "
            f"(source: {r.source_url or 'no source'}, {r.reliability.value})"
        )
    closes = av.trainable_until
    if av.restrictions and closes is not None and closes.row.event == "training_closed":
        warnings.append(f"job creation closes for everyone on {closes.day}")
    return LaunchAvailability(availability=av, warnings=tuple(warnings))


def refuse_if_closed(check: LaunchAvailability, *, field: str = "--model") -> None:
    """Raise :class:`~costmodel.errors.InputError` (exit 2 at the CLI) when the launch is refused."""
    if check.refusal is not None:
        raise InputError(
            check.refusal,
            field=field,
            hint="choose a model that can still be fine-tuned (costmodel models --as-of DAY lists them), "
            "or another provider",
        )
