"""The portal's daily-deposit pages (routes in ``central.portal.access.MATRIX``): the hand-ins of a day
reconciled with the ledger, the shifts without a hand-in, and the treasurer's confirmation of the cash
received, which goes through ``central.handins`` as ``central handins confirm`` does (once per hand-in; a
refusal comes back as the domain's bilingual reason)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Final

from starlette.responses import RedirectResponse, Response

from central.branches import scope
from central.handins import store
from central.office import identity
from central.office.errors import OfficeError
from central.portal import accounts
from central.portal.pages import _today
from central.portal.pages_branches import branch_choice, branch_label
from central.portal.tables import ensure_tables
from central.portal.web import Req

log = logging.getLogger("central.portal")
MAX_AMOUNT_DIGITS: Final = 11


def _day(req: Req) -> date:
    today = _today(req)
    try:
        return min(date.fromisoformat(req.query("day")), today) if req.query("day") else today
    except ValueError:
        return today


def _refused(req: Req, message: str, status: int = 400) -> Response:
    return req.render("message.html", status, title=req.t("hi_title"), message=message)


def listing(req: Req) -> Response:
    """The hand-ins of ``?day=`` (default today) beside the ledger's figures, and the missing shifts; of
    the devices of ``?branch=`` only when one is chosen (all branches otherwise)."""
    day = _day(req)
    known = scope.load(req.ledger)
    branch = branch_choice(req, known)
    rows = store.reconcile(req.ledger, day, branch=branch)
    received = {h.id: h for h in store.handins(req.ledger, day=day, branch=branch, branches=known)}
    missing = store.missing(req.ledger, day)
    if branch is not None:  # the missing shifts of the branch's devices only
        mine = set(known.devices(branch))
        missing = [m for m in missing if m.device in mine]
    return req.render(
        "handins.html",
        day=day.isoformat(),
        rows=rows,
        received=received,
        missing=missing,
        branches=[(b, branch_label(req, b)) for b in known.names()],
        branch=branch or "",
    )


def confirm(req: Req) -> Response:
    """The treasurer confirms a hand-in with the cash received; the difference is booked once."""
    assert req.user is not None
    tx = req.form.get("id", "").strip()
    amount = req.form.get("received_rp", "").strip()
    if not tx or not amount.isdigit() or len(amount) > MAX_AMOUNT_DIGITS:
        return _refused(req, req.t("hi_bad_amount"))
    try:
        handin = store.get(req.ledger, tx)
        office = None
        try:
            office = identity.load(
                req.ledger,
                identity.key_path(req.ledger.target, getattr(req.portal.settings, "office_key", None)),
            )
        except OfficeError as err:  # needed only when something differs: confirm says so then
            log.warning("portal: a hand-in cannot be posted: %s", err.text("en"))
        store.confirm(req.ledger, office, handin.id, int(amount), by=req.user.login)
    except store.HandinError as err:
        return _refused(req, err.text(req.lang))
    ensure_tables(req.ledger)
    with req.ledger.write() as conn:
        accounts.audit(
            conn, req.user.login, "handin_confirm", tx, req.address, detail=amount, now=accounts.now_s()
        )
    req.request.session["flash"] = "hi_confirmed_flash"
    return RedirectResponse(f"/handins?day={handin.day}", 303)


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "handins": listing,
    "handin_confirm": confirm,
}
