"""The portal's stock pages (routes in ``central.portal.access.MATRIX``): stock on hand, the reorder list,
slow movers and items sold below cost per unit as of a day, stock counts (start, lines typed while the shop
sells, close, approve or reject, cancel) and the shrinkage report, each report also as CSV and PDF.

Every step goes through ``central.stock`` as ``central stock ...`` does; a refusal comes back as the
domain's own bilingual reason. A write needs its count's number typed back (``confirm``) where it changes a
count's state, so an empty or replayed form changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final

from starlette.responses import RedirectResponse, Response

from central.branches import scope
from central.office import identity
from central.office.errors import OfficeError
from central.portal import accounts, downloads, stock_print
from central.portal.pages import _today
from central.portal.pages_branches import branch_choice, branch_label
from central.portal.tables import ensure_tables
from central.portal.web import Req, not_found
from central.stock import counts, prices, reports, shiftloss, shrinkage
from central.stock.errors import StockError, UnknownCount

log = logging.getLogger("central.portal")
MAX_LISTED: Final = 200
REPORT_OF: Final = {
    "stock": "onhand",
    "stock_reorder": "reorder",
    "stock_slow": "slow",
    "stock_below_cost": "below-cost",
}


def _audit(req: Req, action: str, target: str, detail: str) -> None:
    assert req.user is not None
    ensure_tables(req.ledger)
    with req.ledger.write() as conn:
        accounts.audit(conn, req.user.login, action, target, req.address, detail=detail, now=accounts.now_s())


def _unit(req: Req) -> str | None:
    asked = req.query("unit")
    found = req.ledger.config.unit(asked) if asked else None
    return found.code if found is not None and found.accounts is not None else None


def _on(req: Req) -> date:
    today = _today(req)
    try:
        return min(date.fromisoformat(req.query("on")), today) if req.query("on") else today
    except ValueError:
        return today


def _selling(req: Req) -> list[Any]:
    return [u for u in req.ledger.config.units if u.accounts is not None]


def report(req: Req) -> Response:
    """One of the stock reports (which: the route), for a unit or all, as of ``?on=``; CSV and PDF."""
    name = REPORT_OF[req.rule.name]
    unit, on = _unit(req), _on(req)
    table = reports.REPORTS[name](req.ledger, on, unit)
    fmt = downloads.wanted(req)
    if fmt is not None:
        return downloads.respond(req, stock_print.table_doc(table, req.lang), fmt)
    policy = req.ledger.config.stock
    return req.render(
        "stock.html",
        table=table,
        report_name=table.name,
        labels=[stock_print.label(c, req.lang) for c in table.columns],
        money=[c in stock_print.MONEY for c in table.columns],
        units=_selling(req),
        unit=unit or "",
        on=on.isoformat(),
        downloads=downloads.links(unit=unit or "", on=on.isoformat()),
        policy=policy,
    )


def shrinkage_page(req: Req) -> Response:
    """The shrinkage of the counts posted in a period (default: this month), per unit and item."""
    today = _today(req)
    try:
        end = date.fromisoformat(req.query("to")) if req.query("to") else today
        start = date.fromisoformat(req.query("from")) if req.query("from") else end.replace(day=1)
    except ValueError:
        end, start = today, today.replace(day=1)
    start = min(start, end)
    unit = _unit(req)
    known = scope.load(req.ledger)
    branch = branch_choice(req, known)
    found = shrinkage.report(req.ledger, start.isoformat(), end.isoformat(), unit, branch)
    fmt = downloads.wanted(req)
    if fmt is not None:
        return downloads.respond(req, stock_print.shrinkage_doc(found, req.lang), fmt)
    return req.render(
        "stock_shrinkage.html",
        report=found,
        unit_labels=[stock_print.label(c, req.lang) for c in shrinkage.UNIT_COLUMNS],
        item_labels=[stock_print.label(c, req.lang) for c in shrinkage.ITEM_COLUMNS],
        unit_money=[c in stock_print.MONEY for c in shrinkage.UNIT_COLUMNS],
        item_money=[c in stock_print.MONEY for c in shrinkage.ITEM_COLUMNS],
        shift_labels=[stock_print.label(c, req.lang) for c in shiftloss.SHIFT_COLUMNS],
        shift_money=[c in stock_print.MONEY for c in shiftloss.SHIFT_COLUMNS],
        units=_selling(req),
        unit=unit or "",
        start=start.isoformat(),
        end=end.isoformat(),
        downloads=downloads.links(
            unit=unit or "", branch=branch or "", **{"from": start.isoformat(), "to": end.isoformat()}
        ),
        branches=[(b, branch_label(req, b)) for b in known.names()],
        branch=branch or "",
    )


def _when(req: Req, ts: int | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, req.ledger.config.tz).strftime("%Y-%m-%d %H:%M")


def count_list(req: Req) -> Response:
    """The counts, newest first, and the form to start one."""
    found = counts.listing(req.ledger, unit=_unit(req))[:MAX_LISTED]
    return req.render("stock_counts.html", found=found, units=_selling(req), when=lambda ts: _when(req, ts))


def _refused(req: Req, message: str, status: int = 400) -> Response:
    return req.render("message.html", status, title=req.t("ct_title"), message=message)


def count_start(req: Req) -> Response:
    """Start a count of a unit (every item, or a section)."""
    assert req.user is not None
    unit = req.form.get("unit", "")
    if not unit:
        return _refused(req, req.t("ct_pick_unit"))
    try:
        made = counts.start(req.ledger, unit, by=req.user.login, section=req.form.get("section"))
    except StockError as err:
        return _refused(req, err.text(req.lang))
    _audit(req, "stock_count_start", str(made.id), f"{made.unit} {made.section or '*'}")
    req.request.session["flash"] = "ct_started_flash"
    return RedirectResponse(f"/stock/counts/{made.id}", 303)


def _count(req: Req) -> counts.Count | None:
    try:
        return counts.get(req.ledger, int(str(req.request.path_params["count"])))
    except (UnknownCount, ValueError):
        return None


def count_page(req: Req) -> Response:
    """A count with its lines (and the forms its state allows); ``?format=csv|pdf`` for its sheet."""
    assert req.user is not None
    count = _count(req)
    if count is None:
        return not_found(req)
    fmt = downloads.wanted(req)
    if fmt is not None:
        return downloads.respond(req, stock_print.count_doc(count, req.lang, req.ledger.config.tz), fmt)
    return req.render(
        "stock_count.html",
        count=count,
        rows=stock_print.count_rows(count),
        labels=[stock_print.label(c, req.lang) for c in stock_print.COUNT_COLUMNS],
        money=[c in stock_print.MONEY for c in stock_print.COUNT_COLUMNS],
        trail=counts.events(req.ledger, count.id),
        device_lines=counts.device_lines(req.ledger, count.id),
        when=lambda ts: _when(req, ts),
        approver=req.user.role in req.ledger.config.stock.approvers,
        downloads=downloads.links(),
    )


def _step(req: Req, action: str, step: Callable[[counts.Count], Any], flash: str) -> Response:
    assert req.user is not None
    count = _count(req)
    if count is None:
        return not_found(req)
    if action != "line" and req.form.get("confirm") != str(count.id):
        return _refused(req, req.t("ct_confirm_needed", id=count.id))
    try:
        step(count)
    except (StockError, OfficeError) as err:
        return _refused(req, err.text(req.lang))
    _audit(req, f"stock_count_{action}", str(count.id), req.form.get("sku", "") or req.form.get("reason", ""))
    req.request.session["flash"] = flash
    return RedirectResponse(f"/stock/counts/{count.id}", 303)


def count_line(req: Req) -> Response:
    """A counted line typed in (sku and quantity)."""
    assert req.user is not None
    by = req.user.login
    sku, qty = req.form.get("sku", "").strip(), req.form.get("qty", "").strip()
    if not sku or not qty:
        count = _count(req)
        return not_found(req) if count is None else _refused(req, req.t("ct_enter"))
    return _step(req, "line", lambda c: counts.enter(req.ledger, c.id, sku, qty, by=by), "ct_line_flash")


def count_close(req: Req) -> Response:
    """Close an open count: expected per line at its moment, differences valued."""
    assert req.user is not None
    by = req.user.login
    return _step(req, "close", lambda c: counts.close(req.ledger, c.id, by=by), "ct_closed_flash")


def count_cancel(req: Req) -> Response:
    """Cancel an open count (with a reason)."""
    assert req.user is not None
    by, reason = req.user.login, req.form.get("reason", "")
    return _step(
        req, "cancel", lambda c: counts.cancel(req.ledger, c.id, by=by, reason=reason), "ct_cancelled_flash"
    )


def count_decide(req: Req) -> Response:
    """Approve (post the shrinkage on the office chain) or reject (with a reason) a closed count."""
    assert req.user is not None
    user = req.user
    if req.form.get("decision") == "reject":
        reason = req.form.get("reason", "")
        return _step(
            req,
            "reject",
            lambda c: counts.reject(req.ledger, c.id, by=user.login, role=user.role, reason=reason),
            "ct_rejected_flash",
        )

    def approve(c: counts.Count) -> counts.Count:
        office = None
        if c.loss_rp or c.surplus_rp:
            key = getattr(req.portal.settings, "office_key", None)
            try:
                office = identity.load(req.ledger, identity.key_path(req.ledger.target, key))
            except OfficeError as err:
                log.warning("portal: a stock count cannot be posted: %s", err.text("en"))
                raise StockError(
                    f"{err.text('en')} ({req.t('ct_office_missing')})", req.t("ct_office_missing")
                ) from err
        return counts.approve(req.ledger, office, c.id, by=user.login, role=user.role)

    return _step(req, "approve", approve, "ct_approved_flash")


def price_list(req: Req) -> Response:
    """The price changes, latest day first, and for the office the form of a new one."""
    today = _today(req)
    prices.apply_due(req.ledger, today)
    return req.render(
        "stock_prices.html",
        found=prices.listing(req.ledger, unit=_unit(req), limit=MAX_LISTED),
        today=today.isoformat(),
        when=lambda ts: _when(req, ts),
    )


def price_set(req: Req) -> Response:
    """A new price of an item from a day (today or later)."""
    assert req.user is not None
    text = req.form.get("price", "").replace(".", "").replace(",", "").strip()
    if not text.isdigit():
        return _refused(req, req.t("pr_bad_price"))
    today = _today(req)
    try:
        day = date.fromisoformat(req.form.get("from", "").strip() or today.isoformat())
    except ValueError:
        return _refused(req, req.t("pr_bad_day"))
    try:
        done = prices.change(
            req.ledger,
            req.form.get("sku", ""),
            int(text),
            from_day=day,
            today=today,
            by=req.user.login,
            note=req.form.get("note"),
        )
    except StockError as err:
        return _refused(req, err.text(req.lang))
    _audit(
        req, "stock_price_set", str(done.id), f"{done.sku} {done.old_rp} -> {done.price_rp} {done.from_day}"
    )
    req.request.session["flash"] = "pr_saved_flash"
    return RedirectResponse("/stock/prices", 303)


def price_cancel(req: Req) -> Response:
    """Cancel a price change still waiting for its day."""
    assert req.user is not None
    try:
        change_id = int(str(req.request.path_params["change"]))
        done = prices.cancel(req.ledger, change_id, by=req.user.login)
    except ValueError:
        return not_found(req)
    except StockError as err:
        return _refused(req, err.text(req.lang))
    _audit(req, "stock_price_cancel", str(done.id), done.sku)
    req.request.session["flash"] = "pr_cancelled_flash"
    return RedirectResponse("/stock/prices", 303)


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "stock": report,
    "stock_reorder": report,
    "stock_slow": report,
    "stock_below_cost": report,
    "stock_shrinkage": shrinkage_page,
    "stock_counts": count_list,
    "stock_count_start": count_start,
    "stock_count": count_page,
    "stock_count_line": count_line,
    "stock_count_close": count_close,
    "stock_count_cancel": count_cancel,
    "stock_count_decide": count_decide,
    "stock_prices": price_list,
    "stock_price_set": price_set,
    "stock_price_cancel": price_cancel,
}
