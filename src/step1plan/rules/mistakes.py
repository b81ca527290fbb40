"""Mistakes to avoid once Step 1 has been failed (codes M7xx).

Two families, both from the mistakes the seed article warns about:

- M701-M705 are read from the data: a retake booked before readiness or eligibility, no
  diagnosis of the failure, no application strategy, no coaching while practice scores swing,
  and Step 2 CK squeezed to apply sooner. :func:`find_mistakes` runs them.
- M711-M717 review a written explanation of the failure (a defensive or over-long statement
  is one of those mistakes): length, blame and excuse language, no first-person ownership, no
  "what changed", no evidence, over-explaining.
  :func:`step1plan.rules.explanation.check_explanation` runs them on a text split into
  sentences by :func:`read_explanation`.

Every rule returns typed findings whose message holds the numbers or the sentence that
decided it; thresholds come from the plan (``strategy:`` and ``timeline:`` sections, and the
readiness bar's ``max_epc_spread``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from step1plan.models.common import PracticeKind
from step1plan.models.record import record
from step1plan.models.report import (
    CauseResult,
    Eligibility,
    Evidence,
    Finding,
    Readiness,
    Severity,
    Timeline,
    Verdict,
)
from step1plan.plans import StrategyPlan
from step1plan.rules.base import REGISTRY, Context, rule
from step1plan.rules.timeline import milestone, prep_length, prep_weeks_between
from step1plan.rules.wording import num, weeks_text

MIN_POINTS_FOR_SWING = 3
"""Scores needed to see a swing around a trend (a line always fits two points exactly)."""


def make_finding(
    code: str,
    severity: Severity,
    message: str,
    evidence: Sequence[tuple[str, Any]] = (),
    recommendation: str | None = None,
) -> Finding:
    """A finding of a registered rule, titled from the registry."""
    title = REGISTRY[code].title
    records = tuple([Evidence(path, value) for path, value in evidence])
    # Positional, in field order (a hot record): code, title, severity, message, evidence,
    # recommendation.
    return Finding(code, title, severity, message, records, recommendation)


# ================================================================ M701-M705: from the data


@rule("M701", "Retake planned before readiness or eligibility")
def retake_too_soon(ctx: Context, eligibility: Eligibility, readiness: Readiness) -> Finding | None:
    """Flag a planned Step 1 retake that comes before the data show readiness, or before the
    attempt rules allow it.

    Two failures on the transcript weigh far more with programs than one failure and a later
    pass (seed: book the retake on the evidence of readiness, not on impatience). The date is
    compared with the earliest attempt the USMLE attempt rules allow (eligibility, DOMAIN.md
    "Attempts and retakes", H) and with the readiness verdict of the plan's bar: a verdict
    other than ``ready`` triggers unless a projected ready date (a labelled projection) comes
    first.
    """
    profile = ctx.profile
    if profile is None or profile.target.step1_date is None:
        return None
    planned = profile.target.step1_date
    if planned < ctx.as_of:
        return None
    return _retake_finding(
        planned,
        eligibility.blocked,
        eligibility.earliest_next_attempt,
        readiness.verdict,
        readiness.projected_ready_date,
    )


@lru_cache(maxsize=2048)
def _retake_finding(
    planned: dt.date,
    blocked: bool,
    earliest: dt.date | None,
    verdict: Verdict,
    projected: dt.date | None,
) -> Finding | None:
    """M701 for a retake planned on ``planned`` (not in the past), given the eligibility and
    the readiness verdict. Cached: a pure function of three dates, a flag and a verdict,
    which students of a cohort sharing its as-of date repeat; findings are immutable."""
    evidence: list[tuple[str, Any]] = [("target.step1_date", planned.isoformat())]
    problems: list[str] = []
    severity = Severity.warning
    if blocked:
        problems.append("no Step 1 attempt is allowed at all")
        evidence.append(("eligibility.blocked", True))
        severity = Severity.critical
    elif earliest is not None and planned < earliest:
        problems.append(
            f"the attempt rules allow the next attempt only from {earliest.isoformat()}"
        )
        evidence.append(("eligibility.earliest_next_attempt", earliest.isoformat()))
        severity = Severity.critical
    if verdict is not Verdict.ready and (projected is None or planned < projected):
        text = f"the readiness verdict today is {verdict.value}"
        if projected is not None:
            text += f" and the practice trend reaches the bar only around {projected.isoformat()}"
            evidence.append(("readiness.projected_ready_date", projected.isoformat()))
        problems.append(text)
        evidence.append(("readiness.verdict", verdict.value))
    if not problems:
        return None
    return make_finding(
        "M701",
        severity,
        f"The retake is planned for {planned.isoformat()}, but " + "; and ".join(problems) + ".",
        evidence,
        "Treat the date as provisional: keep it only if the readiness checks pass about two "
        "weeks before it (step1plan ready), and move it otherwise. Testing again before the "
        "data say so risks another failure, which weighs far more than a later date.",
    )


@rule("M702", "No diagnosis of the failure")
def no_diagnosis(ctx: Context, causes: Sequence[CauseResult]) -> Finding | None:
    """Flag a failure with no diagnosis: no cause found or reported and no score-report bands.

    Studying again without knowing why the attempt failed tends to repeat the same plan with
    more hours (seed: read the result the way a clinician reads a test). A failing report
    marks each content area lower, about the same or higher than a low pass (DOMAIN.md "What a
    failing Step 1 report shows", M-H): copying it into the profile is the cheapest diagnosis.
    """
    profile = ctx.profile
    if profile is None or not profile.failed_step1() or causes or profile.causes:
        return None
    with_bands = [a for a in profile.attempts if a.content_areas and a.content_areas.bands()]
    practice_bands = [p for p in profile.practice if p.content_areas and p.content_areas.bands()]
    if with_bands or practice_bands:
        return None
    return make_finding(
        "M702",
        Severity.warning,
        "No cause of the failure was found or reported, and no content-area feedback from the "
        "score report is in the profile: the plan cannot target anything yet.",
        [("causes", []), ("attempts[*].content_areas", None)],
        "Copy the lower / same / higher bands of the failing score report into "
        "attempts[].content_areas, add the QBank and practice-exam data you have, and name "
        "the causes you recognise; a tutor can help when the reason stays unclear.",
    )


@rule("M703", "No application strategy")
def no_application_strategy(ctx: Context) -> Finding | None:
    """Flag an application with no target specialty, or only a very competitive one.

    After a failed attempt, where to apply matters as much as how much (seed). The profile
    names one specialty: when it is missing, or its qualitative tier in the plan's specialty
    table is one of ``strategy.parallel_plan_tiers`` (tutor convention, L), there is no
    realistic fallback.
    """
    profile = ctx.profile
    if profile is None or not profile.failed_step1():
        return None
    target = profile.target
    if "specialty" not in target.model_fields_set:
        return make_finding(
            "M703",
            Severity.warning,
            "The profile names no target specialty, so neither the program list nor the "
            "letters can be aimed yet.",
            [("target.specialty", None)],
            "Choose a specialty (a key of the plan's specialty table) and, if it is "
            "competitive, a second one to apply to in parallel.",
        )
    strategy = ctx.plan.strategy
    spec = strategy.specialties.get(target.specialty)
    if spec is None or spec.tier not in strategy.parallel_plan_tiers:
        return None
    return make_finding(
        "M703",
        Severity.warning,
        f"The only specialty in the profile is {spec.label}, rated "
        f"{spec.tier.replace('_', ' ')} in the plan (a qualitative tier, rule of thumb), with "
        "no second choice to fall back on.",
        [("target.specialty", target.specialty), ("strategy.tier", spec.tier)],
        "Add a parallel application in a less competitive specialty, with its own letters "
        "and program list.",
    )


def spread_around_trend(points: Sequence[tuple[dt.date, float]]) -> float:
    """Largest minus smallest residual from the least-squares line through ``points`` (score
    by date): how far scores swing once a steady rise or fall is taken out."""
    xs = [(d - points[0][0]).days for d, _ in points]
    ys = [v for _, v in points]
    n = len(points)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    residuals = [y - (my + slope * (x - mx)) for x, y in zip(xs, ys, strict=True)]
    return max(residuals) - min(residuals)


@rule("M704", "No coaching while scores are erratic")
def no_coaching_erratic_scores(ctx: Context, readiness: Readiness) -> Finding | None:
    """Flag practice scores that swing widely while the student works without a tutor.

    An NBME CBSSA is precise to about +-4 EPC (DOMAIN.md "Practice assessments", M). When the
    latest unseen CBSSAs (the plan's ``readiness.trend_window``, at least three) swing around
    their trend line by more than the readiness bar's ``max_epc_spread``, the scores are noise
    or an unstable method rather than progress (a steady rise is not erratic). That is when
    outside help is most useful (seed: consider tutoring when practice scores are
    inconsistent). Quiet when ``study.tutoring`` is true.
    """
    profile = ctx.profile
    if profile is None or profile.study.tutoring:
        return None
    rp = ctx.plan.readiness
    bar = rp.retaker if readiness.bar == "retaker" else rp.first_timer
    # The kind is read from the form name (a property), so it is tested last.
    recent = [
        (path, s.date, s.epc)
        for s, path in zip(ctx.scores, ctx.score_paths, strict=False)
        if s.epc is not None and not s.seen_before and s.kind is PracticeKind.cbssa
    ][-rp.trend_window :]
    if len(recent) < MIN_POINTS_FOR_SWING:
        return None
    swing = spread_around_trend([(d, v) for _, d, v in recent if v is not None])
    if swing <= bar.max_epc_spread:
        return None
    values = ", ".join(num(v) for _, _, v in recent if v is not None)
    return make_finding(
        "M704",
        Severity.warning,
        f"The last {len(recent)} unseen CBSSAs ({values} EPC) swing {swing:.1f} points around "
        f"their trend line, more than the {bar.max_epc_spread:g} the readiness bar allows (a "
        "CBSSA is precise to about +-4), and no tutor is listed.",
        [("study.tutoring", False), *((f"{p}.epc", v) for p, _, v in recent)],
        "Get an outside review of the method (a tutor or your school's learning specialist) "
        "before booking: swinging scores usually mean the approach, not the effort, needs "
        "fixing.",
    )


@rule("M705", "Step 2 CK squeezed to apply sooner")
def step2ck_squeezed(ctx: Context, timeline: Timeline) -> Finding | None:
    """Flag a planned Step 2 CK date that leaves less than the minimum preparation.

    Once Step 1 has been failed, the Step 2 CK result is what shows recovery; taking the exam
    early to catch a cycle trades that evidence for time (seed: hurrying it is a mistake).
    The preparation runs from the timeline's ``step2ck_prep_start`` to the planned
    ``target.step2ck_date``; the minimum is the plan's ``timeline.step2ck_min_prep_weeks``
    (plus the weak-shelf extra), a tutor convention (L). When the student planned Step 2 CK
    before the Step 1 retake (either order is allowed, DOMAIN.md "Attempts and retakes"), that
    preparation starts from the as-of date (timeline T508), not after the Step 1 result.
    """
    profile = ctx.profile
    if profile is None or profile.target.step2ck_date is None:
        return None
    planned = profile.target.step2ck_date
    test, start = milestone(timeline, "step2ck_test"), milestone(timeline, "step2ck_prep_start")
    if test is None or start is None or test.date != planned:
        return None
    got = prep_weeks_between(start.date, test.date)
    minimum = prep_length(ctx).min_weeks
    if got >= minimum:
        return None
    return make_finding(
        "M705",
        Severity.warning,
        f"Step 2 CK is planned for {planned.isoformat()}, {weeks_text(max(got, 0))} after "
        f"preparation can start ({start.date.isoformat()}); the plan's minimum is {minimum} "
        "weeks (a rule of thumb).",
        [
            ("target.step2ck_date", planned.isoformat()),
            ("timeline.step2ck_prep_start", start.date.isoformat()),
        ],
        "Give Step 2 CK its full preparation, even if that means the next Match: a strong "
        "score is worth more to programs than an application one cycle sooner.",
    )


def find_mistakes(
    ctx: Context,
    causes: Sequence[CauseResult],
    eligibility: Eligibility,
    readiness: Readiness,
    timeline: Timeline,
) -> tuple[Finding, ...]:
    """Run the data mistakes (M701-M705) and return those that apply, in code order."""
    found = (
        retake_too_soon(ctx, eligibility, readiness),
        no_diagnosis(ctx, causes),
        no_application_strategy(ctx),
        no_coaching_erratic_scores(ctx, readiness),
        step2ck_squeezed(ctx, timeline),
    )
    return tuple([f for f in found if f is not None])


# ================================================================ M711-M717: a written explanation


@record
class ExplanationText:
    """A written explanation, split for the checks."""

    text: str
    sentences: tuple[str, ...]
    words: int


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Dr|Mr|Mrs|Ms|Prof|St|vs|etc|e\.g|i\.e|approx|No)\.)$", re.IGNORECASE
)


def count_words(text: str) -> int:
    """Words as a reader counts them (``Step 2 CK`` is three, ``didn't`` one)."""
    return len(_WORD.findall(text))


def split_sentences(text: str) -> tuple[str, ...]:
    """Sentences of a text: paragraphs and line breaks end them, and so do ``.``, ``!``, ``?``
    (not after a common abbreviation)."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        flat = " ".join(para.split())
        if not flat:
            continue
        pending = ""
        for piece in _SPLIT.split(flat):
            pending = f"{pending} {piece}".strip() if pending else piece
            if not _ABBREVIATION.search(pending):
                out.append(pending)
                pending = ""
        if pending:
            out.append(pending)
    return tuple(out)


_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
"""Curly quotes and apostrophes become straight ones, so one pattern fits both."""


def read_explanation(text: str) -> ExplanationText:
    """Split a written explanation into sentences and count its words."""
    plain = text.translate(_TYPOGRAPHIC)
    return ExplanationText(plain, split_sentences(plain), count_words(plain))


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


# What a blaming sentence points at, and what it says about it. A sentence is blame when it
# names one of these targets together with one of its complaints.
BLAME_TARGETS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "the school": (
        _words(
            r"(?:my|our|the) (?:medical )?school",
            r"curriculum",
            r"faculty",
            r"professors?",
            r"administration",
            r"dean",
            r"lecturers?",
            r"the program(?:me)?",
        ),
        _words(
            r"did ?n[o']t (?:prepare|teach|give|support|help|cover|offer)",
            r"failed to",
            r"never (?:taught|prepared|gave|covered)",
            r"no (?:support|time|guidance|help)",
            r"lack(?:ed)? of",
            r"poor(?:ly)?",
            r"inadequate",
            r"disorgani[sz]ed",
            r"did not allow",
            r"forced",
            r"let (?:me|us) down",
            r"left (?:me|us)",
            r"blame",
            r"fault",
        ),
    ),
    "the test centre": (
        _words(
            r"test(?:ing)? cent(?:er|re)s?",
            r"test site",
            r"prometric",
            r"proctors?",
            r"exam room",
            r"testing room",
            r"the computer",
            r"the room",
        ),
        _words(
            r"noisy",
            r"loud",
            r"noise",
            r"cold",
            r"hot",
            r"crash(?:ed)?",
            r"froze",
            r"broke(?:n)?",
            r"late",
            r"distract\w*",
            r"disrupt\w*",
            r"rude",
            r"technical (?:problems?|issues?)",
            r"malfunction\w*",
            r"delay(?:ed)?",
            r"interrupt\w*",
            r"uncomfortable",
        ),
    ),
    "the exam's fairness": (
        _words(
            r"the (?:exam|test|examination|questions|items|USMLE|NBME)",
            r"Step 1",
            r"the (?:exam|test) itself",
            r"the form",
        ),
        _words(
            r"unfair",
            r"not fair",
            r"tricky",
            r"ambiguous",
            r"poorly (?:written|worded)",
            r"badly (?:written|worded)",
            r"obscure",
            r"irrelevant",
            r"nothing like",
            r"not representative",
            r"did ?n[o']t reflect",
            r"unreasonabl[ey]",
            r"impossible",
            r"confusing",
            r"random",
            r"much harder than",
        ),
    ),
}

EXCUSES = _words(
    r"(?:not|n't) my fault",
    r"out of my control",
    r"beyond my control",
    r"bad luck",
    r"unlucky",
    r"luck",
    r"fluke",
    r"(?:just )?a bad day",
    r"rigged",
    r"anyone would have",
    r"no one could have",
    r"unfair(?:ly)?",
)
"""Excuse phrases that shift the failure away from the writer wherever they appear."""

OWNERSHIP = re.compile(
    r"\bI\s+(?:\w+\s+){0,2}?(?:failed|did ?n[o']t|was ?n[o']t|had ?n[o']t|underestimated|"
    r"overestimated|misjudged|relied|rushed|chose|decided|took|sat|should have|lacked|"
    r"neglected|ignored|made|own|accept|recogni[sz]e|take responsibility|took responsibility|"
    r"went into|did not pass|didn't pass)\b"
    r"|\bmy\s+(?:own\s+)?(?:mistakes?|responsibility|preparation|approach|study|"
    r"studying|methods?|plan|planning|strategy|habits|decisions?|choices?|judge?ment|gaps|"
    r"weakness(?:es)?)\b",
    re.IGNORECASE,
)
"""First-person ownership: the writer as the one who did (or did not do) something."""

CHANGE = _words(
    r"changed",
    r"change[sd]?",
    r"rebuilt",
    r"rebuild",
    r"restructured",
    r"switched",
    r"adopted",
    r"started",
    r"began",
    r"now",
    r"new",
    r"instead",
    r"replaced",
    r"reorgani[sz]ed",
    r"since then",
    r"since the result",
    r"since that",
    r"worked with",
    r"tutor(?:ing)?",
    r"coach(?:ing)?",
    r"schedule[ds]?",
    r"structured",
    r"routine",
    r"built",
    r"developed",
    r"shifted",
    r"learned",
    r"learnt",
    r"each day",
    r"daily",
    r"every (?:day|week)",
    r"timed",
)
"""Words that say what the writer does differently."""

EVIDENCE = re.compile(
    r"\b(?:passed|scored|score of|EPC|NBME|CBSSA|self-assessments?|"
    r"practice[ -](?:exams?|tests?|assessments?|scores?)|percent|improved|improvement|rose|"
    r"risen|increased|honou?rs)\b|\d+\s*%|\bfrom \d+ to \d+\b",
    re.IGNORECASE,
)
"""Words that point to a result showing the change worked."""

BACKSTORY = _words(
    r"fail(?:ed|ure|ing)?",
    r"did ?n[o']t pass",
    r"exam day",
    r"test day",
    r"that day",
    r"that time",
    r"at the time",
    r"that (?:period|year|semester)",
    r"stress(?:ed|ful)?",
    r"illness",
    r"ill",
    r"sick",
    r"family",
    r"personal",
    r"divorce",
    r"death",
    r"passed away",
    r"anxious",
    r"anxiety",
    r"panic(?:ked)?",
    r"overwhelm\w*",
    r"situation",
    r"circumstances?",
    r"hard time",
    r"struggl\w*",
)
"""Words of a sentence about the failure itself or what surrounded it."""

FORWARD = _words(
    r"will",
    r"future",
    r"residency",
    r"training",
    r"patients?",
    r"going forward",
    r"continue",
    r"carry",
    r"bring",
)
"""Words that look ahead."""

DRAMA = _words(
    r"devastat\w*",
    r"heartbr\w*",
    r"crushed",
    r"shattered",
    r"nightmare",
    r"traumati\w*",
    r"darkest",
    r"worst (?:day|moment|time|period)",
    r"(?:world|life) (?:fell|came) apart",
    r"broke down",
    r"cried",
    r"tears",
    r"despair",
    r"hopeless\w*",
)
"""Emotional-story words: programs need the facts, not the feelings of that day."""


def _sentence_finding(
    code: str, index: int, sentence: str, message: str, recommendation: str
) -> Finding:
    return make_finding(
        code, Severity.warning, message, [(f"sentence[{index}]", sentence)], recommendation
    )


@rule("M711", "Explanation too long")
def explanation_too_long(doc: ExplanationText, limits: StrategyPlan) -> tuple[Finding, ...]:
    """Flag an explanation longer than the plan's ``strategy.explanation_max_words``.

    Programs want a short account, not the whole story (seed: keep it brief); the default of
    120 words is a project convention (L). Quiet at or under the limit.
    """
    if doc.words <= limits.explanation_max_words:
        return ()
    return (
        make_finding(
            "M711",
            Severity.warning,
            f"The explanation has {doc.words} words; aim for {limits.explanation_max_words} "
            "or fewer (plan strategy.explanation_max_words, a rule of thumb).",
            [("words", doc.words)],
            "Keep one sentence on what happened and spend the rest on what changed and what "
            "shows it worked.",
        ),
    )


@rule("M712", "Blame or excuse language")
def blame_language(doc: ExplanationText) -> tuple[Finding, ...]:
    """Flag each sentence that blames the school, the test centre, the exam's fairness or luck.

    Pointing outward reads as defensive, and programs read it as a risk that the problem will
    come back (seed: pointing at the school, the exam or the test centre sounds defensive). A
    sentence is
    flagged when it names one of those targets together with a complaint about it, or uses an
    excuse phrase (not my fault, bad luck, unfair, ...).
    """
    found: list[Finding] = []
    for i, sentence in enumerate(doc.sentences):
        blamed = [
            name
            for name, (target, complaint) in BLAME_TARGETS.items()
            if target.search(sentence) and complaint.search(sentence)
        ]
        excuse = EXCUSES.search(sentence)
        if not blamed and not excuse:
            continue
        what = f"blames {' and '.join(blamed)}" if blamed else "uses excuse language"
        if blamed and excuse:
            what += f" and uses excuse language ('{excuse.group(0)}')"
        elif excuse:
            what += f" ('{excuse.group(0)}')"
        found.append(
            _sentence_finding(
                "M712",
                i,
                sentence,
                f"Sentence {i + 1} {what}.",
                "Say what you would do differently, not what went wrong around you; even when "
                "circumstances were real, describe your part and your fix.",
            )
        )
    return tuple(found)


@rule("M713", "No ownership of the failure")
def no_ownership(doc: ExplanationText) -> tuple[Finding, ...]:
    """Flag an explanation where the writer never owns the failure in the first person.

    Programs look for accountability: a sentence with "I" or "my" as the one who did or did
    not do something (I underestimated, my preparation was ...). Without one the account reads
    as something that happened to the writer (seed: accountability, correction, growth).
    """
    if any(OWNERSHIP.search(s) for s in doc.sentences):
        return ()
    return (
        make_finding(
            "M713",
            Severity.warning,
            "No sentence owns the failure in the first person (for example 'I took the exam "
            "before my practice scores were there').",
            [("sentences", len(doc.sentences))],
            "Open with one plain sentence, in the first person, on what you did that led to "
            "the result.",
        ),
    )


@rule("M714", "No 'what changed'")
def no_change(doc: ExplanationText) -> tuple[Finding, ...]:
    """Flag an explanation that never says what the writer now does differently.

    The account matters mostly for what it says about the future: what was changed after the
    result (method, schedule, help) is what reassures a program (seed: what changed, and why
    the problem is fixed).
    """
    if any(CHANGE.search(s) for s in doc.sentences):
        return ()
    return (
        make_finding(
            "M714",
            Severity.warning,
            "Nothing in the text says what you changed after the result.",
            [("sentences", len(doc.sentences))],
            "Add a sentence on the concrete changes: how you study now, what you measure, who "
            "helps you.",
        ),
    )


@rule("M715", "No evidence of recovery")
def no_evidence(doc: ExplanationText) -> tuple[Finding, ...]:
    """Flag an explanation with no evidence that the change worked.

    A claim of change is stronger with a result behind it: the retake pass, a Step 2 CK score,
    a rising NBME practice trend, strong clinical grades (seed: programs want a clean retake
    pass and good Step 2 CK performance).
    """
    if any(EVIDENCE.search(s) for s in doc.sentences):
        return ()
    return (
        make_finding(
            "M715",
            Severity.warning,
            "The text gives no result that shows the change worked (a retake pass, a Step 2 "
            "CK score, a practice-exam trend, clinical grades).",
            [("sentences", len(doc.sentences))],
            "Name one or two results, with their numbers when they help.",
        ),
    )


@rule("M716", "Over-explaining")
def over_explaining(doc: ExplanationText, limits: StrategyPlan) -> tuple[Finding, ...]:
    """Flag sentences that dwell on the failure: emotional-story words, or more sentences about
    the failure and its circumstances than the plan's ``explanation_max_failure_sentences``.

    Programs need the cause, the fix and the proof, not a long or emotional story (seed: keep
    it short). A sentence about the failure is one with failure or circumstance words and no
    change, evidence or forward-looking words; the limit (2 by default) is a convention (L).
    Each sentence beyond it is flagged.
    """
    found: list[Finding] = []
    backstory = 0
    for i, sentence in enumerate(doc.sentences):
        drama = DRAMA.search(sentence)
        if drama:
            found.append(
                _sentence_finding(
                    "M716",
                    i,
                    sentence,
                    f"Sentence {i + 1} tells the emotional story ('{drama.group(0)}').",
                    "Keep the feelings out; a calm, factual sentence is more convincing.",
                )
            )
            continue
        about_failure = BACKSTORY.search(sentence) and not (
            CHANGE.search(sentence) or EVIDENCE.search(sentence) or FORWARD.search(sentence)
        )
        if not about_failure:
            continue
        backstory += 1
        if backstory > limits.explanation_max_failure_sentences:
            found.append(
                _sentence_finding(
                    "M716",
                    i,
                    sentence,
                    f"Sentence {i + 1} is sentence {backstory} about the failure and its "
                    f"circumstances; {limits.explanation_max_failure_sentences} are enough "
                    "(plan strategy.explanation_max_failure_sentences, a rule of thumb).",
                    "Cut the background to one or two sentences and move on to what changed.",
                )
            )
    return tuple(found)


PLACEHOLDER_PART = re.compile(r"\[[^\[\]]*\]")
"""A bracketed part of a draft (``[Add your evidence here: ...]``, ``[rebuilt ...]``): what the
draft could not state from the profile, for the writer to fill in, keep or drop."""


@rule("M717", "Draft placeholder left in")
def placeholder_left(doc: ExplanationText) -> tuple[Finding, ...]:
    """Flag each sentence that still holds a bracketed part of the draft.

    ``step1plan explain PROFILE`` puts in [brackets] what the profile cannot show yet (the
    evidence, a change the data do not back). Sent as is, the text reads unfinished, and a
    bracketed claim may not even be true for the writer. Quiet when no bracket is left.
    """
    found: list[Finding] = []
    for i, sentence in enumerate(doc.sentences):
        part = PLACEHOLDER_PART.search(sentence)
        if part is None:
            continue
        found.append(
            _sentence_finding(
                "M717",
                i,
                sentence,
                f"Sentence {i + 1} still holds a part of the draft in brackets ({part.group(0)}).",
                "Replace it with what is true for you, in your own words, or delete it.",
            )
        )
    return tuple(found)


def check_text(doc: ExplanationText, limits: StrategyPlan) -> tuple[Finding, ...]:
    """Run the explanation checks M711-M717 on a split text."""
    return (
        *explanation_too_long(doc, limits),
        *blame_language(doc),
        *no_ownership(doc),
        *no_change(doc),
        *no_evidence(doc),
        *over_explaining(doc, limits),
        *placeholder_left(doc),
    )


def finding_sentence(finding: Finding) -> str | None:
    """The sentence a finding is about (its ``sentence[i]`` evidence), if any."""
    for item in finding.evidence:
        if item.path.startswith("sentence["):
            return str(item.value)
    return None
