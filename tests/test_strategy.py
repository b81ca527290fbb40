"""Application strategy (S601-S608) and its views."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from rich.console import Console

from step1plan.analysis import make_context
from step1plan.models.profile import Profile
from step1plan.models.report import Eligibility, Finding, Readiness, Severity, Timeline, Verdict
from step1plan.plans import Plan
from step1plan.report.strategy_view import strategy_markdown, strategy_renderables
from step1plan.rules.base import Context
from step1plan.rules.eligibility import assess_eligibility
from step1plan.rules.strategy import (
    _step2ck_finding,
    build_strategy,
    explain_briefly,
    explanation_or_closed,
    letters,
    no_attempt_left,
    parallel_plan,
    program_list,
    step2ck_signal,
    us_clinical_experience,
    visa,
    years_since_graduation,
)
from step1plan.rules.timeline import build_timeline

D = dt.date
AS_OF = D(2026, 1, 10)
FAILED = [{"exam": "step1", "date": "2025-12-01", "result": "fail"}]
IMG = {
    "id": "i-1",
    "graduate_type": "img",
    "graduation_year": 2024,
    "visa_required": True,
    "us_clinical_experience_months": 1,
    "us_letters": 1,
}


def ctx_for(plan: Plan, **parts: Any) -> Context:
    data: dict[str, Any] = {"student": {"id": "s-1"}, "attempts": FAILED}
    data.update(parts)
    return make_context(plan, AS_OF, Profile.model_validate(data))


def timeline(ctx: Context) -> Timeline:
    return build_timeline(ctx, Eligibility(1, 3, AS_OF, False), Readiness(Verdict.not_ready))


def render(items: list[Any]) -> str:
    console = Console(width=100, no_color=True, record=True, file=io.StringIO())
    for item in items:
        console.print(item)
    return console.export_text()


NO_PERCENT = re.compile(r"\d\s*%|percent(?!\s+correct)")


def assert_no_percentages(findings: tuple[Finding, ...] | list[Finding]) -> None:
    for f in findings:
        assert not NO_PERCENT.search(f.message + (f.recommendation or "")), f.message


# ---------------------------------------------------------------- S601


def test_s601_triggers_for_a_very_competitive_target(default_plan: Plan) -> None:
    found = parallel_plan(ctx_for(default_plan, target={"specialty": "dermatology"}))
    assert found is not None and found.code == "S601" and found.severity is Severity.warning
    assert "Dermatology is rated very competitive" in found.message
    assert found.recommendation is not None and "Family Medicine" in found.recommendation
    assert_no_percentages([found])


def test_s601_quiet_for_a_moderate_target(default_plan: Plan) -> None:
    assert parallel_plan(ctx_for(default_plan, target={"specialty": "psychiatry"})) is None


def test_s601_quiet_after_a_first_attempt_pass(default_plan: Plan) -> None:
    passed = [{"exam": "step1", "date": "2025-12-01", "result": "pass"}]
    ctx = ctx_for(default_plan, attempts=passed, target={"specialty": "dermatology"})
    assert parallel_plan(ctx) is None


THREE_FAILED = [
    {"exam": "step1", "date": day, "result": "fail"}
    for day in ("2025-01-10", "2025-06-20", "2025-12-01")
]
INCOMPLETE = [{"exam": "step1", "date": "2025-12-01", "result": "incomplete"}]


STEP2CK_FAILED = {"exam": "step2ck", "date": "2025-12-20", "result": "fail"}


@pytest.mark.parametrize(
    ("attempts", "words"),
    [
        (FAILED, "the failed Step 1 attempt"),
        (THREE_FAILED, "the three failed Step 1 attempts"),
        (INCOMPLETE, "the incomplete Step 1 attempt"),
        (
            [THREE_FAILED[0], INCOMPLETE[0]],
            "the failed Step 1 attempt and the incomplete Step 1 attempt",
        ),
        (
            [THREE_FAILED[0], INCOMPLETE[0], STEP2CK_FAILED],
            "the failed Step 1 attempt, the incomplete Step 1 attempt and the failed Step 2 CK "
            "attempt",
        ),
    ],
    ids=["one failed", "three failed", "incomplete", "both", "and step 2 ck"],
)
def test_s601_s602_s608_name_the_attempts_as_they_were(
    default_plan: Plan, attempts: list[dict[str, str]], words: str
) -> None:
    """Each names exactly these attempts: the whole phrase, ended where the sentence goes on."""
    ctx = ctx_for(default_plan, attempts=attempts, target={"specialty": "dermatology"})
    expected = {
        parallel_plan: f"With {words} on the transcript,",
        program_list: f"Programs will see {words} on the transcript;",
        explain_briefly: f"Programs will ask about {words};",
    }
    for rule, phrase in expected.items():
        found = rule(ctx)
        assert found is not None and phrase in found.message, (rule, found)


@pytest.mark.parametrize(
    ("attempts", "words"),
    [
        ([{"exam": "step1", "date": "2025-06-01", "result": "pass"}, STEP2CK_FAILED], "failure is"),
        ([*FAILED, STEP2CK_FAILED], "failures are"),
    ],
    ids=["one failure", "two"],
)
def test_s607_after_a_step2ck_failure_counts_the_failures(
    default_plan: Plan, attempts: list[dict[str, str]], words: str
) -> None:
    ctx = ctx_for(default_plan, attempts=attempts)
    found = step2ck_signal(ctx, timeline(ctx))
    assert found is not None and f"that the {words} behind you." in found.message


def test_s601_and_s608_quiet_with_only_a_step2ck_failure(default_plan: Plan) -> None:
    """After a Step 1 pass, a Step 2 CK failure has no Step 1 failure to explain (explain
    PROFILE refuses such a profile), and S601 speaks of Step 1 failures."""
    passed = {"exam": "step1", "date": "2025-06-01", "result": "pass"}
    ctx = ctx_for(
        default_plan, attempts=[passed, STEP2CK_FAILED], target={"specialty": "dermatology"}
    )
    assert parallel_plan(ctx) is None and explain_briefly(ctx) is None


# ---------------------------------------------------------------- S602


def test_s602_triggers_after_a_failure_with_img_and_visa_filters(default_plan: Plan) -> None:
    found = program_list(ctx_for(default_plan, student=IMG))
    assert found is not None and found.code == "S602"
    assert found.recommendation is not None
    assert "IMGs" in found.recommendation and "sponsor" in found.recommendation


def test_s602_quiet_without_a_failed_attempt(default_plan: Plan) -> None:
    assert program_list(ctx_for(default_plan, attempts=[])) is None


# ---------------------------------------------------------------- S603


def test_s603_triggers_for_an_img_with_few_us_letters(default_plan: Plan) -> None:
    found = letters(ctx_for(default_plan, student=IMG))
    assert found is not None and "1 letter from US physicians" in found.message
    assert "aim for 3" in found.message


def test_s603_triggers_for_a_us_graduate_who_gave_a_low_count(default_plan: Plan) -> None:
    found = letters(ctx_for(default_plan, student={"id": "u", "us_letters": 2}))
    assert found is not None and "2 letters on record" in found.message


def test_s603_quiet_with_enough_letters_or_no_count(default_plan: Plan) -> None:
    assert letters(ctx_for(default_plan, student={**IMG, "us_letters": 3})) is None
    assert letters(ctx_for(default_plan)) is None  # a US graduate who gave no count


# ---------------------------------------------------------------- S604-S606


def test_s604_triggers_for_an_img_with_little_us_experience(default_plan: Plan) -> None:
    found = us_clinical_experience(ctx_for(default_plan, student=IMG))
    assert found is not None and "1 month of" in found.message and "at least 3" in found.message


def test_s604_quiet_for_enough_experience_or_a_us_graduate(default_plan: Plan) -> None:
    img = {**IMG, "us_clinical_experience_months": 4}
    assert us_clinical_experience(ctx_for(default_plan, student=img)) is None
    assert us_clinical_experience(ctx_for(default_plan)) is None


def test_s605_triggers_when_a_visa_is_needed(default_plan: Plan) -> None:
    found = visa(ctx_for(default_plan, student=IMG))
    assert found is not None and found.code == "S605"


def test_s605_quiet_without_a_visa(default_plan: Plan) -> None:
    assert visa(ctx_for(default_plan, student={**IMG, "visa_required": False})) is None


def test_s606_triggers_long_after_graduation(default_plan: Plan) -> None:
    ctx = ctx_for(
        default_plan,
        student={**IMG, "graduation_year": 2019},
        target={"step1_date": "2026-02-04", "match_year": 2027},
    )
    found = years_since_graduation(ctx, timeline(ctx))
    # Match 2027: the 2026 season, 7 years after 2019.
    assert found is not None and "2026 application season" in found.message
    assert "7 years" in found.message and "more than 5" in found.message


def test_s606_quiet_for_a_recent_graduate(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, student=IMG, target={"step1_date": "2026-02-04"})
    assert years_since_graduation(ctx, timeline(ctx)) is None
    ctx = ctx_for(default_plan)  # no graduation year
    assert years_since_graduation(ctx, timeline(ctx)) is None


# ---------------------------------------------------------------- S607, S608


def test_s607_triggers_while_step2ck_is_ahead(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, target={"step1_date": "2026-02-04"})
    found = step2ck_signal(ctx, timeline(ctx))
    assert found is not None and "2026-04-29" in found.message
    assert "8 weeks" in found.message


def test_s607_finding_is_shared_for_the_same_dates_and_plain_without_them() -> None:
    start, test = dt.date(2026, 3, 4), dt.date(2026, 4, 29)
    found = _step2ck_finding(start, test, False, True)
    assert found is _step2ck_finding(start, test, False, True)  # cached: findings are immutable
    assert "on 2026-04-29, after 8 weeks" in found.message
    assert [(e.path, e.value) for e in found.evidence] == [("timeline.step2ck_test", "2026-04-29")]
    plain = _step2ck_finding(None, None, False, True)
    assert "On the timeline" not in plain.message and plain.evidence == ()


def test_s607_counts_preparation_forward_when_step2ck_comes_first(default_plan: Plan) -> None:
    # Step 2 CK planned before the Step 1 retake: its preparation runs from the as-of date
    # (2026-01-10 -> 2026-03-04), not from the Step 1 result after it.
    ctx = ctx_for(default_plan, target={"step1_date": "2026-05-06", "step2ck_date": "2026-03-04"})
    found = step2ck_signal(ctx, timeline(ctx))
    assert found is not None and "on 2026-03-04, after 7.6 weeks" in found.message
    assert "-" not in found.message.split("after", 1)[1]


def test_s607_never_writes_negative_weeks() -> None:
    # A test day before the preparation can start (a clerkship still running) reads 0 weeks.
    found = _step2ck_finding(dt.date(2026, 5, 1), dt.date(2026, 4, 1), False, True)
    assert "on 2026-04-01, after 0 weeks of dedicated preparation" in found.message


def test_s607_quiet_after_a_step2ck_pass(default_plan: Plan) -> None:
    attempts = [*FAILED, {"exam": "step2ck", "date": "2025-12-20", "result": "pass"}]
    ctx = ctx_for(default_plan, attempts=attempts)
    assert step2ck_signal(ctx, timeline(ctx)) is None


def test_s607_quiet_when_no_step2ck_attempt_is_left(default_plan: Plan) -> None:
    fails = ("2024-03-01", "2024-08-01", "2025-02-01", "2025-09-01")
    attempts = [
        {"exam": "step1", "date": "2023-06-01", "result": "pass"},
        *({"exam": "step2ck", "date": day, "result": "fail"} for day in fails),
    ]
    ctx = ctx_for(default_plan, attempts=attempts)
    assert step2ck_signal(ctx, timeline(ctx)) is None


def test_s607_promises_a_first_attempt_pass_only_before_any_step2ck_attempt(
    default_plan: Plan,
) -> None:
    first = step2ck_signal(ctx := ctx_for(default_plan), timeline(ctx))
    assert first is not None and "first-attempt pass" in first.message
    attempts = [*FAILED, {"exam": "step2ck", "date": "2025-12-20", "result": "fail"}]
    ctx = ctx_for(default_plan, attempts=attempts)
    found = step2ck_signal(ctx, timeline(ctx))
    assert found is not None
    assert "first-attempt" not in found.message
    assert "on the retake" in found.message


def test_s608_triggers_after_a_failure(default_plan: Plan) -> None:
    found = explain_briefly(ctx_for(default_plan))
    assert found is not None and found.recommendation is not None
    assert "explain --check" in found.recommendation


def test_s608_quiet_without_a_failure(default_plan: Plan) -> None:
    assert explain_briefly(ctx_for(default_plan, attempts=[])) is None


# ---------------------------------------------------------------- build_strategy and views


def test_build_strategy_for_an_img_targeting_a_very_competitive_specialty(
    default_plan: Plan,
) -> None:
    ctx = ctx_for(
        default_plan,
        student=IMG,
        target={"specialty": "orthopaedic_surgery", "step1_date": "2026-02-04"},
    )
    strategy = build_strategy(ctx, (), timeline(ctx))
    assert (strategy.specialty, strategy.tier) == ("orthopaedic_surgery", "very_competitive")
    assert [f.code for f in strategy.advice] == [
        "S601",
        "S602",
        "S603",
        "S604",
        "S605",
        "S607",
        "S608",
    ]
    assert strategy.explanation is not None and strategy.explanation.startswith("I did not pass")
    assert_no_percentages(strategy.advice)


def test_build_strategy_without_a_failure_has_no_draft(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, attempts=[], target={"specialty": "pediatrics"})
    strategy = build_strategy(ctx, (), timeline(ctx))
    assert strategy.tier == "less_competitive" and strategy.explanation is None
    assert strategy.advice == ()  # every piece of advice is about a failure, S607 included


@pytest.mark.parametrize(
    ("attempts", "fires"),
    [
        ([{"exam": "step1", "date": "2025-06-01", "result": "pass"}], False),
        ([{"exam": "step2ck", "date": "2025-06-01", "result": "fail"}], True),
        (FAILED, True),
    ],
    ids=["step 1 passed", "step 2 ck failed", "step 1 failed"],
)
def test_s607_needs_a_failure_to_recover_from(
    default_plan: Plan, attempts: list[dict[str, str]], fires: bool
) -> None:
    ctx = ctx_for(default_plan, attempts=attempts)
    found = step2ck_signal(ctx, timeline(ctx))
    assert (found is not None) is fires
    if found is not None:
        assert "not a pattern" not in found.message


def _m701() -> Finding:
    return Finding(
        "M701",
        "Retake planned before readiness or eligibility",
        Severity.warning,
        "The retake is planned too soon.",
        (),
        "Move it.",
    )


def _c101() -> Finding:
    return Finding("C190", "Too little data", Severity.info, "Add the score report.", ())


def test_strategy_renderables_split_mistakes_and_notes(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, target={"specialty": "urology", "step1_date": "2026-02-04"})
    strategy = build_strategy(ctx, (), timeline(ctx))
    out = render(strategy_renderables(strategy, [_m701(), _c101()]))
    assert "Application strategy: Urology (very competitive" in out
    assert "Mistakes to avoid" in out and "M701" in out and "Move it." in out
    assert "Notes" in out and "C190" in out
    assert "Draft explanation of the failure" in out
    assert out.index("Mistakes to avoid") < out.index("Notes")


def test_strategy_renderables_without_mistakes(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, attempts=[], target={"specialty": "pediatrics"})
    strategy = build_strategy(ctx, (), timeline(ctx))
    out = render(strategy_renderables(strategy, []))
    assert "Mistakes to avoid: none found in the data." in out
    assert "Draft explanation" not in out


def test_strategy_markdown(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, student=IMG, target={"step1_date": "2026-02-04"})
    strategy = build_strategy(ctx, (), timeline(ctx))
    md = strategy_markdown(strategy, [_m701(), _c101()])
    assert md.startswith("## Application strategy")
    assert "- **S604 US clinical experience (IMG)** (warning):" in md
    assert "### Mistakes to avoid" in md and "- **M701" in md
    assert "### Notes" in md and "- **C190" in md
    assert "> I did not pass my first Step 1 attempt" in md


# ---------------------------------------------------------------- S609


FOUR_FAILED = [
    {"exam": "step1", "date": day, "result": "fail"}
    for day in ("2021-11-10", "2022-05-04", "2023-02-15", "2024-03-20")
]


def test_s609_triggers_and_replaces_the_advice_when_no_attempt_is_left(
    default_plan: Plan,
) -> None:
    ctx = ctx_for(default_plan, attempts=FOUR_FAILED)
    assert ctx.profile is not None
    eligibility = assess_eligibility(ctx.profile.attempts, AS_OF)
    assert eligibility.blocked and eligibility.attempts_left == 0
    strategy = build_strategy(ctx, (), timeline(ctx), eligibility)
    assert [f.code for f in strategy.advice] == ["S609"]
    assert strategy.advice[0].severity is Severity.critical
    assert strategy.explanation is None  # no "I did not pass my first four attempts" to send


def test_s609_message_and_evidence_when_step1_attempts_run_out(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, attempts=FOUR_FAILED)
    assert ctx.profile is not None
    found = no_attempt_left(ctx, assess_eligibility(ctx.profile.attempts, AS_OF))
    assert found is not None
    assert found.message == (
        "No USMLE attempt is left (see eligibility): no Step can be applied for again, so the "
        "application advice (program list, letters, Step 2 CK, an explanation of the failure) "
        "does not apply and is not given."
    )
    assert [(e.path, e.value) for e in found.evidence] == [
        ("eligibility.blocked", True),
        ("eligibility.attempts_left", 0),
    ]
    assert found.recommendation is not None and found.recommendation.startswith(
        "Ask your school (or, as an international graduate, ECFMG) which options remain"
    )


def test_explain_gets_s609_instead_of_a_draft_when_no_attempt_is_left(
    default_plan: Plan,
) -> None:
    closed = ctx_for(default_plan, attempts=FOUR_FAILED)
    assert closed.profile is not None
    found = explanation_or_closed(
        closed, (), None, assess_eligibility(closed.profile.attempts, AS_OF)
    )
    assert isinstance(found, Finding) and found.code == "S609"
    open_ = ctx_for(default_plan, attempts=FOUR_FAILED[:3])
    assert open_.profile is not None
    eligibility = assess_eligibility(open_.profile.attempts, AS_OF)
    draft = explanation_or_closed(open_, (), None, eligibility)
    assert isinstance(draft, str) and draft.startswith("I did not pass my first three")


def test_s609_triggers_when_step2ck_attempts_run_out_after_a_step1_pass(
    default_plan: Plan,
) -> None:
    """Four Step 2 CK attempts without a pass close every Step (DOMAIN, attempt limit), even
    after a Step 1 pass; three leave one attempt, and S609 stays quiet."""
    step2ck_fails = [
        {"exam": "step2ck", "date": day, "result": "fail"}
        for day in ("2024-06-10", "2024-12-20", "2025-06-02", "2025-12-04")
    ]
    passed = {"exam": "step1", "date": "2024-01-08", "result": "pass"}
    for fails, fires in ((step2ck_fails, True), (step2ck_fails[:3], False)):
        ctx = ctx_for(default_plan, attempts=[passed, *fails])
        assert ctx.profile is not None
        eligibility = assess_eligibility(ctx.profile.attempts, AS_OF)
        found = no_attempt_left(ctx, eligibility)
        assert (found is not None) is fires
        if found is not None:
            assert "(Step 2 CK, see the timeline)" in found.message
            assert [e.path for e in found.evidence] == ["attempts"]


@pytest.mark.parametrize(
    "attempts",
    [FAILED, [*FAILED, {"exam": "step1", "date": "2026-01-05", "result": "pass"}]],
    ids=["attempts left", "step 1 passed"],
)
def test_s609_quiet_while_an_attempt_is_left_or_after_a_pass(
    default_plan: Plan, attempts: list[dict[str, str]]
) -> None:
    ctx = ctx_for(default_plan, attempts=attempts)
    assert ctx.profile is not None
    eligibility = assess_eligibility(ctx.profile.attempts, AS_OF)
    assert no_attempt_left(ctx, eligibility) is None
    strategy = build_strategy(ctx, (), timeline(ctx), eligibility)
    assert "S609" not in [f.code for f in strategy.advice]
