"""Practice-score CSV files (DESIGN.md "Practice scores") into :class:`PracticeScore` models.

Forgiving about form (comma or semicolon, BOM, CRLF, blank lines, header case and spacing,
``%`` values, ISO or M/D/YYYY dates) and strict about content: every bad cell is reported as
``FILE:LINE: column: message`` with the physical line of the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from step1plan.errors import InputError, Problem
from step1plan.load.messages import friendly, shown, unknown_key
from step1plan.load.textfile import read_text
from step1plan.models.common import iso_date
from step1plan.models.scores import PracticeScore

COLUMNS = (
    "date",
    "form",
    "epc",
    "pass_probability",
    "score",
    "percent_correct",
    "unfinished_blocks",
    "seen_before",
)
"""The known columns (DESIGN.md)."""

REQUIRED = ("date", "form")
RESULTS = ("epc", "pass_probability", "score", "percent_correct")
"""At least one of these must be given in every row."""

_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_SPACES = re.compile(r"[\s\-]+")


def normalise_header(name: str) -> str:
    """``" Pass Probability "`` -> ``pass_probability`` (case, spaces and dashes ignored)."""
    return _SPACES.sub("_", name.strip().lower()).strip("_")


def parse_date(text: str) -> dt.date:
    """An ISO date (``2026-09-01``) or ``M/D/YYYY`` (``9/1/2026``); ``ValueError`` otherwise."""
    match = _US_DATE.match(text)
    if match:
        month, day, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    return iso_date(text)


def parse_bool(text: str) -> bool:
    """``true/false/yes/no/1/0`` (any case); ``ValueError`` otherwise."""
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(text)


def _delimiter(text: str) -> str:
    """Sniff the delimiter from the header line: the more frequent of ``;`` and ``,``."""
    for line in text.splitlines():
        if line.strip():
            return ";" if line.count(";") > line.count(",") else ","
    return ","


def load_scores(
    path: Path, as_of: dt.date, display: str | None = None
) -> tuple[tuple[PracticeScore, ...], tuple[str, ...]]:
    """Read a practice-score CSV: the scores and, for each, its evidence path (``nbme.csv:3``).

    Raises :class:`InputError` listing every problem of the file.
    """
    name = display or str(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        raise InputError(
            [Problem(name, "a YAML file, not a practice-score CSV (give a profile as --profile)")]
        )
    text = read_text(path, name)
    return parse_scores(text, name, as_of, label=Path(name).name)


def parse_scores(
    text: str, display: str, as_of: dt.date, label: str | None = None
) -> tuple[tuple[PracticeScore, ...], tuple[str, ...]]:
    """Parse CSV text (see :func:`load_scores`); ``label`` names the file in evidence paths."""
    label = label or Path(display).name
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header: list[str] | None = None
    header_line = 0
    complete = True  # the header has every column it needs (else rows are checked cell by cell)
    scores: list[PracticeScore] = []
    paths: list[str] = []
    context = {"as_of": as_of}
    try:
        end = 0
        for cells in reader:
            # The record's first physical line (a quoted cell may span several lines).
            line, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header_line = line
                header = _header(cells, display, line, problems)
                complete = not problems
                continue
            parsed = _row(cells, header, display, line, problems)
            if parsed is None:
                continue
            row, bad = parsed
            try:
                score = PracticeScore.model_validate(row, context=context)
            except ValidationError as exc:
                problems.extend(_row_problems(exc, display, line, complete, bad))
                continue
            if not bad:
                scores.append(score)
                paths.append(f"{label}:{line}")
    except csv.Error as exc:
        problems.append(Problem(display, f"invalid CSV: {exc}", reader.line_num or None))
    if header is None and not problems:
        problems.append(Problem(display, "empty file; expected a header row such as date,form,epc"))
    elif header is not None and not scores and not problems:
        problems.append(Problem(display, "no score rows after the header", header_line))
    if problems:
        raise InputError(problems)
    return tuple(scores), tuple(paths)


def _header(cells: list[str], display: str, line: int, problems: list[Problem]) -> list[str]:
    names = [normalise_header(cell) for cell in cells]
    seen: set[str] = set()
    for raw, name in zip(cells, names, strict=True):
        if name not in COLUMNS:
            label = raw.strip() or "(empty)"
            problems.append(Problem(display, unknown_key(label, COLUMNS, "column"), line))
        elif name in seen:
            problems.append(Problem(display, "column given twice", line, None, name))
        seen.add(name)
    for name in REQUIRED:
        if name not in seen:
            problems.append(Problem(display, "required column is missing", line, None, name))
    if not seen.intersection(RESULTS):
        problems.append(
            Problem(display, f"the header needs at least one of: {', '.join(RESULTS)}", line)
        )
    return names


def _row(
    cells: list[str], header: list[str], display: str, line: int, problems: list[Problem]
) -> tuple[dict[str, Any], set[str]] | None:
    """The row's cells by column (dates and booleans parsed) and the columns already reported."""
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
        problems.append(
            Problem(display, f"{len(cells)} cells but the header has {len(header)} columns", line)
        )
        return None
    row: dict[str, Any] = {}
    bad: set[str] = set()
    for name, raw in zip(header, cells, strict=False):
        cell = raw.strip()
        if not cell or name not in COLUMNS:
            continue
        if not cell.isprintable():
            what = (  # a quoted cell over lines: most often a closing quote left out
                f"a quoted cell runs over {cell.count(chr(10)) + 1} lines (is a closing quote "
                f"missing?): '{shown(cell)}'"
                if "\n" in cell
                else f"control character in '{shown(cell)}'"
            )
            problems.append(Problem(display, what, line, None, name))
            bad.add(name)
            continue
        try:
            if name == "date":
                row[name] = parse_date(cell)
            elif name == "seen_before":
                row[name] = parse_bool(cell)
            else:
                row[name] = cell
        except ValueError:
            expected = _EXPECTED[name]
            problems.append(
                Problem(display, f"expected {expected}, got '{shown(cell)}'", line, None, name)
            )
            bad.add(name)
    return row, bad


_EXPECTED = {
    "date": "a date YYYY-MM-DD or M/D/YYYY",
    "seen_before": "true or false (yes/no, 1/0)",
}


def _row_problems(
    exc: ValidationError, display: str, line: int, complete: bool, bad: set[str]
) -> list[Problem]:
    """The row's problems, leaving out the cells already reported (``bad``) and, with an
    incomplete header, the columns it lacks."""
    problems = []
    for err in exc.errors():
        loc = err["loc"]
        column = str(loc[0]) if loc else None
        if column in bad or (not complete and (err["type"] == "missing" or column is None)):
            continue
        message = friendly(err)
        if err["type"] == "missing":
            message = "required (the cell is empty)"
        elif column == "pass_probability" and err["type"] == "less_than_equal":
            message += " (write a probability such as 0.92, or a percent such as 92%)"
        problems.append(Problem(display, message, line, None, column))
    return problems
