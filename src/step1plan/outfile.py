"""Writing output files: atomically, and never over one of the inputs."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from step1plan.errors import UserError


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name the same file, whatever the names: the same device and
    inode (links followed) when both exist, else the same resolved path. A file system without
    inode numbers (0, as some Windows ones report) is compared by path too."""
    try:
        first, second = os.stat(a), os.stat(b)
    except OSError:
        pass
    else:
        if first.st_ino and second.st_ino:
            return os.path.samestat(first, second)
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def check_not_input(target: Path, inputs: Iterable[Path]) -> None:
    """Refuse an output path that is one of the input files (:func:`same_file`): ``./a.yaml``,
    a symbolic link or a hard link to it, or ``/dev/stdout`` while stdout is redirected into
    it. The cohort's guard compares the same way. Nothing is refused while ``target`` does not
    exist: no input can be it."""
    if not os.path.exists(target):
        return
    for path in inputs:
        if same_file(target, path):
            raise UserError(f"{target}: refusing to write the output over an input file")


def _file_mode(mode: int | None) -> int:
    """The permissions the output gets: those of the file it replaces (its ``st_mode``), else
    what a plain ``open(target, "w")`` would give under the user's umask (``mkstemp`` makes its
    file 0600)."""
    if mode is not None:
        return mode & 0o7777
    umask = os.umask(0)  # reading the umask means setting it: put it straight back
    os.umask(umask)
    return 0o666 & ~umask


def _kind(target: Path) -> int | None:
    """``st_mode`` of what ``target`` names (links followed), or None when nothing is there."""
    try:
        return os.stat(target).st_mode
    except OSError:
        return None


_FILE_BUFFER = 1 << 20
"""The write buffer of an output file (1 MiB, against the default 8 KiB). A cohort's ``jsonl``
writes about 21 KB a student: with the default buffer every line is a ``write`` call of its
own, and writing it took 10.7 µs a line here, against 5.2 µs with this buffer
(``benchmarks/README.md``). The file is renamed into place only when complete, so nothing
reads it while it is being written; devices and pipes keep the default buffer."""

_DESCRIPTOR_PATHS = ("/dev/stdout", "/dev/stderr", "/dev/fd/", "/proc/self/fd/")


def _names_a_descriptor(target: Path) -> bool:
    """``/dev/stdout``, ``/dev/fd/1`` and the like: an open descriptor of this process, whatever
    it leads to. When stdout is redirected into a file, that file must be written through the
    descriptor, never replaced by a rename (which would also lose what was written before)."""
    return str(target).startswith(_DESCRIPTOR_PATHS)


@contextlib.contextmanager
def _write_through(target: Path) -> Iterator[TextIO]:
    """Write straight to a device or pipe (``/dev/null``, ``/dev/stdout``, a FIFO): there is no
    file to replace, and renaming a temporary file over it would swap the device for a file."""
    try:
        # Appending: a descriptor path such as /dev/stdout may lead to a file the shell
        # redirected stdout into (>> log), which "w" would truncate; a device or pipe is the same.
        handle = open(target, "a", encoding="utf-8", newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise UserError(f"{target}: cannot write: {exc.strerror}") from None
    try:
        with handle:
            yield handle
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise UserError(f"{target}: cannot write: {exc.strerror}") from None


def _written_path(target: Path) -> Path:
    """The file that writing ``target`` replaces: a symbolic link's target (even a dangling
    link stays a link), else ``target`` itself."""
    return Path(os.path.realpath(target)) if os.path.islink(target) else target


def check_folder(target: Path) -> Path:
    """The folder ``target`` is written in; a :class:`UserError` when it does not exist or is
    not a folder (checked before a command prints or writes anything, and again on writing)."""
    target = _written_path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UserError(f"{target}: folder {folder} {what}")
    return folder


@contextlib.contextmanager
def atomic_writer(target: Path, inputs: Iterable[Path] = ()) -> Iterator[TextIO]:
    """A text file to write ``target`` through: a temporary file in the same folder, renamed
    over ``target`` when the block ends without an error and removed when it fails, so that a
    failed run never leaves a half-written output. Refuses a ``target`` that is an input. The
    output keeps the permissions of the file it replaces; a new one gets the umask's. A
    symbolic link stays a link (the file it points to is replaced), and a device or pipe such as
    ``/dev/null`` is written straight through, never replaced."""
    check_not_input(target, inputs)
    mode = _kind(target)
    special = mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)
    if special or _names_a_descriptor(target):
        with _write_through(target) as handle:
            yield handle
        return
    target = _written_path(target)
    folder = check_folder(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:  # a read-only or special folder: nothing was created
        raise UserError(f"{target}: cannot write in {folder}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", buffering=_FILE_BUFFER, encoding="utf-8", newline="") as handle:
            yield handle
        os.chmod(tmp, _file_mode(mode))
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"{target}: cannot write: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(target: Path, text: str, inputs: Iterable[Path] = ()) -> None:
    """Write ``text`` to ``target`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(target, inputs) as handle:
        handle.write(text)
