"""``@record``: a frozen, slotted dataclass whose ``__init__`` is cheaper to call.

Every result the rules produce is an immutable record (``@dataclass(frozen=True,
slots=True)``). A frozen dataclass's generated ``__init__`` stores each field with
``object.__setattr__(self, name, value)``, the documented way around its own ``__setattr__``
guard; that generic call costs several times a plain attribute store, and a cohort run builds
more than a hundred records per student. :func:`record` makes the same dataclass, then
replaces only its ``__init__`` by one that stores each field through the slot's own descriptor:
the same parameters, defaults, default factories, ``init=False`` fields and
``__post_init__`` call, and the instances are exactly as frozen (assignment still raises
:class:`dataclasses.FrozenInstanceError`). A class the fast ``__init__`` does not cover (an
``InitVar``, a field without its own slot) keeps the dataclass's.

``@dict_record`` is the same without slots: the fields live in the instance ``__dict__``,
which the fast ``__init__`` fills key by key. The records of the report
(``models/report.py``) use it because orjson, which writes each cohort ``jsonl`` line, reads a
dataclass's ``__dict__`` in one go but must fetch a slotted one's fields one by one: about 90
against 450 ns a record, 40 µs of a 22 KB report (``benchmarks/README.md``).
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


class _Factory:
    """Default of a parameter whose field has a ``default_factory`` (as in :mod:`dataclasses`)."""

    def __repr__(self) -> str:
        return "<factory>"


_HAS_FACTORY = _Factory()


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: type[T]) -> type[T]:
    """``@dataclass(frozen=True, slots=True)`` with the fast ``__init__`` (see module doc)."""
    return _with_fast_init(dataclasses.dataclass(frozen=True, slots=True)(cls), slots=True)


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def dict_record(cls: type[T]) -> type[T]:
    """``@dataclass(frozen=True)`` (fields in ``__dict__``) with the fast ``__init__``."""
    return _with_fast_init(dataclasses.dataclass(frozen=True)(cls), slots=False)


def _with_fast_init(made: type[T], slots: bool) -> type[T]:
    fast = fast_init(made, slots=slots)
    if fast is not None:
        made.__init__ = fast  # type: ignore[method-assign]
    return made


def _slot(cls: type, name: str) -> Any:
    """The member descriptor of slot ``name`` (defined by ``cls`` or a base), if any."""
    for klass in cls.__mro__:
        found = vars(klass).get(name)
        if found is not None:
            return found if isinstance(found, types.MemberDescriptorType) else None
    return None


def fast_init(cls: type, *, slots: bool = True) -> Callable[..., None] | None:
    """An ``__init__`` for a frozen dataclass that sets slots directly (``slots``), or else
    the keys of the instance ``__dict__``.

    Returns ``None`` when the class has something this does not reproduce (an ``InitVar``
    pseudo-field, or with ``slots`` a field that is not a slot).
    """
    fields = dataclasses.fields(cls)
    if len(fields) != len(cls.__dataclass_fields__):  # type: ignore[attr-defined]
        return None  # an InitVar or ClassVar pseudo-field: keep the dataclass's __init__
    names: dict[str, Any] = {"_HAS_FACTORY": _HAS_FACTORY}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = ["    _d = self.__dict__"] if not slots else []
    for f in fields:
        if slots:
            slot = _slot(cls, f.name)
            if slot is None:
                return None
            names[f"_set_{f.name}"] = slot.__set__
        value: str | None = f.name
        param = f.name
        if f.default is not dataclasses.MISSING:
            names[f"_dflt_{f.name}"] = f.default
            param, value = f"{f.name}=_dflt_{f.name}", value if f.init else f"_dflt_{f.name}"
        elif f.default_factory is not dataclasses.MISSING:
            names[f"_fact_{f.name}"] = f.default_factory
            param = f"{f.name}=_HAS_FACTORY"
            value = (
                f"_fact_{f.name}() if {f.name} is _HAS_FACTORY else {f.name}"
                if f.init
                else f"_fact_{f.name}()"
            )
        elif not f.init:
            value = None  # set by __post_init__
        if f.init:
            (keyword if f.kw_only else positional).append(param)
        if value is not None:
            store = f"_set_{f.name}(self, {{}})" if slots else f"_d[{f.name!r}] = {{}}"
            body.append("    " + store.format(value))
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    params = ["self", *positional, *(["*", *keyword] if keyword else [])]
    source = f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, names)
    init: Callable[..., None] = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__  # type: ignore[misc]
    init.__annotations__ = dict(cls.__init__.__annotations__)  # type: ignore[misc]
    return init
