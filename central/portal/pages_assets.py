"""The portal's pages of members' productive assets (routes in ``central.portal.access.MATRIX``): the list
(own, a cadre's recorded, or everyone's for the board, supervisors and office, with CSV), a new asset with a
photo from the phone, one asset with its photos and value history, and the photos themselves.

An asset or photo the reader may not see answers exactly as one that does not exist (404), so nobody learns
which numbers exist. Photos go through ``central.images`` before anything is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Final

from starlette.responses import RedirectResponse, Response

from central import images
from central.assets import rules, store
from central.assets.rules import AssetError, Viewer
from central.members.tabular import csv_text
from central.portal import accounts
from central.portal.pages_office import UPLOAD_SCOPE
from central.portal.tables import ensure_tables
from central.portal.web import Req, not_found

TICKED: Final = "ya"  # the value of a ticked checkbox
MAX_SHOWN: Final = 200  # assets on one page (a phone on a slow link); the CSV holds them all
MAX_NUMBER_DIGITS: Final = 12


def _viewer(req: Req) -> Viewer:
    assert req.user is not None
    return Viewer(req.user.role, req.user.member)


def _today(req: Req) -> date:
    return datetime.now(req.ledger.config.tz).date()


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= MAX_NUMBER_DIGITS else None


def _audit(req: Req, action: str, target: str, detail: str = "") -> None:
    assert req.user is not None
    ensure_tables(req.ledger)
    with req.ledger.write() as conn:
        accounts.audit(conn, req.user.login, action, target, req.address, detail=detail, now=accounts.now_s())


def _photo(req: Req) -> images.Photo | None:
    """The uploaded photo made safe, None when no file was sent; ``ImageRefused`` for a bad one."""
    upload = req.request.scope.get(UPLOAD_SCOPE)
    if not upload or not upload[1]:
        return None
    return images.normalise(upload[1], keep_location=req.form.get("keep_location") == TICKED)


def _mb() -> int:
    return images.MAX_BYTES // (1024 * 1024)


def listing(req: Req) -> Response:
    """The assets the reader may see; the board, supervisors and office filter by member and kind."""
    viewer = _viewer(req)
    every = rules.sees_every_asset(viewer)
    kind = req.query("kind") if req.query("kind") in rules.KINDS else None
    member = (req.query("member").strip() or None) if every or viewer.role == rules.CADRE else None
    found = store.visible(req.ledger, viewer, member=member, kind=kind)
    if req.query("format") == "csv":
        body = csv_text(store.CSV_COLUMNS, [a.row() for a in found], ",", req.lang)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="aset-anggota.csv"'},
        )
    return req.render(
        "assets.html",
        assets=found[:MAX_SHOWN],
        more=max(0, len(found) - MAX_SHOWN),
        count=len(found),
        every=every,
        kinds=rules.KINDS,
        kind=kind or "",
        member=member or "",
        total_rp=sum(a.value_rp for a in found),
        kind_name=rules.kind_name,
    )


def _form_page(req: Req, status: int = 200, error: str | None = None) -> Response:
    viewer = _viewer(req)
    return req.render(
        "asset_new.html",
        status,
        error=error,
        form=req.form,
        kinds=rules.KINDS,
        kind_name=rules.kind_name,
        picks_member=viewer.role in rules.OFFICE or viewer.role == rules.CADRE,
        today=_today(req).isoformat(),
        mb=_mb(),
    )


def new(req: Req) -> Response:
    """GET: the form (phone first: kind, description, value, date, photo); POST: record the asset."""
    assert req.user is not None
    if req.request.method == "GET":
        return _form_page(req)
    viewer = _viewer(req)
    owner = req.form.get("member", "").strip()
    if not owner or not (viewer.role in rules.OFFICE or viewer.role == rules.CADRE):
        owner = viewer.member or ""
    if not owner:
        return _form_page(req, 400, req.t("as_need_member"))
    if not rules.may_enter_for(viewer, owner, store.cadre_of(req.ledger, viewer)):
        return _form_page(req, 403, req.t("as_not_yours"))
    try:
        value = rules.parse_value(req.form.get("value_rp", ""))
        day = rules.parse_day(req.form.get("day", ""), _today(req))
        entry = rules.check_entry(req.form.get("kind", ""), req.form.get("description", ""), value, day)
        photo = _photo(req)
        number = store.add(
            req.ledger, owner, entry, by=req.user.login, by_member=req.user.member, photo=photo
        )
    except (AssetError, images.ImageRefused) as err:
        return _form_page(req, 400, err.text(req.lang))
    _audit(req, "asset_add", str(number), f"{owner} {entry.kind} {entry.value_rp}")
    req.request.session["flash"] = "as_saved_flash"
    return RedirectResponse(f"/assets/{number}", 303)


def _visible(req: Req) -> store.Asset | None:
    number = _number(str(req.request.path_params.get("asset", "")))
    if number is None:
        return None
    try:
        asset = store.get(req.ledger, number)
    except store.UnknownAsset:
        return None
    viewer = _viewer(req)
    return asset if rules.may_see(viewer, asset.member, store.cadre_of(req.ledger, viewer)) else None


def _detail(req: Req, asset: store.Asset, status: int = 200, error: str | None = None) -> Response:
    return req.render(
        "asset.html",
        status,
        asset=asset,
        error=error,
        form=req.form if error else {},
        may_change=rules.may_change(_viewer(req), asset.member, store.cadre_of(req.ledger, _viewer(req))),
        kind_name=rules.kind_name,
        today=_today(req).isoformat(),
        mb=_mb(),
    )


def detail(req: Req) -> Response:
    """One asset: its photos (thumbnails opening the full photo), value, history, and the forms to add."""
    asset = _visible(req)
    return not_found(req) if asset is None else _detail(req, asset)


def _changeable(req: Req) -> tuple[store.Asset | None, Response | None]:
    asset = _visible(req)
    if asset is None:
        return None, not_found(req)
    viewer = _viewer(req)
    if not rules.may_change(viewer, asset.member, store.cadre_of(req.ledger, viewer)):
        return None, _detail(req, asset, 403, req.t("as_read_only"))
    return asset, None


def value(req: Req) -> Response:
    """A new estimate of the asset's value (the old ones stay in its history)."""
    assert req.user is not None
    asset, refused = _changeable(req)
    if asset is None:
        assert refused is not None
        return refused
    try:
        amount = rules.parse_value(req.form.get("value_rp", ""))
        day = rules.parse_day(req.form.get("day", ""), _today(req))
        store.add_value(req.ledger, asset.id, amount, day, req.form.get("note", ""), by=req.user.login)
    except AssetError as err:
        return _detail(req, asset, 400, err.text(req.lang))
    _audit(req, "asset_value", str(asset.id), str(amount))
    req.request.session["flash"] = "as_value_flash"
    return RedirectResponse(f"/assets/{asset.id}", 303)


def photo_add(req: Req) -> Response:
    """One more photo of the asset, from the phone."""
    assert req.user is not None
    asset, refused = _changeable(req)
    if asset is None:
        assert refused is not None
        return refused
    try:
        photo = _photo(req)
        if photo is None:
            return _detail(req, asset, 400, req.t("as_no_file"))
        number = store.add_photo(req.ledger, asset.id, photo, by=req.user.login)
    except (AssetError, images.ImageRefused) as err:
        return _detail(req, asset, 400, err.text(req.lang))
    _audit(req, "asset_photo", str(asset.id), f"photo {number}{' located' if photo.location else ''}")
    req.request.session["flash"] = "as_photo_flash"
    return RedirectResponse(f"/assets/{asset.id}", 303)


def _image(req: Req, thumb: bool) -> Response:
    number = _number(str(req.request.path_params.get("asset_photo", "")))
    if number is None:
        return not_found(req)
    try:
        asset_number, data = store.photo(req.ledger, number, thumb=thumb)
        asset = store.get(req.ledger, asset_number)
    except store.UnknownAsset:
        return not_found(req)
    viewer = _viewer(req)
    if not rules.may_see(viewer, asset.member, store.cadre_of(req.ledger, viewer)):
        return not_found(req)
    return Response(data, media_type="image/jpeg")


def photo(req: Req) -> Response:
    """The full photo (JPEG), to the readers of its asset only."""
    return _image(req, thumb=False)


def thumb(req: Req) -> Response:
    """The photo's thumbnail (JPEG), to the readers of its asset only."""
    return _image(req, thumb=True)


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "assets": listing,
    "asset_new": new,
    "asset": detail,
    "asset_value": value,
    "asset_photo_add": photo_add,
    "asset_photo": photo,
    "asset_thumb": thumb,
}
