"""Plain data straight from libyaml's parse events: the fast path of profile loading.

PyYAML's loaders build a node tree and then walk it with a generic constructor; for small
documents that costs more than the parse itself. Here the C parser's events become dicts,
lists and scalars directly, with the same YAML 1.1 typing as PyYAML's safe loader (its own
resolver and constructors, cached per distinct scalar text; dates and plain numbers are typed
by :func:`digit_scalar` first, which a test compares with them) and a duplicate-key check that
is a dict lookup. Anything rare (explicit tags, merge keys ``<<``, complex keys, several documents,
undefined aliases) raises :class:`Fallback` so that the caller uses the full safe loader, which
gives the same data or the located error.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = (None, "!")
_MAP_TAGS = (None, "!", "tag:yaml.org,2002:map")
_SEQ_TAGS = (None, "!", "tag:yaml.org,2002:seq")

_Parser: type[Any] = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONSTRUCTORS = yaml.constructor.SafeConstructor.yaml_constructors


class Fallback(Exception):
    """The document uses a feature this fast path leaves to the full loader."""


class DuplicateKey(Exception):
    """A key is repeated in a mapping."""


UNBUILT = object()
"""What :func:`plain_scalar` returns for a scalar it leaves to the full loader (a merge key, a
tag without a safe constructor)."""
_NO_KEY = object()


@functools.lru_cache(maxsize=8192)
def plain_scalar(text: str) -> Any:
    """The value of a plain (unquoted, untagged) scalar as PyYAML's safe loader types it.

    A scalar that resolves to a type but cannot be built (the impossible date ``2026-02-30``, an
    integer with thousands of digits) stays text, so that validation reports it at its field.
    Returns :data:`UNBUILT` for a scalar only the full loader handles. Cached: every result is
    immutable and profiles repeat the same words (``lower``, ``same``). Dates and plain numbers,
    most of the scalars a cohort sees only once, are typed by :func:`digit_scalar` first.
    """
    value = digit_scalar(text)
    return resolved_scalar(text) if value is NOT_DIGITS else value


NOT_DIGITS = object()
"""What :func:`digit_scalar` returns for a scalar of another shape."""


def digit_scalar(text: str) -> Any:
    """A date ``2026-03-14``, an integer ``64`` or a decimal ``62.5`` typed directly: the value
    PyYAML's resolver and constructors give it (a test compares them), in a fifth of the time.

    Only ASCII digits (YAML's patterns say ``[0-9]``; ``str.isdigit`` alone would take ``²``),
    no sign, no ``_``, no leading zero on an integer (``012`` is octal in YAML 1.1), no
    exponent. An impossible date stays text, as in :func:`plain_scalar`. Anything else:
    :data:`NOT_DIGITS`.
    """
    if not text.isascii():
        return NOT_DIGITS
    size = len(text)
    if size == 10 and text[4] == "-" and text[7] == "-":
        year, month, day = text[:4], text[5:7], text[8:]
        if not (year.isdigit() and month.isdigit() and day.isdigit()):
            return NOT_DIGITS
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            return text
    if size > 18:  # a long number: left to PyYAML (an int's digit limit, float rounding)
        return NOT_DIGITS
    if text.isdigit():
        return int(text) if text[0] != "0" or size == 1 else NOT_DIGITS
    whole, dot, fraction = text.partition(".")
    if dot and whole.isdigit() and fraction.isdigit():
        return float(text)
    return NOT_DIGITS


def resolved_scalar(text: str) -> Any:
    """:func:`plain_scalar` through PyYAML's own resolver and constructors."""
    tag = _RESOLVER.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag == STR_TAG:
        return text
    build = _CONSTRUCTORS.get(tag)
    if build is None or tag == "tag:yaml.org,2002:merge":
        return UNBUILT
    try:
        return build(_CONSTRUCTOR, ScalarNode(tag, text))
    except (ValueError, OverflowError):
        return text


def load(text: str) -> Any:
    """Parse one YAML document into plain data; raises :class:`Fallback`,
    :class:`DuplicateKey` or PyYAML's parse errors."""
    parser = _Parser(text)
    try:
        get = parser.get_event
        get()  # StreamStartEvent
        if type(get()) is StreamEndEvent:  # an empty stream
            return None
        data = _document(get)
        get()  # DocumentEndEvent
        if type(get()) is not StreamEndEvent:
            raise Fallback("several documents")
        return data
    finally:
        parser.dispose()


def _document(get: Any) -> Any:
    """Build the document's root value from its events (iteratively: no recursion limit).

    The collection being filled is held in three local variables (the container, whether it is
    a mapping, and the key waiting for its value); the enclosing ones wait on a stack.
    """
    anchors: dict[str, Any] = {}
    stack: list[tuple[Any, bool, Any]] = []
    container: Any = None  # None: the root value is not complete yet
    is_map = False
    key: Any = _NO_KEY  # in a mapping: the key waiting for its value, or _NO_KEY
    while True:
        event = get()
        kind = type(event)
        if kind is ScalarEvent:
            tag = event.tag
            if tag in _PLAIN_TAGS:
                value = plain_scalar(event.value) if event.implicit[0] else event.value
                if value is UNBUILT:
                    raise Fallback(event.value)
            elif tag == STR_TAG:
                value = event.value
            else:
                raise Fallback(tag)
            if event.anchor is not None:
                anchors[event.anchor] = value
        elif kind is AliasEvent:
            try:
                value = anchors[event.anchor]
            except KeyError:
                raise Fallback("undefined alias") from None
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            starts_map = kind is MappingStartEvent
            if event.tag not in (_MAP_TAGS if starts_map else _SEQ_TAGS):
                raise Fallback(event.tag)
            if is_map and key is _NO_KEY:
                raise Fallback("a collection used as a key")
            stack.append((container, is_map, key))
            container, is_map, key = ({} if starts_map else []), starts_map, _NO_KEY
            if event.anchor is not None:
                anchors[event.anchor] = container
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value = container
            container, is_map, key = stack.pop()
        else:  # pragma: no cover - the parser guarantees the event grammar
            raise Fallback(kind.__name__)
        if container is None:
            return value
        if not is_map:
            container.append(value)
        elif key is _NO_KEY:
            try:
                repeated = value in container
            except TypeError:  # a list or mapping (through an alias) used as a key
                raise Fallback("an unhashable key") from None
            if repeated:
                raise DuplicateKey(value)
            key = value
        else:
            container[key] = value
            key = _NO_KEY
