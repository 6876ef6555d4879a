"""Accounts, sessions, failures and the audit log of the portal, over its own tables.

Passwords and one-time activation codes are hashed with argon2id (argon2-cffi's ``PasswordHasher``;
``check_needs_rehash`` upgrades old hashes at the next login). A session is a random id kept in Starlette's
signed cookie; the row here (keyed by the id's SHA-256) holds its login, address and times, and expires
when idle or too old. Every change lands in ``portal_audit`` in the same transaction. Functions take
``now`` (Unix seconds) so tests can move the clock.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, insert, select, update

from central.ledger import schema
from central.members.rows import CARD_ALPHABET, ROLES
from central.portal import throttle
from central.portal.errors import BadActivation, BadLogin, BadPassword, Locked, UnknownLogin
from central.portal.tables import (
    MAX_ADDRESS,
    MAX_DETAIL,
    MAX_LOGIN,
    MAX_TARGET,
    ensure_tables,
    portal_audit,
    portal_failures,
    portal_logins,
    portal_meta,
    portal_sessions,
)

if TYPE_CHECKING:
    from central.ledger import Ledger

MIN_PASSWORD: Final = 8
MAX_PASSWORD: Final = 128  # argon2 takes any length; a bound keeps a request from costing much
CODE_GROUPS: Final = 3
CODE_GROUP_LEN: Final = 4  # XXXX-XXXX-XXXX from the card alphabet (Crockford base32): 60 random bits
ACTIVATION_DAYS: Final = 7
MAX_ACTIVATION_DAYS: Final = 60
DAY_S: Final = 86_400
SEEN_WRITE_S: Final = 60  # a session's last-seen time is written at most once a minute
FAILURE_KEEP_S: Final = DAY_S
STAFF_ROLES: Final = ("staf", "manajer", "pengawas", "ketua", "sekretaris", "bendahara", "pengurus")
# A verify against a dummy hash keeps an unknown login as slow as a wrong password (no enumeration).
_DUMMY_PASSWORD: Final = "tidak-ada-akun"  # noqa: S105 - hashed once, matched by nobody


@dataclass(frozen=True)
class User:
    """Who is logged in: the login, their member number (None for staff), role and display name."""

    login: str
    member: str | None
    role: str
    name: str


@dataclass(frozen=True)
class Issued:
    """A one-time activation code the office hands out, and when it stops working."""

    login: str
    code: str
    expires_ts: int


def now_s() -> int:
    return int(time.time())


def normalise_login(text: str) -> str:
    """The login as stored: stripped, upper-case (member numbers are like A001), bounded."""
    return text.strip().upper()[:MAX_LOGIN]


def normalise_code(text: str) -> str:
    """An activation code as typed on a phone: spaces and dashes dropped, O read as 0, I and L as 1."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -")
    return cleaned.translate(str.maketrans("OIL", "011"))[: CODE_GROUPS * CODE_GROUP_LEN + 8]


def new_code() -> str:
    raw = "".join(secrets.choice(CARD_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LEN))
    return "-".join(raw[i : i + CODE_GROUP_LEN] for i in range(0, len(raw), CODE_GROUP_LEN))


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def audit(
    conn: Connection, who: str, action: str, target: str, address: str, *, detail: str = "", now: int
) -> None:
    """Append one line to the audit log (inside the caller's transaction)."""
    conn.execute(
        insert(portal_audit).values(
            ts=now,
            login=who[:MAX_LOGIN] or "-",
            action=action,
            target=target[:MAX_TARGET],
            address=address[:MAX_ADDRESS],
            detail=detail[:MAX_DETAIL],
        )
    )


def audit_rows(ledger: Ledger, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    """The newest audit lines first."""
    ensure_tables(ledger)
    a = portal_audit
    with ledger.read() as conn:
        rows = conn.execute(
            select(a).order_by(a.c.ts.desc(), a.c.id.desc()).limit(limit).offset(offset)
        ).mappings()
        return [dict(r) for r in rows]


def secret(ledger: Ledger, name: str) -> str:
    """A random secret kept in ``portal_meta`` (made on first use), shared by every portal process."""
    ensure_tables(ledger)
    key = f"secret:{name}"
    with ledger.write() as conn:
        found = conn.execute(select(portal_meta.c.value).where(portal_meta.c.key == key)).scalar()
        if found is None:
            found = secrets.token_urlsafe(48)
            conn.execute(insert(portal_meta).values(key=key, value=found))
    return str(found)


# -- the office: issuing and resetting logins ---------------------------------------------------------


def issue_login(
    ledger: Ledger,
    hasher: PasswordHasher,
    name: str,
    *,
    staff_role: str | None = None,
    by: str,
    days: int = ACTIVATION_DAYS,
    now: int | None = None,
) -> Issued:
    """A new one-time activation code for member ``name`` (or staff account ``name`` with ``staff_role``).

    For an existing account this is the office's reset: the old password and every session stop working.
    """
    ensure_tables(ledger)
    now = now_s() if now is None else now
    if not 1 <= days <= MAX_ACTIVATION_DAYS:
        raise BadActivation("bad_days", max=MAX_ACTIVATION_DAYS)
    login = normalise_login(name)
    if not login:
        raise UnknownLogin("unknown_login", login=name)
    code = new_code()
    expires = now + days * DAY_S
    lg = portal_logins
    with ledger.write() as conn:
        is_member = conn.execute(
            select(schema.members.c.number).where(schema.members.c.number == login)
        ).first()
        existing = conn.execute(select(lg).where(lg.c.login == login)).mappings().first()
        if staff_role is not None:
            if staff_role not in STAFF_ROLES:
                raise UnknownLogin("bad_staff_role", roles=", ".join(STAFF_ROLES))
            if is_member or (existing is not None and existing["member"] is not None):
                raise UnknownLogin("staff_is_member", login=login)
        elif not is_member and (existing is None or existing["staff_role"] is None):
            raise UnknownLogin("unknown_login", login=login)
        values: dict[str, Any] = {
            "password_hash": None,
            "activation_hash": hasher.hash(normalise_code(code)),
            "activation_expires_ts": expires,
            "updated_ts": now,
        }
        if staff_role is not None:
            values["staff_role"] = staff_role
        if existing is None:
            conn.execute(
                insert(lg).values(
                    login=login, member=login if is_member else None, disabled=False, created_ts=now, **values
                )
            )
        else:
            conn.execute(update(lg).where(lg.c.login == login).values(**values))
        conn.execute(delete(portal_sessions).where(portal_sessions.c.login == login))
        action = "login_reset" if existing is not None else "login_issued"
        audit(conn, by, action, login, by, detail=f"expires {expires}", now=now)
    return Issued(login, code, expires)


def login_list(ledger: Ledger) -> list[dict[str, Any]]:
    """Every portal account: login, member, staff role, activated or waiting, disabled (never a hash)."""
    ensure_tables(ledger)
    lg = portal_logins
    with ledger.read() as conn:
        rows = conn.execute(select(lg).order_by(lg.c.login)).mappings().all()
    return [
        {
            "login": r["login"],
            "member": r["member"],
            "staff_role": r["staff_role"],
            "active": r["password_hash"] is not None,
            "activation_expires_ts": r["activation_expires_ts"] if r["activation_hash"] else None,
            "disabled": bool(r["disabled"]),
        }
        for r in rows
    ]


# -- failures and locks -------------------------------------------------------------------------------


def _failure_keys(login: str, address: str) -> tuple[str, str]:
    return f"login:{login}", f"addr:{address[:MAX_ADDRESS]}"


def _lock_of(conn: Connection, keys: tuple[str, ...], now: int) -> int | None:
    f = portal_failures
    until: int | None = None
    for key in keys:
        times = conn.execute(
            select(f.c.ts)
            .where(f.c.key == key, f.c.ts >= throttle.horizon(now))
            .order_by(f.c.ts.desc())
            .limit(throttle.MAX_FAILURES_READ)
        ).scalars()
        end = throttle.locked_until([int(x) for x in times], now)
        if end is not None and (until is None or end > until):
            until = end
    return until


def _check_lock(ledger: Ledger, keys: tuple[str, ...], now: int) -> None:
    with ledger.read() as conn:
        until = _lock_of(conn, keys, now)
    if until is not None:
        raise Locked(until)


def _fail(ledger: Ledger, keys: tuple[str, ...], now: int, error: BadLogin | BadActivation) -> None:
    """Record a failure for each key; raise ``Locked`` when this one starts a lock, else ``error``."""
    f = portal_failures
    with ledger.write() as conn:
        conn.execute(insert(f), [{"key": key, "ts": now} for key in keys])
        conn.execute(delete(f).where(f.c.ts < now - FAILURE_KEEP_S))
        until = _lock_of(conn, keys, now)
        if until is not None:
            login, address = keys[0].removeprefix("login:"), keys[1].removeprefix("addr:")
            audit(conn, "-", "locked", login, address, detail=f"until {until}", now=now)
    if until is not None:
        raise Locked(until)
    raise error


# -- logging in ---------------------------------------------------------------------------------------


def _user(conn: Connection, login: str) -> User | None:
    """The user of an account that may log in now (member active, account not disabled), else None."""
    lg = portal_logins
    m = schema.members
    row = conn.execute(select(lg).where(lg.c.login == login)).mappings().first()
    if row is None or row["disabled"]:
        return None
    if row["member"] is None:
        role = row["staff_role"]
        return User(login, None, role, login) if role in ROLES else None
    member = conn.execute(select(m.c.name, m.c.role, m.c.active).where(m.c.number == row["member"])).first()
    if member is None or not member.active or member.role not in ROLES:
        return None
    return User(login, row["member"], member.role, member.name)


_DUMMY: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    if id(hasher) not in _DUMMY:
        _DUMMY[id(hasher)] = hasher.hash(_DUMMY_PASSWORD)
    return _DUMMY[id(hasher)]


def _verify(hasher: PasswordHasher, stored: str | None, given: str) -> bool:
    try:
        return bool(hasher.verify(stored if stored else _dummy_hash(hasher), given)) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate(
    ledger: Ledger, hasher: PasswordHasher, name: str, password: str, address: str, *, now: int | None = None
) -> User:
    """The user for a right login and password; ``BadLogin`` otherwise, ``Locked`` when throttled."""
    ensure_tables(ledger)
    now = now_s() if now is None else now
    login = normalise_login(name)
    keys = _failure_keys(login, address)
    _check_lock(ledger, keys, now)
    lg = portal_logins
    with ledger.read() as conn:
        stored = conn.execute(select(lg.c.password_hash).where(lg.c.login == login)).scalar()
        user = _user(conn, login)
    if not _verify(hasher, stored, password[:MAX_PASSWORD]) or user is None:
        _fail(ledger, keys, now, BadLogin("bad_login"))
    assert stored is not None and user is not None
    if hasher.check_needs_rehash(stored):
        with ledger.write() as conn:
            conn.execute(
                update(lg)
                .where(lg.c.login == login, lg.c.password_hash == stored)
                .values(password_hash=hasher.hash(password[:MAX_PASSWORD]), updated_ts=now)
            )
    return user


def check_new_password(password: str, confirm: str) -> None:
    if len(password) < MIN_PASSWORD or len(password) > MAX_PASSWORD:
        raise BadPassword("password_length", min=MIN_PASSWORD, max=MAX_PASSWORD)
    if password != confirm:
        raise BadPassword("password_mismatch")


def activate(
    ledger: Ledger,
    hasher: PasswordHasher,
    name: str,
    code: str,
    *,
    password: str,
    confirm: str,
    address: str,
    now: int | None = None,
) -> User:
    """Set the first password with the office's one-time code; the code is then used up."""
    ensure_tables(ledger)
    now = now_s() if now is None else now
    login = normalise_login(name)
    keys = _failure_keys(login, address)
    _check_lock(ledger, keys, now)
    check_new_password(password, confirm)
    lg = portal_logins
    with ledger.read() as conn:
        row = conn.execute(select(lg).where(lg.c.login == login)).mappings().first()
        user = _user(conn, login)
    stored = row["activation_hash"] if row is not None else None
    fresh = row is not None and int(row["activation_expires_ts"] or 0) > now
    if not _verify(hasher, stored, normalise_code(code)) or not fresh or user is None:
        _fail(ledger, keys, now, BadActivation("bad_activation"))
    assert user is not None
    with ledger.write() as conn:
        done = conn.execute(
            update(lg)
            .where(lg.c.login == login, lg.c.activation_hash == stored)
            .values(
                password_hash=hasher.hash(password),
                activation_hash=None,
                activation_expires_ts=None,
                updated_ts=now,
            )
        ).rowcount
        if done != 1:  # used up by a request that raced this one
            raise BadActivation("bad_activation")
        conn.execute(delete(portal_sessions).where(portal_sessions.c.login == login))
        audit(conn, login, "activated", login, address, now=now)
    return user


def change_password(
    ledger: Ledger,
    hasher: PasswordHasher,
    user: User,
    *,
    old: str,
    new: str,
    confirm: str,
    address: str,
    keep_sid: str,
    now: int | None = None,
) -> None:
    """Change the password after checking the old one; every other session of the account ends."""
    now = now_s() if now is None else now
    keys = _failure_keys(user.login, address)
    _check_lock(ledger, keys, now)
    lg = portal_logins
    with ledger.read() as conn:
        stored = conn.execute(select(lg.c.password_hash).where(lg.c.login == user.login)).scalar()
    if not _verify(hasher, stored, old[:MAX_PASSWORD]):
        _fail(ledger, keys, now, BadLogin("bad_old_password"))
    check_new_password(new, confirm)
    with ledger.write() as conn:
        conn.execute(
            update(lg).where(lg.c.login == user.login).values(password_hash=hasher.hash(new), updated_ts=now)
        )
        s = portal_sessions
        conn.execute(delete(s).where(s.c.login == user.login, s.c.id_hash != _sid_hash(keep_sid)))
        audit(conn, user.login, "password_changed", user.login, address, now=now)


# -- sessions -----------------------------------------------------------------------------------------


def start_session(ledger: Ledger, user: User, address: str, *, now: int | None = None) -> str:
    """A new session for ``user``: returns the random id for the signed cookie."""
    now = now_s() if now is None else now
    sid = secrets.token_urlsafe(32)
    s = portal_sessions
    with ledger.write() as conn:
        conn.execute(
            insert(s).values(
                id_hash=_sid_hash(sid),
                login=user.login,
                created_ts=now,
                seen_ts=now,
                address=address[:MAX_ADDRESS],
            )
        )
        audit(conn, user.login, "login", user.login, address, now=now)
    return sid


def purge_sessions(ledger: Ledger, idle_s: int, absolute_s: int, *, now: int | None = None) -> int:
    """Delete expired sessions; returns how many."""
    ensure_tables(ledger)
    now = now_s() if now is None else now
    s = portal_sessions
    old = (s.c.seen_ts < now - idle_s) | (s.c.created_ts < now - absolute_s)
    with ledger.write() as conn:
        return int(conn.execute(delete(s).where(old)).rowcount)


def session_user(
    ledger: Ledger, sid: str, idle_s: int, absolute_s: int, *, now: int | None = None
) -> User | None:
    """The user of a live session, or None (unknown, idle too long, too old, account no longer allowed)."""
    ensure_tables(ledger)
    now = now_s() if now is None else now
    s = portal_sessions
    key = _sid_hash(sid)
    with ledger.read() as conn:
        row = conn.execute(select(s).where(s.c.id_hash == key)).mappings().first()
        if row is None:
            return None
        alive = row["seen_ts"] >= now - idle_s and row["created_ts"] >= now - absolute_s
        user = _user(conn, row["login"]) if alive else None
    if user is None:
        with ledger.write() as conn:
            conn.execute(delete(s).where(s.c.id_hash == key))
        return None
    if now - int(row["seen_ts"]) >= SEEN_WRITE_S:
        with ledger.write() as conn:
            conn.execute(update(s).where(s.c.id_hash == key).values(seen_ts=now))
    return user


def end_session(ledger: Ledger, sid: str, who: str, address: str, *, now: int | None = None) -> None:
    """Logout: the session row is deleted (the cookie alone no longer opens anything)."""
    now = now_s() if now is None else now
    with ledger.write() as conn:
        conn.execute(delete(portal_sessions).where(portal_sessions.c.id_hash == _sid_hash(sid)))
        audit(conn, who, "logout", who, address, now=now)
