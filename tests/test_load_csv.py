"""Practice-score CSVs: forgiving about form, strict about content, every bad cell located."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from step1plan.errors import InputError
from step1plan.load.profile import load_scores_only
from step1plan.load.scores import load_scores, normalise_header, parse_bool, parse_date
from step1plan.load.textfile import MAX_BYTES
from step1plan.models.common import PracticeKind
from step1plan.models.scores import PracticeScore

AS_OF = dt.date(2026, 11, 27)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WriteFile = Callable[[str, str | bytes], Path]
"""The ``write`` fixture of conftest.py: ``write(name, content) -> path``."""


def scores_of(write: WriteFile, content: str | bytes) -> tuple[PracticeScore, ...]:
    found, _ = load_scores(write("s.csv", content), AS_OF, "s.csv")
    return found


def problems_of(write: WriteFile, content: str | bytes) -> list[str]:
    with pytest.raises(InputError) as info:
        load_scores(write("s.csv", content), AS_OF, "s.csv")
    return info.value.lines()


def test_example_csv_loads_with_evidence_paths() -> None:
    found, paths = load_scores(EXAMPLES / "nbme.csv", AS_OF)
    assert found and len(found) == len(paths)
    assert paths[0] == "nbme.csv:2"
    assert found[0].kind is PracticeKind.cbssa


def test_load_scores_only_records_the_input(write: WriteFile) -> None:
    path = write("s.csv", "date,form,epc\n2026-10-01,CBSSA 29,62\n")
    loaded = load_scores_only(path, AS_OF)
    assert loaded.profile is None
    assert loaded.inputs == [path]
    assert loaded.score_paths == ("s.csv:2",)


def test_semicolons_bom_crlf_blank_lines_and_messy_headers(write: WriteFile) -> None:
    content = (
        "\ufeff Date ;FORM; EPC ;Pass Probability;Seen-Before;unfinished blocks\r\n"
        "\r\n"
        "9/1/2026;CBSSA 29;62%;92%;yes;1\r\n"
        "   \r\n"
        "2026-10-01;Free 120;;;;\r\n"
    ).encode()
    with pytest.raises(InputError) as info:
        load_scores(write("s.csv", content), AS_OF, "s.csv")
    # The Free 120 row has no result: line 5 of the file (blank lines counted).
    assert info.value.lines() == [
        "s.csv:5: give at least one of epc, pass_probability, score or percent_correct"
    ]
    found = scores_of(write, content.replace(b"Free 120;;", b"Free 120;;0.8"))
    assert found[0] == PracticeScore(
        date=dt.date(2026, 9, 1),
        form="CBSSA 29",
        epc=62,
        pass_probability=0.92,
        seen_before=True,
        unfinished_blocks=1,
    )
    assert found[1].pass_probability == pytest.approx(0.8)
    assert found[1].kind is PracticeKind.free120


def test_comma_delimiter_with_quoted_form(write: WriteFile) -> None:
    found = scores_of(write, 'date,form,score\n2026-10-01,"UWSA 2, timed",231\n')
    assert found[0].form == "UWSA 2, timed"
    assert found[0].score == 231


def test_empty_cells_are_missing_values(write: WriteFile) -> None:
    found = scores_of(
        write, "date,form,epc,pass_probability,seen_before\n2026-10-01,NBME 30,,0.5,\n"
    )
    assert found[0].epc is None
    assert found[0].seen_before is False


@pytest.mark.parametrize(
    ("cell", "value"),
    [("true", True), ("FALSE", False), ("Yes", True), ("no", False), ("1", True), ("0", False)],
)
def test_seen_before_values(write: WriteFile, cell: str, value: bool) -> None:
    found = scores_of(write, f"date,form,epc,seen_before\n2026-10-01,CBSSA 29,62,{cell}\n")
    assert found[0].seen_before is value


def test_every_bad_cell_is_reported_at_its_physical_line(write: WriteFile) -> None:
    content = (
        "date,form,epc,pass_probability,seen_before\n"  # 1
        "2026-10-01,CBSSA 29,62,0.4,no\n"  # 2
        "\n"  # 3
        "2026-13-01,CBSSA 30,x,92,maybe\n"  # 4
        '2026-10-02,"CBSSA\n31",63,0.5,no\n'  # 5-6: a quoted cell over two lines (refused)
        "2026-10-03,,61,1.5,no\n"  # 7
        "2026-12-01,CBSSA 32,64,0.6,no\n"  # 8
        "2026-10-04,CBSSA 33,,,\n"  # 9
        "2026-10-05,CBSSA 34,60,0.3,no,extra\n"  # 10
    )
    assert problems_of(write, content) == [
        "s.csv:4: date: expected a date YYYY-MM-DD or M/D/YYYY, got '2026-13-01'",
        "s.csv:4: seen_before: expected true or false (yes/no, 1/0), got 'maybe'",
        "s.csv:4: epc: expected a number, got 'x'",
        "s.csv:4: pass_probability: must be at most 1 (write a probability such as 0.92, or a "
        "percent such as 92%)",
        "s.csv:5: form: a quoted cell runs over 2 lines (is a closing quote missing?): "
        "'CBSSA\\n31'",
        "s.csv:7: form: required (the cell is empty)",
        "s.csv:7: pass_probability: must be at most 1 (write a probability such as 0.92, or a "
        "percent such as 92%)",
        "s.csv:8: date: practice date 2026-12-01 is after the as-of date 2026-11-27",
        "s.csv:9: give at least one of epc, pass_probability, score or percent_correct",
        "s.csv:10: 6 cells but the header has 5 columns",
    ]


def test_an_unclosed_quote_is_named_as_such(write: WriteFile) -> None:
    content = 'date,form,epc\n2026-09-01,"CBSSA 26,60\n2026-09-08,CBSSA 27,61\n'
    (problem,) = problems_of(write, content)
    assert problem.startswith("s.csv:2: form: a quoted cell runs over 2 lines (is a closing quote")


def test_week_dates_and_underscored_numbers_are_errors(write: WriteFile) -> None:
    # Python reads 2026-W39-1 as a date and 6_0 as 60: both are typos in a score file
    content = (
        "date,form,epc,pass_probability\n"
        "2026-W39-1,CBSSA 26,60,0.4\n"
        "2026-09-01,CBSSA 27,6_0,0.5\n"
        "2026-09-08,CBSSA 28,62,9_2%\n"
    )
    assert problems_of(write, content) == [
        "s.csv:2: date: expected a date YYYY-MM-DD or M/D/YYYY, got '2026-W39-1'",
        "s.csv:3: epc: expected a number, got '6_0'",
        "s.csv:4: pass_probability: expected a number, got '9_2%'",
    ]


def test_unknown_column_suggests_the_closest(write: WriteFile) -> None:
    lines = problems_of(write, "date,form,epcc,pass_probabilty\n2026-10-01,CBSSA 29,62,0.4\n")
    assert lines[:2] == [
        "s.csv:1: unknown column 'epcc'; did you mean 'epc'?",
        "s.csv:1: unknown column 'pass_probabilty'; did you mean 'pass_probability'?",
    ]


def test_unknown_column_does_not_hide_bad_cells(write: WriteFile) -> None:
    lines = problems_of(write, "date,form,epc,notes\n2026-10-01,CBSSA 29,620,fine\n")
    assert lines == [
        "s.csv:1: unknown column 'notes'; expected one of: date, epc, form, pass_probability, "
        "percent_correct, score, seen_before, unfinished_blocks",
        "s.csv:2: epc: must be at most 100",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("form,epc\nCBSSA 29,62\n", "s.csv:1: date: required column is missing"),
        ("date,form\n2026-10-01,CBSSA 29\n", "s.csv:1: the header needs at least one of"),
        ("date,form,epc,EPC\n", "s.csv:1: epc: column given twice"),
        ("", "s.csv: empty file; expected a header row"),
        ("\n\n", "s.csv: empty file; expected a header row"),
        ("date,form,epc\n", "s.csv:1: no score rows after the header"),
    ],
)
def test_header_problems(write: WriteFile, content: str, expected: str) -> None:
    assert problems_of(write, content)[0].startswith(expected)


def test_percent_values(write: WriteFile) -> None:
    found = scores_of(
        write,
        "date,form,epc,pass_probability,percent_correct\n2026-10-01,CBSSA 29,62%,41 %,\n"
        "2026-10-02,Free 120,,,71%\n",
    )
    assert found[0].epc == 62
    assert found[0].pass_probability == pytest.approx(0.41)
    assert found[1].percent_correct == 71


def test_bad_percent(write: WriteFile) -> None:
    lines = problems_of(write, "date,form,pass_probability\n2026-10-01,CBSSA 29,x%\n")
    assert lines == ["s.csv:2: pass_probability: expected a percent such as 92%, got 'x%'"]


def test_file_over_one_mib_is_refused(write: WriteFile) -> None:
    content = "date,form,epc\n" + "2026-10-01,CBSSA 29,62\n" * (MAX_BYTES // 20)
    assert problems_of(write, content) == [
        f"s.csv: file is too large ({len(content)} bytes; the limit is {MAX_BYTES})"
    ]


def test_non_utf8_is_refused_with_its_position(write: WriteFile) -> None:
    content = b"date,form,epc\n2026-10-01,CBSSA \xff29,62\n"
    assert problems_of(write, content) == [
        "s.csv:2:18: not valid UTF-8 text (byte 0xff); save the file as UTF-8"
    ]


def test_missing_csv(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_scores(tmp_path / "none.csv", AS_OF, "none.csv")
    assert info.value.lines() == ["none.csv: no such file"]


def test_helpers() -> None:
    assert normalise_header("  Pass  Probability ") == "pass_probability"
    assert normalise_header("Seen-Before") == "seen_before"
    assert parse_date("9/1/2026") == dt.date(2026, 9, 1)
    assert parse_date("2026-09-01") == dt.date(2026, 9, 1)
    for bad in ("2026-9-1x", "13/1/2026", "20260901", "2/30/2026"):
        with pytest.raises(ValueError):
            parse_date(bad)
    assert parse_bool(" Y ") is True
    with pytest.raises(ValueError):
        parse_bool("maybe")


def test_a_yaml_file_given_as_scores_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text("student: {id: s-1}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_scores(path, dt.date(2026, 11, 27))
    expected = "a YAML file, not a practice-score CSV (give a profile as --profile)"
    assert err.value.lines() == [f"{path}: {expected}"]
