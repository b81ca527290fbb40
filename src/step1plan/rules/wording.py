"""How numbers, counts and dates are written in the rules' messages, in one place, so that a
value reads the same in every section of a report (a pass probability of 0.925 is ``92.5%`` in
the causes, the readiness checks and the study plan alike)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def words(n: int) -> str:
    """A small count in words (``two``), digits from 11 on."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def and_list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(n: int, noun: str) -> str:
    """``1 CBSSA``, ``2 CBSSAs``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def plural_head(n: int, noun: str) -> str:
    """:func:`plural` for a noun phrase whose first word takes the plural: ``1 letter from US
    physicians``, ``2 letters from US physicians``."""
    first, _, rest = noun.partition(" ")
    return plural(n, first) + (f" {rest}" if rest else "")


@lru_cache(maxsize=4096)
def num(x: float) -> str:
    """A number without a useless ``.0`` (``68``, ``68.5``). Cached: cohorts repeat values."""
    return f"{round(x, 2):g}"


@lru_cache(maxsize=4096)
def pct(p: float) -> str:
    """A probability as a percent (``0.95`` -> ``95%``). Cached: cohorts repeat values."""
    return f"{round(p * 100, 1):g}%"


def _apart(value: float, edges: tuple[float, ...], scale: float, digits: int) -> str:
    """``value`` x ``scale`` to ``digits`` decimals, or as many more (up to 3) as it takes not
    to read like an edge it differs from."""
    for d in range(digits, digits + 4):
        text = f"{round(value * scale, d):g}"
        if all(value == e or text != f"{round(e * scale, d):g}" for e in edges):
            return text
    return text


@lru_cache(maxsize=4096)
def pct_short(p: float, *edges: float) -> str:
    """:func:`pct` for a probability judged against ``edges`` (a bar, the low-pass zone): a
    value that differs from an edge never reads as it, more decimals being shown where rounding
    would make them equal (0.8996 against 0.9 reads ``89.96%``, never ``90%``, so a score called
    short of 90% never shows 90%; 0.5004 against 0.5 reads ``50.04%``)."""
    return _apart(p, edges, 100, 1) + "%"  # cached: cohorts repeat scores and bars


@lru_cache(maxsize=4096)
def num_short(x: float, *edges: float) -> str:
    """:func:`num` for a number judged against ``edges``, as :func:`pct_short` (67.9999
    against 68 reads ``67.9999``, never ``68``)."""
    return _apart(x, edges, 1, 2)


def weeks_text(n: float) -> str:
    """A span in weeks to 0.1 week, without a useless ``.0``: ``10 weeks``, ``5.6 weeks``,
    ``1 week``."""
    value = round(n, 1)
    return f"{value:g} week{'' if value == 1 else 's'}"


@lru_cache(maxsize=4096)
def iso(day: dt.date) -> str:
    """A date as ``2026-08-20``. Cached: cohorts repeat dates."""
    return day.isoformat()


__all__ = [
    "and_list",
    "iso",
    "num",
    "num_short",
    "pct",
    "pct_short",
    "plural",
    "plural_head",
    "weeks_text",
    "words",
]
