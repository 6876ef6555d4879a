"""The only door from the screens to the rest of the system: ``edge`` (the device), ``sync`` and ``drivers``.

Screens never import those packages. They call a ``Services`` object (through ``kiosk.runner``, on a
worker thread) and get plain frozen dataclasses back, or a ``kiosk.errors.KioskError`` that says
what went wrong and what to do next. Two implementations:

- ``EdgeServices``: a real device directory (``edge.device.Device``), member summaries through
  ``sync.summary.request`` with the device's cached copy as fallback, clerks checked by ``edge``.
- ``DemoServices``: in-memory demo data, for ``--screenshots`` and for trying the screens without a
  device. It follows the same refusals (unknown product, card, credit limit) so the screens look alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final, Protocol

from drivers.receipt import signature_text
from kiosk import errors
from kiosk.model import (
    Cart,
    PointRule,
    Product,
    ShiftFact,
    ShiftSummary,
    estimate_points,
    format_rp,
    point_rules_from_config,
    shift_from_edge,
    summarize_shift,
)
from sync import witness

# Bounds.
SEARCH_LIMIT: Final = 24
PRODUCTS_LIMIT: Final = 60  # one counter grid
RECENT_LIMIT: Final = 10
SUMMARY_TIMEOUT_S: Final = 3.0
MAX_POINTS: Final = Decimal(10) ** 12  # beyond this a figure is not a real point count
SHIFT_SCAN_LIMIT: Final = 5_000  # envelopes read back for the end-of-shift summary

COUNTER_UNITS: Final = ("cafe", "fotokopi", "kiostel")
SAVINGS_ORDER: Final = ("pokok", "wajib", "sukarela", "berjangka", "smsk", "shr")


@dataclass(frozen=True)
class DeviceInfo:
    """Who this kiosk is: cooperative, device id, business unit, branch, the name shown on screen."""

    coop: str
    device: str
    unit: str
    branch: str
    coop_name: str = ""


@dataclass(frozen=True)
class Member:
    """A member as the counter needs them: who, and how much credit is left."""

    number: str
    name: str
    active: bool = True
    credit_limit_rp: int = 0
    credit_used_rp: int = 0


@dataclass(frozen=True)
class Clerk:
    id: str
    name: str


@dataclass(frozen=True)
class Purchase:
    """One recent transaction of a member, as the member screen lists it."""

    id: str
    at: str
    unit: str
    total_rp: int
    payment: str
    kind: str = "sale"
    voided: bool = False

    @property
    def disputable(self) -> bool:
        """Only a sale that is not voided can be called 'not mine' (edge refuses the rest too)."""
        return self.kind == "sale" and not self.voided


@dataclass(frozen=True)
class MemberSummary:
    """A member's figures from central (``ledger.member_summary``), or the device's last copy of them."""

    member: str
    name: str
    as_of: str
    year: int
    points_active: tuple[tuple[str, Decimal], ...]
    points_passive: Decimal
    points_bonus: Decimal
    points_total: Decimal
    savings: tuple[tuple[str, int], ...]
    loan_outstanding_rp: int
    next_installment_rp: int
    next_due: str | None
    credit_used_rp: int
    credit_limit_rp: int
    recent: tuple[Purchase, ...]
    shu_estimate_rp: int
    cached: bool = False


def receipt_signature(envelope: Mapping[str, Any]) -> str:
    """The receipt's short signature: base32 of the first bytes of the envelope's own signature."""
    sig = envelope.get("sig")
    if not isinstance(sig, str):
        return ""
    try:
        return signature_text(base64.b64decode(sig, validate=True))
    except ValueError:
        return ""


@dataclass(frozen=True)
class SaleDone:
    """A sale ``edge`` has committed: what the receipt and the done screen show."""

    id: str
    seq: int
    at: str
    unit: str
    member: str | None
    member_name: str | None
    payment: str
    total_rp: int
    points: Decimal
    lines: tuple[tuple[str, int, int, int], ...]  # name, qty, price_rp, amount_rp
    clerk: str | None = None
    # Base32 of the first bytes of the envelope's Ed25519 signature: printed in the receipt's QR code, and
    # checked by central against the signature it stored (`python -m central verify-receipt`).
    signature: str = ""


@dataclass(frozen=True)
class HandinDone:
    """A shift's cash hand-in the device recorded: what the shift summary expected and what was counted."""

    id: str
    expected_rp: int
    counted_rp: int


@dataclass(frozen=True)
class CountInfo:
    """The stock count (stok opname) the office holds open for this kiosk's unit: clerks may count for it."""

    id: str
    section: str | None
    started: str


@dataclass(frozen=True)
class CountedLine:
    """An item counted on this kiosk for a count: its total so far here (``qty`` as text, e.g. ``8`` or
    ``1.25``), and when it was last counted."""

    sku: str
    name: str
    qty: str
    at: str


@dataclass(frozen=True)
class DeviceStatus:
    """What the status bar shows; ``printer``/``scanner`` are ``ok``, ``paper_out``, ``offline``, ``none``."""

    online: bool
    outbox_depth: int
    last_sync_at: str | None
    printer: str = "none"
    scanner: str = "none"
    refused: int = 0  # transactions central refused (no longer waiting; the office can retry them)
    refused_reason: str = ""  # central's reason for the latest
    revoked: bool = False  # the board revoked this device: central and the broker refuse it
    log_problem: str = ""  # what this device found wrong in central's transparency log (sync.witness)
    count: CountInfo | None = None  # the open stock count of this unit, as central last announced it


def _log_problem(problem: tuple[str, int, int, str, str] | None, lang: str) -> str:
    """The transparency log problem a device witnessed, in the kiosk's language ("" when none)."""
    return "" if problem is None else witness.Problem(*problem).text(lang)


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _dec(value: Any) -> Decimal:
    """A finite number of points, or 0 for anything else (text, infinity, missing)."""
    if value is None or isinstance(value, bool):
        return Decimal(0)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
    return number if number.is_finite() and abs(number) < MAX_POINTS else Decimal(0)


def parse_summary(data: Mapping[str, Any], *, cached: bool) -> MemberSummary:
    """A ``MemberSummary`` from the JSON of docs/contracts.md ("Member summary"); missing parts are 0."""
    points = data.get("points") if isinstance(data.get("points"), Mapping) else {}
    assert isinstance(points, Mapping)
    active = points.get("active") if isinstance(points.get("active"), Mapping) else {}
    assert isinstance(active, Mapping)
    savings = data.get("savings") if isinstance(data.get("savings"), Mapping) else {}
    assert isinstance(savings, Mapping)
    loan = data.get("loan") if isinstance(data.get("loan"), Mapping) else {}
    assert isinstance(loan, Mapping)
    credit = data.get("credit") if isinstance(data.get("credit"), Mapping) else {}
    assert isinstance(credit, Mapping)
    recent_raw = data.get("recent") if isinstance(data.get("recent"), list) else []
    assert isinstance(recent_raw, list)
    ordered_savings = sorted(
        savings.items(), key=lambda kv: SAVINGS_ORDER.index(kv[0]) if kv[0] in SAVINGS_ORDER else 99
    )
    recent = tuple(
        Purchase(
            id=str(item.get("id", "")),
            at=str(item.get("at", "")),
            unit=str(item.get("unit", "")),
            total_rp=_int(item.get("total", item.get("total_rp"))),
            payment=str(item.get("payment", "cash")),
            kind=str(item.get("kind", "sale")),
            voided=item.get("voided") is True,
        )
        for item in recent_raw[:RECENT_LIMIT]
        if isinstance(item, Mapping)
    )
    return MemberSummary(
        member=str(data.get("member", "")),
        name=str(data.get("name", "")),
        as_of=str(data.get("as_of", "")),
        year=_int(data.get("year")),
        points_active=tuple((str(k), _dec(v)) for k, v in active.items()),
        points_passive=_dec(points.get("passive")),
        points_bonus=_dec(points.get("bonus")),
        points_total=_dec(points.get("total")),
        savings=tuple((str(k), _int(v)) for k, v in ordered_savings),
        loan_outstanding_rp=_int(loan.get("outstanding_rp")),
        next_installment_rp=_int(loan.get("next_installment_rp")),
        next_due=str(loan["next_due"]) if loan.get("next_due") else None,
        credit_used_rp=_int(credit.get("used_rp")),
        credit_limit_rp=_int(credit.get("limit_rp")),
        recent=recent,
        shu_estimate_rp=_int(data.get("shu_estimate_rp")),
        cached=cached,
    )


class Services(Protocol):
    """What the screens may ask of the device. Every method may raise ``kiosk.errors.KioskError``."""

    def info(self) -> DeviceInfo: ...
    def product(self, code: str) -> Product: ...
    def search_products(self, text: str) -> list[Product]: ...
    def products(self, unit: str | None) -> list[Product]: ...
    def member_by_card(self, code: str) -> Member: ...
    def member_summary(self, number: str) -> MemberSummary: ...
    def saved_summary(self, number: str) -> MemberSummary | None: ...
    def record_sale(
        self, cart: Cart, member: Member | None, payment: str, clerk: Clerk | None
    ) -> SaleDone: ...
    def record_dispute(self, member: str, ref: str, reason: str) -> str: ...
    def status(self) -> DeviceStatus: ...
    def shift_summary(self, clerk: str, since: str) -> ShiftSummary: ...
    def record_handin(self, clerk: str, counted_rp: int, since: str) -> HandinDone: ...
    def counted(self, count: str) -> list[CountedLine]: ...
    def record_count(self, count: str, code: str, qty: int, clerk: str, add: bool) -> CountedLine: ...
    def clerks(self) -> list[Clerk]: ...
    def check_pin(self, clerk: str, pin: str) -> Clerk: ...
    def point_rules(self) -> dict[str, PointRule]: ...
    def close(self) -> None: ...


def now_text() -> str:
    """The device clock with its UTC offset, as edge stamps transactions."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------------
# Demo data


def _pin_hash(pin: str) -> str:
    return hashlib.sha256(f"demo-kiosk:{pin}".encode()).hexdigest()


DEMO_PRODUCTS: Final = (
    Product("8991234500011", "Beras Pandan Wangi 5 kg", "toko", 72_000, 66_000, 40),
    Product("8991234500028", "Minyak Goreng 1 L", "toko", 17_500, 15_800, 60),
    Product("8991234500035", "Gula Pasir 1 kg", "toko", 16_000, 14_500, 50),
    Product("8991234500042", "Mie Instan Goreng", "toko", 3_500, 2_900, 200),
    Product("8991234500059", "Sabun Mandi", "toko", 4_500, 3_600, 80),
    Product("8991234500066", "Teh Celup isi 25", "toko", 7_000, 5_900, 45),
    Product("8991234500073", "Telur Ayam 1 kg", "toko", 28_000, 25_500, 30),
    Product("8991234500080", "Kopi Bubuk 200 g", "toko", 12_000, 10_200, 35),
    Product("FC-A4-BW", "Fotokopi A4 hitam putih", "fotokopi", 250, 120),
    Product("FC-F4-BW", "Fotokopi F4 hitam putih", "fotokopi", 300, 140),
    Product("FC-A4-CL", "Fotokopi A4 warna", "fotokopi", 1_500, 700),
    Product("FC-F4-CL", "Fotokopi F4 warna", "fotokopi", 2_000, 900),
    Product("FC-PRINT", "Cetak dokumen A4", "fotokopi", 1_000, 300),
    Product("FC-JILID", "Jilid spiral", "fotokopi", 7_000, 3_000),
    Product("FC-LAMI", "Laminating KTP", "fotokopi", 3_000, 1_200),
    Product("FC-SCAN", "Pindai dokumen", "fotokopi", 2_000, 200),
    Product("CF-KOPI", "Kopi tubruk", "cafe", 5_000, 1_800),
    Product("CF-TEH", "Teh manis", "cafe", 4_000, 1_000),
    Product("CF-JERUK", "Es jeruk", "cafe", 6_000, 2_500),
    Product("CF-NASGOR", "Nasi goreng", "cafe", 15_000, 8_000),
    Product("CF-MIE", "Mie rebus telur", "cafe", 10_000, 5_500),
    Product("CF-PISANG", "Pisang goreng", "cafe", 2_000, 900),
    Product("KS-PULSA10", "Pulsa 10.000", "kiostel", 11_500, 10_200),
    Product("KS-PULSA25", "Pulsa 25.000", "kiostel", 26_500, 25_100),
    Product("KS-DATA5", "Paket data 5 GB", "kiostel", 35_000, 32_000),
    Product("KS-TELP", "Telepon lokal per menit", "kiostel", 500, 150),
)

DEMO_CARDS: Final = {
    "KP7Q3M9X2K4D8F": Member("A001", "Siti Rahayu", True, 500_000, 125_000),
    "KP4H8N2R6T1W9Z": Member("A002", "Budi Santoso", True, 300_000, 290_000),
    "KP9C5V7B3M1P2Q": Member("A003", "Wayan Sudarsana", False, 0, 0),
}


def demo_summary(number: str, *, cached: bool = False) -> MemberSummary:
    """A believable member summary for the demo and screenshots."""
    member = next((m for m in DEMO_CARDS.values() if m.number == number), None)
    if member is None:
        raise errors.CardNotRecognised()
    data = {
        "member": member.number,
        "name": member.name,
        "as_of": "2026-11-22T10:00:00+07:00",
        "year": 2026,
        "points": {
            "active": {"toko": "41.25", "cafe": "6.50", "fotokopi": "3.20", "smsk": "12.00"},
            "passive": "30.00",
            "bonus": "1.25",
            "total": "94.20",
        },
        "savings": {"pokok": 100_000, "wajib": 300_000, "sukarela": 450_000, "shr": 120_000},
        "loan": {"outstanding_rp": 1_800_000, "next_installment_rp": 325_000, "next_due": "2026-12-05"},
        "credit": {"used_rp": member.credit_used_rp, "limit_rp": member.credit_limit_rp},
        "recent": [
            {
                "id": "toko-01:000812",
                "at": "2026-11-21T09:14:00+07:00",
                "unit": "toko",
                "total": 89_500,
                "payment": "credit",
            },
            {
                "id": "cafe-01:000377",
                "at": "2026-11-20T12:40:00+07:00",
                "unit": "cafe",
                "total": 19_000,
                "payment": "cash",
            },
            {
                "id": "toko-01:000790",
                "at": "2026-11-18T16:02:00+07:00",
                "unit": "toko",
                "total": 35_000,
                "payment": "cash",
            },
            {
                "id": "fc-01:000120",
                "at": "2026-11-15T10:30:00+07:00",
                "unit": "fotokopi",
                "total": 7_500,
                "payment": "cash",
            },
        ],
        "shu_estimate_rp": 412_350,
    }
    return parse_summary(data, cached=cached)


@dataclass
class DemoServices:
    """In-memory stand-in for a device, with demo data; thread-safe (one lock)."""

    unit: str = "toko"
    online: bool = True
    printer_state: str = "ok"
    coop_name: str = "Koperasi Maju Bersama"
    clerk_pins: Mapping[str, tuple[str, str]] = field(
        default_factory=lambda: {
            "sari": ("Sari Wulandari", _pin_hash("1234")),
            "joko": ("Joko", _pin_hash("5678")),
        }
    )
    sales: list[SaleDone] = field(default_factory=list)
    disputes: list[tuple[str, str, str]] = field(default_factory=list)
    handins: dict[tuple[str, str], HandinDone] = field(default_factory=dict)
    count: CountInfo | None = field(
        default_factory=lambda: CountInfo("3", "rak 1", "2026-11-22T07:00:00+07:00")
    )
    counts: dict[str, CountedLine] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def info(self) -> DeviceInfo:
        return DeviceInfo("kopmaju", f"{self.unit}-01", self.unit, "pusat", self.coop_name)

    def product(self, code: str) -> Product:
        for product in DEMO_PRODUCTS:
            if product.sku == code:
                return product
        raise errors.UnknownProduct(code=code)

    def search_products(self, text: str) -> list[Product]:
        needle = text.strip().lower()
        found = [
            p for p in DEMO_PRODUCTS if p.unit == self.unit and (needle in p.name.lower() or needle == p.sku)
        ]
        return found[:SEARCH_LIMIT]

    def products(self, unit: str | None) -> list[Product]:
        return [p for p in DEMO_PRODUCTS if unit is None or p.unit == unit][:PRODUCTS_LIMIT]

    def member_by_card(self, code: str) -> Member:
        member = DEMO_CARDS.get(code.strip().upper())
        if member is None:
            raise errors.CardNotRecognised()
        return member

    def member_summary(self, number: str) -> MemberSummary:
        return demo_summary(number, cached=not self.online)

    def saved_summary(self, number: str) -> MemberSummary | None:
        return None

    def record_sale(self, cart: Cart, member: Member | None, payment: str, clerk: Clerk | None) -> SaleDone:
        if cart.is_empty():
            raise errors.EmptyCart()
        if payment == "credit":
            if member is None:
                raise errors.CreditNeedsMember()
            available = member.credit_limit_rp - member.credit_used_rp
            if cart.total_rp > available:
                raise errors.CreditLimitExceeded(
                    available=format_rp(max(available, 0)), limit=format_rp(member.credit_limit_rp)
                )
        if member is not None and not member.active:
            raise errors.MemberInactive(name=member.name)
        with self._lock:
            seq = len(self.sales) + 1
            done = SaleDone(
                id=f"{self.info().device}:{seq:06d}",
                seq=seq,
                at=now_text(),
                unit=self.unit,
                member=member.number if member else None,
                member_name=member.name if member else None,
                payment=payment,
                total_rp=cart.total_rp,
                points=estimate_points(cart.lines, self.unit, payment, self.point_rules())
                if member
                else Decimal("0.00"),
                lines=tuple(
                    (ln.product.name, ln.qty, ln.product.price_rp, ln.amount_rp) for ln in cart.lines
                ),
                clerk=clerk.id if clerk else None,
            )
            self.sales.append(done)
        return done

    def record_dispute(self, member: str, ref: str, reason: str) -> str:
        if not any(m.number == member for m in DEMO_CARDS.values()):
            raise errors.DisputeRefused(reason=member)
        with self._lock:
            self.disputes.append((member, ref, reason))
            return f"dispute-{len(self.disputes)}"

    def status(self) -> DeviceStatus:
        return DeviceStatus(
            online=self.online,
            outbox_depth=0 if self.online else len(self.sales) + 3,
            last_sync_at="2026-11-22T10:02:00+07:00",
            printer=self.printer_state,
            scanner="ok",
            count=self.count,
        )

    def counted(self, count: str) -> list[CountedLine]:
        with self._lock:
            return sorted(self.counts.values(), key=lambda line: line.at, reverse=True)

    def record_count(self, count: str, code: str, qty: int, clerk: str, add: bool) -> CountedLine:
        product = self.product(code)
        with self._lock:
            if self.count is None or self.count.id != count:
                raise errors.CountClosed(count=count)
            if product.unit != self.unit:
                raise errors.NotCountedHere(name=product.name)
            held = self.counts.get(product.sku)
            total = (int(held.qty) if held is not None and add else 0) + qty
            line = CountedLine(product.sku, product.name, str(total), now_text())
            self.counts[product.sku] = line
            return line

    def shift_summary(self, clerk: str, since: str) -> ShiftSummary:
        with self._lock:
            facts = [
                ShiftFact("sale", s.payment, s.total_rp)
                for s in self.sales
                if s.clerk == clerk and s.at >= since
            ]
        return summarize_shift(since, facts)

    def record_handin(self, clerk: str, counted_rp: int, since: str) -> HandinDone:
        expected = self.shift_summary(clerk, since).cash_expected_rp
        with self._lock:
            if (clerk, since) in self.handins:
                raise errors.HandinTwice()
            done = HandinDone(f"handin-{len(self.handins) + 1}", expected, counted_rp)
            self.handins[(clerk, since)] = done
        return done

    def clerks(self) -> list[Clerk]:
        return [Clerk(clerk_id, name) for clerk_id, (name, _) in sorted(self.clerk_pins.items())]

    def check_pin(self, clerk: str, pin: str) -> Clerk:
        entry = self.clerk_pins.get(clerk)
        if entry is None or not hmac.compare_digest(entry[1], _pin_hash(pin)):
            raise errors.WrongPin()
        return Clerk(clerk, entry[0])

    def point_rules(self) -> dict[str, PointRule]:
        return point_rules_from_config(None)

    def close(self) -> None:
        return None


def device_dir_problem(directory: Path) -> str | None:
    """Why ``directory`` cannot be a device directory, or None when it looks like one."""
    if not directory.exists():
        return f"{directory} does not exist"
    if not directory.is_dir():
        return f"{directory} is not a directory"
    if not (directory / "device.toml").exists():
        return f"{directory} has no device.toml (set the device up with: python -m edge init)"
    return None


# --------------------------------------------------------------------------------------------------
# A real device directory


def _edge_text(err: Exception, lang: str) -> str:
    message = getattr(err, "message", None)
    return str(message(lang)) if callable(message) else str(err)


class EdgeServices:
    """``Services`` over a device directory: ``edge.device.Device`` plus ``sync.summary`` for members.

    Open one per worker thread. ``edge`` errors become ``kiosk.errors`` here, with ``raise ... from``.
    """

    def __init__(
        self,
        directory: Path,
        *,
        lang: str = "id",
        summary_timeout_s: float = SUMMARY_TIMEOUT_S,
        ask_central: bool = True,
    ) -> None:
        from edge.device import Device
        from edge.errors import EdgeError

        self.directory = Path(directory)
        self.lang = lang
        self.summary_timeout_s = summary_timeout_s
        self.ask_central = ask_central
        try:
            self.dev = Device.open(self.directory)
        except EdgeError as err:
            raise errors.ConfigError(reason=_edge_text(err, lang)) from err
        self._products: dict[str, Product] = {}

    def close(self) -> None:
        self.dev.close()

    def info(self) -> DeviceInfo:
        s = self.dev.settings
        name = self.dev.config().get("name") or ""
        return DeviceInfo(s.coop, s.device, s.unit, s.branch, str(name))

    @staticmethod
    def _product(item: Any) -> Product:
        stock = None if item.stock is None else int(item.stock)
        return Product(item.sku, item.name, item.unit, int(item.price_rp), int(item.cost_rp), stock)

    def product(self, code: str) -> Product:
        item = self.dev.product(code)
        if item is None:
            raise errors.UnknownProduct(code=code)
        return self._product(item)

    def search_products(self, text: str) -> list[Product]:
        found = self.dev.search_products(text, unit=self.dev.settings.unit, limit=SEARCH_LIMIT)
        return [self._product(p) for p in found]

    def products(self, unit: str | None) -> list[Product]:
        return [self._product(p) for p in self.dev.products(unit)[:PRODUCTS_LIMIT]]

    def _member(self, item: Any) -> Member:
        available = item.credit_limit_rp - item.credit_used_rp
        if item.active:
            available = self.dev.credit_available_rp(item.number)
        # Credit left as edge counts it (this device's unsynced credit included).
        return Member(
            item.number,
            item.name,
            bool(item.active),
            int(item.credit_limit_rp),
            int(item.credit_limit_rp) - int(available),
        )

    def member_by_card(self, code: str) -> Member:
        item = self.dev.member_by_card(code.strip().upper())
        if item is None:
            raise errors.CardNotRecognised()
        return self._member(item)

    def member_summary(self, number: str) -> MemberSummary:
        """Central's answer when it comes within the timeout, else the device's last copy, else refuse."""
        if self.ask_central:
            from sync import summary
            from sync.errors import SyncError

            try:
                answer = summary.request(
                    self.directory, number, timeout_s=self.summary_timeout_s, device=self.dev
                )
            except SyncError:
                answer = None
            except OSError:
                answer = None
            if answer is not None:
                parsed = parse_summary(answer, cached=False)
                if parsed.member == number:
                    return self._with_local_voids(parsed)
        saved = self.saved_summary(number)
        if saved is None:
            raise errors.SummaryUnavailable()
        return saved

    def saved_summary(self, number: str) -> MemberSummary | None:
        """The device's last copy of ``number``'s summary (shown at once while central is asked)."""
        saved = self.dev.member_summary(number)
        if saved is None or saved.get("member") != number:
            return None
        return self._with_local_voids(parse_summary(saved, cached=True))

    def _with_local_voids(self, summary: MemberSummary) -> MemberSummary:
        """Sales this device voided since (central's copy may predate the void) are marked voided."""
        voided = self.dev.voided_refs([p.id for p in summary.recent if p.kind == "sale" and not p.voided])
        if not voided:
            return summary
        recent = tuple(replace(p, voided=True) if p.id in voided else p for p in summary.recent)
        return replace(summary, recent=recent)

    def record_sale(self, cart: Cart, member: Member | None, payment: str, clerk: Clerk | None) -> SaleDone:
        from edge import errors as edge_errors

        if cart.is_empty():
            raise errors.EmptyCart()
        if payment == "credit" and member is None:
            raise errors.CreditNeedsMember()
        try:
            rec = self.dev.record_sale(
                cart.as_sale_lines(),
                member=member.number if member else None,
                payment=payment,
                clerk=clerk.id if clerk else None,
            )
        except edge_errors.CreditLimitExceeded as err:
            raise errors.CreditLimitExceeded(
                available=format_rp(max(err.available_rp, 0), self.lang),
                limit=format_rp(err.limit_rp, self.lang),
            ) from err
        except edge_errors.UnknownProduct as err:
            raise errors.UnknownProduct(code=err.sku) from err
        except edge_errors.OutOfStock as err:
            name = next((ln.product.name for ln in cart.lines if ln.product.sku == err.sku), err.sku)
            raise errors.OutOfStock(name=name) from err
        except edge_errors.InactiveMember as err:
            raise errors.MemberInactive(name=member.name if member else "") from err
        except edge_errors.CreditNeedsMember as err:
            raise errors.CreditNeedsMember() from err
        except edge_errors.EdgeError as err:
            raise errors.SaleRefused(reason=_edge_text(err, self.lang)) from err
        rules = self.point_rules()
        return SaleDone(
            id=rec.id,
            seq=rec.seq,
            at=rec.at,
            unit=self.dev.settings.unit,
            member=rec.member,
            member_name=member.name if member else None,
            payment=rec.payment,
            total_rp=rec.total_rp,
            points=estimate_points(cart.lines, self.dev.settings.unit, payment, rules)
            if member
            else Decimal("0.00"),
            lines=tuple((ln.product.name, ln.qty, ln.product.price_rp, ln.amount_rp) for ln in cart.lines),
            clerk=clerk.id if clerk else None,
            signature=receipt_signature(rec.envelope),
        )

    def record_dispute(self, member: str, ref: str, reason: str) -> str:
        from edge.errors import EdgeError

        try:
            return str(self.dev.record_dispute(member, ref, reason).id)
        except EdgeError as err:
            raise errors.DisputeRefused(reason=_edge_text(err, self.lang)) from err

    def status(self) -> DeviceStatus:
        s = self.dev.status()
        return DeviceStatus(
            online=bool(s.connected),
            outbox_depth=int(s.outbox_depth),
            last_sync_at=s.last_sync_at or s.last_ack_at,
            refused=int(getattr(s, "refused", 0)),
            refused_reason=str(s.refused_latest[0][1]) if getattr(s, "refused_latest", ()) else "",
            revoked=bool(getattr(s, "revoked", False)),
            log_problem=_log_problem(getattr(s, "witness_problem", None), self.lang),
            count=self._count(),
        )

    def _count(self) -> CountInfo | None:
        found = self.dev.open_count()
        return None if found is None else CountInfo(found.id, found.section, found.started)

    def counted(self, count: str) -> list[CountedLine]:
        from edge.rules import from_milli

        lines = []
        for sku, milli, at in self.dev.counted(count):
            item = self.dev.product(sku)
            lines.append(CountedLine(sku, item.name if item else sku, str(from_milli(milli)), at))
        return lines

    def record_count(self, count: str, code: str, qty: int, clerk: str, add: bool) -> CountedLine:
        from edge.errors import EdgeError, NoOpenCount, UnknownProduct, WrongUnit
        from edge.rules import from_milli

        try:
            rec, total = self.dev.record_count(count, code, qty, clerk, add=add)
        except NoOpenCount as err:
            raise errors.CountClosed(count=count) from err
        except UnknownProduct as err:
            raise errors.UnknownCountItem(code=code) from err
        except WrongUnit as err:
            item = self.dev.product(code)
            raise errors.NotCountedHere(name=item.name if item else code) from err
        except EdgeError as err:
            raise errors.CountRefused(reason=_edge_text(err, self.lang)) from err
        item = self.dev.product(code)
        return CountedLine(code, item.name if item else code, str(from_milli(total)), rec.at)

    def shift_summary(self, clerk: str, since: str) -> ShiftSummary:
        from edge.errors import EdgeError

        try:
            s = self.dev.shift_summary(clerk, since)
        except EdgeError as err:
            raise errors.SaleRefused(reason=_edge_text(err, self.lang)) from err
        return shift_from_edge(s)

    def record_handin(self, clerk: str, counted_rp: int, since: str) -> HandinDone:
        from edge.errors import EdgeError, HandinAlreadyRecorded

        try:
            rec = self.dev.record_handin(clerk, counted_rp, since)
        except HandinAlreadyRecorded as err:
            raise errors.HandinTwice() from err
        except EdgeError as err:
            raise errors.HandinRefused(reason=_edge_text(err, self.lang)) from err
        return HandinDone(rec.id, int(rec.envelope["expected_rp"]), int(rec.envelope["counted_rp"]))

    def clerks(self) -> list[Clerk]:
        return [Clerk(c.id, c.name) for c in self.dev.clerks() if c.active]

    def check_pin(self, clerk: str, pin: str) -> Clerk:
        if not pin or not self.dev.check_pin(clerk, pin):
            raise errors.WrongPin()
        name = next((c.name for c in self.dev.clerks() if c.id == clerk), clerk)
        return Clerk(clerk, name)

    def point_rules(self) -> dict[str, PointRule]:
        return point_rules_from_config(self.dev.config().get("point_rules"))
