"""The pipeline's context: profile practice entries and file scores merged by date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from step1plan.analysis import make_context
from step1plan.models.profile import Profile
from step1plan.models.scores import PracticeScore
from step1plan.plans import load_plan
from step1plan.rules.base import Context

AS_OF = dt.date(2026, 11, 27)


def test_context_merges_practice_and_file_scores_sorted_by_date() -> None:
    profile = Profile.model_validate(
        {
            "student": {"id": "s-1"},
            "practice": [
                {"date": "2026-10-01", "form": "CBSSA 27", "epc": 64},
                {"date": "2026-08-01", "form": "CBSSA 26", "epc": 60},
            ],
        },
        context={"as_of": AS_OF},
    )
    file_score = PracticeScore(date=dt.date(2026, 9, 1), form="UWSA 1", score=220)
    ctx = make_context(load_plan("default"), AS_OF, profile, [file_score], ["nbme.csv:2"])
    assert [s.form for s in ctx.scores] == ["CBSSA 26", "UWSA 1", "CBSSA 27"]
    assert list(ctx.score_paths) == ["practice[1]", "nbme.csv:2", "practice[0]"]


def test_context_marks_a_cbssa_form_taken_earlier_as_seen_before() -> None:
    def score(day: str, form: str, seen: bool = False) -> PracticeScore:
        return PracticeScore(date=dt.date.fromisoformat(day), form=form, epc=70, seen_before=seen)

    first = score("2026-09-01", "CBSSA 27")
    free = [score("2026-09-02", "Free 120"), score("2026-10-02", "Free 120")]
    scores = [first, *free, score("2026-10-01", "NBME 27"), score("2026-10-05", "CBSSA 28")]
    ctx = make_context(load_plan("default"), AS_OF, None, scores)
    seen = {(s.form, s.date.isoformat()): s.seen_before for s in ctx.scores}
    assert seen == {
        ("CBSSA 27", "2026-09-01"): False,  # the first sitting of form 27
        ("Free 120", "2026-09-02"): False,  # sets have no number: the student's flag stands
        ("NBME 27", "2026-10-01"): True,  # form 27 again, under its other name
        ("Free 120", "2026-10-02"): False,
        ("CBSSA 28", "2026-10-05"): False,
    }
    assert ctx.scores[0] is first  # an unchanged score is not copied


def test_context_keeps_one_sitting_written_twice_once_with_what_either_copy_says() -> None:
    day, later = dt.date(2026, 11, 10), dt.date(2026, 11, 20)
    first = PracticeScore(date=day, form="CBSSA 30", epc=72)
    again = PracticeScore(date=day, form="NBME 30", epc=70, pass_probability=0.8, seen_before=True)
    repeat = PracticeScore(date=later, form="CBSSA 29", epc=71)
    repeat_again = PracticeScore(date=later, form="NBME 29", epc=71, unfinished_blocks=0)
    earlier = PracticeScore(date=dt.date(2026, 10, 1), form="CBSSA 29", epc=60)
    scores = [first, again, earlier, repeat, repeat_again]
    ctx = make_context(load_plan("default"), AS_OF, None, scores, ["a", "b", "c", "d", "e"])
    assert list(ctx.score_paths) == ["c", "a", "d"]  # one entry a sitting, the first copy's path
    merged, later_one = ctx.scores[1], ctx.scores[2]
    assert (merged.form, merged.epc) == ("CBSSA 30", 72)  # where both give a value, the first's
    assert (merged.pass_probability, merged.seen_before) == (0.8, True)  # what only one says
    assert later_one.seen_before and later_one.unfinished_blocks == 0  # a repeat, written twice


def test_context_without_profile_names_scores_by_index() -> None:
    scores = [PracticeScore(date=dt.date(2026, 9, 1), form="Free 120", percent_correct=70)]
    ctx = make_context(load_plan("default"), AS_OF, None, scores)
    assert ctx.profile is None
    assert list(ctx.score_paths) == ["scores[0]"]


def _scores_ctx(attempts: list[dict[str, str]], scores: list[PracticeScore]) -> Context:
    profile = Profile.model_validate(
        {"student": {"id": "s-1"}, "attempts": attempts}, context={"as_of": AS_OF}
    )
    paths = [f"nbme.csv:{i + 2}" for i in range(len(scores))]
    return make_context(load_plan("default"), AS_OF, profile, scores, paths)


FAILED_ON = dt.date(2026, 8, 20)
FAILED = [{"exam": "step1", "date": FAILED_ON.isoformat(), "result": "fail"}]


def test_unseen_cbssas_are_those_after_since_oldest_first_with_their_paths() -> None:
    def score(day: str, form: str, **result: Any) -> PracticeScore:
        return PracticeScore(date=dt.date.fromisoformat(day), form=form, **{"epc": 64, **result})

    scores = [
        score("2026-08-01", "CBSSA 26"),  # before the attempt
        score("2026-08-20", "CBSSA 27"),  # on its day: not after it
        score("2026-09-01", "CBSSA 28"),
        score("2026-09-10", "CBSSA 29", seen_before=True),  # flagged by the student
        score("2026-09-15", "UWSA 1", epc=None, score=230),  # another kind
        score("2026-09-20", "Free 120", epc=None, percent_correct=70),
        score("2026-09-25", "Kaplan diagnostic"),
        score("2026-10-01", "NBME 26"),  # form 26 again: marked seen before by make_context
        score("2026-10-05", "CBSSA 30", epc=None, pass_probability=0.8),  # no EPC still counts
    ]
    ctx = _scores_ctx(FAILED, scores)
    assert ctx.latest_step1_date() == FAILED_ON
    assert [(s.form, p) for s, p in ctx.unseen_cbssas(FAILED_ON)] == [
        ("CBSSA 28", "nbme.csv:4"),
        ("CBSSA 30", "nbme.csv:10"),
    ]
    # Without an attempt, every unseen CBSSA (not the repeated form 26)
    assert [s.form for s, _ in ctx.unseen_cbssas(None)] == [
        "CBSSA 26",
        "CBSSA 27",
        "CBSSA 28",
        "CBSSA 30",
    ]


def test_unseen_cbssas_leave_the_as_of_bound_to_their_caller() -> None:
    # The loader refuses a score dated after the as-of date; a context built by hand may hold
    # one, and the selection keeps it: the callers that judge as of the as-of date filter it.
    later = PracticeScore(date=AS_OF + dt.timedelta(days=1), form="CBSSA 31", epc=70)
    ctx = _scores_ctx(FAILED, [later])
    assert [s for s, _ in ctx.unseen_cbssas(FAILED_ON)] == [later]


def test_unseen_cbssas_of_a_context_built_without_paths_name_them_by_index() -> None:
    first = PracticeScore(date=dt.date(2026, 9, 1), form="UWSA 1", score=220)
    second = PracticeScore(date=dt.date(2026, 9, 2), form="CBSSA 28", epc=64)
    ctx = Context(plan=load_plan("default"), as_of=AS_OF, scores=(first, second))
    assert ctx.evidence_paths() == ["scores[0]", "scores[1]"]
    assert ctx.unseen_cbssas(None) == [(second, "scores[1]")]


def test_partial_analysis_matches_the_full_report_on_every_example() -> None:
    """Cohort rows use ``full=False``: every section they read must equal the full report's."""
    import dataclasses
    from pathlib import Path

    from step1plan.analysis import analyse
    from step1plan.load.profile import load_inputs

    plan = load_plan("default")
    examples = Path(__file__).resolve().parents[1] / "examples"
    files = sorted(examples.glob("*.yaml")) + sorted((examples / "cohort").glob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        ctx = load_inputs(path, AS_OF, plan).context(plan, AS_OF)
        full = analyse(ctx)
        partial = analyse(ctx, full=False)
        assert partial.study_plan is None and partial.strategy is None
        assert full.study_plan is not None and full.strategy is not None
        assert dataclasses.replace(full, study_plan=None, strategy=None) == partial, path.name
