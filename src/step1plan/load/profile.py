"""Profiles (YAML) and their practice scores: the inputs of every command.

``load_profile_data`` is the path of cohort runs: the file read once, parsed once and validated
once; the node tree for error positions is built only when something is wrong.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from step1plan.errors import InputError, Problem
from step1plan.load.messages import shown, suggest
from step1plan.load.scores import load_scores
from step1plan.load.textfile import MAX_BYTES, decode_utf8, too_large
from step1plan.load.yamlfile import YamlDoc, load_yaml, located_problems, parse_yaml, sort_problems
from step1plan.models.profile import Profile
from step1plan.models.scores import PracticeScore

if TYPE_CHECKING:
    from step1plan.plans import Plan
    from step1plan.rules.base import Context

PROFILE_SUFFIXES = (".yaml", ".yml")
SCORE_SUFFIXES = (".csv",)


@dataclass(frozen=True)
class Loaded:
    """Validated inputs of one run."""

    profile: Profile | None
    """The profile, or ``None`` for ``ready --scores`` without ``--profile``."""
    scores: tuple[PracticeScore, ...]
    """Practice scores from the profile's ``scores_file`` and/or ``--scores`` (file order)."""
    score_paths: tuple[str, ...]
    """Evidence path of each score: file name and line (``nbme.csv:3``)."""
    inputs: list[Path]
    """Every file read (an output must never overwrite one of them)."""

    def context(self, plan: Plan, as_of: dt.date) -> Context:
        """The rule context: profile ``practice:`` entries and file scores merged by date."""
        from step1plan.analysis import make_context

        return make_context(plan, as_of, self.profile, self.scores, self.score_paths)


def _profile_from_doc(doc: YamlDoc, as_of: dt.date, plan: Plan) -> Profile:
    """Validate a parsed profile: model errors and plan checks, all reported together."""
    profile: Profile | None = None
    problems: list[Problem] = []
    try:
        profile = Profile.model_validate(doc.data, context={"as_of": as_of})
    except ValidationError as exc:
        problems.extend(located_problems(doc, exc.errors(), Profile))
    problems.extend(_plan_problems(doc, plan))
    if problems or profile is None:
        raise InputError(sort_problems(problems))
    return profile


def _plan_problems(doc: YamlDoc, plan: Plan) -> list[Problem]:
    """``target.specialty`` must be a key of the plan's specialty table."""
    data = doc.data
    if not isinstance(data, dict):
        return []
    target = data.get("target")
    specialty = target.get("specialty") if isinstance(target, dict) else None
    table = plan.strategy.specialties
    if not isinstance(specialty, str) or specialty in table:
        return []
    hint = suggest(specialty, table) or f"; see the specialties of plan '{plan.name}'"
    return [doc.problem(("target", "specialty"), f"unknown specialty '{shown(specialty)}'{hint}")]


def _as_text(data: str | bytes, display: str) -> str:
    """Profile text from what was read: size-checked, UTF-8 decoded, without a BOM."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise too_large(display, len(data))
        return decode_utf8(data, display)
    return data[1:] if data.startswith("\ufeff") else data


def load_profile_text(text: str | bytes, display: str, as_of: dt.date, plan: Plan) -> Profile:
    """Parse and validate profile text. ``scores_file`` is neither checked nor read.

    Raises :class:`InputError` with every problem found, each at FILE:LINE:COL.
    """
    return _profile_from_doc(parse_yaml(_as_text(text, display), display), as_of, plan)


def load_profile_data(data: str | bytes, path: Path, as_of: dt.date, plan: Plan) -> Loaded:
    """A profile file's content already read, and its ``scores_file``: what :func:`load_inputs`
    gives for ``path``, from that one read and one parse (the cohort's path)."""
    display = str(path)
    doc = parse_yaml(_as_text(data, display), display)
    profile, scores_path = _profile_of_doc(doc, path, as_of, plan)
    files = [scores_path] if scores_path is not None else []
    found, where = _load_score_files(files, as_of)
    return Loaded(profile, found, where, [path, *files])


def _scores_file(doc: YamlDoc, profile_path: Path) -> tuple[Path | None, Problem | None]:
    """The profile's ``scores_file`` resolved against its folder, or the problem with it."""
    data = doc.data
    name = data.get("scores_file") if isinstance(data, dict) else None
    if not isinstance(name, str) or not name.strip():
        return None, None
    path = profile_path.parent / name.strip()
    try:
        mode = os.stat(path).st_mode  # one stat for every case below
    except FileNotFoundError:
        what = "not found"
    except OSError as exc:  # a name too long for the file system, say
        what = f"cannot be read ({exc.strerror})"
    else:
        if stat.S_ISREG(mode):
            return path, None
        what = "is a folder" if stat.S_ISDIR(mode) else "is not a regular file (a pipe or a device)"
    return None, doc.problem(("scores_file",), f"scores file {what}: {shown(str(path), 240)}")


def _load_profile_file(path: Path, as_of: dt.date, plan: Plan) -> tuple[Profile, Path | None]:
    """Load a profile file and check its ``scores_file`` exists (all problems together)."""
    return _profile_of_doc(load_yaml(path, str(path)), path, as_of, plan)


def _profile_of_doc(
    doc: YamlDoc, path: Path, as_of: dt.date, plan: Plan
) -> tuple[Profile, Path | None]:
    """Validate a parsed profile and check its ``scores_file`` exists (all problems together)."""
    problems: list[Problem] = []
    profile: Profile | None = None
    try:
        profile = _profile_from_doc(doc, as_of, plan)
    except InputError as exc:
        problems.extend(exc.problems)
    scores_path, missing = _scores_file(doc, path)
    if missing is not None and not any(p.field == "scores_file" for p in problems):
        problems.append(missing)  # unless the model already refused the name itself
    if problems or profile is None:
        raise InputError(sort_problems(problems))
    return profile, scores_path


def _load_score_files(
    files: Sequence[Path], as_of: dt.date
) -> tuple[tuple[PracticeScore, ...], tuple[str, ...]]:
    scores: list[PracticeScore] = []
    paths: list[str] = []
    problems: list[Problem] = []
    for file in files:
        try:
            found, where = load_scores(file, as_of, str(file))
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        scores.extend(found)
        paths.extend(where)
    if problems:
        raise InputError(problems)
    return tuple(scores), tuple(paths)


def load_inputs(
    profile_path: Path, as_of: dt.date, plan: Plan, scores: Path | None = None
) -> Loaded:
    """Load a profile, its ``scores_file`` and the ``--scores`` CSV (problems of all together)."""
    problems: list[Problem] = []
    profile: Profile | None = None
    files: list[Path] = []
    try:
        profile, scores_path = _load_profile_file(profile_path, as_of, plan)
        if scores_path is not None:
            files.append(scores_path)
    except InputError as exc:
        problems.extend(exc.problems)
    if scores is not None and not any(_same_file(scores, f) for f in files):
        files.append(scores)
    try:
        found, where = _load_score_files(files, as_of)
    except InputError as exc:
        problems.extend(exc.problems)
        found, where = (), ()
    if problems or profile is None:
        raise InputError(problems)
    return Loaded(profile, found, where, [profile_path, *files])


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def load_scores_only(csv_path: Path, as_of: dt.date) -> Loaded:
    """Load a practice-score CSV without a profile (``ready --scores``)."""
    found, where = load_scores(csv_path, as_of, str(csv_path))
    return Loaded(None, found, where, [csv_path])


def validate_files(paths: Sequence[Path], as_of: dt.date, plan: Plan) -> list[Problem]:
    """Every problem in the files (profiles also load their ``scores_file``); never raises for
    bad input. ``.csv`` is a score file, ``.yaml``/``.yml`` a profile."""
    problems: list[Problem] = []
    for path in paths:
        problems.extend(_validate_one(path, as_of, plan))
    return problems


def _validate_one(path: Path, as_of: dt.date, plan: Plan) -> list[Problem]:
    suffix = path.suffix.lower()
    try:
        if suffix in SCORE_SUFFIXES:
            load_scores(path, as_of, str(path))
        elif suffix in PROFILE_SUFFIXES:
            _, scores_path = _load_profile_file(path, as_of, plan)
            if scores_path is not None:
                load_scores(scores_path, as_of, str(scores_path))
        elif path.is_dir():
            return [Problem(str(path), "is a folder; list the files (for example DIR/*.yaml)")]
        else:
            return [
                Problem(
                    str(path),
                    "unknown file type; expected .yaml or .yml (profile) or .csv (practice scores)",
                )
            ]
    except InputError as exc:
        return list(exc.problems)
    return []
