"""Application strategy once Step 1 has been failed (codes S6xx).

Specialty competitiveness is qualitative: the plan's ``strategy.specialties`` table gives each
specialty a tier (a tutor convention, L). DOMAIN.md sources no match rates or program-director
survey figures, so no rule prints a percentage. The rules cover a parallel plan for a very
competitive target, the program list, letters, the IMG priorities (US clinical experience, US
letters, visa, years since graduation; the ECFMG deadline is on the timeline), Step 2 CK as the
recovery signal and how to explain the failure. Each returns a :class:`Finding` (advice) or
``None`` when it does not apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

from step1plan.models.common import Exam, GraduateType
from step1plan.models.profile import Profile
from step1plan.models.report import (
    CauseResult,
    Eligibility,
    Finding,
    Readiness,
    Severity,
    Strategy,
    Timeline,
)
from step1plan.rules.base import Context, rule
from step1plan.rules.eligibility import exhausted_step
from step1plan.rules.explanation import draft_explanation
from step1plan.rules.mistakes import make_finding
from step1plan.rules.timeline import first_passes, milestone, prep_weeks_between
from step1plan.rules.wording import and_list, plural, plural_head, weeks_text, words

TIER_WORDS: dict[str, str] = {
    "less_competitive": "less competitive",
    "moderate": "moderately competitive",
    "competitive": "competitive",
    "very_competitive": "very competitive",
    "unknown": "not rated",
}
"""The plan's tiers in words (qualitative; the tool prints no match rates)."""

FALLBACK_TIERS = ("less_competitive", "moderate")
"""Tiers a parallel specialty is suggested from."""


def _profile(ctx: Context) -> Profile:
    if ctx.profile is None:
        raise ValueError("the strategy needs a profile")
    return ctx.profile


def attempts_phrase(profile: Profile) -> str:
    """The attempts programs will see and ask about (:attr:`Profile.unsuccessful_attempts`), in
    words, Step 1 first: ``the failed Step 1 attempt``, ``the three failed Step 1 attempts``,
    ``the incomplete Step 1 attempt and the failed Step 2 CK attempt`` (empty without any)."""
    return _attempts_phrase(*profile.unsuccessful_attempts)


@lru_cache(maxsize=256)
def _attempts_phrase(
    step1_failed: int, step1_incomplete: int, step2ck_failed: int, step2ck_incomplete: int
) -> str:
    """:func:`attempts_phrase` from the four counts. Cached: a pure function of four
    small counts."""
    parts = []
    for n, what in (
        (step1_failed, "failed Step 1"),
        (step1_incomplete, "incomplete Step 1"),
        (step2ck_failed, "failed Step 2 CK"),
        (step2ck_incomplete, "incomplete Step 2 CK"),
    ):
        if n == 1:
            parts.append(f"the {what} attempt")
        elif n > 1:
            parts.append(f"the {words(n)} {what} attempts")
    return and_list(parts)


def specialty_tier(ctx: Context) -> tuple[str, str]:
    """The target specialty's label and tier from the plan (``unknown`` when not listed)."""
    key = _profile(ctx).target.specialty
    spec = ctx.plan.strategy.specialties.get(key)
    if spec is None:
        return key.replace("_", " ").title(), "unknown"
    return spec.label, spec.tier


@rule("S601", "Parallel plan for a very competitive target")
def parallel_plan(ctx: Context) -> Finding | None:
    """Advise a second specialty when the target's tier is in ``strategy.parallel_plan_tiers``.

    Highly competitive specialties are less forgiving of a failed attempt (seed), and the
    chance of matching falls with each failed attempt (DOMAIN.md "Programs and applicants",
    direction M, no figures). The tiers are the plan's qualitative table (tutor convention, L).
    Quiet without a failed or incomplete Step 1 attempt.
    """
    label, tier = specialty_tier(ctx)
    profile = _profile(ctx)
    if tier not in ctx.plan.strategy.parallel_plan_tiers or not profile.failed_step1():
        return None
    attempts = attempts_phrase(profile)
    examples = [
        s.label for s in ctx.plan.strategy.specialties.values() if s.tier in FALLBACK_TIERS
    ][:3]
    suggestion = f" (for example {', '.join(examples)})" if examples else ""
    return make_finding(
        "S601",
        Severity.warning,
        f"{label} is rated {TIER_WORDS[tier]} in the plan's specialty table (a qualitative "
        f"tier, rule of thumb). With {attempts} on the transcript, many of its programs may "
        "not reach an interview offer.",
        [("target.specialty", _profile(ctx).target.specialty), ("strategy.tier", tier)],
        "Keep the target if it is the goal, but prepare a parallel application in a specialty "
        f"the plan rates moderately or less competitive{suggestion}, with its own letters and "
        "program list.",
    )


@rule("S602", "Targeted program list")
def program_list(ctx: Context) -> Finding | None:
    """Advise a researched program list after a failure (quiet without a failed attempt).

    Programs see every attempt on the USMLE transcript (DOMAIN.md "What a failing Step 1 report
    shows", usmle.org, H) and some screen on it while others review the whole file (seed). A
    list built from programs' own signals beats a longer random one; for IMGs and visa holders
    the list is narrowed by who takes them.
    """
    profile = _profile(ctx)
    if not profile.failed_step1():
        return None
    label, tier = specialty_tier(ctx)
    student = profile.student
    return _program_list_finding(
        label,
        tier,
        student.graduate_type is GraduateType.img,
        student.visa_required,
        len(profile.attempts),
        attempts_phrase(profile),
        profile.target.specialty,
    )


@lru_cache(maxsize=1024)
def _program_list_finding(
    label: str,
    tier: str,
    img: bool,
    visa_required: bool,
    attempts: int,
    unsuccessful: str,
    specialty: str,
) -> Finding:
    """The S602 finding. Cached: a pure function of a few small values (the specialty, its
    label and tier, two flags, the number of attempts and the unsuccessful ones in words)
    that repeat across students; findings are immutable."""
    filters = [
        "programs that say they review the whole application rather than screen on exam attempts"
    ]
    if img:
        filters.append("programs with IMGs among their current residents")
    if visa_required:
        filters.append("programs that sponsor the visa you need")
    return make_finding(
        "S602",
        Severity.info,
        f"Programs will see {unsuccessful} on the transcript; in {label} "
        f"({TIER_WORDS[tier]}), where you apply decides as much as how many.",
        [("attempts", attempts), ("target.specialty", specialty)],
        "Research each program before adding it: look for " + "; ".join(filters) + ". Give "
        "every program on the list a reason to be there, and spread the list across program "
        "types rather than only the most sought-after.",
    )


@rule("S603", "Letters of recommendation")
def letters(ctx: Context) -> Finding | None:
    """Advise more letters when fewer than the plan's ``strategy.min_letters`` are on record.

    Letters from physicians who saw the student's clinical work show a side of the applicant
    no exam record shows (seed); for an IMG, letters from US physicians weigh most (seed, IMG
    priorities). The target number is a tutor convention (L). The count is
    ``student.us_letters``: always read for an IMG, and for a US graduate only when the profile
    gives it.
    """
    student = _profile(ctx).student
    img = student.graduate_type is GraduateType.img
    if not img and "us_letters" not in student.model_fields_set:
        return None
    target = ctx.plan.strategy.min_letters
    if student.us_letters >= target:
        return None
    return _letters_finding(student.us_letters, target, img)


@lru_cache(maxsize=256)
def _letters_finding(letters: int, target: int, img: bool) -> Finding:
    """The S603 finding for ``letters`` on record against ``target``. Cached: a pure function
    of two small counts and a flag, which repeat across students; findings are immutable."""
    what = "letter from US physicians" if img else "letter"
    return make_finding(
        "S603",
        Severity.warning,
        f"{plural_head(letters, what)} on record; aim for {target} (plan "
        "strategy.min_letters, a rule of thumb).",
        [("student.us_letters", letters)],
        "Ask attendings who supervised you closely and can describe your clinical judgement, "
        "work ethic and how you responded to the setback"
        + ("; hands-on US rotations are the best source." if img else "."),
    )


@rule("S604", "US clinical experience (IMG)")
def us_clinical_experience(ctx: Context) -> Finding | None:
    """Advise more hands-on US clinical experience for an IMG below the plan's
    ``strategy.img_min_us_clinical_months``.

    Programs weigh US clinical experience for IMGs, more so after a failed attempt (seed, IMG
    priorities); the number of months is a tutor convention (L). Quiet for US graduates.
    """
    student = _profile(ctx).student
    minimum = ctx.plan.strategy.img_min_us_clinical_months
    if student.graduate_type is not GraduateType.img:
        return None
    if student.us_clinical_experience_months >= minimum:
        return None
    return make_finding(
        "S604",
        Severity.warning,
        f"{plural(student.us_clinical_experience_months, 'month')} of US clinical experience "
        "on record; "
        f"aim for at least {minimum} before applying (plan strategy.img_min_us_clinical_months, "
        "a rule of thumb).",
        [("student.us_clinical_experience_months", student.us_clinical_experience_months)],
        "Look for hands-on rotations (not only observerships) in the specialty you apply to: "
        "they also bring the US letters programs look for.",
    )


@rule("S605", "Visa sponsorship")
def visa(ctx: Context) -> Finding | None:
    """Advise checking visa sponsorship when ``student.visa_required`` is true.

    Visa needs are one of the extra factors programs weigh for IMGs (seed); a program that does
    not sponsor the needed visa cannot rank the applicant, so applications there are wasted.
    """
    student = _profile(ctx).student
    if not student.visa_required:
        return None
    return _visa_finding()


@lru_cache(maxsize=1)
def _visa_finding() -> Finding:
    """The S605 finding, the same for every student who needs a visa: built once (findings are
    immutable)."""
    return make_finding(
        "S605",
        Severity.info,
        "A visa is needed for residency, which removes programs that do not sponsor it.",
        [("student.visa_required", True)],
        "Check each program's sponsorship policy and visa types on its own site before "
        "applying, and drop those that do not sponsor the visa you need.",
    )


@rule("S606", "Years since graduation")
def years_since_graduation(ctx: Context, timeline: Timeline) -> Finding | None:
    """Advise when graduation will be more than ``strategy.max_years_since_graduation`` years
    before the application season of the timeline's Match.

    Graduation year is one of the factors programs weigh, especially for IMGs (seed); the
    number of years is a tutor convention (L): programs set their own limits. The season is the
    year before the Match shown on the timeline (or the as-of year without one).
    """
    student = _profile(ctx).student
    if student.graduation_year is None:
        return None
    match_year = timeline.next_feasible_match_year or timeline.match_year
    season = match_year - 1 if match_year is not None else ctx.as_of.year
    years = season - student.graduation_year
    limit = ctx.plan.strategy.max_years_since_graduation
    if years <= limit:
        return None
    return make_finding(
        "S606",
        Severity.warning,
        f"By the {season} application season it will be {years} years since graduation "
        f"({student.graduation_year}), more than {limit} (plan "
        "strategy.max_years_since_graduation, a rule of thumb).",
        [("student.graduation_year", student.graduation_year), ("season", season)],
        "Check each program's stated limit on years since graduation, and show recent "
        "clinical work (US clinical experience, current letters) to close the gap.",
    )


@rule("S607", "Step 2 CK as the recovery signal")
def step2ck_signal(ctx: Context, timeline: Timeline) -> Finding | None:
    """Advise treating Step 2 CK as the main evidence of recovery while it is still ahead.

    Once Step 1 has been failed, Step 2 CK is the strongest chance to show the knowledge and the
    method are fixed, and program directors in competitive specialties rank its score among
    their top selection factors (DOMAIN.md "Programs and applicants", Kindler et al. 2024, H).
    Quiet when a Step 2 CK pass is already on record, and when the attempt limit leaves no
    Step 2 CK test to take (DOMAIN.md "Attempts and retakes", H;
    :func:`~step1plan.rules.eligibility.exhausted_step` for Step 2 CK, which blocks it on the
    timeline, T509). After a Step 2 CK attempt that was not passed, a first-attempt pass is no
    longer possible, so the advice speaks of the retake. Quiet when neither Step has an
    unsuccessful attempt: there is no failure to recover from.
    """
    profile = _profile(ctx)
    step2ck_closed = exhausted_step(profile.attempts, ctx.as_of, (Exam.step2ck,)) is not None
    if step2ck_closed or Exam.step2ck in first_passes(profile):
        return None
    counts = profile.unsuccessful_attempts  # Step 2 CK has no pass here: each attempt counts
    if not any(counts):
        return None
    retake = bool(counts[2] or counts[3])
    test, start = milestone(timeline, "step2ck_test"), milestone(timeline, "step2ck_prep_start")
    several = sum(counts) > 1
    if test is not None and start is not None:
        return _step2ck_finding(start.date, test.date, retake, several)
    return _step2ck_finding(None, None, retake, several)


@lru_cache(maxsize=2048)
def _step2ck_finding(
    start: dt.date | None, test: dt.date | None, retake: bool, several: bool
) -> Finding:
    """The S607 finding for a Step 2 CK preparation start and test day on the timeline (both
    or neither), whether Step 2 CK was already attempted without a pass, and whether there was
    more than one unsuccessful attempt. The weeks never
    read negative: a test planned before its preparation can start (a clerkship still running)
    reads 0 weeks, and T505/M705 flag it; a Step 2 CK planned before the Step 1 retake has its
    own preparation from the as-of date (timeline T508). Cached: a pure function of the two
    dates and the flags, which a cohort sharing its as-of date repeats; findings are
    immutable."""
    when = ""
    evidence: list[tuple[str, object]] = []
    if test is not None and start is not None:
        test_day = test.isoformat()
        when = (
            f" On the timeline it is on {test_day}, after "
            f"{weeks_text(max(prep_weeks_between(start, test), 0))} of dedicated preparation."
        )
        evidence.append(("timeline.step2ck_test", test_day))
    return make_finding(
        "S607",
        Severity.info,
        (
            "Step 2 CK is where the recovery shows. After a Step 2 CK attempt without a pass, "
            "only a pass with a strong score on the retake can show programs that "
            + ("the failures are" if several else "the failure is")
            + " behind you."
            if retake
            else "Step 2 CK is where the recovery shows: a first-attempt pass with a strong "
            "score shows programs that what went wrong on Step 1 has been fixed."
        )
        + when,
        evidence,
        "Start from the shelf results to find the clinical gaps, prove readiness on NBME "
        "practice exams as for Step 1, and resend scores through ERAS once the result is out.",
    )


@rule("S608", "Explain the failure briefly")
def explain_briefly(ctx: Context) -> Finding | None:
    """Advise a short, accountable explanation of the failure for the statement and interviews.

    Programs see the attempt and will ask; a brief account (the cause, the fix, the result
    that proves the fix) answers the question before it becomes an objection (seed).
    Quiet without a failed attempt.
    """
    profile = _profile(ctx)
    if not profile.failed_step1():
        return None
    return _explain_briefly_finding(attempts_phrase(profile))


@lru_cache(maxsize=64)
def _explain_briefly_finding(attempts: str) -> Finding:
    """The S608 finding for the unsuccessful attempts in words. Cached: a few phrases cover
    every student (findings are immutable)."""
    return make_finding(
        "S608",
        Severity.info,
        f"Programs will ask about {attempts}; the explanation should be short, in the "
        "first person, and mostly about what changed.",
        [],
        "Start from the draft (step1plan explain PROFILE), make it yours, and review it with "
        "step1plan explain --check FILE.",
    )


@rule("S609", "No attempt left")
def no_attempt_left(ctx: Context, eligibility: Eligibility | None) -> Finding | None:
    """Say that the application advice does not apply once no Step can be applied for.

    After the attempt limit of a Step is used without a pass, USMLE accepts no application for
    any Step (DOMAIN.md "Attempts and retakes", usmle.org attempt-limit page, H;
    :func:`~step1plan.rules.eligibility.exhausted_step`): the finding points to eligibility when
    it is blocked with no attempt left and Step 1 not passed (rule E201, either Step's limit),
    else to the timeline when the Step 2 CK limit is used (T509; after a Step 1 pass). Every
    other piece of advice here (program list, letters, Step 2 CK, the explanation) assumes a
    pass still to come, so this finding replaces them. Quiet while an attempt is left at each
    Step not yet passed, and when Step 1 was passed (eligibility is blocked then too, by E202)
    with Step 2 CK still open.
    """
    profile = _profile(ctx)
    step1_closed = (
        eligibility is not None
        and eligibility.blocked
        and not eligibility.attempts_left
        and Exam.step1 not in first_passes(profile)
    )
    if step1_closed:
        evidence: list[tuple[str, object]] = [
            ("eligibility.blocked", True),
            ("eligibility.attempts_left", 0),
        ]
        where = "see eligibility"
    elif exhausted_step(profile.attempts, ctx.as_of, (Exam.step2ck,)) is not None:
        evidence = [("attempts", len(profile.attempts))]
        where = "Step 2 CK, see the timeline"
    else:
        return None
    return make_finding(
        "S609",
        Severity.critical,
        f"No USMLE attempt is left ({where}): no Step can be applied for again, so the "
        "application advice (program list, letters, Step 2 CK, an explanation of the failure) "
        "does not apply and is not given.",
        evidence,
        "Ask your school (or, as an international graduate, ECFMG) which options remain: this "
        "tool plans a USMLE route only.",
    )


def explanation_or_closed(
    ctx: Context,
    causes: Sequence[CauseResult],
    readiness: Readiness | None,
    eligibility: Eligibility | None,
) -> str | Finding:
    """What ``step1plan explain PROFILE`` gives: the draft explanation of the failure, or S609's
    finding when no attempt is left (there is then no application to explain it in, as in
    :func:`build_strategy`)."""
    closed = no_attempt_left(ctx, eligibility)
    return closed if closed is not None else draft_explanation(ctx, causes, readiness)


def build_strategy(
    ctx: Context,
    causes: Sequence[CauseResult],
    timeline: Timeline,
    eligibility: Eligibility | None = None,
) -> Strategy:
    """The application strategy: specialty tier, advice S601-S608, and a draft explanation
    of the failure (when there is one to explain); only S609 when no attempt is left."""
    profile = _profile(ctx)
    _, tier = specialty_tier(ctx)
    closed = no_attempt_left(ctx, eligibility)
    if closed is not None:
        return Strategy(specialty=profile.target.specialty, tier=tier, advice=(closed,))
    found = (
        parallel_plan(ctx),
        program_list(ctx),
        letters(ctx),
        us_clinical_experience(ctx),
        visa(ctx),
        years_since_graduation(ctx, timeline),
        step2ck_signal(ctx, timeline),
        explain_briefly(ctx),
    )
    draft = draft_explanation(ctx, causes, None) if profile.failed_step1() else None
    return Strategy(
        specialty=profile.target.specialty,
        tier=tier,
        advice=tuple([f for f in found if f is not None]),
        explanation=draft,
    )
