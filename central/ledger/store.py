"""The ledger store: one database (SQLite file or PostgreSQL URL) holding config, members, products,
devices, transactions, journal and quarantine. Rules live in ``posting``/``ingest``; this is the shell.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, Engine, create_engine, event, func, select, union
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from central.config import Config, from_json
from central.errors import (
    DatabaseUnreachable,
    DeviceError,
    NoLedger,
    NotInitialised,
    OutdatedLedger,
    StoreError,
    UnknownDevice,
    UnknownMember,
)
from central.ledger import schema
from central.ledger.ingest import IngestReport, Prepared, ingest
from central.ledger.tables import _set_meta, rebuild_account_days, rebuild_chain_breaks
from central.members.rows import MemberRow, ProductRow, new_card_code
from sync import envelope as wire

SIDE_TABLES_LOCK: Final = 0x6B6F7001  # pg_advisory_xact_lock key of create_side_tables

SQLITE_BUSY_TIMEOUT_S: Final = 30
PG_CONNECT_TIMEOUT_S: Final = 10
MAX_CARD_CODE_TRIES: Final = 10
SEQ_PAGE: Final = 10_000
MAX_SEQ_PAGES: Final = 10_000  # 100 million envelopes per device per call


def _engine(target: str) -> Engine:
    if "://" not in target:
        path = Path(target)
        if path.parent and not path.parent.exists():
            raise StoreError(f"folder {path.parent} does not exist; create it or give another --db path")
        # Connections are handed between threads (ingest's writer), never used by two at once.
        engine = create_engine(
            f"sqlite:///{path}", connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        )
        _sqlite_events(engine)
        return engine
    url = target
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not url.startswith("postgresql+psycopg://") and not url.startswith("sqlite"):
        raise StoreError(f"--db {target!r}: use a SQLite file path or a postgresql:// URL")
    if url.startswith("postgresql") and "connect_timeout" not in url:
        engine = create_engine(url, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S})
    else:
        engine = create_engine(url)
    if url.startswith("sqlite"):
        _sqlite_events(engine)
    return engine


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # money: a commit survives power loss
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _only_init_creates(ledger: Ledger, path: Path) -> None:
    """Connect to the SQLite file read-write without creating it, unless ``ledger.init`` is running."""

    @event.listens_for(ledger.engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
        if ledger._may_create:
            return
        if not path.exists():
            raise NoLedger(str(path))
        cargs[:] = [f"{path.resolve().as_uri()}?mode=rw"]
        cparams["uri"] = True


def _check_reachable(engine: Engine) -> None:
    """Connect once, so an unreachable server is reported as such and not as a missing ledger."""
    try:
        with engine.connect():
            pass
    except OperationalError as err:
        url = engine.url
        reason = (str(err.orig or err).strip().splitlines() or ["?"])[0]
        raise DatabaseUnreachable(
            url.host or "localhost", url.port or 5432, url.database or "", reason
        ) from err


class Ledger:
    """The central ledger. ``Ledger.open(db)`` then ``init(config)`` once; then ingest and read."""

    def __init__(self, engine: Engine, target: str) -> None:
        self.engine = engine
        self.target = target
        self._config: Config | None = None
        self._contiguous: dict[str, int] = {}  # device -> contiguous seq already seen committed
        self._current = False  # schema version checked equal to this program's
        self._may_create = False  # a missing SQLite file is created by ``init`` only
        self._side_tables: set[int] = set()  # ids of the side ``MetaData`` created through this ledger

    # -- lifecycle ---------------------------------------------------------------------------------------
    @classmethod
    def open(cls, target: str | Path) -> Ledger:
        """Open a ledger: a SQLite file path or a ``postgresql://`` URL. Nothing is created until ``init``:
        any other use of a SQLite file that does not exist raises ``NoLedger`` (and leaves no file behind);
        a PostgreSQL server that cannot be reached raises ``DatabaseUnreachable`` here."""
        text = str(target)
        try:
            ledger = cls(_engine(text), text)
        except (SQLAlchemyError, ImportError) as err:
            raise StoreError(f"cannot open database {text}: {err}") from err
        if "://" not in text:
            _only_init_creates(ledger, Path(text))
        elif ledger.engine.dialect.name == "postgresql":
            _check_reachable(ledger.engine)
        return ledger

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def init(self, config: Config) -> None:
        """Create the tables and store ``config``. Re-running init keeps the data and replaces the config."""
        self._may_create = True
        try:
            schema.metadata.create_all(self.engine)
            with self.write() as conn:
                stale_sums = schema.upgrade(conn)
                _set_meta(conn, schema_version=str(schema.SCHEMA_VERSION), config=config.to_json())
                conn.execute(schema.accounts.delete())
                conn.execute(
                    schema.accounts.insert(),
                    [{"code": a.code, "name": a.name, "type": a.type, "unit": a.unit} for a in config.chart],
                )
                has_lines = conn.execute(select(schema.journal.c.tx).limit(1)).first() is not None
                has_sums = conn.execute(select(schema.account_days.c.account).limit(1)).first() is not None
                if has_lines and (stale_sums or not has_sums):
                    rebuild_account_days(conn)
                rebuild_chain_breaks(conn)
                conn.execute(schema.units.delete())
                conn.execute(
                    schema.units.insert(),
                    [{"code": u.code, "name": u.name, "participant": u.participant} for u in config.units],
                )
        except OperationalError as err:
            raise StoreError(f"cannot initialise {self.target}: {err.orig}") from err
        self._config = config
        self._current = True

    def schema_version(self) -> int:
        """The schema version the ledger's tables were last written with (``init`` or ``upgrade``)."""
        self.config  # noqa: B018 - raises NotInitialised first
        with self.engine.connect() as conn:
            value = conn.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
            ).scalar_one_or_none()
        try:
            return int(value) if value is not None else 1
        except ValueError as err:
            raise StoreError(f"{self.target}: schema version {value!r} is not a number") from err

    def require_current(self) -> None:
        """Refuse to write into a ledger whose tables are older (or newer) than this program's.

        Reading an older ledger works (the year-end keeps a path for it); writing would fail half-way on
        a missing column, so the operator is told to run ``upgrade`` first.
        """
        if self._current:
            return
        found = self.schema_version()
        if found < schema.SCHEMA_VERSION:
            raise OutdatedLedger(
                f"{self.target} has schema version {found}, this program writes version "
                f"{schema.SCHEMA_VERSION}; run `python -m central --db {self.target} upgrade` once "
                "(it keeps every transaction and the config)"
            )
        if found > schema.SCHEMA_VERSION:
            raise OutdatedLedger(
                f"{self.target} has schema version {found}, newer than this program's "
                f"{schema.SCHEMA_VERSION}; install the newer version of the program"
            )
        self._current = True

    def upgrade(self) -> tuple[int, int]:
        """Bring an older ledger's tables up to this program's schema, keeping its data and config.

        Returns (version before, version after); a current ledger is left as it is.
        """
        before = self.schema_version()
        if before > schema.SCHEMA_VERSION:
            self.require_current()  # raises: written by a newer program
        if before < schema.SCHEMA_VERSION:
            try:
                schema.metadata.create_all(self.engine)
                with self.write() as conn:
                    if schema.upgrade(conn):
                        rebuild_account_days(conn)
                    _set_meta(conn, schema_version=str(schema.SCHEMA_VERSION))
            except OperationalError as err:
                raise StoreError(f"cannot upgrade {self.target}: {err.orig}") from err
        self._current = True
        return before, schema.SCHEMA_VERSION

    @property
    def config(self) -> Config:
        """The cooperative's config as stored by ``init``."""
        if self._config is None:
            try:
                with self.engine.connect() as conn:
                    value = conn.execute(
                        select(schema.meta.c.value).where(schema.meta.c.key == "config")
                    ).scalar_one_or_none()
            except (OperationalError, SQLAlchemyError) as err:
                raise NotInitialised(
                    f"{self.target} is not a ledger yet (or cannot be read); run `python -m central --db "
                    f"{self.target} init` first"
                ) from err
            if value is None:
                raise NotInitialised(f"{self.target} has no ledger config; run `init` first")
            self._config = from_json(value)
        return self._config

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in one write transaction (SQLite: BEGIN IMMEDIATE), committed on success."""
        with self.engine.connect() as plain:
            conn = plain.execution_options(immediate=True)
            with conn.begin():
                yield conn

    def create_side_tables(self, metadata: Any) -> None:
        """Create the missing tables of a package's own ``MetaData`` (year-end, portal, loans, ...) in one
        write transaction: on SQLite a deferred CREATE racing ``serve``'s commits fails at once with
        "database is locked"; inside BEGIN IMMEDIATE it waits its turn like any write. Once per ledger
        object and ``MetaData`` (a package's module-level one): the next calls cost nothing. Remembered here,
        not by the engine's ``id()`` in the package, which a later engine can be given again.

        On PostgreSQL two connections creating the same table at once collide in the catalog (a unique
        violation on pg_type), which checking first does not prevent: a transaction-scoped advisory lock
        makes the second wait for the first's commit, and it then finds the tables there."""
        if id(metadata) in self._side_tables:
            return
        with self.write() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SIDE_TABLES_LOCK})")
            metadata.create_all(conn)
        self._side_tables.add(id(metadata))

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading, in one transaction (a consistent view)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # -- ingest ------------------------------------------------------------------------------------------
    def ingest(
        self,
        envelopes: Iterable[Mapping[str, Any] | bytes | str] | Prepared,
        require_signature: bool = False,
        expected_device: str | None = None,
    ) -> IngestReport:
        """Check and commit envelopes; idempotent on ``id``. Invalid ones are quarantined with a reason.

        ``envelopes`` may also be ``central.ledger.ingest.prepare(items)`` (parsed ahead, on another
        thread; use it once).

        With ``require_signature`` (the MQTT path) each envelope must carry a valid signature by the
        registered, unrevoked key of its device; ``expected_device`` must then equal ``envelope.device``.
        """
        self.require_current()  # raises NotInitialised or OutdatedLedger before any work
        return ingest(self, envelopes, require_signature=require_signature, expected_device=expected_device)

    def refresh_statistics(self) -> bool:
        """After a bulk load on PostgreSQL: ANALYZE, so the planner knows the tables' sizes at once rather
        than after autovacuum's next visit (until then it plans a 250,000-row table as if it were empty: a
        member's home page took 190 ms instead of 40). True when it ran. SQLite keeps no statistics
        here: the ledger's queries are written for its planner without them."""
        if self.engine.dialect.name != "postgresql":
            return False
        with self.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        return True

    def contiguous_seq(self, device: str) -> int:
        """The highest seq s such that seqs 1..s of ``device`` are all processed: committed, or refused
        while authentic (``central.ledger.refusals``); 0 if none.

        Neither is ever removed, so the answer only grows: it is remembered per device and each call
        reads only the seqs above it, in pages of ``SEQ_PAGE``.
        """
        t = schema.transactions
        r = schema.refusals
        known = self._contiguous.get(device, 0)
        with self.read() as conn:
            for _ in range(MAX_SEQ_PAGES):
                held = union(
                    select(t.c.seq.label("seq")).where(t.c.device == device, t.c.seq > known),
                    select(r.c.seq.label("seq")).where(r.c.device == device, r.c.seq > known),
                ).subquery()
                seqs = conn.execute(select(held.c.seq).order_by(held.c.seq).limit(SEQ_PAGE)).scalars().all()
                for seq in seqs:
                    if int(seq) != known + 1:
                        break
                    known += 1
                else:
                    if len(seqs) == SEQ_PAGE:
                        continue  # the whole page was contiguous: read the next one
                break
        self._contiguous[device] = known
        return known

    # -- devices -----------------------------------------------------------------------------------------
    def devices_add(self, device: str, public_key_b64: str, unit: str, branch: str) -> None:
        """Register a device and its Ed25519 public key (base64 of the 32 raw bytes)."""
        if not wire.DEVICE_RE.match(device):
            raise DeviceError(f"device id {device!r} must be lowercase letters, digits, '-' or '_'")
        try:
            wire.load_public_key(public_key_b64)
        except wire.EnvelopeError as err:
            raise DeviceError(f"public key of {device}: {err}") from err
        if self.config.unit(unit) is None:
            units = ", ".join(u.code for u in self.config.units)
            raise DeviceError(f"unit {unit!r} is not a unit of this cooperative ({units})")
        if not wire.CODE_RE.match(branch):
            raise DeviceError(f"branch {branch!r} must be a code of letters, digits, '.', '_' or '-'")
        d = schema.devices
        with self.write() as conn:
            if conn.execute(select(d.c.device).where(d.c.device == device)).first() is not None:
                raise DeviceError(f"device {device} is already registered; revoke it and use a new id")
            conn.execute(
                d.insert().values(
                    device=device,
                    public_key=public_key_b64.strip(),
                    unit=unit,
                    branch=branch,
                    added_ts=int(time.time()),
                )
            )

    def devices_revoke(self, device: str, reason: str) -> None:
        """Revoke a device: its later envelopes are quarantined as "device revoked"."""
        d = schema.devices
        with self.write() as conn:
            result = conn.execute(
                d.update()
                .where(d.c.device == device)
                .values(revoked_ts=int(time.time()), revoked_reason=reason[:200])
            )
            if result.rowcount == 0:
                raise UnknownDevice(f"no device {device!r} is registered; see `devices list`")

    def devices_list(self) -> list[dict[str, Any]]:
        """All registered devices, revoked ones included."""
        d = schema.devices
        with self.read() as conn:
            rows = conn.execute(select(d).order_by(d.c.device)).mappings().all()
        return [dict(row) for row in rows]

    # -- members and products ----------------------------------------------------------------------------
    def import_members(self, rows: Sequence[MemberRow]) -> tuple[int, int]:
        """Insert new members (each gets a random card code) and update existing ones; (added, updated)."""
        m = schema.members
        now = int(time.time())
        with self.write() as conn:
            existing = {
                number
                for (number,) in conn.execute(
                    select(m.c.number).where(m.c.number.in_([r.number for r in rows]))
                )
            }
            codes = {code for (code,) in conn.execute(select(m.c.card_code))}
            added = updated = 0
            for row in rows:
                values = {
                    "name": row.name,
                    "joined": row.joined,
                    "birth_date": row.birth_date,
                    "phone": row.phone,
                    "blood_type": row.blood_type,
                    "role": row.role,
                    "credit_limit_rp": row.credit_limit_rp,
                    "active": row.active,
                    "updated_ts": now,
                }
                if row.number in existing:
                    conn.execute(m.update().where(m.c.number == row.number).values(**values))
                    updated += 1
                else:
                    code = new_card_code()
                    for _ in range(MAX_CARD_CODE_TRIES):
                        if code not in codes:
                            break
                        code = new_card_code()
                    codes.add(code)
                    conn.execute(m.insert().values(number=row.number, card_code=code, **values))
                    added += 1
        return added, updated

    def import_products(self, rows: Sequence[ProductRow]) -> tuple[int, int]:
        """Insert new products and update existing ones in place; (added, updated)."""
        p = schema.products
        units = {u.code for u in self.config.units}
        for row in rows:
            if row.unit not in units:  # members.parse_products checks this too
                raise StoreError(f"product {row.sku}: unit {row.unit!r} is not a unit of this cooperative")
        now = int(time.time())
        with self.write() as conn:
            existing = {
                sku for (sku,) in conn.execute(select(p.c.sku).where(p.c.sku.in_([r.sku for r in rows])))
            }
            added = updated = 0
            for row in rows:
                values = {
                    "name": row.name,
                    "unit": row.unit,
                    "price_rp": row.price_rp,
                    "cost_rp": row.cost_rp,
                    "updated_ts": now,
                }
                if row.sku in existing:
                    conn.execute(p.update().where(p.c.sku == row.sku).values(**values))
                    updated += 1
                else:
                    conn.execute(p.insert().values(sku=row.sku, **values))
                    added += 1
        return added, updated

    def members(self) -> list[dict[str, Any]]:
        """Members for the downlink snapshot: number, name, card_code, role, active, credit limit and use."""
        m = schema.members
        j = schema.journal
        receivable = self.config.posting.receivable
        default_limit = self.config.default_credit_limit_rp
        with self.read() as conn:
            used = {
                member: int(debit or 0) - int(credit or 0)
                for member, debit, credit in conn.execute(
                    select(j.c.member, func.sum(j.c.debit_rp), func.sum(j.c.credit_rp))
                    .where(j.c.account == receivable, j.c.member.is_not(None))
                    .group_by(j.c.member)
                )
            }
            rows = conn.execute(select(m).order_by(m.c.number)).mappings().all()
        return [
            {
                "number": row["number"],
                "name": row["name"],
                "card_code": row["card_code"],
                "role": row["role"],
                "active": bool(row["active"]),
                "credit_limit_rp": int(
                    row["credit_limit_rp"] if row["credit_limit_rp"] is not None else default_limit
                ),
                "credit_used_rp": used.get(row["number"], 0),
            }
            for row in rows
        ]

    def member_rows(self) -> list[dict[str, Any]]:
        """Every member with all stored fields (for the CSV export)."""
        m = schema.members
        with self.read() as conn:
            return [dict(r) for r in conn.execute(select(m).order_by(m.c.number)).mappings().all()]

    def products(self) -> list[dict[str, Any]]:
        """Products for the catalog downlink: sku, name, unit, price_rp, cost_rp, stock (None: untracked)."""
        p = schema.products
        with self.read() as conn:
            rows = conn.execute(select(p).order_by(p.c.sku)).mappings().all()
        return [
            {
                "sku": r["sku"],
                "name": r["name"],
                "unit": r["unit"],
                "price_rp": int(r["price_rp"]),
                "cost_rp": int(r["cost_rp"]),
                "stock": None,
            }
            for r in rows
        ]

    def member(self, number: str) -> dict[str, Any]:
        """One member's stored fields, or ``UnknownMember``."""
        m = schema.members
        with self.read() as conn:
            row = conn.execute(select(m).where(m.c.number == number)).mappings().first()
        if row is None:
            raise UnknownMember(f"no member with number {number!r}; see `export members`")
        return dict(row)
