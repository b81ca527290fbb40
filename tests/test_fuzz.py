"""Fuzzing ``validate`` with random and mutated profile and CSV bytes: never a traceback.

Whatever the bytes, the command exits 0 (valid) or 2 (invalid, every problem on its own line)
and prints no traceback.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.testing
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mutation import mutate
from step1plan import cli
from step1plan.cli import app
from step1plan.errors import InputError
from step1plan.plans import load_plan
from step1plan.starter import starter_profile

RUNNER = CliRunner()
AS_OF = "2026-11-27"
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

PROFILE = (
    starter_profile(img=False)
    + "practice:\n  - &p {date: 2026-10-01, form: CBSSA 29, epc: 62, pass_probability: 0.41}\n"
).encode()
# The starter already has "practice: []": replace it so the seed stays valid YAML.
PROFILE = PROFILE.replace(b"practice: []\n", b"", 1)
CSV = (
    b"date,form,epc,pass_probability,score,percent_correct,unfinished_blocks,seen_before\r\n"
    b"2026-09-21,CBSSA 29,60,0.29,,,1,false\r\n"
    b"9/1/2026,Free 120,,,,71%,0,no\r\n"
    b"2026-10-26,UWSA 1,,,226,,0,\r\n"
)
SNIPPETS = [
    b"\t",
    b"&a ",
    b"*a",
    b"*a\n",
    b"<<: *a\n",
    b"---\n",
    b": ",
    b"- ",
    b"{",
    b"}",
    b"[",
    b"]",
    b"#",
    b"'",
    b'"',
    b"\xff",
    b"\xc3",
    b"\x00",
    b"\xef\xbb\xbf",
    b"yes",
    b"no",
    b"2026-02-30",
    b"1e400",
    b"9" * 50,
    b"!!python/object:os.system ",
    b"%",
    b";",
    b",",
    b"\r\n",
    b"\n\n",
    b"?",
    b"|",
    b">",
    b"@",
    b"`",
    b"~",
    b"null",
    b"\\",
    b"   ",
]


@pytest.fixture(autouse=True, scope="module")
def _fast_invocations() -> Iterator[None]:
    """Build the click command and load the plan once for the module, not once per example:
    they are tested elsewhere and dominate the cost of an invocation."""
    with pytest.MonkeyPatch.context() as patch:
        if hasattr(typer.testing, "_get_command"):
            patch.setattr(
                typer.testing, "_get_command", functools.cache(typer.testing._get_command)
            )
        patch.setattr(cli, "_plan", functools.cache(load_plan))
        yield


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """The seed with a few deletions, duplications and insertions of risky snippets."""
    return mutate(draw, seed, SNIPPETS)


def run_validate(name: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        # A profile may name a scores_file: give it one to find (or not, when mutated).
        (Path(folder) / "nbme.csv").write_bytes(CSV)
        result = RUNNER.invoke(app, ["validate", str(path), "--as-of", AS_OF])
    assert result.exit_code in (0, 2), (result.exit_code, result.output, content)
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    if result.exit_code == 2:
        assert all(line.startswith(str(path)) for line in result.stderr.splitlines())


def test_seeds_are_valid() -> None:
    for name, content in (("p.yaml", PROFILE), ("s.csv", CSV)):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            result = RUNNER.invoke(app, ["validate", str(path), "--as-of", AS_OF])
        assert result.exit_code == 0, result.output


@SETTINGS
@given(mutated(PROFILE))
def test_mutated_profiles_never_crash(content: bytes) -> None:
    run_validate("p.yaml", content)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_as_a_profile_never_crash(content: bytes) -> None:
    run_validate("p.yaml", content)


@SETTINGS
@given(st.lists(st.sampled_from([*SNIPPETS, b"student", b"id", b"x", b"1"]), max_size=40))
def test_yaml_token_soup_never_crashes(parts: list[bytes]) -> None:
    run_validate("p.yml", b"".join(parts))


@SETTINGS
@given(mutated(CSV))
def test_mutated_csvs_never_crash(content: bytes) -> None:
    run_validate("s.csv", content)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_as_a_csv_never_crash(content: bytes) -> None:
    run_validate("s.csv", content)


def _outcome(load: object, text: str) -> tuple[str, str]:
    """What a loader does with the text: ("data", repr) or ("error", kind)."""
    from step1plan.load import fastyaml, yamlfile

    try:
        return "data", repr(load(text))  # type: ignore[operator]
    except (fastyaml.DuplicateKey, yamlfile._DuplicateKey):
        return "error", "duplicate"
    except fastyaml.Fallback:
        return "error", "fallback"
    except yaml.YAMLError:
        return "error", "yaml"


@SETTINGS
@given(
    st.one_of(
        mutated(PROFILE),
        st.lists(st.sampled_from([*SNIPPETS, b"a", b"1"]), max_size=30).map(b"".join),
    )
)
def test_fast_path_agrees_with_the_full_loader(content: bytes) -> None:
    from step1plan.load import fastyaml, yamlfile

    text = content.decode("utf-8", errors="ignore")
    if "&" in text:  # alias limits are checked before either loader runs
        return
    full = _outcome(yamlfile._full_load, text)
    fast = _outcome(fastyaml.load, text)
    if fast == ("error", "fallback"):
        return
    if full[0] == "data":
        assert fast == full
        return
    assert fast[0] == "error", f"fast path accepted what the full loader rejects: {full}"
    # Both rejected it: parse_yaml reports it as located problems, never a traceback.
    with pytest.raises(InputError):
        yamlfile.parse_yaml(text, "p.yaml")


SOUP = st.lists(st.sampled_from([*SNIPPETS, b"a", b"1", b"k"]), max_size=30).map(b"".join)


@SETTINGS
@given(
    st.one_of(
        mutated(PROFILE),
        SOUP,
        st.builds(lambda a, b: a + b"k: 1\nk: 2\n" + b, SOUP, SOUP),
    )
)
def test_parse_yaml_only_raises_input_errors(content: bytes) -> None:
    from step1plan.load import yamlfile

    text = content.decode("utf-8", errors="replace")
    try:
        yamlfile.parse_yaml(text, "p.yaml")
    except InputError as exc:
        assert all(line.startswith("p.yaml") for line in exc.lines())
        assert all("\n" not in line for line in exc.lines())
