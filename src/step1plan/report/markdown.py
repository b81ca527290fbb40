"""The full ``diagnose`` report as Markdown: every section, in the order of the rich report.

Each section's Markdown comes from its own view module; this one only composes them under a
title. Pure: no files are read and nothing is printed.
"""

from __future__ import annotations

from step1plan.models.report import Report
from step1plan.report.mdtext import md_escape
from step1plan.report.table import header_lines, split_findings


def report_markdown(report: Report) -> str:
    """The diagnose report as one Markdown document (GitHub flavoured)."""
    from step1plan.report.causes_view import causes_markdown, findings_markdown
    from step1plan.report.studyplan_view import studyplan_markdown

    title, meta = header_lines(report)
    cause_findings, other_findings = split_findings(report.findings)
    parts = [
        f"# {md_escape(title)}\n\n_{md_escape(meta)}_\n",
        causes_markdown(report.causes, cause_findings),
    ]
    if report.study_plan is not None:
        parts.append(studyplan_markdown(report.study_plan))
    if report.readiness is not None:
        from step1plan.report.readiness_view import readiness_markdown

        parts.append(readiness_markdown(report.readiness, report.eligibility, None))
    if report.timeline is not None and report.eligibility is not None:
        from step1plan.report.timeline_view import timeline_markdown

        parts.append(timeline_markdown(report.timeline, report.eligibility, report.as_of))
    if report.strategy is not None:
        from step1plan.report.strategy_view import strategy_markdown

        parts.append(strategy_markdown(report.strategy, other_findings))
    elif other_findings:
        lines = ["## Findings and mistakes to avoid", "", *findings_markdown(other_findings)]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(p.rstrip() + "\n" for p in parts)
