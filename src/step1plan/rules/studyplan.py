"""What to study first and week by week until the retake (rules P401-P405).

Content areas are ranked by their share of the exam (outline midpoint, facts) times the band's
deficit (plan ``study.band_deficit``); bands from newer NBME reports replace older ones. The
weeks run from the as-of date to the planned retake date, or to a date recommended from the gap
between the latest EPC and the readiness bar (plan parameters, labelled as such). They fall in
three phases (``study.*_share``): rebuild foundations, integrate with timed mixed blocks, prove
readiness. Each week has its focus areas, hours, a QBank target, the assessments scheduled
(unseen CBSSA forms only, a new Free 120 last) and the activities that answer the diagnosed
causes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from operator import attrgetter, itemgetter
from types import EllipsisType, MappingProxyType

from step1plan.facts import ExamFormat, exam_format
from step1plan.models.areas import ContentAreas
from step1plan.models.common import Band, CauseId, Exam, PracticeKind
from step1plan.models.record import record
from step1plan.models.report import (
    CauseResult,
    Eligibility,
    Priority,
    Readiness,
    StudyPlan,
    Verdict,
    Week,
)
from step1plan.models.scores import cbssa_number
from step1plan.plans import Plan, ReadinessBar
from step1plan.rules.base import Context, rule
from step1plan.rules.causes import Area, area_label, outline_order, outline_weights
from step1plan.rules.wording import num, num_short, pct, weeks_text

PHASES: tuple[str, str, str] = ("foundations", "integration", "readiness")
"""Phase names, in order: rebuild foundations, integrate with timed mixed blocks, prove
readiness."""

PHASE_TITLES: dict[str, str] = {
    "foundations": "Rebuild foundations",
    "integration": "Integrate: timed mixed blocks",
    "readiness": "Prove readiness",
}
"""Human titles of the phases (used by the renderers)."""

FOCUS_AREAS_PER_WEEK = 4
"""At most this many focus areas a week: the ones with the largest share of that week (a
display choice; every weak area still gets its share over the phase)."""

READINESS_FOCUS_AREAS = 3
"""How many of the top priorities the readiness weeks name as focus (a display choice)."""

ONE_DAY = dt.timedelta(days=1)


# ---------------------------------------------------------------- P401 priorities


def current_bands(ctx: Context) -> dict[tuple[str, str], tuple[Band, str]]:
    """Each content area's newest band and where it came from.

    Score reports of Step 1 attempts and NBME reports copied into ``practice:`` entries are
    read oldest first, so a newer band replaces an older one (DESIGN.md, Profile).
    """
    sources: list[tuple[dt.date, str, ContentAreas]] = []  # date, evidence path, bands
    if ctx.profile is not None:
        step1 = Exam.step1
        for i, attempt in enumerate(ctx.profile.attempts):
            # Each field read once: reads on a pydantic model are slow in 3.11.
            areas = attempt.content_areas
            if areas is not None and attempt.exam is step1:
                sources.append((attempt.date, f"attempts[{i}]", areas))
    for score, path in zip(ctx.scores, ctx.score_paths, strict=True):
        areas = score.content_areas
        if areas is not None:
            sources.append((score.date, path, areas))
    sources.sort(key=itemgetter(0))  # stable: an attempt stays before practice on its day
    out: dict[tuple[str, str], tuple[Band, str]] = {}
    for _, path, areas in sources:
        for area, band in areas.band_items():
            out[area] = (band, path)
    return out


@rule("P401", "Rank content areas for study")
def rank_priorities(ctx: Context) -> tuple[Priority, ...]:
    """Rank every content area with a band: outline weight x band deficit.

    The weight is the midpoint of the area's share of Step 1 (facts: DOMAIN "Content outline",
    systems M-H, disciplines M), so pathology and physiology lead when they are weak. The
    deficit of each band is ``study.band_deficit`` (lower 1, about the same 0.5, higher 0 by
    default: "the same as a low pass" is still not a safe pass). Newer NBME bands replace the
    score report's. An area's share of content hours is its score over the sum of all scores.
    Nothing is ranked when no band is given (the plan then says to add them).
    """
    given = ctx.plan.study.band_deficit
    deficits = {Band.lower: given.lower, Band.same: given.same, Band.higher: given.higher}
    ranking = _outline_ranking()
    rows = []
    for area, (band, source) in current_bands(ctx).items():
        deficit = deficits[band]
        weight, place = ranking[area]
        score = weight * deficit
        # Sorted on the first two fields: the largest score first, then the place among equal
        # scores (unique, so the fields after it are never compared).
        rows.append((-score, place, area, band, source, weight, deficit, score))
    total = sum([row[-1] for row in rows])  # in band order, before sorting
    rows.sort()
    return tuple(
        [
            # Priority's fields in order (positional: a record is cheaper to build that way)
            Priority(
                area[1],  # area
                area[0],  # group
                weight,
                band,
                deficit,
                _shown_score(score),
                round(score / total, 4) if score else 0.0,  # share_of_hours (0 without a deficit)
                source,
            )
            for _, _, area, band, source, weight, deficit, score in rows
        ]
    )


@lru_cache(maxsize=1)
def _outline_ranking() -> Mapping[Area, tuple[float, int]]:
    """Each outline area's weight and its place among areas of equal score: the larger weight
    first, then outline order.

    Computed once (the outline is fixed) and read-only.
    """
    weights = outline_weights()
    order = outline_order()
    ranked = sorted(weights, key=lambda area: (-weights[area], order[area]))
    return MappingProxyType({area: (weights[area], place) for place, area in enumerate(ranked)})


@lru_cache(maxsize=256)
def _shown_score(score: float) -> float:
    """A priority score rounded to 3 decimals, as reports show it.

    Cached: rounding to decimals is slow, and scores (outline weight x band deficit) take few
    values.
    """
    return round(score, 3)


# ---------------------------------------------------------------- P402/P403 retake date


@record
class RetakeChoice:
    """The date the weekly plan runs to, and why."""

    date: dt.date
    source: str
    """``planned`` or ``recommended``."""
    note: str


def _bar(ctx: Context) -> ReadinessBar:
    failed = ctx.profile is not None and ctx.profile.failed_step1()
    return ctx.plan.readiness.retaker if failed else ctx.plan.readiness.first_timer


def _latest_epc(ctx: Context) -> tuple[float, str] | None:
    """The EPC of the newest NBME that tells where the student stands now, with its form, date
    and evidence path: the latest of :meth:`Context.unseen_cbssas` that gives an EPC, dated on
    or before the as-of date. Those are taken after the latest Step 1 attempt
    (:meth:`Context.latest_step1_date`, as readiness counts them; a score from before a failure
    says nothing about the student since), on a CBSSA form not seen before (a repeated form
    inflates the score; a UWSA or another vendor's exam is on another scale)."""
    for score, path in reversed(ctx.unseen_cbssas(ctx.latest_step1_date())):
        if score.epc is not None and score.date <= ctx.as_of:
            return score.epc, f"{score.form} on {score.date.isoformat()} ({path})"
    return None


@rule("P402", "Recommend a retake date")
def choose_retake_date(ctx: Context, readiness: Readiness) -> RetakeChoice:
    """Use the planned retake date, or recommend one when none is planned (or it has passed).

    The recommendation is a plan parameter, not a prediction: ``study.min_weeks`` plus
    ``study.weeks_per_epc_point`` weeks for each EPC point between the latest unseen NBME
    taken since the last attempt (:func:`_latest_epc`) and the readiness bar
    (``readiness.retaker.min_epc`` after a failure), capped at ``study.max_weeks``;
    ``study.max_weeks`` when no such EPC is known yet. When the readiness
    verdict is already ``ready``, the test should follow within ``max_days_before_test`` of
    the latest counted CBSSA, while the estimate holds (DOMAIN: "if tested within about a
    week", H): the same date readiness says to book by.
    """
    study = ctx.plan.study
    planned = ctx.profile.target.step1_date if ctx.profile is not None else None
    if planned is not None and planned >= ctx.as_of:  # the test day itself still counts
        return RetakeChoice(planned, "planned", _planned_note(planned))
    passed = _unplanned(planned, ctx.as_of)
    bar = _bar(ctx)
    if readiness.verdict is Verdict.ready:
        days = bar.max_days_before_test
        cbssa = PracticeKind.cbssa.value
        last_cbssa = max(
            [p.date for p in readiness.points if p.counted and p.kind == cbssa],
            default=ctx.as_of,
        )
        date = max(ctx.as_of, last_cbssa + dt.timedelta(days=days))
        why = (
            f"your practice scores already meet the bar, and the latest counted CBSSA "
            f"({last_cbssa.isoformat()}) holds for {days} days, so test by then, while the "
            "estimate still holds"
        )
        return RetakeChoice(
            date,
            "recommended",
            f"{passed}Recommended date {date.isoformat()} (a rule of thumb): {why}.",
        )
    latest = _latest_epc(ctx)
    if latest is None:
        weeks = study.max_weeks
        why = (
            f"no NBME EPC is known since the last attempt, so the plan's longest window, "
            f"{weeks} weeks, is used; take an unseen CBSSA early to refine it"
        )
    else:
        epc, where = latest
        gap = max(0.0, bar.min_epc - epc)
        weeks = min(study.max_weeks, math.ceil(study.min_weeks + gap * study.weeks_per_epc_point))
        points = num_short(gap, 0.0)  # a gap of 0.0001 is not written as none
        why = (
            f"{study.min_weeks} weeks plus {study.weeks_per_epc_point:g} a point for the "
            f"{points} EPC point{'' if points == '1' else 's'} between your latest NBME (EPC "
            f"{num_short(epc, bar.min_epc)}, {where}) and the bar of {bar.min_epc:g} gives "
            f"{weeks} weeks (at most {study.max_weeks})"
        )
    date = ctx.as_of + dt.timedelta(weeks=weeks)
    return RetakeChoice(
        date,
        "recommended",
        f"{passed}Recommended date {date.isoformat()} from plan parameters (a rule of thumb, "
        f"not a prediction): {why}. Book the test only once the readiness checks pass.",
    )


def _unplanned(planned: dt.date | None, as_of: dt.date) -> str:
    """Why P402 recommends a date: none is planned, or the planned one has passed."""
    if planned is None:
        return "No retake date is planned. "
    return f"Your planned date {planned.isoformat()} has passed ({as_of.isoformat()}). "


@lru_cache(maxsize=1024)
def _planned_note(planned: dt.date) -> str:
    """P402's note for a planned date. Cached: a pure function of the date (a cohort repeats
    its retake dates)."""
    return f"Weeks run to your planned retake date, {planned.isoformat()}."


@rule("P403", "Planned date leaves too little time")
def too_little_time(ctx: Context, choice: RetakeChoice, readiness: Readiness) -> str | None:
    """Warn when the planned retake date is sooner than ``study.min_weeks`` away.

    Retaking before the weak areas are rebuilt and readiness is shown is the first mistake the
    seed article warns about. Quiet when the date was recommended, when there is enough time,
    or when the readiness verdict is already ``ready``.
    """
    if choice.source != "planned" or readiness.verdict is Verdict.ready:
        return None
    away = (choice.date - ctx.as_of).days / 7
    minimum = ctx.plan.study.min_weeks
    if away >= minimum:
        return None
    return (
        f"Your planned date {choice.date.isoformat()} is {weeks_text(away)} away, under the "
        f"plan's {minimum}-week minimum for a rebuild: the plan is compressed. Move the date "
        "unless the readiness checks pass by then."
    )


# ---------------------------------------------------------------- weeks and phases


def week_spans(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Weeks (first and last day) from ``start`` to the day before ``end``, covering every day.

    A trailing part of three days or fewer (under half a week) joins the week before it.
    """
    days = (end - start).days
    if days <= 0:
        return []
    full, rest = divmod(days, 7)
    lengths = [7] * full
    if rest and (rest > 3 or not lengths):
        lengths.append(rest)
    elif rest:
        lengths[-1] += rest
    spans, day = [], start
    for length in lengths:
        end = day + ONE_DAY * (length - 1)
        spans.append((day, end))
        day = end + ONE_DAY
    return spans


_CACHED_SPAN_DAYS = 2 * 365
"""Plans up to this many days long get their week spans from a cache (:func:`_plan_spans`)."""


def _plan_spans(start: dt.date, end: dt.date) -> Sequence[tuple[dt.date, dt.date]]:
    """:func:`week_spans` for a plan, from :func:`_cached_week_spans` when the plan is at most
    :data:`_CACHED_SPAN_DAYS` long (the profiles of a cohort run share the as-of date and often
    a retake date); a longer plan's, built afresh, so that the cache stays small."""
    if (end - start).days <= _CACHED_SPAN_DAYS:
        return _cached_week_spans(start, end)
    return week_spans(start, end)


@lru_cache(maxsize=1024)
def _cached_week_spans(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, dt.date], ...]:
    """:func:`week_spans` as a tuple, cached (a pure function of two dates)."""
    return tuple(week_spans(start, end))


def phase_counts(weeks: int, plan: Plan) -> tuple[int, int, int]:
    """Weeks in each phase from ``study.*_share`` (largest remainder; each phase gets one week
    once there are three, the last weeks always prove readiness)."""
    s = plan.study
    return _split_weeks(weeks, (s.foundations_share, s.integration_share, s.readiness_share))


@lru_cache(maxsize=1024)
def _split_weeks(weeks: int, shares: tuple[float, float, float]) -> tuple[int, int, int]:
    """:func:`phase_counts` for the three phase shares; cached (a pure function of numbers)."""
    if weeks <= 0:
        return (0, 0, 0)
    if weeks == 1:
        return (0, 0, 1)
    if weeks == 2:
        return (0, 1, 1)
    total = sum(shares) or 1.0
    exact = [weeks * x / total for x in shares]
    counts = [max(1, math.floor(x)) for x in exact]
    while sum(counts) > weeks:
        i = max(range(3), key=lambda k: (counts[k] - exact[k], counts[k]))
        counts[i] -= 1
    while sum(counts) < weeks:
        i = max(range(3), key=lambda k: (exact[k] - counts[k], -k))
        counts[i] += 1
    return (counts[0], counts[1], counts[2])


def _focus_intervals(priorities: Sequence[Priority]) -> list[tuple[float, float, str]]:
    """Each weak area's interval of the unit share line, strongest first: ``(start, end, area)``.

    The intervals follow each other in priority order, each as long as the area's share of
    hours (scaled so that they fill [0, 1]).
    """
    weak = [p for p in priorities if p.share_of_hours > 0]
    if not weak:
        return []
    ends = list(itertools.accumulate([p.share_of_hours for p in weak]))  # a list: no generator
    scale = ends[-1] or 1.0
    intervals = []
    start = 0.0  # each interval starts where the last one ends
    for p, end in zip(weak, ends, strict=False):  # equal lengths: strict would only cost
        scaled_end = end / scale
        intervals.append((start, scaled_end, p.area))
        start = scaled_end
    return intervals


# Fields of _spread_focus's overlap tuples ``(-amount, priority index, area)``.
_PRIORITY_INDEX = itemgetter(1)
_AREA = itemgetter(2)


def _spread_focus(
    intervals: Sequence[tuple[float, float, str]], slots: int
) -> list[tuple[str, ...]]:
    """Share ``slots`` weeks among the weak areas in proportion to their share of hours.

    Week ``j`` covers the share interval [j/slots, (j+1)/slots); it focuses on every area whose
    own interval (:func:`_focus_intervals`) overlaps it most, at most
    :data:`FOCUS_AREAS_PER_WEEK` of them, in priority order.
    """
    if slots <= 0 or not intervals:
        return [() for _ in range(max(0, slots))]
    eps = 1e-9
    out = []
    count = len(intervals)
    first = 0  # the intervals before it end at or before this week starts: no overlap
    hi = 0.0
    for week_end in range(1, slots + 1):  # week j (from 0) ends at (j+1)/slots
        lo, hi = hi, week_end / slots  # a week starts where the last one ends
        while first < count and intervals[first][1] <= lo:
            first += 1
        areas = []  # the overlapping areas, in priority order
        overlap = []  # (-amount, priority index, area) of each
        for i in range(first, count):
            start, end, area = intervals[i]
            if start >= hi:  # this one and all later ones start after the week ends
                break
            amount = (end if end < hi else hi) - (start if start > lo else lo)  # min - max
            if amount > eps:
                overlap.append((-amount, i, area))  # sorts largest overlap first
                areas.append(area)
        if len(overlap) > FOCUS_AREAS_PER_WEEK:  # keep the largest, still in priority order
            kept = sorted(overlap)[:FOCUS_AREAS_PER_WEEK]
            kept.sort(key=_PRIORITY_INDEX)
            out.append(tuple(map(_AREA, kept)))
        else:
            out.append(tuple(areas))
    return out


# ---------------------------------------------------------------- P404 assessments


@record
class AssessmentSchedule:
    """Assessments by week and a note when unseen forms run out."""

    by_week: tuple[tuple[str, ...], ...]
    note: str | None = None


def taken_cbssa_forms(ctx: Context) -> set[int]:
    """Numbers of the CBSSA forms the student has already taken (from the practice scores)."""
    taken = set()
    for score in ctx.scores:
        # The kind and the form number in one cached lookup of the form name (``score.kind``
        # is read from it too): one read of the pydantic model instead of two.
        number = cbssa_number(score.form)
        if number is not None:
            taken.add(number)
    return taken


def cbssa_weeks(weeks: int, plan: Plan) -> list[int]:
    """0-based weeks that get a CBSSA: each of the last ``study.weekly_cbssa_final_weeks``,
    and every ``study.cbssa_every_weeks`` before them, counted back from the end."""
    s = plan.study
    final = min(weeks, s.weekly_cbssa_final_weeks)
    every = s.cbssa_every_weeks
    before = weeks - final - every if final else weeks - 1  # the latest week before them
    return sorted([*range(before, -1, -every), *range(weeks - final, weeks)])


NO_FORM_LEFT = "Unseen practice exam (no unseen CBSSA form left)"
"""What a CBSSA slot says when no unseen CBSSA form is left at all."""

FORMS_KEPT = "Unseen practice exam (not a CBSSA: the unseen forms are kept for the last weeks)"
"""What an early CBSSA slot says when the few unseen forms left go to later slots."""


@rule("P404", "Unseen practice forms run out")
def schedule_assessments(ctx: Context, weeks: int) -> AssessmentSchedule:
    """Schedule practice exams; say so when the unseen CBSSA forms run out.

    A CBSSA every ``study.cbssa_every_weeks`` weeks and weekly in the last
    ``study.weekly_cbssa_final_weeks``; a new Free 120 set in the last week (the last
    ``study.free120_final_days`` days), listed last. Forms come from ``study.cbssa_forms``
    (26-31, DOMAIN "Practice assessments", M) minus those already taken; a form seen before
    inflates the score (DOMAIN, M), so none is repeated. The latest slots, nearest the test,
    get the unseen forms; when there are more slots than forms the earliest slots say to use
    another unseen exam and this rule adds a note.
    """
    study = ctx.plan.study
    slots = cbssa_weeks(weeks, ctx.plan)
    taken = taken_cbssa_forms(ctx)
    unseen = tuple([f for f in study.cbssa_forms if f not in taken])
    labels = _cbssa_labels(len(slots), unseen)
    by_week: list[tuple[str, ...]] = [()] * weeks
    for w, label in zip(slots, labels, strict=True):
        by_week[w] = (label,)
    if weeks:
        by_week[-1] += (
            f"Free 120, a set you have not done (in the last {study.free120_final_days} days)",
        )
    notes = []
    if len(slots) > len(unseen):  # more slots than unseen forms
        notes.append(_forms_short_note(len(slots), unseen, tuple(sorted(taken))))
    free120_done = [score.kind for score in ctx.scores].count(PracticeKind.free120)
    if free120_done and weeks:
        notes.append(
            f"You have done {free120_done} Free 120 set{'' if free120_done == 1 else 's'} "
            "already: the last week's Free 120 "
            "must be a set you have not seen, or its percent overstates you."
        )
    return AssessmentSchedule(tuple(by_week), " ".join(notes) or None)


@lru_cache(maxsize=1024)
def _cbssa_labels(slots: int, unseen: tuple[int, ...]) -> tuple[str, ...]:
    """What each CBSSA slot says, earliest first: the unseen forms go to the latest slots; when
    they are too few, the earliest slots say :data:`FORMS_KEPT` (or :data:`NO_FORM_LEFT` when
    none is left at all).

    Cached: a pure function of a count and a few form numbers, repeated across a cohort.
    """
    short = max(0, slots - len(unseen))  # the earliest slots get no form
    early = FORMS_KEPT if unseen else NO_FORM_LEFT
    return (early,) * short + tuple([f"CBSSA {form}" for form in unseen[: slots - short]])


@lru_cache(maxsize=1024)
def _forms_short_note(slots: int, unseen: tuple[int, ...], taken: tuple[int, ...]) -> str:
    """P404's note when the ``unseen`` forms are fewer than the ``slots``; ``taken`` sorted.

    Cached like :func:`_cbssa_labels` (a pure function of numbers).
    """
    short = slots - len(unseen)
    left = ", ".join(map(str, unseen)) or "none"
    return (
        f"Unseen CBSSA forms left: {left} (taken: "
        f"{', '.join(map(str, taken)) or 'none'}), for {slots} planned "
        f"assessments. {_first_slots(short, slots)} "
        "another unseen exam instead: never repeat a form, since a form seen before "
        "inflates the score."
    )


def _first_slots(short: int, slots: int) -> str:
    """The subject of the forms-short note: which of the planned slots get no form."""
    if short == slots:
        return "All of them use" if slots > 1 else "It uses"
    return "The first one uses" if short == 1 else f"The first {short} use"


# ---------------------------------------------------------------- P405 activities


@record
class WeekSlot:
    """Where a week sits in the plan, for choosing its activities."""

    phase: str
    first_of_phase: bool
    last_week: bool


@record
class WorkInputs:
    """What a week's activities read besides its slot, taken once from the context and the
    retake date's exam format. Plain values, so that the activities of every kind of week are
    worked out once for all the students who share them (:func:`_work_table`)."""

    fmt: ExamFormat
    """The Step 1 format on the retake date (blocks, minutes, items)."""
    flashcard_minutes: float
    """``causes.heavy_anki_minutes_per_day``."""
    review_minutes: float
    """``causes.min_review_minutes_per_block``."""
    review_items: int
    """``causes.review_block_items``."""
    bar_epc: float
    """The readiness bar's EPC (:func:`_bar`)."""
    bar_pass_probability: float
    """The readiness bar's pass probability."""
    test_day_plan: bool
    """The profile's ``study.test_day_plan``."""


def _work_inputs(ctx: Context, fmt: ExamFormat) -> WorkInputs:
    """What the activities read from ``ctx`` (the plan, the bar, the profile) for a retake in
    format ``fmt``."""
    c = ctx.plan.causes
    bar = _bar(ctx)
    written = ctx.profile is not None and ctx.profile.study.test_day_plan
    return WorkInputs(
        fmt,
        c.heavy_anki_minutes_per_day,
        c.min_review_minutes_per_block,
        c.review_block_items,
        bar.min_epc,
        bar.min_pass_probability,
        written,
    )


def _generic_activity(phase: str, fmt: ExamFormat) -> str:
    if phase == "foundations":
        return "Review the focus areas' core concepts, then do questions on the same topics"
    if phase == "integration":
        return _timed_blocks(fmt.items_per_block, fmt.minutes_per_block)
    return "Timed mixed blocks across all areas; study each practice exam's misses the next day"


def _timed_blocks(items_per_block: int, minutes_per_block: int) -> str:
    """Timed mixed blocks as on the exam."""
    return (
        f"Timed mixed blocks of {items_per_block} questions in {minutes_per_block} minutes, as "
        "on the exam"
    )


_Activity = Callable[[WeekSlot, WorkInputs], list[str]]


def _foundations_work(slot: WeekSlot, inputs: WorkInputs) -> list[str]:
    if slot.phase == "foundations":
        return ["Rebuild each focus area from its mechanisms before drilling questions"]
    if slot.phase == "integration":
        return ["Trace every miss back to the mechanism behind it and note the gap"]
    return []


def _reading_work(slot: WeekSlot, inputs: WorkInputs) -> list[str]:
    out = ["For each miss, write what the question asked and the clue you overlooked"]
    if slot.phase != "readiness":
        out.append("Put each stem into one line of your own before reading the options")
    return out


def _reasoning_work(slot: WeekSlot, inputs: WorkInputs) -> list[str]:
    out = []
    if slot.phase != "readiness":
        out.append("Say why every option is right or wrong before reading the explanation")
    out.append(_flashcard_cap(inputs.flashcard_minutes))
    return out


def _flashcard_cap(minutes_per_day: float) -> str:
    """Keep flashcards under the daily cap."""
    return (
        f"Flashcards under {minutes_per_day:g} minutes a day; turn missed cards into 'why' "
        "questions"
    )


def _review_work(slot: WeekSlot, inputs: WorkInputs) -> list[str]:
    return [_review_budget(inputs.review_minutes, inputs.review_items, inputs.fmt.items_per_block)]


def _review_budget(review_minutes: float, review_items: int, items_per_block: int) -> str:
    """The review budget: ``review_minutes`` per ``review_items`` questions, for an exam
    block."""
    per_item = review_minutes / review_items
    return (
        f"Review budget: at least {per_item * items_per_block:g} minutes per "
        f"{items_per_block}-question block ({per_item:g} a question); no new block before "
        "the last one is reviewed"
    )


def _readiness_work(slot: WeekSlot, inputs: WorkInputs) -> list[str]:
    if slot.phase == "readiness":
        return ["Keep the test date only if the readiness checks pass; move it if not"]
    return [_bar_comparison(inputs.bar_epc, inputs.bar_pass_probability)]


def _bar_comparison(min_epc: float, min_pass_probability: float) -> str:
    """Compare practice exams with the readiness bar."""
    return (
        f"Compare each practice exam with the bar (EPC {num(min_epc)}, pass probability "
        f"{pct(min_pass_probability)})"
    )


def _pacing_work(slot: WeekSlot, inputs: WorkInputs) -> list[str]:
    return [_pacing(inputs.fmt.minutes_per_block, inputs.fmt.items_per_block)]


def _pacing(minutes_per_block: int, items_per_block: int) -> str:
    """Time every block as on the exam."""
    seconds = round(minutes_per_block * 60 / items_per_block)
    return (
        f"Every block timed: {minutes_per_block} minutes for {items_per_block} "
        f"questions (about {seconds} seconds each); count unanswered questions"
    )


def _test_day_work(slot: WeekSlot, inputs: WorkInputs) -> list[str]:
    if slot.phase == "readiness" and slot.last_week:
        head = (
            "Go over your written test-day plan"
            if inputs.test_day_plan
            else "Write a test-day plan"
        )
        return [f"{head} (sleep, meals, breaks, pacing) and rest the day before the test"]
    if slot.phase == "readiness":
        return [_rehearsal(inputs.fmt.blocks, inputs.fmt.minutes_per_block)]
    if slot.phase == "integration" and slot.first_of_phase:
        return ["Start a short routine for anxious moments and practise it during blocks"]
    return []


def _rehearsal(blocks: int, minutes_per_block: int) -> str:
    """A full-length rehearsal of the exam."""
    return (
        f"Full-length rehearsal: {blocks} timed blocks of {minutes_per_block} minutes in one "
        "sitting, starting at your exam time"
    )


CAUSE_WORK: dict[CauseId, _Activity] = {
    CauseId.weak_foundations: _foundations_work,
    CauseId.question_interpretation: _reading_work,
    CauseId.memorization_without_reasoning: _reasoning_work,
    CauseId.rushed_qbank_review: _review_work,
    CauseId.premature_exam: _readiness_work,
    CauseId.timing: _pacing_work,
    CauseId.test_anxiety_fatigue: _test_day_work,
}
"""What each cause adds to a week, by phase."""


@rule("P405", "Activities for the diagnosed causes")
def week_activities(
    ctx: Context, causes: Sequence[CauseResult], slot: WeekSlot, fmt: ExamFormat
) -> tuple[str, ...]:
    """Choose a week's activities: the phase's core work plus what answers each listed cause.

    Timing work uses the current exam block (``facts.exam_format("step1", retake date)``: 20
    items in 30 minutes from 2026-05-14, DOMAIN "Exam format", H); the review budget comes from
    ``causes.min_review_minutes_per_block`` over ``causes.review_block_items``; the flashcard
    cap from ``causes.heavy_anki_minutes_per_day``; test-day factors get full-length rehearsals
    and a written test-day plan. With no cause listed only the phase's core work remains.
    """
    table = _work_table(_work_inputs(ctx, fmt))
    return _activities(_ranked_work(causes), table[slot.phase, slot.first_of_phase, slot.last_week])


def _ranked_work(causes: Sequence[CauseResult]) -> list[_Activity]:
    """What each cause adds to a week (:data:`CAUSE_WORK`), the most likely cause first."""
    return [CAUSE_WORK[cause.id] for cause in sorted(causes, key=attrgetter("rank"))]


_SlotKey = tuple[str, bool, bool]
"""A :class:`WeekSlot`'s fields as a plain tuple (phase, first of its phase, last week)."""

_SlotWork = tuple[str, Mapping[_Activity, tuple[str, ...]]]
"""A kind of week's core activity and what each cause's work adds to it."""


@lru_cache(maxsize=64)
def _work_table(inputs: WorkInputs) -> Mapping[_SlotKey, _SlotWork]:
    """Every kind of week's core activity and each cause's work for it, by slot.

    Cached: the work depends only on the slot and these few plain values, which the students
    of a cohort share, while working it out for each student's weeks called every cause's
    work function again and formatted the same texts (about 80,000 instructions a profile).
    """
    table: dict[_SlotKey, _SlotWork] = {}
    for phase, first, last in itertools.product(PHASES, (False, True), (False, True)):
        slot = WeekSlot(phase, first, last)
        work = {fn: tuple(fn(slot, inputs)) for fn in CAUSE_WORK.values()}
        table[phase, first, last] = (_generic_activity(phase, inputs.fmt), MappingProxyType(work))
    return MappingProxyType(table)


def _activities(ranked_work: Sequence[_Activity], slot_work: _SlotWork) -> tuple[str, ...]:
    """:func:`week_activities` from the causes' work already ranked (:func:`_ranked_work`) and
    the week's row of :func:`_work_table`: a plan ranks the work once for all its weeks."""
    generic, by_work = slot_work
    out = [generic]
    for work in ranked_work:
        for item in by_work[work]:
            if item not in out:
                out.append(item)
    return tuple(out)


# ---------------------------------------------------------------- the plan


def _hours(ctx: Context) -> tuple[float, str | None]:
    given = ctx.profile.study.hours_per_week if ctx.profile is not None else None
    if given is not None:
        note = None
        if given == 0:
            note = "The profile gives 0 study hours a week: the plan has no time to work with."
        return given, note
    default = ctx.plan.study.default_hours_per_week
    return default, (
        f"The profile gives no study.hours_per_week, so the plan's default of {default:g} "
        "hours a week is used (a rule of thumb)."
    )


@lru_cache(maxsize=1024)
def week_hours(per_week: float, days: int) -> float:
    """A week's study hours: the weekly hours for its ``days``, to 0.1 hour.

    Cached: a pure function of two numbers, and most weeks have 7 days.
    """
    return round(per_week * days / 7, 1)


def plan_retake_date(
    ctx: Context, readiness: Readiness, eligibility: Eligibility | None = None
) -> RetakeChoice | None:
    """The date the weeks run to: P402's choice, never before the earliest attempt allowed.

    The USMLE attempt rules (eligibility, DOMAIN "Attempts and retakes", H) can put the next
    attempt later than a planned or recommended date; the weeks then run to that earliest date.
    ``None`` when no attempt is left (eligibility blocked): there is no retake to plan for.
    ``eligibility`` is the profile's, when the caller has already assessed it.
    """
    if ctx.profile is None:
        return choose_retake_date(ctx, readiness)
    if eligibility is None:
        from step1plan.rules.eligibility import assess_eligibility

        eligibility = assess_eligibility(ctx.profile.attempts, ctx.as_of)
    earliest = eligibility.earliest_next_attempt
    if eligibility.blocked or earliest is None:
        return None  # checked first: P402's recommendation would be thrown away
    choice = choose_retake_date(ctx, readiness)
    if choice.date >= earliest:
        return choice
    rule_text = (
        f"the USMLE attempt rules allow the next attempt only from {earliest.isoformat()}, "
        "so the weeks run to that date."
    )
    if choice.source == "planned":
        note = f"Your planned date {choice.date.isoformat()} is too early: {rule_text}"
    elif readiness.verdict is Verdict.ready:  # P402's "test by" date cannot be kept
        days = _bar(ctx).max_days_before_test
        planned = ctx.profile.target.step1_date
        note = (
            f"{_unplanned(planned, ctx.as_of)}Your practice scores already meet the bar, but "
            f"{rule_text} Take new unseen CBSSAs in the {days} days before it: by then the "
            "current ones are older than the bar allows."
        )
    else:
        note = f"{choice.note} Moreover, {rule_text}"
    return RetakeChoice(earliest, "recommended", note)


def build_study_plan(
    ctx: Context,
    causes: Sequence[CauseResult],
    readiness: Readiness,
    eligibility: Eligibility | None = None,
    choice: RetakeChoice | EllipsisType | None = ...,
) -> StudyPlan:
    """Priorities and the week-by-week plan from the as-of date to the retake date.

    ``eligibility`` is the profile's, when the caller has already assessed it (else it is
    assessed here); ``choice`` is :func:`plan_retake_date`'s, when the caller has it (the
    timeline uses the same one)."""
    plan = ctx.plan
    priorities = rank_priorities(ctx)
    if choice is ...:
        choice = plan_retake_date(ctx, readiness, eligibility)
    if choice is None:
        return StudyPlan(
            priorities=priorities,
            retake_date=None,
            retake_date_source="none",
            notes=(
                "No Step 1 attempt is left under the USMLE attempt rules, so there is no "
                "retake to plan weeks for (see eligibility).",
            ),
        )
    notes = [choice.note]
    warn = too_little_time(ctx, choice, readiness)
    if warn:
        notes.append(warn)
    per_week, hours_note = _hours(ctx)
    if hours_note:
        notes.append(hours_note)
    if not priorities:
        notes.append(
            "No content-area bands are given, so weeks have no focus areas: copy the score "
            "report's content feedback into attempts[].content_areas."
        )
    spans = _plan_spans(ctx.as_of, choice.date)
    n = len(spans)
    counts = phase_counts(n, plan)
    phases = [name for name, count in zip(PHASES, counts, strict=True) for _ in range(count)]
    intervals = _focus_intervals(priorities)
    top = tuple([area for _, _, area in intervals[:READINESS_FOCUS_AREAS]])  # weak areas first
    focus = [
        *_spread_focus(intervals, counts[0]),
        *_spread_focus(intervals, counts[1]),
        *[top] * counts[2],
    ]
    schedule = schedule_assessments(ctx, n)
    if schedule.note:
        notes.append(schedule.note)
    fmt = exam_format("step1", choice.date).value
    questions_per_hour = plan.study.questions_per_hour
    # The shares from the model's ``__dict__``: dict lookups instead of unspecialised model
    # reads (see StrictModel).
    shares = vars(plan.study.qbank_share)
    qbank_share: dict[str, float] = {p: shares[p] for p in PHASES}
    ranked_work = _ranked_work(causes)
    work = _work_table(_work_inputs(ctx, fmt))
    activities: dict[_SlotKey, tuple[str, ...]] = {}  # one list per kind of week
    weeks = []
    seven_day_hours = week_hours(per_week, 7)  # every week but the last has 7 days (week_spans)
    for i, (start, end) in enumerate(spans):
        phase = phases[i]
        hours = seven_day_hours if i < n - 1 else week_hours(per_week, (end - start).days + 1)
        slot = (phase, i == 0 or phases[i - 1] != phase, i == n - 1)
        if slot not in activities:
            activities[slot] = _activities(ranked_work, work[slot])
        weeks.append(
            Week(  # Week's fields in order (positional: a record is cheaper to build that way)
                i + 1,  # number
                start,
                end,
                phase,
                hours,
                focus[i],
                round(hours * qbank_share[phase] * questions_per_hour),  # qbank_questions
                schedule.by_week[i],  # assessments
                activities[slot],
            )
        )
    return StudyPlan(
        priorities=priorities,
        weeks=tuple(weeks),
        retake_date=choice.date,
        retake_date_source=choice.source,
        notes=tuple(notes),
    )


__all__ = [
    "PHASES",
    "PHASE_TITLES",
    "area_label",
    "build_study_plan",
    "choose_retake_date",
    "rank_priorities",
    "schedule_assessments",
    "too_little_time",
    "week_activities",
    "week_spans",
]
