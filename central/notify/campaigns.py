"""The campaigns' rules: who gets which message on a day, as plain data in and drafts out (no database, no
clock). ``central.notify.daily`` reads the ledger and calls them; the tests call them too.

Each draft carries its unique key (kind, member, period): the period names what the message is about (the
month of a wajib reminder, the installment of a loan, the year of a birthday, the deposit's transaction),
so queueing the same draft again changes nothing (``central.notify.outbox``).

Consent: ``arrears`` is a statutory notice and cannot be refused; ``blood`` (a call for donors) goes only
to members who agreed to be called; every other kind goes unless the member opted out of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from central.notify import templates
from central.notify.errors import BadAudience

KINDS: Final = ("wajib", "installment", "arrears", "birthday", "deposit", "announce", "blood")
STATUTORY: Final = frozenset({"arrears"})  # cannot be opted out of
OPT_IN: Final = frozenset({"blood"})  # only to members who agreed
CHOOSABLE: Final = tuple(k for k in KINDS if k not in STATUTORY)
MAX_AUDIENCE_MEMBERS: Final = 1000
MAX_ANNOUNCEMENT_CHARS: Final = 600
BLOOD_TYPES: Final = ("O-", "O+", "A-", "A+", "B-", "B+", "AB-", "AB+")
# Red-cell donation: recipient -> the donor types whose blood they can receive (docs/notify.md).
DONORS: Final[dict[str, tuple[str, ...]]] = {
    "O-": ("O-",),
    "O+": ("O+", "O-"),
    "A-": ("A-", "O-"),
    "A+": ("A+", "A-", "O+", "O-"),
    "B-": ("B-", "O-"),
    "B+": ("B+", "B-", "O+", "O-"),
    "AB-": ("AB-", "A-", "B-", "O-"),
    "AB+": BLOOD_TYPES,
}


@dataclass(frozen=True)
class Person:
    """A member as the campaigns see them (active members only)."""

    number: str
    name: str
    phone: str | None
    birth_date: str | None  # YYYY-MM-DD
    blood_type: str | None  # A, B, AB or O, with + or - when known
    role: str
    group: int | None = None  # the member's group (docs/groups.md), if any
    village: str | None = None  # that group's village
    branch: str | None = None  # the member's branch (central.branches.members), if set


@dataclass(frozen=True)
class Draft:
    """A message a campaign wants to queue; (kind, member, period) is its unique key."""

    kind: str
    member: str
    period: str
    text: str


@dataclass(frozen=True)
class Due:
    """An installment with what is still owed of it, as of the day the rules run."""

    member: str
    loan: str
    number: int
    due: date
    owed_rp: int


@dataclass(frozen=True)
class Deposit:
    """A wajib deposit that reached the ledger, and the month the member's wajib is now paid through."""

    tx: str
    member: str
    amount_rp: int
    month: str  # YYYY-MM


@dataclass(frozen=True)
class Audience:
    """Who an announcement goes to: everybody, a role, listed members, a group, the groups of a village, a
    branch's members, or
    a blood-donor call."""

    kind: str  # all, role, members, group, village, branch, blood
    values: tuple[str, ...] = ()

    def text(self) -> str:
        return self.kind if self.kind == "all" else f"{self.kind}:{','.join(self.values)}"


def consented(kind: str, member: str, choices: Mapping[tuple[str, str], bool]) -> bool:
    """True when ``member`` may be sent a message of ``kind`` (module docstring)."""
    if kind in STATUTORY:
        return True
    if kind in OPT_IN:
        return choices.get((member, kind)) is True
    return choices.get((member, kind), True)


def _both(blood: str) -> tuple[str, ...]:
    """A type with its rhesus, or both rhesus variants when it is not known."""
    return (blood,) if blood.endswith(("+", "-")) else (blood + "+", blood + "-")


def compatible(needed: str, donor: str) -> bool:
    """True when a member of type ``donor`` can give red cells to a patient of type ``needed``. An unknown
    rhesus counts only when every possible rhesus would be compatible."""
    return all(d in DONORS[n] for n in _both(needed) for d in _both(donor))


def _birthday_in(year: int, birth: date) -> date:
    if birth.month == 2 and birth.day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, birth.month, birth.day)


def wajib_reminders(
    day: date,
    wajib_day: int,
    *,
    coop: str,
    lang: str,
    people: Mapping[str, Person],
    rows: Iterable[tuple[str, str | None, int]],
) -> list[Draft]:
    """On ``wajib_day`` of the month, a reminder to each member whose wajib for this month is unpaid.
    ``rows``: (member, the last month fully paid or None, wajib owed) as of ``day``."""
    if day.day != wajib_day:
        return []
    month = f"{day.year:04d}-{day.month:02d}"
    out = []
    for member, paid_through, owed_rp in rows:
        person = people.get(member)
        if person is None or owed_rp <= 0 or (paid_through is not None and paid_through >= month):
            continue
        text = templates.render(
            "wajib",
            lang,
            coop=coop,
            name=person.name,
            month=templates.month_name(month, lang),
            owed_rp=owed_rp,
        )
        out.append(Draft("wajib", member, month, text))
    return out


def installment_notices(
    day: date,
    days_before: int,
    days_after: int,
    *,
    coop: str,
    lang: str,
    people: Mapping[str, Person],
    dues: Iterable[Due],
    remind: bool = True,
    arrears: bool = True,
) -> list[Draft]:
    """A reminder ``days_before`` the due date of an unpaid installment, and an arrears notice
    ``days_after`` it when it is still unpaid."""
    out = []
    for item in dues:
        person = people.get(item.member)
        if person is None or item.owed_rp <= 0:
            continue
        period = f"{item.loan}#{item.number}"
        values = {
            "coop": coop,
            "name": person.name,
            "number": item.number,
            "loan": item.loan,
            "due": templates.day_text(item.due, lang),
            "amount_rp": item.owed_rp,
        }
        if remind and item.due - timedelta(days=days_before) == day:
            out.append(
                Draft("installment", item.member, period, templates.render("installment", lang, **values))
            )
        if arrears and item.due + timedelta(days=days_after) == day:
            out.append(Draft("arrears", item.member, period, templates.render("arrears", lang, **values)))
    return out


def birthdays(day: date, coop: str, lang: str, people: Iterable[Person]) -> list[Draft]:
    """Greetings to the members born on this day (29 February: the 28th in other years)."""
    out = []
    for person in people:
        try:
            birth = date.fromisoformat(person.birth_date or "")
        except ValueError:
            continue
        if birth < day and _birthday_in(day.year, birth) == day:
            text = templates.render("birthday", lang, coop=coop, name=person.name)
            out.append(Draft("birthday", person.number, str(day.year), text))
    return out


def deposit_confirmations(
    coop: str, lang: str, people: Mapping[str, Person], deposits: Iterable[Deposit]
) -> list[Draft]:
    """A confirmation per wajib deposit that reached the ledger."""
    out = []
    for deposit in deposits:
        person = people.get(deposit.member)
        if person is None or deposit.amount_rp <= 0:
            continue
        text = templates.render(
            "deposit",
            lang,
            coop=coop,
            name=person.name,
            month=templates.month_name(deposit.month, lang),
            amount_rp=deposit.amount_rp,
        )
        out.append(Draft("deposit", deposit.member, deposit.tx, text))
    return out


def village_key(village: str) -> str:
    """A village as compared: spaces and case do not matter (``Suka  Maju`` is ``suka maju``)."""
    return " ".join(village.split()).casefold()


def parse_audience(
    text: str,
    roles: Iterable[str],
    groups: Mapping[int, str] | None = None,
    villages: Iterable[str] = (),
    branches: Iterable[str] = (),
) -> Audience:
    """``all``, ``role:ketua``, ``members:A001,A002``, ``group:3``, ``village:Sukamaju``, ``branch:bogor`` or
    ``blood:A+``; ``BadAudience`` naming the fix. ``groups``: the groups that exist (number to name),
    ``villages`` the villages that have one, ``branches`` the branches members are in."""
    raw = (text or "").strip()
    if raw == "all":
        return Audience("all")
    kind, _, rest = raw.partition(":")
    if kind == "branch":
        served = sorted(set(branches))
        if rest.strip() not in served:
            listed = ", ".join(served) or "-"
            raise BadAudience(
                f"no member is in branch {rest.strip()!r}; the branches with members are {listed} "
                "(`central branches assign` puts members in one)",
                f"tidak ada anggota di cabang {rest.strip()!r}; cabang yang punya anggota: {listed} "
                "(`central branches assign` memasukkan anggota ke cabang)",
            )
        return Audience("branch", (rest.strip(),))
    if kind == "village":
        wanted = village_key(rest)
        known = {village_key(v): " ".join(v.split()) for v in villages}
        if wanted not in known:
            listed = ", ".join(sorted(known.values())) or "-"
            raise BadAudience(
                f"no group is in village {rest.strip()!r}; the villages with groups are {listed}",
                f"tidak ada kelompok di desa {rest.strip()!r}; desa yang punya kelompok: {listed}",
            )
        return Audience("village", (known[wanted],))
    if kind == "group":
        number = rest.strip()
        if not number.isdigit() or int(number) not in (groups or {}):
            raise BadAudience(
                f"no group numbered {number!r}; `central groups list` shows them (group:3)",
                f"tidak ada kelompok bernomor {number!r}; lihat `central groups list` (group:3)",
            )
        return Audience("group", (str(int(number)),))
    values = tuple(dict.fromkeys(v.strip() for v in rest.split(",") if v.strip()))
    if kind == "role" and len(values) == 1:
        if values[0] not in set(roles):
            raise BadAudience(
                f"unknown role {values[0]!r}; roles are {', '.join(sorted(roles))}",
                f"peran {values[0]!r} tidak dikenal; peran: {', '.join(sorted(roles))}",
            )
        return Audience("role", values)
    if kind == "members" and values:
        if len(values) > MAX_AUDIENCE_MEMBERS:
            raise BadAudience(
                f"at most {MAX_AUDIENCE_MEMBERS} members may be listed",
                f"paling banyak {MAX_AUDIENCE_MEMBERS} anggota dapat didaftar",
            )
        return Audience("members", values)
    if kind == "blood" and len(values) == 1:
        needed = values[0].upper()
        if needed not in DONORS:
            raise BadAudience(
                f"blood type {values[0]!r} must be one of {', '.join(BLOOD_TYPES)}",
                f"golongan darah {values[0]!r} harus salah satu dari {', '.join(BLOOD_TYPES)}",
            )
        return Audience("blood", (needed,))
    raise BadAudience(
        f"audience {raw!r} must be all, role:ROLE, members:A001,A002, group:NUMBER, village:NAME, "
        "branch:NAME or blood:TYPE (e.g. blood:A+)",
        f"penerima {raw!r} harus all, role:PERAN, members:A001,A002, group:NOMOR, village:NAMA, "
        "branch:NAMA atau blood:GOLONGAN (mis. blood:A+)",
    )


def recipients(audience: Audience, people: Iterable[Person]) -> list[Person]:
    """The active members an announcement reaches, before consent (blood: compatible donors only)."""
    chosen = list(people)
    if audience.kind == "role":
        return [p for p in chosen if p.role == audience.values[0]]
    if audience.kind == "members":
        wanted = set(audience.values)
        return [p for p in chosen if p.number in wanted]
    if audience.kind == "group":
        return [p for p in chosen if p.group is not None and str(p.group) == audience.values[0]]
    if audience.kind == "village":
        place = village_key(audience.values[0])
        return [p for p in chosen if p.village is not None and village_key(p.village) == place]
    if audience.kind == "branch":
        return [p for p in chosen if p.branch == audience.values[0]]
    if audience.kind == "blood":
        needed = audience.values[0]
        return [p for p in chosen if p.blood_type and compatible(needed, p.blood_type)]
    return chosen


def announcement_drafts(
    announcement: int, audience: Audience, message: str, *, coop: str, lang: str, people: Iterable[Person]
) -> list[Draft]:
    """One draft per recipient of an announcement (or a blood-donor call) numbered ``announcement``."""
    body = " ".join((message or "").split())
    if not body and audience.kind != "blood":
        raise BadAudience("the announcement text is empty", "teks pengumuman kosong")
    if len(body) > MAX_ANNOUNCEMENT_CHARS:
        raise BadAudience(
            f"the text is {len(body)} characters; at most {MAX_ANNOUNCEMENT_CHARS}",
            f"teks {len(body)} karakter; paling banyak {MAX_ANNOUNCEMENT_CHARS}",
        )
    kind = "blood" if audience.kind == "blood" else "announce"
    out = []
    for person in recipients(audience, people):
        values: dict[str, object] = {"coop": coop, "text": body}
        if kind == "blood":
            values.update(needed=audience.values[0], donor=person.blood_type or "")
        out.append(Draft(kind, person.number, f"a{announcement}", templates.render(kind, lang, **values)))
    return out
