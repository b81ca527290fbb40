"""The line-based parser of the profile subset (blockyaml): PyYAML's data, or a fallback.

The contract under test: :func:`blockyaml.load` returns exactly what PyYAML's safe loader
(libyaml) returns (same structure, key order, types and values), or raises ``Fallback``; and it
always falls back when the safe loader rejects the text. Values are compared by ``repr``
(recursively typed: ``1 == True == 1.0`` in Python, not in ``repr``).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutation import mutate
from step1plan.errors import InputError
from step1plan.load import blockyaml, fastyaml, yamlfile
from step1plan.load.fastyaml import Fallback

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

OUTSIDE_THE_SUBSET = {
    "cohort/s-0003.yaml": "nested flow collections",
    "cohort/s-0004.yaml": "nested flow collections",
    "img-profile.yaml": "a flow mapping over two lines",
}
"""Example files that use YAML beyond the subset (they load through libyaml)."""

FALLBACK = "fallback"


def reference(text: str) -> tuple[str, str]:
    """What the safe loader makes of ``text``: ("data", repr) or ("error", kind).

    A scalar the resolver types but cannot build (``2026-02-30``) stays text, as in the
    project's loader (``yamlfile._full_load``), instead of the plain loader's ValueError.
    """
    try:
        return "data", repr(yaml.load(text, Loader=yaml.CSafeLoader))
    except yaml.YAMLError as exc:
        return "error", type(exc).__name__
    except (ValueError, OverflowError):
        return "data", repr(yamlfile._full_load(text))


def outcome(text: str) -> str:
    """``repr`` of what blockyaml returns, or ``FALLBACK``."""
    try:
        return repr(blockyaml.load(text))
    except Fallback:
        return FALLBACK


def assert_agrees(text: str) -> str:
    """blockyaml gives the safe loader's data or falls back (always, when the loader fails)."""
    got = outcome(text)
    if got != FALLBACK:
        assert ("data", got) == reference(text), text
    return got


# ---------------------------------------------------------------- real profiles


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_fast_and_same(text: str, name: str) -> None:
    """The file parses on the fast path (no fallback) to the safe loader's data."""
    got = outcome(text)
    assert got != FALLBACK, f"{name} fell back"
    assert ("data", got) == reference(text), name


def assert_dumped_profile(path: Path) -> None:
    """A profile written by PyYAML's dumper: the fast path, unless the dumper used anchors
    (it does for a date object shared by two entries): those go to libyaml anyway."""
    text = path.read_text(encoding="utf-8")
    if "&" in text:
        assert outcome(text) == FALLBACK
        assert ("data", repr(yamlfile.parse_yaml(text, path.name).data)) == reference(text)
    else:
        assert_fast_and_same(text, str(path))


@pytest.mark.parametrize(
    "path", sorted(EXAMPLES.rglob("*.yaml")), ids=lambda p: str(p.relative_to(EXAMPLES))
)
def test_examples_parse_on_the_fast_path(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(EXAMPLES).as_posix()
    if name in OUTSIDE_THE_SUBSET:
        assert outcome(text) == FALLBACK, f"{name} is in the subset now: update the list"
        assert ("data", repr(yamlfile.parse_yaml(text, name).data)) == reference(text)
    else:
        assert_fast_and_same(text, name)


def test_generated_profiles_parse_on_the_fast_path(tmp_path: Path) -> None:
    paths = _load_generator().generate(tmp_path, 200, seed=3, as_of=dt.date(2026, 11, 27))
    assert len(paths) == 200
    for path in paths:
        assert_dumped_profile(path)
    fast = sum(outcome(p.read_text(encoding="utf-8")) != FALLBACK for p in paths)
    assert fast >= 180


# ---------------------------------------------------------------- hand-written cases

SAME = "same"


def nested_keys(levels: int) -> str:
    """A mapping nested ``levels`` deep, one more space of indentation per level."""
    return "".join(f"{' ' * i}k{i}:\n" for i in range(levels)) + " " * levels + "x: 1\n"


CASES: list[tuple[str, str, str]] = [
    # (name, text, expected: SAME as the safe loader, or FALLBACK)
    ("nested blocks", "a:\n  b: 1\n  c:\n    d: x\ne: 2\n", SAME),
    ("multi-line plain scalar", "a: b\n  c\n", FALLBACK),
    ("multi-line plain after a blank", "a: b\n\n  c\nd: 1\n", FALLBACK),
    ("multi-line plain in a sequence", "a:\n  - x\n    y\n", FALLBACK),
    ("multi-line plain continuing with a dash", "a:\n  - x\n   - y\n", FALLBACK),
    ("trailing comment", "a: b # comment\nc: 1  #x\n", SAME),
    ("hash inside a word", "a: a#b\nb: c#\n", SAME),
    ("comment lines anywhere", "# top\na:\n# col 0\n  b: 1\n    # deep\n  c: 2\n", SAME),
    ("comment after an open key", "a: # comment\n  b: 1\n", SAME),
    ("comment after a dash", "a:\n- # comment\n  b: 1\n", SAME),
    ("single-quoted key", "'a': 1\n", FALLBACK),
    ("double-quoted key", '"a": 1\n', FALLBACK),
    ("single quotes doubled", "a: 'it''s'\nb: ''\nc: ''''\nd: ' x '\n", SAME),
    ("quoted with a hash", "a: 'x #y' # c\nb: \"#\"\n", SAME),
    ("quoted with a colon", "a: 'x: y'\nb: \"[z]\"\n", SAME),
    ("quoted scalars are text", "a: 'yes'\nb: \"1\"\nc: '2026-01-05'\nd: \"~\"\n", SAME),
    ("double-quoted escape", 'a: "say \\"hi\\""\n', FALLBACK),
    ("double-quoted backslash", 'a: "C:\\\\x"\n', FALLBACK),
    ("text after a quoted scalar", "a: 'x'y\n", FALLBACK),
    ("comment glued to a quote", "a: 'x'#c\n", FALLBACK),
    ("quoted scalar over two lines", "a: 'x\n  y'\n", FALLBACK),
    ("double-quoted over two lines", 'a: "x\n  y"\n', FALLBACK),
    ("tab before a value", "a:\tb\n", FALLBACK),
    ("tab indentation", "a:\n\tb: 1\n", FALLBACK),
    ("tab in a comment", "a: b\t# c\n", FALLBACK),
    ("CRLF", "a: 1\r\nb: 2\r\n", FALLBACK),
    ("document start", "---\na: 1\n", FALLBACK),
    ("document end", "a: 1\n...\n", FALLBACK),
    ("directive", "%YAML 1.1\n---\na: 1\n", FALLBACK),
    ("two documents", "a: 1\n---\nb: 2\n", FALLBACK),
    ("anchor and alias", "a: &x 1\nb: *x\n", FALLBACK),
    ("tag", "a: !!str 1\n", FALLBACK),
    ("non-specific tag", "a: ! 12\n", FALLBACK),
    ("literal block scalar", "a: |\n  x\n  y\n", FALLBACK),
    ("folded block scalar", "a: >-\n  x\n  y\n", FALLBACK),
    ("indentless sequence", "a:\n- x\n- y\nb: 1\n", SAME),
    ("indentless sequence of mappings", "a:\n- b: 1\n  c: 2\n- d\ne:\n- f\n", SAME),
    ("indented sequence of mappings", "a:\n  - b: 1\n    c:\n      d: 2\n  - e: 3\n", SAME),
    ("compact mapping, wide dash", "a:\n  -   b: 1\n      c: 2\n", SAME),
    ("indentless inside a compact mapping", "a:\n- b:\n  - x\n  c: 1\n", SAME),
    ("nested sequences", "a:\n  - - x\n    - y\n  - - z\n", SAME),
    ("empty entries", "a:\n- -\n- - x\n-\n- y\n", SAME),
    ("entry opening a block", "a:\n-\n  b: 1\n-\n   - x\n", SAME),
    ("open key at the end", "a: 1\nb:\n", SAME),
    ("open keys in a row", "a:\nb:\nc: 1\n", SAME),
    ("open key then a shallower line", "a:\n  b:\nc: 1\n", SAME),
    ("flow collections", "a: [x, y]\nb: {c: 1, d: two}\n", SAME),
    ("empty flow collections", "a: []\nb: {}\nc: [ ]\nd: { }\n", SAME),
    ("flow items with spaces", "a: [Free 120, CBSSA 26 ,  x  y ]\nb: {name: Alex P.}\n", SAME),
    ("flow items with dashes", "a: [-1, -x, a-b]\n", SAME),
    ("flow with a comment", "a: [x, y] # c\nb: {c: 1}  # d\n", SAME),
    ("flow glued to a comment", "a: [x]#c\n", FALLBACK),
    ("text after a flow sequence", "a: [x] y\n", FALLBACK),
    ("nested flow sequence", "a: [x, [y]]\n", FALLBACK),
    ("nested flow mapping", "a: {b: {c: 1}}\n", FALLBACK),
    ("flow mapping in a flow sequence", "a: [{b: 1}]\n", FALLBACK),
    ("quotes in a flow sequence", "a: ['x', y]\n", FALLBACK),
    ("trailing comma", "a: [x, y,]\n", FALLBACK),
    ("trailing comma in a mapping", "a: {x: 1,}\n", FALLBACK),
    ("empty flow item", "a: [x,,y]\n", FALLBACK),
    ("colon in a flow sequence", "a: [b:c]\n", FALLBACK),
    ("pair in a flow sequence", "a: [b: c]\n", FALLBACK),
    ("sexagesimal in a flow mapping", "a: {b: 12:30}\n", FALLBACK),
    ("flow mapping without a value", "a: {b}\n", FALLBACK),
    ("flow mapping with an empty value", "a: {b: }\n", FALLBACK),
    ("flow mapping, space before the colon", "a: {b : 1}\n", FALLBACK),
    ("flow mapping, no space after the colon", "a: {b:1}\n", FALLBACK),
    ("question mark in a flow", "a: [x?]\n", FALLBACK),
    ("flow over two lines", "a: [x,\n  y]\n", FALLBACK),
    ("flow mapping over two lines", "a: {b: 1,\n  c: 2}\n", FALLBACK),
    ("hash in a flow", "a: [x #y]\n", FALLBACK),
    ("booleans and nulls", "a: yes\nb: No\nc: ON\nd: off\ne: ~\nf: null\ng: Null\nh: y\n", SAME),
    ("integers", "a: 0o17\nb: 0x1F\nc: 1_000\nd: 012\ne: 0b101\nf: -7\ng: +3\nh: 09\n", SAME),
    ("sexagesimal", "a: 1:30\nb: 190:20:30\nc: -1:30\n", SAME),
    ("floats", "a: .inf\nb: -.Inf\nc: .nan\nd: 1e3\ne: 6.02e+23\nf: 1_0.5\ng: .5\n", SAME),
    ("impossible date", "a: 2026-02-30\n", SAME),
    ("dates and times", "a: 2026-01-05\nb: 2026-01-05 10:00\nc: 2026-01-05 10:00:00\n", SAME),
    ("timestamps", "a: 2026-01-05T10:00:00Z\nb: 2026-01-05 10:00:00.5 +02:00\n", SAME),
    ("huge integer", "a: " + "9" * 5000 + "\n", SAME),
    ("merge key", "<<: {b: 1}\n", FALLBACK),
    ("merge value", "a: <<\n", FALLBACK),
    ("value key", "a: =\n", FALLBACK),
    ("typed keys", "yes: 1\nno: 2\n3: three\n2026-01-05: d\nnull: n\n1.5: f\n", SAME),
    ("keys equal in Python", "yes: 1\n1: one\n", FALLBACK),
    ("keys with dots and dashes", "a.b: 1\nc-d: 2\n_e: 3\n", SAME),
    ("duplicate key", "a: 1\na: 2\n", FALLBACK),
    ("duplicate typed key", "yes: 1\ntrue: 2\n", FALLBACK),
    ("duplicate key in a flow mapping", "a: {b: 1, b: 2}\n", FALLBACK),
    ("duplicate nested key", "a:\n  b: 1\n  b: 2\n", FALLBACK),
    ("long key", "k" * 300 + ": 1\n", FALLBACK),
    ("complex key", "? a\n: 1\n", FALLBACK),
    ("space before the colon", "a : 1\n", FALLBACK),
    ("empty document", "", FALLBACK),
    ("blank lines only", "\n  \n\n", FALLBACK),
    ("comments only", "# only a comment\n\n  # another\n", FALLBACK),
    ("scalar root", "just text\n", FALLBACK),
    ("sequence root", "- a\n- b\n", FALLBACK),
    ("mapping indented at the top", "  a: 1\n  b: 2\n", FALLBACK),
    ("sibling over-indented", "a: 1\n b: 2\n", FALLBACK),
    ("sibling under-indented", "a:\n    b: 1\n  c: 2\n", FALLBACK),
    ("entry under-indented", "a:\n  - x\n - y\n", FALLBACK),
    ("key after an entry at its indent", "a:\n  - x\n  b: 1\n", FALLBACK),
    ("entry after a scalar value", "a: 1\n- x\n", FALLBACK),
    ("entry after a compact key", "- a: 1\n  - b\n", FALLBACK),
    ("compact mapping misaligned", "a:\n-  b: 1\n  c: 2\n", FALLBACK),
    ("scalar on its own line", "a:\n  b\n", FALLBACK),
    ("no space after the colon", "a:b\n", FALLBACK),
    ("colon inside a value", "a: b:c\nb: http://x.org/y\n", SAME),
    ("colon and space inside a value", "a: b: c\n", FALLBACK),
    ("value ending with a colon", "a: b:\n", FALLBACK),
    ("trailing spaces", "a:  \nb: 1  \nc: x y   \n", SAME),
    ("plain scalars with indicators inside", "a: a, b\nb: x]\nc: y{z}\nd: 50%\ne: a&b\n", SAME),
    ("dash values", "a: -1\nb: -x\nc: ---\nd: ...\n", SAME),
    ("lone dash value", "a: -\n", FALLBACK),
    ("dash and space value", "a: - x\n", FALLBACK),
    ("indicator starts", "a: ?x\n", FALLBACK),
    ("reserved indicator", "a: @x\n", FALLBACK),
    ("unicode values", "name: José Ñúñez\ncity: 東京\nmood: 😀\nnbsp: a\xa0b\n", SAME),
    ("ideographic space is not a space", "a: x\u3000#y\n", SAME),
    ("byte-order mark left in", "\ufeffa: 1\n", FALLBACK),
    ("byte-order mark removed", "a: 1\n", SAME),
    ("next line", "a: x\x85y\n", FALLBACK),
    ("line separator", "a: x\u2028y\n", FALLBACK),
    ("control character", "a: x\x7fy\n", FALLBACK),
    ("NUL", "a: x\x00\n", FALLBACK),
    ("no final newline", "a: 1\nb: [x]", SAME),
    ("deep but allowed", nested_keys(40), SAME),
    ("too deep", nested_keys(60), FALLBACK),
    ("deep dashes", "a:\n" + "- " * 60 + "x\n", FALLBACK),
    ("as deep as allowed", nested_keys(blockyaml.MAX_DEPTH), SAME),
    ("one level too deep", nested_keys(blockyaml.MAX_DEPTH + 1), FALLBACK),
    (
        "compact and indentless blocks mixed",
        "a:\n- b: 1\n  c:\n  - x\n  - - y\n    - z: 2\n      w:\n  d:\n-\n- e\nf: 3\n",
        SAME,
    ),
    ("a sequence closed by a key at its column", "a:\n  - x\n  b: 1\n", FALLBACK),
    ("a key between two entries", "a:\n- x\nb: 1\n- y\n", FALLBACK),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hand_written_cases(text: str, expected: str) -> None:
    got = assert_agrees(text)
    if expected == SAME:
        assert got != FALLBACK, "fell back"
    else:
        assert got == FALLBACK, got


def test_errors_of_the_safe_loader_fall_back() -> None:
    for _, text, expected in CASES:
        if expected == FALLBACK and reference(text)[0] == "error":
            assert outcome(text) == FALLBACK


def test_results_are_fresh_objects() -> None:
    """Lines are cached: the lists and dicts built from a cached line are new each time."""
    text = "a: [1, 2]\nb: {c: 1}\nd:\n- [x]\n- {y: 2}\n"
    first = blockyaml.load(text)
    first["a"].append(3)
    first["b"]["z"] = 0
    first["d"][0].append("more")
    first["d"][1].clear()
    assert blockyaml.load(text) == {"a": [1, 2], "b": {"c": 1}, "d": [["x"], {"y": 2}]}


def test_a_full_cache_is_emptied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blockyaml, "MAX_CACHED", 3)
    for n in range(20):
        text = f"a{n}: {n}\nb:\n  - c: x{n}\n"
        assert blockyaml.load(text) == {f"a{n}": n, "b": [{"c": f"x{n}"}]}
        assert len(blockyaml._LINES) <= 3


def test_a_line_that_falls_back_is_not_cached() -> None:
    line = "weird_key: &anchor 1"
    for _ in range(2):
        with pytest.raises(Fallback):
            blockyaml.load(line + "\n")
    assert line not in blockyaml._LINES


# ---------------------------------------------------------------- wiring into parse_yaml


def test_parse_yaml_uses_the_line_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_libyaml(text: str) -> None:
        raise AssertionError("libyaml is for the rest")

    monkeypatch.setattr(fastyaml, "load", no_libyaml)
    monkeypatch.setattr(yamlfile, "_full_load", no_libyaml)
    text = (EXAMPLES / "profile.yaml").read_text(encoding="utf-8")
    assert repr(yamlfile.parse_yaml(text, "p.yaml").data) == reference(text)[1]


def test_parse_yaml_falls_back_to_libyaml() -> None:
    text = "a: {b: [1, {c: 2}]}\nd: |\n  text\n"
    assert outcome(text) == FALLBACK
    assert yamlfile.parse_yaml(text, "p.yaml").data == {"a": {"b": [1, {"c": 2}]}, "d": "text\n"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a: 1\n b: 2\n", "invalid YAML"),
        ("a:\n\tb: 1\n", "tab character"),
    ],
)
def test_parse_yaml_errors_are_unchanged(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        yamlfile.parse_yaml(text, "p.yaml")
    assert message in "\n".join(info.value.lines())


# ---------------------------------------------------------------- properties

TRICKY = [
    "yes", "No", "on", "OFF", "y", "1:30", " a", "a ", "a # b", "a#b", "- x", "-", "-x", ": x",
    "a: b", "a:", "#x", "it's", "''", '"', "", "~", "null", "2026-02-30", "2026-01-05",
    "2026-01-05 10:00", "1_000", "0x1F", "0o17", "012", ".inf", "-.5", "1e3", "[x]", "{x}",
    "x, y", "&a", "*a", "!x", "|", ">", "%x", "@x", "`x", "---", "...", "<<", "=", "é",
    "a\xa0b", "a\\b", "x\ny", "\t", "😀",
]  # fmt: skip
SNAKE = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
SIMPLE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.from_regex(r"[A-Za-z][A-Za-z0-9 ._-]{0,12}", fullmatch=True),
)
TRICKY_SCALARS = st.one_of(
    st.integers(),
    st.sampled_from(TRICKY),
    st.text(max_size=8),
    st.text(alphabet="ab :#-'\"[]{},?&*!|>%@`~.1\\ ", max_size=8),
)
TRICKY_KEYS = st.sampled_from(
    ["yes", "no", "on", "1", "null", "a b", "x:y", "2026-01-05", "-a", "#", "1.5", "y"]
)


def weighted(*choices: tuple[st.SearchStrategy[Any], int]) -> st.SearchStrategy[Any]:
    """One of the strategies, drawn in proportion to their weights."""
    pool = [strategy for strategy, weight in choices for _ in range(weight)]
    return st.sampled_from(pool).flatmap(lambda strategy: strategy)


def _documents(keys: st.SearchStrategy[str], scalars: st.SearchStrategy[Any]) -> Any:
    """Nested data of lists and dicts (mostly dicts at the root)."""
    data = st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=25,
    )
    mappings = st.dictionaries(keys, data, min_size=1, max_size=6)
    return weighted((mappings, 4), (data, 1))


PROFILE_LIKE = _documents(SNAKE, weighted((SIMPLE, 9), (st.sampled_from(TRICKY), 1)))
"""Data in the subset's reach: snake_case keys and mostly simple scalars."""
ANYTHING = _documents(weighted((SNAKE, 3), (TRICKY_KEYS, 1)), st.one_of(SIMPLE, TRICKY_SCALARS))
"""Data with tricky keys and scalars (quoted, escaped, folded by the dumper)."""


@st.composite
def dumped(draw: st.DrawFn) -> str:
    """Random data written by PyYAML's dumper in one of several styles."""
    return yaml.safe_dump(
        draw(weighted((PROFILE_LIKE, 2), (ANYTHING, 1))),
        default_flow_style=draw(st.sampled_from([False, False, False, None, True])),
        indent=draw(st.sampled_from([2, 4, 3])),
        width=draw(st.sampled_from([80, 20, 1000])),
        allow_unicode=draw(st.booleans()),
        explicit_start=draw(st.sampled_from([False] * 9 + [True])),
        sort_keys=False,
    )


SNIPPETS = [
    "\t", "&a ", "*a", "<<: ", "---\n", "...\n", ": ", "- ", "-", "{", "}", "[", "]", "#", " #",
    "'", '"', "\\", "yes", "2026-02-30", "1:30", "!!str ", "%", ",", "\r\n", "\n", "\n  ",
    "\n- ", "?", "|", ">", "@", "~", "null", "   ", " ", "a", "é", "\xa0", "\ufeff", "\x85",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, seeds: tuple[str, ...]) -> str:
    """A real profile with a few deletions, duplications, insertions and byte changes."""
    seed = draw(st.sampled_from(seeds)).encode()
    snippets = [s.encode() for s in SNIPPETS]
    return mutate(draw, seed, snippets).decode("utf-8", errors="replace")


SEEDS = (
    (EXAMPLES / "profile.yaml").read_text(encoding="utf-8"),
    (EXAMPLES / "cohort" / "s-0001.yaml").read_text(encoding="utf-8"),
    yaml.safe_dump(
        _load_generator().profile(1, random.Random(5), dt.date(2026, 11, 27)),
        sort_keys=False,
    ),
)


@SETTINGS
@given(dumped())
def test_dumped_data_agrees_with_the_safe_loader(text: str) -> None:
    assert_agrees(text)


@SETTINGS
@given(mutated(SEEDS))
def test_mutated_profiles_agree_with_the_safe_loader(text: str) -> None:
    assert_agrees(text)
