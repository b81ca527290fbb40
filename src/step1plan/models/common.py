"""Shared vocabulary of the input and output models: enums, area keys and the strict base model."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar, overload

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo
from pydantic_core import PydanticCustomError

_T = TypeVar("_T")


class cached_attribute(Generic[_T]):
    """A value computed from an immutable model on first use, then read as a plain attribute.

    ``functools.cached_property`` without its lock: on Python 3.11 it takes an ``RLock`` on
    every first access (3.12 dropped the lock), which is most of the cost when a cohort run
    asks each fresh model once or twice. The value is stored in the instance's ``__dict__``,
    where later reads find it without any call (this is a non-data descriptor). Pydantic
    ignores it (:class:`StrictModel`'s ``ignored_types``): it is no field, so dumps, schemas,
    equality and hashing never see it. Only for values derived from fields that a
    ``model_copy(update=...)`` never changes (a copy keeps the stored value).
    """

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_attribute[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object, owner: type | None = None) -> _T | cached_attribute[_T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


class StrictModel(BaseModel):
    """Base of every input model: unknown keys are errors and instances are immutable.

    Reading a field costs several times a plain attribute's in Python 3.11 (about 430 against
    64 instructions): ``BaseModel`` defines ``__getattr__``, which keeps the interpreter from
    specialising attribute reads on its instances (the hook itself is not called for a field).
    Hot loops therefore read a field once, or take many at once from the instance ``__dict__``,
    where pydantic v2 keeps the field values.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        ignored_types=(cached_attribute,),
    )


class Band(StrEnum):
    """Content-area feedback of a failing report or NBME report, relative to a low pass."""

    # The member name is DESIGN.md's band word; it shadows str.lower on Band values only.
    lower = "lower"  # type: ignore[assignment]
    same = "same"
    higher = "higher"


class GraduateType(StrEnum):
    """Where the student's medical degree is (or will be) from."""

    us_md = "us_md"
    us_do = "us_do"
    img = "img"


class Exam(StrEnum):
    """A USMLE Step this tool plans for."""

    step1 = "step1"
    step2ck = "step2ck"


class AttemptResult(StrEnum):
    """Outcome of one USMLE attempt. Incomplete attempts count toward the attempt limit."""

    passed = "pass"
    fail = "fail"
    incomplete = "incomplete"


class Level(StrEnum):
    """A self-rated intensity (test-day anxiety, fatigue)."""

    none = "none"
    low = "low"
    moderate = "moderate"
    high = "high"


class QbankMode(StrEnum):
    """How QBank blocks were done."""

    tutor = "tutor"
    timed = "timed"
    mixed = "mixed"


class CauseId(StrEnum):
    """The fixed ids of the failure causes (DESIGN.md)."""

    weak_foundations = "weak_foundations"
    question_interpretation = "question_interpretation"
    memorization_without_reasoning = "memorization_without_reasoning"
    rushed_qbank_review = "rushed_qbank_review"
    premature_exam = "premature_exam"
    timing = "timing"
    test_anxiety_fatigue = "test_anxiety_fatigue"


class PracticeKind(StrEnum):
    """Kind of practice assessment, read from its form name."""

    cbssa = "cbssa"
    free120 = "free120"
    uwsa = "uwsa"
    other = "other"


DISCIPLINES: tuple[str, ...] = (
    "pathology",
    "physiology",
    "pharmacology",
    "biochemistry_nutrition",
    "microbiology",
    "immunology",
    "gross_anatomy_embryology",
    "histology_cell_biology",
    "behavioral_sciences",
    "genetics",
)
"""Fixed discipline keys of the Step 1 content outline (DESIGN.md)."""

SYSTEMS: tuple[str, ...] = (
    "human_development",
    "blood_immune",
    "behavioral_nervous",
    "musculoskeletal_skin",
    "cardiovascular",
    "respiratory_renal",
    "gastrointestinal",
    "reproductive_endocrine",
    "multisystem",
    "biostatistics_epidemiology",
    "social_sciences_communication",
)
"""Fixed system keys of the Step 1 content outline (DESIGN.md)."""


EARLIEST_DATE = dt.date(1950, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
"""Every date the tool accepts lies in this range, like ``graduation_year`` and ``match_year``:
wide enough for any real record or plan, and far from the ends of Python's calendar, where the
timeline's date arithmetic (a result 4 weeks after a test, a Match years later) would fail."""

Day = Annotated[dt.date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]
"""A date within :data:`EARLIEST_DATE` and :data:`LATEST_DATE`."""


PRINTABLE = r"^[^\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
"""Text without control characters (a quoted YAML string can write them as ``\\e`` or
``\\0``), line or paragraph separators, or text-direction marks and overrides: names and
labels are echoed to terminals, Markdown and CSV, where they could rewrite what is shown. Valid
for pydantic's Rust regex, Python and the JSON Schema (ECMA-262) that `step1plan schema`
prints."""

Text = Annotated[str, Field(pattern=PRINTABLE)]
"""Free text from the input: printable only (:data:`PRINTABLE`)."""


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` date; ``ValueError`` otherwise (``fromisoformat`` alone also takes week
    dates such as ``2026-W39-1`` and ``20261127``)."""
    if not _ISO_DATE.match(text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


ITEM_PROBLEM = "item_problem"
"""The error type of :func:`item_problems`."""


ItemProblem = tuple[str, tuple[int | str, ...]]
"""A problem of one item: its message and where it is (an item index, then a field)."""


def item_problems(found: Sequence[ItemProblem]) -> PydanticCustomError:
    """The errors a list's (or mapping's) validator finds in its items, each located there.

    A field validator sees the whole list, so pydantic places its one error at the list itself;
    the item of each problem (``1, "date"``) is carried in the error's context, and the loader
    adds it to the location and reports every problem on its own line, at the line of the
    item's field. ``found`` is not empty.
    """
    (message, at), *more = found
    # pydantic-core fills the template one context key at a time, in this order: the message
    # last, so that a ``{at}`` or ``{more}`` in it (a shelf named so) is left as written.
    return PydanticCustomError(
        ITEM_PROBLEM, "{message}", {"at": at, "more": tuple(more), "message": message}
    )


def as_of_from(info: ValidationInfo) -> dt.date | None:
    """The ``as_of`` date passed in the validation context, if any."""
    ctx: Any = info.context
    if isinstance(ctx, dict):
        value = ctx.get("as_of")
        if isinstance(value, dt.date):
            return value
    return None


def not_after_as_of(value: dt.date, info: ValidationInfo, what: str) -> dt.date:
    """Reject a date that lies after the run's ``as_of`` date (it cannot have happened yet)."""
    as_of = as_of_from(info)
    if as_of is not None and value > as_of:
        raise ValueError(f"{what} {value.isoformat()} is after the as-of date {as_of.isoformat()}")
    return value
