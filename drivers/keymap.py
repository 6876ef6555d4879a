"""Keyboard layouts as data: which character a key gives, plain, with Shift and with AltGr.

Keys are Linux input key codes (``linux/input-event-codes.h``, a stable kernel ABI), written out here
so the pure decoder needs no hardware library. A barcode scanner in keyboard mode sends the key
*positions* that type its text on the layout it was configured for; decoding with the same layout
gives the text back. Indonesian shops use ``us``; ``de`` (QWERTZ) and ``fr`` (AZERTY) are here because
scanners arrive misconfigured, and a misconfigured scanner is diagnosed by decoding with another table.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final, NamedTuple

from drivers.errors import UnknownLayout

# Event types and codes used by the decoder.
EV_SYN: Final = 0x00
EV_KEY: Final = 0x01
EV_MSC: Final = 0x04
SYN_REPORT: Final = 0
SYN_DROPPED: Final = 3
MSC_SCAN: Final = 4
KEY_UP: Final = 0
KEY_DOWN: Final = 1
KEY_REPEAT: Final = 2

KEY: Final[dict[str, int]] = {
    "ESC": 1,
    "1": 2,
    "2": 3,
    "3": 4,
    "4": 5,
    "5": 6,
    "6": 7,
    "7": 8,
    "8": 9,
    "9": 10,
    "0": 11,
    "MINUS": 12,
    "EQUAL": 13,
    "BACKSPACE": 14,
    "TAB": 15,
    "Q": 16,
    "W": 17,
    "E": 18,
    "R": 19,
    "T": 20,
    "Y": 21,
    "U": 22,
    "I": 23,
    "O": 24,
    "P": 25,
    "LEFTBRACE": 26,
    "RIGHTBRACE": 27,
    "ENTER": 28,
    "LEFTCTRL": 29,
    "A": 30,
    "S": 31,
    "D": 32,
    "F": 33,
    "G": 34,
    "H": 35,
    "J": 36,
    "K": 37,
    "L": 38,
    "SEMICOLON": 39,
    "APOSTROPHE": 40,
    "GRAVE": 41,
    "LEFTSHIFT": 42,
    "BACKSLASH": 43,
    "Z": 44,
    "X": 45,
    "C": 46,
    "V": 47,
    "B": 48,
    "N": 49,
    "M": 50,
    "COMMA": 51,
    "DOT": 52,
    "SLASH": 53,
    "RIGHTSHIFT": 54,
    "KPASTERISK": 55,
    "LEFTALT": 56,
    "SPACE": 57,
    "CAPSLOCK": 58,
    "KP7": 71,
    "KP8": 72,
    "KP9": 73,
    "KPMINUS": 74,
    "KP4": 75,
    "KP5": 76,
    "KP6": 77,
    "KPPLUS": 78,
    "KP1": 79,
    "KP2": 80,
    "KP3": 81,
    "KP0": 82,
    "KPDOT": 83,
    "102ND": 86,
    "KPENTER": 96,
    "RIGHTCTRL": 97,
    "KPSLASH": 98,
    "RIGHTALT": 100,
}
SHIFT_KEYS: Final = frozenset({KEY["LEFTSHIFT"], KEY["RIGHTSHIFT"]})
ALTGR_KEYS: Final = frozenset({KEY["RIGHTALT"]})
CTRL_KEYS: Final = frozenset({KEY["LEFTCTRL"], KEY["RIGHTCTRL"]})
CAPSLOCK_KEY: Final = KEY["CAPSLOCK"]
ENTER_KEYS: Final = frozenset({KEY["ENTER"], KEY["KPENTER"]})
TAB_KEY: Final = KEY["TAB"]


class Keys(NamedTuple):
    """What one key types: plain, with Shift, with AltGr ("" when it types nothing printable)."""

    plain: str
    shift: str
    altgr: str = ""


Layout = MappingProxyType[int, Keys]

_LETTERS: Final = "QWERTYUIOPASDFGHJKLZXCVBNM"
_KEYPAD: Final = {
    "KP0": "0",
    "KP1": "1",
    "KP2": "2",
    "KP3": "3",
    "KP4": "4",
    "KP5": "5",
    "KP6": "6",
    "KP7": "7",
    "KP8": "8",
    "KP9": "9",
    "KPDOT": ".",
    "KPMINUS": "-",
    "KPPLUS": "+",
    "KPASTERISK": "*",
    "KPSLASH": "/",
}


def _table(rows: dict[str, tuple[str, ...]], letters: dict[str, str]) -> Layout:
    """Build a layout from named keys; ``letters`` maps a key to the letter printed on it."""
    table: dict[int, Keys] = {}
    for name in _LETTERS:
        letter = letters.get(name, name.lower())
        table[KEY[name]] = Keys(letter, letter.upper())
    for name, char in _KEYPAD.items():
        table[KEY[name]] = Keys(char, char)
    table[KEY["SPACE"]] = Keys(" ", " ")
    for name, chars in rows.items():
        table[KEY[name]] = Keys(*chars)
    return MappingProxyType(table)


US: Final = _table(
    {
        "1": ("1", "!"),
        "2": ("2", "@"),
        "3": ("3", "#"),
        "4": ("4", "$"),
        "5": ("5", "%"),
        "6": ("6", "^"),
        "7": ("7", "&"),
        "8": ("8", "*"),
        "9": ("9", "("),
        "0": ("0", ")"),
        "MINUS": ("-", "_"),
        "EQUAL": ("=", "+"),
        "LEFTBRACE": ("[", "{"),
        "RIGHTBRACE": ("]", "}"),
        "SEMICOLON": (";", ":"),
        "APOSTROPHE": ("'", '"'),
        "GRAVE": ("`", "~"),
        "BACKSLASH": ("\\", "|"),
        "COMMA": (",", "<"),
        "DOT": (".", ">"),
        "SLASH": ("/", "?"),
        "102ND": ("\\", "|"),
    },
    {},
)

# German QWERTZ (Linux "de"): Y and Z swapped, umlauts, symbols on other keys, AltGr for @ { [ ] } \ | ~.
# Dead keys (acute, grave, circumflex) type nothing on their own.
DE: Final = _table(
    {
        "1": ("1", "!"),
        "2": ("2", '"', "²"),
        "3": ("3", "§", "³"),
        "4": ("4", "$"),
        "5": ("5", "%"),
        "6": ("6", "&"),
        "7": ("7", "/", "{"),
        "8": ("8", "(", "["),
        "9": ("9", ")", "]"),
        "0": ("0", "=", "}"),
        "MINUS": ("ß", "?", "\\"),
        "EQUAL": ("", ""),
        "Q": ("q", "Q", "@"),
        "E": ("e", "E", "€"),
        "LEFTBRACE": ("ü", "Ü"),
        "RIGHTBRACE": ("+", "*", "~"),
        "SEMICOLON": ("ö", "Ö"),
        "APOSTROPHE": ("ä", "Ä"),
        "GRAVE": ("", "°"),
        "BACKSLASH": ("#", "'"),
        "COMMA": (",", ";"),
        "DOT": (".", ":"),
        "SLASH": ("-", "_"),
        "102ND": ("<", ">", "|"),
    },
    {"Y": "z", "Z": "y"},
)

# French AZERTY (Linux "fr"): digits need Shift; A/Q and Z/W swapped, M beside L.
FR: Final = _table(
    {
        "1": ("&", "1"),
        "2": ("é", "2", "~"),
        "3": ('"', "3", "#"),
        "4": ("'", "4", "{"),
        "5": ("(", "5", "["),
        "6": ("-", "6", "|"),
        "7": ("è", "7", "`"),
        "8": ("_", "8", "\\"),
        "9": ("ç", "9", "^"),
        "0": ("à", "0", "@"),
        "MINUS": (")", "°", "]"),
        "EQUAL": ("=", "+", "}"),
        "E": ("e", "E", "€"),
        "LEFTBRACE": ("", ""),
        "RIGHTBRACE": ("$", "£"),
        "SEMICOLON": ("m", "M"),
        "APOSTROPHE": ("ù", "%"),
        "GRAVE": ("²", ""),
        "BACKSLASH": ("*", "µ"),
        "M": (",", "?"),
        "COMMA": (";", "."),
        "DOT": (":", "/"),
        "SLASH": ("!", "§"),
        "102ND": ("<", ">"),
    },
    {"Q": "a", "W": "z", "A": "q", "Z": "w"},
)

LAYOUTS: Final[dict[str, Layout]] = {"us": US, "de": DE, "fr": FR}


def layout(name: str) -> Layout:
    """The table called ``name`` (``us``, ``de``, ``fr``)."""
    try:
        return LAYOUTS[name.lower()]
    except KeyError:
        known = ", ".join(sorted(LAYOUTS))
        raise UnknownLayout(
            f"keyboard layout {name!r} is unknown; choose one of {known}",
            f"tata letak keyboard {name!r} tidak dikenal; pilih salah satu dari {known}",
        ) from None


def keys_for_text(text: str, table: Layout) -> list[tuple[int, bool, bool]]:
    """How a scanner types ``text`` on ``table``: (key code, shift, altgr) per character.

    The inverse of decoding, used by tests, the benchmark and technicians to make recordings.
    Raises ``KeyError`` for a character the layout cannot type.
    """
    keypad = {KEY[name] for name in _KEYPAD}
    reverse: dict[str, tuple[int, bool, bool]] = {}
    for code, keys in sorted(table.items()):
        if code in keypad:
            continue
        typed = ((keys.plain, False, False), (keys.shift, True, False), (keys.altgr, False, True))
        for char, shift, altgr in typed:
            if char and char not in reverse:
                reverse[char] = (code, shift, altgr)
    return [reverse[char] for char in text]
