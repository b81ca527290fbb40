"""Eligibility (E2xx): attempt limit, 12-month window, 4th-attempt spacing, month-end dates.

Every expected date below was worked out by hand from the USMLE/ECFMG rules in DOMAIN.md.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from step1plan.models.common import Exam
from step1plan.models.profile import Attempt
from step1plan.rules.eligibility import (
    add_months,
    already_passed,
    assess_eligibility,
    attempt_limit_reached,
    exhausted_step,
    fourth_attempt_spacing,
    history_of,
    last_attempt,
    ordinal,
    twelve_month_window,
)

D = dt.date.fromisoformat


def attempts(*spec: str, exam: str = "step1") -> list[Attempt]:
    """``"2025-01-10"`` is a failed attempt; ``"2025-01-10:pass"`` or ``:incomplete`` others."""
    out = []
    for item in spec:
        day, _, result = item.partition(":")
        out.append(Attempt.model_validate({"exam": exam, "date": day, "result": result or "fail"}))
    return out


# ---------------------------------------------------------------- add_months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2025-08-31", 6, "2026-02-28"),  # 31 August + 6 months: end of February
        ("2023-08-31", 6, "2024-02-29"),  # ... in a leap year
        ("2024-02-29", 12, "2025-02-28"),  # 29 February + 12 months
        ("2024-02-29", 48, "2028-02-29"),  # back to a leap year
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-12-15", 1, "2026-01-15"),  # across the year
        ("2025-03-31", -1, "2025-02-28"),  # backwards
        ("2025-05-14", 0, "2025-05-14"),
    ],
)
def test_add_months_clamps_to_the_month_end(day: str, months: int, expected: str) -> None:
    assert add_months(D(day), months) == D(expected)


@given(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)),
    st.integers(min_value=-120, max_value=120),
)
def test_add_months_moves_whole_months_and_never_overshoots(day: dt.date, months: int) -> None:
    out = add_months(day, months)
    assert (out.year * 12 + out.month) - (day.year * 12 + day.month) == months
    assert out.day <= day.day
    assert out.day == day.day or (out + dt.timedelta(days=1)).day == 1  # clamped to month end


def test_ordinal_words() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
    ]


# ---------------------------------------------------------------- counts


def test_no_attempt_yet_leaves_four_and_no_wait() -> None:
    result = assess_eligibility([], D("2026-09-01"))
    assert (result.attempts_used, result.attempts_left) == (0, 4)
    assert result.earliest_next_attempt == D("2026-09-01")
    assert not result.blocked
    assert result.reasons[0].startswith("0 of 4 Step 1 attempts used")


def test_one_failure_leaves_three_with_no_waiting_period() -> None:
    result = assess_eligibility(attempts("2026-05-14"), D("2026-09-01"))
    assert (result.attempts_used, result.attempts_left) == (1, 3)
    assert result.earliest_next_attempt == D("2026-09-01")
    assert any("No waiting period" in r for r in result.reasons)


def test_step2ck_attempts_do_not_count() -> None:
    mixed = attempts("2025-11-05:pass", exam="step2ck") + attempts("2026-04-08")
    result = assess_eligibility(mixed, D("2026-09-01"))
    assert (result.attempts_used, result.attempts_left, result.blocked) == (1, 3, False)


def test_attempts_after_the_as_of_date_are_not_counted() -> None:
    result = assess_eligibility(attempts("2026-01-10", "2026-06-10"), D("2026-03-01"))
    assert result.attempts_used == 1


def test_attempts_given_out_of_order_are_sorted() -> None:
    history = history_of(attempts("2025-08-31", "2025-01-10", "2025-05-01"), D("2025-10-01"))
    assert history.dates == (D("2025-01-10"), D("2025-05-01"), D("2025-08-31"))


def test_a_step2ck_history_holds_the_step2ck_attempts() -> None:
    mixed = attempts("2025-11-05", "2026-04-08:pass", exam="step2ck") + attempts("2024-06-01")
    history = history_of(mixed, D("2026-09-01"), Exam.step2ck)
    assert history.dates == (D("2025-11-05"), D("2026-04-08"))
    assert (history.passed_on, history.closed_by, history.closed_taken, history.exam) == (
        D("2026-04-08"),
        None,
        0,
        Exam.step2ck,
    )


def test_e201_names_step2ck_on_a_step2ck_history() -> None:
    four = attempts("2024-01-10", "2024-06-10", "2025-01-10", "2025-08-10", exam="step2ck")
    found = attempt_limit_reached(history_of(four, D("2026-01-01"), Exam.step2ck))
    assert found is not None and found.blocked
    assert found.reason.startswith("All 4 Step 2 CK attempts allowed are used")
    assert found.reason.endswith("for any Step.")  # no "Step 1 included" about Step 2 CK


# ---------------------------------------------------------------- exhausted_step

FOUR_DAYS = ("2021-11-10", "2022-05-04", "2023-02-15", "2024-03-20")
FIVE_BEFORE_JULY_2021 = ("2017-01-10", "2018-02-01", "2019-03-01", "2020-04-01", "2020-09-01")


@pytest.mark.parametrize(
    ("history", "as_of", "expected"),
    [
        (attempts(*FOUR_DAYS), "2026-09-01", Exam.step1),
        (
            attempts("2021-06-01:pass") + attempts(*FOUR_DAYS, exam="step2ck"),
            "2026-09-01",
            Exam.step2ck,
        ),
        (attempts("2020-03-01") + attempts(*FOUR_DAYS, exam="step2ck"), "2026-09-01", Exam.step2ck),
        # incomplete attempts count towards the limit
        (
            attempts("2022-01-10", "2023-02-01:incomplete", "2024-03-01", "2025-04-01"),
            "2026-09-01",
            Exam.step1,
        ),
        # attempts taken under the older limit of 6 count against today's 4
        (attempts(*FIVE_BEFORE_JULY_2021), "2026-09-01", Exam.step1),
        (attempts(*(f"201{y}-03-01" for y in range(4, 10))), "2021-05-01", Exam.step1),
    ],
    ids=[
        "step1",
        "step2ck_after_a_step1_pass",
        "step2ck_step1_failed",
        "incomplete",
        "five_old_today",
        "six_old",
    ],
)
def test_exhausted_step_names_the_step_whose_limit_is_used_without_a_pass(
    history: list[Attempt], as_of: str, expected: Exam
) -> None:
    assert exhausted_step(history, D(as_of)) is expected


def test_exhausted_step_names_step1_when_both_limits_are_used() -> None:
    both = [*attempts(*FOUR_DAYS, exam="step2ck"), *attempts(*FOUR_DAYS)]
    assert exhausted_step(both, D("2026-09-01")) is Exam.step1
    assert exhausted_step(both, D("2026-09-01"), (Exam.step2ck,)) is Exam.step2ck


@pytest.mark.parametrize(
    ("history", "as_of"),
    [
        ([], "2026-09-01"),
        (attempts(*FOUR_DAYS[:3]), "2026-09-01"),  # one attempt left
        (attempts(*FOUR_DAYS[:3], "2025-01-10:pass"), "2026-09-01"),  # passed on the 4th
        (attempts(*FOUR_DAYS[:3]) + attempts("2025-01-10:pass", exam="step2ck"), "2026-09-01"),
        (attempts(*FOUR_DAYS[:3], "2025-01-10:pass", exam="step2ck"), "2026-09-01"),
        # neither Step at the limit, though six attempts in all
        (attempts(*FOUR_DAYS[:3]) + attempts(*FOUR_DAYS[:3], exam="step2ck"), "2026-09-01"),
        (attempts(*FOUR_DAYS), "2024-01-01"),  # the 4th is after the as-of date
        (attempts(*FIVE_BEFORE_JULY_2021), "2021-05-01"),  # the limit was 6 then
    ],
    ids=[
        "none",
        "three",
        "pass",
        "step2ck_pass",
        "step2ck_passed_on_the_4th",
        "three_each",
        "after_as_of",
        "five_old",
    ],
)
def test_exhausted_step_none_while_each_step_has_an_attempt_left_or_a_pass(
    history: list[Attempt], as_of: str
) -> None:
    assert exhausted_step(history, D(as_of)) is None


def test_exhausted_step_looks_only_at_the_steps_asked() -> None:
    assert exhausted_step(attempts(*FOUR_DAYS), D("2026-09-01"), (Exam.step2ck,)) is None


# ---------------------------------------------------------------- E201 attempt limit


def test_e201_triggers_with_four_failed_attempts() -> None:
    result = assess_eligibility(
        attempts("2021-11-10", "2022-05-04", "2023-02-15", "2024-03-20"), D("2026-09-01")
    )
    assert result.blocked
    assert (result.attempts_used, result.attempts_left) == (4, 0)
    assert result.earliest_next_attempt is None
    assert any("All 4 Step 1 attempts" in r for r in result.reasons)
    assert not any("Step 1 included" in r for r in result.reasons)  # it is the Step 1 limit


def test_e201_triggers_when_an_incomplete_attempt_uses_the_last_one() -> None:
    spec = ("2022-01-10", "2023-02-01:incomplete", "2024-03-01", "2025-04-01")
    result = assess_eligibility(attempts(*spec), D("2026-09-01"))
    assert result.blocked and result.attempts_left == 0


def test_e201_triggers_when_step2ck_used_the_limit_without_a_pass() -> None:
    # After 4 attempts at any Step without a pass, no Step can be applied for (DOMAIN.md)
    step2ck = attempts("2023-01-10", "2023-06-10", "2024-01-11", "2024-09-11", exam="step2ck")
    mixed = step2ck + attempts("2025-01-10")
    result = assess_eligibility(mixed, D("2025-06-01"))
    assert result.blocked and result.earliest_next_attempt is None
    assert (result.attempts_used, result.attempts_left) == (1, 0)
    assert any("All 4 Step 2 CK attempts" in r and "Step 1 included" in r for r in result.reasons)


def test_e201_counts_the_attempts_of_the_step_whose_limit_is_used() -> None:
    # Five Step 2 CK attempts under the older limit of 6: today's limit of 4 is used, and the
    # reason counts the Step 2 CK attempts (5), not the Step 1 ones (1).
    mixed = attempts(*FIVE_BEFORE_JULY_2021, exam="step2ck") + attempts("2025-01-10")
    found = attempt_limit_reached(history_of(mixed, D("2026-09-01")))
    assert found is not None and found.blocked
    assert found.reason == (
        "All 4 Step 2 CK attempts allowed are used without a pass (5 taken, incomplete ones "
        "included): USMLE accepts no further application for any Step, Step 1 included."
    )


def test_e201_quiet_when_step2ck_was_failed_three_times_or_passed_on_the_fourth() -> None:
    three = attempts("2023-01-10", "2023-06-10", "2024-01-11", exam="step2ck")
    result = assess_eligibility([*three, *attempts("2025-01-10")], D("2025-06-01"))
    assert not result.blocked and result.attempts_left == 3
    four = [*three, *attempts("2024-09-11:pass", exam="step2ck")]
    result = assess_eligibility([*four, *attempts("2025-01-10")], D("2025-06-01"))
    assert not result.blocked and result.attempts_left == 3


def test_e203_and_e204_quiet_once_no_attempt_is_left() -> None:
    # Four failed attempts within about a year: blocked, so neither the 12-month window (E203)
    # nor the spacing of a 5th attempt (E204) may give a date for an attempt that cannot be.
    four = attempts("2023-01-10", "2023-04-10", "2023-07-10", "2023-12-20")
    result = assess_eligibility(four, D("2024-01-01"))
    assert result.blocked
    assert not [r for r in result.reasons if "5th attempt" in r or "from 20" in r]


def test_e201_quiet_with_three_failed_attempts() -> None:
    history = history_of(attempts("2023-01-10", "2024-02-01", "2025-03-01"), D("2026-09-01"))
    assert attempt_limit_reached(history) is None
    assert not assess_eligibility(
        attempts("2023-01-10", "2024-02-01", "2025-03-01"), D("2026-09-01")
    ).blocked


def test_e201_quiet_under_the_older_limit_of_six() -> None:
    # Before 2021-07-01 the limit was 6 (DOMAIN.md): four failures still left two.
    spec = ("2017-01-10", "2018-02-01", "2019-03-01", "2020-04-01")
    result = assess_eligibility(attempts(*spec), D("2021-05-01"))
    assert not result.blocked
    assert result.attempts_left == 2


# ---------------------------------------------------------------- E202 passed


def test_e202_triggers_when_step1_was_passed() -> None:
    result = assess_eligibility(attempts("2025-06-01", "2026-01-15:pass"), D("2026-09-01"))
    assert result.blocked
    assert result.attempts_left == 0
    assert result.earliest_next_attempt is None
    assert any("passed on 2026-01-15" in r for r in result.reasons)


def test_e202_quiet_when_step1_was_only_failed() -> None:
    assert already_passed(history_of(attempts("2025-06-01"), D("2026-09-01"))) is None


# ---------------------------------------------------------------- E203 12-month window


def test_e203_triggers_the_day_after_the_oldest_of_three_turns_twelve_months_old() -> None:
    # 29 Feb 2024 + 12 months = 28 Feb 2025; the next attempt may be on the day after.
    # E204 alone would allow 28 Feb 2025 (12 months after the first): the window decides.
    result = assess_eligibility(attempts("2024-02-29", "2024-05-01", "2024-07-01"), D("2024-08-01"))
    assert result.earliest_next_attempt == D("2025-03-01")
    assert any(
        "from 2025-03-01" in r and "3 attempts fall within 12 months" in r for r in result.reasons
    )


def test_e203_triggers_on_the_last_three_only_under_the_limit_of_six() -> None:
    # Four attempts before 2021-07-01: the oldest of the last three is 2019-02-01, so the
    # window opens on 2020-02-02; E204 (5th attempt) would only ask for 2019-11-01.
    spec = ("2018-01-10", "2019-02-01", "2019-03-01", "2019-05-01")
    result = assess_eligibility(attempts(*spec), D("2019-06-01"))
    assert result.earliest_next_attempt == D("2020-02-02")
    history = history_of(attempts(*spec), D("2019-06-01"))
    constraint = twelve_month_window(history)
    assert constraint is not None and constraint.earliest == D("2020-02-02")


def test_e203_quiet_once_the_window_has_passed() -> None:
    history = history_of(attempts("2024-01-10", "2024-03-10", "2024-06-10"), D("2025-03-01"))
    assert twelve_month_window(history) is None
    assert assess_eligibility(
        attempts("2024-01-10", "2024-03-10", "2024-06-10"), D("2025-03-01")
    ).earliest_next_attempt == D("2025-03-01")


def test_e203_quiet_with_two_attempts() -> None:
    history = history_of(attempts("2026-01-10", "2026-04-10"), D("2026-05-01"))
    assert twelve_month_window(history) is None


# ---------------------------------------------------------------- E204 4th-attempt spacing


def test_e204_triggers_six_months_after_the_latest_on_the_31st() -> None:
    # First 2025-01-10 + 12 months = 2026-01-10; latest 2025-08-31 + 6 months = 2026-02-28.
    result = assess_eligibility(attempts("2025-01-10", "2025-05-01", "2025-08-31"), D("2025-10-01"))
    assert result.earliest_next_attempt == D("2026-02-28")
    history = history_of(attempts("2025-01-10", "2025-05-01", "2025-08-31"), D("2025-10-01"))
    constraint = fourth_attempt_spacing(history)
    assert constraint is not None and constraint.earliest == D("2026-02-28")
    assert "4th attempt" in constraint.reason


def test_e204_triggers_twelve_months_after_the_first() -> None:
    # First 2025-03-15 + 12 = 2026-03-15; latest 2025-08-31 + 6 = 2026-02-28. The window rule
    # then adds a day (2026-03-16): both reasons are listed.
    result = assess_eligibility(attempts("2025-03-15", "2025-06-10", "2025-08-31"), D("2025-10-01"))
    assert result.earliest_next_attempt == D("2026-03-16")
    assert any("from 2026-03-15" in r for r in result.reasons)
    assert any("from 2026-03-16" in r for r in result.reasons)


def test_e204_triggers_in_a_leap_year_end_of_february() -> None:
    result = assess_eligibility(attempts("2023-01-05", "2023-04-01", "2023-08-31"), D("2023-09-15"))
    assert result.earliest_next_attempt == D("2024-02-29")


def test_e204_quiet_for_a_third_attempt() -> None:
    history = history_of(attempts("2026-01-10", "2026-04-10"), D("2026-05-01"))
    assert fourth_attempt_spacing(history) is None
    result = assess_eligibility(attempts("2026-01-10", "2026-04-10"), D("2026-05-01"))
    assert result.earliest_next_attempt == D("2026-05-01")


def test_e204_quiet_when_the_gaps_are_respected() -> None:
    history = history_of(attempts("2024-01-10", "2024-09-10", "2025-06-10"), D("2026-01-01"))
    assert fourth_attempt_spacing(history) is None


def test_earliest_is_never_before_the_as_of_date() -> None:
    result = assess_eligibility(attempts("2020-01-10", "2021-01-10", "2022-01-10"), D("2026-09-01"))
    assert result.earliest_next_attempt == D("2026-09-01")


# ---------------------------------------------------------------- E205 last attempt


def test_e205_triggers_when_one_attempt_is_left() -> None:
    history = history_of(attempts("2024-01-10", "2024-09-10", "2025-06-10"), D("2026-01-01"))
    constraint = last_attempt(history)
    assert constraint is not None and "last of 4" in constraint.reason
    assert not constraint.blocked and constraint.earliest is None


def test_e205_quiet_with_three_attempts_left() -> None:
    assert last_attempt(history_of(attempts("2026-05-14"), D("2026-09-01"))) is None
