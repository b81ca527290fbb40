"""Writing output files: atomically, and never over one of the inputs."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from step1plan.errors import UserError


def check_not_input(target: Path, inputs: Iterable[Path]) -> None:
    """Refuse an output path that is one of the input files."""
    try:
        resolved = target.resolve()
    except OSError:
        return
    for path in inputs:
        try:
            same = path.resolve() == resolved
        except OSError:
            continue
        if same:
            raise UserError(f"{target}: refusing to write the output over an input file")


def write_atomic(target: Path, text: str, inputs: Iterable[Path] = ()) -> None:
    """Write ``text`` to ``target`` through a temporary file in the same folder and a rename."""
    check_not_input(target, inputs)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"{target}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"{target}: cannot write: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
