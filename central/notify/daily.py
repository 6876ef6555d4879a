"""The shell around the campaigns: read what the rules need from the ledger for a day, let the pure rules
of ``central.notify.campaigns`` decide, and queue the drafts in the outbox (``run_rules``). Announcements
and blood-donor calls written at the office go through ``announce``.

Running the rules twice for the same day (a restart, a second service, ``--once`` by hand) queues nothing
new: every draft's key is unique in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import select

from central.branches import members as member_branches
from central.groups import store as groups_store
from central.ledger import Ledger, schema
from central.loans import portfolio
from central.members.rows import ROLES
from central.notify import campaigns, outbox
from central.notify.campaigns import Audience, Deposit, Draft, Due, Person
from central.notify.tables import ensure_tables, notify_announcements
from central.savings import dues

# A wajib deposit is confirmed when it reached the ledger within this long before the run (a device that
# syncs late still gets its members' confirmations; an old deposit found again is never confirmed twice).
DEPOSIT_LOOKBACK_S: Final = 3 * 86_400
MAX_DEPOSITS: Final = 10_000


def people(ledger: Ledger) -> dict[str, Person]:
    """The active members by number, each with their group and its village (docs/groups.md) and their
    branch (central.branches.members) if any."""
    m = schema.members
    groups_store.ensure_tables(ledger)
    g, gm = groups_store.fgs_groups, groups_store.fgs_members
    branch_of = member_branches.of_members(ledger)
    with ledger.read() as conn:
        rows = conn.execute(
            select(
                m.c.number, m.c.name, m.c.phone, m.c.birth_date, m.c.blood_type, m.c.role, g.c.id, g.c.village
            )
            .select_from(m.outerjoin(gm, gm.c.member == m.c.number).outerjoin(g, g.c.id == gm.c.group_id))
            .where(m.c.active.is_(True))
        ).all()
    return {
        str(r.number): Person(
            str(r.number),
            str(r.name),
            r.phone,
            r.birth_date,
            r.blood_type,
            str(r.role),
            None if r.id is None else int(r.id),
            r.village,
            branch_of.get(str(r.number)),
        )
        for r in rows
    }


def read_audience(ledger: Ledger, to: str) -> Audience:
    """``to`` read as an announcement's audience against the roles, groups and villages that exist."""
    known = {item.id: item.name for item in groups_store.groups(ledger)}
    branches = set(member_branches.of_members(ledger).values())
    return campaigns.parse_audience(to, ROLES, known, groups_store.villages(ledger), branches)


def _deposits(ledger: Ledger, day: date, now_ts: int) -> list[Deposit]:
    """Wajib deposits received in the lookback window, not voided, with the month now paid through."""
    t = schema.transactions
    with ledger.read() as conn:
        rows = list(
            conn.execute(
                select(t.c.id, t.c.member, t.c.total_rp)
                .where(
                    t.c.kind == "savings_deposit",
                    t.c.product == "wajib",
                    t.c.received_ts >= now_ts - DEPOSIT_LOOKBACK_S,
                    t.c.day <= day.isoformat(),
                    t.c.member.is_not(None),
                )
                .order_by(t.c.received_ts, t.c.id)
                .limit(MAX_DEPOSITS)
            )
        )
        ids = [str(r.id) for r in rows]
        voided = (
            set(conn.execute(select(t.c.ref).where(t.c.kind == "void", t.c.ref.in_(ids))).scalars())
            if ids
            else set()
        )
    out = []
    through: dict[str, str] = {}
    for row in rows:
        if row.id in voided:
            continue
        member = str(row.member)
        if member not in through:
            found = dues.wajib(ledger, day, member=member)
            through[member] = (found[0].paid_through if found else None) or f"{day.year:04d}-{day.month:02d}"
        out.append(Deposit(str(row.id), member, int(row.total_rp), through[member]))
    return out


def drafts_for(ledger: Ledger, day: date, now_ts: int) -> list[Draft]:
    """Every draft the enabled campaigns make on ``day`` (before consent and the outbox's key)."""
    config = ledger.config
    policy = config.notify
    lang, coop = policy.lang, config.name
    who = people(ledger)
    out: list[Draft] = []
    if "wajib" in policy.campaigns and day.day == policy.wajib_day:
        rows = [(r.member, r.paid_through, r.owed_rp) for r in dues.wajib(ledger, day)]
        out += campaigns.wajib_reminders(day, policy.wajib_day, coop=coop, lang=lang, people=who, rows=rows)
    remind, arrears = "installment" in policy.campaigns, "arrears" in policy.campaigns
    if remind or arrears:
        items = [
            Due(card.member, card.loan, line.number, line.due, line.owed_rp)
            for card in portfolio.cards(ledger, day)
            if card.written_off is None
            for line in card.state.lines
            if line.owed_rp > 0
        ]
        out += campaigns.installment_notices(
            day,
            policy.installment_days_before,
            policy.arrears_days_after,
            coop=coop,
            lang=lang,
            people=who,
            dues=items,
            remind=remind,
            arrears=arrears,
        )
    if "birthday" in policy.campaigns:
        out += campaigns.birthdays(day, coop, lang, who.values())
    if "deposit" in policy.campaigns:
        out += campaigns.deposit_confirmations(coop, lang, who, _deposits(ledger, day, now_ts))
    return out


def run_rules(ledger: Ledger, day: date, now_ts: int) -> outbox.Queued:
    """Run the day's campaigns and queue what they make."""
    return outbox.enqueue(ledger, drafts_for(ledger, day, now_ts), now_ts)


@dataclass(frozen=True)
class Preview:
    """An announcement before it is sent: who it reaches and the text each gets."""

    audience: Audience
    drafts: tuple[Draft, ...]  # after consent
    declined: int  # reached by the audience but opted out (or, for a donor call, never agreed)
    sample: str  # the text of the first message ('' when nobody is reached)


def preview(ledger: Ledger, to: str, text: str) -> Preview:
    """What ``announce`` would queue, without queueing anything."""
    ensure_tables(ledger)
    audience = read_audience(ledger, to)
    config = ledger.config
    drafts = campaigns.announcement_drafts(
        0, audience, text, coop=config.name, lang=config.notify.lang, people=people(ledger).values()
    )
    with ledger.read() as conn:
        choices = outbox.consent_choices(conn, [d.member for d in drafts])
    kept = tuple(d for d in drafts if campaigns.consented(d.kind, d.member, choices))
    return Preview(audience, kept, len(drafts) - len(kept), kept[0].text if kept else "")


def announce(ledger: Ledger, to: str, text: str, by: str, now_ts: int) -> tuple[int, outbox.Queued]:
    """Record an announcement (or a blood-donor call) and queue it to its recipients; (its number, what was
    queued)."""
    shown = preview(ledger, to, text)  # validates the audience and the text first
    config = ledger.config
    with ledger.write() as conn:
        made = conn.execute(
            notify_announcements.insert().values(
                kind="blood" if shown.audience.kind == "blood" else "announce",
                audience=shown.audience.text(),
                text=" ".join(text.split()),
                created_ts=now_ts,
                created_by=by,
                recipients=len(shown.drafts),
            )
        ).inserted_primary_key
    assert made is not None
    number = int(made[0])
    drafts = campaigns.announcement_drafts(
        int(number),
        shown.audience,
        text,
        coop=config.name,
        lang=config.notify.lang,
        people=people(ledger).values(),
    )
    return int(number), outbox.enqueue(ledger, drafts, now_ts, announcement=int(number))
