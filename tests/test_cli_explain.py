"""``step1plan explain`` through the CLI: the draft, ``--check`` and their exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from step1plan.cli import app
from step1plan.rules.mistakes import count_words

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WriteFile = Callable[[str, str | bytes], Path]
AS_OF = "2026-11-27"
DEFENSIVE = (
    "My school gave us no time to study and the curriculum was disorganized.\n"
    "The testing center was noisy. The exam was unfair. It was bad luck.\n"
)
ACCOUNTABLE = (
    "I did not pass my first Step 1 attempt because I tested before my practice scores were "
    "there. Since then I have rebuilt my weakest subjects with a tutor and timed blocks. My "
    "NBME practice scores rose from 58 to 72. I will bring the same habits to residency.\n"
)


def explain(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, ["explain", "--as-of", AS_OF, *args])


# ---------------------------------------------------------------- the draft


def test_draft_table(runner: CliRunner) -> None:
    result = explain(runner, str(EXAMPLES / "profile.yaml"))
    assert result.exit_code == 0, result.output
    assert "Draft explanation for Priya K. (s-0142)" in result.stdout
    assert "I did not pass my first Step 1 attempt" in " ".join(result.stdout.split())


def test_draft_json(runner: CliRunner) -> None:
    result = explain(runner, str(EXAMPLES / "img-profile.yaml"), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["schema", "as_of", "student", "explanation"]
    assert data["schema"] == "step1plan.report/1" and data["as_of"] == AS_OF
    assert data["student"] == {"id": "s-0207", "name": "Tomás R."}
    assert 20 < count_words(data["explanation"]) <= 120
    assert "Since then I have" in data["explanation"]


def test_draft_markdown(runner: CliRunner) -> None:
    result = explain(runner, str(EXAMPLES / "profile.yaml"), "--format", "md")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("## Draft explanation for Priya K. (s-0142)")
    assert "words." in result.stdout


def test_draft_of_an_invalid_profile_exits_2(runner: CliRunner, write: WriteFile) -> None:
    path = write("bad.yaml", "schema_version: 1\nstudent: {id: x, colour: red}\n")
    result = explain(runner, str(path))
    assert result.exit_code == 2
    assert "bad.yaml" in result.stderr


FOUR_FAILED = "".join(
    f"  - {{exam: step1, date: {day}, result: fail}}\n"
    for day in ("2021-11-10", "2022-05-04", "2023-02-15", "2024-03-20")
)


def test_no_draft_when_no_attempt_is_left(runner: CliRunner, write: WriteFile) -> None:
    path = write("four.yaml", f"schema_version: 1\nstudent: {{id: f-4}}\nattempts:\n{FOUR_FAILED}")
    result = explain(runner, str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["schema", "as_of", "student", "explanation", "finding"]
    assert data["explanation"] is None
    assert data["finding"]["code"] == "S609"
    # The same shape as a finding of diagnose --format json (severity and evidence included).
    report = json.loads(runner.invoke(app, ["diagnose", str(path), "--format", "json"]).stdout)
    (s609,) = [f for f in report["strategy"]["advice"] if f["code"] == "S609"]
    assert data["finding"] == s609
    assert list(data["finding"]) == [
        "code",
        "title",
        "severity",
        "message",
        "evidence",
        "recommendation",
    ]
    table = " ".join(explain(runner, str(path)).stdout.split())
    assert "No draft explanation for f-4" in table and "S609 No attempt left" in table
    assert "I did not pass" not in table
    md = explain(runner, str(path), "--format", "md").stdout
    assert md.startswith("## No draft explanation for f-4") and "I did not pass" not in md


def test_a_draft_while_an_attempt_is_left(runner: CliRunner, write: WriteFile) -> None:
    three = FOUR_FAILED.split("\n", 1)[1]
    path = write("three.yaml", f"schema_version: 1\nstudent: {{id: f-3}}\nattempts:\n{three}")
    data = json.loads(explain(runner, str(path), "--format", "json").stdout)
    assert "finding" not in data
    assert data["explanation"].startswith("I did not pass my first three Step 1 attempts")


def test_draft_for_an_incomplete_attempt_with_only_an_illness(
    runner: CliRunner, write: WriteFile
) -> None:
    # One data point is too little to diagnose a cause (C108): the draft names none either.
    path = write(
        "ill.yaml",
        "schema_version: 1\nstudent: {id: i-1}\nattempts:\n"
        "  - exam: step1\n    date: 2026-08-20\n    result: incomplete\n"
        "    test_day: {illness_or_event: true}\n",
    )
    data = json.loads(explain(runner, str(path), "--format", "json").stdout)
    assert data["explanation"].startswith(
        "I did not complete my first Step 1 attempt because [name the main reason"
    )
    assert "studying" not in data["explanation"]


@pytest.mark.parametrize(
    "attempts",
    ["attempts: []\n", "attempts:\n  - {exam: step1, date: 2026-03-01, result: pass}\n"],
    ids=["no attempt", "passed"],
)
def test_no_failure_to_explain_exits_2(runner: CliRunner, write: WriteFile, attempts: str) -> None:
    path = write("passed.yaml", f"schema_version: 1\nstudent: {{id: p-1}}\n{attempts}")
    result = explain(runner, str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"{path}: attempts: no failed or incomplete Step 1 attempt is recorded, so there is no "
        "failure to explain"
    )


# ---------------------------------------------------------------- --check


def test_check_a_defensive_text_exits_1(runner: CliRunner, write: WriteFile) -> None:
    path = write("statement.txt", DEFENSIVE)
    result = explain(runner, "--check", str(path))
    assert result.exit_code == 1, result.output
    flat = " ".join(result.stdout.split())
    assert "7 problems found" in flat and "M712" in flat and "M713" in flat
    assert "noisy" in flat  # the sentence is shown (wrapped in its table cell)


def test_check_json_lists_problems_with_their_sentence(runner: CliRunner, write: WriteFile) -> None:
    path = write("statement.txt", DEFENSIVE)
    result = explain(runner, "--check", str(path), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert list(data) == ["schema", "file", "problems"]
    assert data["file"] == str(path)
    assert all(list(p) == ["code", "message", "sentence"] for p in data["problems"])
    blame = [p["sentence"] for p in data["problems"] if p["code"] == "M712"]
    assert blame == [
        "My school gave us no time to study and the curriculum was disorganized.",
        "The testing center was noisy.",
        "The exam was unfair.",
        "It was bad luck.",
    ]
    whole = {p["code"] for p in data["problems"] if p["sentence"] is None}
    assert whole == {"M713", "M714", "M715"}


def test_check_markdown(runner: CliRunner, write: WriteFile) -> None:
    path = write("statement.txt", DEFENSIVE)
    result = explain(runner, "--check", str(path), "--format", "md")
    assert result.exit_code == 1
    assert result.stdout.startswith("## Explanation check:")
    assert "- **M712 Blame or excuse language**" in result.stdout


def test_check_an_accountable_text_exits_0(runner: CliRunner, write: WriteFile) -> None:
    path = write("statement.txt", ACCOUNTABLE)
    result = explain(runner, "--check", str(path))
    assert result.exit_code == 0, result.output
    assert "no problems found" in " ".join(result.stdout.split())
    result = explain(runner, "--check", str(path), "--format", "json")
    assert json.loads(result.stdout)["problems"] == []


def test_check_honours_the_plan_limits(runner: CliRunner, write: WriteFile) -> None:
    plan = write(
        "tight.yaml", "extends: default\nname: tight\nstrategy:\n  explanation_max_words: 30\n"
    )
    path = write("statement.txt", ACCOUNTABLE)
    result = explain(runner, "--check", str(path), "--plan", str(plan), "--format", "json")
    assert result.exit_code == 1, result.output
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["M711"]


# ---------------------------------------------------------------- input errors: exit 2


def test_check_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = explain(runner, "--check", str(tmp_path / "none.txt"))
    assert result.exit_code == 2
    assert "none.txt" in result.stderr and "no such file" in result.stderr


def test_check_non_utf8_file(runner: CliRunner, write: WriteFile) -> None:
    path = write("latin1.txt", "I failed \xe9tape one.".encode("latin-1"))
    result = explain(runner, "--check", str(path))
    assert result.exit_code == 2
    assert "UTF-8" in result.stderr


def test_check_file_over_one_mib(runner: CliRunner, write: WriteFile) -> None:
    path = write("huge.txt", "I passed. " * 120_000)
    result = explain(runner, "--check", str(path))
    assert result.exit_code == 2
    assert "too large" in result.stderr


@pytest.mark.parametrize(
    ("content", "where", "code"),
    [
        (
            "I own it.\nThen \x1b[2J\x1b]0;title\x07 I changed.\n",
            "2:6",
            "U+001B",
        ),  # a terminal escape
        ("\x00" * 5000, "1:1", "U+0000"),  # not text at all
    ],
)
def test_check_refuses_control_characters(
    runner: CliRunner, write: WriteFile, content: str, where: str, code: str
) -> None:
    path = write("ctrl.txt", content)
    result = explain(runner, "--check", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        f"{path}:{where}: control character {code} is not allowed in the text"
    )


def test_check_accepts_tabs_and_crlf(runner: CliRunner, write: WriteFile) -> None:
    path = write("plain.txt", "I did not pass Step 1.\tI own that.\r\nSince then I studied.\r\n")
    assert explain(runner, "--check", str(path), "--format", "json").exit_code in (0, 1)


def test_check_empty_file(runner: CliRunner, write: WriteFile) -> None:
    result = explain(runner, "--check", str(write("empty.txt", "  \n")))
    assert result.exit_code == 2
    assert "empty" in result.stderr


def test_profile_and_check_together_or_neither(runner: CliRunner, write: WriteFile) -> None:
    path = write("statement.txt", ACCOUNTABLE)
    both = explain(runner, str(EXAMPLES / "profile.yaml"), "--check", str(path))
    assert both.exit_code == 2 and "not both" in both.stderr
    neither = explain(runner)
    assert neither.exit_code == 2 and "PROFILE" in neither.stderr
