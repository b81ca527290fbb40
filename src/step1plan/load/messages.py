"""Short, plain-English messages for pydantic validation errors, and "did you mean" hints."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from step1plan.errors import shown_name
from step1plan.models.common import PRINTABLE

_QUOTED = re.compile(r"'([^']*)'")

_PATTERN_HINTS = {
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$": "expected letters, digits, '.', '_' or '-' (no spaces), "
    "starting with a letter or digit",
    r"^[a-z][a-z0-9_]*$": "expected a lowercase key such as internal_medicine",
    PRINTABLE: "control characters (such as a quoted \\e or \\0) and text-direction overrides "
    "are not allowed",
}

_BOOL_WORDS = ("yes", "no", "on", "off", "true", "false", "y", "n")


def suggest(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or an empty string."""
    options = [c for c in choices if isinstance(c, str)]
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower(), options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def unknown_key(key: object, known: Iterable[str], what: str = "key") -> str:
    """``unknown key 'atempts'; did you mean 'attempts'?`` (the hint only when one is close)."""
    known = sorted(known)
    hint = suggest(str(key), known)
    if not hint and known and len(known) <= 12:
        hint = f"; expected one of: {', '.join(known)}"
    return f"unknown {what} '{shown(str(key))}'{hint}"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, set | frozenset):
        return "a set (!!set)"
    if isinstance(value, bytes):
        return "binary data (!!binary)"
    if isinstance(value, dt.datetime):
        return "a date with a time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, int | float):
        return "a number"
    return "text"


def shown(text: str, limit: int = 40) -> str:
    """A value from the input, safe to echo on one line: bytes that are not UTF-8 as
    :func:`shown_name` writes them, control characters escaped (``\\x0b``), clipped to
    ``limit`` characters."""
    clean = "".join(c if c.isprintable() else repr(c)[1:-1] for c in shown_name(text))
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _choices(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    found = _QUOTED.findall(expected)
    return ", ".join(found) if found else expected


def friendly(err: Mapping[str, Any], raw: str | None = None) -> str:
    """A short message for one pydantic error (``err`` from ``ValidationError.errors()``).

    ``raw`` is the value as written in the file, when known: it explains YAML 1.1 surprises such
    as ``no`` being read as false.
    """
    kind = str(err.get("type", ""))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    value = err.get("input")
    msg = _base_message(kind, ctx, value, str(err.get("msg", "")))
    if isinstance(value, bool) and kind in ("string_type", "enum", "literal_error"):
        word = shown(raw) if raw is not None else ("true" if value else "false")
        if word.lower() in _BOOL_WORDS:
            msg += f" (YAML reads {word} as true/false: put it in quotes, '{word}', to mean text)"
    elif isinstance(value, bool) and kind in _NUMBER_KINDS:
        word = shown(raw) if raw is not None else ("true" if value else "false")
        if word.lower() not in ("true", "false"):
            msg += f" (YAML reads {word} as true/false: write the number)"
    elif kind == "string_type" and raw is not None and not isinstance(value, dict | list):
        # 0142 (an octal number in YAML 1.1), 2026-05-14 (a date), 12: quoting keeps the text.
        msg += f" (put it in quotes, '{shown(raw)}', to keep it as text)"
    return msg


_NUMBER_KINDS = frozenset({"int_type", "float_type"})
"""Error kinds of a number field given something else (strict number fields)."""

_SIMPLE: dict[str, str] = {
    "missing": "required",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "int_parsing_size": "number is too large",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "date_type": "expected a date YYYY-MM-DD",
    "date_parsing": "expected a date YYYY-MM-DD",
    "date_from_datetime_parsing": "expected a date YYYY-MM-DD",
    "date_from_datetime_inexact": "expected a date YYYY-MM-DD (without a time)",
    "list_type": "expected a list",
    "dict_type": "expected a mapping (key: value)",
    "model_type": "expected a mapping (key: value)",
    "model_attributes_type": "expected a mapping (key: value)",
    "recursion_loop": "refers to itself (a recursive alias)",
}
"""Plain wording of pydantic error kinds that need no detail from the error context."""

_BOUNDED: dict[str, tuple[str, str]] = {
    "less_than_equal": ("must be at most {}", "le"),
    "less_than": ("must be less than {}", "lt"),
    "greater_than_equal": ("must be at least {}", "ge"),
    "greater_than": ("must be more than {}", "gt"),
    "string_too_long": ("must be at most {} characters", "max_length"),
    "too_long": ("too many items (at most {})", "max_length"),
    "too_short": ("too few items (at least {})", "min_length"),
}
"""Wording of the error kinds that name one bound from the error context, and its key."""


def _base_message(kind: str, ctx: Mapping[str, Any], value: Any, msg: str) -> str:
    if kind in _SIMPLE:
        text = _SIMPLE[kind]
        if kind in ("date_parsing", "date_from_datetime_parsing") and isinstance(value, str):
            text += f", got '{shown(value)}'"
            if "outside expected range" in msg or "out of range" in msg:
                text = f"'{shown(value)}' is not a real date (day or month out of range)"
        elif kind in _NUMBER_KINDS and isinstance(value, str | float):
            text += f", got '{shown(value)}'" if isinstance(value, str) else f", got {value:g}"
        elif kind.endswith("_type") and kind != "date_type":
            text += f", got {_describe(value)}"
        elif kind.endswith("_parsing") and isinstance(value, str):
            text += f", got '{shown(value)}'"
        return text
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "enum":
        return f"expected one of: {_choices(ctx)}"
    if kind == "literal_error":
        choices = _choices(ctx)
        return f"must be {choices}" if "," not in choices else f"expected one of: {choices}"
    if kind in _BOUNDED:
        template, key = _BOUNDED[kind]
        return template.format(_number(ctx.get(key)))
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must be at least {least} characters"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return _PATTERN_HINTS.get(pattern, f"does not match the pattern {pattern}")
    if kind in ("value_error", "assertion_error"):
        for prefix in ("Value error, ", "Assertion failed, "):
            if msg.startswith(prefix):
                return msg[len(prefix) :]
        return msg
    return msg
