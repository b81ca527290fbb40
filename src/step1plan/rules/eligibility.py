"""Eligibility for the next Step 1 attempt: USMLE attempt rules as facts (codes E2xx).

Every number here is a dated fact from :mod:`step1plan.facts` (DOMAIN.md "Attempts and
retakes"), never a plan threshold: the attempt limit per Step (4 from 2021-07-01, incomplete
attempts included; 6 before), at most 3 attempts at the same exam in any 12 months, and a 4th or
later attempt no sooner than 12 months after the first and 6 months after the most recent one.
A Step already passed cannot be retaken.

Each rule is a small pure function of the student's Step 1 attempt history and the as-of date.
The same rules hold for every Step, so the timeline applies E201, E203 and E204 to the Step 2 CK
history too (:func:`history_of` with ``exam=Exam.step2ck``; rule T509). Which Step, if any, has
used its attempt limit without a pass, closing every Step, is decided in one place,
:func:`exhausted_step`, for E201, the attempts left, T509 and the strategy rules S607 and S609.
It returns a :class:`Constraint` when it limits the next attempt (a later earliest date, or no
attempt at all) and ``None`` otherwise. :func:`assess_eligibility` combines them: the earliest
next attempt is the latest date any rule imposes, and never before the as-of date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import attrgetter

from step1plan.facts import (
    ATTEMPT_WINDOW_MONTHS,
    FOURTH_ATTEMPT_MONTHS_AFTER_FIRST,
    FOURTH_ATTEMPT_MONTHS_AFTER_LATEST,
    MAX_ATTEMPTS_IN_12_MONTHS,
    SPACED_FROM_ATTEMPT,
    attempt_limit,
)
from step1plan.facts.types import Fact
from step1plan.models.common import AttemptResult, Exam
from step1plan.models.profile import Attempt
from step1plan.models.record import record
from step1plan.models.report import Eligibility
from step1plan.rules.base import rule


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus a number of calendar months, clamped to the last day of the target month.

    31 August + 6 months is the last day of February (28th, or 29th in a leap year);
    29 February + 12 months is 28 February of the next year.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last_day))


@lru_cache(maxsize=64)
def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ... ``11th``, ``21st``.

    Cached: a pure function of a small attempt number.
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _in_force(fact: Fact[int], on: dt.date) -> bool:
    return fact.since is None or fact.since <= on


EXAM_LABELS: dict[Exam, str] = {Exam.step1: "Step 1", Exam.step2ck: "Step 2 CK"}
"""The Steps' names in messages."""

STEPS: tuple[Exam, ...] = (Exam.step1, Exam.step2ck)
"""The Steps the attempt limit is counted on, in the order :func:`exhausted_step` names them."""


def exhausted_step(
    attempts: Sequence[Attempt], as_of: dt.date, steps: Sequence[Exam] = STEPS
) -> Exam | None:
    """The Step whose attempt limit is used up without a pass by ``as_of``, if any: the first
    of ``steps`` (Step 1, then Step 2 CK) with at least as many attempts up to that date as the
    limit in force then, incomplete and failed ones included, and none of them a pass.

    USMLE allows 4 attempts per Step for applications from 2021-07-01 (6 before; facts
    ``attempt_limit``), and once a Step has used them all without a pass it accepts no further
    application for any Step (DOMAIN.md "Attempts and retakes", usmle.org attempt-limit page,
    H): the Step returned closes every Step, itself and the others. Attempts after ``as_of``
    do not count. E201 and the attempts left (:func:`history_of`), T509 and S607/S609 all ask
    this function.
    """
    limit = attempt_limit(as_of).value
    if len(attempts) < limit:
        return None  # too few attempts in all for any Step to reach the limit (most students)
    for exam in steps:
        results = [a.result for a in attempts if a.exam is exam and a.date <= as_of]
        if len(results) >= limit and AttemptResult.passed not in results:
            return exam
    return None


@record
class AttemptHistory:
    """The attempts at one Step (Step 1 unless :attr:`exam` says otherwise) as the eligibility
    rules see them, and the Step whose attempt limit, used up without a pass, ends every Step's
    eligibility (if any)."""

    as_of: dt.date
    dates: tuple[dt.date, ...]
    """Dates of the attempts at :attr:`exam` up to the as-of date, oldest first (every result
    counts)."""
    passed_on: dt.date | None
    """Date of a passing attempt, if any."""
    limit: int
    """Attempts allowed per Step on the as-of date (facts ``attempt_limit``)."""
    closed_by: Exam | None = None
    """The Step whose attempt limit is used up without a pass (:func:`exhausted_step`): no
    Step can be applied for then, this one included. In a Step 1 history any Step (Step 1 when
    both are); in a Step 2 CK history only Step 2 CK itself (T509)."""
    closed_taken: int = 0
    """The attempts :attr:`closed_by` has taken up to the as-of date, incomplete ones included
    (0 when it is ``None``)."""
    exam: Exam = Exam.step1
    """The Step whose attempts :attr:`dates` holds."""

    @property
    def used(self) -> int:
        """Attempts used, incomplete and failed ones included (the number of :attr:`dates`)."""
        return len(self.dates)

    @property
    def left(self) -> int:
        """Attempts left at :attr:`exam`: 0 once it is passed (a passed Step cannot be retaken)
        or once any Step has used the attempt limit without a pass (:attr:`closed_by`: no Step
        can be applied for then)."""
        if self.passed_on is not None or self.closed_by is not None:
            return 0
        return max(0, self.limit - len(self.dates))

    @property
    def next_number(self) -> int:
        """The number the next attempt would have (1 for a first attempt)."""
        return self.used + 1


@record
class Constraint:
    """What one eligibility rule imposes on the next attempt."""

    code: str
    """The rule code (``E203``)."""
    reason: str
    """Why, in plain words, with the dates and numbers that decided it."""
    blocked: bool = False
    """No next attempt is possible at all."""
    earliest: dt.date | None = None
    """The next attempt cannot be before this date."""


def history_of(
    attempts: Sequence[Attempt], as_of: dt.date, exam: Exam = Exam.step1
) -> AttemptHistory:
    """The attempts at ``exam`` (Step 1 by default) up to ``as_of``, oldest first, the limit in
    force then, and the Step whose limit is used up without a pass (:func:`exhausted_step`):
    any Step for Step 1; for Step 2 CK only Step 2 CK itself (T509, which the timeline reaches
    only once Step 1 is passed or its retake is possible)."""
    own = [a for a in attempts if a.exam is exam and a.date <= as_of]
    own.sort(key=attrgetter("date"))
    passed = [a.date for a in own if a.result is AttemptResult.passed]
    closed = exhausted_step(attempts, as_of, STEPS if exam is Exam.step1 else (exam,))
    taken = 0 if closed is None else sum(a.exam is closed and a.date <= as_of for a in attempts)
    return AttemptHistory(
        as_of=as_of,
        dates=tuple([a.date for a in own]),
        passed_on=passed[0] if passed else None,
        limit=attempt_limit(as_of).value,
        closed_by=closed,
        closed_taken=taken,
        exam=exam,
    )


@rule("E201", "Attempt limit reached")
def attempt_limit_reached(history: AttemptHistory) -> Constraint | None:
    """No Step 1 attempt is left once the attempt limit is used up (on a Step 2 CK history:
    no Step 2 CK attempt).

    USMLE allows 4 attempts per Step for applications from 2021-07-01 (6 before), incomplete
    attempts included; after the last one without a pass, no Step can be applied for (DOMAIN.md
    "Attempts and retakes", usmle.org attempt-limit page, H; facts ``attempt_limit``). So the
    limit reached on Step 2 CK ends Step 1 eligibility too (:func:`exhausted_step`, which names
    Step 1 when both are used up). Practice scores cannot change this, so the readiness verdict
    becomes ``ineligible``.
    """
    closed = history.closed_by
    if history.passed_on is not None or closed is None:
        return None
    # "Step 1 included" only where it tells something: another Step's limit ends this one.
    also = f", {EXAM_LABELS[history.exam]} included" if closed is not history.exam else ""
    return Constraint(
        "E201",
        f"All {history.limit} {EXAM_LABELS[closed]} attempts allowed are used without a pass "
        f"({history.closed_taken} taken, incomplete ones included): USMLE accepts no further "
        f"application for any Step{also}.",
        blocked=True,
    )


@rule("E202", "Step 1 already passed")
def already_passed(history: AttemptHistory) -> Constraint | None:
    """A passed Step cannot be retaken.

    USMLE does not allow retaking a Step that was passed, except in licensing time-limit cases
    the tool does not model (DOMAIN.md "Attempts and retakes", usmle.org, H).
    """
    if history.passed_on is None:
        return None
    return Constraint(
        "E202",
        f"Step 1 was passed on {history.passed_on.isoformat()}: a passed Step cannot be taken "
        "again, so there is no retake to plan.",
        blocked=True,
    )


@rule("E203", "Three attempts in twelve months")
def twelve_month_window(history: AttemptHistory) -> Constraint | None:
    """At most 3 attempts at the same Step may fall in any 12-month period.

    The window rolls ("any 12 months", ECFMG Reporter, DOMAIN.md, H): a new attempt on day D
    shares a window with every earlier attempt taken within the 12 months up to D. With 3
    attempts already in that span a 4th would make 4, so the next attempt must wait until the
    oldest of the last 3 has left the window: the day after that attempt turns 12 months old.
    Older attempts are already outside the window, so only the third most recent one matters.
    Month ends clamp (an attempt on 29 February is 12 months old on 28 February).
    """
    cap = MAX_ATTEMPTS_IN_12_MONTHS.value
    if not _in_force(MAX_ATTEMPTS_IN_12_MONTHS, history.as_of) or history.used < cap:
        return None
    oldest = history.dates[-cap]
    window = ATTEMPT_WINDOW_MONTHS.value
    earliest = add_months(oldest, window) + dt.timedelta(days=1)
    if earliest <= history.as_of:
        return None
    return Constraint(
        "E203",
        f"{cap} attempts fall within {window} months (the oldest of them on "
        f"{oldest.isoformat()}); a {ordinal(history.next_number)} attempt must wait until that "
        f"one is more than {window} months old: from {earliest.isoformat()}.",
        earliest=earliest,
    )


@rule("E204", "Spacing of a fourth or later attempt")
def fourth_attempt_spacing(history: AttemptHistory) -> Constraint | None:
    """A 4th or later attempt comes at least 12 months after the first and 6 after the latest.

    ECFMG Reporter rule for the 4th and later attempt at the same exam (DOMAIN.md "Attempts and
    retakes", H; facts ``FOURTH_ATTEMPT_MONTHS_AFTER_FIRST`` and ``_LATEST``). Month ends clamp:
    an attempt on 31 August plus 6 months is the last day of February.
    """
    after_first = FOURTH_ATTEMPT_MONTHS_AFTER_FIRST
    after_latest = FOURTH_ATTEMPT_MONTHS_AFTER_LATEST
    if history.next_number < SPACED_FROM_ATTEMPT.value or not _in_force(after_first, history.as_of):
        return None
    first, latest = history.dates[0], history.dates[-1]
    from_first = add_months(first, after_first.value)
    from_latest = add_months(latest, after_latest.value)
    earliest = max(from_first, from_latest)
    if earliest <= history.as_of:
        return None
    return Constraint(
        "E204",
        f"A {ordinal(history.next_number)} attempt must be at least {after_first.value} months "
        f"after the first ({first.isoformat()} -> {from_first.isoformat()}) and "
        f"{after_latest.value} months after the latest ({latest.isoformat()} -> "
        f"{from_latest.isoformat()}): from {earliest.isoformat()}.",
        earliest=earliest,
    )


@rule("E205", "Last attempt left")
def last_attempt(history: AttemptHistory) -> Constraint | None:
    """Warn when the next attempt is the last one the attempt limit allows.

    A fail on it ends Step 1 eligibility for good (attempt limit, DOMAIN.md, usmle.org, H), so
    the evidence of readiness should be at its strongest: the shipped ``strict`` plan is meant
    for this case. Informational: it does not move the earliest date.
    """
    if history.left != 1:
        return None
    return Constraint(
        "E205",
        f"The next attempt would be the {ordinal(history.next_number)} and last of "
        f"{history.limit}: a fail would end Step 1 eligibility, so hold it to the strictest bar "
        "(--plan strict).",
    )


ELIGIBILITY_RULES: tuple[Callable[[AttemptHistory], Constraint | None], ...] = (
    already_passed,
    attempt_limit_reached,
    twelve_month_window,
    fourth_attempt_spacing,
    last_attempt,
)
"""The E2xx rules in the order their reasons are reported."""


def assess_eligibility(attempts: Sequence[Attempt], as_of: dt.date) -> Eligibility:
    """Attempts used and left, the earliest next Step 1 attempt and whether none is possible.

    Only attempts on or before ``as_of`` count: Step 1 attempts, and Step 2 CK attempts for the
    limit on every Step (E201). The first reason always summarises the attempt count; each rule
    that limits the next attempt adds its own. When a rule blocks the next attempt, only the
    blocking reasons follow: waiting periods (E203, E204) and the last-attempt warning (E205)
    speak of an attempt that cannot happen.
    """
    history = history_of(attempts, as_of)
    constraints = [c for r in ELIGIBILITY_RULES if (c := r(history)) is not None]
    summary = _summary(history.used, history.limit, history.left)
    blocking = [c.reason for c in constraints if c.blocked]
    if blocking:
        return Eligibility(history.used, history.left, None, True, (summary, *blocking))
    reasons = [summary, *[c.reason for c in constraints]]
    dates = [c.earliest for c in constraints if c.earliest is not None]
    earliest = max([as_of, *dates])
    if not dates:
        reasons.append(_no_waiting(history.next_number, as_of))
    return Eligibility(history.used, history.left, earliest, False, tuple(reasons))


@lru_cache(maxsize=256)
def _summary(used: int, limit: int, left: int) -> str:
    """The first reason: attempts used and left. Cached: a pure function of three counts."""
    return f"{used} of {limit} Step 1 attempts used (incomplete attempts count); {left} left."


@lru_cache(maxsize=256)
def _no_waiting(number: int, as_of: dt.date) -> str:
    """The reason when no rule delays attempt ``number``. Cached: a pure function of a count
    and a date (a cohort shares its as-of date)."""
    return (
        f"No waiting period applies to a {ordinal(number)} attempt: it can be taken from "
        f"{as_of.isoformat()} (the as-of date) once readiness is proven."
    )
