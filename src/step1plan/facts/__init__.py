"""USMLE and Match facts as dated data, looked up "as of" a date.

Every value comes from ../shared/DOMAIN.md and carries its source and confidence there
(H: an official page states it; M: several secondary sources agree or a stable pattern;
L: a single weak source or tutor convention). History is kept so that an ``--as-of`` in the past
gives the answer that was right then.
"""

from step1plan.facts.calendar import (
    MatchCalendar,
    match_calendar,
    no_release_week,
    score_release_date,
)
from step1plan.facts.data import (
    ATTEMPT_WINDOW_MONTHS,
    ATTEMPTS_PER_STEP,
    FOURTH_ATTEMPT_MONTHS_AFTER_FIRST,
    FOURTH_ATTEMPT_MONTHS_AFTER_LATEST,
    MAX_ATTEMPTS_IN_12_MONTHS,
    PASSING_ITEM_SHARE,
    SPACED_FROM_ATTEMPT,
    UWSA_OVERPREDICTION,
    Fact,
    attempt_limit,
    content_outline,
    exam_format,
    passing_score,
)
from step1plan.facts.types import AreaWeight, Confidence, ExamFormat

__all__ = [
    "ATTEMPTS_PER_STEP",
    "ATTEMPT_WINDOW_MONTHS",
    "FOURTH_ATTEMPT_MONTHS_AFTER_FIRST",
    "FOURTH_ATTEMPT_MONTHS_AFTER_LATEST",
    "MAX_ATTEMPTS_IN_12_MONTHS",
    "PASSING_ITEM_SHARE",
    "SPACED_FROM_ATTEMPT",
    "UWSA_OVERPREDICTION",
    "AreaWeight",
    "Confidence",
    "ExamFormat",
    "Fact",
    "MatchCalendar",
    "attempt_limit",
    "content_outline",
    "exam_format",
    "match_calendar",
    "no_release_week",
    "passing_score",
    "score_release_date",
]
