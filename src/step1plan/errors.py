"""User-facing errors.

Every error a user can fix is a :class:`UserError`. The CLI prints it as one line per problem
and exits with code 2; nothing else in the package prints or exits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def shown_name(text: str) -> str:
    """A file name (or a message quoting one) as the outputs show it: as is, except for bytes
    that are not UTF-8 (a name from another system's encoding), written as ``\\xe9`` so that
    every output stays valid UTF-8 (Python keeps them as lone surrogates, which no UTF-8
    writer accepts)."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


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
        """Render as ``FILE:LINE:COL: field: message`` (parts that are unknown are left out),
        file name and message as :func:`shown_name` shows them, in every command alike."""
        where = shown_name(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [where]
        if self.field:
            parts.append(self.field)
        parts.append(shown_name(self.message))
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


MAX_PROBLEMS = 50
"""Problems shown per file; the rest of that file's are counted in one line."""


def shown_problems(problems: Sequence[Problem]) -> tuple[Problem, ...]:
    """The problems to show: the first :data:`MAX_PROBLEMS` of each file, then a line counting
    the rest of that file's. For output only (applied twice, it would count its own line).

    A hostile or badly broken file (every line a duplicate key) would otherwise print hundreds
    of thousands of lines; the first ones are what to fix first.
    """
    if len(problems) <= MAX_PROBLEMS:
        return tuple(problems)
    kept: list[Problem] = []
    shown: dict[str, int] = {}
    more: dict[str, int] = {}
    for problem in problems:
        n = shown.get(problem.file, 0)
        if n < MAX_PROBLEMS:
            shown[problem.file] = n + 1
            kept.append(problem)
        else:
            more[problem.file] = more.get(problem.file, 0) + 1
    last = {problem.file: i for i, problem in enumerate(kept)}
    out: list[Problem] = []
    for i, problem in enumerate(kept):
        out.append(problem)
        n = more.get(problem.file, 0)
        if n and last[problem.file] == i:  # the count follows the file's last shown problem
            message = f"{n} more problem{'' if n == 1 else 's'} not shown; fix the ones above first"
            out.append(Problem(problem.file, message))
    return tuple(out)


class InputError(UserError):
    """One or more problems found in input files (all kept; :meth:`lines` shows at most
    :data:`MAX_PROBLEMS`, then a count of the rest)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        super().__init__(self.problems[0].format())

    def lines(self) -> list[str]:
        return [p.format() for p in shown_problems(self.problems)]
