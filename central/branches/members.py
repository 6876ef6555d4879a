"""Which branch (tempat pelayanan) each member belongs to: where they joined and are served.

A member's branch is kept beside the members table (a side table), set by the office for one or many
members at once; it is not sent to devices (a member is served at any counter). It is what an
announcement to a branch reaches (``central.notify``, audience ``branch:NAME``). A branch named here must
be a branch the ledger knows (a device's branch, or the central office ``pusat``), so a typing mistake
never leaves members in a branch nobody serves.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from sqlalchemy import BigInteger, Column, MetaData, String, Table, delete, select

from central.branches import scope
from central.errors import Refusal
from central.ledger import schema

if TYPE_CHECKING:
    from central.ledger import Ledger

MAX_BY: Final = 40
MAX_AT_ONCE: Final = 5_000  # members assigned in one command

metadata = MetaData()
member_branches = Table(
    "member_branches",
    metadata,
    Column("number", String(40), primary_key=True),
    Column("branch", String(48), nullable=False),
    Column("set_ts", BigInteger, nullable=False),
    Column("set_by", String(MAX_BY), nullable=False),
)


class BranchRefused(Refusal):
    """A member's branch cannot be set as asked (unknown member or branch); nothing changed."""


def ensure_tables(ledger: Ledger) -> None:
    ledger.create_side_tables(metadata)


def _checked(ledger: Ledger, numbers: Iterable[str], branch: str | None) -> list[str]:
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    if not wanted:
        raise BranchRefused("name at least one member number", "sebutkan sedikitnya satu nomor anggota")
    if len(wanted) > MAX_AT_ONCE:
        raise BranchRefused(
            f"at most {MAX_AT_ONCE:,} members at once", f"paling banyak {MAX_AT_ONCE:,} anggota sekaligus"
        )
    m = schema.members
    with ledger.read() as conn:
        found = set(conn.execute(select(m.c.number).where(m.c.number.in_(wanted))).scalars())
    missing = [n for n in wanted if n not in found]
    if missing:
        listed = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise BranchRefused(
            f"unknown member(s) {listed}; nothing was changed",
            f"anggota {listed} tidak dikenal; tidak ada yang diubah",
        )
    if branch is not None:
        known = scope.load(ledger)
        if not known.known(branch):
            names = ", ".join(known.names()) or "-"
            raise BranchRefused(
                f"unknown branch {branch!r}; the branches are {names} (a branch exists once a device is "
                "registered in it)",
                f"cabang {branch!r} tidak dikenal; cabangnya: {names} (cabang ada setelah ada perangkat "
                "terdaftar di sana)",
            )
    return wanted


def assign(ledger: Ledger, numbers: Iterable[str], branch: str, *, by: str) -> int:
    """Put the members ``numbers`` in ``branch`` (replacing any branch they had); how many were set."""
    wanted = _checked(ledger, numbers, branch)
    ensure_tables(ledger)
    now = int(time.time())
    with ledger.write() as conn:
        conn.execute(delete(member_branches).where(member_branches.c.number.in_(wanted)))
        conn.execute(
            member_branches.insert(),
            [{"number": n, "branch": branch, "set_ts": now, "set_by": by[:MAX_BY]} for n in wanted],
        )
    return len(wanted)


def unassign(ledger: Ledger, numbers: Iterable[str]) -> int:
    """Take the members ``numbers`` out of any branch; how many had one."""
    wanted = _checked(ledger, numbers, None)
    ensure_tables(ledger)
    with ledger.write() as conn:
        return int(conn.execute(delete(member_branches).where(member_branches.c.number.in_(wanted))).rowcount)


def of_members(ledger: Ledger) -> dict[str, str]:
    """Every member with a branch: number to branch."""
    ensure_tables(ledger)
    with ledger.read() as conn:
        return {
            str(n): str(b)
            for n, b in conn.execute(select(member_branches.c.number, member_branches.c.branch))
        }
