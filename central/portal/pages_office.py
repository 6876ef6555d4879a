"""The portal's office pages (routes in ``central.portal.access.MATRIX``, for the manager and office staff):
members and products one at a time or by file, a new card, a portal login, revoking a device, closing a year.

Every write goes through the functions the command line uses: ``central.members.importing.import_table``
for a file, the import's parsers and ``Ledger.import_members`` / ``import_products`` for a form (a
one-row table read by the same rules),
``central.ledger.cards.reissue_card``, ``accounts.issue_login``, ``Ledger.devices_revoke`` and
``central.yearend.close_year``. None of them takes the caller's connection, so each write is audited in
the portal's log right after it succeeds. Bad input re-renders the form with 400 and nothing written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Final

from starlette.responses import RedirectResponse, Response

from central.errors import ImportRowsError, NotUtf8, TableFileError, UnknownMember
from central.ledger.cards import reissue_card
from central.members import rows as member_rows
from central.members.importing import WHAT, import_table
from central.members.tabular import Row, Table, table_from_bytes
from central.portal import accounts
from central.portal.errors import UnknownLogin
from central.portal.tables import ensure_tables
from central.portal.text import rp
from central.portal.web import Req, not_found
from central.yearend import close_year, closed_allocation, compute_year, estimate_shares, shu_data
from central.yearend.points import RuleError

# The members (or products) file of an import: the app's guard takes it as multipart/form-data on that
# route only, up to MAX_UPLOAD bytes (an office's file of some thousand rows), and leaves it in the scope.
MAX_UPLOAD: Final = 2 * 1024 * 1024
UPLOAD_SCOPE: Final = "kop.upload"  # scope key of the upload: (file name, bytes), or None
MEMBER_FIELDS: Final = (*member_rows.MEMBER_COLUMNS, "credit_limit_rp", "active")
PRODUCT_FIELDS: Final = member_rows.PRODUCT_COLUMNS
FORM_DELIMITER: Final = ";"  # a form reads numbers the Indonesian way (17.500), like a ';' CSV
CONFIRM: Final = "ya"  # the value of a ticked confirmation box
MAX_PROBLEMS: Final = 200  # bad rows listed on the import page
MAX_REASON: Final = 200
MAX_LISTED: Final = 300  # members listed in a year-end preview (the page stays small)
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 9999


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _today(req: Req) -> date:
    return datetime.now(req.ledger.config.tz).date()


def _audit(req: Req, action: str, target: str, detail: str = "") -> None:
    """A line in the portal's audit log, right after the write it records succeeded."""
    assert req.user is not None
    ensure_tables(req.ledger)
    with req.ledger.write() as conn:
        accounts.audit(conn, req.user.login, action, target, req.address, detail=detail, now=accounts.now_s())


def _field_error(req: Req, err: ImportRowsError, fields: tuple[str, ...]) -> tuple[str, str, str]:
    """(field, message, detail) of a one-row table's refusal: the import's rules name the column first."""
    message = err.problems[0][1] if err.problems else str(err)
    field = next((f for f in fields if message.startswith(f + " ")), "")
    if not field:
        return "", message, ""
    text = req.t("office_check_field", field=req.t(f"office_f_{field}"), hint=req.t(f"office_h_{field}"))
    return field, text, message


def _one_row(fields: tuple[str, ...], values: Mapping[str, str]) -> Table:
    """A form as a one-row table for the import's own parsers."""
    cells = {name: values.get(name, "").strip() for name in fields}
    return Table(fields, (Row(1, cells),), FORM_DELIMITER)


def _rp_text(value: Any) -> str:
    return "" if value is None else str(value)


# -- members -------------------------------------------------------------------------------------------


def _member_values(row: Mapping[str, Any]) -> dict[str, str]:
    values = {name: "" if row.get(name) is None else str(row[name]) for name in MEMBER_FIELDS}
    values["credit_limit_rp"] = _rp_text(row.get("credit_limit_rp"))
    values["active"] = CONFIRM if row.get("active", True) else "tidak"
    return values


def _member_page(req: Req, status: int, values: Mapping[str, str], **context: Any) -> Response:
    return req.render(
        "office_member.html",
        status,
        values=values,
        roles=member_rows.ROLES,
        login_days=accounts.ACTIVATION_DAYS,
        **context,
    )


def _save_member(req: Req, number: str, old: Mapping[str, Any] | None) -> Response:
    """Parse the form by the members import's rules and write it through ``Ledger.import_members``."""
    assert req.user is not None
    values = {name: req.form.get(name, "") for name in MEMBER_FIELDS}
    values["number"] = number
    context: dict[str, Any] = {"new": old is None, "number": number, "member": old}
    try:
        parsed = member_rows.parse_members(_one_row(MEMBER_FIELDS, values))
    except ImportRowsError as err:
        field, error, detail = _field_error(req, err, MEMBER_FIELDS)
        return _member_page(req, 400, values, error=error, detail=detail, field=field, **context)
    row = parsed[0]
    if old is None:
        try:
            req.ledger.member(row.number)
        except UnknownMember:
            pass
        else:
            error = req.t("office_member_exists", number=row.number)
            return _member_page(req, 400, values, error=error, field="number", **context)
    req.ledger.import_members(parsed)
    if old is None:
        _audit(req, "member_added", row.number, f"role {row.role}, active {row.active}")
    else:
        after = row._asdict()
        changed = [
            f"{k}: {old.get(k)} -> {after[k]}" for k in after if k != "number" and old.get(k) != after[k]
        ]
        _audit(req, "member_updated", row.number, "; ".join(changed) or "no change")
    req.request.session["flash"] = "office_saved"
    return _redirect(f"/members/{row.number}/edit")


def member_new(req: Req) -> Response:
    """GET: an empty member form; POST: add the member (a number that exists is refused)."""
    if req.request.method == "GET":
        values = dict.fromkeys(MEMBER_FIELDS, "")
        values.update(joined=_today(req).isoformat(), role="anggota", active=CONFIRM)
        return _member_page(req, 200, values, new=True, number="", member=None)
    return _save_member(req, req.form.get("number", "").strip(), None)


def _member_or_none(req: Req, number: str) -> dict[str, Any] | None:
    try:
        return req.ledger.member(number)
    except UnknownMember:
        return None


def member_edit(req: Req) -> Response:
    """GET: the member's form; POST: save it. Role and active status take effect at the next request."""
    number = str(req.request.path_params["number"])
    old = _member_or_none(req, number)
    if old is None:
        return not_found(req)
    if req.request.method == "GET":
        return _member_page(req, 200, _member_values(old), new=False, number=number, member=old)
    return _save_member(req, number, old)


def _confirmed(req: Req) -> bool:
    return req.form.get("confirm", "") == CONFIRM


def member_card(req: Req) -> Response:
    """POST with the box ticked: a new card code, as ``central members reissue-card`` makes it."""
    assert req.user is not None
    number = str(req.request.path_params["number"])
    old = _member_or_none(req, number)
    if old is None:
        return not_found(req)
    if not _confirmed(req):
        return _member_page(
            req, 400, _member_values(old), new=False, number=number, member=old,
            error=req.t("office_confirm_missing"), field="card",
        )  # fmt: skip
    done = reissue_card(req.ledger, number, by=req.user.login)
    _audit(req, "card_reissued", number, f"…{done.old_last4} -> …{done.card_code[-4:]}")
    return req.render("office_card.html", done=done)


def member_login(req: Req) -> Response:
    """POST with the box ticked: a one-time activation code (``accounts.issue_login``), shown once."""
    assert req.user is not None
    number = str(req.request.path_params["number"])
    old = _member_or_none(req, number)
    if old is None:
        return not_found(req)
    if not _confirmed(req):
        return _member_page(
            req, 400, _member_values(old), new=False, number=number, member=old,
            error=req.t("office_confirm_missing"), field="login",
        )  # fmt: skip
    try:
        issued = accounts.issue_login(req.ledger, req.portal.settings.hasher, number, by=req.user.login)
    except UnknownLogin:
        return not_found(req)
    # issue_login logs the issue or reset itself, without the address: this line adds where from.
    _audit(req, "login_issued_web", issued.login, f"expires {issued.expires_ts}")
    until = datetime.fromtimestamp(issued.expires_ts, req.ledger.config.tz).strftime("%Y-%m-%d %H:%M")
    return req.render(
        "office_login.html", issued=issued, member=old, until=until, url=req.portal.settings.public_url
    )


# -- import ----------------------------------------------------------------------------------------------


def _import_page(req: Req, status: int, **context: Any) -> Response:
    return req.render(
        "office_import.html",
        status,
        mb=MAX_UPLOAD // (1024 * 1024),
        member_columns=", ".join(MEMBER_FIELDS),
        product_columns=", ".join(PRODUCT_FIELDS),
        **context,
    )


def members_import(req: Req) -> Response:
    """GET: the upload form; POST: import the file all-or-nothing, as ``python -m central import`` does."""
    assert req.user is not None
    if req.request.method == "GET":
        return _import_page(req, 200, what="members")
    what = req.form.get("what", "")
    if what not in WHAT:
        return _import_page(req, 400, what="members", error=req.t("office_import_bad_what"))
    upload = req.request.scope.get(UPLOAD_SCOPE)
    if not upload or not upload[1]:
        return _import_page(req, 400, what=what, error=req.t("office_import_no_file"))
    name, data = upload
    name = name.replace("\\", "/").rsplit("/", 1)[-1][:100] or "upload.csv"
    try:
        table = table_from_bytes(data, name)
        added, updated = import_table(req.ledger, what, table)
    except NotUtf8 as err:
        error = req.t("office_import_not_utf8", name=name, byte=err.byte_hex, line=err.line)
        return _import_page(req, 400, what=what, error=error)
    except ImportRowsError as err:
        return _import_page(
            req, 400, what=what, error=req.t("office_import_bad_rows", count=len(err.problems)),
            problems=err.problems[:MAX_PROBLEMS], more=max(0, len(err.problems) - MAX_PROBLEMS),
        )  # fmt: skip
    except TableFileError as err:
        return _import_page(req, 400, what=what, error=req.t("office_import_unreadable", detail=str(err)))
    _audit(req, f"{what}_imported", name, f"added {added}, updated {updated}")
    label = req.t("office_import_members" if what == "members" else "office_import_products")
    done = req.t("office_import_done", what=label, added=added, updated=updated)
    return _import_page(req, 200, what=what, done=done, semicolon=table.decimal_comma)


# -- products -------------------------------------------------------------------------------------------


def _product_or_none(req: Req, sku: str) -> dict[str, Any] | None:
    return next((p for p in req.ledger.products() if p["sku"] == sku), None)


def _product_page(req: Req, status: int, values: Mapping[str, str], **context: Any) -> Response:
    units = [(u.code, u.name) for u in req.ledger.config.units]
    return req.render("office_product.html", status, values=values, units=units, **context)


def _save_product(req: Req, sku: str, old: Mapping[str, Any] | None) -> Response:
    """Parse the form by the products import's rules and write it through ``Ledger.import_products``."""
    values = {name: req.form.get(name, "") for name in PRODUCT_FIELDS}
    values["sku"] = sku
    context: dict[str, Any] = {"new": old is None, "sku": sku}
    units = [u.code for u in req.ledger.config.units]
    try:
        parsed = member_rows.parse_products(_one_row(PRODUCT_FIELDS, values), units)
    except ImportRowsError as err:
        field, error, detail = _field_error(req, err, PRODUCT_FIELDS)
        return _product_page(req, 400, values, error=error, detail=detail, field=field, **context)
    row = parsed[0]
    if old is None and _product_or_none(req, row.sku) is not None:
        error = req.t("office_product_exists", sku=row.sku)
        return _product_page(req, 400, values, error=error, field="sku", **context)
    req.ledger.import_products(parsed)
    if old is None:
        _audit(req, "product_added", row.sku, f"price {row.price_rp}, cost {row.cost_rp}")
    else:
        after = row._asdict()
        changed = [f"{k}: {old.get(k)} -> {after[k]}" for k in after if k != "sku" and old.get(k) != after[k]]
        _audit(req, "product_updated", row.sku, "; ".join(changed) or "no change")
    req.request.session["flash"] = "office_saved"
    return _redirect(f"/products/{row.sku}/edit")


def product_new(req: Req) -> Response:
    """GET: an empty product form; POST: add the product (a code that exists is refused)."""
    if req.request.method == "GET":
        values = dict.fromkeys(PRODUCT_FIELDS, "")
        return _product_page(req, 200, values, new=True, sku="")
    return _save_product(req, req.form.get("sku", "").strip(), None)


def product_edit(req: Req) -> Response:
    """GET: the product's form; POST: save it."""
    sku = str(req.request.path_params["sku"])
    old = _product_or_none(req, sku)
    if old is None:
        return not_found(req)
    if req.request.method == "GET":
        values = {name: _rp_text(old.get(name)) for name in PRODUCT_FIELDS}
        return _product_page(req, 200, values, new=False, sku=sku)
    return _save_product(req, sku, old)


# -- devices --------------------------------------------------------------------------------------------


def device_revoke(req: Req) -> Response:
    """GET: the device and a reason to give; POST: revoke it as ``central devices revoke`` does."""
    name = str(req.request.path_params["device"])
    device = next((d for d in req.ledger.devices_list() if d["device"] == name), None)
    if device is None:
        return not_found(req)
    tz = req.ledger.config.tz
    when = (
        datetime.fromtimestamp(int(device["revoked_ts"]), tz).strftime("%Y-%m-%d %H:%M")
        if device.get("revoked_ts")
        else ""
    )
    context: dict[str, Any] = {"device": device, "revoked_when": when}
    if req.request.method == "GET":
        return req.render("office_revoke.html", **context)
    if device.get("revoked_ts"):  # revoking again would move the first revocation's time
        return req.render("office_revoke.html", 400, **context)
    reason = " ".join(req.form.get("reason", "").split())
    if not reason or len(reason) > MAX_REASON:
        return req.render("office_revoke.html", 400, error=req.t("office_revoke_no_reason"), **context)
    req.ledger.devices_revoke(name, reason)
    _audit(req, "device_revoked", name, reason)
    return req.render("office_revoke.html", done=True, **context)


# -- year-end -------------------------------------------------------------------------------------------


def _year(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR else None


def _yearend_page(req: Req, year: int, status: int = 200, **context: Any) -> Response:
    """The year's state: closed (its stored allocation), running (the estimate), or ready to close (the
    allocation as ``report shu`` computes it) with the confirmation form."""
    today = _today(req)
    closed = closed_allocation(req.ledger, year)
    data: dict[str, Any] | None = None
    state = "closed"
    problem = ""
    when = ""
    try:
        if closed is not None:
            data = closed
            when = datetime.fromtimestamp(int(closed["closed"]["at"]), req.ledger.config.tz).strftime(
                "%Y-%m-%d %H:%M"
            )
        elif today <= date(year, 12, 31):
            state = "running"
            data = shu_data(estimate_shares(req.ledger, year, on=today))
        else:
            data = shu_data(compute_year(req.ledger, year, estimate=False, strict=False))
            state = "ready" if data["method"] is not None else "nothing"
    except RuleError as err:
        state, problem = "problem", err.message(req.lang)
    members = (data or {}).get("members", [])
    return req.render(
        "office_yearend.html",
        status,
        year=year,
        state=state,
        data=data,
        problem=problem,
        when=when,
        members=members[:MAX_LISTED],
        more=max(0, len(members) - MAX_LISTED),
        next_day=date(year + 1, 1, 1).isoformat() if year < LAST_YEAR else "",
        **context,
    )


def yearend(req: Req) -> Response:
    """GET: which year can be closed and its allocation; POST: close it, the year typed again to confirm."""
    assert req.user is not None
    last = _today(req).year - 1
    if req.request.method == "GET":
        return _yearend_page(req, _year(req.query("year")) or last)
    year = _year(req.form.get("year", ""))
    if year is None:
        return _yearend_page(req, last, 400, error=req.t("office_yearend_bad_year"))
    if req.form.get("confirm", "").strip() != str(year):
        return _yearend_page(req, year, 400, error=req.t("office_yearend_mismatch", year=year))
    if _today(req) <= date(year, 12, 31):  # close_year refuses it too; this says so without the CLI's words
        return _yearend_page(req, year, 400, error=req.t("office_yearend_not_over", year=year))
    try:
        result = close_year(req.ledger, year, by=req.user.login)
    except RuleError as err:
        reason = req.t("office_yearend_refused", reason=err.message(req.lang))
        return _yearend_page(req, year, 400, error=reason)
    data = shu_data(result)
    _audit(req, "year_closed", str(year), f"shu {data['shu_rp']}")
    members = sum(1 for m in data["members"] if m["shu_rp"])
    done = req.t(
        "office_yearend_done",
        year=year,
        shu=rp(data["shu_rp"], req.lang),
        members=members,
        members_rp=rp(data["totals"]["members_rp"], req.lang),
    )
    return _yearend_page(req, year, 200, done=done)


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "member_new": member_new,
    "members_import": members_import,
    "member_edit": member_edit,
    "member_card": member_card,
    "member_login": member_login,
    "product_new": product_new,
    "product_edit": product_edit,
    "device_revoke": device_revoke,
    "yearend": yearend,
}
