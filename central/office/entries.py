"""The bodies of the office's envelopes, one builder per kind, and the envelope around them. Pure: no
database, no clock, no key (``record`` adds those).

A body holds what a kind says (``unit``, ``kind``, ``member``, ``payment``, ``lines``, ``total`` and the
kind's own fields); ``envelope`` puts the chain fields around it and ``checked`` runs ``sync.envelope``'s
checks, so an entry the office would sign badly is refused before it is signed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, NamedTuple

from central.config import SAVINGS_LOAN_UNIT
from central.office.errors import EntryInvalid
from sync import envelope as wire

# The units an entry belongs to when the command does not name one.
STORE_UNIT: Final = "toko"  # store credit is the shop's (credit_payment)
DEFAULT_UNITS: Final[dict[str, str]] = {
    "savings_deposit": SAVINGS_LOAN_UNIT,
    "savings_withdrawal": SAVINGS_LOAN_UNIT,
    "loan_disbursement": SAVINGS_LOAN_UNIT,
    "installment": SAVINGS_LOAN_UNIT,
    "credit_payment": STORE_UNIT,
    "supplier_payment": STORE_UNIT,
    "opening": SAVINGS_LOAN_UNIT,
}


class EntryLine(NamedTuple):
    """One line of an adjusting entry (``journal``): exactly one of ``debit_rp`` and ``credit_rp`` above 0."""

    account: str
    debit_rp: int
    credit_rp: int
    memo: str = ""


def dr(account: str, amount_rp: int, memo: str = "") -> EntryLine:
    """A debit line of a journal."""
    return EntryLine(account, amount_rp, 0, memo)


def cr(account: str, amount_rp: int, memo: str = "") -> EntryLine:
    """A credit line of a journal."""
    return EntryLine(account, 0, amount_rp, memo)


class PurchaseLine(NamedTuple):
    """One line of a stock purchase: sku, quantity (int or decimal text) and purchase price per unit."""

    sku: str
    qty: int | str
    price_rp: int


def _body(kind: str, unit: str, member: str | None, total: int, **extra: Any) -> dict[str, Any]:
    return {
        "unit": unit,
        "kind": kind,
        "member": member,
        "payment": "cash",
        "lines": [],
        "total": total,
        **extra,
    }


def savings_deposit(
    member: str, product: str, amount_rp: int, unit: str = SAVINGS_LOAN_UNIT
) -> dict[str, Any]:
    """A member pays into a savings product (setoran simpanan)."""
    return _body("savings_deposit", unit, member, amount_rp, product=product)


def savings_withdrawal(
    member: str, product: str, amount_rp: int, unit: str = SAVINGS_LOAN_UNIT
) -> dict[str, Any]:
    """A member takes money out of a savings product (penarikan simpanan)."""
    return _body("savings_withdrawal", unit, member, amount_rp, product=product)


def loan_disbursement(
    member: str, loan: str, amount_rp: int, unit: str = SAVINGS_LOAN_UNIT
) -> dict[str, Any]:
    """The treasurer pays out a loan (pencairan pinjaman)."""
    return _body("loan_disbursement", unit, member, amount_rp, loan=loan)


def installment(
    member: str, loan: str, principal_rp: int, interest_rp: int, unit: str = SAVINGS_LOAN_UNIT
) -> dict[str, Any]:
    """A member pays an installment (angsuran): principal and interest (jasa)."""
    return _body(
        "installment",
        unit,
        member,
        principal_rp + interest_rp,
        loan=loan,
        principal_rp=principal_rp,
        interest_rp=interest_rp,
    )


def credit_payment(member: str, amount_rp: int, unit: str = STORE_UNIT) -> dict[str, Any]:
    """A member repays store credit (e.g. what payroll deducted)."""
    return _body("credit_payment", unit, member, amount_rp)


def supplier_payment(supplier: str, amount_rp: int, unit: str = STORE_UNIT) -> dict[str, Any]:
    """The office pays a supplier what credit purchases left owing."""
    return _body("supplier_payment", unit, None, amount_rp, supplier=supplier)


def purchase(
    unit: str, lines: Sequence[PurchaseLine], *, payment: str = "cash", supplier: str | None = None
) -> dict[str, Any]:
    """Stock bought into a unit (pembelian persediaan), paid cash or owed to the supplier."""
    wire_lines = [{"sku": x.sku, "qty": x.qty, "price_rp": x.price_rp, "cost_rp": x.price_rp} for x in lines]
    total = 0
    for line in wire_lines:
        try:
            total += wire.line_amount_rp(line)
        except wire.EnvelopeError as err:
            raise EntryInvalid(f"sku {line['sku']}: {err}") from err
    body = {
        "unit": unit,
        "kind": "purchase",
        "member": None,
        "payment": payment,
        "lines": wire_lines,
        "total": total,
    }
    if supplier:
        body["supplier"] = supplier
    return body


def journal(
    purpose: str,
    lines: Iterable[EntryLine],
    *,
    unit: str,
    member: str | None = None,
    loan: str | None = None,
) -> dict[str, Any]:
    """An adjusting entry of the office (jurnal penyesuaian): ``lines`` as given on their accounts, for a
    ``purpose`` of ``sync.envelope.JOURNAL_PURPOSES``, in ``unit``; ``member`` and ``loan`` name what it
    concerns (a line on a member's savings, store-credit or loans account needs the member, one on the
    loans account the loan too).

    Lines with both amounts 0 are left out; an empty memo takes the purpose's own
    (``central.ledger.posting.JOURNAL_MEMOS``). ``EntryInvalid`` when the purpose is unknown, a line is
    negative or two-sided, or debits and credits differ. Examples::

        journal("expense", [dr("5702", 350_000, "listrik Maret"), cr("1101", 350_000)], unit="toko")
        journal("shrinkage", [dr("5103", 42_000), cr("1301", 42_000)], unit="toko")
        journal("accrual", [dr("5503", 125_000), cr("2105", 125_000)], unit="simpan-pinjam")
    """
    if purpose not in wire.JOURNAL_PURPOSES:
        known = ", ".join(wire.JOURNAL_PURPOSES)
        raise EntryInvalid(
            f"journal purpose {purpose!r} is not one of {known}",
            f"tujuan jurnal {purpose!r} bukan salah satu dari {known}",
        )
    kept: list[dict[str, Any]] = []
    for line in lines:
        debit, credit = int(line.debit_rp), int(line.credit_rp)
        if debit < 0 or credit < 0 or (debit and credit):
            raise EntryInvalid(
                f"journal line on {line.account}: one side above 0, never negative (got {debit}, {credit})",
                f"baris jurnal akun {line.account}: satu sisi di atas 0, tidak negatif ({debit}, {credit})",
            )
        if debit or credit:
            kept.append({"account": line.account, "debit_rp": debit, "credit_rp": credit, "memo": line.memo})
    debits = sum(x["debit_rp"] for x in kept)
    credits = sum(x["credit_rp"] for x in kept)
    if debits != credits:
        raise EntryInvalid(
            f"a journal must balance: debits {debits:,} but credits {credits:,}",
            f"jurnal harus seimbang: debit {debits:,} tetapi kredit {credits:,}".replace(",", "."),
        )
    body = {
        "unit": unit,
        "kind": "journal",
        "member": member,
        "payment": "cash",
        "lines": kept,
        "total": debits,
        "purpose": purpose,
    }
    if loan is not None:
        body["loan"] = loan
    return body


def void(ref: str, original: Mapping[str, Any], reason: str) -> dict[str, Any]:
    """The reversal of transaction ``ref``; ``original`` holds its unit, member, payment and total_rp."""
    return {
        "unit": original["unit"],
        "kind": "void",
        "member": original["member"],
        "payment": original["payment"],
        "lines": [],
        "total": int(original["total_rp"]),
        "ref": ref,
        "reason": reason,
    }


def dispute(member: str, ref: str, reason: str, unit: str) -> dict[str, Any]:
    """A member's "not me" on sale ``ref`` in their name (sanggahan), in the sale's ``unit``. It moves no
    money: total 0, no lines; a supervisor then voids the sale or rejects the dispute."""
    return _body("dispute", unit, member, 0, ref=ref, reason=reason)


def opening(
    batch: str, member: str | None, items: Iterable[Mapping[str, Any]], unit: str = SAVINGS_LOAN_UNIT
) -> dict[str, Any]:
    """One envelope of an opening: a member's balances, or (member None) the cooperative's cash and stock."""
    listed = [dict(item) for item in items]
    total = sum(int(item["amount_rp"]) for item in listed)
    return _body("opening", unit, member, total, batch=batch, items=listed)


def envelope(
    body: Mapping[str, Any], *, ident: str, device: str, seq: int, prev: str, at: str, by: str | None
) -> dict[str, Any]:
    """The unsigned envelope: format version, id, the chain fields, the time, who recorded it, the body."""
    env: dict[str, Any] = {
        "v": wire.VERSION,
        "id": ident,
        "device": device,
        "seq": seq,
        "prev": prev,
        "at": at,
    }
    env.update(body)
    if by:
        env["clerk"] = by
    return env


def checked(env: dict[str, Any]) -> dict[str, Any]:
    """``env`` when ``sync.envelope.check`` passes, else ``EntryInvalid`` with its reason."""
    try:
        wire.check(env)
    except wire.EnvelopeError as err:
        raise EntryInvalid(str(err), f"entri tidak sah: {err}") from err
    return env


def parse_qty(text: str) -> int | str:
    """A quantity as the envelope carries it: a whole number, or decimal text such as ``1.250``."""
    value = text.strip()
    try:
        parsed = wire.parse_qty(int(value) if value.isdigit() else value)
    except wire.EnvelopeError as err:
        raise EntryInvalid(str(err), f"jumlah barang {value!r} tidak sah") from err
    return int(parsed) if parsed == parsed.to_integral_value() and "." not in value else str(Decimal(value))


def parse_line(text: str) -> PurchaseLine:
    """``SKU:QTY:PRICE`` (price per unit in whole rupiah) as a purchase line."""
    parts = text.split(":")
    if len(parts) != 3 or not parts[2].strip().isdigit():
        raise EntryInvalid(
            f"purchase line {text!r} must be SKU:QTY:PRICE, e.g. 8991002101012:24:3000",
            f"baris pembelian {text!r} harus SKU:JUMLAH:HARGA, mis. 8991002101012:24:3000",
        )
    return PurchaseLine(parts[0].strip(), parse_qty(parts[1]), int(parts[2].strip()))
