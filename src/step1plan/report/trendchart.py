"""A compact Unicode chart of practice scores against the passing zone.

One row per assessment: date, form, value (EPC for a CBSSA, percent correct for a Free 120,
the 3-digit score of a UWSA), pass probability when reported, and a bar on a fixed 40-90 scale.
Values and pass probabilities are written as the readiness checks write them
(:mod:`step1plan.rules.wording`), so a row never reads ``90%`` where R302 reads ``89.9%``.

Markers: on a CBSSA row ``┆`` at the plan's low-pass EPC and ``│`` at the EPC the bar asks
for; on a Free 120 row only ``│``, at the percent correct the bar asks for (R306), as EPC
markers do not apply to percent correct. The chart never suggests a pass the checks deny:

* a value judged on what the bar shows (the EPC of a CBSSA without a pass probability, the
  percent of a Free 120) reaches its ``│`` when it is at or above the bar, and stops at least
  one cell short of it when it is below (rounding to a cell never carries it to the bar);
* a CBSSA that reports a pass probability is judged on that (R302), not on its EPC: when the
  probability is under the bar, its ``│`` is drawn ``✗``, however far its EPC runs.

Counted evidence is drawn ``█``, unseen assessments that do not count (too old, from before
the last attempt) ``▓``, forms seen before ``░``. UWSA scores get no bar: they are not on the
scale. Pure: a rich renderable that fits the console width, or plain lines.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from step1plan.models.report import ScorePoint
from step1plan.plans import ReadinessBar
from step1plan.rules.wording import num, num_short, pct, pct_short

SCALE_LOW, SCALE_HIGH = 40.0, 90.0
"""The drawn range (display only, not a threshold): most CBSSA EPCs fall inside it."""
WIDTH = 40
"""Cells of the bar in plain output."""
MIN_WIDTH, MAX_WIDTH = 20, 50
"""Bounds of the bar when it adapts to the console width."""
MAX_ROWS = 12
"""Rows shown; older assessments are summarised in one line."""
LEGEND_LINES = 2
"""Lines of the legend under the rows (they may wrap; the rows never do)."""
FORM_WIDTH = 16
"""Longer form names are shortened with an ellipsis."""

VALUE_WIDTH, PASS_WIDTH = 6, 5
"""Columns of the value (``67.95``, ``64.95%``) and the pass probability (``89.9%``)."""

COUNTED, NOT_COUNTED, SEEN, EMPTY, LOW_MARK, BAR_MARK = "█", "▓", "░", " ", "┆", "│"
SHORT_MARK = "✗"
"""Drawn for ``│`` on a CBSSA row whose pass probability is under the bar."""
_ON_SCALE = ("cbssa", "free120")
_FIXED = 10 + 2 + FORM_WIDTH + 2 + VALUE_WIDTH + 2 + PASS_WIDTH + 2
"""Characters before the bar: date, form, value and pass probability with their gaps."""


class _Bars(NamedTuple):
    """What the markers stand for: the plan's low-pass EPC and the bar's EPC, pass
    probability and Free 120 percent (each None when not known)."""

    low_pass: float | None
    epc: float | None
    pass_probability: float | None
    free120: float | None


def _short_on_probability(point: ScorePoint, bars: _Bars) -> bool:
    """A pass probability under the bar's: R302 fails the CBSSA whatever its EPC."""
    p, bar = point.pass_probability, bars.pass_probability
    return p is not None and bar is not None and not ReadinessBar.at_least(p, bar)


def _cell(value: float, width: int) -> int:
    """The cell index of a value on the scale, clamped to the bar."""
    share = (value - SCALE_LOW) / (SCALE_HIGH - SCALE_LOW)
    return max(0, min(width, round(share * width)))


def _form(form: str) -> str:
    return form if len(form) <= FORM_WIDTH else form[: FORM_WIDTH - 1] + "…"


def _fill(point: ScorePoint) -> tuple[str, str]:
    if point.seen_before:
        return SEEN, "dim"
    return (COUNTED, "green") if point.counted else (NOT_COUNTED, "dim")


def _bar(point: ScorePoint, bars: _Bars, width: int) -> Text:
    """The row's bar and markers (see the module docstring for what they promise)."""
    assert point.value is not None
    text = Text()
    marks: dict[int, str] = {}
    free120 = point.kind == "free120"
    low, bar = (None, bars.free120) if free120 else (bars.low_pass, bars.epc)
    if low is not None:
        marks[min(_cell(low, width), width - 1)] = LOW_MARK
    filled = _cell(point.value, width)
    if bar is not None:
        at = min(_cell(bar, width), width - 1)
        marks[at] = SHORT_MARK if _short_on_probability(point, bars) else BAR_MARK
        judged_on_value = free120 or point.pass_probability is None
        if judged_on_value and not ReadinessBar.at_least(point.value, bar):
            filled = min(filled, at - 1)
    fill, style = _fill(point)
    for i in range(width):
        if i in marks:
            text.append(marks[i], style="yellow" if marks[i] == LOW_MARK else "bold")
        elif i < filled:
            text.append(fill, style=style)
        else:
            text.append(EMPTY)
    return text


def _value(point: ScorePoint, bars: _Bars) -> str:
    """The value as the checks write it: never rounded up to the bar it is short of."""
    if point.value is None:
        return "-"
    if point.kind == "free120":
        bar = bars.free120
        return (num(point.value) if bar is None else num_short(point.value, bar)) + "%"
    return num(point.value) if bars.epc is None else num_short(point.value, bars.epc)


def _probability(point: ScorePoint, bars: _Bars) -> str:
    p, bar = point.pass_probability, bars.pass_probability
    if p is None:
        return ""
    return pct(p) if bar is None else pct_short(p, bar)


def _row(point: ScorePoint, bars: _Bars, width: int) -> Text:
    prob = _probability(point, bars)
    text = Text(f"{point.date.isoformat()}  {_form(point.form):<{FORM_WIDTH}}  ")
    text.append(f"{_value(point, bars):>{VALUE_WIDTH}}  {prob:>{PASS_WIDTH}}  ")
    if point.kind in _ON_SCALE and point.value is not None:
        text.append_text(_bar(point, bars, width))
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
    head = f"{'date':<10}  {'form':<{FORM_WIDTH}}  {'val':>{VALUE_WIDTH}}  {'pass':>{PASS_WIDTH}}  "
    return Text(head + "".join(cells).rstrip(), style="bold")


def _legend(bars: _Bars, shown: Sequence[ScorePoint]) -> tuple[Text, Text]:
    """Two lines: the markers (the Free 120 bar and ``✗`` only when a shown row uses them),
    then the fills."""
    parts = []
    if bars.low_pass is not None:
        parts.append(f"{LOW_MARK} low-pass EPC {num(bars.low_pass)}")
    named = [] if bars.epc is None else [f"EPC {num(bars.epc)}"]
    if bars.free120 is not None and any(p.kind == "free120" for p in shown):
        named.append(f"Free 120 {num(bars.free120)}%")
    if named:
        parts.append(f"{BAR_MARK} bar {', '.join(named)}")
    if bars.pass_probability is not None and any(
        p.kind == "cbssa" and _short_on_probability(p, bars) for p in shown
    ):
        parts.append(f"{SHORT_MARK} pass probability under {pct(bars.pass_probability)}")
    fills = f"{COUNTED} counted  {NOT_COUNTED} not counted  {SEEN} seen before"
    return Text("  ".join(parts), style="dim"), Text(fills, style="dim")


def chart_lines(
    points: Sequence[ScorePoint],
    low_pass: float | None,
    bar: float | None,
    width: int = WIDTH,
    max_rows: int = MAX_ROWS,
    *,
    pass_bar: float | None = None,
    free120_bar: float | None = None,
) -> Iterator[Text]:
    """The chart, one ``Text`` per line: header, rows, then the two lines of the legend.

    ``low_pass`` and ``bar`` are EPCs; ``pass_bar`` and ``free120_bar`` the bar's pass
    probability and Free 120 percent (without them no ``✗`` is drawn, and Free 120 rows get no
    marker)."""
    bars = _Bars(low_pass, bar, pass_bar, free120_bar)
    shown = list(points)[-max_rows:]
    hidden = len(points) - len(shown)
    yield _header(width)
    if hidden:
        yield Text(
            f"({hidden} earlier assessment{'s' if hidden != 1 else ''} not shown)", style="dim"
        )
    for point in shown:
        yield _row(point, bars, width)
    yield from _legend(bars, shown)


class TrendChart:
    """A rich renderable of the chart whose bar adapts to the available width."""

    def __init__(
        self,
        points: Sequence[ScorePoint],
        low_pass: float | None,
        bar: float | None,
        *,
        pass_bar: float | None = None,
        free120_bar: float | None = None,
    ) -> None:
        self.points = tuple(points)
        self.low_pass = low_pass
        self.bar = bar
        self.pass_bar = pass_bar
        self.free120_bar = free120_bar

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(MIN_WIDTH, min(MAX_WIDTH, options.max_width - _FIXED))
        lines = list(
            chart_lines(
                self.points,
                self.low_pass,
                self.bar,
                width,
                pass_bar=self.pass_bar,
                free120_bar=self.free120_bar,
            )
        )
        for line in lines[:-LEGEND_LINES]:
            line.no_wrap = True
            line.overflow = "ellipsis"
        yield from lines

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(_FIXED + MIN_WIDTH, _FIXED + MAX_WIDTH)


def trend_chart(
    points: Sequence[ScorePoint],
    low_pass: float | None,
    bar: float | None,
    *,
    pass_bar: float | None = None,
    free120_bar: float | None = None,
) -> TrendChart:
    """The chart for the terminal (arguments as for :func:`chart_lines`)."""
    return TrendChart(points, low_pass, bar, pass_bar=pass_bar, free120_bar=free120_bar)


def trend_lines(
    points: Sequence[ScorePoint],
    low_pass: float | None,
    bar: float | None,
    *,
    width: int = WIDTH,
    max_rows: int = MAX_ROWS,
    pass_bar: float | None = None,
    free120_bar: float | None = None,
) -> list[str]:
    """The same chart as plain lines (for Markdown and logs), trailing spaces removed."""
    lines = chart_lines(
        points, low_pass, bar, width, max_rows, pass_bar=pass_bar, free120_bar=free120_bar
    )
    return [t.plain.rstrip() for t in lines]
