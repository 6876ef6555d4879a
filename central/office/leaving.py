"""A member leaving the cooperative: the settlement statement, the board's approval, the payment on the
office's chain and the member set inactive (docs/savings.md, "A member leaving").

The statement, as of a day, adds what the cooperative owes the member and takes off what they owe it:

    pokok + wajib + sukarela + smsk + shr              (savings balances)
  + berjangka principal - early-withdrawal penalties    (open term deposits closed by their product's rule)
  + term-deposit interest owed                          (earned to the day, unless the rule forfeits it)
  + SHU payable                                         (allocated at a year-end close, not yet paid)
  - loans                                               (each loan's remaining schedule, as ``loans pay``)
  - store credit owed                                   (the member receivable)
  = net payable to the member (or, below zero, owed by the member)

Paying it records, on the office's chain and in this order: each open term deposit closed
(``deposits.withdraw``: early by its rule, or paid out at maturity); each loan repaid in full by an
``installment`` (``lending.pay``) and the store credit by a ``credit_payment``: money coming in, taken from
what the member is paid; the SHU payable paid by a ``journal`` (Dr SHU payable / Cr cash); then every
savings balance withdrawn by a ``savings_withdrawal``. Each envelope balances on its own; together the
cash moves by exactly the net (out when the member is paid, in when the member pays the difference).
The cash book shows each movement, so the offsets stay visible. Then the member is set inactive, which
reaches every device with the next members downlink.

Only an approved statement is paid, and only for the net the board approved: if a balance changed since
(a sale on credit, a deposit), the payment is refused until the board approves the new figure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import func, select

from central.errors import UnknownMember
from central.ledger import Ledger, schema
from central.loans import portfolio
from central.members.rows import MemberRow
from central.office import deposits, entries, lending
from central.office.identity import Office
from central.office.record import record
from central.savings import interest
from central.savings.errors import SavingsRefused
from central.savings.tables import ensure_tables, member_exits
from central.yearend.policy import shu_accounts, shu_policy
from sync.envelope import SAVINGS_PRODUCTS

BOARD_ROLES: Final = ("ketua", "sekretaris", "bendahara", "pengurus")
UNIT: Final = "simpan-pinjam"
REASON_MAX: Final = 200
# Savings products withdrawn in the settlement, in this order (berjangka through its placements first).
WITHDRAWN: Final = tuple(p for p in SAVINGS_PRODUCTS if p != "berjangka")


@dataclass(frozen=True)
class Line:
    """One line of the statement: what it is, a detail (a loan id, a placement), and the amount (positive:
    owed to the member; negative: owed by the member)."""

    key: str
    ref: str
    amount_rp: int


@dataclass(frozen=True)
class Settlement:
    """A leaving member's statement as of a day; ``net_rp`` is the sum of the lines."""

    member: str
    name: str
    active: bool
    on: date
    lines: tuple[Line, ...]
    state: str  # draft (not approved), approved, paying (payment under way or interrupted), paid
    approved_by: str | None
    approved_net_rp: int | None

    @property
    def net_rp(self) -> int:
        return sum(line.amount_rp for line in self.lines)

    @property
    def owed_to_member_rp(self) -> int:
        return sum(line.amount_rp for line in self.lines if line.amount_rp > 0)

    @property
    def owed_by_member_rp(self) -> int:
        return -sum(line.amount_rp for line in self.lines if line.amount_rp < 0)


def _member_balance(ledger: Ledger, member: str, account: str) -> int:
    """Credits minus debits of ``member`` on ``account`` (what the cooperative owes them there)."""
    j = schema.journal
    with ledger.read() as conn:
        row = conn.execute(
            select(func.coalesce(func.sum(j.c.credit_rp), 0), func.coalesce(func.sum(j.c.debit_rp), 0)).where(
                j.c.member == member, j.c.account == account
            )
        ).one()
    return int(row[0]) - int(row[1])


def savings_balances(ledger: Ledger, member: str) -> dict[str, int]:
    """The member's balance of each savings product (pokok, wajib, sukarela, berjangka, smsk, shr)."""
    posting = ledger.config.posting
    return {p: _member_balance(ledger, member, posting.savings_account(p)) for p in SAVINGS_PRODUCTS}


def shu_payable_rp(ledger: Ledger, member: str) -> int:
    """The member's SHU allocated by year-end closes and not yet paid (their SHU payable balance)."""
    policy = shu_policy(ledger.config)
    account = shu_accounts(ledger.config, policy).get(policy.members_fund)
    return _member_balance(ledger, member, account) if account else 0


def _deposit_lines(ledger: Ledger, member: str, on: date) -> list[Line]:
    lines: list[Line] = []
    for p in deposits.listing(ledger, member=member, state="open"):
        early = on < p.maturity
        lines.append(Line("berjangka", p.code, p.principal_rp))
        if early and p.early_penalty_pct:
            penalty = min(interest.penalty_rp(p.principal_rp, p.early_penalty_pct), p.principal_rp)
            lines.append(Line("berjangka_penalty", p.code, -penalty))
        earned = interest.earned_rp(
            p.principal_rp, p.rate_year_pct, p.term_months, p.start, min(on, p.maturity)
        )
        if not (early and p.early_forfeit_interest) and earned:
            lines.append(Line("berjangka_interest", p.code, earned))
    return lines


def _loan_lines(ledger: Ledger, member: str, on: date) -> list[Line]:
    lines = []
    for card in portfolio.cards(ledger, on, member=member):
        owed = sum(line.owed_rp for line in card.state.lines)
        if owed > 0:
            lines.append(Line("loan", card.loan, -owed))
    return lines


def statement(ledger: Ledger, member: str, on: date) -> Settlement:
    """Member ``member``'s settlement as of ``on`` (``UnknownMember`` for a wrong number)."""
    row = ledger.member(member)
    posting = ledger.config.posting
    lines: list[Line] = []
    for product in WITHDRAWN:
        balance = _member_balance(ledger, member, posting.savings_account(product))
        if balance:
            lines.append(Line(product, "", balance))
    lines.extend(_deposit_lines(ledger, member, on))
    # berjangka money not held by any open placement (an opening balance, a deposit made at a device)
    placed = sum(p.principal_rp for p in deposits.listing(ledger, member=member, state="open"))
    loose = _member_balance(ledger, member, posting.savings_account("berjangka")) - placed
    if loose:
        lines.append(Line("berjangka", "", loose))
    # interest accrued on placements closed before but not paid (normally none)
    stale = deposits.interest_payable_rp(ledger, member) - sum(
        p.accrued_rp for p in deposits.listing(ledger, member=member, state="open")
    )
    if stale:
        lines.append(Line("berjangka_interest", "", stale))
    shu = shu_payable_rp(ledger, member)
    if shu:
        lines.append(Line("shu", "", shu))
    lines.extend(_loan_lines(ledger, member, on))
    credit = -_member_balance(ledger, member, posting.receivable)
    if credit:
        lines.append(Line("credit", "", -credit))
    ensure_tables(ledger)
    e = member_exits
    with ledger.read() as conn:
        done = conn.execute(select(e).where(e.c.member == member)).first()
    return Settlement(
        member=member,
        name=str(row["name"]),
        active=bool(row["active"]),
        on=on,
        lines=tuple(lines),
        state=str(done.state) if done is not None else "draft",
        approved_by=None if done is None else str(done.approved_by),
        approved_net_rp=None if done is None else int(done.approved_net_rp),
    )


def approve(ledger: Ledger, member: str, *, by: str, on: date, reason: str = "") -> Settlement:
    """The board approves ``member``'s settlement as it stands on ``on``; ``by`` is the approver's member
    number, who must hold a board role (ketua, sekretaris, bendahara, pengurus) and be active."""
    try:
        approver = ledger.member(by)
    except UnknownMember as err:
        raise SavingsRefused(
            f"the approver {by!r} is not a member; give the board member's number",
            f"penyetuju {by!r} bukan anggota; isi nomor anggota pengurus",
        ) from err
    role = str(approver.get("role") or "")
    if role not in BOARD_ROLES or not approver.get("active", True):
        raise SavingsRefused(
            f"{by} is {role or 'without a role'}: only an active board member ({', '.join(BOARD_ROLES)}) "
            "approves a leaving member's settlement",
            f"{by} berperan {role or '-'}: hanya pengurus aktif ({', '.join(BOARD_ROLES)}) yang menyetujui "
            "penyelesaian anggota keluar",
        )
    if by == member:
        raise SavingsRefused(
            "a member does not approve their own settlement",
            "anggota tidak menyetujui penyelesaiannya sendiri",
        )
    current = statement(ledger, member, on)
    if current.state == "paid":
        raise SavingsRefused(
            f"member {member} has been settled and paid already",
            f"anggota {member} sudah diselesaikan dan dibayar",
        )
    values = {
        "state": "approved",
        "approved_by": by,
        "approved_role": role,
        "approved_ts": int(time.time()),
        "approved_net_rp": current.net_rp,
        "reason": " ".join(reason.split())[:REASON_MAX],
    }
    e = member_exits
    with ledger.write() as conn:
        if conn.execute(select(e.c.member).where(e.c.member == member)).first() is None:
            conn.execute(e.insert().values(member=member, **values))
        else:
            conn.execute(e.update().where(e.c.member == member).values(**values))
    return statement(ledger, member, on)


def pay(ledger: Ledger, office: Office, member: str, *, by: str, at: datetime | None = None) -> Settlement:
    """Pay an approved settlement on the office's chain (see the module's order) and set the member
    inactive. Run again after an interruption, it pays only what is left."""
    when = at or datetime.now(ledger.config.tz)
    on = when.date()
    current = statement(ledger, member, on)
    if current.state == "paid":
        raise SavingsRefused(
            f"member {member} has been settled and paid already",
            f"anggota {member} sudah diselesaikan dan dibayar",
        )
    if current.state not in ("approved", "paying"):
        raise SavingsRefused(
            f"the settlement of member {member} is not approved by the board yet (savings leave approve)",
            f"penyelesaian anggota {member} belum disetujui pengurus (savings leave approve)",
        )
    if current.state == "approved" and current.net_rp != current.approved_net_rp:
        raise SavingsRefused(
            f"the settlement changed since it was approved (Rp {current.approved_net_rp:,} approved, "
            f"Rp {current.net_rp:,} now); the board approves the new figure first",
            f"penyelesaian berubah sejak disetujui (disetujui Rp {current.approved_net_rp:,}, "
            f"sekarang Rp {current.net_rp:,}); pengurus menyetujui angka baru dulu".replace(",", "."),
        )
    e = member_exits
    with ledger.write() as conn:  # from here on a rerun pays what is left, whatever the net has become
        conn.execute(e.update().where(e.c.member == member).values(state="paying"))
    ids: list[str] = []
    for placement in deposits.listing(ledger, member=member, state="open"):
        ids.extend(deposits.withdraw(ledger, office, placement.id, by=by, at=when).ids)
    for card in portfolio.cards(ledger, on, member=member):
        owed = sum(line.owed_rp for line in card.state.lines)
        if owed > 0:
            ids.extend(lending.pay(ledger, office, card.loan, owed, by=by, at=when).ids)
    posting = ledger.config.posting
    credit = -_member_balance(ledger, member, posting.receivable)
    if credit > 0:
        ids.append(record(ledger, office, entries.credit_payment(member, credit), at=when, by=by).id)
    shu = shu_payable_rp(ledger, member)
    if shu > 0:
        policy = shu_policy(ledger.config)
        account = shu_accounts(ledger.config, policy)[policy.members_fund]
        memo = f"SHU dibayar, anggota {member} keluar"
        body = entries.journal(
            "adjustment",
            [entries.dr(account, shu, memo), entries.cr(posting.cash, shu, memo)],
            unit=UNIT,
            member=member,
        )
        ids.append(record(ledger, office, body, at=when, by=by).id)
    for product in (*WITHDRAWN, "berjangka"):
        balance = _member_balance(ledger, member, posting.savings_account(product))
        if balance > 0:
            body = entries.savings_withdrawal(member, product, balance)
            ids.append(record(ledger, office, body, at=when, by=by).id)
    _deactivate(ledger, member)
    with ledger.write() as conn:
        conn.execute(
            e.update()
            .where(e.c.member == member)
            .values(state="paid", paid_ts=int(time.time()), paid_by=by[:40], paid_txs=" ".join(ids))
        )
    return current


def _deactivate(ledger: Ledger, member: str) -> None:
    """Set the member inactive (devices refuse the card after the next members downlink)."""
    row = ledger.member(member)
    ledger.import_members(
        [
            MemberRow(
                number=str(row["number"]),
                name=str(row["name"]),
                joined=str(row["joined"]),
                birth_date=row.get("birth_date"),
                phone=row.get("phone"),
                blood_type=row.get("blood_type"),
                role=str(row["role"]),
                credit_limit_rp=row.get("credit_limit_rp"),
                active=False,
            )
        ]
    )
