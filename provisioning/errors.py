"""Failures of provisioning, one small class each, every one with a message in Indonesian and English.

The CLI prints ``err.text(lang)`` and exits non-zero; nothing here ever carries a key or a passphrase.
"""

from __future__ import annotations


class ProvisioningError(Exception):
    """Base class: a failure an operator can read and act on."""

    def __init__(self, id_text: str, en_text: str) -> None:
        super().__init__(en_text)
        self.id_text = id_text
        self.en_text = en_text

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``id`` or ``en``)."""
        return self.en_text if lang == "en" else self.id_text


class CaExists(ProvisioningError):
    """`ca init` would overwrite an existing CA."""


class CaMissing(ProvisioningError):
    """No CA in the given directory (run `ca init` first)."""


class CaInsideRepository(ProvisioningError):
    """The CA directory is inside a source repository, where its key could be committed."""


class NoPassphrase(ProvisioningError):
    """No CA passphrase given and no terminal to ask on."""


class WeakPassphrase(ProvisioningError):
    """The new CA passphrase is too short."""


class WrongPassphrase(ProvisioningError):
    """The passphrase does not open the CA key."""


class InvalidName(ProvisioningError):
    """A device, unit, branch or cooperative id that is not a valid code."""


class DeviceExists(ProvisioningError):
    """The device id is already enrolled (revoke it first, or pick another id)."""


class UnknownDevice(ProvisioningError):
    """The device id was never enrolled."""


class AlreadyRevoked(ProvisioningError):
    """The device was revoked before."""


class OutputExists(ProvisioningError):
    """The output path exists and would be overwritten."""


class BundleTampered(ProvisioningError):
    """A bundle whose files do not match its CA-signed manifest."""


class TokenMismatch(ProvisioningError):
    """The enrollment token (QR code) does not belong to this bundle, or has expired."""


class CardsInputError(ProvisioningError):
    """The members CSV cannot be turned into cards (missing column, missing or malformed card code)."""


class ServiceFailed(ProvisioningError):
    """A supervised service could not be started."""


class CentralUnavailable(ProvisioningError):
    """Central's device registry could not be updated."""
