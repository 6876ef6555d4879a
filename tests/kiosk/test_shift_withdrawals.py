"""The kiosk's end-of-shift screen with savings paid out: withdrawals on their own line, in the cash."""

from __future__ import annotations

from typing import Any

from kiosk.model import ShiftFact, summarize_shift


def test_the_kiosk_model_adds_withdrawals_with_edge_rule() -> None:
    """The kiosk's own summary (demo data) follows edge's rule: withdrawals out, a voided one back."""
    shift = summarize_shift(
        "2026-11-22T08:00:00+07:00",
        [
            ShiftFact("sale", "cash", 20_000),
            ShiftFact("savings_deposit", "cash", 50_000),
            ShiftFact("savings_withdrawal", "cash", 30_000),
            ShiftFact("savings_withdrawal", "cash", 10_000),
            ShiftFact("void", "cash", 10_000, "savings_withdrawal"),
        ],
    )
    assert (shift.withdrawals_rp, shift.voids_count, shift.cash_expected_rp) == (30_000, 0, 40_000)


def test_end_of_shift_lists_withdrawals_paid_out(kiosk_factory: Any) -> None:
    """Withdrawals a clerk paid out during the shift are shown as money out and lower the cash to hand
    in, in Indonesian and in English."""
    from edge.device import Device

    for lang, label, amount, cash in (
        ("id", "Penarikan simpanan", "-Rp 30.000", "Setoran tunai: Rp 20.000"),
        ("en", "Savings withdrawals", "-Rp 30,000", "Cash to deposit: Rp 20,000"),
    ):
        k = kiosk_factory("toko", lang=lang)
        k.sign_in()
        with Device.open(k.directory) as dev:
            dev.save_member_summary(
                "A001",
                {"member": "A001", "as_of": "2026-11-22T10:00:00+07:00", "savings": {"sukarela": 80_000}},
            )
            dev.record_savings_deposit("A001", "sukarela", 50_000, clerk="sari")
            dev.record_savings_withdrawal("A001", "sukarela", 30_000, clerk="sari")
        k.press(k.view().w["footer"].shift)
        k.pump(lambda k=k: k.root.shift_summary is not None)
        shown = k.texts()
        assert label in shown and amount in shown and cash in shown, shown
