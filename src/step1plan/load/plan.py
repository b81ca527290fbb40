"""Plan files: YAML validated against :class:`step1plan.plans.Plan`, following ``extends:``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from step1plan.errors import InputError, Problem
from step1plan.load.yamlfile import YamlDoc, load_yaml, validate
from step1plan.plans import Plan, _merge, resolve_plan_path

MAX_EXTENDS_DEPTH = 8


def _raw(path: Path, display: str, seen: tuple[Path, ...]) -> dict[str, Any]:
    doc = load_yaml(path, display)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(display, "a plan must be a mapping of keys", 1, 1)])
    parent = doc.data.get("extends")
    if parent is None:
        return dict(doc.data)
    if len(seen) >= MAX_EXTENDS_DEPTH or path.resolve() in seen:
        raise InputError([Problem(display, "extends: forms a cycle or is too deep", None, None, "extends")])
    parent_path = resolve_plan_path(str(parent), relative_to=path.parent)
    if not parent_path.is_file():
        raise InputError([Problem(display, f"extends: no plan named {parent!r}", None, None, "extends")])
    base = _raw(parent_path, str(parent), (*seen, path.resolve()))
    return _merge(base, doc.data)


def load_plan_file(path: Path, display: str | None = None) -> Plan:
    """Load a plan file and the plans it extends."""
    name = display or str(path)
    if not path.is_file():
        raise InputError([Problem(name, "no such plan (use default, strict or a path to a plan file)")])
    merged = _raw(path, name, ())
    return validate(YamlDoc(merged, name, ""), Plan)
