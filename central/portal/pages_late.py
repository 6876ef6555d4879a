"""The portal's late-transactions page (route ``late`` in ``central.portal.access.MATRIX``): what
``central late`` lists, for the manager, board and supervisors (``central.ledger.closed``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from starlette.responses import Response

from central.ledger import late
from central.portal.web import Req


def listing(req: Req) -> Response:
    """Every transaction dated in a closed year that arrived after the close, oldest first."""
    return req.render("late.html", rows=late.late(req.ledger))


PAGES: Final[dict[str, Callable[[Req], Response]]] = {"late": listing}
