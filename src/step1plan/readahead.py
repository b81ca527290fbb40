"""Read-ahead for a stream of small files: the kernel reads the next profiles from the disk
while the CPU analyses this one.

A profile that is not in the page cache (a large cohort, a fresh CI machine) costs a wait for
the disk: about 60 µs a profile here, 10 % of a cohort run. :func:`read_ahead` announces each
file ``depth`` files before it is used (``posix_fadvise(WILLNEED)``), which hides that wait.

Announcing a file costs an open, the advice and a close (about 6 µs a profile in a cohort run,
measured in benchmarks/README.md), which is wasted when the files are in the page cache already
(a cohort read a second time, a small one). So the announcer first asks whether a file's first
byte can be read without waiting (``preadv`` with ``RWF_NOWAIT``, Linux): while the files are
found cached, only one file in :data:`PROBE_EVERY` is looked at; as soon as one is not, every
file is looked at and the uncached ones are announced, until :data:`CACHED_STREAK` files in a
row are found cached again. Where the platform cannot tell (no ``RWF_NOWAIT``, or a file
system that refuses it), every file is announced.

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
"""While files are found in the page cache, one in this many is looked at: an open, a one-byte
read and a close cost about 10 µs in a cohort run (measured in benchmarks/README.md), so well
under 1 µs a file; files that are not cached are noticed within one window of read-ahead."""

CACHED_STREAK = 64
"""How many files in a row must be found cached before the announcer looks at one in
:data:`PROBE_EVERY` again."""

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
        self.cached: Callable[[int], bool] = in_page_cache
        self.every_file = False  # looking at every file: some were found uncached
        self.streak = 0  # files found cached in a row since the last uncached one
        self.skipped = PROBE_EVERY - 1  # so that the first file is looked at

    def __call__(self, file: str) -> None:
        if not self.every_file:
            self.skipped += 1
            if self.skipped < PROBE_EVERY:
                return
            self.skipped = 0
        try:
            fd = os.open(file, OPEN_FLAGS)
        except OSError:
            return
        try:
            if self.cached(fd):
                self.streak += 1
                if self.streak >= CACHED_STREAK:
                    self.every_file = False
                return
            self.every_file, self.streak = True, 0
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
