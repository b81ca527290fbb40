"""Retake readiness: do the practice scores prove the student is ready? (codes R3xx)

The product's core promise is that a student never retakes before the data proves readiness:
two failed attempts on a transcript are far harder to explain to programs than one failed
attempt and a clean pass on the next.
Every threshold comes from the plan's ``readiness:`` section (rules of thumb, labelled as such
in the output); facts (passing standard, pacing) come from :mod:`step1plan.facts`.

What counts as evidence (decisions, documented for users):

* Evidence is judged as of the as-of date. "Recent" means taken at most ``window_days`` before
  it, and the recency check R305 asks that the latest one be at most ``max_days_before_test``
  old on that date. A planned retake date (``target.step1_date``) further away than that from
  the latest CBSSA adds a next step: one more unseen CBSSA close to the test. A planned date
  before the earliest attempt the USMLE rules allow is not looked ahead to (M701 flags it).
* Only assessments taken after the latest Step 1 attempt count: earlier ones are the evidence
  the failed attempt was built on.
* A counted assessment is an unseen NBME CBSSA with an EPC or a pass probability. Forms seen
  before are shown as weaker evidence and never counted; UWSA scores only support the NBME
  evidence (they over-predict); a Free 120 has its own check.
* Bar: a student with any failed or incomplete Step 1 attempt in the profile is held to the
  ``retaker`` bar, one without to ``first_timer``. Without a profile (``ready --scores``) there is
  no attempt history: the plan's ``bar_without_history`` applies (``first_timer`` in the default
  plan, ``retaker`` in the strict plan) and the output says so.

Verdict:

* ``ineligible`` when eligibility is blocked (no attempt left, or Step 1 already passed),
  whatever the scores;
* ``ready`` when every check passes;
* ``borderline`` when every failed check is advisory (``Check.required`` is false): missing
  evidence that is quick to add (no recent Free 120, the latest CBSSA older than
  ``max_days_before_test``, unfinished blocks not recorded, no written test-day plan), a UWSA
  that disagrees, or a near miss (every short CBSSA still above the borderline pass probability
  or the low-pass EPC; a Free 120 between about 60 %, the share of items a passing examinee
  answers, and the bar);
* ``not_ready`` otherwise.

With a rising EPC trend and the bar not yet met, a straight-line projection of the practice
EPC gives a projected date; it is labelled as a projection of practice scores, never as a
prediction of the exam.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import field
from functools import lru_cache

from step1plan.facts import PASSING_ITEM_SHARE, UWSA_OVERPREDICTION, exam_format, passing_score
from step1plan.models.common import CauseId, Exam, PracticeKind
from step1plan.models.profile import Attempt, Profile
from step1plan.models.record import record
from step1plan.models.report import (
    CauseResult,
    Check,
    Confidence,
    Eligibility,
    Evidence,
    Readiness,
    ScorePoint,
    Verdict,
)
from step1plan.models.scores import PracticeScore
from step1plan.plans import TOLERANCE, ReadinessBar, ReadinessPlan
from step1plan.rules.base import Context, blocks_all_finished, rule
from step1plan.rules.studyplan import taken_cbssa_forms
from step1plan.rules.wording import iso, num, num_short, pct, pct_short, plural, words

_EPS = TOLERANCE
"""Tolerance of threshold comparisons (a 95 % written as 0.95 or 95/100), the plans' own."""

TEST_DAY_CAUSES = (CauseId.timing, CauseId.test_anxiety_fatigue)
"""Causes that make the timing and test-day-plan checks apply (DESIGN.md cause ids)."""

_TEST_DAY_VALUES = {cid: cid.value for cid in TEST_DAY_CAUSES}
"""Each test-day cause id's text, read once (an enum's ``.value`` is a slow property in 3.11)."""


# ---------------------------------------------------------------- the evidence


@record
class Assessment:
    """One practice score as the readiness rules see it."""

    score: PracticeScore
    path: str
    """Evidence path of the score (``practice[0]``, ``nbme.csv:3``)."""
    current: bool
    """Taken after the latest Step 1 attempt (or no attempt is known)."""
    recent: bool
    """Current and taken at most ``window_days`` before the as-of date."""
    kind: PracticeKind = field(compare=False, repr=False)
    """CBSSA, Free 120, UWSA or other: ``score.kind``, read once from the form name."""

    @property
    def label(self) -> str:
        """``CBSSA 29 (2026-08-20)``."""
        return f"{self.score.form} ({iso(self.score.date)})"

    def evidence(self, name: str) -> Evidence:
        """The value of one field of this score, with its path."""
        return Evidence(f"{self.path}.{name}", getattr(self.score, name))


@record
class ReadinessData:
    """Everything the readiness rules look at, gathered once from the context.

    The selections the rules share (:meth:`current`, :attr:`counted`, :attr:`free120`,
    :attr:`latest`, :attr:`trend` and its :attr:`fit`, :attr:`bar_phrase`, :attr:`cause_text`)
    are made once, by :func:`readiness_data`.
    """

    as_of: dt.date
    plan: ReadinessPlan
    bar: ReadinessBar
    bar_name: str
    """``first_timer`` or ``retaker``."""
    assessments: tuple[Assessment, ...]
    """Every practice score up to the as-of date, oldest first."""
    since: dt.date | None
    """Date of the latest Step 1 attempt: only later assessments count."""
    test_date: dt.date | None
    """The planned retake date, when it is on or after the as-of date and the earliest attempt
    the USMLE rules allow."""
    test_day_reasons: tuple[Evidence, ...]
    """Why timing or test-day factors are a cause (empty: R309 and R310 do not apply)."""
    test_day_plan: bool
    """``study.test_day_plan`` of the profile."""
    by_kind: dict[tuple[PracticeKind, bool], tuple[Assessment, ...]] = field(
        compare=False, repr=False
    )
    """The current assessments by kind, and the recent ones (read through :meth:`current`)."""
    counted: tuple[Assessment, ...] = field(compare=False, repr=False)
    """Recent, unseen CBSSAs with an EPC or a pass probability: the evidence that counts."""
    free120: Assessment | None = field(compare=False, repr=False)
    """The latest recent, unseen Free 120 with a percent correct (the one R306 judges)."""
    latest: Assessment | None = field(compare=False, repr=False)
    """The latest unseen CBSSA since the last attempt (counted ones first)."""
    trend: tuple[Assessment, ...] = field(compare=False, repr=False)
    """The latest ``trend_window`` unseen CBSSAs with an EPC since the latest attempt."""
    fit: Fit | None = field(compare=False, repr=False)
    """The least-squares line through :attr:`trend` (:func:`fit_trend`)."""
    bar_phrase: str = field(compare=False, repr=False)
    """``95% pass probability (EPC 70 where none is reported)``."""
    cause_text: str = field(compare=False, repr=False)
    """:attr:`test_day_reasons` as ``path = value`` pairs, for the messages of R309 and R310."""

    def current(self, kind: PracticeKind, *, recent: bool = True) -> tuple[Assessment, ...]:
        """Assessments of one kind taken after the latest attempt (and recently)."""
        return self.by_kind.get((kind, recent), ())


@lru_cache(maxsize=64)
def bar_phrase(bar: ReadinessBar) -> str:
    """``95% pass probability (EPC 70 where none is reported)``. Cached: a pure function of the
    (immutable, hashable) bar."""
    return (
        f"{pct(bar.min_pass_probability)} pass probability "
        f"(EPC {num(bar.min_epc)} where none is reported)"
    )


def _latest_step1(profile: Profile) -> tuple[int, Attempt] | None:
    """The latest Step 1 attempt and its index in ``attempts`` (validated oldest first)."""
    # Read once: reads on a pydantic model and of an enum member are slow in 3.11.
    attempts, step1 = profile.attempts, Exam.step1
    for i in range(len(attempts) - 1, -1, -1):
        if attempts[i].exam is step1:
            return i, attempts[i]
    return None


def _bar_name(ctx: Context) -> str:
    if ctx.profile is None:
        return ctx.plan.readiness.bar_without_history
    return "retaker" if ctx.profile.failed_step1() else "first_timer"


def _cause_text(reasons: Sequence[Evidence]) -> str:
    """The evidence of :func:`_test_day_reasons` as ``path = value`` pairs."""
    return ", ".join([f"{e.path} = {e.value}" for e in reasons])


def _test_day_reasons(ctx: Context, causes: Sequence[CauseResult]) -> tuple[Evidence, ...]:
    """Evidence that timing or test-day factors caused the failure."""
    found: list[Evidence] = []
    named: list[CauseId] = []  # at most the two test-day causes
    for cause in causes:
        if cause.id not in TEST_DAY_CAUSES:
            continue
        # A low-confidence inference alone (say, untimed QBank use) does not make timing a
        # cause of the failure; the student's own word or stronger data does.
        backed = cause.supported and cause.confidence is not Confidence.low
        if backed or cause.self_reported:
            how = "supported by the data" if cause.supported else "self-reported"
            found.append(Evidence(f"causes.{_TEST_DAY_VALUES[cause.id]}", how))
            named.append(cause.id)
    profile = ctx.profile
    if profile is None:
        return tuple(found)
    for i, cid in enumerate(profile.causes):
        if cid in TEST_DAY_CAUSES and cid not in named:
            found.append(Evidence(f"causes[{i}]", _TEST_DAY_VALUES[cid]))
    latest = _latest_step1(profile)
    if latest is not None:
        i, last = latest
        if last.test_day is not None and last.test_day.unfinished_blocks > 0:
            found.append(
                Evidence(
                    f"attempts[{i}].test_day.unfinished_blocks", last.test_day.unfinished_blocks
                )
            )
    return tuple(found)


def readiness_data(
    ctx: Context, causes: Sequence[CauseResult] = (), eligibility: Eligibility | None = None
) -> ReadinessData:
    """Gather the evidence once: which scores count, which bar applies, which causes matter.

    The planned retake date is the test date the checks look ahead to, unless it is past or
    before the earliest attempt ``eligibility`` allows: such a test cannot happen (M701 flags
    the plan, and the study plan runs to the earliest date instead)."""
    as_of, plan = ctx.as_of, ctx.plan.readiness
    bar_name = _bar_name(ctx)
    bar: ReadinessBar = getattr(plan, bar_name)
    since = ctx.latest_step1_date()
    paths = ctx.evidence_paths()
    items: list[Assessment] = []
    grouped: dict[tuple[PracticeKind, bool], list[Assessment]] = {}
    window_days = bar.window_days
    for score, path in zip(ctx.scores, paths, strict=True):  # already sorted by date
        # Each field is read once: a read on a pydantic model costs several times a plain
        # attribute's in 3.11 (BaseModel's ``__getattr__`` keeps it from being specialised).
        date = score.date
        if date > as_of:
            continue
        kind = score.kind
        current = since is None or date > since
        recent = current and (as_of - date).days <= window_days
        a = Assessment(score, path, current, recent, kind)
        items.append(a)
        if current:
            grouped.setdefault((kind, False), []).append(a)
        if recent:
            grouped.setdefault((kind, True), []).append(a)
    by_kind = {key: tuple(group) for key, group in grouped.items()}
    # Context.unseen_cbssas(since) up to the as-of date, taken from the assessments grouped
    # above (the scores are read once, and the rules need their assessments); in the same
    # pass, those with an EPC (the trend's) and the counted ones (recent, with an EPC or a
    # pass probability), each in date order.
    unseen: list[Assessment] = []
    with_epc: list[Assessment] = []
    counted_now: list[Assessment] = []
    for a in by_kind.get((PracticeKind.cbssa, False), ()):
        score = a.score
        if score.seen_before:
            continue
        unseen.append(a)
        if score.epc is not None:
            with_epc.append(a)
        if a.recent and (score.epc is not None or score.pass_probability is not None):
            counted_now.append(a)
    counted = tuple(counted_now)
    unseen_free120 = [
        a
        for a in by_kind.get((PracticeKind.free120, True), ())
        if not a.score.seen_before and a.score.percent_correct is not None
    ]
    pool = counted or unseen
    trend = tuple(with_epc[-plan.trend_window :])
    profile = ctx.profile
    planned = profile.target.step1_date if profile is not None else None
    # Never before the as-of date; None when no attempt is left (or Step 1 was passed).
    earliest = as_of if eligibility is None else eligibility.earliest_next_attempt
    reasons = _test_day_reasons(ctx, causes)
    # Positional: the arguments are the fields, in order.
    return ReadinessData(
        as_of,
        plan,
        bar,
        bar_name,
        tuple(items),
        since,
        planned if planned is not None and earliest is not None and planned >= earliest else None,
        reasons,
        profile.study.test_day_plan if profile is not None else False,
        by_kind,
        counted,
        unseen_free120[-1] if unseen_free120 else None,
        pool[-1] if pool else None,
        trend,
        fit_trend(trend),
        bar_phrase(bar),
        _cause_text(reasons),
    )


# ---------------------------------------------------------------- shared judgements


@record
class Judgement:
    """One CBSSA against the bar: on pass probability where given, EPC otherwise."""

    assessment: Assessment
    measure: str
    """``96% pass probability`` or ``EPC 71``."""
    clears: bool
    near: bool
    """Short of the bar but above the borderline probability / low-pass EPC."""
    field: str
    """The score field judged (``pass_probability`` or ``epc``)."""


def judge(a: Assessment, data: ReadinessData) -> Judgement:
    """Judge one CBSSA against the bar (plan ``min_pass_probability`` / ``min_epc``, on the
    value :meth:`ReadinessBar.judged_on` picks)."""
    judged = data.bar.judged_on(a.score.epc, a.score.pass_probability)
    assert judged is not None  # a counted CBSSA has an EPC or a pass probability
    field, value, threshold = judged
    # Written apart from both the bar and the low-pass edge, so that a score called short of
    # one, or above the other, never reads as equal to it.
    if field == "pass_probability":
        near = data.plan.borderline_pass_probability
        measure = f"{pct_short(value, threshold, near)} pass probability"
    else:
        near = data.plan.low_pass_epc
        measure = f"EPC {num_short(value, threshold, near)}"
    # A near miss is strictly above the low-pass zone: a score at its edge (50% pass
    # probability, EPC 65) sits in it.
    return Judgement(a, measure, data.bar.at_least(value, threshold), value > near + _EPS, field)


@record
class Fit:
    """A least-squares line through (days, EPC) points."""

    slope_per_day: float
    fitted_last: float
    """The line's value on the date of the last point."""
    first: Assessment
    last: Assessment
    n: int

    @property
    def per_week(self) -> float:
        """EPC points per week."""
        return self.slope_per_day * 7


def fit_trend(points: Sequence[Assessment]) -> Fit | None:
    """Least-squares slope of EPC over time; ``None`` with fewer than 2 dates."""
    # The points with an EPC, as dates (ordinals) and values.
    xs: list[int] = []
    ys: list[float] = []
    for a in points:
        if a.score.epc is not None:
            xs.append(a.score.date.toordinal())
            ys.append(a.score.epc)
    n = len(xs)
    if n < 2:
        return None
    mx = sum(xs) / n
    my = sum(ys) / n
    dxs = [x - mx for x in xs]
    sxx = sum([dx**2 for dx in dxs])
    if sxx == 0:
        return None
    slope = sum([dx * (y - my) for dx, y in zip(dxs, ys, strict=True)]) / sxx
    fitted_last = my + slope * dxs[-1]
    return Fit(slope, fitted_last, points[0], points[-1], n)


def _list(items: Sequence[str]) -> str:
    return "; ".join(items)


# ---------------------------------------------------------------- the rules


@rule("R301", "Enough recent unseen CBSSAs")
def enough_assessments(data: ReadinessData) -> Check:
    """Enough recent, unseen NBME CBSSAs taken since the last attempt.

    One good score can be luck; readiness is proven by several full-length NBME assessments
    the student had not seen, taken recently (plan ``readiness.<bar>.min_assessments`` and
    ``window_days``; DOMAIN.md rules of thumb: two or more recent unseen NBMEs, L-M). Forms seen
    before and UWSA scores are not counted (DOMAIN.md: seen forms inflate, UWSA over-predicts).
    """
    counted, need = data.counted, data.bar.min_assessments
    seen = old = before = 0  # the CBSSAs not counted, by reason
    cbssa = PracticeKind.cbssa  # read once: an enum member read is slow in 3.11
    for a in data.assessments:
        if a.kind is not cbssa:
            continue
        if not a.current:
            before += 1
        elif a.recent:
            if a.score.seen_before:
                seen += 1
        elif not a.score.seen_before:
            old += 1
    uwsa = len(data.current(PracticeKind.uwsa))
    window = data.bar.window_days
    message = _enough_message(
        len(counted), need, window, data.as_of, data.bar_name, (seen, old, before, uwsa)
    )
    short = need - len(counted)
    return Check(
        "R301",
        enough_assessments.title,  # type: ignore[attr-defined]
        short <= 0,
        message,
        tuple([a.evidence("form") for a in counted]),
        None if short <= 0 else _more_cbssas(short, len(counted), data.bar_phrase, window),
    )


@lru_cache(maxsize=1024)
def _enough_message(
    counted: int,
    need: int,
    window: int,
    as_of: dt.date,
    bar_name: str,
    left_out: tuple[int, int, int, int],
) -> str:
    """R301's message: the CBSSAs counted, and those ``left_out`` by reason (seen before, too
    old, before the last attempt; and the UWSAs). Cached: a pure function of counts, the
    window, the as-of date and the bar (a cohort repeats them)."""
    seen, old, before, uwsa = left_out
    excluded = []
    if seen:
        excluded.append(f"{plural(seen, 'form')} seen before")
    if old:
        excluded.append(f"{old} older than {window} days")
    if before:
        excluded.append(f"{before} from before the last attempt")
    if uwsa:
        excluded.append(f"{plural(uwsa, 'UWSA')} (support only)")
    message = (
        f"{plural(counted, 'recent unseen CBSSA')} (taken within {window} "
        f"days of {iso(as_of)}); the {bar_label(bar_name)} bar asks for {need}."
    )
    if excluded:
        message += f" Not counted: {', '.join(excluded)}."
    return message


@lru_cache(maxsize=256)
def _more_cbssas(short: int, have: int, bar_phrase: str, window: int) -> str:
    """R301's next step when ``short`` CBSSAs are missing beside the ``have`` counted ones.
    Cached like :func:`_enough_message`."""
    counted = f"the {words(have)} already counted"
    if short > 1:
        within = f", within {window} days of each other" + (f" and of {counted}" if have else "")
    else:
        within = f", within {window} days of {counted}" if have else ""
    return (
        f"{words(short).capitalize()} more unseen CBSSA{'' if short == 1 else 's'} at or "
        f"above {bar_phrase}{within}."
    )


@rule("R302", "Clear of the low-pass zone")
def clear_margin(data: ReadinessData) -> Check:
    """Every recent unseen CBSSA clears the bar by the plan's margin over the low-pass zone.

    Judged on the pass probability where the report gives one, on EPC otherwise (plan
    ``readiness.<bar>.min_pass_probability``, DOMAIN.md 90-95 % tutor consensus, L; and
    ``min_epc``, "cleanly above about 68", L-M). A score short of the bar but above the
    borderline (plan ``borderline_pass_probability``, about 50 %, DOMAIN.md M; or
    ``low_pass_epc``, EPC about 65, L-M) is a near miss: it only lowers the verdict to
    ``borderline``.
    """
    title: str = clear_margin.title  # type: ignore[attr-defined]
    counted = data.counted
    if not counted:
        return Check(
            "R302",
            title,
            False,
            f"No recent unseen CBSSA to judge against the bar of {data.bar_phrase}.",
            (),
            f"Unseen CBSSAs at or above {data.bar_phrase}.",
        )
    judged = [judge(a, data) for a in counted]
    short = [j for j in judged if not j.clears]
    evidence = tuple([j.assessment.evidence(j.field) for j in judged])
    if not short:
        shown = _list([f"{j.assessment.score.form} {j.measure}" for j in judged])
        return Check(
            "R302",
            title,
            True,
            (
                f"All {len(judged)} recent unseen CBSSAs clear"
                if len(judged) > 1
                else "The one recent unseen CBSSA clears"
            )
            + f" the bar of {data.bar_phrase}: {shown}.",
            evidence,
        )
    near = all(j.near for j in short)
    zone = (
        f"{pct(data.plan.borderline_pass_probability)} pass probability or EPC "
        f"{num(data.plan.low_pass_epc)}"
    )
    shown = _list([f"{j.assessment.label} {j.measure}" for j in short])
    lead = (
        "The one recent unseen CBSSA falls"
        if len(judged) == 1
        else f"{len(short)} of {len(judged)} recent unseen CBSSAs "
        + ("falls" if len(short) == 1 else "fall")
    )
    message = f"{lead} short of the bar of {data.bar_phrase}: {shown}. "
    low = [j for j in short if not j.near]
    if near:
        they = "all are" if len(short) > 1 else "it is"
        message += f"Near miss: {they} above the low-pass zone ({zone})."
    else:
        they = (
            ("all are" if len(short) > 1 else "it is")
            if len(low) == len(short)
            else _list([j.assessment.label for j in low]) + (" is" if len(low) == 1 else " are")
        )
        message += f"Not clear of failing: {they} at or below the low-pass zone ({zone})."
    leaves = max(j.assessment.score.date for j in short) + dt.timedelta(
        days=data.bar.window_days + 1
    )
    return Check(
        "R302",
        title,
        False,
        message,
        evidence,
        f"New unseen CBSSAs at or above {data.bar_phrase}; "
        f"{'the short one leaves' if len(short) == 1 else 'the short ones have all left'} the "
        f"{data.bar.window_days}-day window on {iso(leaves)}.",
        required=not near,
    )


@rule("R303", "Consistent scores")
def consistent(data: ReadinessData) -> Check | None:
    """The recent unseen CBSSAs agree with each other: EPC spread within the plan's limit.

    A CBSSA is precise to about +-4 EPC (DOMAIN.md, M), so recent scores further apart than
    plan ``readiness.<bar>.max_epc_spread`` mean the level is not settled. Erratic scores are
    also the moment to ask a tutor for help (seed article). Needs two EPCs; otherwise silent.
    """
    epcs = [(a, a.score.epc) for a in data.counted if a.score.epc is not None]
    if len(epcs) < 2:
        return None
    values = [v for _, v in epcs]
    low, high = min(values), max(values)
    spread = high - low
    passed = spread <= data.bar.max_epc_spread + _EPS
    return Check(
        "R303",
        consistent.title,  # type: ignore[attr-defined]
        passed,
        f"EPC of the {len(epcs)} recent unseen CBSSAs runs from {num(low)} to {num(high)} "
        f"(spread {num(spread)}); the bar allows a spread of {num(data.bar.max_epc_spread)}.",
        tuple([a.evidence("epc") for a, _ in epcs]),
        None
        if passed
        else f"Steadier scores: the next unseen CBSSAs within {num(data.bar.max_epc_spread)} "
        "EPC of each other (scores this erratic are a good reason to work with a tutor).",
    )


@rule("R304", "Trend not falling")
def trend_not_falling(data: ReadinessData) -> Check | None:
    """The EPC trend since the last attempt is not falling.

    A least-squares line through the latest plan ``readiness.trend_window`` unseen CBSSA EPCs
    (convention) gives a slope in EPC points per week; it must not fall faster than plan
    ``min_trend_slope_per_week`` (convention, L; 0 in the strict plan). A falling series means
    the level reached earlier is not holding. Needs two dates; otherwise silent.
    """
    fit = data.fit
    if fit is None:
        return None
    floor = data.plan.min_trend_slope_per_week
    passed = ReadinessBar.at_least(fit.per_week, floor)  # float noise, as at a bar
    first, last = fit.first.score, fit.last.score
    assert first.epc is not None and last.epc is not None
    return Check(
        "R304",
        trend_not_falling.title,  # type: ignore[attr-defined]
        passed,
        f"EPC trend over the last {fit.n} unseen CBSSAs: {fit.per_week:+.2f} points a week "
        f"({num(first.epc)} on {iso(first.date)} to {num(last.epc)} on "
        f"{iso(last.date)}); the plan accepts {floor:+.2f} a week or better.",
        tuple([a.evidence("epc") for a in data.trend]),
        None
        if passed
        else "A stable or rising EPC on the next unseen CBSSAs; find out what changed (sleep, "
        "hours, new material) before booking.",
    )


def before_test_step(data: ReadinessData) -> str | None:
    """When the planned test is further from the latest CBSSA than the bar allows: the fix."""
    latest, limit = data.latest, data.bar.max_days_before_test
    if data.test_date is None or latest is None:
        return None
    if (data.test_date - latest.score.date).days <= limit:
        return None
    start = max(data.test_date - dt.timedelta(days=limit), data.as_of)
    return (
        f"Before the planned test on {iso(data.test_date)}, take one more unseen CBSSA on "
        f"or after {iso(start)} (within {limit} days of the test) and check it still "
        "clears the bar."
    )


@rule("R305", "Evidence recent enough")
def recent_enough(data: ReadinessData) -> Check:
    """The latest unseen CBSSA is recent enough to speak for the current level.

    A CBSSA's pass probability holds if the exam is taken within about a week (DOMAIN.md, H);
    plan ``readiness.<bar>.max_days_before_test`` (convention, L) is how old the latest one may
    be on the as-of date (evidence is judged as of that date). When a planned
    ``target.step1_date`` lies further from it, the output adds the step of one more CBSSA
    close to the test. Advisory: stale evidence lowers the verdict to ``borderline``.
    """
    title: str = recent_enough.title  # type: ignore[attr-defined]
    limit = data.bar.max_days_before_test
    latest = data.latest
    if latest is None:
        return Check(
            "R305",
            title,
            False,
            f"No unseen CBSSA{' since the last attempt' if data.since else ''}: nothing "
            "shows the current level.",
            (),
            f"An unseen CBSSA within {limit} days before the test.",
            required=False,
        )
    gap = (data.as_of - latest.score.date).days
    passed = gap <= limit
    message = (
        f"The latest unseen CBSSA, {latest.label}, is {plural(gap, 'day')} old on "
        f"{iso(data.as_of)}; the bar allows {limit}."
    )
    if data.test_date is not None:
        ahead = (data.test_date - latest.score.date).days
        message += f" The planned test on {iso(data.test_date)} is {plural(ahead, 'day')} after it."
    return Check(
        "R305",
        title,
        passed,
        message,
        (latest.evidence("date"),),
        None
        if passed
        else f"A new unseen CBSSA: the latest is {gap} days old, and the evidence should be at "
        f"most {limit} days old when the exam is booked.",
        required=False,
    )


@rule("R306", "Unseen Free 120")
def free120(data: ReadinessData) -> Check:
    """A recent, unseen Free 120 at or above the plan's percent.

    The USMLE sample items are the closest thing to the real exam; a new set at 65-70 % or more
    is the tutors' rule of thumb (plan ``readiness.<bar>.min_free120_percent``, DOMAIN.md, L).
    A missing Free 120, or one above about 60 % (the share of items a passing examinee answers
    correctly, DOMAIN.md, H) but short of the bar, is advisory (``borderline``); one at or below
    about 60 % is a required failure. Percent correct is never converted to a 3-digit score
    (no sourced formula, DOMAIN.md).
    """
    title: str = free120.title  # type: ignore[attr-defined]
    need = data.bar.min_free120_percent
    latest = data.free120
    want = f"An unseen Free 120 at {num(need)}% or more, in the last days before the test."
    if latest is None:
        seen = sum(1 for a in data.current(PracticeKind.free120) if a.score.seen_before)
        message = f"No unseen Free 120 in the last {data.bar.window_days} days"
        message += f" ({plural(seen, 'set')} seen before, not counted)." if seen else "."
        return Check("R306", title, False, message, (), want, required=False)
    value = latest.score.percent_correct
    assert value is not None
    passed = data.bar.at_least(value, need)
    floor = PASSING_ITEM_SHARE.value
    low = value <= floor + _EPS  # at the passing share is not yet clear of failing
    message = f"{latest.label}: {num_short(value, need)}% correct; the bar is {num(need)}%."
    if not passed:
        message += (
            f" At or below about {floor}%, the share of items a passing examinee answers "
            "correctly: not yet clear of failing."
            if low
            else " Near miss."
        )
    return Check(
        "R306",
        title,
        passed,
        message,
        (latest.evidence("percent_correct"),),
        None if passed else want,
        required=passed or low,
    )


@rule("R307", "UWSA only supports")
def uwsa_support(data: ReadinessData) -> Check | None:
    """UWSA scores support the NBME evidence but never prove readiness on their own.

    UWorld self-assessments historically over-predict NBME-based results by about 10-25 points
    (DOMAIN.md, M); each recent UWSA is shown discounted by plan
    ``readiness.uwsa_overprediction_points`` and compared with the Step 1 passing standard
    (facts ``passing_score``, 196 since 2022-01-26, H). UWSA without any counted CBSSA fails
    (required); a discounted UWSA below the passing standard is an advisory disagreement.
    Silent when no recent UWSA has a score.
    """
    title: str = uwsa_support.title  # type: ignore[attr-defined]
    uwsas = [a for a in data.current(PracticeKind.uwsa) if a.score.score is not None]
    if not uwsas:
        return None
    cut = data.plan.uwsa_overprediction_points
    passing = passing_score("step1", data.as_of).value
    shown = []
    low = []
    for a in uwsas:
        raw = a.score.score
        assert raw is not None
        shown.append(f"{a.score.form} {raw} (about {num(raw - cut)} once discounted)")
        if raw - cut < passing:
            low.append(a)
    evidence = tuple([a.evidence("score") for a in uwsas])
    lo, hi = UWSA_OVERPREDICTION.value
    over = f"UWSA over-predicts by about {lo}-{hi} points (discounted here by {num(cut)})"
    if not data.counted:
        return Check(
            "R307",
            title,
            False,
            f"Only UWSA evidence: {_list(shown)}. {over}; it never proves readiness alone.",
            evidence,
            "Unseen NBME CBSSAs: UWSA scores can only support them.",
        )
    if low:
        return Check(
            "R307",
            title,
            False,
            f"{_list(shown)}: below the passing standard of {passing} once discounted, so the "
            f"supporting evidence disagrees with the CBSSAs. {over}.",
            evidence,
            "Find out why the UWSA disagrees (pacing, a weak system) before booking.",
            required=False,
        )
    return Check(
        "R307",
        title,
        True,
        f"{_list(shown)}: supports the CBSSAs (passing standard {passing}); not counted toward "
        f"the minimum. {over}.",
        evidence,
    )


@rule("R308", "Forms seen before")
def seen_forms(data: ReadinessData) -> Check | None:
    """Forms taken before are weaker evidence: shown, never counted.

    A form or Free 120 set already seen inflates the score (DOMAIN.md, M), a common trap for
    retakers who reuse forms. A CBSSA is seen before when the data says so, or when its form
    number was taken earlier (:func:`~step1plan.models.scores.mark_repeated_forms`, applied
    when the context is built). The check fails when the unseen assessments alone do not reach
    plan ``readiness.<bar>.min_assessments``; silent when no recent form was seen before.
    """
    seen = [a for a in data.assessments if a.recent and a.score.seen_before]
    if not seen:
        return None
    need = data.bar.min_assessments
    unseen = len(data.counted)
    passed = unseen >= need
    shown = _list([a.label for a in seen])
    return Check(
        "R308",
        seen_forms.title,  # type: ignore[attr-defined]
        passed,
        f"{plural(len(seen), 'recent form')} seen before ({shown}): repeat forms inflate the "
        f"score, so they are weaker evidence and not counted. The {unseen} unseen "
        f"{'does' if unseen == 1 else 'do'}{'' if passed else ' not'} reach the minimum of "
        f"{need}.",
        tuple([a.evidence("seen_before") for a in seen]),
        None if passed else "Take forms you have not seen: a repeated form cannot prove readiness.",
    )


@rule("R309", "Timing fixed")
def timing_fixed(data: ReadinessData) -> Check | None:
    """When timing or test-day factors caused the failure, recent assessments finish every block.

    Applies when the causes include ``timing`` or ``test_anxiety_fatigue`` (self-reported, or
    supported by the data with medium or high confidence), or the last attempt's test day had
    unfinished blocks (seed article: better timing before the retake). Recent full-length
    assessments (CBSSA, Free 120, UWSA) must record ``unfinished_blocks`` and all be 0: an
    unfinished block fails (required); no record at all is missing evidence (advisory,
    ``borderline``). Pacing from facts ``exam_format`` (about 90 seconds an item, DOMAIN.md, H).
    """
    if not data.test_day_reasons:
        return None
    title: str = timing_fixed.title  # type: ignore[attr-defined]
    fmt = exam_format("step1", data.test_date or data.as_of).value
    seconds = round(fmt.minutes_per_block * 60 / fmt.items_per_block)
    other = PracticeKind.other  # read once: an enum member read is slow in 3.11
    recent = [a for a in data.assessments if a.recent and a.kind is not other]
    reported = [a for a in recent if a.score.unfinished_blocks is not None]
    why = f"Timing or test-day factors were a cause ({data.cause_text})"
    change = _finish_blocks(seconds)
    evidence = tuple([a.evidence("unfinished_blocks") for a in reported])
    if not reported:
        return Check(
            "R309",
            title,
            False,
            f"{why}, but no recent assessment records its unfinished blocks.",
            (),
            change,
            required=False,
        )
    if not blocks_all_finished([a.score for a in reported]):
        unfinished = [a for a in reported if a.score.unfinished_blocks]
        shown = _list([f"{a.label}: {a.score.unfinished_blocks}" for a in unfinished])
        return Check(
            "R309",
            title,
            False,
            f"{why}, and recent assessments still left blocks unfinished ({shown}).",
            evidence,
            change,
        )
    return Check(
        "R309",
        title,
        True,
        f"{why}; the {plural(len(reported), 'recent assessment')} that record it finished "
        "every block.",
        evidence,
    )


def _finish_blocks(seconds: int) -> str:
    """R309's next step."""
    return (
        f"Finish every block of the next timed full-length assessments (about {seconds} seconds "
        "an item) and record unfinished_blocks: 0."
    )


@rule("R310", "Test-day plan")
def written_test_day_plan(data: ReadinessData) -> Check | None:
    """When timing or test-day factors caused the failure, a written test-day plan exists.

    Applies under the same conditions as R309. A clear plan for the day (sleep, food, breaks,
    pacing across the blocks) is part of readiness after such a failure (seed article); read
    from ``study.test_day_plan``. Advisory: a missing plan lowers the verdict to ``borderline``
    (it takes an evening to write, not weeks of study). Blocks and length from facts
    ``exam_format`` (DOMAIN.md, H).
    """
    if not data.test_day_reasons:
        return None
    fmt = exam_format("step1", data.test_date or data.as_of).value
    passed = data.test_day_plan
    return Check(
        "R310",
        written_test_day_plan.title,  # type: ignore[attr-defined]
        passed,
        f"Timing or test-day factors were a cause ({data.cause_text}); a written test-day "
        f"plan is {'in place' if passed else 'missing'} (study.test_day_plan).",
        (Evidence("study.test_day_plan", passed),),
        None
        if passed
        else f"Write a test-day plan for {fmt.blocks} blocks of {fmt.minutes_per_block} minutes "
        f"over about {fmt.test_day_hours} hours (sleep, food, breaks, pacing), rehearse it on a "
        "full-length assessment, then set study.test_day_plan: true.",
        required=False,
    )


READINESS_RULES: tuple[Callable[[ReadinessData], Check | None], ...] = (
    enough_assessments,
    clear_margin,
    consistent,
    trend_not_falling,
    recent_enough,
    free120,
    uwsa_support,
    seen_forms,
    timing_fixed,
    written_test_day_plan,
)
"""The R3xx checks, in report order."""


# ---------------------------------------------------------------- verdict and projection

COVERED_BY = {"R308": "R301"}
"""A failed check whose next step is already given by another failed check (more unseen
CBSSAs), so the next steps do not repeat it."""


def bar_label(name: str) -> str:
    """``retaker`` -> ``retaker``; ``first_timer`` -> ``first-timer``."""
    return name.replace("_", "-")


def verdict_of(checks: Sequence[Check], eligibility: Eligibility | None) -> Verdict:
    """The verdict logic of the module docstring."""
    if eligibility is not None and eligibility.blocked:
        return Verdict.ineligible
    verdict = Verdict.ready
    for c in checks:  # one pass, without the list of failed checks and a generator over it
        if not c.passed:
            if c.required:
                return Verdict.not_ready
            verdict = Verdict.borderline
    return verdict


def project(
    data: ReadinessData, verdict: Verdict, at_bar: bool
) -> tuple[dt.date | None, str | None]:
    """A projected date when the EPC trend line reaches the bar's EPC, with its label.

    Nothing is projected, and nothing said, when the recent unseen CBSSAs already clear the bar
    (``at_bar``: R302 passed): the scores are there, and the other failed checks (a missing
    Free 120, too few CBSSAs) say what still stands between the student and ``ready``.

    No date either when the line's latest CBSSA is older on the as-of date than the bar's
    ``max_days_before_test`` (the age R305 accepts): a line through stale scores cannot say
    where the student stands now, let alone that they "would already be there" today. The note
    says so and asks for a new unseen CBSSA, the line's current point.

    Only when the bar is judged on EPC: a CBSSA that reports a pass probability is judged on
    that (R302), and a straight line through EPCs cannot say when the probability will clear
    its bar (the two disagree for many students: EPC 70 with a 72 % pass probability). The
    projection would then name a date the verdict does not follow, so none is given; this
    reason is given before the age of the line, as a new CBSSA would not change it.
    """
    if verdict in (Verdict.ready, Verdict.ineligible) or at_bar:
        return None, None
    fit = data.fit
    target = data.bar.min_epc
    if fit is None or fit.slope_per_day <= 0:
        return None, None
    if fit.last.score.pass_probability is not None:
        return None, (
            f"No ready date is projected. The bar is {data.bar_phrase}; "
            f"{fit.last.label} reports one, so it is judged on pass probability, which a "
            f"straight line through EPCs ({fit.per_week:+.2f} a week) cannot project. Only new "
            "unseen CBSSAs at the bar can show readiness."
        )
    line = (
        f"a straight line through the last {fit.n} unseen CBSSA EPCs ({fit.per_week:+.2f} a week)"
    )
    stale = _stale_line_note(data, fit, line)
    if stale is not None:
        return None, stale
    if fit.fitted_last >= target:
        return None, None
    days = math.ceil((target - fit.fitted_last) / fit.slope_per_day)
    raw = fit.last.score.date + dt.timedelta(days=days)
    projected = max(raw, data.as_of)
    if (projected - data.as_of).days > data.plan.projection_max_days:
        return None, (
            f"Projection of practice scores: on {line} the EPC bar of {num(target)} is more "
            f"than {data.plan.projection_max_days} days away, too far for a straight line to "
            "mean much."
        )
    when = (
        f"would already be there by {iso(projected)}"
        if raw <= data.as_of
        else f"reaches it around {iso(projected)}"
    )
    return projected, (
        f"Projection of practice scores, not a prediction of the exam: {line} aimed at the EPC "
        f"bar of {num(target)} {when}. Only new unseen CBSSAs at the bar can confirm it."
    )


def _stale_line_note(data: ReadinessData, fit: Fit, line: str) -> str | None:
    """Why no date is projected from a ``line`` whose latest CBSSA is older than the bar's
    ``max_days_before_test`` on the as-of date (R305's limit); None when it is recent enough."""
    age = (data.as_of - fit.last.score.date).days
    limit = data.bar.max_days_before_test
    if age <= limit:
        return None
    return (
        f"No ready date is projected: {line} ends at {fit.last.label}, "
        f"{plural(age, 'day')} old on {iso(data.as_of)} where the bar allows {limit}, so the "
        "line cannot say where the scores stand now. A new unseen CBSSA gives it a current "
        "point."
    )


@lru_cache(maxsize=64)
def bar_detail(bar_name: str, b: ReadinessBar) -> str:
    """The bar in words, with its numbers. Cached: a pure function of the (immutable,
    hashable) bar and its name."""
    return (
        f"{bar_label(bar_name)}: {b.min_assessments} unseen CBSSAs within {b.window_days} "
        f"days, each at or above {bar_phrase(b)}, EPC spread at most {num(b.max_epc_spread)}, "
        f"an unseen Free 120 at {num(b.min_free120_percent)}% or more, the latest CBSSA at most "
        f"{b.max_days_before_test} days old today (and again within that many days of the test)"
    )


def _notes(ctx: Context, data: ReadinessData, eligibility: Eligibility | None) -> list[str]:
    notes = [_plan_note(ctx.plan.name)]
    if ctx.profile is None:
        notes.append(
            f"No profile, so no attempt history: judged against the "
            f"{bar_label(data.bar_name)} bar (plan readiness.bar_without_history). Add "
            "--profile for the attempt history, eligibility and causes."
        )
    elif data.bar_name == "retaker":
        notes.append(
            "Held to the stricter retaker bar because the profile has a failed or incomplete "
            "Step 1 attempt: another unsuccessful attempt would weigh far more with programs."
        )
    if data.since is not None:
        notes.append(_since_note(data.since))
    forms = _forms_left_note(ctx, data)
    if forms is not None:
        notes.append(forms)
    if (
        eligibility is not None
        and not eligibility.blocked
        and eligibility.attempts_used >= 2
        and ctx.plan.name == "default"
    ):
        notes.append(
            f"The next attempt would be attempt {eligibility.attempts_used + 1}: consider "
            "--plan strict."
        )
    return notes


def _plan_note(plan_name: str) -> str:
    """The first note: whose thresholds these are."""
    return f"Thresholds are tutors' rules of thumb from the plan '{plan_name}', not USMLE rules."


def _since_note(since: dt.date) -> str:
    """The note on the latest attempt's date."""
    return f"Only assessments after the last Step 1 attempt ({iso(since)}) count."


def _forms_left_note(ctx: Context, data: ReadinessData) -> str | None:
    """Say so when fewer unseen CBSSA forms are left than the bar still asks for.

    The forms on sale are the plan's ``study.cbssa_forms`` (26-31, DOMAIN "Practice
    assessments", M); a repeated form is weaker evidence (R308), so asking for more unseen
    CBSSAs than exist would be advice the student cannot follow.
    """
    still_needed = data.bar.min_assessments - len(data.counted)
    if still_needed <= 0:
        return None
    taken = taken_cbssa_forms(ctx)
    left = [f for f in ctx.plan.study.cbssa_forms if f not in taken]
    if len(left) >= still_needed:
        return None
    listed = ", ".join(str(f) for f in left) or "none"
    return (
        f"Unseen CBSSA forms left in the plan's list (study.cbssa_forms): {listed}, fewer than "
        f"the {still_needed} more the bar asks for. If NBME has released newer forms, add them "
        "to study.cbssa_forms; if not, rely on the unseen forms that remain, a new Free 120 and "
        "a tutor's review, never on repeated forms."
    )


def _next_steps(
    checks: Sequence[Check], verdict: Verdict, eligibility: Eligibility | None, data: ReadinessData
) -> list[str]:
    if verdict is Verdict.ineligible:
        assert eligibility is not None
        return [*eligibility.reasons[1:], "Practice scores cannot change this verdict."]
    failing = {c.code for c in checks if not c.passed}
    required: list[str] = []  # what to change for the failed required checks, in check order
    advisory: list[str] = []  # then for the failed advisory ones
    for c in checks:
        if c.passed or not c.to_change or COVERED_BY.get(c.code) in failing:
            continue
        (required if c.required else advisory).append(c.to_change)
    steps: list[str] = []
    for change in (*required, *advisory):
        if change not in steps:
            steps.append(change)
    ahead = before_test_step(data)
    if ahead is not None and ahead not in steps:
        steps.append(ahead)
    earliest = eligibility.earliest_next_attempt if eligibility is not None else None
    waiting = earliest is not None and earliest > data.as_of
    if verdict is Verdict.ready and data.counted and data.test_date is None:
        last = data.counted[-1].score.date
        until = last + dt.timedelta(days=data.bar.max_days_before_test)
        if earliest is not None and earliest > until:
            # The attempt rules put the earliest attempt after the evidence goes stale: the
            # booking advice must not name a date the rules forbid.
            steps.append(
                f"The evidence stays fresh only until {iso(until)}, before the earliest attempt "
                f"the USMLE rules allow ({iso(earliest)}): keep practising and take new unseen "
                f"CBSSAs in the {data.bar.max_days_before_test} days before the test you book."
            )
        else:
            steps.append(
                f"Book the retake while the evidence is fresh: by {iso(until)}, or take "
                "another unseen CBSSA first."
            )
    if waiting:
        assert earliest is not None
        steps.append(_next_attempt_step(earliest))
    return steps


@lru_cache(maxsize=1024)
def _next_attempt_step(earliest: dt.date) -> str:
    """The next step when the attempt rules delay the next attempt. Cached: a pure function of
    the date."""
    return f"USMLE rules allow the next attempt from {earliest} at the earliest."


_KIND_TEXT = {kind: kind.value for kind in PracticeKind}
"""Each practice kind's text, read once (an enum's ``.value`` is a slow property in 3.11)."""


def _point(a: Assessment, counted: bool) -> ScorePoint:
    # The score's fields from its ``__dict__``: dict lookups instead of six unspecialised model
    # reads (see StrictModel).
    s = vars(a.score)
    kind = a.kind
    if kind is PracticeKind.cbssa:
        value = s["epc"]
    elif kind is PracticeKind.free120:
        value = s["percent_correct"]
    elif kind is PracticeKind.uwsa:
        value = float(s["score"]) if s["score"] is not None else s["percent_correct"]
    else:
        value = s["epc"] if s["epc"] is not None else s["percent_correct"]
    return ScorePoint(
        s["date"],
        s["form"],
        _KIND_TEXT[kind],
        value,
        s["pass_probability"],
        s["seen_before"],
        counted,
    )


def assess_readiness(
    ctx: Context, eligibility: Eligibility | None, causes: Sequence[CauseResult]
) -> Readiness:
    """Run the R3xx checks and decide the verdict (see the module docstring)."""
    data = readiness_data(ctx, causes, eligibility)
    checks = tuple([c for r in READINESS_RULES if (c := r(data)) is not None])
    verdict = verdict_of(checks, eligibility)
    r302 = next(c for c in checks if c.code == "R302")  # always run: it judged every CBSSA
    projected, note = project(data, verdict, at_bar=r302.passed)
    counted = {id(a) for a in (*data.counted, data.free120) if a is not None}
    return Readiness(
        verdict=verdict,
        checks=checks,
        projected_ready_date=projected,
        projection_note=note,
        next_steps=tuple(_next_steps(checks, verdict, eligibility, data)),
        points=tuple([_point(a, id(a) in counted) for a in data.assessments]),
        bar=data.bar_name,
        bar_detail=bar_detail(data.bar_name, data.bar),
        notes=tuple(_notes(ctx, data, eligibility)),
        low_pass_epc=data.plan.low_pass_epc,
        bar_epc=data.bar.min_epc,
        bar_pass_probability=data.bar.min_pass_probability,
        bar_free120_percent=data.bar.min_free120_percent,
    )
