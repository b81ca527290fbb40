"""The full ``diagnose`` report for the terminal: every section's renderables, in order.

Order (issue 4): causes, priorities, weekly plan, readiness and eligibility, timeline, strategy
with the findings and mistakes to avoid. Each section comes from its own view module; this one
only composes them. Pure: no files are read and nothing is printed.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from step1plan.models.report import Finding, Report


def split_findings(findings: Sequence[Finding]) -> tuple[list[Finding], list[Finding]]:
    """Findings of the cause rules (C1xx, shown with the causes) and all the others."""
    mine = [f for f in findings if f.code.startswith("C")]
    rest = [f for f in findings if not f.code.startswith("C")]
    return mine, rest


def header_lines(report: Report) -> tuple[str, str]:
    """The title and the line under it (as-of date, plan, tool version)."""
    name = f" ({report.student.name})" if report.student.name else ""
    title = f"Step 1 recovery report: {report.student.id}{name}"
    meta = (
        f"as of {report.as_of.isoformat()} · plan {report.plan} · step1plan {report.tool_version}"
    )
    return title, meta


def header(report: Report) -> Panel:
    """The report's title panel."""
    title, meta = header_lines(report)
    return Panel(Group(Text(title, style="bold"), Text(meta, style="dim")), expand=True)


def report_renderables(report: Report) -> list[RenderableType]:
    """Every section of the diagnose report, in order, as rich renderables."""
    from step1plan.report.causes_view import causes_renderables, findings_renderable
    from step1plan.report.studyplan_view import studyplan_renderables

    cause_findings, other_findings = split_findings(report.findings)
    items: list[RenderableType] = [header(report)]
    items += causes_renderables(report.causes, cause_findings)
    if report.study_plan is not None:
        items += studyplan_renderables(report.study_plan)
    if report.readiness is not None:
        from step1plan.report.readiness_view import readiness_renderables

        items += readiness_renderables(report.readiness, report.eligibility, None)
    if report.timeline is not None and report.eligibility is not None:
        from step1plan.report.timeline_view import timeline_renderables

        items += timeline_renderables(report.timeline, report.eligibility, report.as_of)
    if report.strategy is not None:
        from step1plan.report.strategy_view import strategy_renderables

        items += strategy_renderables(report.strategy, other_findings)
    elif other_findings:
        items.append(findings_renderable(other_findings, "Findings and mistakes to avoid"))
    return items
