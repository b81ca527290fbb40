"""The CI example (examples/ci/step1plan-cohort.yml) runs as written.

A small stand-in for the GitHub runner parses the workflow, fills in the ``${{ }}`` expressions
it uses, and runs each job's ``run:`` scripts with bash (as GitHub does: ``-eo pipefail``) and the
installed ``step1plan`` console script, on a copy of examples/cohort/ with a fixed date: the
``validate`` job, every shard of the ``cohort`` matrix, then the ``merge`` job, with
``upload-artifact`` / ``download-artifact`` played by folder copies. The merged JSONL must equal
the unsharded run, and the job summary must list every student and no name.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "examples" / "ci" / "step1plan-cohort.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
COHORT = ROOT / "examples" / "cohort"
AS_OF = "2026-11-27"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SKIPPED_ACTIONS = ("actions/checkout@", "actions/setup-python@")


def workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def console_script() -> str:
    """The installed ``step1plan`` executable (next to this interpreter, else on PATH)."""
    local = Path(sys.executable).with_name("step1plan")
    found = str(local) if local.exists() else shutil.which("step1plan")
    assert found, "the step1plan console script is not installed"
    return found


class Runner:
    """Just enough of GitHub Actions to run this workflow locally."""

    def __init__(self, base: Path, profiles: Path) -> None:
        self.base = base
        self.artifacts = base / "artifacts"
        self.artifacts.mkdir()
        self.context: dict[str, str] = {"inputs.as_of": AS_OF}
        self.env = dict(os.environ)
        self.env["PATH"] = str(Path(console_script()).parent) + os.pathsep + self.env["PATH"]
        self.env.update({k: self.expand(str(v)) for k, v in workflow()["env"].items()})
        self.env["PROFILES"] = str(profiles)
        self.summaries: list[str] = []
        self.commands: list[str] = []

    def expand(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            assert name in self.context, f"the test runner does not know ${{{{ {name} }}}}"
            return self.context[name]

        return EXPRESSION.sub(value, text)

    def run_job(self, name: str, matrix: dict[str, Any] | None = None) -> Path:
        job = workflow()["jobs"][name]
        work = self.base / (name + ("-" + "-".join(map(str, matrix.values())) if matrix else ""))
        work.mkdir()
        saved = dict(self.context)
        for key, val in (matrix or {}).items():
            self.context[f"matrix.{key}"] = str(val)
        if matrix:
            self.context["strategy.job-total"] = str(len(job["strategy"]["matrix"]["shard"]))
        for step in job["steps"]:
            if "uses" in step:
                self.use(step, work)
            elif "pip install" not in step["run"]:
                self.run_step(step, work)
        outputs = {k: self.expand(v) for k, v in job.get("outputs", {}).items()}
        self.context = saved
        self.context.update({f"needs.{name}.outputs.{k}": v for k, v in outputs.items()})
        return work

    def run_step(self, step: dict[str, Any], work: Path) -> None:
        out_file, summary = work / "github_output", work / "step_summary"
        out_file.write_text("")
        env = {**self.env, **{k: self.expand(str(v)) for k, v in step.get("env", {}).items()}}
        env.update(GITHUB_OUTPUT=str(out_file), GITHUB_STEP_SUMMARY=str(summary))
        script = self.expand(step["run"])
        self.commands.append(script)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, (step.get("name"), done.stdout, done.stderr)
        if "id" in step:
            for line in out_file.read_text().splitlines():
                key, _, val = line.partition("=")
                self.context[f"steps.{step['id']}.outputs.{key}"] = val
        if summary.exists():
            self.summaries.append(summary.read_text(encoding="utf-8"))

    def use(self, step: dict[str, Any], work: Path) -> None:
        action, args = (
            step["uses"],
            {k: self.expand(str(v)) for k, v in step.get("with", {}).items()},
        )
        if action.startswith(SKIPPED_ACTIONS):
            return
        if action.startswith("actions/upload-artifact@"):
            target = self.artifacts / args["name"]
            target.mkdir()
            for line in args["path"].split():
                shutil.copy(work / line, target / Path(line).name)
        elif action.startswith("actions/download-artifact@"):
            assert args.get("merge-multiple") == "True"
            into = work / args["path"]
            into.mkdir(parents=True)
            for artifact in sorted(self.artifacts.iterdir()):
                if fnmatch.fnmatch(artifact.name, args["pattern"]):
                    for file in artifact.iterdir():
                        shutil.copy(file, into / file.name)
        else:
            raise AssertionError(f"the test runner does not know the action {action}")


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("ci")
    profiles = base / "profiles"
    shutil.copytree(COHORT, profiles)
    runner = Runner(base, profiles)
    runner.run_job("validate")
    shards = workflow()["jobs"]["cohort"]["strategy"]["matrix"]["shard"]
    for shard in shards:
        runner.run_job("cohort", {"shard": shard})
    merge = runner.run_job("merge")
    whole = subprocess.run(
        [
            console_script(),
            "cohort",
            str(profiles),
            "--format",
            "jsonl",
            "--as-of",
            AS_OF,
            "--redact",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {
        "runner": runner,
        "merge": merge,
        "whole": whole,
        "shards": shards,
        "profiles": profiles,
    }


def test_workflow_invokes_step1plan_for_validate_shards_and_summary() -> None:
    scripts = [
        step["run"] for job in workflow()["jobs"].values() for step in job["steps"] if "run" in step
    ]
    text = "\n".join(scripts)
    assert "step1plan validate" in text
    assert re.search(r"step1plan cohort .*--shard \"\$SHARD\" --format jsonl --as-of", text)
    assert "--format md" in text and "GITHUB_STEP_SUMMARY" in text
    assert "${{ matrix.shard }}/${{ strategy.job-total }}" in WORKFLOW.read_text()


def test_the_run_date_is_fixed_once_and_passed_on(ran: dict[str, Any]) -> None:
    assert ran["runner"].context["needs.validate.outputs.as_of"] == AS_OF


def test_every_shard_ran_with_its_own_slice(ran: dict[str, Any]) -> None:
    runner = ran["runner"]
    shard_scripts = [c for c in runner.commands if "--shard" in c]
    assert len(shard_scripts) == len(ran["shards"]) > 1
    sizes = [
        len((runner.artifacts / f"cohort-shard-{k}" / f"cohort-{k}.jsonl").read_text().splitlines())
        for k in ran["shards"]
    ]
    assert sum(sizes) == len(list(COHORT.glob("*.yaml")))


def test_merged_shards_equal_the_unsharded_run(ran: dict[str, Any]) -> None:
    merged = (ran["merge"] / "cohort.jsonl").read_text(encoding="utf-8")
    assert merged
    assert merged == ran["whole"]


def test_job_summary_lists_every_student_and_no_name(ran: dict[str, Any]) -> None:
    (summary,) = ran["runner"].summaries
    assert summary.startswith("# step1plan cohort, as of " + AS_OF)
    for path in sorted(ran["profiles"].glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["student"]["id"] in summary
        name = data["student"].get("name")
        if name:
            assert name not in summary
    merged = (ran["merge"] / "cohort.jsonl").read_text(encoding="utf-8").splitlines()
    assert merged
    for line in merged:
        assert json.loads(line)["student"]["name"] is None


def test_pre_commit_hook_runs_validate_on_profiles_and_score_files() -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert hook["id"] == "step1plan-validate"
    assert hook["entry"] == "step1plan validate"
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])

    def checked(path: str) -> bool:
        return bool(files.search(path)) and not exclude.search(path)

    assert checked("profiles/s-0001.yaml") and checked("a.yml") and checked("scores/nbme.csv")
    assert not checked(".pre-commit-config.yaml")
    assert not checked(".github/workflows/ci.yml")
    assert not checked("README.md") and not checked("profiles/notes.txt")
