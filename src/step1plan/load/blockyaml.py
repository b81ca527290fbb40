"""A line-based parser for the small block-YAML subset that profiles use: the fastest path.

libyaml is fast, but turning its events into Python objects costs more than the parse itself.
Profiles use only a sliver of YAML, and that sliver can be read line by line: each line on its
own says what it is (a ``key: value``, a ``key:`` opening a block, a ``- `` entry), and the
indentation says how lines nest. What a line says is cached by its text, since profiles repeat
the same lines (``  anxiety: moderate``, ``- exam: step1``), so most lines cost a dict lookup.

**The contract.** :func:`load` either returns exactly what PyYAML's safe loader (libyaml)
returns for the text (the same dicts, lists, key order and scalar types and values; scalars
are typed by :func:`fastyaml.plain_scalar`, PyYAML's own resolver and constructors or the
same values for dates and plain numbers), or raises
:class:`fastyaml.Fallback` and the caller parses the text again with the full machinery, which
gives the data or the located error. Anything unusual, ambiguous or malformed falls back:
this parser never reports an error and never guesses.

**The subset** (everything else falls back):

* the root is a block mapping whose keys start at column 0;
* block mappings: ``key: value``, or ``key:`` followed by a more indented block, by a sequence
  at the key's own indent (``key:`` then ``- a``), or by neither (null); keys are plain words
  (``[A-Za-z0-9_][A-Za-z0-9_.-]*``) typed like values (``yes:`` is the key ``True``, as in
  PyYAML), each at most once per mapping;
* block sequences: ``- item`` lines, with compact nesting (``- key: value`` with the next keys
  aligned under ``key``, ``- - a``);
* one-line values: plain scalars (not starting with an indicator character, no ``: ``, no
  ending ``:``), single-quoted scalars (``''`` for a quote), double-quoted scalars without
  backslashes, flow sequences ``[a, b]`` and flow mappings ``{a: 1, b: c}`` of plain scalars
  (no quotes, brackets, ``#``, ``?``, other ``:``, empty items or trailing commas);
* full-line comments, comments after a value (``#`` after a space), blank lines, trailing
  spaces.

Falls back on, among others: tabs, carriage returns, characters outside YAML's printable set,
a byte-order mark, document markers and directives, anchors, aliases, tags, block scalars,
complex keys, quoted keys, multi-line scalars and flow collections, a line indented where the
structure does not allow it, duplicate keys and nesting deeper than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import re
from typing import Any, Final

from step1plan.load.fastyaml import UNBUILT, Fallback, plain_scalar

__all__ = ["MAX_DEPTH", "Fallback", "load"]

MAX_DEPTH = 50
"""Deepest nesting of block collections parsed here (deeper documents fall back)."""

MAX_KEY = 200
"""Longest key (in characters) parsed here; libyaml refuses keys of over 1024 characters."""

# What a line is: the kinds of Line.
KEY_SCALAR: Final = 0  # key: scalar                    (kind, key, value)
KEY_LIST: Final = 1  # key: [a, b]                    (kind, key, tuple of items)
KEY_DICT: Final = 2  # key: {a: 1}                    (kind, key, tuple of pairs)
KEY_OPEN: Final = 3  # key:  (a block, or null)       (kind, key, None)
ENTRY: Final = 4  # - item                          (kind, offset of the item, Line of the item)
ENTRY_OPEN: Final = 5  # -  (a block, or null)        (kind, None, None)
SCALAR: Final = 6  # scalar alone, after "- "          (kind, None, value)
LIST: Final = 7  # [a, b] alone, after "- "           (kind, None, tuple of items)
DICT: Final = 8  # {a: 1} alone, after "- "           (kind, None, tuple of pairs)

Line = tuple[int, Any, Any]
"""What a line's content is: (kind, key or offset, value)."""
Token = tuple[int, int, Any, Any]
"""A meaningful line of a document: (column, kind, key or offset, value)."""

_SKIP: Final[Any] = ()
"""The cached meaning of a blank or comment line: the one falsy value among them, so that
:func:`_tokens` drops these lines with ``filter``."""

MAX_CACHED = 8192
"""Most lines kept in the cache (a full cache is emptied by the next :func:`load`). The lines
that repeat (keys, bands, levels) are back after a few profiles; a larger cache mostly keeps
one-off lines (dates, scores) and made a 100,000-profile cohort peak 8 MiB higher."""

MAX_CACHED_LENGTH = 200
"""Longest line kept in the cache (longer lines are rare and would bloat it)."""


class _LineCache(dict[str, Any]):
    """Raw line -> its Token (column included), or _SKIP. Profiles repeat lines a lot.

    A line not in the cache is parsed by :meth:`__missing__` (and kept, within
    :data:`MAX_CACHED` and :data:`MAX_CACHED_LENGTH`), so that reading any line is one
    subscript.
    """

    def __missing__(self, raw: str) -> Any:
        token = _token(raw)
        if len(raw) <= MAX_CACHED_LENGTH and len(self) < MAX_CACHED:
            self[raw] = token
        return token


_LINES = _LineCache()

_UNSAFE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
"""A character this parser leaves to libyaml: tabs, CR, the other YAML line breaks (NEL, LS,
PS), the byte-order mark, and what YAML does not allow at all (control characters)."""

_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-]*):(?: +|$)")
"""A block mapping key at the start of a line's content, its ``:`` and the spaces after it."""

_FLOW_SEQUENCE_UNSAFE = re.compile(r"""[\[\]{}#'":?]""")
_FLOW_MAPPING_UNSAFE = re.compile(r"""[\[\]{}#'"?]""")
"""Characters that make a one-line flow collection fall back (``?``: libyaml and PyYAML's
Python scanner disagree on it inside flow collections)."""

_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
"""Characters a plain scalar cannot start with (``-`` can, when a non-space follows)."""


def load(text: str) -> Any:
    """The plain data of a profile-like YAML text; raises :class:`Fallback` outside the subset."""
    tokens = _tokens(text)
    if not tokens or tokens[0][0] != 0:
        raise Fallback("not a mapping at column 0")
    return _build(tokens)


def _tokens(text: str) -> list[Token]:
    """The meaningful lines of ``text`` (blank and comment lines dropped), cached by text."""
    if len(_LINES) >= MAX_CACHED:
        _LINES.clear()
    # map and filter loop in C: a line already cached costs one dict lookup and no bytecode.
    return list(filter(None, map(_LINES.__getitem__, text.split("\n"))))


def _token(raw: str) -> Any:
    """What one raw line is: its Token, or _SKIP for a blank or comment line."""
    if _UNSAFE.search(raw):
        raise Fallback("a character left to libyaml")
    content = raw.lstrip(" ")
    if not content or content[0] == "#":
        return _SKIP
    return (len(raw) - len(content), *_line(content.rstrip(" "), 0))


def _line(content: str, depth: int) -> Line:
    """What a line's content (no indentation, comment line or trailing spaces) is."""
    if content[0] == "-" and (len(content) == 1 or content[1] == " "):
        rest = content[1:].lstrip(" ")
        if not rest or rest[0] == "#":
            return (ENTRY_OPEN, None, None)
        if depth >= MAX_DEPTH:
            raise Fallback("nested too deeply")
        return (ENTRY, len(content) - len(rest), _line(rest, depth + 1))
    match = _KEY.match(content)
    if match is None:
        kind, value = _inline(content)
        return (SCALAR + kind, None, value)
    key = plain_scalar(match.group(1))
    if key is UNBUILT or match.end(1) > MAX_KEY:
        raise Fallback("a special or long key")
    rest = content[match.end() :]
    if not rest or rest[0] == "#":
        return (KEY_OPEN, key, None)
    kind, value = _inline(rest)
    return (KEY_SCALAR + kind, key, value)


def _inline(text: str) -> tuple[int, Any]:
    """The value written after ``key: `` or ``- `` (non-empty, not a comment, no trailing
    spaces), alone on its line: (0, scalar), (1, tuple of items) or (2, tuple of pairs)."""
    first = text[0]
    if first == "[":
        return 1, _flow_sequence(text)
    if first == "{":
        return 2, _flow_mapping(text)
    if first == "'" or first == '"':
        return 0, _quoted(text)
    cut = text.find(" #")
    if cut >= 0:
        text = text[:cut].rstrip(" ")
    if ": " in text or text[-1] == ":":
        raise Fallback("a colon that YAML reads as a mapping")
    return 0, _plain(text)


def _plain(text: str) -> Any:
    """The typed value of a one-line plain scalar (no comment, no outer spaces)."""
    if not text:
        raise Fallback("an empty item")
    first = text[0]
    if first in _INDICATORS and (first != "-" or len(text) == 1 or text[1] == " "):
        raise Fallback("a scalar starting with an indicator")
    value = plain_scalar(text)
    if value is UNBUILT:
        raise Fallback("a scalar PyYAML cannot build")
    return value


def _quoted(text: str) -> str:
    """A one-line quoted scalar followed by nothing or by a comment (after a space).

    Single quotes: ``''`` stands for one quote. Double quotes: any backslash (an escape)
    falls back.
    """
    quote = text[0]
    end = text.find(quote, 1)
    if quote == "'":
        while end >= 0 and text[end + 1 : end + 2] == "'":
            end = text.find("'", end + 2)
    if end < 0:
        raise Fallback("a quoted scalar continued on the next line")
    value = text[1:end]
    if quote == "'":
        value = value.replace("''", "'")
    elif "\\" in value:
        raise Fallback("an escape in a double-quoted scalar")
    rest = text[end + 1 :]
    if rest and (rest[0] != " " or rest.lstrip(" ")[0] != "#"):
        raise Fallback("text after a quoted scalar")
    return value


def _flow_inner(text: str, close: str) -> str:
    """What is between the brackets of a one-line flow collection followed by nothing or by a
    comment (after a space)."""
    cut = text.find("#")
    if cut >= 0:
        if text[cut - 1] != " ":
            raise Fallback("a '#' in a flow collection")
        text = text[:cut].rstrip(" ")
    if text[-1] != close:
        raise Fallback("a flow collection not closed on its line")
    return text[1:-1]


def _flow_sequence(text: str) -> tuple[Any, ...]:
    """The items of ``[a, b]``, a one-line flow sequence of plain scalars."""
    inner = _flow_inner(text, "]")
    if _FLOW_SEQUENCE_UNSAFE.search(inner):
        raise Fallback("a flow sequence beyond plain items")
    if not inner.strip(" "):
        return ()
    return tuple(_plain(item.strip(" ")) for item in inner.split(","))


def _flow_mapping(text: str) -> tuple[tuple[Any, Any], ...]:
    """The pairs of ``{a: 1, b: c}``, a one-line flow mapping of plain keys and values."""
    inner = _flow_inner(text, "}")
    if _FLOW_MAPPING_UNSAFE.search(inner):
        raise Fallback("a flow mapping beyond plain pairs")
    if not inner.strip(" "):
        return ()
    mapping: dict[Any, Any] = {}
    for item in inner.split(","):
        key_text, colon, value_text = item.partition(":")
        if (
            not colon
            or not value_text.startswith(" ")
            or ":" in value_text
            or key_text.endswith(" ")
            or len(key_text) > MAX_KEY
        ):
            raise Fallback("a flow mapping item that is not 'key: value'")
        key = _plain(key_text.lstrip(" "))
        if key in mapping:
            raise Fallback("a repeated key")
        mapping[key] = _plain(value_text.strip(" "))
    return tuple(mapping.items())


def _value(kind: int, value: Any) -> Any:
    """A fresh value from a cached one: lists and dicts are rebuilt from their tuples."""
    if kind == 0:
        return value
    return list(value) if kind == 1 else dict(value)


def _build(tokens: list[Token]) -> dict[Any, Any]:
    """The root mapping of a document, from its tokens (the first at column 0).

    One pass over the lines, without a call per block: the collection being filled is held in
    three local variables (the container, whether it is a mapping, its column) and the
    enclosing ones wait on a stack. A line less indented closes collections until one at its
    column; a line of a mapping's column closes an indentless sequence (``key:`` then ``- a``
    at the key's column). An open ``key:`` or ``-`` holds null until the next line: that line
    starts its block when it is more indented (or, for a key, when it is a ``-`` at the key's
    column). A ``- `` entry whose item starts on the same line opens the item's block at the
    item's column (``- a: 1`` at column 0: a mapping at column 2), and the item is that block's
    first line (compact nesting). A block deeper than :data:`MAX_DEPTH` falls back.

    (The recursive descent it replaced, a call per block, took a sixth more instructions on
    generated profiles, which have about 20 blocks.)
    """
    root: dict[Any, Any] = {}
    stack: list[tuple[Any, bool, int]] = []
    container: Any = root
    is_map = True
    indent = 0
    open_column = -1  # the column of an open key or "-" waiting for its block; -1: none
    open_slot: Any = None  # its key, or its index in the sequence
    open_indentless = False  # a key: a "-" at the key's own column also starts its block
    keys_at = 0  # the mapping's column while no key or "-" is open; else -1
    for column, kind, key, value in tokens:
        if column == keys_at and kind == KEY_SCALAR:
            # most lines: a key and its value in the mapping being filled (only these checks)
            if key in container:
                raise Fallback("a repeated key")
            container[key] = value
            continue
        if open_column >= 0:
            if column > open_column or (
                open_indentless and column == open_column and kind in (ENTRY, ENTRY_OPEN)
            ):
                if kind >= SCALAR:
                    raise Fallback("a scalar on its own line")
                if len(stack) >= MAX_DEPTH:
                    raise Fallback("nested too deeply")
                block: Any = [] if kind >= ENTRY else {}
                container[open_slot] = block
                stack.append((container, is_map, indent))
                container, is_map, indent = block, kind < ENTRY, column
            open_column = -1
        if column != indent:
            while column < indent:
                container, is_map, indent = stack.pop()
            if column != indent:
                raise Fallback("unexpected indentation")
        if not is_map and kind not in (ENTRY, ENTRY_OPEN):
            # a line at a sequence's column that is not an entry: it ends the sequence, and
            # belongs to the mapping whose indentless sequence that was
            container, is_map, indent = stack.pop()
            if column != indent:
                raise Fallback("unexpected indentation")
        while True:  # once per line; again for the item of each compact entry
            if is_map:
                if kind > KEY_OPEN:
                    raise Fallback("not a 'key: value' line in a mapping")
                if key in container:
                    raise Fallback("a repeated key")
                if kind == KEY_SCALAR:
                    container[key] = value
                elif kind == KEY_OPEN:
                    container[key] = None
                    open_column, open_slot, open_indentless = column, key, True
                else:
                    container[key] = _value(kind, value)
            elif kind == ENTRY_OPEN:
                open_column, open_slot, open_indentless = column, len(container), False
                container.append(None)
            elif value[0] >= SCALAR:
                container.append(_value(value[0] - SCALAR, value[2]))
            else:  # compact nesting: the item opens a block at its own column
                # The same opening as a ``key:`` block's above (kept inline: the hot loop). For
                # an ENTRY, ``key`` holds the item's offset from the dash.
                if len(stack) >= MAX_DEPTH:
                    raise Fallback("nested too deeply")
                column, (kind, key, value) = column + key, value
                block = [] if kind >= ENTRY else {}
                container.append(block)
                stack.append((container, is_map, indent))
                container, is_map, indent = block, kind < ENTRY, column
                continue
            break
        keys_at = indent if is_map and open_column < 0 else -1
    return root
