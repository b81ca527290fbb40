"""Safe YAML loading with FILE:LINE:COL problems.

The happy path is one line-by-line parse of the block-YAML subset that profiles use
(:mod:`step1plan.load.blockyaml`) or, outside that subset, one parse with libyaml's C parser
(when present) straight into plain data (:mod:`step1plan.load.fastyaml`); then one pydantic
validation. Only when something is wrong is the file composed again into a node tree to find
the line and column of each problem. Loading is safe (no Python tags) and also rejects
duplicate keys (PyYAML would silently keep the last one), several documents and alias bombs,
and keeps impossible scalars (``2026-02-30``) as text so that validation reports them at their
field: located problems, never tracebacks.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from step1plan.errors import InputError, Problem
from step1plan.load import blockyaml, fastyaml
from step1plan.load.messages import friendly, shown, unknown_key
from step1plan.load.textfile import position, read_text
from step1plan.models.common import ITEM_PROBLEM

M = TypeVar("M", bound=BaseModel)
Loc = tuple[int | str, ...]

MAX_ALIASES = 100
"""Most aliases (``*name``) and, separately, anchors (``&name``) one file may use (input limit,
convention): profiles need none, and the cap stops alias bombs early."""

MAX_ANCHORS = MAX_ALIASES

MAX_EXPANDED_NODES = 100_000
"""Most YAML nodes a file may stand for once its aliases are expanded (input limit, convention):
a profile with 500 practice entries is about 10,000 nodes; "billion laughs" is ~10**9."""

MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"

_Base: type[Any] = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class _DuplicateKey(yaml.MarkedYAMLError):
    """A key repeated in one mapping."""


class _Loader(_Base):  # type: ignore[misc]
    """The safe loader (C when available) that rejects duplicate keys and bad scalars."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError):
            # A scalar the resolver typed but cannot build, such as the impossible date
            # 2026-02-30 or an integer with thousands of digits: keep the text, so validation
            # reports it at its field together with every other problem of the file.
            if isinstance(node, ScalarNode):
                self.recursive_objects.pop(node, None)
                self.constructed_objects[node] = node.value
                return node.value
            raise

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode) and len(node.value) > 1:
            seen: dict[Any, Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == MERGE_TAG:
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:  # unhashable key: the base class reports it
                    continue
                if first is not key_node:
                    raise _DuplicateKey(None, None, "duplicate key", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


class YamlDoc:
    """A parsed YAML file: its plain data, its display name and text (for error positions)."""

    __slots__ = ("_root", "data", "file", "text")

    def __init__(self, data: Any, file: str, text: str) -> None:
        self.data = data
        self.file = file
        self.text = text
        self._root: Node | bool | None = False

    def root(self) -> Node | None:
        """The node tree (composed on first use, only on the error path)."""
        if self._root is False:
            try:
                self._root = compose(self.text) if self.text else None
            except yaml.YAMLError:  # what the data loader took but the composer refuses:
                self._root = None  # the problems are still reported, without a position
        return self._root  # type: ignore[return-value]

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        """A problem at the node of ``loc`` (its key node when ``key``; else the value node)."""
        line, column = locate(self.root(), loc, key=key)
        return Problem(self.file, message, line, column, field_path(loc) or None)


def load_yaml(path: Path, display: str | None = None) -> YamlDoc:
    """Read (size and encoding checked) and parse a YAML file safely."""
    name = display or str(path)
    return parse_yaml(read_text(path, name), name)


def parse_yaml(text: str, display: str) -> YamlDoc:
    """Parse YAML text into plain data (fast path); every problem is an :class:`InputError`."""
    try:
        if "&" in text:  # anchors (and so aliases) are possible: bound their expansion first
            _check_aliases(text, display)
        try:
            data = blockyaml.load(text)
        except fastyaml.Fallback:
            try:
                data = fastyaml.load(text)
            except fastyaml.Fallback:
                data = _full_load(text)
    except (_DuplicateKey, fastyaml.DuplicateKey):
        raise InputError(_duplicate_keys(text, display)) from None
    except yaml.YAMLError as exc:
        raise InputError([_syntax_problem(exc, text, display)]) from None
    except RecursionError:
        raise InputError([Problem(display, "nested too deeply", 1, 1)]) from None
    return YamlDoc(data, display, text)


def _full_load(text: str) -> Any:
    """The full safe loader (with the duplicate-key check), for what the fast path leaves."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def compose(text: str) -> Node | None:
    """The node tree of a single-document YAML text (positions for error messages)."""
    loader = _Base(text)
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    finally:
        loader.dispose()


# ---------------------------------------------------------------- syntax and structure


def _syntax_problem(exc: yaml.YAMLError, text: str, display: str) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        at_line, at_column = position(text, exc.position)
        char = exc.character
        code = ord(char) if isinstance(char, str) and len(char) == 1 else char
        what = f"U+{code:04X}" if isinstance(code, int) else repr(char)
        return Problem(
            display, f"control character {what} is not allowed in YAML", at_line, at_column
        )
    if not isinstance(exc, yaml.MarkedYAMLError):
        return Problem(display, f"invalid YAML: {exc}")
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    problem = exc.problem or ""
    if "expected a single document" in str(exc.context) or "single document" in problem:
        return Problem(
            display,
            "the file holds several YAML documents; keep only one (remove the '---' line)",
            line,
            column,
        )
    tab = _tab_indent(text, mark.line if mark is not None else None)
    if tab is not None or "tab character" in problem:
        where = tab or (line or 1, column or 1)
        return Problem(
            display,
            "a tab character is used for indentation; indent with spaces only",
            *where,
        )
    if "could not determine a constructor" in problem:
        tag = problem.split("for the tag ", 1)[-1].strip("'")
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        return Problem(
            display, f"the YAML tag {tag} is not allowed; write plain values", line, column
        )
    if "maximum nesting depth" in problem:
        return Problem(display, "nested too deeply", line, column)
    detail = problem
    if exc.context:
        detail += f" ({exc.context})"
    return Problem(display, f"invalid YAML: {detail}", line, column)


def _tab_indent(text: str, line0: int | None) -> tuple[int, int] | None:
    """Line and column of a tab in the leading whitespace at or just before 0-based ``line0``."""
    if line0 is None or "\t" not in text:
        return None
    lines = text.split("\n")
    for index in (line0, line0 - 1):
        if 0 <= index < len(lines):
            line = lines[index]
            lead = line[: len(line) - len(line.lstrip(" \t"))]
            if "\t" in lead:
                return index + 1, lead.index("\t") + 1
    return None


def _check_aliases(text: str, display: str) -> None:
    """Refuse too many anchors or aliases, an anchor defined twice, recursive aliases, and alias
    bombs (expanded size)."""
    sizes: dict[str, int] = {}
    defined: dict[str, str] = {}  # anchor name -> where it is first defined ("line 3")
    stack: list[list[Any]] = [[None, 0]]  # [anchor, expanded node count]
    anchors = aliases = 0
    expanded = 0  # the sum of the stack's counts: every value so far, aliases expanded
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            mark = event.start_mark
            if aliases > MAX_ALIASES:
                _fail(display, mark, f"too many aliases (more than {MAX_ALIASES})")
            size = sizes.get(event.anchor or "")
            if size is None:
                if any(frame[0] == event.anchor for frame in stack):
                    _fail(display, mark, f"alias *{event.anchor} refers to the node containing it")
                continue  # an undefined alias: the loader reports it
            stack[-1][1] += size
            expanded += size
        elif isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            if event.anchor is not None:
                anchors += 1
                if anchors > MAX_ANCHORS:
                    _fail(display, event.start_mark, f"too many anchors (more than {MAX_ANCHORS})")
                mark = event.start_mark
                if event.anchor in defined:  # YAML's composer refuses it too
                    first = defined[event.anchor]
                    message = f"anchor &{event.anchor} is defined twice (first on {first})"
                    _fail(display, mark, message)
                defined[event.anchor] = f"line {mark.line + 1}" if mark is not None else "this line"
            if isinstance(event, yaml.ScalarEvent):
                stack[-1][1] += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            else:
                stack.append([event.anchor, 1])
            expanded += 1
        elif isinstance(event, yaml.CollectionEndEvent) and len(stack) > 1:
            anchor, size = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
            stack[-1][1] += size  # moved to the parent: the total is unchanged
            continue
        else:
            continue
        if expanded > MAX_EXPANDED_NODES:
            _fail(
                display,
                event.start_mark,
                f"aliases expand to more than {MAX_EXPANDED_NODES} values (an alias bomb?)",
            )


def _fail(display: str, mark: Any, message: str) -> typing.NoReturn:
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    raise InputError([Problem(display, message, line, column)])


def _duplicate_keys(text: str, display: str) -> list[Problem]:
    """Every duplicate key in the file (the slow, thorough pass after the loader found one)."""
    try:
        root = compose(text)
    except yaml.YAMLError as exc:  # a syntax error after the duplicate: report that first
        return [_syntax_problem(exc, text, display)]
    problems: list[Problem] = []
    constructor = yaml.constructor.SafeConstructor()
    for loc, node in _walk(root, ()):
        if not isinstance(node, MappingNode):
            continue
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG or not isinstance(key_node, ScalarNode):
                continue
            try:
                key = constructor.construct_object(key_node)
            except (ValueError, OverflowError, yaml.YAMLError):
                key = key_node.value
            first = seen.setdefault(key, key_node)
            if first is not key_node:
                mark = key_node.start_mark
                problems.append(
                    Problem(
                        display,
                        f"duplicate key '{shown(key_node.value)}' (first given on line "
                        f"{first.start_mark.line + 1}); keep only one",
                        mark.line + 1,
                        mark.column + 1,
                        field_path((*loc, str(key_node.value))) or None,
                    )
                )
    return sort_problems(problems) or [Problem(display, "duplicate key")]


def _walk(node: Node | None, loc: Loc) -> Iterator[tuple[Loc, Node]]:
    """Every node under ``node`` (aliased nodes once) with its location."""
    seen: set[int] = set()
    todo: list[tuple[Loc, Node]] = [] if node is None else [(loc, node)]
    while todo:
        here, current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield here, current
        if isinstance(current, MappingNode):
            for key_node, value_node in reversed(current.value):
                todo.append((here, key_node))
                todo.append(((*here, str(key_node.value)), value_node))
        elif isinstance(current, SequenceNode):
            for index in reversed(range(len(current.value))):
                todo.append(((*here, index), current.value[index]))


# ---------------------------------------------------------------- locating fields


def field_path(loc: Sequence[Any]) -> str:
    """``("attempts", 0, "date")`` -> ``attempts.0.date`` (pydantic's ``[key]`` marker dropped)."""
    return ".".join(shown(str(part), 60) for part in loc if part != "[key]")


def _key_matches(key_node: Node, part: int | str) -> bool:
    if not isinstance(key_node, ScalarNode):
        return False
    if key_node.value == str(part):
        return True
    if key_node.tag != STR_TAG:
        try:
            return bool(yaml.constructor.SafeConstructor().construct_object(key_node) == part)
        except Exception:
            return False
    return False


def _find_pair(node: MappingNode, part: int | str, depth: int = 0) -> tuple[Node, Node] | None:
    merges = []
    for key_node, value_node in node.value:
        if key_node.tag == MERGE_TAG:
            merges.append(value_node)
        elif _key_matches(key_node, part):
            return key_node, value_node
    if depth < 8:
        for merged in merges:
            parents = merged.value if isinstance(merged, SequenceNode) else [merged]
            for parent in parents:
                if isinstance(parent, MappingNode):
                    found = _find_pair(parent, part, depth + 1)
                    if found is not None:
                        return found
    return None


def find_node(root: Node | None, loc: Sequence[int | str]) -> tuple[Node | None, Node | None, int]:
    """Follow ``loc`` down the tree: (deepest node reached, its key node, parts consumed)."""
    node, key_node = root, None
    for depth, part in enumerate(loc):
        if part == "[key]":
            return (key_node or node), key_node, depth + 1
        if isinstance(node, MappingNode):
            pair = _find_pair(node, part)
            if pair is None:
                return node, key_node, depth
            key_node, node = pair
        elif (
            isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value)
        ):
            key_node, node = None, node.value[part]
        else:
            return node, key_node, depth
    return node, key_node, len(loc)


def locate(root: Node | None, loc: Sequence[int | str], *, key: bool = False) -> tuple[int, int]:
    """1-based line and column of ``loc``: the key node when ``key``, else the value node; the
    nearest existing parent when the path stops early (a missing key)."""
    node, key_node, _ = find_node(root, loc)
    target = key_node if key and key_node is not None else node
    if target is None:
        return 1, 1
    mark = target.start_mark
    return mark.line + 1, mark.column + 1


# ---------------------------------------------------------------- validation


def validate(doc: YamlDoc, model: type[M], context: dict[str, Any] | None = None) -> M:
    """Validate a document against a model; every error becomes a located problem."""
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        raise InputError(sort_problems(located_problems(doc, exc.errors(), model))) from None


def sort_problems(problems: Sequence[Problem]) -> list[Problem]:
    """Problems in file order (by line and column), unlocated ones first; duplicates dropped."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.file, p.line or 0, p.column or 0))


def located_problems(
    doc: YamlDoc, errors: Iterable[ErrorDetails], model: type[BaseModel]
) -> list[Problem]:
    """Turn pydantic errors (``ValidationError.errors()``) into problems at their YAML nodes."""
    problems: list[Problem] = []
    for err in errors:
        loc: Loc = tuple(err["loc"])
        kind = err["type"]
        if kind == ITEM_PROBLEM:  # a list's validator naming its items (item_problems)
            ctx = err.get("ctx") or {}
            found = [(err["msg"], ctx.get("at", ())), *ctx.get("more", ())]
            problems.extend(doc.problem(loc + tuple(at), message) for message, at in found)
            continue
        if kind == "extra_forbidden":
            problems.append(
                doc.problem(loc, unknown_key(loc[-1], known_keys(model, loc[:-1])), key=True)
            )
            continue
        if kind == "missing":
            problems.append(doc.problem(loc, "required key is missing"))
            continue
        if not loc and kind in ("model_type", "model_attributes_type", "dict_type"):
            problems.append(_top_level_problem(doc))
            continue
        node, _, _ = find_node(doc.root(), loc)
        raw = node.value if isinstance(node, ScalarNode) else None
        problems.append(doc.problem(loc, friendly(err, raw)))
    return problems


def _top_level_problem(doc: YamlDoc) -> Problem:
    if doc.data is None:
        return Problem(doc.file, "the file is empty; expected a mapping of keys", 1, 1)
    line, column = locate(doc.root(), ())
    return Problem(
        doc.file,
        "the top level must be a mapping of keys (key: value lines), not a list or a value",
        line,
        column,
    )


def known_keys(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The field names of the model found at ``loc`` inside ``model`` (empty when unknown)."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    inner = _model_of(current)
    return list(inner.model_fields) if inner is not None else []


def _model_of(tp: Any) -> type[BaseModel] | None:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in _args(tp):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _args(tp: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return (typing.get_args(tp)[0],)
    if origin in (typing.Union, types.UnionType):
        return tuple(a for a in typing.get_args(tp) if a is not type(None))
    return ()


def _step(tp: Any, part: int | str) -> Any:
    model = _model_of(tp)
    if model is not None and isinstance(part, str) and part in model.model_fields:
        return model.model_fields[part].annotation
    for candidate in (tp, *_args(tp)):
        origin = typing.get_origin(candidate)
        args = typing.get_args(candidate)
        if origin in (list, tuple, Sequence) and args and isinstance(part, int):
            return args[0]
        if origin is dict and len(args) == 2:
            return args[1]
    return None
