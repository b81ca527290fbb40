"""Types of the fact tables."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Generic, TypeVar

from step1plan.models.record import record

T = TypeVar("T")


class Confidence(StrEnum):
    """DOMAIN.md confidence: H official, M several secondary sources or a pattern, L weak."""

    H = "H"
    M = "M"
    L = "L"


@record
class Fact(Generic[T]):
    """A value that holds from ``since`` (inclusive) until the next entry of its history."""

    value: T
    since: dt.date | None
    source: str
    confidence: Confidence


@record
class ExamFormat:
    """How a Step is delivered."""

    blocks: int
    minutes_per_block: int
    items_per_block: int
    total_items: int
    test_day_hours: int


@record
class AreaWeight:
    """One content area's share of Step 1, in percent (a range: items count in several)."""

    group: str
    key: str
    label: str
    low: float
    high: float

    @property
    def midpoint(self) -> float:
        """Middle of the range, used as the area's weight."""
        return (self.low + self.high) / 2
