"""The envelope: one recorded transaction as it travels from a device to the central ledger.

This module is the single definition of the wire format (ARCHITECTURE.md, "Contracts"). Edge builds
envelopes with it, central checks them with it; both sides run the same checks, so a malformed
transaction is refused where it is made and again where it arrives.

Format version 1, a JSON object with these keys:

    v        1
    id       globally unique text (the idempotency key), at most 64 characters
    device   device id, ``[a-z0-9][a-z0-9_-]{0,47}``
    seq      per-device sequence number, gapless from 1
    prev     hex SHA-256 of the previous envelope of the device (``GENESIS`` for seq 1)
    at       ISO 8601 date-time with offset, device clock
    unit     business unit code (``toko``, ``cafe``, ...)
    kind     one of ``KINDS``
    member   member number, or null for a walk-in
    payment  ``cash`` or ``credit`` (sales and purchases), else ``cash``
    lines    sales and purchases: list of {sku, qty, price_rp, cost_rp}; journal: its entry lines (below);
             other kinds: []
    total    integer rupiah, >= 0
    sig      base64 Ed25519 signature over ``canonical(envelope without sig)``

and per kind:

    savings_deposit, savings_withdrawal   product: one of ``SAVINGS_PRODUCTS``
    loan_disbursement                      loan: loan id; total = principal lent
    installment                            loan: loan id; principal_rp, interest_rp; total = their sum
    void                                   ref: id of the voided transaction; reason: text;
                                           member, payment and total repeat those of the voided one
    dispute                                ref: id of the disputed sale; reason: text; total = 0
    purchase                               stock bought from a supplier (pembelian persediaan): lines as a
                                           sale with price_rp = cost_rp = purchase price per unit; member
                                           null; payment cash (paid from cash) or credit (owed to the
                                           supplier); optional supplier: free text
    supplier_payment                       paying what a credit purchase left owing: supplier (text), total;
                                           member null, payment cash, no lines
    credit_payment                         a member repaying store credit (e.g. by salary deduction): member,
                                           total; payment cash, no lines
    opening                                opening balances brought over from the spreadsheets (saldo awal),
                                           recorded by the central office: batch (the import's id, shared by
                                           every envelope of one import); items: list of {what, amount_rp}
                                           with what one of ``OPENING_ITEMS``: ``savings`` (+ product),
                                           ``loan`` (+ loan id), ``credit`` (store credit owed) for the
                                           envelope's member; ``cash`` and ``inventory`` (+ unit) with member
                                           null. total = the sum of the amounts; payment cash, no lines
    journal                                an adjusting entry of the central office (jurnal penyesuaian):
                                           purpose: one of ``JOURNAL_PURPOSES``; lines: list of
                                           {account, debit_rp, credit_rp, memo}, each line with exactly one
                                           side above 0, debits = credits, at most ``MAX_LINES`` lines;
                                           total = the sum of the debits; payment cash; member: the member
                                           it concerns or null; optional loan: the loan it concerns
    handin                                 a clerk's cash hand-in at shift close (setoran harian): clerk
                                           (required), from and to (the shift's period, ISO date-times
                                           with offset, from <= to <= at), expected_rp (the device's shift
                                           summary: cash expected, a whole number that may be below 0 when
                                           more was paid out than taken in), counted_rp (the cash counted,
                                           >= 0); total = counted_rp; member null, payment cash, no lines.
                                           Moves no money: the cash is on the books from the sales; the
                                           treasurer's confirmation books any difference
    count_line                             items counted on a device for an open stock count (stok opname)
                                           started at the office: count (the count's number, from 1),
                                           clerk (required), lines: list of {sku, qty} (qty >= 0, the
                                           item's total counted so far on this device; ``at`` is the
                                           moment it was counted); member null, payment cash, total 0.
                                           Moves no money: central adds the lines to the open count, and
                                           only the manager's approval of the count posts its difference

``purchase``, ``supplier_payment``, ``credit_payment``, ``opening``, ``journal``, ``handin`` and
``count_line`` were added to format 1 as new kinds, not a new format: a reader that predates them refuses
such an envelope as an unknown kind (central quarantines it), as intended.

Optional everywhere: ``clerk`` (clerk id at the counter), ``note`` (free text, at most 200 characters).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION: Final = 1
SUPPORTED_VERSIONS: Final = frozenset({1})
GENESIS: Final = "0" * 64

KINDS: Final = (
    "sale",
    "savings_deposit",
    "savings_withdrawal",
    "loan_disbursement",
    "installment",
    "void",
    "dispute",
    "purchase",
    "supplier_payment",
    "credit_payment",
    "opening",
    "journal",
    "handin",
    "count_line",
)
# Why the office makes an adjusting entry (``journal``): the loan allowance (PPAP) and its release, a
# write-off against it, a recovery of a written-off loan, the fees taken when a loan is paid out
# (administration fee and insurance premium), an accrual (e.g. term-deposit interest), an expense,
# stock-count shrinkage, a cash difference at a deposit count, any other adjustment. The purpose
# is data for reports and checks; the lines say what moves.
JOURNAL_PURPOSES: Final = (
    "allowance",
    "write_off",
    "recovery",
    "loan_fee",
    "accrual",
    "expense",
    "shrinkage",
    "cash_difference",
    "adjustment",
)
# A journal line's memo is stored in the journal's memo column (80 characters).
JOURNAL_MEMO_CHARS: Final = 80
# What an opening balance item is: the member's savings, loan and store credit, the cooperative's cash and
# inventory (per unit).
OPENING_ITEMS: Final = ("savings", "loan", "credit", "cash", "inventory")
_MEMBER_OPENING_ITEMS: Final = frozenset({"savings", "loan", "credit"})
_OPENING_ITEM_KEYS: Final[dict[str, frozenset[str]]] = {
    "savings": frozenset({"what", "amount_rp", "product"}),
    "loan": frozenset({"what", "amount_rp", "loan"}),
    "credit": frozenset({"what", "amount_rp"}),
    "cash": frozenset({"what", "amount_rp"}),
    "inventory": frozenset({"what", "amount_rp", "unit"}),
}
SAVINGS_PRODUCTS: Final = ("pokok", "wajib", "sukarela", "berjangka", "smsk", "shr")
# Savings products a device's counter may pay out. Pokok and wajib come back only when a member leaves,
# berjangka at maturity (or early by its rule), SHR and SMSK by the office's payout: all at the office.
# Devices refuse the others. Central refuses pokok and wajib from any chain but the office's: they are the
# members' equity, returned only by a leaving member's settlement.
COUNTER_WITHDRAWABLE: Final = ("sukarela",)
EQUITY_SAVINGS: Final = ("pokok", "wajib")
PAYMENTS: Final = ("cash", "credit")

# Bounds: an envelope larger than this is refused before it is parsed.
MAX_ENVELOPE_BYTES: Final = 16 * 1024
MAX_LINES: Final = 100
# One transaction may not exceed Rp 10 billion; guards against overflow and typos with extra zeros.
MAX_AMOUNT_RP: Final = 10_000_000_000
MAX_QTY: Final = Decimal(100_000)
_MAX_INT_QTY: Final = int(MAX_QTY)

DEVICE_RE: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
ID_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
CODE_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
QTY_RE: Final = re.compile(r"^\d{1,6}(\.\d{1,3})?$")
PREV_RE: Final = re.compile(r"[0-9a-f]{64}")
CONTROL_RE: Final = re.compile(r"[\x00-\x1f\x7f]")
# Lone UTF-16 surrogates: a JSON text can spell them (\ud800) but UTF-8 cannot hold them.
SURROGATE_RE: Final = re.compile(r"[\ud800-\udfff]")
MAX_TEXT_CHARS: Final = 200

_BASE_KEYS: Final = frozenset(
    {"v", "id", "device", "seq", "prev", "at", "unit", "kind", "member", "payment", "lines", "total", "sig"}
)
_OPTIONAL_KEYS: Final = frozenset({"clerk", "note"})
_KIND_KEYS: Final[dict[str, frozenset[str]]] = {
    "sale": frozenset(),
    "savings_deposit": frozenset({"product"}),
    "savings_withdrawal": frozenset({"product"}),
    "loan_disbursement": frozenset({"loan"}),
    "installment": frozenset({"loan", "principal_rp", "interest_rp"}),
    "void": frozenset({"ref", "reason"}),
    "dispute": frozenset({"ref", "reason"}),
    "purchase": frozenset(),
    "supplier_payment": frozenset({"supplier"}),
    "credit_payment": frozenset(),
    "opening": frozenset({"batch", "items"}),
    "journal": frozenset({"purpose"}),
    "handin": frozenset({"clerk", "from", "to", "expected_rp", "counted_rp"}),
    "count_line": frozenset({"clerk", "count"}),
}
# Optional per kind, beside ``_OPTIONAL_KEYS``.
_KIND_OPTIONAL_KEYS: Final[dict[str, frozenset[str]]] = {
    "purchase": frozenset({"supplier"}),
    "journal": frozenset({"loan"}),
}
_LINE_KEYS: Final = frozenset({"sku", "qty", "price_rp", "cost_rp"})
_JOURNAL_LINE_KEYS: Final = frozenset({"account", "debit_rp", "credit_rp", "memo"})
_COUNT_LINE_KEYS: Final = frozenset({"sku", "qty"})
# Per kind: the keys an envelope must have (``sig`` aside) and the keys it may have.
_REQUIRED_KEYS: Final = {kind: (_BASE_KEYS | extra) - {"sig"} for kind, extra in _KIND_KEYS.items()}
_ALLOWED_KEYS: Final = {
    kind: _BASE_KEYS | _OPTIONAL_KEYS | _KIND_OPTIONAL_KEYS.get(kind, frozenset()) | extra
    for kind, extra in _KIND_KEYS.items()
}


class EnvelopeError(ValueError):
    """An envelope that does not follow the format; the message says what is wrong."""


def new_id(now_ns: int | None = None) -> str:
    """A new envelope id: a version 7 UUID (RFC 9562) as 32 hex digits, ordered by creation time.

    The first 48 bits are the Unix time in milliseconds, the rest random (74 bits). Ids that grow with
    time keep the ledger's indexes on them (transactions, journal lines, sale lines) growing at their
    right end, so a commit of a thousand transactions writes a few pages per index instead of one
    random page per row: docs/sync.md, Benchmark.
    """
    ms = (time.time_ns() if now_ns is None else now_ns) // 1_000_000 & (1 << 48) - 1
    rand = int.from_bytes(os.urandom(10), "big")
    value = ms << 80 | 0x7 << 76 | (rand >> 62 & 0xFFF) << 64 | 0b10 << 62 | rand & (1 << 62) - 1
    return uuid.UUID(int=value).hex


def canonical(obj: Mapping[str, Any]) -> bytes:
    """The canonical JSON bytes of ``obj``: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def canonical_checked(env: Mapping[str, Any]) -> bytes:
    """``canonical`` of an envelope that passed ``check``, encoded by orjson (about ten times faster).

    The bytes are the same: a checked envelope holds only text (valid Unicode), whole numbers well
    within 64 bits, booleans, null, and lists and objects of those, and for these both encoders write
    the same JSON (tests/test_envelope.py holds them equal). They differ for some floats, which
    ``check`` refuses everywhere, so anything orjson cannot encode is handed to ``canonical``.
    """
    try:
        return orjson.dumps(env, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError: not an envelope check() passed
        return canonical(env)


def signing_bytes(envelope: Mapping[str, Any]) -> bytes:
    """The bytes a device signs: the canonical JSON of the envelope without ``sig``."""
    return canonical({k: v for k, v in envelope.items() if k != "sig"})


def chain_hash(envelope: Mapping[str, Any]) -> str:
    """The hash the next envelope of the same device carries in ``prev`` (over the signed envelope)."""
    return hashlib.sha256(canonical(envelope)).hexdigest()


def content_hash(envelope: Mapping[str, Any]) -> str:
    """Hash of what the envelope says, signature excluded: equal content gives an equal hash."""
    return hashlib.sha256(signing_bytes(envelope)).hexdigest()


def public_key_text(key: Ed25519PublicKey) -> str:
    """A public key as base64 of its 32 raw bytes, the form the device registry stores."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")


def load_public_key(text: str) -> Ed25519PublicKey:
    """Parse a public key written by ``public_key_text``."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as err:
        raise EnvelopeError("public key is not base64 of 32 raw Ed25519 bytes") from err


def sign(envelope: Mapping[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """Return a copy of ``envelope`` with ``sig`` set by ``key``."""
    body = {k: v for k, v in envelope.items() if k != "sig"}
    sig = base64.b64encode(key.sign(canonical(body))).decode("ascii")
    return {**body, "sig": sig}


def verify(envelope: Mapping[str, Any], key: Ed25519PublicKey) -> bool:
    """True when ``sig`` is a valid signature of the envelope by ``key``."""
    sig = envelope.get("sig")
    if not isinstance(sig, str):
        return False
    try:
        key.verify(base64.b64decode(sig, validate=True), signing_bytes(envelope))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def line_amount_rp(line: Mapping[str, Any]) -> int:
    """Rupiah of one sale line: qty x price, rounded half up to the rupiah (qty may be a decimal string)."""
    qty = line["qty"]
    if type(qty) is int:  # the common case, exact without Decimal
        return qty * int(line["price_rp"])
    amount = parse_qty(qty) * int(line["price_rp"])
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def line_cost_rp(line: Mapping[str, Any]) -> int:
    """Rupiah of cost of one sale line, rounded like ``line_amount_rp``."""
    qty = line["qty"]
    if type(qty) is int:
        return qty * int(line["cost_rp"])
    amount = parse_qty(qty) * int(line["cost_rp"])
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_qty(qty: Any) -> Decimal:
    """A quantity: a positive integer, or a decimal string with at most 3 decimals (weights)."""
    if isinstance(qty, bool):
        raise EnvelopeError("qty must be a number, not true/false")
    if isinstance(qty, int):
        value = Decimal(qty)
    elif isinstance(qty, str) and QTY_RE.match(qty):
        try:
            value = Decimal(qty)
        except InvalidOperation as err:  # pragma: no cover - the regex already rules this out
            raise EnvelopeError(f"qty {_shown(qty)} is not a number") from err
    else:
        raise EnvelopeError(f"qty {_shown(qty)} must be a whole number or a decimal string like '1.250'")
    if value <= 0 or value > MAX_QTY:
        raise EnvelopeError(f"qty {_shown(qty)} must be above 0 and at most {MAX_QTY}")
    return value


SHOWN_CHARS: Final = 40


def _shown(value: Any) -> str:
    """A value as a refusal quotes it: its repr, cut to ``SHOWN_CHARS`` (an envelope may hold 16 KB)."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def _rupiah(value: Any, name: str, *, allow_zero: bool = True) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise EnvelopeError(f"{name} must be a whole number of rupiah, got {_shown(value)}")
    if value < 0:
        raise EnvelopeError(f"{name} is negative ({value}); amounts are never negative, use a void instead")
    if value == 0 and not allow_zero:
        raise EnvelopeError(f"{name} must be above 0")
    if value > MAX_AMOUNT_RP:
        raise EnvelopeError(f"{name} {value} exceeds the limit of Rp {MAX_AMOUNT_RP:,}")
    return value


def _free_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS:
        raise EnvelopeError(f"{name} must be text of at most {MAX_TEXT_CHARS} characters")
    if CONTROL_RE.search(value):
        raise EnvelopeError(f"{name} contains control characters; use plain text on one line")
    if SURROGATE_RE.search(value):
        raise EnvelopeError(f"{name} holds a lone UTF-16 surrogate, which is not text; send valid Unicode")
    return value


def _text(env: Mapping[str, Any], key: str, pattern: re.Pattern[str]) -> str:
    value = env.get(key)
    if not isinstance(value, str) or not pattern.match(value):
        raise EnvelopeError(f"{key} {_shown(value)} is missing or not a valid code")
    return value


def parse(data: bytes | str) -> dict[str, Any]:
    """Decode one envelope from JSON bytes, refusing oversized or non-object input.

    Strict JSON (RFC 8259, by orjson): NaN and Infinity, numbers too large for a double, invalid UTF-8
    and lone surrogate escapes (``\\ud800``, which no UTF-8 text can hold) are refused.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_ENVELOPE_BYTES:
        raise EnvelopeError(f"envelope is {len(raw)} bytes, more than the limit of {MAX_ENVELOPE_BYTES}")
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        if str(err).startswith("depth limit"):
            raise EnvelopeError("JSON nested too deeply to be an envelope") from err
        raise EnvelopeError(f"not valid JSON: {err}") from err
    if not isinstance(obj, dict):
        raise EnvelopeError("an envelope must be a JSON object")
    return obj


def check(env: Mapping[str, Any]) -> None:
    """Raise ``EnvelopeError`` naming the first thing wrong with the envelope's shape and arithmetic.

    Checks what can be checked from the envelope alone: keys, types, codes, amounts, that sale lines add
    up to ``total``, and that installments add up. Whether the member, sku, device or referenced
    transaction exist is for the receiver, who knows them.
    """
    version = env.get("v")
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        raise EnvelopeError(
            f"unsupported format version v={_shown(version)} (this system reads {sorted(SUPPORTED_VERSIONS)})"
        )
    kind = env.get("kind")
    if not isinstance(kind, str) or kind not in _KIND_KEYS:
        raise EnvelopeError(f"unknown kind {_shown(kind)}; known kinds: {', '.join(KINDS)}")
    keys = env.keys()
    if not keys >= _REQUIRED_KEYS[kind]:
        missing = sorted(_REQUIRED_KEYS[kind] - keys)
        raise EnvelopeError(f"missing field(s): {', '.join(missing)}")
    if not keys <= _ALLOWED_KEYS[kind]:
        extra = sorted(str(key) for key in keys - _ALLOWED_KEYS[kind])
        raise EnvelopeError(f"unexpected field(s) for kind {kind}: {', '.join(extra)}")
    sig = env.get("sig")
    if "sig" in env and not (isinstance(sig, str) and sig.isascii()):
        raise EnvelopeError("sig must be base64 text (the device's Ed25519 signature)")
    _text(env, "id", ID_RE)
    _text(env, "device", DEVICE_RE)
    _text(env, "unit", CODE_RE)
    seq = env["seq"]
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1 or seq > 2**53:
        raise EnvelopeError(f"seq {_shown(seq)} must be a whole number from 1")
    prev = env["prev"]
    if not isinstance(prev, str) or not PREV_RE.fullmatch(prev):
        raise EnvelopeError("prev must be 64 lowercase hex characters (SHA-256 of the previous envelope)")
    if seq == 1 and prev != GENESIS:
        raise EnvelopeError("the first envelope of a device (seq 1) must have prev = 64 zeros")
    at = env["at"]
    try:
        stamp = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        raise EnvelopeError(
            f"at {_shown(at)} must be an ISO 8601 date-time with offset, e.g. 2026-03-01T08:15:00+07:00"
        )
    member = env["member"]
    if member is not None and (not isinstance(member, str) or not CODE_RE.match(member)):
        raise EnvelopeError(f"member {_shown(member)} must be a member number or null for a walk-in")
    payment = env["payment"]
    if payment not in PAYMENTS:
        raise EnvelopeError(f"payment {_shown(payment)} must be 'cash' or 'credit'")
    for key in ("clerk", "note"):
        if key in env and env[key] is not None:
            _free_text(env[key], key)
    total = _rupiah(env["total"], "total")
    lines = env["lines"]
    if not isinstance(lines, list):
        raise EnvelopeError("lines must be a list")
    if kind == "sale":
        _check_sale(env, lines, total)
    elif kind == "purchase":
        _check_purchase(env, lines, total)
    elif kind == "journal":
        if payment != "cash":
            raise EnvelopeError("payment of a journal must be 'cash'; its lines say which accounts move")
        _check_journal(env, lines, total)
    elif kind == "count_line":
        _check_count_line(env, lines, total)
    else:
        if lines:
            raise EnvelopeError(f"a {kind} has no lines")
        if payment != "cash" and kind != "void":
            raise EnvelopeError(
                f"payment of a {kind} must be 'cash'; only sales, purchases and their voids may be on credit"
            )
        _check_other(env, kind, total)


def _check_sale(env: Mapping[str, Any], lines: list[Any], total: int) -> None:
    if env["payment"] == "credit" and env["member"] is None:
        raise EnvelopeError("a credit sale needs a member; walk-in customers pay cash")
    _check_lines(lines, total, "sale")


def _check_purchase(env: Mapping[str, Any], lines: list[Any], total: int) -> None:
    if env["member"] is not None:
        raise EnvelopeError(
            "a purchase buys stock from a supplier: member must be null (name the seller in supplier)"
        )
    if "supplier" in env and env["supplier"] is not None:
        _free_text(env["supplier"], "supplier")
    _check_lines(lines, total, "purchase")
    for number, line in enumerate(lines, start=1):
        if line["cost_rp"] != line["price_rp"]:
            raise EnvelopeError(
                f"line {number}: a purchase line's cost_rp ({line['cost_rp']:,}) must equal its price_rp "
                f"({line['price_rp']:,}), the purchase price per unit"
            )


def _check_lines(lines: list[Any], total: int, kind: str) -> None:
    if not lines:
        raise EnvelopeError(f"a {kind} needs at least one line")
    if len(lines) > MAX_LINES:
        raise EnvelopeError(f"a {kind} has at most {MAX_LINES} lines, this one has {len(lines)}")
    computed = 0
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict) or line.keys() != _LINE_KEYS:
            raise EnvelopeError(f"line {number} must have exactly the keys sku, qty, price_rp, cost_rp")
        if not isinstance(line["sku"], str) or not CODE_RE.match(line["sku"]):
            raise EnvelopeError(f"line {number}: sku {_shown(line['sku'])} is not a valid code")
        qty = line["qty"]
        if type(qty) is not int or not 0 < qty <= _MAX_INT_QTY:  # else the full check, for its reason
            try:
                parse_qty(qty)
            except EnvelopeError as err:
                raise EnvelopeError(f"line {number}: {err}") from err
        _rupiah(line["price_rp"], f"line {number} price_rp")
        _rupiah(line["cost_rp"], f"line {number} cost_rp")
        computed += line_amount_rp(line)
    if computed > MAX_AMOUNT_RP:
        raise EnvelopeError(f"lines add up to {computed}, more than the limit of Rp {MAX_AMOUNT_RP:,}")
    if computed != total:
        raise EnvelopeError(f"lines add up to Rp {computed:,} but total says Rp {total:,}")


def _check_journal(env: Mapping[str, Any], lines: list[Any], total: int) -> None:
    purpose = env["purpose"]
    if not isinstance(purpose, str) or purpose not in JOURNAL_PURPOSES:
        raise EnvelopeError(f"purpose {_shown(purpose)} must be one of {', '.join(JOURNAL_PURPOSES)}")
    if "loan" in env and env["loan"] is not None:
        _text(env, "loan", CODE_RE)
    if len(lines) < 2:
        raise EnvelopeError("a journal needs at least two lines (a debit and a credit)")
    if len(lines) > MAX_LINES:
        raise EnvelopeError(f"a journal has at most {MAX_LINES} lines, this one has {len(lines)}")
    debits = credits = 0
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict) or line.keys() != _JOURNAL_LINE_KEYS:
            raise EnvelopeError(
                f"line {number} must have exactly the keys account, debit_rp, credit_rp, memo"
            )
        account = line["account"]
        if not isinstance(account, str) or not CODE_RE.match(account):
            raise EnvelopeError(f"line {number}: account {_shown(account)} is not a valid account code")
        debit = _rupiah(line["debit_rp"], f"line {number} debit_rp")
        credit = _rupiah(line["credit_rp"], f"line {number} credit_rp")
        if (debit > 0) == (credit > 0):
            raise EnvelopeError(
                f"line {number}: exactly one of debit_rp and credit_rp must be above 0 "
                f"(got {debit:,} and {credit:,})"
            )
        memo = _free_text(line["memo"], f"line {number} memo")
        if len(memo) > JOURNAL_MEMO_CHARS:
            raise EnvelopeError(f"line {number}: memo must be at most {JOURNAL_MEMO_CHARS} characters")
        debits += debit
        credits += credit
    if debits != credits:
        raise EnvelopeError(f"a journal must balance: debits Rp {debits:,} but credits Rp {credits:,}")
    if debits != total or total > MAX_AMOUNT_RP:
        raise EnvelopeError(
            f"a journal's total must be the sum of its debits, Rp {debits:,}; it says Rp {total:,}"
        )


def _check_other(env: Mapping[str, Any], kind: str, total: int) -> None:
    if kind in ("savings_deposit", "savings_withdrawal"):
        if env["product"] not in SAVINGS_PRODUCTS:
            raise EnvelopeError(
                f"product {_shown(env['product'])} must be one of {', '.join(SAVINGS_PRODUCTS)}"
            )
        _rupiah(total, "total", allow_zero=False)
    elif kind in ("loan_disbursement", "installment"):
        _text(env, "loan", CODE_RE)
        if kind == "loan_disbursement":
            _rupiah(total, "total", allow_zero=False)
        else:
            principal = _rupiah(env["principal_rp"], "principal_rp")
            interest = _rupiah(env["interest_rp"], "interest_rp")
            if principal + interest != total or total == 0:
                raise EnvelopeError(
                    f"installment principal_rp {principal:,} + interest_rp {interest:,}"
                    f" must equal total {total:,} (> 0)"
                )
    elif kind == "credit_payment":
        _rupiah(total, "total", allow_zero=False)
    elif kind == "opening":
        _check_opening(env, total)
    elif kind == "handin":
        _check_handin(env, total)
    elif kind == "supplier_payment":
        if env["member"] is not None:
            raise EnvelopeError("a supplier payment pays a supplier: member must be null")
        supplier = env["supplier"]
        if not isinstance(supplier, str) or not supplier.strip():
            raise EnvelopeError("a supplier payment names the supplier paid (1 to 200 characters)")
        _free_text(supplier, "supplier")
        _rupiah(total, "total", allow_zero=False)
    else:  # void, dispute
        _text(env, "ref", ID_RE)
        reason = env["reason"]
        if not isinstance(reason, str) or not reason.strip():
            raise EnvelopeError(f"a {kind} needs a reason of 1 to 200 characters")
        _free_text(reason, "reason")
        if kind == "dispute" and total != 0:
            raise EnvelopeError("a dispute moves no money: total must be 0")
    needs_member = ("savings_deposit", "savings_withdrawal", "loan_disbursement", "installment", "dispute")
    if kind in (*needs_member, "credit_payment") and env["member"] is None:
        raise EnvelopeError(f"a {kind} needs a member")


def _iso_time(value: Any, name: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        raise EnvelopeError(
            f"{name} {_shown(value)} must be an ISO 8601 date-time with offset, "
            "e.g. 2026-03-01T15:00:00+07:00"
        )
    return stamp


def _check_handin(env: Mapping[str, Any], total: int) -> None:
    if env["member"] is not None:
        raise EnvelopeError("a hand-in is the clerk's cash, not a member's: member must be null")
    clerk = env["clerk"]
    if not isinstance(clerk, str) or not clerk.strip():
        raise EnvelopeError("a hand-in names the clerk who hands the cash in")
    start, end = _iso_time(env["from"], "from"), _iso_time(env["to"], "to")
    if start > end:
        raise EnvelopeError(f"a hand-in's period runs forward: from {env['from']} is after to {env['to']}")
    if end > datetime.fromisoformat(env["at"]):
        raise EnvelopeError(f"a hand-in's period ends ({env['to']}) after it was recorded ({env['at']})")
    expected = env["expected_rp"]
    if isinstance(expected, bool) or not isinstance(expected, int) or abs(expected) > MAX_AMOUNT_RP:
        raise EnvelopeError(
            f"expected_rp must be a whole number of rupiah within Rp {MAX_AMOUNT_RP:,} either side of 0, "
            f"got {_shown(expected)}"
        )
    counted = _rupiah(env["counted_rp"], "counted_rp")
    if counted != total:
        raise EnvelopeError(f"a hand-in's total is the cash counted, Rp {counted:,}; it says Rp {total:,}")


def _check_count_line(env: Mapping[str, Any], lines: list[Any], total: int) -> None:
    if env["member"] is not None or env["payment"] != "cash" or total != 0:
        raise EnvelopeError("a count line moves no money: member null, payment cash, total 0")
    clerk = env["clerk"]
    if not isinstance(clerk, str) or not clerk.strip():
        raise EnvelopeError("a count line names the clerk who counted")
    count = env["count"]
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 2**53:
        raise EnvelopeError(f"count {_shown(count)} must be the stock count's number, a whole number from 1")
    if not lines or len(lines) > MAX_LINES:
        raise EnvelopeError(f"a count line has 1 to {MAX_LINES} lines, this one has {len(lines)}")
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict) or line.keys() != _COUNT_LINE_KEYS:
            raise EnvelopeError(f"line {number} of a count line must have exactly the keys sku, qty")
        sku = line["sku"]
        if not isinstance(sku, str) or not CODE_RE.match(sku):
            raise EnvelopeError(f"line {number}: sku {_shown(sku)} is not a valid code")
        if sku in seen:
            raise EnvelopeError(f"line {number}: sku {sku} is counted twice in one envelope")
        seen.add(sku)
        qty = line["qty"]
        if not ((type(qty) is int and qty == 0) or qty == "0"):  # nothing found is a count too
            try:
                parse_qty(qty)
            except EnvelopeError as err:
                raise EnvelopeError(f"line {number}: {err}") from err


def _check_opening(env: Mapping[str, Any], total: int) -> None:
    _text(env, "batch", ID_RE)
    items = env["items"]
    if not isinstance(items, list) or not items:
        raise EnvelopeError("an opening needs at least one item in items")
    if len(items) > MAX_LINES:
        raise EnvelopeError(f"an opening has at most {MAX_LINES} items, this one has {len(items)}")
    member = env["member"]
    computed = 0
    for number, item in enumerate(items, start=1):
        what = item.get("what") if isinstance(item, dict) else None
        if not isinstance(what, str) or what not in _OPENING_ITEM_KEYS:
            raise EnvelopeError(f"item {number}: what must be one of {', '.join(OPENING_ITEMS)}")
        if item.keys() != _OPENING_ITEM_KEYS[what]:
            keys = ", ".join(sorted(_OPENING_ITEM_KEYS[what]))
            raise EnvelopeError(f"item {number}: a {what} item has exactly the keys {keys}")
        if (what in _MEMBER_OPENING_ITEMS) != (member is not None):
            whose = "a member's" if what in _MEMBER_OPENING_ITEMS else "the cooperative's, member null"
            raise EnvelopeError(f"item {number}: {what} is {whose}; put it in an opening of its own")
        if what == "savings" and item["product"] not in SAVINGS_PRODUCTS:
            raise EnvelopeError(f"item {number}: product must be one of {', '.join(SAVINGS_PRODUCTS)}")
        if what == "loan" and (not isinstance(item["loan"], str) or not CODE_RE.match(item["loan"])):
            raise EnvelopeError(f"item {number}: loan {_shown(item['loan'])} is not a valid loan id")
        if what == "inventory" and (not isinstance(item["unit"], str) or not CODE_RE.match(item["unit"])):
            raise EnvelopeError(f"item {number}: unit {_shown(item['unit'])} is not a valid unit code")
        computed += _rupiah(item["amount_rp"], f"item {number} amount_rp", allow_zero=False)
    if computed != total or total > MAX_AMOUNT_RP:
        raise EnvelopeError(f"items add up to Rp {computed:,} but total says Rp {total:,}")
