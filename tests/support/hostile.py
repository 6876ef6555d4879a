"""Values a hostile or broken sender could put in any field of a JSON message, for fuzz tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st


def hostile_json(likely: Sequence[str]) -> st.SearchStrategy[Any]:
    """Any JSON value: numbers past every bound, NaN and infinities, text with lone surrogates and
    control characters (send it with ``json.dumps(..., ensure_ascii=True)`` to keep the bytes valid),
    small lists and objects of those, and the ``likely`` texts that reach deeper checks."""
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**70), max_value=2**70)
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.text(st.characters(codec=None), max_size=12)
        | st.sampled_from(list(likely)),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
        max_leaves=8,
    )
