"""The explanation of the failure: the draft, and the review of a written text (M711-M717)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from step1plan.analysis import assess_ready, make_context
from step1plan.models.common import CauseId
from step1plan.models.profile import Profile
from step1plan.models.report import (
    CauseResult,
    Confidence,
    Eligibility,
    Readiness,
    Verdict,
)
from step1plan.models.scores import PracticeScore
from step1plan.plans import Plan
from step1plan.rules import explanation
from step1plan.rules.base import Context
from step1plan.rules.explanation import check_explanation, draft_explanation
from step1plan.rules.mistakes import (
    blame_language,
    count_words,
    explanation_too_long,
    finding_sentence,
    no_change,
    no_evidence,
    no_ownership,
    over_explaining,
    placeholder_left,
    read_explanation,
    split_sentences,
)
from step1plan.rules.strategy import build_strategy
from step1plan.rules.timeline import build_timeline

D = dt.date
AS_OF = D(2027, 4, 1)
SEED_DIR = Path("/work/shared/seed")

# 6-word shingles of the seed article's passages on explaining a failure, Step 2 CK and what
# programs want, as 5-byte BLAKE2b digests of the lowercased words joined by spaces (the text
# itself is not copied into the project).
_SEED_DIGESTS = (
    "00e20e2f1f 010b8296e2 019d18eb12 01ef411bd3 0251dc16ef 0484eccf09 04c329dd48 050bac6ec4 "
    "069d970b55 06b9b45543 083c5b4ff6 09bf1ddf1b 0a03ae6555 0a61db5f05 0cfb12d5bd 0cfc26a2a9 "
    "0dc9c50bd4 0f4a309dc7 0f50299d66 100f18ff67 11df0bcf8a 13c4773b14 13d6fd48bf 14dd52a1b2 "
    "17249adda5 18816e7b91 19c4e99f92 1ae1485cd9 1dfbf94536 1e245f4fda 1e8a688f31 1f8bf41ee7 "
    "20ac275bf3 20e6510a44 2185310d19 2197756eb4 22a8db92fc 247329f261 24f790cb31 287442a139 "
    "2acf6bc1e4 2cf5b94a75 2d35364d1c 2dedc982c2 2e0fbbe463 2e8a274379 2fd42a05fa 330d4ad936 "
    "33a9a7e13b 34709aab69 358c0657d5 3671c9031e 38c26dda91 38c513c521 3935a1916a 3ac1aa42d7 "
    "3bdde6f757 3c40811fa0 3d498b8f02 3df686fac7 3ea1cebc43 409b12c3e9 40df4edaae 418835b416 "
    "42b46be1aa 430527ce2b 437e776aa0 43d659d865 49184a3e9d 4aa1dc8a02 4aa8d92d26 4e49753a1f "
    "4f9bbcdfa7 503dca2551 508ef5c6d5 5128746f18 51b0d4e188 52a52d605e 52d5a3f75a 5348a5e6f7 "
    "53a946e54f 53babc431b 5436fad4a5 54e476bed0 555db4de8f 561137d91c 56b88d7cce 5738d5bf1d "
    "58d9ba200f 59183faf0b 5bff9cf46d 5c6ff1a08c 5dbf181840 5dfe622bfc 60c39ee153 6177ebcc0c "
    "62a937cb50 62ddc163f7 63a8e7a883 6441d3d62b 6469bf9d32 646c76aa0f 6481e1f0a5 6509a3ca70 "
    "655f7bd526 6777d420e3 6798289763 69bb22302b 6af822e786 6d9f2c7c00 6ec878fa2c 6f64eecd96 "
    "7077b14b33 72c5762e64 72d71e97f1 73f844e2b6 749841123a 74f6f4f68a 7558667a58 7618b3add2 "
    "7654345fe0 77ca9963b8 78b7807a39 78cf97e3b5 792118c1b4 7957755770 7c5bab3326 7c65a276f1 "
    "7cda5137e2 7e622d08c4 7fa45b27c8 8105d3cb8a 82db0f3d94 83baa4a3ff 85e2b6e9b6 88a1dae7d4 "
    "88b3697041 8917db1ba1 89731faf3c 8993c9cd76 8aef5f393f 8c7a9ef5ca 8d41140c51 8db440d683 "
    "8ed552b12e 8efaba6af9 8fd5d98d2b 902e7ee9d8 904d8b0e29 908f68b73e 90eb53acc1 915173d823 "
    "9327d06e0f 95a0782390 979efc2e18 9b25a1be2a 9b642b5e3f 9e4ed41c95 9f1294cf18 9f29b606ac "
    "a05a2789b5 a2676528a4 a411cf2130 a43fd8b30f a4756d0f74 a6a4a693ec a8019eb944 a80cbb9aaa "
    "a84ddae5e6 a89b1b08d6 a93449eff8 a95e4c04ac ac0dc52990 ac105d5c41 ad1f52a498 ad78e3147e "
    "ada68d17e0 adb924c8e4 af2c5e1eec afecc9043c afefaf490d b02605bad9 b187596335 b51c412e15 "
    "b5e178de0b b60fde4697 b73810b276 b8e1fc2310 b9538f4ec3 b96a1b104a b9eadecb54 ba881e7d0e "
    "bcde8d5bb3 beba2da9a7 bedf1121b7 c09ae31db4 c11000d847 c2ce46f2cf c4b0b65d54 c5a3e5c15b "
    "c7015c10ec c73e8d7108 c74972dae2 c7d3d68848 c9957639f4 ca54911c0b cb3597048a cb3a47a9b9 "
    "cc0693318a ce8b5b5acc ceb53fed7c cfcb49610c d011483c91 d0ec0aa6a6 d14f14ac67 d2986bc21c "
    "d2e9be0dbf d30ef7503e d333182989 d39b31d388 d3a903897f d3b2a294c6 d4236aecb0 d4419c0770 "
    "d511797dd7 d51fa37a54 d5afff553c d618d740e7 d7c169ea99 d819f36f91 da60087cc6 db963d05f3 "
    "de1821b9a0 de55aef09d deaf0fdf09 dfa708b910 e04c1357bc e09c70bcd3 e1b2c6e650 e35bad19e8 "
    "e3990889b7 e60bf42c85 e7f1546c2a e812b195e0 e99e0ef2e4 e9b399ef01 e9e4cf3837 ea36e6b7f6 "
    "eb9a3b522c eba9451d04 ebe9b4147b ed2ede8f39 edaaa727a9 edd8360d42 ee12fcc5e8 ee511ad759 "
    "eec7125aff ef5b799815 f2c5b012eb f357c2f278 f371012d73 f37d56bf84 f6660191ab f69c941f30 "
    "f71092863c fb647f6299 fb928bf360 fcb7ee71de fdcef40a95 fdd794cb1e fed37bceae fed9a2f439 "
)
SEED_SHINGLES = frozenset(_SEED_DIGESTS.split())

DEFENSIVE = (
    "Honestly, my school did not give us any dedicated study time, and the curriculum was "
    "disorganized. On exam day the testing center was noisy and the computer crashed twice. "
    "The questions were tricky and nothing like the practice material. It was just bad luck "
    "and not my fault. It was the worst day of my life and I was devastated. My family was "
    "going through a hard time that year. The stress was overwhelming."
)
ACCOUNTABLE = (
    "I did not pass my first Step 1 attempt because I booked it before my practice scores "
    "showed I was ready. Since then I have rebuilt pathology and physiology, worked with a "
    "tutor and set a score bar to clear before testing. I passed the retake in March 2027 and "
    "scored 248 on Step 2 CK. I will bring the same discipline to residency."
)


def shingles(text: str, n: int = 6) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def digest(shingle: str) -> str:
    return hashlib.blake2b(shingle.encode(), digest_size=5).hexdigest()


def seed_overlap(text: str) -> set[str]:
    return {s for s in shingles(text) if digest(s) in SEED_SHINGLES}


def ctx_for(plan: Plan, **parts: Any) -> Context:
    data: dict[str, Any] = {
        "student": {"id": "x-1"},
        "attempts": [
            {
                "exam": "step1",
                "date": "2026-08-20",
                "result": "fail",
                "content_areas": {
                    "disciplines": {
                        "pathology": "lower",
                        "physiology": "lower",
                        "genetics": "lower",
                    }
                },
            }
        ],
    }
    data.update(parts)
    return make_context(plan, AS_OF, Profile.model_validate(data))


def cause(cid: CauseId, rank: int, supported: bool = True) -> CauseResult:
    return CauseResult(cid, rank, Confidence.medium, False, supported, 0.5, "")


CAUSES = (
    cause(CauseId.weak_foundations, 1),
    cause(CauseId.premature_exam, 2),
    cause(CauseId.timing, 3),
    cause(CauseId.rushed_qbank_review, 4),
)


def codes(text: str) -> list[str]:
    return [f.code for f in check_explanation(text)]


# ---------------------------------------------------------------- splitting


def test_sentences_and_words() -> None:
    text = "I met Dr. Lee. He said: keep going!\n\nNew paragraph without a stop\nNext line."
    assert split_sentences(text) == (
        "I met Dr. Lee.",
        "He said: keep going!",
        "New paragraph without a stop Next line.",
    )
    assert count_words("I didn't pass Step 2 CK.") == 6
    doc = read_explanation("It wasn\u2019t my fault.")
    assert doc.sentences == ("It wasn't my fault.",)


# ---------------------------------------------------------------- the two reference texts


def test_defensive_text_gets_every_kind_of_problem() -> None:
    found = check_explanation(DEFENSIVE)
    assert [f.code for f in found] == [
        "M712",
        "M712",
        "M712",
        "M712",
        "M713",
        "M714",
        "M715",
        "M716",
        "M716",
    ]
    blamed = [f.message for f in found if f.code == "M712"]
    assert blamed == [
        "Sentence 1 blames the school.",
        "Sentence 2 blames the test centre.",
        "Sentence 3 blames the exam's fairness.",
        "Sentence 4 uses excuse language ('bad luck').",
    ]
    assert finding_sentence(found[1]) == (
        "On exam day the testing center was noisy and the computer crashed twice."
    )
    assert finding_sentence(found[4]) is None  # a problem of the whole text


def test_accountable_text_is_clean() -> None:
    assert check_explanation(ACCOUNTABLE) == ()


# ---------------------------------------------------------------- one test pair per rule


def test_m711_triggers_over_the_word_limit(default_plan: Plan) -> None:
    long_text = ACCOUNTABLE + " " + " ".join(["I kept working every day."] * 20)
    found = explanation_too_long(read_explanation(long_text), default_plan.strategy)
    assert len(found) == 1 and f"has {count_words(long_text)} words" in found[0].message
    assert "120 or fewer" in found[0].message


def test_m711_quiet_under_the_word_limit(default_plan: Plan) -> None:
    assert explanation_too_long(read_explanation(ACCOUNTABLE), default_plan.strategy) == ()


@pytest.mark.parametrize(
    ("sentence", "target"),
    [
        ("The curriculum never taught us biochemistry properly.", "the school"),
        ("The proctor was rude and the room was cold.", "the test centre"),
        ("The exam was unfair and full of obscure questions.", "the exam's fairness"),
        ("Honestly, I was unlucky with my form.", "excuse language"),
        ("It was out of my control.", "excuse language"),
    ],
    ids=[
        "m712_triggers_school",
        "m712_triggers_centre",
        "m712_triggers_fairness",
        "m712_triggers_luck",
        "m712_triggers_control",
    ],
)
def test_blame_and_excuses(sentence: str, target: str) -> None:
    found = blame_language(read_explanation(sentence))
    assert len(found) == 1 and target in found[0].message
    assert finding_sentence(found[0]) == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "My school's learning specialist helped me build a schedule.",
        "I did not prepare for the exam the way it demanded.",
        "I took the test before I was ready, and I own that.",
    ],
    ids=["m712_quiet_school_support", "m712_quiet_own_negation", "m712_quiet_ownership"],
)
def test_no_blame(sentence: str) -> None:
    assert blame_language(read_explanation(sentence)) == ()


def test_m713_triggers_without_first_person_ownership() -> None:
    found = no_ownership(read_explanation("The result was a surprise. Things are better now."))
    assert len(found) == 1 and found[0].code == "M713"


def test_m713_quiet_with_ownership() -> None:
    assert no_ownership(read_explanation("I underestimated how much review I needed.")) == ()


def test_m714_triggers_without_what_changed() -> None:
    found = no_change(read_explanation("I failed Step 1. I passed the retake."))
    assert len(found) == 1 and found[0].code == "M714"


def test_m714_quiet_with_what_changed() -> None:
    assert no_change(read_explanation("I switched to timed blocks with a tutor.")) == ()


def test_m715_triggers_without_evidence() -> None:
    found = no_evidence(read_explanation("I failed Step 1. I changed how I study."))
    assert len(found) == 1 and found[0].code == "M715"


def test_m715_quiet_with_evidence() -> None:
    for text in (
        "I passed the retake.",
        "My NBME scores went from 58 to 72.",
        "I scored 251 on Step 2 CK.",
    ):
        assert no_evidence(read_explanation(text)) == (), text


def test_m717_triggers_on_a_bracketed_part_of_the_draft() -> None:
    text = "I did not pass. Since then I have [rebuilt pathology]. [Add your evidence here.]"
    found = placeholder_left(read_explanation(text))
    assert [finding_sentence(f) for f in found] == [
        "Since then I have [rebuilt pathology].",
        "[Add your evidence here.]",
    ]
    assert all(f.code == "M717" for f in found)
    assert "[rebuilt pathology]" in found[0].message


def test_m717_quiet_without_brackets() -> None:
    assert placeholder_left(read_explanation("I rebuilt pathology (and physiology).")) == ()


def test_m717_on_the_draft_until_the_brackets_are_filled(default_plan: Plan) -> None:
    """The draft of a student without practice data has brackets; check_explanation says so."""
    draft = draft_explanation(ctx_for(default_plan), (), None)
    assert "[" in draft
    assert "M717" in {f.code for f in check_explanation(draft)}


def test_m716_triggers_on_a_long_backstory(default_plan: Plan) -> None:
    text = (
        "I failed Step 1. My family situation was hard at the time. I was stressed and "
        "anxious on test day. I changed my approach and passed the retake."
    )
    found = over_explaining(read_explanation(text), default_plan.strategy)
    assert len(found) == 1
    assert finding_sentence(found[0]) == "I was stressed and anxious on test day."
    assert "sentence 3 about the failure" in found[0].message


def test_m716_triggers_on_emotional_words(default_plan: Plan) -> None:
    found = over_explaining(
        read_explanation("I was heartbroken when I failed."), default_plan.strategy
    )
    assert len(found) == 1 and "heartbroken" in found[0].message


def test_m716_quiet_with_a_short_background(default_plan: Plan) -> None:
    assert over_explaining(read_explanation(ACCOUNTABLE), default_plan.strategy) == ()


def test_limits_come_from_the_plan(default_plan: Plan) -> None:
    tight = default_plan.strategy.model_copy(update={"explanation_max_words": 30})
    assert [f.code for f in check_explanation(ACCOUNTABLE, limits=tight)] == ["M711"]


# ---------------------------------------------------------------- the draft


def test_draft_is_short_accountable_and_says_what_changed(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan, study={"tutoring": True})
    text = draft_explanation(ctx, CAUSES, None)
    assert count_words(text) <= default_plan.strategy.explanation_max_words
    assert text.startswith("I did not pass my first Step 1 attempt because I had gaps")
    # nothing on record shows the rebuilding yet; the tutor is in the profile
    assert "Since then I have [rebuilt pathology and physiology" in text
    assert f" {explanation.TUTOR}" in text
    found = check_explanation(text)
    assert "M714" not in [f.code for f in found]  # what changed is there
    assert "M713" not in [f.code for f in found]  # and ownership
    assert "[Add your evidence here" in text  # no result on record yet


def assert_clean_but_for_its_brackets(draft: str) -> None:
    """The draft's only problem is M717, for what it could not state from the data; once the
    writer keeps those parts (the brackets removed), the text passes every check."""
    assert {f.code for f in check_explanation(draft)} <= {"M717"}
    assert check_explanation(draft.replace("[", "").replace("]", "")) == ()


def test_draft_with_evidence_passes_its_own_check(default_plan: Plan) -> None:
    attempts = [
        {"exam": "step1", "date": "2026-08-20", "result": "fail"},
        {"exam": "step1", "date": "2026-12-02", "result": "pass"},
        {"exam": "step2ck", "date": "2027-03-01", "result": "pass", "score": 247},
    ]
    text = draft_explanation(ctx_for(default_plan, attempts=attempts), CAUSES, None)
    assert "I then passed Step 1 in December 2026 and passed Step 2 CK with a score of 247." in (
        text
    )
    assert_clean_but_for_its_brackets(text)
    assert count_words(text) <= 120


def test_draft_cites_a_rising_practice_trend(default_plan: Plan) -> None:
    # The trend is read from the practice scores (readiness, as explain passes it, only bounds
    # them by the as-of date): the draft says the same with and without it.
    days = [D(2027, 1, 1) + dt.timedelta(weeks=2 * i) for i in range(3)]
    practice = [
        {"date": day.isoformat(), "form": f"CBSSA {27 + i}", "epc": v}
        for i, (day, v) in enumerate(zip(days, (58, 63, 71), strict=True))
    ]
    ctx = ctx_for(default_plan, practice=practice)
    _, readiness = assess_ready(ctx)
    text = draft_explanation(ctx, CAUSES[:1], readiness)
    assert "risen from 58 to 71 (equated percent correct)" in text
    assert_clean_but_for_its_brackets(text)
    assert draft_explanation(ctx, CAUSES[:1], None) == text


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # (EPC before the 2026-08-20 failure, then after it)
        ((50, 70, 64), None),  # fell since the failure: the 50 from before must not count
        ((50, 60, 66), "risen from 60 to 66"),  # rose since the failure, from its first score
    ],
)
def test_draft_trend_counts_only_scores_after_the_failed_attempt(
    default_plan: Plan, values: tuple[int, int, int], expected: str | None
) -> None:
    days = (D(2026, 7, 1), D(2026, 10, 1), D(2026, 11, 1))
    practice = [
        {"date": day.isoformat(), "form": f"CBSSA {26 + i}", "epc": v}
        for i, (day, v) in enumerate(zip(days, values, strict=True))
    ]
    ctx = ctx_for(default_plan, practice=practice)
    _, readiness = assess_ready(ctx)  # as explain passes it
    text = draft_explanation(ctx, CAUSES[:1], readiness)
    if expected is None:
        assert "risen" not in text
    else:
        assert expected in text
    from_scores = draft_explanation(ctx, CAUSES[:1], None)
    assert ("risen" in from_scores) == (expected is not None)


def test_draft_trend_with_readiness_counts_only_scores_up_to_the_as_of_date(
    default_plan: Plan,
) -> None:
    """The readiness explain passes shows the scores up to the as-of date only. The loader
    refuses a later one, but a context built by hand may hold one: only the draft without
    readiness counts it."""
    scores = [
        PracticeScore(date=D(2027, 1, 1), form="CBSSA 27", epc=60),
        PracticeScore(date=D(2027, 2, 1), form="CBSSA 28", epc=64),
        PracticeScore(date=AS_OF + dt.timedelta(days=1), form="CBSSA 29", epc=70),
    ]
    ctx = make_context(default_plan, AS_OF, ctx_for(default_plan).profile, scores)
    _, readiness = assess_ready(ctx)
    assert "risen from 60 to 64" in draft_explanation(ctx, CAUSES[:1], readiness)
    assert "risen from 60 to 70" in draft_explanation(ctx, CAUSES[:1], None)


def test_draft_for_two_failures_without_causes(default_plan: Plan) -> None:
    attempts = [
        {"exam": "step1", "date": "2026-02-20", "result": "fail"},
        {"exam": "step1", "date": "2026-08-20", "result": "incomplete"},
    ]
    text = draft_explanation(ctx_for(default_plan, attempts=attempts), (), None)
    assert text.startswith(
        "I did not pass my first two Step 1 attempts because [name the main reason"
    )
    assert count_words(text) <= 120


def test_draft_fits_a_tighter_plan_limit(default_plan: Plan) -> None:
    plan = default_plan.model_copy(
        update={"strategy": default_plan.strategy.model_copy(update={"explanation_max_words": 70})}
    )
    text = draft_explanation(ctx_for(plan, study={"tutoring": True}), CAUSES, None)
    assert count_words(text) <= 70
    assert "Since then I have" in text


def test_draft_is_the_strategy_explanation(default_plan: Plan) -> None:
    ctx = ctx_for(default_plan)
    timeline = build_timeline(ctx, Eligibility(1, 3, AS_OF, False), Readiness(Verdict.not_ready))
    assert build_strategy(ctx, CAUSES, timeline).explanation == draft_explanation(ctx, CAUSES, None)


def _all_drafts(plan: Plan) -> list[str]:
    texts = []
    for cid in CauseId:
        texts.append(
            draft_explanation(ctx_for(plan, study={"tutoring": True}), (cause(cid, 1),), None)
        )
    texts.append(draft_explanation(ctx_for(plan), (), None))
    return texts


def test_drafts_contain_no_seed_passage(default_plan: Plan) -> None:
    for text in _all_drafts(default_plan):
        assert count_words(text) <= 120
        assert not seed_overlap(text), seed_overlap(text)


def test_the_seed_check_is_not_vacuous() -> None:
    # Digests of two 6-word runs written for this test: they must not be in the set, while
    # the set is large enough to cover the passages it was made from.
    assert len(SEED_SHINGLES) > 200
    assert not seed_overlap("one two three four five six seven")


def test_drafts_and_phrases_share_no_sentence_with_the_full_seed(default_plan: Plan) -> None:
    files = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []
    if not files:
        pytest.skip("the seed article is not available here")
    seed = shingles(" ".join(f.read_text(encoding="utf-8") for f in files))
    assert {digest(s) for s in seed} >= SEED_SHINGLES  # the digests do come from the seed
    img = ctx_for(
        default_plan,
        target={"specialty": "urology"},
        student={"id": "i", "graduate_type": "img", "visa_required": True, "graduation_year": 2015},
    )
    timeline = build_timeline(img, Eligibility(1, 3, AS_OF, False), Readiness(Verdict.not_ready))
    advice = build_strategy(img, CAUSES, timeline).advice
    findings = [*advice, *check_explanation(DEFENSIVE)]
    phrases = [
        *explanation.WENT_WRONG.values(),
        *explanation.CHANGED.values(),
        explanation.CLOSE,
        explanation.TUTOR,
        explanation.PLACEHOLDER,
        explanation.FALLBACK_WENT_WRONG,
        explanation.CHECKPOINTS,
        explanation.PLANNED_CHECKPOINTS,
        *_all_drafts(default_plan),
        *(f.message for f in findings),
        *(f.recommendation or "" for f in findings),
    ]
    for text in phrases:
        assert not (shingles(text) & seed), (text, shingles(text) & seed)


def test_changed_words_adds_up_the_fixes() -> None:
    clauses = [
        *explanation.CHANGED.values(),
        explanation.TUTOR,
        explanation._checkpoints(3, 0),
        explanation._checkpoints(2, 4),
        "rebuilt pathology and physiology from the underlying mechanisms",
        "[rebuilt pathology and physiology from the underlying mechanisms]",
        "a fix ending in it's",
        "x-ray",
    ]
    for n in range(1, 5):
        for start in range(len(clauses) - n + 1):
            fixes = clauses[start : start + n]
            counts = [count_words(f) for f in fixes]
            assert explanation._changed_words(counts) == count_words(explanation._changed(fixes))


# ---------------------------------------------------------------- only what happened since


FAILED = {"exam": "step1", "date": "2026-08-20", "result": "fail"}


@pytest.mark.parametrize(
    ("ck_date", "cited"),
    [("2026-03-10", False), ("2026-10-05", True)],
    ids=["ck_passed_before_the_failure", "ck_passed_after_it"],
)
def test_draft_cites_step2ck_only_when_passed_after_the_failure(
    default_plan: Plan, ck_date: str, cited: bool
) -> None:
    ck = {"exam": "step2ck", "date": ck_date, "result": "pass", "score": 241}
    attempts = sorted([ck, FAILED], key=lambda a: str(a["date"]))
    text = draft_explanation(ctx_for(default_plan, attempts=attempts), CAUSES[:1], None)
    assert ("I passed Step 2 CK with a score of 241." in text) is cited
    # before the failure: no new Step 2 CK score can come, so the placeholder does not ask one
    assert (explanation.PLACEHOLDER_AFTER_STEP2CK in text) is not cited
    assert explanation.PLACEHOLDER not in text


def test_draft_cites_a_step1_pass_after_the_last_failure(default_plan: Plan) -> None:
    # (A Step 1 attempt after a pass cannot be: the profile model refuses it, see test_models.)
    days = ("2025-06-02", "2025-12-01", "2026-08-20")
    attempts = [
        {"exam": "step1", "date": day, "result": result}
        for day, result in zip(days, ("fail", "fail", "pass"), strict=True)
    ]
    text = draft_explanation(ctx_for(default_plan, attempts=attempts), CAUSES[:1], None)
    assert "I then passed Step 1" in text


def test_unbacked_fix_is_a_bracketed_placeholder() -> None:
    assert explanation._unbacked("set a bar") == "[set a bar]"


def practice(day: str, form: str, **result: Any) -> dict[str, Any]:
    return {"date": day, "form": form, "epc": 64, **result}


@pytest.mark.parametrize(
    ("entries", "held"),
    [
        ([practice("2027-03-10", "CBSSA 29", unfinished_blocks=0)], True),
        (
            [
                practice("2026-10-01", "CBSSA 29", unfinished_blocks=2),  # long before: not recent
                practice("2027-03-20", "UWSA 2", score=230, unfinished_blocks=0),
            ],
            True,
        ),
        (
            [  # a recent one still unfinished: R309 fails, so no claim that pacing held
                practice("2027-03-10", "CBSSA 29", unfinished_blocks=2),
                practice("2027-03-20", "UWSA 2", score=230, unfinished_blocks=0),
            ],
            False,
        ),
        ([], False),
        ([practice("2027-03-10", "CBSSA 29")], False),  # nothing recorded
        ([practice("2027-03-10", "CBSSA 29", unfinished_blocks=1)], False),
        ([practice("2026-10-01", "CBSSA 29", unfinished_blocks=0)], False),  # not recent
        ([practice("2026-08-01", "CBSSA 28", unfinished_blocks=0)], False),  # before the fail
        ([practice("2027-03-10", "Kaplan 1", unfinished_blocks=0)], False),  # not full-length
    ],
    ids=[
        "finished_every_block",
        "finished_every_recent_block",
        "a_recent_block_unfinished",
        "no_practice",
        "not_recorded",
        "still_unfinished",
        "only_long_ago",
        "only_before_the_failure",
        "other_kind",
    ],
)
def test_pacing_held_backs_the_timing_fix(
    default_plan: Plan, entries: list[dict[str, Any]], held: bool
) -> None:
    ctx = ctx_for(default_plan, practice=entries)
    assert explanation._pacing_held(ctx, D(2026, 8, 20)) is held
    text = draft_explanation(ctx, (cause(CauseId.timing, 1),), None)
    timing = explanation.CHANGED[CauseId.timing]
    assert (f"Since then I have {timing}" in text) is held
    assert (f"[{timing}]" in text) is not held


def test_pacing_held_before_a_retake_long_past(default_plan: Plan) -> None:
    """Practice before a retake already passed is judged as of that retake, not as of today:
    it does not go stale once the student has passed."""
    attempts = [
        {"exam": "step1", "date": "2026-08-20", "result": "fail"},
        {"exam": "step1", "date": "2026-12-01", "result": "pass"},
    ]
    entries = [practice("2026-11-20", "CBSSA 29", unfinished_blocks=0)]  # 11 days before it
    ctx = ctx_for(default_plan, attempts=attempts, practice=entries)  # as of 2027-04-01
    assert explanation._pacing_held(ctx, D(2026, 8, 20))


@pytest.mark.parametrize(
    ("plan_written", "rehearsed", "backed"),
    [(True, True, True), (False, True, False), (True, False, False)],
    ids=["with_a_plan", "without_one", "never_rehearsed"],
)
def test_a_written_test_day_plan_backs_the_test_day_fix(
    default_plan: Plan, plan_written: bool, rehearsed: bool, backed: bool
) -> None:
    """The fix says the routine was built and rehearsed: a written plan and a full-length
    practice exam since the failure to rehearse it on."""
    entries = [practice("2027-03-10", "CBSSA 29")] if rehearsed else []
    ctx = ctx_for(default_plan, study={"test_day_plan": plan_written}, practice=entries)
    assert explanation._has_test_day_plan(ctx, D(2026, 8, 20)) is backed
    text = draft_explanation(ctx, (cause(CauseId.test_anxiety_fatigue, 1),), None)
    fix = explanation.CHANGED[CauseId.test_anxiety_fatigue]
    assert (f"Since then I have {fix}" in text) is backed


@pytest.mark.parametrize(
    ("entries", "clause"),
    [
        ([], "[checked my progress with an NBME practice exam every 2 weeks]"),
        (
            [practice("2026-08-01", "CBSSA 28"), practice("2026-10-01", "CBSSA 29")],
            "checked my progress with an NBME practice exam.",
        ),
        (
            [
                practice("2026-09-01", "CBSSA 29"),
                practice("2026-10-01", "CBSSA 28", seen_before=True),
                practice("2026-10-15", "Free 120", percent_correct=66),
                practice("2026-11-01", "CBSSA 30"),
            ],
            "checked my progress with two NBME practice exams.",
        ),
    ],
    ids=["none_since_the_failure", "one_since", "two_unseen_since"],
)
def test_draft_counts_the_nbme_exams_taken_since_the_failure(
    default_plan: Plan, entries: list[dict[str, Any]], clause: str
) -> None:
    text = draft_explanation(ctx_for(default_plan, practice=entries), (), None)
    assert f"Since then I have {clause}" in text


def test_draft_without_a_cause_leaves_the_reason_to_the_student(default_plan: Plan) -> None:
    text = draft_explanation(ctx_for(default_plan), (), None)
    assert text.startswith(
        f"I did not pass my first Step 1 attempt because {explanation.FALLBACK_WENT_WRONG}."
    )
    assert "studying" not in text


@pytest.mark.parametrize(
    ("results", "opening"),
    [
        (("incomplete",), "I did not complete my first Step 1 attempt because"),
        (("incomplete", "incomplete"), "I did not complete my first two Step 1 attempts"),
        (("fail", "incomplete"), "I did not pass my first two Step 1 attempts"),
        (("fail",), "I did not pass my first Step 1 attempt because"),
    ],
    ids=["one_incomplete", "two_incomplete", "fail_then_incomplete", "one_fail"],
)
def test_opening_says_complete_for_incomplete_attempts(
    default_plan: Plan, results: tuple[str, ...], opening: str
) -> None:
    days = ("2026-02-20", "2026-08-20")[-len(results) :]
    attempts = [
        {"exam": "step1", "date": day, "result": result}
        for day, result in zip(days, results, strict=True)
    ]
    text = draft_explanation(ctx_for(default_plan, attempts=attempts), CAUSES[:1], None)
    assert text.startswith(opening)
    assert "M713" not in codes(text)  # still owned in the first person


def test_history_reads_what_the_draft_tells_of_the_attempts_in_one_pass() -> None:
    areas = {"disciplines": {"pathology": "lower"}}
    profile = Profile.model_validate(
        {
            "student": {"id": "x-1"},
            "attempts": [
                {"exam": "step1", "date": "2025-06-01", "result": "incomplete"},
                {"exam": "step2ck", "date": "2025-09-01", "result": "fail"},
                {"exam": "step1", "date": "2026-02-20", "result": "fail", "content_areas": areas},
                {"exam": "step1", "date": "2026-08-20", "result": "incomplete"},
                {"exam": "step1", "date": "2026-12-02", "result": "pass"},
                {"exam": "step2ck", "date": "2027-03-01", "result": "pass", "score": 247},
            ],
        }
    )
    history = explanation._history(profile.attempts)
    assert (history.failed, history.missed) == (3, "pass")  # one of the three was a fail
    assert history.last_failed == D(2026, 8, 20)
    assert history.report is profile.attempts[2].content_areas  # the latest report given
    assert history.step1_passed == D(2026, 12, 2)
    assert history.step2ck_passed is profile.attempts[5]


@pytest.mark.parametrize(
    ("results", "failed", "missed"),
    [((), 0, "pass"), (("incomplete",), 1, "complete"), (("pass",), 0, "pass")],
    ids=["no_attempt", "incomplete_only", "passed_first"],
)
def test_history_without_a_failure_or_with_incomplete_attempts_only(
    results: tuple[str, ...], failed: int, missed: str
) -> None:
    attempts = [{"exam": "step1", "date": "2026-08-20", "result": r} for r in results]
    profile = Profile.model_validate({"student": {"id": "x-1"}, "attempts": attempts})
    history = explanation._history(profile.attempts)
    assert (history.failed, history.missed) == (failed, missed)
    assert history.last_failed == (D(2026, 8, 20) if failed else None)
    assert history.report is None and history.step2ck_passed is None
    assert history.step1_passed == (D(2026, 8, 20) if results == ("pass",) else None)
