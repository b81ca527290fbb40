"""``step1plan cohort``: every profile under some paths, in one process, streamed.

The run is a loop over the sorted profile files: load one profile, analyse it, hand the report
to the format's writer, add it to the summary counters, forget it. What stays in memory:

* the summary counters, and the invalid profiles' problems (for the json ``errors`` list);
* the listing of the folder being walked (files are found in sorted order folder by folder,
  never listed all at once; with ``--shard`` or a progress bar, a first walk only counts them).

``jsonl`` and ``csv`` write each student's line as soon as it is ready. ``json`` and ``md`` put
the summary before the students, and ``table`` sizes its columns on every row, so their rows
are spooled to an anonymous temporary file and read back at the end: memory stays flat for
them too.

``--shard K/N`` takes the K-th of N contiguous slices of the sorted file list. The files are
sorted by the path strings the user's PATH arguments produce (the same on every machine for the
same checkout and command), so shard K always gets the same files, every file is in exactly one
shard, and the outputs of shards 1..N concatenated in order are the unsharded run's output
(``jsonl`` byte for byte; for ``csv`` keep only the first header).

With ``--redact`` the student's name is removed from the profile before the analysis, so no
rule can repeat it and no format can print it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import heapq
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol, TextIO

from step1plan.analysis import make_context
from step1plan.errors import InputError, Problem, UserError, shown_name, shown_problems
from step1plan.load.profile import load_profile_data
from step1plan.load.textfile import MAX_BYTES, OPEN_FLAGS, read_capped, read_text, too_large
from step1plan.models.record import record
from step1plan.readahead import read_ahead

if TYPE_CHECKING:
    from rich.console import Console

    from step1plan.models.report import Report
    from step1plan.plans import Plan
    from step1plan.rules.base import Context

PROFILE_SUFFIXES = (".yaml", ".yml")
"""File endings searched for in folders (a file named on the command line is taken as is)."""

COHORT_SCHEMA = "step1plan.cohort/1"
"""The ``schema`` value of ``cohort --format json``."""

PROGRESS_MIN_FILES = 50
"""A progress bar is shown on a terminal only above this many profiles (a UI convention)."""

FAIL_ON_ERROR, FAIL_ON_NOT_READY = "error", "not-ready"
EXIT_OK, EXIT_NOT_READY, EXIT_INVALID = 0, 1, 2

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


# ---------------------------------------------------------------- results


@record
class CohortRow:
    """One student's line of the cohort (JSON-ready values: dates are ISO strings)."""

    file: str
    """The profile's path, as found under the PATH arguments."""
    id: str
    """The student's pseudonymous id."""
    name: str | None
    """The student's name; always ``None`` with ``--redact``."""
    verdict: str | None
    """Readiness verdict (``ready``, ``borderline``, ``not_ready``, ``ineligible``)."""
    top_cause: str | None
    """The cause ranked first, if any."""
    attempts_left: int | None
    """Step 1 attempts left under the attempt limits."""
    earliest_next_attempt: str | None
    """The earliest date the next Step 1 attempt is allowed."""
    planned_retake: str | None
    """The Step 1 retake date of the timeline (planned, or recommended when none is planned)."""
    step2ck_test: str | None
    """The Step 2 CK test date of the timeline."""
    match_year: int | None
    """The Match year of the timeline."""
    mistake_flags: int
    """How many findings flag a mistake to avoid (codes M7xx)."""


COLUMNS: tuple[str, ...] = tuple(CohortRow.__dataclass_fields__)
"""Row keys in output order (csv header, json keys)."""


@dataclass(slots=True)
class CohortSummary:
    """Counters of a cohort run (the only per-student state kept for the whole run)."""

    as_of: dt.date
    plan: str
    shard: str | None = None
    """``K/N`` when the run was sharded."""
    files: int = 0
    """Profile files processed (in this shard)."""
    students: int = 0
    """Valid profiles analysed."""
    invalid: int = 0
    """Profiles that could not be loaded."""
    not_yet_ready: int = 0
    """Students whose verdict is anything but ``ready``."""
    by_verdict: dict[str, int] = field(default_factory=dict)
    by_top_cause: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from step1plan.models.common import CauseId
        from step1plan.models.report import Verdict

        self.by_verdict = {v.value: 0 for v in Verdict}
        self.by_top_cause = {c.value: 0 for c in CauseId} | {"none": 0}

    def add_student(self, verdict: str | None, top_cause: str | None) -> None:
        """Count one analysed student, by its verdict and top cause (:func:`verdict_of`,
        :func:`top_cause_of`, as its row shows them)."""
        self.files += 1
        self.students += 1
        if verdict != "ready":
            self.not_yet_ready += 1
        if verdict is not None:
            self.by_verdict[verdict] = self.by_verdict.get(verdict, 0) + 1
        cause = top_cause or "none"
        self.by_top_cause[cause] = self.by_top_cause.get(cause, 0) + 1

    def add_invalid(self) -> None:
        """Count one profile that could not be loaded."""
        self.files += 1
        self.invalid += 1


def verdict_of(report: Report) -> str | None:
    """The readiness verdict of a report, as a row shows it."""
    return report.readiness.verdict.value if report.readiness else None


def top_cause_of(report: Report) -> str | None:
    """The id of the cause ranked first, if any."""
    return min(report.causes, key=_RANK).id.value if report.causes else None


_RANK = attrgetter("rank")


def row_of(file: str, report: Report) -> CohortRow:
    """The cohort line of one report."""
    milestones = {m.id: m.date for m in report.timeline.milestones} if report.timeline else {}
    retake = milestones.get("step1_retake")
    if retake is None and report.study_plan is not None:
        retake = report.study_plan.retake_date
    step2 = milestones.get("step2ck_test")
    elig = report.eligibility
    nxt = elig.earliest_next_attempt if elig else None
    return CohortRow(
        file=file,
        id=report.student.id,
        name=report.student.name,
        verdict=verdict_of(report),
        top_cause=top_cause_of(report),
        attempts_left=elig.attempts_left if elig else None,
        earliest_next_attempt=nxt.isoformat() if nxt else None,
        planned_retake=retake.isoformat() if retake else None,
        step2ck_test=step2.isoformat() if step2 else None,
        match_year=report.timeline.match_year if report.timeline else None,
        mistake_flags=sum(1 for f in report.findings if f.code.startswith("M7")),
    )


# ---------------------------------------------------------------- discovery and shards


def _join(folder: str, name: str) -> str:
    return name if folder == os.curdir else os.path.join(folder, name)


def _walk(folder: str) -> Iterator[str]:
    """Profile files under a folder, in path-string order, without listing the whole tree.

    Each folder's entries are sorted by name, a sub-folder as ``name/``: walking depth first in
    that order yields the paths in the same order as sorting all the path strings would. Hidden
    files and folders (``.git``, ``.github``) are skipped; symbolic links to folders are not
    followed. A folder that cannot be listed stops the run with a :class:`UserError`: its
    students would otherwise drop out of the cohort, and out of its CI gate, without a word.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted(
                (entry.name + "/", True)
                if entry.is_dir(follow_symlinks=False)
                else (entry.name, False)
                for entry in scan
                if not entry.name.startswith(".")
            )
    except OSError as exc:
        raise UserError(f"{folder}: cannot read folder: {exc.strerror}") from None
    for name, is_dir in entries:
        if is_dir:
            yield from _walk(_join(folder, name[:-1]))
        elif name.lower().endswith(PROFILE_SUFFIXES):
            yield _join(folder, name)


def _covered(path: str, folders: Sequence[str]) -> bool:
    """True when a folder walk already yields ``path`` (a profile file or a sub-folder)."""
    full = os.path.realpath(path)  # links followed: a link to a profile or folder is covered
    for folder in folders:
        top = os.path.realpath(folder)
        if full == top:
            return True
        rel = os.path.relpath(full, top)
        if rel.startswith(os.pardir) or any(p.startswith(".") for p in rel.split(os.sep)):
            continue
        if os.path.isdir(path) or rel.lower().endswith(PROFILE_SUFFIXES):
            return True
    return False


def iter_profiles(paths: Sequence[Path]) -> Iterator[str]:
    """Every profile under ``paths``, in path-string order, each once, as a lazy stream.

    A file is taken as is, whatever its ending; a folder is searched for ``*.yaml`` and
    ``*.yml``. Paths are normalised (``./a//b.yaml`` -> ``a/b.yaml``). A missing path, or a
    folder with no profile in it, is a user error (raised before anything is yielded). Only the
    current folder's listing is held at any time, so memory does not grow with the cohort.
    """
    roots: list[str] = []
    for root in paths:
        text = os.path.normpath(str(root))
        if os.path.isdir(text):
            if next(_walk(text), None) is None:
                raise UserError(f"{root}: no *.yaml or *.yml profile in this folder")
        elif not os.path.exists(text):
            raise UserError(f"{root}: no such file or folder")
        roots.append(text)
    unique: list[str] = []
    folders: list[str] = []  # the folder PATHs among ``unique``, kept as it grows
    seen: set[str] = set()
    for text in roots:  # PATHs may overlap: drop a PATH that a folder PATH already covers
        real = os.path.realpath(text)  # the same file or folder named twice, or by a link
        if real in seen or _covered(text, folders):
            continue
        seen.add(real)
        if os.path.isdir(text):
            unique = [r for r in unique if not _covered(r, [text])]
            folders = [r for r in folders if r in unique] + [text]
        unique.append(text)
    streams = [_walk(r) if os.path.isdir(r) else iter((r,)) for r in unique]
    return heapq.merge(*streams) if len(streams) > 1 else streams[0]


def discover(paths: Sequence[Path]) -> list[str]:
    """The whole sorted list of :func:`iter_profiles` (for tests and tools, not the command)."""
    return list(iter_profiles(paths))


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"2/4"`` -> ``(2, 4)``; ``None`` -> ``None``; anything else is a usage error."""
    if text is None:
        return None
    match = _SHARD.match(text)
    if match:
        k, n = int(match.group(1)), int(match.group(2))
        if 1 <= k <= n:
            return k, n
    raise UserError(f"--shard: expected K/N with 1 <= K <= N (for example 2/4), got {text!r}")


def shard_range(total: int, shard: tuple[int, int]) -> tuple[int, int]:
    """Start and end index of shard K of N over ``total`` files: ``(K-1)*total//N, K*total//N``.

    The ranges are contiguous, disjoint, near-equal and cover ``range(total)`` in order.
    """
    k, n = shard
    return (k - 1) * total // n, k * total // n


def shard_slice(files: Sequence[str], shard: tuple[int, int] | None) -> Sequence[str]:
    """The files of one shard (all of them without a shard)."""
    if shard is None:
        return files
    start, end = shard_range(len(files), shard)
    return files[start:end]


def _take(stream: Iterator[str], start: int, end: int) -> Iterator[str]:
    """Items ``start <= i < end`` of a stream (it is not read past ``end``)."""
    for index, item in enumerate(stream):
        if index >= end:
            return
        if index >= start:
            yield item


# ---------------------------------------------------------------- loading one profile


def _redacted(ctx: Context) -> Context:
    """The same context with the student's name removed."""
    profile = ctx.profile
    if profile is None or profile.student.name is None:
        return ctx
    student = profile.student.model_copy(update={"name": None})
    return dataclasses.replace(ctx, profile=profile.model_copy(update={"student": student}))


def load_context(
    file: str,
    as_of: dt.date,
    plan: Plan,
    redact: bool,
    check: Callable[[str, os.stat_result], None] | None = None,
) -> tuple[Context, tuple[Path, ...]]:
    """Load one profile (and its ``scores_file``) into a rule context; also return its inputs.

    The file is read once and parsed once, and its ``scores_file`` is loaded exactly as
    ``diagnose`` loads it. ``check(file, info)`` sees the file's ``fstat`` before it is read
    (the output guard), or its ``stat`` when it cannot be opened: a file this run cannot read
    can still be the one its output would replace.
    """
    path = Path(file)
    try:
        # Without blocking: a named pipe among the profiles would wait for a writer for ever.
        fd = os.open(file, OPEN_FLAGS)
        try:
            info = os.fstat(fd)
            if check is not None:
                check(file, info)
            if not stat.S_ISREG(info.st_mode):
                what = (  # a link to a folder, named like a profile
                    "is a folder, not a file"
                    if stat.S_ISDIR(info.st_mode)
                    else "not a regular file (a pipe or a device)"
                )
                raise InputError([Problem(file, what)])
            if info.st_size > MAX_BYTES:  # as read_text refuses it: before reading, with its size
                raise too_large(file, info.st_size)
            data: str | bytes = read_capped(fd, size=info.st_size)  # the loader checks the size
        finally:
            os.close(fd)
    except OSError:
        if check is not None:
            try:
                info = os.stat(file)
            except OSError:
                pass  # nothing there to replace
            else:
                check(file, info)
        data = read_text(path, file)  # raises the located problem (missing, a folder, ...)
    loaded = load_profile_data(data, path, as_of, plan)
    ctx = make_context(plan, as_of, loaded.profile, loaded.scores, loaded.score_paths)
    return (_redacted(ctx) if redact else ctx), tuple(loaded.inputs)


def problems_of(file: str, exc: UserError) -> tuple[Problem, ...]:
    """The located problems of a load error, as shown (a plain user error becomes one problem;
    a file with very many keeps the first ones and a count, see :func:`shown_problems`), with
    every file name and message made safe for UTF-8 outputs (:func:`shown_name`): a problem
    may be in the profile or in its ``scores_file``, and a message may quote a path."""
    found = (
        shown_problems(exc.problems)
        if isinstance(exc, InputError)
        else (Problem(file, exc.message),)
    )
    return tuple(
        p
        if p.file.isascii() and p.message.isascii()
        else dataclasses.replace(p, file=shown_name(p.file), message=shown_name(p.message))
        for p in found
    )


# ---------------------------------------------------------------- writers


class CohortWriter(Protocol):
    """Writes one output format as the run goes."""

    wants_report: bool
    """True when :meth:`student` needs the full report (otherwise ``None`` is passed)."""
    wants_row: bool
    """True when :meth:`student` needs the student's row (otherwise ``None`` is passed)."""

    def start(self) -> None:
        """Called once before the first student."""

    def student(self, row: CohortRow | None, report: Report | None) -> None:
        """One analysed student: its row when ``wants_row``, its full report when
        ``wants_report``."""

    def finish(self, summary: CohortSummary, errors: Sequence[Problem]) -> None:
        """Called once after the last profile."""


class _Base:
    wants_report = False
    wants_row = True

    def __init__(self, out: TextIO, redact: bool) -> None:
        from step1plan.report import cohort_view  # imported here: it imports this module

        self.out = out
        self.redact = redact
        self.view = cohort_view

    def start(self) -> None:
        return None

    def student(self, row: CohortRow | None, report: Report | None) -> None:
        raise NotImplementedError

    def finish(self, summary: CohortSummary, errors: Sequence[Problem]) -> None:
        return None


class JsonlWriter(_Base):
    """``jsonl``: the full report of each student (as ``diagnose --format json``), one a line."""

    wants_report = True
    wants_row = False  # the summary's counts come from the report (verdict_of, top_cause_of)

    def start(self) -> None:
        # The lines are UTF-8 JSON already: they go to the byte stream under the text layer
        # when there is one (emptied first, so the order stays), saving a decode and an encode
        # of each long line.
        self.out.flush()
        self.raw: BinaryIO | None = getattr(self.out, "buffer", None)

    def student(self, row: CohortRow | None, report: Report | None) -> None:
        assert report is not None
        if self.raw is not None:
            self.raw.write(self.view.jsonl_bytes(report))
        else:
            self.out.write(self.view.jsonl_line(report))


class CsvWriter(_Base):
    """``csv``: a header, then one row per student as it is analysed."""

    def start(self) -> None:
        self.out.write(self.view.csv_header())

    def student(self, row: CohortRow | None, report: Report | None) -> None:
        assert row is not None
        self.out.write(self.view.csv_line(row))


@contextlib.contextmanager
def _spooling(doing: str = "write") -> Iterator[None]:
    """Report a failure of the rows' temporary file as itself (``doing``: ``write`` or ``read
    back``): it is in the temporary folder, not where the output goes, so "cannot write the
    output" would send the user to the wrong disk."""
    try:
        yield
    except OSError as exc:
        hint = "; set TMPDIR to a folder with room" if doing == "write" else ""
        raise UserError(
            f"{tempfile.gettempdir()}: cannot {doing} the temporary file that holds the rows: "
            f"{exc.strerror}{hint}"
        ) from None


class _Spooled(_Base):
    """Rows spooled to an anonymous temporary file, read back by :meth:`rows` at the end."""

    def __init__(self, out: TextIO, redact: bool) -> None:
        super().__init__(out, redact)
        with _spooling():
            self.spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115

    def student(self, row: CohortRow | None, report: Report | None) -> None:
        assert row is not None
        with _spooling():
            self.spool.write(self.view.row_to_line(row))

    def rows(self) -> Iterator[CohortRow]:
        """The spooled rows, from the first (each call reads the spool again)."""
        with _spooling():
            self.spool.flush()
        # Only the spool's own reads are inside: an error of the consumer (writing the output)
        # is raised where it happens, not in this suspended generator.
        with _spooling("read back"):
            self.spool.seek(0)
            for line in self.spool:
                yield self.view.row_from_line(line)

    def finish(self, summary: CohortSummary, errors: Sequence[Problem]) -> None:
        try:
            self.write(summary, errors)
        finally:
            self.spool.close()

    def write(self, summary: CohortSummary, errors: Sequence[Problem]) -> None:
        """Write the whole output (the rows are in the spool)."""
        raise NotImplementedError


class JsonWriter(_Spooled):
    """``json``: ``{schema, as_of, summary, students, errors}`` (rows spooled, see module doc)."""

    def write(self, summary: CohortSummary, errors: Sequence[Problem]) -> None:
        self.out.writelines(self.view.json_chunks(summary, self.rows(), errors))


class MarkdownWriter(_Spooled):
    """``md``: summary, students and invalid profiles as Markdown (rows spooled)."""

    def write(self, summary: CohortSummary, errors: Sequence[Problem]) -> None:
        chunks = self.view.markdown_chunks(summary, self.rows(), errors, redact=self.redact)
        self.out.writelines(chunks)


class TableWriter(_Spooled):
    """``table``: the students table, counts and invalid profiles, drawn for the terminal
    (rows spooled: the table reads them once to size its columns, once to draw them)."""

    def write(self, summary: CohortSummary, errors: Sequence[Problem]) -> None:
        from step1plan.report.cohort_view import cohort_renderables
        from step1plan.terminal import report_console

        console = report_console(self.out)
        for item in cohort_renderables(summary, self.rows, errors, redact=self.redact):
            console.print(item, crop=False)  # a table too wide wraps in the terminal, never cut


WRITERS: dict[str, type[_Base]] = {
    "table": TableWriter,
    "json": JsonWriter,
    "jsonl": JsonlWriter,
    "csv": CsvWriter,
    "md": MarkdownWriter,
}
"""Writer of each ``--format`` value."""


# ---------------------------------------------------------------- output and messages


def _refuse_output_in_cohort(output: Path, paths: Sequence[Path]) -> None:
    """Fail early when ``output`` is a PATH file or a profile the folders would yield (links
    followed: the output replaces the file a link points to)."""
    from step1plan.outfile import check_not_input

    check_not_input(output, [p for p in paths if not p.is_dir()])
    folders = [str(p) for p in paths if p.is_dir()]
    if os.path.isfile(output) and _covered(str(output), folders):  # _covered follows links
        raise UserError(f"{output}: refusing to write the output over an input file")


class OutputOverInput(UserError):
    """The output file is one of the run's inputs: the whole run stops (not one profile)."""


class _OutputGuard:
    """Refuses the run as soon as one of the files it reads is the output file.

    A file is the output when it is the same file (device and inode) as the one ``output``
    names, links followed: the output replaces the file a link points to, so a link named
    ``out.json`` to a profile, or to a profile's ``scores_file``, must stop the run. Nothing
    is checked while ``output`` does not exist yet, or is not a regular file (``/dev/null``):
    no input can be it; nor on a file system without inode numbers (the paths are checked
    before the run, :func:`_refuse_output_in_cohort`). A profile is compared through the
    ``fstat`` its read makes (:meth:`check_opened`, no ``stat`` of its own); a ``scores_file``
    through a ``stat``.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.key: tuple[int, int] | None = None
        try:
            info = os.stat(output)
        except OSError:
            return
        if stat.S_ISREG(info.st_mode) and info.st_ino:  # 0: no inode numbers to compare
            self.key = (info.st_dev, info.st_ino)

    def check(self, path: str | Path) -> None:
        """Raise a :class:`UserError` when ``path`` is the output file."""
        if self.key is None:
            return
        try:
            info = os.stat(path)
        except OSError:
            return  # the read reports it
        self.check_opened(path, info)

    def check_opened(self, path: str | Path, info: os.stat_result) -> None:
        """:meth:`check` for a file already open, from its ``fstat`` (no second ``stat``)."""
        if self.key is not None and (info.st_dev, info.st_ino) == self.key:
            raise OutputOverInput(
                f"{self.output}: refusing to write the output over an input file ({path})"
            )

    def check_scores(self, inputs: Sequence[Path]) -> None:
        """:meth:`check` the files a profile read besides itself (``inputs[0]``, which
        :meth:`check_opened` saw as it was opened): its ``scores_file``."""
        for path in inputs[1:]:
            self.check(path)


@contextlib.contextmanager
def open_output(output: Path | None) -> Iterator[TextIO]:
    """stdout, or a temporary file next to ``output`` renamed over it when the run succeeds.

    The temporary file is removed when the run fails, so a failed run never leaves a
    half-written output. (The inputs are checked before the run and as each is read:
    :func:`_refuse_output_in_cohort`, :class:`_OutputGuard`.)
    """
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    from step1plan.outfile import atomic_writer

    with atomic_writer(output) as handle:
        yield handle


class _Messages:
    """Messages on stderr, through the progress bar's console when one is shown."""

    def __init__(self) -> None:
        self.console: Console | None = None

    def say(self, line: str) -> None:
        if self.console is not None:
            self.console.out(line, highlight=False)
        else:
            sys.stderr.write(line + "\n")


@contextlib.contextmanager
def _progress(total: int, messages: _Messages) -> Iterator[Callable[[], None]]:
    """A transient progress bar on stderr for a large cohort on a terminal; else a no-op."""
    if total <= PROGRESS_MIN_FILES or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True)
    with Progress(
        "cohort",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("cohort", total=total)
        messages.console = console
        try:
            yield lambda: bar.advance(task)
        finally:
            messages.console = None


@contextlib.contextmanager
def _start_up_frozen() -> Iterator[None]:
    """Keep what exists before the loop out of the cyclic garbage collector's passes.

    The modules, the plan, the validators and the rule tables live for the whole run, and every
    full collection during the cohort would walk all of them again (about 8 % of a ``jsonl``
    run; ``benchmarks/README.md``). :func:`gc.freeze` moves them to a generation the collector
    skips; :func:`gc.unfreeze` puts them back when the run ends, as the command may run inside
    a longer-lived process. A student's objects are freed as before.
    """
    from step1plan.analysis import rule_groups

    rule_groups()  # import every rule module now, so that they are frozen too
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _summary_line(summary: CohortSummary) -> str:
    shard = f" (shard {summary.shard})" if summary.shard else ""
    invalid = f", {summary.invalid} invalid" if summary.invalid else ""
    return (
        f"cohort{shard}: {summary.files} profile{'s' if summary.files != 1 else ''}, "
        f"{summary.students} analysed{invalid}, {summary.not_yet_ready} not yet ready"
    )


# ---------------------------------------------------------------- the command


def exit_code(summary: CohortSummary, fail_on: set[str]) -> int:
    """2 for invalid profiles with ``--fail-on error``, else 1 for ``not-ready`` hits, else 0."""
    if FAIL_ON_ERROR in fail_on and summary.invalid:
        return EXIT_INVALID
    if FAIL_ON_NOT_READY in fail_on and summary.not_yet_ready:
        return EXIT_NOT_READY
    return EXIT_OK


def run_cohort(
    files: Iterable[str],
    as_of: dt.date,
    plan: Plan,
    writer: CohortWriter,
    redact: bool = False,
    shard: str | None = None,
    say: Callable[[str], None] | None = None,
    tick: Callable[[], None] | None = None,
    guard: _OutputGuard | None = None,
) -> CohortSummary:
    """Analyse each file in order and feed the writer; return the summary counters.

    ``say(line)`` receives every problem line (default: stderr), ``tick()`` is called after each
    file, and ``guard`` checks every file a profile reads against the output file (the profile
    as it is opened, then its ``scores_file``).
    """
    check = guard.check_opened if guard is not None else None
    from step1plan.analysis import analyse

    summary = CohortSummary(as_of=as_of, plan=plan.name, shard=shard)
    errors: list[Problem] = []
    emit = say or (lambda line: sys.stderr.write(line + "\n"))
    writer.start()
    for file in files:
        name = shown_name(file)
        try:
            ctx, inputs = load_context(file, as_of, plan, redact, check)
        except OutputOverInput:
            raise  # stops the run: not a problem of this profile
        except UserError as exc:
            found = problems_of(file, exc)
            errors.extend(found)
            for problem in found:
                emit(problem.format())
            summary.add_invalid()
        else:
            if guard is not None:
                guard.check_scores(inputs)
            try:
                report = analyse(ctx, full=writer.wants_report)
            except Exception:
                emit(f"{file}: internal error while analysing this profile")
                raise
            if writer.wants_row:
                row = row_of(name, report)
                writer.student(row, report if writer.wants_report else None)
                summary.add_student(row.verdict, row.top_cause)
            else:  # jsonl: no row is shown, so none is built (6 µs a profile)
                writer.student(None, report)
                summary.add_student(verdict_of(report), top_cause_of(report))
        if tick is not None:
            tick()
    writer.finish(summary, errors)
    return summary


def run_cohort_command(
    paths: Sequence[Path],
    as_of: dt.date,
    plan: Plan,
    fmt: str,
    output: Path | None,
    fail_on: set[str],
    redact: bool,
    shard: str | None,
) -> int:
    """``step1plan cohort``: discover, shard, analyse, write; return the exit code."""
    if fmt not in WRITERS:
        raise UserError(f"--format: unknown format {fmt!r}; expected one of {', '.join(WRITERS)}")
    bounds = parse_shard(shard)
    files: Iterable[str] = iter_profiles(paths)
    count = None
    if bounds is not None or sys.stderr.isatty():  # one cheap extra walk to count the files
        total = sum(1 for _ in iter_profiles(paths))
        start, end = shard_range(total, bounds) if bounds else (0, total)
        files, count = _take(iter(files), start, end), end - start
    messages = _Messages()
    guard = None
    if output is not None:
        _refuse_output_in_cohort(output, paths)
        guard = _OutputGuard(output)
    with open_output(output) as out, _progress(count or 0, messages) as tick:
        writer = WRITERS[fmt](out, redact)
        with _start_up_frozen():
            summary = run_cohort(
                read_ahead(files),
                as_of,
                plan,
                writer,
                redact=redact,
                shard=f"{bounds[0]}/{bounds[1]}" if bounds else None,
                say=messages.say,
                tick=tick,
                guard=guard,
            )
    if fmt != "table" or output is not None:
        messages.say(_summary_line(summary))
    return exit_code(summary, fail_on)
