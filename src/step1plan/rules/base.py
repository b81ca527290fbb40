"""The rule registry and the context every rule receives.

A rule is a small pure function decorated with :func:`rule`. Its code (``C101``) is unique and
well formed, its docstring says why it exists and which source (DOMAIN.md fact or plan key)
backs its numbers, and it returns typed results; rules never print.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from typing import TYPE_CHECKING, Any, TypeVar

from step1plan.models.common import Exam, PracticeKind
from step1plan.models.record import record

if TYPE_CHECKING:
    from step1plan.models.profile import Profile
    from step1plan.models.scores import PracticeScore
    from step1plan.plans import Plan

CODE_PATTERN = re.compile(r"^[CERPTSM][1-7]\d\d$")
"""C1xx causes, E2xx eligibility, R3xx readiness, P4xx study plan, T5xx timeline, S6xx strategy,
M7xx mistakes."""

PREFIX_DIGIT = {"C": "1", "E": "2", "R": "3", "P": "4", "T": "5", "S": "6", "M": "7"}

F = TypeVar("F", bound=Callable[..., Any])


@record
class RuleInfo:
    """A registered rule."""

    code: str
    title: str
    func: Callable[..., Any]
    module: str

    @property
    def doc(self) -> str:
        """The rule's docstring: its user documentation."""
        return (self.func.__doc__ or "").strip()


REGISTRY: dict[str, RuleInfo] = {}
"""Every rule that has been imported, by code. Use :func:`step1plan.rules.all_rules`."""


def rule(code: str, title: str) -> Callable[[F], F]:
    """Register a rule function under a unique, well-formed code."""
    if not CODE_PATTERN.match(code) or PREFIX_DIGIT[code[0]] != code[1]:
        raise ValueError(f"malformed rule code {code!r}")

    def register(func: F) -> F:
        existing = REGISTRY.get(code)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"rule code {code} is used twice")
        REGISTRY[code] = RuleInfo(code, title, func, func.__module__)
        func.code = code  # type: ignore[attr-defined]
        func.title = title  # type: ignore[attr-defined]
        return func

    return register


@record
class Context:
    """Everything a rule may look at: validated inputs, the plan and the run date."""

    plan: Plan
    as_of: dt.date
    profile: Profile | None = None
    scores: Sequence[PracticeScore] = field(default_factory=tuple)
    """Practice scores from the profile's ``practice:`` and its ``scores_file`` (or ``--scores``),
    sorted by date; the path of each for evidence is in :attr:`score_paths`."""
    score_paths: Sequence[str] = field(default_factory=tuple)
    """Evidence path of each score (``practice[0]`` or ``nbme.csv:3``), parallel to scores."""

    def evidence_paths(self) -> Sequence[str]:
        """:attr:`score_paths`, or ``scores[i]`` for each score of a context built without them."""
        return self.score_paths or [f"scores[{i}]" for i in range(len(self.scores))]

    def latest_step1_date(self) -> dt.date | None:
        """The date of the latest Step 1 attempt on or before the as-of date: practice scores
        from before it say nothing about the student since (readiness and the retake date
        count only later ones)."""
        if self.profile is None:
            return None
        for attempt in reversed(self.profile.attempts):  # validated oldest first
            if attempt.exam is Exam.step1 and attempt.date <= self.as_of:
                return attempt.date
        return None

    def unseen_cbssas(self, since: dt.date | None) -> list[tuple[PracticeScore, str]]:
        """The unseen NBME CBSSAs taken after ``since`` (all of them when it is ``None``), each
        with its evidence path, oldest first: the practice exams that tell where the student
        has stood since that attempt.

        A form seen before (its score is inflated) and any other kind (a Free 120, a UWSA, another
        vendor's exam: other scales) are left out, and nothing else: a caller that needs an EPC,
        or only the scores up to the as-of date, filters for it at its call. ``since`` is the
        caller's too: the latest Step 1 attempt on or before the as-of date
        (:meth:`latest_step1_date`) for readiness and the retake date, the last failed one for
        the explanation draft.
        """
        cbssa = PracticeKind.cbssa
        return [
            (score, path)
            # Not strict: a strict zip costs more than the whole filter of a few scores.
            for score, path in zip(self.scores, self.evidence_paths(), strict=False)
            # The kind is read from the form name (a property), so it is tested last.
            if not score.seen_before
            and (since is None or score.date > since)
            and score.kind is cbssa
        ]


def blocks_all_finished(scores: Iterable[PracticeScore]) -> bool:
    """Readiness check R309's test of pacing: the full-length practice exams (CBSSA, Free 120,
    UWSA) among ``scores`` that record their ``unfinished_blocks`` finished every block, and at
    least one records them. An exam without the record is left out; none recorded is missing
    evidence, not a pass. Which scores to look at is the caller's: R309 takes the recent ones,
    the explanation draft those after the failure and within ``window_days`` of the as-of date
    or of the retake taken since."""
    other = PracticeKind.other
    recorded = [
        score.unfinished_blocks
        for score in scores
        if score.unfinished_blocks is not None and score.kind is not other
    ]
    return bool(recorded) and not any(recorded)
