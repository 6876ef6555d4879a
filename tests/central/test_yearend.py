"""A small cooperative's year, closed: points and SHU per member worked out by hand, on SQLite and PostgreSQL.

The year 2025 of Koperasi Contoh, twelve members (A01 ketua, A02 bendahara, the rest anggota):

  savings   every member pokok 100,000; wajib A01 3 x 100,000, A02 7 x 100,000, A03 9 x 100,000,
            everyone else 120,000
  toko      A01 cash 2 x beras (120,000; margin 20,000)      A02 credit 1 x beras (60,000; margin 10,000)
            A09 cash 1 x gula (15,000; margin 2,000) and 1 x beras, voided the next day
            walk-in cash 3 x beras (180,000; margin 30,000)
  cafe      A03 4 x kopi (20,000)     A11 1 x kopi (5,000)
  fotokopi  A04 18 sheets (9,000)
  kiostel   A05 2 x pulsa (50,000)
  simpan-pinjam  A06 SMSK 250,000 and SHR 150,000; A07 borrows 5,000,000 and pays 3 installments of
            100,000 principal + 100,000 interest; A08 term deposit 10,000,000 on 1 Feb
  isi-ulang (non-participant) A10 2 galon (10,000; cost 4,000), walk-ins 10 galon (50,000; cost 20,000)

Points (seed 004):
  active   A01 toko-cash 20,000/1,000 = 20      A02 toko-credit 10,000/2,000 = 5   A03 cafe 20,000/4,000 = 5
           A04 fotokopi 9,000/4,500 = 2         A05 kiostel 50,000/5,000 = 10      A06 smsk 2.5 + shr 1.5
           A07 bunga 300,000/100,000 = 3        A08 berjangka 10 x 3 full terms = 30
           A09 toko-cash 2,000/1,000 = 2 (the voided sale earns nothing)   A11 cafe 5,000/4,000 = 1.25
           A10 earns nothing at isi-ulang; A12 bought nothing
  passive  A01 300,000 -> 30, A02 700,000 -> 110, A03 900,000 -> 130, everyone else 120,000 -> 12
  bonus    isi-ulang margin 6,000 + 30,000 = 36,000 -> 36 points over the 10 members with active points: 3.6

Income 2025: revenue 819,000 - cost of goods 398,600 = SHU 420,400.
  Walk-ins' gross margin at the toko: 180,000 - 313,000 x 180,000 / 375,000 = 29,760 -> to the reserve.
  The rest, 390,640, by the AD/ART: cadangan 40% 156,256 (+29,760 = 186,016), anggota 40% 156,256,
  pengurus/karyawan/pendidikan 5% 19,532 each, sosial 3% 11,719.2, pembangunan 2% 7,812.8 -> the one
  leftover rupiah goes to the larger remainder: sosial 11,719, pembangunan 7,813.
Members' share 156,256 by points (total 496.25): floors sum to 156,250; the six largest remainders
  (A04 and A09 .77, A05 .76, A07 .65, A11 .62, A06 .52) get one rupiah more.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import func, select

from central import config as config_mod
from central import yearend
from central.books.reports import Period, balance_sheet, trial_balance
from central.books.statement import member_summary
from central.cli import main
from central.config import Config
from central.errors import ConfigError
from central.ledger import Ledger, schema
from central.members.rows import MemberRow, ProductRow
from central.yearend import estimate
from sync import envelope as wire

YEAR = 2025

EXPECTED_POINTS = {
    "A01": {
        "active": {"toko-cash": "20.00"},
        "passive": "30.00",
        "bonus": "3.60",
        "total": "53.60",
    },
    "A02": {
        "active": {"toko-credit": "5.00"},
        "passive": "110.00",
        "bonus": "3.60",
        "total": "118.60",
    },
    "A03": {"active": {"cafe": "5.00"}, "passive": "130.00", "bonus": "3.60", "total": "138.60"},
    "A04": {"active": {"fotokopi": "2.00"}, "passive": "12.00", "bonus": "3.60", "total": "17.60"},
    "A05": {"active": {"kiostel": "10.00"}, "passive": "12.00", "bonus": "3.60", "total": "25.60"},
    "A06": {
        "active": {"smsk": "2.50", "shr": "1.50"},
        "passive": "12.00",
        "bonus": "3.60",
        "total": "19.60",
    },
    "A07": {"active": {"bunga": "3.00"}, "passive": "12.00", "bonus": "3.60", "total": "18.60"},
    "A08": {
        "active": {"berjangka": "30.00"},
        "passive": "12.00",
        "bonus": "3.60",
        "total": "45.60",
    },
    "A09": {"active": {"toko-cash": "2.00"}, "passive": "12.00", "bonus": "3.60", "total": "17.60"},
    "A10": {"active": {}, "passive": "12.00", "bonus": "0.00", "total": "12.00"},
    "A11": {"active": {"cafe": "1.25"}, "passive": "12.00", "bonus": "3.60", "total": "16.85"},
    "A12": {"active": {}, "passive": "12.00", "bonus": "0.00", "total": "12.00"},
}
EXPECTED_SHU_RP = {
    "A01": 16_877, "A02": 37_344, "A03": 43_641, "A04": 5_542, "A05": 8_061, "A06": 6_172,
    "A07": 5_857, "A08": 14_358, "A09": 5_542, "A10": 3_778, "A11": 5_306, "A12": 3_778,
}  # fmt: skip
EXPECTED_FUNDS_RP = {
    "cadangan": 186_016, "anggota": 156_256, "pengurus": 19_532, "karyawan": 19_532,
    "pendidikan": 19_532, "sosial": 11_719, "pembangunan": 7_813,
}  # fmt: skip
SHU_RP = 420_400
NON_MEMBER_RP = 29_760

# The allocation accounts (the default chart carries them; a cooperative's own chart may not).
SHU_ACCOUNTS = [
    {"code": "3301", "name": "SHU tahun berjalan (ikhtisar)", "type": "equity"},
    {"code": "2201", "name": "Utang SHU anggota", "type": "liability"},
    {"code": "2202", "name": "Dana pengurus", "type": "liability"},
    {"code": "2203", "name": "Dana karyawan", "type": "liability"},
    {"code": "2204", "name": "Dana pendidikan", "type": "liability"},
    {"code": "2205", "name": "Dana sosial", "type": "liability"},
    {"code": "2206", "name": "Dana pembangunan daerah kerja", "type": "liability"},
]

PRODUCTS = [
    ProductRow("BERAS", "Beras 5 kg", "toko", 60_000, 50_000),
    ProductRow("GULA", "Gula 1 kg", "toko", 15_000, 13_000),
    ProductRow("KOPI", "Kopi hitam", "cafe", 5_000, 2_000),
    ProductRow("FC-A4", "Fotokopi A4", "fotokopi", 500, 200),
    ProductRow("PULSA", "Pulsa 25.000", "kiostel", 25_000, 24_000),
    ProductRow("GALON", "Isi ulang galon", "isi-ulang", 5_000, 2_000),
]
PRICE = {p.sku: (p.price_rp, p.cost_rp) for p in PRODUCTS}


def coop_config(**shu: Any) -> Config:
    """The default config with the SHU allocation accounts added and ``shu`` keys merged into [shu]."""
    raw = json.loads(json.dumps(config_mod.default().raw))
    have = {a["code"] for a in raw["accounts"]}
    raw["accounts"] = [*raw["accounts"], *(a for a in SHU_ACCOUNTS if a["code"] not in have)]
    raw["shu"] = {**raw["shu"], **shu}
    return config_mod.parse(raw)


class Book:
    """Signed-free envelope chains per device, dated as given (the ledger accepts unregistered devices)."""

    def __init__(self) -> None:
        self.seq: dict[str, int] = {}
        self.prev: dict[str, str] = {}
        self.envelopes: list[dict[str, Any]] = []

    def add(self, device: str, unit: str, day: str, kind: str, **fields: Any) -> dict[str, Any]:
        seq = self.seq.get(device, 0) + 1
        env: dict[str, Any] = {
            "v": 1, "id": f"{device}:{seq}", "device": device, "seq": seq,
            "prev": self.prev.get(device, wire.GENESIS), "at": f"{day}T10:00:00+07:00", "unit": unit,
            "kind": kind, "member": None, "payment": "cash", "lines": [], "total": 0,
        }  # fmt: skip
        env.update(fields)
        self.seq[device] = seq
        self.prev[device] = wire.chain_hash(env)
        self.envelopes.append(env)
        return env

    def sale(
        self,
        device: str,
        unit: str,
        day: str,
        member: str | None,
        items: dict[str, int],
        payment: str = "cash",
    ):  # type: ignore[no-untyped-def]
        lines = [
            {"sku": s, "qty": q, "price_rp": PRICE[s][0], "cost_rp": PRICE[s][1]} for s, q in items.items()
        ]
        total = sum(PRICE[s][0] * q for s, q in items.items())
        return self.add(device, unit, day, "sale", member=member, payment=payment, lines=lines, total=total)

    def deposit(self, day: str, member: str, product: str, total: int) -> None:
        self.add(
            "sp-01",
            "simpan-pinjam",
            day,
            "savings_deposit",
            member=member,
            product=product,
            total=total,
        )


def the_year() -> list[dict[str, Any]]:
    """Koperasi Contoh's 2025, as in the module docstring."""
    book = Book()
    members = [f"A{n:02d}" for n in range(1, 13)]
    for m in members:
        book.deposit("2025-01-06", m, "pokok", 100_000)
    wajib_months = {"A01": 3, "A02": 7, "A03": 9}
    for m in members:
        for month in range(1, wajib_months.get(m, 0) + 1):
            book.deposit(f"2025-{month:02d}-10", m, "wajib", 100_000)
        if m not in wajib_months:
            book.deposit("2025-03-10", m, "wajib", 120_000)
    book.sale("toko-01", "toko", "2025-02-03", "A01", {"BERAS": 2})
    book.sale("toko-01", "toko", "2025-02-04", "A02", {"BERAS": 1}, payment="credit")
    book.sale("toko-01", "toko", "2025-05-10", "A09", {"GULA": 1})
    mistaken = book.sale("toko-01", "toko", "2025-05-10", "A09", {"BERAS": 1})
    book.add("toko-01", "toko", "2025-05-11", "void", member="A09", payment="cash", total=mistaken["total"],
             ref=mistaken["id"], reason="salah input")  # fmt: skip
    book.sale("toko-01", "toko", "2025-06-01", None, {"BERAS": 3})
    book.sale("cafe-01", "cafe", "2025-03-03", "A03", {"KOPI": 4})
    book.sale("cafe-01", "cafe", "2025-03-04", "A11", {"KOPI": 1})
    book.sale("fc-01", "fotokopi", "2025-04-01", "A04", {"FC-A4": 18})
    book.sale("kios-01", "kiostel", "2025-04-02", "A05", {"PULSA": 2})
    book.deposit("2025-07-01", "A06", "smsk", 250_000)
    book.deposit("2025-12-01", "A06", "shr", 150_000)
    loan = {"member": "A07", "loan": "L-A07-1"}
    book.add("sp-01", "simpan-pinjam", "2025-02-15", "loan_disbursement", total=5_000_000, **loan)
    for month in (3, 4, 5):
        day = f"2025-{month:02d}-15"
        book.add("sp-01", "simpan-pinjam", day, "installment", principal_rp=100_000, interest_rp=100_000,
                 total=200_000, **loan)  # fmt: skip
    book.deposit("2025-02-01", "A08", "berjangka", 10_000_000)
    book.sale("air-01", "isi-ulang", "2025-08-01", "A10", {"GALON": 2})
    book.sale("air-01", "isi-ulang", "2025-08-02", None, {"GALON": 10})
    return book.envelopes


def open_year(db_url: str, cfg: Config) -> Ledger:
    ledger = Ledger.open(db_url)
    ledger.init(cfg)
    roles = {"A01": "ketua", "A02": "bendahara"}
    numbers = [f"A{n:02d}" for n in range(1, 13)]
    rows = [MemberRow(n, f"Anggota {n}", "2024-01-01", None, None, None, roles.get(n, "anggota"), None, True)
            for n in numbers]  # fmt: skip
    ledger.import_members(rows)
    ledger.import_products(PRODUCTS)
    report = ledger.ingest(the_year())
    assert report.ok, report.rejected
    return ledger


@pytest.fixture
def year_ledger(db_url: str) -> Iterator[Ledger]:
    """Koperasi Contoh's 2025 ingested, on SQLite and on PostgreSQL."""
    ledger = open_year(db_url, coop_config())
    try:
        yield ledger
    finally:
        ledger.close()


@pytest.fixture
def sqlite_year(tmp_path: Any) -> Iterator[tuple[Ledger, str]]:
    """The same year on SQLite only, with its path for the command line."""
    path = str(tmp_path / "year.sqlite")
    ledger = open_year(path, coop_config())
    try:
        yield ledger, path
    finally:
        ledger.close()


def _payable(ledger: Ledger, account: str) -> dict[str | None, int]:
    j = schema.journal
    with ledger.read() as conn:
        rows = conn.execute(
            select(j.c.member, func.sum(j.c.credit_rp) - func.sum(j.c.debit_rp))
            .where(j.c.account == account)
            .group_by(j.c.member)
        ).all()
    return {m: int(v) for m, v in rows if int(v)}


def test_points_of_the_year_match_the_hand_worked_figures(year_ledger: Ledger) -> None:
    """Each member's active (by rule), passive, bonus and total points are those worked out by hand."""
    result = yearend.compute_year(year_ledger, YEAR)
    got = {
        row["member"]: {k: v for k, v in row.items() if k != "member"}
        for row in yearend.points_data(result.points)
    }
    assert got == EXPECTED_POINTS


def test_close_year_allocates_and_posts_the_hand_worked_shu(year_ledger: Ledger) -> None:
    """Closing 2025 allocates SHU 420,400 by the AD/ART and points, and posts it so the books balance."""
    result = yearend.close_year(year_ledger, YEAR, by="bendahara")
    allocation = result.allocation
    assert allocation is not None
    assert allocation.shu_rp == SHU_RP and allocation.non_member_rp == NON_MEMBER_RP
    assert {f.key: f.amount_rp for f in allocation.funds} == EXPECTED_FUNDS_RP
    assert {m.member: m.shu_rp for m in allocation.members} == EXPECTED_SHU_RP
    assert _payable(year_ledger, "2201") == EXPECTED_SHU_RP  # members' SHU is a payable, per member
    assert _payable(year_ledger, "3201") == {None: EXPECTED_FUNDS_RP["cadangan"]}
    trial = trial_balance(year_ledger, Period(None, f"{YEAR}-12-31"))[0]
    sheet = balance_sheet(year_ledger, f"{YEAR}-12-31")[0]
    assert dict(trial.summary)["balanced"] and dict(sheet.summary)["balanced"]


def test_closing_twice_is_refused_and_reopening_reverses_with_an_audit_trail(
    year_ledger: Ledger,
) -> None:
    """A second close is refused; reopen posts the reversal and records when, why and by whom."""
    yearend.close_year(year_ledger, YEAR, by="bendahara")
    with pytest.raises(yearend.YearAlreadyClosed) as caught:
        yearend.close_year(year_ledger, YEAR, by="ketua")
    assert "reopen-year" in caught.value.message("en") and "bendahara" in caught.value.message("id")
    tx_id = yearend.reopen_year(year_ledger, YEAR, reason="salah hitung biaya", by="ketua")
    assert _payable(year_ledger, "2201") == {}
    assert dict(trial_balance(year_ledger, Period(None, None))[0].summary)["balanced"]
    history = yearend.year_history(year_ledger, YEAR)
    assert history[0]["reopen_reason"] == "salah hitung biaya" and history[0]["reopened_by"] == "ketua"
    assert history[0]["reopened_ts"] >= history[0]["closed_ts"] and history[0]["reopen_tx"] == tx_id
    again = yearend.close_year(year_ledger, YEAR, by="bendahara")
    assert again.allocation is not None and yearend.year_history(year_ledger, YEAR)[1]["round"] == 2
    assert _payable(year_ledger, "2201") == EXPECTED_SHU_RP


def test_reopen_needs_a_closed_year_and_a_reason(sqlite_year: tuple[Ledger, str]) -> None:
    """Reopening an open year, or without a reason, is refused and nothing is written."""
    ledger, _ = sqlite_year
    with pytest.raises(yearend.YearNotClosed):
        yearend.reopen_year(ledger, YEAR, reason="x")
    yearend.close_year(ledger, YEAR)
    with pytest.raises(yearend.BadYearendInput):
        yearend.reopen_year(ledger, YEAR, reason="   ")
    assert yearend.year_history(ledger, YEAR)[0]["reopened_ts"] is None


def test_board_fund_is_split_by_recorded_activity(tmp_path: Any) -> None:
    """With board_by_activity, the 19,532 board fund goes 3:1 to the ketua and bendahara by activity."""
    ledger = open_year(str(tmp_path / "b.sqlite"), coop_config(board_by_activity=True))
    with ledger:
        yearend.record_activity(ledger, "A01", 2, on=date(2025, 3, 1), note="rapat kelompok")
        yearend.record_activity(ledger, "A01", 1, on=date(2025, 9, 1))
        yearend.record_activity(ledger, "A02", 1, on=date(2025, 9, 2))
        yearend.record_activity(ledger, "A02", 5, on=date(2026, 1, 2))  # next year: not counted
        with pytest.raises(yearend.BadYearendInput):
            yearend.record_activity(ledger, "A05", 1, on=date(2025, 9, 2))  # not a board member
        result = yearend.close_year(ledger, YEAR)
        assert result.allocation is not None
        assert [(b.member, b.amount_rp) for b in result.allocation.board] == [
            ("A01", 14_649),
            ("A02", 4_883),
        ]
        assert _payable(ledger, "2202") == {"A01": 14_649, "A02": 4_883}


def test_classic_method_splits_by_savings_and_transactions(tmp_path: Any) -> None:
    """The classic formula gives jasa modal by pokok + wajib and jasa usaha by transactions."""
    ledger = open_year(str(tmp_path / "c.sqlite"), coop_config(method="classic"))
    with ledger:
        data = yearend.shu_data(yearend.compute_year(ledger, YEAR))
    members = {m["member"]: m for m in data["members"]}
    assert data["method"] == "classic"
    assert sum(m["shu_rp"] for m in members.values()) == EXPECTED_FUNDS_RP["anggota"]
    assert sum(m["modal_rp"] for m in members.values()) == 62_502  # 40% of 156,256 = 62,502.4
    # A12 only saved: capital share only. A03 (1,000,000 of capital) gets the largest capital share.
    assert members["A12"]["usaha_rp"] == 0 and members["A12"]["modal_rp"] > 0
    assert max(members.values(), key=lambda m: m["modal_rp"])["member"] == "A03"


def test_estimate_is_labelled_and_matches_the_close_at_year_end(
    sqlite_year: tuple[Ledger, str],
) -> None:
    """The live estimate says it is one; on the last day it equals the year's allocation."""
    ledger, _ = sqlite_year
    mid = yearend.shu_data(yearend.estimate_shares(ledger, YEAR, on=date(2025, 6, 30)))
    assert mid["estimate"] is True and mid["period"]["to"] == "2025-06-30"
    assert mid["totals"]["members_rp"] == next(f["amount_rp"] for f in mid["funds"] if f["fund"] == "anggota")
    end = yearend.shu_data(yearend.estimate_shares(ledger, YEAR, on=date(2025, 12, 31)))
    assert {m["member"]: m["shu_rp"] for m in end["members"]} == EXPECTED_SHU_RP


def test_member_summary_shows_points_and_the_shu_estimate(sqlite_year: tuple[Ledger, str]) -> None:
    """The kiosk's member summary carries the member's points and SHU through the year-end seam."""
    ledger, _ = sqlite_year
    summary = member_summary(ledger, "A03", on=date(2025, 12, 31))
    assert summary["points"] == {
        "active": {"cafe": 5.0},
        "passive": 130.0,
        "bonus": 3.6,
        "total": 138.6,
    }
    assert summary["shu_estimate_rp"] == EXPECTED_SHU_RP["A03"]
    assert yearend.member_points(ledger, "A06", YEAR).total == Fraction("19.6")


def test_the_default_chart_carries_the_allocation_accounts() -> None:
    """close-year works on the default config: its chart has every account the allocation posts to."""
    codes = {a.code for a in config_mod.default().chart}
    assert {code for code, _name, _type in yearend.DEFAULT_SHU_ACCOUNTS.values()} <= codes


def test_a_chart_without_allocation_accounts_gets_a_clear_error(tmp_path: Any) -> None:
    """Closing on a chart without the SHU accounts is refused, naming the accounts to add; nothing written."""
    raw = json.loads(json.dumps(config_mod.default().raw))
    shu_codes = {a["code"] for a in SHU_ACCOUNTS}
    raw["accounts"] = [a for a in raw["accounts"] if a["code"] not in shu_codes]
    ledger = open_year(str(tmp_path / "d.sqlite"), config_mod.parse(raw))
    with ledger:
        with pytest.raises(yearend.ShuAccountMissing) as caught:
            yearend.close_year(ledger, YEAR)
        assert "2201" in caught.value.message("en") and "[[accounts]]" in caught.value.message("id")
        assert yearend.year_history(ledger, YEAR) == []


def test_percentages_not_adding_up_to_100_are_refused() -> None:
    """An AD/ART whose percentages add up to 95 is refused when the config is read."""
    raw = json.loads(json.dumps(config_mod.default().raw))
    raw["shu"]["shares"][0]["percent"] = 35
    with pytest.raises(ConfigError, match="100"):
        config_mod.parse(raw)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_reports_points_and_shu_as_json(
    sqlite_year: tuple[Ledger, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`report points --json` is one object per member; `report shu --json` the funds, members, totals."""
    _, db = sqlite_year
    code, out, _ = _run(capsys, "--db", db, "report", "points", "--year", "2025", "--json")
    assert code == 0
    assert {row["member"]: row["total"] for row in json.loads(out)} == {
        m: v["total"] for m, v in EXPECTED_POINTS.items()
    }
    code, out, _ = _run(capsys, "--db", db, "report", "points", "--year", "2025", "--member", "A06", "--json")
    assert json.loads(out) == [{"member": "A06", **EXPECTED_POINTS["A06"]}]
    code, out, _ = _run(capsys, "--db", db, "report", "shu", "--year", "2025", "--json")
    data = json.loads(out)
    assert code == 0 and data["estimate"] is False
    assert {m["member"]: m["shu_rp"] for m in data["members"]} == EXPECTED_SHU_RP
    assert data["totals"]["funds_rp"] == SHU_RP and data["totals"]["members_rp"] == 156_256


def test_cli_close_reopen_and_refusals(
    sqlite_year: tuple[Ledger, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """close-year, a refused second close (exit 2, no traceback), reopen with a reason; both languages."""
    _, db = sqlite_year
    code, out, _ = _run(capsys, "--db", db, "close-year", "2025", "--by", "bendahara")
    assert code == 0 and "156.256" in out
    code, _, err = _run(capsys, "--db", db, "close-year", "2025")
    assert code == 2 and "sudah ditutup" in err and "Traceback" not in err
    code, _, err = _run(capsys, "--db", db, "--lang", "en", "close-year", "2025")
    assert code == 2 and "already closed" in err
    code, out, _ = _run(capsys, "--db", db, "report", "shu", "--year", "2025")
    assert code == 0 and "Tutup buku" in out
    code, out, _ = _run(capsys, "--db", db, "reopen-year", "2025", "--reason", "koreksi", "--by", "ketua")
    assert code == 0 and "dibuka kembali" in out
    code, out, _ = _run(capsys, "--db", db, "year-history", "2025", "--json")
    (entry,) = json.loads(out)
    trail = (entry["closed_by"], entry["reopened_by"], entry["reopen_reason"])
    assert trail == ("bendahara", "ketua", "koreksi")
    code, out, _ = _run(capsys, "--db", db, "year-history", "2025")
    assert code == 0 and "koreksi" in out and "Riwayat" in out
    code, out, _ = _run(capsys, "--db", db, "report", "shu", "--year", "2026", "--estimate")
    assert code == 0 and "PERKIRAAN" in out
    code, _, err = _run(capsys, "--db", db, "close-year", "2999")
    assert code == 2 and "--estimate" in err


def test_member_summary_counts_a_new_purchase_at_once(sqlite_year: tuple[Ledger, str]) -> None:
    """A member's own points are read fresh even while the everyone-wide estimate is cached."""
    ledger, _ = sqlite_year
    assert member_summary(ledger, "A12", on=date(2025, 12, 31))["points"]["total"] == 12.0
    book = Book()
    book.sale("cafe-02", "cafe", "2025-12-30", "A12", {"KOPI": 4})
    assert ledger.ingest(book.envelopes).ok
    points = member_summary(ledger, "A12", on=date(2025, 12, 31))["points"]
    # 20,000 at the cafe = 5 points; the bonus pool of 36 is now shared by 11 active members.
    assert points == {"active": {"cafe": 5.0}, "passive": 12.0, "bonus": 3.27, "total": 20.27}


def test_member_summary_shows_the_posted_shu_once_the_year_is_closed(sqlite_year: tuple[Ledger, str]) -> None:
    """After close-year the summary's SHU is the amount posted to the member's payable."""
    ledger, _ = sqlite_year
    yearend.close_year(ledger, YEAR)
    assert member_summary(ledger, "A04", on=date(2025, 12, 31))["shu_estimate_rp"] == EXPECTED_SHU_RP["A04"]


def test_a_sale_arriving_after_the_close_leaves_the_closed_year(
    sqlite_year: tuple[Ledger, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A sale dated in a closed year that arrives later is posted on the open year's first day: `report shu`
    of the closed year shows the SHU as closed, with no warning, and `late` lists the sale."""
    ledger, db = sqlite_year
    yearend.close_year(ledger, YEAR)
    book = Book()
    book.sale("cafe-03", "cafe", "2025-12-31", "A12", {"KOPI": 1})
    assert ledger.ingest(book.envelopes).ok
    code, out, _ = _run(capsys, "--db", db, "report", "shu", "--year", "2025", "--json")
    data = json.loads(out)
    assert code == 0 and data["shu_rp"] == SHU_RP and data["current_shu_rp"] == SHU_RP
    code, out, _ = _run(capsys, "--db", db, "--lang", "en", "report", "shu", "--year", "2025")
    assert "WARNING" not in out
    code, out, _ = _run(capsys, "--db", db, "late", "--json")
    [late] = json.loads(out)
    assert code == 0 and (late["own_day"], late["posted_day"]) == ("2025-12-31", "2026-01-01")


def test_cli_reports_points_and_shu_as_csv(
    sqlite_year: tuple[Ledger, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`--csv` gives a header and one row per member for both reports."""
    _, db = sqlite_year
    code, out, _ = _run(capsys, "--db", db, "report", "points", "--year", "2025", "--member", "A06", "--csv")
    header, row = out.strip().splitlines()
    assert code == 0 and header.startswith("member,toko-cash,") and header.endswith(",passive,bonus,total")
    assert row.startswith("A06,") and row.endswith(",12.00,3.60,19.60")
    code, out, _ = _run(capsys, "--db", db, "report", "shu", "--year", "2025", "--csv")
    rows = out.strip().splitlines()
    assert rows[0] == "member,points,shu_rp" and "A03,138.60,43641" in rows


def test_term_deposits_from_last_year_count_and_voided_ones_do_not(sqlite_year: tuple[Ledger, str]) -> None:
    """A term deposit made last year earns its 4 full terms of this year; a voided one earns nothing."""
    ledger, _ = sqlite_year
    book = Book()
    book.add("sp-02", "simpan-pinjam", "2024-10-01", "savings_deposit", member="A12", product="berjangka",
             total=2_000_000)  # fmt: skip
    wrong = book.add("sp-02", "simpan-pinjam", "2025-03-01", "savings_deposit", member="A12",
                     product="berjangka", total=5_000_000)  # fmt: skip
    book.add("sp-02", "simpan-pinjam", "2025-03-02", "void", member="A12", total=5_000_000, ref=wrong["id"],
             reason="salah anggota")  # fmt: skip
    assert ledger.ingest(book.envelopes).ok
    a12 = yearend.points_data(yearend.compute_year(ledger, YEAR).points, "A12")[0]
    # 2,000,000 x 4 terms / 1,000,000 = 8; A12 is now active, so the 36 bonus points go to 11 members.
    assert a12 == {"member": "A12", "active": {"berjangka": "8.00"}, "passive": "12.00", "bonus": "3.27",
                   "total": "23.27"}  # fmt: skip


def test_a_year_with_a_loss_is_reported_and_not_closed(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Selling below cost makes a loss: `report shu` says there is nothing to divide, close-year refuses."""
    db = str(tmp_path / "loss.sqlite")
    with Ledger.open(db) as ledger:
        ledger.init(coop_config())
        member = MemberRow("A01", "Anggota", "2024-01-01", None, None, None, "anggota", None, True)
        ledger.import_members([member])
        ledger.import_products([ProductRow("RUGI", "Obral", "toko", 1_000, 2_000)])
        book = Book()
        line = {"sku": "RUGI", "qty": 1, "price_rp": 1_000, "cost_rp": 2_000}
        book.add("toko-01", "toko", "2025-05-05", "sale", member="A01", lines=[line], total=1_000)
        assert ledger.ingest(book.envelopes).ok
    code, out, _ = _run(capsys, "--db", db, "--lang", "en", "report", "shu", "--year", "2025")
    assert code == 0 and "No surplus" in out
    code, _, err = _run(capsys, "--db", db, "close-year", "2025")
    assert code == 2 and "Rapat Anggota" in err and "Traceback" not in err


def test_member_summary_answers_from_an_older_estimate_while_it_refreshes(
    sqlite_year: tuple[Ledger, str],
) -> None:
    """The kiosk path answers from an older everyone-wide estimate at once and recomputes it meanwhile."""
    ledger, _ = sqlite_year
    first = estimate._estimate_cached(ledger, YEAR, date(2025, 6, 30), allow_stale=True)
    second = estimate._estimate_cached(ledger, YEAR, date(2025, 12, 31), allow_stale=True)
    assert second is first
    for thread in threading.enumerate():
        if thread.name == "shu-estimate":
            thread.join()
    third = estimate._estimate_cached(ledger, YEAR, date(2025, 12, 31), allow_stale=True)
    assert third is not first and third.hi == "2025-12-31"


def test_a_sale_arriving_while_the_shu_is_computed_is_in_the_closed_shu(
    year_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The close computes the SHU outside its write; a sale of the year ingested meanwhile makes it compute
    again, so the closed SHU is the books' SHU. Books that never hold still close nothing, with a reason."""
    from central.yearend import closing

    real = closing.compute_year
    arrivals = iter(["2025-12-30", "2025-12-31"])
    calls: list[int] = []

    def compute_while_a_sale_arrives(ledger: Ledger, year: int) -> Any:
        calls.append(year)
        found = real(ledger, year)
        day = next(arrivals, None)
        if day is not None and len(calls) == 1:
            book = Book()
            book.sale("cafe-03", "cafe", day, "A12", {"KOPI": 1})
            assert ledger.ingest(book.envelopes).ok
        return found

    monkeypatch.setattr(closing, "compute_year", compute_while_a_sale_arrives)
    result = yearend.close_year(year_ledger, YEAR, by="bendahara")
    assert len(calls) == 2  # computed again after the sale
    assert result.allocation is not None and result.allocation.shu_rp > SHU_RP  # the sale's margin is in it
    assert yearend.closed_allocation(year_ledger, YEAR)["shu_rp"] == result.allocation.shu_rp


def test_books_that_keep_moving_close_nothing(year_ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    from central.yearend import closing

    real = closing.compute_year
    days = iter(f"2025-12-{d:02d}" for d in range(20, 31))
    book = Book()

    def compute_while_sales_arrive(ledger: Ledger, year: int) -> Any:
        found = real(ledger, year)
        book.sale("cafe-03", "cafe", next(days), "A12", {"KOPI": 1})
        assert ledger.ingest(book.envelopes[-1:]).ok
        return found

    monkeypatch.setattr(closing, "compute_year", compute_while_sales_arrive)
    with pytest.raises(yearend.YearBusy, match="kept changing"):
        yearend.close_year(year_ledger, YEAR, by="bendahara")
    assert yearend.closed_allocation(year_ledger, YEAR) is None
