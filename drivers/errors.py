"""The failures of drivers/, one small class each, every one with an Indonesian and an English message.

``str(err)`` is the English text (logs, developers); ``err.text(lang)`` is what a clerk or technician
reads, Bahasa Indonesia by default. Each message names what is wrong and how to fix it.
"""

from __future__ import annotations


class DriverError(Exception):
    """Base of every drivers/ failure; carries the same message in Indonesian and English."""

    def __init__(self, en: str, id_: str) -> None:
        super().__init__(en)
        self.en = en
        self.id = id_

    def text(self, lang: str = "id") -> str:
        """The message in ``lang`` (``id`` or ``en``)."""
        return self.en if lang == "en" else self.id


class DeviceNotFound(DriverError):
    """No device matches the configured path, vendor/product id or name (unplugged, wrong id)."""


class DeviceGone(DriverError):
    """An open device disappeared (unplugged, cable loose) while it was being read."""


class GrabFailed(DriverError):
    """The scanner could not be grabbed exclusively, so its scans would leak into the UI as keystrokes."""


class UnknownLayout(DriverError):
    """A keyboard layout name that has no table."""


class BadEventStream(DriverError):
    """A recording of input events that is not a whole number of ``struct input_event`` records."""


class ReceiptInvalid(DriverError):
    """Receipt data that cannot be printed as given (missing field, negative amount, bad width)."""


class ReceiptDecodeError(DriverError):
    """Bytes that are not an ESC/POS receipt this package can read back."""


class PrinterUnavailable(DriverError):
    """The printer is missing, switched off or unreachable; the sale itself is already recorded."""


class PaperOut(DriverError):
    """The printer reports no paper; the sale itself is already recorded."""


class NothingToReprint(DriverError):
    """A reprint was asked for but no receipt has been printed from this state directory yet."""


class ModemError(DriverError):
    """The GSM modem answered with an error, or not the way a modem should."""


class ModemTimeout(ModemError):
    """The GSM modem did not answer in time (slow, hung or not connected)."""


class SmsRejected(ModemError):
    """The network or modem refused one SMS (``+CMS ERROR``); ``code`` is the modem's error number."""

    def __init__(self, en: str, id_: str, code: int | None = None) -> None:
        super().__init__(en, id_)
        self.code = code


class SmsInvalid(DriverError):
    """An SMS that cannot be sent as given (bad number, empty or too long text)."""


class QueueFull(DriverError):
    """The bounded SMS send queue is full; try again after it drains."""
