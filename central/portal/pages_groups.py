"""The portal's group pages (routes in ``central.portal.access.MATRIX``, docs/groups.md): Focus Group
Symbiosis groups, their meetings with attendance ticked on a phone, and the cadres' visit reports with photos.

Who sees what, beyond the matrix's roles (checked here, answered with 404 so nothing tells a stranger a
group exists): the board, supervisors and office see every group and report; a cadre sees the groups they
lead, files their meetings and visit reports, and reads their own reports; a member sees the group they are
in, its meetings and their own attendance, never the other members' names or attendance.

Every write goes through ``central.groups.store`` (the same functions as ``central groups``) and lands in
the audit log; a refusal comes back as the domain's bilingual reason with the form as it was filled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Final

from starlette.responses import RedirectResponse, Response

from central import images
from central.groups import rules, store
from central.groups.errors import GroupError, UnknownGroup
from central.portal import access, accounts
from central.portal.accounts import User
from central.portal.pages import _today
from central.portal.pages_office import UPLOAD_SCOPE
from central.portal.tables import ensure_tables
from central.portal.web import Req, not_found

MAX_ID_DIGITS: Final = 9
CADRE: Final = rules.CADRE_ROLE


# ---- who sees what --------------------------------------------------------------------------------------


def sees_group(user: User, group: store.Group) -> bool:
    """The board, supervisors and office see every group; a cadre the groups they lead; a member their own."""
    if access.sees_all_members(user):
        return True
    return user.member is not None and (user.member == group.cadre or user.member in group.numbers)


def sees_everyone(user: User, group: store.Group) -> bool:
    """Who sees the group's member list and everybody's attendance: the roles that see every member and the
    group's own cadre."""
    return access.sees_all_members(user) or (user.role == CADRE and user.member == group.cadre)


def files_for(user: User, group: store.Group) -> bool:
    """Who files and corrects the group's meetings: the office, and the group's own cadre."""
    return user.role in access.OFFICE or (user.role == CADRE and user.member == group.cadre)


def sees_visit(user: User, visit: store.Visit) -> bool:
    """Visit reports: the board, supervisors and office read all; a cadre reads their own."""
    return access.sees_all_members(user) or (user.role == CADRE and user.member == visit.cadre)


# ---- helpers --------------------------------------------------------------------------------------------


def _number(req: Req, name: str) -> int | None:
    raw = str(req.request.path_params.get(name, ""))
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_ID_DIGITS:
        return None
    return int(raw)


def _group(req: Req) -> store.Group | None:
    """The path's group when the reader may see it (None: answer 404)."""
    assert req.user is not None
    number = _number(req, "group")
    if number is None:
        return None
    try:
        found = store.group(req.ledger, number)
    except UnknownGroup:
        return None
    return found if sees_group(req.user, found) else None


def _meeting(req: Req, group: store.Group) -> store.Meeting | None:
    number = _number(req, "meeting")
    if number is None:
        return None
    try:
        return store.meeting(req.ledger, group.id, number)
    except UnknownGroup:
        return None


def _visit(req: Req) -> store.Visit | None:
    assert req.user is not None
    number = _number(req, "visit")
    if number is None:
        return None
    try:
        found = store.visit(req.ledger, number)
    except UnknownGroup:
        return None
    return found if sees_visit(req.user, found) else None


def _audit(req: Req, action: str, target: str, detail: str = "") -> None:
    assert req.user is not None
    ensure_tables(req.ledger)
    with req.ledger.write() as conn:
        accounts.audit(conn, req.user.login, action, target, req.address, detail=detail, now=accounts.now_s())


def _period(req: Req) -> tuple[date, date, bool]:
    """``?from=`` and ``?to=`` (default: this year up to today); True when what was typed was not read."""
    today = _today(req)
    start, end, bad = date(today.year, 1, 1), today, False
    try:
        if req.query("from"):
            start = date.fromisoformat(req.query("from"))
        if req.query("to"):
            end = date.fromisoformat(req.query("to"))
    except ValueError:
        start, end, bad = date(today.year, 1, 1), today, True
    if start > end:
        start, end, bad = date(today.year, 1, 1), today, True
    return start, end, bad


def _done(req: Req, flash: str, url: str) -> Response:
    req.request.session["flash"] = flash
    return RedirectResponse(url, 303)


# ---- groups ---------------------------------------------------------------------------------------------


def groups_page(req: Req) -> Response:
    """Every group for the board and office (``?village=`` one village) with its attendance rate; a cadre's
    own groups; a member's own group."""
    assert req.user is not None
    user = req.user
    start, end, bad = _period(req)
    village = req.query("village").strip()
    if access.sees_all_members(user):
        found = store.groups(req.ledger, village=village or None)
    else:
        found = [g for g in store.groups(req.ledger) if sees_group(user, g)]
    return req.render(
        "groups.html",
        groups=found,
        rates=store.group_rates(req.ledger, start=start, end=end),
        villages=store.villages(req.ledger) if access.sees_all_members(user) else [],
        village=village,
        start=start.isoformat(),
        end=end.isoformat(),
        bad=bad,
        everyone=access.sees_all_members(user),
    )


def group_page(req: Req) -> Response:
    """A group: its meetings in the period; for its cadre and the office each member's attendance rate; for
    a member their own."""
    assert req.user is not None
    found = _group(req)
    if found is None:
        return not_found(req)
    start, end, bad = _period(req)
    held = store.meetings(req.ledger, found.id, start=start, end=end)
    marks = store.marks(req.ledger, group_id=found.id, start=start, end=end)
    everyone = sees_everyone(req.user, found)
    rates = rules.member_rates(marks)
    mine = req.user.member if req.user.member in found.numbers or any(
        m.member == req.user.member for m in marks
    ) else None  # fmt: skip
    return req.render(
        "group.html",
        g=found,
        meetings=held,
        rates=rates if everyone else {},
        group_rate=rules.group_rate(marks),
        mine=mine,
        my_rate=rates.get(mine or "", rules.Rate()),
        everyone=everyone,
        files=files_for(req.user, found),
        start=start.isoformat(),
        end=end.isoformat(),
        bad=bad,
    )


def _cadre_options(req: Req) -> list[store.Member]:
    return store.cadres(req.ledger)


def group_new(req: Req) -> Response:
    """The office creates a group: name, village and its cadre."""
    assert req.user is not None
    values = {k: req.form.get(k, "") for k in ("name", "village", "cadre")}
    if req.request.method != "POST":
        return req.render("group_form.html", g=None, values=values, cadres=_cadre_options(req))
    try:
        made = store.create(
            req.ledger, values["name"], values["village"], values["cadre"].strip(), by=req.user.login
        )
    except GroupError as err:
        return req.render(
            "group_form.html",
            400,
            g=None,
            values=values,
            cadres=_cadre_options(req),
            error=err.text(req.lang),
        )
    _audit(req, "group_create", str(made.id), f"{made.name} / {made.village} / {made.cadre}")
    return _done(req, "gr_created_flash", f"/groups/{made.id}/edit")


def _split(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").replace(";", " ").split() if part]


def group_edit(req: Req) -> Response:
    """The office changes a group: its name, village and cadre (``action=details``), adds members by number
    (``action=add``) or takes one out (``action=remove``)."""
    assert req.user is not None
    found = _group(req)
    if found is None:
        return not_found(req)
    values = {"name": found.name, "village": found.village, "cadre": found.cadre}
    if req.request.method != "POST":
        return req.render("group_form.html", g=found, values=values, cadres=_cadre_options(req))
    action = req.form.get("action", "")
    try:
        if action == "details":
            values = {k: req.form.get(k, "") for k in ("name", "village", "cadre")}
            store.edit(req.ledger, found.id, values["name"], values["village"], values["cadre"].strip())
            detail = f"{values['name']} / {values['village']} / {values['cadre']}"
        elif action == "add":
            numbers = _split(req.form.get("numbers", ""))
            store.add_members(req.ledger, found.id, numbers, by=req.user.login)
            detail = "add " + " ".join(numbers)
        elif action == "remove":
            store.remove_members(req.ledger, found.id, [req.form.get("member", "")])
            detail = "remove " + req.form.get("member", "")
        else:
            raise GroupError("choose what to change", "pilih apa yang diubah")
    except GroupError as err:
        return req.render(
            "group_form.html",
            400,
            g=found,
            values=values,
            numbers=req.form.get("numbers", ""),
            cadres=_cadre_options(req),
            error=err.text(req.lang),
        )
    _audit(req, f"group_{action}", str(found.id), detail)
    return _done(req, "gr_saved_flash", f"/groups/{found.id}/edit")


# ---- meetings -------------------------------------------------------------------------------------------


def _meeting_form(
    req: Req, g: store.Group, m: store.Meeting | None, status: int = 200, error: str | None = None
) -> Response:
    if req.request.method == "POST":
        values = {k: req.form.get(k, "") for k in ("day", "place", "agenda", "notes")}
        ticked = {k.removeprefix("present_") for k, v in req.form.items() if k.startswith("present_") and v}
    elif m is not None:
        values = {"day": m.day, "place": m.place, "agenda": m.agenda, "notes": m.notes}
        ticked = {member for member, there in m.attendance if there}
    else:
        values = {"day": _today(req).isoformat(), "place": "", "agenda": "", "notes": ""}
        ticked = set()
    if m is None:
        listed = list(g.members)
    else:
        by_number = {x.number: x for x in g.members}
        listed = [by_number.get(n, store.Member(n, n, "", False)) for n, _ in m.attendance]
    return req.render(
        "group_meeting_form.html",
        status,
        g=g,
        m=m,
        values=values,
        ticked=ticked,
        listed=listed,
        today=_today(req).isoformat(),
        error=error,
    )


def _present(req: Req) -> list[str]:
    return [k.removeprefix("present_") for k, v in req.form.items() if k.startswith("present_") and v]


def meeting_new(req: Req) -> Response:
    """The group's cadre or the office files a meeting: date, place, agenda, who came (ticked from the
    group's member list, one big row each) and notes."""
    assert req.user is not None
    found = _group(req)
    if found is None or not files_for(req.user, found):
        return not_found(req)
    if req.request.method != "POST":
        return _meeting_form(req, found, None)
    f = req.form
    try:
        made = store.file_meeting(
            req.ledger,
            found.id,
            day=f.get("day", ""),
            place=f.get("place", ""),
            agenda=f.get("agenda", ""),
            notes=f.get("notes", ""),
            present=_present(req),
            by=req.user.login,
            today=_today(req),
        )
    except GroupError as err:
        return _meeting_form(req, found, None, 400, err.text(req.lang))
    _audit(req, "group_meeting", f"{found.id}/{made.id}", f"{made.day} {made.present}/{len(made.attendance)}")
    return _done(req, "gr_meeting_flash", f"/groups/{found.id}/meetings/{made.id}")


def meeting_edit(req: Req) -> Response:
    """Correct a meeting (its fields and who was there), by the group's cadre or the office."""
    assert req.user is not None
    found = _group(req)
    if found is None or not files_for(req.user, found):
        return not_found(req)
    held = _meeting(req, found)
    if held is None:
        return not_found(req)
    if req.request.method != "POST":
        return _meeting_form(req, found, held)
    f = req.form
    try:
        made = store.correct_meeting(
            req.ledger,
            found.id,
            held.id,
            day=f.get("day", ""),
            place=f.get("place", ""),
            agenda=f.get("agenda", ""),
            notes=f.get("notes", ""),
            present=_present(req),
            today=_today(req),
        )
    except GroupError as err:
        return _meeting_form(req, found, held, 400, err.text(req.lang))
    _audit(
        req, "group_meeting_fix", f"{found.id}/{made.id}", f"{made.day} {made.present}/{len(made.attendance)}"
    )
    return _done(req, "gr_meeting_flash", f"/groups/{found.id}/meetings/{made.id}")


def meeting_page(req: Req) -> Response:
    """A meeting: date, place, agenda, notes, and who came (a plain member sees only their own mark)."""
    assert req.user is not None
    found = _group(req)
    if found is None:
        return not_found(req)
    held = _meeting(req, found)
    if held is None:
        return not_found(req)
    everyone = sees_everyone(req.user, found)
    names = {m.number: m.name for m in found.members}
    if everyone:
        store_names = {n: names.get(n, n) for n, _ in held.attendance}
        shown = sorted(
            ((n, store_names[n], there) for n, there in held.attendance),
            key=lambda x: (x[1].casefold(), x[0]),
        )
    else:
        shown = [(n, req.user.name, there) for n, there in held.attendance if n == req.user.member]
    return req.render(
        "group_meeting.html",
        g=found,
        m=held,
        shown=shown,
        everyone=everyone,
        files=files_for(req.user, found),
    )


# ---- visit reports --------------------------------------------------------------------------------------


def visits_page(req: Req) -> Response:
    """Visit reports, newest first, by ``?village=``, ``?cadre=`` and ``?month=`` (YYYY-MM); a cadre sees
    their own."""
    assert req.user is not None
    user = req.user
    village = req.query("village").strip()
    month = rules.month_of(req.query("month"))
    cadre = req.query("cadre").strip() if access.sees_all_members(user) else (user.member or "")
    found = store.visits(req.ledger, cadre=cadre or None, village=village or None, month=month)
    return req.render(
        "visits.html",
        visits=found,
        villages=store.villages(req.ledger),
        cadres=store.cadres(req.ledger) if access.sees_all_members(user) else [],
        village=village,
        cadre=cadre if access.sees_all_members(user) else "",
        month=month or "",
        bad_month=bool(req.query("month")) and month is None,
        can_file=user.role == CADRE,
    )


def _upload(req: Req) -> images.Photo | None:
    """The request's photo made safe (None: no file chosen), or ``images.ImageRefused``."""
    upload = req.request.scope.get(UPLOAD_SCOPE)
    if not upload or not upload[1]:
        return None
    return images.normalise(upload[1])


def _sentence(text: str) -> str:
    """A reason as a sentence on the page (the domain's reasons start in lower case)."""
    return text[:1].upper() + text[1:]


def _visit_form(req: Req, status: int = 200, error: str | None = None) -> Response:
    assert req.user is not None
    mine = store.groups(req.ledger, cadre=req.user.member or "")
    values: dict[str, Any] = {k: req.form.get(k, "") for k in ("about", "day", "text")}
    if not values["day"]:
        values["day"] = _today(req).isoformat()
    if not values["about"]:
        values["about"] = req.query("about")
    return req.render(
        "visit_form.html",
        status,
        groups=mine,
        values=values,
        today=_today(req).isoformat(),
        mb=images.MAX_BYTES // (1024 * 1024),
        most=rules.MAX_PHOTOS,
        error=error,
    )


def visit_new(req: Req) -> Response:
    """A cadre files a visit report about a member of one of their groups or a whole group: date, text
    and a first photo (more photos are added on the report, one at a time)."""
    assert req.user is not None
    if req.request.method != "POST":
        return _visit_form(req)
    try:
        photo = _upload(req)
        made = store.file_visit(
            req.ledger,
            req.user.member or "",
            req.form.get("about", ""),
            day=req.form.get("day", ""),
            text=req.form.get("text", ""),
            photo=photo,
            today=_today(req),
        )
    except (GroupError, images.ImageRefused) as err:
        return _visit_form(req, 400, _sentence(err.text(req.lang)))
    _audit(req, "visit_report", str(made.id), f"{made.group_id} {made.member or '-'} {len(made.photos)}")
    return _done(req, "gr_visit_flash", f"/visits/{made.id}")


def visit_page(req: Req) -> Response:
    """A visit report with its photos; its cadre may add photos up to the limit."""
    assert req.user is not None
    found = _visit(req)
    if found is None:
        return not_found(req)
    return req.render(
        "visit.html",
        v=found,
        own=req.user.member == found.cadre,
        room=len(found.photos) < rules.MAX_PHOTOS,
        most=rules.MAX_PHOTOS,
        mb=images.MAX_BYTES // (1024 * 1024),
    )


def visit_photo_add(req: Req) -> Response:
    """The report's cadre adds one photo to it."""
    assert req.user is not None
    found = _visit(req)
    if found is None or req.user.member != found.cadre:
        return not_found(req)
    try:
        photo = _upload(req)
        if photo is None:
            raise GroupError("choose a photo first", "pilih foto dulu")
        store.add_photo(req.ledger, found.id, photo)
    except (GroupError, images.ImageRefused) as err:
        return req.render(
            "visit.html",
            400,
            v=found,
            own=True,
            room=len(found.photos) < rules.MAX_PHOTOS,
            most=rules.MAX_PHOTOS,
            mb=images.MAX_BYTES // (1024 * 1024),
            error=_sentence(err.text(req.lang)),
        )
    _audit(req, "visit_photo", str(found.id))
    return _done(req, "gr_photo_flash", f"/visits/{found.id}")


def visit_photo(req: Req) -> Response:
    """A report's photo as JPEG (``?size=thumb``: its thumbnail)."""
    found = _visit(req)
    number = _number(req, "photo")
    if found is None or number is None or number not in found.photos:
        return not_found(req)
    data = store.photo_bytes(req.ledger, found.id, number, thumb=req.query("size") == "thumb")
    return Response(data, media_type="image/jpeg", headers={"cache-control": "private, max-age=3600"})


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "groups": groups_page,
    "group_new": group_new,
    "group_edit": group_edit,
    "group_meeting_new": meeting_new,
    "group_meeting_edit": meeting_edit,
    "group_meeting": meeting_page,
    "group": group_page,
    "visits": visits_page,
    "visit_new": visit_new,
    "visit_photo_add": visit_photo_add,
    "visit_photo": visit_photo,
    "visit": visit_page,
}
