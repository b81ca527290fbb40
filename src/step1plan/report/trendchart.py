"""A compact Unicode chart of practice scores against the passing zone.

One row per assessment: date, form, value (EPC for a CBSSA, percent correct for a Free 120,
the 3-digit score of a UWSA), pass probability when reported, and a bar on a fixed 40-90 scale.
Two columns of markers cross every row: ``┆`` at the plan's low-pass EPC and ``│`` at the EPC
the bar asks for. Counted evidence is drawn ``█``, unseen assessments that do not count (too
old, from before the last attempt) ``▓``, forms seen before ``░``. UWSA scores get no bar: they
are not on the scale. Pure: a rich renderable that fits the console width, or plain lines.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from step1plan.models.report import ScorePoint

SCALE_LOW, SCALE_HIGH = 40.0, 90.0
"""The drawn range (display only, not a threshold): most CBSSA EPCs fall inside it."""
WIDTH = 40
"""Cells of the bar in plain output."""
MIN_WIDTH, MAX_WIDTH = 20, 50
"""Bounds of the bar when it adapts to the console width."""
MAX_ROWS = 12
"""Rows shown; older assessments are summarised in one line."""
FORM_WIDTH = 16
"""Longer form names are shortened with an ellipsis."""

COUNTED, NOT_COUNTED, SEEN, EMPTY, LOW_MARK, BAR_MARK = "█", "▓", "░", " ", "┆", "│"
_ON_SCALE = ("cbssa", "free120")
_FIXED = 10 + 2 + FORM_WIDTH + 2 + 4 + 2 + 4 + 2
"""Characters before the bar: date, form, value and pass probability with their gaps."""


def _cell(value: float, width: int) -> int:
    """The cell index of a value on the scale, clamped to the bar."""
    share = (value - SCALE_LOW) / (SCALE_HIGH - SCALE_LOW)
    return max(0, min(width, round(share * width)))


def _num(x: float) -> str:
    return f"{round(x, 1):g}"


def _form(form: str) -> str:
    return form if len(form) <= FORM_WIDTH else form[: FORM_WIDTH - 1] + "…"


def _fill(point: ScorePoint) -> tuple[str, str]:
    if point.seen_before:
        return SEEN, "dim"
    return (COUNTED, "green") if point.counted else (NOT_COUNTED, "dim")


def _bar(point: ScorePoint, low: float | None, bar: float | None, width: int) -> Text:
    text = Text()
    marks: dict[int, str] = {}
    if low is not None:
        marks[min(_cell(low, width), width - 1)] = LOW_MARK
    if bar is not None:
        marks[min(_cell(bar, width), width - 1)] = BAR_MARK
    filled = _cell(point.value, width) if point.value is not None else 0
    fill, style = _fill(point)
    for i in range(width):
        if i in marks:
            text.append(marks[i], style="yellow" if marks[i] == LOW_MARK else "bold")
        elif i < filled:
            text.append(fill, style=style)
        else:
            text.append(EMPTY)
    return text


def _value(point: ScorePoint) -> str:
    if point.value is None:
        return "-"
    return _num(point.value) + ("%" if point.kind == "free120" else "")


def _row(point: ScorePoint, low: float | None, bar: float | None, width: int) -> Text:
    prob = "" if point.pass_probability is None else f"{round(point.pass_probability * 100)}%"
    text = Text(f"{point.date.isoformat()}  {_form(point.form):<{FORM_WIDTH}}  ")
    text.append(f"{_value(point):>4}  {prob:>4}  ")
    if point.kind in _ON_SCALE and point.value is not None:
        text.append_text(_bar(point, low, bar, width))
    elif point.kind == "uwsa":
        text.append("(3-digit score: support only)", style="dim")
    else:
        text.append("(not on this scale)", style="dim")
    return text


def _header(width: int) -> Text:
    cells = [" "] * width
    for tick in range(int(SCALE_LOW), int(SCALE_HIGH) + 1, 10):
        label = str(tick)
        start = min(_cell(tick, width), width - len(label))
        for j, ch in enumerate(label):
            cells[start + j] = ch
    head = f"{'date':<10}  {'form':<{FORM_WIDTH}}  {'val':>4}  {'pass':>4}  "
    return Text(head + "".join(cells).rstrip(), style="bold")


def _legend(low: float | None, bar: float | None) -> Text:
    parts = []
    if low is not None:
        parts.append(f"{LOW_MARK} low-pass EPC {_num(low)}")
    if bar is not None:
        parts.append(f"{BAR_MARK} bar EPC {_num(bar)}")
    parts.append(f"{COUNTED} counted  {NOT_COUNTED} not counted  {SEEN} seen before")
    return Text("  ".join(parts), style="dim")


def chart_lines(
    points: Sequence[ScorePoint],
    low_pass: float | None,
    bar: float | None,
    width: int = WIDTH,
    max_rows: int = MAX_ROWS,
) -> Iterator[Text]:
    """The chart, one ``Text`` per line: header, rows, then the legend."""
    shown = list(points)[-max_rows:]
    hidden = len(points) - len(shown)
    yield _header(width)
    if hidden:
        yield Text(
            f"({hidden} earlier assessment{'s' if hidden != 1 else ''} not shown)", style="dim"
        )
    for point in shown:
        yield _row(point, low_pass, bar, width)
    yield _legend(low_pass, bar)


class TrendChart:
    """A rich renderable of the chart whose bar adapts to the available width."""

    def __init__(
        self, points: Sequence[ScorePoint], low_pass: float | None, bar: float | None
    ) -> None:
        self.points = tuple(points)
        self.low_pass = low_pass
        self.bar = bar

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(MIN_WIDTH, min(MAX_WIDTH, options.max_width - _FIXED))
        lines = list(chart_lines(self.points, self.low_pass, self.bar, width))
        for line in lines[:-1]:
            line.no_wrap = True
            line.overflow = "ellipsis"
        yield from lines

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(_FIXED + MIN_WIDTH, _FIXED + MAX_WIDTH)


def trend_chart(
    points: Sequence[ScorePoint], low_pass: float | None, bar: float | None
) -> TrendChart:
    """The chart for the terminal."""
    return TrendChart(points, low_pass, bar)


def trend_lines(
    points: Sequence[ScorePoint],
    low_pass: float | None,
    bar: float | None,
    *,
    width: int = WIDTH,
    max_rows: int = MAX_ROWS,
) -> list[str]:
    """The same chart as plain lines (for Markdown and logs), trailing spaces removed."""
    return [t.plain.rstrip() for t in chart_lines(points, low_pass, bar, width, max_rows)]
