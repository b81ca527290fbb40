"""Generate a synthetic cohort of varied, valid student profiles (seeded, reproducible).

    python benchmarks/generate.py OUTDIR --count 10000 [--seed 1] [--as-of 2026-11-27]

Profiles go into sub-folders of 1,000 (``OUTDIR/batch-000/g-000001.yaml``), like a real
tutoring company's tree. Every profile is valid as of ``--as-of``: its attempts and practice
assessments lie before that date. The mix covers first and repeated failures, an incomplete
attempt, exhausted attempts, IMGs, practice from none to eleven assessments (CBSSA, Free 120,
UWSA, forms seen before), in half of the profiles also taken in the weeks before the last failed
attempt, self-reported causes, QBank and study habits, clerkships and planned
dates. The data is fictional; names are made up from short lists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path
from typing import Any

import yaml

from step1plan.models.common import DISCIPLINES, SYSTEMS, CauseId

CAUSES = tuple(cause.value for cause in CauseId)
SPECIALTIES = (
    "family_medicine",
    "pediatrics",
    "psychiatry",
    "internal_medicine",
    "pathology",
    "neurology",
    "emergency_medicine",
    "anesthesiology",
    "general_surgery",
    "dermatology",
)
FIRST = ("Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lia")
LEVELS = ("none", "low", "moderate", "high")
FORMS = tuple(range(25, 33))
"""CBSSA forms on offer (DOMAIN.md, "NBME self-assessments")."""
_BASE_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class DUMPER(_BASE_DUMPER):  # type: ignore[misc,valid-type]
    """The safe dumper, without anchors and aliases: a profile written by hand has none, but
    PyYAML would alias two entries that share one date object (``&id001``)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


BATCH = 1000
"""Profiles per sub-folder."""


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A random day in [start, end] (``start`` when the range is empty)."""
    span = (end - start).days
    return start + dt.timedelta(days=rng.randint(0, span)) if span > 0 else start


def _bands(rng: random.Random) -> dict[str, dict[str, str]]:
    weights = rng.choice(((5, 4, 1), (2, 5, 3), (7, 2, 1)))

    def pick(keys: tuple[str, ...]) -> dict[str, str]:
        chosen = rng.sample(keys, rng.randint(3, len(keys)))
        return {k: rng.choices(("lower", "same", "higher"), weights)[0] for k in chosen}

    return {"disciplines": pick(DISCIPLINES), "systems": pick(SYSTEMS)}


def _before_attempt(
    rng: random.Random, attempt: dt.date, previous: dt.date | None
) -> list[dict[str, Any]]:
    """CBSSAs (and sometimes a Free 120) in the weeks before the last failed attempt: what the
    causes that look back at the attempt read (an exam taken under the bar, a falling score)."""
    items: list[dict[str, Any]] = []
    day = attempt - dt.timedelta(days=rng.randint(20, 60))
    if previous is not None and day <= previous:
        day = previous + dt.timedelta(days=7)
    epc = rng.uniform(48, 66)
    for form in rng.sample(FORMS, rng.randint(1, 2)):
        if day >= attempt:
            break
        items.append(
            {
                "date": day,
                "form": f"CBSSA {form}",
                "epc": round(epc),
                "pass_probability": round(max(0.01, min(0.99, (epc - 58) / 16)), 2),
            }
        )
        epc += rng.uniform(-3, 4)
        day += dt.timedelta(days=rng.randint(5, 14))
    if rng.random() < 0.3 and day < attempt:
        items.append({"date": day, "form": "Free 120", "percent_correct": rng.randint(50, 70)})
    return items


def _unused(items: list[dict[str, Any]]) -> list[int]:
    """The CBSSA forms not taken in ``items`` (later practice takes fresh forms)."""
    taken = {item["form"] for item in items}
    return [form for form in FORMS if f"CBSSA {form}" not in taken]


def _strong_practice(
    rng: random.Random, as_of: dt.date, forms_left: list[int]
) -> list[dict[str, Any]]:
    """A student who looks ready: recent, unseen, consistent CBSSAs well above the bar."""
    forms = rng.sample(forms_left, rng.randint(3, 4))
    items: list[dict[str, Any]] = []
    for n, form in enumerate(forms):
        epc = rng.randint(73, 80)
        items.append(
            {
                "date": as_of - dt.timedelta(days=30 - 7 * n),
                "form": f"CBSSA {form}",
                "epc": epc,
                "pass_probability": round(rng.uniform(0.96, 0.99), 2),
                "unfinished_blocks": 0,
            }
        )
    items.append({"date": as_of - dt.timedelta(days=2), "form": "Free 120", "percent_correct": 76})
    return items


def _practice(
    rng: random.Random, since: dt.date, as_of: dt.date, forms_left: list[int]
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    epc = rng.uniform(50, 68)
    slope = rng.uniform(-0.5, 2.5)
    day = since + dt.timedelta(days=rng.randint(7, 40))
    if rng.random() < 0.7:  # most students have been practising lately
        day = max(day, as_of - dt.timedelta(days=rng.randint(20, 150)))
    for form in rng.sample(forms_left, rng.randint(0, min(6, len(forms_left)))):
        if day >= as_of:
            break
        value = max(35.0, min(90.0, epc + rng.gauss(0, 2)))
        probability = max(0.01, min(0.99, (value - 58) / 16))
        entry: dict[str, Any] = {
            "date": day,
            "form": f"CBSSA {form}",
            "epc": round(value),
            "pass_probability": round(probability, 2),
        }
        if rng.random() < 0.1:
            entry["seen_before"] = True
        if rng.random() < 0.15:
            entry["unfinished_blocks"] = rng.randint(0, 2)
        items.append(entry)
        epc += slope * rng.uniform(1, 3)
        day += dt.timedelta(days=rng.randint(6, 21))
    if rng.random() < 0.4 and day < as_of:
        items.append({"date": day, "form": "Free 120", "percent_correct": rng.randint(55, 80)})
    if rng.random() < 0.3:
        items.append(
            {
                "date": _day(rng, since, as_of),
                "form": f"UWSA {rng.randint(1, 3)}",
                "score": rng.randint(205, 250),
            }
        )
    return sorted(items, key=lambda e: e["date"])


def profile(i: int, rng: random.Random, as_of: dt.date) -> dict[str, Any]:
    """One fictional profile, valid as of ``as_of``."""
    grad = rng.choices(("us_md", "us_do", "img"), (5, 2, 3))[0]
    student: dict[str, Any] = {"id": f"g-{i:06d}"}
    if rng.random() < 0.7:
        student["name"] = f"{rng.choice(FIRST)} {chr(65 + rng.randrange(26))}."
    student["graduate_type"] = grad
    student["graduation_year"] = (
        as_of.year + rng.randint(-6, 2) if grad == "img" else (as_of.year + rng.randint(0, 2))
    )
    if grad == "img":
        student["visa_required"] = rng.random() < 0.6
        student["us_clinical_experience_months"] = rng.randint(0, 12)
        student["us_letters"] = rng.randint(0, 4)
    n_attempts = rng.choices((1, 2, 3, 4), (12, 5, 2, 1))[0]
    start = as_of - dt.timedelta(days=rng.randint(60, 300 + 200 * n_attempts))
    attempts = []
    day = start
    for n in range(n_attempts):
        result = "incomplete" if n == 0 and n_attempts > 1 and rng.random() < 0.15 else "fail"
        attempt: dict[str, Any] = {"exam": "step1", "date": day, "result": result}
        if result == "fail":
            attempt["content_areas"] = _bands(rng)
        attempt["test_day"] = {
            "unfinished_blocks": rng.choices((0, 1, 2, 3), (6, 2, 1, 1))[0],
            "anxiety": rng.choice(LEVELS),
            "fatigue": rng.choice(LEVELS),
            "illness_or_event": rng.random() < 0.08,
        }
        attempts.append(attempt)
        day = min(as_of, day + dt.timedelta(days=rng.randint(70, 200)))
    last = attempts[-1]["date"]
    strong = n_attempts < 4 and last < as_of - dt.timedelta(days=45) and rng.random() < 0.25
    previous = attempts[-2]["date"] if len(attempts) > 1 else None
    before = _before_attempt(rng, last, previous) if rng.random() < 0.5 else []
    after = (
        _strong_practice(rng, as_of, _unused(before))
        if strong
        else _practice(rng, last, as_of, _unused(before))
    )
    target: dict[str, Any] = {"specialty": rng.choice(SPECIALTIES)}
    if rng.random() < 0.5:
        target["match_year"] = as_of.year + rng.randint(1, 3)
    if strong:
        target["step1_date"] = as_of + dt.timedelta(days=rng.randint(5, 12))
    elif rng.random() < 0.6:
        target["step1_date"] = as_of + dt.timedelta(days=rng.randint(10, 150))
    if rng.random() < 0.2:
        target["step2ck_date"] = as_of + dt.timedelta(days=rng.randint(160, 400))
    data: dict[str, Any] = {
        "schema_version": 1,
        "student": student,
        "target": target,
        "attempts": attempts,
        "causes": rng.sample(CAUSES, rng.choices((0, 1, 2, 3), (3, 4, 3, 1))[0]),
        "practice": [*before, *after],
        "qbank": {
            "name": rng.choice(("UWorld", "AMBOSS")),
            "percent_complete": rng.randint(30, 100),
            "percent_correct": rng.randint(45, 72),
            "mode": rng.choice(("tutor", "timed", "mixed")),
            "review_minutes_per_block": rng.randint(10, 120),
            "passes": rng.randint(0, 2),
        },
        "study": {
            "hours_per_week": rng.choice((20, 30, 40, 50, 60)),
            "weeks_before_attempt": rng.randint(3, 12),
            "anki_minutes_per_day": rng.choice((0, 30, 60, 120, 180)),
            "tutoring": strong or rng.random() < 0.3,
            "test_day_plan": strong or rng.random() < 0.4,
        },
    }
    if rng.random() < 0.4:
        data["clerkships"] = {
            "completed": ["medicine", "surgery"][: rng.randint(0, 2)],
            "remaining": [
                {"name": "pediatrics", "ends": as_of + dt.timedelta(days=rng.randint(20, 200))}
            ],
            "shelves": {"medicine": rng.randint(60, 85)} if rng.random() < 0.5 else {},
        }
    return data


def generate(folder: Path, count: int, seed: int = 1, as_of: dt.date | None = None) -> list[Path]:
    """Write ``count`` profiles under ``folder``; return their paths."""
    day = as_of or dt.date(2026, 11, 27)
    rng = random.Random(seed)
    paths = []
    for i in range(1, count + 1):
        batch = folder / f"batch-{(i - 1) // BATCH:03d}"
        if (i - 1) % BATCH == 0:
            batch.mkdir(parents=True, exist_ok=True)
        path = batch / f"g-{i:06d}.yaml"
        text = yaml.dump(profile(i, rng, day), Dumper=DUMPER, sort_keys=False)
        path.write_text(
            f"# synthetic profile {i} (benchmarks/generate.py, seed {seed})\n{text}",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 27))
    args = parser.parse_args()
    generate(args.folder, args.count, args.seed, args.as_of)
    print(f"{args.count} profiles in {args.folder}")


if __name__ == "__main__":
    main()
