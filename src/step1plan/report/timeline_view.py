"""The timeline as rich renderables and as Markdown (``step1plan timeline``, and in diagnose).

Pure functions of the typed results: no file access, no printing.
"""

from __future__ import annotations

import datetime as dt

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from step1plan.facts import attempt_limit
from step1plan.models.report import Eligibility, Milestone, Timeline

SLACK_CAPTION = (
    "Slack: days a date can slip before a result would miss the cycle's deadline. "
    "est. = estimate (pattern date, projection or planning lag)."
)


def _title(timeline: Timeline) -> str:
    if timeline.match_year is None or not timeline.milestones:
        return "Timeline: no Match cycle can be planned"
    shown = timeline.next_feasible_match_year or timeline.match_year
    if timeline.feasible:
        return f"Timeline to Match {shown}: feasible"
    if timeline.next_feasible_match_year is not None:
        return (
            f"Timeline: Match {timeline.match_year} is not feasible; "
            f"showing Match {timeline.next_feasible_match_year}"
        )
    return f"Timeline to Match {timeline.match_year}: not feasible"


def eligibility_line(eligibility: Eligibility, as_of: dt.date) -> str:
    """One line on the Step 1 attempts used and left and the earliest next attempt.

    "Used of" names the attempt limit in force on ``as_of`` (facts ``attempt_limit``, the
    number the eligibility rules count against), not used + left: none is left once Step 1 is
    passed or Step 2 CK has used the limit, and attempts taken under the older limit of 6 can
    outnumber today's 4 (DOMAIN.md "Attempts and retakes")."""
    text = (
        f"Step 1 attempts: {eligibility.attempts_used} used of {attempt_limit(as_of).value}, "
        f"{eligibility.attempts_left} left"
    )
    if eligibility.blocked:
        return text + "; no further attempt is possible."
    if eligibility.earliest_next_attempt is not None:
        text += f"; earliest next attempt {eligibility.earliest_next_attempt.isoformat()}"
    return text + "."


def _days(m: Milestone) -> str:
    return f"{m.days_from_as_of:+d}"


def _slack(m: Milestone) -> str:
    return "" if m.slack_days is None else str(m.slack_days)


def footnotes(timeline: Timeline) -> tuple[list[str], list[str]]:
    """(a reference per milestone, ``""`` when it has no note; the distinct notes in order).

    Long notes go under the table, numbered, so the table stays readable; milestones with the
    same note share its number."""
    notes: list[str] = []
    refs: list[str] = []
    for m in timeline.milestones:
        if not m.note:
            refs.append("")
            continue
        if m.note not in notes:
            notes.append(m.note)
        refs.append(f"[{notes.index(m.note) + 1}]")
    return refs, notes


def timeline_renderables(
    timeline: Timeline, eligibility: Eligibility, as_of: dt.date
) -> list[RenderableType]:
    """A title, the eligibility line (``as_of`` sets the attempt limit), the milestone table,
    its numbered notes and the timeline's notes."""
    items: list[RenderableType] = [
        Text(_title(timeline), style="bold"),
        Text(eligibility_line(eligibility, as_of)),
    ]
    refs, notes = footnotes(timeline)
    if timeline.milestones:
        table = Table(caption=SLACK_CAPTION, caption_justify="left")
        table.add_column("Milestone", no_wrap=True)
        table.add_column("Date", no_wrap=True)
        table.add_column("Days", justify="right", no_wrap=True)
        table.add_column("Slack", justify="right", no_wrap=True)
        table.add_column("Est.", no_wrap=True)
        table.add_column("Note", no_wrap=True)
        for m, ref in zip(timeline.milestones, refs, strict=True):
            late = m.slack_days is not None and m.slack_days < 0
            table.add_row(
                m.label or m.id,
                m.date.isoformat(),
                _days(m),
                Text(_slack(m), style="bold red" if late else ""),
                "est." if m.estimate else "",
                ref,
            )
        items.append(table)
    items.extend(Text(f"[{i}] {note}") for i, note in enumerate(notes, 1))
    items.extend(Text(f"- {note}") for note in timeline.notes)
    return items


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def timeline_markdown(timeline: Timeline, eligibility: Eligibility, as_of: dt.date) -> str:
    """The same content as Markdown (a heading, a table, numbered notes and a list)."""
    lines = [f"## {_title(timeline)}", "", eligibility_line(eligibility, as_of), ""]
    refs, notes = footnotes(timeline)
    if timeline.milestones:
        lines += [
            "| Milestone | Date | Days | Slack | Estimate | Note |",
            "|---|---|--:|--:|---|---|",
        ]
        for m, ref in zip(timeline.milestones, refs, strict=True):
            lines.append(
                f"| {_md_cell(m.label or m.id)} | {m.date.isoformat()} | {_days(m)} | "
                f"{_slack(m)} | {'yes' if m.estimate else ''} | {ref} |"
            )
        lines += ["", f"_{SLACK_CAPTION}_", ""]
    if notes:
        lines += [f"{i}. {_md_cell(n)}" for i, n in enumerate(notes, 1)] + [""]
    if timeline.notes:
        lines += [f"- {_md_cell(n)}" for n in timeline.notes] + [""]
    return "\n".join(lines)
