"""Text from the input made safe for Markdown output (headings and table cells)."""

from __future__ import annotations

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"} | {"\n": " ", "\r": " "})


def md_escape(text: str) -> str:
    """Text shown as written in Markdown: no markup, no HTML, no table column breaks, one line.

    Names and other free text from a profile go through it wherever a Markdown report shows
    them (a name such as ``A | **B** <b>x</b>`` must not become markup or a link)."""
    return text.translate(_MD_SPECIAL)
