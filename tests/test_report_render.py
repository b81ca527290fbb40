"""Rendering of the diagnose report: the causes and study-plan views, the composition of every
section (rich and Markdown), and a golden file of the full rich report.

Golden file: ``tests/golden/diagnose_profile.txt`` is the rich report of
``examples/profile.yaml`` with ``--as-of 2026-11-27``, rendered at width 100 with colour off.
After an intended change to the output, regenerate it and review the diff::

    STEP1PLAN_REGEN_GOLDEN=1 pytest tests/test_report_render.py -k golden
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import sys
import types
from pathlib import Path

import pytest
from rich.console import Console, RenderableType
from rich.text import Text

from step1plan.models.common import Band, CauseId
from step1plan.models.report import (
    CauseResult,
    Confidence,
    Eligibility,
    Evidence,
    Finding,
    Priority,
    Readiness,
    Report,
    Severity,
    Strategy,
    StudentRef,
    StudyPlan,
    Timeline,
    Verdict,
    Week,
)
from step1plan.report.causes_view import causes_markdown, causes_renderables, evidence_text
from step1plan.report.markdown import report_markdown
from step1plan.report.studyplan_view import (
    common_activities,
    studyplan_markdown,
    studyplan_renderables,
)
from step1plan.report.table import report_renderables, split_findings

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "diagnose_profile.txt"
REGEN = os.environ.get("STEP1PLAN_REGEN_GOLDEN") == "1"
AS_OF = dt.date(2026, 11, 27)


def render(items: list[RenderableType], width: int = 100) -> str:
    """Rich output at a fixed width (100 unless a test needs long cells on one line), colour
    off: deterministic."""
    console = Console(width=width, no_color=True, record=True, file=io.StringIO())
    for item in items:
        console.print(item)
    return console.export_text()


CAUSES = (
    CauseResult(
        CauseId.timing,
        1,
        Confidence.high,
        True,
        True,
        0.92,
        "You named it and the data agrees: 2 blocks left unfinished on the exam.",
        (
            Evidence("causes[1]", "timing"),
            Evidence("attempts[0].test_day.unfinished_blocks", 2),
            Evidence("qbank.mode", "tutor"),
        ),
        ("C106",),
    ),
    CauseResult(
        CauseId.question_interpretation,
        2,
        Confidence.low,
        True,
        False,
        0.25,
        "You named it, but the data given does not show it | really.",
        (),
        ("C102",),
    ),
)
CAUSE_FINDING = Finding(
    "C109",
    "Your account and the data disagree",
    Severity.info,
    "The data does not back: Misreading NBME-style questions.",
    (),
    "Reconsider it.",
)
MISTAKE = Finding(
    "M701", "Retaking too soon", Severity.warning, "The date is close.", (), "Move it."
)
WEEKS = (
    Week(
        1,
        AS_OF,
        AS_OF + dt.timedelta(days=6),
        "foundations",
        40.0,
        ("pathology",),
        168,
        ("CBSSA 29",),
        ("Review core concepts", "Every block timed"),
    ),
    Week(
        2,
        AS_OF + dt.timedelta(days=7),
        AS_OF + dt.timedelta(days=13),
        "foundations",
        40.0,
        ("physiology", "cardiovascular"),
        168,
        (),
        ("Review core concepts", "Every block timed", "Only this week"),
    ),
    Week(
        3,
        AS_OF + dt.timedelta(days=14),
        AS_OF + dt.timedelta(days=22),
        "readiness",
        51.4,
        ("pathology",),
        370,
        ("CBSSA 30", "Free 120, a set you have not done"),
        ("Timed mixed blocks",),
    ),
)
STUDY = StudyPlan(
    priorities=(
        Priority("pathology", "disciplines", 48.0, Band.lower, 1.0, 48.0, 0.6, "attempts[0]"),
        Priority("cardiovascular", "systems", 9.0, Band.same, 0.5, 4.5, 0.4, "practice[3]"),
    ),
    weeks=WEEKS,
    retake_date=AS_OF + dt.timedelta(days=23),
    retake_date_source="recommended",
    notes=("Recommended date from plan parameters (a rule of thumb).",),
)


def make_report(**changes: object) -> Report:
    fields: dict[str, object] = {
        "tool_version": "0.0.test",
        "as_of": AS_OF,
        "plan": "default",
        "student": StudentRef("s-0142", "Priya K."),
        "causes": CAUSES,
        "study_plan": STUDY,
        "findings": (CAUSE_FINDING, MISTAKE),
    }
    fields.update(changes)
    return Report(**fields)  # type: ignore[arg-type]


# ---------------------------------------------------------------- causes view


def test_causes_table_shows_rank_confidence_named_backing_and_evidence() -> None:
    text = render(causes_renderables(CAUSES, [CAUSE_FINDING]), width=200)
    assert text.startswith("Why the attempt failed")
    assert "Timing and pacing" in text and "Misreading NBME-style" in text
    assert "backs it" in text and "no backing" in text
    assert "attempts[0].test_day: unfinished_blocks = 2" in text
    assert "C109" in text and "About the diagnosis" in text


def test_causes_table_fits_a_narrow_terminal_without_cutting_titles() -> None:
    narrow = render(causes_renderables(CAUSES), width=80)
    assert "Confidence" not in narrow and "…" not in narrow
    assert "high confidence" in narrow and "named: yes" in narrow and "data: backs it" in narrow
    assert "Misreading" in narrow and "questions" in narrow  # wrapped, not cut
    wide = render(causes_renderables(CAUSES), width=100)
    assert "Confidence" in wide and "named: yes" not in wide


def test_causes_view_says_so_when_nothing_is_found() -> None:
    assert "No cause can be named" in render(causes_renderables(()))
    assert "No cause can be named" in causes_markdown(())


def test_evidence_text_groups_by_parent_and_counts_the_rest() -> None:
    evidence = [Evidence(f"attempts[0].content_areas.disciplines.a{i}", "lower") for i in range(8)]
    text = evidence_text([Evidence("causes[0]", "timing"), *evidence], limit=3)
    assert text == (
        "causes[0]: timing; attempts[0].content_areas.disciplines: a0 = lower, a1 = lower; +6 more"
    )
    assert evidence_text([Evidence("qbank.percent_correct", 58.0)]) == "qbank: percent_correct = 58"


def test_causes_markdown_escapes_pipes() -> None:
    md = causes_markdown(CAUSES, [CAUSE_FINDING])
    assert md.startswith("## Why the attempt failed\n")
    assert "does not show it \\| really." in md
    assert "| 1 | Timing and pacing | high | yes | backs it |" in md
    assert "- **C109 Your account and the data disagree** (info)" in md


# ---------------------------------------------------------------- study plan view


def test_common_activities_are_listed_once_per_phase() -> None:
    assert common_activities(WEEKS[:2]) == ("Review core concepts", "Every block timed")
    assert common_activities(()) == ()


def test_studyplan_renders_priorities_weeks_and_phase_activities() -> None:
    text = render(studyplan_renderables(STUDY), width=200)
    assert text.index("What to study first") < text.index("Week-by-week plan to the retake")
    assert "Pathology" in text and "60%" in text and "practice[3]" in text
    assert "recommended, a rule of thumb" in text
    assert "Nov 27-Dec 3" in text
    assert "• CBSSA 29" in text and "• Only this week" in text
    assert "Rebuild foundations (weeks 1-2)" in text and "Prove readiness (week 3)" in text
    assert "Note: Recommended date" in text


def test_studyplan_tables_fit_a_narrow_terminal_without_cutting_words() -> None:
    from step1plan.report.studyplan_view import compact_priorities_table, compact_weeks_table

    long_focus = dataclasses.replace(WEEKS[0], focus=("blood_immune", "respiratory_renal"))
    plan = dataclasses.replace(STUDY, weeks=(long_focus, *WEEKS[1:]))
    narrow = render(studyplan_renderables(plan), width=80)
    assert "…" not in narrow
    assert "Share of hours" not in narrow and "Hours" in narrow  # the narrow layout
    assert "Nov 27-Dec 3" in narrow and "Respiratory &" in narrow
    assert "Lymphoreticular/Immu" in narrow  # a word longer than the column folds
    wide = render(studyplan_renderables(plan), width=120)
    assert "Share of hours" in wide and "Assessments and tasks this week" in wide
    assert compact_priorities_table(plan).row_count == len(plan.priorities)
    assert compact_weeks_table(plan).row_count == len(plan.weeks)


def test_studyplan_markdown_has_both_tables() -> None:
    md = studyplan_markdown(STUDY)
    assert "| 1 | Pathology | discipline | 48 | lower | 60% | attempts[0] |" in md
    assert "| 3 | Dec 11-Dec 19 | readiness | 51.4 | 370 | Pathology | CBSSA 30<br>Free 120" in md
    assert "- **Rebuild foundations** (weeks 1-2):" in md
    assert "  - Review core concepts" in md


def test_studyplan_views_handle_an_empty_plan() -> None:
    empty = StudyPlan()
    assert "nothing to rank" in render(studyplan_renderables(empty))
    assert "No weeks to plan" in studyplan_markdown(empty)


# ---------------------------------------------------------------- composition


@pytest.fixture
def fake_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-ins for the timeline and strategy views, so the order is tested on its own."""
    timeline = types.ModuleType("step1plan.report.timeline_view")
    timeline.timeline_renderables = lambda t, e, d: [Text("TIMELINE SECTION")]  # type: ignore[attr-defined]
    timeline.timeline_markdown = lambda t, e, d: "## TIMELINE SECTION\n"  # type: ignore[attr-defined]
    strategy = types.ModuleType("step1plan.report.strategy_view")
    strategy.strategy_renderables = lambda s, f: [  # type: ignore[attr-defined]
        Text("STRATEGY SECTION " + ",".join(x.code for x in f))
    ]
    strategy.strategy_markdown = lambda s, f: (  # type: ignore[attr-defined]
        "## STRATEGY SECTION " + ",".join(x.code for x in f) + "\n"
    )
    monkeypatch.setitem(sys.modules, "step1plan.report.timeline_view", timeline)
    monkeypatch.setitem(sys.modules, "step1plan.report.strategy_view", strategy)


FULL = {
    "eligibility": Eligibility(1, 3, AS_OF, False, ("One attempt used.",)),
    "readiness": Readiness(Verdict.not_ready),
    "timeline": Timeline(2028, True),
    "strategy": Strategy("internal_medicine", "moderate"),
}


def test_split_findings_keeps_cause_findings_with_the_causes() -> None:
    assert split_findings([MISTAKE, CAUSE_FINDING]) == ([CAUSE_FINDING], [MISTAKE])


@pytest.mark.usefixtures("fake_sections")
def test_report_sections_come_in_the_issue_order() -> None:
    text = render(report_renderables(make_report(**FULL)))
    order = [
        "Step 1 recovery report: s-0142 (Priya K.)",
        "Why the attempt failed",
        "What to study first",
        "Week-by-week plan to the retake",
        "Retake readiness",
        "TIMELINE SECTION",
        "STRATEGY SECTION M701",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "as of 2026-11-27 · plan default · step1plan 0.0.test" in text


@pytest.mark.usefixtures("fake_sections")
def test_report_markdown_sections_come_in_the_same_order() -> None:
    md = report_markdown(make_report(**FULL))
    assert md.startswith("# Step 1 recovery report: s-0142 (Priya K.)\n")
    order = [
        "## Why the attempt failed",
        "### About the diagnosis",
        "## What to study first",
        "## Week-by-week plan to the retake",
        "## Retake readiness",
        "## TIMELINE SECTION",
        "## STRATEGY SECTION M701",
    ]
    positions = [md.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "\n\n\n" not in md


def test_report_without_strategy_still_lists_the_other_findings() -> None:
    text = render(report_renderables(make_report()))
    assert "Findings and mistakes to avoid" in text and "M701" in text
    md = report_markdown(make_report())
    assert "## Findings and mistakes to avoid" in md and "**M701 Retaking too soon**" in md


def test_report_renders_with_only_the_header() -> None:
    report = make_report(causes=(), study_plan=None, findings=())
    text = render(report_renderables(report))
    assert "No cause can be named" in text
    assert "What to study first" not in text


# ---------------------------------------------------------------- golden file


def _example_report() -> Report:
    from step1plan.analysis import analyse
    from step1plan.load.profile import load_inputs
    from step1plan.plans import load_plan

    plan = load_plan("default")
    loaded = load_inputs(ROOT / "examples" / "profile.yaml", AS_OF, plan)
    return analyse(loaded.context(plan, AS_OF))


def test_golden_diagnose_profile() -> None:
    report = _example_report()
    # The tool version is part of the header: pin it so a release does not break the file.
    report = dataclasses.replace(report, tool_version="X.Y.Z")
    text = render(report_renderables(report))
    if REGEN:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.is_file(), f"{GOLDEN} is missing: run STEP1PLAN_REGEN_GOLDEN=1 pytest -k golden"
    expected = GOLDEN.read_text(encoding="utf-8")
    assert text == expected, (
        "the diagnose report changed; if intended, regenerate the golden file with "
        "STEP1PLAN_REGEN_GOLDEN=1 pytest tests/test_report_render.py -k golden and review the diff"
    )
