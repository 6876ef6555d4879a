"""Member self-service: a card scan shows that member's own figures, and only theirs."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.services import parse_summary
from tests.kiosk.conftest import CARD_BUDI, CARD_SITI, summary_of

pytestmark = pytest.mark.kivy


def test_card_scan_shows_own_saved_summary_labelled_with_its_date(kiosk_factory: Any) -> None:
    """Offline, the member screen shows the device's last copy of the summary, dated, with every figure."""
    k = kiosk_factory("toko")
    k.scan(CARD_SITI)
    k.pump(lambda: k.root.self_summary is not None)
    shown = k.texts()
    assert k.root.screens.current == "member"
    assert "Siti Rahayu  ·  A001" in shown
    assert "Data per 21 Nov 2026 10:00" in shown
    assert "salinan tersimpan, kios sedang luring" in shown
    for expected in (
        "Poin 2026",
        "12,50",
        "46,75",
        "Rp 412.350",
        "Wajib",
        "Rp 300.000",
        "Sisa pinjaman",
        "Rp 900.000",
        "Angsuran berikut",
        "Rp 150.000",
        "Plafon",
        "Rp 500.000",
        "Pembelian terakhir",
        "Rp 25.000",
    ):
        assert expected in shown, expected
    assert "Budi" not in shown
    assert "98.765" not in shown


def test_next_member_never_sees_the_previous_one(kiosk_factory: Any) -> None:
    """After Done, and after a second card, nothing of the first member remains on screen."""
    k = kiosk_factory("toko")
    k.scan(CARD_SITI)
    k.pump(lambda: k.root.self_summary is not None)
    k.press(k.view().w["done"])
    assert k.root.screens.current == "idle"
    assert "Siti" not in "\n".join(k.root.views["member"].texts())
    k.scan(CARD_BUDI)
    k.pump(lambda: k.root.self_summary is not None)
    shown = k.texts()
    assert "Budi Santoso  ·  A002" in shown
    assert "Rp 98.765" in shown
    assert "Siti" not in shown
    assert "412.350" not in shown


def test_a_late_answer_for_another_member_is_dropped(kiosk_factory: Any) -> None:
    """A summary arriving after the next card, or naming someone else, never reaches the screen."""
    k = kiosk_factory("toko")
    k.scan(CARD_SITI)
    k.pump(lambda: k.root.self_summary is not None)
    old_session = k.root.member_session
    k.scan(CARD_BUDI)
    k.pump(lambda: k.root.self_summary is not None)
    late = parse_summary(summary_of("A001", "Siti Rahayu", 412_350), cached=False)
    k.root._self_summary(old_session, "A001", late)
    wrong = parse_summary(summary_of("A001", "Siti Rahayu", 412_350), cached=False)
    k.root._self_summary(k.root.member_session, "A002", wrong)
    k.pump()
    assert "Siti" not in k.texts()
    assert k.root.self_summary is not None and k.root.self_summary.member == "A002"


def test_not_my_purchase_records_a_dispute_in_edge(kiosk_factory: Any) -> None:
    """The member's 'not mine' button, confirmed, records a dispute envelope naming the purchase."""
    k = kiosk_factory("toko")
    k.scan(CARD_SITI)
    k.pump(lambda: k.root.self_summary is not None)
    rows = [w for w in k.view().walk() if getattr(w, "purchase_id", None)]
    assert [w.purchase_id for w in rows] == ["toko-01:A001-1"]
    k.press(rows[0])
    assert k.root.dialog is not None
    k.press(k.root.dialog.yes_button)
    k.pump(lambda: k.root.banner.parent is not None)
    assert "Laporan Anda tersimpan." in k.texts()
    [dispute] = k.outbox()
    assert dispute["kind"] == "dispute"
    assert dispute["member"] == "A001"
    assert dispute["ref"] == "toko-01:A001-1"


def test_not_mine_is_offered_only_on_the_members_own_live_sales(kiosk_factory: Any) -> None:
    """Installments, deposits, disputes, voids and voided sales are listed without 'not mine'; a sale this
    device voided after central's copy was saved counts as voided too."""
    from edge.device import Device

    k = kiosk_factory("toko")
    with Device.open(k.directory) as dev:
        local = dev.record_sale([("8991234500028", 1)], member="A001")
        dev.record_void(local.id, "salah input")
        summary = summary_of("A001", "Siti Rahayu", 412_350)
        base = summary["recent"][0]
        summary["recent"] = [
            {**base, "id": "toko-01:sale", "kind": "sale"},
            {**base, "id": local.id, "kind": "sale"},
            {**base, "id": "toko-01:voided-at-central", "kind": "sale", "voided": True},
            {**base, "id": "sp-01:installment", "kind": "installment"},
            {**base, "id": "sp-01:deposit", "kind": "savings_deposit"},
            {**base, "id": "kiosk-01:dispute", "kind": "dispute", "total": 0},
            {**base, "id": "toko-01:no-kind"},  # an older central sends no kind: a sale
        ]
        dev.save_member_summary("A001", summary)
    k.scan(CARD_SITI)
    k.pump(lambda: k.root.self_summary is not None)
    offered = [w.purchase_id for w in k.view().walk() if getattr(w, "purchase_id", None)]
    assert offered == ["toko-01:sale"]  # the screen lists five; the sixth and seventh are beyond it
    recent = k.root.self_summary.recent
    assert [p.id for p in recent if p.disputable] == ["toko-01:sale", "toko-01:no-kind"]
    shown = k.texts()
    assert "Angsuran pinjaman" in shown and "Setoran simpanan" in shown and "Dibatalkan" in shown


def test_member_figures_stay_inside_their_panels(kiosk_factory: Any) -> None:
    """With every savings product and a loan, the money column's rows fit inside it: none spills up over
    the 'saved copy' line above (the overlap 04-member-offline.png showed)."""
    from edge.device import Device
    from kiosk.ui.app import frame

    k = kiosk_factory("toko")
    summary = summary_of("A001", "Siti Rahayu", 412_350)
    summary["savings"] = dict.fromkeys(("pokok", "wajib", "sukarela", "berjangka", "smsk", "shr"), 100000)
    with Device.open(k.directory) as dev:
        dev.save_member_summary("A001", summary)
    k.scan(CARD_SITI)
    k.pump(lambda: k.root.self_summary is not None)
    for _ in range(5):  # let layout settle
        frame()
    view = k.view()
    as_of = view.w["as_of"]
    for name in ("col_points", "col_money", "col_recent"):
        panel = view.w[name]
        for row in panel.children:
            assert row.top <= panel.top + 0.5, (name, row.top, panel.top)
            assert row.y >= panel.y - 0.5, (name, row.y, panel.y)
        assert panel.top <= as_of.y + 0.5


def test_member_screen_times_out_to_idle(kiosk_factory: Any) -> None:
    """The member screen goes back to idle by itself and forgets the member."""
    k = kiosk_factory("toko")
    k.scan(CARD_SITI)
    k.pump(lambda: k.root.self_summary is not None)
    k.root._member_timeout.get_callback()(0)  # the scheduled timeout firing, without waiting for it
    k.pump()
    assert k.root.screens.current == "idle"
    assert k.root.self_member is None
    assert "Siti" not in k.texts()


def test_product_scan_at_idle_explains_what_to_scan(kiosk_factory: Any) -> None:
    """A product barcode at the idle screen asks for the member card instead."""
    k = kiosk_factory("toko")
    k.scan("8991234500011")
    assert "Ini bukan kartu anggota." in k.texts()
    assert k.root.screens.current == "idle"
