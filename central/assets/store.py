"""Members' assets in side tables of the ledger database: the asset, its value history and its photos.

``member_assets`` holds one row per asset (its kind, description and who recorded it); ``asset_values``
every estimate of its value with the day it was made (the first is the value entered with the asset; the
current value is the latest by day, then by entry); ``asset_photos`` the photos as ``central.images``
made them safe (re-encoded JPEG and thumbnail, EXIF and GPS gone unless kept on purpose). The tables are
made through ``Ledger.create_side_tables``; the journal is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    select,
)

from central.assets import rules
from central.assets.rules import AssetError, Entry
from central.errors import UnknownMember
from central.groups import store as groups_store

if TYPE_CHECKING:
    from datetime import date

    from central.images import Photo
    from central.ledger import Ledger

MAX_BY: Final = 40
MAX_LISTED: Final = 2_000  # assets in one listing (the office's CSV of a large cooperative pages by member)
CSV_COLUMNS: Final = (
    "id",
    "member",
    "name",
    "kind",
    "description",
    "value_rp",
    "value_day",
    "photos",
    "recorded_by",
    "recorded_at",
)

metadata = MetaData()

member_assets = Table(
    "member_assets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member", String(40), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("description", String(rules.MAX_DESCRIPTION), nullable=False),
    Column("recorded_member", String(40), index=True),  # the member number of who recorded it (None: staff)
    Column("recorded_by", String(MAX_BY), nullable=False),  # their login
    Column("recorded_ts", BigInteger, nullable=False),
)

asset_values = Table(
    "asset_values",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asset", Integer, nullable=False, index=True),
    Column("day", String(10), nullable=False),
    Column("value_rp", BigInteger, nullable=False),
    Column("note", String(rules.MAX_NOTE), nullable=False),
    Column("by", String(MAX_BY), nullable=False),
    Column("ts", BigInteger, nullable=False),
)

asset_photos = Table(
    "asset_photos",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asset", Integer, nullable=False, index=True),
    Column("jpeg", LargeBinary, nullable=False),
    Column("thumb", LargeBinary, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("located", Boolean, nullable=False),  # the GPS position was kept on purpose
    Column("by", String(MAX_BY), nullable=False),
    Column("ts", BigInteger, nullable=False),
)


def _key(done: Any) -> int:
    """The number the database gave the row just inserted."""
    made = done.inserted_primary_key
    assert made is not None
    return int(made[0])


def ensure_tables(ledger: Ledger) -> None:
    """Create the assets' tables if missing (``Ledger.create_side_tables`` does it once per ledger)."""
    ledger.create_side_tables(metadata)


class UnknownAsset(AssetError):
    """No asset or photo with that number (the portal shows 404, the same as one the reader may not see)."""


@dataclass(frozen=True)
class Value:
    day: str
    value_rp: int
    note: str
    by: str
    ts: int


@dataclass(frozen=True)
class Asset:
    """An asset with its current value (the latest estimate), its photos' numbers and its history."""

    id: int
    member: str
    name: str
    kind: str
    description: str
    value_rp: int
    value_day: str
    recorded_member: str | None
    recorded_by: str
    recorded_ts: int
    photos: tuple[int, ...] = ()
    located: tuple[int, ...] = ()  # the photos that kept their GPS position
    history: tuple[Value, ...] = ()  # oldest first (filled by ``get`` only)

    def row(self) -> dict[str, Any]:
        """The CSV/JSON row of the asset."""
        return {
            "id": self.id,
            "member": self.member,
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "value_rp": self.value_rp,
            "value_day": self.value_day,
            "photos": len(self.photos),
            "recorded_by": self.recorded_by,
            "recorded_at": time.strftime("%Y-%m-%d", time.gmtime(self.recorded_ts)),
        }


def _now() -> int:
    return int(time.time())


def _member_name(ledger: Ledger, number: str) -> str:
    try:
        return str(ledger.member(number)["name"])
    except UnknownMember as err:
        raise AssetError(
            f"no member with number {number[:40]!r}", f"tidak ada anggota bernomor {number[:40]!r}"
        ) from err


def _insert_photo(conn: Connection, asset: int, photo: Photo, by: str) -> int:
    count = conn.execute(select(func.count()).where(asset_photos.c.asset == asset)).scalar_one()
    if int(count) >= rules.MAX_PHOTOS_PER_ASSET:
        raise AssetError(
            f"this asset already has {rules.MAX_PHOTOS_PER_ASSET} photos, the most it may have",
            f"aset ini sudah punya {rules.MAX_PHOTOS_PER_ASSET} foto, paling banyak",
        )
    done = conn.execute(
        asset_photos.insert().values(
            asset=asset,
            jpeg=photo.jpeg,
            thumb=photo.thumb,
            width=photo.width,
            height=photo.height,
            sha256=photo.sha256,
            located=bool(photo.location),
            by=by[:MAX_BY],
            ts=_now(),
        )
    )
    return _key(done)


def add(
    ledger: Ledger,
    owner: str,
    entry: Entry,
    *,
    by: str,
    by_member: str | None,
    photo: Photo | None = None,
) -> int:
    """Record a new asset of member ``owner`` (with its first value and, maybe, a photo); its number."""
    _member_name(ledger, owner)
    ensure_tables(ledger)
    a = member_assets
    with ledger.write() as conn:
        count = conn.execute(select(func.count()).where(a.c.member == owner)).scalar_one()
        if int(count) >= rules.MAX_ASSETS_PER_MEMBER:
            raise AssetError(
                f"member {owner} already has {rules.MAX_ASSETS_PER_MEMBER} assets recorded, the most",
                f"anggota {owner} sudah punya {rules.MAX_ASSETS_PER_MEMBER} aset tercatat, paling banyak",
            )
        now = _now()
        done = conn.execute(
            a.insert().values(
                member=owner,
                kind=entry.kind,
                description=entry.description,
                recorded_member=by_member,
                recorded_by=by[:MAX_BY],
                recorded_ts=now,
            )
        )
        asset = _key(done)
        conn.execute(
            asset_values.insert().values(
                asset=asset,
                day=entry.day.isoformat(),
                value_rp=entry.value_rp,
                note="",
                by=by[:MAX_BY],
                ts=now,
            )
        )
        if photo is not None:
            _insert_photo(conn, asset, photo, by)
    return asset


def add_value(ledger: Ledger, asset: int, value_rp: int, day: date, note: str, *, by: str) -> None:
    """A new estimate of the asset's value on ``day`` (history is kept; nothing is overwritten)."""
    rules.check_value(value_rp)
    ensure_tables(ledger)
    with ledger.write() as conn:
        _row(conn, asset)
        count = conn.execute(select(func.count()).where(asset_values.c.asset == asset)).scalar_one()
        if int(count) >= rules.MAX_VALUES_PER_ASSET:
            raise AssetError(
                f"this asset already has {rules.MAX_VALUES_PER_ASSET} values recorded",
                f"aset ini sudah punya {rules.MAX_VALUES_PER_ASSET} catatan nilai",
            )
        conn.execute(
            asset_values.insert().values(
                asset=asset,
                day=day.isoformat(),
                value_rp=value_rp,
                note=rules.clean_text(note, rules.MAX_NOTE),
                by=by[:MAX_BY],
                ts=_now(),
            )
        )


def add_photo(ledger: Ledger, asset: int, photo: Photo, *, by: str) -> int:
    """Keep one more photo of the asset; the photo's number."""
    ensure_tables(ledger)
    with ledger.write() as conn:
        _row(conn, asset)
        return _insert_photo(conn, asset, photo, by)


def _row(conn: Connection, asset: int) -> Any:
    row = conn.execute(select(member_assets).where(member_assets.c.id == asset)).mappings().first()
    if row is None:
        raise UnknownAsset(f"no asset number {asset}", f"tidak ada aset nomor {asset}")
    return row


def _assets(ledger: Ledger, conn: Connection, rows: Iterable[Any]) -> list[Asset]:
    rows = list(rows)
    ids = [int(r["id"]) for r in rows]
    if not ids:
        return []
    v = asset_values
    latest: dict[int, tuple[str, int, int]] = {}
    for asset, day, vid, value in conn.execute(
        select(v.c.asset, v.c.day, v.c.id, v.c.value_rp).where(v.c.asset.in_(ids))
    ):
        key = (str(day), int(vid), int(value))
        if asset not in latest or key[:2] > latest[asset][:2]:
            latest[int(asset)] = key
    p = asset_photos
    photos: dict[int, list[int]] = {}
    located: dict[int, list[int]] = {}
    for asset, pid, loc in conn.execute(
        select(p.c.asset, p.c.id, p.c.located).where(p.c.asset.in_(ids)).order_by(p.c.id)
    ):
        photos.setdefault(int(asset), []).append(int(pid))
        if loc:
            located.setdefault(int(asset), []).append(int(pid))
    names = {m["number"]: m["name"] for m in ledger.members()} if len(rows) > 1 else {}
    out = []
    for r in rows:
        number = str(r["member"])
        name = names.get(number) if names else None
        day, _, value = latest.get(int(r["id"]), ("", 0, 0))
        out.append(
            Asset(
                id=int(r["id"]),
                member=number,
                name=str(name if name is not None else _member_name(ledger, number)),
                kind=str(r["kind"]),
                description=str(r["description"]),
                value_rp=value,
                value_day=day,
                recorded_member=r["recorded_member"],
                recorded_by=str(r["recorded_by"]),
                recorded_ts=int(r["recorded_ts"]),
                photos=tuple(photos.get(int(r["id"]), ())),
                located=tuple(located.get(int(r["id"]), ())),
            )
        )
    return out


def get(ledger: Ledger, asset: int) -> Asset:
    """One asset with its value history (oldest first), or ``UnknownAsset``."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        row = _row(conn, asset)
        found = _assets(ledger, conn, [row])[0]
        v = asset_values
        history = tuple(
            Value(str(r.day), int(r.value_rp), str(r.note), str(r.by), int(r.ts))
            for r in conn.execute(select(v).where(v.c.asset == asset).order_by(v.c.day, v.c.id))
        )
    return Asset(**{**found.__dict__, "history": history})


def listing(
    ledger: Ledger,
    *,
    member: str | None = None,
    kind: str | None = None,
    members: Collection[str] | None = None,
    limit: int = MAX_LISTED,
) -> list[Asset]:
    """Assets, newest first, of one member, one kind, or of some members."""
    ensure_tables(ledger)
    a = member_assets
    query = select(a).order_by(a.c.id.desc()).limit(max(1, min(limit, MAX_LISTED)))
    if member is not None:
        query = query.where(a.c.member == member)
    if kind is not None:
        query = query.where(a.c.kind == kind)
    if members is not None:
        query = query.where(a.c.member.in_(sorted(members)))
    with ledger.read() as conn:
        return _assets(ledger, conn, conn.execute(query).mappings())


def cadre_of(ledger: Ledger, viewer: rules.Viewer) -> frozenset[str]:
    """The members of the groups ``viewer`` leads as their cadre (empty for anybody else)."""
    if viewer.role != rules.CADRE or viewer.member is None:
        return frozenset()
    return frozenset(n for g in groups_store.groups(ledger, cadre=viewer.member) for n in g.numbers)


def visible(
    ledger: Ledger, viewer: rules.Viewer, *, member: str | None = None, kind: str | None = None
) -> list[Asset]:
    """The assets ``viewer`` may see (filtered by member and kind when asked)."""
    if rules.sees_every_asset(viewer):
        return listing(ledger, member=member, kind=kind)
    if viewer.member is None:
        return []
    allowed = {viewer.member, *cadre_of(ledger, viewer)}
    if member is not None:
        allowed &= {member}
    return listing(ledger, members=allowed, kind=kind) if allowed else []


def photo(ledger: Ledger, number: int, *, thumb: bool = False) -> tuple[int, bytes]:
    """(the asset's number, the JPEG bytes) of photo ``number``, or ``UnknownAsset``."""
    ensure_tables(ledger)
    p = asset_photos
    column = p.c.thumb if thumb else p.c.jpeg
    with ledger.read() as conn:
        row = conn.execute(select(p.c.asset, column).where(p.c.id == number)).first()
    if row is None:
        raise UnknownAsset(f"no photo number {number}", f"tidak ada foto nomor {number}")
    return int(row[0]), bytes(row[1])
