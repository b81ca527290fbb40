"""Match calendar and USMLE score-release dates (DOMAIN.md "Match calendar", "Score release")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from step1plan.facts.types import Confidence
from step1plan.models.record import record

H, M, L = Confidence.H, Confidence.M, Confidence.L
D = dt.date
WEDNESDAY, FRIDAY = 2, 4

EVENTS = (
    "eras_opens",
    "eras_submit",
    "programs_review",
    "nrmp_registration",
    "rank_list_deadline",
    "match_day",
)
"""The Match-season events, in order (milestone ids of DESIGN.md)."""

# Published or inferred dates by Match year (DOMAIN.md table), with source and confidence.
_KNOWN: dict[int, dict[str, tuple[dt.date, str, Confidence]]] = {
    2026: {
        "eras_opens": (D(2025, 6, 4), "AAMC", H),
        "eras_submit": (D(2025, 9, 3), "AAMC", H),
        "programs_review": (D(2025, 9, 24), "AAMC", H),
        "nrmp_registration": (D(2025, 9, 15), "NRMP", H),
        "rank_list_deadline": (D(2026, 3, 4), "secondary", L),
        "match_day": (D(2026, 3, 20), "NRMP", H),
    },
    2027: {
        "eras_opens": (D(2026, 6, 3), "secondary", M),
        "eras_submit": (D(2026, 9, 2), "inferred from the AAMC pattern", L),
        "programs_review": (D(2026, 9, 23), "inferred from the AAMC pattern", L),
        "nrmp_registration": (D(2026, 9, 15), "secondary", M),
        "rank_list_deadline": (D(2027, 3, 3), "secondary", L),
        "match_day": (D(2027, 3, 19), "third Friday of March", M),
    },
}
PATTERN_SOURCE = "DOMAIN.md calendar pattern"


@record
class CalendarDate:
    """One Match-season date."""

    date: dt.date
    source: str
    confidence: Confidence

    @property
    def estimate(self) -> bool:
        """True unless an official page gives the date (confidence H)."""
        return self.confidence is not Confidence.H


@record
class MatchCalendar:
    """The dates of one Match (``match_year`` is the year of Match Day)."""

    match_year: int
    dates: Mapping[str, CalendarDate]
    """Read-only: calendars are cached and shared (see :func:`match_calendar`)."""

    def __getitem__(self, event: str) -> CalendarDate:
        return self.dates[event]


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = D(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def _pattern(match_year: int) -> dict[str, CalendarDate]:
    season = match_year - 1
    submit = _nth_weekday(season, 9, WEDNESDAY, 1)
    match_day = _nth_weekday(match_year, 3, FRIDAY, 3)
    return {
        "eras_opens": CalendarDate(_nth_weekday(season, 6, WEDNESDAY, 1), PATTERN_SOURCE, M),
        "eras_submit": CalendarDate(submit, PATTERN_SOURCE, M),
        "programs_review": CalendarDate(submit + dt.timedelta(days=21), PATTERN_SOURCE, M),
        "nrmp_registration": CalendarDate(D(season, 9, 15), PATTERN_SOURCE, M),
        "rank_list_deadline": CalendarDate(match_day - dt.timedelta(days=16), PATTERN_SOURCE, L),
        "match_day": CalendarDate(match_day, PATTERN_SOURCE, M),
    }


@lru_cache(maxsize=64)
def match_calendar(match_year: int) -> MatchCalendar:
    """The calendar of one Match: the known table where it has the year, else the pattern.

    Cached: a pure function of the year (the calendar is immutable, its dates read-only).
    """
    known = _KNOWN.get(match_year)
    if known is None:
        dates = _pattern(match_year)
    else:
        dates = {event: CalendarDate(*known[event]) for event in EVENTS}
    return MatchCalendar(match_year, MappingProxyType(dates))


RELEASE_LAG_DAYS = 28
"""Scores are released usually within about 4 weeks (usmle.org common questions, H)."""


def no_release_week(day: dt.date) -> bool:
    """True in a week with no score release: the week of July 4 and the last week of December.

    (usmle.org common questions, H.) "Week of July 4" is read as a US calendar week, Sunday to
    Saturday, holding July 4: when July 4 is a Sunday (2027) that is the week of the holiday
    observed on Monday July 5, not the Monday-to-Sunday week before it, which holds no holiday
    at all. "Last week of December" is taken as December 25-31, and January 1 with it: New
    Year's Day is a federal holiday, and in a year when it is a Wednesday it falls in the same
    Sunday-to-Saturday week as December 29-31.
    """
    july4 = D(day.year, 7, 4)
    sunday = july4 - dt.timedelta(days=(july4.weekday() + 1) % 7)  # weekday(): Monday is 0
    if sunday <= day < sunday + dt.timedelta(days=7):
        return True
    return (day.month == 12 and day.day >= 25) or (day.month == 1 and day.day == 1)


@lru_cache(maxsize=4096)
def score_release_date(test_date: dt.date) -> dt.date:
    """Planning date of a result: the first Wednesday at least 4 weeks after the test,
    moved to the next Wednesday while it falls in a no-release week. An estimate.

    Cached: a pure function of the (immutable) date; timelines ask for the same dates often.
    """
    day = test_date + dt.timedelta(days=RELEASE_LAG_DAYS)
    day += dt.timedelta(days=(WEDNESDAY - day.weekday()) % 7)
    while no_release_week(day):
        day += dt.timedelta(days=7)
    return day
