"""The application strategy, mistakes to avoid and notes, as rich renderables and Markdown.

``diagnose`` composes these with the other sections. ``findings`` is the report's list: the
M7xx findings are shown as mistakes to avoid, any others (cause findings, ...) as notes.
Pure functions of the typed results: no file access, no printing.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from step1plan.models.report import Finding, Severity, Strategy
from step1plan.rules.strategy import TIER_WORDS

SEVERITY_STYLE = {Severity.critical: "bold red", Severity.warning: "yellow", Severity.info: ""}


def specialty_words(strategy: Strategy) -> str:
    """``Internal Medicine (moderately competitive, a rule-of-thumb tier)``."""
    name = strategy.specialty.replace("_", " ").title()
    tier = TIER_WORDS.get(strategy.tier, strategy.tier.replace("_", " "))
    return f"{name} ({tier}, a rule-of-thumb tier from the plan)"


def split_findings(findings: Sequence[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(mistakes to avoid: the M7xx findings, other notes)."""
    mistakes = [f for f in findings if f.code.startswith("M7")]
    others = [f for f in findings if not f.code.startswith("M7")]
    return mistakes, others


def _finding_table(title: str, findings: Sequence[Finding]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=True, expand=True)
    table.add_column("Code", no_wrap=True)
    table.add_column("What", ratio=3, overflow="fold")
    table.add_column("What to do", ratio=2, overflow="fold")
    for f in findings:
        table.add_row(
            Text(f.code, style=SEVERITY_STYLE[f.severity]),
            Text.assemble((f.title, "bold"), "\n", f.message),
            f.recommendation or "",
        )
    return table


def strategy_renderables(strategy: Strategy, findings: Sequence[Finding]) -> list[RenderableType]:
    """Target specialty, strategy advice, mistakes to avoid, notes and the draft explanation."""
    mistakes, others = split_findings(findings)
    items: list[RenderableType] = [
        Text.assemble(("Application strategy", "bold"), f": {specialty_words(strategy)}")
    ]
    if strategy.advice:
        items.append(_finding_table("Advice", strategy.advice))
    if mistakes:
        items.append(_finding_table("Mistakes to avoid", mistakes))
    else:
        items.append(Text("Mistakes to avoid: none found in the data."))
    if others:
        items.append(_finding_table("Notes", others))
    if strategy.explanation:
        items.append(
            Panel(
                Group(Text(strategy.explanation)),
                title="Draft explanation of the failure",
                subtitle="make it yours; review it with step1plan explain --check FILE",
            )
        )
    return items


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_findings(title: str, findings: Sequence[Finding]) -> list[str]:
    lines = [f"### {title}", ""]
    for f in findings:
        lines.append(f"- **{f.code} {_md(f.title)}** ({f.severity.value}): {_md(f.message)}")
        if f.recommendation:
            lines.append(f"  - What to do: {_md(f.recommendation)}")
    return [*lines, ""]


def strategy_markdown(strategy: Strategy, findings: Sequence[Finding]) -> str:
    """The same content as Markdown."""
    mistakes, others = split_findings(findings)
    lines = ["## Application strategy", "", f"Target: {specialty_words(strategy)}", ""]
    if strategy.advice:
        lines += _md_findings("Advice", strategy.advice)
    if mistakes:
        lines += _md_findings("Mistakes to avoid", mistakes)
    else:
        lines += ["### Mistakes to avoid", "", "None found in the data.", ""]
    if others:
        lines += _md_findings("Notes", others)
    if strategy.explanation:
        lines += [
            "### Draft explanation of the failure",
            "",
            *(f"> {line}" for line in strategy.explanation.splitlines()),
            "",
        ]
    return "\n".join(lines)
