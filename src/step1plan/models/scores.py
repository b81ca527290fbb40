"""A practice assessment result: one CSV row, or one ``practice:`` entry of a profile."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticKnownError

from step1plan.models.areas import ContentAreas
from step1plan.models.common import (
    Day,
    PracticeKind,
    StrictModel,
    Text,
    cached_attribute,
    not_after_as_of,
)

_CBSSA = re.compile(r"^(?:cbssa|nbme)\s*(?:form\s*)?#?\s*\d+\b", re.IGNORECASE)
_FREE120 = re.compile(r"^free\s*-?\s*120\b", re.IGNORECASE)
_UWSA = re.compile(r"^uwsa\s*#?\s*\d+\b", re.IGNORECASE)


@lru_cache(maxsize=1024)
def kind_of_form(form: str) -> PracticeKind:
    """Read the assessment kind from its form name (``CBSSA 29``, ``Free 120``, ``UWSA 2``).

    Cached: a pure function of the (immutable) name, and a cohort repeats the same few names.
    """
    text = form.strip()
    if _CBSSA.match(text):
        return PracticeKind.cbssa
    if _FREE120.match(text):
        return PracticeKind.free120
    if _UWSA.match(text):
        return PracticeKind.uwsa
    return PracticeKind.other


_FORM_NUMBER = re.compile(r"(\d+)")


@lru_cache(maxsize=1024)
def cbssa_number(form: str) -> int | None:
    """The form number of an NBME CBSSA, the first number in its name (``CBSSA 27`` and
    ``NBME 27`` -> 27); ``None`` for another kind of assessment (:func:`kind_of_form`), whose
    forms are not numbered, or a name without a number.

    Cached: a pure function of the name, and the same few form names come back.
    """
    if kind_of_form(form) is not PracticeKind.cbssa:
        return None
    match = _FORM_NUMBER.search(form)
    return int(match.group(1)) if match else None


def _not_true_false(value: Any) -> Any:
    """Refuse true/false for a number (YAML reads ``yes`` and ``no`` as true and false), with
    the error of a number field given something else, as the profile's strict fields give;
    and a number written with ``_`` (``float`` reads ``6_0`` as 60: a typo, not a number)."""
    if isinstance(value, bool):
        raise PydanticKnownError("float_type")
    if isinstance(value, str) and "_" in value:
        raise PydanticKnownError("float_parsing")
    return value


def _percent_text(value: Any) -> Any:
    """Accept ``"62%"`` or ``"62"`` for a 0-100 number."""
    _not_true_false(value)
    if isinstance(value, str):
        text = value.strip()
        return text[:-1].strip() if text.endswith("%") else text
    return value


def _probability(value: Any) -> Any:
    """Accept a probability as 0-1 (``0.92``) or as a percent string (``"92%"``)."""
    _not_true_false(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            number = text[:-1].strip()
            try:
                return float(number) / 100
            except ValueError:
                raise ValueError(f"expected a percent such as 92%, got {value!r}") from None
        return text
    return value


# The bounds come before the validator: so they bound the number itself and the JSON Schema
# shows them as minimum and maximum.
Percent = Annotated[float, Field(ge=0, le=100), BeforeValidator(_percent_text)]
Probability = Annotated[float, Field(ge=0, le=1), BeforeValidator(_probability)]


class PracticeScore(StrictModel):
    """One practice assessment: an NBME CBSSA, a Free 120, a UWSA or another exam."""

    date: Day
    """The day the assessment was taken (never after the as-of date)."""
    form: Text = Field(min_length=1, max_length=80)
    """Its name: ``CBSSA 29`` / ``NBME 29``, ``Free 120``, ``UWSA 2``, or anything else."""
    epc: Percent | None = None
    """Equated percent correct, 0-100 (CBSSA since 2022)."""
    pass_probability: Probability | None = None
    """Estimated probability of passing, 0-1 (or a percent such as ``92%``)."""
    score: Annotated[int, Field(ge=1, le=300), BeforeValidator(_not_true_false)] | None = None
    """A 3-digit score (UWSA, or a pre-2022 NBME form)."""
    percent_correct: Percent | None = None
    """Percent correct, 0-100 (Free 120 and others)."""
    unfinished_blocks: (
        Annotated[int, Field(ge=0, le=20), BeforeValidator(_not_true_false)] | None
    ) = None
    """Blocks where time ran out before every item was answered."""
    seen_before: bool = False
    """True when this form or set was taken before (its score is inflated)."""
    content_areas: ContentAreas | None = None
    """The NBME report's content bands, when copied in (profile only; newer bands win)."""

    @field_validator("date")
    @classmethod
    def _not_in_future(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        return not_after_as_of(value, info, "practice date")

    @model_validator(mode="after")
    def _has_a_result(self) -> PracticeScore:
        if (
            self.epc is None
            and self.pass_probability is None
            and self.score is None
            and (self.percent_correct is None)
        ):
            raise ValueError("give at least one of epc, pass_probability, score or percent_correct")
        return self

    @cached_attribute
    def kind(self) -> PracticeKind:
        """The assessment kind, read from :attr:`form` (once: the rules ask about 20 times a
        profile)."""
        return kind_of_form(self.form)


def mark_repeated_forms(
    items: Sequence[tuple[PracticeScore, str]],
) -> list[tuple[PracticeScore, str]]:
    """The scores with their evidence paths (sorted by date), each CBSSA whose form number was
    taken on an earlier day marked ``seen_before``, and a CBSSA written twice for the same day
    merged into the first copy: a form seen before inflates the score (DOMAIN.md "Practice
    assessments", M), whether or not the student ticked the flag, while the same sitting
    written twice (in the profile and in its ``scores_file``, or as ``NBME 27`` and
    ``CBSSA 27``) is one piece of evidence, not two and not a repeat. The merged copy is seen
    before when either copy says so and takes the values only the later copy gives (where both
    give one, the first copy's stands). Only CBSSAs: their forms have numbers; other
    assessments keep the student's own flag. An unchanged score is the same object."""
    first_day: dict[int, dt.date] = {}  # form number -> the day it was first taken
    kept: dict[tuple[int, dt.date], int] = {}  # (form number, day) -> index in ``out``
    out: list[tuple[PracticeScore, str]] = []
    for item in items:
        score = item[0]
        number = cbssa_number(score.form)
        if number is None:
            out.append(item)
            continue
        day = score.date
        sitting = (number, day)
        if sitting in kept:  # the same sitting written again
            index = kept[sitting]
            out[index] = (_merged(out[index][0], score), out[index][1])
            continue
        kept[sitting] = len(out)
        if first_day.setdefault(number, day) < day and not score.seen_before:
            item = (score.model_copy(update={"seen_before": True}), item[1])
        out.append(item)
    return out


_MERGED_FIELDS = ("epc", "pass_probability", "score", "percent_correct", "unfinished_blocks")


def _merged(first: PracticeScore, again: PracticeScore) -> PracticeScore:
    """One sitting written twice as one score: ``first``, seen before if either copy is, with
    the values only ``again`` gives."""
    update: dict[str, Any] = {
        name: getattr(again, name)
        for name in _MERGED_FIELDS
        if getattr(first, name) is None and getattr(again, name) is not None
    }
    if again.seen_before and not first.seen_before:
        update["seen_before"] = True
    if first.content_areas is None and again.content_areas is not None:
        update["content_areas"] = again.content_areas
    return first.model_copy(update=update) if update else first
