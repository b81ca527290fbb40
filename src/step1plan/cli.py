"""The command line: parse options, load, analyse, render, map outcomes to exit codes.

Heavy modules (models, rules, renderers) are imported inside the commands so that ``--help``
and ``--version`` stay fast. Exit codes: 0 success, 1 a finding the caller asked to fail on
(not ready, explanation problems), 2 usage or input error, 70 internal error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from step1plan.plans import Plan

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 70
BUG_HINT = (
    "step1plan: internal error ({error}). This is a bug: please report it with the command "
    "you ran; add --debug to see the traceback."
)

app = typer.Typer(
    name="step1plan",
    help="Recovery planner after a failed USMLE Step 1: diagnosis, study plan, retake "
    "readiness, Step 2 CK and Match timeline, application strategy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}


class ReportFormat(StrEnum):
    """Output formats of single-profile commands."""

    table = "table"
    json = "json"
    md = "md"


class CohortFormat(StrEnum):
    """Output formats of ``cohort``."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    md = "md"


class FailOnReady(StrEnum):
    """What makes ``diagnose`` exit 1."""

    not_ready = "not-ready"


class CohortFailOn(StrEnum):
    """What makes ``cohort`` exit non-zero."""

    error = "error"
    not_ready = "not-ready"


F = TypeVar("F", bound=Callable[..., Any])


def _err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


_WRITE_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("ENOSPC", "EDQUOT", "EFBIG", "EIO", "EROFS", "EBADF")
    if hasattr(errno, name)
)
"""Errors of writing the output (a full disk, a closed stdout): the machine's, not a bug."""


def _cannot_write(exc: OSError) -> bool:
    """Report a failed write of the output in one line and return True; False for any other
    ``OSError``. What stdout still holds is dropped, so that the flush at exit is quiet."""
    if exc.errno not in _WRITE_ERRNOS:
        return False
    from step1plan.terminal import drop_stdout

    drop_stdout()
    with contextlib.suppress(OSError):  # stderr may be on the same full disk
        typer.echo(f"step1plan: cannot write the output: {exc.strerror}", err=True)
    return True


def handle_errors(func: F) -> F:
    """Turn user errors into one-line messages and exit 2, unexpected ones into exit 70."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from step1plan.errors import UserError

        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.BadParameter, SystemExit):
            raise
        except UserError as exc:
            for line in exc.lines():
                typer.echo(line, err=True)
            raise typer.Exit(EXIT_INPUT) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except BrokenPipeError:
            from step1plan.terminal import EXIT_BROKEN_PIPE, drop_stdout

            drop_stdout()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except Exception as exc:
            if isinstance(exc, OSError) and _cannot_write(exc):
                raise typer.Exit(EXIT_INPUT) from None
            if _state["debug"] or os.environ.get("STEP1PLAN_DEBUG"):
                raise
            typer.echo(BUG_HINT.format(error=type(exc).__name__), err=True)
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper  # type: ignore[return-value]


def _parse_date(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    from step1plan.errors import UserError
    from step1plan.models.common import EARLIEST_DATE, LATEST_DATE, iso_date

    try:
        day = iso_date(value)
    except ValueError:
        raise UserError(f"--as-of: {value!r} is not a date; use YYYY-MM-DD") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise UserError(
            f"--as-of: {value} is outside the dates the tool plans for "
            f"({EARLIEST_DATE} to {LATEST_DATE})"
        )
    return day


def _version(value: bool) -> None:
    if value:
        from step1plan import __version__

        typer.echo(f"step1plan {__version__}")
        raise typer.Exit()


AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Run as if today were this date (YYYY-MM-DD), for reproducible results. "
        "Default: today.",
        metavar="DATE",
    ),
]
PlanOpt = Annotated[
    str,
    typer.Option(
        "--plan",
        help="Thresholds and weights: a shipped plan (default, strict) or a plan file path.",
        metavar="NAME|PATH",
    ),
]


def _output_path(value: str) -> Path | None:
    """``--output -`` means stdout, as with most command-line tools; ``./-`` is a file named
    ``-``. Parsed from the text, since a path would already have made ``./-`` into ``-``."""
    if not value.strip():
        raise typer.BadParameter("give a file name, or - for stdout")
    return None if value == "-" else Path(value)


OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the report to FILE (atomically) instead of stdout; '-' is stdout.",
        metavar="FILE",
        parser=_output_path,
    ),
]


ProfileArg = Annotated[
    Path, typer.Argument(help="The student's profile (YAML).", metavar="PROFILE", readable=False)
]
ExtraScoresOpt = Annotated[
    Path | None,
    typer.Option(
        "--scores",
        help="Practice scores (CSV) in addition to the profile's.",
        metavar="CSV",
        readable=False,
    ),
]
FormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")]


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an internal error.")
    ] = False,
) -> None:
    """Recovery planner after a failed USMLE Step 1."""
    _state["debug"] = debug


# ---------------------------------------------------------------- shared plumbing


def _plan(name: str) -> Plan:
    from step1plan.errors import UserError
    from step1plan.plans import load_plan

    if not name.strip():
        raise UserError("--plan: give a plan name (default, strict) or the path of a plan file")
    return load_plan(name)


def _emit_text(text: str, output: Path | None, inputs: list[Path]) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    from step1plan.outfile import write_atomic

    write_atomic(output, text if text.endswith("\n") else text + "\n", inputs)


def _emit_rich(items: list[RenderableType], output: Path | None, inputs: list[Path]) -> None:
    import io

    from step1plan.terminal import report_console

    buffer = io.StringIO() if output is not None else None
    console = report_console(buffer)
    for item in items:
        console.print(item)
    if buffer is not None:
        _emit_text(buffer.getvalue(), output, inputs)


def _render(
    fmt: ReportFormat,
    output: Path | None,
    inputs: list[Path],
    *,
    as_json: Callable[[], Any],
    as_md: Callable[[], str],
    as_table: Callable[[], list[RenderableType]],
) -> None:
    """Print or write one report in the chosen format (each renderer is called only if chosen)."""
    if fmt is ReportFormat.json:
        from step1plan.report.jsonout import dumps

        _emit_text(dumps(as_json()), output, inputs)
    elif fmt is ReportFormat.md:
        _emit_text(as_md(), output, inputs)
    else:
        _emit_rich(as_table(), output, inputs)


EXPORT_SUFFIXES = (".html", ".svg")


def _check_export(target: Path | None, output: Path | None) -> None:
    """Reject an ``--export`` name before any work is done or anything is printed: not .html
    or .svg, in a folder that does not exist, or the same file as ``--output`` (one of the two
    would be lost)."""
    if target is None:
        return
    from step1plan.errors import UserError
    from step1plan.outfile import check_folder, same_file

    if target.suffix.lower() not in EXPORT_SUFFIXES:
        raise UserError(f"{target}: --export takes a .html or .svg file name")
    check_folder(target)
    if output is not None and same_file(target, output):
        raise UserError(f"{target}: --export and --output name the same file")


def _export(items: list[RenderableType], target: Path, inputs: list[Path]) -> None:
    from rich.console import Console

    from step1plan.outfile import write_atomic

    suffix = target.suffix.lower()
    with open(os.devnull, "w") as sink:
        console = Console(record=True, width=110, file=sink, force_terminal=True, markup=False)
        for item in items:
            console.print(item)
        text = console.export_html() if suffix == ".html" else console.export_svg(title="step1plan")
    write_atomic(target, text, inputs)


# ---------------------------------------------------------------- commands


@app.command()
@handle_errors
def diagnose(
    profile: ProfileArg,
    scores: ExtraScoresOpt = None,
    as_of: AsOf = None,
    plan: PlanOpt = "default",
    fmt: FormatOpt = ReportFormat.table,
    output: OutputOpt = None,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="Also save the rich report as HTML or SVG (by the file's suffix).",
            metavar="FILE.html|FILE.svg",
            readable=False,
        ),
    ] = None,
    fail_on: Annotated[
        FailOnReady | None,
        typer.Option("--fail-on", help="Exit 1 when the verdict is not 'ready'."),
    ] = None,
) -> None:
    """Why the attempt failed, a prioritised week-by-week plan, readiness, timeline, strategy."""
    from step1plan.analysis import analyse
    from step1plan.load.profile import load_inputs

    day = _parse_date(as_of)
    _check_export(export, output)
    the_plan = _plan(plan)
    loaded = load_inputs(profile, day, the_plan, scores=scores)
    if export is not None:  # refused before anything is printed, as an -o over an input is
        from step1plan.outfile import check_not_input

        check_not_input(export, loaded.inputs)
    report = analyse(loaded.context(the_plan, day))
    from step1plan.report.jsonout import report_dict
    from step1plan.report.markdown import report_markdown
    from step1plan.report.table import report_renderables

    _render(
        fmt,
        output,
        loaded.inputs,
        as_json=lambda: report_dict(report),
        as_md=lambda: report_markdown(report),
        as_table=lambda: report_renderables(report),
    )
    if export is not None:
        _export(report_renderables(report), export, loaded.inputs)
    from step1plan.models.report import Verdict

    if fail_on is FailOnReady.not_ready and (
        report.readiness is None or report.readiness.verdict is not Verdict.ready
    ):
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
@handle_errors
def ready(
    scores: Annotated[
        Path | None,
        typer.Option("--scores", help="Practice scores (CSV).", metavar="CSV", readable=False),
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile",
            help="A profile, for attempt history, eligibility and causes.",
            metavar="PROFILE",
            readable=False,
        ),
    ] = None,
    as_of: AsOf = None,
    plan: PlanOpt = "default",
    fmt: FormatOpt = ReportFormat.table,
    output: OutputOpt = None,
) -> None:
    """Retake-readiness verdict from practice scores. Exit 0 ready, 1 any other verdict."""
    day = _parse_date(as_of)
    from step1plan.analysis import assess_ready, student_ref
    from step1plan.errors import UserError
    from step1plan.load.profile import load_inputs, load_scores_only
    from step1plan.models.report import Verdict

    if scores is None and profile is None:
        raise UserError("ready: give --scores CSV, --profile PROFILE, or both")
    the_plan = _plan(plan)
    if profile is not None:
        loaded = load_inputs(profile, day, the_plan, scores=scores)
    else:
        assert scores is not None
        loaded = load_scores_only(scores, day)
    ctx = loaded.context(the_plan, day)
    eligibility, readiness = assess_ready(ctx)
    student = student_ref(ctx.profile) if ctx.profile else None
    from step1plan.report.jsonout import ready_dict
    from step1plan.report.readiness_view import readiness_markdown, readiness_renderables

    _render(
        fmt,
        output,
        loaded.inputs,
        as_json=lambda: ready_dict(day, student, readiness, eligibility),
        as_md=lambda: readiness_markdown(readiness, eligibility, student),
        as_table=lambda: readiness_renderables(readiness, eligibility, student),
    )
    if readiness.verdict is not Verdict.ready:
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
@handle_errors
def timeline(
    profile: ProfileArg,
    scores: ExtraScoresOpt = None,
    as_of: AsOf = None,
    plan: PlanOpt = "default",
    fmt: FormatOpt = ReportFormat.table,
    output: OutputOpt = None,
) -> None:
    """Step 1 retake, Step 2 CK and Match milestones with dates and slack."""
    from step1plan.analysis import assess_ready, student_ref
    from step1plan.load.profile import load_inputs
    from step1plan.rules.timeline import build_timeline

    day = _parse_date(as_of)
    the_plan = _plan(plan)
    loaded = load_inputs(profile, day, the_plan, scores=scores)
    ctx = loaded.context(the_plan, day)
    eligibility, readiness = assess_ready(ctx)
    assert eligibility is not None and ctx.profile is not None
    result = build_timeline(ctx, eligibility, readiness)
    student = student_ref(ctx.profile)
    from step1plan.report.jsonout import timeline_dict
    from step1plan.report.timeline_view import timeline_markdown, timeline_renderables

    _render(
        fmt,
        output,
        loaded.inputs,
        as_json=lambda: timeline_dict(day, student, eligibility, result),
        as_md=lambda: timeline_markdown(result, eligibility, day),
        as_table=lambda: timeline_renderables(result, eligibility, day),
    )


@app.command()
@handle_errors
def cohort(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Profiles, or folders searched for *.yaml and *.yml.",
            metavar="PATH",
            readable=False,
        ),
    ],
    as_of: AsOf = None,
    plan: PlanOpt = "default",
    fmt: Annotated[
        CohortFormat, typer.Option("--format", "-f", help="Output format.")
    ] = CohortFormat.table,
    output: OutputOpt = None,
    fail_on: Annotated[
        list[CohortFailOn] | None,
        typer.Option(
            "--fail-on",
            help="Exit 2 if any profile is invalid (error), 1 if any student is "
            "not ready (not-ready). Repeatable.",
            metavar="error|not-ready",
        ),
    ] = None,
    redact: Annotated[
        bool, typer.Option("--redact", help="Leave student names out of every output.")
    ] = False,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            help="Process only shard K of N (1-based), a stable split whose outputs "
            "concatenate to the whole run.",
            metavar="K/N",
        ),
    ] = None,
) -> None:
    """Every profile under the paths: one row per student and a summary."""
    from step1plan.cohort import run_cohort_command

    code = run_cohort_command(
        paths=paths,
        as_of=_parse_date(as_of),
        plan=_plan(plan),
        fmt=fmt.value,
        output=output,
        fail_on={f.value for f in fail_on or ()},
        redact=redact,
        shard=shard,
    )
    if code:
        raise typer.Exit(code)


@app.command()
@handle_errors
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Profiles (.yaml/.yml) and practice-score files (.csv).",
            metavar="FILE",
            readable=False,
        ),
    ],
    as_of: AsOf = None,
    plan: PlanOpt = "default",
) -> None:
    """Check profiles and score files; list every problem as FILE:LINE:COL. Exit 0 or 2."""
    from step1plan.errors import InputError
    from step1plan.load.profile import validate_files

    problems = validate_files(files, _parse_date(as_of), _plan(plan))
    if problems:
        raise InputError(problems)
    typer.echo(f"{len(files)} file{'s' if len(files) != 1 else ''} valid", err=True)


@app.command()
@handle_errors
def init(
    img: Annotated[
        bool, typer.Option("--img", help="A starter profile for an international medical graduate.")
    ] = False,
) -> None:
    """Print a commented starter profile to fill in (it validates as printed)."""
    from step1plan.starter import starter_profile

    typer.echo(starter_profile(img=img), nl=False)


@app.command()
@handle_errors
def schema() -> None:
    """Print the JSON Schema of the profile (for editors and yaml-language-server)."""
    import json

    from step1plan.models.profile import Profile

    typer.echo(json.dumps(Profile.model_json_schema(), indent=2))


@app.command()
@handle_errors
def explain(
    profile: Annotated[
        Path | None,
        typer.Argument(help="The student's profile (YAML).", metavar="PROFILE", readable=False),
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option(
            "--check",
            help="Review a written explanation (a text file) instead.",
            metavar="FILE",
            readable=False,
        ),
    ] = None,
    as_of: AsOf = None,
    plan: PlanOpt = "default",
    fmt: FormatOpt = ReportFormat.table,
    output: OutputOpt = None,
) -> None:
    """Draft a short explanation of the failure, or review one with --check (exit 1 on problems)."""
    from step1plan.errors import UserError
    from step1plan.report import explain_view as view

    day = _parse_date(as_of)
    the_plan = _plan(plan)
    if check is not None:
        from step1plan.load.textfile import check_plain_text, read_text
        from step1plan.rules.explanation import check_explanation

        if profile is not None:
            raise UserError("explain: give either PROFILE (to draft) or --check FILE, not both")
        name = str(check)
        text = read_text(check, name)
        check_plain_text(text, name)
        if not text.strip():
            raise UserError(f"{name}: the file is empty: there is no explanation to check")
        problems = check_explanation(text, limits=the_plan.strategy)
        _render(
            fmt,
            output,
            [check],
            as_json=lambda: view.check_dict(name, problems),
            as_md=lambda: view.check_markdown(name, problems),
            as_table=lambda: view.check_renderables(name, problems),
        )
        if problems:
            raise typer.Exit(EXIT_FINDINGS)
        return
    if profile is None:
        raise UserError("explain: give a PROFILE to draft from, or --check FILE to review a text")
    from step1plan.analysis import assess_ready, student_ref
    from step1plan.load.profile import load_inputs
    from step1plan.rules.causes import diagnose_causes
    from step1plan.rules.strategy import explanation_or_closed

    loaded = load_inputs(profile, day, the_plan)
    ctx = loaded.context(the_plan, day)
    assert ctx.profile is not None
    if not ctx.profile.failed_step1():
        raise UserError(
            f"{profile}: attempts: no failed or incomplete Step 1 attempt is recorded, so there "
            "is no failure to explain"
        )
    causes, _ = diagnose_causes(ctx)
    eligibility, readiness = assess_ready(ctx, causes)
    draft = explanation_or_closed(ctx, causes, readiness, eligibility)
    student = student_ref(ctx.profile)
    _render(
        fmt,
        output,
        loaded.inputs,
        as_json=lambda: view.draft_dict(day, student, draft),
        as_md=lambda: view.draft_markdown(student, draft),
        as_table=lambda: view.draft_renderables(student, draft),
    )


def main() -> None:
    """Console-script entry point."""
    if sys.stdout is None:  # started with stdout closed (>&-)
        from step1plan.terminal import ClosedStdout

        sys.stdout = ClosedStdout()
    elif (sys.stdout.encoding or "").lower().replace("-", "") not in ("utf8", "utf8sig"):
        # An ASCII or Latin-1 stdout (PYTHONIOENCODING, an old locale) cannot take the
        # reports' names and symbols: escape what it cannot show rather than fail on it.
        with contextlib.suppress(AttributeError, ValueError):
            sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    try:
        app()
    except BrokenPipeError:  # stdout closed while typer or Python flushed it
        from step1plan.terminal import EXIT_BROKEN_PIPE, drop_stdout

        drop_stdout()
        sys.exit(EXIT_BROKEN_PIPE)
    except OSError as exc:  # --version or --help into a full disk: outside handle_errors
        if not _cannot_write(exc):
            raise
        sys.exit(EXIT_INPUT)
