"""Why the attempt failed: one rule per cause (C101-C107), a data check (C108) and a comparison
of the student's own account with the data (C109).

Each cause rule reads the same extracted inputs (:class:`CauseInputs`) and returns the evidence
signals it found (:class:`CauseSignals`): a strength 0-1 per signal, the numbers that decided it
and the field paths they came from. :func:`rank_causes` weighs the signals with the plan's
``causes.weights`` (a noisy OR, so several weak signs add up without passing 1), keeps every
self-reported cause (marked supported or not) and surfaces the causes the data shows but the
student did not name. Every threshold is a key of the plan's ``causes:`` section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import field
from functools import cache, lru_cache
from operator import attrgetter, itemgetter
from types import MappingProxyType
from typing import NamedTuple

from step1plan.facts import content_outline
from step1plan.models.common import AttemptResult, Band, CauseId, Exam, PracticeKind
from step1plan.models.profile import Attempt, QBank, Study
from step1plan.models.record import record
from step1plan.models.report import CauseResult, Confidence, Evidence, Finding, Severity
from step1plan.models.scores import PracticeScore
from step1plan.plans import CausesPlan, ReadinessBar
from step1plan.rules.base import Context, rule
from step1plan.rules.wording import num, num_short, pct, pct_short, plural

CAUSE_TITLES: dict[CauseId, str] = {
    CauseId.weak_foundations: "Weak foundations",
    CauseId.question_interpretation: "Misreading NBME-style questions",
    CauseId.memorization_without_reasoning: "Memorising without reasoning",
    CauseId.rushed_qbank_review: "Rushed QBank review",
    CauseId.premature_exam: "Tested before readiness was shown",
    CauseId.timing: "Timing and pacing",
    CauseId.test_anxiety_fatigue: "Test-day anxiety, fatigue or illness",
}
"""Human titles of the fixed cause ids (used by the renderers too)."""

Area = tuple[str, str]
"""A content area as ``(group, key)``: ``("disciplines", "pathology")``."""


def cause_title(cause: CauseId) -> str:
    """The human title of a cause id."""
    return CAUSE_TITLES[cause]


@lru_cache(maxsize=128)
def area_label(key: str) -> str:
    """The outline label of a content-area key (``respiratory_renal`` -> ``Respiratory & ...``).

    Cached: a pure lookup on a string key in the fixed outline.
    """
    for area in content_outline():
        if area.key == key:
            return area.label
    return key.replace("_", " ")


@cache
def outline_weights() -> Mapping[Area, float]:
    """Each content area's share of the exam: the midpoint of its outline range (facts, M-H).

    In outline order. Computed once (the outline is fixed) and read-only.
    """
    return MappingProxyType({(a.group, a.key): a.midpoint for a in content_outline()})


@cache
def outline_order() -> Mapping[Area, int]:
    """Each content area's position in the outline (breaks ties between equal weights)."""
    return MappingProxyType({area: i for i, area in enumerate(outline_weights())})


# ---------------------------------------------------------------- inputs and signals


_BANDS = "attempts[-1].content_areas"
_TEST_DAY = "attempts[-1].test_day"
"""The bands and test-day fields named as missing when no failed attempt is listed."""


@record
class CauseInputs:
    """What the cause rules read, extracted once from the context."""

    plan: CausesPlan
    """The plan's ``causes:`` section."""
    bar: ReadinessBar
    """The readiness bar that applied to the failed attempt (first-timer or retaker)."""
    attempt: Attempt | None
    """The latest failed or incomplete Step 1 attempt, if any."""
    attempt_path: str
    """Its evidence path (``attempts[1]``); empty when there is none."""
    bands: dict[Area, Band]
    """The content bands of that attempt's score report."""
    prior: tuple[tuple[PracticeScore, str], ...]
    """Practice assessments taken before that attempt, oldest first, with evidence paths."""
    qbank: QBank | None
    study: Study
    self_reported: tuple[CauseId, ...] = ()
    lower: tuple[Area, ...] = field(init=False, compare=False, repr=False)
    """The areas of :attr:`bands` marked lower, heaviest first (computed once)."""
    bands_field: str = field(init=False, compare=False, repr=False)
    """The field the bands come from (``attempts[1].content_areas``), named when missing."""
    test_day_field: str = field(init=False, compare=False, repr=False)
    """The field of the attempt's test-day report (``attempts[1].test_day``)."""
    latest_nbme: tuple[PracticeScore, str] | None = field(init=False, compare=False, repr=False)
    """The newest NBME-scaled entry of :attr:`prior` with its path, if any (C105 and C107)."""

    def __post_init__(self) -> None:
        low = Band.lower  # read once: an enum member lookup costs about 50 ns in Python 3.11
        lower = _by_weight([a for a, b in self.bands.items() if b is low])
        object.__setattr__(self, "lower", tuple(lower))
        given = self.attempt is not None
        path = self.attempt_path
        object.__setattr__(self, "bands_field", f"{path}.content_areas" if given else _BANDS)
        object.__setattr__(self, "test_day_field", f"{path}.test_day" if given else _TEST_DAY)
        object.__setattr__(self, "latest_nbme", self.latest_prior(_nbme_style))

    @classmethod
    def from_context(cls, ctx: Context) -> CauseInputs:
        """Pick the failed attempt and the practice before it out of the context."""
        profile = ctx.profile
        if profile is None:
            raise ValueError("the cause rules need a profile")
        index, attempt = _latest_failed_step1(profile.attempts)
        # An earlier failed or incomplete Step 1 attempt: as none comes after the latest, that
        # is two or more in the profile's (cached) counts (and then ``attempt`` is not None).
        failed, incomplete, _, _ = profile.unsuccessful_attempts
        retaker = failed + incomplete >= 2
        readiness = ctx.plan.readiness
        bar = readiness.retaker if retaker else readiness.first_timer
        prior: tuple[tuple[PracticeScore, str], ...] = ()
        bands: dict[Area, Band] = {}
        if attempt is not None:
            # The attempt's fields are read once: a read on a pydantic model costs several
            # times a plain attribute's in 3.11.
            failed_on, areas = attempt.date, attempt.content_areas
            prior = tuple(
                [
                    (s, p)
                    for s, p in zip(ctx.scores, ctx.score_paths, strict=True)
                    if s.date < failed_on
                ]
            )
            if areas is not None:
                bands = areas.bands()
        attempt_path = f"attempts[{index}]" if attempt is not None else ""
        # Positional, in field order: plan, bar, attempt, attempt_path, bands, prior, qbank,
        # study, self_reported.
        return cls(
            ctx.plan.causes,
            bar,
            attempt,
            attempt_path,
            bands,
            prior,
            profile.qbank,
            profile.study,
            tuple(profile.causes),
        )

    def band_evidence(self, area: Area) -> Evidence:
        """Evidence of one band of the failed attempt's report: its path and band word."""
        return _band_evidence(self.attempt_path, area, self.bands[area])

    def latest_prior(
        self, keep: Callable[[PracticeScore], bool]
    ) -> tuple[PracticeScore, str] | None:
        """The newest practice entry before the attempt for which ``keep`` is true, if any."""
        for entry in reversed(self.prior):
            if keep(entry[0]):
                return entry
        return None


@lru_cache(maxsize=1024)
def _band_evidence(attempt_path: str, area: Area, band: Band) -> Evidence:
    """Cached: a pure function of its inputs, and a few hundred combinations cover every student
    (the evidence records are immutable, so sharing them is safe)."""
    return Evidence(f"{attempt_path}.content_areas.{area[0]}.{area[1]}", band.value)


def _latest_failed_step1(attempts: Sequence[Attempt]) -> tuple[int, Attempt | None]:
    for index in range(len(attempts) - 1, -1, -1):
        a = attempts[index]
        if a.exam is Exam.step1 and a.result is not AttemptResult.passed:
            return index, a
    return -1, None


@record
class Signal:
    """One sign of a cause found in the data."""

    name: str
    """Its key in the plan's ``causes.weights``."""
    strength: float
    """0-1: how clearly the value is past its threshold."""
    reason: str
    """The finding in plain words, with the numbers that decided it."""
    evidence: tuple[Evidence, ...] = ()


_WEIGHT = itemgetter(0)
"""The weight of a ``(weight, signal)`` pair (made once, not per sort)."""


@record
class CauseSignals:
    """What one cause rule found."""

    cause: CauseId
    code: str
    signals: tuple[Signal, ...] = ()
    """Signals with a strength above 0."""
    missing: tuple[str, ...] = ()
    """Fields this rule reads that the profile does not give."""
    fields_read: int = 0
    """How many inputs the rule looked for."""

    @property
    def assessed(self) -> bool:
        """Whether any input this rule reads was given (otherwise it could not check anything)."""
        return bool(self.signals) or len(self.missing) < self.fields_read

    def weighted(self, plan: CausesPlan) -> list[tuple[float, Signal]]:
        """Each signal with its weight x strength, strongest first (stable among equals)."""
        if not self.signals:
            return []  # about a third of the causes found nothing
        # The weights from the model's ``__dict__``: a dict lookup per signal instead of an
        # unspecialised model read (see StrictModel).
        weights = vars(plan.weights)
        out = [(weights[s.name] * s.strength, s) for s in self.signals]
        out.sort(key=_WEIGHT, reverse=True)
        return out

    def score(self, plan: CausesPlan) -> float:
        """The cause's data score 0-1: a noisy OR of the weighted signals."""
        return noisy_or(w for w, _ in self.weighted(plan))


def noisy_or(parts: Iterable[float]) -> float:
    """Combine independent 0-1 weights: ``1 - prod(1 - p)`` (never above 1)."""
    keep = 1.0
    for p in parts:
        # Clamped to 0-1 as min(1.0, max(0.0, p)) would (NaN counts as 0), minus two calls.
        share = p if p > 0.0 else 0.0
        keep *= 1.0 - (share if share < 1.0 else 1.0)
    return 1.0 - keep


def past(value: float, bar: float, span: float, *, below: bool, inclusive: bool = False) -> float:
    """Strength of a value past its threshold: 0 on the good side, 0.5 just past, 1 at ``span``.

    ``below`` says that values under the bar are the bad side; ``inclusive`` that the bar
    itself is already past (``at least`` thresholds).
    """
    distance = bar - value if below else value - bar
    if distance < 0 or (distance == 0 and not inclusive):
        return 0.0
    return min(1.0, 0.5 + 0.5 * distance / span)


def _score_text(score: PracticeScore, bar: ReadinessBar | None = None) -> str:
    """The score's values in words; against ``bar``, a value under it never reads as the bar
    itself (:func:`~step1plan.rules.wording.pct_short`)."""
    parts = []
    if score.epc is not None:
        epc = num(score.epc) if bar is None else num_short(score.epc, bar.min_epc)
        parts.append(f"EPC {epc}")
    if score.pass_probability is not None:
        p = score.pass_probability
        shown = pct(p) if bar is None else pct_short(p, bar.min_pass_probability)
        parts.append(f"pass probability {shown}")
    if score.percent_correct is not None:
        parts.append(f"{num(score.percent_correct)}% correct")
    return ", ".join(parts)


def _nbme_style(score: PracticeScore) -> bool:
    """An NBME-scaled result (EPC or pass probability); UWSA estimates are left out."""
    return score.kind is not PracticeKind.uwsa and (
        score.epc is not None or score.pass_probability is not None
    )


def _judged_on(score: PracticeScore, bar: ReadinessBar) -> tuple[str, float, float, str] | None:
    """:meth:`ReadinessBar.judged_on` (the value the readiness checks judge too) with the bar
    in words: field, value, threshold, words."""
    judged = bar.judged_on(score.epc, score.pass_probability)
    if judged is None:
        return None
    field, value, threshold = judged
    if field == "pass_probability":
        return field, value, threshold, f"pass probability {pct(threshold)}"
    return field, value, threshold, f"EPC {num(threshold)}"


def _meets_bar(score: PracticeScore, bar: ReadinessBar) -> bool:
    """The score is at or above the readiness bar on the value it is judged on."""
    judged = bar.judged_on(score.epc, score.pass_probability)  # no bar text needed here
    return judged is not None and bar.at_least(judged[1], judged[2])


def _score_evidence(score: PracticeScore, path: str) -> tuple[Evidence, ...]:
    out = [Evidence(f"{path}.form", score.form), Evidence(f"{path}.date", score.date.isoformat())]
    if score.epc is not None:
        out.append(Evidence(f"{path}.epc", score.epc))
    if score.pass_probability is not None:
        out.append(Evidence(f"{path}.pass_probability", score.pass_probability))
    return tuple(out)


def _names(areas: Sequence[Area], limit: int = 4) -> str:
    labels = [area_label(key) for _, key in areas[:limit]]
    if len(areas) > limit:
        return ", ".join(labels) + f" and {len(areas) - limit} more"
    return ", ".join(labels)


def _by_weight(areas: Iterable[Area]) -> list[Area]:
    """Outline areas (every band area is one), heaviest first; equal weights keep their order."""
    return sorted(areas, key=outline_weights().__getitem__, reverse=True)


class _Collector:
    """Builds a :class:`CauseSignals`: signals found and fields that were missing."""

    __slots__ = ("cause", "code", "missing", "reads", "signals")

    def __init__(self, cause: CauseId, code: str) -> None:
        self.cause, self.code = cause, code
        self.signals: list[Signal] = []
        self.missing: list[str] = []
        self.reads = 0

    def add(self, name: str, strength: float, reason: str, *evidence: Evidence) -> None:
        if strength > 0:
            self.signals.append(Signal(name, min(1.0, strength), reason, evidence))

    def need(self, present: bool, path: str) -> bool:
        self.reads += 1
        if not present:
            self.missing.append(path)
        return present

    def past_bar(
        self,
        name: str,
        value: float | None,
        path: str,
        bar: float,
        span: float,
        *,
        below: bool,
        reason: Callable[[float], str],
    ) -> None:
        """Read one profile number: note it missing, or add a signal when it is past the bar.

        ``reason`` builds the message only when the signal fires.
        """
        if self.need(value is not None, path) and value is not None:
            strength = past(value, bar, span, below=below)
            if strength > 0:
                self.add(name, strength, reason(value), Evidence(path, value))

    def done(self) -> CauseSignals:
        return CauseSignals(
            self.cause, self.code, tuple(self.signals), tuple(self.missing), self.reads
        )


_PRACTICE = "practice (an NBME taken before the attempt)"
_PRACTICE_BLOCKS = f"{_PRACTICE}.unfinished_blocks"


# ---------------------------------------------------------------- the cause rules


@rule("C101", "Weak foundations")
def weak_foundations(inp: CauseInputs) -> CauseSignals:
    """Gaps in the basic sciences: many areas under a low pass, or a QBank average to match.

    The failing score report marks each discipline and system lower, about the same or higher
    than examinees with a low pass (DOMAIN "What a failing Step 1 report shows"). Three signals:
    the number of "lower" areas against ``causes.weak_foundations_min_lower_areas``; the share
    of the reported outline weight those areas hold (outline midpoints from the facts, DOMAIN
    "Content outline": pathology and physiology weigh most); and a QBank average under
    ``causes.low_qbank_percent_correct`` (a passing examinee answers about 60 % correctly,
    DOMAIN "Scoring", H).
    """
    c, p = _Collector(CauseId.weak_foundations, "C101"), inp.plan
    if c.need(bool(inp.bands), inp.bands_field):
        lower = inp.lower
        if lower:
            evidence = tuple([inp.band_evidence(a) for a in lower])  # both signals carry it
            c.add(
                "lower_area_count",
                min(1.0, len(lower) / p.weak_foundations_min_lower_areas),
                f"{len(lower)} of {len(inp.bands)} areas on the score report were lower than a "
                f"low pass ({_names(lower)}; {p.weak_foundations_min_lower_areas} or more mark "
                "broad gaps)",
                *evidence,
            )
            weights = outline_weights()
            total = sum([weights[a] for a in inp.bands])
            share = sum([weights[a] for a in lower]) / total if total else 0.0
            c.add(
                "lower_area_weight",
                share,
                f"the lower areas carry {pct(share)} of the exam weight the report covered",
                *evidence,
            )
    qbank = inp.qbank
    correct = qbank.percent_correct if qbank is not None else None
    c.past_bar(
        "low_qbank_correct",
        correct,
        "qbank.percent_correct",
        p.low_qbank_percent_correct,
        p.spans.percent_points,
        below=True,
        reason=lambda v: (
            f"QBank average {num(v)}% correct, under the about "
            f"{num(p.low_qbank_percent_correct)}% a passing examinee answers correctly"
        ),
    )
    return c.done()


@rule("C102", "Misreading NBME-style questions")
def question_interpretation(inp: CauseInputs) -> CauseSignals:
    """Stems misread: what was known in the QBank did not show on NBME-style items.

    Two signals: the QBank average at least ``causes.interpretation_gap_points`` above the EPC
    of the last NBME before the attempt (twice the +-4 EPC precision of a CBSSA, DOMAIN
    "Practice assessments", M, so more than noise); and a failure spread thinly over the
    report, with fewer "lower" areas than ``causes.weak_foundations_min_lower_areas``, which
    points to how questions were read rather than to a few missing subjects.
    """
    c, p = _Collector(CauseId.question_interpretation, "C102"), inp.plan
    correct = inp.qbank.percent_correct if inp.qbank is not None else None
    latest = inp.latest_prior(lambda s: s.epc is not None and _nbme_style(s))
    c.need(correct is not None, "qbank.percent_correct")
    if c.need(latest is not None, _PRACTICE) and latest is not None and correct is not None:
        score, path = latest
        assert score.epc is not None
        gap = correct - score.epc
        strength = past(
            gap, p.interpretation_gap_points, p.spans.epc_points, below=False, inclusive=True
        )
        if strength > 0:  # the message and evidence are built only for a signal that fires
            c.add(
                "qbank_nbme_gap",
                strength,
                f"QBank {num(correct)}% correct but {score.form} on {score.date.isoformat()} "
                f"gave EPC {num(score.epc)}, {num(gap)} points lower: the knowledge did not "
                "carry over to NBME-style questions",
                Evidence("qbank.percent_correct", correct),
                Evidence(f"{path}.epc", score.epc),
            )
    if c.need(bool(inp.bands), inp.bands_field):
        lower = inp.lower
        minimum = p.weak_foundations_min_lower_areas
        if len(lower) < minimum:
            c.add(
                "diffuse_failure",
                1.0 - len(lower) / minimum,
                f"only {len(lower)} of {len(inp.bands)} report areas were lower (fewer than "
                f"{minimum}): the miss was spread out rather than in a few subjects",
                Evidence(f"{inp.attempt_path}.content_areas", f"{len(lower)} lower"),
            )
    return c.done()


@rule("C103", "Memorising without reasoning")
def memorization_without_reasoning(inp: CauseInputs) -> CauseSignals:
    """Recall without reasoning: facts were learned as cards, not as mechanisms to apply.

    Three signals: more flashcard time than ``causes.heavy_anki_minutes_per_day``; the
    mechanism-heavy areas (``causes.reasoning_areas``) lower while the recall-heavy ones
    (``causes.recall_areas``) held up on the score report; and ``causes.memorization_min_passes``
    or more passes through the QBank, where answers start to be remembered rather than reasoned.
    All thresholds are tutor conventions (L) kept in the plan.
    """
    c, p = _Collector(CauseId.memorization_without_reasoning, "C103"), inp.plan
    anki = inp.study.anki_minutes_per_day
    c.past_bar(
        "heavy_anki",
        anki,
        "study.anki_minutes_per_day",
        p.heavy_anki_minutes_per_day,
        p.spans.anki_minutes,
        below=False,
        reason=lambda v: (
            f"{num(v)} minutes of flashcards a day, more than "
            f"{num(p.heavy_anki_minutes_per_day)}: recall crowded out reasoning practice"
        ),
    )
    reasoning_keys, recall_keys = set(p.reasoning_areas), set(p.recall_areas)
    reasoning = [a for a in inp.bands if a[1] in reasoning_keys]
    recall = [a for a in inp.bands if a[1] in recall_keys]
    if c.need(bool(reasoning and recall), inp.bands_field):
        # inp.lower is already heaviest first, so filtering it keeps that order.
        weak = [a for a in inp.lower if a[1] in reasoning_keys]
        bands, low = inp.bands, Band.lower  # read once: an enum member read is slow in 3.11
        held = _by_weight([a for a in recall if bands[a] is not low])
        if weak and held:
            c.add(
                "reasoning_vs_recall",
                len(weak) / len(reasoning) * len(held) / len(recall),
                f"{_names(weak)} (mechanism-heavy) lower while {_names(held)} (recall-heavy) "
                "held up",
                *[inp.band_evidence(a) for a in (*weak, *held)],
            )
    passes = inp.qbank.passes if inp.qbank is not None else None
    given = c.need(passes is not None, "qbank.passes")
    if given and passes is not None and passes >= p.memorization_min_passes:
        c.add(
            "repeated_passes",
            1.0,
            f"{passes} passes through the QBank: answers get remembered rather than reasoned",
            Evidence("qbank.passes", passes),
        )
    return c.done()


@rule("C104", "Rushed QBank review")
def rushed_qbank_review(inp: CauseInputs) -> CauseSignals:
    """Questions done faster than they were learned from: review time per block was short.

    Two signals: fewer review minutes per block than ``causes.min_review_minutes_per_block``
    for a ``causes.review_block_items``-item block (tutor convention, L); and a QBank at least
    ``causes.high_qbank_completion`` % done with an average still under
    ``causes.low_qbank_percent_correct`` (about 60 %, DOMAIN "Scoring", H): volume without
    learning from the review.
    """
    c, p = _Collector(CauseId.rushed_qbank_review, "C104"), inp.plan
    q = inp.qbank or QBank()
    review = q.review_minutes_per_block
    c.past_bar(
        "short_review",
        review,
        "qbank.review_minutes_per_block",
        p.min_review_minutes_per_block,
        p.spans.review_minutes,
        below=True,
        reason=lambda v: (
            f"about {num(v)} minutes of review per block, under "
            f"{num(p.min_review_minutes_per_block)} for a {p.review_block_items}-item block"
        ),
    )
    done = c.need(q.percent_complete is not None, "qbank.percent_complete")
    if c.need(q.percent_correct is not None, "qbank.percent_correct") and done:
        assert q.percent_complete is not None and q.percent_correct is not None
        finished = q.percent_complete >= p.high_qbank_completion
        low = q.percent_correct < p.low_qbank_percent_correct
        if finished and low:
            c.add(
                "finished_qbank_low_score",
                1.0,
                f"{num(q.percent_complete)}% of the QBank done yet {num(q.percent_correct)}% "
                "correct: questions were done but not learned from",
                Evidence("qbank.percent_complete", q.percent_complete),
                Evidence("qbank.percent_correct", q.percent_correct),
            )
    return c.done()


@rule("C105", "Tested before readiness was shown")
def premature_exam(inp: CauseInputs) -> CauseSignals:
    """The exam came before practice data had shown a pass was likely.

    Signals: the last NBME before the attempt under the readiness bar that applied then
    (``readiness.first_timer`` or ``readiness.retaker``: ``min_pass_probability`` when the
    report gives a pass probability, else ``min_epc``, as R302 judges);
    a ready-looking last NBME on a form seen before, which inflates the score (DOMAIN
    "Practice assessments", M); that last assessment more than ``causes.stale_practice_days``
    before the test (a pass estimate holds for about a week, DOMAIN, H); fewer dedicated weeks
    than ``causes.short_prep_weeks``; less of the QBank done than
    ``causes.low_qbank_completion`` %.
    """
    c, p, bar = _Collector(CauseId.premature_exam, "C105"), inp.plan, inp.bar
    latest = inp.latest_nbme
    if c.need(latest is not None, _PRACTICE) and latest is not None:
        score, path = latest
        evidence = _score_evidence(score, path)
        judged = _judged_on(score, bar)
        strength, bar_text = 0.0, ""
        if judged is not None:
            field, value, threshold, bar_text = judged
            span = p.spans.probability if field == "pass_probability" else p.spans.epc_points
            if not bar.at_least(value, threshold):  # as R302 judges it
                strength = past(value, threshold, span, below=True)
        c.add(
            "low_practice",
            strength,
            f"the last NBME before the test ({score.form}, {score.date.isoformat()}: "
            f"{_score_text(score, bar)}) was under the readiness bar ({bar_text})",
            *evidence,
        )
        if score.seen_before and _meets_bar(score, bar):  # built only when it fires
            c.add(
                "inflated_practice",
                1.0,
                f"{score.form} looked ready but had been taken before, which inflates the score",
                *evidence,
                Evidence(f"{path}.seen_before", True),
            )
        assert inp.attempt is not None
        days = (inp.attempt.date - score.date).days
        strength = past(days, p.stale_practice_days, p.spans.days, below=False)
        if strength > 0:
            c.add(
                "stale_practice",
                strength,
                f"the last NBME was {days} days before the test, while a pass estimate holds for "
                "about a week",
                Evidence(f"{path}.date", score.date.isoformat()),
                Evidence(f"{inp.attempt_path}.date", inp.attempt.date.isoformat()),
            )
    weeks = inp.study.weeks_before_attempt
    c.past_bar(
        "short_prep",
        weeks,
        "study.weeks_before_attempt",
        p.short_prep_weeks,
        p.spans.weeks,
        below=True,
        reason=lambda v: (
            f"{num(v)} dedicated weeks before the test, fewer than {num(p.short_prep_weeks)}"
        ),
    )
    complete = inp.qbank.percent_complete if inp.qbank is not None else None
    c.past_bar(
        "low_completion",
        complete,
        "qbank.percent_complete",
        p.low_qbank_completion,
        p.spans.completion_points,
        below=True,
        reason=lambda v: (
            f"only {num(v)}% of the QBank done before the test (under "
            f"{num(p.low_qbank_completion)}%)"
        ),
    )
    return c.done()


@rule("C106", "Timing and pacing")
def timing(inp: CauseInputs) -> CauseSignals:
    """Timing problems: blocks left unfinished, or questions practised untimed.

    Signals: unfinished blocks on the exam (test-day report) and in practice assessments before
    it (one counts half, ``causes.spans.blocks`` more count fully); QBank done in tutor
    (untimed) mode, or partly (mixed), so the exam's pacing of about 90 seconds an item
    (DOMAIN "Exam format", H) was never practised (strength per mode from
    ``causes.untimed_mode_strength``).
    """
    c, p = _Collector(CauseId.timing, "C106"), inp.plan
    day = inp.attempt.test_day if inp.attempt is not None else None
    if c.need(day is not None, inp.test_day_field) and day is not None:
        strength = past(day.unfinished_blocks, 1, p.spans.blocks, below=False, inclusive=True)
        if strength > 0:
            c.add(
                "unfinished_exam_blocks",
                strength,
                f"{plural(day.unfinished_blocks, 'block')} left unfinished on the exam",
                Evidence(f"{inp.attempt_path}.test_day.unfinished_blocks", day.unfinished_blocks),
            )
    counted = [(s, path) for s, path in inp.prior if s.unfinished_blocks is not None]
    if c.need(bool(counted), _PRACTICE_BLOCKS):
        total = sum([s.unfinished_blocks or 0 for s, _ in counted])
        c.add(
            "unfinished_practice_blocks",
            past(total, 1, p.spans.blocks, below=False, inclusive=True),
            f"{plural(total, 'unfinished block')} in practice exams before the test",
            *[
                Evidence(f"{path}.unfinished_blocks", s.unfinished_blocks)
                for s, path in counted
                if s.unfinished_blocks
            ],
        )
    mode = inp.qbank.mode if inp.qbank is not None else None
    if c.need(mode is not None, "qbank.mode") and mode is not None:
        mode_name = mode.value
        untimed: float = getattr(p.untimed_mode_strength, mode_name)
        if untimed > 0:
            c.add(
                "untimed_qbank",
                untimed,
                f"QBank done in {mode_name} mode, so exam pacing was not practised",
                Evidence("qbank.mode", mode_name),
            )
    return c.done()


@rule("C107", "Test-day anxiety, fatigue or illness")
def day_factors(inp: CauseInputs) -> CauseSignals:
    """The day itself: anxiety, fatigue, illness, or a ready-looking score followed by a fail.

    Signals: the anxiety and fatigue the student rated for the test day (strength per level
    from ``causes.level_strength``), an illness or disruptive event, and an unseen NBME at or
    above the readiness bar within ``causes.stale_practice_days`` of the test followed by a
    failure: the knowledge was shown days before, so the day itself went wrong.
    """
    c, p = _Collector(CauseId.test_anxiety_fatigue, "C107"), inp.plan
    day = inp.attempt.test_day if inp.attempt is not None else None
    if c.need(day is not None, inp.test_day_field) and day is not None:
        base = f"{inp.attempt_path}.test_day"
        for name, level in (("anxiety", day.anxiety), ("fatigue", day.fatigue)):
            if level is not None:
                rated = level.value
                strength: float = getattr(p.level_strength, rated)
                if strength > 0:
                    c.add(
                        name,
                        strength,
                        f"{name} on test day rated {rated}",
                        Evidence(f"{base}.{name}", rated),
                    )
        if day.illness_or_event:
            c.add(
                "illness_or_event",
                1.0,
                "an illness or disruptive event around test day",
                Evidence(f"{base}.illness_or_event", True),
            )
    latest = inp.latest_nbme
    if c.need(latest is not None, _PRACTICE) and latest is not None:
        score, path = latest
        assert inp.attempt is not None
        days = (inp.attempt.date - score.date).days
        recent = days <= p.stale_practice_days and not score.seen_before
        if recent and _meets_bar(score, inp.bar):  # the text and evidence only when it fires
            c.add(
                "ready_then_failed",
                1.0,
                f"{score.form} ({_score_text(score)}) met the readiness bar {days} days before "
                "a failed exam",
                *_score_evidence(score, path),
            )
    return c.done()


CAUSE_RULES: tuple[Callable[[CauseInputs], CauseSignals], ...] = (
    weak_foundations,
    question_interpretation,
    memorization_without_reasoning,
    rushed_qbank_review,
    premature_exam,
    timing,
    day_factors,
)
"""The cause rules in the fixed order of the cause ids (ties rank in this order)."""


# ---------------------------------------------------------------- data check and ranking


@record
class EvidenceGroup:
    """One kind of evidence the diagnosis draws on."""

    name: str
    present: bool
    fields: tuple[str, ...]
    """The fields that would supply it."""


EVIDENCE_KINDS = (
    "score-report bands",
    "test-day report",
    "QBank score",
    "QBank method",
    "study history",
    "practice before the attempt",
)
"""The six kinds of evidence the diagnosis draws on."""


def evidence_present(inp: CauseInputs) -> tuple[bool, ...]:
    """Whether the profile gives each kind of evidence, in the order of :data:`EVIDENCE_KINDS`."""
    q = inp.qbank or QBank()
    s = inp.study
    attempt = inp.attempt
    return (
        bool(inp.bands),
        attempt is not None and attempt.test_day is not None,
        q.percent_correct is not None,
        q.mode is not None or q.review_minutes_per_block is not None,
        s.weeks_before_attempt is not None or s.anki_minutes_per_day is not None,
        bool(inp.prior),
    )


def evidence_groups(inp: CauseInputs) -> tuple[EvidenceGroup, ...]:
    """The six kinds of evidence, whether the profile gives each and the fields that would."""
    fields = (
        (inp.bands_field,),
        (inp.test_day_field,),
        ("qbank.percent_correct",),
        ("qbank.mode", "qbank.review_minutes_per_block"),
        ("study.weeks_before_attempt", "study.anki_minutes_per_day"),
        (_PRACTICE,),
    )
    return tuple(
        EvidenceGroup(name, present, paths)
        for name, present, paths in zip(EVIDENCE_KINDS, evidence_present(inp), fields, strict=True)
    )


@rule("C108", "Not enough data to diagnose")
def not_enough_data(inp: CauseInputs) -> Finding | None:
    """Too little data to infer causes: say which fields to add instead of guessing.

    The diagnosis needs a failed Step 1 attempt and at least ``causes.min_evidence_groups`` of
    six kinds of evidence (score-report bands, test-day report, QBank score, QBank method, study
    history, practice exams before the attempt). With fewer, causes the student did not name are
    not inferred, and this finding lists the fields that would make the diagnosis possible.
    """
    minimum = inp.plan.min_evidence_groups
    if inp.attempt is None:
        return _nothing_to_diagnose()
    if sum(evidence_present(inp)) >= minimum:
        return None
    groups = evidence_groups(inp)
    present = [g for g in groups if g.present]
    missing = [f for g in groups if not g.present for f in g.fields]
    if not present:
        found = f"None of the {len(groups)} kinds of evidence is"
    elif len(present) == 1:
        found = f"Only 1 of {len(groups)} kinds of evidence is"
    else:
        found = f"Only {len(present)} of {len(groups)} kinds of evidence are"
    head = (
        f"{found} in the profile "
        f"(at least {minimum} are needed before inferring causes you did not name)"
    )
    return Finding(
        code="C108",
        title="Not enough data to diagnose",
        severity=Severity.warning,
        message=f"{head}. Add: {', '.join(missing)}.",
        evidence=tuple(Evidence(g.fields[0], "missing") for g in groups if not g.present),
        recommendation=(
            "Copy the score report's content-area feedback, the test-day experience, QBank "
            "numbers and practice exams taken before the attempt into the profile, then run "
            "diagnose again."
        ),
    )


@lru_cache(maxsize=1)
def _nothing_to_diagnose() -> Finding:
    """C108 for a profile without a failed or incomplete Step 1 attempt (none yet, or Step 1
    passed): there is no failure to diagnose, so no evidence is asked for. Built once
    (findings are immutable)."""
    return Finding(
        code="C108",
        title="Not enough data to diagnose",
        severity=Severity.warning,
        message=(
            "No failed or incomplete Step 1 attempt is listed under attempts, so there is no "
            "failure to diagnose."
        ),
        evidence=(Evidence("attempts", "no failed or incomplete Step 1 attempt"),),
        recommendation=(
            "If an attempt is missing, add it to attempts with its result and the score "
            "report's content-area feedback, then run diagnose again."
        ),
    )


def _confidence(plan: CausesPlan, data: float) -> Confidence:
    if data >= plan.high_confidence_score:
        return Confidence.high
    if data >= plan.medium_confidence_score:
        return Confidence.medium
    return Confidence.low


def _dedupe(items: Sequence[Evidence]) -> tuple[Evidence, ...]:
    """Each piece of evidence once, where it first appears.

    Two pieces are the same when their paths match and their values have the same ``repr``:
    0.0 and -0.0, or 1 and True, stay apart, and NaN matches NaN. A string (most values) is
    its own key, as two strings are equal exactly when their reprs are; the flag keeps it from
    matching the repr of a value of another type.
    """
    if len(items) < 2:
        return tuple(items)  # a single piece (a third of the causes) has nothing to repeat
    seen: set[tuple[str, str, bool]] = set()
    out: list[Evidence] = []
    for item in items:
        value = item.value
        is_str = type(value) is str
        key = (item.path, value if is_str else repr(value), is_str)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def _summary(
    found: CauseSignals,
    weighted: Sequence[tuple[float, Signal]],
    reported: bool,
    supported: bool,
) -> str:
    reasons = "; ".join([s.reason for _, s in weighted])
    if supported:
        lead = (
            "You named it and the data agrees"
            if reported
            else ("You did not name it, but the data points to it")
        )
        return f"{lead}: {reasons}."
    if not found.assessed:
        return (
            "You named it; nothing in the profile can check it yet (add "
            f"{', '.join(found.missing)})."
        )
    if reasons:
        return f"You named it, but the data backs it only weakly: {reasons}."
    return "You named it, but the data given does not show it."


class _Candidate(NamedTuple):
    """A cause that will be listed, with what ranks and explains it (computed once)."""

    found: CauseSignals
    weighted: tuple[tuple[float, Signal], ...]
    """Its signals with weight x strength, strongest first."""
    data: float
    """The data score (noisy OR of the weighted signals)."""
    score: float
    """The ranking score (the data score plus the self-report weight when named)."""
    reported: bool
    supported: bool


_SCORE = attrgetter("score")
_SUPPORTED = attrgetter("supported")


def rank_causes(
    found: Sequence[CauseSignals],
    plan: CausesPlan,
    self_reported: Sequence[CauseId] = (),
    *,
    infer: bool = True,
) -> tuple[CauseResult, ...]:
    """Rank causes: data-backed ones first by score, then self-reported ones without backing.

    A cause is listed when the student named it, or when its data score reaches
    ``causes.supported_min_score`` and ``infer`` is true (enough data, see C108). The ranking
    score adds ``causes.self_report_weight`` for a named cause (noisy OR); the confidence
    reflects the data alone.
    """
    listed: list[_Candidate] = []
    # Read once, not per cause: reads on a pydantic model are slow in 3.11.
    min_score, report_weight = plan.supported_min_score, plan.self_report_weight
    for item in found:
        weighted = tuple(item.weighted(plan))  # empty for a cause with no signal
        data = noisy_or([w for w, _ in weighted])  # 0.0 then
        reported = item.cause in self_reported
        supported = data >= min_score
        if not reported and not (supported and infer):
            continue
        score = noisy_or([data, report_weight if reported else 0.0])
        listed.append(_Candidate(item, weighted, data, score, reported, supported))
    # Supported first, each part by score, highest first: two stable sorts on plain fields
    # give the order of a (not supported, -score) key without a key tuple per cause (a
    # reversed sort keeps equal items in order). Candidates come in the fixed cause order,
    # which breaks the ties.
    listed.sort(key=_SCORE, reverse=True)
    listed.sort(key=_SUPPORTED, reverse=True)
    return tuple(
        [_cause_result(c, plan, self_reported, rank) for rank, c in enumerate(listed, start=1)]
    )


def _cause_result(
    c: _Candidate, plan: CausesPlan, self_reported: Sequence[CauseId], rank: int
) -> CauseResult:
    """The listed cause at its rank."""
    cause = c.found.cause
    evidence: list[Evidence] = []
    if c.reported:
        evidence = [_self_report_evidence(i, r) for i, r in enumerate(self_reported) if r is cause]
    for _, signal in c.weighted:
        evidence.extend(signal.evidence)  # repeats (C101's lower areas) are left to _dedupe
    confidence = _confidence(plan, c.data) if c.supported else Confidence.low
    summary = _summary(c.found, c.weighted, c.reported, c.supported)
    # Positional, in field order (a hot record): id, rank, confidence, self_reported,
    # supported, score, summary, evidence, codes.
    return CauseResult(
        cause,
        rank,
        confidence,
        c.reported,
        c.supported,
        round(c.score, 3),
        summary,
        _dedupe(evidence),
        (c.found.code,),
    )


@lru_cache(maxsize=256)
def _self_report_evidence(index: int, cause: CauseId) -> Evidence:
    """Evidence that the student named ``cause`` as ``causes[index]``. Cached: a pure function
    of a small index and a fixed cause id (the evidence records are immutable, so sharing them
    is safe)."""
    return Evidence(f"causes[{index}]", cause.value)


@rule("C109", "Your account and the data disagree")
def account_vs_data(causes: Sequence[CauseResult]) -> Finding | None:
    """The student's own list of causes and the data disagree.

    Reported when the data backs a cause the student did not name (it is surfaced in the
    ranking), or when a named cause has no backing in the data. Either gap matters: a
    recovery plan aimed only at the causes one believes in repeats the blind spot.
    """
    unnamed = [c for c in causes if c.supported and not c.self_reported]
    unbacked = [c for c in causes if c.self_reported and not c.supported]
    if not unnamed and not unbacked:
        return None
    parts = []
    if unnamed:
        parts.append(
            "the data points to causes you did not name: "
            + ", ".join([CAUSE_TITLES[c.id] for c in unnamed])
        )
    if unbacked:
        parts.append(
            "the data does not back these named causes: "
            + ", ".join([CAUSE_TITLES[c.id] for c in unbacked])
        )
    text = "; ".join(parts)
    message = text[0].upper() + text[1:] + "."
    evidence = tuple([_cause_evidence(c.id) for c in (*unnamed, *unbacked)])
    # Positional, in field order: code, title, severity, message, evidence, recommendation.
    return Finding(
        "C109",
        "Your account and the data disagree",
        Severity.info,
        message,
        evidence,
        "Plan against the data-backed causes as well as your own; for a named cause "
        "without backing, add the data that would show it or reconsider it.",
    )


@lru_cache(maxsize=16)
def _cause_evidence(cause: CauseId) -> Evidence:
    """Evidence naming a cause of the ranking (``causes``: its id). Cached: one record per
    fixed cause id (immutable, so sharing it is safe)."""
    return Evidence("causes", cause.value)


@record
class Diagnosis:
    """Everything the cause rules found, for callers that want more than the ranking."""

    causes: tuple[CauseResult, ...]
    findings: tuple[Finding, ...]
    signals: tuple[CauseSignals, ...] = field(default_factory=tuple)


def diagnose(ctx: Context) -> Diagnosis:
    """Run the cause rules, the data check and the ranking on a context with a profile."""
    if ctx.profile is None:
        return Diagnosis((), ())
    inp = CauseInputs.from_context(ctx)
    found = tuple([check(inp) for check in CAUSE_RULES])
    missing = not_enough_data(inp)
    causes = rank_causes(found, inp.plan, inp.self_reported, infer=missing is None)
    disagreement = account_vs_data(causes)
    findings = tuple([f for f in (missing, disagreement) if f is not None])
    return Diagnosis(causes, findings, found)


def diagnose_causes(ctx: Context) -> tuple[tuple[CauseResult, ...], tuple[Finding, ...]]:
    """Ranked causes and the findings of the diagnosis (too little data, account vs data)."""
    result = diagnose(ctx)
    return result.causes, result.findings
