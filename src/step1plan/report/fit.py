"""Tables laid out for the width they are printed at.

A table with many columns leaves its text columns a sliver in an 80-column terminal, and rich
then cuts words short (``Pathol…``). :class:`ByWidth` builds the table when it is printed, from
the width available: the full layout from :data:`NARROW_BELOW` columns up, a layout with fewer,
stacked columns below, and the same content in both.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

NARROW_BELOW = 100
"""Widths under this get the narrow layout."""


class ByWidth:
    """A renderable chosen when printed: ``wide()`` from ``below`` columns up, ``narrow()``
    under it."""

    def __init__(
        self,
        wide: Callable[[], RenderableType],
        narrow: Callable[[], RenderableType],
        below: int = NARROW_BELOW,
    ) -> None:
        self.wide, self.narrow, self.below = wide, narrow, below

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.wide() if options.max_width >= self.below else self.narrow()
