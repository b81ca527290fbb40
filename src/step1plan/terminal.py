"""Standard output when the reader goes away (``step1plan ... | head``).

A closed pipe is not an error of the tool: the command stops quietly with exit code
:data:`EXIT_BROKEN_PIPE`, as a shell reports any command stopped by a closed pipe. rich's console
would exit 1 on its own, which a script could not tell from "not ready".
"""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

EXIT_BROKEN_PIPE = 141
"""Exit code when stdout's reader went away: 128 + SIGPIPE."""


class ClosedStdout(io.TextIOBase):
    """What ``sys.stdout`` becomes when the process started with stdout closed (``>&-``), where
    Python leaves it ``None``: writing fails as on a closed descriptor, so the command reports
    it in one line (``-o FILE`` still works)."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "stdout is closed")


def drop_stdout() -> None:
    """Send what is left for stdout to /dev/null, so that the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test runner's buffer)
        pass


def _raise_broken_pipe() -> None:
    raise BrokenPipeError("stdout was closed")


FILE_WIDTH = 100
"""Width of rich output written to a file (no terminal to measure)."""


def stdout_console(file: TextIO | None = None) -> Console:
    """The console for report output on stdout (``file`` stands in for it in tests): it follows
    the terminal, reads no markup in the text (profile text is printed as written), does no
    highlighting, and raises a closed pipe as :class:`BrokenPipeError` for the CLI to turn
    into :data:`EXIT_BROKEN_PIPE`."""
    from rich.console import Console

    console = Console(file=file, highlight=False, markup=False)
    console.on_broken_pipe = _raise_broken_pipe  # type: ignore[method-assign]
    return console


def report_console(file: TextIO | None = None) -> Console:
    """The console for report output: :func:`stdout_console` when ``file`` is stdout (or
    ``None``); into any other file :data:`FILE_WIDTH` columns, no colour, no markup read."""
    from rich.console import Console

    if file is None or file is sys.stdout:
        return stdout_console(file)
    return Console(file=file, width=FILE_WIDTH, no_color=True, highlight=False, markup=False)
