"""``step1plan timeline`` through the CLI: table, JSON and Markdown, on the shipped examples and
on a profile whose dates are computed by hand."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from step1plan.cli import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WriteFile = Callable[[str, str | bytes], Path]
AS_OF = "2026-11-27"
MILESTONE_IDS = {
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
    "ecfmg_requirements",
}

# A retake on Wednesday 2027-02-03: result 2027-03-03, 8 weeks of Step 2 CK preparation to
# 2027-04-28, result 2027-05-26; Match 2028 from the pattern (programs review 2027-09-22,
# Match Day the third Friday of March 2028, 2028-03-17).
HAND_PROFILE = """schema_version: 1
student: {id: s-0500}
target: {specialty: family_medicine, match_year: 2028, step1_date: 2027-02-03}
attempts:
  - {exam: step1, date: 2026-10-01, result: fail}
"""


def timeline(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, ["timeline", "--as-of", AS_OF, *args])


def test_timeline_table_on_the_example(runner: CliRunner) -> None:
    result = timeline(runner, str(EXAMPLES / "profile.yaml"))
    assert result.exit_code == 0, result.output
    assert "Timeline" in result.stdout and "Match Day" in result.stdout
    assert "Step 1 retake" in result.stdout and "2027-02-10" in result.stdout
    assert "Slack" in result.stdout


def test_timeline_json_shape(runner: CliRunner) -> None:
    result = timeline(runner, str(EXAMPLES / "profile.yaml"), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["schema", "tool_version", "as_of", "student", "eligibility", "timeline"]
    assert data["schema"] == "step1plan.report/1" and data["as_of"] == AS_OF
    assert data["student"]["id"] == "s-0142"
    tl = data["timeline"]
    assert {"match_year", "feasible", "milestones", "next_feasible_match_year"} <= set(tl)
    ids = {m["id"] for m in tl["milestones"]}
    assert ids <= MILESTONE_IDS and "match_day" in ids and "ecfmg_requirements" not in ids
    for m in tl["milestones"]:
        assert {"id", "date", "estimate"} <= set(m)
        assert len(m["date"]) == 10 and m["date"][4] == "-"
    if not tl["feasible"]:
        assert (
            tl["next_feasible_match_year"] is None
            or tl["next_feasible_match_year"] > (tl["match_year"])
        )


def test_timeline_of_the_img_example_has_the_ecfmg_milestone(runner: CliRunner) -> None:
    result = timeline(runner, str(EXAMPLES / "img-profile.yaml"), "--format", "json")
    assert result.exit_code == 0, result.output
    milestones = {m["id"]: m for m in json.loads(result.stdout)["timeline"]["milestones"]}
    assert milestones["ecfmg_requirements"]["date"] == milestones["rank_list_deadline"]["date"]


def test_timeline_hand_computed_through_the_cli(runner: CliRunner, write: WriteFile) -> None:
    path = write("hand.yaml", HAND_PROFILE)
    result = timeline(runner, str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    tl = json.loads(result.stdout)["timeline"]
    assert (tl["match_year"], tl["feasible"]) == (2028, True)
    got = {m["id"]: m["date"] for m in tl["milestones"]}
    assert got == {
        "step1_retake": "2027-02-03",
        "step1_result": "2027-03-03",
        "step2ck_prep_start": "2027-03-03",
        "step2ck_test": "2027-04-28",
        "step2ck_result": "2027-05-26",
        "eras_opens": "2027-06-02",
        "eras_submit": "2027-09-01",
        "nrmp_registration": "2027-09-15",
        "programs_review": "2027-09-22",
        "rank_list_deadline": "2028-03-01",
        "match_day": "2028-03-17",
    }


def test_timeline_markdown(runner: CliRunner, write: WriteFile) -> None:
    path = write("hand.yaml", HAND_PROFILE)
    result = timeline(runner, str(path), "--format", "md")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("## Timeline to Match 2028: feasible")
    assert "| Match Day | 2028-03-17 | +476 |" in result.stdout


def test_timeline_output_file(runner: CliRunner, write: WriteFile, tmp_path: Path) -> None:
    path = write("hand.yaml", HAND_PROFILE)
    out = tmp_path / "timeline.json"
    result = timeline(runner, str(path), "--format", "json", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["timeline"]["match_year"] == 2028


def test_timeline_missing_profile_is_an_input_error(runner: CliRunner, tmp_path: Path) -> None:
    result = timeline(runner, str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "nope.yaml" in result.stderr
