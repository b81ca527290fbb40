"""The student profile (YAML, ``schema_version: 1``), exactly as DESIGN.md names its fields."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, StrictFloat, ValidationInfo, field_validator

from step1plan.models.areas import ContentAreas
from step1plan.models.common import (
    EARLIEST_DATE,
    LATEST_DATE,
    AttemptResult,
    CauseId,
    Day,
    Exam,
    GraduateType,
    ItemProblem,
    Level,
    QbankMode,
    StrictModel,
    Text,
    cached_attribute,
    item_problems,
    not_after_as_of,
)
from step1plan.models.scores import PracticeScore

_KEY = r"^[a-z][a-z0-9_]*$"


class Student(StrictModel):
    """Who the profile is about."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    """A pseudonymous id (letters, digits, ``.``, ``_``, ``-``), used in cohort output."""
    name: Text | None = Field(default=None, max_length=120)
    """Optional display name; dropped by ``--redact``."""
    graduate_type: GraduateType = GraduateType.us_md
    """``us_md``, ``us_do`` or ``img`` (international medical graduate)."""
    graduation_year: int | None = Field(
        default=None, ge=EARLIEST_DATE.year, le=LATEST_DATE.year, strict=True
    )
    """Year of (expected) graduation from medical school."""
    visa_required: bool = Field(default=False, strict=True)
    """True when a US visa is needed for residency."""
    us_clinical_experience_months: int = Field(default=0, ge=0, le=240, strict=True)
    """Months of hands-on US clinical experience."""
    us_letters: int = Field(default=0, ge=0, le=20, strict=True)
    """Letters of recommendation from US physicians."""


class Target(StrictModel):
    """What the student is aiming for."""

    specialty: str = Field(default="internal_medicine", pattern=_KEY, max_length=64)
    """A key of the plan's specialty table (``internal_medicine``, ``family_medicine``, ...)."""
    match_year: int | None = Field(default=None, ge=2000, le=LATEST_DATE.year, strict=True)
    """The Match (year of Match Day) aimed for; otherwise the earliest feasible one."""
    step1_date: Day | None = None
    """The planned Step 1 retake date, if booked or chosen."""
    step2ck_date: Day | None = None
    """The planned Step 2 CK date, if booked or chosen."""


class TestDay(StrictModel):
    """How the test day of an attempt went (self-reported)."""

    unfinished_blocks: int = Field(default=0, ge=0, le=20, strict=True)
    """Blocks where time ran out before every item was answered."""
    anxiety: Level | None = None
    """Test-day anxiety."""
    fatigue: Level | None = None
    """Test-day fatigue."""
    illness_or_event: bool = Field(default=False, strict=True)
    """An illness or a disruptive event on or just before test day."""


class Attempt(StrictModel):
    """One USMLE attempt."""

    exam: Exam
    """``step1`` or ``step2ck``."""
    date: Day
    """The test date (never after the as-of date)."""
    result: AttemptResult
    """``pass``, ``fail`` or ``incomplete``."""
    score: int | None = Field(default=None, ge=1, le=300, strict=True)
    """The 3-digit score, only for exams still scored numerically (Step 2 CK; Step 1 pre-2022)."""
    content_areas: ContentAreas | None = None
    """The failing report's content-area feedback."""
    test_day: TestDay | None = None
    """How the test day went."""

    @field_validator("date")
    @classmethod
    def _not_in_future(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        return not_after_as_of(value, info, "attempt date")


class QBank(StrictModel):
    """QBank use before the failed attempt."""

    name: Text | None = Field(default=None, max_length=60)
    """The QBank (UWorld, AMBOSS, ...)."""
    percent_complete: float | None = Field(default=None, ge=0, le=100, strict=True)
    """Share of the QBank done, in percent."""
    percent_correct: float | None = Field(default=None, ge=0, le=100, strict=True)
    """Overall percent correct."""
    mode: QbankMode | None = None
    """``tutor``, ``timed`` or ``mixed``."""
    review_minutes_per_block: float | None = Field(default=None, ge=0, le=600, strict=True)
    """Average minutes spent reviewing one block."""
    passes: int | None = Field(default=None, ge=0, le=10, strict=True)
    """How many times the whole QBank was gone through."""


class Study(StrictModel):
    """Study habits and resources."""

    hours_per_week: float | None = Field(default=None, ge=0, le=112, strict=True)
    """Hours available per week from now on."""
    weeks_before_attempt: float | None = Field(default=None, ge=0, le=156, strict=True)
    """Weeks of dedicated study before the failed attempt."""
    anki_minutes_per_day: float | None = Field(default=None, ge=0, le=1440, strict=True)
    """Minutes a day spent on Anki (or other flashcards)."""
    tutoring: bool = Field(default=False, strict=True)
    """True when working with a tutor or structured coaching."""
    test_day_plan: bool = Field(default=False, strict=True)
    """True when a written test-day plan (breaks, pacing, food, sleep) exists."""


ClerkshipName = Annotated[Text, Field(min_length=1, max_length=60)]
"""A clerkship's name (``pediatrics``): not empty, as every list of clerkships shows it."""


class RemainingClerkship(StrictModel):
    """A clerkship still to do."""

    name: ClerkshipName
    """Its name (``pediatrics``)."""
    ends: Day
    """When it ends."""


class Clerkships(StrictModel):
    """Clinical clerkships and shelf exams."""

    completed: list[ClerkshipName] = Field(default_factory=list, max_length=30)
    """Clerkships done."""
    remaining: list[RemainingClerkship] = Field(default_factory=list, max_length=30)
    """Clerkships still to do, with their end dates."""
    shelves: dict[ClerkshipName, StrictFloat] = Field(default_factory=dict, max_length=30)
    """NBME shelf exam scores by clerkship (0-100)."""

    @field_validator("shelves")
    @classmethod
    def _shelf_range(cls, value: dict[str, float]) -> dict[str, float]:
        found: list[ItemProblem] = [
            (f"shelf score for {name} must be between 0 and 100, got {score:g}", (name,))
            for name, score in value.items()
            if not 0 <= score <= 100
        ]
        if found:
            raise item_problems(found)  # each shelf at its own line
        return value


class Profile(StrictModel):
    """A student profile: the failed attempt(s), what happened, practice data and goals."""

    schema_version: Literal[1] = 1
    """Always 1 for this format."""
    student: Student
    """Who the profile is about."""
    target: Target = Target()
    """Specialty, Match year and planned dates."""
    attempts: list[Attempt] = Field(default_factory=list, max_length=20)
    """Every USMLE attempt, oldest first."""
    causes: list[CauseId] = Field(default_factory=list, max_length=7)
    """Self-reported failure causes (ids fixed by DESIGN.md)."""
    practice: list[PracticeScore] = Field(default_factory=list, max_length=500)
    """Practice assessments, in addition to any ``scores_file``."""
    qbank: QBank | None = None
    """QBank use before the attempt."""
    study: Study = Study()
    """Study habits."""
    # A factory, not ``= Clerkships()``: pydantic deep-copies a default that holds lists for
    # every profile without the key (3 us of the cohort's per-profile time); the schema still
    # shows the empty default.
    clerkships: Clerkships = Field(
        default_factory=Clerkships,
        json_schema_extra={"default": {"completed": [], "remaining": [], "shelves": {}}},
    )
    """Clerkships and shelf scores."""
    scores_file: Text | None = Field(default=None, min_length=1, max_length=500)
    """A practice-score CSV, relative to the profile's folder."""

    @field_validator("schema_version", mode="before")
    @classmethod
    def _schema_version_is_the_number_1(cls, value: object) -> object:
        # Literal[1] alone takes true and 1.0 too (both equal 1); a number field takes a number
        if type(value) is not int:
            shown = str(value).lower() if isinstance(value, bool) else repr(value)
            raise ValueError(f"must be 1, not {shown}")
        return value

    @field_validator("attempts")
    @classmethod
    def _attempts_in_order(cls, value: list[Attempt]) -> list[Attempt]:
        found: list[ItemProblem] = []  # each attempt out of order or after a pass, at its line
        passed: dict[Exam, int] = {}
        for i, attempt in enumerate(value):
            if i and attempt.date < value[i - 1].date:
                found.append(
                    (
                        f"attempts must be oldest first: attempt {i} ({attempt.date}) "
                        f"is before attempt {i - 1} ({value[i - 1].date})",
                        (i, "date"),
                    )
                )
            if attempt.exam in passed:  # a passed Step cannot be taken again (DOMAIN, usmle.org)
                j = passed[attempt.exam]
                found.append(
                    (
                        f"attempt {i} ({attempt.exam.value}, {attempt.date}) comes after the pass "
                        f"in attempt {j} ({value[j].date}): a passed Step cannot be taken again",
                        (i,),
                    )
                )
            elif attempt.result is AttemptResult.passed:
                passed[attempt.exam] = i
        if found:
            raise item_problems(found)
        return value

    def failed_step1(self) -> bool:
        """True when any Step 1 attempt was failed or incomplete."""
        failed, incomplete, _, _ = self.unsuccessful_attempts
        return bool(failed or incomplete)

    @cached_attribute
    def unsuccessful_attempts(self) -> tuple[int, int, int, int]:
        """Failed and incomplete attempts: Step 1 failed, Step 1 incomplete, Step 2 CK failed,
        Step 2 CK incomplete (computed once: the strategy rules each name them)."""
        counts = [0, 0, 0, 0]
        for a in self.attempts:
            if a.result is not AttemptResult.passed:
                slot = 0 if a.exam is Exam.step1 else 2
                counts[slot + (a.result is AttemptResult.incomplete)] += 1
        return counts[0], counts[1], counts[2], counts[3]

    def step1_attempts(self) -> list[Attempt]:
        """The Step 1 attempts, oldest first."""
        return [a for a in self.attempts if a.exam is Exam.step1]
