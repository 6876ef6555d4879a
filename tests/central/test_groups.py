"""Groups in the ledger database: one group per member, meetings whose attendance keeps the members each
meeting had, visit reports by village and month, the command line, and announcements to a group or a
village with their recipients counted before sending."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central import config
from central.cli.app import main as cli
from central.groups import store
from central.groups.errors import GroupError, UnknownGroup
from central.ledger import Ledger
from central.members.rows import MemberRow
from central.notify import campaigns, daily, outbox
from central.notify.errors import BadAudience

TODAY = date(2026, 3, 31)
MEMBERS = [
    MemberRow("K001", "Kartini", "2024-01-05", None, "0812-0000-0001", "O+", "kader"),
    MemberRow("K002", "Kusuma", "2024-01-05", None, "0812-0000-0002", "A+", "kader"),
    MemberRow("A001", "Sri Wahyuni", "2024-01-05", None, "0812-3456-7890", "O-", "anggota"),
    MemberRow("A002", "Budi Santoso", "2024-01-05", None, "+62 813 1111 2222", "A+", "anggota"),
    MemberRow("A003", "Ani Lestari", "2024-01-05", None, "6281355556666", "AB+", "anggota"),
    MemberRow("A004", "Dedi Kurnia", "2024-01-05", None, "0857-1234-5678", "B", "ketua"),
    MemberRow("A005", "Eka Putri", "2024-01-05", None, "085700001111", "A", "anggota"),
]


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """Seven members (two cadres), the default config, and the file's path for the command line."""
    with Ledger.open(str(tmp_path / "ledger.sqlite")) as opened:
        opened.init(config.parse(config._default_raw()))
        opened.import_members(MEMBERS)
        yield opened


def _two_groups(ledger: Ledger) -> tuple[store.Group, store.Group, store.Group]:
    a = store.create(ledger, "FGS Mawar", "Sukamaju", "K001", by="staf")
    a = store.add_members(ledger, a.id, ["A001", "A002"], by="staf")
    b = store.create(ledger, "FGS Melati", "sukamaju ", "K002", by="staf")
    b = store.add_members(ledger, b.id, ["A003"], by="staf")
    c = store.create(ledger, "FGS Kenanga", "Karanganyar", "K002", by="staf")
    c = store.add_members(ledger, c.id, ["A004"], by="staf")
    return a, b, c


def test_a_member_is_in_one_group_and_moves_by_leaving_first(ledger: Ledger) -> None:
    """Adding a member of another group is refused naming that group; after removal they can join."""
    a, b, _ = _two_groups(ledger)
    with pytest.raises(GroupError, match="FGS Mawar") as err:
        store.add_members(ledger, b.id, ["A001"], by="staf")
    assert "satu anggota hanya di satu kelompok" in err.value.text("id")
    assert store.group(ledger, b.id).numbers == ("A003",)  # all or nothing
    store.remove_members(ledger, a.id, ["A001"])
    assert "A001" in store.add_members(ledger, b.id, ["A001"], by="staf").numbers
    assert store.group_of(ledger, "A001") == store.group(ledger, b.id)
    with pytest.raises(GroupError, match="no member numbered Z9"):
        store.add_members(ledger, b.id, ["Z9"], by="staf")
    with pytest.raises(GroupError, match="exists already"):
        store.create(ledger, "fgs mawar", "X", "K001", by="staf")
    with pytest.raises(UnknownGroup):
        store.group(ledger, 999)


def test_attendance_keeps_the_members_each_meeting_had(ledger: Ledger) -> None:
    """A member who joins after a meeting is not counted absent from it; one who leaves keeps their
    record; a correction changes only who was there."""
    a, _, _ = _two_groups(ledger)
    first = store.file_meeting(
        ledger, a.id, day="2026-03-01", place="Balai", agenda="Arisan", notes="", present=["A001"],
        by="K001", today=TODAY,
    )  # fmt: skip
    store.add_members(ledger, a.id, ["A005"], by="staf")
    store.file_meeting(
        ledger, a.id, day="2026-03-15", place="Balai", agenda="Panen", notes="", present=["A001", "A005"],
        by="K001", today=TODAY,
    )  # fmt: skip
    store.remove_members(ledger, a.id, ["A002"])
    rates = store.group_rates(ledger)
    assert rates[a.id].attended == 3 and rates[a.id].held == 5
    from central.groups import rules

    by_member = rules.member_rates(store.marks(ledger, group_id=a.id))
    assert by_member["A005"] == rules.Rate(1, 1) and by_member["A002"] == rules.Rate(0, 2)
    fixed = store.correct_meeting(
        ledger, a.id, first.id, day="2026-03-01", place="Balai", agenda="Arisan", notes="Hujan",
        present=["A001", "A002"], today=TODAY,
    )  # fmt: skip
    assert dict(fixed.attendance) == {"A001": True, "A002": True}
    in_march_1 = rules.member_rates(store.marks(ledger, group_id=a.id, end=date(2026, 3, 1)))
    assert in_march_1 == {"A001": rules.Rate(1, 1), "A002": rules.Rate(1, 1)}


def test_visit_reports_by_village_cadre_and_month(ledger: Ledger) -> None:
    """Reports carry their group's village; the board filters by village (any case), cadre and month."""
    a, b, c = _two_groups(ledger)
    store.file_visit(ledger, "K001", "m:A001", day="2026-03-05", text="Warung", photo=None, today=TODAY)
    store.file_visit(ledger, "K002", f"g:{b.id}", day="2026-02-20", text="Arisan", photo=None, today=TODAY)
    store.file_visit(ledger, "K002", "m:A004", day="2026-03-09", text="Kambing", photo=None, today=TODAY)
    assert [v.text for v in store.visits(ledger, village="SUKAMAJU")] == ["Warung", "Arisan"]
    assert [v.text for v in store.visits(ledger, month="2026-03")] == ["Kambing", "Warung"]
    assert [v.text for v in store.visits(ledger, cadre="K002", month="2026-02")] == ["Arisan"]
    with pytest.raises(GroupError, match="choose one of your groups"):
        store.file_visit(ledger, "K001", "m:A003", day="2026-03-05", text="x", photo=None, today=TODAY)
    with pytest.raises(GroupError, match="future"):
        store.file_visit(ledger, "K001", "m:A001", day="2026-04-01", text="x", photo=None, today=TODAY)
    assert a.village == "Sukamaju" and c.village == "Karanganyar"


def test_an_announcement_to_a_group_reaches_its_members_only(ledger: Ledger) -> None:
    """``group:N`` previews and queues its members (not its cadre, not other groups), after consent."""
    a, b, _ = _two_groups(ledger)
    shown = daily.preview(ledger, f"group:{a.id}", "Pertemuan FGS Sabtu jam 3 di balai.")
    assert sorted(d.member for d in shown.drafts) == ["A001", "A002"]
    outbox.set_consent(ledger, "A002", {"announce": False}, 1, "A002")
    shown = daily.preview(ledger, f"group:{a.id}", "Pertemuan FGS Sabtu jam 3 di balai.")
    assert [d.member for d in shown.drafts] == ["A001"] and shown.declined == 1
    number, queued = daily.announce(ledger, f"group:{a.id}", "Pertemuan FGS Sabtu.", "staf", 100)
    assert queued.new == 1 and number > 0
    assert [m.member for m in outbox.listing(ledger)] == ["A001"]
    assert [d.member for d in daily.preview(ledger, f"group:{b.id}", "x").drafts] == ["A003"]


def test_an_announcement_to_a_village_reaches_every_group_there(ledger: Ledger) -> None:
    """``village:NAME`` reaches the members of every group in that village, whatever the case or spaces."""
    _two_groups(ledger)
    shown = daily.preview(ledger, "village: SukaMaju ", "Penyuluhan pertanian Senin.")
    assert sorted(d.member for d in shown.drafts) == ["A001", "A002", "A003"]
    assert shown.audience.text() == "village:Sukamaju"
    assert [d.member for d in daily.preview(ledger, "village:Karanganyar", "x").drafts] == ["A004"]


def test_an_unknown_group_or_village_is_refused_naming_the_fix(ledger: Ledger) -> None:
    """A group number or village that does not exist is refused in both languages."""
    _two_groups(ledger)
    with pytest.raises(BadAudience) as err:
        daily.preview(ledger, "group:999", "x")
    assert "central groups list" in err.value.text("en") and "tidak ada kelompok" in err.value.text("id")
    with pytest.raises(BadAudience) as err:
        daily.preview(ledger, "village:Atlantis", "x")
    assert "Karanganyar, Sukamaju" in err.value.text("en")
    for bad in ("group:", "group:abc", "village:"):
        with pytest.raises(BadAudience):
            daily.preview(ledger, bad, "x")


PEOPLE = st.lists(
    st.builds(
        campaigns.Person,
        st.from_regex(r"A[0-9]{3}", fullmatch=True),
        st.just("Nama"),
        st.none(),
        st.none(),
        st.none(),
        st.just("anggota"),
        st.one_of(st.none(), st.integers(1, 4)),
        st.sampled_from(["Sukamaju", "sukamaju", "Karanganyar", None]),
    ),
    max_size=30,
    unique_by=lambda p: p.number,
)


@given(PEOPLE, st.integers(1, 4))
def test_a_group_audience_is_exactly_that_groups_members(people: list[campaigns.Person], group: int) -> None:
    """Whatever the members, ``group:N`` reaches exactly those in group N, each once."""
    audience = campaigns.parse_audience(f"group:{group}", ["anggota"], {group: "G"})
    reached = campaigns.recipients(audience, people)
    assert [p.number for p in reached] == [p.number for p in people if p.group == group]


def test_the_groups_command_line(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    """The office lists, creates, adds and removes members and lists meetings; a mistake exits 2 with the
    reason and no traceback."""
    db = ["--db", ledger.target, "--lang", "en"]
    assert (
        cli([*db, "groups", "create", "--name", "FGS Mawar", "--village", "Sukamaju", "--cadre", "K001"]) == 0
    )
    made = capsys.readouterr().out
    assert "FGS Mawar" in made
    group = store.groups(ledger)[0]
    assert cli([*db, "groups", "add", "--group", str(group.id), "A001", "A002"]) == 0
    assert cli([*db, "groups", "remove", "--group", str(group.id), "A002"]) == 0
    capsys.readouterr()
    assert cli([*db, "groups", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["name"] == "FGS Mawar" and rows[0]["members"] == 1
    store.file_meeting(
        ledger, group.id, day="2026-03-01", place="Balai", agenda="Arisan", notes="", present=["A001"],
        by="K001", today=TODAY,
    )  # fmt: skip
    assert cli([*db, "groups", "meetings", "--group", str(group.id), "--csv"]) == 0
    out = capsys.readouterr().out
    assert "2026-03-01" in out and "Balai" in out
    assert cli([*db, "groups", "members", "--group", str(group.id)]) == 0
    assert "Sri Wahyuni" in capsys.readouterr().out
    assert cli([*db, "groups", "add", "--group", "99", "A003"]) == 2
    err = capsys.readouterr().err
    assert "no group numbered 99" in err and "Traceback" not in err
    assert cli([*db, "groups", "create", "--name", "X", "--village", "Y", "--cadre", "A003"]) == 2
    assert "not a cadre" in capsys.readouterr().err
