"""Plans: the shipped ones load and are ordered, plan files get located errors, and the shipped
plans travel inside the wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from step1plan.errors import InputError
from step1plan.load.plan import MAX_EXTENDS_DEPTH, load_plan_file
from step1plan.plans import SHIPPED, Plan, ReadinessBar, load_plan, plans_dir

ROOT = Path(__file__).resolve().parents[1]
WriteFile = Callable[[str, str | bytes], Path]
"""The ``write`` fixture of conftest.py: ``write(name, content) -> path``."""

HIGHER_IS_STRICTER = {
    "min_assessments",
    "min_pass_probability",
    "min_epc",
    "min_free120_percent",
}
LOWER_IS_STRICTER = {"max_epc_spread", "max_days_before_test"}
WINDOW = "window_days"
"""Not a bar on its own: a longer window is allowed when more assessments are asked for, so the
density of evidence (assessments per window day) must not drop."""


def plan_errors(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_plan_file(path, path.name)
    return info.value.lines()


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_plans_load(name: str) -> None:
    plan = load_plan(name)
    assert isinstance(plan, Plan)
    assert plan.name == name
    assert (plans_dir() / f"{name}.yaml").is_file()


def test_every_bar_key_has_a_direction() -> None:
    assert set(ReadinessBar.model_fields) == HIGHER_IS_STRICTER | LOWER_IS_STRICTER | {WINDOW}


def _at_least_as_strict(strict: ReadinessBar, loose: ReadinessBar) -> list[str]:
    """The keys where ``strict`` is looser than ``loose``."""
    looser = [k for k in HIGHER_IS_STRICTER if getattr(strict, k) < getattr(loose, k)]
    looser += [k for k in LOWER_IS_STRICTER if getattr(strict, k) > getattr(loose, k)]
    if strict.min_assessments / strict.window_days < loose.min_assessments / loose.window_days:
        looser.append(WINDOW)
    return looser


def test_strict_retaker_bar_is_at_least_as_strict_on_every_threshold() -> None:
    default, strict = load_plan("default"), load_plan("strict")
    assert _at_least_as_strict(strict.readiness.retaker, default.readiness.retaker) == []
    assert strict.readiness.retaker != default.readiness.retaker
    assert strict.readiness.min_trend_slope_per_week >= default.readiness.min_trend_slope_per_week
    assert strict.study.min_weeks >= default.study.min_weeks
    assert strict.timeline.step2ck_min_prep_weeks >= default.timeline.step2ck_min_prep_weeks


@pytest.mark.parametrize("name", SHIPPED)
def test_retaker_bar_is_at_least_as_strict_as_first_timer(name: str) -> None:
    plan = load_plan(name)
    assert _at_least_as_strict(plan.readiness.retaker, plan.readiness.first_timer) == []


def test_strict_only_overrides_what_differs() -> None:
    default, strict = load_plan("default"), load_plan("strict")
    assert strict.extends == "default"
    assert strict.strategy == default.strategy
    assert strict.causes == default.causes


def test_extends_by_name_and_relative_path(write: WriteFile) -> None:
    write(
        "plans/mine.yaml", "name: mine\nextends: strict\nreadiness:\n  retaker:\n    min_epc: 75\n"
    )
    child = write(
        "team/child.yaml", "name: child\nextends: ../plans/mine.yaml\nstudy:\n  max_weeks: 30\n"
    )
    plan = load_plan(str(child))
    assert plan.name == "child"
    assert plan.readiness.retaker.min_epc == 75
    assert (
        plan.readiness.retaker.min_assessments
        == load_plan("strict").readiness.retaker.min_assessments
    )
    assert plan.study.max_weeks == 30
    assert plan.study.min_weeks == load_plan("strict").study.min_weeks


def test_bad_plan_file_gives_file_line_column_errors(write: WriteFile) -> None:
    path = write(
        "bad.yaml",
        "name: bad\n"
        "extends: default\n"
        "readiness:\n"
        "  retaker:\n"
        "    min_epc: 170\n"
        "    min_epcc: 3\n"
        "study:\n"
        "  min_weeks: x\n",
    )
    assert plan_errors(path) == [
        "bad.yaml:5:14: readiness.retaker.min_epc: must be at most 100",
        "bad.yaml:6:5: readiness.retaker.min_epcc: unknown key 'min_epcc'; did you mean 'min_epc'?",
        "bad.yaml:8:14: study.min_weeks: expected a whole number, got 'x'",
    ]


def test_a_study_window_upside_down_and_a_form_number_below_1_are_errors(
    write: WriteFile,
) -> None:
    path = write(
        "bad.yaml",
        "name: bad\nextends: default\nstudy:\n  min_weeks: 50\n  max_weeks: 10\n"
        "  cbssa_forms: [26, -3]\n",
    )
    assert plan_errors(path) == [
        "bad.yaml:5:14: study.max_weeks: must be at least min_weeks (50)",
        "bad.yaml:6:21: study.cbssa_forms.1: must be at least 1",
    ]


def test_missing_keys_are_reported_where_their_mapping_is(write: WriteFile) -> None:
    path = write("part.yaml", "name: part\nreadiness:\n  low_pass_epc: 65\n")
    errors = plan_errors(path)
    assert "part.yaml:1:1: causes: required key is missing" in errors
    assert "part.yaml:3:3: readiness.trend_window: required key is missing" in errors


def test_an_error_in_the_parent_is_reported_in_the_parent(write: WriteFile) -> None:
    write("base.yaml", "name: base\nextends: default\nstudy:\n  min_weeks: -1\n")
    child = write("child.yaml", "name: child\nextends: base.yaml\n")
    with pytest.raises(InputError) as info:
        load_plan_file(child)
    (problem,) = info.value.problems
    assert Path(problem.file).name == "base.yaml"
    assert (problem.line, problem.field, problem.message) == (
        4,
        "study.min_weeks",
        "must be at least 1",
    )


def test_extends_cycle_is_detected(write: WriteFile) -> None:
    write("a.yaml", "name: a\nextends: b.yaml\n")
    path = write("b.yaml", "name: b\nextends: a.yaml\n")
    (line,) = plan_errors(path)
    assert line.startswith("a.yaml:2:10: extends: extends forms a cycle")


def test_plan_extending_itself_is_a_cycle(write: WriteFile) -> None:
    path = write("self.yaml", "name: self\nextends: self.yaml\n")
    (line,) = plan_errors(path)
    assert "cycle" in line


def test_extends_chain_depth_is_capped(write: WriteFile) -> None:
    for i in range(MAX_EXTENDS_DEPTH + 1):
        write(f"p{i}.yaml", f"name: p{i}\nextends: p{i + 1}.yaml\n")
    path = write(f"p{MAX_EXTENDS_DEPTH + 1}.yaml", "name: last\nextends: default\n")
    assert path.is_file()
    (line,) = plan_errors(path.with_name("p0.yaml"))
    assert f"more than {MAX_EXTENDS_DEPTH} plans extend each other" in line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("name: x\nextends: nowhere.yaml\n", "x.yaml:2:10: extends: no plan 'nowhere.yaml'"),
        ("name: x\nextends: [default]\n", "x.yaml:2:10: extends: expected the name or path"),
        ("- default\n", "x.yaml:1:1: a plan must be a mapping of keys"),
        ("", "x.yaml:1:1: a plan must be a mapping of keys; this file is empty"),
        ("name: x\nname: y\n", "x.yaml:2:1: name: duplicate key 'name'"),
    ],
)
def test_bad_plan_structure(write: WriteFile, content: str, expected: str) -> None:
    assert plan_errors(write("x.yaml", content))[0].startswith(expected)


def test_a_plan_path_that_is_no_file_says_what_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    with pytest.raises(InputError) as info:
        load_plan(str(folder))
    assert info.value.lines() == [f"{folder}: is a folder, not a plan file"]
    if hasattr(os, "mkfifo"):
        pipe = tmp_path / "plan.yaml"
        os.mkfifo(pipe)
        with pytest.raises(InputError) as info:
            load_plan(str(pipe))
        assert info.value.lines() == [
            f"{pipe}: is not a regular file (a pipe or a device), not a plan file"
        ]


def test_unknown_plan_name() -> None:
    with pytest.raises(InputError) as info:
        load_plan("lenient")
    assert info.value.lines() == [
        "lenient: no such plan; use default or strict, or the path of a plan file"
    ]
    with pytest.raises(InputError) as info:
        load_plan("strictt")
    assert info.value.lines() == [
        "strictt: no such plan; did you mean 'strict'? Use default or strict, or the path of a "
        "plan file"
    ]


def test_pyproject_ships_the_plans_inside_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    force = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert force["plans"] == "step1plan/plans"


def test_plans_dir_prefers_the_packaged_folder(tmp_path: Path) -> None:
    """An installed layout (step1plan/plans/ next to plans.py) is found without the checkout."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "src" / "step1plan", site / "step1plan")
    shutil.copytree(ROOT / "plans", site / "step1plan" / "plans")
    _check_installed(site)


@pytest.mark.slow
def test_plans_dir_works_from_a_built_wheel(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if built.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {built.stderr.strip()[-200:]}")
    (wheel,) = (tmp_path / "dist").glob("step1plan-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert {f"step1plan/plans/{n}.yaml" for n in SHIPPED} <= set(names)
        archive.extractall(tmp_path / "site")
    _check_installed(tmp_path / "site")


def _check_installed(site: Path) -> None:
    code = (
        "from step1plan.plans import plans_dir, load_plan; "
        "print(plans_dir()); print(load_plan('strict').name)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=site.parent,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    folder, name = result.stdout.split()
    assert Path(folder) == site / "step1plan" / "plans"
    assert name == "strict"


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_trend_slope_must_be_finite(write: WriteFile, value: str) -> None:
    path = write("odd.yaml", f"extends: default\nreadiness:\n  min_trend_slope_per_week: {value}\n")
    assert plan_errors(path) == [
        "odd.yaml:3:29: readiness.min_trend_slope_per_week: expected a finite number"
    ]


def test_a_negative_trend_slope_is_allowed(write: WriteFile) -> None:
    path = write("flat.yaml", "extends: default\nreadiness:\n  min_trend_slope_per_week: -0.5\n")
    assert load_plan_file(path).readiness.min_trend_slope_per_week == -0.5


def test_a_bar_judges_the_pass_probability_when_given_else_the_epc() -> None:
    bar = load_plan("default").readiness.retaker
    assert bar.judged_on(66, 0.92) == ("pass_probability", 0.92, bar.min_pass_probability)
    assert bar.judged_on(66, None) == ("epc", 66, bar.min_epc)
    assert bar.judged_on(None, None) is None
