"""The portal's SMS pages (routes in ``central.portal.access.MATRIX``, docs/notify.md): the outbox and its
log with states and each sent message's delivery report, one message with its attempts (retry or cancel
it), a member's message history, writing an announcement with a preview and the count of recipients before
it is sent, and a member's own choices.

Every step goes through ``central.notify`` as ``central notify-queue`` and ``central announce`` do. A change
to a message needs its number typed back (``confirm``), and sending an announcement needs the count the
preview showed, so an empty or replayed form changes nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from starlette.responses import RedirectResponse, Response

from central.branches import members as member_branches
from central.errors import UnknownMember
from central.groups import store as groups_store
from central.notify import campaigns, daily, outbox
from central.notify.errors import NotifyError, UnknownMessage
from central.portal import accounts
from central.portal.tables import ensure_tables
from central.portal.web import Req, not_found

MAX_LISTED: Final = 200
UNMATCHED_SHOWN: Final = 20  # the newest delivery reports that matched no message, on the queue page


def _audit(req: Req, action: str, target: str, detail: str) -> None:
    assert req.user is not None
    ensure_tables(req.ledger)
    with req.ledger.write() as conn:
        accounts.audit(conn, req.user.login, action, target, req.address, detail=detail, now=accounts.now_s())


def _when(req: Req, ts: int | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, req.ledger.config.tz).strftime("%Y-%m-%d %H:%M")


def _refused(req: Req, message: str, status: int = 400) -> Response:
    return req.render("message.html", status, title=req.t("nt_title"), message=message)


def queue_page(req: Req) -> Response:
    """The outbox, newest first (``?state=`` one state), with the count per state."""
    state = req.query("state")
    found = outbox.listing(req.ledger, state=state if state in outbox.STATES else None, limit=MAX_LISTED)
    return req.render(
        "notify_queue.html",
        found=found,
        reached=outbox.deliveries(req.ledger, found, int(time.time())),
        counts=outbox.counts(req.ledger),
        states=outbox.STATES,
        state=state if state in outbox.STATES else "",
        unmatched=outbox.reports(req.ledger, unmatched=True, limit=UNMATCHED_SHOWN),
        meaning=lambda code: outbox.describe_status(code)[1 if req.lang == "en" else 0],
        when=lambda ts: _when(req, ts),
    )


def _message(req: Req) -> outbox.Message | None:
    raw = str(req.request.path_params.get("message", ""))
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return None
    try:
        return outbox.get(req.ledger, int(raw))
    except UnknownMessage:
        return None


def message_page(req: Req) -> Response:
    """One message: its text, state, last error and every attempt."""
    found = _message(req)
    if found is None:
        return not_found(req)
    return req.render(
        "notify_message.html",
        m=found,
        trail=outbox.attempts(req.ledger, found.id),
        reached=outbox.deliveries(req.ledger, [found], int(time.time())).get(found.id),
        wait_h=req.ledger.config.notify.report_wait_h,
        retryable=found.state in outbox.RETRYABLE_STATES,
        cancellable=found.state in outbox.CANCELLABLE_STATES,
        when=lambda ts: _when(req, ts),
    )


def _change(req: Req, action: str, change: Callable[[int, int, str], object], flash: str) -> Response:
    assert req.user is not None
    found = _message(req)
    if found is None:
        return not_found(req)
    if req.form.get("confirm", "").strip() != str(found.id):
        return _refused(req, req.t("nt_confirm_missing"))
    try:
        change(found.id, int(time.time()), req.user.login)
    except NotifyError as err:
        return _refused(req, err.text(req.lang))
    _audit(req, f"notify_{action}", str(found.id), f"{found.kind} {found.member}")
    req.request.session["flash"] = flash
    return RedirectResponse(f"/notify/messages/{found.id}", 303)


def message_retry(req: Req) -> Response:
    """Queue a failed, unknown or cancelled message again."""
    return _change(req, "retry", lambda m, now, by: outbox.retry(req.ledger, m, now, by), "nt_retried_flash")


def message_cancel(req: Req) -> Response:
    """Cancel a queued, failed or unknown message."""
    return _change(
        req, "cancel", lambda m, now, by: outbox.cancel(req.ledger, m, now, by), "nt_cancelled_flash"
    )


def member_page(req: Req) -> Response:
    """A member's messages, newest first (the member themself, or the roles that see every member)."""
    number = str(req.request.path_params.get("number", ""))
    try:
        req.ledger.member(number)
    except UnknownMember:  # a plain 404, as for any member page
        return not_found(req)
    found = outbox.listing(req.ledger, member=number, limit=MAX_LISTED)
    return req.render(
        "notify_member.html",
        number=number,
        found=found,
        reached=outbox.deliveries(req.ledger, found, int(time.time())),
        when=lambda ts: _when(req, ts),
    )


def _announce_form(req: Req, *args: int, **context: Any) -> Response:
    """The announcement form, with the groups, villages and branches an announcement can go to."""
    counted = Counter(member_branches.of_members(req.ledger).values())
    return req.render(
        "notify_announce.html",
        *args,
        groups=groups_store.groups(req.ledger),
        villages=groups_store.villages(req.ledger),
        branches=sorted(counted.items()),
        **context,
    )


def announce_page(req: Req) -> Response:
    """The form; a POST with ``action=preview`` shows the count of recipients and the text, one with
    ``action=send`` and the previewed ``count`` queues it."""
    assert req.user is not None
    if req.request.method != "POST":
        return _announce_form(req, to="all", text="", shown=None)
    to, body = req.form.get("to", "").strip(), req.form.get("text", "").strip()
    if not to or not body:
        return _announce_form(req, 400, to=to, text=body, shown=None, error=req.t("nt_announce_missing"))
    try:
        shown = daily.preview(req.ledger, to, body)
    except NotifyError as err:
        return _announce_form(req, 400, to=to, text=body, shown=None, error=err.text(req.lang))
    if req.form.get("action") != "send":
        return _announce_form(req, to=to, text=body, shown=shown)
    if req.form.get("count", "") != str(len(shown.drafts)) or not shown.drafts:
        return _announce_form(req, 400, to=to, text=body, shown=shown, error=req.t("nt_count_changed"))
    number, queued = daily.announce(req.ledger, to, body, req.user.login, int(time.time()))
    _audit(req, "notify_announce", str(number), f"{shown.audience.text()} {queued.new}")
    req.request.session["flash"] = "nt_announced_flash"
    return RedirectResponse("/notify", 303)


def settings_page(req: Req) -> Response:
    """The member's own choices per kind; arrears notices are not choosable."""
    assert req.user is not None
    member = req.user.member
    if member is None:
        return req.render(
            "message.html", title=req.t("nt_settings_title"), message=req.t("nt_settings_staff")
        )
    if req.request.method == "POST":
        if req.form.get("choices") != "1":
            return _refused(req, req.t("nt_settings_missing"))
        chosen = {kind: req.form.get(kind) == "1" for kind in campaigns.CHOOSABLE}
        outbox.set_consent(req.ledger, member, chosen, int(time.time()), req.user.login)
        _audit(req, "notify_settings", member, " ".join(k for k, v in chosen.items() if not v))
        req.request.session["flash"] = "nt_settings_saved"
        return RedirectResponse("/notify/settings", 303)
    return req.render("notify_settings.html", choices=outbox.consent_of(req.ledger, member))


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "notify_queue": queue_page,
    "notify_announce": announce_page,
    "notify_settings": settings_page,
    "notify_message": message_page,
    "notify_retry": message_retry,
    "notify_cancel": message_cancel,
    "notify_member": member_page,
}
