"""``@record`` builds the same frozen dataclass as ``@dataclass(frozen=True, slots=True)``, and
``@dict_record`` the same as ``@dataclass(frozen=True)``: only ``__init__`` differs."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from collections.abc import Callable
from dataclasses import KW_ONLY, InitVar, dataclass, field
from typing import Any

import pytest

from step1plan.models.record import dict_record, fast_init, record

Body = Callable[[], dict[str, Any]]


FLAVOURS = {
    "record": (dataclass(frozen=True, slots=True), record),
    "dict_record": (dataclass(frozen=True), dict_record),
}
"""Each decorator of this module, with the plain dataclass decorator it stands for."""


def _pair(body: Body, post_init: Any = None, flavour: str = "record") -> tuple[type, type]:
    """The same class body made by the dataclass decorator and by ``record`` (or
    ``dict_record``)."""
    made = []
    for decorate in FLAVOURS[flavour]:
        ns = body()  # fresh field() objects: the decorator takes them over
        if post_init is not None:
            ns["__post_init__"] = post_init
        made.append(decorate(type("Sample", (), ns)))
    return made[0], made[1]


def _is_fast(cls: type) -> bool:
    """True when ``cls.__init__`` stores through slot setters or straight into ``__dict__``,
    not through ``object.__setattr__``."""
    names = cls.__init__.__code__.co_names  # type: ignore[misc]
    return "__dataclass_builtins_object__" not in names and (
        any(n.startswith("_set_") for n in names) or "__dict__" in names
    )


def _set_total(self: Any) -> None:
    object.__setattr__(self, "total", self.a + len(self.items))


def plain() -> dict[str, Any]:
    return {"__annotations__": {"a": "int", "b": "str"}}


def defaults() -> dict[str, Any]:
    return {
        "__annotations__": {"a": "int", "b": "str", "items": "list[int]"},
        "b": "x",
        "items": field(default_factory=list),
    }


def derived() -> dict[str, Any]:
    return {
        "__annotations__": {"a": "int", "items": "tuple[int, ...]", "total": "int", "tag": "str"},
        "items": (),
        "total": field(init=False),
        "tag": field(init=False, default="t"),
    }


def keywords() -> dict[str, Any]:
    return {
        "__annotations__": {"a": "int", "_": "KW_ONLY", "b": "int", "c": "list[int]"},
        "_": KW_ONLY,
        "b": 2,
        "c": field(default_factory=lambda: [9]),
    }


Calls = list[tuple[tuple[Any, ...], dict[str, Any]]]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("body", "post_init", "calls"),
    [
        (plain, None, [((1, "b"), {}), ((), {"a": 1, "b": "z"})]),
        (defaults, None, [((1,), {}), ((1, "y"), {}), ((1,), {"items": [3]})]),
        (derived, _set_total, [((1,), {}), ((2, (1, 2)), {})]),
        (keywords, None, [((1,), {}), ((1,), {"b": 5, "c": []})]),
    ],
)
def test_record_builds_what_the_dataclass_builds(
    body: Body, post_init: Any, calls: Calls, flavour: str
) -> None:
    slow, fast = _pair(body, post_init, flavour)
    assert _is_fast(fast) and not _is_fast(slow)
    assert str(inspect.signature(slow.__init__)) == str(inspect.signature(fast.__init__))
    for args, kwargs in calls:
        a, b = slow(*args, **kwargs), fast(*args, **kwargs)
        assert repr(a) == repr(b)
        assert [getattr(b, f.name) for f in dataclasses.fields(b)] == [
            getattr(a, f.name) for f in dataclasses.fields(a)
        ]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_default_factories_are_called_for_each_instance(flavour: str) -> None:
    _, fast = _pair(defaults, flavour=flavour)
    first, second = fast(1), fast(2)
    assert first.items == [] and first.items is not second.items


@record
class Point:
    x: int
    y: int = 0


@dict_record
class DictPoint:
    x: int
    y: int = 0


@pytest.mark.parametrize("cls", [Point, DictPoint])
def test_a_record_is_still_frozen_hashable_and_picklable(cls: type[Point]) -> None:
    p = cls(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del p.y  # type: ignore[misc]
    assert hash(p) == hash(cls(1, 0)) and p == cls(1, 0)
    assert pickle.loads(pickle.dumps(p)) == p
    assert dataclasses.replace(p, y=5) == cls(1, 5)


def test_only_a_dict_record_has_an_instance_dict() -> None:
    assert not hasattr(Point(1), "__dict__")
    assert DictPoint(1, 2).__dict__ == {"x": 1, "y": 2}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_missing_and_unknown_arguments_fail_as_with_a_dataclass(flavour: str) -> None:
    for cls in _pair(plain, flavour=flavour):
        with pytest.raises(TypeError):
            cls(1)
        with pytest.raises(TypeError):
            cls(1, "b", c=3)


class WithInitVar:
    a: int
    scale: InitVar[int] = 1

    def __post_init__(self, scale: int) -> None:
        object.__setattr__(self, "a", self.a * scale)


def test_a_class_with_an_init_var_keeps_the_dataclass_init() -> None:
    made = record(WithInitVar)
    assert not _is_fast(made)
    assert fast_init(made) is None
    assert made(2, 3).a == 6


def test_the_project_records_use_the_fast_init() -> None:
    from step1plan.models.report import Evidence, Finding
    from step1plan.rules.base import Context

    for cls in (Evidence, Finding, Context):
        assert _is_fast(cls)
        assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"


def test_the_report_records_keep_an_instance_dict() -> None:
    # orjson encodes a dataclass from its __dict__ in one go, a slotted one field by field
    from step1plan.models import report

    classes = [c for c in vars(report).values() if dataclasses.is_dataclass(c)]
    assert len(classes) >= 10
    for cls in classes:
        assert "__slots__" not in vars(cls), cls.__name__
        assert _is_fast(cls), cls.__name__
