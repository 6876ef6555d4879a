"""Groups, meetings, attendance and visit reports in side tables of the ledger database (docs/groups.md).

The tables are created through ``Ledger.create_side_tables`` (once per ledger). Every write checks its
input with ``central.groups.rules`` first and refuses with a bilingual ``GroupError``; nothing here posts
to the journal. A member is in at most one group at a time (``group_members.member`` is the key): a
cadre's villages and an announcement to a group then reach each member once, and moving a member is one
change, not a forgotten second membership.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

from central.groups import rules
from central.groups.errors import GroupError, UnknownGroup
from central.images import Photo
from central.ledger import Ledger, schema

MAX_BY: Final = 40
MAX_LISTED: Final = 500

metadata = MetaData()

fgs_groups = Table(
    "fgs_groups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(rules.MAX_NAME), nullable=False, unique=True),
    Column("village", String(rules.MAX_VILLAGE), nullable=False),
    Column("cadre", String(40), nullable=False),  # a member whose role is kader
    Column("created_ts", BigInteger, nullable=False),
    Column("created_by", String(MAX_BY), nullable=False),
    Column("updated_ts", BigInteger, nullable=False),
)

fgs_members = Table(
    "fgs_members",
    metadata,
    Column("member", String(40), primary_key=True),  # at most one group per member
    Column("group_id", Integer, ForeignKey("fgs_groups.id"), nullable=False, index=True),
    Column("added_ts", BigInteger, nullable=False),
    Column("added_by", String(MAX_BY), nullable=False),
)

fgs_meetings = Table(
    "fgs_meetings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_id", Integer, ForeignKey("fgs_groups.id"), nullable=False),
    Column("day", String(10), nullable=False),
    Column("place", String(rules.MAX_PLACE), nullable=False),
    Column("agenda", Text, nullable=False),
    Column("notes", Text, nullable=False),
    Column("filed_by", String(MAX_BY), nullable=False),
    Column("filed_ts", BigInteger, nullable=False),
    Column("updated_ts", BigInteger, nullable=False),
    Index("ix_fgs_meetings_group_day", "group_id", "day"),
)

fgs_attendance = Table(
    "fgs_attendance",
    metadata,
    Column("meeting_id", Integer, ForeignKey("fgs_meetings.id"), primary_key=True),
    Column("member", String(40), primary_key=True),
    Column("present", Boolean, nullable=False),
)

fgs_visits = Table(
    "fgs_visits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cadre", String(40), nullable=False),
    Column("group_id", Integer, ForeignKey("fgs_groups.id"), nullable=False),
    Column("member", String(40)),  # null: a visit to the whole group
    Column("village", String(rules.MAX_VILLAGE), nullable=False),  # the group's village when filed
    Column("day", String(10), nullable=False),
    Column("text", Text, nullable=False),
    Column("filed_ts", BigInteger, nullable=False),
    Index("ix_fgs_visits_day", "day"),
)

fgs_photos = Table(
    "fgs_photos",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("visit_id", Integer, ForeignKey("fgs_visits.id"), nullable=False, index=True),
    Column("jpeg", LargeBinary, nullable=False),
    Column("thumb", LargeBinary, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("added_ts", BigInteger, nullable=False),
)


def ensure_tables(ledger: Ledger) -> None:
    """Create the groups' tables if missing (``Ledger.create_side_tables`` does it once per ledger)."""
    ledger.create_side_tables(metadata)


def _now(now_ts: int | None) -> int:
    return int(_time.time()) if now_ts is None else now_ts


def _by(by: str) -> str:
    if not by.strip() or len(by) > MAX_BY:
        raise GroupError(f"who did it must be 1 to {MAX_BY} characters", f"pelaku harus 1-{MAX_BY} karakter")
    return by


# ---- groups ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A member as the groups' pages show them."""

    number: str
    name: str
    role: str
    active: bool


@dataclass(frozen=True)
class Group:
    """A group with its cadre and its members (by number)."""

    id: int
    name: str
    village: str
    cadre: str
    cadre_name: str
    members: tuple[Member, ...]

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(m.number for m in self.members)

    def row(self) -> dict[str, Any]:
        """As a plain row (JSON, CSV)."""
        return {
            "id": self.id,
            "name": self.name,
            "village": self.village,
            "cadre": self.cadre,
            "cadre_name": self.cadre_name,
            "members": len(self.members),
        }


def _role(conn: Connection, number: str) -> str | None:
    m = schema.members
    found = conn.execute(select(m.c.role).where(m.c.number == number)).scalar()
    return None if found is None else str(found)


def _names(conn: Connection, numbers: set[str]) -> dict[str, Member]:
    m = schema.members
    if not numbers:
        return {}
    rows = conn.execute(
        select(m.c.number, m.c.name, m.c.role, m.c.active).where(m.c.number.in_(sorted(numbers)))
    )
    return {str(r.number): Member(str(r.number), str(r.name), str(r.role), bool(r.active)) for r in rows}


def _groups(conn: Connection, where: Any = None) -> list[Group]:
    g, gm = fgs_groups, fgs_members
    query = select(g).order_by(g.c.village, g.c.name)
    if where is not None:
        query = query.where(where)
    found = conn.execute(query.limit(MAX_LISTED)).all()
    ids = [row.id for row in found]
    members: dict[int, list[str]] = {}
    if ids:
        for number, group_id in conn.execute(
            select(gm.c.member, gm.c.group_id).where(gm.c.group_id.in_(ids)).order_by(gm.c.member)
        ):
            members.setdefault(int(group_id), []).append(str(number))
    names = _names(conn, {n for ns in members.values() for n in ns} | {str(r.cadre) for r in found})
    out = []
    for row in found:
        cadre = names.get(str(row.cadre))
        listed = [names.get(n, Member(n, n, "", False)) for n in members.get(int(row.id), [])]
        out.append(
            Group(
                int(row.id),
                str(row.name),
                str(row.village),
                str(row.cadre),
                cadre.name if cadre else str(row.cadre),
                tuple(sorted(listed, key=lambda x: (x.name.casefold(), x.number))),
            )
        )
    return out


def groups(ledger: Ledger, *, village: str | None = None, cadre: str | None = None) -> list[Group]:
    """The groups (of ``village``, compared as ``rules.village_key``; of ``cadre``), by village and name."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        found = _groups(conn, None if cadre is None else fgs_groups.c.cadre == cadre)
    if village is not None:
        key = rules.village_key(village)
        found = [x for x in found if rules.village_key(x.village) == key]
    return found


def group(ledger: Ledger, group_id: int) -> Group:
    """One group, or ``UnknownGroup``."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        found = _groups(conn, fgs_groups.c.id == group_id)
    if not found:
        raise UnknownGroup(
            f"no group numbered {group_id}; `central groups list` shows them",
            f"tidak ada kelompok bernomor {group_id}; lihat `central groups list`",
        )
    return found[0]


def group_of(ledger: Ledger, member: str) -> Group | None:
    """The group ``member`` is in, or None."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        found = conn.execute(select(fgs_members.c.group_id).where(fgs_members.c.member == member)).scalar()
    return None if found is None else group(ledger, int(found))


def villages(ledger: Ledger) -> list[str]:
    """The villages that have a group, as first written, in order."""
    seen: dict[str, str] = {}
    for item in groups(ledger):
        seen.setdefault(rules.village_key(item.village), item.village)
    return sorted(seen.values(), key=str.casefold)


def _name_taken(conn: Connection, name: str, but: int | None) -> None:
    g = fgs_groups
    query = select(g.c.id).where(func.lower(g.c.name) == name.lower())
    if but is not None:
        query = query.where(g.c.id != but)
    if conn.execute(query).first() is not None:
        raise GroupError(f"a group named {name!r} exists already", f"kelompok bernama {name!r} sudah ada")


def create(
    ledger: Ledger, name: str, village: str, cadre: str, *, by: str, now_ts: int | None = None
) -> Group:
    """A new group led by ``cadre`` (a member whose role is kader), or ``GroupError``."""
    ensure_tables(ledger)
    ts = _now(now_ts)
    with ledger.write() as conn:
        name, village = rules.check_group(name, village, cadre, _role(conn, cadre))
        _name_taken(conn, name, None)
        made = conn.execute(
            insert(fgs_groups).values(
                name=name, village=village, cadre=cadre, created_ts=ts, created_by=_by(by), updated_ts=ts
            )
        ).inserted_primary_key
    assert made is not None
    return group(ledger, int(made[0]))


def edit(
    ledger: Ledger, group_id: int, name: str, village: str, cadre: str, *, now_ts: int | None = None
) -> Group:
    """Change a group's name, village or cadre."""
    group(ledger, group_id)
    with ledger.write() as conn:
        name, village = rules.check_group(name, village, cadre, _role(conn, cadre))
        _name_taken(conn, name, group_id)
        conn.execute(
            update(fgs_groups)
            .where(fgs_groups.c.id == group_id)
            .values(name=name, village=village, cadre=cadre, updated_ts=_now(now_ts))
        )
    return group(ledger, group_id)


def add_members(
    ledger: Ledger, group_id: int, numbers: list[str], *, by: str, now_ts: int | None = None
) -> Group:
    """Put members into a group, all or none: each must exist and be in no other group (move a member by
    removing them from their group first). A member already in this group is left as is."""
    found = group(ledger, group_id)
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    if not wanted:
        raise GroupError("name at least one member number", "sebutkan paling sedikit satu nomor anggota")
    if len(found.members) + len(wanted) > rules.MAX_GROUP_MEMBERS:
        raise GroupError(
            f"a group has at most {rules.MAX_GROUP_MEMBERS} members",
            f"satu kelompok paling banyak {rules.MAX_GROUP_MEMBERS} anggota",
        )
    ts = _now(now_ts)
    with ledger.write() as conn:
        known = _names(conn, set(wanted))
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise GroupError(
                f"no member numbered {', '.join(unknown)}", f"tidak ada anggota bernomor {', '.join(unknown)}"
            )
        elsewhere = conn.execute(
            select(fgs_members.c.member, fgs_groups.c.name)
            .join(fgs_groups, fgs_groups.c.id == fgs_members.c.group_id)
            .where(fgs_members.c.member.in_(wanted), fgs_members.c.group_id != group_id)
        ).all()
        if elsewhere:
            listed = ", ".join(f"{m} ({g})" for m, g in elsewhere)
            raise GroupError(
                f"already in another group: {listed}; a member is in one group at a time, remove them there "
                "first",
                f"sudah di kelompok lain: {listed}; satu anggota hanya di satu kelompok, keluarkan dulu "
                "dari sana",
            )
        new = [n for n in wanted if n not in set(found.numbers)]
        for number in new:
            conn.execute(
                insert(fgs_members).values(member=number, group_id=group_id, added_ts=ts, added_by=_by(by))
            )
    return group(ledger, group_id)


def remove_members(ledger: Ledger, group_id: int, numbers: list[str]) -> Group:
    """Take members out of a group (their past attendance stays with the meetings they had)."""
    found = group(ledger, group_id)
    wanted = [n.strip() for n in numbers if n.strip()]
    strangers = sorted(set(wanted) - set(found.numbers))
    if strangers:
        raise GroupError(
            f"not members of this group: {', '.join(strangers)}",
            f"bukan anggota kelompok ini: {', '.join(strangers)}",
        )
    with ledger.write() as conn:
        conn.execute(
            delete(fgs_members).where(fgs_members.c.group_id == group_id, fgs_members.c.member.in_(wanted))
        )
    return group(ledger, group_id)


# ---- meetings -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meeting:
    """A meeting with the attendance recorded for each member the group had at it."""

    id: int
    group_id: int
    day: str
    place: str
    agenda: str
    notes: str
    filed_by: str
    attendance: tuple[tuple[str, bool], ...]  # (member, present), by member number

    @property
    def present(self) -> int:
        return sum(1 for _, there in self.attendance if there)

    def row(self) -> dict[str, Any]:
        """As a plain row."""
        return {
            "id": self.id,
            "group": self.group_id,
            "day": self.day,
            "place": self.place,
            "agenda": self.agenda,
            "present": self.present,
            "members": len(self.attendance),
            "filed_by": self.filed_by,
        }


def _meetings(conn: Connection, where: Any) -> list[Meeting]:
    m, a = fgs_meetings, fgs_attendance
    rows = conn.execute(
        select(m).where(where).order_by(m.c.day.desc(), m.c.id.desc()).limit(MAX_LISTED)
    ).all()
    marks: dict[int, list[tuple[str, bool]]] = {}
    ids = [row.id for row in rows]
    if ids:
        for meeting, member, present in conn.execute(
            select(a.c.meeting_id, a.c.member, a.c.present)
            .where(a.c.meeting_id.in_(ids))
            .order_by(a.c.member)
        ):
            marks.setdefault(int(meeting), []).append((str(member), bool(present)))
    return [
        Meeting(
            int(r.id),
            int(r.group_id),
            str(r.day),
            str(r.place),
            str(r.agenda),
            str(r.notes),
            str(r.filed_by),
            tuple(marks.get(int(r.id), [])),
        )
        for r in rows
    ]


def meetings(
    ledger: Ledger, group_id: int, *, start: date | None = None, end: date | None = None
) -> list[Meeting]:
    """A group's meetings from ``start`` to ``end`` (both included), newest first."""
    ensure_tables(ledger)
    m = fgs_meetings
    where = m.c.group_id == group_id
    if start is not None:
        where = where & (m.c.day >= start.isoformat())
    if end is not None:
        where = where & (m.c.day <= end.isoformat())
    with ledger.read() as conn:
        return _meetings(conn, where)


def meeting(ledger: Ledger, group_id: int, meeting_id: int) -> Meeting:
    """One meeting of a group, or ``UnknownGroup``."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        found = _meetings(conn, (fgs_meetings.c.id == meeting_id) & (fgs_meetings.c.group_id == group_id))
    if not found:
        raise UnknownGroup(
            f"group {group_id} has no meeting numbered {meeting_id}",
            f"kelompok {group_id} tidak punya pertemuan bernomor {meeting_id}",
        )
    return found[0]


def file_meeting(
    ledger: Ledger,
    group_id: int,
    *,
    day: str,
    place: str,
    agenda: str,
    notes: str,
    present: list[str],
    by: str,
    today: date,
    now_ts: int | None = None,
) -> Meeting:
    """Record a meeting and its attendance: each member the group has now, present or not."""
    found = group(ledger, group_id)
    form = rules.check_meeting(
        day, place=place, agenda=agenda, notes=notes, present=present, members=found.numbers, today=today
    )
    ts = _now(now_ts)
    with ledger.write() as conn:
        made = conn.execute(
            insert(fgs_meetings).values(
                group_id=group_id,
                day=form.day.isoformat(),
                place=form.place,
                agenda=form.agenda,
                notes=form.notes,
                filed_by=_by(by),
                filed_ts=ts,
                updated_ts=ts,
            )
        ).inserted_primary_key
        assert made is not None
        number = int(made[0])
        for member in found.numbers:
            conn.execute(
                insert(fgs_attendance).values(
                    meeting_id=number, member=member, present=member in form.present
                )
            )
    return meeting(ledger, group_id, number)


def correct_meeting(
    ledger: Ledger,
    group_id: int,
    meeting_id: int,
    *,
    day: str,
    place: str,
    agenda: str,
    notes: str,
    present: list[str],
    today: date,
    now_ts: int | None = None,
) -> Meeting:
    """Correct a meeting: its fields, and who of the members recorded at it were there."""
    before = meeting(ledger, group_id, meeting_id)
    listed = [member for member, _ in before.attendance]
    form = rules.check_meeting(
        day, place=place, agenda=agenda, notes=notes, present=present, members=listed, today=today
    )
    with ledger.write() as conn:
        conn.execute(
            update(fgs_meetings)
            .where(fgs_meetings.c.id == meeting_id)
            .values(
                day=form.day.isoformat(),
                place=form.place,
                agenda=form.agenda,
                notes=form.notes,
                updated_ts=_now(now_ts),
            )
        )
        for member in listed:
            conn.execute(
                update(fgs_attendance)
                .where(fgs_attendance.c.meeting_id == meeting_id, fgs_attendance.c.member == member)
                .values(present=member in form.present)
            )
    return meeting(ledger, group_id, meeting_id)


def marks(
    ledger: Ledger, *, group_id: int | None = None, start: date | None = None, end: date | None = None
) -> list[rules.Mark]:
    """The attendance marks of meetings from ``start`` to ``end`` (of one group, or all)."""
    ensure_tables(ledger)
    m, a = fgs_meetings, fgs_attendance
    query = select(m.c.id, m.c.day, a.c.member, a.c.present, m.c.group_id).join(a, a.c.meeting_id == m.c.id)
    if group_id is not None:
        query = query.where(m.c.group_id == group_id)
    if start is not None:
        query = query.where(m.c.day >= start.isoformat())
    if end is not None:
        query = query.where(m.c.day <= end.isoformat())
    with ledger.read() as conn:
        return [rules.Mark(int(i), str(d), str(who), bool(p)) for i, d, who, p, _ in conn.execute(query)]


def group_rates(
    ledger: Ledger, *, start: date | None = None, end: date | None = None
) -> dict[int, rules.Rate]:
    """Each group's attendance rate from ``start`` to ``end``, by group number."""
    ensure_tables(ledger)
    m, a = fgs_meetings, fgs_attendance
    query = select(m.c.id, m.c.day, a.c.member, a.c.present, m.c.group_id).join(a, a.c.meeting_id == m.c.id)
    if start is not None:
        query = query.where(m.c.day >= start.isoformat())
    if end is not None:
        query = query.where(m.c.day <= end.isoformat())
    by_group: dict[int, list[rules.Mark]] = {}
    with ledger.read() as conn:
        for i, d, who, p, gid in conn.execute(query):
            by_group.setdefault(int(gid), []).append(rules.Mark(int(i), str(d), str(who), bool(p)))
    return {gid: rules.group_rate(found) for gid, found in by_group.items()}


# ---- visit reports --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """A cadre's visit report: to a member of one of their groups, or to the whole group."""

    id: int
    cadre: str
    cadre_name: str
    group_id: int
    group_name: str
    member: str | None
    member_name: str | None
    village: str
    day: str
    text: str
    photos: tuple[int, ...]

    def row(self) -> dict[str, Any]:
        """As a plain row."""
        return {
            "id": self.id,
            "day": self.day,
            "village": self.village,
            "cadre": self.cadre,
            "group": self.group_id,
            "member": self.member or "",
            "photos": len(self.photos),
            "text": self.text,
        }


def _visits(conn: Connection, where: Any) -> list[Visit]:
    v, g, p = fgs_visits, fgs_groups, fgs_photos
    rows = conn.execute(
        select(v, g.c.name.label("group_name"))
        .join(g, g.c.id == v.c.group_id)
        .where(where)
        .order_by(v.c.day.desc(), v.c.id.desc())
        .limit(MAX_LISTED)
    ).all()
    ids = [row.id for row in rows]
    photos: dict[int, list[int]] = {}
    if ids:
        for photo, visit in conn.execute(
            select(p.c.id, p.c.visit_id).where(p.c.visit_id.in_(ids)).order_by(p.c.id)
        ):
            photos.setdefault(int(visit), []).append(int(photo))
    names = _names(conn, {str(r.cadre) for r in rows} | {str(r.member) for r in rows if r.member})
    out = []
    for r in rows:
        cadre = names.get(str(r.cadre))
        member = names.get(str(r.member)) if r.member else None
        out.append(
            Visit(
                int(r.id),
                str(r.cadre),
                cadre.name if cadre else str(r.cadre),
                int(r.group_id),
                str(r.group_name),
                None if r.member is None else str(r.member),
                member.name if member else None,
                str(r.village),
                str(r.day),
                str(r.text),
                tuple(photos.get(int(r.id), [])),
            )
        )
    return out


def visits(
    ledger: Ledger, *, cadre: str | None = None, village: str | None = None, month: str | None = None
) -> list[Visit]:
    """Visit reports, newest first: of ``cadre``, in ``village`` (compared as ``rules.village_key``), in
    ``month`` (YYYY-MM)."""
    ensure_tables(ledger)
    v = fgs_visits
    where = v.c.id > 0
    if cadre is not None:
        where = where & (v.c.cadre == cadre)
    if month is not None:
        where = where & (v.c.day >= f"{month}-01") & (v.c.day <= f"{month}-31")
    with ledger.read() as conn:
        found = _visits(conn, where)
    if village is not None:
        key = rules.village_key(village)
        found = [x for x in found if rules.village_key(x.village) == key]
    return found


def visit(ledger: Ledger, visit_id: int) -> Visit:
    """One visit report, or ``UnknownGroup``."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        found = _visits(conn, fgs_visits.c.id == visit_id)
    if not found:
        raise UnknownGroup(f"no visit report numbered {visit_id}", f"tidak ada laporan kunjungan {visit_id}")
    return found[0]


def _about(ledger: Ledger, cadre: str, about: str) -> tuple[Group, str | None]:
    """The group and member (None: the whole group) of ``about`` (``g:ID`` or ``m:NUMBER``), which must be
    one of ``cadre``'s groups or a member of one."""
    kind, _, value = about.partition(":")
    mine = groups(ledger, cadre=cadre)
    if kind == "g" and value.isdigit():
        for item in mine:
            if item.id == int(value):
                return item, None
    if kind == "m":
        for item in mine:
            if value in item.numbers:
                return item, value
    raise GroupError(
        "choose one of your groups, or a member of one, for the report",
        "pilih salah satu kelompok Anda, atau anggotanya, untuk laporan ini",
    )


def file_visit(
    ledger: Ledger,
    cadre: str,
    about: str,
    *,
    day: str,
    text: str,
    photo: Photo | None,
    today: date,
    now_ts: int | None = None,
) -> Visit:
    """Record ``cadre``'s visit report about ``about`` (``g:ID`` or ``m:NUMBER``), with its first photo."""
    body, when = rules.check_report(text, day, today)
    found, member = _about(ledger, cadre, about)
    ts = _now(now_ts)
    with ledger.write() as conn:
        made = conn.execute(
            insert(fgs_visits).values(
                cadre=cadre,
                group_id=found.id,
                member=member,
                village=found.village,
                day=when.isoformat(),
                text=body,
                filed_ts=ts,
            )
        ).inserted_primary_key
        assert made is not None
        number = int(made[0])
        if photo is not None:
            _insert_photo(conn, number, photo, ts)
    return visit(ledger, number)


def _insert_photo(conn: Connection, visit_id: int, photo: Photo, ts: int) -> None:
    conn.execute(
        insert(fgs_photos).values(
            visit_id=visit_id,
            jpeg=photo.jpeg,
            thumb=photo.thumb,
            width=photo.width,
            height=photo.height,
            sha256=photo.sha256,
            added_ts=ts,
        )
    )


def add_photo(ledger: Ledger, visit_id: int, photo: Photo, *, now_ts: int | None = None) -> Visit:
    """Add a photo to a report (at most ``rules.MAX_PHOTOS``)."""
    found = visit(ledger, visit_id)
    if len(found.photos) >= rules.MAX_PHOTOS:
        raise GroupError(
            f"a report has at most {rules.MAX_PHOTOS} photos",
            f"satu laporan paling banyak {rules.MAX_PHOTOS} foto",
        )
    with ledger.write() as conn:
        _insert_photo(conn, visit_id, photo, _now(now_ts))
    return visit(ledger, visit_id)


def photo_bytes(ledger: Ledger, visit_id: int, photo_id: int, *, thumb: bool) -> bytes:
    """A report's photo as JPEG (or its thumbnail), or ``UnknownGroup``."""
    ensure_tables(ledger)
    p = fgs_photos
    column = p.c.thumb if thumb else p.c.jpeg
    with ledger.read() as conn:
        found = conn.execute(select(column).where(p.c.id == photo_id, p.c.visit_id == visit_id)).scalar()
    if found is None:
        raise UnknownGroup(f"no photo {photo_id} in report {visit_id}", f"tidak ada foto {photo_id}")
    return bytes(found)


def cadres(ledger: Ledger) -> list[Member]:
    """The active members whose role is kader, by name."""
    m = schema.members
    with ledger.read() as conn:
        rows = conn.execute(
            select(m.c.number, m.c.name, m.c.role, m.c.active).where(
                m.c.role == rules.CADRE_ROLE, m.c.active.is_(True)
            )
        ).all()
    return sorted(
        (Member(str(r.number), str(r.name), str(r.role), bool(r.active)) for r in rows),
        key=lambda x: (x.name.casefold(), x.number),
    )
