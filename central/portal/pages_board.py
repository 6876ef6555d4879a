"""The portal's board pages (routes in ``central.portal.access.MATRIX``): the board's phone view of the day
and the month, and the lists behind it for the board, the supervisors, the manager and the office:
members, quarantine (a row with its body and actions), device chains, devices, products (the disputes:
``central.portal.pages_disputes``).

Read only, through the books' and the ledger's own functions (``central.books.board``, ``reports``,
``central.ledger.quarantine``, ``Ledger.members`` / ``products``): the figures are the command line's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final, TypeVar

from starlette.responses import Response

from central.books import board as bd
from central.books import reports
from central.handins import store as handins
from central.ledger import quarantine as qu
from central.ledger.schema import QUARANTINE_STATES
from central.messages import label
from central.office import identity
from central.portal import access
from central.portal.pages import MAX_PAGE, _day, _today
from central.portal.web import Req, not_found

MEMBERS_PAGE: Final = 50
QUARANTINE_PAGE: Final = 100
PRODUCTS_PAGE: Final = 200
LATE_LISTED: Final = 10  # members in arrears named on the board's page (the rest: the aging list)
SILENT_LISTED: Final = 10
MAX_QID_DIGITS: Final = 12
ALL: Final = "all"

T = TypeVar("T")


def _int(text: str, default: int, lo: int, hi: int) -> int:
    """``text`` as a whole number in lo..hi, else ``default`` (ASCII digits only: "²" is a digit to
    ``str.isdigit`` but not to ``int``)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(hi)):
        return default
    return int(text) if lo <= int(text) <= hi else default


def _when(req: Req, ts: int | None) -> str:
    """A Unix time as a local ``YYYY-MM-DD HH:MM`` ("-" when there is none)."""
    if ts is None:
        return "-"
    return datetime.fromtimestamp(int(ts), req.ledger.config.tz).strftime("%Y-%m-%d %H:%M")


def _page(req: Req, items: Sequence[T], size: int) -> tuple[Sequence[T], int, int]:
    """The ``?page=`` slice of ``items``: (rows, page, pages); a page past the end shows the last."""
    pages = max(1, -(-len(items) // size))
    page = min(_int(req.query("page"), 1, 1, MAX_PAGE), pages)
    return items[(page - 1) * size : page * size], page, pages


def _office(req: Req) -> str | None:
    return identity.office_device(req.ledger)


# -- /board ---------------------------------------------------------------------------------------------


def board(req: Req) -> Response:
    """Today and this month at a glance, each figure a link to the list behind it (``?on=`` another day)."""
    today = _today(req)
    asked = req.query("on")
    on = _day(asked) if asked else today
    bad = on is None
    on = on or today
    office = _office(req)
    glance = bd.glance(
        req.ledger, on, int(time.time()), skip_devices=frozenset({office} if office else set())
    )
    before = on - timedelta(days=1) if on > date.min else on  # a hand-in is due by the next day's end
    return req.render(
        "board_home.html",
        handins_day=before.isoformat(),
        handins_missing=len(handins.missing(req.ledger, before)),
        g=glance,
        today=today,
        bad=bad,
        late=glance.late[:LATE_LISTED],
        silent=glance.silent[:SILENT_LISTED],
        when=lambda ts: _when(req, ts),
    )


# -- /members -------------------------------------------------------------------------------------------


def _matches(q: str, *values: str) -> bool:
    needle = q.casefold()
    return any(needle in value.casefold() for value in values)


def members(req: Req) -> Response:
    """Members with their role, whether active, store credit used and limit; ``?q=`` number or name."""
    assert req.user is not None
    q = " ".join(req.query("q").split())[:60]
    everyone = req.ledger.members()
    found = [m for m in everyone if _matches(q, m["number"], m["name"])] if q else everyone
    rows, page, pages = _page(req, found, MEMBERS_PAGE)
    return req.render(
        "board_members.html",
        q=q,
        rows=rows,
        found=len(found),
        total=len(everyone),
        page=page,
        pages=pages,
        may_edit=access.allowed(access.RULES["member_edit"], req.user),
    )


# -- /quarantine ------------------------------------------------------------------------------------------


def quarantine(req: Req) -> Response:
    """Quarantine rows, newest first, by state (``?state=open`` by default; ``all`` for every row)."""
    asked = req.query("state")
    state = asked or "open"
    bad = state not in (*QUARANTINE_STATES, ALL)
    if bad:
        state = ALL
    entries = qu.list_entries(req.ledger, None if state == ALL else state)
    rows, page, pages = _page(req, entries, QUARANTINE_PAGE)
    return req.render(
        "board_quarantine.html",
        state=state,
        states=(*QUARANTINE_STATES, ALL),
        counts=qu.counts(req.ledger),
        bad=bad,
        rows=rows,
        found=len(entries),
        page=page,
        pages=pages,
        when=lambda ts: _when(req, ts),
    )


def quarantine_item(req: Req) -> Response:
    """One quarantine row: reason, device, seq, state, chain position, the office's actions and the body."""
    item = str(req.request.path_params.get("item", ""))
    if not (item.isascii() and item.isdigit()) or len(item) > MAX_QID_DIGITS:
        return not_found(req)
    try:
        entry = qu.show(req.ledger, int(item))
    except qu.UnknownQuarantineRow:
        return not_found(req)
    return req.render("board_quarantine_item.html", e=entry, when=lambda ts: _when(req, ts))


# -- /chains ---------------------------------------------------------------------------------------------


def chains(req: Req) -> Response:
    """Per device the chain report, as ``python -m central report chains`` prints it."""
    section = reports.chains(req.ledger, req.lang)[0]
    return req.render("board_chains.html", section=section, label=label)


# -- /devices ---------------------------------------------------------------------------------------------


def devices(req: Req) -> Response:
    """The fleet: unit, branch, added, revoked, last transaction and last heard, contiguous seq."""
    assert req.user is not None
    now = int(time.time())
    fleet = bd.fleet(req.ledger)
    return req.render(
        "board_devices.html",
        rows=fleet,
        now=now,
        office=_office(req),
        may_revoke=access.allowed(access.RULES["device_revoke"], req.user),
        when=lambda ts: _when(req, ts),
    )


# -- /products --------------------------------------------------------------------------------------------


def products(req: Req) -> Response:
    """The catalog per unit: sku, name, price, cost; ``?unit=`` one unit, ``?q=`` sku or name."""
    assert req.user is not None
    units = [u.code for u in req.ledger.config.units]
    unit = req.query("unit")
    if unit not in units:
        unit = ""
    q = " ".join(req.query("q").split())[:60]
    catalog = req.ledger.products()
    order = {code: n for n, code in enumerate(units)}
    found = sorted(
        (
            p
            for p in catalog
            if (not unit or p["unit"] == unit) and (not q or _matches(q, p["sku"], p["name"]))
        ),
        key=lambda p: (order.get(p["unit"], len(order)), p["unit"], p["name"], p["sku"]),
    )
    rows, page, pages = _page(req, found, PRODUCTS_PAGE)
    groups: dict[str, list[dict[str, Any]]] = {}
    for p in rows:
        groups.setdefault(p["unit"], []).append(p)
    return req.render(
        "board_products.html",
        units=req.ledger.config.units,
        unit=unit,
        q=q,
        groups=groups,
        found=len(found),
        total=len(catalog),
        page=page,
        pages=pages,
        may_edit=access.allowed(access.RULES["product_edit"], req.user),
    )


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "board": board,
    "members": members,
    "quarantine": quarantine,
    "quarantine_item": quarantine_item,
    "chains": chains,
    "devices": devices,
    "products": products,
}

__all__ = ["PAGES"]
