"""The SMS texts of every kind, in Bahasa Indonesia and English (``[notify] lang`` picks one), with amounts
written by ``central.messages.rupiah``. Pure: plain values in, text out.

Texts are kept short: one SMS is 160 characters, and a longer text costs one SMS per part (``drivers.sms``).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from central.messages import rupiah

MONTHS: Final = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

TEMPLATES: Final[dict[str, tuple[str, str]]] = {
    "wajib": (
        "{coop}: Yth. {name}, simpanan wajib {month} belum kami terima. Tunggakan wajib Anda {owed}. "
        "Mohon disetor. Terima kasih.",
        "{coop}: Dear {name}, your wajib savings for {month} have not been received. Wajib owed: {owed}. "
        "Please pay. Thank you.",
    ),
    "installment": (
        "{coop}: Yth. {name}, angsuran ke-{number} pinjaman {loan} sebesar {amount} jatuh tempo {due}.",
        "{coop}: Dear {name}, installment {number} of loan {loan}, {amount}, is due on {due}.",
    ),
    "arrears": (
        "{coop}: Yth. {name}, angsuran ke-{number} pinjaman {loan} yang jatuh tempo {due} belum dibayar: "
        "{amount}. Mohon segera dibayar.",
        "{coop}: Dear {name}, installment {number} of loan {loan}, due on {due}, is unpaid: {amount}. "
        "Please pay it soon.",
    ),
    "birthday": (
        "{coop}: Selamat ulang tahun, {name}! Semoga sehat, bahagia dan sukses selalu.",
        "{coop}: Happy birthday, {name}! Wishing you health, happiness and success.",
    ),
    "deposit": (
        "{coop}: Simpanan wajib {month} {amount} sudah diterima. Terima kasih, {name}.",
        "{coop}: Your wajib savings for {month}, {amount}, were received. Thank you, {name}.",
    ),
    "announce": ("{coop}: {text}", "{coop}: {text}"),
    "blood": (
        "{coop}: Dibutuhkan donor darah {needed} (golongan Anda {donor} cocok). {text} "
        "Hubungi kantor koperasi bila bersedia.",
        "{coop}: A blood donor is needed for type {needed} (your type {donor} is compatible). {text} "
        "Call the cooperative's office if you can help.",
    ),
}


def month_name(month: str, lang: str) -> str:
    """``2026-11`` as ``November 2026``."""
    year, number = month.split("-")
    return f"{MONTHS[lang][int(number) - 1]} {year}"


def day_text(day: date, lang: str) -> str:
    """A date as a member reads it: ``25 November 2026``."""
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def render(kind: str, lang: str, **values: object) -> str:
    """The text of ``kind`` in ``lang``; integers named ``*_rp`` are written as rupiah."""
    shown: dict[str, object] = {}
    for key, value in values.items():
        if key.endswith("_rp") and isinstance(value, int):
            shown[key[:-3]] = rupiah(value, lang)
        else:
            shown[key] = value
    template = TEMPLATES[kind][1 if lang == "en" else 0]
    return " ".join(template.format(**shown).split())
