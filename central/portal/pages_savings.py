"""The portal's savings pages (routes in ``central.portal.access.MATRIX``): a member's own savings with
their term deposits, maturities and certificates, and for the board and office a leaving member's
settlement statement (on screen and as a PDF).

Read through ``central.savings`` and ``central.office.leaving``, as ``central savings`` and ``central
deposits`` read; no SQL here. A certificate that is not the reader's own gets the same 404 as one that
does not exist, unless the reader's role sees every member.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from starlette.responses import Response

from central.errors import CentralError, UnknownMember
from central.office import leaving
from central.portal import access, downloads, savings_print
from central.portal.pages import _redirect, _today
from central.portal.web import Req, not_found
from central.savings import deposits

log = logging.getLogger("central.portal")


def savings(req: Req) -> Response:
    """The member's own savings balances and term deposits."""
    assert req.user is not None
    number = req.user.member
    if number is None:
        return req.render("message.html", title=req.t("nav_savings"), message=req.t("sv_staff"))
    balances = {k: v for k, v in leaving.savings_balances(req.ledger, number).items() if v}
    placements = deposits.listing(req.ledger, member=number)
    return req.render(
        "savings.html",
        balances=balances,
        placements=sorted(placements, key=lambda p: (p.state != "open", -p.id)),
    )


def certificate(req: Req) -> Response:
    """A term deposit's certificate (bilyet) as a PDF: the member's own, or any for the roles that see
    every member. Without a number: back to the savings page."""
    assert req.user is not None
    asked = req.query("placement")
    if not asked:
        return _redirect("/savings")
    ident = deposits.parse_code(asked)
    found = deposits.listing(req.ledger, ident=ident) if ident is not None else []
    if not found or not access.sees_member(req.user, found[0].member):
        return not_found(req)
    return downloads.respond(req, savings_print.certificate_doc(req.ledger, found[0], req.lang), "pdf")


def member_leaving(req: Req) -> Response:
    """A member's settlement statement as of today, were they to leave (``?format=pdf`` to print it)."""
    assert req.user is not None
    number = str(req.request.path_params["number"])
    try:
        settlement = leaving.statement(req.ledger, number, _today(req))
    except UnknownMember:
        return not_found(req)
    except CentralError as err:
        log.warning("portal: settlement of %s: %s", number, err)
        return req.render("message.html", 400, title=req.t("lv_title"), message=str(err))
    if downloads.wanted(req) == "pdf":
        return downloads.respond(req, savings_print.settlement_doc(settlement, req.lang), "pdf")
    return req.render("savings_leaving.html", s=settlement)


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "savings": savings,
    "savings_certificate": certificate,
    "member_leaving": member_leaving,
}
