"""The checks of one envelope's content against the ledger state of its chunk (ingest's rules): units,
members, products, references, loans and balances. A refusal raises ``_Refused`` with the reason an
operator reads; ``central.ledger.ingest`` reads the state, admits the sender and writes the rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from central.config import Config
from central.ledger.parsed import _Derived, _Device, _Ref
from central.ledger.posting import Line, PostingError, post, reverse, sale_amounts
from central.ledger.schema import LINE_KINDS
from sync import envelope as wire


@dataclass
class _State:
    """What the checks of one chunk need to know, read once and updated as envelopes are accepted."""

    existing: dict[str, str]  # id -> content hash
    seq_taken: dict[tuple[str, int], str]  # (device, seq) -> id
    known_members: set[str]
    product_units: dict[str, str]  # sku -> unit
    devices: dict[str, _Device]
    ref_rows: dict[str, _Ref]
    voided: set[str]
    balances: dict[tuple[str, str], int]  # (member, account) -> debits - credits
    loan_owner: dict[str, str]  # loan id -> member
    loan_outstanding: dict[str, int] = field(default_factory=dict)  # loan id -> principal still owed
    openings: dict[str, int] = field(default_factory=dict)  # opening batch not voided -> its envelopes
    refused: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (content, reason) refused
    refused_at: dict[tuple[str, int], str] = field(default_factory=dict)  # (device, seq) -> refused id
    office_device: str | None = None  # the office's device id (meta ``office_device``); None before init
    loans_account: str = ""  # [posting] loans: a journal line on it changes its loan's principal
    written_off: dict[str, str] = field(default_factory=dict)  # loan id -> day of its write-off journal
    closed: frozenset[int] = frozenset()  # closed years: a transaction of one posts late (ledger.closed)


class _Bad(Exception):
    """One envelope refused; the message is the quarantine reason."""


class _Refused(_Bad):
    """An envelope refused for its content, after its sender, device, signature and seq passed."""


def _post_now(env: Mapping[str, Any], config: Config) -> tuple[list[tuple[int, int]], tuple[Line, ...]]:
    """(line amounts, journal lines) of an envelope: the lines' amounts feed the posting of line kinds."""
    if env["kind"] in LINE_KINDS:
        amounts = sale_amounts(env)
        return amounts, post(env, config, amounts)
    return [], post(env, config)


def _posting(
    env: Mapping[str, Any], config: Config, derived: _Derived | None
) -> tuple[list[tuple[int, int]], tuple[Line, ...]]:
    """(line amounts, journal lines) of an envelope that passed the checks before posting."""
    if derived is not None and derived.lines is not None and derived.config is config:
        return derived.amounts, derived.lines
    return _post_now(env, config)


def _validate(
    env: dict[str, Any],
    *,
    derived: _Derived | None,
    config: Config,
    state: _State,
    unit_codes: set[str],
    member_accounts: set[str],
) -> tuple[tuple[Line, ...], list[tuple[int, int]]]:
    """The entry's lines and, for a sale, each line's (amount_rp, cost_rp); raises _Refused with the
    reason (any _Bad or PostingError raised here is a refusal of the content)."""
    try:
        return _check_content(env, derived, config, state, unit_codes, member_accounts)
    except (_Bad, PostingError) as err:
        raise _Refused(str(err)) from err


def _check_content(  # noqa: PLR0917 - private, called once
    env: dict[str, Any],
    derived: _Derived | None,
    config: Config,
    state: _State,
    unit_codes: set[str],
    member_accounts: set[str],
) -> tuple[tuple[Line, ...], list[tuple[int, int]]]:
    amounts: list[tuple[int, int]] = []
    unit = env["unit"]
    if unit not in unit_codes:
        raise _Bad(f"unknown unit {unit!r}; the units are {', '.join(sorted(unit_codes))}")
    member = env["member"]
    if member is not None and member not in state.known_members:
        raise _Bad(f"unknown member {member!r}; import the member first")
    kind = env["kind"]
    if kind == "sale":
        for number, line in enumerate(env["lines"], start=1):
            sku = line["sku"]
            owner = state.product_units.get(sku)
            if owner is None:
                raise _Bad(f"line {number}: unknown sku {sku!r}; import the product first")
            if owner != unit:
                raise _Bad(f"line {number}: sku {sku!r} is sold by unit {owner}, not {unit}")
        amounts, lines = _posting(env, config, derived)
    elif kind == "purchase":
        unit_conf = config.unit(unit)
        if unit_conf is None or unit_conf.accounts is None:
            selling = ", ".join(u.code for u in config.units if u.accounts is not None)
            raise _Bad(f"unit {unit} sells nothing, so it buys no stock; a purchase names one of {selling}")
        for number, line in enumerate(env["lines"], start=1):
            sku = line["sku"]
            owner = state.product_units.get(sku)
            if owner is None:
                raise _Bad(f"line {number}: unknown sku {sku!r}; import the product before buying it")
            if owner != unit:
                raise _Bad(
                    f"line {number}: sku {sku!r} belongs to unit {owner}, not {unit}; "
                    "record the purchase under the unit that sells it"
                )
        amounts, lines = _posting(env, config, derived)
    elif kind == "void":
        ref = _ref(env, state.ref_rows)
        if ref.kind in ("void", "dispute", "handin", "count_line"):
            raise _Bad(f"void refers to a {ref.kind} ({env['ref']}); only money transactions can be voided")
        if env["ref"] in state.voided:
            raise _Bad(f"transaction {env['ref']} is already voided")
        if ref.total_rp != env["total"] or ref.member != member or ref.payment != env["payment"]:
            raise _Bad(
                f"void must repeat the voided transaction's member, payment and total "
                f"({ref.member}, {ref.payment}, {ref.total_rp}); "
                f"it says ({member}, {env['payment']}, {env['total']})"
            )
        if ref.kind == "journal" and any(line.account == config.posting.loans for line in ref.lines):
            raise _Bad(
                f"transaction {env['ref']} is a journal on the loans account (a write-off); it is not "
                "voided, so the loan keeps its history: book a correcting journal instead"
            )
        lines = reverse(ref.lines)
    elif kind == "dispute":
        ref = _ref(env, state.ref_rows)
        if ref.kind != "sale":
            raise _Bad(f"a dispute refers to a sale; {env['ref']} is a {ref.kind}")
        if ref.member != member:
            raise _Bad(f"member {member} can only dispute their own purchases; {env['ref']} is not theirs")
        lines = ()
    elif kind == "handin":  # the clerk's cash count: no entry (central.handins books a difference)
        lines = ()
    elif kind == "count_line":  # items counted for a stock count: no entry (central.stock.counts adds them)
        for number, line in enumerate(env["lines"], start=1):
            owner = state.product_units.get(line["sku"])
            if owner is None:
                raise _Bad(f"line {number}: unknown sku {line['sku']!r}; import the product first")
            if owner != unit:
                raise _Bad(f"line {number}: sku {line['sku']!r} is an item of unit {owner}, not {unit}")
        lines = ()
    elif kind in ("supplier_payment", "credit_payment"):
        _, lines = _posting(env, config, derived)
    elif kind == "opening":
        _check_opening(env, config, state)
        _, lines = _posting(env, config, derived)
    elif kind == "journal":
        _check_journal(env, config, state, member_accounts)
        _, lines = _posting(env, config, derived)
    else:
        if kind == "loan_disbursement":
            loan = env["loan"]
            if loan in state.loan_owner:
                raise _Bad(f"loan id {loan} is already used; give the new loan its own id")
            outstanding = state.balances.get((member, config.posting.loans), 0)
            if outstanding > 0:
                raise _Bad(
                    f"member {member} still owes Rp {outstanding:,} on a loan; "
                    "no new loan before the old one is repaid"
                )
        elif (
            kind == "savings_withdrawal"
            and env["device"] != state.office_device
            and env["product"] in wire.EQUITY_SAVINGS
        ):
            raise _Bad(
                f"simpanan {env['product']} is the member's equity, returned only when the member leaves, "
                "by the office's settlement (`central savings leave`); a device never pays it out. If the "
                "cash was handed over, settle it there and dismiss this row with `central quarantine dismiss`"
            )
        elif kind == "installment":
            loan = env["loan"]
            owner = state.loan_owner.get(loan)
            if owner is None:
                raise _Bad(f"unknown loan {loan!r}; it must be disbursed before installments")
            if owner != member:
                raise _Bad(f"loan {loan} belongs to member {owner}, not {member}")
            written = state.written_off.get(loan)
            if written is not None:
                raise _Bad(
                    f"loan {loan} was written off on {written}: a payment on it is a recovery, not an "
                    f"installment. Record the Rp {env['total']:,} received at the office with "
                    f"`central loans pay {loan} --amount {env['total']}` (booked as recovery income), "
                    "then settle this row with `central quarantine dismiss`"
                )
            owed = state.loan_outstanding.get(loan, 0)
            if env["principal_rp"] > owed:
                raise _Bad(
                    f"loan {loan} has Rp {owed:,} principal outstanding; "
                    f"principal_rp {env['principal_rp']:,} "
                    "is more than that (pay the rest as interest or fix the amount)"
                )
        _, lines = _posting(env, config, derived)
    if kind not in LINE_KINDS:  # a sale or purchase touches no savings or loan account
        _check_member_balances(env, lines, state.balances, member_accounts, config)
    return lines, amounts


def _check_journal(env: Mapping[str, Any], config: Config, state: _State, member_accounts: set[str]) -> None:
    """An adjusting entry comes from the office's chain only; its loan and member references hold, and
    member accounts are touched only for a named member (and the loans account only for a named loan)."""
    device = env["device"]
    if state.office_device is None or device != state.office_device:
        office = state.office_device or "none set up yet: `office init`"
        raise _Bad(
            f"a journal (adjusting entry) is accepted only from the office's own chain (device {office}); "
            f"device {device} may not post one"
        )
    member = env["member"]
    loan = env.get("loan")
    if loan is not None:
        owner = state.loan_owner.get(loan)
        if owner is None:
            raise _Bad(f"journal names unknown loan {loan!r}")
        if member is not None and owner != member:
            raise _Bad(f"loan {loan} belongs to member {owner}, not {member}")
    per_member = member_accounts | {config.posting.receivable}
    loans_change = 0
    for number, line in enumerate(env["lines"], start=1):
        account = line["account"]
        if account in per_member and member is None:
            raise _Bad(f"journal line {number}: account {account} holds members' balances; name the member")
        if account == config.posting.loans:
            if loan is None:
                raise _Bad(f"journal line {number}: account {account} holds loans; name the loan")
            loans_change += line["debit_rp"] - line["credit_rp"]
    if loan is not None and loans_change < 0:
        owed = state.loan_outstanding.get(loan, 0)
        if owed + loans_change < 0:
            raise _Bad(
                f"loan {loan} has Rp {owed:,} principal outstanding; the journal takes Rp {-loans_change:,} "
                "off it, more than that"
            )


def _opening_loans(envs: list[dict[str, Any]]) -> set[str]:
    """The loan ids that opening envelopes bring over."""
    openings = [env for env in envs if env["kind"] == "opening"]
    return {item["loan"] for env in openings for item in env["items"] if item["what"] == "loan"}


def _check_opening(env: Mapping[str, Any], config: Config, state: _State) -> None:
    """Opening balances come once (one batch, unless reversed); their loan ids are new, their units sell."""
    other = sorted(batch for batch in state.openings if batch != env["batch"])
    if other:
        raise _Bad(
            f"opening balances were already brought in (batch {other[0]}); reverse that opening first "
            f"(`office opening-reverse {other[0]}`), then import again"
        )
    seen: set[str] = set()
    for number, item in enumerate(env["items"], start=1):
        if item["what"] == "loan":
            loan = item["loan"]
            if loan in state.loan_owner or loan in seen:
                raise _Bad(f"item {number}: loan id {loan} is already used; give each loan its own id")
            seen.add(loan)
        elif item["what"] == "inventory":
            unit_conf = config.unit(item["unit"])
            if unit_conf is None or unit_conf.accounts is None:
                selling = ", ".join(u.code for u in config.units if u.accounts is not None)
                raise _Bad(f"item {number}: inventory of unit {item['unit']!r}; units with stock: {selling}")


def _ref(env: Mapping[str, Any], ref_rows: dict[str, _Ref]) -> _Ref:
    ref = ref_rows.get(env["ref"])
    if ref is None:
        raise _Bad(f"{env['kind']} refers to unknown transaction {env['ref']}")
    return ref


def _check_member_balances(
    env: Mapping[str, Any],
    lines: tuple[Line, ...],
    balances: dict[tuple[str, str], int],
    member_accounts: set[str],
    config: Config,
) -> None:
    member = env["member"]
    if member is None:
        return
    change: dict[str, int] = {}
    for line in lines:
        if line.account in member_accounts:
            change[line.account] = change.get(line.account, 0) + line.debit_rp - line.credit_rp
    for account, delta in change.items():
        sign = 1 if account == config.posting.loans else -1  # loans are debit-normal, savings credit-normal
        before = sign * balances.get((member, account), 0)
        after = before + sign * delta
        if after < 0:
            found = config.account(account)
            name = found.name if found is not None else account
            if account == config.posting.loans:
                raise _Bad(f"member {member} owes Rp {before:,} on loans; this would take it below zero")
            raise _Bad(f"member {member} has Rp {before:,} in {name}; this would take it below zero")
