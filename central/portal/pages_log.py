"""The transparency log's public pages (routes in ``central.portal.access.MATRIX``, open to anybody).

``/log`` shows the latest checkpoint, the log's public key and how to check proofs; ``/log/checkpoint``
and ``/log/key`` give them as plain text at stable URLs for witnesses and scripts; ``/log/inclusion?tx=``
and ``/log/consistency?from=&to=`` give proofs as the JSON ``python -m central.transparency verify`` checks.

An inclusion proof carries the envelope itself only for somebody who may see it: a walk-in's sale, or a
logged-in member's own transaction (or a role that sees every member); anybody else gets the leaf's hash
and the proof, so a transaction id learns nobody another member's purchases. While the log has no
checkpoint, or a proof URL is opened without its parameters, the machine URLs send to ``/log``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from central.portal import access
from central.portal.web import Req
from central.transparency import log as tlog
from central.transparency import verify
from central.transparency.errors import TransparencyError
from sync import checkpoint as note
from sync import envelope as wire

RECENT: Final = 20
MAX_DIGITS: Final = 15
TEXT: Final = "text/plain; charset=utf-8"


def _to_log() -> Response:
    return RedirectResponse("/log", status_code=303)


def _size(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= MAX_DIGITS else None


def _signed_at(published: tlog.Published) -> str | None:
    return note.parse(published.note.split("\n\n")[0] + "\n").time


def log_page(req: Req) -> Response:
    """The latest checkpoint, the public key, the machine URLs and how to verify."""
    tlog.prepare(req.ledger)
    with req.ledger.read() as conn:
        latest = tlog.latest(conn)
        settings = tlog.meta(conn)
        recent = tlog.every_checkpoint(conn)[-RECENT:][::-1] if latest is not None else []
    return req.render(
        "log.html",
        latest=latest,
        signed_at=_signed_at(latest) if latest else None,
        origin=settings.get("origin"),
        key=settings.get("verifier"),
        recent=[(p, _signed_at(p)) for p in recent],
    )


def log_checkpoint(req: Req) -> Response:
    """The latest signed checkpoint (or, with ``?size=N``, the newest one of that size) as text."""
    tlog.prepare(req.ledger)
    wanted = req.query("size")
    size = _size(wanted)
    if wanted and size is None:
        return PlainTextResponse(req.t("log_bad_size") + "\n", status_code=400)
    with req.ledger.read() as conn:
        found = tlog.latest(conn) if size is None else tlog.at_size(conn, size)
    if found is None:
        return _to_log() if size is None else PlainTextResponse(req.t("log_none") + "\n", status_code=404)
    return PlainTextResponse(found.note, media_type=TEXT)


def log_key(req: Req) -> Response:
    """The log's public key as text (``name+keyid+base64``)."""
    tlog.prepare(req.ledger)
    with req.ledger.read() as conn:
        key = tlog.meta(conn).get("verifier")
    return PlainTextResponse(key + "\n", media_type=TEXT) if key else _to_log()


def _may_see(req: Req, tx: str) -> bool:
    """True when the envelope of ``tx`` may be shown to this visitor: it names no member, or the member is
    the visitor (or the visitor's role sees every member)."""
    with req.ledger.read() as conn:
        body = tlog.envelope_of(conn, tx)
    member = json.loads(body).get("member") if body is not None else None
    return member is None or (req.user is not None and access.sees_member(req.user, str(member)))


def _json(data: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def log_inclusion(req: Req) -> Response:
    """A transaction's inclusion proof in the latest checkpoint (or ``?size=N``'s), as JSON."""
    tx = req.query("tx").strip()
    if not tx:
        return _to_log()
    wanted = req.query("size")
    size = _size(wanted)
    if (wanted and size is None) or not wire.ID_RE.match(tx):
        return _json({"error": req.t("log_bad_size") if wanted and size is None else "bad tx"}, 400)
    tlog.prepare(req.ledger)
    show = _may_see(req, tx)
    with req.ledger.read() as conn:
        try:
            bundle = tlog.inclusion_bundle(conn, tx, size, with_envelope=show)
        except TransparencyError as err:
            return _json({"error": err.text(req.lang)}, 404)
    return _json(bundle)


def log_consistency(req: Req) -> Response:
    """The consistency proof from checkpoint size ``from`` to ``to`` (default: the latest), as JSON."""
    old_text, new_text = req.query("from"), req.query("to")
    if not old_text:
        return _to_log()
    old, new = _size(old_text), _size(new_text)
    if old is None or (new_text and new is None):
        return _json({"error": req.t("log_bad_size")}, 400)
    tlog.prepare(req.ledger)
    with req.ledger.read() as conn:
        try:
            bundle = tlog.consistency_bundle(conn, old, new)
        except TransparencyError as err:
            return _json({"error": err.text(req.lang)}, 404)
    return _json(bundle)


def receipt_inclusion(req: Req, tx: str) -> dict[str, Any]:
    """What the receipt check shows about ``tx`` in the log: ``state`` included (with index, size, time),
    pending, or broken (with why)."""
    tlog.prepare(req.ledger)
    with req.ledger.read() as conn:
        try:
            got = tlog.proven(conn, tx)
        except verify.VerifyError as err:
            return {"state": "broken", "why": err.text(req.lang)}
    if got is None:
        return {"state": "pending"}
    cp = got.checkpoint
    return {"state": "included", "index": got.index, "size": cp.size, "time": cp.time, "tx": tx}


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "log": log_page,
    "log_checkpoint": log_checkpoint,
    "log_key": log_key,
    "log_inclusion": log_inclusion,
    "log_consistency": log_consistency,
}
