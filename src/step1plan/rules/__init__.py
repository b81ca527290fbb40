"""The analysis rules, grouped by concern. Rule modules are imported only when needed."""

from __future__ import annotations

import importlib

from step1plan.rules.base import REGISTRY, RuleInfo

RULE_MODULES: tuple[str, ...] = (
    "causes",
    "eligibility",
    "readiness",
    "studyplan",
    "timeline",
    "strategy",
    "mistakes",
)
"""Every module holding registered rules (the explicit registry)."""


def all_rules() -> list[RuleInfo]:
    """Import every rule module and return the registered rules, sorted by code."""
    for name in RULE_MODULES:
        importlib.import_module(f"step1plan.rules.{name}")
    return sorted(REGISTRY.values(), key=lambda r: r.code)
