"""Why the kiosk refuses something, and what the person at the screen should do next.

Each failure is one small class. Its texts are gettext message ids (English); the screen shows them
translated through ``kiosk.i18n`` as two lines: what is wrong, and what to do next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar


def N_(text: str) -> str:
    """Mark ``text`` for the message catalog without translating it here."""
    return text


class KioskError(Exception):
    """Base of every refusal the kiosk shows; ``what``/``next_step`` are message ids with ``{params}``."""

    what: ClassVar[str] = N_("Something went wrong.")
    next_step: ClassVar[str] = N_("Try again; if it keeps happening, call the supervisor.")

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.what.format(**params))

    def texts(self, translate: Callable[[str], str]) -> tuple[str, str]:
        """The two lines the screen shows, translated."""
        return translate(self.what).format(**self.params), translate(self.next_step).format(**self.params)


class UnknownProduct(KioskError):
    what = N_("Product {code} is not in the catalog.")
    next_step = N_("Check the barcode or search by name. The office can add the item.")


class CardNotRecognised(KioskError):
    what = N_("This card is not recognised.")
    next_step = N_("Scan it again. If it still fails, ask the office: the card may be new or replaced.")


class MemberInactive(KioskError):
    what = N_("Membership of {name} is not active.")
    next_step = N_("Please contact the cooperative office.")


class CreditLimitExceeded(KioskError):
    what = N_("Credit limit reached: {available} left of {limit}.")
    next_step = N_("Pay cash, or remove items until the total fits.")


class CreditNeedsMember(KioskError):
    what = N_("Credit needs a member card.")
    next_step = N_("Scan the member's card, or pay cash.")


class OutOfStock(KioskError):
    what = N_("{name} is out of stock.")
    next_step = N_(
        "Remove it from the sale. If it is on the shelf, this kiosk's stock count is behind: whoever "
        "imports this kiosk's catalog can correct it."
    )


class EmptyCart(KioskError):
    what = N_("No items yet.")
    next_step = N_("Scan an item or choose one first.")


class CartTooLarge(KioskError):
    what = N_("This sale is too large.")
    next_step = N_("Finish this sale and start a new one for the rest.")


class SaleRefused(KioskError):
    what = N_("The sale was not saved: {reason}")
    next_step = N_("Correct it and confirm again, or call the supervisor.")


class HandinRefused(KioskError):
    what = N_("The cash hand-in was not recorded: {reason}")
    next_step = N_("Check the amount, or call the supervisor.")


class HandinTwice(KioskError):
    what = N_("The cash of this shift was handed in already.")
    next_step = N_("One hand-in per shift. A difference is settled by the treasurer on receipt.")


class CountClosed(KioskError):
    what = N_("Stock count {count} was closed by the office.")
    next_step = N_("What you counted here is kept and sent. Ask the office before counting more.")


class NoCountOpen(KioskError):
    what = N_("There is no open stock count for this unit.")
    next_step = N_("The office starts one; this kiosk learns of it when it syncs.")


class UnknownCountItem(KioskError):
    what = N_("Barcode {code} is not in this kiosk's catalog: nothing was counted.")
    next_step = N_("Put the item aside for the office, or scan another barcode on it.")


class NotCountedHere(KioskError):
    what = N_("{name} belongs to another unit: nothing was counted.")
    next_step = N_("It is counted in its own unit's stock count.")


class CountRefused(KioskError):
    what = N_("The count was not recorded: {reason}")
    next_step = N_("Check the item and the quantity, or call the supervisor.")


class PrinterOutOfPaper(KioskError):
    what = N_("The printer is out of paper.")
    next_step = N_("Load a new roll, then press Print again. The sale is already saved.")


class PrinterUnavailable(KioskError):
    what = N_("The printer does not answer.")
    next_step = N_("Check its cable and power, then press Print again. The sale is already saved.")


class SummaryUnavailable(KioskError):
    what = N_("Your data cannot be shown right now.")
    next_step = N_("The kiosk is offline and holds no copy yet. Please try again later.")


class WrongPin(KioskError):
    what = N_("Wrong PIN.")
    next_step = N_("Enter it again, or ask the supervisor to reset it.")


class DisputeRefused(KioskError):
    what = N_("The report could not be saved: {reason}")
    next_step = N_("Please tell the clerk or the supervisor.")


class ConfigError(KioskError):
    """A device directory or kiosk settings file that cannot be used (shown on the command line)."""

    what = N_("Cannot use the device settings: {reason}")
    next_step = N_("Fix the file named above, or enroll the device again.")


class DeviceDirMissing(KioskError):
    what = N_("Device directory {path} does not exist or has no device.toml.")
    next_step = N_("Set the device up first (python -m edge init), then start the kiosk again.")


class BadScannerSpec(KioskError):
    what = N_("Scanner {spec} is not understood.")
    next_step = N_("Use serial:/dev/ttyACM0 or evdev:/dev/input/event3.")
