"""The dated USMLE/Match facts, looked up before and after each change (DOMAIN.md).

Expected values are written out by hand from ../shared/DOMAIN.md (and, for pattern years, worked
out on a calendar) so that a slip in the fact tables or the date arithmetic shows up here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from step1plan.facts import (
    ATTEMPT_WINDOW_MONTHS,
    ATTEMPTS_PER_STEP,
    FOURTH_ATTEMPT_MONTHS_AFTER_FIRST,
    FOURTH_ATTEMPT_MONTHS_AFTER_LATEST,
    MAX_ATTEMPTS_IN_12_MONTHS,
    PASSING_ITEM_SHARE,
    SPACED_FROM_ATTEMPT,
    UWSA_OVERPREDICTION,
    Confidence,
    attempt_limit,
    content_outline,
    exam_format,
    match_calendar,
    no_release_week,
    passing_score,
    score_release_date,
)
from step1plan.facts.calendar import EVENTS
from step1plan.facts.data import STEP1_PASS_FAIL_SINCE, outline_source

D = dt.date

# ---------------------------------------------------------------- passing scores


@pytest.mark.parametrize(
    ("exam", "on", "expected"),
    [
        # Step 1: 192 before 2018, 194 from 2018-01-01, 196 from 2022-01-26.
        ("step1", D(2017, 12, 31), 192),
        ("step1", D(2018, 1, 1), 194),
        ("step1", D(2022, 1, 25), 194),
        ("step1", D(2022, 1, 26), 196),
        ("step1", D(2026, 11, 27), 196),
        # Step 2 CK: 209 from 2014-07-01, 214 from 2022-07-01, 218 from 2025-07-01.
        ("step2ck", D(2014, 7, 1), 209),
        ("step2ck", D(2022, 6, 30), 209),
        ("step2ck", D(2022, 7, 1), 214),
        ("step2ck", D(2025, 6, 30), 214),
        ("step2ck", D(2025, 7, 1), 218),
        ("step2ck", D(2026, 11, 27), 218),
        # Step 3: 198 before 2024, 200 from 2024-01-01.
        ("step3", D(2023, 12, 31), 198),
        ("step3", D(2024, 1, 1), 200),
    ],
)
def test_passing_score_on_each_side_of_a_change(exam: str, on: dt.date, expected: int) -> None:
    fact = passing_score(exam, on)
    assert fact.value == expected
    assert fact.source


def test_passing_score_confidence_follows_domain() -> None:
    # Step 1 standards come from usmle.org (H); Step 2 CK and Step 3 through prep sites (M).
    assert passing_score("step1", D(2026, 1, 1)).confidence is Confidence.H
    assert passing_score("step2ck", D(2026, 1, 1)).confidence is Confidence.M
    assert passing_score("step3", D(2026, 1, 1)).confidence is Confidence.M


def test_step1_pass_fail_since_2022_01_26() -> None:
    assert STEP1_PASS_FAIL_SINCE.value == D(2022, 1, 26)
    assert STEP1_PASS_FAIL_SINCE.confidence is Confidence.H


def test_passing_item_share_and_uwsa_overprediction() -> None:
    assert PASSING_ITEM_SHARE.value == 60
    assert UWSA_OVERPREDICTION.value == (10, 25)
    assert UWSA_OVERPREDICTION.confidence is Confidence.M


# ---------------------------------------------------------------- attempts


@pytest.mark.parametrize(
    ("on", "expected"),
    [(D(2019, 5, 1), 6), (D(2021, 6, 30), 6), (D(2021, 7, 1), 4), (D(2026, 11, 27), 4)],
)
def test_attempt_limit_before_and_after_2021_07_01(on: dt.date, expected: int) -> None:
    assert attempt_limit(on).value == expected


def test_attempt_rules_constants() -> None:
    assert ATTEMPTS_PER_STEP.value == 4
    assert ATTEMPTS_PER_STEP.since == D(2021, 7, 1)
    assert MAX_ATTEMPTS_IN_12_MONTHS.value == 3
    assert ATTEMPT_WINDOW_MONTHS.value == 12
    assert SPACED_FROM_ATTEMPT.value == 4
    assert FOURTH_ATTEMPT_MONTHS_AFTER_FIRST.value == 12
    assert FOURTH_ATTEMPT_MONTHS_AFTER_LATEST.value == 6


# ---------------------------------------------------------------- exam format


@pytest.mark.parametrize(
    ("exam", "on", "blocks", "minutes", "items", "total", "hours"),
    [
        ("step1", D(2026, 5, 13), 7, 60, 40, 280, 8),
        ("step1", D(2026, 5, 14), 14, 30, 20, 280, 8),
        ("step1", D(2023, 3, 1), 7, 60, 40, 280, 8),
        ("step2ck", D(2026, 5, 6), 8, 60, 40, 318, 9),
        ("step2ck", D(2026, 5, 7), 16, 30, 20, 318, 9),
    ],
)
def test_exam_format_before_and_after_the_2026_update(
    exam: str, on: dt.date, blocks: int, minutes: int, items: int, total: int, hours: int
) -> None:
    fmt = exam_format(exam, on).value
    assert (fmt.blocks, fmt.minutes_per_block, fmt.items_per_block) == (blocks, minutes, items)
    assert (fmt.total_items, fmt.test_day_hours) == (total, hours)


@pytest.mark.parametrize("on", [D(2026, 5, 1), D(2026, 6, 1)])
@pytest.mark.parametrize("exam", ["step1", "step2ck"])
def test_pacing_is_about_90_seconds_per_item_in_both_formats(exam: str, on: dt.date) -> None:
    fmt = exam_format(exam, on).value
    assert fmt.minutes_per_block * 60 / fmt.items_per_block == 90


# ---------------------------------------------------------------- content outline

DESIGN_DISCIPLINES = [
    "pathology",
    "physiology",
    "pharmacology",
    "biochemistry_nutrition",
    "microbiology",
    "immunology",
    "gross_anatomy_embryology",
    "histology_cell_biology",
    "behavioral_sciences",
    "genetics",
]
DESIGN_SYSTEMS = [
    "human_development",
    "blood_immune",
    "behavioral_nervous",
    "musculoskeletal_skin",
    "cardiovascular",
    "respiratory_renal",
    "gastrointestinal",
    "reproductive_endocrine",
    "multisystem",
    "biostatistics_epidemiology",
    "social_sciences_communication",
]
# (low, high) percent of the exam, DOMAIN.md "Content outline".
DOMAIN_WEIGHTS = {
    "pathology": (44, 52),
    "physiology": (25, 35),
    "pharmacology": (15, 22),
    "biochemistry_nutrition": (14, 24),
    "microbiology": (10, 15),
    "immunology": (6, 11),
    "gross_anatomy_embryology": (11, 15),
    "histology_cell_biology": (8, 13),
    "behavioral_sciences": (8, 13),
    "genetics": (5, 9),
    "human_development": (1, 3),
    "blood_immune": (9, 13),
    "behavioral_nervous": (10, 14),
    "musculoskeletal_skin": (8, 12),
    "cardiovascular": (7, 11),
    "respiratory_renal": (11, 15),
    "gastrointestinal": (6, 10),
    "reproductive_endocrine": (12, 16),
    "multisystem": (8, 12),
    "biostatistics_epidemiology": (4, 6),
    "social_sciences_communication": (6, 9),
}


def test_outline_has_exactly_the_design_area_keys() -> None:
    outline = content_outline()
    assert [a.key for a in outline if a.group == "disciplines"] == DESIGN_DISCIPLINES
    assert [a.key for a in outline if a.group == "systems"] == DESIGN_SYSTEMS
    assert {a.group for a in outline} == {"disciplines", "systems"}
    assert len(outline) == len(DESIGN_DISCIPLINES) + len(DESIGN_SYSTEMS)


def test_outline_weights_are_the_domain_ranges() -> None:
    for area in content_outline():
        assert (area.low, area.high) == DOMAIN_WEIGHTS[area.key], area.key
        assert area.midpoint == (area.low + area.high) / 2
        assert area.label


def test_outline_keys_match_the_profile_models() -> None:
    from step1plan.models.areas import Disciplines, Systems
    from step1plan.models.common import DISCIPLINES, SYSTEMS

    assert list(DISCIPLINES) == DESIGN_DISCIPLINES
    assert list(SYSTEMS) == DESIGN_SYSTEMS
    assert list(Disciplines.model_fields) == DESIGN_DISCIPLINES
    assert list(Systems.model_fields) == DESIGN_SYSTEMS


def test_system_weights_sum_to_about_the_whole_exam() -> None:
    # Systems do not overlap (unlike disciplines): the ranges should bracket 100 %.
    systems = [a for a in content_outline() if a.group == "systems"]
    assert sum(a.low for a in systems) <= 100 <= sum(a.high for a in systems)


def test_outline_sources_name_the_outline() -> None:
    assert "2024" in outline_source("systems")
    assert "pre-2024" in outline_source("disciplines")


# ---------------------------------------------------------------- match calendar

KNOWN = {
    2026: {
        "eras_opens": (D(2025, 6, 4), False),
        "eras_submit": (D(2025, 9, 3), False),
        "programs_review": (D(2025, 9, 24), False),
        "nrmp_registration": (D(2025, 9, 15), False),
        "rank_list_deadline": (D(2026, 3, 4), True),
        "match_day": (D(2026, 3, 20), False),
    },
    2027: {
        "eras_opens": (D(2026, 6, 3), True),
        "eras_submit": (D(2026, 9, 2), True),
        "programs_review": (D(2026, 9, 23), True),
        "nrmp_registration": (D(2026, 9, 15), True),
        "rank_list_deadline": (D(2027, 3, 3), True),
        "match_day": (D(2027, 3, 19), True),
    },
}


@pytest.mark.parametrize("year", sorted(KNOWN))
def test_match_calendar_known_years(year: int) -> None:
    cal = match_calendar(year)
    assert cal.match_year == year
    assert set(cal.dates) == set(EVENTS)
    for event, (day, estimate) in KNOWN[year].items():
        assert cal[event].date == day, event
        assert cal[event].estimate is estimate, event
        # Estimate means "not from an official page": confidence below H.
        assert cal[event].estimate is (cal[event].confidence is not Confidence.H)
        assert cal[event].source


# Worked out by hand on a calendar:
# - Match 2028: 1 March 2028 is a Wednesday, so the Fridays are 3, 10, 17 -> 17 March; rank
#   list 16 days earlier -> 1 March. 1 June 2027 is a Tuesday -> ERAS opens Wed 2 June;
#   1 September 2027 is a Wednesday -> submit 1 Sept; programs review 3 weeks later -> 22 Sept.
# - Match 2029: 1 March 2029 is a Thursday -> Fridays 2, 9, 16 -> 16 March; rank list 28 Feb.
#   1 June 2028 is a Thursday -> Wed 7 June; 1 September 2028 is a Friday -> Wed 6 Sept;
#   review 27 Sept.
# - Match 2030: 1 March 2030 is a Friday -> Fridays 1, 8, 15 -> 15 March; rank list 27 Feb.
#   1 June 2029 is a Friday -> Wed 6 June; 1 September 2029 is a Saturday -> Wed 5 Sept;
#   review 26 Sept.
PATTERN = {
    2028: (D(2027, 6, 2), D(2027, 9, 1), D(2027, 9, 22), D(2028, 3, 1), D(2028, 3, 17)),
    2029: (D(2028, 6, 7), D(2028, 9, 6), D(2028, 9, 27), D(2029, 2, 28), D(2029, 3, 16)),
    2030: (D(2029, 6, 6), D(2029, 9, 5), D(2029, 9, 26), D(2030, 2, 27), D(2030, 3, 15)),
}


@pytest.mark.parametrize("year", sorted(PATTERN))
def test_match_calendar_pattern_years(year: int) -> None:
    opens, submit, review, rank_list, match_day = PATTERN[year]
    cal = match_calendar(year)
    assert cal["eras_opens"].date == opens
    assert cal["eras_submit"].date == submit
    assert cal["programs_review"].date == review
    assert cal["rank_list_deadline"].date == rank_list
    assert cal["match_day"].date == match_day
    # NRMP registration opens in mid-September of the season (DOMAIN: about 15 September).
    assert cal["nrmp_registration"].date == D(year - 1, 9, 15)
    # Every date from the pattern is an estimate.
    assert all(cal[event].estimate for event in EVENTS)


@pytest.mark.parametrize("year", [2026, 2027, 2028, 2031, 2035])
def test_match_calendar_events_in_order(year: int) -> None:
    cal = match_calendar(year)
    days = [cal[event].date for event in ("eras_opens", "eras_submit", "programs_review")]
    assert days == sorted(days)
    assert cal["nrmp_registration"].date < cal["rank_list_deadline"].date
    assert cal["rank_list_deadline"].date < cal["match_day"].date
    assert cal["match_day"].date.weekday() == 4  # a Friday
    assert 15 <= cal["match_day"].date.day <= 21  # the third Friday of March
    assert cal["match_day"].date.month == 3


# ---------------------------------------------------------------- score release


@pytest.mark.parametrize(
    ("test_date", "release"),
    [
        # Wed 10 Feb 2027 + 28 days = Wed 10 Mar 2027: a release Wednesday already.
        (D(2027, 2, 10), D(2027, 3, 10)),
        # Thu 4 Mar 2027 + 28 days = Thu 1 Apr -> next Wednesday 7 Apr.
        (D(2027, 3, 4), D(2027, 4, 7)),
        # Thu 26 Nov 2026 + 28 = Thu 24 Dec -> Wed 30 Dec falls in the last week of December
        # (no release) -> Wed 6 Jan 2027.
        (D(2026, 11, 26), D(2027, 1, 6)),
        # Mon 1 Jun 2026 + 28 = Mon 29 Jun -> Wed 1 Jul, in the week of Sat 4 July 2026
        # (Sun 28 Jun - Sat 4 Jul): no release -> Wed 8 Jul.
        (D(2026, 6, 1), D(2026, 7, 8)),
        # Wed 2 Jun 2027 + 28 = Wed 30 Jun: the week before Sun 4 July 2027 (Sun 27 Jun -
        # Sat 3 Jul), a release week.
        (D(2027, 6, 2), D(2027, 6, 30)),
        # Wed 9 Jun 2027 + 28 = Wed 7 Jul, in the week of Sun 4 July 2027 (Sun 4 Jul - Sat
        # 10 Jul, the holiday observed on Mon 5 Jul): no release -> Wed 14 Jul.
        (D(2027, 6, 9), D(2027, 7, 14)),
    ],
)
def test_score_release_date_worked_by_hand(test_date: dt.date, release: dt.date) -> None:
    assert score_release_date(test_date) == release


@pytest.mark.parametrize(
    ("day", "blocked"),
    [
        (D(2026, 7, 1), True),
        (D(2026, 6, 24), False),
        (D(2026, 7, 8), False),
        (D(2027, 6, 30), False),  # July 4 2027 is a Sunday: its week starts that day
        (D(2027, 7, 7), True),
        (D(2027, 7, 4), True),
        (D(2027, 7, 3), False),
        (D(2026, 7, 4), True),  # a Saturday: the last day of its week
        (D(2026, 7, 5), False),
        (D(2026, 12, 23), False),
        (D(2026, 12, 30), True),
        (D(2027, 1, 6), False),
        (D(2031, 1, 1), True),  # New Year's Day, a Wednesday
        (D(2031, 1, 8), False),
    ],
)
def test_no_release_weeks(day: dt.date, blocked: bool) -> None:
    assert no_release_week(day) is blocked


NO_RELEASE_WEDNESDAYS = {
    # Worked out by hand from a calendar: the Wednesday of the Sunday-to-Saturday week of July 4,
    # the Wednesday in December 25-31, and January 1 when it is a Wednesday.
    D(2026, 7, 1),  # July 4 a Saturday: the week of June 28
    D(2026, 12, 30),
    D(2027, 7, 7),  # July 4 a Sunday: the week it starts
    D(2027, 12, 29),
    D(2028, 7, 5),  # a Tuesday
    D(2028, 12, 27),
    D(2029, 7, 4),  # a Wednesday itself
    D(2029, 12, 26),
    D(2030, 7, 3),  # a Thursday
    D(2030, 12, 25),
    D(2031, 1, 1),  # New Year's Day
    D(2031, 7, 2),  # a Friday
    D(2031, 12, 31),
}


def test_no_release_wednesdays_match_the_calendar_worked_by_hand() -> None:
    day = D(2026, 1, 7)  # the first Wednesday of 2026
    while day.year < 2032:
        assert no_release_week(day) is (day in NO_RELEASE_WEDNESDAYS), day
        day += dt.timedelta(days=7)


@given(st.dates(min_value=D(2026, 1, 1), max_value=D(2031, 11, 30)))
@example(D(2030, 11, 27))  # +28 is Wed 25 Dec 2030, and Wed 1 Jan 2031 follows
def test_score_release_is_the_first_open_wednesday_four_weeks_later(test_date: dt.date) -> None:
    release = score_release_date(test_date)
    assert release.weekday() == 2 and release not in NO_RELEASE_WEDNESDAYS
    first = test_date + dt.timedelta(days=28)
    first += dt.timedelta(days=(2 - first.weekday()) % 7)  # the first Wednesday 4 weeks on
    assert first <= release
    skipped = first
    while skipped < release:  # every Wednesday passed over is a closed one
        assert skipped in NO_RELEASE_WEDNESDAYS, skipped
        skipped += dt.timedelta(days=7)
