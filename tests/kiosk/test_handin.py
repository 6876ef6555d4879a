"""The end-of-shift screen's cash hand-in: the clerk types the cash counted on the keypad and records it
once; the device holds a handin envelope with the shift's expected cash beside it."""

from __future__ import annotations

from typing import Any

from tests.kiosk.conftest import CARD_SITI


def _cash_sale(k: Any) -> None:
    k.scan("8991234500028")
    k.scan(CARD_SITI)
    k.press(k.view().w["footer"].pay)
    k.press(k.view().w["cash"])
    k.press(k.view().w["confirm"])
    k.pump(lambda: k.root.screens.current == "done")
    k.press(k.view().w["next"])


def test_the_clerk_hands_in_the_cash_counted_once(kiosk_factory: Any) -> None:
    """Typing 17000 against Rp 17.500 expected records a hand-in of 17,000 with the difference shown;
    the keypad and the button are then disabled, and a second press records nothing more."""
    k = kiosk_factory("toko")
    k.sign_in()
    _cash_sale(k)
    k.press(k.view().w["footer"].shift)
    k.pump(lambda: k.root.shift_summary is not None)
    for digit in "17000":
        k.press(k.view().w["handin_keypad"].buttons[digit])
    assert "Uang dihitung: Rp 17.000" in k.texts()
    k.press(k.view().w["handin"])
    k.pump(lambda: k.root.handin_done is not None)
    shown = k.texts()
    assert "Disetor: Rp 17.000" in shown and "Selisih: -Rp 500" in shown, shown
    assert k.view().w["handin"].disabled and k.view().w["handin_keypad"].buttons["1"].disabled
    k.press(k.view().w["handin"])
    handins = [e for e in k.outbox() if e["kind"] == "handin"]
    assert len(handins) == 1
    (env,) = handins
    assert (env["clerk"], env["expected_rp"], env["counted_rp"]) == ("sari", 17_500, 17_000)


def test_a_second_handin_of_the_shift_is_refused_in_english(kiosk_factory: Any) -> None:
    """The device refuses a second hand-in of the same shift; the kiosk says so in the clerk's language."""
    from kiosk import errors
    from kiosk.services import DemoServices

    demo = DemoServices()
    demo.record_handin("sari", 0, "2026-11-22T07:00:00+07:00")
    try:
        demo.record_handin("sari", 0, "2026-11-22T07:00:00+07:00")
    except errors.HandinTwice as err:
        what, _ = err.texts(lambda text: text)
        assert "handed in already" in what
    else:
        raise AssertionError("a second hand-in was recorded")
    k = kiosk_factory("toko", lang="en")
    k.sign_in()
    k.press(k.view().w["footer"].shift)
    k.pump(lambda: k.root.shift_summary is not None)
    for digit in "5":
        k.press(k.view().w["handin_keypad"].buttons[digit])
    k.press(k.view().w["handin"])
    k.pump(lambda: k.root.handin_done is not None)
    k.root.handin_done = None  # as if the screen had forgotten: the device still refuses
    k.root.record_handin()
    k.pump(lambda: k.root.banner.parent is not None)
    assert "handed in already" in k.texts()
