"""Sample data for demos, benchmarks and tests: members with Indonesian names, products of every unit,
devices with deterministic keys, and a period of realistic, valid, signed envelopes.

Everything is derived from ``seed``: the same seed gives byte-identical output.
"""

from __future__ import annotations

import calendar
import hashlib
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central.members.rows import MemberRow, ProductRow
from sync import envelope as wire

TIMEZONE: Final = ZoneInfo("Asia/Jakarta")
BRANCH: Final = "pusat"
MAX_DAYS: Final = 366 * 2
FIRST_NAMES: Final = (
    "Budi", "Siti", "Agus", "Dewi", "Rudi", "Sri", "Joko", "Wati", "Hendra", "Yuni", "Bambang", "Rina",
    "Eko", "Lestari", "Andi", "Nur", "Ahmad", "Fitri", "Dedi", "Ratna", "Slamet", "Endang", "Wahyu", "Indah",
    "Yusuf", "Ani", "Hadi", "Kartini", "Teguh", "Sari", "Iwan", "Putri",
)  # fmt: skip
LAST_NAMES: Final = (
    "Santoso", "Rahayu", "Wijaya", "Setiawan", "Hidayat", "Kusuma", "Pratama", "Susanti", "Nugroho",
    "Purnomo", "Saputra", "Lubis", "Siregar", "Simanjuntak", "Harahap", "Nasution", "Sembiring", "Tanjung",
    "Wibowo", "Gunawan", "Permana", "Hasibuan",
)  # fmt: skip
TOKO_ITEMS: Final = (
    ("Beras Pandan Wangi 5 kg", 72000, 65000), ("Gula Pasir 1 kg", 17500, 15500),
    ("Minyak Goreng 2 L", 36000, 32500), ("Telur Ayam 1 kg", 29000, 26000), ("Mi Instan Goreng", 3500, 2900),
    ("Kopi Bubuk 200 g", 15000, 12500), ("Teh Celup isi 25", 7000, 5800), ("Sabun Mandi", 4500, 3700),
    ("Pasta Gigi 190 g", 14000, 11800), ("Deterjen 800 g", 22000, 19000), ("Susu Kental Manis", 12500, 10800),
    ("Kecap Manis 520 ml", 23000, 20000), ("Garam Dapur 500 g", 4000, 3100),
    ("Tepung Terigu 1 kg", 13000, 11000),
    ("Sampo Sachet", 1000, 750), ("Air Mineral 600 ml", 4000, 3000), ("Biskuit Kelapa", 9500, 8000),
    ("Sarden Kaleng", 21000, 18200), ("Buku Tulis 38 lbr", 4500, 3600), ("Pulpen Hitam", 3000, 2200),
)  # fmt: skip
CAFE_ITEMS: Final = (
    ("CF-KOPI", "Kopi Hitam", 5000, 2000), ("CF-KOPSU", "Kopi Susu", 8000, 3500),
    ("CF-TEH", "Teh Manis", 4000, 1500), ("CF-ESTEH", "Es Teh Manis", 5000, 1800),
    ("CF-JERUK", "Es Jeruk", 7000, 3000), ("CF-GORENG", "Pisang Goreng", 2000, 900),
    ("CF-NASGOR", "Nasi Goreng", 15000, 8000), ("CF-MIEREB", "Mi Rebus Telur", 10000, 5000),
)  # fmt: skip
FOTOKOPI_ITEMS: Final = (
    ("FC-A4", "Fotokopi A4 hitam putih", 250, 120), ("FC-F4", "Fotokopi F4 hitam putih", 300, 140),
    ("FC-A4-WARNA", "Fotokopi A4 warna", 2000, 900), ("FC-JILID", "Jilid spiral", 7000, 3500),
)  # fmt: skip
KIOSTEL_ITEMS: Final = (
    ("PULSA-10K", "Pulsa 10.000", 12000, 10200), ("PULSA-25K", "Pulsa 25.000", 27000, 25100),
    ("PULSA-50K", "Pulsa 50.000", 52000, 50000), ("DATA-5GB", "Paket data 5 GB", 35000, 31000),
)  # fmt: skip
ISI_ULANG_ITEMS: Final = (("GALON-19L", "Isi ulang air galon 19 L", 6000, 2500),)
# device id, unit
DEVICES: Final = (
    ("toko-01", "toko"),
    ("toko-02", "toko"),
    ("cafe-01", "cafe"),
    ("fotokopi-01", "fotokopi"),
    ("kiostel-01", "kiostel"),
    ("isiulang-01", "isi-ulang"),
    ("sp-01", "simpan-pinjam"),
    ("gudang-01", "toko"),
)
# The central office's warehouse: it records the stock purchases of every selling unit and sells nothing.
WAREHOUSE: Final = "gudang-01"
# Stock purchases (``generate(purchases=True)``): an opening purchase per selling unit of about this many
# weeks of expected sales, then every PURCHASE_EVERY_DAYS days a purchase replacing what was sold since.
# A period continuing an earlier one (the warehouse's chain in ``state``) buys no opening stock: its first
# day buys back what was sold since the earlier period's last purchase (``SampleState.unbought``).
OPENING_STOCK_WEEKS: Final = 3
PURCHASE_EVERY_DAYS: Final = 7
PURCHASE_CREDIT_SHARE: Final = 0.4  # share of purchases bought on credit (owed to the supplier)
SUPPLIERS: Final = {
    "toko": ("CV Sumber Rejeki", "UD Tani Makmur", "PT Distribusi Nusantara"),
    "cafe": ("Toko Bahan Kue Lestari", "Pasar Induk - Bu Sumi"),
    "fotokopi": ("CV Kertas Jaya",),
    "kiostel": ("Agen Pulsa Mandiri",),
    "isi-ulang": ("Depot Air Pegunungan",),
}
POKOK_RP: Final = 100_000
WAJIB_RP: Final = 50_000


@dataclass(frozen=True)
class SampleDevice:
    """A sample device and its deterministic signing key."""

    device: str
    unit: str
    branch: str
    key: Ed25519PrivateKey

    @property
    def public_key_b64(self) -> str:
        return wire.public_key_text(self.key.public_key())


@dataclass(frozen=True)
class SampleData:
    """Members, products, devices and envelopes (in each device's seq order, interleaved by time)."""

    members: tuple[MemberRow, ...]
    products: tuple[ProductRow, ...]
    devices: tuple[SampleDevice, ...]
    envelopes: tuple[dict[str, Any], ...]


def ean13(body12: str) -> str:
    """An EAN-13 code: 12 digits plus their check digit."""
    assert len(body12) == 12 and body12.isdigit()
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def month_end(first: date) -> date:
    """The last day of ``first``'s month."""
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def device_key(seed: int, device: str) -> Ed25519PrivateKey:
    """The deterministic sample key of ``device`` (never use sample keys for real devices)."""
    raw = hashlib.sha256(f"kop-sample:{seed}:{device}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(raw)


def sample_members(count: int, seed: int) -> tuple[MemberRow, ...]:
    """``count`` members with Indonesian names; the first ones hold board and supervisor roles."""
    rng = random.Random(f"members:{seed}")
    roles = ("ketua", "sekretaris", "bendahara", "pengawas", "pengawas")
    result = []
    for number in range(1, count + 1):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        joined = date(2015, 1, 1) + timedelta(days=rng.randrange(0, 3650))
        birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 12000))
        phone = "08" + "".join(str(rng.randrange(10)) for _ in range(10))
        blood = rng.choice(("A", "B", "AB", "O", "O", "A+", "B+"))
        role = roles[number - 1] if number <= len(roles) else "anggota"
        result.append(
            MemberRow(f"A{number:03d}", name, joined.isoformat(), birth.isoformat(), phone, blood, role)
        )
    return tuple(result)


def sample_products() -> tuple[ProductRow, ...]:
    """Products of every selling unit: barcoded toko items (EAN-13), cafe, fotokopi, kiostel, isi-ulang."""
    rows = [
        ProductRow(ean13(f"899{index:09d}"), name, "toko", price, cost)
        for index, (name, price, cost) in enumerate(TOKO_ITEMS, start=1001)
    ]
    for unit, items in (
        ("cafe", CAFE_ITEMS),
        ("fotokopi", FOTOKOPI_ITEMS),
        ("kiostel", KIOSTEL_ITEMS),
        ("isi-ulang", ISI_ULANG_ITEMS),
    ):
        rows.extend(ProductRow(sku, name, unit, price, cost) for sku, name, price, cost in items)
    return tuple(rows)


@dataclass(frozen=True)
class SampleState:
    """Where an earlier period left off, so the next one continues it: each device's last seq and chain
    hash, members' unpaid loans (loan id, principal outstanding), who has paid simpanan pokok, and what
    was sold since the warehouse last bought stock."""

    tips: tuple[tuple[str, int, str], ...] = ()  # (device, seq, chain hash)
    loans: tuple[tuple[str, str, int], ...] = ()  # (member, loan id, outstanding principal)
    pokok_paid: frozenset[str] = frozenset()
    # Quantities sold (net of voids) since the warehouse's last purchase, bought back on the first day.
    unbought: tuple[tuple[str, int], ...] = ()


class _Chains:
    """Per-device seq and prev, to build valid signed chains."""

    def __init__(self, devices: Iterable[SampleDevice], tips: Iterable[tuple[str, int, str]] = ()) -> None:
        self.devices = {d.device: d for d in devices}
        self.seq = dict.fromkeys(self.devices, 0)
        self.prev = dict.fromkeys(self.devices, wire.GENESIS)
        for device, seq, chain in tips:
            if device in self.devices:
                self.seq[device], self.prev[device] = seq, chain

    def seal(self, device: str, body: dict[str, Any]) -> dict[str, Any]:
        self.seq[device] += 1
        env = {
            "v": wire.VERSION,
            "device": device,
            "seq": self.seq[device],
            "prev": self.prev[device],
            **body,
        }
        env.setdefault("id", f"{device}:{self.seq[device]}")
        signed = wire.sign(env, self.devices[device].key)
        self.prev[device] = wire.chain_hash(signed)
        return signed


def generate(
    *,
    seed: int,
    start: date,
    end: date,
    members: int = 40,
    per_day: int = 60,
    branch: str = BRANCH,
    state: SampleState | None = None,
    purchases: bool = True,
    credit_payments: bool = True,
) -> SampleData:
    """A period of realistic envelopes: sales in every unit (cash and credit, members and walk-ins),
    savings (pokok once, wajib monthly, sukarela, SHR, withdrawals within balance), loans repaid in
    installments (never a second loan before the first is repaid), a few voids and disputes.

    With ``credit_payments`` each member's store credit of a month is repaid on the 1st of the next month
    (salary deduction, recorded by ``sp-01``); it draws no random numbers, so other envelopes keep their
    content (only ``sp-01``'s sequence numbers shift).

    With ``purchases`` the warehouse device also buys the stock: an opening purchase per selling unit on
    the first day (when ``state`` continues an earlier period, what was sold since its last purchase
    instead) and, every ``PURCHASE_EVERY_DAYS`` days, a purchase replacing the quantities sold since (part
    on credit), so the inventory account stays positive. Purchases draw from their own random stream: the
    other envelopes are the same with or without them."""
    if end < start or (end - start).days > MAX_DAYS:
        raise ValueError(f"the period must run forward and span at most {MAX_DAYS} days")
    rng = random.Random(f"envelopes:{seed}")
    member_rows = sample_members(members, seed)
    products = sample_products()
    devices = tuple(SampleDevice(d, u, branch, device_key(seed, d)) for d, u in DEVICES)
    state = state or SampleState()
    chains = _Chains(devices, state.tips)
    run = sum(seq for _, seq, _ in state.tips)  # tells this run's loan ids from an earlier run's
    by_unit: dict[str, list[ProductRow]] = {}
    for product in products:
        by_unit.setdefault(product.unit, []).append(product)
    sale_devices = [d for d in devices if d.unit in by_unit and d.device != WAREHOUSE]
    continuing = any(device == WAREHOUSE for device, _, _ in state.tips)
    buying = _Purchasing(
        seed,
        start,
        by_unit,
        _expected_weekly_qty(per_day, sale_devices, by_unit),
        continuing=continuing,
    )
    buying.sold_qty = dict(state.unbought)
    numbers = [m.number for m in member_rows]
    savings: dict[tuple[str, str], int] = {(number, "pokok"): POKOK_RP for number in state.pokok_paid}
    # member -> (loan id, outstanding, monthly principal)
    loans: dict[str, tuple[str, int, int]] = {
        member: (loan, owed, max(owed // 10, 1)) for member, loan, owed in state.loans if owed > 0
    }
    recent_sales: list[dict[str, Any]] = []
    envelopes: list[dict[str, Any]] = []
    loan_counter = 0
    credit_owed: dict[str, int] = {}
    day = start
    while day <= end:
        events: list[tuple[datetime, str, dict[str, Any]]] = []
        repaid_today: set[str] = set()

        def at(hour_lo: int = 7, hour_hi: int = 17, day: date = day) -> datetime:
            moment = time(rng.randrange(hour_lo, hour_hi), rng.randrange(60), rng.randrange(60))
            return datetime.combine(day, moment, TIMEZONE)

        if purchases:
            events.extend(buying.events(day))
        if credit_payments and day.day == 1:
            for number, owed in sorted(credit_owed.items()):
                if owed > 0:
                    body = {"unit": "toko", "kind": "credit_payment", "member": number, "payment": "cash",
                            "lines": [], "total": owed}  # fmt: skip
                    events.append((datetime.combine(day, time(7, 30), TIMEZONE), "sp-01", body))
            credit_owed = {}
        if day == start or day.day == 1:
            for number in numbers:
                if (number, "pokok") not in savings:
                    events.append((at(8, 9), "sp-01", _savings_event(number, "pokok", POKOK_RP)))
                    savings[(number, "pokok")] = POKOK_RP
                events.append((at(8, 12), "sp-01", _savings_event(number, "wajib", WAJIB_RP)))
                savings[(number, "wajib")] = savings.get((number, "wajib"), 0) + WAJIB_RP
        for _ in range(per_day):
            roll = rng.random()
            member = rng.choice(numbers) if rng.random() < 0.7 else None
            if roll < 0.86:
                device = rng.choice(sale_devices)
                items = by_unit[device.unit]
                count = rng.randint(1, min(4, len(items)))
                lines = []
                for product in rng.sample(items, count):
                    qty: int | str = rng.randint(1, 3)
                    if device.unit == "fotokopi":
                        qty = rng.randint(1, 60)
                    lines.append(
                        {
                            "sku": product.sku,
                            "qty": qty,
                            "price_rp": product.price_rp,
                            "cost_rp": product.cost_rp,
                        }
                    )
                payment = (
                    "credit"
                    if member is not None and device.unit == "toko" and rng.random() < 0.3
                    else "cash"
                )
                total = sum(wire.line_amount_rp(line) for line in lines)
                buying.sold(lines)
                body = {
                    "unit": device.unit,
                    "kind": "sale",
                    "member": member,
                    "payment": payment,
                    "lines": lines,
                    "total": total,
                }
                events.append((at(), device.device, body))
            elif member is None:
                continue
            elif roll < 0.93:
                kind = rng.choice(("sukarela", "sukarela", "shr", "smsk", "berjangka"))
                amount = rng.choice((10_000, 25_000, 50_000, 100_000, 250_000))
                if kind == "berjangka":
                    amount = 1_000_000 * rng.randint(1, 5)
                events.append((at(7, 15), "sp-01", _savings_event(member, kind, amount)))
                savings[(member, kind)] = savings.get((member, kind), 0) + amount
            elif roll < 0.96:
                balance = savings.get((member, "sukarela"), 0)
                if balance >= 10_000:
                    amount = rng.randrange(1, balance // 10_000 + 1) * 10_000
                    body = _savings_event(member, "sukarela", amount)
                    body["kind"] = "savings_withdrawal"
                    events.append((at(15, 17), "sp-01", body))
                    savings[(member, "sukarela")] = balance - amount
            elif member in repaid_today:
                continue
            elif member not in loans:
                loan_counter += 1
                loan_id = f"P{day:%Y%m%d}-{seed}-{run}-{loan_counter:04d}"
                principal = rng.choice((1_000_000, 2_000_000, 3_000_000, 5_000_000))
                body = {
                    "unit": "simpan-pinjam",
                    "kind": "loan_disbursement",
                    "member": member,
                    "payment": "cash",
                    "lines": [],
                    "total": principal,
                    "loan": loan_id,
                }
                events.append((at(9, 11), "sp-01", body))
                loans[member] = (loan_id, principal, max(principal // 10, 1))
            else:
                loan_id, outstanding, monthly = loans[member]
                principal = min(outstanding, monthly)
                interest = max(outstanding // 100, 1_000)
                body = {
                    "unit": "simpan-pinjam",
                    "kind": "installment",
                    "member": member,
                    "payment": "cash",
                    "lines": [],
                    "total": principal + interest,
                    "loan": loan_id,
                    "principal_rp": principal,
                    "interest_rp": interest,
                }
                events.append((at(13, 16), "sp-01", body))
                if outstanding - principal == 0:
                    del loans[member]
                    repaid_today.add(member)
                else:
                    loans[member] = (loan_id, outstanding - principal, monthly)
        events.sort(key=lambda e: (e[0], e[1]))
        day_envs = []
        for moment, device_id, body in events:
            env = chains.seal(device_id, {**body, "at": moment.isoformat()})
            day_envs.append(env)
            if env["kind"] == "sale":
                recent_sales.append(env)
                if env["payment"] == "credit":
                    credit_owed[env["member"]] = credit_owed.get(env["member"], 0) + env["total"]
        if recent_sales and rng.random() < 0.5:
            original = recent_sales.pop(rng.randrange(len(recent_sales)))
            buying.sold(original["lines"], sign=-1)  # the goods are back on the shelf
            if original["payment"] == "credit":
                credit_owed[original["member"]] = credit_owed.get(original["member"], 0) - original["total"]
            moment = datetime.combine(day, time(17, 30), TIMEZONE)
            body = {
                "unit": original["unit"],
                "kind": "void",
                "member": original["member"],
                "payment": original["payment"],
                "lines": [],
                "total": original["total"],
                "ref": original["id"],
                "reason": "salah input kasir",
                "at": moment.isoformat(),
            }
            day_envs.append(chains.seal(original["device"], body))
        disputable = [s for s in recent_sales if s["member"] is not None]
        if disputable and rng.random() < 0.1:
            original = disputable[rng.randrange(len(disputable))]
            recent_sales.remove(original)
            moment = datetime.combine(day, time(17, 45), TIMEZONE)
            body = {
                "unit": original["unit"],
                "kind": "dispute",
                "member": original["member"],
                "payment": "cash",
                "lines": [],
                "total": 0,
                "ref": original["id"],
                "reason": "bukan pembelian saya",
                "at": moment.isoformat(),
            }
            day_envs.append(chains.seal(original["device"], body))
        recent_sales = recent_sales[-200:]
        envelopes.extend(day_envs)
        day += timedelta(days=1)
    return SampleData(member_rows, products, devices, tuple(envelopes))


def _expected_weekly_qty(
    per_day: int, sale_devices: list[SampleDevice], by_unit: dict[str, list[ProductRow]]
) -> dict[str, float]:
    """Expected quantity sold per sku in a week, from the generator's own odds (86% of events are sales,
    spread evenly over the selling devices; 1..min(4, n) of a unit's n items per sale; qty 1..3, or
    1..60 copies at the fotokopi)."""
    result: dict[str, float] = {}
    for unit, items in by_unit.items():
        share = sum(1 for d in sale_devices if d.unit == unit) / max(len(sale_devices), 1)
        most = min(4, len(items))
        chance = (1 + most) / 2 / len(items)
        qty = 30.5 if unit == "fotokopi" else 2.0
        for product in items:
            result[product.sku] = 7 * per_day * 0.86 * share * chance * qty
    return result


class _Purchasing:
    """The warehouse's stock purchases: opening stock on the first day, then replacing what was sold."""

    def __init__(
        self,
        seed: int,
        start: date,
        by_unit: dict[str, list[ProductRow]],
        weekly: dict[str, float],
        *,
        continuing: bool,
    ) -> None:
        self.continuing = continuing
        self.rng = random.Random(f"purchases:{seed}")
        self.start = start
        self.by_unit = by_unit
        self.weekly = weekly
        self.sold_qty: dict[str, int] = {}
        # What credit purchases left owing, per (unit, supplier); paid at the next purchase round.
        self.owed: dict[tuple[str, str], int] = {}

    def sold(self, lines: Iterable[dict[str, Any]], sign: int = 1) -> None:
        """Count a sale's quantities (whole numbers in the sample) towards the next purchase; a voided
        sale (``sign=-1``) takes them back."""
        for line in lines:
            self.sold_qty[line["sku"]] = self.sold_qty.get(line["sku"], 0) + sign * int(line["qty"])

    def events(self, day: date) -> list[tuple[datetime, str, dict[str, Any]]]:
        """The purchases of ``day``, before the shops open (06:30 plus a minute per unit)."""
        elapsed = (day - self.start).days
        if elapsed == 0 and not self.continuing:
            wanted = {
                sku: OPENING_STOCK_WEEKS * math.ceil(qty) + (60 if qty > 100 else 3)
                for sku, qty in self.weekly.items()
            }
        elif elapsed % PURCHASE_EVERY_DAYS == 0:
            wanted, self.sold_qty = self.sold_qty, {}
        else:
            return []
        result = self._payments(day)
        for index, (unit, items) in enumerate(sorted(self.by_unit.items())):
            bought = [(p, wanted.get(p.sku, 0)) for p in items if wanted.get(p.sku, 0) > 0]
            if not bought:
                continue
            payment = "credit" if self.rng.random() < PURCHASE_CREDIT_SHARE else "cash"
            supplier = self.rng.choice(SUPPLIERS.get(unit, ("Pemasok umum",)))
            moment = datetime.combine(day, time(6, 30 + index), TIMEZONE)
            for body in purchase_bodies(unit, bought, payment=payment, supplier=supplier):
                result.append((moment, WAREHOUSE, body))
                if payment == "credit":
                    self.owed[(unit, supplier)] = self.owed.get((unit, supplier), 0) + body["total"]
        return result

    def _payments(self, day: date) -> list[tuple[datetime, str, dict[str, Any]]]:
        """Pay, at 06:00 of a purchase round, what earlier credit purchases left owing."""
        moment = datetime.combine(day, time(6, 0), TIMEZONE)
        result = []
        for (unit, supplier), owed in sorted(self.owed.items()):
            for start in range(0, owed, wire.MAX_AMOUNT_RP):
                body: dict[str, Any] = {
                    "unit": unit,
                    "kind": "supplier_payment",
                    "member": None,
                    "payment": "cash",
                    "lines": [],
                    "total": min(wire.MAX_AMOUNT_RP, owed - start),
                    "supplier": supplier,
                }
                result.append((moment, WAREHOUSE, body))
        self.owed = {}
        return result


def purchase_bodies(
    unit: str, items: Iterable[tuple[ProductRow, int]], *, payment: str, supplier: str | None = None
) -> list[dict[str, Any]]:
    """Purchase envelope bodies (without v, id, device, seq, prev, at) buying ``items`` (product, qty) at
    cost, split so that each stays within the format's limits on lines, quantity and total."""
    bodies: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    total = 0

    def flush() -> None:
        nonlocal lines, total
        if lines:
            body = {"unit": unit, "kind": "purchase", "member": None, "payment": payment,
                    "lines": lines, "total": total}  # fmt: skip
            if supplier is not None:
                body["supplier"] = supplier
            bodies.append(body)
        lines, total = [], 0

    for product, qty in items:
        left = qty
        for _ in range(qty + 1):  # each round takes at least one unit, or starts a new envelope
            if left <= 0:
                break
            room = (wire.MAX_AMOUNT_RP - total) // max(product.cost_rp, 1)
            take = min(left, int(wire.MAX_QTY), room)
            if take <= 0 or len(lines) >= wire.MAX_LINES:
                flush()
                continue
            cost = product.cost_rp
            lines.append({"sku": product.sku, "qty": take, "price_rp": cost, "cost_rp": cost})
            total += take * cost
            left -= take
    flush()
    return bodies


def _savings_event(member: str, product: str, amount: int) -> dict[str, Any]:
    return {"unit": "simpan-pinjam", "kind": "savings_deposit", "member": member, "payment": "cash",
            "lines": [], "total": amount, "product": product}  # fmt: skip


def bulk_sales(
    count: int,
    *,
    seed: int = 1,
    lines: int = 3,
    device: str = "bench-01",
    sign: bool = False,
    start: datetime | None = None,
    spacing_s: int = 30,
) -> Iterator[dict[str, Any]]:
    """``count`` valid toko sales of ``lines`` lines each from one device (benchmarks); 1 in 3 walk-in.
    Sales are ``spacing_s`` seconds apart from ``start`` (default 2026-01-01 08:00 WIB)."""
    rng = random.Random(f"bulk:{seed}")
    items = [p for p in sample_products() if p.unit == "toko"]
    key = device_key(seed, device)
    prev = wire.GENESIS
    base = start or datetime(2026, 1, 1, 8, 0, tzinfo=TIMEZONE)
    numbers = [m.number for m in sample_members(40, seed)]
    for seq in range(1, count + 1):
        picked = rng.sample(items, lines)
        body_lines = [
            {"sku": p.sku, "qty": rng.randint(1, 3), "price_rp": p.price_rp, "cost_rp": p.cost_rp}
            for p in picked
        ]
        member = numbers[seq % len(numbers)] if seq % 3 else None
        env = {
            "v": wire.VERSION, "id": f"{device}:{seq}", "device": device, "seq": seq, "prev": prev,
            "at": (base + timedelta(seconds=seq * spacing_s)).isoformat(), "unit": "toko", "kind": "sale",
            "member": member, "payment": "cash", "lines": body_lines,
            "total": sum(wire.line_amount_rp(line) for line in body_lines),
        }  # fmt: skip
        if sign:
            env = wire.sign(env, key)
        prev = wire.chain_hash(env)
        yield env


def state_of(ledger: Any, devices: Iterable[str]) -> SampleState:
    """What the ledger already holds of the sample devices and members, for ``generate(state=...)``."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from central.ledger import schema

    t = schema.transactions
    tips = []
    pokok: set[str] = set()
    loans = []
    try:
        with ledger.read() as conn:
            for device in devices:
                row = conn.execute(
                    select(t.c.seq, t.c.chain).where(t.c.device == device).order_by(t.c.seq.desc()).limit(1)
                ).first()
                if row is not None:
                    tips.append((device, int(row.seq), row.chain))
            pokok = set(
                conn.execute(
                    select(t.c.member).where(t.c.kind == "savings_deposit", t.c.product == "pokok").distinct()
                ).scalars()
            )
            l_ = schema.loans
            repaid = dict(
                conn.execute(
                    select(t.c.loan, func.sum(t.c.principal_rp))
                    .where(t.c.kind == "installment")
                    .group_by(t.c.loan)
                ).all()
            )
            for member, loan, principal in conn.execute(select(l_.c.member, l_.c.loan, l_.c.principal_rp)):
                owed = int(principal) - int(repaid.get(loan) or 0)
                if owed > 0:
                    loans.append((member, loan, owed))
            unbought = _unbought(conn)
    except SQLAlchemyError:  # a ledger without tables yet: start fresh
        return SampleState()
    return SampleState(tuple(tips), tuple(loans), frozenset(m for m in pokok if m), unbought)


def _unbought(conn: Any) -> tuple[tuple[str, int], ...]:
    """Whole quantities per sku sold since the warehouse's last purchase, net of voids (rounded up)."""
    from sqlalchemy import func, select

    from central.ledger import schema

    t = schema.transactions
    lines = schema.sale_lines
    last = conn.execute(
        select(func.max(t.c.ts)).where(t.c.device == WAREHOUSE, t.c.kind == "purchase")
    ).scalar()
    if last is None:
        return ()
    sales = t.alias("sales")
    voids = t.alias("voids")
    sold = (
        select(lines.c.sku, lines.c.qty)
        .join(sales, sales.c.id == lines.c.tx)
        .where(sales.c.kind == "sale", sales.c.ts > last)
    )
    returned = (
        select(lines.c.sku, lines.c.qty)
        .join(sales, sales.c.id == lines.c.tx)
        .join(voids, voids.c.ref == sales.c.id)
        .where(sales.c.kind == "sale", voids.c.kind == "void", voids.c.ts > last)
    )
    total: dict[str, Decimal] = {}
    for query, sign in ((sold, 1), (returned, -1)):
        for sku, qty in conn.execute(query):
            total[sku] = total.get(sku, Decimal(0)) + sign * Decimal(qty)
    return tuple(sorted((sku, math.ceil(qty)) for sku, qty in total.items() if qty > 0))


def load_into(ledger: Any, data: SampleData) -> None:
    """Import the sample members and products and register the sample devices (skipping known ones)."""
    ledger.import_members(list(data.members))
    ledger.import_products(list(data.products))
    known = {row["device"] for row in ledger.devices_list()}
    for device in data.devices:
        if device.device not in known:
            ledger.devices_add(device.device, device.public_key_b64, device.unit, device.branch)


def write_jsonl(envelopes: Iterable[dict[str, Any]], path: Path) -> int:
    """Write envelopes one per line (canonical JSON); returns how many."""
    count = 0
    with path.open("wb") as out:
        for env in envelopes:
            out.write(wire.canonical(env) + b"\n")
            count += 1
    return count
