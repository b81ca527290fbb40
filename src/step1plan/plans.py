"""Plan files: the thresholds and weights the rules use (DESIGN.md "(plan)" numbers).

A plan is YAML. ``extends: NAME|PATH`` starts from another plan and overrides the keys given
(mappings merge key by key; lists and scalars replace). Every number is documented in the
shipped plan files with its source in ../shared/DOMAIN.md or the convention it follows.
Each section's model belongs to the rules that read it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from step1plan.models.common import StrictModel

SHIPPED = ("default", "strict")
"""Plans shipped with the tool, usable by name with ``--plan``."""


class ReadinessBar(StrictModel):
    """One set of readiness thresholds (first-timer or retaker)."""

    min_assessments: int = Field(ge=1, le=10)
    window_days: int = Field(ge=1, le=365)
    min_pass_probability: float = Field(ge=0, le=1)
    min_epc: float = Field(ge=0, le=100)
    max_epc_spread: float = Field(ge=0, le=100)
    min_free120_percent: float = Field(ge=0, le=100)
    max_days_before_test: int = Field(ge=0, le=365)


class ReadinessPlan(StrictModel):
    """Thresholds of the readiness rules (R3xx)."""

    low_pass_epc: float = Field(ge=0, le=100)
    borderline_pass_probability: float = Field(ge=0, le=1)
    trend_window: int = Field(ge=2, le=20)
    min_trend_slope_per_week: float
    uwsa_overprediction_points: float = Field(ge=0, le=100)
    first_timer: ReadinessBar
    retaker: ReadinessBar


class CausesPlan(StrictModel):
    """Thresholds of the cause rules (C1xx)."""

    weak_foundations_min_lower_areas: int = Field(ge=1, le=21)
    low_qbank_percent_correct: float = Field(ge=0, le=100)
    min_review_minutes_per_block: float = Field(ge=0, le=600)
    heavy_anki_minutes_per_day: float = Field(ge=0, le=1440)
    short_prep_weeks: float = Field(ge=0, le=156)
    stale_practice_days: int = Field(ge=0, le=365)


class StudyPlanParams(StrictModel):
    """Parameters of the study-plan rules (P4xx)."""

    default_hours_per_week: float = Field(gt=0, le=112)
    foundations_share: float = Field(ge=0, le=1)
    integration_share: float = Field(ge=0, le=1)
    readiness_share: float = Field(ge=0, le=1)
    min_weeks: int = Field(ge=1, le=104)
    max_weeks: int = Field(ge=1, le=104)
    weeks_per_epc_point: float = Field(ge=0, le=10)
    questions_per_hour: float = Field(gt=0, le=100)
    cbssa_every_weeks: int = Field(ge=1, le=8)
    weekly_cbssa_final_weeks: int = Field(ge=0, le=8)
    free120_final_days: int = Field(ge=1, le=60)


class TimelinePlan(StrictModel):
    """Parameters of the timeline rules (T5xx)."""

    step2ck_prep_weeks: int = Field(ge=1, le=52)
    step2ck_min_prep_weeks: int = Field(ge=1, le=52)
    step2ck_extra_weeks_weak_shelf: int = Field(ge=0, le=26)
    weak_shelf_score: float = Field(ge=0, le=100)


class Specialty(StrictModel):
    """One specialty of the strategy table."""

    label: str
    tier: str = Field(pattern=r"^(less_competitive|moderate|competitive|very_competitive)$")


class StrategyPlan(StrictModel):
    """Parameters of the strategy rules (S6xx) and mistakes (M7xx)."""

    specialties: dict[str, Specialty]
    parallel_plan_tiers: list[str]


class Plan(StrictModel):
    """A complete, validated plan."""

    name: str
    description: str = ""
    extends: str | None = None
    readiness: ReadinessPlan
    causes: CausesPlan
    study: StudyPlanParams
    timeline: TimelinePlan
    strategy: StrategyPlan


def plans_dir() -> Path:
    """The folder of the shipped plans: inside the installed package, else the checkout's."""
    packaged = Path(__file__).with_name("plans")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "plans"


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve_plan_path(name_or_path: str, relative_to: Path | None = None) -> Path:
    """A shipped plan's file for a bare name, otherwise the path given."""
    if name_or_path in SHIPPED:
        return plans_dir() / f"{name_or_path}.yaml"
    path = Path(name_or_path)
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    return path


def load_plan(name_or_path: str = "default") -> Plan:
    """Load and validate a plan by shipped name or path, following ``extends:``."""
    from step1plan.load.plan import load_plan_file

    return load_plan_file(resolve_plan_path(name_or_path), display=name_or_path)
