"""Languages of the kiosk: gettext catalogs in ``kiosk/locale/<lang>/LC_MESSAGES/kiosk.po``.

Message ids are English. Indonesian (``id``) is the default; English (``en``) is available through
``--lang en`` or ``KOP_LANG=en``. The ``.po`` sources are compiled to ``.mo`` by ``compile_po``
(a small msgfmt: build time via ``python -m kiosk compile-catalogs``, or in memory when no fresh
``.mo`` sits beside the ``.po``), then read with the standard ``gettext`` module.
"""

from __future__ import annotations

import ast
import gettext
import io
import os
import struct
from pathlib import Path
from typing import Final

LANGUAGES: Final = ("id", "en")
DEFAULT_LANG: Final = "id"
DOMAIN: Final = "kiosk"
LOCALE_DIR: Final = Path(__file__).parent / "locale"
MAX_PO_BYTES: Final = 1_000_000


class CatalogError(ValueError):
    """A ``.po`` file this compiler cannot read; the message names the line."""


def parse_po(text: str) -> dict[str, str]:
    """The ``msgid -> msgstr`` pairs of a ``.po`` file (no plurals or contexts; fuzzy entries skipped)."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None
    fuzzy = False
    pending_fuzzy = False

    def flush() -> None:
        if msgid is not None and msgstr is not None and not fuzzy:
            entries["".join(msgid)] = "".join(msgstr)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                pending_fuzzy = True
            continue
        if line.startswith("msgid "):
            flush()
            msgid, msgstr, fuzzy, pending_fuzzy = [], None, pending_fuzzy, False
            current = msgid
            line = line[len("msgid ") :]
        elif line.startswith("msgstr "):
            if msgid is None:
                raise CatalogError(f"line {number}: msgstr without msgid")
            msgstr = []
            current = msgstr
            line = line[len("msgstr ") :]
        elif line.startswith(("msgid_plural", "msgstr[", "msgctxt")):
            raise CatalogError(f"line {number}: plural forms and contexts are not used in this catalog")
        if current is None or not (line.startswith('"') and line.endswith('"')):
            raise CatalogError(f"line {number}: expected a quoted string, got {raw!r}")
        try:
            current.append(ast.literal_eval(line))
        except (ValueError, SyntaxError) as err:
            raise CatalogError(f"line {number}: bad string {raw!r}") from err
    flush()
    return entries


def compile_po(text: str) -> bytes:
    """The GNU ``.mo`` bytes of a ``.po`` text (untranslated entries are left out, as msgfmt does)."""
    entries = {k: v for k, v in parse_po(text).items() if v or k == ""}
    keys = sorted(entries)
    ids = [k.encode("utf-8") for k in keys]
    strs = [entries[k].encode("utf-8") for k in keys]
    count = len(keys)
    header_size = 7 * 4
    ids_table = header_size
    strs_table = ids_table + count * 8
    data_start = strs_table + count * 8
    offsets: list[tuple[int, int]] = []
    data = b""
    for blob in ids:
        offsets.append((len(blob), data_start + len(data)))
        data += blob + b"\0"
    str_offsets: list[tuple[int, int]] = []
    for blob in strs:
        str_offsets.append((len(blob), data_start + len(data)))
        data += blob + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, ids_table, strs_table, 0, 0)
    out += b"".join(struct.pack("<2I", length, offset) for length, offset in offsets)
    out += b"".join(struct.pack("<2I", length, offset) for length, offset in str_offsets)
    return out + data


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalogs() -> list[Path]:
    """Write ``kiosk.mo`` beside each ``kiosk.po`` (the build step); returns the files written."""
    written = []
    for lang in LANGUAGES:
        source = po_path(lang)
        target = source.with_suffix(".mo")
        target.write_bytes(compile_po(source.read_text(encoding="utf-8")))
        written.append(target)
    return written


def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of ``lang`` (an unknown language falls back to the message ids, i.e. English)."""
    if lang not in LANGUAGES:
        return gettext.NullTranslations()
    source = po_path(lang)
    compiled = source.with_suffix(".mo")
    if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
        with compiled.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if source.stat().st_size > MAX_PO_BYTES:
        raise CatalogError(f"{source.name} is larger than {MAX_PO_BYTES} bytes")
    return gettext.GNUTranslations(io.BytesIO(compile_po(source.read_text(encoding="utf-8"))))


def resolve_lang(requested: str | None = None) -> str:
    """The language to use: ``requested``, else ``KOP_LANG``, else Indonesian."""
    for candidate in (requested, os.environ.get("KOP_LANG")):
        if candidate:
            code = candidate.strip().lower()[:2]
            if code in LANGUAGES:
                return code
    return DEFAULT_LANG


class Translator:
    """The current language and its catalog; ``tr(msgid)`` translates, ``switch`` changes language."""

    def __init__(self, lang: str = DEFAULT_LANG) -> None:
        self.lang = lang
        self._catalogs: dict[str, gettext.NullTranslations] = {}
        self._current = self._load(lang)

    def _load(self, lang: str) -> gettext.NullTranslations:
        if lang not in self._catalogs:
            self._catalogs[lang] = translations(lang)
        return self._catalogs[lang]

    def switch(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self._current = self._load(lang)

    def tr(self, msgid: str) -> str:
        return self._current.gettext(msgid)

    def __call__(self, msgid: str) -> str:
        return self.tr(msgid)


TRANSLATING_CALLS: Final = frozenset({"N_", "t", "tr", "_"})


def extract_messages(package_dir: Path | None = None) -> list[str]:
    """Every message id the kiosk's code passes to ``t``/``tr``/``N_`` (literal strings), in file order."""
    root = package_dir or Path(__file__).parent
    seen: dict[str, None] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            first = node.args[0]
            if name in TRANSLATING_CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                seen.setdefault(first.value, None)
    return list(seen)
