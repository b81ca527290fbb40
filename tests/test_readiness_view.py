"""Rendering of readiness and eligibility: rich output at a fixed width, Markdown, the chart."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from rich.console import Console

from step1plan.models.report import (
    Check,
    Eligibility,
    Evidence,
    Readiness,
    ScorePoint,
    StudentRef,
    Verdict,
)
from step1plan.report.readiness_view import (
    readiness_markdown,
    readiness_renderables,
    result_word,
)
from step1plan.report.trendchart import trend_lines

D = dt.date


def render(items: list[object]) -> str:
    console = Console(width=100, no_color=True, record=True, file=io.StringIO())
    for item in items:
        console.print(item)
    return console.export_text()


def flat(text: str) -> str:
    """The text with panel borders removed and wrapped lines joined (for phrase checks)."""
    lines = [line.strip().strip("│").strip() for line in text.splitlines()]
    return " ".join(" ".join(lines).split())


POINTS = (
    ScorePoint(D(2026, 7, 1), "CBSSA 26", "cbssa", 60.0, 0.30, False, False),
    ScorePoint(D(2026, 8, 1), "CBSSA 30", "cbssa", 65.0, 0.50, False, True),
    ScorePoint(D(2026, 8, 10), "CBSSA 27", "cbssa", 90.0, None, True, False),
    ScorePoint(D(2026, 8, 12), "UWSA 2", "uwsa", 240.0, None, False, False),
    ScorePoint(D(2026, 8, 20), "Free 120 (new set of items)", "free120", 70.0, None, False, True),
)

NOT_READY = Readiness(
    verdict=Verdict.not_ready,
    checks=(
        Check(
            "R301",
            "Enough recent unseen CBSSAs",
            False,
            "1 recent unseen CBSSA; the retaker bar asks for 3.",
            (Evidence("nbme.csv:3.form", "CBSSA 30"),),
            "Two more unseen CBSSAs at or above 95% pass probability.",
        ),
        Check("R304", "Trend not falling", True, "EPC trend: +1.00 points a week | rising."),
        Check(
            "R306",
            "Unseen Free 120",
            False,
            "No unseen Free 120 in the last 35 days.",
            (),
            "An unseen Free 120 at 70% or more.",
            required=False,
        ),
    ),
    projected_ready_date=D(2026, 9, 15),
    projection_note="Projection of practice scores, not a prediction of the exam: a line.",
    next_steps=(
        "Two more unseen CBSSAs at or above 95% pass probability.",
        "An unseen Free 120 at 70% or more.",
    ),
    points=POINTS,
    bar="retaker",
    bar_detail="retaker: 3 unseen CBSSAs within 35 days",
    notes=("Thresholds are tutors' rules of thumb from the plan 'default', not USMLE rules.",),
    low_pass_epc=65,
    bar_epc=70,
)
ELIGIBLE = Eligibility(
    1,
    3,
    D(2026, 9, 1),
    False,
    (
        "1 of 4 Step 1 attempts used (incomplete attempts count); 3 left.",
        "No waiting period applies to a 2nd attempt.",
    ),
)
BLOCKED = Eligibility(
    4,
    0,
    None,
    True,
    (
        "4 of 4 Step 1 attempts used (incomplete attempts count); 0 left.",
        "All 4 Step 1 attempts allowed are used.",
    ),
)


def test_result_words() -> None:
    assert result_word(Check("R1", "t", True, "m")) == "✓ pass"
    assert result_word(Check("R1", "t", False, "m")) == "✗ fail"
    assert result_word(Check("R1", "t", False, "m", required=False)) == "✗ advisory"


def test_rich_output_shows_checks_verdict_projection_and_eligibility() -> None:
    student = StudentRef("s-0142", "Priya K.")
    text = flat(render(readiness_renderables(NOT_READY, ELIGIBLE, student)))
    assert "Retake readiness: s-0142 (Priya K.)" in text
    for piece in ("R301", "R304", "R306", "✓ pass", "✗ fail", "✗ advisory"):
        assert piece in text
    assert "→ Two more unseen CBSSAs" in text
    assert "Verdict: not_ready" in text and "NOT READY" in text
    assert "Bar: retaker: 3 unseen CBSSAs within 35 days" in text
    assert "1. Two more unseen CBSSAs" in text and "2. An unseen Free 120" in text
    assert "Projected date (practice scores): 2026-09-15." in text
    assert "not a prediction of the exam" in text
    assert "Attempts used: 1; left: 3" in text and "Earliest next attempt: 2026-09-01" in text
    assert "Note: Thresholds are tutors' rules of thumb" in text


def test_rich_output_is_deterministic() -> None:
    items = readiness_renderables(NOT_READY, ELIGIBLE, None)
    assert render(items) == render(readiness_renderables(NOT_READY, ELIGIBLE, None))


def test_rich_output_without_student_or_eligibility() -> None:
    text = render(readiness_renderables(NOT_READY, None, None))
    assert text.splitlines()[0] == "Retake readiness"
    assert "Eligibility" not in text


def test_ineligible_verdict_panel() -> None:
    readiness = Readiness(
        Verdict.ineligible, next_steps=("All 4 Step 1 attempts allowed are used.",)
    )
    text = flat(render(readiness_renderables(readiness, BLOCKED, None)))
    assert "INELIGIBLE" in text
    assert "Earliest next attempt: none: no further Step 1 attempt is possible" in text
    assert "Practice scores" not in text, "no chart without points"


def test_rich_chart_fits_the_console_width() -> None:
    text = render(readiness_renderables(NOT_READY, None, None))
    assert all(len(line) <= 100 for line in text.splitlines())
    assert "┆" in text and "│" in text and "█" in text and "░" in text


def test_markdown_report() -> None:
    md = readiness_markdown(NOT_READY, ELIGIBLE, StudentRef("s-0142", None))
    assert md.startswith("## Retake readiness: s-0142\n")
    assert "**Verdict: NOT READY** (`not_ready`)" in md
    assert "| Code | Check | Result | Detail |" in md
    assert "| R301 | Enough recent unseen CBSSAs | ✗ fail |" in md
    assert "+1.00 points a week \\| rising." in md, "pipes in cells are escaped"
    assert "<br>→ Two more unseen CBSSAs" in md
    assert "1. Two more unseen CBSSAs at or above 95% pass probability." in md
    assert "**2026-09-15**: _Projection of practice scores" in md
    assert "- Attempts used: 1; left: 3" in md
    assert "```text\n" in md and "CBSSA 30" in md
    assert md.endswith("\n") and not md.endswith("\n\n")


def test_markdown_for_diagnose_has_no_student_line() -> None:
    md = readiness_markdown(Readiness(Verdict.ready), None, None)
    assert md.startswith("## Retake readiness\n")
    assert "Checks" not in md and "Eligibility" not in md


def test_trend_lines_draw_the_scale_and_markers() -> None:
    lines = trend_lines(POINTS, 65, 70)
    assert lines[0].startswith("date        form                 val   pass  40")
    assert lines[0].endswith("90")
    # EPC 65 on a 40-cell 40-90 scale fills 20 cells; the markers sit at cells 20 and 24.
    assert lines[2] == "2026-08-01  CBSSA 30              65    50%  " + "█" * 20 + "┆   │"
    assert lines[1].endswith("▓" * 16 + "    ┆   │"), "not counted: a lighter fill"
    assert "░" in lines[3], "seen before"
    assert lines[4].endswith("(3-digit score: support only)")
    assert "Free 120 (new s…" in lines[5] and " 70% " in lines[5]
    assert lines[-2].startswith("┆ low-pass EPC 65  │ bar EPC 70")
    assert lines[-1] == "█ counted  ▓ not counted  ░ seen before"


def _cbssa(epc: float, p: float | None) -> ScorePoint:
    return ScorePoint(D(2026, 11, 20), "CBSSA 30", "cbssa", epc, p, False, True)


def _free120(percent: float) -> ScorePoint:
    return ScorePoint(D(2026, 11, 22), "Free 120", "free120", percent, None, False, True)


def _bars(lines: list[str]) -> list[str]:
    """The bar part of each row (from the header's first tick, at cell 0)."""
    start = lines[0].index("40")
    return [line[start:] for line in lines[1:-2]]


def test_trend_lines_write_the_pass_probability_as_the_checks_do() -> None:
    # R302 reads 89.9 % short of a 90 % bar; a row rounded to "90%" looked like a pass.
    lines = trend_lines([_cbssa(67.9, 0.899)], 65, 68)
    assert " 89.9%  " in lines[1] and " 90%" not in lines[1]


def test_a_cbssa_under_the_pass_probability_bar_is_marked_short_whatever_its_epc() -> None:
    # EPC 74 runs past the EPC 68 marker, but R302 judges the 85 % pass probability: short.
    lines = trend_lines([_cbssa(74, 0.85), _cbssa(74, 0.92)], 65, 68, pass_bar=0.9)
    short, clears = _bars(lines)
    assert short[22] == "✗" and "│" not in short, "the bar marker reads ✗ on the short row"
    assert clears[22] == "│" and "✗" not in clears
    assert "✗ pass probability under 90%" in lines[-2]
    quiet = trend_lines([_cbssa(74, 0.92)], 65, 68, pass_bar=0.9)
    assert "✗" not in "".join(quiet), "no ✗ and no legend entry when every row clears"


def test_a_free120_is_drawn_against_its_own_bar() -> None:
    # The Free 120 bar is 65 % correct (R306), not EPC 68: 66 % passes and reaches its marker
    # (cell 20 of 40), 64.9 % is short and stops a cell before it; no EPC marker on the row.
    lines = trend_lines([_free120(66), _free120(64.9)], 65, 68, free120_bar=65)
    passes, short = _bars(lines)
    assert passes == "█" * 20 + "│" and short == "█" * 19 + " │"
    assert "┆" not in passes + short
    assert "│ bar EPC 68, Free 120 65%" in lines[-2]


def test_an_epc_just_under_the_bar_stops_short_of_its_marker() -> None:
    # EPC 67.9 and 68 fall in the same cell; only the one at the bar may reach the marker.
    lines = trend_lines([_cbssa(67.9, None), _cbssa(68, None)], 65, 68)
    short, at = _bars(lines)
    assert short[21] == " " and short[22] == "│"
    assert at[21] == "█" and at[22] == "│"


def test_markdown_chart_uses_the_bar_of_the_readiness_result() -> None:
    readiness = dataclasses.replace(
        NOT_READY,
        points=(_cbssa(74, 0.85), _free120(66)),
        bar_pass_probability=0.95,
        bar_free120_percent=70,
    )
    md = readiness_markdown(readiness, None, None)
    assert "✗ pass probability under 95%" in md and "Free 120 70%" in md


def test_trend_lines_keep_the_latest_rows() -> None:
    many = tuple(
        ScorePoint(
            D(2026, 1, 1) + dt.timedelta(days=7 * i),
            f"CBSSA {i}",
            "cbssa",
            60.0 + i,
            None,
            False,
            True,
        )
        for i in range(15)
    )
    lines = trend_lines(many, 65, 70, max_rows=12)
    assert lines[1] == "(3 earlier assessments not shown)"
    assert "CBSSA 14" in lines[-3] and not any("CBSSA 2 " in line for line in lines)
