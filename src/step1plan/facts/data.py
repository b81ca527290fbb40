"""Scoring, attempt, format and outline facts (DOMAIN.md), each with its history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

from step1plan.facts.types import AreaWeight, Confidence, ExamFormat, Fact

T = TypeVar("T")

__all__ = [
    "ATTEMPTS_PER_STEP",
    "ATTEMPT_WINDOW_MONTHS",
    "FOURTH_ATTEMPT_MONTHS_AFTER_FIRST",
    "FOURTH_ATTEMPT_MONTHS_AFTER_LATEST",
    "MAX_ATTEMPTS_IN_12_MONTHS",
    "PASSING_ITEM_SHARE",
    "SPACED_FROM_ATTEMPT",
    "STEP1_PASS_FAIL_SINCE",
    "UWSA_OVERPREDICTION",
    "Fact",
    "attempt_limit",
    "content_outline",
    "exam_format",
    "outline_source",
    "passing_score",
]
H, M, L = Confidence.H, Confidence.M, Confidence.L
D = dt.date

# Passing standards on the 3-digit scale, newest last (DOMAIN "Scoring").
_PASSING: dict[str, tuple[Fact[int], ...]] = {
    "step1": (
        Fact(192, None, "usmle.org common questions (Scores)", H),
        Fact(194, D(2018, 1, 1), "usmle.org common questions (Scores)", H),
        Fact(196, D(2022, 1, 26), "usmle.org common questions (Scores)", H),
    ),
    "step2ck": (
        Fact(209, D(2014, 7, 1), "USMLE announcement, via several prep sites", M),
        Fact(214, D(2022, 7, 1), "USMLE announcement, via several prep sites", M),
        Fact(218, D(2025, 7, 1), "USMLE announcement, via several prep sites", M),
    ),
    "step3": (
        Fact(198, None, "USMLE announcement, via prep sites", M),
        Fact(200, D(2024, 1, 1), "USMLE announcement, via prep sites", M),
    ),
}

STEP1_PASS_FAIL_SINCE = Fact(D(2022, 1, 26), D(2022, 1, 26), "usmle.org (Step 1)", H)
"""Step 1 exams on or after this date are reported as pass/fail."""

_ATTEMPT_LIMIT: tuple[Fact[int], ...] = (
    Fact(6, None, "usmle.org attempt-limit page", H),
    Fact(4, D(2021, 7, 1), "usmle.org attempt-limit page", H),
)

ATTEMPTS_PER_STEP = Fact(4, D(2021, 7, 1), "usmle.org attempt-limit page", H)
"""Attempts per Step, incomplete ones included (applications from 2021-07-01)."""
MAX_ATTEMPTS_IN_12_MONTHS = Fact(3, D(2012, 1, 1), "ECFMG Reporter", H)
"""At most 3 attempts at the same exam within any 12 months (H that it was set, M it stands)."""
ATTEMPT_WINDOW_MONTHS = Fact(12, D(2012, 1, 1), "ECFMG Reporter", H)
"""Length of the rolling window of that rule, in months."""
SPACED_FROM_ATTEMPT = Fact(4, D(2012, 1, 1), "ECFMG Reporter", H)
"""The attempt number from which the 12-month / 6-month spacing applies (the 4th)."""
FOURTH_ATTEMPT_MONTHS_AFTER_FIRST = Fact(12, D(2012, 1, 1), "ECFMG Reporter", H)
"""A 4th or later attempt: at least 12 months after the first attempt."""
FOURTH_ATTEMPT_MONTHS_AFTER_LATEST = Fact(6, D(2012, 1, 1), "ECFMG Reporter", H)
"""A 4th or later attempt: at least 6 months after the most recent attempt."""
PASSING_ITEM_SHARE = Fact(60, None, "usmle.org scores and transcripts", H)
"""A passing examinee answers about 60 % of items correctly (varies by form)."""
UWSA_OVERPREDICTION = Fact((10, 25), None, "secondary (prep-company explainers)", M)
"""UWSA historically over-predicts NBME-based results by about 10-25 points."""

_FORMAT: dict[str, tuple[Fact[ExamFormat], ...]] = {
    "step1": (
        Fact(ExamFormat(7, 60, 40, 280, 8), None, "usmle.org software update (March 2026)", H),
        Fact(ExamFormat(14, 30, 20, 280, 8), D(2026, 5, 14), "usmle.org software update", H),
    ),
    "step2ck": (
        Fact(ExamFormat(8, 60, 40, 318, 9), None, "usmle.org software update (March 2026)", H),
        Fact(ExamFormat(16, 30, 20, 318, 9), D(2026, 5, 7), "usmle.org software update", H),
    ),
}

_OUTLINE_SOURCE_SYSTEMS = "usmle.org outline infographic 2024"
_OUTLINE_SOURCE_DISCIPLINES = "USMLE content outline (pre-2024 ranges)"
_OUTLINE: tuple[AreaWeight, ...] = (
    AreaWeight("disciplines", "pathology", "Pathology", 44, 52),
    AreaWeight("disciplines", "physiology", "Physiology", 25, 35),
    AreaWeight("disciplines", "pharmacology", "Pharmacology", 15, 22),
    AreaWeight("disciplines", "biochemistry_nutrition", "Biochemistry & Nutrition", 14, 24),
    AreaWeight("disciplines", "microbiology", "Microbiology", 10, 15),
    AreaWeight("disciplines", "immunology", "Immunology", 6, 11),
    AreaWeight("disciplines", "gross_anatomy_embryology", "Gross Anatomy & Embryology", 11, 15),
    AreaWeight("disciplines", "histology_cell_biology", "Histology & Cell Biology", 8, 13),
    AreaWeight("disciplines", "behavioral_sciences", "Behavioral Sciences", 8, 13),
    AreaWeight("disciplines", "genetics", "Genetics", 5, 9),
    AreaWeight("systems", "human_development", "Human Development", 1, 3),
    AreaWeight("systems", "blood_immune", "Blood & Lymphoreticular/Immune", 9, 13),
    AreaWeight("systems", "behavioral_nervous", "Behavioral Health & Nervous System", 10, 14),
    AreaWeight("systems", "musculoskeletal_skin", "Musculoskeletal, Skin & Subcutaneous", 8, 12),
    AreaWeight("systems", "cardiovascular", "Cardiovascular", 7, 11),
    AreaWeight("systems", "respiratory_renal", "Respiratory & Renal/Urinary", 11, 15),
    AreaWeight("systems", "gastrointestinal", "Gastrointestinal", 6, 10),
    AreaWeight("systems", "reproductive_endocrine", "Reproductive & Endocrine", 12, 16),
    AreaWeight("systems", "multisystem", "Multisystem Processes", 8, 12),
    AreaWeight("systems", "biostatistics_epidemiology", "Biostatistics & Epidemiology", 4, 6),
    AreaWeight("systems", "social_sciences_communication", "Social Sciences: Communication", 6, 9),
)


def _as_of(history: Sequence[Fact[T]], on: dt.date) -> Fact[T]:
    current = history[0]
    for fact in history:
        if fact.since is None or fact.since <= on:
            current = fact
    return current


def passing_score(exam: str, on: dt.date) -> Fact[int]:
    """The passing standard of ``exam`` (``step1``, ``step2ck``, ``step3``) on a test date."""
    return _as_of(_PASSING[exam], on)


def attempt_limit(on: dt.date) -> Fact[int]:
    """Total attempts allowed per Step, for an application on ``on``."""
    return _as_of(_ATTEMPT_LIMIT, on)


def exam_format(exam: str, on: dt.date) -> Fact[ExamFormat]:
    """Blocks, minutes and items of ``exam`` (``step1``, ``step2ck``) on a test date."""
    return _as_of(_FORMAT[exam], on)


def content_outline() -> tuple[AreaWeight, ...]:
    """Step 1 content areas with their share of the exam (systems 2024, M-H; disciplines M)."""
    return _OUTLINE


def outline_source(group: str) -> str:
    """The source of one group's weights."""
    return _OUTLINE_SOURCE_SYSTEMS if group == "systems" else _OUTLINE_SOURCE_DISCIPLINES
