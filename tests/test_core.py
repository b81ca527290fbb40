"""Core plumbing: problem formatting, atomic output, JSON conversion, CLI basics."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from step1plan import __version__
from step1plan.cli import app
from step1plan.errors import InputError, Problem, UserError
from step1plan.models.common import Band, CauseId
from step1plan.models.report import Evidence, Finding, Severity
from step1plan.outfile import check_not_input, write_atomic
from step1plan.report.jsonout import dumps, jsonable

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (Problem("p.yaml", "bad", 3, 5, "attempts.0.date"), "p.yaml:3:5: attempts.0.date: bad"),
        (Problem("s.csv", "bad", 4, None, "epc"), "s.csv:4: epc: bad"),
        (Problem("p.yaml", "too big"), "p.yaml: too big"),
    ],
)
def test_problem_format(problem: Problem, text: str) -> None:
    assert problem.format() == text


def test_input_error_lists_every_problem() -> None:
    err = InputError([Problem("a", "x", 1), Problem("a", "y", 2)])
    assert err.lines() == ["a:1: x", "a:2: y"]
    assert isinstance(err, UserError)
    with pytest.raises(ValueError):
        InputError([])


def test_write_atomic_writes_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_atomic(target, "{}\n")
    assert target.read_text() == "{}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_write_atomic_new_file_gets_the_umask_permissions(tmp_path: Path, umask: int) -> None:
    # the temporary file is made 0600; the output must be like any other new file
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "report.md", "x\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.md").stat().st_mode) == 0o666 & ~umask


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_write_atomic_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "cohort.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_write_atomic_refuses_to_overwrite_an_input(tmp_path: Path) -> None:
    source = tmp_path / "profile.yaml"
    source.write_text("student: {id: a}\n")
    with pytest.raises(UserError, match="over an input"):
        write_atomic(tmp_path / "." / "profile.yaml", "x", [source])
    assert source.read_text() == "student: {id: a}\n"


@pytest.mark.skipif(not hasattr(os, "link"), reason="hard links")
def test_write_atomic_refuses_an_input_under_another_name(tmp_path: Path) -> None:
    # The same file by a hard link or a symbolic link, as the cohort's guard sees it.
    source = tmp_path / "profile.yaml"
    source.write_text("student: {id: a}\n")
    os.link(source, tmp_path / "hard.md")
    (tmp_path / "soft.md").symlink_to(source)
    for name in ("hard.md", "soft.md"):
        with pytest.raises(UserError, match="over an input"):
            write_atomic(tmp_path / name, "x", [source])
    write_atomic(tmp_path / "new.md", "x", [source])  # not there yet: no input can be it
    assert source.read_text() == "student: {id: a}\n"


def test_without_inode_numbers_outputs_are_told_apart_by_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Some Windows file systems report st_ino 0 for every file: two different files must not
    # look the same, and the input itself must still be refused.
    source = tmp_path / "profile.yaml"
    source.write_text("student: {id: a}\n")
    other = tmp_path / "report.md"
    other.write_text("old\n")
    real_stat = os.stat

    def no_inodes(path: Any, *args: Any, **kwargs: Any) -> Any:
        found = real_stat(path, *args, **kwargs)
        return os.stat_result((found.st_mode, 0, *found[2:10]))

    monkeypatch.setattr(os, "stat", no_inodes)
    check_not_input(other, [source])  # a different file: allowed
    with pytest.raises(UserError, match="over an input"):
        check_not_input(tmp_path / "." / "profile.yaml", [source])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_write_atomic_writes_through_a_pipe_and_leaves_it_a_pipe(tmp_path: Path) -> None:
    # `-o /dev/null` (or a FIFO): renaming a temporary file over it would replace the device
    import threading

    fifo = tmp_path / "out.pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    write_atomic(fifo, "line\n")
    reader.join(timeout=10)
    assert received == ["line\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pipe"]


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_write_atomic_keeps_a_symlink_and_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n")
    link = tmp_path / "latest.md"
    link.symlink_to(real)
    write_atomic(link, "new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="needs /dev/stdout")
def test_output_to_dev_stdout_appends_to_the_file_stdout_goes_to(tmp_path: Path) -> None:
    # The rename used to replace the redirected file (losing what was written before)
    import shlex
    import subprocess
    import sys

    log = tmp_path / "log"
    log.write_text("EXISTING\n")
    args = [sys.executable, "-m", "step1plan", "diagnose", str(EXAMPLES / "profile.yaml")]
    args += ["--format", "json", "--as-of", "2026-11-27", "-o", "/dev/stdout"]
    command = f"{shlex.join(args)} >> {shlex.quote(str(log))}"
    done = subprocess.run(["sh", "-c", command], timeout=120, check=False)
    assert done.returncode == 0
    first, rest = log.read_text().split("\n", 1)
    assert first == "EXISTING"
    assert json.loads(rest)["schema"] == "step1plan.report/1"


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_write_atomic_keeps_a_dangling_symlink_and_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "latest.md"
    link.symlink_to(tmp_path / "real.md")
    write_atomic(link, "new\n")
    assert link.is_symlink()
    assert (tmp_path / "real.md").read_text() == "new\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_write_atomic_through_a_device_that_fails_is_a_user_error() -> None:
    with pytest.raises(UserError, match=r"^/dev/full: cannot write: No space left on device$"):
        write_atomic(Path("/dev/full"), "x" * 100_000)


def test_an_empty_output_name_is_refused() -> None:
    args = ["diagnose", str(EXAMPLES / "profile.yaml"), "--as-of", "2026-11-27", "-o", ""]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "give a file name, or - for stdout" in result.output


def test_write_atomic_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        write_atomic(tmp_path / "nope" / "out.txt", "x")


def test_write_atomic_under_a_file_says_it_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "profile.yaml").write_text("x")
    with pytest.raises(UserError, match=r"profile\.yaml is not a folder"):
        write_atomic(tmp_path / "profile.yaml" / "out.txt", "x")


def test_jsonable_converts_results() -> None:
    finding = Finding(
        "M701",
        "Retake too soon",
        Severity.warning,
        "msg",
        (Evidence("target.step1_date", dt.date(2027, 2, 10)),),
    )
    data = jsonable({"f": finding, "band": Band.lower, "cause": CauseId.timing})
    assert data == {
        "f": {
            "code": "M701",
            "title": "Retake too soon",
            "severity": "warning",
            "message": "msg",
            "evidence": [{"path": "target.step1_date", "value": "2027-02-10"}],
            "recommendation": None,
        },
        "band": "lower",
        "cause": "timing",
    }
    assert json.loads(dumps(data)) == data


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"step1plan {__version__}"


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage" in result.output
    assert "diagnose" in result.output


@pytest.mark.parametrize("bad", ["2026-02-30", "yesterday", "27/11/2026", "20261127", "2026-W48-5"])
def test_bad_as_of_is_a_one_line_error(bad: str) -> None:
    result = runner.invoke(app, ["ready", "--scores", "x.csv", "--as-of", bad])
    assert result.exit_code == 2
    assert result.stderr == f"--as-of: {bad!r} is not a date; use YYYY-MM-DD\n"


@pytest.mark.parametrize(
    "args",
    [
        ["diagnose", str(EXAMPLES / "profile.yaml")],
        ["ready", "--scores", str(EXAMPLES / "nbme.csv")],
        ["validate", str(EXAMPLES / "profile.yaml")],
        ["cohort", str(EXAMPLES / "cohort"), "--format", "csv"],
    ],
    ids=["diagnose", "ready", "validate", "cohort"],
)
def test_no_path_is_checked_by_the_parser(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    """Readability is the loaders' to check: they say it in one located line (``FILE: cannot
    read file: Permission denied``), where the parser's check printed a four-line usage block.
    With ``os.access`` saying no (as for a file the user may not read), only a parser check
    would fail: the loaders read the files (the test runs as any user)."""
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    result = runner.invoke(app, [*args, "--as-of", "2026-11-27"])
    assert result.exit_code in (0, 1), result.output


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_as_of_far_outside_any_plan_is_a_usage_error(day: str) -> None:
    # 9999-12-31 used to overflow the timeline's date arithmetic: exit 70
    result = runner.invoke(app, ["diagnose", str(EXAMPLES / "profile.yaml"), "--as-of", day])
    assert result.exit_code == 2
    assert "outside the dates the tool plans for" in result.output


def test_an_empty_plan_name_is_a_one_line_error() -> None:
    result = runner.invoke(
        app, ["diagnose", str(EXAMPLES / "profile.yaml"), "--plan", " ", "--as-of", "2026-11-27"]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("--plan: give a plan name")  # was ".: no such plan"


def test_unknown_plan_is_an_input_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["ready", "--scores", "x.csv", "--plan", str(tmp_path / "missing.yaml")]
    )
    assert result.exit_code == 2
    assert "missing.yaml" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["diagnose", str(EXAMPLES / "profile.yaml")],
        ["timeline", str(EXAMPLES / "profile.yaml")],
        ["explain", str(EXAMPLES / "profile.yaml")],
        ["ready", "--scores", str(EXAMPLES / "nbme.csv")],
    ],
)
@pytest.mark.parametrize("fmt", ["table", "json", "md"])
def test_every_report_command_writes_each_format_to_output(
    tmp_path: Path, command: list[str], fmt: str
) -> None:
    target = tmp_path / f"out.{fmt}"
    result = runner.invoke(
        app, [*command, "--as-of", "2026-11-27", "--format", fmt, "--output", str(target)]
    )
    assert result.exit_code in (0, 1), result.output
    text = target.read_text(encoding="utf-8")
    assert text.strip()
    assert "\x1b[" not in text
    if fmt == "json":
        assert json.loads(text)["schema"] == "step1plan.report/1"
    assert result.stdout == ""


@pytest.mark.parametrize(
    "command",
    [
        ["diagnose", str(EXAMPLES / "profile.yaml"), "--format", "json"],
        ["cohort", str(EXAMPLES / "cohort"), "--format", "json"],
    ],
)
def test_output_dash_means_stdout_not_a_file_named_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [*command, "--as-of", "2026-11-27", "--output", "-"])
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["schema"].startswith("step1plan.")
    assert list(tmp_path.iterdir()) == []


def test_output_dot_slash_dash_is_a_file_named_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["diagnose", str(EXAMPLES / "profile.yaml"), "--format", "json", "--as-of", "2026-11-27"]
    result = runner.invoke(app, [*args, "--output", "./-"])
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads((tmp_path / "-").read_text())["schema"] == "step1plan.report/1"


def test_output_to_a_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    args = ["diagnose", str(EXAMPLES / "profile.yaml"), "--as-of", "2026-11-27"]
    result = runner.invoke(app, [*args, "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path}: cannot write: Is a directory\n"
    assert list(tmp_path.iterdir()) == []


def test_shown_writes_bytes_that_are_not_utf8_as_the_cohort_names_files() -> None:
    from step1plan.load.messages import shown, shown_name

    name = "d\udce9/missing.csv"  # how Python holds the byte 0xE9 of a file name
    assert shown_name(name) == "d\\xe9/missing.csv"
    assert shown(name) == shown_name(name)  # one path, one spelling in one error line


def test_jsonable_converts_every_kind_of_value() -> None:
    when = dt.datetime(2026, 11, 27, 8, 30)
    value = {
        Band.lower: (1, 2.5, True, None),
        3: [dt.date(2026, 1, 2), when, [CauseId.timing]],
        "type": dt.date,
    }
    expected = {
        "lower": [1, 2.5, True, None],
        "3": ["2026-01-02", "2026-11-27T08:30:00", ["timing"]],
        "type": dt.date,
    }
    assert jsonable(value) == expected
    assert jsonable(value) == expected  # the second time through the per-type cache
    evidence = Evidence("a.b", (Band.same, dt.date(2026, 5, 1)))
    assert jsonable(evidence) == {"path": "a.b", "value": ["same", "2026-05-01"]}


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ["diagnose", str(EXAMPLES / "profile.yaml"), "--format", "json", "--as-of", "2026-11-27"],
        ["cohort", str(EXAMPLES / "cohort"), "--format", "csv", "--as-of", "2026-11-27"],
        ["--version"],
    ],
    ids=["diagnose", "cohort", "version"],
)
def test_a_full_disk_on_stdout_is_one_line_and_exit_2(args: list[str]) -> None:
    """``step1plan ... > file`` on a full disk: the machine's error, not a bug (exit 70)."""
    import subprocess
    import sys

    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "step1plan", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    errors = done.stderr.decode()
    assert done.returncode == 2, errors
    assert errors == "step1plan: cannot write the output: No space left on device\n"


@pytest.mark.skipif(os.name != "posix", reason="POSIX shell")
def test_a_closed_stdout_is_one_line_and_exit_2_and_output_files_still_work(
    tmp_path: Path,
) -> None:
    """``step1plan ... >&-``: Python starts with ``sys.stdout`` None."""
    import shlex
    import subprocess
    import sys

    base = [sys.executable, "-m", "step1plan", "diagnose", str(EXAMPLES / "profile.yaml")]
    base += ["--format", "json", "--as-of", "2026-11-27"]
    for extra, code, errors in (
        ([], 2, "step1plan: cannot write the output: stdout is closed\n"),
        (["-o", str(tmp_path / "out.json")], 0, ""),
    ):
        command = shlex.join([*base, *extra]) + " >&-"
        done = subprocess.run(
            ["sh", "-c", command], capture_output=False, stderr=subprocess.PIPE, timeout=120
        )
        assert (done.returncode, done.stderr.decode()) == (code, errors)
    assert json.loads((tmp_path / "out.json").read_text())["schema"] == "step1plan.report/1"


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_stdout_that_is_not_utf8_gets_the_report_escaped(encoding: str) -> None:
    """``PYTHONIOENCODING=ascii`` (or an old locale): not an internal error (exit 70). The
    table's box drawing and marks lie outside Latin-1 too."""
    import subprocess
    import sys

    args = ["cohort", str(EXAMPLES / "cohort"), "--format", "table", "--as-of", "2026-11-27"]
    done = subprocess.run(
        [sys.executable, "-m", "step1plan", *args],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": encoding},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    text = done.stdout.decode(encoding)
    assert "s-0001" in text


def test_a_closed_pipe_stops_quietly_with_exit_141(tmp_path: Path) -> None:
    """``step1plan cohort ... | head``: no traceback, no bug report, 128 + SIGPIPE."""
    import subprocess
    import sys

    import yaml

    base = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "examples" / "cohort" / "s-0001.yaml").read_text(
            "utf-8"
        )
    )
    for i in range(30):  # about 650 KB of JSONL: far more than a pipe buffer holds
        base["student"]["id"] = f"p-{i:03d}"
        (tmp_path / f"p-{i:03d}.yaml").write_text(yaml.safe_dump(base), "utf-8")
    command = [sys.executable, "-m", "step1plan", "cohort", str(tmp_path), "--format", "jsonl"]
    child = subprocess.Popen(
        [*command, "--as-of", "2026-11-27"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.read(100).startswith(b'{"schema"')
    child.stdout.close()  # the reader goes away while the cohort is still being written
    errors = child.stderr.read().decode()
    assert child.wait(timeout=60) == 141
    assert "internal error" not in errors and "Traceback" not in errors


def test_the_report_console_raises_a_closed_pipe_instead_of_exiting_1() -> None:
    from step1plan.terminal import stdout_console

    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    console = stdout_console(Closed())
    with pytest.raises(BrokenPipeError):
        console.print("report")


def test_a_file_with_very_many_problems_shows_the_first_ones_and_counts_the_rest() -> None:
    from step1plan.errors import MAX_PROBLEMS

    many = [Problem("a.yaml", f"problem {i}", i + 1, 1) for i in range(MAX_PROBLEMS + 7)]
    other = [Problem("b.csv", "bad date", 3)]
    lines = InputError([*many, *other]).lines()
    assert lines[:2] == ["a.yaml:1:1: problem 0", "a.yaml:2:1: problem 1"]
    assert lines[MAX_PROBLEMS] == "a.yaml: 7 more problems not shown; fix the ones above first"
    assert lines[MAX_PROBLEMS + 1 :] == ["b.csv:3: bad date"]
    assert len(InputError(many[:MAX_PROBLEMS]).lines()) == MAX_PROBLEMS  # no count when all fit


def test_validate_of_a_file_full_of_duplicate_keys_stays_short(tmp_path: Path) -> None:
    hostile = tmp_path / "dups.yaml"
    hostile.write_text("a: b\n" * 5000, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(hostile)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 51 and lines[-1].endswith(
        "4949 more problems not shown; fix the ones above first"
    )


def test_an_output_folder_that_refuses_new_files_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(UserError, match=r"cannot write in .*: Permission denied"):
        write_atomic(tmp_path / "out.txt", "x")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize(
    "command",
    [["diagnose"], ["validate"], ["explain", "--check"]],
    ids=["diagnose", "validate", "explain"],
)
def test_a_named_pipe_without_a_writer_does_not_hang(tmp_path: Path, command: list[str]) -> None:
    """Opened without blocking, it reads as empty: a located error and exit 2. Run in a child
    process with a timeout, so that a regression fails instead of hanging the suite."""
    import subprocess
    import sys

    fifo = tmp_path / "p.yaml"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "step1plan", *command, str(fifo)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(str(fifo)) and "Traceback" not in done.stderr


def test_a_problem_names_a_non_utf8_file_as_the_cohort_does() -> None:
    """Problem.format writes every file name one way, in validate and diagnose as in cohort."""
    line = Problem("caf\udce9.yaml", "no such file").format()
    assert line == "caf\\xe9.yaml: no such file"
    line.encode("utf-8")  # valid UTF-8, whatever the stream
