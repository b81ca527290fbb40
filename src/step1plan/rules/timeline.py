"""The Step 1 retake, Step 2 CK and Match timeline (codes T5xx).

Once Step 1 has been failed, the Step 2 CK result is what shows recovery, so the timeline chains
the Step 1 retake, its result, dedicated Step 2 CK preparation, the Step 2 CK test and its
result, and then the Match season of the target year (or the earliest feasible one). A Step 2 CK
date the student planned before the Step 1 retake unchains the two: Step 2 CK's milestones come
first, each exam with its own preparation (T508; DOMAIN.md allows either order). A planned
Step 2 CK date before the last clerkship ends is the student's choice to test during the
clinical year: preparation does not wait for the clerkships still running then (T504). The next
Step 2 CK test is held to the same USMLE attempt rules as Step 1 (T509).

Dates come from :mod:`step1plan.facts`: score releases on Wednesdays about 4 weeks after the
test, skipping the weeks with no release (DOMAIN.md "Score release", usmle.org, H), and the
Match calendar (known dates for 2026 and 2027, the DOMAIN.md pattern for later years, marked
``estimate``). Lengths (preparation weeks, recommended retake delays) come from the plan's
``timeline:`` section; they are tutor conventions (L) and the output says so.

A cycle is feasible when the Step 2 CK result arrives by the plan's ``step2ck_result_by`` date
(``programs_review`` by default: programs see the application with the recovery evidence in
it) without cutting preparation below ``step2ck_min_prep_weeks``. Shortening preparation down
to that minimum is accepted (and said); going below it is not: the timeline shows the next
cycle instead, because rushing Step 2 CK to apply sooner is a mistake, not a plan (seed).

Each rule is a small pure function returning a typed value with an optional ``note``: the note
is present when the rule changed something (that is when the rule "triggers").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from types import EllipsisType

from step1plan.facts import MatchCalendar, match_calendar, score_release_date
from step1plan.facts.calendar import EVENTS, RELEASE_LAG_DAYS, WEDNESDAY
from step1plan.models.common import AttemptResult, Exam, GraduateType
from step1plan.models.profile import Profile, RemainingClerkship
from step1plan.models.record import record
from step1plan.models.report import Eligibility, Milestone, Readiness, Timeline
from step1plan.rules.base import Context, rule
from step1plan.rules.eligibility import (
    attempt_limit_reached,
    fourth_attempt_spacing,
    history_of,
    twelve_month_window,
)
from step1plan.rules.studyplan import RetakeChoice, plan_retake_date
from step1plan.rules.wording import num, weeks_text

DAY = dt.timedelta(days=1)

HORIZON_YEARS = 6
"""How many Match years after the earliest possible one are searched for a feasible cycle (a
search bound, not a domain number: any real plan fits well inside it)."""

MILESTONE_IDS: tuple[str, ...] = (
    "step1_retake",
    "step1_result",
    "step2ck_prep_start",
    "step2ck_test",
    "step2ck_result",
    "eras_opens",
    "eras_submit",
    "programs_review",
    "nrmp_registration",
    "ecfmg_requirements",
    "rank_list_deadline",
    "match_day",
)
"""Every milestone id (DESIGN.md, fixed), in their logical order (ties on a date keep it)."""

_MILESTONE_ORDER: dict[str, int] = {mid: i for i, mid in enumerate(MILESTONE_IDS)}
"""Position of each id in :data:`MILESTONE_IDS`."""

LABELS: dict[str, str] = {
    "step1_retake": "Step 1 retake",
    "step1_result": "Step 1 result",
    "step2ck_prep_start": "Step 2 CK prep starts",
    "step2ck_test": "Step 2 CK test",
    "step2ck_result": "Step 2 CK result",
    "eras_opens": "ERAS season opens",
    "eras_submit": "Applications can be submitted",
    "programs_review": "Programs start reviewing",
    "nrmp_registration": "NRMP registration opens",
    "ecfmg_requirements": "ECFMG requirements met (IMG)",
    "rank_list_deadline": "Rank order list deadline",
    "match_day": "Match Day",
}
"""Human labels of the milestones."""

DEADLINE_WORDS: dict[str, str] = {
    "eras_submit": "the day applications can be submitted",
    "programs_review": "the day programs start reviewing applications",
}
"""The ``step2ck_result_by`` choices, in words."""


@lru_cache(maxsize=64)
def weeks(n: float) -> dt.timedelta:
    """``n`` weeks as a timedelta (whole days).

    Cached: a pure function of a number, and the plans' preparation lengths take few values.
    """
    return dt.timedelta(days=round(7 * n))


def prep_weeks_between(start: dt.date, test: dt.date) -> float:
    """Weeks of dedicated preparation from ``start`` to the test day."""
    return (test - start).days / 7


def tag(code: str, text: str) -> str:
    """A note prefixed with the rule code that wrote it, so users can look the rule up."""
    return f"{code}: {text}"


def _profile(ctx: Context) -> Profile:
    if ctx.profile is None:
        raise ValueError("the timeline needs a profile")
    return ctx.profile


def deadline(ctx: Context, match_year: int) -> tuple[str, dt.date]:
    """The event the Step 2 CK result must arrive by in ``match_year`` (plan
    ``timeline.step2ck_result_by``) and its date."""
    event = ctx.plan.timeline.step2ck_result_by
    return event, _event_date(event, match_year)


@lru_cache(maxsize=256)
def _event_date(event: str, match_year: int) -> dt.date:
    """The date of one Match-calendar event. Cached: a pure function of event and year."""
    return match_calendar(match_year)[event].date


@lru_cache(maxsize=256)
def _first_year_with(event: str, as_of: dt.date) -> int:
    """The first Match year whose ``event`` is not before ``as_of``. Cached: a pure function of
    event and date."""
    year = as_of.year
    while _event_date(event, year) < as_of:
        year += 1
    return year


@lru_cache(maxsize=1024)
def latest_test_with_result_by(day: dt.date) -> dt.date:
    """The latest test date whose planned result (:func:`score_release_date`) is on or before
    ``day``. Release dates never decrease as the test date moves later, so stepping back from
    the 4-week lag finds it in a few steps. Cached: a pure function of the (immutable) date."""
    test = day - dt.timedelta(days=RELEASE_LAG_DAYS)
    while score_release_date(test) > day:
        test -= DAY
    return test


# ---------------------------------------------------------------- T501 exams already passed


@record
class Passed:
    """Steps already passed, by the date of the passing attempt."""

    step1: dt.date | None
    step2ck: dt.date | None
    notes: tuple[str, ...] = ()


def first_passes(profile: Profile) -> dict[Exam, dt.date]:
    """The date of the first passing attempt at each exam passed (attempts are oldest first)."""
    passes: dict[Exam, dt.date] = {}
    for attempt in profile.attempts:
        if attempt.result is AttemptResult.passed:
            passes.setdefault(attempt.exam, attempt.date)
    return passes


@rule("T501", "Exams already passed")
def exams_passed(profile: Profile) -> Passed:
    """Leave out the milestones of a Step already passed.

    A passed Step cannot be taken again (DOMAIN.md "Attempts and retakes", usmle.org, H), so a
    passing Step 1 attempt removes the retake and its result, and a passing Step 2 CK attempt
    removes its preparation, test and result: those dates are behind the student. The note
    reminds that a new score reaches programs only once it is resent through ERAS (DOMAIN.md
    "Score release", H).
    """
    passes = first_passes(profile)
    step1 = passes.get(Exam.step1)
    step2ck = passes.get(Exam.step2ck)
    notes: list[str] = []
    if step1 is not None:
        notes.append(
            tag("T501", f"Step 1 was passed on {step1.isoformat()}, so no retake is planned.")
        )
    if step2ck is not None:
        notes.append(
            tag(
                "T501",
                f"Step 2 CK was passed on {step2ck.isoformat()}, so its preparation, test and "
                "result are left out; make sure the score has been sent to programs in ERAS.",
            )
        )
    return Passed(step1, step2ck, tuple(notes))


# ---------------------------------------------------------------- T502 Step 1 retake date


@record
class RetakeDate:
    """The Step 1 retake date the timeline uses, and where it came from."""

    date: dt.date | None
    source: str
    """``planned`` (the student's own date), ``recommended`` (P402, never before the earliest
    attempt allowed) or ``blocked``."""
    note: str | None = None

    @property
    def estimate(self) -> bool:
        """Only a date the student planned is not an estimate."""
        return self.source != "planned"


@rule("T502", "Step 1 retake date")
def step1_retake_date(
    ctx: Context,
    eligibility: Eligibility,
    readiness: Readiness,
    choice: RetakeChoice | EllipsisType | None = ...,
) -> RetakeDate:
    """The Step 1 retake date: the one the study plan's weeks run to (P402), so that the whole
    report gives one date.

    That is the planned ``target.step1_date`` when it is on or after the as-of date and
    allowed, even when readiness is not shown (the mistakes rules flag that); else P402's
    recommendation; and never before the earliest attempt the USMLE attempt rules allow
    (eligibility, DOMAIN.md "Attempts and retakes", H). A projection of practice scores is
    reported by readiness but never sets the date: it is a trend line, not evidence. The rule
    triggers (writes a note) whenever the date is not the student's own planned date.
    ``choice`` is P402's, when the caller has it already (the full analysis builds the study
    plan from the same one).
    """
    if choice is ...:
        choice = plan_retake_date(ctx, readiness, eligibility)
    if choice is None:  # plan_retake_date gives none when eligibility is blocked
        reason = " ".join(eligibility.reasons) or "no Step 1 attempt is left."
        return RetakeDate(None, "blocked", f"No Step 1 retake can be planned: {reason}")
    if choice.source == "planned":
        return RetakeDate(choice.date, "planned")
    return RetakeDate(
        choice.date,
        "recommended",
        f"The timeline uses the study plan's retake date (P402). {choice.note}",
    )


# ---------------------------------------------------------------- T503 result release


@record
class Release:
    """The planning date of an exam result."""

    date: dt.date
    note: str | None = None


@rule("T503", "Result release date")
@lru_cache(maxsize=4096)  # a pure function of the (immutable) date and label
def result_release(test_date: dt.date, exam_label: str) -> Release:
    """Date a result is expected: the Wednesday about 4 weeks after the test, later when that
    Wednesday falls in a week without releases.

    USMLE releases results on Wednesdays, usually within about 4 weeks, and not in the week of
    July 4 or the last week of December (DOMAIN.md "Score release", usmle.org, H). The rule
    triggers (writes a note) when a no-release week pushes the result back.
    """
    usual = test_date + dt.timedelta(days=RELEASE_LAG_DAYS)
    usual += dt.timedelta(days=(WEDNESDAY - usual.weekday()) % 7)
    day = score_release_date(test_date)
    if day == usual:
        return Release(day)
    return Release(
        day,
        f"The usual release day for this {exam_label} test, {usual.isoformat()}, falls in a "
        "week with no score release (the week of July 4 or the last week of December), so "
        f"the result is expected on {day.isoformat()}.",
    )


# ---------------------------------------------------------------- T509 Step 2 CK attempt rules


@record
class Step2ckAttempts:
    """What the USMLE attempt rules allow for the next Step 2 CK test."""

    blocked: bool = False
    not_before: dt.date | None = None
    """The next Step 2 CK test cannot be before this date (``None``: no waiting period)."""
    note: str | None = None


_NO_STEP2CK_LIMIT = Step2ckAttempts()
"""T509's result without a Step 2 CK attempt (most students): shared, as records are immutable."""

STEP2CK_ATTEMPT_RULES = (attempt_limit_reached, twelve_month_window, fourth_attempt_spacing)
"""The eligibility rules (E201, E203, E204) that hold for every Step, in reporting order."""


@rule("T509", "Step 2 CK attempt rules")
def step2ck_attempts(profile: Profile, as_of: dt.date) -> Step2ckAttempts:
    """Hold the next Step 2 CK test to the USMLE attempt rules, as Step 1 is held.

    The attempt limit (4 per Step, incomplete attempts included), at most 3 attempts at the
    same exam in any 12 months, and a 4th or later attempt at least 12 months after the first
    and 6 after the most recent apply to every Step (DOMAIN.md "Attempts and retakes", H). So
    the eligibility rules E201, E203 and E204 run unchanged on the Step 2 CK attempt history
    (:func:`~step1plan.rules.eligibility.history_of` with ``exam=Exam.step2ck``; whether the
    limit is used is :func:`~step1plan.rules.eligibility.exhausted_step`'s answer, which S607
    and S609 ask directly). The rule triggers (writes a note) when they block any further
    Step 2 CK test (then no Match cycle can be planned) or set a date the test must wait for.
    """
    if not any(a.exam is Exam.step2ck and a.date <= as_of for a in profile.attempts):
        return _NO_STEP2CK_LIMIT  # no Step 2 CK attempt yet: none of the rules can apply
    history = history_of(profile.attempts, as_of, Exam.step2ck)
    found = [c for r in STEP2CK_ATTEMPT_RULES if (c := r(history)) is not None]
    blocking = [c.reason for c in found if c.blocked]
    if blocking:
        return Step2ckAttempts(
            blocked=True, note="No Step 2 CK test can be planned: " + " ".join(blocking)
        )
    days = [c.earliest for c in found if c.earliest is not None]
    if not days:
        return Step2ckAttempts()
    day = max(days)
    return Step2ckAttempts(
        not_before=day,
        note=f"The next Step 2 CK test cannot be before {day.isoformat()}. "
        + " ".join(c.reason for c in found if c.earliest is not None),
    )


def usable_step2ck_date(ctx: Context, not_before: dt.date | None) -> dt.date | None:
    """The planned ``target.step2ck_date`` when the timeline can use it: not before the as-of
    date (T505) nor before the date the attempt rules allow (T509)."""
    planned = _profile(ctx).target.step2ck_date
    if planned is None or planned < max(ctx.as_of, not_before or ctx.as_of):
        return None
    return planned


# ---------------------------------------------------------------- T508 order of the two exams


@record
class Order:
    """What dedicated Step 2 CK preparation waits for, and the earliest day it can start."""

    after: str
    """``step1_result`` or ``step1_retake`` (preparation follows that Step 1 event), or
    ``nothing`` when the plan puts Step 2 CK before the Step 1 retake."""
    earliest: dt.date
    note: str | None = None


@rule("T508", "Step 2 CK planned before Step 1")
def exam_order(
    ctx: Context, retake: dt.date, step1_result: dt.date, not_before: dt.date | None = None
) -> Order:
    """Where Step 2 CK preparation starts, given the order the plan puts the two exams in.

    Step 1 and Step 2 CK may be taken in either order, though some schools require Step 1
    first (DOMAIN.md "Attempts and retakes", M). The timeline chains Step 2 CK after the
    retake: preparation starts with the Step 1 result or the day after the retake (plan
    ``timeline.step2ck_prep_starts_after``). A planned ``target.step2ck_date`` (not in the
    past, nor before ``not_before``, the date the attempt rules allow, T509) earlier than that
    start changes the chain, and the rule triggers (writes a note):

    - on or before the retake day, the plan puts Step 2 CK first. Its preparation starts from
      the as-of date, as when Step 1 is already passed, and the two exams' dates no longer
      depend on each other: Step 2 CK's milestones come first and the retake follows. This is
      the smallest change that keeps every milestone after the one it depends on; the Step 1
      study plan is not shortened, so the note says the weeks are shared. Clerkships still
      running on the planned day do not move this start (T504): the student chose to test
      before they end;
    - after the retake but before its result, preparation counts from the day after the
      retake, the earliest it can start.

    Either way the weeks of preparation run forward from their start, never negative.
    """
    chained = ctx.plan.timeline.step2ck_prep_starts_after
    earliest = step1_result if chained == "step1_result" else retake + DAY
    planned = usable_step2ck_date(ctx, not_before)
    if planned is None or planned >= earliest:
        return Order(chained, earliest)
    if planned > retake:
        return Order(
            "step1_retake",
            retake + DAY,
            f"The planned Step 2 CK date {planned.isoformat()} comes before the Step 1 "
            f"result ({step1_result.isoformat()}), so its preparation is counted from the day "
            "after the retake instead of from the result (plan "
            "timeline.step2ck_prep_starts_after).",
        )
    when = "before" if planned < retake else "on the same day as"
    return Order(
        "nothing",
        ctx.as_of,
        f"The plan puts Step 2 CK first: it is planned for {planned.isoformat()}, {when} the "
        f"Step 1 retake ({retake.isoformat()}). Its preparation does not wait for the Step 1 "
        "result: it shares its weeks with Step 1 study, and the retake follows it. USMLE allows "
        "either order, but some schools require Step 1 to be passed first: check your "
        "school's rule before booking.",
    )


# ---------------------------------------------------------------- T504 Step 2 CK preparation


@record
class PrepLength:
    """Recommended and minimum weeks of Step 2 CK preparation for this student."""

    weeks: int
    min_weeks: int
    weak_shelves: tuple[tuple[str, float], ...] = ()
    """Shelf scores under the plan's ``weak_shelf_score``, by clerkship."""


def prep_length(ctx: Context) -> PrepLength:
    """Weeks of Step 2 CK preparation: the plan's, plus ``step2ck_extra_weeks_weak_shelf`` (on
    both the usual length and the minimum) when a shelf score is under ``weak_shelf_score``."""
    tp = ctx.plan.timeline
    shelves = _profile(ctx).clerkships.shelves
    weak = tuple(sorted([(k, v) for k, v in shelves.items() if v < tp.weak_shelf_score]))
    extra = tp.step2ck_extra_weeks_weak_shelf if weak else 0
    return PrepLength(tp.step2ck_prep_weeks + extra, tp.step2ck_min_prep_weeks + extra, weak)


@record
class Prep:
    """When dedicated Step 2 CK preparation starts and how long it should last."""

    start: dt.date
    weeks: int
    min_weeks: int
    estimate: bool
    note: str | None = None

    @property
    def full_end(self) -> dt.date:
        """Test day after the recommended preparation."""
        return self.start + weeks(self.weeks)

    @property
    def min_end(self) -> dt.date:
        """Earliest test day that does not cut preparation below the minimum."""
        return self.start + weeks(self.min_weeks)


def clerkships_around(
    remaining: Sequence[RemainingClerkship], start: dt.date, test: dt.date | None
) -> tuple[RemainingClerkship | None, RemainingClerkship | None]:
    """The remaining clerkships that matter to a preparation starting on ``start``: the last
    one ending before the planned ``test`` (preparation waits for it) and the last one still
    running on the test day (preparation cannot wait for it), each ``None`` when there is none.
    Without a planned test every clerkship ending on or after ``start`` is waited for."""
    running = [c for c in remaining if c.ends >= start]
    before = [c for c in running if test is None or c.ends < test]
    during = [c for c in running if test is not None and c.ends >= test]
    return (
        max(before, key=lambda c: c.ends, default=None),
        max(during, key=lambda c: c.ends, default=None),
    )


@rule("T504", "Step 2 CK preparation window")
def step2ck_prep(
    ctx: Context, earliest_start: dt.date, estimate: bool, planned_test: dt.date | None = None
) -> Prep:
    """Start and length of dedicated Step 2 CK preparation.

    It starts at ``earliest_start`` (the Step 1 result or the day after the retake, plan
    ``timeline.step2ck_prep_starts_after``, or the as-of date when the plan puts Step 2 CK
    first, T508), never before the as-of date, and not before the last remaining clerkship
    ends: dedicated time needs the clinical year behind it, and the shelves show where the
    clinical gaps are (seed). A Step 2 CK date the student planned (``planned_test``, the
    ``target.step2ck_date`` the timeline uses, T505) is the student's choice to take the test
    while clerkships are still running: only the clerkships ending before that date delay the
    start, because waiting for the others would put preparation after the test. The note then
    says the test comes before those clerkships end, and T505 says when that leaves less than
    the minimum preparation. It lasts ``step2ck_prep_weeks``, with
    ``step2ck_extra_weeks_weak_shelf`` more (also on the minimum) when a shelf score is under
    ``weak_shelf_score`` (plan, tutor conventions, L). The rule triggers (writes a note) when a
    clerkship delays the start, when the planned test comes before a clerkship ends, or when a
    weak shelf lengthens the preparation.
    """
    profile = _profile(ctx)
    tp = ctx.plan.timeline
    start = max(earliest_start, ctx.as_of)
    reasons: list[str] = []
    last, running = clerkships_around(profile.clerkships.remaining, start, planned_test)
    if last is not None:
        start = last.ends + DAY
        estimate = False
        which = "the last remaining clerkship" if running is None else "the clerkship"
        reasons.append(
            f"it starts on {start.isoformat()}, after {which} ({last.name}) ends on "
            f"{last.ends.isoformat()}"
        )
    if running is not None and planned_test is not None:
        reasons.append(
            f"the test planned for {planned_test.isoformat()} comes before the last remaining "
            f"clerkship ({running.name}) ends on {running.ends.isoformat()}, so preparation "
            "shares its weeks with the clerkships still running instead of following them"
        )
    length = prep_length(ctx)
    if length.weak_shelves:
        shelves = ", ".join(f"{name} {num(score)}" for name, score in length.weak_shelves)
        reasons.append(
            f"it lasts {length.weeks} weeks instead of {tp.step2ck_prep_weeks} (minimum "
            f"{length.min_weeks}) because shelf scores under {tp.weak_shelf_score:g} ({shelves}) "
            "point to clinical gaps (plan timeline.step2ck_extra_weeks_weak_shelf, a rule of "
            "thumb)"
        )
    note = "Step 2 CK preparation: " + "; ".join(reasons) + "." if reasons else None
    return Prep(start, length.weeks, length.min_weeks, estimate, note)


# ---------------------------------------------------------------- T505 planned Step 2 CK date


@record
class PlannedTest:
    """The student's planned Step 2 CK date, when it still applies."""

    date: dt.date | None
    note: str | None = None


@rule("T505", "Planned Step 2 CK date")
def planned_step2ck(ctx: Context, prep: Prep, not_before: dt.date | None = None) -> PlannedTest:
    """Use the planned ``target.step2ck_date``, and say when it squeezes preparation.

    A planned date before the as-of date with no attempt recorded, or before ``not_before``
    (the earliest next Step 2 CK test the attempt rules allow, T509), is dropped (the timeline
    plans from the preparation window instead). A planned date that leaves fewer weeks than
    the minimum preparation (plan ``timeline.step2ck_min_prep_weeks``, a rule of thumb) is kept
    because it is the student's plan, but the note says so: rushing Step 2 CK to apply sooner
    weakens the main evidence of recovery (seed). The rule triggers in both cases.
    """
    planned = _profile(ctx).target.step2ck_date
    if planned is None:
        return PlannedTest(None)
    if planned < ctx.as_of:
        return PlannedTest(
            None,
            f"The planned Step 2 CK date {planned.isoformat()} has passed with no attempt "
            "recorded, so the timeline plans the test from the preparation window.",
        )
    if not_before is not None and planned < not_before:
        return PlannedTest(
            None,
            f"The planned Step 2 CK date {planned.isoformat()} is before the attempt rules "
            f"allow the next Step 2 CK test ({not_before.isoformat()}, T509), so the timeline "
            "plans the test from the preparation window.",
        )
    got = prep_weeks_between(prep.start, planned)
    if got < prep.min_weeks:
        return PlannedTest(
            planned,
            f"The planned Step 2 CK date leaves {weeks_text(max(got, 0))} of dedicated "
            f"preparation from {prep.start.isoformat()}, under the minimum of {prep.min_weeks} "
            "(plan timeline.step2ck_min_prep_weeks, a rule of thumb): a later date costs less "
            "than a weak score.",
        )
    return PlannedTest(planned)


# ---------------------------------------------------------------- T506 Match cycle


@record
class Step2ckWindow:
    """Where the Step 2 CK test can go: after the preparation, or on the planned date."""

    start: dt.date
    full_end: dt.date
    min_end: dt.date
    planned: dt.date | None = None
    not_before: dt.date | None = None
    """The earliest test day the attempt rules allow (T509); a planned date is never before
    it (T505 drops one that is)."""

    @property
    def earliest(self) -> dt.date:
        """The earliest test day: the minimum preparation done and the attempt rules met."""
        return max(self.min_end, self.not_before or self.min_end)

    def test_for(self, by: dt.date) -> dt.date | None:
        """The test date whose result arrives by ``by`` without cutting preparation below the
        minimum or testing before the attempt rules allow, or ``None``. With the full
        preparation when it fits, else the latest date between the earliest and the full
        length; a planned date is taken as it is."""
        if self.planned is not None:
            fits = score_release_date(max(self.planned, self.min_end)) <= by
            return self.planned if fits else None
        full = max(self.full_end, self.earliest)
        if score_release_date(full) <= by:
            return full
        if score_release_date(self.earliest) <= by:
            return min(latest_test_with_result_by(by), full)
        return None


@record
class Cycle:
    """The Match year the timeline shows and whether it is feasible."""

    match_year: int
    feasible: bool
    next_feasible: int | None = None
    note: str | None = None


def first_possible_year(ctx: Context) -> int:
    """The first Match whose ``step2ck_result_by`` date is not before the as-of date."""
    return _first_year_with(ctx.plan.timeline.step2ck_result_by, ctx.as_of)


def _fits(
    ctx: Context, year: int, step1_result: dt.date | None, window: Step2ckWindow | None
) -> bool:
    _, by = deadline(ctx, year)
    if step1_result is not None and step1_result > by:
        return False
    return window is None or window.test_for(by) is not None


def _short_preparation(window: Step2ckWindow, test: dt.date) -> str:
    """What a Step 2 CK test on ``test`` leaves of the preparation that starts with the window
    (T504), against the plan's minimum, and why that is not a plan (seed)."""
    left = prep_weeks_between(window.start, test)
    leaves = f"{weeks_text(left)} of preparation" if left > 0 else "no preparation time"
    minimum = prep_weeks_between(window.start, window.min_end)
    return (
        f"leaves {leaves} from {window.start.isoformat()}, under the minimum of "
        f"{weeks_text(minimum)} (plan timeline.step2ck_min_prep_weeks). Rushing Step 2 CK to "
        "apply a year sooner would weaken the main evidence of recovery."
    )


def _why_not_planned(year: int, when: str, by: dt.date, window: Step2ckWindow) -> str:
    """Why the planned Step 2 CK date (``window.planned``) misses Match ``year``, in the dates
    the timeline shows for it: its result comes after ``by``, or it comes in time but the
    date leaves less than the minimum preparation (:meth:`Step2ckWindow.test_for`)."""
    planned = window.planned
    assert planned is not None
    result = score_release_date(planned)
    test = f"a Step 2 CK test on {planned.isoformat()} gives its result on {result.isoformat()}"
    if result > by:
        return f"Match {year} is not feasible as planned: {test}, after {when}."
    return (
        f"Match {year} is not feasible as planned: {test}, in time for {when}, but the date "
        + _short_preparation(window, planned)
    )


def _why_not(
    ctx: Context, year: int, first: int, step1_result: dt.date | None, window: Step2ckWindow | None
) -> str:
    event, by = deadline(ctx, year)
    when = f"{DEADLINE_WORDS[event]} ({by.isoformat()})"
    if year < first:
        return f"Match {year} is out of reach: {when} is before the as-of date."
    if step1_result is not None and step1_result > by:
        return (
            f"Match {year} is not feasible: the Step 1 result, expected "
            f"{step1_result.isoformat()}, comes after {when}."
        )
    assert window is not None
    if window.planned is not None:
        return _why_not_planned(year, when, by, window)
    latest = latest_test_with_result_by(by)
    if window.not_before is not None and window.not_before > latest:
        return (
            f"Match {year} is not feasible: a Step 2 CK result by {when} needs the test by "
            f"{latest.isoformat()}, and the attempt rules allow the next one from "
            f"{window.not_before.isoformat()} (T509)."
        )
    return (
        f"Match {year} is not feasible: a Step 2 CK result by {when} needs the test by "
        f"{latest.isoformat()}, which " + _short_preparation(window, latest)
    )


@rule("T506", "Match cycle feasibility")
def match_cycle(ctx: Context, step1_result: dt.date | None, window: Step2ckWindow | None) -> Cycle:
    """Pick the Match year: the target if feasible, else the next feasible one.

    A cycle is feasible when the pending results (Step 1 retake, Step 2 CK) arrive by the
    plan's ``timeline.step2ck_result_by`` date of that Match (programs' review by default, a
    documented convention: after a failure programs look for the Step 2 CK result) without
    cutting Step 2 CK preparation below ``step2ck_min_prep_weeks``. Without a target year the
    earliest possible Match is tried first, then later ones. Dates come from the Match
    calendar facts (DOMAIN.md "Match calendar"). The rule triggers (writes a note) when the
    target, or the earliest possible Match, is not feasible; ``next_feasible`` then names the
    cycle to plan for.
    """
    first = first_possible_year(ctx)
    target = _profile(ctx).target.match_year
    start = target if target is not None else first

    def fits(year: int) -> bool:
        return year >= first and _fits(ctx, year, step1_result, window)

    if fits(start):
        return Cycle(start, True)
    following = next(
        (y for y in range(max(start + 1, first), first + HORIZON_YEARS + 1) if fits(y)), None
    )
    why = _why_not(ctx, start, first, step1_result, window)
    if following is None:
        return Cycle(
            start, False, None, f"{why} No feasible Match was found up to {first + HORIZON_YEARS}."
        )
    if target is None:
        return Cycle(following, True, None, f"{why} The earliest feasible is Match {following}.")
    return Cycle(
        target,
        False,
        following,
        f"{why} The next feasible is Match {following}; the dates shown are for that cycle.",
    )


# ---------------------------------------------------------------- T507 ECFMG (IMGs)


@rule("T507", "ECFMG requirements for IMGs")
def ecfmg_requirements(
    profile: Profile, calendar: MatchCalendar, as_of: dt.date
) -> Milestone | None:
    """For an international medical graduate, add the ECFMG deadline: the rank-list deadline.

    To enter the Match an IMG must have passed Step 1 and Step 2 CK and met ECFMG's clinical
    and communication requirements (a Pathway plus OET Medicine) by the rank-order-list
    deadline (DOMAIN.md "Programs and applicants", ECFMG, H). The rule triggers for
    ``graduate_type: img`` and is quiet for US graduates.
    """
    if profile.student.graduate_type is not GraduateType.img:
        return None
    rank = calendar["rank_list_deadline"]
    return _milestone(
        as_of,
        "ecfmg_requirements",
        rank.date,
        rank.estimate,
        note=tag(
            "T507",
            "Step 1 and Step 2 CK passed and ECFMG's clinical and communication requirements "
            "(a Pathway and OET Medicine) met by the rank-list deadline; ECFMG certification "
            "is needed to start residency.",
        ),
    )


# ---------------------------------------------------------------- assembly


def _join(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return " ".join(kept) if kept else None


@record
class _Slack:
    retake: int | None = None
    step1_result: int | None = None
    prep: int | None = None
    test: int | None = None
    step2ck_result: int | None = None


def _step1_slack(by: dt.date, retake: dt.date, step1_result: dt.date) -> _Slack:
    """Slack of a Step 1 retake and result that no Step 2 CK date waits for."""
    return _Slack(
        retake=(latest_test_with_result_by(by) - retake).days,
        step1_result=(by - step1_result).days,
    )


def _slack(
    after: str,
    by: dt.date,
    retake: dt.date | None,
    step1_result: dt.date | None,
    prep: Prep | None,
    test: dt.date | None,
) -> _Slack:
    """Days each date can slip before the chain misses ``by`` (negative: already late).

    ``after`` is what Step 2 CK preparation waits for (:class:`Order`): the Step 1 result, the
    retake, or ``nothing`` (Step 2 CK first, or Step 1 already passed)."""
    if prep is None or test is None:
        if retake is None or step1_result is None:
            return _Slack()
        return _step1_slack(by, retake, step1_result)
    test_slack = (latest_test_with_result_by(by) - test).days
    result_slack = (by - score_release_date(test)).days
    if retake is None or step1_result is None:
        return _Slack(prep=test_slack, test=test_slack, step2ck_result=result_slack)
    if after == "nothing":
        step1 = _step1_slack(by, retake, step1_result)
        r0, r1 = step1.retake, step1.step1_result
    else:
        latest_start = prep.start + dt.timedelta(days=test_slack)
        if after == "step1_result":
            r1 = (latest_start - step1_result).days
            latest_retake = latest_test_with_result_by(latest_start)
        else:
            r1 = (by - step1_result).days
            latest_retake = min(latest_start - DAY, latest_test_with_result_by(by))
        r0 = (latest_retake - retake).days
    return _Slack(r0, r1, test_slack, test_slack, result_slack)


def _milestone(
    as_of: dt.date,
    mid: str,
    day: dt.date,
    estimate: bool,
    slack: int | None = None,
    note: str | None = None,
) -> Milestone:
    # Positional arguments, in the field order of Milestone: id, date, estimate, label,
    # days_from_as_of, slack_days, note.
    return Milestone(mid, day, estimate, LABELS[mid], (day - as_of).days, slack, note)


@lru_cache(maxsize=64)
def _calendar_milestones(as_of: dt.date, match_year: int) -> tuple[Milestone, ...]:
    """The Match calendar's milestones of one Match year, seen from ``as_of``.

    The same for every student of a cohort with that Match year, so built once (the results
    are immutable and shared).
    """
    calendar = match_calendar(match_year)
    out = []
    for event in EVENTS:
        cd = calendar[event]
        note = f"source: {cd.source}; confidence {cd.confidence.value}" if cd.estimate else None
        out.append(_milestone(as_of, event, cd.date, cd.estimate, note=note))
    return tuple(out)


def sort_milestones(items: Sequence[Milestone]) -> tuple[Milestone, ...]:
    """By date, ties in the logical order of :data:`MILESTONE_IDS`."""
    return tuple(sorted(items, key=lambda m: (m.date, _MILESTONE_ORDER[m.id])))


def build_timeline(
    ctx: Context,
    eligibility: Eligibility,
    readiness: Readiness,
    choice: RetakeChoice | EllipsisType | None = ...,
) -> Timeline:
    """The Step 1 retake -> Step 2 CK -> Match timeline for the target or earliest feasible
    Match, with days from the as-of date, slack and estimate flags (rules T501-T509).
    ``choice`` is P402's retake choice when the caller has it (see :func:`step1_retake_date`)."""
    profile = _profile(ctx)
    passed = exams_passed(profile)
    notes = list(passed.notes)

    retake: RetakeDate | None = None
    release1: Release | None = None
    if passed.step1 is None:
        retake = step1_retake_date(ctx, eligibility, readiness, choice)
        if retake.date is None:
            notes.append(tag("T502", retake.note or "No Step 1 retake can be planned."))
            return Timeline(
                match_year=profile.target.match_year, feasible=False, notes=tuple(notes)
            )
        release1 = result_release(retake.date, "Step 1")

    prep: Prep | None = None
    after = "nothing"
    planned: PlannedTest | None = None
    window: Step2ckWindow | None = None
    if passed.step2ck is None:
        rules = step2ck_attempts(profile, ctx.as_of)
        if rules.note:
            notes.append(tag("T509", rules.note))
        if rules.blocked:
            return Timeline(
                match_year=profile.target.match_year, feasible=False, notes=tuple(notes)
            )
        earliest = ctx.as_of
        if retake is not None and retake.date is not None and release1 is not None:
            order = exam_order(ctx, retake.date, release1.date, rules.not_before)
            if order.note:
                notes.append(tag("T508", order.note))
            after, earliest = order.after, order.earliest
        if rules.not_before is not None:
            # No earlier start than needed for the full preparation to end on that date.
            earliest = max(earliest, rules.not_before - weeks(prep_length(ctx).weeks))
        prep = step2ck_prep(
            ctx,
            earliest,
            estimate=after != "nothing",
            planned_test=usable_step2ck_date(ctx, rules.not_before),
        )
        planned = planned_step2ck(ctx, prep, rules.not_before)
        window = Step2ckWindow(
            prep.start, prep.full_end, prep.min_end, planned.date, rules.not_before
        )

    step1_result = release1.date if release1 is not None else None
    cycle = match_cycle(ctx, step1_result, window)
    if cycle.note:
        notes.append(tag("T506", cycle.note))
    shown = cycle.next_feasible or cycle.match_year
    calendar = match_calendar(shown)
    _, by = deadline(ctx, shown)

    test: dt.date | None = None
    test_note: str | None = None
    if window is not None and prep is not None:
        test = window.test_for(by) or window.planned or window.full_end
        if window.planned is None and test < window.full_end:
            test_note = tag(
                "T506",
                f"Preparation is shortened to {weeks_text(prep_weeks_between(prep.start, test))} "
                f"(plan: {prep.weeks}, minimum {prep.min_weeks}) so the result arrives by "
                f"{by.isoformat()}.",
            )
    slack = _slack(after, by, retake.date if retake else None, step1_result, prep, test)

    items: list[Milestone] = []
    if retake is not None and retake.date is not None and release1 is not None:
        items.append(
            _milestone(
                ctx.as_of,
                "step1_retake",
                retake.date,
                retake.estimate,
                slack.retake,
                tag("T502", retake.note) if retake.note else None,
            )
        )
        items.append(
            _milestone(
                ctx.as_of,
                "step1_result",
                release1.date,
                True,
                slack.step1_result,
                tag("T503", release1.note) if release1.note else None,
            )
        )
    if prep is not None and test is not None and planned is not None:
        items.append(
            _milestone(
                ctx.as_of,
                "step2ck_prep_start",
                prep.start,
                prep.estimate,
                slack.prep,
                tag("T504", prep.note) if prep.note else None,
            )
        )
        release2 = result_release(test, "Step 2 CK")
        items.append(
            _milestone(
                ctx.as_of,
                "step2ck_test",
                test,
                planned.date is None,
                slack.test,
                _join(tag("T505", planned.note) if planned.note else None, test_note),
            )
        )
        items.append(
            _milestone(
                ctx.as_of,
                "step2ck_result",
                release2.date,
                True,
                slack.step2ck_result,
                tag("T503", release2.note) if release2.note else None,
            )
        )
    items.extend(_calendar_milestones(ctx.as_of, shown))
    ecfmg = ecfmg_requirements(profile, calendar, ctx.as_of)
    if ecfmg is not None:
        items.append(ecfmg)
    return Timeline(
        match_year=cycle.match_year,
        feasible=cycle.feasible,
        milestones=sort_milestones(items),
        notes=tuple(notes),
        next_feasible_match_year=cycle.next_feasible,
    )


def milestone(timeline: Timeline, mid: str) -> Milestone | None:
    """The milestone with id ``mid``, if the timeline has it."""
    for m in timeline.milestones:  # a plain loop: no generator to create and resume
        if m.id == mid:
            return m
    return None
