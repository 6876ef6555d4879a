"""The texts of the portal's member pages, in Bahasa Indonesia and English (merged into ``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {}
