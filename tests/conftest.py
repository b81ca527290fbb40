"""Shared fixtures: a fixed run date, the default plan, a file writer and a CLI runner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from step1plan.plans import Plan, load_plan

AS_OF = dt.date(2026, 11, 27)
"""The date the shipped examples are written for."""

WriteFile = Callable[[str, str | bytes], Path]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: a test that takes a few seconds (deselect: -m 'not slow')"
    )


@pytest.fixture
def as_of() -> dt.date:
    """The fixed run date (2026-11-27)."""
    return AS_OF


@pytest.fixture(scope="session")
def default_plan() -> Plan:
    """The shipped default plan (loaded once per session)."""
    return load_plan("default")


@pytest.fixture
def write(tmp_path: Path) -> WriteFile:
    """``write(name, content)``: create ``tmp_path/name`` (text as UTF-8, or raw bytes)."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return _write


@pytest.fixture
def runner() -> CliRunner:
    """A typer CLI runner (``result.stdout`` and ``result.stderr`` kept apart)."""
    return CliRunner()
