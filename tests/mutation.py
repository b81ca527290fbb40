"""Byte-level mutation of real inputs, shared by the fuzz tests (hypothesis)."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st


def mutate(draw: st.DrawFn, seed: bytes, snippets: Sequence[bytes]) -> bytes:
    """The seed with a few deletions, duplications, insertions of risky snippets and byte
    changes."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            data.extend(draw(st.sampled_from(snippets)))
            continue
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "insert", "byte"]))
        if action == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        elif action == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 80)))
            data[at:at] = data[at:end]
        elif action == "insert":
            data[at:at] = draw(st.sampled_from(snippets))
        else:
            data[at] = draw(st.integers(0, 255))
    return bytes(data)
