"""Names and dates as the screens say them; every text here is a message id for the catalogs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final

from kiosk.errors import N_

Translate = Callable[[str], str]

UNIT_NAMES: Final = {
    "toko": N_("Shop"),
    "cafe": N_("Cafe"),
    "fotokopi": N_("Photocopy"),
    "kiostel": N_("Phone kiosk"),
    "simpan-pinjam": N_("Savings and loans"),
}
SAVINGS_NAMES: Final = {  # shown under the heading "Savings", so short
    "pokok": N_("Entry share"),
    "wajib": N_("Mandatory"),
    "sukarela": N_("Voluntary"),
    "berjangka": N_("Term deposit"),
    "smsk": N_("SMSK"),
    "shr": N_("Holiday (SHR)"),
}
POINT_SOURCES: Final = {
    **UNIT_NAMES,
    "smsk": N_("SMSK/SHR savings"),
    "shr": N_("SMSK/SHR savings"),
    "savings": N_("SMSK/SHR savings"),
    "berjangka": N_("Term deposit"),
    "loan": N_("Loan interest"),
    "pinjaman": N_("Loan interest"),
}
PAYMENT_NAMES: Final = {"cash": N_("Cash"), "credit": N_("Credit")}
KIND_NAMES: Final = {  # a member's recent transactions other than sales
    "savings_deposit": N_("Savings deposit"),
    "installment": N_("Loan installment"),
    "void": N_("Cancellation"),
    "dispute": N_("Your report (not mine)"),
}
MONTHS: Final = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)


def name_of(table: dict[str, str], code: str, t: Translate) -> str:
    """The translated name of ``code`` in ``table``, or the code itself when the table lacks it."""
    msgid = table.get(code)
    return t(msgid) if msgid else code


def when(iso: str | None, t: Translate, *, with_time: bool = True) -> str:
    """``2026-11-21T09:14:00+07:00`` as ``21 Nov 2026 09:14`` (month in the current language)."""
    if not iso:
        return "-"
    try:
        stamp = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    text = f"{stamp.day} {t(MONTHS[stamp.month - 1])} {stamp.year}"
    if with_time and "T" in iso:
        text += f" {stamp:%H:%M}"
    return text


def clock(iso: str | None) -> str:
    """Only the time of day, ``10:02``, or ``-``."""
    if not iso:
        return "-"
    try:
        return f"{datetime.fromisoformat(iso):%H:%M}"
    except ValueError:
        return "-"
