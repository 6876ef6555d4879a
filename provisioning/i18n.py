"""Language of user-facing text: Bahasa Indonesia by default, English with --lang en or KOP_LANG=en."""

from __future__ import annotations

import os
from typing import Final, Literal

Lang = Literal["id", "en"]
ENV_LANG: Final = "KOP_LANG"


def current_lang(explicit: str | None = None) -> Lang:
    """The language to speak: ``explicit`` if given, else ``KOP_LANG``, else Indonesian."""
    value = (explicit or os.environ.get(ENV_LANG) or "id").strip().lower()
    return "en" if value.startswith("en") else "id"


def pick(lang: str, id_text: str, en_text: str) -> str:
    """Choose between the Indonesian and English text of one message."""
    return en_text if lang == "en" else id_text
