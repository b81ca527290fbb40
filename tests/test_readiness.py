"""Readiness (R3xx): each check triggered and quiet, and the verdict for clear-cut series.

Scores are built directly as models, dated relative to a fixed as-of date. Without a profile
the default plan's ``first_timer`` bar applies: 2 unseen CBSSAs within 35 days, each at 90 %
pass probability or more (EPC 68 where none is given), spread at most 8, a Free 120 at 65 %,
the latest CBSSA at most 14 days old. The ``retaker`` bar asks for 3, 95 %, EPC 70 and 70 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest

from step1plan.analysis import make_context
from step1plan.models.common import CauseId
from step1plan.models.profile import Profile
from step1plan.models.report import (
    CauseResult,
    Check,
    Confidence,
    Eligibility,
    Readiness,
    Verdict,
)
from step1plan.models.scores import PracticeScore
from step1plan.plans import Plan, load_plan
from step1plan.rules.base import blocks_all_finished
from step1plan.rules.eligibility import assess_eligibility
from step1plan.rules.readiness import (
    assess_readiness,
    clear_margin,
    consistent,
    enough_assessments,
    fit_trend,
    free120,
    readiness_data,
    recent_enough,
    seen_forms,
    timing_fixed,
    trend_not_falling,
    uwsa_support,
    verdict_of,
    written_test_day_plan,
)

AS_OF = dt.date(2026, 9, 1)
FAILED_ON = "2026-06-01"


def ago(days: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days)


_forms = iter(range(1000))


def cbssa(days: int, epc: float | None, p: float | None = None, **extra: Any) -> PracticeScore:
    return PracticeScore.model_validate(
        {
            "date": ago(days),
            "form": f"CBSSA {next(_forms)}",
            "epc": epc,
            "pass_probability": p,
            **extra,
        }
    )


def f120(days: int, percent: float, **extra: Any) -> PracticeScore:
    return PracticeScore.model_validate(
        {"date": ago(days), "form": "Free 120", "percent_correct": percent, **extra}
    )


def uwsa(days: int, score: int, **extra: Any) -> PracticeScore:
    return PracticeScore.model_validate(
        {"date": ago(days), "form": "UWSA 2", "score": score, **extra}
    )


def profile(**extra: Any) -> Profile:
    data: dict[str, Any] = {
        "student": {"id": "s-test"},
        "attempts": [{"exam": "step1", "date": FAILED_ON, "result": "fail"}],
    }
    data.update(extra)
    return Profile.model_validate(data, context={"as_of": AS_OF})


def strong() -> list[PracticeScore]:
    """Clears the first-timer bar: two recent unseen CBSSAs at 93-96 % and a Free 120 at 70."""
    return [cbssa(20, 72, 0.93), cbssa(6, 74, 0.96), f120(3, 70)]


def run(
    scores: Sequence[PracticeScore],
    plan: Plan,
    prof: Profile | None = None,
    causes: Sequence[CauseResult] = (),
) -> Readiness:
    ctx = make_context(plan, AS_OF, prof, scores)
    eligibility = assess_eligibility(prof.attempts, AS_OF) if prof is not None else None
    return assess_readiness(ctx, eligibility, causes)


def check(readiness: Readiness, code: str) -> Check | None:
    found = [c for c in readiness.checks if c.code == code]
    return found[0] if found else None


def failed(readiness: Readiness) -> set[str]:
    return {c.code for c in readiness.checks if not c.passed}


def cause(
    cid: CauseId,
    *,
    supported: bool = True,
    self_reported: bool = False,
    confidence: Confidence = Confidence.medium,
) -> CauseResult:
    return CauseResult(cid, 1, confidence, self_reported, supported, 0.3, "test")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan("default")


# ---------------------------------------------------------------- verdicts


def test_strong_recent_unseen_series_is_ready(plan: Plan) -> None:
    result = run(strong(), plan)
    assert result.verdict is Verdict.ready, [c.message for c in result.checks if not c.passed]
    assert all(c.passed for c in result.checks)
    assert result.bar == "first_timer"
    assert result.projected_ready_date is None
    assert any("first-timer bar" in n for n in result.notes), "scores-only run says which bar"


def test_weak_series_is_not_ready(plan: Plan) -> None:
    result = run([cbssa(20, 58, 0.20), cbssa(6, 60, 0.30), f120(3, 55)], plan)
    assert result.verdict is Verdict.not_ready
    assert {"R302", "R306"} <= failed(result)


def test_falling_series_is_not_ready(plan: Plan) -> None:
    scores = [
        cbssa(30, 76, 0.97),
        cbssa(20, 74, 0.95),
        cbssa(10, 72, 0.93),
        cbssa(3, 70, 0.91),
        f120(2, 70),
    ]
    result = run(scores, plan)
    assert result.verdict is Verdict.not_ready
    assert failed(result) == {"R304"}
    assert result.projected_ready_date is None


def test_uwsa_only_is_not_ready(plan: Plan) -> None:
    result = run([uwsa(10, 250), uwsa(3, 255), f120(2, 75)], plan)
    assert result.verdict is Verdict.not_ready
    r307 = check(result, "R307")
    assert r307 is not None and not r307.passed and r307.required
    assert "never proves readiness" in r307.message


def test_stale_series_is_not_ready(plan: Plan) -> None:
    result = run([cbssa(60, 74, 0.96), cbssa(50, 75, 0.97), f120(45, 72)], plan)
    assert result.verdict is Verdict.not_ready
    r301 = check(result, "R301")
    assert r301 is not None and "2 older than 35 days" in r301.message


def test_slightly_stale_series_is_borderline(plan: Plan) -> None:
    result = run([cbssa(30, 72, 0.95), cbssa(20, 74, 0.96), f120(3, 70)], plan)
    assert result.verdict is Verdict.borderline
    assert failed(result) == {"R305"}


def test_forms_already_seen_are_not_ready(plan: Plan) -> None:
    scores = [
        cbssa(20, 75, 0.97, seen_before=True),
        cbssa(6, 76, 0.98, seen_before=True),
        f120(3, 70),
    ]
    result = run(scores, plan)
    assert result.verdict is Verdict.not_ready
    assert {"R301", "R308"} <= failed(result)
    assert not any(p.counted for p in result.points if p.kind == "cbssa")


def test_a_single_assessment_is_not_ready(plan: Plan) -> None:
    result = run([cbssa(5, 75, 0.98), f120(3, 72)], plan)
    assert result.verdict is Verdict.not_ready
    assert failed(result) == {"R301"}
    assert result.next_steps[0].startswith("One more unseen CBSSA at or above 90% pass")


def test_attempts_exhausted_is_ineligible_whatever_the_scores(plan: Plan) -> None:
    attempts = [
        {"exam": "step1", "date": d, "result": "fail"}
        for d in ("2021-11-10", "2022-05-04", "2023-02-15", "2024-03-20")
    ]
    scores = [cbssa(30, 78, 0.99), cbssa(20, 79, 0.99), cbssa(6, 80, 0.99), f120(3, 80)]
    result = run(scores, plan, profile(attempts=attempts))
    assert result.verdict is Verdict.ineligible
    assert "Practice scores cannot change this verdict." in result.next_steps


def test_passed_step1_is_ineligible(plan: Plan) -> None:
    prof = profile(attempts=[{"exam": "step1", "date": "2026-03-01", "result": "pass"}])
    assert run(strong(), plan, prof).verdict is Verdict.ineligible


def test_near_miss_is_borderline(plan: Plan) -> None:
    result = run([cbssa(20, 69, 0.80), cbssa(6, 70, 0.88), f120(3, 70)], plan)
    assert result.verdict is Verdict.borderline
    r302 = check(result, "R302")
    assert r302 is not None and not r302.passed and not r302.required
    assert "Near miss" in r302.message


@pytest.mark.parametrize(
    "scores",
    [[(20, 70, 0.5), (6, 71, 0.5)], [(20, 65, None), (6, 65, None)]],
    ids=["50% pass probability", "EPC 65"],
)
def test_a_score_at_the_edge_of_the_low_pass_zone_is_not_a_near_miss(
    plan: Plan, scores: list[tuple[int, float, float | None]]
) -> None:
    """The zone is about 50% pass probability or EPC about 65 (DOMAIN): a score there sits in
    it, so R302 is a required failure, not a near miss."""
    r302 = check(run([*(cbssa(*s) for s in scores), f120(3, 70)], plan), "R302")
    assert r302 is not None and not r302.passed and r302.required
    assert "Near miss" not in r302.message
    assert "Not clear of failing: all are at or below the low-pass zone" in r302.message


def test_a_short_score_is_never_written_as_the_bar(plan: Plan) -> None:
    r302 = check(run([cbssa(20, 72, 0.95), cbssa(6, 71, 0.8996), f120(3, 64.996)], plan), "R302")
    assert r302 is not None and "89.96% pass probability" in r302.message
    r306 = check(run([f120(3, 64.996)], plan), "R306")
    assert r306 is not None and "64.996% correct; the bar is 65%" in r306.message


def test_a_near_miss_just_above_the_edge_never_reads_as_the_edge(plan: Plan) -> None:
    r302 = check(run([cbssa(20, 70, 0.5004), cbssa(6, 70, 0.6), f120(3, 70)], plan), "R302")
    assert r302 is not None and "Near miss" in r302.message
    assert "50.04% pass probability" in r302.message


def test_only_the_low_scores_are_called_low(plan: Plan) -> None:
    result = run([cbssa(20, 66, None), cbssa(6, 60, None), f120(3, 70)], plan)
    r302 = check(result, "R302")
    assert r302 is not None and r302.required
    low = next(a for a in result.points if a.value == 60)
    assert f"{low.form} ({low.date.isoformat()}) is at or below the low-pass zone" in r302.message


@pytest.mark.parametrize(
    ("scores", "words"),
    [([(20, 69, 0.80), (6, 70, 0.88)], "all are above"), ([(6, 70, 0.88)], "it is above")],
)
def test_near_miss_agrees_in_number(
    plan: Plan, scores: list[tuple[int, int, float]], words: str
) -> None:
    message = clear_margin(
        readiness_data(make_context(plan, AS_OF, None, [cbssa(*x) for x in scores]))
    ).message
    assert f"Near miss: {words} the low-pass zone" in message


def test_missing_free120_only_is_borderline(plan: Plan) -> None:
    result = run([cbssa(20, 72, 0.93), cbssa(6, 74, 0.96)], plan)
    assert result.verdict is Verdict.borderline
    assert failed(result) == {"R306"}
    assert any("Free 120 at 65% or more" in s for s in result.next_steps)


def test_no_scores_at_all_is_not_ready(plan: Plan) -> None:
    result = run([], plan)
    assert result.verdict is Verdict.not_ready
    assert result.points == ()


def test_verdict_logic_on_hand_built_checks() -> None:
    ok = Check("R301", "t", True, "m")
    advisory = Check("R306", "t", False, "m", required=False)
    required = Check("R302", "t", False, "m")
    blocked = Eligibility(4, 0, None, True, ("x",))
    assert verdict_of([ok], None) is Verdict.ready
    assert verdict_of([ok, advisory], None) is Verdict.borderline
    assert verdict_of([ok, advisory, required], None) is Verdict.not_ready
    assert verdict_of([ok], blocked) is Verdict.ineligible


# ---------------------------------------------------------------- bars


def test_a_retaker_is_held_to_the_stricter_bar(plan: Plan) -> None:
    scores = strong()
    assert run(scores, plan).verdict is Verdict.ready
    result = run(scores, plan, profile())
    assert result.bar == "retaker"
    assert result.verdict is Verdict.not_ready
    r301 = check(result, "R301")
    assert r301 is not None and "the retaker bar asks for 3" in r301.message
    assert result.next_steps[0].startswith("One more unseen CBSSA at or above 95% pass")


def test_a_profile_without_failure_uses_the_first_timer_bar(plan: Plan) -> None:
    result = run(strong(), plan, profile(attempts=[]))
    assert result.bar == "first_timer"
    assert result.verdict is Verdict.ready


def test_the_strict_plan_uses_the_retaker_bar_without_a_profile() -> None:
    strict = load_plan("strict")
    result = run(strong(), strict)
    assert result.bar == "retaker"
    assert "4 unseen CBSSAs" in result.bar_detail


def test_the_bar_in_words_says_how_r305_judges_freshness(plan: Plan) -> None:
    # R305 judges the latest CBSSA's age today; the bar used to say "before the test", which a
    # ready verdict with a test months away seemed to contradict.
    detail = run(strong(), plan).bar_detail
    days = plan.readiness.first_timer.max_days_before_test
    assert f"the latest CBSSA at most {days} days old today (and again within that many" in detail


def test_thresholds_come_from_the_plan(plan: Plan) -> None:
    bar = plan.readiness.first_timer.model_copy(update={"min_assessments": 1})
    lenient = plan.model_copy(
        update={"readiness": plan.readiness.model_copy(update={"first_timer": bar})}
    )
    assert run([cbssa(5, 75, 0.98), f120(3, 72)], lenient).verdict is Verdict.ready


def test_scores_before_the_last_attempt_do_not_count(plan: Plan) -> None:
    # 2026-08-12 and 2026-08-17 are recent but before the failure of 2026-08-20.
    as_retaker = profile(attempts=[{"exam": "step1", "date": "2026-08-20", "result": "fail"}])
    scores = [cbssa(20, 75, 0.98), cbssa(15, 76, 0.99), cbssa(6, 77, 0.99), f120(3, 75)]
    result = run(scores, plan, as_retaker)
    r301 = check(result, "R301")
    assert r301 is not None and not r301.passed
    assert "1 recent unseen CBSSA" in r301.message
    assert "2 from before the last attempt" in r301.message
    assert any("after the last Step 1 attempt (2026-08-20)" in n for n in result.notes)


# ---------------------------------------------------------------- R301 enough assessments


def test_r301_triggers_with_one_recent_cbssa(plan: Plan) -> None:
    data = readiness_data(make_context(plan, AS_OF, None, [cbssa(5, 75, 0.98)]))
    result = enough_assessments(data)
    assert not result.passed and result.required
    assert "1 recent unseen CBSSA" in result.message and "asks for 2" in result.message
    assert result.to_change is not None and result.to_change.startswith("One more")
    assert result.to_change.endswith("within 35 days of the one already counted.")


def test_r301_next_step_without_any_recent_cbssa(plan: Plan) -> None:
    result = enough_assessments(readiness_data(make_context(plan, AS_OF, None, [])))
    assert result.to_change is not None
    assert result.to_change.startswith("Two more") and "of each other." in result.to_change
    assert "already counted" not in result.to_change


def test_r301_quiet_with_two_recent_unseen_cbssas(plan: Plan) -> None:
    data = readiness_data(make_context(plan, AS_OF, None, strong()))
    assert enough_assessments(data).passed


# ---------------------------------------------------------------- R302 margin


def test_r302_triggers_in_the_low_pass_zone(plan: Plan) -> None:
    data = readiness_data(make_context(plan, AS_OF, None, [cbssa(20, 64, 0.45), cbssa(6, 73)]))
    result = clear_margin(data)
    assert not result.passed and result.required
    assert "45% pass probability" in result.message
    assert "low-pass zone" in result.message


def test_r302_triggers_on_epc_when_no_probability_is_given(plan: Plan) -> None:
    data = readiness_data(make_context(plan, AS_OF, None, [cbssa(20, 66, None), cbssa(6, 73)]))
    result = clear_margin(data)
    assert not result.passed and not result.required, "66 is above the low-pass 65: near miss"
    assert "EPC 66" in result.message


def test_r302_quiet_when_every_cbssa_clears_the_bar(plan: Plan) -> None:
    data = readiness_data(make_context(plan, AS_OF, None, strong()))
    result = clear_margin(data)
    assert result.passed
    assert "93% pass probability" in result.message and "96% pass probability" in result.message


@pytest.mark.parametrize(
    ("scores", "lead"),
    [
        ([(20, 64, 0.45)], "The one recent unseen CBSSA falls short"),
        ([(20, 64, 0.45), (6, 73, None)], "1 of 2 recent unseen CBSSAs falls short"),
        ([(20, 64, 0.45), (6, 66, None)], "2 of 2 recent unseen CBSSAs fall short"),
        ([(6, 73, None)], "The one recent unseen CBSSA clears"),
        ([(20, 73, None), (6, 74, None)], "All 2 recent unseen CBSSAs clear"),
    ],
)
def test_r302_counts_in_words_that_agree(
    plan: Plan, scores: list[tuple[int, int, float | None]], lead: str
) -> None:
    data = readiness_data(make_context(plan, AS_OF, None, [cbssa(*s) for s in scores]))
    assert clear_margin(data).message.startswith(lead)


def test_r302_judges_pass_probability_over_epc(plan: Plan) -> None:
    # EPC 66 is below 68 but the 92 % pass probability is what counts.
    data = readiness_data(make_context(plan, AS_OF, None, [cbssa(6, 66, 0.92)]))
    assert clear_margin(data).passed


# ---------------------------------------------------------------- R303 consistency


def test_r303_triggers_when_scores_spread_more_than_the_bar(plan: Plan) -> None:
    data = readiness_data(make_context(plan, AS_OF, None, [cbssa(20, 70), cbssa(6, 80)]))
    result = consistent(data)
    assert result is not None and not result.passed
    assert "spread 10" in result.message and "spread of 8" in result.message


def test_r303_quiet_when_scores_agree(plan: Plan) -> None:
    data = readiness_data(make_context(plan, AS_OF, None, strong()))
    result = consistent(data)
    assert result is not None and result.passed


def test_r303_quiet_with_a_single_score(plan: Plan) -> None:
    data = readiness_data(make_context(plan, AS_OF, None, [cbssa(6, 70)]))
    assert consistent(data) is None


# ---------------------------------------------------------------- R304 trend


def test_r304_triggers_on_a_falling_trend(plan: Plan) -> None:
    scores = [cbssa(28, 76), cbssa(21, 74), cbssa(14, 72), cbssa(7, 70)]
    result = trend_not_falling(readiness_data(make_context(plan, AS_OF, None, scores)))
    assert result is not None and not result.passed
    assert "-2.00 points a week" in result.message


def test_r304_quiet_on_a_rising_trend(plan: Plan) -> None:
    scores = [cbssa(28, 60), cbssa(21, 62), cbssa(14, 64), cbssa(7, 66)]
    result = trend_not_falling(readiness_data(make_context(plan, AS_OF, None, scores)))
    assert result is not None and result.passed
    assert "+2.00 points a week" in result.message


def test_r304_quiet_with_one_point(plan: Plan) -> None:
    assert (
        trend_not_falling(readiness_data(make_context(plan, AS_OF, None, [cbssa(7, 66)]))) is None
    )


def test_trend_uses_the_last_window_of_unseen_scores(plan: Plan) -> None:
    # Five unseen CBSSAs: the first (a low 50) falls outside the window of 4.
    scores = [
        cbssa(35, 50),
        cbssa(28, 70),
        cbssa(21, 70),
        cbssa(14, 70),
        cbssa(7, 70),
        cbssa(3, 40, seen_before=True),
    ]
    data = readiness_data(make_context(plan, AS_OF, None, scores))
    fit = fit_trend(data.trend)
    assert fit is not None and fit.n == 4 and abs(fit.per_week) < 1e-9


# ---------------------------------------------------------------- R305 recency


def test_r305_triggers_when_the_latest_cbssa_is_too_old(plan: Plan) -> None:
    data = readiness_data(
        make_context(plan, AS_OF, None, [cbssa(30, 72, 0.95), cbssa(20, 74, 0.96)])
    )
    result = recent_enough(data)
    assert not result.passed and not result.required
    assert "20 days old" in result.message and "allows 14" in result.message


@pytest.mark.parametrize(("test_day", "words"), [("2026-09-01", "1 day"), ("2026-09-04", "4 days")])
def test_r305_counts_the_days_to_the_test_in_words_that_agree(
    plan: Plan, test_day: str, words: str
) -> None:
    prof = profile(target={"step1_date": test_day})
    data = readiness_data(
        make_context(plan, AS_OF, prof, [cbssa(20, 72, 0.95), cbssa(1, 74, 0.96)])
    )
    assert f"is {words} after it." in recent_enough(data).message


def test_r305_without_any_unseen_cbssa(plan: Plan) -> None:
    alone = recent_enough(readiness_data(make_context(plan, AS_OF, None, [f120(3, 70)])))
    assert alone.message == "No unseen CBSSA: nothing shows the current level."
    with_history = recent_enough(readiness_data(make_context(plan, AS_OF, profile(), [])))
    assert with_history.message.startswith("No unseen CBSSA since the last attempt:")


def test_r305_quiet_when_the_latest_cbssa_is_recent(plan: Plan) -> None:
    assert recent_enough(readiness_data(make_context(plan, AS_OF, None, strong()))).passed


def test_a_distant_test_date_adds_a_step_close_to_the_test(plan: Plan) -> None:
    prof = profile(attempts=[], target={"step1_date": "2026-10-15"})
    result = run(strong(), plan, prof)
    assert result.verdict is Verdict.ready
    assert any("on or after 2026-10-01" in s for s in result.next_steps)
    r305 = check(result, "R305")
    assert r305 is not None and "planned test on 2026-10-15 is 50 days after it" in r305.message


def test_a_test_date_the_attempt_rules_forbid_is_not_looked_ahead_to(plan: Plan) -> None:
    """A 4th attempt waits 6 months after the latest (DOMAIN, attempt rules): a test planned
    before that cannot happen, so readiness gives no step or message about it."""
    fails = [
        {"exam": "step1", "date": day, "result": "fail"}
        for day in ("2025-06-10", "2026-01-20", FAILED_ON)
    ]
    forbidden = profile(attempts=fails, target={"step1_date": "2026-10-15"})
    result = run(strong(), plan, forbidden)
    assert result.verdict is not Verdict.ineligible  # one attempt is left
    texts = [*result.next_steps, *(c.message for c in result.checks)]
    assert not any("2026-10-15" in text for text in texts), texts
    allowed = profile(attempts=fails, target={"step1_date": "2026-12-15"})  # from 2026-12-01
    r305 = check(run(strong(), plan, allowed), "R305")
    assert r305 is not None and "planned test on 2026-12-15" in r305.message


def test_no_test_date_is_looked_ahead_to_when_no_attempt_is_left(plan: Plan) -> None:
    fails = [
        {"exam": "step1", "date": day, "result": "fail"}
        for day in ("2024-10-01", "2025-03-01", "2025-12-01", FAILED_ON)
    ]
    result = run(strong(), plan, profile(attempts=fails, target={"step1_date": "2026-10-15"}))
    assert result.verdict is Verdict.ineligible
    texts = [*result.next_steps, *(c.message for c in result.checks)]
    assert not any("2026-10-15" in text for text in texts), texts


# ---------------------------------------------------------------- R306 Free 120


def test_r306_triggers_without_a_free120(plan: Plan) -> None:
    result = free120(readiness_data(make_context(plan, AS_OF, None, strong()[:2])))
    assert not result.passed and not result.required
    assert "No unseen Free 120" in result.message


def test_r306_triggers_below_the_passing_share(plan: Plan) -> None:
    result = free120(readiness_data(make_context(plan, AS_OF, None, [f120(3, 55)])))
    assert not result.passed and result.required
    assert "55% correct" in result.message and "about 60%" in result.message


@pytest.mark.parametrize(("percent", "required"), [(60, True), (61, False)])
def test_r306_at_the_passing_share_is_not_a_near_miss(
    plan: Plan, percent: float, required: bool
) -> None:
    result = free120(readiness_data(make_context(plan, AS_OF, None, [f120(3, percent)])))
    assert not result.passed and result.required is required
    assert ("Near miss" in result.message) is not required


def test_r306_triggers_on_a_seen_set_only(plan: Plan) -> None:
    result = free120(
        readiness_data(make_context(plan, AS_OF, None, [f120(3, 80, seen_before=True)]))
    )
    assert not result.passed and "1 set seen before" in result.message


def test_r306_quiet_with_an_unseen_free120_at_the_bar(plan: Plan) -> None:
    result = free120(readiness_data(make_context(plan, AS_OF, None, [f120(3, 65)])))
    assert result.passed


# ---------------------------------------------------------------- R307 UWSA


def test_r307_triggers_with_uwsa_only(plan: Plan) -> None:
    result = uwsa_support(readiness_data(make_context(plan, AS_OF, None, [uwsa(5, 250)])))
    assert result is not None and not result.passed and result.required
    assert "about 240 once discounted" in result.message


def test_r307_triggers_as_advice_when_the_uwsa_disagrees(plan: Plan) -> None:
    scores = [*strong(), uwsa(5, 200)]
    result = uwsa_support(readiness_data(make_context(plan, AS_OF, None, scores)))
    assert result is not None and not result.passed and not result.required
    assert "passing standard of 196" in result.message


def test_r307_quiet_when_the_uwsa_supports_the_cbssas(plan: Plan) -> None:
    scores = [*strong(), uwsa(5, 250)]
    result = uwsa_support(readiness_data(make_context(plan, AS_OF, None, scores)))
    assert result is not None and result.passed
    assert run(scores, plan).verdict is Verdict.ready


def test_r307_quiet_without_uwsa(plan: Plan) -> None:
    assert uwsa_support(readiness_data(make_context(plan, AS_OF, None, strong()))) is None


# ---------------------------------------------------------------- R308 forms seen before


def test_r308_triggers_when_seen_forms_would_be_needed(plan: Plan) -> None:
    scores = [cbssa(20, 76, 0.98, seen_before=True), cbssa(6, 74, 0.96)]
    result = seen_forms(readiness_data(make_context(plan, AS_OF, None, scores)))
    assert result is not None and not result.passed
    assert "1 recent form seen before" in result.message
    assert "does not reach the minimum of 2" in result.message


def test_r308_quiet_when_the_unseen_forms_suffice(plan: Plan) -> None:
    scores = [*strong(), cbssa(10, 80, 0.99, seen_before=True)]
    result = seen_forms(readiness_data(make_context(plan, AS_OF, None, scores)))
    assert result is not None and result.passed
    readiness = run(scores, plan)
    assert readiness.verdict is Verdict.ready
    seen = [p for p in readiness.points if p.seen_before]
    assert seen and not seen[0].counted


def test_r308_quiet_without_seen_forms(plan: Plan) -> None:
    assert seen_forms(readiness_data(make_context(plan, AS_OF, None, strong()))) is None


# ---------------------------------------------------------------- R309 timing / R310 plan


def _timing_profile(**study: Any) -> Profile:
    return profile(
        attempts=[
            {
                "exam": "step1",
                "date": FAILED_ON,
                "result": "fail",
                "test_day": {"unfinished_blocks": 2},
            }
        ],
        study=study,
    )


def test_r309_triggers_when_recent_blocks_are_still_unfinished(plan: Plan) -> None:
    scores = [cbssa(20, 72, 0.96, unfinished_blocks=1), cbssa(6, 74, 0.97, unfinished_blocks=0)]
    data = readiness_data(make_context(plan, AS_OF, _timing_profile(), scores))
    result = timing_fixed(data)
    assert result is not None and not result.passed and result.required
    assert "unfinished_blocks" in " ".join(e.path for e in result.evidence)
    assert ": 1)" in result.message and "90 seconds an item" in (result.to_change or "")


def test_r309_triggers_as_advice_when_nothing_is_recorded(plan: Plan) -> None:
    data = readiness_data(make_context(plan, AS_OF, _timing_profile(), strong()))
    result = timing_fixed(data)
    assert result is not None and not result.passed and not result.required
    assert "no recent assessment records" in result.message


def test_r309_triggers_on_a_self_reported_timing_cause(plan: Plan) -> None:
    prof = profile(causes=["timing"])
    scores = [cbssa(6, 74, 0.97, unfinished_blocks=2)]
    result = timing_fixed(readiness_data(make_context(plan, AS_OF, prof, scores)))
    assert result is not None and not result.passed
    assert "causes[0] = timing" in result.message


def test_r309_quiet_when_every_block_was_finished(plan: Plan) -> None:
    scores = [cbssa(20, 72, 0.96, unfinished_blocks=0), cbssa(6, 74, 0.97, unfinished_blocks=0)]
    result = timing_fixed(readiness_data(make_context(plan, AS_OF, _timing_profile(), scores)))
    assert result is not None and result.passed


def _blocks(form: str, unfinished: int | None) -> PracticeScore:
    result = {"percent_correct": 70} if form == "Free 120" else {"epc": 70}
    return PracticeScore.model_validate(
        {"date": AS_OF, "form": form, "unfinished_blocks": unfinished, **result}
    )


@pytest.mark.parametrize(
    ("recorded", "finished"),
    [
        ([("CBSSA 30", 0), ("UWSA 2", 0), ("Free 120", 0)], True),
        ([("CBSSA 30", 0), ("CBSSA 31", None)], True),  # one without the record is left out
        ([("CBSSA 30", 0), ("Kaplan diagnostic", 3)], True),  # not a full-length practice exam
        ([("CBSSA 30", 0), ("UWSA 2", 1)], False),
        ([("Free 120", 2)], False),
        ([("CBSSA 30", None), ("UWSA 2", None)], False),  # none recorded: missing evidence
        ([("Kaplan diagnostic", 0)], False),  # only another kind records them
        ([], False),
    ],
    ids=[
        "all_finished",
        "one_not_recorded",
        "another_kind_unfinished",
        "one_unfinished",
        "free120_unfinished",
        "none_recorded",
        "only_another_kind",
        "no_scores",
    ],
)
def test_blocks_all_finished_is_r309s_test(
    recorded: list[tuple[str, int | None]], finished: bool
) -> None:
    assert blocks_all_finished([_blocks(form, n) for form, n in recorded]) is finished


def test_r309_quiet_when_timing_was_not_a_cause(plan: Plan) -> None:
    result = timing_fixed(readiness_data(make_context(plan, AS_OF, profile(), strong())))
    assert result is None


def test_r309_quiet_when_timing_is_only_a_low_confidence_inference(plan: Plan) -> None:
    causes = [cause(CauseId.timing, confidence=Confidence.low)]
    data = readiness_data(make_context(plan, AS_OF, profile(), strong()), causes)
    assert timing_fixed(data) is None
    assert written_test_day_plan(data) is None


def test_r310_triggers_without_a_test_day_plan(plan: Plan) -> None:
    causes = [cause(CauseId.test_anxiety_fatigue)]
    data = readiness_data(make_context(plan, AS_OF, profile(), strong()), causes)
    result = written_test_day_plan(data)
    assert result is not None and not result.passed and not result.required
    assert "causes.test_anxiety_fatigue = supported by the data" in result.message
    assert "14 blocks of 30 minutes" in (result.to_change or "")


def test_r310_quiet_with_a_test_day_plan(plan: Plan) -> None:
    causes = [cause(CauseId.timing, supported=False, self_reported=True)]
    prof = profile(study={"test_day_plan": True})
    result = written_test_day_plan(
        readiness_data(make_context(plan, AS_OF, prof, strong()), causes)
    )
    assert result is not None and result.passed


def test_r310_quiet_when_test_day_factors_were_not_a_cause(plan: Plan) -> None:
    causes = [cause(CauseId.weak_foundations), cause(CauseId.timing, supported=False)]
    data = readiness_data(make_context(plan, AS_OF, profile(), strong()), causes)
    assert written_test_day_plan(data) is None


def test_timing_cause_with_a_plan_and_clean_blocks_is_ready(plan: Plan) -> None:
    prof = profile(
        attempts=[
            {
                "exam": "step1",
                "date": FAILED_ON,
                "result": "fail",
                "test_day": {"unfinished_blocks": 2},
            }
        ],
        study={"test_day_plan": True},
    )
    scores = [
        cbssa(30, 73, 0.96, unfinished_blocks=0),
        cbssa(20, 74, 0.97, unfinished_blocks=0),
        cbssa(6, 75, 0.98, unfinished_blocks=0),
        f120(3, 72),
    ]
    result = run(scores, plan, prof)
    assert result.verdict is Verdict.ready, [c.message for c in result.checks if not c.passed]
    assert {"R309", "R310"} <= {c.code for c in result.checks}


# ---------------------------------------------------------------- projection and points


def test_a_rising_trend_below_the_bar_gets_a_labelled_projection(plan: Plan) -> None:
    # +2 EPC a week from 62 at 7 days ago: 68 is 21 days after it, 14 days from now.
    scores = [cbssa(28, 56), cbssa(21, 58), cbssa(14, 60), cbssa(7, 62)]
    result = run(scores, plan)
    assert result.verdict is Verdict.not_ready
    assert result.projected_ready_date == AS_OF + dt.timedelta(days=14)
    assert result.projection_note is not None
    assert "not a prediction of the exam" in result.projection_note
    assert "Projection of practice scores" in result.projection_note


def test_no_projected_date_when_the_bar_is_judged_on_pass_probability(plan: Plan) -> None:
    # The same rising EPCs, but the reports give a pass probability: R302 judges that, so an
    # EPC line cannot say when the verdict changes (EPC 62 and 70 % would "reach" EPC 68).
    scores = [cbssa(28, 56, 0.3), cbssa(21, 58, 0.4), cbssa(14, 60, 0.5), cbssa(7, 62, 0.7)]
    result = run(scores, plan)
    assert result.verdict is Verdict.not_ready
    assert result.projected_ready_date is None
    assert result.projection_note is not None
    assert "judged on pass probability" in result.projection_note
    assert "CBSSA" in result.projection_note and "+2.00 a week" in result.projection_note


def test_no_projected_date_from_a_line_older_than_the_bar_allows(plan: Plan) -> None:
    # +2.5 EPC a week, but the latest point is 59 days old (the bar allows 14): the line
    # "would already be there" today, which nothing recent shows.
    scores = [cbssa(87, 55), cbssa(73, 60), cbssa(59, 65)]
    result = run(scores, plan)
    assert result.verdict is Verdict.not_ready
    assert result.projected_ready_date is None
    note = result.projection_note
    assert note is not None and "already" not in note
    assert "59 days old" in note and "the bar allows 14" in note
    assert "A new unseen CBSSA" in note


def test_a_line_whose_latest_point_is_as_old_as_the_bar_allows_is_projected(
    plan: Plan,
) -> None:
    # +2 EPC a week from 62 at 14 days ago (the most R305 allows): 68 is 7 days from now.
    scores = [cbssa(28, 58), cbssa(21, 60), cbssa(14, 62)]
    result = run(scores, plan)
    assert result.projected_ready_date == AS_OF + dt.timedelta(days=7)


def test_no_projection_when_the_trend_is_too_slow(plan: Plan) -> None:
    scores = [cbssa(28, 55.0), cbssa(21, 55.1), cbssa(14, 55.2), cbssa(7, 55.3)]
    result = run(scores, plan)
    assert result.projected_ready_date is None
    assert result.projection_note is not None and "more than 112 days" in result.projection_note


def test_no_projection_for_a_ready_student(plan: Plan) -> None:
    result = run(strong(), plan)
    assert result.projected_ready_date is None and result.projection_note is None


def test_no_projection_when_the_scores_already_clear_the_bar(plan: Plan) -> None:
    # R302 passes (92 % and 95 %): only the missing Free 120 keeps the verdict borderline, so
    # a note that "only new unseen CBSSAs at the bar can show readiness" would contradict it.
    result = run([cbssa(17, 70, 0.92), cbssa(7, 71, 0.95)], plan)
    r302 = check(result, "R302")
    assert result.verdict is Verdict.borderline and r302 is not None and r302.passed
    assert result.projected_ready_date is None and result.projection_note is None


def test_points_list_every_score_with_its_value_and_whether_it_counted(plan: Plan) -> None:
    scores = [cbssa(50, 60, 0.3), *strong(), uwsa(4, 240)]
    result = run(scores, plan)
    assert [p.kind for p in result.points] == ["cbssa", "cbssa", "cbssa", "uwsa", "free120"]
    assert [p.counted for p in result.points] == [False, True, True, False, True]
    assert [p.value for p in result.points] == [60, 72, 74, 240, 70]
    assert result.low_pass_epc == 65 and result.bar_epc == 68
    assert result.bar_pass_probability == 0.9 and result.bar_free120_percent == 65


def test_evidence_paths_point_into_the_inputs(plan: Plan) -> None:
    prof = profile(
        practice=[
            {"date": ago(20).isoformat(), "form": "CBSSA 30", "epc": 72, "pass_probability": 0.96}
        ]
    )
    ctx = make_context(plan, AS_OF, prof, [cbssa(6, 74, 0.97)], ["nbme.csv:2"])
    result = assess_readiness(ctx, None, ())
    r302 = check(result, "R302")
    assert r302 is not None
    assert [e.path for e in r302.evidence] == [
        "practice[0].pass_probability",
        "nbme.csv:2.pass_probability",
    ]


def _named(form: str, days: int, epc: float, p: float) -> PracticeScore:
    return PracticeScore.model_validate(
        {"date": ago(days), "form": form, "epc": epc, "pass_probability": p}
    )


def test_note_when_fewer_unseen_cbssa_forms_are_left_than_the_bar_asks_for(plan: Plan) -> None:
    # A retaker needs 3 recent unseen CBSSAs; forms 26-30 were used before the failure and 31
    # since, so no form of the plan's list (26-31) is left for the 2 still missing.
    before = [_named(f"CBSSA {n}", 150 + n, 55, 0.2) for n in range(26, 31)]
    scores = [*before, _named("CBSSA 31", 5, 72, 0.96)]
    notes = run(scores, plan, profile()).notes
    assert any(
        "Unseen CBSSA forms left" in n and ": none, fewer than the 2 more" in n for n in notes
    )


def test_no_forms_note_while_enough_unseen_forms_remain(plan: Plan) -> None:
    scores = [_named("CBSSA 26", 20, 72, 0.96), _named("CBSSA 27", 5, 73, 0.97)]
    notes = run(scores, plan, profile()).notes
    assert not any("Unseen CBSSA forms left" in n for n in notes)


# ---------------------------------------------------------------- shared selections


def test_test_day_reasons_read_the_latest_step1_attempt(plan: Plan) -> None:
    prof = profile(
        attempts=[
            {"exam": "step1", "date": "2026-01-10", "result": "fail"},
            {
                "exam": "step1",
                "date": FAILED_ON,
                "result": "fail",
                "test_day": {"unfinished_blocks": 3},
            },
            {"exam": "step2ck", "date": "2026-07-01", "result": "fail"},
        ]
    )
    data = readiness_data(make_context(plan, AS_OF, prof, strong()))
    assert data.since == dt.date(2026, 6, 1)
    assert [(e.path, e.value) for e in data.test_day_reasons] == [
        ("attempts[1].test_day.unfinished_blocks", 3)
    ]


def test_test_day_cause_named_by_the_causes_and_the_profile_is_listed_once(plan: Plan) -> None:
    prof = profile(causes=["weak_foundations", "timing"])
    causes = [cause(CauseId.timing, self_reported=True), cause(CauseId.test_anxiety_fatigue)]
    data = readiness_data(make_context(plan, AS_OF, prof, strong()), causes)
    assert [(e.path, e.value) for e in data.test_day_reasons] == [
        ("causes.timing", "supported by the data"),
        ("causes.test_anxiety_fatigue", "supported by the data"),
    ]


def test_latest_unseen_cbssa_falls_back_to_older_ones(plan: Plan) -> None:
    old, seen = cbssa(60, 72, 0.95), cbssa(10, 74, 0.96, seen_before=True)
    data = readiness_data(make_context(plan, AS_OF, None, [old, seen]))
    assert not data.counted
    assert data.latest is not None and data.latest.score is old


def test_trend_and_latest_are_the_contexts_unseen_cbssas_up_to_the_as_of_date(plan: Plan) -> None:
    """readiness_data makes the selection of Context.unseen_cbssas (since the latest attempt) in
    its one pass over the scores, bounded by the as-of date."""
    scores = [
        cbssa(120, 80),  # before the attempt of 2026-06-01
        cbssa(70, 60),
        cbssa(65, 75, seen_before=True),
        uwsa(60, 240),
        cbssa(55, None, 0.7),  # no EPC: not in the trend
        cbssa(50, 62),
        cbssa(45, 64),
        cbssa(40, 66),
        cbssa(38, 68),
        cbssa(-1, 90),  # after the as-of date: only a context built by hand holds one
    ]
    ctx = make_context(plan, AS_OF, profile(), scores)
    data = readiness_data(ctx)
    unseen = [s for s, _ in ctx.unseen_cbssas(ctx.latest_step1_date()) if s.date <= AS_OF]
    assert [s.epc for s in unseen] == [60, None, 62, 64, 66, 68]
    window = plan.readiness.trend_window  # 4: the first one after the attempt is left out
    assert [a.score for a in data.trend] == [s for s in unseen if s.epc is not None][-window:]
    assert [a.score.epc for a in data.trend] == [62, 64, 66, 68]
    assert not data.counted  # none is recent: the latest is the latest unseen one
    assert data.latest is not None and data.latest.score is unseen[-1]


# ---------------------------------------------------------------- booking advice and waiting


def _ready_scores() -> list[PracticeScore]:
    """Clears even the retaker bar: recent unseen CBSSAs at 99 % and a Free 120 at 80."""
    return [cbssa(20, 78, 0.99), cbssa(13, 79, 0.99), cbssa(6, 80, 0.99), f120(3, 80)]


def test_ready_without_a_wait_says_to_book_while_the_evidence_is_fresh(plan: Plan) -> None:
    result = run(_ready_scores(), plan, profile())
    assert result.verdict is Verdict.ready
    assert any(
        s.startswith("Book the retake while the evidence is fresh") for s in result.next_steps
    )


def test_ready_but_made_to_wait_never_says_to_book_before_the_rules_allow(plan: Plan) -> None:
    # Three attempts in 2026: the 12-month rules put the next one in 2027, after the evidence of
    # the current CBSSAs goes stale, so "book by <date>" would name a forbidden date.
    attempts = [
        {"exam": "step1", "date": day, "result": "fail"}
        for day in ("2026-01-10", "2026-03-10", "2026-06-01")
    ]
    result = run(_ready_scores(), plan, profile(attempts=attempts))
    assert result.verdict is Verdict.ready
    assert not any(s.startswith("Book the retake") for s in result.next_steps)
    (stale,) = [s for s in result.next_steps if s.startswith("The evidence stays fresh")]
    assert "before the earliest attempt the USMLE rules allow (2027-01-11)" in stale
    assert "USMLE rules allow the next attempt from 2027-01-11 at the earliest." in (
        result.next_steps
    )


def test_the_study_plan_books_a_ready_student_by_the_date_readiness_gives(plan: Plan) -> None:
    # Two sections, one date: P402's recommendation is readiness's "book by" date
    from step1plan.rules.studyplan import choose_retake_date

    prof, scores = profile(), _ready_scores()
    result = run(scores, plan, prof)
    (step,) = [s for s in result.next_steps if s.startswith("Book the retake")]
    by = dt.date.fromisoformat(step.split("by ", 1)[1][:10])
    choice = choose_retake_date(make_context(plan, AS_OF, prof, scores), result)
    assert (choice.source, choice.date) == ("recommended", by)
