"""YAML documents with positions for error messages (minimal version; to be hardened)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from step1plan.errors import InputError, Problem

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """A parsed YAML file."""

    data: Any
    file: str
    text: str


def load_yaml(path: Path, display: str | None = None) -> YamlDoc:
    """Read and parse a YAML file safely."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Problem(name, f"cannot read file: {exc.strerror}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        raise InputError([Problem(name, f"invalid YAML: {exc}", line, col)]) from None
    return YamlDoc(data, name, text)


def validate(doc: YamlDoc, model: type[M], context: dict[str, Any] | None = None) -> M:
    """Validate a document against a model; every error becomes a located problem."""
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            problems.append(Problem(doc.file, err["msg"], None, None, field or None))
        raise InputError(problems) from None
