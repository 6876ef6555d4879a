"""The branch dimension, read through the device that recorded each transaction.

A branch exists as a device's ``branch`` (``central devices add --branch``). A transaction belongs to the
branch of its ``device``; entries on the office's own chain (loans paid out, expenses, hand-in differences,
count adjustments signed by the office) belong to the central office, shown as ``OFFICE_BRANCH`` ("pusat",
kantor pusat) whatever branch the office device was registered under.

A stock count (``central.stock.counts``) is attributed through ``count_device``: the devices that sent its
lines, or the office when it was typed at the office only.

Every report filters the same way: ``Branches.devices(branch)`` gives the device ids of a branch and
``in_branch`` turns them into one SQL ``device IN (...)`` condition, so no report walks rows in Python to
decide where they belong. ``Branches`` itself is plain data; only ``load`` reads the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import ColumnElement, false, true

from central.office import identity

if TYPE_CHECKING:
    from central.ledger import Ledger

OFFICE_BRANCH: Final = identity.DEFAULT_BRANCH  # "pusat": the central office (kantor pusat)


@dataclass(frozen=True)
class Branches:
    """Every registered device (revoked ones too: their transactions stay in their branch) with its branch."""

    pairs: tuple[tuple[str, str], ...]  # (device, branch), by device
    office: str | None = None  # the office's device id, when the office is set up

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]], office: str | None = None) -> Branches:
        """From device rows (``device``, ``branch``); the office device is put in ``OFFICE_BRANCH``."""
        pairs = sorted(
            (str(r["device"]), OFFICE_BRANCH if str(r["device"]) == office else str(r["branch"]))
            for r in rows
        )
        return cls(tuple(pairs), office)

    def of(self, device: str) -> str:
        """The branch of a transaction recorded by ``device`` (an unknown device: the office's)."""
        for name, branch in self.pairs:
            if name == device:
                return branch
        return OFFICE_BRANCH

    def names(self) -> tuple[str, ...]:
        """The branches, sorted, the central office last (it consolidates the others)."""
        found = {branch for _, branch in self.pairs}
        return tuple(sorted(found - {OFFICE_BRANCH})) + ((OFFICE_BRANCH,) if OFFICE_BRANCH in found else ())

    def devices(self, branch: str) -> tuple[str, ...]:
        """The device ids of ``branch``, sorted (empty for a branch nobody registered)."""
        return tuple(device for device, name in self.pairs if name == branch)

    def known(self, branch: str) -> bool:
        return branch in self.names()


def load(ledger: Ledger) -> Branches:
    """The ledger's devices and their branches."""
    return Branches.from_rows(ledger.devices_list(), identity.office_device(ledger))


def in_branch(column: Any, branches: Branches, branch: str | None) -> ColumnElement[bool]:
    """The SQL condition "``column`` (a device id column) is a device of ``branch``"; None: every branch."""
    if branch is None:
        return true()
    devices = branches.devices(branch)
    return column.in_(devices) if devices else false()
