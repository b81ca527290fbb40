"""Typed, immutable results of the analysis: what the rules return and the reporters render.

Plain frozen dataclasses (not pydantic) so that a cohort of thousands builds quickly; they are
``@dict_record`` rather than slotted ``@record``, which orjson encodes several times faster
(see :mod:`step1plan.models.record`).
``report/json.py`` turns them into the JSON report of DESIGN.md; field names here are the JSON
keys, so renaming one is a breaking change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from enum import StrEnum
from typing import Any

from step1plan.models.common import Band, CauseId
from step1plan.models.record import dict_record

SCHEMA = "step1plan.report/1"
"""The ``schema`` value of every JSON report."""


class Severity(StrEnum):
    """How much a finding matters."""

    info = "info"
    warning = "warning"
    critical = "critical"


class Confidence(StrEnum):
    """How strongly the data backs a cause."""

    high = "high"
    medium = "medium"
    low = "low"


class Verdict(StrEnum):
    """Retake readiness (words fixed by DESIGN.md)."""

    ready = "ready"
    borderline = "borderline"
    not_ready = "not_ready"
    ineligible = "ineligible"


@dict_record
class Evidence:
    """One piece of data that triggered a rule: where it is and what it was."""

    path: str
    """Field path in the profile (``qbank.percent_correct``) or score file (``scores[3].epc``)."""
    value: Any
    """The value found (JSON-serialisable)."""


@dict_record
class Finding:
    """A rule's conclusion, explained."""

    code: str
    """The rule code (``M701``)."""
    title: str
    """The rule's short title."""
    severity: Severity
    """How much it matters."""
    message: str
    """What was found, in plain words, with the numbers that decided it."""
    evidence: tuple[Evidence, ...] = ()
    """The data that triggered it."""
    recommendation: str | None = None
    """What to do about it."""


@dict_record
class CauseResult:
    """A failure cause the data supports or the student reported."""

    id: CauseId
    """One of the seven fixed cause ids."""
    rank: int
    """1 is the most likely cause."""
    confidence: Confidence
    """How strongly the data backs it."""
    self_reported: bool
    """The student named it in ``causes:``."""
    supported: bool
    """The data backs it (a self-reported cause may be unsupported)."""
    score: float
    """The evidence weight that ranked it (0-1)."""
    summary: str
    """One sentence on why this cause is listed."""
    evidence: tuple[Evidence, ...] = ()
    """The data that triggered it."""
    codes: tuple[str, ...] = ()
    """The rule codes that contributed evidence."""


@dict_record
class Eligibility:
    """Attempt-limit status for the next Step 1 attempt (USMLE rules as of the run date)."""

    attempts_used: int
    attempts_left: int
    earliest_next_attempt: dt.date | None
    """Never before the as-of date; ``None`` when blocked."""
    blocked: bool
    reasons: tuple[str, ...] = ()
    """Why the earliest date is what it is, or why no attempt is left."""


@dict_record
class Check:
    """One readiness check with the numbers that decided it."""

    code: str
    """The rule code (``R301``)."""
    title: str
    passed: bool
    message: str
    """What was measured against which bar."""
    evidence: tuple[Evidence, ...] = ()
    to_change: str | None = None
    """What must change for this check to pass (when it failed)."""
    required: bool = True
    """A failed required check blocks ``ready``; an advisory one only lowers to ``borderline``."""


@dict_record
class ScorePoint:
    """One practice score as the readiness rules saw it (for the trend chart)."""

    date: dt.date
    form: str
    kind: str
    value: float | None
    """EPC (CBSSA), percent correct (Free 120) or 3-digit score (UWSA)."""
    pass_probability: float | None
    seen_before: bool
    counted: bool
    """Counted as evidence for readiness (recent, unseen, full-length)."""


@dict_record
class Readiness:
    """Retake readiness verdict from practice scores and, when given, the profile."""

    verdict: Verdict
    checks: tuple[Check, ...] = ()
    projected_ready_date: dt.date | None = None
    """A projection of practice scores on the current trend, never a prediction of the exam."""
    projection_note: str | None = None
    next_steps: tuple[str, ...] = ()
    """What must change to reach the next verdict."""
    points: tuple[ScorePoint, ...] = ()
    bar: str = "first_timer"
    """Which threshold set applied: ``first_timer`` or ``retaker``."""
    bar_detail: str = ""
    """The bar in words, with its numbers (for the verdict panel)."""
    notes: tuple[str, ...] = ()
    """Context for the verdict (why this bar, what was not counted)."""
    low_pass_epc: float | None = None
    """The plan's low-pass EPC zone (a marker on the trend chart)."""
    bar_epc: float | None = None
    """The EPC the bar asks for (a marker on the trend chart)."""
    bar_pass_probability: float | None = None
    """The pass probability the bar asks for (the chart marks a CBSSA that reports less)."""
    bar_free120_percent: float | None = None
    """The Free 120 percent correct the bar asks for (the marker on the chart's Free 120 rows)."""


@dict_record
class Priority:
    """A content area ranked for study."""

    area: str
    group: str
    """``disciplines`` or ``systems``."""
    weight: float
    """Share of the exam (outline midpoint, percent)."""
    band: Band
    deficit: float
    score: float
    """weight x deficit."""
    share_of_hours: float
    """Share of content-study hours, 0-1."""
    source: str
    """Where the band came from (``attempts[0]`` or ``practice[2]``)."""


@dict_record
class Week:
    """One week of the study plan."""

    number: int
    start: dt.date
    end: dt.date
    phase: str
    """``foundations``, ``integration`` or ``readiness``."""
    hours: float
    focus: tuple[str, ...] = ()
    qbank_questions: int = 0
    assessments: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()


@dict_record
class StudyPlan:
    """Priorities and the week-by-week plan to the retake."""

    priorities: tuple[Priority, ...] = ()
    weeks: tuple[Week, ...] = ()
    retake_date: dt.date | None = None
    retake_date_source: str = "planned"
    """``planned`` (from the profile) or ``recommended`` (derived from plan parameters)."""
    notes: tuple[str, ...] = ()


@dict_record
class Milestone:
    """A dated step of the Step 1 / Step 2 CK / Match timeline."""

    id: str
    """Fixed ids of DESIGN.md (``step1_retake``, ``match_day``, ...)."""
    date: dt.date
    estimate: bool
    """True when the date comes from a pattern or a projection rather than a published date."""
    label: str = ""
    days_from_as_of: int = 0
    slack_days: int | None = None
    """Days to spare before the milestone that depends on this one."""
    note: str | None = None


@dict_record
class Timeline:
    """The path from the Step 1 retake to Match Day."""

    match_year: int | None
    feasible: bool
    milestones: tuple[Milestone, ...] = ()
    notes: tuple[str, ...] = ()
    next_feasible_match_year: int | None = None


@dict_record
class Strategy:
    """Application strategy: specialty, programs, letters, explanation, IMG priorities."""

    specialty: str
    tier: str
    """Qualitative competitiveness from the plan."""
    advice: tuple[Finding, ...] = ()
    explanation: str | None = None
    """A short draft explanation of the failure."""


@dict_record
class StudentRef:
    """Who the report is about."""

    id: str
    name: str | None


@dict_record
class Report:
    """The full analysis of one profile (``step1plan diagnose``).

    The fields follow the JSON report's key order (``jsonout.REPORT_KEYS``) after ``schema``,
    which is last here: ``report_line_bytes`` writes them from the record's ``__dict__``.
    """

    tool_version: str
    as_of: dt.date
    plan: str
    student: StudentRef
    causes: tuple[CauseResult, ...] = ()
    eligibility: Eligibility | None = None
    readiness: Readiness | None = None
    study_plan: StudyPlan | None = None
    timeline: Timeline | None = None
    strategy: Strategy | None = None
    findings: tuple[Finding, ...] = ()
    schema: str = field(default=SCHEMA)
