"""Plan files: the thresholds and weights the rules use (DESIGN.md "(plan)" numbers).

A plan is YAML. ``extends: NAME|PATH`` starts from another plan and overrides the keys given
(mappings merge key by key; lists and scalars replace). Every number is documented in the
shipped plan files with its source in ../shared/DOMAIN.md or the convention it follows.
Each section's model belongs to the rules that read it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from step1plan.models.common import StrictModel

SHIPPED = ("default", "strict")
"""Plans shipped with the tool, usable by name with ``--plan``."""


TOLERANCE = 1e-9
"""Float noise allowed when a value is compared with a plan threshold."""


class ReadinessBar(StrictModel):
    """One set of readiness thresholds (first-timer or retaker)."""

    min_assessments: int = Field(ge=1, le=10)
    window_days: int = Field(ge=1, le=365)
    min_pass_probability: float = Field(ge=0, le=1)
    min_epc: float = Field(ge=0, le=100)
    max_epc_spread: float = Field(ge=0, le=100)
    min_free120_percent: float = Field(ge=0, le=100)
    max_days_before_test: int = Field(ge=0, le=365)

    def judged_on(
        self, epc: float | None, pass_probability: float | None
    ) -> tuple[str, float, float] | None:
        """Which value of an NBME result this bar judges, with the value and its threshold:
        ``("pass_probability", p, min_pass_probability)`` when the report gives one, else
        ``("epc", epc, min_epc)``; None without either. The readiness checks (R302) and the
        causes (C105) both judge through it; each makes its own comparison."""
        if pass_probability is not None:
            return "pass_probability", pass_probability, self.min_pass_probability
        if epc is not None:
            return "epc", epc, self.min_epc
        return None

    @staticmethod
    def at_least(value: float, threshold: float) -> bool:
        """``value`` reaches ``threshold``, allowing for float noise (a 95 % written as 0.95 or
        as 95/100): every comparison with a bar goes through it, so the checks (R302) and the
        causes (C105) never disagree on a value at the bar."""
        return value + TOLERANCE >= threshold


class ReadinessPlan(StrictModel):
    """Thresholds of the readiness rules (R3xx)."""

    low_pass_epc: float = Field(ge=0, le=100)
    borderline_pass_probability: float = Field(ge=0, le=1)
    trend_window: int = Field(ge=2, le=20)
    min_trend_slope_per_week: float = Field(allow_inf_nan=False)
    """EPC points a week; any finite value, negative included (not ``.nan`` or ``.inf``)."""
    uwsa_overprediction_points: float = Field(ge=0, le=100)
    projection_max_days: int = Field(ge=1, le=730)
    """A projected ready date further than this from the as-of date is not shown."""
    bar_without_history: str = Field(pattern=r"^(first_timer|retaker)$")
    """The bar used when no profile gives the attempt history (``ready --scores`` alone)."""
    first_timer: ReadinessBar
    retaker: ReadinessBar


class CauseSpans(StrictModel):
    """How far past a threshold a value must be for its signal to reach full strength.

    A value just past its threshold gives a signal of strength 0.5; one this far past gives 1.
    """

    epc_points: float = Field(gt=0, le=100)
    probability: float = Field(gt=0, le=1)
    percent_points: float = Field(gt=0, le=100)
    completion_points: float = Field(gt=0, le=100)
    review_minutes: float = Field(gt=0, le=600)
    anki_minutes: float = Field(gt=0, le=1440)
    days: int = Field(gt=0, le=365)
    weeks: float = Field(gt=0, le=156)
    blocks: int = Field(gt=0, le=20)


class ModeStrength(StrictModel):
    """Signal strength of a QBank mode as untimed practice, 0-1."""

    tutor: float = Field(ge=0, le=1)
    mixed: float = Field(ge=0, le=1)
    timed: float = Field(ge=0, le=1)


class LevelStrength(StrictModel):
    """Signal strength of a self-rated level (test-day anxiety, fatigue), 0-1."""

    none: float = Field(ge=0, le=1)
    low: float = Field(ge=0, le=1)
    moderate: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)


class CauseWeights(StrictModel):
    """Weight (0-1) of each evidence signal in its cause's score (combined as a noisy OR)."""

    lower_area_count: float = Field(ge=0, le=1)
    lower_area_weight: float = Field(ge=0, le=1)
    low_qbank_correct: float = Field(ge=0, le=1)
    qbank_nbme_gap: float = Field(ge=0, le=1)
    diffuse_failure: float = Field(ge=0, le=1)
    heavy_anki: float = Field(ge=0, le=1)
    reasoning_vs_recall: float = Field(ge=0, le=1)
    repeated_passes: float = Field(ge=0, le=1)
    short_review: float = Field(ge=0, le=1)
    finished_qbank_low_score: float = Field(ge=0, le=1)
    low_practice: float = Field(ge=0, le=1)
    stale_practice: float = Field(ge=0, le=1)
    short_prep: float = Field(ge=0, le=1)
    low_completion: float = Field(ge=0, le=1)
    inflated_practice: float = Field(ge=0, le=1)
    unfinished_exam_blocks: float = Field(ge=0, le=1)
    unfinished_practice_blocks: float = Field(ge=0, le=1)
    untimed_qbank: float = Field(ge=0, le=1)
    anxiety: float = Field(ge=0, le=1)
    fatigue: float = Field(ge=0, le=1)
    illness_or_event: float = Field(ge=0, le=1)
    ready_then_failed: float = Field(ge=0, le=1)


def _check_area_keys(value: list[str]) -> list[str]:
    """Reject a content-area key that is not one of DESIGN.md's fixed keys."""
    from step1plan.models.common import DISCIPLINES, SYSTEMS

    unknown = [key for key in value if key not in DISCIPLINES and key not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown content area(s): {', '.join(unknown)}")
    return value


class CausesPlan(StrictModel):
    """Thresholds of the cause rules (C1xx)."""

    weak_foundations_min_lower_areas: int = Field(ge=1, le=21)
    low_qbank_percent_correct: float = Field(ge=0, le=100)
    min_review_minutes_per_block: float = Field(ge=0, le=600)
    review_block_items: int = Field(ge=1, le=100)
    heavy_anki_minutes_per_day: float = Field(ge=0, le=1440)
    short_prep_weeks: float = Field(ge=0, le=156)
    stale_practice_days: int = Field(ge=0, le=365)
    interpretation_gap_points: float = Field(ge=0, le=100)
    low_qbank_completion: float = Field(ge=0, le=100)
    high_qbank_completion: float = Field(ge=0, le=100)
    memorization_min_passes: int = Field(ge=1, le=10)
    reasoning_areas: list[str] = Field(min_length=1, max_length=21)
    recall_areas: list[str] = Field(min_length=1, max_length=21)
    min_evidence_groups: int = Field(ge=0, le=6)
    supported_min_score: float = Field(ge=0, le=1)
    medium_confidence_score: float = Field(ge=0, le=1)
    high_confidence_score: float = Field(ge=0, le=1)
    self_report_weight: float = Field(ge=0, le=1)
    spans: CauseSpans
    level_strength: LevelStrength
    untimed_mode_strength: ModeStrength
    weights: CauseWeights

    _areas = field_validator("reasoning_areas", "recall_areas")(_check_area_keys)


class BandDeficit(StrictModel):
    """How far below a low pass each content band is, 0-1 (priority = outline weight x this)."""

    lower: float = Field(ge=0, le=1)
    same: float = Field(ge=0, le=1)
    higher: float = Field(ge=0, le=1)


class PhaseShares(StrictModel):
    """A share (0-1) per study-plan phase."""

    foundations: float = Field(ge=0, le=1)
    integration: float = Field(ge=0, le=1)
    readiness: float = Field(ge=0, le=1)


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
    cbssa_forms: list[Annotated[int, Field(ge=1, le=99)]] = Field(min_length=1, max_length=40)
    band_deficit: BandDeficit
    qbank_share: PhaseShares

    @field_validator("max_weeks")
    @classmethod
    def _max_not_under_min(cls, value: int, info: ValidationInfo) -> int:
        least = info.data.get("min_weeks")
        if isinstance(least, int) and value < least:
            raise ValueError(f"must be at least min_weeks ({least})")
        return value


class TimelinePlan(StrictModel):
    """Parameters of the timeline rules (T5xx)."""

    step2ck_prep_weeks: int = Field(ge=1, le=52)
    step2ck_min_prep_weeks: int = Field(ge=1, le=52)
    step2ck_extra_weeks_weak_shelf: int = Field(ge=0, le=26)
    weak_shelf_score: float = Field(ge=0, le=100)
    step2ck_prep_starts_after: Literal["step1_retake", "step1_result"]
    """When dedicated Step 2 CK preparation may start: the day after the Step 1 retake, or the
    day its result is released."""
    step2ck_result_by: Literal["eras_submit", "programs_review"]
    """The Match-season date the Step 2 CK result must arrive by for a cycle to be feasible."""


class Specialty(StrictModel):
    """One specialty of the strategy table."""

    label: str
    tier: str = Field(pattern=r"^(less_competitive|moderate|competitive|very_competitive)$")


class StrategyPlan(StrictModel):
    """Parameters of the strategy rules (S6xx) and mistakes (M7xx)."""

    specialties: dict[str, Specialty]
    parallel_plan_tiers: list[str]
    min_letters: int = Field(ge=0, le=10)
    """Letters of recommendation to aim for (US physicians' letters for IMGs)."""
    img_min_us_clinical_months: int = Field(ge=0, le=60)
    """Months of hands-on US clinical experience an IMG should have before applying."""
    max_years_since_graduation: int = Field(ge=0, le=50)
    """Years since graduation beyond which many programs look less favourably."""
    explanation_max_words: int = Field(ge=20, le=1000)
    """Longest explanation of the failure (words) before it counts as too long."""
    explanation_max_failure_sentences: int = Field(ge=1, le=20)
    """Sentences about the failure itself before an explanation is over-explaining."""


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
