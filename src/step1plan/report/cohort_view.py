"""Renderers of ``step1plan cohort``: pure functions from rows and counters to text.

``jsonl`` lines are the full JSON reports (``report_line_bytes``); the other formats show one
:class:`~step1plan.cohort.CohortRow` per student. Streaming formats render one line at a time
(:func:`csv_line`, :func:`jsonl_line`); ``json`` and ``md`` are produced as chunks from an
iterator of rows (:func:`json_chunks`, :func:`markdown_chunks`), so the caller never needs all the
rows in memory at once.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.cells import cell_len

from step1plan.cohort import COHORT_SCHEMA, COLUMNS, CohortRow, CohortSummary
from step1plan.errors import Problem
from step1plan.report.jsonout import report_line_bytes
from step1plan.report.mdtext import md_escape

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

    from step1plan.models.report import Report

LABELS: dict[str, str] = {
    "file": "File",
    "id": "ID",
    "name": "Name",
    "verdict": "Verdict",
    "top_cause": "Top cause",
    "attempts_left": "Attempts left",
    "earliest_next_attempt": "Earliest next attempt",
    "planned_retake": "Planned retake",
    "step2ck_test": "Step 2 CK test",
    "match_year": "Match",
    "mistake_flags": "Mistake flags",
}
"""Human column titles (table and Markdown) of each row key."""

TABLE_LABELS: dict[str, str] = {
    "attempts_left": "Left",
    "earliest_next_attempt": "Next",
    "planned_retake": "Retake",
    "step2ck_test": "Step 2 CK",
    "mistake_flags": "Flags",
}
"""Shorter titles for the terminal table (explained by :data:`TABLE_CAPTION`)."""

TABLE_CAPTION = (
    "Left: Step 1 attempts left. Next: the earliest date the next attempt is allowed. "
    "Retake, Step 2 CK, Match: from the timeline. Flags: mistakes to avoid (M7xx)."
)

WRAPPED: dict[str, int] = {"name": 10, "top_cause": 12}
"""Table columns that wrap (with their narrowest width); the others never do."""

NUMERIC = frozenset({"attempts_left", "match_year", "mistake_flags"})
"""Columns aligned right in the table and Markdown."""

COUNTS = (False, True)
"""Alignment of a two-column count table."""

_FREE_TEXT = frozenset({"file", "name"})
"""Columns holding free text (a spreadsheet formula could hide there)."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_LINE = json.JSONEncoder(ensure_ascii=False, check_circular=False)
"""One encoder for the spooled rows (``json.dumps`` with options builds a new one per call).

It encodes fresh lists of plain values, which cannot hold a cycle, so the cycle check (a set
of every container seen) is skipped: same text, less work."""

MISSING = "-"
"""How an empty value is shown in the table and Markdown."""


# ---------------------------------------------------------------- rows and dicts


def row_dict(row: CohortRow) -> dict[str, Any]:
    """A row as a JSON object (keys in :data:`~step1plan.cohort.COLUMNS` order)."""
    return {key: getattr(row, key) for key in COLUMNS}


def row_to_line(row: CohortRow) -> str:
    """A compact one-line form of a row, for spooling (see :func:`row_from_line`)."""
    return _LINE.encode([getattr(row, key) for key in COLUMNS]) + "\n"


def row_from_line(line: str) -> CohortRow:
    """The row written by :func:`row_to_line`."""
    return CohortRow(*json.loads(line))


def summary_dict(summary: CohortSummary) -> dict[str, Any]:
    """The summary counters as a JSON object."""
    return {
        "plan": summary.plan,
        "shard": summary.shard,
        "files": summary.files,
        "students": summary.students,
        "invalid": summary.invalid,
        "not_yet_ready": summary.not_yet_ready,
        "by_verdict": dict(summary.by_verdict),
        "by_top_cause": dict(summary.by_top_cause),
    }


def problem_dict(problem: Problem) -> dict[str, Any]:
    """One problem of an invalid profile as a JSON object."""
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "field": problem.field,
        "message": problem.message,
    }


def _dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


# ---------------------------------------------------------------- jsonl and csv


def jsonl_line(report: Report) -> str:
    """One full report (``diagnose --format json``'s object) on one compact line."""
    return jsonl_bytes(report).decode()


def jsonl_bytes(report: Report) -> bytes:
    """:func:`jsonl_line` in UTF-8, as the cohort writes it (no text layer in between)."""
    return report_line_bytes(report, newline=True)


def _csv_text(values: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def _csv_cell(key: str, value: Any) -> Any:
    if value is None:
        return ""
    if key in _FREE_TEXT and isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # keep a spreadsheet from running it as a formula
    return value


def csv_header() -> str:
    """The CSV header line (the row keys)."""
    return _csv_text(COLUMNS)


def csv_line(row: CohortRow) -> str:
    """One student as a CSV line (empty cells for missing values)."""
    return _csv_text(_csv_cell(key, getattr(row, key)) for key in COLUMNS)


# ---------------------------------------------------------------- json


def json_document(
    summary: CohortSummary, rows: Iterable[CohortRow], errors: Sequence[Problem]
) -> dict[str, Any]:
    """The cohort JSON document ``{schema, as_of, summary, students, errors}`` as a dict."""
    return {
        "schema": COHORT_SCHEMA,
        "as_of": summary.as_of.isoformat(),
        "summary": summary_dict(summary),
        "students": [row_dict(row) for row in rows],
        "errors": [problem_dict(p) for p in errors],
    }


def _indent(text: str, spaces: int, first: bool = True) -> str:
    pad = " " * spaces
    lines = text.split("\n")
    return "\n".join((pad + line) if (i or first) else line for i, line in enumerate(lines))


def json_chunks(
    summary: CohortSummary, rows: Iterable[CohortRow], errors: Sequence[Problem]
) -> Iterator[str]:
    """The text of :func:`json_document` (indented by 2, newline-terminated), row by row."""
    head = _dumps(
        {
            "schema": COHORT_SCHEMA,
            "as_of": summary.as_of.isoformat(),
            "summary": summary_dict(summary),
        }
    )
    yield head[: -len("\n}")]
    yield ',\n  "students": ['
    empty = True
    for row in rows:
        yield ("\n" if empty else ",\n") + _indent(_dumps(row_dict(row)), 4)
        empty = False
    yield "]" if empty else "\n  ]"
    yield ',\n  "errors": ' + _indent(_dumps([problem_dict(p) for p in errors]), 2, first=False)
    yield "\n}\n"


# ---------------------------------------------------------------- human formats


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def headline(summary: CohortSummary) -> str:
    """One sentence with the counts of the run."""
    shard = f"shard {summary.shard} · " if summary.shard else ""
    return (
        f"Plan {summary.plan} · {shard}{_plural(summary.files, 'profile')}: "
        f"{summary.students} analysed, {summary.invalid} invalid, "
        f"{summary.not_yet_ready} not yet ready"
    )


def display_columns(redact: bool) -> tuple[str, ...]:
    """Columns shown in the table and Markdown (no name column with ``--redact``)."""
    return tuple(c for c in COLUMNS if not (redact and c == "name"))


def _shown(value: Any) -> str:
    return MISSING if value is None else str(value)


def _md_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], right: Sequence[bool]
) -> Iterator[str]:
    yield "| " + " | ".join(headers) + " |\n"
    yield "|" + "|".join("---:" if r else "---" for r in right) + "|\n"
    for row in rows:
        yield "| " + " | ".join(row) + " |\n"


def _count_rows(counts: dict[str, int], keep_zero: bool) -> list[tuple[str, str]]:
    return [(md_escape(k), str(v)) for k, v in counts.items() if v or keep_zero]


def markdown_chunks(
    summary: CohortSummary,
    rows: Iterable[CohortRow],
    errors: Sequence[Problem],
    redact: bool = False,
) -> Iterator[str]:
    """The cohort as Markdown (for a CI job summary): counts, students, invalid profiles."""
    yield f"# step1plan cohort, as of {summary.as_of.isoformat()}\n\n"
    yield md_escape(headline(summary)) + "\n\n"
    yield "## Verdicts\n\n"
    yield from _md_table(["Verdict", "Students"], _count_rows(summary.by_verdict, True), COUNTS)
    yield "\n## Top causes\n\n"
    causes = _count_rows(summary.by_top_cause, False)
    if causes:
        yield from _md_table(["Top cause", "Students"], causes, COUNTS)
    else:
        yield "No student analysed.\n"
    yield "\n## Students\n\n"
    columns = display_columns(redact)
    empty = True
    for row in rows:
        if empty:
            yield from _md_table([LABELS[c] for c in columns], (), [c in NUMERIC for c in columns])
            empty = False
        yield "| " + " | ".join(md_escape(_shown(getattr(row, c))) for c in columns) + " |\n"
    if empty:
        yield "No student analysed.\n"
    if errors:
        yield "\n## Invalid profiles\n\n"
        for problem in errors:
            yield f"- {md_escape(problem.format())}\n"


class StudentsTable:
    """The students of a cohort as an aligned text table, laid out for the width it is printed
    at (a rich renderable).

    It looks like a rich ``Table`` with the ``SIMPLE_HEAD`` box (a bold header, a rule, one
    space between columns) but is drawn directly: every cell is short plain text, and a rich
    table costs about half a millisecond a row, too slow for a cohort of thousands. Columns are
    as wide as their longest cell. When that is too wide, the ``name`` and ``top_cause``
    columns wrap down to their narrowest width (:data:`WRAPPED`); when it is still too wide,
    the name moves under the student's id. Print it with ``crop=False``: a line that still
    cannot fit then wraps in the terminal instead of being cut.

    ``rows`` is called once to measure the columns and once more for each rendering, each time
    giving a fresh iterator: the rows can come from a file, so memory does not grow with the
    cohort.
    """

    def __init__(self, columns: Sequence[str], rows: Callable[[], Iterable[CohortRow]]) -> None:
        self.columns = tuple(columns)
        self.labels = tuple(TABLE_LABELS.get(c, LABELS[c]) for c in self.columns)
        self.rows = rows
        natural = [cell_len(label) for label in self.labels]
        for cells in self._cells():
            natural = [max(w, cell_len(text)) for w, text in zip(natural, cells, strict=True)]
        self.natural = tuple(natural)
        """The longest cell (or title) of each column."""

    def _cells(self) -> Iterator[list[str]]:
        """Each row's cell texts (a cause id with spaces, so that it can wrap)."""
        for row in self.rows():
            yield [_table_cell(c, getattr(row, c)) for c in self.columns]

    def layout(self, room: int) -> _Layout:
        """The columns and their widths in ``room`` characters (see the class doc)."""
        columns, labels = list(self.columns), list(self.labels)
        widths = _fit(columns, labels, self.natural, room)
        name_at = None
        if _span(widths) > room and "name" in columns:
            name_at = columns.index("name")  # the name goes under the id (column 0)
            del columns[name_at], labels[name_at]
            natural = [w for i, w in enumerate(self.natural) if i != name_at]
            widths = _fit(columns, labels, natural, room)
        return _Layout(tuple(columns), tuple(labels), tuple(widths), name_at)

    def parts(self, rows_per_part: int = 500) -> Iterator[RenderableType]:
        """The table as a header and parts of ``rows_per_part`` rows, each printed on its own:
        a console holds everything one ``print`` renders, so the parts keep memory flat."""
        yield _Header(self)
        cells = self._cells()
        while chunk := list(itertools.islice(cells, rows_per_part)):
            yield _Rows(self, chunk)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield _Header(self)
        yield _Rows(self, list(self._cells()))


class _Layout(NamedTuple):
    columns: tuple[str, ...]
    labels: tuple[str, ...]
    widths: tuple[int, ...]
    name_at: int | None
    """Where the name column was, when the name is moved under the id."""


class _Header:
    """The header line and rule of a :class:`StudentsTable`."""

    def __init__(self, table: StudentsTable) -> None:
        self.table = table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment
        from rich.style import Style

        lay = self.table.layout(options.max_width)
        yield Segment(_line(lay.labels, lay.widths, lay.columns), Style(bold=True))
        yield Segment("\n" + "─" * _span(lay.widths) + "\n")


class _Rows:
    """Some rows of a :class:`StudentsTable`, as cell texts."""

    def __init__(self, table: StudentsTable, rows: list[list[str]]) -> None:
        self.table, self.rows = table, rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment

        lay = self.table.layout(options.max_width)
        widths = lay.widths
        for cells in self.rows:
            if lay.name_at is not None:
                name = cells[lay.name_at]
                cells = cells[: lay.name_at] + cells[lay.name_at + 1 :]
                if name != MISSING:
                    cells[0] = "\n".join([cells[0], *_wrap(name, widths[0])])
            wrapped = [_wrap(text, width) for text, width in zip(cells, widths, strict=True)]
            for i in range(max(len(lines) for lines in wrapped)):
                parts = [lines[i] if i < len(lines) else "" for lines in wrapped]
                yield Segment(_line(parts, widths, lay.columns) + "\n")


def _table_cell(key: str, value: Any) -> str:
    text = _shown(value)
    return text.replace("_", " ") if key == "top_cause" else text


def _fit(
    columns: Sequence[str], labels: Sequence[str], natural: Sequence[int], room: int
) -> list[int]:
    """Column widths: as ``natural``, then the wrapping columns narrowed to fit ``room``."""
    widths = list(natural)
    excess = _span(widths) - room
    for key in ("top_cause", "name"):
        if excess > 0 and key in columns:
            i = columns.index(key)
            narrowest = max(WRAPPED[key], cell_len(labels[i]))
            cut = min(excess, max(0, widths[i] - narrowest))
            widths[i] -= cut
            excess -= cut
    return widths


def _wrap(text: str, width: int) -> list[str]:
    """The lines of a cell's text in a column ``width`` wide (a too-long word is broken)."""
    import textwrap

    lines: list[str] = []
    for part in text.split("\n"):
        if cell_len(part) <= width:
            lines.append(part)
        else:
            lines.extend(textwrap.wrap(part, width, break_on_hyphens=False) or [""])
    return lines


def _line(parts: Sequence[str], widths: Sequence[int], columns: Sequence[str]) -> str:
    """One table line: each part padded to its column (numbers to the right)."""
    out = []
    for text, width, key in zip(parts, widths, columns, strict=True):
        pad = " " * max(0, width - cell_len(text))
        out.append(pad + text if key in NUMERIC else text + pad)
    return " ".join(out).rstrip(" ")


def _span(widths: Sequence[int]) -> int:
    """The width of a table line: the columns and one space between each two."""
    return sum(widths) + len(widths) - 1


def cohort_renderables(
    summary: CohortSummary,
    rows: Sequence[CohortRow] | Callable[[], Iterable[CohortRow]],
    errors: Sequence[Problem],
    redact: bool = False,
) -> Iterator[RenderableType]:
    """The cohort as rich renderables, to print one by one: a students table, the counts and
    the invalid profiles.

    ``rows`` is the rows, or a function giving a fresh iterator over them each time it is called
    (see :class:`StudentsTable`). The table's parts are made as they are asked for, so printing
    them as they come keeps memory flat.
    """
    from rich.table import Table
    from rich.text import Text

    columns = tuple(c for c in display_columns(redact) if c != "file")
    if summary.students:
        reader = rows if callable(rows) else lambda: rows
        yield Text(f"Cohort as of {summary.as_of.isoformat()}", style="italic")
        yield from StudentsTable(columns, reader).parts()
        yield Text(TABLE_CAPTION, style="dim")
    else:
        yield Text("No student analysed.")
    counts = Table(title="Summary", title_justify="left")
    counts.add_column("Verdict")
    counts.add_column("Students", justify="right")
    for verdict, n in summary.by_verdict.items():
        counts.add_row(verdict, str(n))
    yield counts
    causes = Table(title="Top causes", title_justify="left")
    causes.add_column("Top cause")
    causes.add_column("Students", justify="right")
    for cause, n in summary.by_top_cause.items():
        if n:
            causes.add_row(cause, str(n))
    yield causes
    yield Text(headline(summary))
    if errors:
        yield Text("Invalid profiles:")
        yield from (Text("  " + p.format()) for p in errors)
