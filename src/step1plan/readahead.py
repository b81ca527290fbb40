"""Read-ahead for a stream of small files: the kernel reads the next profiles from the disk
while the CPU analyses this one.

A profile that is not in the page cache (a large cohort, a fresh CI machine) costs a wait for
the disk: about 60 µs a profile here, 10 % of a cohort run. :func:`read_ahead` announces each
file ``depth`` files before it is used (``posix_fadvise(WILLNEED)``), which hides that wait.

Announcing a file costs an open, the advice and a close (about 6 µs a profile in a cohort run,
measured in benchmarks/README.md), which is wasted when the files are in the page cache already
(a cohort read a second time, a small one). So one file in :data:`PROBE_EVERY` is looked at
first: can its first byte be read without waiting (``preadv`` with ``RWF_NOWAIT``, Linux)? While
the looks find files cached, no file is announced. Once a look finds one that is not, every
file is announced, as the kernel will have to read them, until :data:`CACHED_LOOKS` looks in a
row find files cached again. A look costs about as much as an announcement, so it is not made
for every file. Where the platform cannot tell (no ``RWF_NOWAIT``, or a file system that
refuses it), every file is announced.

Only a hint: a file that cannot be opened is passed on as is (its own read reports the
problem), it is opened without blocking (a named pipe would wait for a writer), no descriptor
is kept open (under a low open-file limit, ``ulimit -n``, held descriptors made profiles
fail), and without ``posix_fadvise`` the files pass straight through. The files come out in
the same order, each exactly once, whatever the hints do.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from step1plan.load.textfile import OPEN_FLAGS

READ_AHEAD = 32
"""How many files ahead of their use the kernel is asked to start reading. Measured in
benchmarks/README.md: 8, 32 and 128 gave the same gain; 32 profiles are about 15 ms of
analysis, far longer than a disk read."""

PROBE_EVERY = 32
"""One file in this many is looked at: an open, a one-byte read and a close cost about 10 µs in
a cohort run (measured in benchmarks/README.md), so well under 1 µs a file; files that are not
cached are noticed within one window of read-ahead."""

CACHED_LOOKS = 2
"""How many looks in a row must find files cached before announcing stops again."""

_NOWAIT: int | None = getattr(os, "RWF_NOWAIT", None) if hasattr(os, "preadv") else None


def in_page_cache(fd: int) -> bool:
    """True when the file's first byte can be read without waiting for the disk.

    ``False`` when the platform or the file system cannot tell (then the file is announced,
    as every file was before the check existed).
    """
    if _NOWAIT is None:
        return False
    try:
        os.preadv(fd, [bytearray(1)], 0, _NOWAIT)
    except OSError:  # BlockingIOError: not cached; EOPNOTSUPP, ESPIPE...: cannot tell
        return False
    return True


class _Announcer:
    """Announces the files that need it (see the module docstring); holds no descriptor."""

    def __init__(self, advise: Callable[[int, int, int, int], None]) -> None:
        self.advise = advise
        self.every_file = False  # announcing every file: a look found one uncached
        self.cached_looks = 0  # looks in a row that found files cached
        self.since_look = PROBE_EVERY - 1  # so that the first file is looked at

    def __call__(self, file: str) -> None:
        self.since_look += 1
        look = self.since_look >= PROBE_EVERY
        if not (look or self.every_file):
            return
        try:
            fd = os.open(file, OPEN_FLAGS)
        except OSError:
            return
        try:
            if look:
                self.since_look = 0
                if in_page_cache(fd):
                    self.cached_looks += 1
                    if self.cached_looks >= CACHED_LOOKS:
                        self.every_file = False
                    return
                self.every_file, self.cached_looks = True, 0
            with contextlib.suppress(OSError):  # only a hint
                self.advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        finally:
            os.close(fd)


def read_ahead(files: Iterable[str], depth: int = READ_AHEAD) -> Iterator[str]:
    """The same files in the same order, each announced to the kernel ``depth`` files before
    it is used when it is not in the page cache (see the module docstring)."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None or depth <= 0:
        yield from files
        return
    announce = _Announcer(advise)
    window: deque[str] = deque()
    for file in files:
        announce(file)
        window.append(file)
        if len(window) > depth:
            yield window.popleft()
    yield from window
