"""The JSON report (``schema: step1plan.report/1``): dataclasses to plain JSON values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from enum import Enum
from typing import Any

from step1plan.models.report import SCHEMA, Eligibility, Readiness, Report, StudentRef, Timeline

REPORT_KEYS = (
    "schema",
    "tool_version",
    "as_of",
    "plan",
    "student",
    "causes",
    "eligibility",
    "readiness",
    "study_plan",
    "timeline",
    "strategy",
    "findings",
)
"""Top-level keys of the full report, in output order (DESIGN.md)."""


def jsonable(value: Any) -> Any:
    """Convert results (dataclasses, enums, dates, tuples) to JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def report_dict(report: Report) -> dict[str, Any]:
    """The full report as a dict with DESIGN.md's keys in order."""
    return {key: jsonable(getattr(report, key)) for key in REPORT_KEYS}


def _head(as_of: dt.date, student: StudentRef | None) -> dict[str, Any]:
    from step1plan import __version__

    return {
        "schema": SCHEMA,
        "tool_version": __version__,
        "as_of": as_of.isoformat(),
        "student": jsonable(student),
    }


def ready_dict(
    as_of: dt.date,
    student: StudentRef | None,
    readiness: Readiness,
    eligibility: Eligibility | None,
) -> dict[str, Any]:
    """``ready --format json``: readiness and eligibility with schema, as_of and student."""
    return {
        **_head(as_of, student),
        "readiness": jsonable(readiness),
        "eligibility": jsonable(eligibility),
    }


def timeline_dict(
    as_of: dt.date, student: StudentRef | None, eligibility: Eligibility, timeline: Timeline
) -> dict[str, Any]:
    """``timeline --format json``: eligibility and timeline with schema, as_of and student."""
    return {
        **_head(as_of, student),
        "eligibility": jsonable(eligibility),
        "timeline": jsonable(timeline),
    }


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """Serialise deterministically (keys in insertion order, UTF-8 kept)."""
    return json.dumps(data, indent=indent, ensure_ascii=False)
