"""The input models: strict keys, ranges, the as-of check, the attempt order, forms and schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from step1plan.models.areas import ContentAreas
from step1plan.models.common import Band, CauseId, PracticeKind, cached_attribute
from step1plan.models.profile import Profile
from step1plan.models.scores import PracticeScore, cbssa_number, kind_of_form

AS_OF = dt.date(2026, 11, 27)

CTX = {"as_of": AS_OF}


def profile(**extra: Any) -> Profile:
    return Profile.model_validate({"student": {"id": "s-1"}, **extra}, context=CTX)


def error_types(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as info:
        Profile.model_validate(data, context=CTX)
    return [(tuple(e["loc"]), e["type"]) for e in info.value.errors()]


def test_minimal_profile_has_defaults() -> None:
    p = profile()
    assert p.schema_version == 1
    assert p.target.specialty == "internal_medicine"
    assert p.attempts == [] and p.practice == [] and p.causes == []
    assert not p.failed_step1()


def test_unknown_keys_are_rejected_everywhere() -> None:
    assert error_types({"student": {"id": "s", "nom": "x"}, "extra": 1}) == [
        (("student", "nom"), "extra_forbidden"),
        (("extra",), "extra_forbidden"),
    ]


def test_models_are_frozen() -> None:
    p = profile()
    with pytest.raises(ValidationError):
        p.student.id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"student": {"id": "s", "us_letters": 21}}, ("student", "us_letters")),
        ({"student": {"id": "has space"}}, ("student", "id")),
        ({"student": {"id": ""}}, ("student", "id")),
        ({"qbank": {"percent_correct": 101}}, ("qbank", "percent_correct")),
        ({"study": {"hours_per_week": 200}}, ("study", "hours_per_week")),
        ({"causes": ["bad_luck"]}, ("causes", 0)),
        ({"target": {"specialty": "Internal Medicine"}}, ("target", "specialty")),
        ({"clerkships": {"shelves": {"medicine": 120}}}, ("clerkships", "shelves")),
    ],
)
def test_out_of_range_and_malformed_values(data: dict[str, Any], loc: tuple[Any, ...]) -> None:
    merged = {"student": {"id": "s-1"}, **data}
    assert loc in [found for found, _ in error_types(merged)]


def test_dates_after_as_of_are_rejected_for_attempts_and_practice() -> None:
    found = error_types(
        {
            "student": {"id": "s"},
            "attempts": [{"exam": "step1", "date": "2026-11-28", "result": "fail"}],
            "practice": [{"date": "2026-11-28", "form": "CBSSA 29", "epc": 60}],
        }
    )
    assert found == [
        (("attempts", 0, "date"), "value_error"),
        (("practice", 0, "date"), "value_error"),
    ]


def test_the_as_of_date_itself_is_allowed() -> None:
    p = profile(attempts=[{"exam": "step1", "date": AS_OF, "result": "incomplete"}])
    assert p.failed_step1()


def test_without_as_of_context_future_dates_pass() -> None:
    p = Profile.model_validate(
        {
            "student": {"id": "s"},
            "attempts": [{"exam": "step1", "date": "2099-01-01", "result": "fail"}],
        }
    )
    assert p.attempts[0].date == dt.date(2099, 1, 1)


def test_attempts_must_be_oldest_first() -> None:
    assert error_types(
        {
            "student": {"id": "s"},
            "attempts": [
                {"exam": "step1", "date": "2026-06-01", "result": "fail"},
                {"exam": "step1", "date": "2026-01-01", "result": "fail"},
            ],
        }
    ) == [(("attempts",), "item_problem")]  # located at attempts[1].date by the loader


def test_step1_attempts_and_failure() -> None:
    p = profile(
        attempts=[
            {"exam": "step1", "date": "2026-01-01", "result": "fail"},
            {"exam": "step2ck", "date": "2026-02-01", "result": "pass", "score": 230},
        ]
    )
    assert [a.date for a in p.step1_attempts()] == [dt.date(2026, 1, 1)]
    assert p.failed_step1()


@pytest.mark.parametrize(
    ("form", "kind"),
    [
        ("CBSSA 29", PracticeKind.cbssa),
        ("NBME 30", PracticeKind.cbssa),
        ("nbme form 27", PracticeKind.cbssa),
        ("Free 120", PracticeKind.free120),
        ("free-120 (new)", PracticeKind.free120),
        ("UWSA 2", PracticeKind.uwsa),
        ("AMBOSS SA", PracticeKind.other),
    ],
)
def test_kind_of_form(form: str, kind: PracticeKind) -> None:
    assert kind_of_form(form) is kind
    assert PracticeScore(date=AS_OF, form=form, epc=60).kind is kind


@pytest.mark.parametrize(
    ("form", "number"),
    [
        ("CBSSA 29", 29),
        ("nbme form 27", 27),
        ("UWSA 2", None),
        ("Free 120", None),
        ("AMBOSS", None),
    ],
)
def test_cbssa_number(form: str, number: int | None) -> None:
    assert cbssa_number(form) == number


def test_practice_percent_forms() -> None:
    score = PracticeScore.model_validate(
        {"date": "2026-10-01", "form": "CBSSA 29", "epc": "62%", "pass_probability": "92%"}
    )
    assert score.epc == 62
    assert score.pass_probability == pytest.approx(0.92)


def test_practice_needs_a_result() -> None:
    with pytest.raises(ValidationError) as info:
        PracticeScore.model_validate({"date": "2026-10-01", "form": "CBSSA 29"})
    assert "give at least one of" in str(info.value)


def test_content_area_bands() -> None:
    areas = ContentAreas.model_validate(
        {"disciplines": {"pathology": "lower"}, "systems": {"cardiovascular": "same"}}
    )
    assert areas.bands() == {
        ("disciplines", "pathology"): Band.lower,
        ("systems", "cardiovascular"): Band.same,
    }
    assert areas.band_items() == tuple(areas.bands().items())  # the same pairs, outline order
    areas.bands().clear()  # the dict is the caller's copy: the cached bands stay
    assert len(areas.band_items()) == 2


def test_cause_ids_are_the_fixed_seven() -> None:
    assert {c.value for c in CauseId} == {
        "weak_foundations",
        "question_interpretation",
        "memorization_without_reasoning",
        "rushed_qbank_review",
        "premature_exam",
        "timing",
        "test_anxiety_fatigue",
    }


def test_json_schema_names_the_top_level_fields() -> None:
    schema = Profile.model_json_schema()
    assert set(schema["properties"]) == {
        "schema_version",
        "student",
        "target",
        "attempts",
        "causes",
        "practice",
        "qbank",
        "study",
        "clerkships",
        "scores_file",
    }
    assert schema["required"] == ["student"]
    assert schema["additionalProperties"] is False


def _keys(node: object) -> set[str]:
    """Every key used anywhere in a JSON value."""
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


def test_json_schema_states_bounds_as_json_schema_keywords() -> None:
    schema = Profile.model_json_schema()
    assert not _keys(schema) & {"ge", "le", "gt", "lt"}  # pydantic's names are not JSON Schema
    score = schema["$defs"]["PracticeScore"]["properties"]
    assert {"minimum": 0, "maximum": 100, "type": "number"} in score["epc"]["anyOf"]
    assert {"minimum": 1, "maximum": 300, "type": "integer"} in score["score"]["anyOf"]


def test_a_cached_attribute_is_computed_once_and_is_no_field() -> None:
    # PracticeScore.kind: read from the form on first use, then a plain attribute; dumps,
    # equality and hashing of the frozen model never see it.
    as_of = {"as_of": dt.date(2026, 11, 27)}
    data = {"date": "2026-01-02", "form": "CBSSA 27", "epc": 60}
    score = PracticeScore.model_validate(data, context=as_of)
    dumped, as_json, hashed = score.model_dump(), score.model_dump_json(), hash(score)
    assert "kind" not in score.__dict__
    assert score.kind is PracticeKind.cbssa
    assert score.__dict__["kind"] is PracticeKind.cbssa  # stored: later reads call nothing
    assert (score.model_dump(), score.model_dump_json(), hash(score)) == (dumped, as_json, hashed)
    again = PracticeScore.model_validate(data, context=as_of)
    assert score == again and again == score
    assert "kind" not in PracticeScore.model_fields
    assert isinstance(PracticeScore.__dict__["kind"], cached_attribute)
