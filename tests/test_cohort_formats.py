"""Cohort renderers and writers, from hand-built reports (no loader, no rules needed)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

import pytest
from rich.console import Console

from step1plan.cli import CohortFormat
from step1plan.cohort import (
    COHORT_SCHEMA,
    COLUMNS,
    WRITERS,
    CohortRow,
    CohortSummary,
    row_of,
)
from step1plan.errors import Problem
from step1plan.models.common import CauseId
from step1plan.models.report import (
    CauseResult,
    Confidence,
    Eligibility,
    Finding,
    Milestone,
    Readiness,
    Report,
    Severity,
    StudentRef,
    StudyPlan,
    Timeline,
    Verdict,
)
from step1plan.report.cohort_view import (
    cohort_renderables,
    csv_header,
    csv_line,
    json_chunks,
    json_document,
    jsonl_line,
    markdown_chunks,
    md_escape,
    row_from_line,
    row_to_line,
)
from step1plan.report.jsonout import report_dict

AS_OF = dt.date(2026, 11, 27)
NAME = "Jeanette Q. Example"


def make_report(
    sid: str = "s-1",
    name: str | None = NAME,
    verdict: Verdict = Verdict.not_ready,
    causes: Sequence[CauseId] = (CauseId.timing, CauseId.weak_foundations),
    flags: int = 2,
) -> Report:
    """A small but complete report, as the analysis would return it."""
    return Report(
        tool_version="0.1.0",
        as_of=AS_OF,
        plan="default",
        student=StudentRef(sid, name),
        causes=tuple(
            CauseResult(cid, rank, Confidence.high, False, True, 0.8, "because")
            for rank, cid in enumerate(causes, start=1)
        ),
        eligibility=Eligibility(1, 3, dt.date(2026, 12, 1), False),
        readiness=Readiness(verdict),
        study_plan=StudyPlan(retake_date=dt.date(2027, 2, 10)),
        timeline=Timeline(
            2028,
            True,
            (
                Milestone("step1_retake", dt.date(2027, 2, 10), False),
                Milestone("step2ck_test", dt.date(2027, 6, 30), True),
            ),
        ),
        findings=(
            Finding("C101", "cause", Severity.info, "m"),
            *(Finding(f"M70{i}", "mistake", Severity.warning, "m") for i in range(1, flags + 1)),
        ),
    )


def make_summary(rows: Sequence[CohortRow], invalid: int = 0, shard: str | None = None) -> Any:
    summary = CohortSummary(as_of=AS_OF, plan="default", shard=shard)
    for row in rows:
        summary.add_student(row.verdict, row.top_cause)
    for _ in range(invalid):
        summary.add_invalid()
    return summary


ROWS = [
    row_of("cohort/a.yaml", make_report("s-1")),
    row_of("cohort/b.yaml", make_report("s-2", "=cmd|' /C calc'!A0", Verdict.ready, (), 0)),
    row_of("cohort/c.yaml", make_report("s-3", None, Verdict.borderline, (CauseId.timing,), 1)),
]
ERRORS = [Problem("cohort/bad.yaml", "unknown key 'atempts'", 4, 1, "atempts")]


def test_row_of_takes_each_column_from_the_report() -> None:
    row = ROWS[0]
    assert row == CohortRow(
        file="cohort/a.yaml",
        id="s-1",
        name=NAME,
        verdict="not_ready",
        top_cause="timing",
        attempts_left=3,
        earliest_next_attempt="2026-12-01",
        planned_retake="2027-02-10",
        step2ck_test="2027-06-30",
        match_year=2028,
        mistake_flags=2,
    )
    assert ROWS[1].top_cause is None and ROWS[1].mistake_flags == 0


def test_row_of_falls_back_to_the_study_plan_retake_date() -> None:
    report = make_report()
    bare = Report(
        tool_version="0.1.0",
        as_of=AS_OF,
        plan="default",
        student=report.student,
        study_plan=report.study_plan,
    )
    row = row_of("x.yaml", bare)
    assert row.planned_retake == "2027-02-10"
    assert row.verdict is None and row.match_year is None and row.step2ck_test is None


def test_summary_counts_verdicts_causes_and_invalid() -> None:
    summary = make_summary(ROWS, invalid=1)
    assert (summary.files, summary.students, summary.invalid, summary.not_yet_ready) == (4, 3, 1, 2)
    assert summary.by_verdict == {"ready": 1, "borderline": 1, "not_ready": 1, "ineligible": 0}
    assert summary.by_top_cause["timing"] == 2
    assert summary.by_top_cause["none"] == 1
    assert sum(summary.by_top_cause.values()) == 3


def test_every_format_has_a_writer() -> None:
    assert {f.value for f in CohortFormat} == set(WRITERS)


def test_spool_lines_round_trip() -> None:
    for row in ROWS:
        assert row_from_line(row_to_line(row)) == row


def ordered(text: str) -> Any:
    """Parsed JSON with every object as a list of (key, value) pairs: key order compares too."""
    return json.loads(text, object_pairs_hook=list)


def test_jsonl_line_is_one_parseable_report_per_line() -> None:
    report = make_report()
    line = jsonl_line(report)
    assert line.endswith("\n") and line.count("\n") == 1
    assert json.loads(line) == report_dict(report)
    assert ordered(line) == ordered(json.dumps(report_dict(report)))


def test_jsonl_line_keeps_a_value_orjson_refuses() -> None:
    # orjson refuses ints beyond 64 bits; the line is then encoded from report_dict instead.
    big = 2**70
    report = dataclasses.replace(make_report(), timeline=Timeline(big, True, ()))
    line = jsonl_line(report)
    assert line.count("\n") == 1 and line.endswith("\n")
    assert json.loads(line)["timeline"]["match_year"] == big
    assert ordered(line) == ordered(json.dumps(report_dict(report)))


def test_jsonl_writer_gives_the_same_lines_with_or_without_a_byte_stream() -> None:
    # Under a text layer (a file, stdout) the lines go to its byte stream, after what the text
    # layer already holds; a stream without one (StringIO) gets the same text.
    reports = [make_report(), dataclasses.replace(make_report(), plan="strict")]
    binary = io.BytesIO()
    layered = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    plain = io.StringIO()
    for out in (layered, plain):
        out.write("before\n")
        writer = WRITERS["jsonl"](out, False)
        writer.start()
        for report in reports:
            writer.student(row_of("p.yaml", report), report)
        writer.finish(make_summary(ROWS), [])
        out.flush()
    expected = "before\n" + "".join(jsonl_line(r) for r in reports)
    assert plain.getvalue() == expected
    assert binary.getvalue().decode() == expected


def test_csv_has_a_header_and_one_row_per_student() -> None:
    text = csv_header() + "".join(csv_line(r) for r in ROWS)
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == list(COLUMNS)
    assert [r["id"] for r in table] == ["s-1", "s-2", "s-3"]
    assert table[0]["name"] == NAME
    assert table[2]["name"] == "" and table[1]["top_cause"] == ""
    assert table[0]["mistake_flags"] == "2"


def test_csv_defuses_a_formula_in_free_text() -> None:
    (cells,) = csv.reader(io.StringIO(csv_line(ROWS[1])))
    assert cells[2] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize("n_rows", [0, 1, 3])
@pytest.mark.parametrize("errors", [[], ERRORS])
def test_json_chunks_equal_the_indented_document(n_rows: int, errors: list[Problem]) -> None:
    rows = ROWS[:n_rows]
    summary = make_summary(rows, invalid=len(errors), shard="2/3")
    text = "".join(json_chunks(summary, iter(rows), errors))
    document = json_document(summary, rows, errors)
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert list(json.loads(text)) == ["schema", "as_of", "summary", "students", "errors"]
    assert document["schema"] == COHORT_SCHEMA
    assert document["summary"]["shard"] == "2/3"


def test_json_errors_are_located() -> None:
    document = json_document(make_summary([], 1), [], ERRORS)
    assert document["errors"] == [
        {
            "file": "cohort/bad.yaml",
            "line": 4,
            "column": 1,
            "field": "atempts",
            "message": "unknown key 'atempts'",
        }
    ]


def test_markdown_has_counts_students_and_invalid_profiles() -> None:
    text = "".join(markdown_chunks(make_summary(ROWS, 1), ROWS, ERRORS))
    assert text.startswith("# step1plan cohort, as of 2026-11-27\n")
    assert "| ready | 1 |" in text
    assert "| timing | 2 |" in text
    assert "| cohort/a.yaml | s\\-1 |" not in text  # ids are not over-escaped
    assert "| cohort/a.yaml | s-1 | Jeanette Q. Example | not\\_ready | timing |" in text
    assert "## Invalid profiles" in text and "cohort/bad.yaml:4:1: atempts:" in text
    student_lines = [ln for ln in text.splitlines() if ln.startswith("| cohort/")]
    assert len(student_lines) == 3


def test_markdown_escapes_table_breaking_text() -> None:
    assert md_escape("a|b<script>\nc") == "a\\|b\\<script\\> c"


def test_markdown_of_an_empty_shard() -> None:
    text = "".join(markdown_chunks(make_summary([], shard="3/3"), [], []))
    assert text.count("No student analysed.") == 2
    assert "shard 3/3" in text


def _render(items: Sequence[Any]) -> str:
    console = Console(width=100, no_color=True, record=True, file=io.StringIO())
    for item in items:
        console.print(item)
    return console.export_text()


def test_table_lists_students_and_counts() -> None:
    text = _render(cohort_renderables(make_summary(ROWS, 1), ROWS, ERRORS))
    assert "Cohort as of 2026-11-27" in text
    for sid in ("s-1", "s-2", "s-3"):
        assert sid in text
    assert "Jeanette" in text
    assert "cohort/bad.yaml:4:1" in text
    assert "3 analysed, 1 invalid, 2 not yet ready" in text


def _table_text(rows: Sequence[CohortRow], width: int, redact: bool = False) -> str:
    """What the table writer prints at ``width`` columns (colour off, nothing cropped)."""
    console = Console(width=width, no_color=True, record=True, file=io.StringIO(), markup=False)
    for item in cohort_renderables(make_summary(rows), rows, [], redact=redact):
        console.print(item, crop=False)
    return console.export_text()


def _students_part(text: str) -> list[str]:
    lines = text.splitlines()
    return lines[1 : lines.index(next(x for x in lines if x.startswith("Left: ")))]


WIDE_ROW = CohortRow(
    "cohort/w.yaml", "s-0003", "Morgan D.", "not_ready", "test_anxiety_fatigue",
    2, "2026-11-27", "2027-01-13", "2027-07-24", 2028, 1,
)  # fmt: skip


def _words(line: str) -> str:
    return " ".join(line.split())


def test_a_wide_terminal_gets_one_line_per_student_with_a_name_column() -> None:
    lines = _students_part(_table_text([WIDE_ROW], 120))
    assert _words(lines[0]) == "ID Name Verdict Top cause Left Next Retake Step 2 CK Match Flags"
    assert set(lines[1]) == {"─"}
    assert _words(lines[2]) == (
        "s-0003 Morgan D. not_ready test anxiety fatigue 2 2026-11-27 2027-01-13 2027-07-24 2028 1"
    )
    assert len(lines) == 3


def test_an_80_column_terminal_shows_every_column_without_cutting() -> None:
    lines = _students_part(_table_text([WIDE_ROW, *ROWS], 80))
    assert all(len(line) <= 80 for line in lines)
    assert "Name" not in lines[0] and lines[0].split()[-2:] == ["Match", "Flags"]
    text = "\n".join(lines)
    for value in ("2027-07-24", "2028", "not_ready", "Morgan", "fatigue", "=cmd|'"):
        assert value in text
    assert lines[2].split()[:3] == ["s-0003", "not_ready", "test"]
    assert lines[3].split()[0] == "Morgan"  # the name under the id


def test_a_very_narrow_terminal_wraps_instead_of_losing_columns() -> None:
    text = "\n".join(_students_part(_table_text([WIDE_ROW], 40)))
    for value in ("s-0003", "2026-11-27", "2027-01-13", "2027-07-24", "2028"):
        assert value in text


def test_names_that_look_like_markup_are_shown_as_written() -> None:
    row = dataclasses.replace(WIDE_ROW, id="s-9", name="[bold]Ann[/] [x")
    assert "[bold]Ann[/] [x" in _table_text([row], 120)


def _all_formats(redact: bool) -> dict[str, str]:
    """Every format written by its writer for the same rows (names already removed if redact)."""
    reports = [make_report("s-1"), make_report("s-2", "Zed Other", Verdict.ready)]
    if redact:
        reports = [
            Report(
                **{
                    **{k: getattr(r, k) for k in r.__dataclass_fields__},
                    "student": StudentRef(r.student.id, None),
                }
            )
            for r in reports
        ]
    out: dict[str, str] = {}
    for fmt, writer_type in WRITERS.items():
        buffer = io.StringIO()
        writer = writer_type(buffer, redact)
        writer.start()
        summary = CohortSummary(as_of=AS_OF, plan="default")
        for i, report in enumerate(reports):
            row = row_of(f"cohort/{i}.yaml", report)
            writer.student(row, report if writer.wants_report else None)
            summary.add_student(row.verdict, row.top_cause)
        writer.finish(summary, ERRORS)
        out[fmt] = buffer.getvalue()
    return out


def test_writers_write_every_student_in_every_format() -> None:
    out = _all_formats(redact=False)
    for fmt, text in out.items():
        assert "s-1" in text and "s-2" in text, fmt
        assert "Jeanette" in text, fmt  # the table may wrap the rest of the name
    assert len(out["jsonl"].splitlines()) == 2
    assert len(out["csv"].splitlines()) == 3
    assert json.loads(out["json"])["students"][1]["name"] == "Zed Other"


def test_redacted_writers_show_no_name_column() -> None:
    out = _all_formats(redact=True)
    for fmt, text in out.items():
        assert NAME not in text and "Zed Other" not in text, fmt
    assert "| Name |" not in out["md"]
    assert "Name" not in out["table"]
    assert json.loads(out["json"])["students"][0]["name"] is None


def test_the_table_writer_spools_rows_and_draws_what_the_rows_give() -> None:
    buffer = io.StringIO()
    writer = WRITERS["table"](buffer, False)
    writer.start()
    for row in ROWS:
        writer.student(row, None)
    assert not any(isinstance(v, list) for v in vars(writer).values())  # no rows kept in memory
    writer.finish(make_summary(ROWS), [])
    assert buffer.getvalue() == _table_text(ROWS, 100)
