"""Stock counts by branch: a count belongs to the branch of the devices that sent its lines (the lowest
device id when devices of several branches counted); a count typed only at the office is the office's
(``central.branches.scope.OFFICE_BRANCH``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, true

from central.branches.scope import OFFICE_BRANCH, Branches, in_branch
from central.stock.tables import stock_count_device_lines


def count_device(count_id: Any) -> Any:
    """The device a stock count is attributed to (SQL, per ``count_id``): the lowest device id among those
    that sent its lines; NULL for a count typed only at the office (the office's, ``OFFICE_BRANCH``)."""
    dl = stock_count_device_lines
    return select(func.min(dl.c.device)).where(dl.c.count == count_id).scalar_subquery()


def count_in_branch(count_id: Any, branches: Branches, branch: str | None) -> ColumnElement[bool]:
    """The SQL condition "the stock count ``count_id`` belongs to ``branch``" (by ``count_device``)."""
    if branch is None:
        return true()
    device = count_device(count_id)
    inside = in_branch(device, branches, branch)
    return or_(inside, device.is_(None)) if branch == OFFICE_BRANCH else inside
