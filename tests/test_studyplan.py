"""Priorities and the weekly plan (P401-P405), on profiles built directly from dicts.

Each rule has a ``p4xx_triggers`` and a ``p4xx_quiet`` test; plan-shape properties (weeks add up
to the span, hours match the profile, no form repeated, the Free 120 last) run under hypothesis.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from step1plan.analysis import make_context
from step1plan.models.common import Band, CauseId
from step1plan.models.profile import Profile
from step1plan.models.report import CauseResult, Confidence, Readiness, ScorePoint, Verdict
from step1plan.plans import Plan
from step1plan.rules import studyplan
from step1plan.rules.base import Context
from step1plan.rules.studyplan import (
    PHASES,
    WeekSlot,
    build_study_plan,
    cbssa_weeks,
    choose_retake_date,
    phase_counts,
    rank_priorities,
    schedule_assessments,
    too_little_time,
    week_activities,
    week_spans,
)

AS_OF = dt.date(2026, 11, 27)
NOT_READY = Readiness(Verdict.not_ready)
READY = Readiness(Verdict.ready)


def make_profile(**sections: Any) -> Profile:
    attempt = {"exam": "step1", "date": "2026-08-20", "result": "fail"}
    attempt.update(sections.pop("attempt", {}))
    data: dict[str, Any] = {"student": {"id": "t-1"}, "attempts": [attempt]}
    data.update(sections)
    return Profile.model_validate(data, context={"as_of": AS_OF})


def ctx_of(plan: Plan, profile: Profile, as_of: dt.date = AS_OF) -> Context:
    return make_context(plan, as_of, profile)


def cause(cid: CauseId, rank: int = 1) -> CauseResult:
    return CauseResult(cid, rank, Confidence.high, False, True, 0.9, "test")


REPORT_BANDS = {
    "disciplines": {
        "pathology": "lower",
        "physiology": "same",
        "genetics": "lower",
        "behavioral_sciences": "higher",
    },
    "systems": {"cardiovascular": "lower"},
}


# ---------------------------------------------------------------- P401 priorities


def test_p401_triggers_and_ranks_by_weight_times_deficit(default_plan: Plan) -> None:
    ctx = ctx_of(default_plan, make_profile(attempt={"content_areas": REPORT_BANDS}))
    ranked = rank_priorities(ctx)
    assert [p.area for p in ranked] == [
        "pathology",  # 48 x 1
        "physiology",  # 30 x 0.5
        "cardiovascular",  # 9 x 1
        "genetics",  # 7 x 1
        "behavioral_sciences",  # 10.5 x 0
    ]
    top = ranked[0]
    assert (top.group, top.weight, top.band, top.deficit, top.score) == (
        "disciplines",
        48.0,
        Band.lower,
        1.0,
        48.0,
    )
    assert top.source == "attempts[0]"
    assert sum(p.share_of_hours for p in ranked) == pytest.approx(1.0, abs=1e-3)
    assert ranked[-1].share_of_hours == 0.0


def test_p401_quiet_without_any_band(default_plan: Plan) -> None:
    ctx = ctx_of(default_plan, make_profile())
    assert rank_priorities(ctx) == ()
    plan = build_study_plan(ctx, (), NOT_READY)
    assert plan.priorities == ()
    assert all(w.focus == () for w in plan.weeks)
    assert any("No content-area bands" in n for n in plan.notes)


def test_p401_newer_practice_bands_replace_the_score_report(default_plan: Plan) -> None:
    profile = make_profile(
        attempt={"content_areas": REPORT_BANDS},
        practice=[
            {
                "date": "2026-10-01",
                "form": "CBSSA 29",
                "epc": 62,
                "content_areas": {"disciplines": {"pathology": "same"}},
            },
            {
                "date": "2026-11-01",
                "form": "CBSSA 30",
                "epc": 66,
                "content_areas": {
                    "disciplines": {"pathology": "higher"},
                    "systems": {"respiratory_renal": "lower"},
                },
            },
        ],
    )
    ranked = {p.area: p for p in rank_priorities(ctx_of(default_plan, profile))}
    assert ranked["pathology"].band is Band.higher
    assert ranked["pathology"].source == "practice[1]"
    assert ranked["respiratory_renal"].band is Band.lower
    assert ranked["physiology"].source == "attempts[0]"


def test_p401_band_deficits_come_from_the_plan(default_plan: Plan) -> None:
    study = default_plan.study.model_copy(
        update={"band_deficit": default_plan.study.band_deficit.model_copy(update={"same": 0})}
    )
    plan = default_plan.model_copy(update={"study": study})
    ranked = {
        p.area: p
        for p in rank_priorities(
            ctx_of(plan, make_profile(attempt={"content_areas": REPORT_BANDS}))
        )
    }
    assert ranked["physiology"].score == 0.0


# ---------------------------------------------------------------- P402 retake date


def test_p402_quiet_with_a_planned_date(default_plan: Plan) -> None:
    ctx = ctx_of(default_plan, make_profile(target={"step1_date": "2027-02-10"}))
    choice = choose_retake_date(ctx, NOT_READY)
    assert (choice.date, choice.source) == (dt.date(2027, 2, 10), "planned")


def test_p402_triggers_without_a_date_and_uses_the_epc_gap(default_plan: Plan) -> None:
    profile = make_profile(practice=[{"date": "2026-11-20", "form": "CBSSA 30", "epc": 62}])
    choice = choose_retake_date(ctx_of(default_plan, profile), NOT_READY)
    # retaker bar 70, gap 8 points x 0.5 week + 6 minimum weeks = 10 weeks
    assert choice.source == "recommended"
    assert choice.date == AS_OF + dt.timedelta(weeks=10)
    assert "rule of thumb" in choice.note and "EPC 62" in choice.note


@pytest.mark.parametrize(
    "skipped",
    [
        {"date": "2026-08-06", "form": "CBSSA 28", "epc": 72},  # before the failed attempt
        {"date": "2026-11-25", "form": "CBSSA 27", "epc": 72, "seen_before": True},
        {"date": "2026-11-25", "form": "UWSA 2", "epc": 72},
        {"date": "2026-11-25", "form": "Kaplan diagnostic", "epc": 75},
    ],
    ids=["before the attempt", "seen before", "uwsa", "another vendor"],
)
def test_p402_gap_ignores_scores_that_do_not_show_the_student_now(
    default_plan: Plan, skipped: dict[str, Any]
) -> None:
    """A newer score of these kinds must not replace the unseen CBSSA after the failure, and
    alone it must not count as an EPC at all (a score at the bar would give the shortest
    plan to a student who failed right after it)."""
    since = {"date": "2026-10-01", "form": "CBSSA 30", "epc": 62}
    alone = choose_retake_date(ctx_of(default_plan, make_profile(practice=[skipped])), NOT_READY)
    assert alone.date == AS_OF + dt.timedelta(weeks=default_plan.study.max_weeks)
    assert "no NBME EPC is known since the last attempt" in alone.note
    practice = sorted([since, skipped], key=lambda p: p["date"])
    both = choose_retake_date(ctx_of(default_plan, make_profile(practice=practice)), NOT_READY)
    assert both.date == AS_OF + dt.timedelta(weeks=10)  # the gap from EPC 62, as above
    assert "EPC 62" in both.note


@pytest.mark.parametrize(
    ("epc", "words"),
    [
        (69, "the 1 EPC point between"),
        (68.996, "the 1 EPC point between"),  # a gap of 1.004 is written, and counted, as 1
        (69.9999, "the 0.0001 EPC points between"),
    ],
)
def test_p402_writes_the_gap_as_it_is(default_plan: Plan, epc: float, words: str) -> None:
    """A gap of a point is one point, and a gap of a hair is not written as none (nor the EPC
    as the bar of 70)."""
    profile = make_profile(practice=[{"date": "2026-11-20", "form": "CBSSA 30", "epc": epc}])
    choice = choose_retake_date(ctx_of(default_plan, profile), NOT_READY)
    assert words in choice.note
    assert "EPC 70," not in choice.note


def test_p402_triggers_with_no_epc_and_uses_the_longest_window(default_plan: Plan) -> None:
    choice = choose_retake_date(ctx_of(default_plan, make_profile()), NOT_READY)
    assert choice.date == AS_OF + dt.timedelta(weeks=default_plan.study.max_weeks)


def test_p402_triggers_on_a_past_date_and_caps_the_window(default_plan: Plan) -> None:
    profile = make_profile(
        target={"step1_date": "2026-11-01"},
        practice=[{"date": "2026-11-20", "form": "CBSSA 30", "epc": 40}],
    )
    choice = choose_retake_date(ctx_of(default_plan, profile), NOT_READY)
    assert choice.source == "recommended"
    assert choice.date == AS_OF + dt.timedelta(weeks=default_plan.study.max_weeks)
    assert "Your planned date 2026-11-01 has passed (2026-11-27)" in choice.note


def test_p402_keeps_a_retake_planned_for_the_as_of_date_itself(default_plan: Plan) -> None:
    # The test day counts: readiness and M701 take it as the test date, so the weeks must too
    profile = make_profile(target={"step1_date": AS_OF.isoformat()})
    choice = choose_retake_date(ctx_of(default_plan, profile), NOT_READY)
    assert (choice.date, choice.source) == (AS_OF, "planned")


def test_p402_triggers_when_ready_and_tests_while_the_estimate_holds(default_plan: Plan) -> None:
    choice = choose_retake_date(ctx_of(default_plan, make_profile()), READY)
    days = default_plan.readiness.retaker.max_days_before_test
    assert choice.date == AS_OF + dt.timedelta(days=days)  # no counted CBSSA: from today


def test_p402_ready_date_is_the_latest_counted_cbssa_plus_its_freshness(
    default_plan: Plan,
) -> None:
    # The estimate holds for max_days_before_test after the latest counted CBSSA, not after
    # today: the same "book by" date the readiness next steps give.
    points = (
        ScorePoint(AS_OF - dt.timedelta(days=12), "CBSSA 29", "cbssa", 75, 0.97, False, True),
        ScorePoint(AS_OF - dt.timedelta(days=5), "CBSSA 30", "cbssa", 76, 0.98, False, True),
        ScorePoint(AS_OF - dt.timedelta(days=2), "CBSSA 27", "cbssa", 80, 0.99, True, False),
    )
    ready = Readiness(Verdict.ready, points=points)
    choice = choose_retake_date(ctx_of(default_plan, make_profile()), ready)
    days = default_plan.readiness.retaker.max_days_before_test
    assert choice.date == AS_OF - dt.timedelta(days=5) + dt.timedelta(days=days)
    assert "latest counted CBSSA" in choice.note


def _fourth_attempt(**sections: Any) -> Profile:
    fails = [
        {"exam": "step1", "date": d, "result": "fail"}
        for d in ("2026-01-10", "2026-05-20", "2026-10-01")
    ]
    return Profile.model_validate(
        {"student": {"id": "t-4"}, "attempts": fails, **sections}, context={"as_of": AS_OF}
    )


def test_p402_planned_date_before_the_earliest_allowed_attempt_moves(default_plan: Plan) -> None:
    # a 4th attempt waits 6 months after the latest one (DOMAIN, attempt rules)
    profile = _fourth_attempt(target={"step1_date": "2027-01-15"})
    plan = build_study_plan(ctx_of(default_plan, profile), (), NOT_READY)
    assert plan.retake_date == dt.date(2027, 4, 1)
    assert plan.retake_date_source == "recommended"
    assert "2027-01-15 is too early" in plan.notes[0]
    assert plan.weeks[-1].end == dt.date(2027, 3, 31)


def test_a_ready_student_made_to_wait_is_not_told_to_test_by_an_earlier_date(
    default_plan: Plan,
) -> None:
    profile = _fourth_attempt()  # the attempt rules allow the 4th from 2027-04-01
    plan = build_study_plan(ctx_of(default_plan, profile), (), READY)
    assert plan.retake_date == dt.date(2027, 4, 1)
    note = plan.notes[0]
    assert "test by then" not in note and "Recommended date" not in note
    assert "already meet the bar, but" in note and "from 2027-04-01" in note
    assert "new unseen CBSSAs in the 14 days before it" in note


def test_no_weeks_when_no_attempt_is_left(default_plan: Plan) -> None:
    fails = [
        {"exam": "step1", "date": d, "result": "fail"}
        for d in ("2024-01-10", "2024-06-20", "2025-01-05", "2025-09-01")
    ]
    profile = Profile.model_validate(
        {
            "student": {"id": "t-5"},
            "attempts": [
                {**fails[0], "content_areas": {"disciplines": {"pathology": "lower"}}},
                *fails[1:],
            ],
        },
        context={"as_of": AS_OF},
    )
    plan = build_study_plan(ctx_of(default_plan, profile), (), Readiness(Verdict.ineligible))
    assert plan.weeks == () and plan.retake_date is None
    assert plan.retake_date_source == "none"
    assert [p.area for p in plan.priorities] == ["pathology"]
    assert "No Step 1 attempt is left" in plan.notes[0]


# ---------------------------------------------------------------- P403 too little time


def test_p403_triggers_when_the_planned_date_is_close(default_plan: Plan) -> None:
    ctx = ctx_of(default_plan, make_profile(target={"step1_date": "2026-12-18"}))
    choice = choose_retake_date(ctx, NOT_READY)
    warning = too_little_time(ctx, choice, NOT_READY)
    assert warning is not None and "3 weeks away" in warning
    assert warning in build_study_plan(ctx, (), NOT_READY).notes


def test_p403_quiet_with_enough_weeks_or_when_ready(default_plan: Plan) -> None:
    far = ctx_of(default_plan, make_profile(target={"step1_date": "2027-03-01"}))
    assert too_little_time(far, choose_retake_date(far, NOT_READY), NOT_READY) is None
    near = ctx_of(default_plan, make_profile(target={"step1_date": "2026-12-18"}))
    assert too_little_time(near, choose_retake_date(near, READY), READY) is None


# ---------------------------------------------------------------- P404 assessments


def test_cbssa_weeks_are_weekly_at_the_end_and_fortnightly_before(default_plan: Plan) -> None:
    assert cbssa_weeks(10, default_plan) == [1, 3, 5, 7, 8, 9]
    assert cbssa_weeks(2, default_plan) == [0, 1]
    assert cbssa_weeks(0, default_plan) == []


@pytest.mark.parametrize(("final", "every"), list(itertools.product(range(4), range(1, 4))))
def test_cbssa_weeks_match_their_definition(default_plan: Plan, final: int, every: int) -> None:
    study = default_plan.study.model_copy(
        update={"weekly_cbssa_final_weeks": final, "cbssa_every_weeks": every}
    )
    plan = default_plan.model_copy(update={"study": study})
    for weeks in range(12):
        weekly = {w for w in range(weeks - final, weeks) if w >= 0}
        start = weeks - final - every if weekly else weeks - 1
        expected = weekly | set(range(start, -1, -every))
        assert cbssa_weeks(weeks, plan) == sorted(expected)


def test_p404_quiet_with_enough_unseen_forms(default_plan: Plan) -> None:
    profile = make_profile(practice=[{"date": "2026-11-01", "form": "NBME 26", "epc": 60}])
    schedule = schedule_assessments(ctx_of(default_plan, profile), 8)
    forms = [a for week in schedule.by_week for a in week if a.startswith("CBSSA")]
    assert forms == ["CBSSA 27", "CBSSA 28", "CBSSA 29", "CBSSA 30", "CBSSA 31"]
    assert schedule.note is None
    assert schedule.by_week[-1][-1].startswith("Free 120")


def test_p404_says_no_form_left_only_when_none_is(default_plan: Plan) -> None:
    taken = [
        {"date": f"2026-10-{10 + i}", "form": f"CBSSA {n}", "epc": 60}
        for i, n in enumerate((26, 27, 28, 29, 30, 31))
    ]
    schedule = schedule_assessments(ctx_of(default_plan, make_profile(practice=taken)), 10)
    flat = [a for week in schedule.by_week for a in week if not a.startswith("Free 120")]
    assert flat and all(a == studyplan.NO_FORM_LEFT for a in flat)


def test_p404_triggers_when_unseen_forms_run_out(default_plan: Plan) -> None:
    taken = [
        {"date": f"2026-10-{10 + i}", "form": f"CBSSA {n}", "epc": 60}
        for i, n in enumerate((26, 27, 28, 29))
    ]
    profile = make_profile(
        practice=[*taken, {"date": "2026-11-01", "form": "Free 120", "percent_correct": 60}]
    )
    schedule = schedule_assessments(ctx_of(default_plan, profile), 10)
    flat = [a for week in schedule.by_week for a in week]
    assert [a for a in flat if a.startswith("CBSSA")] == ["CBSSA 30", "CBSSA 31"]
    assert schedule.by_week[8] == ("CBSSA 30",)  # the latest slots get the unseen forms
    assert sum("unseen forms are kept for the last weeks" in a for a in flat) == 4
    assert not any("no unseen CBSSA form left" in a for a in flat)  # two are left
    assert schedule.note is not None
    assert "Unseen CBSSA forms left: 30, 31" in schedule.note
    assert "1 Free 120 set already" in schedule.note


# ---------------------------------------------------------------- P405 activities


def _fmt(default_plan: Plan, day: dt.date):  # type: ignore[no-untyped-def]
    from step1plan.facts import exam_format

    return exam_format("step1", day).value


def test_p405_triggers_with_timing_and_uses_the_current_block_format(default_plan: Plan) -> None:
    ctx = ctx_of(default_plan, make_profile())
    slot = WeekSlot("integration", True, False)
    acts = week_activities(ctx, [cause(CauseId.timing)], slot, _fmt(default_plan, AS_OF))
    assert any("30 minutes for 20 questions" in a and "90 seconds" in a for a in acts)


def test_p405_timing_before_the_format_change_uses_40_item_blocks(default_plan: Plan) -> None:
    ctx = ctx_of(default_plan, make_profile())
    slot = WeekSlot("integration", True, False)
    fmt = _fmt(default_plan, dt.date(2026, 3, 1))
    acts = week_activities(ctx, [cause(CauseId.timing)], slot, fmt)
    assert any("60 minutes for 40 questions" in a for a in acts)


def test_p405_triggers_for_review_and_test_day_causes(default_plan: Plan) -> None:
    ctx = ctx_of(default_plan, make_profile())
    fmt = _fmt(default_plan, AS_OF)
    causes = [cause(CauseId.rushed_qbank_review, 1), cause(CauseId.test_anxiety_fatigue, 2)]
    mid = week_activities(ctx, causes, WeekSlot("readiness", True, False), fmt)
    assert any("at least 30 minutes per 20-question block" in a for a in mid)
    assert any("Full-length rehearsal: 14 timed blocks of 30 minutes" in a for a in mid)
    last = week_activities(ctx, causes, WeekSlot("readiness", False, True), fmt)
    assert any("Write a test-day plan" in a for a in last)


def test_p405_quiet_without_causes(default_plan: Plan) -> None:
    ctx = ctx_of(default_plan, make_profile())
    fmt = _fmt(default_plan, AS_OF)
    for phase in PHASES:
        assert len(week_activities(ctx, [], WeekSlot(phase, True, True), fmt)) == 1


def test_every_cause_adds_something_in_some_phase(default_plan: Plan) -> None:
    ctx = ctx_of(default_plan, make_profile())
    fmt = _fmt(default_plan, AS_OF)
    for cid in CauseId:
        extra = {
            a
            for phase in PHASES
            for a in week_activities(ctx, [cause(cid)], WeekSlot(phase, True, False), fmt)[1:]
        }
        assert extra, cid


# ---------------------------------------------------------------- shapes


def test_week_spans_cover_every_day_and_fold_a_short_tail() -> None:
    start = dt.date(2026, 11, 27)
    assert week_spans(start, start) == []
    assert week_spans(start, start + dt.timedelta(days=3)) == [
        (start, start + dt.timedelta(days=2))
    ]
    spans = week_spans(start, start + dt.timedelta(days=16))  # 2 weeks + 2 days
    assert [(e - s).days + 1 for s, e in spans] == [7, 9]
    spans = week_spans(start, start + dt.timedelta(days=18))  # 2 weeks + 4 days
    assert [(e - s).days + 1 for s, e in spans] == [7, 7, 4]
    spans.clear()  # the caller's own list: the cached spans behind it stay whole
    assert len(week_spans(start, start + dt.timedelta(days=18))) == 3


def test_only_the_last_week_span_can_differ_from_seven_days() -> None:
    # build_study_plan gives every week but the last the 7-day hours without measuring it.
    start = dt.date(2026, 11, 27)
    for days in range(1, 120):
        spans = week_spans(start, start + dt.timedelta(days=days))
        assert all((e - s).days + 1 == 7 for s, e in spans[:-1])


def test_plan_spans_are_cached_only_for_plans_of_two_years_at_most() -> None:
    start = dt.date(2026, 11, 27)
    near, far = start + dt.timedelta(days=100), start + dt.timedelta(days=3000)
    assert list(studyplan._plan_spans(start, near)) == week_spans(start, near)
    cached = studyplan._cached_week_spans.cache_info().currsize
    assert list(studyplan._plan_spans(start, far)) == week_spans(start, far)
    assert studyplan._cached_week_spans.cache_info().currsize == cached  # not kept


@pytest.mark.parametrize("weeks", range(0, 30))
def test_phase_counts_add_up_and_end_with_readiness(default_plan: Plan, weeks: int) -> None:
    counts = phase_counts(weeks, default_plan)
    assert sum(counts) == weeks
    if weeks:
        assert counts[2] >= 1
    if weeks >= 3:
        assert min(counts) >= 1


def test_the_example_shape(default_plan: Plan) -> None:
    profile = make_profile(
        attempt={"content_areas": REPORT_BANDS},
        target={"step1_date": "2027-02-10"},
        study={"hours_per_week": 45},
    )
    plan = build_study_plan(ctx_of(default_plan, profile), [cause(CauseId.timing)], NOT_READY)
    assert plan.retake_date == dt.date(2027, 2, 10) and plan.retake_date_source == "planned"
    assert [w.phase for w in plan.weeks].count("foundations") == 4
    assert plan.weeks[0].focus[0] == "pathology"
    assert plan.weeks[0].hours == 45
    assert plan.weeks[0].qbank_questions == round(
        45 * default_plan.study.qbank_share.foundations * default_plan.study.questions_per_hour
    )
    assert plan.weeks[-1].end == dt.date(2027, 2, 9)


def test_default_hours_are_labelled(default_plan: Plan) -> None:
    plan = build_study_plan(ctx_of(default_plan, make_profile()), (), NOT_READY)
    assert plan.weeks[0].hours == default_plan.study.default_hours_per_week
    assert any("default of 40 hours" in n and "rule of thumb" in n for n in plan.notes)


FORMS = st.lists(st.sampled_from([26, 27, 28, 29, 30, 31, 25]), unique=True, max_size=7)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    days=st.integers(1, 260),
    hours=st.one_of(st.none(), st.floats(1, 80).map(lambda h: round(h, 1))),
    taken=FORMS,
    causes=st.lists(st.sampled_from(list(CauseId)), unique=True, max_size=7),
    start=st.dates(dt.date(2025, 1, 1), dt.date(2028, 1, 1)),
)
def test_plan_shape_properties(
    default_plan: Plan,
    days: int,
    hours: float | None,
    taken: list[int],
    causes: list[CauseId],
    start: dt.date,
) -> None:
    retake = start + dt.timedelta(days=days)
    practice = [
        {"date": (start - dt.timedelta(days=i + 1)).isoformat(), "form": f"CBSSA {n}", "epc": 60}
        for i, n in enumerate(taken)
    ]
    profile = Profile.model_validate(
        {
            "student": {"id": "h-1"},
            "attempts": [
                {
                    "exam": "step1",
                    "date": (start - dt.timedelta(days=60)).isoformat(),
                    "result": "fail",
                    "content_areas": REPORT_BANDS,
                }
            ],
            "target": {"step1_date": retake.isoformat()},
            "study": {"hours_per_week": hours},
            "practice": practice,
        },
        context={"as_of": start},
    )
    ranked = [cause(c, i + 1) for i, c in enumerate(causes)]
    plan = build_study_plan(make_context(default_plan, start, profile), ranked, NOT_READY)
    weeks = plan.weeks
    per_week = hours if hours is not None else default_plan.study.default_hours_per_week

    # the weeks cover every day from the start to the day before the retake, in order
    assert weeks[0].start == start
    assert weeks[-1].end == retake - dt.timedelta(days=1)
    for a, b in itertools.pairwise(weeks):
        assert b.start == a.end + dt.timedelta(days=1)
    assert sum((w.end - w.start).days + 1 for w in weeks) == days
    assert [w.number for w in weeks] == list(range(1, len(weeks) + 1))

    # hours match the profile: full weeks exactly, partial weeks pro rata
    for w in weeks:
        length = (w.end - w.start).days + 1
        assert w.hours == pytest.approx(per_week * length / 7, abs=0.051)
        if length == 7:
            assert w.hours == pytest.approx(per_week)

    # phases in order, the last week proves readiness
    order = [PHASES.index(w.phase) for w in weeks]
    assert order == sorted(order) and weeks[-1].phase == "readiness"

    # no CBSSA form repeated or already taken; one Free 120, in the last week, listed last
    forms = [a for w in weeks for a in w.assessments if a.startswith("CBSSA")]
    assert len(forms) == len(set(forms))
    assert not {int(f.split()[1]) for f in forms} & set(taken)
    free = [(w.number, a) for w in weeks for a in w.assessments if a.startswith("Free 120")]
    assert len(free) == 1 and free[0][0] == weeks[-1].number
    assert weeks[-1].assessments[-1].startswith("Free 120")
    assert (weeks[-1].end - weeks[-1].start).days + 1 <= default_plan.study.free120_final_days
    assert all(w.qbank_questions >= 0 for w in weeks)


@pytest.mark.parametrize(
    ("short", "slots", "words"),
    [
        (1, 1, "It uses"),
        (3, 3, "All of them use"),
        (1, 4, "The first one uses"),
        (2, 4, "The first 2 use"),
    ],
)
def test_forms_short_note_agrees_in_number(short: int, slots: int, words: str) -> None:
    unseen = tuple(range(26, 26 + slots - short))
    note = studyplan._forms_short_note(slots, unseen, ())
    assert f"assessments. {words} another unseen exam instead" in note
