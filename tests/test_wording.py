"""How the rules write numbers: one spelling of a value in every section of a report."""

from __future__ import annotations

import pytest

from step1plan.rules.wording import (
    and_list,
    num,
    num_short,
    pct,
    pct_short,
    plural,
    plural_head,
    weeks_text,
    words,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [(10.0, "10 weeks"), (5.571, "5.6 weeks"), (1.0, "1 week"), (0.96, "1 week"), (0, "0 weeks")],
)
def test_weeks_text(value: float, text: str) -> None:
    assert weeks_text(value) == text


@pytest.mark.parametrize(
    ("value", "text"), [(0.95, "95%"), (0.925, "92.5%"), (0.9, "90%"), (1.0, "100%")]
)
def test_pct_keeps_the_tenth_and_drops_the_space(value: float, text: str) -> None:
    assert pct(value) == text


def test_num_plural_and_words() -> None:
    assert (num(68.0), num(68.5), num(66.666)) == ("68", "68.5", "66.67")
    assert (plural(1, "CBSSA"), plural(2, "CBSSA")) == ("1 CBSSA", "2 CBSSAs")
    assert (words(0), words(3), words(11)) == ("no", "three", "11")


@pytest.mark.parametrize(
    ("value", "bar", "text"),
    [(0.8996, 0.9, "89.96%"), (0.8949, 0.9, "89.5%"), (0.9, 0.9, "90%"), (0.9004, 0.9, "90.04%")],
)
def test_pct_short_never_writes_a_short_value_as_the_bar(
    value: float, bar: float, text: str
) -> None:
    assert pct_short(value, bar) == text


@pytest.mark.parametrize(
    ("value", "bar", "text"), [(67.996, 68, "67.996"), (67.5, 68, "67.5"), (68.004, 68, "68.004")]
)
def test_num_short_never_writes_a_short_value_as_the_bar(
    value: float, bar: float, text: str
) -> None:
    assert num_short(value, bar) == text


def test_plural_head_puts_the_plural_on_the_first_word() -> None:
    assert plural_head(1, "letter from US physicians") == "1 letter from US physicians"
    assert plural_head(2, "letter from US physicians") == "2 letters from US physicians"
    assert plural_head(0, "month") == "0 months"


def test_a_value_between_two_edges_reads_as_neither() -> None:
    assert pct_short(0.5004, 0.9, 0.5) == "50.04%"  # just above the low-pass edge
    assert num_short(65.004, 70, 65) == "65.004"
    assert pct_short(0.7, 0.9, 0.5) == "70%"


def test_and_list() -> None:
    assert [and_list(x) for x in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == [
        "",
        "a",
        "a and b",
        "a, b and c",
    ]
