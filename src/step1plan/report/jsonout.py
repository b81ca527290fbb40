"""The JSON report (``schema: step1plan.report/1``): dataclasses to plain JSON values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Callable
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


_AS_IS: frozenset[type] = frozenset({str, int, float, bool, type(None)})
"""Types that are JSON values as they are (exact types: a ``StrEnum`` member is converted)."""


def jsonable(value: Any) -> Any:
    """Convert results (dataclasses, enums, dates, tuples) to JSON-ready values."""
    kind: type = type(value)
    if kind in _AS_IS:
        return value
    return _converter(kind)(value)


@functools.cache
def _converter(kind: type) -> Callable[[Any], Any]:
    """How :func:`jsonable` converts a value of this type (decided once per type)."""
    if dataclasses.is_dataclass(kind):
        return _dataclass_converter(tuple(f.name for f in dataclasses.fields(kind)))
    if issubclass(kind, Enum):
        return _enum_value
    if issubclass(kind, dt.date):
        return _isoformat
    if issubclass(kind, list | tuple):
        return _json_list
    if issubclass(kind, dict):
        return _json_object
    return _unchanged


def _dataclass_converter(names: tuple[str, ...]) -> Callable[[Any], dict[str, Any]]:
    """A dataclass instance as a dict of its fields (``names``, in declaration order)."""

    def convert(value: Any) -> dict[str, Any]:
        data = {}
        for name in names:  # values that need no conversion skip the call (most of them)
            item = getattr(value, name)
            data[name] = item if type(item) in _AS_IS else jsonable(item)
        return data

    return convert


def _enum_value(value: Enum) -> Any:
    return value.value


def _isoformat(value: dt.date) -> str:
    return value.isoformat()


def _json_list(value: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [item if type(item) in _AS_IS else jsonable(item) for item in value]


def _json_object(value: dict[Any, Any]) -> dict[str, Any]:
    return {str(key): jsonable(item) for key, item in value.items()}


def _unchanged(value: Any) -> Any:
    return value


def report_dict(report: Report) -> dict[str, Any]:
    """The full report as a dict with DESIGN.md's keys in order."""
    return {key: jsonable(getattr(report, key)) for key in REPORT_KEYS}


def report_line_bytes(report: Report, newline: bool = False) -> bytes:
    """The full report as one compact line of JSON in UTF-8 (a cohort ``jsonl`` line, ending in
    a newline when ``newline`` is true: orjson writes it, which saves copying a long line).

    It holds the same object as :func:`report_dict` (same keys, same order, same values), but
    orjson encodes the result records, enums, dates and tuples directly: no intermediate dicts
    are built, which makes the line several times cheaper than ``report_dict`` plus the
    standard encoder (``benchmarks/README.md``). orjson refuses an int beyond 64 bits, which the
    standard encoder takes; such a report is encoded through :func:`report_dict` instead. (The
    two also differ on NaN, which orjson writes as null; no report holds one, since the
    profile, score and plan models refuse non-finite numbers.)
    """
    import orjson

    # Report's fields are REPORT_KEYS after schema, declared in that order and kept in that
    # order in its __dict__, so one C-level merge after schema builds the top-level object (a
    # comprehension of getattr calls costs about 2.5 times as much); a test checks the keys.
    top = {"schema": report.schema, **vars(report)}
    try:
        return orjson.dumps(top, option=orjson.OPT_APPEND_NEWLINE if newline else None)
    except orjson.JSONEncodeError:
        text = json.dumps(report_dict(report), ensure_ascii=False, separators=(",", ":"))
        return (text + "\n" if newline else text).encode()


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
