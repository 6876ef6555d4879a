"""Pure rules of the device: pricing a sale from the catalog, the offline credit check, the offline
savings balance for a withdrawal, downlink versioning and item shapes, and the shift summary. Plain data
in, plain data out; no database or clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from edge.errors import (
    CreditLimitExceeded,
    CreditNeedsMember,
    EmptySale,
    InactiveMember,
    InvalidDownlink,
    InvalidInput,
    InvalidQuantity,
    OutOfStock,
    UnknownProduct,
    WrongUnit,
)
from sync.envelope import (
    CODE_RE,
    MAX_AMOUNT_RP,
    MAX_LINES,
    MAX_TEXT_CHARS,
    EnvelopeError,
    line_amount_rp,
    parse_qty,
)

MILLI: Final = 1000
DOWNLINK_NAMES: Final = ("catalog", "members", "config", "clerks", "counts")
MAX_DOWNLINK_ITEMS: Final = 100_000


@dataclass(frozen=True)
class Product:
    """One catalog item; ``stock`` is None when the item's stock is not tracked (services)."""

    sku: str
    name: str
    unit: str
    price_rp: int
    cost_rp: int
    stock: Decimal | None


@dataclass(frozen=True)
class Member:
    """One member as the device's cache knows them (from central's last members snapshot)."""

    number: str
    name: str
    card_code: str | None
    role: str
    active: bool
    credit_limit_rp: int
    credit_used_rp: int


@dataclass(frozen=True)
class PricedSale:
    """A sale priced from the catalog: envelope lines, total, and stock to take per sku (thousandths)."""

    lines: tuple[dict[str, Any], ...]
    total_rp: int
    stock_take_milli: tuple[tuple[str, int], ...]


def qty_value(sku: str, qty: object) -> Decimal:
    """A quantity as an exact Decimal, or ``InvalidQuantity``."""
    if isinstance(qty, Decimal):
        qty = qty_wire(qty)
    try:
        return parse_qty(qty)
    except EnvelopeError as err:
        raise InvalidQuantity(sku, qty) from err


def qty_wire(qty: Decimal) -> int | str:
    """A quantity as the envelope carries it: an int when whole, else a decimal string like ``1.25``."""
    if qty == qty.to_integral_value():
        return int(qty)
    return format(qty.normalize(), "f")


def to_milli(qty: Decimal) -> int:
    """Thousandths of a quantity (quantities have at most 3 decimals, so this is exact)."""
    milli = qty * MILLI
    assert milli == milli.to_integral_value(), qty
    return int(milli)


def from_milli(milli: int) -> Decimal:
    """The quantity of ``milli`` thousandths, without trailing zeros beyond what is needed."""
    value = Decimal(milli) / MILLI
    return value.quantize(Decimal(1)) if milli % MILLI == 0 else value.normalize()


def price_sale(
    requested: Sequence[tuple[str, object]], catalog: Mapping[str, Product], unit: str
) -> PricedSale:
    """Price ``requested`` (sku, qty) lines from ``catalog``, refusing unknown items, other units'
    items and quantities beyond tracked stock (repeated skus count together)."""
    if not requested:
        raise EmptySale()
    if len(requested) > MAX_LINES:
        raise InvalidInput(
            f"satu penjualan paling banyak {MAX_LINES} baris, ini {len(requested)}; bagi menjadi dua",
            f"a sale has at most {MAX_LINES} lines, this one has {len(requested)}; split it in two",
        )
    lines: list[dict[str, Any]] = []
    take: dict[str, int] = {}
    total = 0
    for sku, raw_qty in requested:
        product = catalog.get(sku)
        if product is None:
            raise UnknownProduct(sku)
        if product.unit != unit:
            raise WrongUnit(sku, product.unit, unit)
        qty = qty_value(sku, raw_qty)
        line = {"sku": sku, "qty": qty_wire(qty), "price_rp": product.price_rp, "cost_rp": product.cost_rp}
        total += line_amount_rp(line)
        lines.append(line)
        take[sku] = take.get(sku, 0) + to_milli(qty)
    for sku, milli in take.items():
        stock = catalog[sku].stock
        if stock is not None and to_milli(stock) < milli:
            raise OutOfStock(sku, from_milli(milli), stock)
    if total > MAX_AMOUNT_RP:
        raise InvalidInput(
            f"total {total} melebihi batas Rp {MAX_AMOUNT_RP:,} per transaksi; periksa jumlahnya",
            f"total {total} exceeds the limit of Rp {MAX_AMOUNT_RP:,} per transaction; check the quantities",
        )
    return PricedSale(tuple(lines), total, tuple(sorted(take.items())))


def credit_available_rp(member: Member, pending_rp: int) -> int:
    """What a member may still buy on credit at this device: limit - used - this device's pending credit."""
    return member.credit_limit_rp - member.credit_used_rp - pending_rp


def check_member(member: Member) -> None:
    """Refuse a transaction in the name of an inactive member."""
    if not member.active:
        raise InactiveMember(member.number)


def check_credit(member: Member | None, total_rp: int, pending_rp: int) -> None:
    """Refuse a credit sale of ``total_rp`` the member's conservative offline limit does not cover."""
    if member is None:
        raise CreditNeedsMember()
    if total_rp > credit_available_rp(member, pending_rp):
        raise CreditLimitExceeded(
            member.number, total_rp, member.credit_limit_rp, member.credit_used_rp, pending_rp
        )


# ---- downlink -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Downlink:
    """A parsed downlink payload (docs/contracts.md, "Downlink payloads")."""

    name: str
    kind: str
    version: int
    base: int | None
    items: tuple[Mapping[str, Any], ...]
    delete: tuple[str, ...] = field(default_factory=tuple)
    # Optional: for each device, the highest seq whose envelopes the payload already reflects (credit
    # used, stock). Without it the device assumes what it had acknowledged when the payload arrived.
    reflects: Mapping[str, int] | None = None


def reflected_seq(downlink: Downlink, device: str, last_ack_seq: int, last_seq: int) -> int:
    """Up to which of this device's seqs the payload's credit/stock figures already count."""
    if downlink.reflects is None:
        return last_ack_seq
    return min(downlink.reflects.get(device, 0), last_seq)


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_downlink(name: str, payload: Mapping[str, Any]) -> Downlink:
    """Check the envelope of a downlink payload; item shapes are checked by ``*_item`` below."""
    if not isinstance(payload, Mapping):
        raise InvalidDownlink(name, "payload is not a JSON object")
    if payload.get("name", name) != name:
        raise InvalidDownlink(name, f"payload says name {payload.get('name')!r}, topic says {name!r}")
    kind = payload.get("kind")
    if kind not in ("snapshot", "delta"):
        raise InvalidDownlink(name, f"kind {kind!r} must be 'snapshot' or 'delta'")
    version = payload.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidDownlink(name, f"version {version!r} must be a whole number from 1")
    base = payload.get("base")
    if kind == "delta" and (not isinstance(base, int) or isinstance(base, bool) or base < 0):
        raise InvalidDownlink(name, f"a delta needs a whole-number base, got {base!r}")
    items = payload.get("items", [])
    delete = payload.get("delete", [])
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise InvalidDownlink(name, "items must be a list of objects")
    if not isinstance(delete, list) or not all(isinstance(k, str) for k in delete):
        raise InvalidDownlink(name, "delete must be a list of keys")
    if len(items) + len(delete) > MAX_DOWNLINK_ITEMS:
        raise InvalidDownlink(name, f"more than {MAX_DOWNLINK_ITEMS} items")
    reflects = payload.get("reflects")
    if reflects is not None and (
        not isinstance(reflects, Mapping)
        or not all(isinstance(k, str) and _int(v) and v >= 0 for k, v in reflects.items())
    ):
        raise InvalidDownlink(name, "reflects must map device ids to whole seq numbers")
    return Downlink(
        name,
        kind,
        version,
        base if kind == "delta" else None,
        tuple(items),
        tuple(delete),
        None if reflects is None else dict(reflects),
    )


def downlink_applies(downlink: Downlink, current_version: int) -> bool:
    """A snapshot newer than ours applies; a delta applies only on top of exactly our version."""
    if downlink.kind == "snapshot":
        return downlink.version > current_version
    return downlink.base == current_version and downlink.version > current_version


def _code(name: str, item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not CODE_RE.match(value):
        raise InvalidDownlink(name, f"{key} {value!r} is not a valid code")
    return value


def _rp(name: str, item: Mapping[str, Any], key: str) -> int:
    value = item.get(key, 0)
    if not _int(value) or value < 0 or value > MAX_AMOUNT_RP:
        raise InvalidDownlink(
            name, f"{key} {value!r} of {item.get('sku') or item.get('number')!r} must be whole rupiah >= 0"
        )
    return int(value)


def catalog_item(item: Mapping[str, Any]) -> Product:
    """A catalog item from central as a ``Product``."""
    sku = _code("catalog", item, "sku")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidDownlink("catalog", f"product {sku!r} has no name")
    stock_raw = item.get("stock")
    stock: Decimal | None
    if stock_raw is None:
        stock = None
    elif _int(stock_raw) or isinstance(stock_raw, str):
        try:
            stock = Decimal(stock_raw)
        except ArithmeticError as err:
            raise InvalidDownlink("catalog", f"stock {stock_raw!r} of {sku!r} is not a number") from err
        if not stock.is_finite() or stock * MILLI != (stock * MILLI).to_integral_value():
            raise InvalidDownlink("catalog", f"stock {stock_raw!r} of {sku!r} has more than 3 decimals")
    else:
        raise InvalidDownlink("catalog", f"stock {stock_raw!r} of {sku!r} must be a number or null")
    return Product(
        sku,
        name.strip(),
        _code("catalog", item, "unit"),
        _rp("catalog", item, "price_rp"),
        _rp("catalog", item, "cost_rp"),
        stock,
    )


def member_item(item: Mapping[str, Any]) -> Member:
    """A members item from central as a ``Member``."""
    number = _code("members", item, "number")
    name = item.get("name")
    if not isinstance(name, str):
        raise InvalidDownlink("members", f"member {number!r} has no name")
    card = item.get("card_code")
    if card is not None and not isinstance(card, str):
        raise InvalidDownlink("members", f"card_code of {number!r} must be text or null")
    role = item.get("role") or "anggota"
    if not isinstance(role, str):
        raise InvalidDownlink("members", f"role of {number!r} must be text")
    active = item.get("active", True)
    if not isinstance(active, bool):
        raise InvalidDownlink("members", f"active of {number!r} must be true or false")
    return Member(
        number,
        name,
        card or None,
        role,
        active,
        _rp("members", item, "credit_limit_rp"),
        _rp("members", item, "credit_used_rp"),
    )


def config_item(item: Mapping[str, Any]) -> tuple[str, Any]:
    """A config item as (key, value)."""
    key = item.get("key")
    if not isinstance(key, str) or not key:
        raise InvalidDownlink("config", f"key {key!r} must be non-empty text")
    return key, item.get("value")


@dataclass(frozen=True)
class Clerk:
    """A clerk who may open a shift at the counter; ``pin_hash`` is from ``edge.pins.hash_pin``."""

    id: str
    name: str
    pin_hash: str
    active: bool = True


def clerk_item(item: Mapping[str, Any]) -> Clerk:
    """A clerks item from central as a ``Clerk``."""
    clerk_id = _code("clerks", item, "id")
    name = item.get("name")
    pin_hash = item.get("pin_hash")
    active = item.get("active", True)
    if not isinstance(name, str) or not isinstance(pin_hash, str) or not pin_hash.startswith("scrypt$"):
        raise InvalidDownlink("clerks", f"clerk {clerk_id!r} needs a name and a scrypt pin_hash")
    if not isinstance(active, bool):
        raise InvalidDownlink("clerks", f"active of {clerk_id!r} must be true or false")
    return Clerk(clerk_id, name, pin_hash, active)


@dataclass(frozen=True)
class OpenCount:
    """A stock count (stok opname) the office started and keeps open: the devices of its unit may count
    for it. ``id`` is central's count number as text (the downlink's key)."""

    id: str
    unit: str
    section: str | None
    started: str


def count_item(item: Mapping[str, Any]) -> OpenCount:
    """A counts item from central (docs/contracts.md) as an ``OpenCount``."""
    count_id = item.get("id")
    if not isinstance(count_id, str) or not count_id.isdigit() or not 0 < int(count_id) <= 2**53:
        raise InvalidDownlink("counts", f"id {count_id!r} must be a count number as text, e.g. '3'")
    unit = _code("counts", item, "unit")
    section = item.get("section")
    if section is not None and (not isinstance(section, str) or len(section) > MAX_TEXT_CHARS):
        raise InvalidDownlink("counts", f"section of count {count_id} must be text or null")
    started = item.get("started")
    if not isinstance(started, str) or len(started) > 40:
        raise InvalidDownlink("counts", f"started of count {count_id} must be an ISO date-time")
    return OpenCount(count_id, unit, section, started)


def count_line_body(unit: str, count: OpenCount, sku: str, total_milli: int) -> dict[str, Any]:
    """The body of a ``count_line`` envelope: the item's total counted so far on this device
    (``sync.envelope``: member null, payment cash, total 0; the clerk is added by the device)."""
    if count.unit != unit:
        raise InvalidInput(
            f"stok opname {count.id} untuk unit {count.unit}, perangkat ini unit {unit}",
            f"count {count.id} is of unit {count.unit}, this device is of unit {unit}",
        )
    return {
        "unit": unit,
        "kind": "count_line",
        "member": None,
        "payment": "cash",
        "lines": [{"sku": sku, "qty": qty_wire(from_milli(total_milli))}],
        "total": 0,
        "count": int(count.id),
    }


# ---- shift summary --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxFact:
    """What the shift summary needs of one recorded transaction (for a void, the kind it voids)."""

    kind: str
    payment: str
    total_rp: int
    ref_kind: str | None = None


@dataclass(frozen=True)
class ShiftSummary:
    """A clerk's shift: sales by payment method, voids, other cash taken and paid out, and the cash to
    hand in. ``voids_*`` are voids of money taken in (sales, deposits, installments: given back);
    ``withdrawals_rp`` is savings paid out, less withdrawals voided (their cash came back)."""

    clerk: str
    since: str
    sales_count: int
    sales_rp: Mapping[str, int]
    voids_count: int
    voids_rp: Mapping[str, int]
    deposits_rp: int
    installments_rp: int
    withdrawals_rp: int
    cash_expected_rp: int


def shift_summary(clerk: str, since: str, facts: Iterable[OutboxFact]) -> ShiftSummary:
    """Add up a clerk's transactions; cash expected = cash sales + deposits + installments - withdrawals
    - cash voids, where a void of a withdrawal puts its cash back (it lowers the withdrawals)."""
    sales = {"cash": 0, "credit": 0}
    voids = {"cash": 0, "credit": 0}
    sales_count = voids_count = deposits = installments = withdrawals = 0
    for fact in facts:
        if fact.kind == "sale":
            sales_count += 1
            sales[fact.payment] += fact.total_rp
        elif fact.kind == "void" and fact.ref_kind == "savings_withdrawal":
            withdrawals -= fact.total_rp
        elif fact.kind == "void":
            voids_count += 1
            voids[fact.payment] += fact.total_rp
        elif fact.kind == "savings_deposit":
            deposits += fact.total_rp
        elif fact.kind == "installment":
            installments += fact.total_rp
        elif fact.kind == "savings_withdrawal":
            withdrawals += fact.total_rp
    cash = sales["cash"] + deposits + installments - withdrawals - voids["cash"]
    return ShiftSummary(
        clerk, since, sales_count, sales, voids_count, voids, deposits, installments, withdrawals, cash
    )


def handin_body(
    unit: str, clerk: str, period: tuple[str, str], summary: ShiftSummary, counted_rp: int
) -> dict[str, Any]:
    """The body of a ``handin`` envelope: the clerk's cash counted at shift close beside what the shift
    summary expects (``sync.envelope``: total = counted, no lines, member null)."""
    if (
        isinstance(counted_rp, bool)
        or not isinstance(counted_rp, int)
        or not 0 <= counted_rp <= MAX_AMOUNT_RP
    ):
        raise InvalidInput(
            f"uang yang dihitung harus bilangan bulat rupiah dari 0 sampai {MAX_AMOUNT_RP:,}, "
            f"bukan {counted_rp!r}",
            f"the cash counted must be whole rupiah from 0 to {MAX_AMOUNT_RP:,}, not {counted_rp!r}",
        )
    start, end = period
    return {
        "unit": unit,
        "kind": "handin",
        "member": None,
        "payment": "cash",
        "lines": [],
        "total": counted_rp,
        "from": start,
        "to": end,
        "expected_rp": summary.cash_expected_rp,
        "counted_rp": counted_rp,
    }


# ---- savings withdrawal ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SavingsMove:
    """One change this device recorded to a member's savings product, as the offline balance sees it:
    ``change_rp`` is + for a deposit (or a void of a withdrawal) and - for a withdrawal (or a void of a
    deposit); ``surely_new`` when it was recorded after central's summary was saved, so the summary cannot
    hold it. A move not surely new may or may not be in the summary (central had not confirmed it then)."""

    change_rp: int
    surely_new: bool


def savings_known_rp(summary_rp: int, moves: Iterable[SavingsMove]) -> int:
    """The balance a device may pay out against: central's summary, plus money in that the summary
    surely lacks, less every money out that it may lack. Counting doubtful money out twice and doubtful
    money in not at all errs on the till's side; central re-checks against the ledger anyway."""
    known = summary_rp
    for move in moves:
        if move.change_rp < 0 or move.surely_new:
            known += move.change_rp
    return known
