"""Read-ahead of the cohort's profiles: a hint that never changes what is read."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from step1plan import readahead
from step1plan.readahead import CACHED_LOOKS, PROBE_EVERY, in_page_cache, read_ahead

needs_fadvise = pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="posix_fadvise")


def _files(tmp_path: Path, count: int) -> list[str]:
    names = []
    for i in range(count):
        path = tmp_path / f"p{i:03d}.yaml"
        path.write_text(f"student: {{id: p{i}}}\n")
        names.append(str(path))
    return names


class _Recorder:
    """Stands in for the kernel: which files were advised and looked at, and which files it
    says are in the page cache (``cold`` names those that are not)."""

    def __init__(self, files: list[str], cold: set[str]) -> None:
        self.by_inode = {os.stat(f).st_ino: f for f in files}
        self.cold = cold
        self.events: list[tuple[str, str]] = []

    def name(self, fd: int) -> str:
        return self.by_inode[os.fstat(fd).st_ino]

    def advise(self, fd: int, offset: int, length: int, how: int) -> None:
        assert (offset, length, how) == (0, 0, os.POSIX_FADV_WILLNEED)
        self.events.append(("advise", self.name(fd)))

    def cached(self, fd: int) -> bool:
        name = self.name(fd)
        self.events.append(("look", name))
        return name not in self.cold

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(os, "posix_fadvise", self.advise)
        monkeypatch.setattr(readahead, "in_page_cache", self.cached)

    def of(self, kind: str) -> list[str]:
        return [f for k, f in self.events if k == kind]


@pytest.mark.parametrize("count", [0, 1, 3, 4, 9])
def test_read_ahead_yields_every_file_once_in_order(tmp_path: Path, count: int) -> None:
    files = _files(tmp_path, count)
    assert list(read_ahead(iter(files), depth=3)) == files


@needs_fadvise
def test_read_ahead_keeps_no_file_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Holding the next files open would take descriptors the profiles' own reads need under a
    # low open-file limit (ulimit -n): a hint must never make a profile fail.
    files = _files(tmp_path, 6)
    monkeypatch.setattr(readahead, "in_page_cache", lambda fd: False)  # every file announced
    before = set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    stream = read_ahead(iter(files), depth=3)
    assert next(stream) == files[0]
    if before is not None:
        assert set(os.listdir("/proc/self/fd")) == before
    assert list(stream) == files[1:]


@needs_fadvise
def test_files_not_in_the_page_cache_are_announced_depth_files_before_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _files(tmp_path, 8)
    kernel = _Recorder(files, cold=set(files))
    kernel.install(monkeypatch)
    for file in read_ahead(iter(files), depth=2):
        kernel.events.append(("use", file))
    assert kernel.of("advise") == files
    for i, file in enumerate(files):
        before = kernel.events[: kernel.events.index(("use", file))]
        announced = [f for kind, f in before if kind == "advise"]
        assert announced == files[: min(i + 3, len(files))]  # itself and the next two


@needs_fadvise
def test_cached_files_are_only_sampled_and_never_announced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _files(tmp_path, 4 * PROBE_EVERY + 1)
    kernel = _Recorder(files, cold=set())
    kernel.install(monkeypatch)
    assert list(read_ahead(iter(files), depth=2)) == files
    assert kernel.of("advise") == []
    assert kernel.of("look") == files[::PROBE_EVERY]  # the first one, then one in PROBE_EVERY


@needs_fadvise
def test_an_uncached_look_announces_every_file_until_looks_find_them_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The look at file P finds it uncached: from then on every file is announced, and still
    # one in P looked at, until CACHED_LOOKS looks in a row find files cached (2P and 3P).
    P = PROBE_EVERY
    files = _files(tmp_path, 6 * P)
    kernel = _Recorder(files, cold={files[P]})
    kernel.install(monkeypatch)
    assert CACHED_LOOKS == 2
    assert list(read_ahead(iter(files), depth=4)) == files
    assert kernel.of("look") == files[::P]
    assert kernel.of("advise") == [*files[P : 2 * P], *files[2 * P + 1 : 3 * P]]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_read_ahead_passes_on_missing_files_and_never_waits_on_a_pipe(tmp_path: Path) -> None:
    pipe = tmp_path / "b.yaml"
    os.mkfifo(pipe)  # opening it for reading would block until a writer came
    files = [str(tmp_path / "a-missing.yaml"), str(pipe), *_files(tmp_path, 2)]
    seen: list[list[str]] = []
    worker = threading.Thread(target=lambda: seen.append(list(read_ahead(iter(files), 4))))
    worker.daemon = True  # if it blocked on the pipe, the test fails instead of hanging
    worker.start()
    worker.join(timeout=10)
    assert seen == [files]


def test_read_ahead_without_posix_fadvise_passes_files_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "posix_fadvise", raising=False)
    files = _files(tmp_path, 5)
    assert list(read_ahead(iter(files), depth=2)) == files


@pytest.mark.skipif(
    not hasattr(os, "RWF_NOWAIT") or not hasattr(os, "posix_fadvise"), reason="RWF_NOWAIT"
)
def test_in_page_cache_tells_a_cached_file_from_an_evicted_one(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"student: {id: p}\n" * 2000)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.read(fd, 1)  # now its first page is in the cache
        assert in_page_cache(fd)
        os.fsync(fd)  # written back, so that the kernel may drop the pages
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        if in_page_cache(fd):  # pragma: no cover - some file systems (tmpfs) keep them
            pytest.skip("this file system keeps the pages in memory")
        assert not in_page_cache(fd)
    finally:
        os.close(fd)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_in_page_cache_cannot_tell_for_a_pipe(tmp_path: Path) -> None:
    pipe = tmp_path / "p"
    os.mkfifo(pipe)
    fd = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    try:
        assert not in_page_cache(fd)  # so a pipe would be announced (and the advice ignored)
    finally:
        os.close(fd)
