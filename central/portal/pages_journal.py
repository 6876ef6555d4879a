"""The portal's general-journal pages (routes in ``central.portal.access.MATRIX``): the entries with their
state, the draft form (a phone's: one line under the other, a button for one more line, the receipt's
photo from the camera), an entry with its lines, receipt thumbnails linking to the full photo, its history,
and the checker's approve or reject. Every step goes through ``central.journal.store`` as
``central journal ...`` does (maker-checker there), and lands in the portal's audit log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any, Final

from starlette.responses import RedirectResponse, Response

from central import images
from central.journal import rules, store
from central.journal.rules import JournalError, Line
from central.office import identity
from central.office.errors import OfficeError
from central.portal import accounts
from central.portal.pages import _today
from central.portal.pages_office import UPLOAD_SCOPE
from central.portal.tables import ensure_tables
from central.portal.web import Req, not_found

log = logging.getLogger("central.portal")
FORM_LINES: Final = 5  # the form's most lines: a request carries at most 30 fields (settings.MAX_FIELDS)
FIRST_LINES: Final = 2  # a debit and a credit: what most entries are
PHOTO_CACHE: Final = "private, max-age=86400"  # a kept photo never changes


def _audit(req: Req, action: str, target: str, detail: str = "") -> None:
    assert req.user is not None
    ensure_tables(req.ledger)
    with req.ledger.write() as conn:
        accounts.audit(conn, req.user.login, action, target, req.address, detail=detail, now=accounts.now_s())


def _entry_id(req: Req) -> int | None:
    text = str(req.request.path_params.get("entry", ""))
    return int(text) if text.isdigit() and len(text) < 10 else None


def _chart(req: Req) -> list[tuple[str, str]]:
    return sorted((a.code, a.name) for a in req.ledger.config.chart)


def _blank(n: int) -> list[dict[str, str]]:
    return [{"account": "", "side": "D" if i == 0 else "K", "amount": "", "memo": ""} for i in range(n)]


def _values_of(entry: store.Entry) -> dict[str, Any]:
    rows = [
        {
            "account": x.account,
            "side": "D" if x.debit_rp else "K",
            "amount": str(x.debit_rp or x.credit_rp),
            "memo": x.memo,
        }
        for x in entry.lines
    ]
    return {
        "day": entry.day,
        "description": entry.description,
        "kind": entry.kind,
        "unit": entry.unit,
        "rows": rows,
    }


def _posted_values(req: Req) -> dict[str, Any]:
    count = req.form.get("rows", "")
    n = min(max(int(count), 1), FORM_LINES) if count.isdigit() and len(count) < 3 else FIRST_LINES
    rows = [
        {
            "account": req.form.get(f"account_{i}", "").strip(),
            "side": req.form.get(f"side_{i}", "D"),
            "amount": req.form.get(f"amount_{i}", "").strip(),
            "memo": req.form.get(f"memo_{i}", "").strip(),
        }
        for i in range(1, n + 1)
    ]
    return {
        "day": req.form.get("day", "").strip(),
        "description": req.form.get("description", ""),
        "kind": req.form.get("kind", "expense"),
        "unit": req.form.get("unit", store.DEFAULT_UNIT),
        "rows": rows,
    }


def _lines(req: Req, rows: list[dict[str, str]]) -> list[Line]:
    """The typed rows as lines; a row left wholly empty is skipped, a half-filled one is refused."""
    lines = []
    for n, row in enumerate(rows, start=1):
        if not row["account"] and not row["amount"] and not row["memo"]:
            continue
        lines.append(
            rules.make_line(row["account"], row["side"], row["amount"], row["memo"], req.t("jl_line", n=n))
        )
    return lines


def _form(
    req: Req, status: int, values: dict[str, Any], *, entry: store.Entry | None, error: str | None
) -> Response:
    return req.render(
        "journal_form.html",
        status,
        values=values,
        entry=entry,
        error=error,
        chart=_chart(req),
        units=[(u.code, u.name) for u in req.ledger.config.units],
        kinds=tuple(rules.KINDS),
        form_lines=FORM_LINES,
        today=_today(req).isoformat(),
    )


def listing(req: Req) -> Response:
    """Every entry, drafts awaiting a decision first."""
    return req.render("journal_list.html", entries=store.listing(req.ledger))


def _upload_photo(req: Req) -> images.Photo | None:
    upload = req.request.scope.get(UPLOAD_SCOPE)
    if not upload or not upload[1]:
        return None
    return images.normalise(upload[1])


def new(req: Req) -> Response:
    """The draft form, and saving it (``action=add`` shows one more line instead)."""
    assert req.user is not None
    if req.request.method == "GET":
        blank: dict[str, Any] = {
            "day": _today(req).isoformat(),
            "description": "",
            "kind": "expense",
            "unit": store.DEFAULT_UNIT,
            "rows": _blank(FIRST_LINES),
        }
        return _form(req, 200, blank, entry=None, error=None)
    values = _posted_values(req)
    if req.form.get("action") == "add":
        if len(values["rows"]) < FORM_LINES:
            values["rows"].append({"account": "", "side": "D", "amount": "", "memo": ""})
        return _form(req, 200, values, entry=None, error=None)
    try:
        day = date.fromisoformat(values["day"])
    except ValueError:
        return _form(req, 400, values, entry=None, error=req.t("jl_bad_day"))
    try:
        shot = _upload_photo(req)
        entry = store.draft(
            req.ledger,
            day=day,
            description=values["description"],
            kind=values["kind"],
            unit=values["unit"],
            lines=_lines(req, values["rows"]),
            by=req.user.login,
            role=req.user.role,
            photos=[shot] if shot is not None else [],
        )
    except (JournalError, images.ImageRefused) as err:
        return _form(req, 400, values, entry=None, error=err.text(req.lang))
    _audit(req, "journal_draft", str(entry.id), f"{entry.total_rp}")
    req.request.session["flash"] = "jl_saved_flash"
    return RedirectResponse(f"/journal/{entry.id}", 303)


def _get(req: Req) -> store.Entry | None:
    entry_id = _entry_id(req)
    if entry_id is None:
        return None
    try:
        return store.get(req.ledger, entry_id)
    except JournalError:
        return None


def edit(req: Req) -> Response:
    """A draft's form filled with what it holds, and saving the change."""
    assert req.user is not None
    entry = _get(req)
    if entry is None:
        return not_found(req)
    if len(entry.lines) > FORM_LINES:  # the form would drop lines: the command line changes it
        return _entry_page(req, entry, 400, req.t("jl_too_many", n=FORM_LINES, id=entry.id))
    if req.request.method == "GET":
        return _form(req, 200, _values_of(entry), entry=entry, error=None)
    values = _posted_values(req)
    if req.form.get("action") == "add":
        if len(values["rows"]) < FORM_LINES:
            values["rows"].append({"account": "", "side": "D", "amount": "", "memo": ""})
        return _form(req, 200, values, entry=entry, error=None)
    try:
        day = date.fromisoformat(values["day"])
    except ValueError:
        return _form(req, 400, values, entry=entry, error=req.t("jl_bad_day"))
    try:
        store.edit(
            req.ledger,
            entry.id,
            day=day,
            description=values["description"],
            kind=values["kind"],
            unit=values["unit"],
            lines=_lines(req, values["rows"]),
            by=req.user.login,
            role=req.user.role,
        )
    except JournalError as err:
        return _form(req, 400, values, entry=entry, error=err.text(req.lang))
    _audit(req, "journal_edit", str(entry.id))
    req.request.session["flash"] = "jl_saved_flash"
    return RedirectResponse(f"/journal/{entry.id}", 303)


def _entry_page(req: Req, entry: store.Entry, status: int = 200, error: str | None = None) -> Response:
    assert req.user is not None
    names = dict(_chart(req))
    own = req.user.login.casefold() in {m.casefold() for m in entry.makers}
    return req.render(
        "journal_entry.html",
        status,
        entry=entry,
        names=names,
        own=own,
        error=error,
        may_decide=entry.state == "draft" and not own and req.user.role in rules.CHECKERS,
        may_edit=entry.state == "draft" and req.user.role in rules.MAKERS,
    )


def show(req: Req) -> Response:
    """One entry: lines, receipt thumbnails (each a link to the full photo), history, the decision."""
    entry = _get(req)
    return not_found(req) if entry is None else _entry_page(req, entry)


def add_photo(req: Req) -> Response:
    """One more receipt photo for an entry (from the phone's camera)."""
    assert req.user is not None
    entry = _get(req)
    if entry is None:
        return not_found(req)
    try:
        shot = _upload_photo(req)
        if shot is None:
            shot = images.normalise(b"")  # refused with the reason "the file is empty"
        store.add_photo(req.ledger, entry.id, shot, by=req.user.login)
    except (JournalError, images.ImageRefused) as err:
        return _entry_page(req, entry, 400, err.text(req.lang))
    _audit(req, "journal_photo", str(entry.id))
    req.request.session["flash"] = "jl_photo_flash"
    return RedirectResponse(f"/journal/{entry.id}", 303)


def approve(req: Req) -> Response:
    """The checker approves a draft: its journal envelope is posted on the office chain."""
    assert req.user is not None
    entry = _get(req)
    if entry is None:
        return not_found(req)
    try:
        office = identity.load(
            req.ledger, identity.key_path(req.ledger.target, getattr(req.portal.settings, "office_key", None))
        )
    except OfficeError as err:
        log.warning("portal: a journal entry cannot be posted: %s", err.text("en"))
        return _entry_page(req, entry, 400, req.t("jl_no_office"))
    try:
        done = store.approve(req.ledger, office, entry.id, by=req.user.login, role=req.user.role)
    except JournalError as err:
        return _entry_page(req, entry, 400, err.text(req.lang))
    _audit(req, "journal_approve", str(entry.id), done.posted_tx or "")
    req.request.session["flash"] = "jl_approved_flash"
    return RedirectResponse(f"/journal/{entry.id}", 303)


def reject(req: Req) -> Response:
    """The checker rejects a draft with a reason; nothing is posted."""
    assert req.user is not None
    entry = _get(req)
    if entry is None:
        return not_found(req)
    try:
        store.reject(
            req.ledger, entry.id, by=req.user.login, role=req.user.role, reason=req.form.get("reason", "")
        )
    except JournalError as err:
        return _entry_page(req, entry, 400, err.text(req.lang))
    _audit(req, "journal_reject", str(entry.id), req.form.get("reason", ""))
    req.request.session["flash"] = "jl_rejected_flash"
    return RedirectResponse(f"/journal/{entry.id}", 303)


def _photo(req: Req, *, thumb: bool) -> Response:
    text = str(req.request.path_params.get("receipt", ""))
    if not text.isdigit() or len(text) >= 10:
        return not_found(req)
    try:
        data = store.photo(req.ledger, int(text), thumb=thumb)
    except JournalError:
        return not_found(req)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": PHOTO_CACHE})


def photo(req: Req) -> Response:
    """A receipt photo as kept (JPEG)."""
    return _photo(req, thumb=False)


def thumb(req: Req) -> Response:
    """A receipt photo's thumbnail (JPEG)."""
    return _photo(req, thumb=True)


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "journal": listing,
    "journal_new": new,
    "journal_entry": show,
    "journal_edit": edit,
    "journal_photo_add": add_photo,
    "journal_approve": approve,
    "journal_reject": reject,
    "journal_photo": photo,
    "journal_thumb": thumb,
}
