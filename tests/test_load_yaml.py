"""Profile loading: safe YAML, every problem at FILE:LINE:COL in plain English, input limits."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from step1plan.errors import InputError, Problem
from step1plan.load import fastyaml, yamlfile
from step1plan.load.messages import friendly, suggest, unknown_key
from step1plan.load.profile import Loaded, load_inputs, load_profile_text, validate_files
from step1plan.load.textfile import MAX_BYTES, read_capped
from step1plan.load.yamlfile import MAX_ALIASES, YamlDoc, field_path, known_keys, parse_yaml
from step1plan.models.common import Band, GraduateType
from step1plan.models.profile import Profile
from step1plan.plans import Plan

AS_OF = dt.date(2026, 11, 27)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WriteFile = Callable[[str, str | bytes], Path]
"""The ``write`` fixture of conftest.py: ``write(name, content) -> path``."""

VALID = """\
schema_version: 1
student:
  id: s-0001
  graduate_type: us_md
target:
  specialty: internal_medicine
attempts:
  - exam: step1
    date: 2026-06-10
    result: fail
    content_areas:
      disciplines: {pathology: lower}
practice:
  - {date: 2026-10-01, form: CBSSA 29, epc: 62, pass_probability: 0.41}
"""


def sole_problem(path: Path, plan: Plan) -> Problem:
    """The one problem loading ``path`` reports (the test fails if there are more)."""
    with pytest.raises(InputError) as info:
        load_inputs(path, AS_OF, plan)
    (problem,) = info.value.problems
    return problem


def problems_of(text: str | bytes, plan: Plan, name: str = "p.yaml") -> list[str]:
    """The formatted problems of a profile text (fails when the text is valid)."""
    with pytest.raises(InputError) as info:
        load_profile_text(text, name, AS_OF, plan)
    return info.value.lines()


def one_problem(text: str | bytes, plan: Plan) -> str:
    lines = problems_of(text, plan)
    assert len(lines) == 1, lines
    return lines[0]


# ---------------------------------------------------------------- the happy path


def test_valid_text_loads(default_plan: Plan) -> None:
    profile = load_profile_text(VALID, "p.yaml", AS_OF, default_plan)
    assert profile.student.id == "s-0001"
    assert profile.attempts[0].date == dt.date(2026, 6, 10)
    assert profile.attempts[0].content_areas is not None
    assert profile.attempts[0].content_areas.disciplines.pathology is Band.lower
    assert profile.practice[0].pass_probability == pytest.approx(0.41)


def test_bytes_with_bom_load(default_plan: Plan) -> None:
    profile = load_profile_text(b"\xef\xbb\xbf" + VALID.encode(), "p.yaml", AS_OF, default_plan)
    assert profile.student.graduate_type is GraduateType.us_md
    again = load_profile_text("\ufeff" + VALID, "p.yaml", AS_OF, default_plan)
    assert again == profile


def test_dates_given_as_strings_work(default_plan: Plan) -> None:
    text = VALID.replace("date: 2026-06-10", 'date: "2026-06-10"')
    profile = load_profile_text(text, "p.yaml", AS_OF, default_plan)
    assert profile.attempts[0].date == dt.date(2026, 6, 10)


def test_happy_path_never_composes_a_node_tree(
    default_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_compose(text: str) -> None:
        raise AssertionError("the node tree is only for errors")

    monkeypatch.setattr(yamlfile, "compose", no_compose)
    load_profile_text(VALID, "p.yaml", AS_OF, default_plan)


def test_uses_the_c_loader_when_libyaml_is_present() -> None:
    if yaml.__with_libyaml__:
        assert issubclass(yamlfile._Loader, yaml.CSafeLoader)
    assert issubclass(yamlfile._Loader, yaml.SafeLoader) or issubclass(
        yamlfile._Loader, yaml.CSafeLoader
    )


def test_unsafe_tags_are_refused(default_plan: Plan) -> None:
    line = one_problem("student: !!python/object/apply:os.system ['echo hi']\n", default_plan)
    assert line == (
        "p.yaml:1:10: the YAML tag !!python/object/apply:os.system is not allowed; "
        "write plain values"
    )


def test_merge_keys_are_not_duplicates(default_plan: Plan) -> None:
    text = VALID.replace(
        "  - {date: 2026-10-01, form: CBSSA 29, epc: 62, pass_probability: 0.41}",
        "  - &base {date: 2026-10-01, form: CBSSA 29, epc: 62}\n"
        "  - {<<: *base, form: CBSSA 30, epc: 64}",
    )
    profile = load_profile_text(text, "p.yaml", AS_OF, default_plan)
    assert [p.form for p in profile.practice] == ["CBSSA 29", "CBSSA 30"]
    assert profile.practice[1].epc == 64


# ---------------------------------------------------------------- YAML structure


def test_duplicate_keys_are_all_reported(default_plan: Plan) -> None:
    text = VALID.replace("  graduate_type: us_md\n", "  graduate_type: us_md\n  id: s-2\n")
    text += "attempts: []\n"
    assert problems_of(text, default_plan) == [
        "p.yaml:5:3: student.id: duplicate key 'id' (first given on line 3); keep only one",
        "p.yaml:16:1: attempts: duplicate key 'attempts' (first given on line 8); keep only one",
    ]


def test_duplicate_keys_in_flow_mappings(default_plan: Plan) -> None:
    text = VALID.replace("{pathology: lower}", "{pathology: lower, pathology: same}")
    line = one_problem(text, default_plan)
    assert line.startswith("p.yaml:12:39: attempts.0.content_areas.disciplines.pathology:")
    assert "duplicate key 'pathology'" in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\nb: ]\n", "p.yaml:3:4: invalid YAML"),
        ("a: 1\na: 2\n---\nc: 1\n", "p.yaml:3:1: the file holds several YAML documents"),
    ],
)
def test_a_syntax_error_after_a_duplicate_key_is_reported(text: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        parse_yaml(text, "p.yaml")
    assert info.value.lines()[0].startswith(expected)


def test_several_documents(default_plan: Plan) -> None:
    line = one_problem(VALID + "---\nstudent: {id: x}\n", default_plan)
    assert line.startswith("p.yaml:15:1: ")
    assert "several YAML documents" in line


def test_tab_indentation(default_plan: Plan) -> None:
    line = one_problem(VALID.replace("  id: s-0001", "\tid: s-0001"), default_plan)
    assert line == "p.yaml:3:1: a tab character is used for indentation; indent with spaces only"


def test_syntax_error_is_located(default_plan: Plan) -> None:
    line = one_problem(VALID.replace("  id: s-0001", "  id: [s-0001"), default_plan)
    assert line.startswith("p.yaml:")
    assert "invalid YAML" in line


def test_control_characters_are_located(default_plan: Plan) -> None:
    line = one_problem("student:\n  id: a\x07b\n", default_plan)
    assert line == "p.yaml:2:8: control character U+0007 is not allowed in YAML"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "p.yaml:1:1: the file is empty; expected a mapping of keys"),
        ("# only a comment\n", "p.yaml:1:1: the file is empty; expected a mapping of keys"),
        ("- a\n- b\n", "p.yaml:1:1: the top level must be a mapping"),
        ("just text\n", "p.yaml:1:1: the top level must be a mapping"),
    ],
)
def test_top_level_must_be_a_mapping(text: str, expected: str, default_plan: Plan) -> None:
    assert one_problem(text, default_plan).startswith(expected)


# ---------------------------------------------------------------- aliases


def _aliases(count: int) -> str:
    return "x: &a 1\ny: [" + ", ".join(["*a"] * count) + "]\n"


def test_aliases_up_to_the_cap_parse() -> None:
    doc = parse_yaml(_aliases(MAX_ALIASES), "a.yaml")
    assert len(doc.data["y"]) == MAX_ALIASES


def test_aliases_beyond_the_cap_are_rejected() -> None:
    with pytest.raises(InputError) as info:
        parse_yaml(_aliases(MAX_ALIASES + 1), "a.yaml")
    assert info.value.lines() == [
        f"a.yaml:2:{5 + 4 * MAX_ALIASES}: too many aliases (more than 100)"
    ]


def test_billion_laughs_is_rejected_before_building_it() -> None:
    text = "a: &a [" + ", ".join(['"lol"'] * 9) + "]\n"
    previous = "a"
    for name in "bcdefghi":  # 9 levels of 9 aliases: few aliases, 9**9 values once expanded
        text += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    with pytest.raises(InputError) as info:
        parse_yaml(text, "bomb.yaml")
    assert "aliases expand to more than 100000 values" in info.value.lines()[0]


def test_recursive_alias_is_rejected() -> None:
    with pytest.raises(InputError) as info:
        parse_yaml("a: &a [1, *a]\n", "r.yaml")
    assert info.value.lines() == ["r.yaml:1:11: alias *a refers to the node containing it"]


def test_too_many_anchors_are_rejected() -> None:
    text = "".join(f"k{i}: &a{i} {i}\n" for i in range(MAX_ALIASES + 1))
    with pytest.raises(InputError) as info:
        parse_yaml(text, "a.yaml")
    assert "too many anchors" in info.value.lines()[0]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("&a : &a \n", "a.yaml:1:6"),  # found by the YAML fuzz test: it used to exit 70
        ("student:\n  id: &x a\n  name: &x b\n", "a.yaml:3:9"),
    ],
)
def test_an_anchor_defined_twice_is_a_located_problem(text: str, where: str) -> None:
    # libyaml's composer refuses a second anchor of the same name; so must every loader path
    with pytest.raises(yaml.YAMLError):
        yaml.compose(text, Loader=yaml.SafeLoader)
    with pytest.raises(InputError) as info:
        parse_yaml(text, "a.yaml")
    (line,) = info.value.lines()
    assert line.startswith(where + ": anchor &")
    assert "defined twice" in line


def test_a_position_the_composer_cannot_give_falls_back_to_the_first_line() -> None:
    doc = YamlDoc({"student": {}}, "a.yaml", "&a : &a \n")  # data the composer refuses
    problem = doc.problem(("student", "id"), "required key is missing")
    assert (problem.line, problem.column) == (1, 1)


def test_ampersand_in_text_is_not_an_anchor() -> None:
    assert parse_yaml("name: Smith & Jones\n", "a.yaml").data == {"name": "Smith & Jones"}


# ---------------------------------------------------------------- size and encoding


def test_file_over_one_mib_is_refused_before_reading(
    write: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("big.yaml", b"#" * (MAX_BYTES + 1))

    def no_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the size is checked before reading")

    monkeypatch.setattr(Path, "open", no_read)
    with pytest.raises(InputError) as info:
        yamlfile.load_yaml(path, "big.yaml")
    assert info.value.lines() == [
        f"big.yaml: file is too large ({MAX_BYTES + 1} bytes; the limit is {MAX_BYTES})"
    ]


def test_bytes_over_one_mib_are_refused(default_plan: Plan) -> None:
    assert "file is too large" in one_problem(b"#" * (MAX_BYTES + 1), default_plan)


def test_file_of_exactly_one_mib_is_read(write: WriteFile) -> None:
    path = write("edge.yaml", b"a: 1\n" + b"#" * (MAX_BYTES - 5))
    assert yamlfile.load_yaml(path).data == {"a": 1}


def test_non_utf8_reports_line_and_column_of_the_first_bad_byte(default_plan: Plan) -> None:
    text = VALID.encode().replace(b"id: s-0001", b"id: s-0001\n  name: Jos\xe9")
    assert one_problem(text, default_plan) == (
        "p.yaml:4:12: not valid UTF-8 text (byte 0xe9); save the file as UTF-8"
    )


def test_missing_file(tmp_path: Path, default_plan: Plan) -> None:
    with pytest.raises(InputError) as info:
        load_inputs(tmp_path / "nope.yaml", AS_OF, default_plan)
    assert info.value.lines() == [f"{tmp_path / 'nope.yaml'}: no such file"]


def test_folder_is_not_a_profile(tmp_path: Path, default_plan: Plan) -> None:
    problems = validate_files([tmp_path / "dir.yaml"], AS_OF, default_plan)
    assert [p.message for p in problems] == ["no such file"]
    (tmp_path / "dir.yaml").mkdir()
    problems = validate_files([tmp_path / "dir.yaml"], AS_OF, default_plan)
    assert [p.message for p in problems] == ["is a folder, not a file"]


# ---------------------------------------------------------------- validation messages


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "attempts:",
            "atempts:",
            "p.yaml:7:1: atempts: unknown key 'atempts'; did you mean 'attempts'?",
            id="unknown-top-level-key",
        ),
        pytest.param(
            "{pathology: lower}",
            "{patology: lower}",
            "p.yaml:12:21: attempts.0.content_areas.disciplines.patology: unknown key "
            "'patology'; did you mean 'pathology'?",
            id="unknown-area-key",
        ),
        pytest.param(
            "    result: fail",
            "    result: failed",
            "p.yaml:10:13: attempts.0.result: expected one of: pass, fail, incomplete",
            id="enum",
        ),
        pytest.param(
            "epc: 62,",
            "epc: 162,",
            "p.yaml:14:45: practice.0.epc: must be at most 100",
            id="out-of-range",
        ),
        pytest.param(
            "    date: 2026-06-10",
            "    date: June 10",
            "p.yaml:9:11: attempts.0.date: expected a date YYYY-MM-DD, got 'June 10'",
            id="not-a-date",
        ),
        pytest.param(
            "    date: 2026-06-10",
            "    date: 2026-02-30",
            "p.yaml:9:11: attempts.0.date: '2026-02-30' is not a real date (day or month out of "
            "range)",
            id="impossible-date",
        ),
        pytest.param(
            "    date: 2026-06-10",
            "    date: 2026-12-01",
            "p.yaml:9:11: attempts.0.date: attempt date 2026-12-01 is after the as-of date "
            "2026-11-27",
            id="date-after-as-of",
        ),
        pytest.param(
            "date: 2026-10-01,",
            "date: 2026-12-01,",
            "p.yaml:14:12: practice.0.date: practice date 2026-12-01 is after the as-of date "
            "2026-11-27",
            id="practice-after-as-of",
        ),
        pytest.param(
            "  graduate_type: us_md",
            "  graduate_type: us_md\n  us_letters: two",
            "p.yaml:5:15: student.us_letters: expected a whole number, got 'two'",
            id="whole-number",
        ),
        pytest.param(
            "  graduate_type: us_md",
            "  graduate_type: us_md\n  us_letters: yes",
            "p.yaml:5:15: student.us_letters: expected a whole number, got true/false (YAML "
            "reads yes as true/false: write the number)",
            id="yes-is-not-a-count",
        ),
        pytest.param(
            "  specialty: internal_medicine",
            "  specialty: internal_medicine\nstudy:\n  hours_per_week: on",
            "p.yaml:8:19: study.hours_per_week: expected a number, got true/false (YAML reads "
            "on as true/false: write the number)",
            id="on-is-not-hours",
        ),
        pytest.param(
            "epc: 62,",
            "epc: no,",
            "p.yaml:14:45: practice.0.epc: expected a number, got true/false (YAML reads no as "
            "true/false: write the number)",
            id="no-is-not-an-epc",
        ),
        pytest.param(
            "pass_probability: 0.41}",
            "pass_probability: 0.41, unfinished_blocks: true}",
            "p.yaml:14:92: practice.0.unfinished_blocks: expected a number, got true/false",
            id="true-is-not-a-block-count",
        ),
        pytest.param(
            "  graduate_type: us_md",
            "  graduate_type: us_md\n  us_letters: '2'",
            "p.yaml:5:15: student.us_letters: expected a whole number, got '2'",
            id="quoted-count",
        ),
        pytest.param(
            "  graduate_type: us_md",
            "  graduate_type: us_md\n  graduation_year: 2023.5",
            "p.yaml:5:20: student.graduation_year: expected a whole number, got 2023.5",
            id="fraction",
        ),
        pytest.param(
            "  specialty: internal_medicine",
            "  specialty: internal_medicin",
            "p.yaml:6:14: target.specialty: unknown specialty 'internal_medicin'; did you mean "
            "'internal_medicine'?",
            id="unknown-specialty",
        ),
        pytest.param(
            "  id: s-0001",
            "  id: s-0001\n  name: no",
            "p.yaml:4:9: student.name: expected text, got true/false (YAML reads no as "
            "true/false: put it in quotes, 'no', to mean text)",
            id="yaml11-no-is-false",
        ),
        pytest.param(
            "  graduate_type: us_md",
            "  graduate_type: on",
            "p.yaml:4:18: student.graduate_type: expected one of: us_md, us_do, img (YAML reads "
            "on as true/false: put it in quotes, 'on', to mean text)",
            id="yaml11-on-is-true",
        ),
        pytest.param(
            "  id: s-0001",
            "  id: 0142",
            "p.yaml:3:7: student.id: expected text, got a number (put it in quotes, '0142', to "
            "keep it as text)",
            id="yaml11-octal-id",
        ),
        pytest.param(
            "  id: s-0001\n",
            "",
            "p.yaml:3:3: student.id: required key is missing",
            id="missing-key-at-parent",
        ),
        pytest.param(
            "schema_version: 1",
            "schema_version: 2",
            "p.yaml:1:17: schema_version: must be 1",
            id="schema-version",
        ),
        pytest.param(
            "target:\n",
            "target: internal_medicine\nx_target:\n",
            "p.yaml:5:9: target: expected a mapping (key: value), got text",
            id="mapping-expected",
        ),
    ],
)
def test_each_problem_is_located_and_plain(
    old: str, new: str, expected: str, default_plan: Plan
) -> None:
    assert old in VALID
    lines = problems_of(VALID.replace(old, new, 1), default_plan)
    assert expected in lines


def test_attempts_out_of_order(default_plan: Plan) -> None:
    text = VALID.replace(
        "practice:",
        "  - {exam: step1, date: 2026-01-05, result: fail}\npractice:",
    )
    line = one_problem(text, default_plan)
    # Located at the date out of order (the list validator names the item), not the list.
    assert line.startswith("p.yaml:13:25: attempts.1.date: attempts must be oldest first")


def test_a_shelf_score_out_of_range_is_located_at_its_own_line(default_plan: Plan) -> None:
    text = VALID.replace(
        "practice:", "clerkships:\n  shelves:\n    surgery: 70\n    medicine: 170\npractice:"
    )
    line = one_problem(text, default_plan)
    assert line.startswith("p.yaml:16:15: clerkships.shelves.medicine: shelf score for medicine")


@pytest.mark.parametrize("name", ["{at}", "{message}", "{more}"])
def test_a_located_item_message_keeps_braces_as_written(name: str, default_plan: Plan) -> None:
    text = VALID.replace("practice:", f"clerkships:\n  shelves:\n    '{name}': 170\npractice:")
    line = one_problem(text, default_plan)
    assert f"shelf score for {name} must be between 0 and 100, got 170" in line


def test_every_item_problem_of_a_list_is_reported_at_its_own_line(default_plan: Plan) -> None:
    # As type errors are: each attempt out of order or after a pass, and each shelf out of range.
    text = (
        "schema_version: 1\nstudent: {id: s1}\nattempts:\n"
        "  - {exam: step1, date: 2026-08-20, result: fail}\n"
        "  - {exam: step1, date: 2026-05-14, result: fail}\n"
        "  - {exam: step1, date: 2026-06-14, result: pass}\n"
        "  - {exam: step1, date: 2026-07-14, result: fail}\n"
        "clerkships:\n  shelves:\n    medicine: 171\n    surgery: 166\n    peds: 70\n"
    )
    lines = problems_of(text, default_plan)
    assert [line.split(": ", 2)[:2] for line in lines] == [
        ["p.yaml:5:25", "attempts.1.date"],
        ["p.yaml:7:5", "attempts.3"],
        ["p.yaml:10:15", "clerkships.shelves.medicine"],
        ["p.yaml:11:14", "clerkships.shelves.surgery"],
    ]
    assert lines[1].endswith(
        "comes after the pass in attempt 2 (2026-06-14): a passed Step cannot be taken again"
    )
    assert lines[3].endswith("shelf score for surgery must be between 0 and 100, got 166")


def test_empty_clerkship_names_are_refused(default_plan: Plan) -> None:
    # A report would show them as blanks ("shelf scores under 70 ( 60)").
    text = VALID.replace(
        "practice:", "clerkships:\n  completed: ['  ']\n  shelves:\n    '': 60\npractice:"
    )
    lines = problems_of(text, default_plan)
    assert [line.split(": ", 2)[1:] for line in lines] == [
        ["clerkships.completed.0", "must not be empty"],
        ["clerkships.shelves.", "must not be empty"],
    ]


def test_an_attempt_after_a_pass_of_the_same_step(default_plan: Plan) -> None:
    """A passed Step cannot be taken again (DOMAIN.md, usmle.org): a located input error."""
    text = VALID.replace(
        "practice:",
        "  - {exam: step1, date: 2026-09-01, result: pass}\n"
        "  - {exam: step1, date: 2026-10-01, result: fail}\npractice:",
    )
    line = one_problem(text, default_plan)
    assert line.startswith("p.yaml:14:5: attempts.2: attempt 2 (step1, 2026-10-01) comes after the")
    assert line.endswith("a passed Step cannot be taken again")
    ok = VALID.replace(  # a Step 2 CK after the Step 1 pass is a different Step
        "practice:",
        "  - {exam: step1, date: 2026-09-01, result: pass}\n"
        "  - {exam: step2ck, date: 2026-10-01, result: fail}\npractice:",
    )
    load_profile_text(ok, "p.yaml", AS_OF, default_plan)  # no error


def test_all_problems_of_a_file_are_reported_in_file_order(default_plan: Plan) -> None:
    text = (
        VALID.replace("attempts:", "atempts: 1\nattempts:")
        .replace("result: fail", "result: nope")
        .replace("epc: 62", "epc: -1")
        .replace("internal_medicine", "cardiology")
    )
    lines = problems_of(text, default_plan)
    assert [line.split(":")[1] for line in lines] == ["6", "7", "11", "15"]


def test_problem_format_has_file_line_column_field_message(default_plan: Plan) -> None:
    with pytest.raises(InputError) as info:
        load_profile_text(VALID.replace("epc: 62", "epc: 620"), "dir/p.yaml", AS_OF, default_plan)
    (problem,) = info.value.problems
    assert problem == Problem("dir/p.yaml", "must be at most 100", 14, 45, "practice.0.epc")


# ---------------------------------------------------------------- files and scores_file


def test_example_profile_loads_with_its_scores_file(default_plan: Plan) -> None:
    loaded = load_inputs(EXAMPLES / "profile.yaml", AS_OF, default_plan)
    assert isinstance(loaded, Loaded)
    assert loaded.profile is not None
    assert loaded.scores
    assert loaded.score_paths[0] == "nbme.csv:2"
    assert loaded.inputs == [EXAMPLES / "profile.yaml", EXAMPLES / "nbme.csv"]
    ctx = loaded.context(default_plan, AS_OF)
    assert len(ctx.scores) == len(loaded.profile.practice) + len(loaded.scores)


def test_scores_file_is_relative_to_the_profile_folder(
    write: WriteFile, tmp_path: Path, default_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("s/a/scores.csv", "date,form,epc\n2026-10-01,CBSSA 29,64\n")
    profile = write("s/a/p.yaml", VALID + "scores_file: scores.csv\n")
    extra = write("extra.csv", "date,form,epc\n2026-11-01,CBSSA 30,66\n")
    monkeypatch.chdir(tmp_path)
    loaded = load_inputs(Path("s/a/p.yaml"), AS_OF, default_plan, scores=extra)
    assert [s.form for s in loaded.scores] == ["CBSSA 29", "CBSSA 30"]
    assert loaded.score_paths == ("scores.csv:2", "extra.csv:2")
    assert loaded.inputs == [Path("s/a/p.yaml"), Path("s/a/scores.csv"), extra]
    assert profile.is_file()


def test_scores_given_twice_are_read_once(write: WriteFile, default_plan: Plan) -> None:
    scores = write("s.csv", "date,form,epc\n2026-10-01,CBSSA 29,64\n")
    profile = write("p.yaml", VALID + "scores_file: s.csv\n")
    loaded = load_inputs(profile, AS_OF, default_plan, scores=scores)
    assert loaded.score_paths == ("s.csv:2",)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("  step1_date: 9999-12-31", "target.step1_date: must be at most 2100-12-31"),
        ("  step2ck_date: 0001-01-01", "target.step2ck_date: must be at least 1950-01-01"),
    ],
)
def test_dates_far_outside_any_plan_are_located_errors(
    write: WriteFile, default_plan: Plan, line: str, expected: str
) -> None:
    # 9999-12-31 used to pass validation and then overflow the timeline's date arithmetic
    text = VALID.replace(
        "  specialty: internal_medicine\n", f"  specialty: internal_medicine\n{line}\n"
    )
    path = write("p.yaml", text)
    problem = sole_problem(path, default_plan)
    assert problem.line == 7
    assert f"{problem.field}: {problem.message}" == expected


@pytest.mark.parametrize(
    "name",
    [
        '"Priya\\e[31m K."',
        '"Priya\\0"',
        '"Priya \\u202eK."',
        '"Tab\\tName"',
        '"Line\\u2028Break"',
        '"Mark\\u200fK."',
    ],
)
def test_control_characters_in_text_are_located_errors(
    write: WriteFile, default_plan: Plan, name: str
) -> None:
    # A quoted YAML string can write an escape; echoed raw, it would rewrite the terminal
    path = write("p.yaml", VALID.replace("  id: s-0001\n", f"  id: s-0001\n  name: {name}\n"))
    problem = sole_problem(path, default_plan)
    assert (problem.line, problem.field) == (4, "student.name")
    assert problem.message.startswith("control characters")


def test_printable_text_in_any_script_is_accepted(write: WriteFile, default_plan: Plan) -> None:
    path = write("p.yaml", VALID.replace("  id: s-0001\n", "  id: s-0001\n  name: Zoë Ñúñez 李\n"))
    profile = load_inputs(path, AS_OF, default_plan).profile
    assert profile is not None and profile.student.name == "Zoë Ñúñez 李"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("schema_version: 1", "schema_version: true", "schema_version: must be 1, not true"),
        ("schema_version: 1", "schema_version: 1.0", "schema_version: must be 1, not 1.0"),
        (
            "  graduate_type: us_md",
            "  graduate_type: us_md\n  visa_required: 0",
            "student.visa_required: expected true or false, got a number",
        ),
    ],
)
def test_a_bool_or_float_where_the_format_wants_another_type_is_an_error(
    write: WriteFile, default_plan: Plan, old: str, new: str, expected: str
) -> None:
    # true == 1 == 1.0 in Python: without a strict check each would pass for the other
    path = write("p.yaml", VALID.replace(old, new, 1))
    problem = sole_problem(path, default_plan)
    assert f"{problem.field}: {problem.message}" == expected


def test_a_yaml_set_where_text_is_expected_is_named_as_a_set(
    write: WriteFile, default_plan: Plan
) -> None:
    path = write("p.yaml", VALID.replace("  id: s-0001\n", "  id: s-0001\n  name: !!set {a, b}\n"))
    problem = sole_problem(path, default_plan)
    assert problem.message == "expected text, got a set (!!set)"  # was "got text"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_scores_file_that_is_a_pipe_is_not_called_missing(
    write: WriteFile, default_plan: Plan
) -> None:
    path = write("p.yaml", VALID + "scores_file: scores.csv\n")
    os.mkfifo(path.parent / "scores.csv")
    problem = sole_problem(path, default_plan)
    assert problem.message.startswith("scores file is not a regular file (a pipe or a device)")


def test_a_refused_scores_file_name_is_one_problem_not_two(
    write: WriteFile, default_plan: Plan
) -> None:
    path = write("p.yaml", VALID + f"scores_file: {'a' * 600}.csv\n")
    problem = sole_problem(path, default_plan)  # not also "cannot be read (name too long)"
    assert problem.field == "scores_file" and "at most 500" in problem.message


def test_binary_data_where_a_list_is_expected_is_named_as_such(
    write: WriteFile, default_plan: Plan
) -> None:
    path = write("p.yaml", VALID + "causes: !!binary aGk=\n")
    problem = sole_problem(path, default_plan)
    assert problem.message == "expected a list, got binary data (!!binary)"


def test_missing_scores_file_names_the_profile_line(write: WriteFile, default_plan: Plan) -> None:
    path = write("p.yaml", VALID + "scores_file: nbme.csv\n")
    problem = sole_problem(path, default_plan)
    assert (problem.file, problem.line, problem.column, problem.field) == (
        str(path),
        15,
        14,
        "scores_file",
    )
    assert problem.message == f"scores file not found: {path.parent / 'nbme.csv'}"


def test_a_scores_file_name_too_long_for_the_file_system_is_located(
    write: WriteFile, default_plan: Plan
) -> None:
    path = write("p.yaml", VALID + f"scores_file: {'a' * 300}.csv\n")
    problem = sole_problem(path, default_plan)
    assert (problem.line, problem.field) == (15, "scores_file")
    assert problem.message.startswith("scores file cannot be read (")


def test_problems_of_the_profile_and_both_csvs_are_reported_together(
    write: WriteFile, default_plan: Plan
) -> None:
    write("own.csv", "date,form,epc\n2026-10-01,CBSSA 29,640\n")
    profile = write("p.yaml", VALID + "scores_file: own.csv\n")
    extra = write("extra.csv", "date,form,epc\n2026-13-01,CBSSA 30,66\n")
    with pytest.raises(InputError) as info:
        load_inputs(profile, AS_OF, default_plan, scores=extra)
    assert [(Path(p.file).name, p.line, p.field) for p in info.value.problems] == [
        ("own.csv", 2, "epc"),
        ("extra.csv", 2, "date"),
    ]


def test_validate_files_never_raises(write: WriteFile, default_plan: Plan) -> None:
    good = write("good.yaml", VALID)
    bad = write("bad.yaml", VALID.replace("result: fail", "result: nope"))
    other = write("notes.txt", "hello")
    problems = validate_files([good, bad, other], AS_OF, default_plan)
    assert [Path(p.file).name for p in problems] == ["bad.yaml", "notes.txt"]
    assert "unknown file type" in problems[1].message


def test_validate_files_checks_the_profile_scores_file(
    write: WriteFile, default_plan: Plan
) -> None:
    write("s.csv", "date,form,epc\n2026-10-01,CBSSA 29,\n")
    profile = write("p.yml", VALID + "scores_file: s.csv\n")
    problems = validate_files([profile], AS_OF, default_plan)
    assert [(Path(p.file).name, p.line) for p in problems] == [("s.csv", 2)]


# ---------------------------------------------------------------- helpers


def test_field_path_drops_the_key_marker() -> None:
    assert field_path(("attempts", 0, "date")) == "attempts.0.date"
    assert field_path(("clerkships", "shelves", 3, "[key]")) == "clerkships.shelves.3"


def test_known_keys_follow_lists_optionals_and_models() -> None:
    assert "pathology" in known_keys(Profile, ("attempts", 0, "content_areas", "disciplines"))
    assert "unfinished_blocks" in known_keys(Profile, ("attempts", 0, "test_day"))
    assert "hours_per_week" in known_keys(Profile, ("study",))
    assert known_keys(Profile, ("causes", 0)) == []


def test_suggestions() -> None:
    assert suggest("atempts", ["attempts", "causes"]) == "; did you mean 'attempts'?"
    assert suggest("zzz", ["attempts"]) == ""
    assert unknown_key("zzz", ["b", "a"]) == "unknown key 'zzz'; expected one of: a, b"


@pytest.mark.parametrize(
    ("err", "message"),
    [
        ({"type": "date_type", "loc": (), "msg": "", "input": 5}, "expected a date YYYY-MM-DD"),
        (
            {"type": "int_type", "loc": (), "msg": "", "input": []},
            "expected a whole number, got a list",
        ),
        ({"type": "less_than_equal", "ctx": {"le": 100.0}, "input": 101}, "must be at most 100"),
        ({"type": "greater_than_equal", "ctx": {"ge": 0}, "input": -1}, "must be at least 0"),
        (
            {"type": "string_too_long", "ctx": {"max_length": 64}, "input": "x"},
            "must be at most 64 characters",
        ),
        ({"type": "too_long", "ctx": {"max_length": 7}, "input": []}, "too many items (at most 7)"),
        ({"type": "value_error", "msg": "Value error, nope"}, "nope"),
        ({"type": "bool_parsing", "input": "maybe"}, "expected true or false, got 'maybe'"),
    ],
)
def test_friendly_messages(err: dict[str, object], message: str) -> None:
    assert friendly(err) == message


# ---------------------------------------------------------------- the fast event path


def _full(text: str) -> object:
    return yamlfile._full_load(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: yes\nb: No\nc: on\nd: OFF\ne: 'yes'\nf: \"no\"\n",
        "a: 012\nb: 0x1F\nc: 1_000\nd: 1:30\ne: -7\nf: +3\ng: 0b101\n",
        "a: 1.5\nb: .inf\nc: -.Inf\nd: 1e3\ne: 6.02e+23\nf: 1_0.5\n",
        "a: ~\nb: null\nc:\nd: Null\n",
        "a: 2026-05-14\nb: 2026-05-14 10:00:00\nc: 2026-05-14T10:00:00Z\nd: 2026-02-30\n",
        "a: [1, [2, {b: c}], {}]\nb: {x: [], y: {z: 1}}\n",
        "? a\n: 1\n1: one\nfalse: f\n",
        "a: &x {b: 1}\nc: *x\nd: [&y 2, *y]\n",
        "a: |\n  line\n  next\nb: >\n  folded\n  text\n",
        "a: ! 12\nb: !!str 12\nc: !!map {d: 1}\nd: !!seq [1]\n",
        "%YAML 1.1\n---\na: 1\n...\n",
        "- 1\n- a: 2\n  b: 3\n",
        "",
        "just text",
        "a: 9999999999999999999999999999999999999999\n",
    ],
)
def test_fast_path_gives_the_full_loaders_data(text: str) -> None:
    assert repr(yamlfile.fastyaml.load(text)) == repr(_full(text))


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: 1}\nc: {<<: *x, d: 2}\n",
        "a: !!set {x, y}\nb: !!omap [{x: 1}]\n",
        "? [a, b]\n: 1\n",
        "a: !!binary aGk=\n",
        "a: *nope\n",
        "a: 1\n---\nb: 2\n",
        "a: =\n",
    ],
)
def test_rare_features_fall_back_to_the_full_loader(text: str) -> None:
    with pytest.raises(yamlfile.fastyaml.Fallback):
        yamlfile.fastyaml.load(text)


def test_merge_keys_through_the_full_loader() -> None:
    data = parse_yaml("a: &x {b: 1}\nc: {<<: *x, d: 2}\n", "m.yaml").data
    assert data == {"a": {"b": 1}, "c": {"b": 1, "d": 2}}


def test_fast_path_signals_duplicates() -> None:
    with pytest.raises(yamlfile.fastyaml.DuplicateKey):
        yamlfile.fastyaml.load("a: {b: 1, b: 2}\n")
    with pytest.raises(yamlfile.fastyaml.DuplicateKey):
        yamlfile.fastyaml.load("1: a\n1: b\n")


def test_an_aliased_collection_used_as_a_key_falls_back() -> None:
    with pytest.raises(yamlfile.fastyaml.Fallback):
        yamlfile.fastyaml.load("- &k [1]\n- {*k : 2}\n")


def test_read_capped_reads_a_small_file_whole(write: WriteFile) -> None:
    path = write("small.yaml", b"a: 1\n")
    with path.open("rb") as handle:
        assert read_capped(handle.fileno()) == b"a: 1\n"


def test_read_capped_stops_one_byte_past_the_limit(write: WriteFile) -> None:
    path = write("big.yaml", b"x" * 10)
    with path.open("rb") as handle:
        assert read_capped(handle.fileno(), limit=4) == b"xxxxx"


def test_read_capped_reads_a_pipe_up_to_the_cap() -> None:
    for limit, expected in ((100, b"abcdef"), (4, b"abcde")):
        read_end, write_end = os.pipe()
        os.write(write_end, b"abcdef")
        os.close(write_end)
        try:  # a pipe has no size
            assert read_capped(read_end, limit) == expected
        finally:
            os.close(read_end)


def test_read_capped_reads_on_when_the_file_grew(
    write: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("growing.yaml", b"a: 1\nb: 2\n")
    real_fstat = os.fstat

    def stale_fstat(fd: int) -> os.stat_result:  # the size before the second line was written
        size = list(real_fstat(fd))
        size[6] = 5  # st_size
        return os.stat_result(size)

    monkeypatch.setattr(os, "fstat", stale_fstat)
    with path.open("rb") as handle:
        assert read_capped(handle.fileno()) == b"a: 1\nb: 2\n"


def test_read_capped_reads_a_file_of_the_announced_size_in_one_read(
    write: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("small.yaml", b"a: 1\nb: 2\n")
    real_read = os.read
    reads: list[int] = []

    def counted(fd: int, n: int) -> bytes:
        reads.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", counted)
    with path.open("rb") as handle:
        assert read_capped(handle.fileno()) == b"a: 1\nb: 2\n"
    assert reads == [11]  # its 10 bytes and one more asked for; no read to find the end


# ---------------------------------------------------------------- digit scalars


_DIGIT_LIKE = st.text(alphabet="0123456789-._e+:²", max_size=12) | st.from_regex(
    r"\A(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,20}|[0-9]{1,10}\.[0-9]{0,10})\Z"
)


@given(_DIGIT_LIKE)
def test_digit_scalars_are_typed_as_pyyaml_types_them(text: str) -> None:
    # The fast path for dates and plain numbers gives PyYAML's own value and type, or leaves
    # the scalar to PyYAML.
    value = fastyaml.digit_scalar(text)
    if value is not fastyaml.NOT_DIGITS:
        expected = fastyaml.resolved_scalar(text)
        assert (type(value), value) == (type(expected), expected)
    assert fastyaml.plain_scalar.__wrapped__(text) == fastyaml.resolved_scalar(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2026-03-14", dt.date(2026, 3, 14)),
        ("2026-02-30", "2026-02-30"),  # an impossible date stays text
        ("64", 64),
        ("0", 0),
        ("62.5", 62.5),
    ],
)
def test_digit_scalars_typed_directly(text: str, value: object) -> None:
    assert fastyaml.digit_scalar(text) == value


@pytest.mark.parametrize("text", ["012", "1_000", "62.", ".5", "-3", "1e3", "²3", "2026-3-14"])
def test_other_shapes_are_left_to_pyyaml(text: str) -> None:
    assert fastyaml.digit_scalar(text) is fastyaml.NOT_DIGITS
