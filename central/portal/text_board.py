"""The texts of the portal's board pages, in Bahasa Indonesia and English (merged into ``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {}
