"""The analysis pipeline: validated inputs in, one typed :class:`Report` out. Pure; never prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from step1plan import __version__
from step1plan.models.profile import Profile
from step1plan.models.report import CauseResult, Eligibility, Readiness, Report, StudentRef
from step1plan.models.scores import PracticeScore
from step1plan.plans import Plan
from step1plan.rules.base import Context


def make_context(
    plan: Plan,
    as_of: dt.date,
    profile: Profile | None,
    scores: Sequence[PracticeScore] = (),
    score_paths: Sequence[str] = (),
) -> Context:
    """Merge the profile's ``practice:`` entries with file scores, sorted by date (stable)."""
    items: list[tuple[PracticeScore, str]] = []
    if profile is not None:
        items.extend((p, f"practice[{i}]") for i, p in enumerate(profile.practice))
    paths = list(score_paths) or [f"scores[{i}]" for i in range(len(scores))]
    items.extend(zip(scores, paths, strict=True))
    items.sort(key=lambda item: item[0].date)
    return Context(
        plan=plan,
        as_of=as_of,
        profile=profile,
        scores=tuple(s for s, _ in items),
        score_paths=tuple(p for _, p in items),
    )


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


def analyse(ctx: Context, *, full: bool = True) -> Report:
    """Run every rule group on a profile and assemble the report.

    With ``full=False`` (a cohort row, which shows neither) the week-by-week study plan and the
    application strategy are left out (``None``); every other section is computed exactly as in
    the full report, by the same rules.
    """
    from step1plan.rules.causes import diagnose_causes
    from step1plan.rules.eligibility import assess_eligibility
    from step1plan.rules.mistakes import find_mistakes
    from step1plan.rules.readiness import assess_readiness
    from step1plan.rules.strategy import build_strategy
    from step1plan.rules.studyplan import build_study_plan
    from step1plan.rules.timeline import build_timeline

    profile = ctx.profile
    if profile is None:
        raise ValueError("analyse needs a profile")
    causes, cause_findings = diagnose_causes(ctx)
    eligibility = assess_eligibility(profile.attempts, ctx.as_of)
    readiness = assess_readiness(ctx, eligibility, causes)
    study_plan = build_study_plan(ctx, causes, readiness, eligibility) if full else None
    timeline = build_timeline(ctx, eligibility, readiness)
    strategy = build_strategy(ctx, causes, timeline) if full else None
    mistakes = find_mistakes(ctx, causes, eligibility, readiness, timeline)
    return Report(
        tool_version=__version__,
        as_of=ctx.as_of,
        plan=ctx.plan.name,
        student=StudentRef(profile.student.id, profile.student.name),
        causes=causes,
        eligibility=eligibility,
        readiness=readiness,
        study_plan=study_plan,
        timeline=timeline,
        strategy=strategy,
        findings=(*cause_findings, *mistakes),
    )
