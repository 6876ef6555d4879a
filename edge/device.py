"""The device: its local truth in SQLite (catalog, member cache, outbox) and the one place it records.

Every recording is one SQLite transaction (WAL, ``synchronous=FULL``): validate against the local
catalog and member cache, take stock, and append a signed, hash-chained envelope to the outbox. Either
all of it is on disk or none of it is, so a power cut mid-sale leaves no trace and a receipt printed
after ``record_*`` returns always matches a durable outbox row.

One ``Device`` may be shared by threads (kiosk UI and sync loop); calls are serialised by a lock.
Several processes may open the same directory; SQLite's locks and a busy timeout keep them apart.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from edge import keys, pins, rules, schema
from edge import settings as settings_mod
from edge.audit import AuditResult, audit_outbox
from edge.errors import (
    DepositVoidAboveBalance,
    DisputeOfNonSale,
    DisputeOfOthersSale,
    DisputeOfVoidedSale,
    HandinAlreadyRecorded,
    InstallmentAboveOwed,
    InvalidAmount,
    InvalidInput,
    InvalidSettings,
    NoOpenCount,
    NotInitialized,
    NotVoidable,
    NotWithdrawableHere,
    OutboxFull,
    SavingsBalanceUnknown,
    StoreBusy,
    StoreMissing,
    UnknownClerk,
    UnknownMember,
    UnknownProduct,
    UnknownTransaction,
    WithdrawalAboveBalance,
    WrongUnit,
)
from edge.rules import Clerk, Member, OutboxFact, Product, SavingsMove, ShiftSummary
from edge.settings import DeviceSettings
from sync.envelope import (
    COUNTER_WITHDRAWABLE,
    GENESIS,
    MAX_ENVELOPE_BYTES,
    PAYMENTS,
    SAVINGS_PRODUCTS,
    VERSION,
    EnvelopeError,
    canonical,
    check,
    new_id,
    sign,
)

STORE_FILE: Final = "edge.sqlite"
BUSY_TIMEOUT_S: Final = 10.0
MAX_BATCH: Final = 500
MAX_SEARCH_RESULTS: Final = 200
MAX_SUMMARY_BYTES: Final = 64 * 1024
MAX_REASON_CHARS: Final = 200
SAVINGS_KINDS: Final = ("savings_deposit", "savings_withdrawal")
# Central's refusals shown by ``status`` (the latest ones, newest first).
STATUS_REFUSALS: Final = 3
# Transparency log checkpoints and problems a device keeps (the latest is what counts; the rest is history).
KEPT_CHECKPOINTS: Final = 16
KEPT_PROBLEMS: Final = 100
DEFAULT_RETENTION_S: Final = 30 * 24 * 3600
# Transactions that may wait for central before recording stops (years of a busy shop's sales; bounds
# the disk an outpost can fill while offline).
MAX_UNSYNCED: Final = 500_000

Clock = Callable[[], datetime]


def local_now() -> datetime:
    """The device clock, with its UTC offset."""
    return datetime.now().astimezone()


@dataclass(frozen=True)
class Recorded:
    """A transaction that is committed to the outbox; print the receipt from this."""

    seq: int
    id: str
    kind: str
    at: str
    member: str | None
    payment: str
    total_rp: int
    lines: tuple[Mapping[str, Any], ...]
    envelope: Mapping[str, Any]
    data: bytes


@dataclass(frozen=True)
class Status:
    """The device's sync state, for the kiosk's status bar and ``python -m edge status``."""

    outbox_depth: int
    oldest_unsynced_at: str | None
    last_ack_seq: int
    last_ack_at: str | None
    last_sync_at: str | None
    connected: bool
    catalog_version: int
    members_version: int
    last_seq: int = 0
    device: str = ""
    revoked: bool = False
    revoked_reason: str | None = None
    refused: int = 0  # envelopes central refused (they are processed: not pending, stock and credit back)
    refused_latest: tuple[tuple[int, str], ...] = ()  # (seq, central's reason), newest first
    witness_size: int = 0  # the transparency log checkpoint this device accepted last (0: none yet)
    witness_at: str | None = None  # when it accepted it
    # The latest problem this device found in the log (``sync.witness.PROBLEMS`` key, held size, offered
    # size, transaction, detail), or None; it stays until the office clears it (``edge witness --clear``).
    witness_problem: tuple[str, int, int, str, str] | None = None


def connect(path: Path) -> sqlite3.Connection:
    """Open the store in autocommit mode (transactions are explicit) with WAL and synchronous=FULL."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    return conn


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def _product(row: Sequence[Any]) -> Product:
    stock = None if row[5] is None else rules.from_milli(int(row[5]))
    return Product(row[0], row[1], row[2], int(row[3]), int(row[4]), stock)


def _member(row: Sequence[Any]) -> Member:
    return Member(row[0], row[1], row[2], row[3] or "anggota", bool(row[4]), int(row[5]), int(row[6]))


_SELECT_PRODUCTS: Final = "SELECT sku, name, unit, price_rp, cost_rp, stock_milli FROM products"
_SELECT_MEMBERS: Final = (
    "SELECT number, name, card_code, role, active, credit_limit_rp, credit_used_rp FROM members"
)
_SELECT_VOID_REFS: Final = "SELECT ref FROM outbox WHERE kind = 'void'"
_UPSERT_PRODUCT: Final = (
    "INSERT OR REPLACE INTO products (sku, name, unit, price_rp, cost_rp, stock_milli)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_UPSERT_MEMBER: Final = (
    "INSERT OR REPLACE INTO members (number, name, card_code, role, active, credit_limit_rp, credit_used_rp)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


class Device:
    """One device directory, opened. Use ``Device.open(directory)`` as a context manager."""

    def __init__(
        self,
        directory: Path,
        settings: DeviceSettings,
        key: Ed25519PrivateKey,
        conn: sqlite3.Connection,
        clock: Clock,
    ) -> None:
        self.directory = directory
        self.settings = settings
        self._key = key
        self._conn = conn
        self._db: Any = None
        self._clock = clock
        self._lock = threading.RLock()
        self.max_unsynced = MAX_UNSYNCED

    @property
    def db(self) -> Any:
        """The store as a ``sqlite_utils.Database``, for inspection and tools (imported on first use,
        which keeps the command line quick). Write only through the ``record_*`` and sync methods."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self._conn)
        return self._db

    # ---- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, directory: str | Path, *, clock: Clock | None = None, create: bool = False) -> Device:
        """Open an initialised device directory, migrating its store to the current schema.

        A missing store is an error (``StoreMissing``), never silently replaced by an empty one;
        ``create=True`` is for ``edge.install`` setting a directory up.
        """
        path = Path(directory)
        if not (path / settings_mod.SETTINGS_FILE).is_file():
            raise NotInitialized(str(path))
        settings = settings_mod.load(path)
        key = keys.load(path)
        if not create and not (path / STORE_FILE).is_file():
            raise StoreMissing(str(path / STORE_FILE))
        conn = connect(path / STORE_FILE)
        try:
            schema.migrate(conn)
            stored = conn.execute("SELECT value FROM meta WHERE key = 'device'").fetchone()
            if stored is None:
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('device', ?)", (settings.device,))
            elif stored[0] != settings.device:
                raise InvalidSettings(
                    str(path / settings_mod.SETTINGS_FILE),
                    f"device = {settings.device!r}, tetapi basis datanya milik {stored[0]!r}",
                    f"device = {settings.device!r}, but the store belongs to {stored[0]!r}",
                )
        except BaseException:
            conn.close()
            raise
        return cls(path, settings, key, conn, clock or local_now)

    def close(self) -> None:
        """Close the store."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Device:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---- plumbing -----------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken up front (BEGIN IMMEDIATE) so it cannot fail half-way on a lock."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as err:
                raise StoreBusy() from err
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _meta(self, key: str, default: str | None = None) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def _meta_int(self, key: str) -> int:
        return int(self._meta(key, "0") or 0)

    def _set_meta(self, key: str, value: object) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))

    def _now(self) -> datetime:
        now = self._clock()
        assert now.tzinfo is not None, "the device clock must carry a UTC offset"
        return now

    def _append(self, body: dict[str, Any], *, ref: str | None = None, clerk: str | None = None) -> Recorded:
        """Sign ``body`` as the next envelope of the chain and add it to the outbox (inside a transaction)."""
        assert self._conn.in_transaction
        head = dict(
            self._conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('last_seq', 'last_hash', 'last_ack_seq')"
            ).fetchall()
        )
        waiting = int(head.get("last_seq", 0)) - int(head.get("last_ack_seq", 0))
        if waiting >= self.max_unsynced:
            raise OutboxFull(waiting)
        seq = int(head.get("last_seq", 0)) + 1
        prev = str(head.get("last_hash", GENESIS))
        now = self._now()
        envelope: dict[str, Any] = {
            "v": VERSION,
            "id": new_id(),
            "device": self.settings.device,
            "seq": seq,
            "prev": prev,
            "at": now.isoformat(timespec="seconds"),
            **body,
        }
        if clerk is not None:
            found = self._conn.execute("SELECT active FROM clerks WHERE id = ?", (clerk,)).fetchone()
            if found is None or not found[0]:
                raise UnknownClerk(clerk)
            envelope["clerk"] = clerk
        signed = sign(envelope, self._key)
        try:
            check(signed)
        except EnvelopeError as err:
            raise InvalidInput(str(err)) from err
        data = canonical(signed)
        if len(data) > MAX_ENVELOPE_BYTES:
            raise InvalidInput(
                f"transaksi terlalu besar ({len(data)} byte, batas {MAX_ENVELOPE_BYTES}); bagi menjadi dua",
                f"transaction too large ({len(data)} bytes, limit {MAX_ENVELOPE_BYTES}); split it in two",
            )
        self._conn.execute(
            "INSERT INTO outbox (seq, id, envelope, kind, member, payment, total_rp, ref, clerk, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seq,
                signed["id"],
                data,
                signed["kind"],
                signed["member"],
                signed["payment"],
                signed["total"],
                ref,
                clerk,
                now.timestamp(),
            ),
        )
        self._conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_seq', ?), ('last_hash', ?)",
            (str(seq), hashlib.sha256(data).hexdigest()),
        )
        return Recorded(
            seq,
            signed["id"],
            signed["kind"],
            signed["at"],
            signed["member"],
            signed["payment"],
            signed["total"],
            tuple(signed["lines"]),
            signed,
            data,
        )

    def _known_member(self, number: str) -> Member:
        row = self._conn.execute(_SELECT_MEMBERS + " WHERE number = ?", (number,)).fetchone()
        if row is None:
            raise UnknownMember(number)
        member = _member(row)
        rules.check_member(member)
        return member

    def _pending_credit_rp(self, number: str) -> int:
        """This device's credit sales (less their voids) that the last members snapshot cannot include."""
        reflected = self._meta_int("members_ack_seq")
        row = self._conn.execute(
            "SELECT COALESCE(SUM(CASE kind WHEN 'sale' THEN total_rp WHEN 'void' THEN -total_rp END), 0)"
            " FROM outbox WHERE member = ? AND payment = 'credit' AND seq > ? AND kind IN ('sale', 'void')"
            " AND refused_at IS NULL",
            (number, reflected),
        ).fetchone()
        return int(row[0])

    # ---- recording ----------------------------------------------------------------------------

    def record_sale(
        self,
        lines: Sequence[tuple[str, object]],
        member: str | None = None,
        payment: str = "cash",
        clerk: str | None = None,
        *,
        unit: str | None = None,
        note: str | None = None,
    ) -> Recorded:
        """Record a sale of ``lines`` ((sku, qty) pairs) in one transaction; return it once durable."""
        if payment not in PAYMENTS:
            raise InvalidInput(f"payment {payment!r} must be 'cash' or 'credit'")
        sale_unit = unit or self.settings.unit
        with self._tx() as conn:
            skus = sorted({sku for sku, _ in lines})
            marks = ",".join("?" * len(skus))
            found = conn.execute(_SELECT_PRODUCTS + f" WHERE sku IN ({marks})", skus).fetchall()
            catalog = {row[0]: _product(row) for row in found}
            priced = rules.price_sale(list(lines), catalog, sale_unit)
            known = self._known_member(member) if member is not None else None
            if payment == "credit":
                pending = self._pending_credit_rp(member) if member is not None else 0
                rules.check_credit(known, priced.total_rp, pending)
            for sku, milli in priced.stock_take_milli:
                conn.execute(
                    "UPDATE products SET stock_milli = stock_milli - ?"
                    " WHERE sku = ? AND stock_milli IS NOT NULL",
                    (milli, sku),
                )
            body: dict[str, Any] = {
                "unit": sale_unit,
                "kind": "sale",
                "member": member,
                "payment": payment,
                "lines": [dict(line) for line in priced.lines],
                "total": priced.total_rp,
            }
            if note:
                body["note"] = note
            return self._append(body, clerk=clerk)

    def record_savings_deposit(
        self, member: str, product: str, amount_rp: int, clerk: str | None = None
    ) -> Recorded:
        """Record cash paid into a member's savings ``product`` (pokok, wajib, sukarela, ...)."""
        _positive_rp("amount_rp", amount_rp)
        if product not in SAVINGS_PRODUCTS:
            raise InvalidInput(f"product {product!r} must be one of {', '.join(SAVINGS_PRODUCTS)}")
        with self._tx():
            self._known_member(member)
            body = {
                "unit": self.settings.unit,
                "kind": "savings_deposit",
                "member": member,
                "payment": "cash",
                "lines": [],
                "total": amount_rp,
                "product": product,
            }
            return self._append(body, clerk=clerk)

    def record_savings_withdrawal(
        self, member: str, product: str, amount_rp: int, clerk: str | None = None
    ) -> Recorded:
        """Record cash paid out of a member's savings ``product`` at this counter: only the products of
        ``COUNTER_WITHDRAWABLE`` (sukarela), and never above the balance this device knows (see
        ``_check_savings_balance``); central checks the ledger balance again at ingest."""
        _positive_rp("amount_rp", amount_rp)
        if product not in SAVINGS_PRODUCTS:
            raise InvalidInput(f"product {product!r} must be one of {', '.join(SAVINGS_PRODUCTS)}")
        if product not in COUNTER_WITHDRAWABLE:
            raise NotWithdrawableHere(product, COUNTER_WITHDRAWABLE)
        with self._tx():
            self._known_member(member)
            self._check_savings_balance(member, product, amount_rp)
            body = {
                "unit": self.settings.unit,
                "kind": "savings_withdrawal",
                "member": member,
                "payment": "cash",
                "lines": [],
                "total": amount_rp,
                "product": product,
            }
            return self._append(body, clerk=clerk)

    def record_installment(
        self, member: str, loan: str, principal_rp: int, interest_rp: int, clerk: str | None = None
    ) -> Recorded:
        """Record a loan installment paid in cash: principal plus interest."""
        for name, value in (("principal_rp", principal_rp), ("interest_rp", interest_rp)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidAmount(name, value)
        if principal_rp + interest_rp <= 0:
            raise InvalidAmount("principal_rp + interest_rp", principal_rp + interest_rp)
        with self._tx():
            self._known_member(member)
            self._check_owed(member, principal_rp)
            body = {
                "unit": self.settings.unit,
                "kind": "installment",
                "member": member,
                "payment": "cash",
                "lines": [],
                "total": principal_rp + interest_rp,
                "loan": loan,
                "principal_rp": principal_rp,
                "interest_rp": interest_rp,
            }
            return self._append(body, clerk=clerk)

    def record_void(self, ref: str, reason: str, clerk: str | None = None) -> Recorded:
        """Void a transaction recorded here: repeats its member, payment and total; gives stock back."""
        _reason(reason)
        with self._tx() as conn:
            row = conn.execute("SELECT kind, envelope FROM outbox WHERE id = ?", (ref,)).fetchone()
            if row is None:
                raise UnknownTransaction(ref)
            kind, data = row[0], bytes(row[1])
            if kind in ("void", "dispute", "handin", "count_line"):
                raise NotVoidable(ref, f"ini sebuah {kind}", f"it is a {kind}")
            if conn.execute("SELECT 1 FROM outbox WHERE kind = 'void' AND ref = ?", (ref,)).fetchone():
                raise NotVoidable(ref, "sudah dibatalkan sebelumnya", "it was voided already")
            original = json.loads(data)
            if kind == "savings_deposit" and original["product"] in COUNTER_WITHDRAWABLE:
                self._check_deposit_void(original["member"], original["product"], int(original["total"]))
            for line in original["lines"]:
                milli = rules.to_milli(rules.qty_value(line["sku"], line["qty"]))
                conn.execute(
                    "UPDATE products SET stock_milli = stock_milli + ?"
                    " WHERE sku = ? AND stock_milli IS NOT NULL",
                    (milli, line["sku"]),
                )
            body = {
                "unit": original["unit"],
                "kind": "void",
                "member": original["member"],
                "payment": original["payment"],
                "lines": [],
                "total": original["total"],
                "ref": ref,
                "reason": reason.strip(),
            }
            return self._append(body, ref=ref, clerk=clerk)

    def record_dispute(self, member: str, ref: str, reason: str) -> Recorded:
        """A member disputes a purchase recorded in their name (anywhere); central investigates."""
        _reason(reason)
        with self._tx():
            self._known_member(member)
            self._check_disputable(member, ref)
            body = {
                "unit": self.settings.unit,
                "kind": "dispute",
                "member": member,
                "payment": "cash",
                "lines": [],
                "total": 0,
                "ref": ref,
                "reason": reason.strip(),
            }
            return self._append(body, ref=ref)

    def _check_owed(self, member: str, principal_rp: int) -> None:
        """Refuse a principal above the loan left in the member's last summary from central, less the
        installments this device recorded since; without a summary the device cannot tell (central checks)."""
        row = self._conn.execute(
            "SELECT summary, saved_at, as_of FROM member_summaries WHERE number = ?", (member,)
        ).fetchone()
        if row is None:
            return
        loan = json.loads(row[0]).get("loan")
        owed = loan.get("outstanding_rp") if isinstance(loan, dict) else None
        if isinstance(owed, bool) or not isinstance(owed, int):
            return
        paid = 0
        for (data,) in self._conn.execute(
            "SELECT envelope FROM outbox WHERE kind = 'installment' AND member = ? AND created_at > ?"
            " AND refused_at IS NULL",
            (member, float(row[1])),
        ):
            value = json.loads(bytes(data)).get("principal_rp", 0)
            paid += value if isinstance(value, int) else 0
        left = max(owed - paid, 0)
        if principal_rp > left:
            raise InstallmentAboveOwed(member, principal_rp, left, str(row[2] or "-"))

    def _check_savings_balance(self, member: str, product: str, amount_rp: int) -> None:
        """Refuse a withdrawal above the balance this device knows (``_known_savings``); without a
        summary, or with one older than the outbox rows pruned since, the device cannot know the balance
        and refuses: cash leaves the till."""
        known = self._known_savings(member, product)
        if isinstance(known, SavingsBalanceUnknown):
            raise known
        known_rp, as_of = known
        if amount_rp > known_rp:
            raise WithdrawalAboveBalance(member, product, amount_rp, max(known_rp, 0), as_of)

    def _check_deposit_void(self, member: str, product: str, amount_rp: int) -> None:
        """Refuse a void of a deposit whose cash was paid out again here: the balance this device knows
        must still cover it. Only for products a counter pays out; a device without a usable summary
        never paid this member out (a withdrawal needs one), so the void goes on and central checks the
        ledger."""
        known = self._known_savings(member, product)
        if isinstance(known, SavingsBalanceUnknown):
            return
        known_rp, as_of = known
        if amount_rp > known_rp:  # the void takes the deposit back out of the balance
            raise DepositVoidAboveBalance(member, product, amount_rp, max(known_rp, 0), as_of)

    def _known_savings(self, member: str, product: str) -> tuple[int, str] | SavingsBalanceUnknown:
        """(the ``product`` balance this device knows, its as-of), by ``rules.savings_known_rp``: the
        member's last summary from central, plus deposits recorded here after it was saved, less every
        withdrawal (and void of a deposit) recorded here that it may not hold yet; or the error saying
        why the device cannot know."""
        row = self._conn.execute(
            "SELECT summary, saved_at, as_of FROM member_summaries WHERE number = ?", (member,)
        ).fetchone()
        savings = json.loads(row[0]).get("savings") if row is not None else None
        balance = savings.get(product, 0) if isinstance(savings, dict) else None
        if row is None or isinstance(balance, bool) or not isinstance(balance, int):
            return SavingsBalanceUnknown(member, product)
        saved_at, as_of = float(row[1]), str(row[2] or "-")
        if saved_at < float(self._meta("pruned_before_at", "0") or 0):
            return SavingsBalanceUnknown(member, product, as_of)
        return rules.savings_known_rp(balance, self._savings_moves(member, product, saved_at)), as_of

    def _savings_moves(self, member: str, product: str, saved_at: float) -> list[SavingsMove]:
        """This device's deposits and withdrawals of ``product`` for ``member``, and voids of them, that
        a summary saved at ``saved_at`` may not hold: recorded after it, or not confirmed by central
        before it. Rows central refused are left out (a void of a refused row too). A void whose
        original was pruned names no product: it counts as money out, on the till's side."""
        rows = self._conn.execute(
            "SELECT o.kind, o.total_rp, o.created_at, o.envelope, r.kind, r.envelope, r.refused_at"
            " FROM outbox o LEFT JOIN outbox r ON o.kind = 'void' AND r.id = o.ref"
            " WHERE o.member = ? AND o.refused_at IS NULL"
            " AND o.kind IN ('savings_deposit', 'savings_withdrawal', 'void')"
            " AND (o.created_at > ? OR o.acked_at IS NULL OR o.acked_at >= ?)",
            (member, saved_at, saved_at),
        ).fetchall()
        moves: list[SavingsMove] = []
        for kind, total_rp, created_at, data, ref_kind, ref_data, ref_refused in rows:
            surely_new = float(created_at) > saved_at
            if kind == "void" and ref_kind is None:
                moves.append(SavingsMove(-int(total_rp), surely_new))
                continue
            if kind == "void" and (ref_refused is not None or ref_kind not in SAVINGS_KINDS):
                continue
            # A void of a withdrawal puts money back; a void of a deposit takes it out.
            money_in = kind == "savings_deposit" or ref_kind == "savings_withdrawal"
            moved = ref_data if kind == "void" else data
            if json.loads(bytes(moved)).get("product") != product:
                continue
            moves.append(SavingsMove(int(total_rp) if money_in else -int(total_rp), surely_new))
        return moves

    def _check_disputable(self, member: str, ref: str) -> None:
        """A member disputes only a sale in their own name that is not voided, as far as this device knows:
        its own outbox, else the member's last summary from central. A ref known to neither goes on to
        central, which checks it against the ledger."""
        row = self._conn.execute("SELECT kind, member FROM outbox WHERE id = ?", (ref,)).fetchone()
        if row is not None:
            if row[0] != "sale":
                raise DisputeOfNonSale(ref, str(row[0]))
            if row[1] != member:
                raise DisputeOfOthersSale(ref, member)
            if self._conn.execute("SELECT 1 FROM outbox WHERE kind = 'void' AND ref = ?", (ref,)).fetchone():
                raise DisputeOfVoidedSale(ref)
            return
        found = self._conn.execute(
            "SELECT summary FROM member_summaries WHERE number = ?", (member,)
        ).fetchone()
        recent = json.loads(found[0]).get("recent") if found is not None else None
        for item in recent if isinstance(recent, list) else []:
            if isinstance(item, dict) and item.get("id") == ref:
                kind = item.get("kind", "sale")
                if kind != "sale":
                    raise DisputeOfNonSale(ref, str(kind))
                if item.get("voided"):
                    raise DisputeOfVoidedSale(ref)

    # ---- catalog and members ------------------------------------------------------------------

    def product(self, sku: str) -> Product | None:
        """The catalog item ``sku``, or None."""
        rows = self._read(_SELECT_PRODUCTS + " WHERE sku = ?", (sku,))
        return _product(rows[0]) if rows else None

    def products(self, unit: str | None = None) -> list[Product]:
        """All catalog items (of ``unit``), by sku."""
        if unit is None:
            rows = self._read(_SELECT_PRODUCTS + " ORDER BY sku")
        else:
            rows = self._read(_SELECT_PRODUCTS + " WHERE unit = ? ORDER BY sku", (unit,))
        return [_product(r) for r in rows]

    def search_products(self, text: str, unit: str | None = None, limit: int = 50) -> list[Product]:
        """Items whose sku or name contains ``text`` (case-insensitive), at most ``limit``."""
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql = (
            _SELECT_PRODUCTS
            + " WHERE (sku LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\')"
            + (" AND unit = ?" if unit else "")
            + " ORDER BY name, sku LIMIT ?"
        )
        params: list[Any] = [like, like] + ([unit] if unit else []) + [min(limit, MAX_SEARCH_RESULTS)]
        return [_product(r) for r in self._read(sql, params)]

    def voided_refs(self, refs: Sequence[str]) -> set[str]:
        """Which of ``refs`` (at most MAX_SEARCH_RESULTS) this device has recorded a void of."""
        wanted = list(refs)[:MAX_SEARCH_RESULTS]
        if not wanted:
            return set()
        marks = ",".join("?" * len(wanted))
        rows = self._read(_SELECT_VOID_REFS + f" AND ref IN ({marks})", wanted)
        return {str(r[0]) for r in rows}

    def member(self, number: str) -> Member | None:
        """The cached member ``number``, or None."""
        rows = self._read(_SELECT_MEMBERS + " WHERE number = ?", (number,))
        return _member(rows[0]) if rows else None

    def member_by_card(self, code: str) -> Member | None:
        """The cached member whose card carries ``code``, or None."""
        rows = self._read(_SELECT_MEMBERS + " WHERE card_code = ?", (code,))
        return _member(rows[0]) if rows else None

    def members(self) -> list[Member]:
        """All cached members, by number."""
        return [_member(r) for r in self._read(_SELECT_MEMBERS + " ORDER BY number")]

    def credit_available_rp(self, number: str) -> int:
        """What ``number`` may still buy on credit here (limit - used - this device's pending credit)."""
        with self._lock:
            row = self._conn.execute(_SELECT_MEMBERS + " WHERE number = ?", (number,)).fetchone()
            if row is None:
                raise UnknownMember(number)
            return rules.credit_available_rp(_member(row), self._pending_credit_rp(number))

    def config(self) -> dict[str, Any]:
        """The cooperative's config items from the last config downlink."""
        return {k: json.loads(v) for k, v in self._read("SELECT key, value FROM config ORDER BY key")}

    def import_catalog(self, items: Sequence[Product]) -> int:
        """Put ``items`` into the catalog (insert or replace), all or nothing; for a standalone counter."""
        with self._tx() as conn:
            for p in items:
                conn.execute(
                    _UPSERT_PRODUCT,
                    (
                        p.sku,
                        p.name,
                        p.unit,
                        p.price_rp,
                        p.cost_rp,
                        None if p.stock is None else rules.to_milli(p.stock),
                    ),
                )
        return len(items)

    # ---- downlink -----------------------------------------------------------------------------

    def apply_downlink(self, name: str, payload: Mapping[str, Any]) -> bool:
        """Apply a catalog/members/config/clerks snapshot or delta atomically; True if it was applied.

        A snapshot newer than the device's version replaces everything; a delta applies only when its
        ``base`` is the device's version. Anything else (older, out of order, unknown name) is ignored
        and False returned. A malformed payload raises ``InvalidDownlink`` and changes nothing.
        """
        if name not in rules.DOWNLINK_NAMES:
            return False
        downlink = rules.parse_downlink(name, payload)
        parsed: list[Any]
        if name == "catalog":
            parsed = [rules.catalog_item(i) for i in downlink.items]
        elif name == "counts":
            parsed = [rules.count_item(i) for i in downlink.items]
        elif name == "members":
            parsed = [rules.member_item(i) for i in downlink.items]
        elif name == "config":
            parsed = [rules.config_item(i) for i in downlink.items]
        else:
            parsed = [rules.clerk_item(i) for i in downlink.items]
        with self._tx() as conn:
            if not rules.downlink_applies(downlink, self._meta_int(f"{name}_version")):
                return False
            getattr(self, f"_apply_{name}")(conn, downlink, parsed)
            self._set_meta(f"{name}_version", downlink.version)
            self._set_meta("last_sync_at", self._now().timestamp())
        return True

    def _unreflected_stock_milli(self, conn: sqlite3.Connection, since_seq: int) -> dict[str, int]:
        """Net stock this device took in transactions central has not confirmed (seq > ``since_seq``)."""
        taken: dict[str, int] = {}
        rows = conn.execute(
            "SELECT kind, envelope, ref FROM outbox WHERE seq > ? AND kind IN ('sale', 'void')"
            " AND refused_at IS NULL ORDER BY seq",
            (since_seq,),
        ).fetchall()
        for kind, data, ref in rows:
            sign_ = 1
            envelope = json.loads(bytes(data))
            if kind == "void":
                sign_ = -1
                found = conn.execute(
                    "SELECT envelope FROM outbox WHERE id = ? AND refused_at IS NULL", (ref,)
                ).fetchone()
                if found is None:
                    continue
                envelope = json.loads(bytes(found[0]))
            for line in envelope["lines"]:
                milli = rules.to_milli(rules.qty_value(line["sku"], line["qty"]))
                taken[line["sku"]] = taken.get(line["sku"], 0) + sign_ * milli
        return taken

    def _apply_catalog(
        self, conn: sqlite3.Connection, downlink: rules.Downlink, items: list[Product]
    ) -> None:
        acked = self._reflected(downlink)
        taken = self._unreflected_stock_milli(conn, acked)
        if downlink.kind == "snapshot":
            conn.execute("DELETE FROM products")
        for sku in downlink.delete:
            conn.execute("DELETE FROM products WHERE sku = ?", (sku,))
        for p in items:
            stock = None if p.stock is None else rules.to_milli(p.stock) - taken.get(p.sku, 0)
            conn.execute(
                _UPSERT_PRODUCT,
                (p.sku, p.name, p.unit, p.price_rp, p.cost_rp, stock),
            )
        self._set_meta("catalog_ack_seq", acked)

    def _apply_members(self, conn: sqlite3.Connection, downlink: rules.Downlink, items: list[Member]) -> None:
        if downlink.kind == "snapshot":
            conn.execute("DELETE FROM members")
        for number in downlink.delete:
            conn.execute("DELETE FROM members WHERE number = ?", (number,))
        for m in items:
            conn.execute(
                _UPSERT_MEMBER,
                (m.number, m.name, m.card_code, m.role, int(m.active), m.credit_limit_rp, m.credit_used_rp),
            )
        self._set_meta("members_ack_seq", self._reflected(downlink))

    def _reflected(self, downlink: rules.Downlink) -> int:
        return rules.reflected_seq(
            downlink, self.settings.device, self._meta_int("last_ack_seq"), self._meta_int("last_seq")
        )

    def _apply_config(
        self, conn: sqlite3.Connection, downlink: rules.Downlink, items: list[tuple[str, Any]]
    ) -> None:
        if downlink.kind == "snapshot":
            conn.execute("DELETE FROM config")
        for key in downlink.delete:
            conn.execute("DELETE FROM config WHERE key = ?", (key,))
        for key, value in items:
            conn.execute("INSERT OR REPLACE INTO config (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def _apply_clerks(self, conn: sqlite3.Connection, downlink: rules.Downlink, items: list[Clerk]) -> None:
        if downlink.kind == "snapshot":
            conn.execute("DELETE FROM clerks")
        for clerk_id in downlink.delete:
            conn.execute("DELETE FROM clerks WHERE id = ?", (clerk_id,))
        for c in items:
            conn.execute(
                "INSERT OR REPLACE INTO clerks (id, name, pin_hash, active) VALUES (?, ?, ?, ?)",
                (c.id, c.name, c.pin_hash, int(c.active)),
            )

    def _apply_counts(
        self, conn: sqlite3.Connection, downlink: rules.Downlink, items: list[rules.OpenCount]
    ) -> None:
        if downlink.kind == "snapshot":
            conn.execute("DELETE FROM counts")
        for count_id in downlink.delete:
            conn.execute("DELETE FROM counts WHERE id = ?", (count_id,))
        for c in items:
            conn.execute(
                "INSERT OR REPLACE INTO counts (id, unit, section, started) VALUES (?, ?, ?, ?)",
                (c.id, c.unit, c.section, c.started),
            )

    # ---- stock counts (stok opname) -------------------------------------------------------------

    def open_count(self) -> rules.OpenCount | None:
        """The open stock count of this device's unit, as central last announced it, or None."""
        rows = self._read(
            "SELECT id, unit, section, started FROM counts WHERE unit = ? ORDER BY CAST(id AS INTEGER) DESC"
            " LIMIT 1",
            (self.settings.unit,),
        )
        return rules.OpenCount(*rows[0]) if rows else None

    def counted(self, count: str) -> list[tuple[str, int, str]]:
        """What this device counted for ``count``: (sku, total in thousandths, when), latest first."""
        rows = self._read(
            "SELECT sku, qty_milli, at FROM count_lines WHERE count = ? ORDER BY at DESC, sku", (count,)
        )
        return [(str(r[0]), int(r[1]), str(r[2])) for r in rows]

    def record_count(
        self, count: str, sku: str, qty: object, clerk: str, *, add: bool = True
    ) -> tuple[Recorded, int]:
        """Count ``qty`` of ``sku`` for open count ``count``: added to what this device counted of it
        before (``add``; else it replaces it), recorded as a ``count_line`` envelope carrying the item's
        new total at this moment. Return the envelope and the total in thousandths. Refused when central
        no longer announces the count open (``NoOpenCount``) or the item is not this unit's."""
        unit = self.settings.unit
        zero = (type(qty) is int and qty == 0) or qty == "0"
        milli = 0 if zero else rules.to_milli(rules.qty_value(sku, qty))
        with self._tx() as conn:
            found = conn.execute(
                "SELECT id, unit, section, started FROM counts WHERE id = ?", (count,)
            ).fetchone()
            if found is None or found[1] != unit:
                raise NoOpenCount(count, unit)
            product = conn.execute("SELECT unit FROM products WHERE sku = ?", (sku,)).fetchone()
            if product is None:
                raise UnknownProduct(sku)
            if product[0] != unit:
                raise WrongUnit(sku, str(product[0]), unit)
            held = conn.execute(
                "SELECT qty_milli FROM count_lines WHERE count = ? AND sku = ?", (count, sku)
            ).fetchone()
            total = (int(held[0]) if held is not None and add else 0) + milli
            body = rules.count_line_body(unit, rules.OpenCount(*found), sku, total)
            recorded = self._append(body, clerk=clerk)
            conn.execute(
                "INSERT OR REPLACE INTO count_lines (count, sku, qty_milli, clerk, at)"
                " VALUES (?, ?, ?, ?, ?)",
                (count, sku, total, clerk, recorded.at),
            )
            return recorded, total

    # ---- outbox, for sync/ --------------------------------------------------------------------

    def outbox_after(self, seq: int, limit: int = MAX_BATCH) -> list[tuple[int, bytes]]:
        """Envelopes with a seq above ``seq``, in seq order, at most ``limit`` (capped at MAX_BATCH)."""
        rows = self._read(
            "SELECT seq, envelope FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
            (seq, max(0, min(limit, MAX_BATCH))),
        )
        return [(int(s), bytes(e)) for s, e in rows]

    def mark_acked(self, upto_seq: int) -> int:
        """Central has committed 1..``upto_seq``: mark them delivered; return the device's ack seq.

        Acks never go backwards, and an ack beyond the last recorded seq is capped at it.
        """
        with self._tx() as conn:
            now = self._now().timestamp()
            upto = min(int(upto_seq), self._meta_int("last_seq"))
            self._set_meta("last_sync_at", now)
            acked = self._meta_int("last_ack_seq")
            if upto > acked:
                conn.execute("UPDATE outbox SET acked_at = ? WHERE seq > ? AND seq <= ?", (now, acked, upto))
                self._set_meta("last_ack_seq", upto)
                self._set_meta("last_ack_at", now)
                acked = upto
            return acked

    def rewind_ack(self, to_seq: int) -> int:
        """Central holds less than it acked (its ledger was restored from a backup): take the ack back to
        ``to_seq`` so that the rows after it are sent again; return the device's ack seq.

        Only rows the outbox still keeps can be sent again: when rows after ``to_seq`` were already
        pruned, the ack goes back only to the last pruned seq, and central's chain report shows what it
        lost for good. Resending what central does hold is harmless (ingest is idempotent on ``id``).
        """
        with self._tx() as conn:
            acked = self._meta_int("last_ack_seq")
            target = max(int(to_seq), 0)
            if target >= acked:
                return acked
            first_kept = conn.execute(
                "SELECT MIN(seq) FROM outbox WHERE seq > ? AND seq <= ?", (target, acked)
            ).fetchone()[0]
            if first_kept is None:
                return acked  # everything after to_seq was pruned: nothing left to send again
            target = max(target, int(first_kept) - 1)
            conn.execute("UPDATE outbox SET acked_at = NULL WHERE seq > ? AND seq <= ?", (target, acked))
            self._set_meta("last_ack_seq", target)
            return target

    def prune_delivered(self, older_than_s: float = DEFAULT_RETENTION_S) -> int:
        """Remove delivered rows recorded more than ``older_than_s`` ago; return how many.

        The chain head (last seq and hash) lives apart from the rows, so the chain continues. Rows whose
        credit or stock central's last snapshot may not include yet are kept until it does.
        """
        with self._tx() as conn:
            cutoff = self._now().timestamp() - older_than_s
            cursor = conn.execute(
                "DELETE FROM outbox WHERE acked_at IS NOT NULL AND seq <= ? AND created_at < ?"
                " AND refused_at IS NULL"  # refused rows stay: the clerk and the office look at them
                " AND (payment != 'credit' OR seq <= ?) AND (kind NOT IN ('sale', 'void') OR seq <= ?)",
                (
                    self._meta_int("last_ack_seq"),
                    cutoff,
                    self._meta_int("members_ack_seq"),
                    self._meta_int("catalog_ack_seq"),
                ),
            )
            if cursor.rowcount > 0:  # a member summary saved before the cutoff may miss a pruned row
                before = float(self._meta("pruned_before_at", "0") or 0)
                self._set_meta("pruned_before_at", max(before, cutoff))
            return int(cursor.rowcount)

    def apply_refusals(self, notice: Any) -> int:
        """Take central's refusal notice (``sync.refusals.Notice``): mark each named envelope refused with
        central's reason, which gives back what it took here (its stock, unless a void already did; its
        pending credit, no longer counted); unmark one central accepted after all (an office retry).
        An item whose id is not this device's envelope at that seq is ignored. Returns how many rows
        changed."""
        changed = 0
        with self._tx() as conn:
            now = self._now().timestamp()
            for item in notice.items:
                row = conn.execute(
                    "SELECT id, kind, envelope, ref, refused_at FROM outbox WHERE seq = ?", (int(item.seq),)
                ).fetchone()
                if row is None or row[0] != item.id:
                    continue
                ident, kind, data, ref, refused_at = row
                if item.state == "refused" and refused_at is None:
                    self._refusal_stock(conn, ident, kind, bytes(data), ref, give_back=True)
                    conn.execute(
                        "UPDATE outbox SET refused_at = ?, refused_reason = ? WHERE seq = ?",
                        (now, str(item.reason)[:MAX_REASON_CHARS], int(item.seq)),
                    )
                    changed += 1
                elif item.state == "accepted" and refused_at is not None:
                    conn.execute(
                        "UPDATE outbox SET refused_at = NULL, refused_reason = NULL WHERE seq = ?",
                        (int(item.seq),),
                    )
                    self._refusal_stock(conn, ident, kind, bytes(data), ref, give_back=False)
                    changed += 1
            self._set_meta("refused_total", max(int(notice.total), self._meta_int("refused_total")))
        return changed

    def _refusal_stock(
        self,
        conn: sqlite3.Connection,
        ident: str,
        kind: str,
        data: bytes,
        ref: str | None,
        *,
        give_back: bool,
    ) -> None:
        """Stock back for a sale central refused (taken again if central accepts it after all); for a
        refused void, its sale's stock is taken again (the void did not happen). Called before the mark
        changes; a sale voided by a void still standing has given its stock back already."""
        if kind == "sale":
            voided = conn.execute(
                "SELECT 1 FROM outbox WHERE kind = 'void' AND ref = ? AND refused_at IS NULL", (ident,)
            ).fetchone()
            if voided is not None:
                return
            lines, sign_ = json.loads(data)["lines"], 1
        elif kind == "void" and ref is not None:
            sale = conn.execute(
                "SELECT envelope FROM outbox WHERE id = ? AND kind = 'sale' AND refused_at IS NULL", (ref,)
            ).fetchone()
            if sale is None:
                return
            lines, sign_ = json.loads(bytes(sale[0]))["lines"], -1
        else:
            return
        if not give_back:
            sign_ = -sign_
        for line in lines:
            milli = rules.to_milli(rules.qty_value(line["sku"], line["qty"]))
            conn.execute(
                "UPDATE products SET stock_milli = stock_milli + ? WHERE sku = ? AND stock_milli IS NOT NULL",
                (sign_ * milli, line["sku"]),
            )

    def refused(self, limit: int = MAX_BATCH) -> list[tuple[int, str, str, str]]:
        """Envelopes central refused, newest first: (seq, id, kind, central's reason)."""
        rows = self._read(
            "SELECT seq, id, kind, refused_reason FROM outbox WHERE refused_at IS NOT NULL"
            " ORDER BY seq DESC LIMIT ?",
            (int(limit),),
        )
        return [(int(seq), str(ident), str(kind), str(reason or "")) for seq, ident, kind, reason in rows]

    def set_connectivity(self, connected: bool) -> None:
        """Remember whether sync/ is connected to the broker (shown by ``status``)."""
        with self._tx():
            self._set_meta("connected", int(bool(connected)))
            if connected:
                self._set_meta("last_sync_at", self._now().timestamp())

    def mark_revoked(self, reason: str | None) -> None:
        """Remember that this device was revoked (the broker refused its certificate, or central said so),
        with the reason shown by ``status``; ``None`` clears it. A revoked device is never shown connected."""
        with self._tx():
            if reason is None:
                self._conn.execute("DELETE FROM meta WHERE key = 'revoked'")
            else:
                self._set_meta("revoked", reason.strip()[:MAX_REASON_CHARS] or "-")
                self._set_meta("connected", 0)

    def iter_outbox(self, after: int = 0) -> Iterator[tuple[int, bytes]]:
        """Every outbox row above ``after``, in seq order, read in bounded batches."""
        while batch := self.outbox_after(after, MAX_BATCH):
            yield from batch
            after = batch[-1][0]

    # ---- witnessing the transparency log, for sync/ -------------------------------------------

    def kept_checkpoint(self) -> tuple[str, int] | None:
        """The signed note of the checkpoint accepted last and the seq up to which this device's own
        envelopes were proved included in the log, or None before the first."""
        rows = self._read("SELECT note, checked_seq FROM log_checkpoints ORDER BY id DESC LIMIT 1")
        return None if not rows else (str(rows[0][0]), int(rows[0][1]))

    def keep_checkpoint(self, note: str, size: int, root_hex: str, checked_seq: int) -> None:
        """Accept a checkpoint (its consistency proved by sync/); the last ``KEPT_CHECKPOINTS`` stay."""
        with self._tx() as conn:
            now = self._now().timestamp()
            conn.execute(
                "INSERT INTO log_checkpoints (size, root, note, accepted_at, checked_seq)"
                " VALUES (?, ?, ?, ?, ?)",
                (int(size), root_hex, note, now, int(checked_seq)),
            )
            conn.execute(
                "DELETE FROM log_checkpoints WHERE id <= (SELECT MAX(id) FROM log_checkpoints) - ?",
                (KEPT_CHECKPOINTS,),
            )

    def log_problem(self, reason: str, held: int, offered: int, *, tx: str, detail: str, note: str) -> None:
        """Remember a problem found in the log (a refused checkpoint's note kept as evidence)."""
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO log_problems (at, reason, held, offered, tx, detail, note)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    self._now().timestamp(),
                    reason,
                    int(held),
                    int(offered),
                    tx,
                    detail[:MAX_REASON_CHARS],
                    note,
                ),
            )
            conn.execute(
                "DELETE FROM log_problems WHERE id <= (SELECT MAX(id) FROM log_problems) - ?",
                (KEPT_PROBLEMS,),
            )
            self._set_meta("log_problem_open", 1)

    def log_problems(self) -> list[tuple[str, int, int, str, str, str]]:
        """Every problem kept, oldest first: (reason, held, offered, tx, detail, note)."""
        rows = self._read("SELECT reason, held, offered, tx, detail, note FROM log_problems ORDER BY id")
        return [(str(r), int(h), int(o), str(t), str(d), str(n)) for r, h, o, t, d, n in rows]

    def clear_log_problem(self) -> None:
        """The office has looked at the problem: stop showing it (the rows stay as evidence)."""
        with self._tx():
            self._set_meta("log_problem_open", 0)

    def acked_envelopes(self, after_seq: int, limit: int) -> list[tuple[int, str, bytes]]:
        """This device's envelopes central acknowledged, with a seq above ``after_seq``, in seq order, at
        most ``limit``: (seq, id, canonical bytes) for the inclusion check. Pruned rows are gone."""
        rows = self._read(
            "SELECT seq, id, envelope FROM outbox"
            " WHERE seq > ? AND acked_at IS NOT NULL AND refused_at IS NULL ORDER BY seq LIMIT ?",
            (int(after_seq), max(0, min(int(limit), MAX_BATCH))),
        )
        return [(int(s), str(i), bytes(e)) for s, i, e in rows]

    def audit(self) -> AuditResult:
        """Check the outbox chain (gapless, linked, signed, matching the chain head); see edge.audit."""
        with self._lock:
            head_seq = self._meta_int("last_seq")
            head_hash = self._meta("last_hash", GENESIS) or GENESIS
            # Rows as stored, not through outbox_after's bytes(): a row of the wrong type is reported.
            rows = self._conn.execute("SELECT seq, envelope FROM outbox ORDER BY seq").fetchall()
        return audit_outbox(rows, self._key.public_key(), self.settings.device, head_seq, head_hash)

    def continue_chain(self, last_seq: int, last_hash: str, last_ack_seq: int) -> None:
        """Start this (empty) store's chain where a replaced store of the same device left off."""
        with self._tx() as conn:
            if self._meta_int("last_seq") or conn.execute("SELECT 1 FROM outbox LIMIT 1").fetchone():
                raise InvalidInput(
                    "rantai perangkat ini sudah berisi transaksi", "this chain already holds envelopes"
                )
            self._set_meta("last_seq", last_seq)
            self._set_meta("last_hash", last_hash)
            self._set_meta("last_ack_seq", min(last_ack_seq, last_seq))

    def unsynced_count(self) -> int:
        """How many recorded transactions central has not confirmed yet."""
        with self._lock:
            acked = self._meta_int("last_ack_seq")
            return int(
                self._conn.execute("SELECT COUNT(*) FROM outbox WHERE seq > ?", (acked,)).fetchone()[0]
            )

    def status(self) -> Status:
        """Outbox depth, oldest unsynced, last ack, catalog and members versions."""
        with self._lock:
            depth, oldest = self._conn.execute(
                "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE seq > ?",
                (self._meta_int("last_ack_seq"),),
            ).fetchone()

            def ts(key: str) -> float | None:
                value = self._meta(key)
                return None if value is None else float(value)

            revoked = self._meta("revoked")
            marked = int(
                self._conn.execute("SELECT COUNT(*) FROM outbox WHERE refused_at IS NOT NULL").fetchone()[0]
            )
            latest = self._conn.execute(
                "SELECT seq, refused_reason FROM outbox WHERE refused_at IS NOT NULL"
                " ORDER BY seq DESC LIMIT ?",
                (STATUS_REFUSALS,),
            ).fetchall()
            return Status(
                outbox_depth=int(depth),
                oldest_unsynced_at=_iso(oldest),
                last_ack_seq=self._meta_int("last_ack_seq"),
                last_ack_at=_iso(ts("last_ack_at")),
                last_sync_at=_iso(ts("last_sync_at")),
                connected=revoked is None and self._meta("connected", "0") == "1",
                catalog_version=self._meta_int("catalog_version"),
                members_version=self._meta_int("members_version"),
                last_seq=self._meta_int("last_seq"),
                device=self.settings.device,
                revoked=revoked is not None,
                revoked_reason=revoked,
                refused=max(marked, self._meta_int("refused_total")),
                refused_latest=tuple((int(seq), str(reason or "")) for seq, reason in latest),
                **self._witness_status(),
            )

    def _witness_status(self) -> dict[str, Any]:
        kept = self._conn.execute(
            "SELECT size, accepted_at FROM log_checkpoints ORDER BY id DESC LIMIT 1"
        ).fetchone()
        problem = None
        if self._meta("log_problem_open", "0") == "1":
            row = self._conn.execute(
                "SELECT reason, held, offered, tx, detail FROM log_problems ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row is not None:
                problem = (str(row[0]), int(row[1]), int(row[2]), str(row[3]), str(row[4]))
        return {
            "witness_size": int(kept[0]) if kept else 0,
            "witness_at": _iso(float(kept[1])) if kept else None,
            "witness_problem": problem,
        }

    # ---- kiosk support ------------------------------------------------------------------------

    def save_member_summary(self, number: str, summary: Mapping[str, Any]) -> None:
        """Keep central's latest summary of a member to show offline (labelled with its ``as_of``)."""
        text = json.dumps(dict(summary), ensure_ascii=False, sort_keys=True)
        if len(text.encode()) > MAX_SUMMARY_BYTES:
            raise InvalidInput(f"member summary larger than {MAX_SUMMARY_BYTES} bytes")
        as_of = summary.get("as_of")
        with self._tx() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO member_summaries (number, as_of, summary, saved_at)"
                " VALUES (?, ?, ?, ?)",
                (number, as_of if isinstance(as_of, str) else None, text, self._now().timestamp()),
            )

    def member_summary(self, number: str) -> dict[str, Any] | None:
        """The last saved summary of ``number`` (a dict with its ``as_of``), or None."""
        rows = self._read("SELECT summary FROM member_summaries WHERE number = ?", (number,))
        if not rows:
            return None
        value: dict[str, Any] = json.loads(rows[0][0])
        return value

    def add_clerk(self, clerk: str, name: str, pin: str) -> None:
        """Register (or replace) a clerk with a PIN; only its scrypt hash is stored."""
        item = rules.clerk_item({"id": clerk, "name": name, "pin_hash": pins.hash_pin(pin), "active": True})
        with self._tx() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO clerks (id, name, pin_hash, active) VALUES (?, ?, ?, 1)",
                (item.id, item.name, item.pin_hash),
            )

    def clerks(self) -> list[Clerk]:
        """Registered clerks, by id."""
        rows = self._read("SELECT id, name, pin_hash, active FROM clerks ORDER BY id")
        return [Clerk(r[0], r[1], r[2], bool(r[3])) for r in rows]

    def check_pin(self, clerk: str, pin: str) -> bool:
        """True when ``clerk`` is active and ``pin`` is theirs."""
        rows = self._read("SELECT pin_hash, active FROM clerks WHERE id = ?", (clerk,))
        if not rows or not rows[0][1]:
            return False
        return pins.pin_matches(pin, rows[0][0])

    def shift_summary(self, clerk: str, since: datetime | str) -> ShiftSummary:
        """What ``clerk`` recorded since ``since``: sales by payment, voids, savings in and out, and the
        cash to hand in."""
        start = datetime.fromisoformat(since) if isinstance(since, str) else since
        if start.tzinfo is None:
            start = start.astimezone()
        with self._lock:
            if not self._read("SELECT 1 FROM clerks WHERE id = ?", (clerk,)):
                raise UnknownClerk(clerk)
            return self._shift_summary(self._conn, clerk, start)

    def _shift_summary(self, conn: sqlite3.Connection, clerk: str, start: datetime) -> ShiftSummary:
        rows = conn.execute(
            "SELECT o.kind, o.payment, o.total_rp, r.kind FROM outbox o LEFT JOIN outbox r ON r.id = o.ref"
            " WHERE o.clerk = ? AND o.created_at >= ? ORDER BY o.seq",
            (clerk, start.timestamp()),
        ).fetchall()
        facts = [OutboxFact(k, p, int(t), r) for k, p, t, r in rows]
        return rules.shift_summary(clerk, start.isoformat(timespec="seconds"), facts)

    def last_handin(self, clerk: str) -> str | None:
        """The end (ISO time) of the last shift ``clerk`` handed in at this device, or None."""
        with self._lock:
            return self._meta(f"handin_to:{clerk}")

    def record_handin(self, clerk: str, counted_rp: int, since: datetime | str | None = None) -> Recorded:
        """Close ``clerk``'s shift: record the cash counted beside the cash the shift summary expects, as
        a ``handin`` envelope over the period from ``since`` to now (to the second).

        Without ``since`` the shift starts the second after the clerk's last hand-in here, or at their
        first transaction when there was none. One hand-in per shift: a period that starts at or before
        the end of the clerk's last hand-in is refused (``HandinAlreadyRecorded``)."""
        with self._tx() as conn:
            if conn.execute("SELECT 1 FROM clerks WHERE id = ?", (clerk,)).fetchone() is None:
                raise UnknownClerk(clerk)
            now = self._now().replace(microsecond=0)
            last = self._meta(f"handin_to:{clerk}")
            last_end = datetime.fromisoformat(last) if last else None
            if since is not None:
                start = datetime.fromisoformat(since) if isinstance(since, str) else since
                if start.tzinfo is None:
                    start = start.astimezone()
                start = start.replace(microsecond=0)
                if last_end is not None and start <= last_end:
                    raise HandinAlreadyRecorded(clerk, last or "")
            elif last_end is not None:
                start = last_end + timedelta(seconds=1)
                since_last = conn.execute(
                    "SELECT 1 FROM outbox WHERE clerk = ? AND kind != 'handin' AND created_at >= ? LIMIT 1",
                    (clerk, start.timestamp()),
                ).fetchone()
                if since_last is None:  # nothing recorded since: this is the shift handed in already
                    raise HandinAlreadyRecorded(clerk, last or "")
            else:
                first = conn.execute(
                    "SELECT MIN(created_at) FROM outbox WHERE clerk = ?", (clerk,)
                ).fetchone()[0]
                start = now if first is None else datetime.fromtimestamp(int(first), now.tzinfo)
            if start > now:
                if last_end is not None and since is None:
                    raise HandinAlreadyRecorded(clerk, last or "")
                raise InvalidInput(
                    f"shift dimulai {start.isoformat()} setelah waktu sekarang {now.isoformat()}",
                    f"the shift starts at {start.isoformat()}, after the time now {now.isoformat()}",
                )
            summary = self._shift_summary(conn, clerk, start)
            end = now.isoformat(timespec="seconds")
            period = (start.isoformat(timespec="seconds"), end)
            body = rules.handin_body(self.settings.unit, clerk, period, summary, counted_rp)
            recorded = self._append(body, clerk=clerk)
            self._set_meta(f"handin_to:{clerk}", end)
            return recorded

    def stock_milli(self) -> dict[str, int | None]:
        """Raw stock per sku in thousandths (for consistency checks and tools)."""
        return {r[0]: r[1] for r in self._read("SELECT sku, stock_milli FROM products ORDER BY sku")}


def _positive_rp(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidAmount(name, value)


def _reason(reason: str) -> None:
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"a reason of 1 to {MAX_REASON_CHARS} characters is needed")
