"""Language of user-facing text: Bahasa Indonesia by default, English with KOP_LANG=en or --lang en."""

from __future__ import annotations

import os
from typing import Final, Literal

Lang = Literal["id", "en"]
LANGS: Final = ("id", "en")
DEFAULT_LANG: Final[Lang] = "id"
ENV_LANG: Final = "KOP_LANG"


def current_lang(explicit: str | None = None) -> Lang:
    """The language to speak: ``explicit`` if given, else ``KOP_LANG``, else Indonesian."""
    value = (explicit or os.environ.get(ENV_LANG) or DEFAULT_LANG).strip().lower()
    return "en" if value.startswith("en") else "id"


def rupiah(amount_rp: int, lang: Lang) -> str:
    """An amount as people write it: ``Rp 1.500.000`` in Indonesian, ``Rp 1,500,000`` in English."""
    sign = "-" if amount_rp < 0 else ""
    grouped = f"{abs(amount_rp):,}"
    if lang == "id":
        grouped = grouped.replace(",", ".")
    return f"{sign}Rp {grouped}"


def pick(lang: Lang, id_text: str, en_text: str) -> str:
    """Choose between the Indonesian and English text of one message."""
    return en_text if lang == "en" else id_text
