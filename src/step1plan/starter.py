"""The commented starter profile printed by ``step1plan init`` (it validates as printed)."""

from __future__ import annotations

_INTRO = """\
# step1plan profile (schema_version 1). Fill in what you know, delete what you do not:
# only student.id and your attempts are needed for a first report.
# Check it with:  step1plan validate profile.yaml
# Then run:       step1plan diagnose profile.yaml
schema_version: 1

"""

_STUDENT_US = """\
student:
  id: s-0001                    # a pseudonymous id (letters, digits, . _ -), shown in reports
  # name: Your Name             # optional; left out by --redact
  graduate_type: us_md          # us_md | us_do | img
  graduation_year: 2028         # the year you (will) graduate
  visa_required: false

"""

_STUDENT_IMG = """\
student:
  id: s-0001                    # a pseudonymous id (letters, digits, . _ -), shown in reports
  # name: Your Name             # optional; left out by --redact
  graduate_type: img            # us_md | us_do | img
  graduation_year: 2024         # the year you graduated
  visa_required: true           # true if you need a US visa for residency
  us_clinical_experience_months: 0  # months of hands-on US clinical work
  us_letters: 0                 # letters of recommendation from US physicians

"""

_REST = """\
target:
  specialty: internal_medicine  # a specialty key of the plan (family_medicine, pediatrics, ...)
  # match_year: 2028            # the Match you aim for; default: the earliest that fits
  # step1_date: 2027-02-10      # your planned retake date, once you have chosen one
  # step2ck_date: null          # your planned Step 2 CK date

# Every USMLE attempt, oldest first (incomplete attempts count too).
attempts:
  - exam: step1                 # step1 | step2ck
    date: 2026-06-10            # the test day (YYYY-MM-DD)
    result: fail                # pass | fail | incomplete
    # The bands of your score report: lower | same | higher (leave out areas not shown).
    content_areas:
      disciplines: {pathology: lower, physiology: lower, pharmacology: same}
      systems: {cardiovascular: lower, respiratory_renal: same}
    # How the day went: blocks where time ran out, anxiety and fatigue (none | low | moderate
    # | high), and whether illness or another event got in the way.
    test_day:
      unfinished_blocks: 0
      anxiety: moderate
      fatigue: moderate
      illness_or_event: false

# Why you think it went wrong (optional; the tool also looks for causes in the data):
# weak_foundations, question_interpretation, memorization_without_reasoning,
# rushed_qbank_review, premature_exam, timing, test_anxiety_fatigue
causes: []

# Practice exams taken since (or keep them in a CSV and set scores_file below).
# epc 0-100, pass_probability 0-1 (or "92%"), score for UWSA, percent_correct for Free 120.
practice: []
#  - {date: 2026-09-01, form: CBSSA 29, epc: 62, pass_probability: 0.41}

# QBank use before the attempt.
# qbank: {name: UWorld, percent_complete: 100, percent_correct: 58, mode: tutor,
#          review_minutes_per_block: 20, passes: 1}

study:
  hours_per_week: 40            # hours you can study each week from now on
  # weeks_before_attempt: 6     # dedicated weeks before the failed attempt
  # anki_minutes_per_day: 90
  tutoring: false
  test_day_plan: false          # true once you have a written plan for breaks, pacing, food, sleep

# clerkships:
#   completed: [medicine, surgery]
#   remaining: [{name: pediatrics, ends: 2027-04-30}]
#   shelves: {medicine: 72}

# scores_file: nbme.csv         # a practice-score CSV, relative to this file
"""


def starter_profile(img: bool) -> str:
    """A commented starter profile (US MD, or an international graduate with ``img``)."""
    return _INTRO + (_STUDENT_IMG if img else _STUDENT_US) + _REST
