"""User-facing errors.

Every error a user can fix is a :class:`UserError`. The CLI prints it as one line per problem
and exits with code 2; nothing else in the package prints or exits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in one input file, located as precisely as the input allows."""

    file: str
    """The path as the user gave it."""
    message: str
    """What is wrong and, where possible, what to write instead."""
    line: int | None = None
    """1-based line number, when known."""
    column: int | None = None
    """1-based column number, when known (YAML only)."""
    field: str | None = None
    """Dotted field path (``attempts.0.date``) or CSV column name."""

    def format(self) -> str:
        """Render as ``FILE:LINE:COL: field: message`` (parts that are unknown are left out)."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [where]
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


class UserError(Exception):
    """An error caused by the user's input or options: reported in one line, exit code 2."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        """The lines to print (one per problem)."""
        return [self.message]


class InputError(UserError):
    """One or more problems found in input files."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        super().__init__(self.problems[0].format())

    def lines(self) -> list[str]:
        return [p.format() for p in self.problems]
