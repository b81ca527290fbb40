"""The Step 1 -> Step 2 CK -> Match timeline (T5xx) and its views, on hand-computed dates.

Calendar facts used below (DOMAIN.md): Match 2027 programs review 2026-09-23 (inferred, L);
later years follow the pattern: ERAS opens the first Wednesday of June, submissions the first
Wednesday of September, programs review three weeks later, Match Day the third Friday of March,
the rank list 16 days before. Results: the first Wednesday at least 28 days after the test,
moved a week while in the week of July 4 or December 25-31.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from rich.console import Console

from step1plan.analysis import make_context
from step1plan.facts import match_calendar
from step1plan.models.profile import Profile
from step1plan.models.report import Eligibility, Readiness, Timeline, Verdict
from step1plan.plans import Plan
from step1plan.report.jsonout import jsonable
from step1plan.report.timeline_view import (
    eligibility_line,
    timeline_markdown,
    timeline_renderables,
)
from step1plan.rules.base import Context
from step1plan.rules.eligibility import assess_eligibility
from step1plan.rules.studyplan import build_study_plan, choose_retake_date
from step1plan.rules.timeline import (
    Step2ckWindow,
    build_timeline,
    ecfmg_requirements,
    exam_order,
    exams_passed,
    latest_test_with_result_by,
    match_cycle,
    milestone,
    planned_step2ck,
    result_release,
    step1_retake_date,
    step2ck_attempts,
    step2ck_prep,
)

D = dt.date
NOT_READY = Readiness(Verdict.not_ready)
_FIVE = ((2018, 1), (2018, 8), (2019, 3), (2019, 9), (2020, 6))
"""Years and months of five Step 1 fails taken while the attempt limit was 6."""


def profile(**parts: Any) -> Profile:
    """A profile with one failed Step 1 attempt on 2025-12-01; ``parts`` replace sections."""
    data: dict[str, Any] = {
        "student": {"id": "t-1"},
        "attempts": [{"exam": "step1", "date": "2025-12-01", "result": "fail"}],
    }
    data.update(parts)
    return Profile.model_validate(data)


def ctx_for(plan: Plan, as_of: dt.date, prof: Profile) -> Context:
    return make_context(plan, as_of, prof)


def eligible(on: dt.date) -> Eligibility:
    return Eligibility(attempts_used=1, attempts_left=3, earliest_next_attempt=on, blocked=False)


def timeline_for(
    plan: Plan, as_of: dt.date, readiness: Readiness = NOT_READY, **parts: Any
) -> Timeline:
    return build_timeline(ctx_for(plan, as_of, profile(**parts)), eligible(as_of), readiness)


def dates(timeline: Timeline) -> dict[str, dt.date]:
    return {m.id: m.date for m in timeline.milestones}


def render(items: list[Any]) -> str:
    console = Console(width=100, no_color=True, record=True, file=io.StringIO())
    for item in items:
        console.print(item)
    return console.export_text()


# ---------------------------------------------------------------- whole timelines


def test_feasible_cycle_with_hand_computed_dates(default_plan: Plan) -> None:
    t = timeline_for(
        default_plan, D(2026, 1, 10), target={"step1_date": "2026-02-04", "match_year": 2027}
    )
    assert (t.match_year, t.feasible, t.next_feasible_match_year) == (2027, True, None)
    got = dates(t)
    assert got["step1_retake"] == D(2026, 2, 4)
    assert got["step1_result"] == D(2026, 3, 4)  # +28 days is a Wednesday
    assert got["step2ck_prep_start"] == D(2026, 3, 4)  # prep starts with the result (plan)
    assert got["step2ck_test"] == D(2026, 4, 29)  # 8 weeks of preparation
    assert got["step2ck_result"] == D(2026, 5, 27)
    # Match 2027 from the known table.
    assert got["eras_opens"] == D(2026, 6, 3)
    assert got["eras_submit"] == D(2026, 9, 2)
    assert got["programs_review"] == D(2026, 9, 23)
    assert got["nrmp_registration"] == D(2026, 9, 15)
    assert got["rank_list_deadline"] == D(2027, 3, 3)
    assert got["match_day"] == D(2027, 3, 19)
    result = milestone(t, "step2ck_result")
    assert result is not None and result.slack_days == 119  # 2026-05-27 -> 2026-09-23
    test = milestone(t, "step2ck_test")
    assert test is not None and test.slack_days == 119  # latest test 2026-08-26
    retake = milestone(t, "step1_retake")
    assert retake is not None and not retake.estimate and retake.days_from_as_of == 25
    assert "ecfmg_requirements" not in got


def test_milestones_are_sorted_by_date_with_fixed_ids(default_plan: Plan) -> None:
    t = timeline_for(
        default_plan, D(2026, 1, 10), target={"step1_date": "2026-02-04", "match_year": 2027}
    )
    assert [m.date for m in t.milestones] == sorted(m.date for m in t.milestones)
    assert {m.id for m in t.milestones} == {
        "step1_retake",
        "step1_result",
        "step2ck_prep_start",
        "step2ck_test",
        "step2ck_result",
        "eras_opens",
        "eras_submit",
        "programs_review",
        "nrmp_registration",
        "rank_list_deadline",
        "match_day",
    }


def test_infeasible_target_shows_the_next_cycle(default_plan: Plan) -> None:
    t = timeline_for(
        default_plan,
        D(2026, 7, 1),
        attempts=[{"exam": "step1", "date": "2026-05-14", "result": "fail"}],
        target={"step1_date": "2026-08-05", "match_year": 2027},
    )
    assert (t.match_year, t.feasible, t.next_feasible_match_year) == (2027, False, 2028)
    got = dates(t)
    assert got["step1_result"] == D(2026, 9, 2)
    assert got["step2ck_test"] == D(2026, 10, 28)
    assert got["step2ck_result"] == D(2026, 11, 25)
    # Match 2028 from the pattern: hand-computed.
    assert got["eras_opens"] == D(2027, 6, 2)  # first Wednesday of June 2027
    assert got["eras_submit"] == D(2027, 9, 1)  # first Wednesday of September 2027
    assert got["programs_review"] == D(2027, 9, 22)  # three weeks later
    assert got["match_day"] == D(2028, 3, 17)  # third Friday of March 2028
    assert got["rank_list_deadline"] == D(2028, 3, 1)  # 16 days before
    assert all(m.estimate for m in t.milestones if m.id in ("eras_opens", "match_day"))
    assert any("Match 2027 is not feasible" in n and "Match 2028" in n for n in t.notes)


def test_earliest_feasible_year_without_a_target(default_plan: Plan) -> None:
    t = timeline_for(
        default_plan,
        D(2026, 7, 1),
        attempts=[{"exam": "step1", "date": "2026-05-14", "result": "fail"}],
        target={"step1_date": "2026-08-05"},
    )
    assert (t.match_year, t.feasible, t.next_feasible_match_year) == (2028, True, None)
    assert any("earliest feasible is Match 2028" in n for n in t.notes)


def test_preparation_is_shortened_to_the_minimum_when_that_fits(default_plan: Plan) -> None:
    # Result 2026-07-15; 8 weeks would test 2026-09-09 (result 2026-10-07, too late for
    # 2026-09-23); 6 weeks tests 2026-08-26, whose result comes on 2026-09-23 exactly.
    t = timeline_for(
        default_plan, D(2026, 6, 1), target={"step1_date": "2026-06-17", "match_year": 2027}
    )
    assert t.feasible and t.match_year == 2027
    got = dates(t)
    assert got["step1_result"] == D(2026, 7, 15)
    assert got["step2ck_test"] == D(2026, 8, 26)
    assert got["step2ck_result"] == D(2026, 9, 23)
    test = milestone(t, "step2ck_test")
    assert test is not None and test.slack_days == 0
    assert test.note is not None and "shortened to 6 weeks" in test.note


def test_cycle_is_infeasible_when_only_cutting_below_the_minimum_fits(default_plan: Plan) -> None:
    # One week later: the minimum 6 weeks would test 2026-09-02, result 2026-09-30.
    t = timeline_for(
        default_plan, D(2026, 6, 1), target={"step1_date": "2026-06-24", "match_year": 2027}
    )
    assert (t.feasible, t.next_feasible_match_year) == (False, 2028)
    assert dates(t)["step2ck_test"] == D(2026, 9, 16)  # full 8 weeks from 2026-07-22
    assert any("under the minimum of 6 weeks" in n for n in t.notes)


def test_step1_result_in_a_no_release_week_moves_the_chain(default_plan: Plan) -> None:
    # 2027-06-09 + 28 days = 2027-07-07, in the week of July 4 2027 (Sun 07-04 to Sat 07-10).
    t = timeline_for(
        default_plan,
        D(2027, 1, 10),
        attempts=[{"exam": "step1", "date": "2026-12-01", "result": "fail"}],
        target={"step1_date": "2027-06-09"},
    )
    result = milestone(t, "step1_result")
    assert result is not None and result.date == D(2027, 7, 14)
    assert result.note is not None and result.note.startswith("T503")
    assert dates(t)["step2ck_prep_start"] == D(2027, 7, 14)


def test_img_timeline_has_the_ecfmg_milestone_at_the_rank_list_deadline(
    default_plan: Plan,
) -> None:
    t = timeline_for(
        default_plan,
        D(2026, 1, 10),
        student={"id": "i-1", "graduate_type": "img"},
        target={"step1_date": "2026-02-04", "match_year": 2027},
    )
    ecfmg = milestone(t, "ecfmg_requirements")
    assert ecfmg is not None and ecfmg.date == D(2027, 3, 3) == dates(t)["rank_list_deadline"]
    ids = [m.id for m in t.milestones]
    assert ids.index("ecfmg_requirements") == ids.index("rank_list_deadline") - 1


def test_blocked_eligibility_gives_no_milestones(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile())
    blocked = Eligibility(4, 0, None, True, ("Four attempts used.",))
    t = build_timeline(ctx, blocked, Readiness(Verdict.ineligible))
    assert (t.feasible, t.milestones) == (False, ())
    assert any(n.startswith("T502") and "Four attempts used." in n for n in t.notes)


def test_step2ck_result_by_eras_submit_is_stricter(default_plan: Plan) -> None:
    strict = default_plan.model_copy(
        update={
            "timeline": default_plan.timeline.model_copy(
                update={"step2ck_result_by": "eras_submit"}
            )
        }
    )
    t = timeline_for(
        strict, D(2026, 1, 10), target={"step1_date": "2026-02-04", "match_year": 2027}
    )
    assert t.feasible  # result 2026-05-27 is before 2026-09-02
    result = milestone(t, "step2ck_result")
    assert result is not None and result.slack_days == (D(2026, 9, 2) - D(2026, 5, 27)).days
    # The retake of 2026-06-17 fits programs review (see above) but not the submission date:
    # a result by 2026-09-02 needs the test by 2026-08-05, 3 weeks after the Step 1 result.
    t = timeline_for(strict, D(2026, 6, 1), target={"step1_date": "2026-06-17", "match_year": 2027})
    assert (t.feasible, t.next_feasible_match_year) == (False, 2028)
    assert any("2026-08-05" in n and "3 weeks" in n for n in t.notes)


def test_prep_can_start_after_the_retake_instead_of_the_result(default_plan: Plan) -> None:
    plan = default_plan.model_copy(
        update={
            "timeline": default_plan.timeline.model_copy(
                update={"step2ck_prep_starts_after": "step1_retake"}
            )
        }
    )
    t = timeline_for(plan, D(2026, 1, 10), target={"step1_date": "2026-02-04"})
    assert dates(t)["step2ck_prep_start"] == D(2026, 2, 5)
    assert dates(t)["step2ck_test"] == D(2026, 4, 2)


# ---------------------------------------------------------------- T501 exams already passed


def test_t501_triggers_when_step2ck_was_passed(default_plan: Plan) -> None:
    attempts = [
        {"exam": "step1", "date": "2025-06-01", "result": "fail"},
        {"exam": "step2ck", "date": "2025-09-01", "result": "pass", "score": 240},
    ]
    passed = exams_passed(profile(attempts=attempts))
    assert passed.step2ck == D(2025, 9, 1) and passed.step1 is None
    assert passed.notes and passed.notes[0].startswith("T501")
    t = timeline_for(
        default_plan, D(2026, 1, 10), attempts=attempts, target={"step1_date": "2026-02-04"}
    )
    assert not any(m.id.startswith("step2ck") for m in t.milestones)
    assert {"step1_retake", "step1_result"} <= set(dates(t))


def test_t501_triggers_when_step1_was_passed(default_plan: Plan) -> None:
    attempts = [
        {"exam": "step1", "date": "2025-06-01", "result": "fail"},
        {"exam": "step1", "date": "2025-10-01", "result": "pass"},
    ]
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(attempts=attempts))
    t = build_timeline(ctx, Eligibility(2, 0, None, True, ("passed",)), NOT_READY)
    assert not any(m.id.startswith("step1") for m in t.milestones)
    assert dates(t)["step2ck_prep_start"] == D(2026, 1, 10)  # from the as-of date
    assert t.feasible and t.match_year == 2027


def test_t501_quiet_without_a_pass() -> None:
    passed = exams_passed(profile())
    assert (passed.step1, passed.step2ck, passed.notes) == (None, None, ())


# ---------------------------------------------------------------- T502 retake date


def test_t502_quiet_with_a_planned_date_after_eligibility(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(target={"step1_date": "2026-03-01"}))
    choice = step1_retake_date(ctx, eligible(D(2026, 1, 10)), NOT_READY)
    assert (choice.date, choice.source, choice.note, choice.estimate) == (
        D(2026, 3, 1),
        "planned",
        None,
        False,
    )


def test_t502_triggers_when_the_planned_date_is_before_eligibility(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(target={"step1_date": "2026-02-01"}))
    choice = step1_retake_date(ctx, eligible(D(2026, 4, 1)), NOT_READY)
    assert (choice.date, choice.source) == (D(2026, 4, 1), "recommended")
    assert choice.note is not None and "2026-04-01" in choice.note


@pytest.mark.parametrize(
    "readiness",
    [
        Readiness(Verdict.ready),
        Readiness(Verdict.not_ready, projected_ready_date=D(2026, 3, 2)),
        Readiness(Verdict.borderline),
    ],
    ids=["ready", "projected", "borderline"],
)
@pytest.mark.parametrize("earliest", [D(2026, 1, 10), D(2026, 5, 1)], ids=["now", "later"])
def test_t502_gives_the_study_plans_date_never_before_eligibility(
    default_plan: Plan, readiness: Readiness, earliest: dt.date
) -> None:
    # One retake date in the whole report: the timeline's is the one the weeks run to.
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile())
    eligibility = eligible(earliest)
    choice = step1_retake_date(ctx, eligibility, readiness)
    plan = build_study_plan(ctx, (), readiness, eligibility)
    assert choice.date == plan.retake_date
    assert choice.date is not None and choice.date >= earliest
    assert (choice.source, choice.estimate) == ("recommended", True)
    assert choice.note is not None and "P402" in choice.note


def test_t502_triggers_recommended_date_when_not_ready_without_projection(
    default_plan: Plan,
) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(target={"step1_date": "2025-12-20"}))
    choice = step1_retake_date(ctx, eligible(D(2026, 1, 10)), NOT_READY)
    assert choice.source == "recommended"
    assert choice.date == choose_retake_date(ctx, NOT_READY).date
    assert choice.note is not None and "P402" in choice.note
    t = build_timeline(ctx, eligible(D(2026, 1, 10)), NOT_READY)
    retake = milestone(t, "step1_retake")
    assert retake is not None and retake.estimate and retake.note is not None
    assert retake.note.startswith("T502")


def test_t502_triggers_blocked(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile())
    choice = step1_retake_date(ctx, Eligibility(4, 0, None, True, ("No attempt left.",)), NOT_READY)
    assert choice.date is None and choice.note is not None and "No attempt left." in choice.note


# ---------------------------------------------------------------- T503 release


def test_t503_quiet_on_an_ordinary_week() -> None:
    release = result_release(D(2026, 2, 4), "Step 1")
    assert (release.date, release.note) == (D(2026, 3, 4), None)
    # a Friday test: +28 days is a Friday, the next Wednesday follows
    assert result_release(D(2026, 2, 6), "Step 1").date == D(2026, 3, 11)


@pytest.mark.parametrize(
    ("test_day", "expected"),
    [
        (D(2027, 6, 9), D(2027, 7, 14)),  # 07-07 is in the week of July 4 2027
        (D(2026, 11, 27), D(2027, 1, 6)),  # 12-30 is in the last week of December
    ],
    ids=["t503_triggers_july4", "t503_triggers_december"],
)
def test_release_in_a_no_release_week(test_day: dt.date, expected: dt.date) -> None:
    release = result_release(test_day, "Step 2 CK")
    assert release.date == expected
    assert release.note is not None and "no score release" in release.note


def test_latest_test_with_result_by() -> None:
    assert latest_test_with_result_by(D(2026, 9, 23)) == D(2026, 8, 26)
    # 2027-06-30 + 28 days is the Wednesday 2027-07-28 itself
    assert latest_test_with_result_by(D(2027, 7, 28)) == D(2027, 6, 30)
    # by 2027-07-13: a test from 06-03 to 06-09 would get 07-07, in the week of July 4 2027
    # (Sun 07-04 to Sat 07-10), so 07-14: too late; 06-02 gets 06-30
    assert latest_test_with_result_by(D(2027, 7, 13)) == D(2027, 6, 2)


# ---------------------------------------------------------------- T504 preparation window


def test_t504_quiet_without_clerkships_or_weak_shelves(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(clerkships={"shelves": {"medicine": 80}}))
    prep = step2ck_prep(ctx, D(2026, 3, 4), estimate=True)
    assert (prep.start, prep.weeks, prep.min_weeks, prep.note) == (D(2026, 3, 4), 8, 6, None)
    assert prep.full_end == D(2026, 4, 29) and prep.min_end == D(2026, 4, 15)


def test_t504_triggers_with_a_remaining_clerkship_and_a_weak_shelf(default_plan: Plan) -> None:
    clerkships = {
        "remaining": [
            {"name": "pediatrics", "ends": "2026-04-30"},
            {"name": "psychiatry", "ends": "2026-03-20"},
        ],
        "shelves": {"medicine": 72, "surgery": 64},
    }
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(clerkships=clerkships))
    prep = step2ck_prep(ctx, D(2026, 3, 4), estimate=True)
    assert prep.start == D(2026, 5, 1)  # the day after pediatrics ends
    assert (prep.weeks, prep.min_weeks, prep.estimate) == (10, 8, False)
    assert prep.note is not None
    assert "pediatrics" in prep.note and "surgery 64" in prep.note


def test_t504_triggers_when_the_planned_test_comes_before_a_clerkship_ends(
    default_plan: Plan,
) -> None:
    # Psychiatry ends before the planned 2026-04-15 test, pediatrics after it: only psychiatry
    # delays the start, or preparation would start after the test.
    clerkships = {
        "remaining": [
            {"name": "pediatrics", "ends": "2026-04-30"},
            {"name": "psychiatry", "ends": "2026-03-20"},
        ],
    }
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(clerkships=clerkships))
    prep = step2ck_prep(ctx, D(2026, 3, 4), estimate=True, planned_test=D(2026, 4, 15))
    assert (prep.start, prep.estimate) == (D(2026, 3, 21), False)  # after psychiatry
    assert prep.note is not None
    assert "after the clerkship (psychiatry) ends" in prep.note  # not "last": one runs on
    assert "2026-04-15 comes before the last remaining clerkship (pediatrics)" in prep.note
    assert "shares its weeks with the clerkships still running" in prep.note


def test_t504_waits_for_clerkships_ending_before_the_planned_test(default_plan: Plan) -> None:
    clerkships = {"remaining": [{"name": "pediatrics", "ends": "2026-04-30"}]}
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(clerkships=clerkships))
    prep = step2ck_prep(ctx, D(2026, 3, 4), estimate=True, planned_test=D(2026, 6, 24))
    assert prep.start == D(2026, 5, 1)
    assert prep.note is not None and "comes before" not in prep.note


# ---------------------------------------------------------------- T505 planned Step 2 CK


def _prep(ctx: Context) -> Any:
    return step2ck_prep(ctx, D(2026, 3, 4), estimate=True)


def test_t505_quiet_with_enough_preparation(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(target={"step2ck_date": "2026-05-06"}))
    assert planned_step2ck(ctx, _prep(ctx)).note is None
    assert planned_step2ck(ctx, _prep(ctx)).date == D(2026, 5, 6)


def test_t505_triggers_when_the_planned_date_squeezes_preparation(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(target={"step2ck_date": "2026-04-01"}))
    planned = planned_step2ck(ctx, _prep(ctx))
    assert planned.date == D(2026, 4, 1)
    assert planned.note is not None and "4 weeks" in planned.note


def test_t505_triggers_when_the_planned_date_has_passed(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(target={"step2ck_date": "2026-01-02"}))
    planned = planned_step2ck(ctx, _prep(ctx))
    assert planned.date is None and planned.note is not None


def test_planned_squeezed_date_is_kept_but_does_not_make_a_cycle_feasible(
    default_plan: Plan,
) -> None:
    # Planned 2026-08-19 (5 weeks after the 2026-07-15 result): its result 2026-09-16 would
    # fit, but only by cutting below 6 weeks... which also fits (08-26 -> 09-23): feasible.
    t = timeline_for(
        default_plan,
        D(2026, 6, 1),
        target={"step1_date": "2026-06-17", "step2ck_date": "2026-08-19", "match_year": 2027},
    )
    assert t.feasible and dates(t)["step2ck_test"] == D(2026, 8, 19)
    # A week later the minimum no longer fits: the squeeze alone would make it.
    t = timeline_for(
        default_plan,
        D(2026, 6, 1),
        target={"step1_date": "2026-06-24", "step2ck_date": "2026-08-26", "match_year": 2027},
    )
    assert (t.feasible, t.next_feasible_match_year) == (False, 2028)
    test = milestone(t, "step2ck_test")
    assert test is not None and test.date == D(2026, 8, 26)
    assert test.note is not None and "T505" in test.note


# ---------------------------------------------------------------- T506 cycle


def _window(start: dt.date, planned: dt.date | None = None) -> Step2ckWindow:
    return Step2ckWindow(
        start, start + dt.timedelta(weeks=8), start + dt.timedelta(weeks=6), planned
    )


def test_t506_quiet_when_the_target_fits(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(target={"match_year": 2027}))
    cycle = match_cycle(ctx, D(2026, 3, 4), _window(D(2026, 3, 4)))
    assert (cycle.match_year, cycle.feasible, cycle.next_feasible, cycle.note) == (
        2027,
        True,
        None,
        None,
    )


def test_t506_triggers_when_the_target_does_not_fit(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(target={"match_year": 2027}))
    cycle = match_cycle(ctx, D(2026, 7, 22), _window(D(2026, 7, 22)))
    assert (cycle.match_year, cycle.feasible, cycle.next_feasible) == (2027, False, 2028)
    assert cycle.note is not None and "2026-08-26" in cycle.note


def test_t506_triggers_for_a_target_year_already_past(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 10, 1), profile(target={"match_year": 2027}))
    cycle = match_cycle(ctx, None, _window(D(2026, 10, 1)))
    assert (cycle.feasible, cycle.next_feasible) == (False, 2028)
    assert cycle.note is not None and "out of reach" in cycle.note


def test_t506_explains_a_squeezed_planned_date_with_its_own_dates(default_plan: Plan) -> None:
    # Preparation from 2026-07-22, minimum 6 weeks (09-02, result 09-30): too late for
    # 2026-09-23. The planned 2026-08-05 gets its result on 09-02, in time, after 2 weeks.
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(target={"match_year": 2027}))
    cycle = match_cycle(ctx, None, _window(D(2026, 7, 22), D(2026, 8, 5)))
    assert (cycle.feasible, cycle.next_feasible) == (False, 2028)
    assert cycle.note is not None
    assert "test on 2026-08-05 gives its result on 2026-09-02, in time" in cycle.note
    assert "leaves 2 weeks of preparation from 2026-07-22" in cycle.note


def test_t506_explains_a_planned_date_whose_result_is_late(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(target={"match_year": 2027}))
    cycle = match_cycle(ctx, None, _window(D(2026, 6, 1), D(2026, 9, 2)))
    assert cycle.note is not None
    assert "gives its result on 2026-09-30, after the day programs" in cycle.note


# ---------------------------------------------------------------- T507 ECFMG


def test_t507_triggers_for_an_img() -> None:
    prof = profile(student={"id": "i-1", "graduate_type": "img"})
    m = ecfmg_requirements(prof, match_calendar(2029), D(2026, 1, 10))
    assert m is not None and m.id == "ecfmg_requirements"
    assert m.date == D(2029, 3, 16) - dt.timedelta(days=16)  # third Friday of March 2029
    assert m.estimate and m.note is not None and "OET" in m.note


def test_t507_quiet_for_a_us_graduate() -> None:
    prof = profile(student={"id": "u-1", "graduate_type": "us_do"})
    assert ecfmg_requirements(prof, match_calendar(2029), D(2026, 1, 10)) is None


# ---------------------------------------------------------------- T508 order of the two exams


def test_t508_triggers_when_step2ck_is_planned_before_the_retake(default_plan: Plan) -> None:
    # Step 2 CK on 2026-03-04, the Step 1 retake on 2026-05-06 (result 2026-06-03).
    t = timeline_for(
        default_plan,
        D(2026, 1, 10),
        target={"step1_date": "2026-05-06", "step2ck_date": "2026-03-04", "match_year": 2027},
    )
    got = dates(t)
    assert got["step2ck_prep_start"] == D(2026, 1, 10)  # from the as-of date, not 2026-06-03
    assert got["step2ck_test"] == D(2026, 3, 4)
    assert got["step2ck_result"] == D(2026, 4, 1)
    assert (got["step1_retake"], got["step1_result"]) == (D(2026, 5, 6), D(2026, 6, 3))
    ids = [m.id for m in t.milestones]
    assert ids[:5] == [
        "step2ck_prep_start",
        "step2ck_test",
        "step2ck_result",
        "step1_retake",
        "step1_result",
    ]
    # The retake's slack no longer runs through Step 2 CK: the latest retake whose result
    # comes by 2026-09-23 is 2026-08-26.
    retake = milestone(t, "step1_retake")
    assert retake is not None and retake.slack_days == (D(2026, 8, 26) - D(2026, 5, 6)).days
    test = milestone(t, "step2ck_test")
    assert test is not None and test.note is None  # 7.6 weeks: not squeezed
    (note,) = [n for n in t.notes if n.startswith("T508")]
    assert "Step 2 CK first" in note and "2026-05-06" in note
    assert "schools require Step 1" in note
    assert "as-of date" not in note  # the table shows where preparation starts
    assert t.feasible and t.match_year == 2027


def planned_ctx(plan: Plan, step1: str, step2ck: str) -> Context:
    """A context on 2026-01-10 with both tests planned."""
    target = {"step1_date": step1, "step2ck_date": step2ck}
    return ctx_for(plan, D(2026, 1, 10), profile(target=target))


def test_t508_triggers_for_step2ck_between_the_retake_and_its_result(default_plan: Plan) -> None:
    # Retake 2026-02-04, result 2026-03-04; Step 2 CK on 2026-02-25: preparation from 02-05.
    ctx = planned_ctx(default_plan, "2026-02-04", "2026-02-25")
    order = exam_order(ctx, D(2026, 2, 4), D(2026, 3, 4))
    assert (order.after, order.earliest) == ("step1_retake", D(2026, 2, 5))
    assert order.note is not None and "before the Step 1 result (2026-03-04)" in order.note
    assert "counted from the day after the retake instead of from the result" in order.note
    t = build_timeline(ctx, eligible(D(2026, 1, 10)), NOT_READY)
    assert dates(t)["step2ck_prep_start"] == D(2026, 2, 5)
    test = milestone(t, "step2ck_test")
    assert test is not None and test.note is not None and "2.9 weeks" in test.note
    assert [m.date for m in t.milestones] == sorted(m.date for m in t.milestones)


def test_t508_triggers_for_step2ck_on_the_retake_day(default_plan: Plan) -> None:
    ctx = planned_ctx(default_plan, "2026-03-04", "2026-03-04")
    order = exam_order(ctx, D(2026, 3, 4), D(2026, 4, 1))
    assert (order.after, order.earliest) == ("nothing", D(2026, 1, 10))
    assert order.note is not None and "on the same day as the Step 1 retake" in order.note


NEUROLOGY_TO_JULY = {"remaining": [{"name": "neurology", "ends": "2026-07-17"}]}
"""A clerkship still running long after the Step 2 CK dates planned below."""


@pytest.mark.parametrize(
    ("step1_date", "step2ck_date", "prep_start"),
    [
        ("2026-05-06", "2026-03-04", D(2026, 1, 10)),  # Step 2 CK first: from the as-of date
        ("2026-02-04", "2026-02-25", D(2026, 2, 5)),  # before the result: day after the retake
    ],
    ids=["t508_first_during_clerkships", "t508_between_during_clerkships"],
)
def test_t508_start_holds_while_clerkships_still_run(
    default_plan: Plan, step1_date: str, step2ck_date: str, prep_start: dt.date
) -> None:
    # The neurology clerkship ends 2026-07-17, after the planned test: preparation cannot wait
    # for it, so T508's start stands, and the cycle is judged on the dates shown.
    t = timeline_for(
        default_plan,
        D(2026, 1, 10),
        target={"step1_date": step1_date, "step2ck_date": step2ck_date, "match_year": 2027},
        clerkships=NEUROLOGY_TO_JULY,
    )
    got = dates(t)
    assert got["step2ck_prep_start"] == prep_start
    assert got["step2ck_test"] == D.fromisoformat(step2ck_date)
    assert [m.date for m in t.milestones] == sorted(m.date for m in t.milestones)
    start = milestone(t, "step2ck_prep_start")
    assert start is not None and start.note is not None
    assert "comes before the last remaining clerkship (neurology)" in start.note
    assert t.feasible and t.match_year == 2027
    assert not any(n.startswith("T506") for n in t.notes)


def test_step2ck_after_the_retake_still_waits_for_the_clerkship(default_plan: Plan) -> None:
    # Planned after the retake and after neurology ends: preparation follows the clerkship.
    t = timeline_for(
        default_plan,
        D(2026, 1, 10),
        target={"step1_date": "2026-02-04", "step2ck_date": "2026-09-09", "match_year": 2027},
        clerkships=NEUROLOGY_TO_JULY,
    )
    assert dates(t)["step2ck_prep_start"] == D(2026, 7, 18)
    start = milestone(t, "step2ck_prep_start")
    assert start is not None and start.note is not None and "comes before" not in start.note


@pytest.mark.parametrize(
    "step2ck_date",
    [None, "2026-03-04", "2026-05-06", "2026-01-05"],
    ids=["t508_quiet_unplanned", "t508_quiet_on_result", "t508_quiet_after", "t508_quiet_past"],
)
def test_t508_quiet_when_step2ck_follows_the_chain(
    default_plan: Plan, step2ck_date: str | None
) -> None:
    target = {"step1_date": "2026-02-04"}
    if step2ck_date is not None:
        target["step2ck_date"] = step2ck_date
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(target=target))
    order = exam_order(ctx, D(2026, 2, 4), D(2026, 3, 4))
    assert (order.after, order.earliest, order.note) == ("step1_result", D(2026, 3, 4), None)
    t = build_timeline(ctx, eligible(D(2026, 1, 10)), NOT_READY)
    assert not any(n.startswith("T508") for n in t.notes)


# ---------------------------------------------------------------- T509 Step 2 CK attempt rules

AS_OF_CK = D(2026, 11, 27)
STEP1_PASSED = {"exam": "step1", "date": "2024-06-20", "result": "pass"}
NO_RETAKE = Eligibility(1, 0, None, True, ("passed",))


def step2ck_fails(*days: str) -> list[dict[str, Any]]:
    """Step 1 passed in 2024, then Step 2 CK failed on ``days``."""
    return [STEP1_PASSED, *({"exam": "step2ck", "date": d, "result": "fail"} for d in days)]


def test_t509_triggers_a_wait_for_a_fourth_step2ck_attempt(default_plan: Plan) -> None:
    # A 4th attempt: 12 months after the first (2027-01-10) and 6 after the latest
    # (2027-04-10); the 12-month window alone would allow 2027-01-11.
    prof = profile(
        attempts=step2ck_fails("2026-01-10", "2026-05-10", "2026-10-10"),
        target={"match_year": 2028, "step2ck_date": "2027-01-22"},
    )
    rules = step2ck_attempts(prof, AS_OF_CK)
    assert (rules.blocked, rules.not_before) == (False, D(2027, 4, 10))
    assert rules.note is not None and "2027-04-10" in rules.note
    assert "timed to end" not in rules.note  # the test may well come later (the Step 1 chain)
    assert rules.note.startswith("The next Step 2 CK test cannot be before 2027-04-10. 3 attempts")
    t = build_timeline(ctx_for(default_plan, AS_OF_CK, prof), NO_RETAKE, NOT_READY)
    got = dates(t)
    assert got["step2ck_test"] == D(2027, 4, 10)  # not the planned 2027-01-22
    assert got["step2ck_prep_start"] == D(2027, 2, 13)  # 8 weeks before it
    test = milestone(t, "step2ck_test")
    assert test is not None and test.note is not None and "T509" in test.note
    assert any(n.startswith("T509") for n in t.notes)
    assert t.feasible and t.match_year == 2028
    assert (
        "The planned Step 2 CK date 2027-01-22 is before the attempt rules allow the next Step 2 "
        "CK test (2027-04-10, T509), so the timeline plans the test from the preparation window."
    ) in test.note


def test_t509_triggers_no_cycle_after_four_step2ck_fails(default_plan: Plan) -> None:
    prof = profile(attempts=step2ck_fails("2025-03-20", "2025-08-20", "2026-02-20", "2026-09-20"))
    rules = step2ck_attempts(prof, AS_OF_CK)
    assert rules.blocked and rules.note is not None and "All 4 Step 2 CK" in rules.note
    t = build_timeline(ctx_for(default_plan, AS_OF_CK, prof), NO_RETAKE, NOT_READY)
    assert (t.feasible, t.milestones) == (False, ())
    assert any(n.startswith("T509: No Step 2 CK test can be planned") for n in t.notes)
    assert "no Match cycle can be planned" in render(timeline_renderables(t, NO_RETAKE, AS_OF_CK))


@pytest.mark.parametrize(
    "days", [(), ("2026-08-20",)], ids=["t509_quiet_no_attempt", "t509_quiet_one_fail"]
)
def test_t509_quiet_without_a_waiting_period(default_plan: Plan, days: tuple[str, ...]) -> None:
    prof = profile(attempts=step2ck_fails(*days))
    assert step2ck_attempts(prof, AS_OF_CK) == step2ck_attempts(profile(), AS_OF_CK)
    assert step2ck_attempts(prof, AS_OF_CK).note is None
    t = build_timeline(ctx_for(default_plan, AS_OF_CK, prof), NO_RETAKE, NOT_READY)
    assert dates(t)["step2ck_test"] == D(2027, 1, 22)  # 8 weeks from the as-of date


def test_a_cycle_the_step2ck_wait_rules_out_says_so(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile(target={"match_year": 2027}))
    window = Step2ckWindow(D(2026, 3, 4), D(2026, 4, 29), D(2026, 4, 15), None, D(2026, 9, 1))
    assert window.test_for(D(2026, 9, 23)) is None  # the 09-01 result comes on 09-30
    cycle = match_cycle(ctx, None, window)
    assert (cycle.feasible, cycle.next_feasible) == (False, 2028)
    assert cycle.note is not None and "allow the next one from 2026-09-01 (T509)" in cycle.note


# ---------------------------------------------------------------- JSON and views


def test_timeline_json_has_design_keys(default_plan: Plan) -> None:
    t = timeline_for(
        default_plan, D(2026, 1, 10), target={"step1_date": "2026-02-04", "match_year": 2027}
    )
    data = jsonable(t)
    assert {"match_year", "feasible", "milestones"} <= set(data)
    first = data["milestones"][0]
    assert first["id"] == "step1_retake" and first["date"] == "2026-02-04"
    assert first["estimate"] is False


def test_timeline_renderables_show_dates_slack_and_notes(default_plan: Plan) -> None:
    t = timeline_for(
        default_plan,
        D(2026, 7, 1),
        attempts=[{"exam": "step1", "date": "2026-05-14", "result": "fail"}],
        target={"step1_date": "2026-08-05", "match_year": 2027},
    )
    out = render(timeline_renderables(t, eligible(D(2026, 7, 1)), D(2026, 7, 1)))
    assert "Match 2027 is not feasible; showing Match 2028" in out
    assert "Step 1 attempts: 1 used of 4, 3 left; earliest next attempt 2026-07-01." in out
    assert "2028-03-17" in out and "Match Day" in out
    assert "+35" in out  # the retake is 35 days after the as-of date
    assert "[1] source: DOMAIN.md calendar pattern; confidence M" in out
    assert "T506: Match 2027 is not feasible" in " ".join(out.split())


def test_timeline_markdown_table(default_plan: Plan) -> None:
    t = timeline_for(
        default_plan, D(2026, 1, 10), target={"step1_date": "2026-02-04", "match_year": 2027}
    )
    md = timeline_markdown(t, eligible(D(2026, 1, 10)), D(2026, 1, 10))
    assert md.startswith("## Timeline to Match 2027: feasible")
    assert "| Step 1 retake | 2026-02-04 | +25 |" in md
    assert "| Step 2 CK result | 2026-05-27 | +137 | 119 | yes |" in md
    assert "| Match Day | 2027-03-19 |" in md


def test_views_of_a_blocked_timeline(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, D(2026, 1, 10), profile())
    blocked = Eligibility(4, 0, None, True, ("Four attempts used.",))
    t = build_timeline(ctx, blocked, Readiness(Verdict.ineligible))
    out = render(timeline_renderables(t, blocked, D(2026, 1, 10)))
    assert "no Match cycle can be planned" in out and "no further attempt" in out
    assert "| Milestone" not in timeline_markdown(t, blocked, D(2026, 1, 10))


@pytest.mark.parametrize(
    ("attempts", "expected"),
    [
        ([("step1", "2026-08-20", "pass")], "1 used of 4, 0 left"),
        ([("step1", "2025-08-20", "fail"), ("step1", "2026-01-20", "pass")], "2 used of 4, 0 left"),
        ([("step1", "2025-06-20", "pass"), ("step2ck", "2026-08-20", "fail")], "1 used of 4"),
        ([("step1", f"{y}-0{m}-10", "fail") for y, m in _FIVE], "5 used of 4, 0 left"),
        ([("step1", "2026-08-20", "fail")], "1 used of 4, 3 left"),
    ],
    ids=["passed", "fail_then_pass", "step2ck_failed", "five_under_the_old_limit", "one_fail"],
)
def test_eligibility_line_names_the_attempt_limit_in_force(
    attempts: list[tuple[str, str, str]], expected: str
) -> None:
    # Not used + left: left is 0 after a pass, and attempts taken while the limit was 6 can
    # outnumber today's 4 (the limit E201 counts against).
    as_of = D(2026, 11, 27)
    prof = profile(attempts=[{"exam": e, "date": d, "result": r} for e, d, r in attempts])
    line = eligibility_line(assess_eligibility(prof.attempts, as_of), as_of)
    assert line.startswith(f"Step 1 attempts: {expected}")


def test_eligibility_line_uses_the_older_limit_before_2021_07_01() -> None:
    as_of = D(2021, 1, 10)
    prof = profile(attempts=[{"exam": "step1", "date": "2020-09-10", "result": "fail"}])
    line = eligibility_line(assess_eligibility(prof.attempts, as_of), as_of)
    assert line.startswith("Step 1 attempts: 1 used of 6, 5 left")


def test_t501_takes_the_first_pass_of_each_exam() -> None:
    attempts = [
        {"exam": "step1", "date": "2025-01-10", "result": "fail"},
        {"exam": "step1", "date": "2025-06-01", "result": "pass"},
        {"exam": "step2ck", "date": "2025-09-01", "result": "fail"},
        {"exam": "step2ck", "date": "2025-12-01", "result": "pass", "score": 240},
    ]
    passed = exams_passed(profile(attempts=attempts))
    assert (passed.step1, passed.step2ck) == (D(2025, 6, 1), D(2025, 12, 1))
