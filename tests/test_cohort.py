"""``step1plan cohort``: discovery, shards, output files, exit codes, and end-to-end runs on the
shipped examples/cohort/ (fixed --as-of)."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import importlib.util
import io
import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from step1plan import cohort
from step1plan.cli import app
from step1plan.cohort import (
    COLUMNS,
    CohortSummary,
    discover,
    exit_code,
    open_output,
    parse_shard,
    shard_slice,
)
from step1plan.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
COHORT = ROOT / "examples" / "cohort"
AS_OF = "2026-11-27"
runner = CliRunner()


def cli(*args: str | Path) -> Any:
    """Run the CLI with stdout and stderr kept apart."""
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def touch(path: Path, text: str = "x: 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- discovery


def test_discover_finds_yaml_and_yml_sorted_and_skips_hidden(tmp_path: Path) -> None:
    for name in (
        "b.yaml",
        "a.yml",
        "sub/c.YAML",
        "notes.txt",
        ".hidden.yaml",
        ".github/workflows/ci.yml",
        "sub/deeper/d.yaml",
    ):
        touch(tmp_path / name)
    found = discover([tmp_path])
    rel = [Path(p).relative_to(tmp_path).as_posix() for p in found]
    assert rel == ["a.yml", "b.yaml", "sub/c.YAML", "sub/deeper/d.yaml"]
    assert found == sorted(found)


def test_discover_takes_a_named_file_as_is_and_lists_each_file_once(tmp_path: Path) -> None:
    odd = touch(tmp_path / "profile.txt")
    inner = touch(tmp_path / "a.yaml")
    found = discover([tmp_path, odd, inner, tmp_path / "." / "a.yaml"])
    assert [Path(p).name for p in found] == ["a.yaml", "profile.txt"]


def test_discover_order_is_the_path_string_order(tmp_path: Path) -> None:
    names = [
        "b.yaml",
        "b/x.yaml",
        "b-x.yaml",
        "B.yaml",
        "b0.yml",
        "a/b/c.yaml",
        "a/b.yaml",
        "a b.yaml",
        "a/b-/z.yaml",
        "a/b_.yaml",
        "z.yaml",
    ]
    for name in names:
        touch(tmp_path / name)
    root = str(tmp_path)
    assert discover([tmp_path]) == sorted(f"{root}/{n}" for n in names)


def test_discover_overlapping_paths_in_any_order(tmp_path: Path) -> None:
    for name in ("a.yaml", "sub/b.yaml", "sub/c.yaml", "other/d.yaml"):
        touch(tmp_path / name)
    expected = discover([tmp_path])
    assert len(expected) == 4
    sub, c = tmp_path / "sub", tmp_path / "sub" / "c.yaml"
    assert discover([sub, c, tmp_path]) == expected
    assert discover([c, tmp_path, sub, tmp_path / "a.yaml"]) == expected
    assert discover([tmp_path / "other", sub]) == sorted(
        str(tmp_path / n) for n in ("other/d.yaml", "sub/b.yaml", "sub/c.yaml")
    )


def test_discover_takes_a_file_or_folder_named_twice_once(tmp_path: Path) -> None:
    for name in ("cohort/a.yaml", "cohort/b.yaml"):
        touch(tmp_path / name)
    folder, a = tmp_path / "cohort", tmp_path / "cohort" / "a.yaml"
    assert discover([a, a, tmp_path / "cohort" / "." / "a.yaml"]) == [str(a)]
    if os.name == "posix":
        (tmp_path / "link").symlink_to(folder)  # the same folder again, through a link
        assert discover([folder, tmp_path / "link"]) == [str(a), str(folder / "b.yaml")]


def test_a_folder_that_cannot_be_listed_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Skipping it would drop its students from the cohort and its CI gate without a word
    for name in ("cohort/a.yaml", "cohort/sub/b.yaml"):
        touch(tmp_path / name)
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if str(path).endswith("sub"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(UserError, match=r"sub: cannot read folder: Permission denied"):
        discover([tmp_path / "cohort"])


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_discover_takes_a_profile_once_however_links_name_it(tmp_path: Path) -> None:
    touch(tmp_path / "c" / "a.yaml")
    folder, a = tmp_path / "c", tmp_path / "c" / "a.yaml"
    (tmp_path / "la.yaml").symlink_to(a)  # a link to a profile the folder walk yields
    (tmp_path / "linkc").symlink_to(folder)  # a link to the folder itself
    assert discover([folder, tmp_path / "la.yaml"]) == [str(a)]
    assert discover([a, tmp_path / "linkc"]) == [str(tmp_path / "linkc" / "a.yaml")]


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_link_to_a_folder_named_like_a_profile_is_called_a_folder(tmp_path: Path) -> None:
    folder, _ = broken_cohort(tmp_path)
    (folder / "s-0004b.yaml").symlink_to(tmp_path)  # the walk does not follow it as a folder
    result = cli("cohort", folder, "--format", "csv", "--as-of", AS_OF)
    assert f"{folder / 's-0004b.yaml'}: is a folder, not a file" in result.stderr


def test_discover_normalises_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path / "cohort" / "a.yaml")
    monkeypatch.chdir(tmp_path)
    assert discover([Path("./cohort/")]) == ["cohort/a.yaml"]


def test_discover_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file or folder"):
        discover([tmp_path / "nope"])


def test_discover_folder_without_profiles_is_an_error(tmp_path: Path) -> None:
    touch(tmp_path / "readme.txt")
    with pytest.raises(UserError, match=r"no \*\.yaml or \*\.yml profile"):
        discover([tmp_path])


# ---------------------------------------------------------------- shards


@pytest.mark.parametrize(
    ("text", "parsed"), [("1/1", (1, 1)), ("2/4", (2, 4)), (" 3 / 3 ", (3, 3))]
)
def test_parse_shard_accepts_k_of_n(text: str, parsed: tuple[int, int]) -> None:
    assert parse_shard(text) == parsed


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "a/b", "2", "", "-1/2", "1/2/3"])
def test_parse_shard_rejects_bad_values(text: str) -> None:
    with pytest.raises(UserError, match="--shard"):
        parse_shard(text)


@given(st.integers(min_value=0, max_value=300), st.integers(min_value=1, max_value=40))
def test_shards_are_disjoint_cover_the_list_and_concatenate_in_order(size: int, n: int) -> None:
    files = [f"f{i:04d}.yaml" for i in range(size)]
    parts = [list(shard_slice(files, (k, n))) for k in range(1, n + 1)]
    assert [f for part in parts for f in part] == files
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_no_shard_is_the_whole_list() -> None:
    assert shard_slice(["a", "b"], None) == ["a", "b"]


def test_bad_shard_is_a_usage_error_exit_2(tmp_path: Path) -> None:
    result = cli("cohort", COHORT, "--shard", "5/4", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "--shard" in result.stderr


# ---------------------------------------------------------------- output files and exit codes


def test_open_output_writes_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with open_output(target) as out:
        out.write("line\n")
        assert not target.exists()
    assert target.read_text() == "line\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_open_output_leaves_nothing_when_the_run_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), open_output(target) as out:
        out.write("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_every_format_counts_the_same_summary() -> None:
    # jsonl builds no rows: its counts come from the reports, and must match the row formats'.
    from step1plan.cohort import WRITERS, run_cohort
    from step1plan.plans import load_plan

    files = discover([COHORT])
    summaries = {
        fmt: run_cohort(
            files,
            dt.date.fromisoformat(AS_OF),
            load_plan("default"),
            WRITERS[fmt](io.StringIO(), False),
        )
        for fmt in ("jsonl", "csv", "json")
    }
    assert summaries["jsonl"] == summaries["csv"] == summaries["json"]
    assert summaries["jsonl"].students == len(files) and sum(summaries["jsonl"].by_verdict.values())
    assert sum(summaries["jsonl"].by_top_cause.values()) == len(files)


def _summary(invalid: int, not_ready: int) -> CohortSummary:
    summary = CohortSummary(as_of=dt.date(2026, 11, 27), plan="default")
    summary.invalid, summary.not_yet_ready = invalid, not_ready
    return summary


@pytest.mark.parametrize(
    ("invalid", "not_ready", "fail_on", "code"),
    [
        (1, 1, set(), 0),
        (1, 0, {"error"}, 2),
        (0, 1, {"error"}, 0),
        (0, 1, {"not-ready"}, 1),
        (1, 0, {"not-ready"}, 0),
        (1, 1, {"error", "not-ready"}, 2),
        (0, 0, {"error", "not-ready"}, 0),
    ],
)
def test_exit_code(invalid: int, not_ready: int, fail_on: set[str], code: int) -> None:
    assert exit_code(_summary(invalid, not_ready), fail_on) == code


# ---------------------------------------------------------------- end to end on the examples


def example_files() -> list[Path]:
    return sorted(COHORT.glob("*.y*ml"))


def example_names() -> list[str]:
    names = []
    for path in example_files():
        student = yaml.safe_load(path.read_text(encoding="utf-8"))["student"]
        if student.get("name"):
            names.append(student["name"])
    return names


def test_examples_have_names_to_redact() -> None:
    assert len(example_files()) >= 5
    assert example_names()


def test_jsonl_reports_match_diagnose_json() -> None:
    result = cli("cohort", COHORT, "--format", "jsonl", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    files = example_files()
    assert len(lines) == len(files)
    for line, path in zip(lines, files, strict=True):
        single = cli("diagnose", path, "--format", "json", "--as-of", AS_OF)
        assert single.exit_code == 0, single.stderr
        # the same values, and the same keys in the same order at every level
        ordered = json.loads(line, object_pairs_hook=list)
        assert ordered == json.loads(single.stdout, object_pairs_hook=list), path.name


def test_json_document_has_summary_students_and_no_errors() -> None:
    result = cli("cohort", COHORT, "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == ["schema", "as_of", "summary", "students", "errors"]
    assert doc["as_of"] == AS_OF and doc["errors"] == []
    students = doc["students"]
    assert [s["file"] for s in students] == [str(p) for p in example_files()]
    assert doc["summary"]["students"] == len(students)
    assert sum(doc["summary"]["by_verdict"].values()) == len(students)
    assert sum(doc["summary"]["by_top_cause"].values()) == len(students)
    assert all(list(s) == list(COLUMNS) for s in students)
    verdicts = {s["verdict"] for s in students}
    assert verdicts <= {"ready", "borderline", "not_ready", "ineligible"}


def test_csv_has_header_and_one_row_per_student() -> None:
    result = cli("cohort", COHORT, "--format", "csv", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 1 + len(example_files())
    assert len({r[1] for r in rows[1:]}) == len(example_files())


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_human_formats_list_every_student(fmt: str) -> None:
    result = cli("cohort", COHORT, "--format", fmt, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    for path in example_files():
        assert path.stem in result.stdout


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "md", "table"])
def test_shards_are_disjoint_and_cover_the_cohort(fmt: str) -> None:
    whole = cli("cohort", COHORT, "--format", fmt, "--as-of", AS_OF)
    ids = [p.stem for p in example_files()]
    seen: list[str] = []
    for k in (1, 2, 3):
        part = cli("cohort", COHORT, "--format", fmt, "--as-of", AS_OF, "--shard", f"{k}/3")
        assert part.exit_code == 0, part.stderr
        seen.extend(i for i in ids if i in part.stdout)
        if fmt == "jsonl":
            seen_text = part.stdout
            assert seen_text in whole.stdout
    assert sorted(seen) == ids


def test_jsonl_shards_concatenate_to_the_whole_run() -> None:
    whole = cli("cohort", COHORT, "--format", "jsonl", "--as-of", AS_OF).stdout
    parts = [
        cli("cohort", COHORT, "--format", "jsonl", "--as-of", AS_OF, "--shard", f"{k}/4").stdout
        for k in range(1, 5)
    ]
    assert "".join(parts) == whole


def test_more_shards_than_profiles_gives_empty_shards() -> None:
    n = len(example_files()) + 2
    outputs = []
    for k in range(1, n + 1):
        result = cli("cohort", COHORT, "--format", "jsonl", "--as-of", AS_OF, "--shard", f"{k}/{n}")
        assert result.exit_code == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs.count("") == 2
    assert sum(len(o.splitlines()) for o in outputs) == len(example_files())


def broken_cohort(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the examples with a broken profile sorted in the middle."""
    folder = tmp_path / "cohort"
    shutil.copytree(COHORT, folder)
    bad = folder / "s-0005b.yaml"
    bad.write_text(
        "schema_version: 1\nstudent: {id: s-bad}\natempts: []\nstudy:\n  hours_per_week: many\n",
        encoding="utf-8",
    )
    return folder, bad


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_pipe_among_the_profiles_is_reported_and_never_waited_on(tmp_path: Path) -> None:
    folder, _ = broken_cohort(tmp_path)
    os.mkfifo(folder / "s-0004b.yaml")  # opening it for reading would wait for a writer
    seen: list[Any] = []
    worker = threading.Thread(
        target=lambda: seen.append(cli("cohort", folder, "--format", "csv", "--as-of", AS_OF)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=60)
    assert seen, "the cohort run waited on the pipe"
    result = seen[0]
    assert result.exit_code == 0
    assert f"{folder / 's-0004b.yaml'}: not a regular file" in result.stderr
    assert len(result.stdout.splitlines()) == 1 + len(example_files())


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "cohort"
    folder.mkdir()
    good, bad = (
        os.fsencode(folder / "caf") + b"\xe9.yaml",
        os.fsencode(folder / "b") + b"\xe9d.yaml",
    )
    try:
        shutil.copy(COHORT / "s-0001.yaml", os.fsdecode(good))
        Path(os.fsdecode(bad)).write_text("student: {id: x}\nbad: 1\n", encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses names that are not UTF-8")
    result = cli("cohort", folder, "--format", fmt, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    result.stdout_bytes.decode("utf-8")  # valid UTF-8 (it was exit 70 or raw 0xE9 bytes)
    assert "caf\\xe9.yaml" in result.stdout.replace("\\\\", "\\")
    assert "b\\xe9d.yaml:2:1: bad: unknown key" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "md"])
def test_a_problem_in_a_scores_file_under_a_folder_not_in_utf8_is_shown_escaped(
    tmp_path: Path, fmt: str
) -> None:
    folder = os.fsencode(tmp_path / "caf") + b"\xe9"
    try:
        os.mkdir(folder)
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses names that are not UTF-8")
    shutil.copy(ROOT / "examples" / "profile.yaml", os.fsdecode(folder + b"/profile.yaml"))
    Path(os.fsdecode(folder + b"/nbme.csv")).write_text("date,form,epc\n2026-09-01,CBSSA 26,x\n")
    target = tmp_path / f"out.{fmt}"
    result = cli("cohort", tmp_path, "--format", fmt, "--as-of", AS_OF, "--output", target)
    assert result.exit_code == 0, result.stderr  # it was exit 70 (UnicodeEncodeError)
    assert "caf\\xe9" in target.read_bytes().decode("utf-8").replace("\\\\", "\\")
    assert "caf\\xe9/nbme.csv:2: epc: expected a number" in result.stderr


def test_invalid_profile_in_the_middle_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    folder, bad = broken_cohort(tmp_path)
    result = cli("cohort", folder, "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0
    assert f"{bad}:3:" in result.stderr  # the unknown key, at FILE:LINE
    assert f"{bad}:5:" in result.stderr  # the wrong type
    doc = json.loads(result.stdout)
    assert len(doc["students"]) == len(example_files())
    assert doc["summary"]["invalid"] == 1
    assert {e["file"] for e in doc["errors"]} == {str(bad)}
    assert {e["line"] for e in doc["errors"]} == {3, 5}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "md", "table"])
def test_invalid_profile_goes_to_stderr_in_every_format(tmp_path: Path, fmt: str) -> None:
    folder, bad = broken_cohort(tmp_path)
    result = cli("cohort", folder, "--format", fmt, "--as-of", AS_OF)
    assert f"{bad}:3:" in result.stderr
    for path in example_files():
        assert path.stem in result.stdout or fmt == "jsonl"
    if fmt == "jsonl":
        assert len(result.stdout.splitlines()) == len(example_files())


def test_fail_on_error_exits_2_with_an_invalid_profile(tmp_path: Path) -> None:
    folder, _ = broken_cohort(tmp_path)
    assert (
        cli("cohort", folder, "--as-of", AS_OF, "--format", "csv", "--fail-on", "error").exit_code
        == 2
    )
    assert (
        cli(
            "cohort",
            folder,
            "--as-of",
            AS_OF,
            "--format",
            "csv",
            "--fail-on",
            "not-ready",
            "--fail-on",
            "error",
        ).exit_code
        == 2
    )


def test_fail_on_not_ready_exits_1_when_a_student_is_not_ready() -> None:
    doc = json.loads(cli("cohort", COHORT, "--format", "json", "--as-of", AS_OF).stdout)
    assert doc["summary"]["not_yet_ready"] > 0
    result = cli("cohort", COHORT, "--format", "csv", "--as-of", AS_OF, "--fail-on", "not-ready")
    assert result.exit_code == 1
    assert cli("cohort", COHORT, "--as-of", AS_OF, "--fail-on", "error").exit_code == 0


def test_fail_on_not_ready_exits_0_when_everyone_is_ready() -> None:
    doc = json.loads(cli("cohort", COHORT, "--format", "json", "--as-of", AS_OF).stdout)
    ready = [s["file"] for s in doc["students"] if s["verdict"] == "ready"]
    assert ready, "the examples should have a ready student"
    result = cli("cohort", *ready, "--format", "csv", "--as-of", AS_OF, "--fail-on", "not-ready")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv", "md"])
def test_redact_leaves_no_name_anywhere(tmp_path: Path, fmt: str) -> None:
    folder, _ = broken_cohort(tmp_path)
    names = example_names()
    plain = cli("cohort", folder, "--format", fmt, "--as-of", AS_OF)
    assert any(n in plain.stdout for n in names) or fmt == "table"
    result = cli("cohort", folder, "--format", fmt, "--as-of", AS_OF, "--redact")
    for name in names:
        assert name not in result.stdout, (fmt, name)
        assert name not in result.stderr, (fmt, name)
        for part in name.split():
            if len(part) > 2:
                assert part not in result.stdout, (fmt, part)
    if fmt == "jsonl":
        for line in result.stdout.splitlines():
            assert json.loads(line)["student"]["name"] is None


def test_output_file_is_written_and_never_over_an_input(tmp_path: Path) -> None:
    folder, _ = broken_cohort(tmp_path)
    target = tmp_path / "out.jsonl"
    result = cli("cohort", folder, "--format", "jsonl", "--as-of", AS_OF, "--output", target)
    assert result.exit_code == 0 and result.stdout == ""
    assert len(target.read_text().splitlines()) == len(example_files())
    assert "1 invalid" in result.stderr
    victim = folder / "s-0001.yaml"
    before = victim.read_text()
    refused = cli("cohort", folder, "--format", "csv", "--as-of", AS_OF, "--output", victim)
    assert refused.exit_code == 2 and "over an input" in refused.stderr
    assert victim.read_text() == before
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def generate(folder: Path, count: int, seed: int) -> None:
    """Write a synthetic cohort with the benchmark's generator (a script, not a module)."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(folder, count, seed=seed)


def test_generated_cohort_is_valid(tmp_path: Path) -> None:
    """The benchmark generator writes varied profiles that all load and analyse."""
    generate(tmp_path, 40, seed=7)
    result = cli("cohort", tmp_path, "--format", "json", "--as-of", "2026-11-27")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["errors"] == [] and doc["summary"]["students"] == 40
    assert sum(1 for v in doc["summary"]["by_verdict"].values() if v) >= 2
    # practice both before the last failed attempt (read by the causes) and after it
    import yaml

    before = after = 0
    for path in sorted(tmp_path.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        last = data["attempts"][-1]["date"]
        before += any(p["date"] < last for p in data["practice"])
        after += any(p["date"] > last for p in data["practice"])
    assert before >= 5 and after >= 5


def test_every_report_names_one_retake_date(tmp_path: Path) -> None:
    """The study plan's weeks and the timeline's retake milestone agree for every student."""
    generate(tmp_path, 80, seed=5)
    result = cli("cohort", tmp_path, "--format", "jsonl", "--as-of", "2026-11-27")
    assert result.exit_code == 0, result.stderr
    for line in result.stdout.splitlines():
        report = json.loads(line)
        milestones = report["timeline"]["milestones"]
        retake = [m["date"] for m in milestones if m["id"] == "step1_retake"]
        assert report["study_plan"]["retake_date"] == (retake[0] if retake else None)


def scores_cohort(tmp_path: Path) -> Path:
    """The main example (whose practice is in a scores_file) and the IMG example."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ("profile.yaml", "nbme.csv", "img-profile.yaml"):
        shutil.copy(ROOT / "examples" / name, folder / name)
    return folder


def test_profile_with_scores_file_matches_diagnose(tmp_path: Path) -> None:
    folder = scores_cohort(tmp_path)
    result = cli("cohort", folder, "--format", "jsonl", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    single = cli("diagnose", folder / "profile.yaml", "--format", "json", "--as-of", AS_OF)
    assert json.loads(lines[1]) == json.loads(single.stdout)
    assert any("nbme.csv" in json.dumps(v) for v in json.loads(lines[1]).values())


def test_a_profile_with_a_scores_file_is_read_and_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import step1plan.load.profile as profile_loader
    from step1plan.cohort import load_context
    from step1plan.plans import load_plan

    parsed: list[str] = []
    real_parse = profile_loader.parse_yaml
    monkeypatch.setattr(
        profile_loader,
        "parse_yaml",
        lambda text, name: parsed.append(name) or real_parse(text, name),
    )
    monkeypatch.setattr(profile_loader, "load_yaml", lambda *a: pytest.fail("read a second time"))
    folder = scores_cohort(tmp_path)
    ctx, inputs = load_context(
        str(folder / "profile.yaml"), dt.date.fromisoformat(AS_OF), load_plan("default"), False
    )
    assert parsed == [str(folder / "profile.yaml")]
    assert [p.name for p in inputs] == ["profile.yaml", "nbme.csv"]
    assert any(path.startswith("nbme.csv:") for path in ctx.score_paths)


def test_a_missing_scores_file_is_located_in_the_cohort_too(tmp_path: Path) -> None:
    folder = scores_cohort(tmp_path)
    (folder / "nbme.csv").unlink()
    result = cli("cohort", folder, "--format", "csv", "--as-of", AS_OF)
    single = cli("validate", folder / "profile.yaml", "--as-of", AS_OF)
    problem = next(line for line in result.stderr.splitlines() if "scores file not found" in line)
    assert (
        problem.startswith(f"{folder / 'profile.yaml'}:")
        and problem in single.stdout + single.stderr
    )


def test_output_over_a_profile_is_refused_before_the_run(tmp_path: Path) -> None:
    folder, _ = broken_cohort(tmp_path)
    victim = folder / "s-0003.yaml"
    before = victim.read_text()
    result = cli("cohort", tmp_path, "--format", "md", "--as-of", AS_OF, "--output", victim)
    assert result.exit_code == 2 and "over an input" in result.stderr
    assert result.stderr.count("\n") == 1  # refused before any profile was read
    assert victim.read_text() == before


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
@pytest.mark.parametrize("victim", ["profile.yaml", "nbme.csv"])
def test_output_through_a_link_to_an_input_is_refused(tmp_path: Path, victim: str) -> None:
    # The output replaces the file a link points to: a link named out.json to a profile (or to
    # a profile's scores_file) must not let the run overwrite it.
    folder = scores_cohort(tmp_path)
    link = tmp_path / "out.json"
    link.symlink_to(folder / victim)
    before = (folder / victim).read_text()
    result = cli("cohort", folder, "--format", "json", "--as-of", AS_OF, "--output", link)
    assert result.exit_code == 2 and "over an input" in result.stderr, result.stderr
    assert (folder / victim).read_text() == before
    assert link.is_symlink()
    assert not [p for p in tmp_path.rglob("*.tmp")]


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_output_that_is_an_unreadable_profile_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A profile the run cannot open is reported as invalid, but it can still be the file the
    # output replaces (the output is a link to it): the run must stop, not overwrite it.
    folder = tmp_path / "cohort"
    folder.mkdir()
    shutil.copy(COHORT / "s-0001.yaml", folder / "s-0001.yaml")
    real = tmp_path / "elsewhere.yaml"
    shutil.copy(COHORT / "s-0002.yaml", real)
    (folder / "s-0002.yaml").symlink_to(real)
    (tmp_path / "out.jsonl").symlink_to(real)
    before = real.read_text()
    real_open = os.open

    def no_read(path: Any, flags: int, *args: Any) -> int:
        if str(path) == str(folder / "s-0002.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", no_read)
    result = cli(
        "cohort", folder, "--format", "jsonl", "--as-of", AS_OF, "-o", tmp_path / "out.jsonl"
    )
    assert result.exit_code == 2, result.stderr
    assert "refusing to write the output over an input file" in result.stderr
    assert real.read_text() == before


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="read-ahead")
def test_a_low_open_file_limit_fails_no_profile(tmp_path: Path) -> None:
    # Read-ahead is only a hint: under `ulimit -n 24` every profile is still analysed.
    import resource
    import subprocess
    import sys

    folder = tmp_path / "big"
    folder.mkdir()
    for i in range(60):
        shutil.copy(COHORT / f"s-{i % 10 + 1:04d}.yaml", folder / f"p{i:03d}.yaml")

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (24, 24))

    out = str(tmp_path / "out.csv")
    args = ["cohort", str(folder), "--format", "csv", "--as-of", AS_OF, "-o", out]
    done = subprocess.run(
        [sys.executable, "-m", "step1plan", *args],
        capture_output=True,
        text=True,
        preexec_fn=low_limit,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "60 profiles, 60 analysed" in done.stderr, done.stderr


@pytest.mark.skipif(not hasattr(os, "link"), reason="hard links")
def test_output_that_is_a_profile_under_another_name_is_refused_as_it_is_read(
    tmp_path: Path,
) -> None:
    # A hard link is the same file under another name: no path check can see it, only the
    # device and inode of the profile as it is opened.
    folder = scores_cohort(tmp_path)
    target = tmp_path / "out.jsonl"
    os.link(folder / "profile.yaml", target)
    before = target.read_text()
    result = cli("cohort", folder, "--format", "jsonl", "--as-of", AS_OF, "--output", target)
    assert result.exit_code == 2, result.stderr
    assert f"refusing to write the output over an input file ({folder / 'profile.yaml'})" in (
        result.stderr
    )
    assert target.read_text() == before and (folder / "profile.yaml").read_text() == before
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_output_never_over_a_score_file(tmp_path: Path) -> None:
    folder = scores_cohort(tmp_path)
    csv_file = folder / "nbme.csv"
    before = csv_file.read_text()
    result = cli("cohort", folder, "--format", "csv", "--as-of", AS_OF, "--output", csv_file)
    assert result.exit_code == 2 and "over an input" in result.stderr
    assert csv_file.read_text() == before
    assert sorted(p.name for p in folder.iterdir()) == [
        "img-profile.yaml",
        "nbme.csv",
        "profile.yaml",
    ]


def test_internal_error_names_the_profile_and_exits_70(monkeypatch: pytest.MonkeyPatch) -> None:
    import step1plan.analysis

    def broken(ctx: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(step1plan.analysis, "analyse", broken)
    result = cli("cohort", COHORT, "--format", "csv", "--as-of", AS_OF)
    assert result.exit_code == 70
    assert f"{example_files()[0]}: internal error" in result.stderr


def test_large_cohort_on_a_terminal_shows_progress_and_still_reports_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from step1plan.cohort import PROGRESS_MIN_FILES, run_cohort_command
    from step1plan.plans import load_plan

    for i in range(PROGRESS_MIN_FILES + 1):
        shutil.copy(COHORT / "s-0002.yaml", tmp_path / f"p{i:03d}.yaml")
    touch(tmp_path / "p025b.yaml", "student: {id: x}\nbogus: 1\n")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    fake = Terminal()
    monkeypatch.setattr("sys.stderr", fake)
    target = tmp_path / "out.csv"
    code = run_cohort_command(
        [tmp_path],
        dt.date(2026, 11, 27),
        load_plan("default"),
        "csv",
        target,
        {"error"},
        False,
        None,
    )
    assert code == 2
    assert len(target.read_text().splitlines()) == 1 + PROGRESS_MIN_FILES + 1
    shown = fake.getvalue()
    assert "p025b.yaml:2" in shown
    assert "cohort: 52 profiles, 51 analysed, 1 invalid" in shown
    assert "0/52" in shown  # the progress bar was drawn


def test_the_run_keeps_start_up_objects_out_of_the_collector_and_restores_it_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc
    import sys

    from step1plan import cohort

    frozen_during: list[int] = []
    original = cohort.run_cohort

    def watching(*args: Any, **kwargs: Any) -> Any:
        frozen_during.append(gc.get_freeze_count())
        assert "step1plan.rules.studyplan" in sys.modules  # rules imported before the freeze
        return original(*args, **kwargs)

    monkeypatch.setattr(cohort, "run_cohort", watching)
    before = gc.get_freeze_count()
    result = cli("cohort", COHORT, "--format", "csv", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert frozen_during and frozen_during[0] > before
    assert gc.get_freeze_count() == 0  # unfrozen when the run ends, even in-process


class _FullSpool(io.StringIO):
    """A temporary file on a full disk: every write fails."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("fmt", ["md", "json", "table"])
def test_a_full_temporary_folder_is_named_not_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """The spooled formats keep their rows in the temporary folder: when that disk is full the
    error names it, not the output file (whose disk may have room), and no output is left."""
    monkeypatch.setattr(cohort.tempfile, "TemporaryFile", lambda *a, **k: _FullSpool())
    out = tmp_path / f"out.{fmt}"
    result = cli("cohort", COHORT, "--format", fmt, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 2
    line = result.stderr.strip().splitlines()[-1]
    assert "cannot write the temporary file that holds the rows: No space left" in line
    assert str(out) not in line
    assert not out.exists()


class _UnreadableSpool(io.StringIO):
    """A temporary file whose disk fails when the rows are read back."""

    def __iter__(self) -> Any:
        raise OSError(errno.EIO, os.strerror(errno.EIO))


@pytest.mark.parametrize("fmt", ["md", "json", "table"])
def test_a_failed_read_of_the_spooled_rows_names_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setattr(cohort.tempfile, "TemporaryFile", lambda *a, **k: _UnreadableSpool())
    out = tmp_path / f"out.{fmt}"
    result = cli("cohort", COHORT, "--format", fmt, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 2
    line = result.stderr.strip().splitlines()[-1]
    reason = os.strerror(errno.EIO)
    assert line.endswith(f"cannot read back the temporary file that holds the rows: {reason}")
    assert not out.exists()


def test_an_oversized_profile_is_refused_with_its_size_before_reading(tmp_path: Path) -> None:
    """As diagnose refuses it (read_text): the size from stat, not the 1 MiB read so far."""
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(3 * 1024 * 1024)
    result = cli("cohort", big, "--format", "csv", "--as-of", AS_OF)
    assert result.exit_code == 0  # an invalid profile is reported and the run goes on
    assert f"{big}: file is too large (3145728 bytes; the limit is 1048576)" in result.stderr


def test_many_named_files_are_found_without_checking_each_against_all() -> None:
    """Naming the cohort's files one by one (a shell glob) finds each once, in order."""
    files = sorted(COHORT.rglob("*.yaml"))
    assert discover([*files, *files]) == [str(f) for f in files]
