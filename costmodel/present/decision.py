"""The readiness check and the one-sentence recommendation: pure, no streamlit.

**Readiness.** Five questions drawn from the usual advice on when to fine-tune (OpenAI's
fine-tuning guide, "When to use fine-tuning", https://platform.openai.com/docs/guides/fine-tuning;
Microsoft Learn, "When to use Azure OpenAI fine-tuning",
https://learn.microsoft.com/azure/ai-services/openai/concepts/fine-tuning-considerations):
try prompt engineering first; have at least 50 to 100 good examples; handle user data with care;
do not fine-tune to keep facts up to date (use retrieval); a fine-tuned model is a specialist.
:func:`assess` turns answers into plain warnings; a *blocker* makes the recommendation stay on
a base model for now.

**Availability in time.** The recommendation only takes a path that can be trained (when it needs
training) and served for the whole horizon (:mod:`costmodel.engine.availability`); a cheaper path
that cannot is named with the reason, and when no path covers the horizon the sentence says so and
how far each gets. Where OpenAI restricts who may still create fine-tuning jobs, the readiness
check asks :data:`OPENAI_TRAINING_QUESTION` (:func:`assess` with the result).

**Recommendation.** :func:`recommend` reads a :class:`~costmodel.engine.scenario.ScenarioResult` and
says in one sentence which path to take (the lowest total over the horizon: one-off training
plus monthly cost times months), what it costs a month, when fine-tuning pays back against the
cheapest base path, and above what traffic Azure becomes cheaper than OpenAI. It does no
arithmetic on money beyond comparing the engine's totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from costmodel.engine.availability import Availability
from costmodel.engine.breakeven import BreakEven, Payback, describe_duration
from costmodel.engine.scenario import ScenarioResult
from costmodel.engine.usage import PathCost, PathSpec, as_path
from costmodel.money import format_usd
from costmodel.prices import Provider, Reliability, lowest_reliability

__all__ = [
    "OPENAI_TRAINING_QUESTION",
    "QUESTIONS",
    "Question",
    "Readiness",
    "ReadinessWarning",
    "Recommendation",
    "assess",
    "describe_duration",
    "describe_path",
    "format_tokens",
    "questions_for",
    "recommend",
]

Answer = Literal["yes", "no", "unsure"]
Severity = Literal["blocker", "caution"]
_FROZEN = ConfigDict(extra="forbid", frozen=True)


class Question(BaseModel):
    model_config = _FROZEN

    key: str  # the ScenarioInputs field (and URL parameter) that holds the answer
    text: str
    good: Answer  # the answer that raises no warning
    if_not: str  # the warning when the answer is the other one
    if_unsure: str
    severity: Severity  # of the warning on the bad answer; "unsure" is always a caution
    source: str


_OPENAI_GUIDE = "https://platform.openai.com/docs/guides/fine-tuning"
_AZURE_GUIDE = "https://learn.microsoft.com/azure/ai-services/openai/concepts/fine-tuning-considerations"

QUESTIONS: tuple[Question, ...] = (
    Question(
        key="q_prompting",
        text="Have you tried prompt engineering (clear instructions, a few examples in the prompt) first?",
        good="yes",
        if_not="Try prompt engineering first: many tasks reach the quality they need with a better prompt, "
        "at no training cost and with a faster feedback loop. Fine-tune when a good prompt still falls short.",
        if_unsure="Make sure a well-written prompt with a few examples really falls short before paying to train.",
        severity="blocker",
        source=_OPENAI_GUIDE,
    ),
    Question(
        key="q_examples",
        text="Do you have at least 50 to 100 good, reviewed training examples?",
        good="yes",
        if_not="Collect more examples first: clear improvements usually need 50 to 100 well-crafted "
        "examples (the API accepts 10, which is rarely enough).",
        if_unsure="Check the Dataset page: fewer than 50 to 100 good examples rarely gives a clear improvement.",
        severity="blocker",
        source=_OPENAI_GUIDE,
    ),
    Question(
        key="q_user_data",
        text="Does the training data contain personal or customer data?",
        good="no",
        if_not="The training data holds user data: check consent and your data-processing agreement, "
        "remove what the task does not need, and avoid OpenAI's data-sharing tiers. A model trained on "
        "it can repeat it.",
        if_unsure="Find out whether the training data holds personal or customer data before uploading it.",
        severity="caution",
        source=_AZURE_GUIDE,
    ),
    Question(
        key="q_fresh",
        text="Must the answers stay up to date with facts that change (prices, policies, stock)?",
        good="no",
        if_not="Fine-tuning fixes knowledge at training time: keep changing facts in retrieval (RAG) or "
        "the prompt, and fine-tune for format, tone and behaviour only.",
        if_unsure="If the answers depend on facts that change, plan retrieval (RAG) next to fine-tuning.",
        severity="caution",
        source=_AZURE_GUIDE,
    ),
    Question(
        key="q_general",
        text="Does the model need broad general-purpose ability rather than one narrow task?",
        good="no",
        if_not="A fine-tuned model is a specialist and can lose some general ability: for broad use, a "
        "base model with a good prompt is often the better fit.",
        if_unsure="Fine-tuning pays off on one narrow, repeated task; check that this is such a task.",
        severity="caution",
        source=_AZURE_GUIDE,
    ),
)


_OPENAI_DEPRECATIONS = "https://developers.openai.com/api/docs/deprecations"

OPENAI_TRAINING_QUESTION = Question(
    key="q_openai_training",
    text="Is your organisation still allowed to create fine-tuning jobs on OpenAI?",
    good="yes",
    if_not="Your organisation can no longer create fine-tuning jobs on OpenAI: OpenAI's fine-tuned paths "
    "are left out of the recommendation (a model you already trained can still be served until its base "
    "model retires).",
    if_unsure="Check whether your organisation may still create fine-tuning jobs on OpenAI (the wind-down "
    "restricts job creation by organisation) before choosing an OpenAI fine-tuned path.",
    severity="caution",
    source=_OPENAI_DEPRECATIONS,
)


def _restrictions(result: ScenarioResult) -> list[Availability]:
    """Availabilities of OpenAI fine-tuned paths whose job creation is restricted on the as-of day."""
    return [
        c.availability
        for c in result.costs
        if c.availability is not None
        and c.path.provider == Provider.OPENAI
        and c.path.fine_tuned
        and c.availability.restrictions
        and c.availability.can_train(result.as_of)
    ]


def questions_for(result: ScenarioResult | None = None) -> tuple[Question, ...]:
    """:data:`QUESTIONS`, plus :data:`OPENAI_TRAINING_QUESTION` (naming the scopes) where it matters.

    It matters when an OpenAI fine-tuned path is compared on a day OpenAI restricts who may still
    create fine-tuning jobs.
    """
    restricted = _restrictions(result) if result is not None else []
    if not restricted:
        return QUESTIONS
    rows = {r.key: r for a in restricted for r in a.restrictions}
    scopes = "; ".join(
        f"since {r.date}: {r.scope or 'some organisations'}" for r in sorted(rows.values(), key=lambda r: r.date)
    )
    closes = restricted[0].trainable_until
    closing = f" Job creation closes for everyone on {closes.day}." if closes is not None else ""
    extra = f" (Restricted {scopes}.{closing})"
    grade = restricted[0].restrictions[0]
    q = OPENAI_TRAINING_QUESTION.model_copy(
        update={
            "if_unsure": OPENAI_TRAINING_QUESTION.if_unsure + extra,
            "text": OPENAI_TRAINING_QUESTION.text,
            "source": grade.source_url or OPENAI_TRAINING_QUESTION.source,
        }
    )
    return (*QUESTIONS, q)


class ReadinessWarning(BaseModel):
    model_config = _FROZEN

    key: str
    severity: Severity
    text: str
    source: str


class Readiness(BaseModel):
    model_config = _FROZEN

    warnings: tuple[ReadinessWarning, ...]
    openai_training: Answer | None = None  # the answer to OPENAI_TRAINING_QUESTION, when it was asked

    @property
    def blocked(self) -> bool:
        """A blocker says: not yet, stay on a base model."""
        return any(w.severity == "blocker" for w in self.warnings)

    @property
    def blockers(self) -> tuple[ReadinessWarning, ...]:
        return tuple(w for w in self.warnings if w.severity == "blocker")


def assess(answers: Mapping[str, str], result: ScenarioResult | None = None) -> Readiness:
    """Warnings for the answers (keys as in :data:`QUESTIONS`; a missing answer counts as unsure).

    With ``result``, the questions that depend on it are asked too (:func:`questions_for`).

    >>> assess({"q_prompting": "no"}).blocked
    True
    """
    out: list[ReadinessWarning] = []
    questions = questions_for(result)
    asked = OPENAI_TRAINING_QUESTION.key in {q.key for q in questions}
    for q in questions:
        answer = answers.get(q.key, "unsure")
        if answer == q.good:
            continue
        if answer == "unsure":
            out.append(ReadinessWarning(key=q.key, severity="caution", text=q.if_unsure, source=q.source))
        else:
            out.append(ReadinessWarning(key=q.key, severity=q.severity, text=q.if_not, source=q.source))
    answer = answers.get(OPENAI_TRAINING_QUESTION.key, "unsure")
    training: Answer | None = None
    if asked:
        training = answer if answer in ("yes", "no") else "unsure"  # type: ignore[assignment]
    return Readiness(warnings=tuple(out), openai_training=training)


# -- wording ---------------------------------------------------------------------------------

_PROVIDER_NAME = {
    Provider.OPENAI: "OpenAI",
    Provider.AZURE: "Azure OpenAI",
    Provider.BEDROCK: "Amazon Bedrock",
    Provider.VERTEX: "Google Vertex AI",
    Provider.TOGETHER: "Together AI",
    Provider.FIREWORKS: "Fireworks AI",
    Provider.SELFHOSTED: "rented GPUs",
}


def describe_path(path: PathSpec | str) -> str:
    """``azure:gpt-4.1-mini:ft@standard`` -> ``fine-tuned gpt-4.1-mini on Azure OpenAI (standard)``.

    >>> describe_path("openai:gpt-4.1:base@standard")
    'gpt-4.1 base with a few-shot prompt on OpenAI'
    """
    p = as_path(path)
    if p.provider == Provider.SELFHOSTED:
        how = f"{p.method}-tuned {p.model}" if p.method else f"{p.model} base with a few-shot prompt"
        return f"{how} on rented GPUs ({p.tier})"
    what = f"fine-tuned {p.model}" if p.fine_tuned else f"{p.model} base with a few-shot prompt"
    tier = "" if p.tier == "standard" and p.provider == Provider.OPENAI else f" ({p.tier})"
    return f"{what} on {_PROVIDER_NAME[p.provider]}{tier}"


def format_tokens(tokens: Decimal) -> str:
    """``2.0M``, ``350k``, ``900``: a token count for people.

    >>> format_tokens(Decimal("1997863.2")), format_tokens(Decimal(211156)), format_tokens(Decimal(42))
    ('2.0M', '211k', '42')
    """
    if tokens >= 1_000_000_000:
        return f"{tokens / 1_000_000_000:.1f}B"
    if tokens >= 1_000_000:
        return f"{tokens / 1_000_000:.1f}M"
    if tokens >= 1_000:
        return f"{tokens / 1_000:.0f}k"
    return f"{tokens:.0f}"


def _traffic_phrase(be: BreakEven) -> str:
    text = f"{format_tokens(be.tokens_per_hour or Decimal(0))} tokens an hour"
    if be.requests_per_day is not None:
        text += f" (about {be.requests_per_day:,.0f} requests a day)"
    return text


# -- recommendation --------------------------------------------------------------------------


class Recommendation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    path: PathSpec
    fine_tuned: bool
    monthly: Decimal
    one_off: Decimal | None  # None: the training price is unknown
    horizon_total: Decimal | None
    sentence: str
    payback: Payback | None  # the fine-tuned path (chosen, or cheapest) against the cheapest base path
    provider_breakeven: BreakEven | None  # OpenAI against Azure for the chosen model (or the closest pair)
    reliability: Reliability  # lowest grade of every price the sentence rests on
    held_back_by: tuple[ReadinessWarning, ...] = ()
    # availability in time: the chosen path's, whether it covers the horizon (False: no path does),
    # and the paths left out because they cannot (path, reason)
    availability: Availability | None = None
    covers_horizon: bool = True
    passed_over: tuple[tuple[PathSpec, str], ...] = ()

    @property
    def unconfirmed(self) -> bool:
        return self.reliability == Reliability.UNCONFIRMED


def _rank(c: PathCost) -> tuple[bool, Decimal]:
    """Known horizon totals first, lowest first; a path whose training price is unknown goes last."""
    total = c.horizon_total
    return (total is None, c.monthly_total if total is None else total)


def _cheapest(costs: Sequence[PathCost]) -> PathCost | None:
    return min(costs, key=_rank, default=None)


def _provider_pair(result: ScenarioResult, chosen: PathSpec) -> BreakEven | None:
    """The OpenAI-vs-Azure break-even closest to the chosen path (same model and variant first)."""
    best: tuple[int, BreakEven] | None = None
    for be in result.breakevens:
        a, b = be.path_a, be.path_b
        if {a.provider, b.provider} != {Provider.OPENAI, Provider.AZURE} or a.fine_tuned != b.fine_tuned:
            continue
        score = 0
        if chosen in (a, b):
            score += 4
        if a.model == b.model == chosen.model:
            score += 2
        if a.fine_tuned == b.fine_tuned == chosen.fine_tuned:
            score += 1
        if best is None or score > best[0]:
            best = (score, be)
    return None if best is None else best[1]


def _model_phrase(p: PathSpec) -> str:
    return f"fine-tuned {p.model}" if p.fine_tuned else f"{p.model} base"


def _azure_clause(be: BreakEven | None) -> str:
    if be is None:
        return "no OpenAI-against-Azure pair of the same kind is in this comparison"
    a, b = be.path_a, be.path_b
    azure, openai = (a, b) if a.provider == Provider.AZURE else (b, a)
    if azure.model == openai.model:
        what, other = f"for {_model_phrase(azure)}, Azure ({azure.tier})", "OpenAI"
    else:
        what, other = f"Azure's {_model_phrase(azure)} ({azure.tier})", f"OpenAI's {_model_phrase(openai)}"
    if be.status == "crosses":
        if be.cheaper_above == azure:
            return f"{what} becomes cheaper than {other} above {_traffic_phrase(be)}"
        return f"{what} is cheaper than {other} only below {_traffic_phrase(be)}"
    if be.always_cheaper == azure:
        return f"{what} is cheaper than {other} at every traffic"
    if be.always_cheaper == openai:
        return f"{what} never becomes cheaper than {other}, at any traffic"
    return f"{what} costs the same as {other} at every traffic"


def _payback_clause(pb: Payback | None, hours_per_month: Decimal, has_ft: bool, has_base: bool) -> str:
    if pb is None:
        if not has_ft:
            return "no fine-tuned path is in the comparison"
        if not has_base:
            return "add a base path to see when fine-tuning pays back"
        return "the training cost is unknown, so the payback cannot be computed"
    against = describe_path(pb.base)
    if pb.status == "never_cheaper":
        reason = pb.explanation.split(": ", 1)[-1].rstrip(".")
        return f"fine-tuning never pays back at this traffic against {against} ({reason})"
    if pb.status == "already_cheaper":
        return f"fine-tuning is cheaper than {against} from the first hour"
    assert pb.hours is not None
    when = describe_duration(pb.hours, hours_per_month)
    beyond = "" if pb.within_horizon else ", beyond the horizon"
    return f"fine-tuning pays back its training after {when} against {against}{beyond}"


def _payback_for(result: ScenarioResult, ft: PathSpec, base: PathSpec | None) -> Payback | None:
    for pb in result.paybacks:
        if pb.fine_tuned == ft and (base is None or pb.base == base):
            return pb
    return None


# -- availability in time ------------------------------------------------------------------


def _why_not(cost: PathCost, readiness: Readiness) -> str | None:
    """Why ``cost``'s path cannot be recommended over the horizon; ``None`` when it can."""
    av = cost.availability
    if cost.path.provider == Provider.OPENAI and cost.path.fine_tuned and readiness.openai_training == "no":
        return "your organisation can no longer create fine-tuning jobs on OpenAI"
    if av is None or av.status in ("available", "unknown"):
        return None
    if av.status == "closes_within_horizon" and av.status_date is not None:
        months = f"{av.serving_months:.1f}"
        return f"it can be served only until {av.status_date}, {months} of the {av.horizon_months} months"
    return av.reason.split(" (", 1)[0]


def _eligible(result: ScenarioResult, readiness: Readiness) -> tuple[list[PathCost], list[tuple[PathCost, str]], bool]:
    """The paths that may be recommended, the ones left out with the reason, and whether any covers the horizon.

    Paths that cover the horizon first; when none does, the paths whose lifecycle is unknown (the
    sentence says so); when none is left, the path that serves the longest (``covers`` is False).
    """
    out: list[tuple[PathCost, str]] = []
    ok: list[PathCost] = []
    unknown: list[PathCost] = []
    for c in result.costs:
        reason = _why_not(c, readiness)
        if reason is not None:
            out.append((c, reason))
        elif c.availability is not None and c.availability.status == "unknown":
            unknown.append(c)
        else:
            ok.append(c)
    if ok:
        out.extend((c, "its lifecycle is unknown") for c in unknown)
        return ok, out, True
    if unknown:
        return unknown, out, True
    furthest = max(result.costs, key=lambda c: c.availability.serving_months if c.availability else Decimal(0))
    return [furthest], out, False


def _how_far(cost: PathCost, reason: str) -> str:
    return f"{describe_path(cost.path)}: {reason}"


def recommend(result: ScenarioResult, readiness: Readiness | None = None) -> Recommendation:
    """The path to take and one plain sentence saying why (see the module docstring).

    When the readiness check has a blocker, the cheapest *base* path is recommended and the
    sentence says what fine-tuning would have cost and why it is held back.
    """
    readiness = readiness or Readiness(warnings=())
    costs, left_out, covers = _eligible(result, readiness)
    base = [c for c in costs if not c.path.fine_tuned]
    tuned = [c for c in costs if c.path.fine_tuned]
    cheapest = _cheapest(costs)
    assert cheapest is not None  # a scenario has at least one path
    best_base = _cheapest(base)
    best_ft = _cheapest(tuned)
    held_back = readiness.blockers if (readiness.blocked and best_base is not None) else ()
    chosen = best_base if held_back and best_base is not None else cheapest
    hours_per_month = result.scenario.traffic.hours_per_month
    ft_for_payback = chosen if chosen.path.fine_tuned else best_ft
    pb = (
        _payback_for(result, ft_for_payback.path, best_base.path if best_base else None)
        if ft_for_payback is not None
        else None
    )
    pair = _provider_pair(result, chosen.path)
    horizon = result.scenario.horizon_months
    cost_text = f"{format_usd(chosen.monthly_total)} a month"
    if chosen.training is not None and not chosen.training_amortised:
        if chosen.training_total is None:
            cost_text += " plus training at a price the catalogue does not have"
        else:
            cost_text += f" plus {format_usd(chosen.training_total)} of training once"
    if held_back:
        ft_text = (
            f" ({describe_path(best_ft.path)} would cost {format_usd(best_ft.horizon_total)} "
            f"over {horizon} months against {format_usd(chosen.horizon_total)})"
            if best_ft is not None
            else ""
        )
        head = (
            f"Stay with {describe_path(chosen.path)} for now, at {cost_text}{ft_text}, "
            f"because the readiness check says: {held_back[0].text.split(':')[0].lower()}"
        )
    else:
        head = f"Take {describe_path(chosen.path)}: {cost_text}, the lowest total over {horizon} months"
    cheaper_left_out = [(c, why) for c, why in left_out if _rank(c) < _rank(chosen)]
    if not covers:
        reasons = "; ".join(_how_far(c, why) for c, why in left_out)
        head = (
            f"No path can be {'trained and ' if any(c.path.fine_tuned for c in result.costs) else ''}served "
            f"for the whole {horizon} months ({reasons}); the one that lasts longest is "
            f"{describe_path(chosen.path)}, at {cost_text}"
        )
    elif cheaper_left_out:
        c, why = min(cheaper_left_out, key=lambda cw: _rank(cw[0]))
        head += f" among the paths that last the whole horizon ({describe_path(c.path)} would cost less, but {why})"
    clauses = [head]
    if covers:
        clauses += [
            _payback_clause(pb, hours_per_month, bool(tuned), bool(base)),
            _azure_clause(pair),
        ]
    grades = [chosen.reliability]
    if pb is not None:
        grades.append(pb.reliability)
    if pair is not None:
        grades.append(pair.reliability)
    grade = lowest_reliability(grades)
    sentence = "; ".join(clauses) + "."
    if chosen.availability is not None and chosen.availability.status == "unknown":
        sentence += (
            f" The lifecycle of {describe_path(chosen.path)} is unknown: check that it can be "
            f"served for the whole {horizon} months."
        )
    if grade == Reliability.UNCONFIRMED:
        sentence += " This rests on at least one unconfirmed price."
    return Recommendation(
        path=chosen.path,
        fine_tuned=chosen.path.fine_tuned,
        monthly=chosen.monthly_total,
        one_off=chosen.one_off_total,
        horizon_total=chosen.horizon_total,
        sentence=sentence,
        payback=pb,
        provider_breakeven=pair,
        reliability=grade,
        held_back_by=held_back,
        availability=chosen.availability,
        covers_horizon=covers,
        passed_over=tuple((c.path, why) for c, why in left_out),
    )
