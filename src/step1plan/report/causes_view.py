"""Rendering of the diagnosed causes and their findings: rich renderables and Markdown.

Pure functions of the results. Each cause shows its rank, confidence, whether the student named
it and whether the data backs it, the sentence that explains it (with the numbers) and the
evidence paths; findings (too little data, account versus data) follow with what to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from step1plan.models.report import CauseResult, Confidence, Evidence, Finding, Severity
from step1plan.report.fit import ByWidth
from step1plan.rules.causes import cause_title

MAX_EVIDENCE = 6
"""Evidence items shown per cause in the table (the JSON report has them all)."""

CONFIDENCE_STYLE = {Confidence.high: "bold", Confidence.medium: "", Confidence.low: "dim"}
SEVERITY_MARK = {Severity.critical: "✗", Severity.warning: "!", Severity.info: "i"}
SEVERITY_STYLE = {Severity.critical: "red", Severity.warning: "yellow", Severity.info: "cyan"}

HEADING = "Why the attempt failed"
NO_CAUSES = "No cause can be named from the data given."


def yes_no(value: bool) -> str:
    """``yes`` or ``no``."""
    return "yes" if value else "no"


def _value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def evidence_text(evidence: Sequence[Evidence], limit: int = MAX_EVIDENCE) -> str:
    """The first ``limit`` items as ``parent: leaf = value, ...`` (grouped by parent path),
    then how many more."""
    groups: dict[str, list[str]] = {}
    for e in evidence[:limit]:
        parent, _, leaf = e.path.rpartition(".")
        if not parent:
            parent, leaf = leaf, ""
        item = f"{leaf} = {_value(e.value)}" if leaf else _value(e.value)
        groups.setdefault(parent, []).append(item)
    text = "; ".join(f"{parent}: {', '.join(items)}" for parent, items in groups.items())
    if len(evidence) > limit:
        text += f"; +{len(evidence) - limit} more"
    return text


def _why(cause: CauseResult) -> Text:
    why = Text(cause.summary)
    if cause.evidence:
        why.append("\n" + evidence_text(cause.evidence), style="dim")
    return why


def _backing(cause: CauseResult) -> Text:
    return Text("backs it") if cause.supported else Text("no backing", style="yellow")


def causes_table(causes: Sequence[CauseResult]) -> Table:
    """Rank, cause, confidence, named, backed by data, and why (with evidence)."""
    table = Table(expand=True, show_lines=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Cause", ratio=2)
    table.add_column("Confidence", no_wrap=True)
    table.add_column("Named", no_wrap=True)
    table.add_column("Data", no_wrap=True)
    table.add_column("Why", ratio=5)
    for cause in causes:
        table.add_row(
            str(cause.rank),
            cause_title(cause.id),
            Text(cause.confidence.value, style=CONFIDENCE_STYLE[cause.confidence]),
            yes_no(cause.self_reported),
            _backing(cause),
            _why(cause),
        )
    return table


def compact_causes_table(causes: Sequence[CauseResult]) -> Table:
    """The same content in three columns, for narrow terminals: rank, the cause with its
    confidence, naming and backing under the title, and why."""
    table = Table(expand=True, show_lines=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Cause", ratio=1)
    table.add_column("Why", ratio=3)
    for cause in causes:
        standing = Text(cause_title(cause.id), style="bold")
        standing.append("\n")
        standing.append(
            f"{cause.confidence.value} confidence", style=CONFIDENCE_STYLE[cause.confidence]
        )
        standing.append("\nnamed: " + yes_no(cause.self_reported) + "\ndata: ")
        standing.append(_backing(cause))
        table.add_row(str(cause.rank), standing, _why(cause))
    return table


def findings_renderable(findings: Sequence[Finding], title: str) -> Table:
    """Findings as a table: mark, code, what was found and what to do."""
    table = Table(title=title, title_justify="left", expand=True, show_lines=True)
    table.add_column("", no_wrap=True)
    table.add_column("Code", no_wrap=True)
    table.add_column("Finding", ratio=3)
    table.add_column("What to do", ratio=2)
    for f in findings:
        table.add_row(
            Text(SEVERITY_MARK[f.severity], style=SEVERITY_STYLE[f.severity]),
            f.code,
            Group(Text(f.title, style="bold"), Text(f.message)),
            f.recommendation or "",
        )
    return table


def causes_renderables(
    causes: Sequence[CauseResult], findings: Sequence[Finding] = ()
) -> list[RenderableType]:
    """The causes section for the terminal: heading, ranked causes, then their findings."""
    items: list[RenderableType] = [Text(HEADING, style="bold")]
    items.append(
        ByWidth(lambda: causes_table(causes), lambda: compact_causes_table(causes))
        if causes
        else Text(NO_CAUSES)
    )
    if findings:
        items.append(findings_renderable(findings, "About the diagnosis"))
    return items


def md_cell(text: str) -> str:
    """Escape a table cell for Markdown (pipes, line breaks)."""
    return text.replace("|", "\\|").replace("\n", "<br>")


def findings_markdown(findings: Sequence[Finding]) -> list[str]:
    """Findings as Markdown list items (code, title, message, what to do)."""
    out = []
    for f in findings:
        line = f"- **{f.code} {f.title}** ({f.severity.value}): {f.message}"
        if f.recommendation:
            line += f" _What to do:_ {f.recommendation}"
        out.append(line)
    return out


def causes_markdown(causes: Sequence[CauseResult], findings: Sequence[Finding] = ()) -> str:
    """The causes section as Markdown (GitHub flavoured)."""
    out = [f"## {HEADING}", ""]
    if causes:
        out += ["| # | Cause | Confidence | Named | Data | Why |", "|---|---|---|---|---|---|"]
        for c in causes:
            why = c.summary
            if c.evidence:
                why += f"<br>_Evidence:_ {evidence_text(c.evidence)}"
            out.append(
                f"| {c.rank} | {md_cell(cause_title(c.id))} | {c.confidence.value} | "
                f"{yes_no(c.self_reported)} | {'backs it' if c.supported else 'no backing'} | "
                f"{md_cell(why)} |"
            )
    else:
        out.append(NO_CAUSES)
    if findings:
        out += ["", "### About the diagnosis", "", *findings_markdown(findings)]
    return "\n".join(out).rstrip() + "\n"
