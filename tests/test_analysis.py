"""The pipeline's context: profile practice entries and file scores merged by date."""

from __future__ import annotations

import datetime as dt

from step1plan.analysis import make_context
from step1plan.models.profile import Profile
from step1plan.models.scores import PracticeScore
from step1plan.plans import load_plan

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
