"""The rule registry and the CLI surface: conventions every engineer follows, checked for all.

- every rule has a unique, well-formed code whose digit matches its prefix, a title and a
  docstring that documents it (a summary, then why it exists);
- every rule code has a test that triggers it and one that does not, named
  ``<code>_triggers`` / ``<code>_quiet`` in a test function name or parametrize id;
- ``--help`` and ``--version`` import no models, rules or renderers;
- every command (and option) has help text.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from step1plan.cli import app
from step1plan.rules import RULE_MODULES, all_rules
from step1plan.rules.base import CODE_PATTERN, PREFIX_DIGIT, RuleInfo

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
RULES_DIR = ROOT / "src" / "step1plan" / "rules"
DIGIT_OF_PREFIX = {"C": "1", "E": "2", "R": "3", "P": "4", "T": "5", "S": "6", "M": "7"}
"""C1xx causes, E2xx eligibility, R3xx readiness, P4xx study plan, T5xx timeline, S6xx strategy,
M7xx mistakes (DESIGN.md "Rules")."""
DECORATOR = re.compile(r"""@rule\(\s*["']([A-Za-z0-9]+)["']""")


@cache
def rules() -> tuple[RuleInfo, ...]:
    """Every registered rule (imports every rule module once)."""
    return tuple(all_rules())


@cache
def _tests_text() -> str:
    """The text of every test module, where the trigger/quiet test names are looked for."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(TESTS.glob("test_*.py")))


def _has_test_name(code: str, suffix: str) -> bool:
    needle = re.compile(rf"(?<![a-z0-9]){code.lower()}_{suffix}")
    return needle.search(_tests_text()) is not None


# ---------------------------------------------------------------- the registry


def test_there_are_rules_in_every_concern() -> None:
    prefixes = {info.code[0] for info in rules()}
    assert prefixes == set(DIGIT_OF_PREFIX), f"no rules yet for {set(DIGIT_OF_PREFIX) - prefixes}"


def test_prefix_table_matches_the_design() -> None:
    assert PREFIX_DIGIT == DIGIT_OF_PREFIX


def test_rule_codes_are_well_formed() -> None:
    for info in rules():
        assert re.fullmatch(r"[CERPTSM][1-7]\d\d", info.code), info.code
        assert CODE_PATTERN.match(info.code), info.code
        assert info.code[1] == DIGIT_OF_PREFIX[info.code[0]], (
            f"{info.code}: a {info.code[0]} rule must be numbered {DIGIT_OF_PREFIX[info.code[0]]}xx"
        )


def test_rule_codes_are_unique_in_the_source() -> None:
    # The registry is a dict, so scan the decorators too: a code reused in two modules
    # (or twice in one) would otherwise silently replace the first rule.
    rules()
    found: Counter[str] = Counter()
    for name in RULE_MODULES:
        path = RULES_DIR / f"{name}.py"
        if path.is_file():
            found.update(DECORATOR.findall(path.read_text(encoding="utf-8")))
        else:
            package = RULES_DIR / name
            for module in sorted(package.rglob("*.py")):
                found.update(DECORATOR.findall(module.read_text(encoding="utf-8")))
    duplicates = sorted(code for code, n in found.items() if n > 1)
    assert not duplicates, f"rule codes used more than once: {duplicates}"
    assert set(found) == {info.code for info in rules()}


def test_rule_modules_are_listed_in_the_registry() -> None:
    for info in rules():
        assert info.module.removeprefix("step1plan.rules.").split(".")[0] in RULE_MODULES


def test_rules_carry_code_and_title() -> None:
    for info in rules():
        assert info.title.strip(), f"{info.code} has no title"
        assert len(info.title) <= 80, f"{info.code}: keep the title short"
        assert info.title == info.title.strip()
        assert getattr(info.func, "code", None) == info.code
        assert getattr(info.func, "title", None) == info.title


def _sentences(text: str) -> int:
    return len([s for s in re.split(r"[.!?](?:\s|$)", text) if s.strip()])


def test_rules_are_documented() -> None:
    for info in rules():
        doc = info.doc
        assert doc, f"{info.code} ({info.func.__qualname__}) has no docstring"
        lines = [line for line in doc.splitlines() if line.strip()]
        assert len(lines) >= 2 or _sentences(doc) >= 2, (
            f"{info.code}: the docstring needs a summary and then why the rule exists "
            "and which source backs its numbers"
        )


def test_every_rule_has_a_triggering_and_a_quiet_test() -> None:
    missing = [
        f"{info.code.lower()}_{suffix}"
        for info in rules()
        for suffix in ("triggers", "quiet")
        if not _has_test_name(info.code, suffix)
    ]
    assert not missing, f"no test named after: {', '.join(missing)}"


def test_the_test_name_check_finds_names() -> None:
    # The check above must not pass vacuously: it finds this very test's marker names.
    assert _has_test_name("X999", "triggers")  # x999_triggers (this comment is the marker)
    assert not _has_test_name("X998", "quiet")


# ---------------------------------------------------------------- start-up cost

_IMPORTS_AFTER = """
import json, sys
from step1plan import cli
try:
    cli.app(ARGS, prog_name="step1plan")
except SystemExit:
    pass
heavy = sorted(
    m for m in sys.modules
    if m.startswith(("step1plan.models", "step1plan.rules", "step1plan.report",
                     "step1plan.analysis", "step1plan.plans", "step1plan.load",
                     "step1plan.cohort"))
)
sys.stderr.write("\\nIMPORTED=" + json.dumps(heavy) + "\\n")
"""


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["diagnose", "--help"], ["cohort", "--help"]],
    ids=["help", "version", "diagnose-help", "cohort-help"],
)
def test_help_and_version_import_no_models_rules_or_renderers(args: list[str]) -> None:
    # Our own heavy packages only: typer itself may import pydantic, which is not ours to avoid.
    code = _IMPORTS_AFTER.replace("ARGS", repr(args))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    marker = [line for line in done.stderr.splitlines() if line.startswith("IMPORTED=")]
    assert marker, done.stderr
    assert json.loads(marker[-1].removeprefix("IMPORTED=")) == []
    assert done.stdout.strip(), "the help or version text was not printed"


# ---------------------------------------------------------------- help text


def _commands() -> dict[str, Any]:
    """The click commands behind the typer app (typer may vendor click: no direct import)."""
    group: Any = typer.main.get_command(app)
    return dict(group.commands)


def test_the_design_commands_exist() -> None:
    assert set(_commands()) >= {
        "diagnose",
        "ready",
        "timeline",
        "cohort",
        "validate",
        "init",
        "schema",
        "explain",
    }


def test_every_command_and_option_has_help_text() -> None:
    for name, command in _commands().items():
        assert (command.help or "").strip(), f"command {name} has no help text"
        for param in command.params:
            if param.name == "help":
                continue
            text = getattr(param, "help", None)
            assert (text or "").strip(), f"{name}: {param.name} has no help text"


@pytest.mark.parametrize(
    "name",
    ["diagnose", "ready", "timeline", "cohort", "validate", "init", "schema", "explain"],
)
def test_command_help_prints(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    help_text = (_commands()[name].help or "").split("\n")[0].strip()
    assert help_text[:30] in " ".join(result.output.split())


@pytest.mark.parametrize(
    "name",
    ["diagnose", "ready", "timeline", "cohort", "validate", "init", "schema", "explain"],
)
def test_option_help_shows_no_python_type_names(name: str) -> None:
    """Options show their values (``--fail-on error|not-ready``), never a Python type such as
    ``<list[error|not-ready]>``."""
    result = CliRunner().invoke(app, [name, "--help"], terminal_width=200)
    options = result.output.split("Options:", 1)[-1]
    assert "list[" not in options and "<Path>" not in options, options
