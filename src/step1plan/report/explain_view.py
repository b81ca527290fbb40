"""``step1plan explain``: the draft explanation and the review of a written one, as rich
renderables, Markdown and JSON-ready dicts.

Pure functions of the typed results: no file access, no printing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from rich.console import RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from step1plan.models.report import SCHEMA, Finding, StudentRef
from step1plan.report.jsonout import jsonable
from step1plan.report.mdtext import md_escape
from step1plan.rules.mistakes import count_words, finding_sentence

DRAFT_HINT = (
    "A starting point: rewrite it in your own voice, keep each [bracketed] part only if it is "
    "true for you (the profile cannot show it yet), then run step1plan explain --check."
)


def _who(student: StudentRef) -> str:
    return f"{student.name} ({student.id})" if student.name else student.id


def _closed_lines(finding: Finding) -> list[str]:
    return [f"{finding.code} {finding.title}: {finding.message}", finding.recommendation or ""]


def draft_renderables(student: StudentRef, draft: str | Finding) -> list[RenderableType]:
    """The draft in a panel titled with the student and its word count (or, when no attempt is
    left, S609's finding in its place)."""
    if isinstance(draft, Finding):
        return [
            Panel(
                Text("\n\n".join(_closed_lines(draft))),
                title=f"No draft explanation for {_who(student)}",
                border_style="red",
            )
        ]
    return [
        Panel(
            Text(draft),
            title=f"Draft explanation for {_who(student)}",
            subtitle=f"{count_words(draft)} words",
        ),
        Text(DRAFT_HINT),
    ]


def draft_markdown(student: StudentRef, draft: str | Finding) -> str:
    """The draft as Markdown (or S609's finding in its place)."""
    if isinstance(draft, Finding):
        message, recommendation = _closed_lines(draft)
        return "\n".join(
            [
                f"## No draft explanation for {md_escape(_who(student))}",
                "",
                message,
                "",
                recommendation,
                "",
            ]
        )
    return "\n".join(
        [
            f"## Draft explanation for {md_escape(_who(student))}",
            "",
            draft,
            "",
            f"_{count_words(draft)} words. {DRAFT_HINT}_",
            "",
        ]
    )


def draft_dict(as_of: dt.date, student: StudentRef, draft: str | Finding) -> dict[str, Any]:
    """``explain --format json``: ``{schema, as_of, student, explanation}``. When no attempt is
    left, ``explanation`` is ``null`` and a ``finding`` key (S609, written as ``diagnose`` writes
    a finding: ``code``, ``title``, ``severity``, ``message``, ``evidence``,
    ``recommendation``) says why."""
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "as_of": as_of.isoformat(),
        "student": {"id": student.id, "name": student.name},
        "explanation": draft if isinstance(draft, str) else None,
    }
    if isinstance(draft, Finding):
        out["finding"] = jsonable(draft)
    return out


def check_dict(file: str, findings: Sequence[Finding]) -> dict[str, Any]:
    """``explain --check FILE --format json``: ``{schema, file, problems}``; each problem has
    ``code``, ``message`` and ``sentence`` (``null`` for a problem of the whole text)."""
    return {
        "schema": SCHEMA,
        "file": file,
        "problems": [
            {"code": f.code, "message": f.message, "sentence": finding_sentence(f)}
            for f in findings
        ],
    }


def _summary(file: str, findings: Sequence[Finding]) -> str:
    if not findings:
        return f"{file}: no problems found."
    n = len(findings)
    return f"{file}: {n} problem{'s' if n != 1 else ''} found."


def check_renderables(file: str, findings: Sequence[Finding]) -> list[RenderableType]:
    """A summary line and a table of the problems, each with its sentence."""
    items: list[RenderableType] = [Text(_summary(file, findings), style="bold")]
    if not findings:
        return items
    table = Table(show_lines=True, expand=True)
    table.add_column("Code", no_wrap=True)
    table.add_column("Problem", ratio=2, overflow="fold")
    table.add_column("Sentence", ratio=2, overflow="fold")
    table.add_column("What to do", ratio=2, overflow="fold")
    for f in findings:
        table.add_row(
            f.code,
            Text.assemble((f.title, "bold"), "\n", f.message),
            Text(finding_sentence(f) or "(whole text)", style="italic"),
            f.recommendation or "",
        )
    items.append(table)
    return items


def check_markdown(file: str, findings: Sequence[Finding]) -> str:
    """The review as Markdown: a summary and one list item per problem."""
    lines = [f"## Explanation check: {file}", "", _summary(file, findings), ""]
    for f in findings:
        lines.append(f"- **{f.code} {f.title}**: {f.message}")
        sentence = finding_sentence(f)
        if sentence:
            lines.append(f"  - Sentence: \u201c{sentence}\u201d")
        if f.recommendation:
            lines.append(f"  - What to do: {f.recommendation}")
    return "\n".join([*lines, ""])
