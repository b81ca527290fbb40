"""The ``validate``, ``init`` and ``schema`` commands, and the CLI's error handling."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from step1plan import cli
from step1plan.cli import app
from step1plan.load import profile as load_profile
from step1plan.starter import starter_profile

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WriteFile = Callable[[str, str | bytes], Path]
"""The ``write`` fixture of conftest.py: ``write(name, content) -> path``."""

AS_OF = ["--as-of", "2026-11-27"]
GOOD = "student: {id: s-1}\nattempts:\n  - {exam: step1, date: 2026-06-10, result: fail}\n"


def test_validate_valid_files_exits_0_with_a_summary_on_stderr(
    runner: CliRunner, write: WriteFile
) -> None:
    profile = write("p.yaml", GOOD)
    scores = write("s.csv", "date,form,epc\n2026-10-01,CBSSA 29,62\n")
    result = runner.invoke(app, ["validate", str(profile), str(scores), *AS_OF])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "2 files valid\n"


def test_validate_the_shipped_examples(runner: CliRunner) -> None:
    files = sorted(EXAMPLES.glob("*.yaml")) + sorted(EXAMPLES.glob("*.csv"))
    files += sorted((EXAMPLES / "cohort").glob("*.yaml"))
    result = runner.invoke(app, ["validate", *map(str, files), *AS_OF])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{len(files)} files valid\n"


def test_validate_lists_every_problem_of_every_file(
    runner: CliRunner, write: WriteFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("a.yaml", "student: {id: s-1}\natempts: []\ncauses: [bad]\n")
    write("b.csv", "date,form,epc\n2026-10-01,CBSSA 29,620\n2026-12-01,CBSSA 30,60\n")
    write("c.txt", "hi")
    (tmp_path / "folder").mkdir()
    monkeypatch.chdir(tmp_path)
    files = ["a.yaml", "b.csv", "c.txt", "gone.yml", "folder"]
    result = runner.invoke(app, ["validate", *files, *AS_OF])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "a.yaml:2:1: atempts: unknown key 'atempts'; did you mean 'attempts'?",
        "a.yaml:3:10: causes.0: expected one of: weak_foundations, question_interpretation, "
        "memorization_without_reasoning, rushed_qbank_review, premature_exam, timing, "
        "test_anxiety_fatigue",
        "b.csv:2: epc: must be at most 100",
        "b.csv:3: date: practice date 2026-12-01 is after the as-of date 2026-11-27",
        "c.txt: unknown file type; expected .yaml or .yml (profile) or .csv (practice scores)",
        "gone.yml: no such file",
        "folder: is a folder; list the files (for example DIR/*.yaml)",
    ]


def test_validate_uses_the_plan_for_specialties(runner: CliRunner, write: WriteFile) -> None:
    path = write("p.yaml", GOOD + "target: {specialty: cardiology}\n")
    result = runner.invoke(app, ["validate", str(path), *AS_OF])
    assert result.exit_code == 2
    assert "target.specialty: unknown specialty 'cardiology'" in result.stderr


def test_validate_with_a_bad_plan_is_exit_2(runner: CliRunner, write: WriteFile) -> None:
    profile = write("p.yaml", GOOD)
    plan = write("plan.yaml", "name: x\nextends: default\nstudy: {min_weeks: 0}\n")
    result = runner.invoke(app, ["validate", str(profile), "--plan", str(plan), *AS_OF])
    assert result.exit_code == 2
    assert result.stderr == f"{plan}:3:20: study.min_weeks: must be at least 1\n"


def test_validate_needs_a_file(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize("img", [False, True], ids=["us", "img"])
def test_init_prints_a_profile_that_validates(
    runner: CliRunner, write: WriteFile, img: bool
) -> None:
    result = runner.invoke(app, ["init", *(["--img"] if img else [])])
    assert result.exit_code == 0
    assert result.stdout == starter_profile(img=img)
    assert result.stdout.startswith("# step1plan profile")
    assert ("graduate_type: img" in result.stdout) is img
    path = write("starter.yaml", result.stdout)
    checked = runner.invoke(app, ["validate", str(path), *AS_OF])
    assert checked.exit_code == 0, checked.output
    assert checked.stderr == "1 file valid\n"


def test_init_profile_also_validates_under_the_strict_plan(
    runner: CliRunner, write: WriteFile
) -> None:
    path = write("starter.yaml", starter_profile(img=True))
    result = runner.invoke(app, ["validate", str(path), "--plan", "strict", *AS_OF])
    assert result.exit_code == 0, result.output


def test_schema_is_json_naming_the_top_level_fields(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Profile"
    assert {"schema_version", "student", "target", "attempts", "practice"} <= set(
        schema["properties"]
    )
    assert "Attempt" in schema["$defs"]


@pytest.mark.parametrize(
    "error",
    [RuntimeError("boom"), OSError(2, "No such file or directory")],
    ids=["RuntimeError", "an OSError that is not a write error"],
)
def test_internal_error_is_one_line_and_exit_70(
    runner: CliRunner, write: WriteFile, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(load_profile, "validate_files", broken)
    path = write("p.yaml", GOOD)
    result = runner.invoke(app, ["validate", str(path), *AS_OF])
    assert result.exit_code == 70
    assert result.stderr == cli.BUG_HINT.format(error=type(error).__name__) + "\n"
    assert "Traceback" not in result.output


def test_debug_reraises_internal_errors(
    runner: CliRunner, write: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(load_profile, "validate_files", broken)
    path = write("p.yaml", GOOD)
    result = runner.invoke(app, ["--debug", "validate", str(path), *AS_OF])
    assert isinstance(result.exception, RuntimeError)
    assert result.exit_code != 70


def test_input_errors_never_print_a_traceback(runner: CliRunner, write: WriteFile) -> None:
    cases = {
        "dup.yaml": "a: 1\na: 2\n",
        "docs.yaml": "a: 1\n---\nb: 2\n",
        "tab.yaml": "student:\n\tid: x\n",
        "date.yaml": "student: {id: s}\ntarget: {step1_date: 2026-02-30}\n",
        "bytes.yaml": b"student: {id: \xff}\n",
        "bomb.yaml": "a: &a [1]\nb: [" + ", ".join(["*a"] * 200) + "]\n",
        "deep.yaml": "[" * 5000 + "]" * 5000,
        "big.yaml": b"#" * (1024 * 1024 + 1),
        "tag.yaml": "student: !!python/name:os.system\n",
        "int.yaml": "student: {id: s, us_letters: " + "9" * 5000 + "}\n",
    }
    paths = [str(write(name, content)) for name, content in cases.items()]
    result = runner.invoke(app, ["validate", *paths, *AS_OF])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    for name in cases:
        assert any(Path(line.split(":")[0]).name == name for line in lines), name
