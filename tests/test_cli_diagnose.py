"""``step1plan diagnose`` through the CLI on the shipped examples: every output format, files,
exports and ``--fail-on not-ready``.

These run the whole pipeline (loader, causes, eligibility, readiness, study plan, timeline,
strategy, mistakes and every renderer).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from step1plan.cli import app
from step1plan.models.common import CauseId
from step1plan.report.jsonout import REPORT_KEYS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PROFILE = EXAMPLES / "profile.yaml"
AS_OF = ["--as-of", "2026-11-27"]
SHIPPED = sorted(
    [
        EXAMPLES / "profile.yaml",
        EXAMPLES / "img-profile.yaml",
        *(EXAMPLES / "cohort").glob("*.yaml"),
    ]
)


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(app, ["diagnose", *map(str, args)], catch_exceptions=False)


def as_json(*args: str | Path) -> dict[str, Any]:
    result = run(*args, *AS_OF, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_table_output_has_every_section_in_order() -> None:
    result = run(PROFILE, *AS_OF)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    markers = [
        "Step 1 recovery report: s-0142",
        "Why the attempt failed",
        "What to study first",
        "Week-by-week plan to the retake",
        "Retake readiness",
    ]
    positions = [out.index(m) for m in markers]
    assert positions == sorted(positions)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_json_shape_on_the_shipped_examples(path: Path) -> None:
    data = as_json(path)
    assert list(data) == list(REPORT_KEYS)
    assert data["schema"] == "step1plan.report/1"
    assert data["as_of"] == "2026-11-27"
    assert set(data["student"]) >= {"id", "name"}
    for cause in data["causes"]:
        assert {"id", "rank", "confidence", "self_reported", "evidence"} <= set(cause)
        assert cause["id"] in {c.value for c in CauseId}
        assert cause["confidence"] in {"high", "medium", "low"}
        for item in cause["evidence"]:
            assert set(item) == {"path", "value"}
    assert [c["rank"] for c in data["causes"]] == list(range(1, len(data["causes"]) + 1))
    plan = data["study_plan"]
    assert {"priorities", "weeks"} <= set(plan)
    for p in plan["priorities"]:
        assert {"area", "weight", "band", "share_of_hours"} <= set(p)
    for w in plan["weeks"]:
        assert {
            "number",
            "start",
            "end",
            "phase",
            "hours",
            "focus",
            "qbank_questions",
            "assessments",
            "activities",
        } <= set(w)
    assert plan["retake_date_source"] in {"planned", "recommended", "none"}


def test_json_for_the_example_profile() -> None:
    data = as_json(PROFILE)
    causes = {c["id"]: c for c in data["causes"]}
    assert causes["timing"]["self_reported"] and causes["timing"]["supported"]
    assert causes["rushed_qbank_review"]["self_reported"] is False  # surfaced from the data
    plan = data["study_plan"]
    assert plan["priorities"][0]["area"] == "pathology"
    assert plan["retake_date"] == "2027-02-10" and plan["retake_date_source"] == "planned"
    assert plan["weeks"][0]["start"] == "2026-11-27"
    assert plan["weeks"][-1]["end"] == "2027-02-09"
    assert plan["weeks"][-1]["assessments"][-1].startswith("Free 120")


def test_json_stdout_is_only_json() -> None:
    result = run(PROFILE, *AS_OF, "-f", "json")
    assert result.stdout.lstrip().startswith("{") and result.stdout.rstrip().endswith("}")


def test_markdown_output() -> None:
    result = run(PROFILE, *AS_OF, "--format", "md")
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert md.startswith("# Step 1 recovery report: s-0142 (Priya K.)")
    order = [
        "## Why the attempt failed",
        "## What to study first",
        "## Week-by-week plan to the retake",
        "## Retake readiness",
    ]
    positions = [md.index(m) for m in order]
    assert positions == sorted(positions)


def test_scores_option_adds_a_csv(tmp_path: Path) -> None:
    csv = tmp_path / "more.csv"
    csv.write_text(
        "date,form,epc,pass_probability\n2026-11-25,CBSSA 27,72,0.96\n", encoding="utf-8"
    )
    data = as_json(EXAMPLES / "cohort" / "s-0002.yaml", "--scores", csv)
    weeks = data["study_plan"]["weeks"]
    assert not any("CBSSA 27" in a for w in weeks for a in w["assessments"])


@pytest.mark.parametrize("fmt", ["table", "json", "md"])
def test_output_file_is_written_and_stdout_stays_empty(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"report.{fmt}"
    result = run(PROFILE, *AS_OF, "--format", fmt, "--output", target)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert "s-0142" in text
    if fmt == "json":
        assert json.loads(text)["student"]["id"] == "s-0142"
    if fmt == "table":
        assert "Why the attempt failed" in text
        assert max(len(line) for line in text.splitlines()) <= 100


def test_output_over_an_input_is_refused(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        PROFILE.read_text(encoding="utf-8").replace("scores_file: nbme.csv", "scores_file: null"),
        encoding="utf-8",
    )
    before = profile.read_text(encoding="utf-8")
    result = run(profile, *AS_OF, "--output", profile)
    assert result.exit_code == 2
    assert "input" in result.stderr
    assert profile.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(("suffix", "marker"), [(".html", "<html"), (".svg", "<svg")])
def test_export_html_and_svg(tmp_path: Path, suffix: str, marker: str) -> None:
    target = tmp_path / f"report{suffix}"
    result = run(PROFILE, *AS_OF, "--export", target)
    assert result.exit_code == 0, result.stderr
    assert "Why the attempt failed" in result.stdout
    text = target.read_text(encoding="utf-8")
    assert marker in text
    assert "Week-by-week plan" in text or "Week" in text


def test_export_with_another_suffix_is_a_usage_error(tmp_path: Path) -> None:
    result = run(PROFILE, *AS_OF, "--export", tmp_path / "report.pdf")
    assert result.exit_code == 2
    assert ".html or .svg" in result.stderr
    assert result.stdout == ""  # refused before any report is printed


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_export_over_an_input_is_refused_before_any_report_is_printed(tmp_path: Path) -> None:
    for name in ("profile.yaml", "nbme.csv"):
        shutil.copy(PROFILE.parent / name, tmp_path / name)
    link = tmp_path / "out.html"
    link.symlink_to(tmp_path / "nbme.csv")
    before = (tmp_path / "nbme.csv").read_text(encoding="utf-8")
    result = run(tmp_path / "profile.yaml", *AS_OF, "--export", link)
    assert result.exit_code == 2 and "over an input" in result.stderr
    assert result.stdout == ""  # it printed the whole report first, then refused
    assert (tmp_path / "nbme.csv").read_text(encoding="utf-8") == before


def test_fail_on_not_ready_exits_1_when_not_ready() -> None:
    assert run(PROFILE, *AS_OF).exit_code == 0
    assert run(PROFILE, *AS_OF, "--fail-on", "not-ready").exit_code == 1


def test_fail_on_not_ready_exits_0_when_ready() -> None:
    # s-0001 is written to be ready for its retake planned on 2026-12-02
    result = run(EXAMPLES / "cohort" / "s-0001.yaml", *AS_OF, "--fail-on", "not-ready")
    assert result.exit_code == 0, result.stdout[-2000:]


def test_a_missing_profile_is_an_input_error(tmp_path: Path) -> None:
    result = run(tmp_path / "nope.yaml", *AS_OF)
    assert result.exit_code == 2


def test_text_from_the_profile_is_never_read_as_rich_markup(tmp_path: Path) -> None:
    text = (EXAMPLES / "img-profile.yaml").read_text(encoding="utf-8")
    profile = tmp_path / "p.yaml"
    text = text.replace("name: Tomás R.", 'name: "[bold]Ann[/] [x"')
    profile.write_text(text.replace("form: CBSSA 27", 'form: "CBSSA 27 [i]b[/i]"'), "utf-8")
    result = run(profile, *AS_OF)
    assert result.exit_code == 0, result.output
    assert "([bold]Ann[/] [x)" in result.output and "CBSSA 27 [i]b[/i]" in result.output


def test_export_into_a_missing_folder_is_refused_before_any_report_is_printed(
    tmp_path: Path,
) -> None:
    result = run(PROFILE, *AS_OF, "--export", tmp_path / "nope" / "report.html")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().endswith(f"folder {tmp_path / 'nope'} does not exist")


def test_export_and_output_naming_the_same_file_are_refused(tmp_path: Path) -> None:
    # Both would be written to it and one of the two lost.
    same = tmp_path / "report.svg"
    result = run(PROFILE, *AS_OF, "-f", "json", "-o", same, "--export", tmp_path / "." / same.name)
    assert result.exit_code == 2 and result.stdout == ""
    assert "--export and --output name the same file" in result.stderr
    assert not same.exists()
    both = run(PROFILE, *AS_OF, "-f", "json", "-o", tmp_path / "r.json", "--export", same)
    assert both.exit_code == 0
    assert json.loads((tmp_path / "r.json").read_text())["student"]["id"]
    assert same.read_text().startswith("<svg")


@pytest.mark.parametrize("command", ["diagnose", "ready", "explain"])
def test_markdown_headings_show_a_name_as_written_not_as_markup(
    tmp_path: Path, command: str
) -> None:
    text = PROFILE.read_text(encoding="utf-8").replace(
        "name: Priya K.", "name: 'A | **B** <b>x</b> [l](http://e)'", 1
    )
    assert "**B**" in text
    profile = tmp_path / "profile.yaml"
    profile.write_text(text, encoding="utf-8")
    shutil.copy(PROFILE.parent / "nbme.csv", tmp_path / "nbme.csv")
    args = ["--profile", str(profile)] if command == "ready" else [str(profile)]
    result = CliRunner().invoke(app, [command, *args, *AS_OF, "--format", "md"])
    assert result.exit_code in (0, 1), result.output
    heading = next(line for line in result.stdout.splitlines() if line.startswith("#"))
    assert "A \\| \\*\\*B\\*\\* \\<b\\>x\\</b\\> \\[l\\](http://e)" in heading, heading
