"""The short explanation of a Step 1 failure: a draft from the profile, and a review of a text.

The draft follows the shape programs look for (seed: brief, accountable, focused on what
changed): one sentence on what went wrong (from the top diagnosed causes), one on what changed
(the fixes for those causes, tutoring, and the NBME practice exams), the evidence on record
(the retake pass, Step 2 CK, a rising practice trend) and a forward-looking close. It is kept
under the plan's ``strategy.explanation_max_words`` (120 by default, a convention, L). Every
sentence is written for this tool; none comes from the seed article.

The draft states as done only what the profile's data after the last failed (or incomplete)
Step 1 attempt show: results dated after it, fixes its data back (see :data:`BACKED_BY`).
Anything else it would have to assume is left in square brackets for the student to fill in,
confirm or drop: the reason when no cause is diagnosed, a fix the data do not back yet, the
evidence when none is on record.

The review runs the M711-M717 checks of :mod:`step1plan.rules.mistakes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from operator import attrgetter

from step1plan.facts import content_outline
from step1plan.models.areas import ContentAreas
from step1plan.models.common import AttemptResult, Band, CauseId, Exam, PracticeKind
from step1plan.models.profile import Attempt, Profile
from step1plan.models.record import record
from step1plan.models.report import CauseResult, Finding, Readiness
from step1plan.models.scores import PracticeScore
from step1plan.plans import StrategyPlan
from step1plan.rules.base import Context, blocks_all_finished
from step1plan.rules.mistakes import check_text, count_words, read_explanation
from step1plan.rules.wording import and_list, num, words

WENT_WRONG: dict[CauseId, str] = {
    CauseId.weak_foundations: "I had gaps in core basic science that I had not closed",
    CauseId.question_interpretation: "I often misread what the question stems were asking",
    CauseId.memorization_without_reasoning: (
        "I had memorised facts without learning to reason with them"
    ),
    CauseId.rushed_qbank_review: "I went through practice questions too fast to learn from them",
    CauseId.premature_exam: "I sat the exam before my practice scores showed I was ready",
    CauseId.timing: "I had not trained my pacing and could not finish every block",
    CauseId.test_anxiety_fatigue: "I had no plan for managing nerves and stamina on a long day",
}
"""What went wrong, one clause per cause, in the first person."""

FALLBACK_WENT_WRONG = "[name the main reason in a few words]"
"""The reason when no cause is diagnosed: a placeholder, as the tool cannot tell what it was."""

CHANGED: dict[CauseId, str] = {
    CauseId.weak_foundations: "rebuilt {areas} from the underlying mechanisms",
    CauseId.question_interpretation: (
        "practised working out what each vignette asks before reading the options"
    ),
    CauseId.memorization_without_reasoning: (
        "replaced rote review with explaining mechanisms in my own words"
    ),
    CauseId.rushed_qbank_review: "reviewed every practice block in depth and kept an error log",
    CauseId.premature_exam: "set a score bar my practice exams must clear before I test",
    CauseId.timing: "trained on timed, full-length blocks until my pacing held",
    CauseId.test_anxiety_fatigue: "built a test-day routine and rehearsed full practice days",
}
"""What changed, one clause per cause, after "Since then I have". Written as done only when
the cause's :data:`BACKED_BY` check passes, otherwise in brackets (:func:`_unbacked`)."""

TUTOR = "worked with a tutor who holds me to a weekly plan"
CHECKPOINTS = "checked my progress with {exams}"
"""The practice-exam clause with the NBME practice exams taken since the failure."""
PLANNED_CHECKPOINTS = "checked my progress with an NBME practice exam every {n} weeks"
"""The plan's practice-exam rhythm, the bracketed suggestion when none is on record yet."""
CLOSE = (
    "I bring the same planning and honest review of my weak spots to my clinical work, and I "
    "will keep both in residency."
)
PLACEHOLDER = (
    "[Add your evidence here: the retake result, a Step 2 CK score or your practice-exam trend.]"
)
PLACEHOLDER_AFTER_STEP2CK = (
    "[Add your evidence here: the retake result or your practice-exam trend.]"
)
"""The evidence placeholder for a student whose Step 2 CK pass came before the failure: no new
Step 2 CK score can be added (a passed Step cannot be taken again)."""


@cache
def default_limits() -> StrategyPlan:
    """The ``strategy:`` section of the shipped default plan (explanation limits)."""
    from step1plan.plans import load_plan

    return load_plan("default").strategy


def check_explanation(text: str, *, limits: StrategyPlan | None = None) -> tuple[Finding, ...]:
    """Review a written explanation (checks M711-M717); each sentence-level problem carries
    the sentence as ``sentence[i]`` evidence. ``limits`` defaults to the default plan's."""
    return check_text(read_explanation(text), limits or default_limits())


def _month(day: dt.date) -> str:
    return f"{day:%B %Y}"


@record
class _History:
    """What the draft tells of the attempts, read in one pass (:func:`_history`)."""

    failed: int
    """How many Step 1 attempts were failed or incomplete."""
    missed: str
    """The verb of the opening: "complete" when every one of them was incomplete (it ended
    early, so "did not pass" would misstate it), else "pass"."""
    last_failed: dt.date | None
    """The date of the last of them: what "since then" refers to."""
    report: ContentAreas | None
    """The content areas of the latest of them that gives them, if any."""
    step1_passed: dt.date | None
    """The date of the Step 1 pass, if any."""
    step2ck_passed: Attempt | None
    """The Step 2 CK pass, if any."""


def _history(attempts: Sequence[Attempt]) -> _History:
    """Read the attempts once. They are validated oldest first, and none follows a pass of its
    Step: each Step has at most one pass, and every failed or incomplete Step 1 attempt comes
    before the Step 1 pass."""
    failed = incomplete = 0
    last_failed: dt.date | None = None
    report: ContentAreas | None = None
    step1_passed: dt.date | None = None
    step2ck_passed: Attempt | None = None
    passed = AttemptResult.passed
    for attempt in attempts:
        exam = attempt.exam  # read once: reads on a pydantic model are slow in 3.11
        if exam is Exam.step1:
            result = attempt.result
            if result is passed:
                step1_passed = attempt.date
                continue
            failed += 1
            incomplete += result is AttemptResult.incomplete
            last_failed = attempt.date
            areas = attempt.content_areas  # read once: reads on a pydantic model are slow
            if areas is not None:
                report = areas
        elif exam is Exam.step2ck and attempt.result is passed:
            step2ck_passed = attempt
    missed = "complete" if failed and incomplete == failed else "pass"
    return _History(failed, missed, last_failed, report, step1_passed, step2ck_passed)


def _after(day: dt.date, since: dt.date | None) -> bool:
    """True when ``day`` is after ``since`` (any day when there is no failed attempt)."""
    return since is None or day > since


_RANK = attrgetter("rank")
_SUPPORTED = attrgetter("supported")
_ID = attrgetter("id")


def _ordered_causes(causes: Sequence[CauseResult]) -> list[CauseId]:
    """The causes' ids, supported ones first, each part by rank.

    Two stable sorts on plain attributes (by rank, then supported first) give the order of a
    ``(not supported, rank)`` key without building a key tuple per cause.
    """
    ranked = sorted(causes, key=_RANK)
    ranked.sort(key=_SUPPORTED, reverse=True)
    return list(map(_ID, ranked))


@cache
def _labels_by_weight() -> tuple[tuple[tuple[str, str], str], ...]:
    """Each content area ``(group, key)`` with its label in lower case, heaviest area first
    (ties by key). Computed once: the outline is fixed."""
    heaviest = sorted(content_outline(), key=lambda w: (-w.midpoint, w.key))
    return tuple(((w.group, w.key), w.label.lower()) for w in heaviest)


def _weak_areas(report: ContentAreas | None, limit: int = 2) -> list[str]:
    """The heaviest content areas marked ``lower`` on the latest failing ``report``."""
    if report is None:
        return []
    # Each band is read from the report's group model (the outline's areas are exactly its
    # fields), so the scan stops at the first lower areas without copying every band.
    lower = Band.lower
    # Each group's bands from its model's ``__dict__``: a dict lookup per area instead of two
    # unspecialised model reads (see StrictModel).
    groups = {"disciplines": vars(report.disciplines), "systems": vars(report.systems)}
    weak: list[str] = []
    for (group, key), label in _labels_by_weight():
        if len(weak) == limit:
            break
        if groups[group][key] is lower:
            weak.append(label)
    return weak


def _practice_trend(
    ctx: Context, readiness: Readiness | None, unseen: Sequence[tuple[PracticeScore, str]]
) -> tuple[float, float] | None:
    """First and latest EPC of the ``unseen`` CBSSAs, those taken after the last failed attempt
    (:meth:`Context.unseen_cbssas`), when the latest is higher.

    Only scores after the failure count: the sentence tells what changed since then, and a
    score from before the attempt would show a rise that the student's recovery did not make.
    Given a ``readiness`` that shows any score (``explain`` passes one), only the scores up to
    the as-of date count, as it shows them; otherwise every score of the context does. The
    loader refuses a score dated after the as-of date, so the two differ only for a context
    built by hand.
    """
    shown_only = readiness is not None and bool(readiness.points)
    values = [
        score.epc
        for score, _ in unseen
        if score.epc is not None and (not shown_only or score.date <= ctx.as_of)
    ]
    if len(values) < 2 or values[-1] <= values[0]:
        return None
    return values[0], values[-1]


@lru_cache(maxsize=256)
def _what_went_wrong(failed: int, top: tuple[CauseId, ...], missed: str) -> str:
    """The what-went-wrong sentence for ``failed`` attempts, the top causes and the verb of
    :attr:`_History.missed`. Without a diagnosed cause the reason is a placeholder
    (:data:`FALLBACK_WENT_WRONG`): the tool does not guess one. Cached: a pure function of a
    count, at most two fixed cause ids and one of two verbs, which repeat across students."""
    if failed <= 1:
        lead = f"I did not {missed} my first Step 1 attempt"
    else:  # in words, as a statement would write them (at most 6 attempts were ever allowed)
        count = words(failed)
        lead = f"I did not {missed} my first {count} Step 1 attempts"
    clauses = [WENT_WRONG[c] for c in top] or [FALLBACK_WENT_WRONG]
    return f"{lead} because {', and '.join(clauses)}."


def _unbacked(clause: str) -> str:
    """A fix the data do not back yet, in brackets: the plan's suggestion for the student to
    make true and confirm, replace or drop (as :data:`PLACEHOLDER` stands for the evidence)."""
    return f"[{clause}]"


def _full_length_since(ctx: Context, since: dt.date | None) -> list[PracticeScore]:
    """Full-length practice exams (CBSSA, Free 120, UWSA) taken after ``since``, oldest first."""
    other = PracticeKind.other  # read once: an enum member read is slow in 3.11
    return [
        score
        for score in ctx.scores  # sorted by date
        if _after(score.date, since) and score.kind is not other
    ]


def _pacing_held(ctx: Context, since: dt.date | None) -> bool:
    """Backs the timing fix as readiness check R309 would pass it (:func:`blocks_all_finished`):
    the recent full-length practice exams after ``since`` (within the retaker bar's
    ``window_days`` of the as-of date, the student having failed; of the retake, once one was
    taken) record their unfinished blocks, and every one finished them all.

    None recorded is no backing, as R309 counts it as missing evidence.
    """
    window = ctx.plan.readiness.retaker.window_days
    until = _next_attempt(ctx, since) or ctx.as_of  # a later attempt closes that practice
    return blocks_all_finished(
        [
            score
            for score in ctx.scores  # sorted by date
            if _after(score.date, since) and 0 <= (until - score.date).days <= window
        ]
    )


def _next_attempt(ctx: Context, since: dt.date | None) -> dt.date | None:
    """The first Step 1 attempt after ``since`` (a retake already taken), if any: the practice
    before it is what the pacing was judged on, however long ago."""
    if ctx.profile is None or since is None:
        return None
    step1 = Exam.step1  # read once: an enum member read is slow in 3.11
    for attempt in ctx.profile.attempts:  # oldest first
        if attempt.exam is step1 and attempt.date > since:
            return attempt.date
    return None


def _has_test_day_plan(ctx: Context, since: dt.date | None) -> bool:
    """Backs the test-day fix, a routine built and rehearsed on full practice days: the written
    plan ``study.test_day_plan`` that readiness check R310 asks for, and at least one
    full-length practice exam after ``since`` to have rehearsed it on."""
    return (
        ctx.profile is not None
        and ctx.profile.study.test_day_plan
        and bool(_full_length_since(ctx, since))
    )


BACKED_BY: dict[CauseId, Callable[[Context, dt.date | None], bool]] = {
    CauseId.timing: _pacing_held,
    CauseId.test_anxiety_fatigue: _has_test_day_plan,
}
"""The check whose data back a cause's fix (after the last failed attempt). The other causes'
fixes (what was studied, and how) leave no record in the profile: always in brackets."""


@lru_cache(maxsize=64)
def _checkpoints(every_weeks: int, taken: int) -> str:
    """The practice-exam clause: the ``taken`` CBSSAs since the failure, or, with none, the
    plan's rhythm in brackets (:func:`_unbacked`). Cached: a pure function of two counts."""
    if not taken:
        return _unbacked(PLANNED_CHECKPOINTS.format(n=every_weeks))
    exams = "an NBME practice exam" if taken == 1 else f"{words(taken)} NBME practice exams"
    return CHECKPOINTS.format(exams=exams)


def _fixes(
    ctx: Context,
    profile: Profile,
    report: ContentAreas | None,
    order: list[CauseId],
    since: dt.date | None,
    cbssas: int,
) -> list[str]:
    """The what-changed clauses: each top cause's fix (in brackets unless :data:`BACKED_BY`
    backs it), tutoring when the profile has it, and the ``cbssas`` unseen NBME CBSSAs taken
    since ``since``."""
    fixes: list[str] = []
    for cause in order[:3]:
        clause = CHANGED[cause]
        if "{areas}" in clause:
            areas = _weak_areas(report)
            clause = clause.format(areas=and_list(areas) if areas else "my weakest subjects")
        backed = BACKED_BY.get(cause)
        fixes.append(clause if backed is not None and backed(ctx, since) else _unbacked(clause))
    if profile.study.tutoring:
        fixes.append(TUTOR)
    fixes.append(_checkpoints(ctx.plan.study.cbssa_every_weeks, cbssas))
    return fixes


def _evidence(
    ctx: Context,
    history: _History,
    readiness: Readiness | None,
    unseen: Sequence[tuple[PracticeScore, str]],
) -> str | None:
    """The results that show the change worked: the Step 1 pass, the Step 2 CK pass or, with
    neither, a rising practice trend of the ``unseen`` CBSSAs (:func:`_practice_trend`).

    Each must be dated after the last failed or incomplete Step 1 attempt: the draft gives them
    as what changed since then, so a Step 2 CK passed before that attempt is not evidence of
    recovery.
    """
    parts: list[str] = []
    since, step1, step2ck = history.last_failed, history.step1_passed, history.step2ck_passed
    if since is not None and step1 is not None and step1 > since:
        parts.append(f"I then passed Step 1 in {_month(step1)}")
    if step2ck is not None and _after(step2ck.date, since):
        score = f" with a score of {step2ck.score}" if step2ck.score else ""
        parts.append(f"{'passed' if parts else 'I passed'} Step 2 CK{score}")
    if parts:
        return and_list(parts) + "."
    trend = _practice_trend(ctx, readiness, unseen)
    if trend is not None:
        return (
            f"My NBME practice scores have risen from {num(trend[0])} to {num(trend[1])} "
            "(equated percent correct)."
        )
    return None


@lru_cache(maxsize=4096)
def _words(part: str) -> int:
    """:func:`count_words` of a part of the draft. Cached: the parts are short texts the tool
    builds from its own clauses (never the student's text), and the same ones come back for
    many students (the close, each cause's clauses)."""
    return count_words(part)


CHANGED_LEAD = "Since then I have"
"""The start of the what-changed sentence (its fixes follow, joined by :func:`and_list`)."""


def _changed(fixes: Sequence[str]) -> str:
    """The what-changed sentence with these fixes."""
    return f"{CHANGED_LEAD} {and_list(fixes)}."


def _changed_words(fix_words: Sequence[int]) -> int:
    """:func:`count_words` of :func:`_changed` from each fix's own count.

    The lead and the fixes are joined by a space, ``", "`` or ``" and "`` and the sentence ends
    with a full stop: a word never spans a space, comma or stop, so the counts add up, plus
    the "and" before the last of two or more fixes.
    """
    return _words(CHANGED_LEAD) + sum(fix_words) + (1 if len(fix_words) > 1 else 0)


def draft_explanation(
    ctx: Context, causes: Sequence[CauseResult], readiness: Readiness | None
) -> str:
    """A short draft explanation of the failure, built from the profile, the diagnosed causes
    and the plan. Fixes, then the close, are dropped until it fits the plan's
    ``strategy.explanation_max_words`` (a limit too small for the three core sentences leaves
    them whole). Only what the data after the last failed attempt show is stated as done;
    the rest (a reason without a diagnosed cause, an unbacked fix, evidence not on record yet)
    is a bracketed placeholder for the student."""
    profile = ctx.profile
    if profile is None:
        raise ValueError("the explanation draft needs a profile")
    order = _ordered_causes(causes)
    history = _history(profile.attempts)
    since = history.last_failed
    wrong = _what_went_wrong(history.failed, tuple(order[:2]), history.missed)
    unseen = ctx.unseen_cbssas(since)  # the NBME practice exams since the failure
    fixes = _fixes(ctx, profile, history.report, order, since, len(unseen))
    # No new Step 2 CK score can be added after a pass (a passed Step cannot be taken again)
    passed2 = history.step2ck_passed is not None
    placeholder = PLACEHOLDER_AFTER_STEP2CK if passed2 else PLACEHOLDER
    evidence = _evidence(ctx, history, readiness, unseen) or placeholder
    limit = ctx.plan.strategy.explanation_max_words

    def assemble(n_fixes: int, close: bool) -> str:
        parts = [wrong, _changed(fixes[:n_fixes]), evidence, CLOSE if close else ""]
        return " ".join([p for p in parts if p])

    # The parts are joined by spaces and a word never spans a space, so the text's word count
    # is the sum of its parts': the fixed parts are counted once, not on every try, and the
    # what-changed sentence from its fixes' counts (each fix clause is one the tool wrote, so
    # its count is usually cached, where the sentences themselves rarely repeat).
    fixed_words = _words(wrong) + _words(evidence)
    fix_words = [_words(fix) for fix in fixes]
    for close in (True, False):
        close_words = _words(CLOSE) if close else 0
        for n in range(len(fixes), 0, -1):
            if fixed_words + _changed_words(fix_words[:n]) + close_words <= limit:
                return assemble(n, close)
    return assemble(1, False)
