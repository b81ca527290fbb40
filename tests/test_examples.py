"""The shipped examples: every file is valid, realistic and dated for ``--as-of 2026-11-27``.

They are checked with the models directly, against the attempt rules of DOMAIN.md (a profile
that breaks them could not exist), and through ``step1plan validate`` once the loader is in place.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from step1plan.cli import app
from step1plan.facts import (
    FOURTH_ATTEMPT_MONTHS_AFTER_FIRST,
    FOURTH_ATTEMPT_MONTHS_AFTER_LATEST,
    MAX_ATTEMPTS_IN_12_MONTHS,
    attempt_limit,
)
from step1plan.models.common import Exam, GraduateType, PracticeKind
from step1plan.models.profile import Profile
from step1plan.models.scores import PracticeScore

AS_OF = dt.date(2026, 11, 27)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
COHORT = sorted((EXAMPLES / "cohort").glob("*.yaml"))
PROFILES = [EXAMPLES / "profile.yaml", EXAMPLES / "img-profile.yaml", *COHORT]
CSV_COLUMNS = [
    "date",
    "form",
    "epc",
    "pass_probability",
    "score",
    "percent_correct",
    "unfinished_blocks",
    "seen_before",
]


def _id(path: Path) -> str:
    return str(path.relative_to(EXAMPLES))


@cache
def load(path: Path) -> Profile:
    """An example profile, validated by the model as of the examples' date."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Profile.model_validate(data, context={"as_of": AS_OF})


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_scores(path: Path) -> list[PracticeScore]:
    """The CSV rows as models (empty cells left out), as of the examples' date."""
    return [
        PracticeScore.model_validate(
            {key: value for key, value in row.items() if value != ""}, context={"as_of": AS_OF}
        )
        for row in csv_rows(path)
    ]


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _exam_attempt_rule_breaks(dates: list[dt.date]) -> list[str]:
    """Attempt rules of DOMAIN.md ("Attempts and retakes") that a list of dates breaks."""
    problems = []
    cap = MAX_ATTEMPTS_IN_12_MONTHS.value
    for i, first in enumerate(dates):
        window = [d for d in dates[i:] if d < _add_months(first, 12)]
        if len(window) > cap:
            problems.append(f"{len(window)} attempts within 12 months of {first}")
    for n in range(3, len(dates)):  # the 4th and later attempts
        if dates[n] < _add_months(dates[0], FOURTH_ATTEMPT_MONTHS_AFTER_FIRST.value):
            problems.append(f"attempt {n + 1} less than 12 months after the first")
        if dates[n] < _add_months(dates[n - 1], FOURTH_ATTEMPT_MONTHS_AFTER_LATEST.value):
            problems.append(f"attempt {n + 1} less than 6 months after the one before")
    if dates and len(dates) > attempt_limit(dates[-1]).value:
        problems.append("more attempts than the limit allowed")
    return problems


@pytest.mark.parametrize(
    ("dates", "breaks"),
    [
        # Four attempts inside 12 months: the 12-month cap and the 4th-attempt gaps.
        (["2025-01-10", "2025-04-10", "2025-07-10", "2025-10-10"], True),
        # A 4th attempt 13 months after the first but only 3 months after the 3rd.
        (["2025-01-10", "2025-05-10", "2025-11-10", "2026-02-10"], True),
        # Five attempts: over the limit of 4 even when spaced out.
        (["2021-08-01", "2022-08-01", "2023-08-01", "2024-08-01", "2025-08-01"], True),
        # The ineligible cohort case: four attempts, every gap respected.
        (["2021-11-10", "2022-05-04", "2023-02-15", "2024-03-20"], False),
        (["2026-08-20"], False),
    ],
)
def test_the_attempt_rule_check_itself(dates: list[str], breaks: bool) -> None:
    days = [dt.date.fromisoformat(d) for d in dates]
    assert bool(_exam_attempt_rule_breaks(days)) is breaks


# ---------------------------------------------------------------- every profile


def test_the_examples_are_all_there() -> None:
    assert (EXAMPLES / "profile.yaml").is_file()
    assert (EXAMPLES / "img-profile.yaml").is_file()
    assert (EXAMPLES / "nbme.csv").is_file()
    assert len(COHORT) >= 8


@pytest.mark.parametrize("path", PROFILES, ids=_id)
def test_example_profile_validates_with_the_models(path: Path) -> None:
    profile = load(path)
    assert profile.schema_version == 1
    assert profile.failed_step1(), "every example is about a failed Step 1"


@pytest.mark.parametrize("path", PROFILES, ids=_id)
def test_example_profile_is_strict_yaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "\t" not in text
    assert text.endswith("\n")
    assert len(list(yaml.safe_load_all(text))) == 1


@pytest.mark.parametrize("path", PROFILES, ids=_id)
def test_example_profile_respects_the_attempt_rules(path: Path) -> None:
    profile = load(path)
    for exam in Exam:
        dates = [a.date for a in profile.attempts if a.exam is exam]
        assert not _exam_attempt_rule_breaks(dates), (exam, _exam_attempt_rule_breaks(dates))


@pytest.mark.parametrize("path", PROFILES, ids=_id)
def test_example_profile_is_dated_for_the_as_of_date(path: Path) -> None:
    profile = load(path)
    past = [a.date for a in profile.attempts] + [p.date for p in profile.practice]
    assert all(day <= AS_OF for day in past)
    # Only planned dates lie ahead, and a planned retake comes after the last attempt.
    last_attempt = max(a.date for a in profile.attempts)
    if profile.target.step1_date is not None:
        assert last_attempt < AS_OF < profile.target.step1_date
    if profile.target.step2ck_date is not None:
        assert profile.target.step1_date is not None
        assert profile.target.step1_date < profile.target.step2ck_date
    if profile.target.match_year is not None:
        assert profile.target.match_year >= AS_OF.year + 1
    # Practice entries are listed oldest first, for a reader's sake.
    practice_dates = [p.date for p in profile.practice]
    assert practice_dates == sorted(practice_dates)


@pytest.mark.parametrize("path", PROFILES, ids=_id)
def test_example_specialty_is_in_the_default_plan(path: Path) -> None:
    assert load(path).target.specialty in _specialties()


@cache
def _specialties() -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES.parent / "plans" / "default.yaml").read_text(encoding="utf-8"))
    specialties: dict[str, Any] = data["strategy"]["specialties"]
    return specialties


# ---------------------------------------------------------------- profile.yaml and nbme.csv


def test_main_profile_is_the_described_student() -> None:
    profile = load(EXAMPLES / "profile.yaml")
    assert profile.student.graduate_type is GraduateType.us_md
    (attempt,) = profile.attempts
    assert attempt.date >= dt.date(2026, 5, 14), "taken in the 14 x 30-minute format"
    assert attempt.test_day is not None and attempt.test_day.unfinished_blocks == 2
    assert attempt.content_areas is not None
    lower = {key for (_, key), band in attempt.content_areas.bands().items() if band == "lower"}
    assert {"pathology", "physiology", "pharmacology"} <= lower
    assert len(lower & {"cardiovascular", "respiratory_renal"}) == 2
    assert profile.qbank is not None and profile.qbank.mode == "tutor"
    assert profile.qbank.percent_complete == 100 and profile.qbank.percent_correct == 58
    assert profile.study.weeks_before_attempt == 6
    assert all(p.date < attempt.date for p in profile.practice), "practice before the attempt"
    assert profile.target.match_year == 2028
    assert profile.target.step1_date == dt.date(2027, 2, 10)
    assert profile.clerkships.remaining and profile.clerkships.shelves
    assert profile.scores_file == "nbme.csv"
    assert (EXAMPLES / profile.scores_file).is_file()


def test_nbme_csv_has_the_design_columns() -> None:
    with (EXAMPLES / "nbme.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == CSV_COLUMNS


def test_nbme_csv_parses_with_the_models() -> None:
    scores = csv_scores(EXAMPLES / "nbme.csv")
    failed_on = load(EXAMPLES / "profile.yaml").attempts[-1].date
    assert scores and all(failed_on < s.date <= AS_OF for s in scores), "since the failure"
    assert [s.date for s in scores] == sorted(s.date for s in scores)
    kinds = {s.kind for s in scores}
    assert {PracticeKind.cbssa, PracticeKind.uwsa, PracticeKind.free120} <= kinds
    cbssas = [s for s in scores if s.kind is PracticeKind.cbssa]
    assert all(s.epc is not None and s.pass_probability is not None for s in cbssas)
    assert any(s.seen_before for s in scores)
    assert all(s.score is not None and 100 <= s.score <= 300 for s in scores if s.kind == "uwsa")
    unseen = [s for s in cbssas if not s.seen_before]
    assert [s.epc for s in unseen] == sorted(s.epc for s in unseen if s.epc is not None), "rising"
    assert max(s.pass_probability or 0 for s in unseen) < 0.9, "not yet clearly ready"


def test_nbme_csv_parses_with_the_loader() -> None:
    if importlib.util.find_spec("step1plan.load.scores") is None:
        pytest.skip("the CSV loader is not written yet")
    from step1plan.load.scores import load_scores

    scores, paths = load_scores(EXAMPLES / "nbme.csv", AS_OF)
    assert list(scores) == csv_scores(EXAMPLES / "nbme.csv")
    assert paths[0] == "nbme.csv:2"


# ---------------------------------------------------------------- the IMG profile


def test_img_profile_is_the_described_student() -> None:
    profile = load(EXAMPLES / "img-profile.yaml")
    student = profile.student
    assert student.graduate_type is GraduateType.img
    assert student.graduation_year == 2022 and student.visa_required
    assert student.us_clinical_experience_months == 2 and student.us_letters == 1
    assert [a.result for a in profile.step1_attempts()] == ["fail"]
    assert profile.practice and profile.scores_file is None


# ---------------------------------------------------------------- the cohort


def test_cohort_ids_are_unique_and_numbered() -> None:
    ids = [load(path).student.id for path in COHORT]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("s-") and i[2:].isdigit() and len(i) == 6 for i in ids)
    assert sorted(ids) == [path.stem for path in COHORT]


def test_cohort_is_varied() -> None:
    profiles = [load(path) for path in COHORT]
    failed = {sum(1 for a in p.step1_attempts() if a.result != "pass") for p in profiles}
    assert {1, 2, 3, 4} <= failed, "1, 2, 3 failed attempts and an ineligible 4"
    assert {p.student.graduate_type for p in profiles} >= {GraduateType.img, GraduateType.us_md}
    assert any(p.student.name for p in profiles) and any(not p.student.name for p in profiles)
    kinds_per_student = [{s.kind for s in p.practice} for p in profiles]
    assert {PracticeKind.uwsa} in kinds_per_student, "one student with only UWSA scores"
    assert all(p.scores_file is None and p.practice for p in profiles), "each file stands alone"
    tiers = {_specialties()[p.target.specialty]["tier"] for p in profiles}
    assert "very_competitive" in tiers
    causes = {cause for p in profiles for cause in p.causes}
    assert len(causes) >= 6, "the cohort covers most causes"
    specialties = {p.target.specialty for p in profiles}
    assert len(specialties) >= 5


# ---------------------------------------------------------------- through the CLI


def _loader_ready() -> bool:
    return importlib.util.find_spec("step1plan.load.profile") is not None


def test_step1plan_validate_accepts_every_example() -> None:
    if not _loader_ready():
        pytest.skip("the profile loader is not written yet")
    files = [str(p) for p in [*PROFILES, EXAMPLES / "nbme.csv"]]
    result = CliRunner().invoke(app, ["validate", *files, "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output


def test_step1plan_validate_rejects_the_examples_a_day_too_early() -> None:
    # The same files as of the day before the latest practice score: now a score lies in the
    # future, so validate must fail (exit 2). Guards against a validate that accepts anything.
    if not _loader_ready():
        pytest.skip("the profile loader is not written yet")
    day_before = dt.date(2026, 11, 20)
    result = CliRunner().invoke(
        app, ["validate", str(EXAMPLES / "nbme.csv"), "--as-of", day_before.isoformat()]
    )
    assert result.exit_code == 2, result.output
