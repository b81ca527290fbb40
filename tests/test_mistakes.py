"""Mistakes to avoid read from the data (M701-M705)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from step1plan.analysis import make_context
from step1plan.models.common import CauseId
from step1plan.models.profile import Profile
from step1plan.models.report import (
    CauseResult,
    Confidence,
    Eligibility,
    Readiness,
    Severity,
    Verdict,
)
from step1plan.plans import Plan
from step1plan.rules.base import Context
from step1plan.rules.mistakes import (
    find_mistakes,
    no_application_strategy,
    no_coaching_erratic_scores,
    no_diagnosis,
    retake_too_soon,
    step2ck_squeezed,
)
from step1plan.rules.timeline import build_timeline

D = dt.date
AS_OF = D(2026, 1, 10)
NOT_READY = Readiness(Verdict.not_ready)
READY = Readiness(Verdict.ready)
BANDS = {"disciplines": {"pathology": "lower"}}
CAUSE = CauseResult(CauseId.weak_foundations, 1, Confidence.high, False, True, 0.8, "gaps")


def ctx_for(plan: Plan, **parts: Any) -> Context:
    data: dict[str, Any] = {
        "student": {"id": "m-1"},
        "attempts": [{"exam": "step1", "date": "2025-12-01", "result": "fail"}],
    }
    data.update(parts)
    return make_context(plan, AS_OF, Profile.model_validate(data, context={"as_of": AS_OF}))


def eligible(on: dt.date = AS_OF) -> Eligibility:
    return Eligibility(1, 3, on, False)


def cbssas(*epcs: float) -> list[dict[str, Any]]:
    return [
        {
            "date": (D(2025, 12, 10) + dt.timedelta(days=7 * i)).isoformat(),
            "form": f"CBSSA {26 + i}",
            "epc": epc,
        }
        for i, epc in enumerate(epcs)
    ]


# ---------------------------------------------------------------- M701


def test_m701_triggers_when_the_retake_is_planned_while_not_ready(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, target={"step1_date": "2026-02-04"})
    found = retake_too_soon(ctx, eligible(), NOT_READY)
    assert found is not None and found.code == "M701" and found.severity is Severity.warning
    assert "not_ready" in found.message and "2026-02-04" in found.message
    assert {e.path for e in found.evidence} >= {"target.step1_date", "readiness.verdict"}
    assert found.title == "Retake planned before readiness or eligibility"


def test_m701_triggers_critical_before_the_earliest_allowed_attempt(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, target={"step1_date": "2026-02-04"})
    found = retake_too_soon(ctx, eligible(D(2026, 6, 1)), READY)
    assert found is not None and found.severity is Severity.critical
    assert "2026-06-01" in found.message


def test_m701_triggers_before_the_projected_ready_date(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, target={"step1_date": "2026-02-04"})
    readiness = Readiness(Verdict.borderline, projected_ready_date=D(2026, 3, 1))
    found = retake_too_soon(ctx, eligible(), readiness)
    assert found is not None and "2026-03-01" in found.message


def test_m701_quiet_when_ready_and_eligible(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, target={"step1_date": "2026-02-04"})
    assert retake_too_soon(ctx, eligible(), READY) is None


def test_m701_quiet_when_the_projection_comes_first_or_nothing_is_planned(
    default_plan: Plan,
) -> None:
    readiness = Readiness(Verdict.not_ready, projected_ready_date=D(2026, 1, 30))
    ctx = ctx_for(default_plan, target={"step1_date": "2026-02-04"})
    assert retake_too_soon(ctx, eligible(), readiness) is None
    assert retake_too_soon(ctx_for(default_plan), eligible(), NOT_READY) is None


# ---------------------------------------------------------------- M702


def test_m702_triggers_without_causes_or_bands(default_plan: Plan) -> None:
    found = no_diagnosis(ctx_for(default_plan), ())
    assert found is not None and found.code == "M702"


def test_m702_quiet_with_score_report_bands(default_plan: Plan) -> None:
    attempts = [{"exam": "step1", "date": "2025-12-01", "result": "fail", "content_areas": BANDS}]
    assert no_diagnosis(ctx_for(default_plan, attempts=attempts), ()) is None


def test_m702_quiet_with_causes(default_plan: Plan) -> None:
    assert no_diagnosis(ctx_for(default_plan), (CAUSE,)) is None
    assert no_diagnosis(ctx_for(default_plan, causes=["timing"]), ()) is None


# ---------------------------------------------------------------- M703


def test_m703_triggers_without_a_target_specialty(default_plan: Plan) -> None:
    found = no_application_strategy(ctx_for(default_plan))
    assert found is not None and "no target specialty" in found.message


def test_m703_triggers_with_only_a_very_competitive_choice(default_plan: Plan) -> None:
    found = no_application_strategy(ctx_for(default_plan, target={"specialty": "dermatology"}))
    assert found is not None and "Dermatology" in found.message
    assert "very competitive" in found.message and "%" not in found.message


def test_m703_quiet_with_a_moderate_specialty(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, target={"specialty": "internal_medicine"})
    assert no_application_strategy(ctx) is None


# ---------------------------------------------------------------- M704


def test_m704_triggers_with_erratic_scores_and_no_tutor(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, practice=cbssas(55, 70, 58, 72))
    found = no_coaching_erratic_scores(ctx, NOT_READY)
    assert found is not None and found.code == "M704"
    assert "(55, 70, 58, 72 EPC) swing 15.9 points" in found.message
    assert "more than the 8 the readiness bar allows" in found.message
    assert ("study.tutoring", False) in [(e.path, e.value) for e in found.evidence]


def test_m704_quiet_with_a_tutor(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, practice=cbssas(55, 70, 58, 72), study={"tutoring": True})
    assert no_coaching_erratic_scores(ctx, NOT_READY) is None


def test_m704_quiet_with_a_steady_rise(default_plan: Plan) -> None:
    # A range of 12 points, but all of it is progress: no swing around the trend.
    ctx = ctx_for(default_plan, practice=cbssas(58, 62, 66, 70))
    assert no_coaching_erratic_scores(ctx, NOT_READY) is None


def test_m704_quiet_with_two_scores(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, practice=cbssas(55, 72))
    assert no_coaching_erratic_scores(ctx, NOT_READY) is None


def test_m704_quiet_with_consistent_scores(default_plan: Plan) -> None:
    # Only the latest trend_window (4) count: the early 50 is out of the window.
    ctx = ctx_for(default_plan, practice=cbssas(50, 64, 66, 67, 69))
    assert no_coaching_erratic_scores(ctx, NOT_READY) is None


# ---------------------------------------------------------------- M705


def test_m705_triggers_when_step2ck_is_squeezed(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, target={"step1_date": "2026-02-04", "step2ck_date": "2026-04-01"})
    timeline = build_timeline(ctx, eligible(), NOT_READY)
    found = step2ck_squeezed(ctx, timeline)
    assert found is not None and found.code == "M705"
    assert "4 weeks" in found.message and "minimum is 6" in found.message


def test_m705_quiet_with_enough_preparation(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, target={"step1_date": "2026-02-04", "step2ck_date": "2026-05-06"})
    timeline = build_timeline(ctx, eligible(), NOT_READY)
    assert step2ck_squeezed(ctx, timeline) is None


def test_m705_quiet_when_step2ck_comes_first_with_enough_preparation(
    default_plan: Plan,
) -> None:
    # Step 2 CK on 2026-03-04 before the Step 1 retake on 2026-05-06: 7.6 weeks from the
    # as-of date, not "0 weeks" from the Step 1 result.
    ctx = ctx_for(default_plan, target={"step1_date": "2026-05-06", "step2ck_date": "2026-03-04"})
    timeline = build_timeline(ctx, eligible(), NOT_READY)
    assert step2ck_squeezed(ctx, timeline) is None


def test_m705_triggers_when_step2ck_comes_first_but_too_soon(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, target={"step1_date": "2026-05-06", "step2ck_date": "2026-02-04"})
    timeline = build_timeline(ctx, eligible(), NOT_READY)
    found = step2ck_squeezed(ctx, timeline)
    assert found is not None
    assert "3.6 weeks after preparation can start (2026-01-10)" in found.message


def test_find_mistakes_runs_them_in_code_order(default_plan: Plan) -> None:
    ctx = ctx_for(
        default_plan,
        target={"step1_date": "2026-02-04", "step2ck_date": "2026-04-01", "specialty": "urology"},
        practice=cbssas(55, 70, 58, 72),
    )
    timeline = build_timeline(ctx, eligible(), NOT_READY)
    found = find_mistakes(ctx, (), eligible(), NOT_READY, timeline)
    assert [f.code for f in found] == ["M701", "M702", "M703", "M704", "M705"]
    quiet = ctx_for(default_plan, target={"specialty": "pediatrics"}, study={"tutoring": True})
    timeline = build_timeline(quiet, eligible(), READY)
    assert find_mistakes(quiet, (CAUSE,), eligible(), READY, timeline) == ()
