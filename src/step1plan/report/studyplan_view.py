"""Rendering of the study plan: priorities, the weekly plan and the activities of each phase.

Pure functions of :class:`~step1plan.models.report.StudyPlan`. The weekly table keeps to what
changes week by week (dates, phase, hours, QBank target, focus, assessments and the tasks only
that week has); the activities shared by every week of a phase are listed once per phase.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from step1plan.models.common import Band
from step1plan.models.report import Priority, StudyPlan, Week
from step1plan.report.causes_view import md_cell
from step1plan.report.fit import ByWidth
from step1plan.rules.causes import area_label
from step1plan.rules.studyplan import PHASE_TITLES, PHASES

PRIORITIES_HEADING = "What to study first"
WEEKS_HEADING = "Week-by-week plan to the retake"
GROUP_WORD = {"disciplines": "discipline", "systems": "system"}
BAND_WORD = {Band.lower: "lower", Band.same: "same", Band.higher: "higher"}
BAND_STYLE = {Band.lower: "red", Band.same: "yellow", Band.higher: "green"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(day: dt.date) -> str:
    """``Nov 27`` (locale-independent)."""
    return f"{_MONTHS[day.month - 1]} {day.day}"


def week_dates(week: Week) -> str:
    """``Nov 27-Dec 3``."""
    return f"{short_date(week.start)}-{short_date(week.end)}"


def retake_line(plan: StudyPlan) -> str:
    """The retake date and where it came from."""
    if plan.retake_date is None:
        return "Retake date: none"
    if plan.retake_date_source == "recommended":
        how = "recommended, a rule of thumb: see the note below"
    else:
        how = "planned"
    return f"Retake date: {plan.retake_date.isoformat()} ({how}); {len(plan.weeks)} weeks"


def phase_ranges(weeks: Sequence[Week]) -> list[tuple[str, list[Week]]]:
    """The weeks of each phase that has any, in phase order."""
    return [
        (p, [w for w in weeks if w.phase == p]) for p in PHASES if any(w.phase == p for w in weeks)
    ]


def common_activities(weeks: Sequence[Week]) -> tuple[str, ...]:
    """Activities every one of these weeks has, in the first week's order."""
    if not weeks:
        return ()
    rest = [set(w.activities) for w in weeks[1:]]
    return tuple(a for a in weeks[0].activities if all(a in r for r in rest))


def week_extras(week: Week, common: Sequence[str]) -> list[str]:
    """The week's assessments, then the activities only some weeks of its phase have."""
    return [*week.assessments, *(a for a in week.activities if a not in common)]


def _week_label(weeks: Sequence[Week]) -> str:
    first, last = weeks[0].number, weeks[-1].number
    return f"week {first}" if first == last else f"weeks {first}-{last}"


def _focus(week: Week) -> str:
    return ", ".join(area_label(a) for a in week.focus) or "-"


def _hours(value: float) -> str:
    return f"{value:g}"


def _band(p: Priority) -> Text:
    return Text(BAND_WORD[p.band], style=BAND_STYLE[p.band])


def _share(p: Priority) -> str:
    return f"{p.share_of_hours * 100:.0f}%"


def priorities_table(plan: StudyPlan) -> Table:
    """Area, outline weight, band and share of content hours, highest priority first."""
    table = Table(expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Area", ratio=3)
    table.add_column("Type", no_wrap=True)
    table.add_column("Weight %", justify="right", no_wrap=True)
    table.add_column("Band", no_wrap=True)
    table.add_column("Share of hours", justify="right", no_wrap=True)
    table.add_column("Band from", no_wrap=True)
    for i, p in enumerate(plan.priorities, 1):
        table.add_row(
            str(i),
            area_label(p.area),
            GROUP_WORD.get(p.group, p.group),
            f"{p.weight:g}",
            _band(p),
            _share(p),
            p.source,
        )
    return table


def compact_priorities_table(plan: StudyPlan) -> Table:
    """The priorities for a narrow terminal: the area's type under its name, shorter titles."""
    table = Table(expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Area", ratio=1, overflow="fold")
    table.add_column("Weight", justify="right", no_wrap=True)
    table.add_column("Band", no_wrap=True)
    table.add_column("Hours", justify="right", no_wrap=True)
    table.add_column("From", no_wrap=True)
    for i, p in enumerate(plan.priorities, 1):
        area = Text(area_label(p.area))
        area.append("\n" + GROUP_WORD.get(p.group, p.group), style="dim")
        table.add_row(
            str(i),
            area,
            f"{p.weight:g}%",
            _band(p),
            _share(p),
            p.source,
        )
    return table


def _week_rows(plan: StudyPlan) -> Iterator[tuple[Week, str, str]]:
    """Each week with its phase and its tasks cell (assessments, then the activities only some
    weeks of the phase have), for both layouts of the weekly table."""
    for phase, weeks in phase_ranges(plan.weeks):
        common = common_activities(weeks)
        for w in weeks:
            yield w, phase, "\n".join(f"• {x}" for x in week_extras(w, common)) or "-"


def weeks_table(plan: StudyPlan) -> Table:
    """One row a week: dates, phase, hours, QBank target, focus, assessments and extra tasks."""
    table = Table(expand=True, show_lines=True)
    table.add_column("Wk", justify="right", no_wrap=True)
    table.add_column("Dates", no_wrap=True)
    table.add_column("Phase", no_wrap=True)
    table.add_column("Hours", justify="right", no_wrap=True)
    table.add_column("QBank", justify="right", no_wrap=True)
    table.add_column("Focus", ratio=2, overflow="fold")
    table.add_column("Assessments and tasks this week", ratio=3)
    for w, phase, tasks in _week_rows(plan):
        table.add_row(
            str(w.number),
            week_dates(w),
            phase,
            _hours(w.hours),
            str(w.qbank_questions),
            _focus(w),
            tasks,
        )
    return table


def compact_weeks_table(plan: StudyPlan) -> Table:
    """The weekly plan for a narrow terminal: dates, phase, hours and QBank target stacked in
    one column, so that the focus areas and tasks keep room for whole words."""
    table = Table(expand=True, show_lines=True)
    table.add_column("Wk", justify="right", no_wrap=True)
    table.add_column("Week", no_wrap=True)
    table.add_column("Focus", ratio=2, overflow="fold")
    table.add_column("Assessments and tasks", ratio=3)
    for w, phase, tasks in _week_rows(plan):
        week = f"{week_dates(w)}\n{phase}\n{_hours(w.hours)} h, {w.qbank_questions} Qs"
        table.add_row(str(w.number), week, _focus(w), tasks)
    return table


def activities_table(plan: StudyPlan) -> Table:
    """What every week of each phase includes."""
    table = Table(
        title="Every week of the phase", title_justify="left", expand=True, show_lines=True
    )
    table.add_column("Phase", ratio=1)
    table.add_column("Activities", ratio=4)
    for phase, weeks in phase_ranges(plan.weeks):
        table.add_row(
            f"{PHASE_TITLES[phase]} ({_week_label(weeks)})",
            "\n".join(f"• {a}" for a in common_activities(weeks)),
        )
    return table


def _notes(plan: StudyPlan) -> list[RenderableType]:
    return [Text(f"Note: {note}", style="dim") for note in plan.notes]


def priorities_renderables(plan: StudyPlan) -> list[RenderableType]:
    """The priorities section: heading and table (or why there is none)."""
    items: list[RenderableType] = [Text(PRIORITIES_HEADING, style="bold")]
    if plan.priorities:
        items.append(
            ByWidth(lambda: priorities_table(plan), lambda: compact_priorities_table(plan))
        )
        items.append(
            Text(
                "Priority = outline weight x band deficit; share of hours is of the time given "
                "to content review.",
                style="dim",
            )
        )
    else:
        items.append(Text("No content-area bands given: nothing to rank."))
    return items


def weeks_renderables(plan: StudyPlan) -> list[RenderableType]:
    """The weekly plan section: heading, retake line, weekly table, phase activities, notes."""
    head = Group(Text(WEEKS_HEADING, style="bold"), Text(retake_line(plan)))
    items: list[RenderableType] = [head]
    if plan.weeks:
        weeks = ByWidth(lambda: weeks_table(plan), lambda: compact_weeks_table(plan))
        items += [weeks, activities_table(plan)]
    else:
        items.append(Text("No weeks to plan before the retake date."))
    items += _notes(plan)
    return items


def studyplan_renderables(plan: StudyPlan) -> list[RenderableType]:
    """Priorities, then the weekly plan."""
    return [*priorities_renderables(plan), *weeks_renderables(plan)]


def studyplan_markdown(plan: StudyPlan) -> str:
    """Priorities and the weekly plan as Markdown (GitHub flavoured)."""
    out = [f"## {PRIORITIES_HEADING}", ""]
    if plan.priorities:
        out += [
            "| # | Area | Type | Weight % | Band | Share of hours | Band from |",
            "|---|---|---|---|---|---|---|",
        ]
        for i, p in enumerate(plan.priorities, 1):
            out.append(
                f"| {i} | {md_cell(area_label(p.area))} | {GROUP_WORD.get(p.group, p.group)} | "
                f"{p.weight:g} | {BAND_WORD[p.band]} | {_share(p)} | "
                f"{md_cell(p.source)} |"
            )
        out += ["", "_Priority = outline weight x band deficit._"]
    else:
        out.append("No content-area bands given: nothing to rank.")
    out += ["", f"## {WEEKS_HEADING}", "", retake_line(plan) + ".", ""]
    if plan.weeks:
        out += [
            "| Wk | Dates | Phase | Hours | QBank | Focus | Assessments and tasks this week |",
            "|---|---|---|---|---|---|---|",
        ]
        ranges = phase_ranges(plan.weeks)
        for phase, weeks in ranges:
            common = common_activities(weeks)
            for w in weeks:
                extras = "<br>".join(md_cell(x) for x in week_extras(w, common)) or "-"
                out.append(
                    f"| {w.number} | {week_dates(w)} | {phase} | {_hours(w.hours)} | "
                    f"{w.qbank_questions} | {md_cell(_focus(w))} | {extras} |"
                )
        out += ["", "### Every week of the phase", ""]
        for phase, weeks in ranges:
            out.append(f"- **{PHASE_TITLES[phase]}** ({_week_label(weeks)}):")
            out += [f"  - {a}" for a in common_activities(weeks)]
    else:
        out.append("No weeks to plan before the retake date.")
    if plan.notes:
        out += ["", "### Notes", "", *(f"- {n}" for n in plan.notes)]
    return "\n".join(out).rstrip() + "\n"
