"""Rendering of the readiness verdict and eligibility: rich renderables and Markdown.

Pure functions of the results (``ready`` prints them; ``diagnose`` embeds them with
``student=None``). Every check is shown passed or failed with the numbers that decided it and,
when failed, what must change; the verdict panel gives the bar, the next steps and the labelled
projection; a compact chart shows the scores against the passing zone.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from step1plan.models.report import Check, Eligibility, Readiness, StudentRef, Verdict
from step1plan.report.mdtext import md_escape
from step1plan.report.trendchart import trend_chart, trend_lines

VERDICT_STYLE = {
    Verdict.ready: "bold green",
    Verdict.borderline: "bold yellow",
    Verdict.not_ready: "bold red",
    Verdict.ineligible: "bold magenta",
}
VERDICT_MEANING = {
    Verdict.ready: "the practice data meets every check of the bar",
    Verdict.borderline: "close: only advisory checks or near misses are short",
    Verdict.not_ready: "the practice data does not prove readiness yet: do not book the retake",
    Verdict.ineligible: "no Step 1 attempt is possible under the USMLE rules",
}


def verdict_word(verdict: Verdict) -> str:
    """``NOT READY`` for ``not_ready``."""
    return verdict.value.replace("_", " ").upper()


def result_word(check: Check) -> str:
    """``✓ pass``, ``✗ fail`` (required) or ``✗ advisory`` (only lowers to borderline)."""
    if check.passed:
        return "✓ pass"
    return "✗ fail" if check.required else "✗ advisory"


def _title(student: StudentRef | None) -> str:
    if student is None:
        return "Retake readiness"
    name = f" ({student.name})" if student.name else ""
    return f"Retake readiness: {student.id}{name}"


def _detail(check: Check) -> str:
    if check.passed or not check.to_change:
        return check.message
    return f"{check.message}\n→ {check.to_change}"


def checks_table(readiness: Readiness) -> Table:
    """Code, check, result and detail of every readiness check."""
    table = Table(title="Readiness checks", title_justify="left", expand=True, show_lines=True)
    table.add_column("Code", no_wrap=True)
    table.add_column("Check", ratio=1)
    table.add_column("Result", no_wrap=True)
    table.add_column("Detail", ratio=4)
    for check in readiness.checks:
        style = "green" if check.passed else ("red" if check.required else "yellow")
        table.add_row(
            check.code, check.title, Text(result_word(check), style=style), _detail(check)
        )
    return table


def eligibility_lines(eligibility: Eligibility) -> list[str]:
    """Eligibility in plain lines (attempts, earliest date or why blocked, reasons)."""
    if eligibility.blocked:
        when = "none: no further Step 1 attempt is possible"
    elif eligibility.earliest_next_attempt is not None:
        when = eligibility.earliest_next_attempt.isoformat()
    else:
        when = "unknown"
    lines = [
        f"Attempts used: {eligibility.attempts_used}; left: {eligibility.attempts_left}",
        f"Earliest next attempt: {when}",
    ]
    lines.extend(eligibility.reasons[1:] if len(eligibility.reasons) > 1 else ())
    return lines


def _verdict_body(readiness: Readiness, eligibility: Eligibility | None) -> Group:
    head = Text()
    head.append(verdict_word(readiness.verdict), style=VERDICT_STYLE[readiness.verdict])
    head.append(f"  {VERDICT_MEANING[readiness.verdict]}")
    parts: list[RenderableType] = [head, _labelled("Bar", readiness.bar_detail or readiness.bar)]
    if eligibility is not None:
        parts.append(_labelled("Eligibility", "; ".join(eligibility_lines(eligibility)[:2])))
    if readiness.next_steps:
        parts.append(Text("Next steps:", style="bold"))
        steps = Table.grid(padding=(0, 1))
        steps.add_column(justify="right", no_wrap=True)
        steps.add_column()
        for i, step in enumerate(readiness.next_steps, 1):
            steps.add_row(f"  {i}.", step)
        parts.append(steps)
    if readiness.projection_note:
        when = readiness.projected_ready_date
        label = "Projected date (practice scores)" if when else "Projection"
        parts.append(
            _labelled(label, (f"{when.isoformat()}. " if when else "") + readiness.projection_note)
        )
    parts.extend(Text(f"Note: {note}", style="dim") for note in readiness.notes)
    return Group(*parts)


def _labelled(label: str, value: str) -> Text:
    text = Text()
    text.append(f"{label}: ", style="bold")
    text.append(value)
    return text


def readiness_renderables(
    readiness: Readiness, eligibility: Eligibility | None, student: StudentRef | None
) -> list[RenderableType]:
    """The readiness report for the terminal: checks, score trend, eligibility, verdict."""
    items: list[RenderableType] = [Text(_title(student), style="bold")]
    if readiness.checks:
        items.append(checks_table(readiness))
    if readiness.points:
        items.append(
            Panel(
                trend_chart(
                    readiness.points,
                    readiness.low_pass_epc,
                    readiness.bar_epc,
                    pass_bar=readiness.bar_pass_probability,
                    free120_bar=readiness.bar_free120_percent,
                ),
                title="Practice scores (EPC, Free 120 % correct)",
                title_align="left",
            )
        )
    if eligibility is not None:
        items.append(
            Panel(
                Group(*(Text(line) for line in eligibility_lines(eligibility))),
                title="Eligibility (USMLE attempt rules)",
                title_align="left",
            )
        )
    items.append(
        Panel(
            _verdict_body(readiness, eligibility),
            title=f"Verdict: {readiness.verdict.value}",
            title_align="left",
            border_style=VERDICT_STYLE[readiness.verdict].split()[-1],
        )
    )
    return items


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def readiness_markdown(
    readiness: Readiness, eligibility: Eligibility | None, student: StudentRef | None
) -> str:
    """The readiness report as Markdown (GitHub flavoured)."""
    out = [f"## {md_escape(_title(student))}", ""]
    out.append(
        f"**Verdict: {verdict_word(readiness.verdict)}** (`{readiness.verdict.value}`): "
        f"{VERDICT_MEANING[readiness.verdict]}."
    )
    out += ["", f"Bar: {readiness.bar_detail or readiness.bar}.", ""]
    if readiness.checks:
        out += ["### Checks", "", "| Code | Check | Result | Detail |", "|---|---|---|---|"]
        for c in readiness.checks:
            out.append(
                f"| {c.code} | {_md_cell(c.title)} | {result_word(c)} | {_md_cell(_detail(c))} |"
            )
        out.append("")
    if readiness.next_steps:
        out += ["### Next steps", ""]
        out += [f"{i}. {step}" for i, step in enumerate(readiness.next_steps, 1)]
        out.append("")
    if readiness.projection_note:
        out += ["### Projection", ""]
        when = readiness.projected_ready_date
        out.append((f"**{when.isoformat()}**: " if when else "") + f"_{readiness.projection_note}_")
        out.append("")
    if eligibility is not None:
        out += ["### Eligibility", ""]
        out += [f"- {line}" for line in eligibility_lines(eligibility)]
        out.append("")
    if readiness.points:
        out += ["### Practice scores", "", "```text"]
        out += trend_lines(
            readiness.points,
            readiness.low_pass_epc,
            readiness.bar_epc,
            pass_bar=readiness.bar_pass_probability,
            free120_bar=readiness.bar_free120_percent,
        )
        out += ["```", ""]
    if readiness.notes:
        out += ["### Notes", ""]
        out += [f"- {note}" for note in readiness.notes]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
