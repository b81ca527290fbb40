"""The analysis pipeline: validated inputs in, one typed :class:`Report` out. Pure; never prints."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from step1plan import __version__
from step1plan.models.profile import Attempt, Profile
from step1plan.models.report import (
    CauseResult,
    Eligibility,
    Finding,
    Readiness,
    Report,
    Strategy,
    StudentRef,
    StudyPlan,
    Timeline,
)
from step1plan.models.scores import PracticeScore, mark_repeated_forms
from step1plan.plans import Plan
from step1plan.rules.base import Context

if TYPE_CHECKING:
    from step1plan.rules.studyplan import RetakeChoice


def make_context(
    plan: Plan,
    as_of: dt.date,
    profile: Profile | None,
    scores: Sequence[PracticeScore] = (),
    score_paths: Sequence[str] = (),
) -> Context:
    """Merge the profile's ``practice:`` entries with file scores, sorted by date (stable),
    with repeated CBSSA forms marked as seen before and a sitting written twice kept once
    (:func:`mark_repeated_forms`)."""
    items: list[tuple[PracticeScore, str]] = []
    if profile is not None:
        items.extend(zip(profile.practice, _practice_paths(len(profile.practice)), strict=True))
    if scores or score_paths:
        paths = list(score_paths) or [f"scores[{i}]" for i in range(len(scores))]
        items.extend(zip(scores, paths, strict=True))
    if not items:
        return Context(plan=plan, as_of=as_of, profile=profile)
    items.sort(key=_score_date)
    kept, kept_paths = zip(*mark_repeated_forms(items), strict=True)
    return Context(plan=plan, as_of=as_of, profile=profile, scores=kept, score_paths=kept_paths)


@functools.lru_cache(maxsize=64)
def _practice_paths(count: int) -> tuple[str, ...]:
    """The evidence paths of ``count`` profile ``practice:`` entries: ``practice[0]``, ...
    (cached: profiles have the same few counts)."""
    return tuple(f"practice[{i}]" for i in range(count))


def _score_date(item: tuple[PracticeScore, str]) -> dt.date:
    return item[0].date


def student_ref(profile: Profile) -> StudentRef:
    """Who a report is about: the profile's student id and name."""
    return StudentRef(profile.student.id, profile.student.name)


def assess_ready(
    ctx: Context, causes: Sequence[CauseResult] | None = None
) -> tuple[Eligibility | None, Readiness]:
    """Eligibility (when a profile is given) and the readiness verdict.

    ``causes`` are diagnosed here unless the caller already has them.
    """
    from step1plan.rules.causes import diagnose_causes
    from step1plan.rules.eligibility import assess_eligibility
    from step1plan.rules.readiness import assess_readiness

    eligibility: Eligibility | None = None
    if ctx.profile is not None:
        eligibility = assess_eligibility(ctx.profile.attempts, ctx.as_of)
        if causes is None:
            causes, _ = diagnose_causes(ctx)
    return eligibility, assess_readiness(ctx, eligibility, causes or ())


class _RuleGroups(NamedTuple):
    diagnose_causes: Callable[[Context], tuple[tuple[CauseResult, ...], tuple[Finding, ...]]]
    assess_eligibility: Callable[[Sequence[Attempt], dt.date], Eligibility]
    assess_readiness: Callable[[Context, Eligibility | None, Sequence[CauseResult]], Readiness]
    plan_retake_date: Callable[[Context, Readiness, Eligibility | None], RetakeChoice | None]
    build_study_plan: Callable[
        [Context, Sequence[CauseResult], Readiness, Eligibility | None, RetakeChoice | None],
        StudyPlan,
    ]
    build_timeline: Callable[[Context, Eligibility, Readiness, RetakeChoice | None], Timeline]
    build_strategy: Callable[[Context, Sequence[CauseResult], Timeline, Eligibility], Strategy]
    find_mistakes: Callable[
        [Context, Sequence[CauseResult], Eligibility, Readiness, Timeline], tuple[Finding, ...]
    ]


@functools.cache
def rule_groups() -> _RuleGroups:
    """Every rule group, imported on first use (``ready`` imports only the three it needs)."""
    from step1plan.rules.causes import diagnose_causes
    from step1plan.rules.eligibility import assess_eligibility
    from step1plan.rules.mistakes import find_mistakes
    from step1plan.rules.readiness import assess_readiness
    from step1plan.rules.strategy import build_strategy
    from step1plan.rules.studyplan import build_study_plan, plan_retake_date
    from step1plan.rules.timeline import build_timeline

    return _RuleGroups(
        diagnose_causes,
        assess_eligibility,
        assess_readiness,
        plan_retake_date,
        build_study_plan,
        build_timeline,
        build_strategy,
        find_mistakes,
    )


def analyse(ctx: Context, *, full: bool = True) -> Report:
    """Run every rule group on a profile and assemble the report.

    With ``full=False`` (a cohort row, which shows neither) the week-by-week study plan and the
    application strategy are left out (``None``); every other section is computed exactly as in
    the full report, by the same rules.
    """
    r = rule_groups()
    profile = ctx.profile
    if profile is None:
        raise ValueError("analyse needs a profile")
    causes, cause_findings = r.diagnose_causes(ctx)
    eligibility = r.assess_eligibility(profile.attempts, ctx.as_of)
    readiness = r.assess_readiness(ctx, eligibility, causes)
    choice = r.plan_retake_date(ctx, readiness, eligibility)  # one retake date for both
    study_plan = r.build_study_plan(ctx, causes, readiness, eligibility, choice) if full else None
    timeline = r.build_timeline(ctx, eligibility, readiness, choice)
    strategy = r.build_strategy(ctx, causes, timeline, eligibility) if full else None
    mistakes = r.find_mistakes(ctx, causes, eligibility, readiness, timeline)
    return Report(
        tool_version=__version__,
        as_of=ctx.as_of,
        plan=ctx.plan.name,
        student=student_ref(profile),
        causes=causes,
        eligibility=eligibility,
        readiness=readiness,
        study_plan=study_plan,
        timeline=timeline,
        strategy=strategy,
        findings=(*cause_findings, *mistakes),
    )
