"""``step1plan ready`` through the CLI: formats, the JSON shape, exit codes, spreadsheet CSVs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from step1plan.cli import app

AS_OF = "2026-09-01"

STRONG_CSV = """date,form,epc,pass_probability,percent_correct,unfinished_blocks,seen_before
2026-08-12,CBSSA 29,72,0.93,,0,false
2026-08-26,CBSSA 30,74,0.96,,0,false
2026-08-29,Free 120,,,70,0,false
"""

WEAK_CSV = """date,form,epc,pass_probability
2026-08-12,CBSSA 29,58,0.20
2026-08-26,CBSSA 30,60,0.30
"""

# A spreadsheet export: UTF-8 BOM, semicolons, US dates (M/D/YYYY), percent signs, CRLF.
SPREADSHEET_CSV = (
    "\ufeffDate;Form;EPC;Pass Probability;Percent Correct;Unfinished Blocks;Seen Before\r\n"
    "8/12/2026;CBSSA 29;72;93%;;0;no\r\n"
    "\r\n"
    "8/26/2026;CBSSA 30;74;96%;;0;no\r\n"
    "8/29/2026;Free 120;;;70%;0;no\r\n"
)

EXHAUSTED_PROFILE = """schema_version: 1
student: {id: s-0900, name: Sam T.}
attempts:
  - {exam: step1, date: 2021-11-10, result: fail}
  - {exam: step1, date: 2022-05-04, result: incomplete}
  - {exam: step1, date: 2023-02-15, result: fail}
  - {exam: step1, date: 2024-03-20, result: fail}
"""

RETAKER_PROFILE = """schema_version: 1
student: {id: s-0901}
attempts:
  - {exam: step1, date: 2026-06-01, result: fail}
study: {test_day_plan: true}
"""


def ready(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, ["ready", "--as-of", AS_OF, *args])


def ready_json(runner: CliRunner, *args: str) -> tuple[int, dict[str, Any]]:
    result = ready(runner, *args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def csv_file(tmp_path: Path) -> Any:
    def make(text: str, name: str = "scores.csv") -> str:
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8"))
        return str(path)

    return make


def test_ready_exits_0_when_ready(runner: CliRunner, csv_file: Any) -> None:
    result = ready(runner, "--scores", csv_file(STRONG_CSV))
    assert result.exit_code == 0, result.output
    assert "READY" in result.stdout and "Readiness checks" in result.stdout
    assert "first-timer bar" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("rows", "repeat"),
    [
        # CBSSA 29 first taken long ago: the recent sitting is a repeat (R308)
        (["2026-07-01,CBSSA 29,60,0.30,,0,false", *STRONG_CSV.splitlines()[1:]], True),
        # one sitting of form 30 written twice, under both names: counted once, not a repeat
        (
            [
                *STRONG_CSV.splitlines()[2:3],
                "2026-08-26,NBME 30,74,0.96,,0,false",
                "2026-08-29,Free 120,,,70,0,false",
            ],
            False,
        ),
    ],
    ids=["taken before", "written twice"],
)
def test_a_form_is_counted_once(
    runner: CliRunner, csv_file: Any, rows: list[str], repeat: bool
) -> None:
    """STRONG_CSV is ready with two unseen CBSSAs. A form whose number was taken on an earlier
    day is seen before, whatever its own seen_before column says; the same sitting written
    twice is one CBSSA. Either way one unseen CBSSA is left."""
    header = STRONG_CSV.splitlines()[0]
    code, doc = ready_json(runner, "--scores", csv_file("\n".join([header, *rows])))
    assert code == 1
    r301 = next(c for c in doc["readiness"]["checks"] if c["code"] == "R301")
    assert r301["message"].startswith("1 recent unseen CBSSA ")
    assert any(c["code"] == "R308" for c in doc["readiness"]["checks"]) is repeat
    charted = [p["form"] for p in doc["readiness"]["points"] if p["kind"] == "cbssa"]
    assert len(charted) == len(rows) - 1 - (not repeat)  # the duplicate sitting is dropped


def test_ready_exits_1_when_not_ready(runner: CliRunner, csv_file: Any) -> None:
    result = ready(runner, "--scores", csv_file(WEAK_CSV))
    assert result.exit_code == 1, result.output
    assert "NOT READY" in result.stdout


def test_json_shape(runner: CliRunner, csv_file: Any) -> None:
    code, doc = ready_json(runner, "--scores", csv_file(WEAK_CSV))
    assert code == 1
    assert doc["schema"] == "step1plan.report/1"
    assert doc["as_of"] == AS_OF
    assert doc["student"] is None
    assert {"schema", "as_of", "student", "readiness", "eligibility"} <= set(doc)
    readiness = doc["readiness"]
    assert readiness["verdict"] == "not_ready"
    assert "projected_ready_date" in readiness
    assert readiness["checks"], "checks listed"
    for item in readiness["checks"]:
        assert {"code", "passed", "message"} <= set(item)
        assert isinstance(item["passed"], bool)
    assert doc["eligibility"] is None, "no profile, no attempt history"


def test_json_with_a_profile_has_eligibility_and_student(
    runner: CliRunner, csv_file: Any, tmp_path: Path
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(RETAKER_PROFILE, encoding="utf-8")
    code, doc = ready_json(runner, "--scores", csv_file(STRONG_CSV), "--profile", str(profile))
    assert code == 1, "two CBSSAs at 93-96 % do not meet the retaker bar"
    assert doc["student"] == {"id": "s-0901", "name": None}
    assert doc["readiness"]["bar"] == "retaker"
    eligibility = doc["eligibility"]
    assert set(eligibility) == {
        "attempts_used",
        "attempts_left",
        "earliest_next_attempt",
        "blocked",
        "reasons",
    }
    assert eligibility["attempts_used"] == 1 and eligibility["attempts_left"] == 3
    assert eligibility["earliest_next_attempt"] == AS_OF
    assert eligibility["blocked"] is False


def test_attempts_exhausted_is_ineligible(runner: CliRunner, csv_file: Any, tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(EXHAUSTED_PROFILE, encoding="utf-8")
    code, doc = ready_json(runner, "--scores", csv_file(STRONG_CSV), "--profile", str(profile))
    assert code == 1
    assert doc["readiness"]["verdict"] == "ineligible"
    assert doc["readiness"]["projected_ready_date"] is None
    eligibility = doc["eligibility"]
    assert eligibility["blocked"] is True
    assert (eligibility["attempts_used"], eligibility["attempts_left"]) == (4, 0)
    assert eligibility["earliest_next_attempt"] is None
    assert any("All 4" in r for r in eligibility["reasons"])


def test_spreadsheet_export_is_read(runner: CliRunner, csv_file: Any) -> None:
    code, doc = ready_json(runner, "--scores", csv_file(SPREADSHEET_CSV))
    assert code == 0, doc["readiness"]["checks"]
    points = doc["readiness"]["points"]
    assert [p["date"] for p in points] == ["2026-08-12", "2026-08-26", "2026-08-29"]
    assert [p["pass_probability"] for p in points] == [0.93, 0.96, None]
    assert points[2]["kind"] == "free120" and points[2]["value"] == 70


def test_markdown_format(runner: CliRunner, csv_file: Any) -> None:
    result = ready(runner, "--scores", csv_file(STRONG_CSV), "--format", "md")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("## Retake readiness")
    assert "| R301 |" in result.stdout


def test_output_file(runner: CliRunner, csv_file: Any, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = ready(runner, "--scores", csv_file(STRONG_CSV), "-f", "json", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["readiness"]["verdict"] == "ready"


def test_strict_plan_holds_scores_to_the_retaker_bar(runner: CliRunner, csv_file: Any) -> None:
    code, doc = ready_json(runner, "--scores", csv_file(STRONG_CSV), "--plan", "strict")
    assert code == 1
    assert doc["readiness"]["bar"] == "retaker"


def test_no_input_is_a_usage_error(runner: CliRunner) -> None:
    result = ready(runner)
    assert result.exit_code == 2
    assert "--scores" in result.stderr


def test_missing_csv_is_an_input_error(runner: CliRunner, tmp_path: Path) -> None:
    result = ready(runner, "--scores", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    assert "nope.csv" in result.stderr


def test_score_after_the_as_of_date_is_an_input_error(runner: CliRunner, csv_file: Any) -> None:
    future = "date,form,epc\n2026-09-02,CBSSA 31,70\n"
    result = ready(runner, "--scores", csv_file(future))
    assert result.exit_code == 2
    assert "scores.csv" in result.stderr and "Traceback" not in result.output


def test_ready_without_scores_or_profile_says_either_will_do(runner: CliRunner) -> None:
    result = ready(runner)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == "ready: give --scores CSV, --profile PROFILE, or both"
