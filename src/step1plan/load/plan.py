"""Plan files: YAML validated against :class:`step1plan.plans.Plan`, following ``extends:``.

Errors carry FILE:LINE:COL like profile errors. A value that is wrong after merging is reported
in the file that gave it (the extending plan first, then the plans it extends); a missing key in
the file that gave the mapping it is missing from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from step1plan.errors import InputError, Problem
from step1plan.load.messages import suggest
from step1plan.load.yamlfile import YamlDoc, find_node, load_yaml, located_problems, sort_problems
from step1plan.plans import SHIPPED, Plan, _merge, resolve_plan_path

MAX_EXTENDS_DEPTH = 8
"""Longest ``extends:`` chain followed (a guard against runaway chains, convention)."""


def _chain(path: Path, display: str) -> list[YamlDoc]:
    """The plan file and the plans it extends, the file itself first."""
    docs: list[YamlDoc] = []
    seen: list[Path] = []
    current, name = path, display
    while True:
        doc = load_yaml(current, name)
        if not isinstance(doc.data, dict):
            what = "empty" if doc.data is None else "not a mapping of keys"
            raise InputError(
                [Problem(name, f"a plan must be a mapping of keys; this file is {what}", 1, 1)]
            )
        docs.append(doc)
        seen.append(current.resolve())
        parent = doc.data.get("extends")
        if parent is None:
            return docs
        if not isinstance(parent, str) or not parent.strip():
            raise InputError([doc.problem(("extends",), "expected the name or path of a plan")])
        parent_path = resolve_plan_path(parent.strip(), relative_to=current.parent)
        if parent_path.resolve() in seen:
            chain = " -> ".join(p.name for p in (*seen, parent_path))
            raise InputError([doc.problem(("extends",), f"extends forms a cycle ({chain})")])
        if len(docs) >= MAX_EXTENDS_DEPTH:
            raise InputError(
                [
                    doc.problem(
                        ("extends",), f"more than {MAX_EXTENDS_DEPTH} plans extend each other"
                    )
                ]
            )
        if not parent_path.is_file():
            hint = f"a shipped plan ({', '.join(SHIPPED)}) or a path relative to this file"
            raise InputError([doc.problem(("extends",), f"no plan '{parent}'; expected {hint}")])
        # Name the parent as the user would: relative to how this file was named.
        shipped = parent.strip() in SHIPPED
        current, name = parent_path, parent.strip() if shipped else str(Path(name).parent / parent)


def _owner(docs: list[YamlDoc], loc: tuple[int | str, ...]) -> YamlDoc:
    """The file that gave the value at ``loc`` (the most derived first), else the deepest match."""
    best, best_depth = docs[0], -1
    for doc in docs:
        root = doc.root()
        _, _, depth = find_node(root, loc)
        if depth == len(loc):
            return doc
        if depth > best_depth:
            best, best_depth = doc, depth
    return best


def _no_such_plan(name: str) -> str:
    """The message for a plan name that is neither shipped nor a file, with the closest shipped
    name when one is close (``strictt``)."""
    hint = suggest(name, SHIPPED)
    usage = f"{' or '.join(SHIPPED)}, or the path of a plan file"
    return f"no such plan{hint} Use {usage}" if hint else f"no such plan; use {usage}"


def load_plan_file(path: Path, display: str | None = None) -> Plan:
    """Load a plan file and the plans it extends; every problem at FILE:LINE:COL."""
    name = display or str(path)
    if not path.is_file():
        what = (  # the path exists, but is no file to read a plan from
            "is a folder, not a plan file"
            if path.is_dir()
            else "is not a regular file (a pipe or a device), not a plan file"
            if path.exists()
            else _no_such_plan(name)
        )
        raise InputError([Problem(name, what)])
    docs = _chain(path, name)
    merged: dict[str, Any] = {}
    for doc in reversed(docs):
        merged = _merge(merged, doc.data)
    try:
        return Plan.model_validate(merged)
    except ValidationError as exc:
        problems: list[Problem] = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            # A missing key belongs to the file that gave its parent mapping.
            doc = _owner(docs, loc[:-1] if err["type"] == "missing" else loc)
            problems.extend(located_problems(doc, [err], Plan))
        raise InputError(sort_problems(problems)) from None
