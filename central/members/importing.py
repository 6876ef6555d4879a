"""Importing a members or products table into the store: every row checked by ``central.members.rows``
first, then all of them written or none. One function for ``python -m central import`` and the portal's
upload page, so both take exactly the same file the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Protocol

from central.members.rows import MemberRow, ProductRow, parse_members, parse_products
from central.members.tabular import Table

WHAT: Final = ("members", "products")


class Store(Protocol):
    """What the import needs of the ledger (``central.ledger.Ledger``)."""

    @property
    def config(self) -> Any: ...

    def import_members(self, rows: Sequence[MemberRow]) -> tuple[int, int]: ...

    def import_products(self, rows: Sequence[ProductRow]) -> tuple[int, int]: ...


def import_table(store: Store, what: str, table: Table) -> tuple[int, int]:
    """Import ``table`` as ``what`` (``members`` or ``products``); (added, updated).

    Raises ``ImportRowsError`` listing every bad row, and then nothing is written.
    """
    if what == "members":
        return store.import_members(parse_members(table))
    if what == "products":
        return store.import_products(parse_products(table, [u.code for u in store.config.units]))
    raise ValueError(f"what must be one of {', '.join(WHAT)}")
