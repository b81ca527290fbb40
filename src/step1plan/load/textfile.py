"""Reading input files as text: a size cap checked before reading, strict UTF-8, BOM removed."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from step1plan.errors import InputError, Problem

MAX_BYTES = 1024 * 1024
"""Largest input file accepted (1 MiB): a real profile or score file is a few KiB, so anything
bigger is a mistake or hostile, and the cap bounds memory and time (input limit, convention)."""

BOM = "\ufeff"


OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
"""How inputs are opened: without blocking, as a named pipe with no writer would otherwise
wait for ever (``O_NONBLOCK`` changes nothing for a regular file)."""


def read_text(path: Path, display: str, limit: int = MAX_BYTES) -> str:
    """Read ``path`` as UTF-8 text (a leading BOM removed), refusing files over ``limit`` bytes.

    Raises :class:`InputError` for a missing or unreadable file, an oversized file (checked with
    ``stat`` before reading) and bytes that are not UTF-8 (located at the first bad byte). A
    pipe (``diagnose <(...)``) is read to its end; the file is opened without blocking, so a
    named pipe that no program writes to reads as empty instead of hanging.
    """
    try:
        fd = os.open(path, OPEN_FLAGS)
    except FileNotFoundError:
        raise InputError([Problem(display, "no such file")]) from None
    except OSError as exc:
        raise InputError([Problem(display, f"cannot read file: {exc.strerror}")]) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError([Problem(display, "is a folder, not a file")])
        if info.st_size > limit:
            raise too_large(display, info.st_size, limit)
        if not stat.S_ISREG(info.st_mode):
            os.set_blocking(fd, True)  # a pipe: wait for what its writer sends
        data = read_capped(fd, limit, size=info.st_size)
    except OSError as exc:
        raise InputError([Problem(display, f"cannot read file: {exc.strerror}")]) from None
    finally:
        os.close(fd)
    if len(data) > limit:  # the file grew, or is a device/pipe without a size
        raise InputError([Problem(display, f"file is too large (the limit is {limit} bytes)")])
    return decode_utf8(data, display)


def read_capped(fd: int, limit: int = MAX_BYTES, size: int | None = None) -> bytes:
    """The bytes of an open file descriptor, at most ``limit + 1`` of them (one more than
    allowed, so that the caller can tell a file over the limit).

    The first read is sized by the file's size (``fstat``) rather than by ``limit``: asking for
    ``limit + 1`` bytes up front would allocate a buffer of that size for every small file.
    Reading goes on to the end of the file, so a file that grew since, or that has no size (a
    pipe), is read on up to the cap; a file that gives exactly the bytes its size announced
    (with one more asked for) has ended, with no second read to find nothing. Plain ``os.read``
    calls: a cohort reads thousands of small files, and a buffered file object for each costs
    more than the reads. ``size`` is the file's size when the caller already has it from its
    own ``fstat``.
    """
    chunks: list[bytes] = []
    total = 0
    if size is None:  # the caller may have it from its own fstat
        size = os.fstat(fd).st_size
    want = min(size, limit) + 1
    while total <= limit:
        chunk = os.read(fd, want)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total == size:  # all the bytes fstat announced, with one asked for beyond: the end
            break  # (one read a file, not a second that finds nothing)
        want = limit + 1 - total
    return b"".join(chunks)


def too_large(display: str, size: int, limit: int = MAX_BYTES) -> InputError:
    """The error for an input of ``size`` bytes over ``limit``."""
    return InputError([Problem(display, f"file is too large ({size} bytes; the limit is {limit})")])


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters a plain text has no use for (tab and line ends are fine): an escape
sequence would be replayed to the terminal that shows the text back."""


def position(text: str, offset: int) -> tuple[int, int]:
    """The line and column (from 1) of the character at ``offset`` in ``text``."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def check_plain_text(text: str, display: str) -> None:
    """Refuse a text with a control character, at its line and column (a NUL-filled file is
    not text; ``ESC[2J`` in a text shown back would clear the terminal)."""
    found = _CONTROL.search(text)
    if found is None:
        return
    line, column = position(text, found.start())
    message = f"control character U+{ord(found.group()):04X} is not allowed in the text"
    raise InputError([Problem(display, message, line, column)])


def decode_utf8(data: bytes, display: str) -> str:
    """Decode UTF-8 (with or without BOM); bad bytes are an error at their line and column."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start]
        line = good.count(b"\n") + 1
        start = good.rfind(b"\n") + 1
        column = len(good[start:].decode("utf-8", errors="replace")) + 1
        byte = data[exc.start]
        raise InputError(
            [
                Problem(
                    display,
                    f"not valid UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8",
                    line,
                    column,
                )
            ]
        ) from None
    return text[1:] if text.startswith(BOM) else text
