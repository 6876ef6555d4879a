"""The general journal's rules, pure: what an entry's lines may be, which roles make and check entries, and
the posting purpose of each kind of entry. No database, no clock (``central.journal.store`` is the shell).

An entry is a day, a description, a unit and lines; each line an account of the chart, one side (debit or
credit) in whole rupiah above 0, and a memo. It balances (debits equal credits) or is refused, naming the
difference. One user drafts it (a role of ``MAKERS``); a different user, with a role of ``CHECKERS`` and
never one who drafted or edited it, approves or rejects it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from central.errors import Refusal
from sync import envelope as wire

MAKERS: Final = frozenset({"staf", "manajer", "bendahara"})
CHECKERS: Final = frozenset({"manajer", "bendahara", "ketua"})
# What an entry records, and the purpose of the journal envelope it posts (sync.envelope.JOURNAL_PURPOSES).
KINDS: Final[dict[str, str]] = {
    "expense": "expense",  # beban operasional: gaji, listrik, sewa, ATK, transport
    "income": "adjustment",  # pendapatan lain-lain
    "transfer": "adjustment",  # setor ke / tarik dari bank (kas <-> bank)
    "depreciation": "adjustment",  # penyusutan
    "adjustment": "adjustment",  # jurnal penyesuaian
}
STATES: Final = ("draft", "approved", "rejected")
SIDES: Final[dict[str, str]] = {"D": "debit", "K": "credit", "C": "credit"}  # K: kredit
MAX_LINES: Final = wire.MAX_LINES
MAX_MEMO: Final = wire.JOURNAL_MEMO_CHARS
MAX_DESCRIPTION: Final = 200
MIN_REASON: Final = 3
MAX_REASON: Final = 200
MAX_AMOUNT_DIGITS: Final = 13  # below ten trillion rupiah: no line of a cooperative is larger


class JournalError(Refusal):
    """A journal step that cannot be done; nothing changed. ``text(lang)`` gives the reason."""


@dataclass(frozen=True)
class Line:
    """One line of an entry: exactly one of ``debit_rp`` and ``credit_rp`` above 0."""

    account: str
    debit_rp: int
    credit_rp: int
    memo: str = ""


def _dots(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def parse_amount(text: str, where: str) -> int:
    """Whole rupiah written as digits (``350000``), or ``JournalError`` naming ``where``."""
    value = text.strip()
    if not value.isdigit() or not value.isascii() or len(value) > MAX_AMOUNT_DIGITS:
        raise JournalError(
            f"{where}: the amount {value!r} must be whole rupiah in digits, e.g. 350000",
            f"{where}: jumlah {value!r} harus rupiah bulat berupa angka, misalnya 350000",
        )
    return int(value)


def make_line(account: str, side: str, amount_text: str, memo: str, where: str) -> Line:
    """A line from its parts as typed (side ``D`` or ``K``/``C``), or ``JournalError`` naming ``where``."""
    code = account.strip()
    if not code:
        raise JournalError(f"{where}: no account", f"{where}: akun belum diisi")
    which = SIDES.get(side.strip().upper())
    if which is None:
        raise JournalError(
            f"{where}: the side {side!r} must be D (debit) or K (credit)",
            f"{where}: sisi {side!r} harus D (debit) atau K (kredit)",
        )
    amount = parse_amount(amount_text, where)
    text = memo.strip()
    if len(text) > MAX_MEMO:
        raise JournalError(
            f"{where}: the memo is longer than {MAX_MEMO} characters",
            f"{where}: keterangan baris lebih dari {MAX_MEMO} karakter",
        )
    return Line(code, amount, 0, text) if which == "debit" else Line(code, 0, amount, text)


def parse_line(text: str, where: str = "line") -> Line:
    """``ACCOUNT:D|K:AMOUNT[:MEMO]`` as a line, e.g. ``5702:D:350000:listrik Maret``."""
    parts = text.split(":", 3)
    if len(parts) < 3:
        raise JournalError(
            f"{where} {text!r} must be ACCOUNT:D|K:AMOUNT[:MEMO], e.g. 5702:D:350000:listrik",
            f"{where} {text!r} harus AKUN:D|K:JUMLAH[:KETERANGAN], misalnya 5702:D:350000:listrik",
        )
    return make_line(parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else "", where)


def checked_lines(lines: Iterable[Line], known: Callable[[str], str | None]) -> tuple[Line, ...]:
    """``lines`` when they make a journal entry: 2 to ``MAX_LINES`` lines, each on an account ``known``
    names (it gives the account's name or None), one side above 0, debits equal to credits. Otherwise
    ``JournalError`` naming the unknown account or the difference."""
    kept = tuple(lines)
    for number, line in enumerate(kept, start=1):
        if known(line.account) is None:
            raise JournalError(
                f"line {number}: account {line.account!r} is not in the chart of accounts",
                f"baris {number}: akun {line.account!r} tidak ada di bagan akun",
            )
        if line.debit_rp < 0 or line.credit_rp < 0 or (line.debit_rp > 0) == (line.credit_rp > 0):
            raise JournalError(
                f"line {number}: exactly one side (debit or credit) above 0",
                f"baris {number}: tepat satu sisi (debit atau kredit) di atas 0",
            )
    if len(kept) < 2 or len(kept) > MAX_LINES:
        raise JournalError(
            f"an entry needs 2 to {MAX_LINES} lines (a debit and a credit at least); it has {len(kept)}",
            f"jurnal perlu 2 sampai {MAX_LINES} baris (minimal satu debit dan satu kredit); ada {len(kept)}",
        )
    debits = sum(x.debit_rp for x in kept)
    credits = sum(x.credit_rp for x in kept)
    if debits != credits:
        more, side_en, side_id = (
            (debits - credits, "debits", "debit")
            if debits > credits
            else (credits - debits, "credits", "kredit")
        )
        raise JournalError(
            f"the entry does not balance: debits Rp {debits:,} and credits Rp {credits:,}; "
            f"the {side_en} are Rp {more:,} more",
            f"jurnal tidak seimbang: debit Rp {_dots(debits)} dan kredit Rp {_dots(credits)}; "
            f"{side_id} lebih Rp {_dots(more)}",
        )
    return kept


def description_ok(text: str) -> str:
    """The description stripped, or ``JournalError`` when empty or too long."""
    value = " ".join(text.split())
    if not value or len(value) > MAX_DESCRIPTION:
        raise JournalError(
            f"the description is required, at most {MAX_DESCRIPTION} characters",
            f"keterangan wajib diisi, paling banyak {MAX_DESCRIPTION} karakter",
        )
    return value


def kind_ok(kind: str) -> str:
    """``kind`` when it is one of ``KINDS``."""
    if kind not in KINDS:
        known = ", ".join(KINDS)
        raise JournalError(
            f"the kind {kind!r} is not one of {known}", f"jenis {kind!r} bukan salah satu dari {known}"
        )
    return kind


def may_make(role: str) -> None:
    """``JournalError`` unless ``role`` may draft or edit entries."""
    if role not in MAKERS:
        roles = ", ".join(sorted(MAKERS))
        raise JournalError(
            f"only {roles} may draft journal entries, not {role}",
            f"hanya {roles} yang boleh membuat draf jurnal, bukan {role}",
        )


def may_check(role: str, checker: str, makers: Iterable[str]) -> None:
    """``JournalError`` unless ``checker`` (with ``role``) may decide an entry drafted or edited by
    ``makers``: a role of ``CHECKERS``, and never one of the makers themself."""
    if role not in CHECKERS:
        roles = ", ".join(sorted(CHECKERS))
        raise JournalError(
            f"only {roles} may approve or reject journal entries, not {role}",
            f"hanya {roles} yang boleh menyetujui atau menolak jurnal, bukan {role}",
        )
    if checker.strip().casefold() in {m.strip().casefold() for m in makers}:
        raise JournalError(
            f"{checker} drafted or edited this entry; another user must approve or reject it",
            f"{checker} membuat atau mengubah jurnal ini; pengguna lain yang menyetujui atau menolaknya",
        )


def reason_ok(text: str) -> str:
    """A rejection's reason, stripped, or ``JournalError``."""
    value = " ".join(text.split())
    if len(value) < MIN_REASON or len(value) > MAX_REASON:
        raise JournalError(
            f"a rejection needs a reason of {MIN_REASON} to {MAX_REASON} characters",
            f"penolakan perlu alasan {MIN_REASON} sampai {MAX_REASON} karakter",
        )
    return value
