"""The portal's loan pages: a member's loans and applications, applying with the schedule shown first, the
chair's queue with each member's credit history, the treasurer's payout queue, and the loan book's aging.

Every step goes through the same functions as ``central loans ...`` (``central.loans``,
``central.office.lending``); refusals come back as the domain's own bilingual reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from starlette.responses import RedirectResponse, Response

from central.books import statement
from central.errors import UnknownMember
from central.loans import applications as apps
from central.loans import portfolio, rescheduling
from central.loans import schedule as sched
from central.loans.applications import Application, LoanError, UnknownApplication
from central.office import identity, lending
from central.office.errors import OfficeError
from central.portal import access, accounts, text
from central.portal.tables import ensure_tables
from central.portal.web import Req, not_found

MAX_LISTED: Final = 200


def _today(req: Req) -> date:
    return datetime.now(req.ledger.config.tz).date()


def _number(text: str, lo: int, hi: int) -> int | None:
    digits = text.replace(".", "").strip()
    return int(digits) if digits.isascii() and digits.isdigit() and lo <= int(digits) <= hi else None


def _when(req: Req, ts: int) -> str:
    return datetime.fromtimestamp(ts, req.ledger.config.tz).strftime("%Y-%m-%d %H:%M")


def _audit(req: Req, action: str, target: str, detail: str) -> None:
    """A line in the portal's audit log, right after the loan step it records (the step has its own
    history in ``loan_events`` in the same transaction as the step)."""
    assert req.user is not None
    ensure_tables(req.ledger)
    with req.ledger.write() as conn:
        accounts.audit(conn, req.user.login, action, target, req.address, detail=detail, now=accounts.now_s())


def my_loans(req: Req) -> Response:
    """A member's loans (schedule, paid, days late) and applications with the decision and its reason."""
    assert req.user is not None
    if req.user.member is None:
        return req.render("loans_mine.html", cards=(), applications=(), staff=True)
    today = _today(req)
    every = portfolio.cards(req.ledger, today, member=req.user.member)
    cards = [c for c in every if c.outstanding_rp > 0 or c.state.arrears_rp > 0]
    mine = apps.listing(req.ledger, member=req.user.member)[:MAX_LISTED]
    asked = rescheduling.listing(req.ledger, member=req.user.member)[:MAX_LISTED]
    return req.render(
        "loans_mine.html", cards=cards, applications=mine, staff=False, today=today, reschedules=asked
    )


@dataclass(frozen=True)
class _Request:
    member: str
    product: str
    amount: int | None
    term: int | None
    purpose: str


def _asked(req: Req, values: Callable[[str], str]) -> _Request:
    assert req.user is not None
    member = req.user.member or ""
    if access.sees_all_members(req.user) and values("member"):
        member = values("member").strip().upper()[:40]
    return _Request(
        member=member,
        product=values("product")[:40],
        amount=_number(values("amount"), 1, 10**12),
        term=_number(values("term"), 1, 360),
        purpose=values("purpose").strip()[:200],
    )


def apply(req: Req) -> Response:
    """GET: the form, and with product, amount and term the schedule preview; POST: submit."""
    assert req.user is not None
    products = req.ledger.config.loans.products
    on_behalf = access.sees_all_members(req.user)
    if req.user.member is None and not on_behalf:
        return not_found(req)
    context: dict[str, Any] = {"products": products, "on_behalf": on_behalf}
    if req.request.method == "GET":
        asked = _asked(req, req.query)
        context["asked"] = asked
        if asked.product and asked.amount and asked.term:
            try:
                product = apps.product(req.ledger, asked.product)
                apps.check_limits(product, asked.amount, asked.term, None)
                context["preview"] = sched.build(
                    product.method,
                    asked.amount,
                    product.rate_month_pct,
                    asked.term,
                    _today(req),
                    grace_months=product.grace_months,
                )
                context["product"] = product
            except (LoanError, sched.ScheduleError) as err:
                context["error"] = err.text(req.lang) if isinstance(err, LoanError) else str(err)
                return req.render("loans_apply.html", 400, **context)
        elif any((asked.product, asked.amount, asked.term)) or req.query("preview"):
            context["error"] = req.t("loan_fill_all")
            return req.render("loans_apply.html", 400, **context)
        return req.render("loans_apply.html", **context)
    asked = _asked(req, lambda key: req.form.get(key, ""))
    context["asked"] = asked
    if not (asked.member and asked.product and asked.amount and asked.term):
        context["error"] = req.t("loan_fill_all")
        return req.render("loans_apply.html", 400, **context)
    try:
        made = apps.apply(
            req.ledger,
            asked.member,
            asked.product,
            asked.amount,
            asked.term,
            asked.purpose,
            by=req.user.login,
        )
    except LoanError as err:
        context["error"] = err.text(req.lang)
        return req.render("loans_apply.html", 400, **context)
    _audit(
        req, "loan_apply", str(made.id), f"{made.member} {made.product} {made.amount_rp} {made.term_months}"
    )
    req.request.session["flash"] = "loan_submitted"
    return RedirectResponse(
        "/loans" if req.user.member == made.member else f"/loans/applications/{made.id}", 303
    )


def queue(req: Req) -> Response:
    """The chair's queue (submitted) and the treasurer's (approved, waiting for payout)."""
    return req.render(
        "loans_queue.html",
        submitted=apps.listing(req.ledger, state="submitted")[:MAX_LISTED],
        approved=apps.listing(req.ledger, state="approved")[:MAX_LISTED],
        reschedules=len(rescheduling.listing(req.ledger, state="submitted")),
        deciders=req.ledger.config.loans.deciders,
    )


def _application(req: Req) -> Application | None:
    text = str(req.request.path_params.get("app", ""))
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return None
    try:
        return apps.get(req.ledger, int(text))
    except UnknownApplication:
        return None


def _history(req: Req, app: Application) -> dict[str, Any]:
    """What the chair weighs, on one screen: open arrears first, every loan with days late per installment,
    savings, store credit, membership age."""
    today = _today(req)
    cards = portfolio.cards(req.ledger, today, member=app.member)
    cards.sort(key=lambda c: (-c.state.days_late, c.day))
    try:
        summary = statement.member_summary(req.ledger, app.member)
        member = req.ledger.member(app.member)
    except UnknownMember:
        return {}
    joined = date.fromisoformat(str(member["joined"]))
    return {
        "cards": cards,
        "summary": summary,
        "member": member,
        "years": (today - joined).days // 365,
        "months": ((today - joined).days % 365) // 30,
        "earlier": [a for a in apps.listing(req.ledger, member=app.member) if a.id != app.id],
        "today": today,
    }


def payout_text(req: Req, payout: lending.Payout) -> str:
    """What the treasurer hands over, and the fees ("Dibayarkan Rp X (pokok Rp G - biaya administrasi Rp A
    - asuransi Rp I)"); the same sentence as ``lending.describe``, from the portal's texts."""
    lang = req.lang
    handed = req.t("loan_handed", amount=text.rp(payout.handed_rp, lang))
    if payout.no_product:
        return f"{handed} ({req.t('loan_handed_no_product', product=payout.product)})"
    if not payout.fees_rp:
        return f"{handed} ({req.t('loan_handed_free')})"
    parts = []
    if payout.admin_fee_rp:
        parts.append(req.t("loan_handed_admin", amount=text.rp(payout.admin_fee_rp, lang)))
    if payout.insurance_rp:
        parts.append(req.t("loan_handed_insurance", amount=text.rp(payout.insurance_rp, lang)))
    if payout.fees_from_amount:
        principal = req.t("loan_handed_principal", amount=text.rp(payout.granted_rp, lang))
        return f"{handed} ({' - '.join([principal, *parts])})"
    total = text.rp(payout.fees_rp, lang)
    return f"{handed}; {req.t('loan_handed_counter', parts=' + '.join(parts), total=total)}"


def _payout(req: Req, app: Application) -> str | None:
    """The payout sentence of an approved application (by the product now) or a disbursed one (as
    recorded); None before approval."""
    if app.state not in ("approved", "disbursed") or not app.granted_rp:
        return None
    return payout_text(req, lending.quote(req.ledger, app))


def application(req: Req) -> Response:
    """One application for the office and the board: the request, its history, the credit history, and
    the decide or pay-out form for those who may."""
    assert req.user is not None
    app = _application(req)
    if app is None:
        return not_found(req)
    preview = app.schedule(_today(req)) if app.method is not None and app.state == "approved" else None
    if app.disbursed_day:
        preview = app.schedule(date.fromisoformat(app.disbursed_day))
    return req.render(
        "loans_application.html",
        app=app,
        events=apps.events(req.ledger, app.id),
        history=_history(req, app),
        preview=preview,
        may_decide=app.state == "submitted" and req.user.role in req.ledger.config.loans.deciders,
        may_pay=app.state == "approved" and req.user.role in access.PAYERS,
        payout=_payout(req, app),
        error=None,
        when=lambda ts: _when(req, ts),
    )


def _refused(req: Req, app: Application, message: str) -> Response:
    return req.render(
        "loans_application.html",
        400,
        app=app,
        events=apps.events(req.ledger, app.id),
        history=_history(req, app),
        preview=None,
        may_decide=app.state == "submitted"
        and req.user is not None
        and req.user.role in req.ledger.config.loans.deciders,
        may_pay=False,
        payout=_payout(req, app),
        error=message,
        when=lambda ts: _when(req, ts),
    )


def decide(req: Req) -> Response:
    assert req.user is not None
    app = _application(req)
    if app is None:
        return not_found(req)
    choice = req.form.get("decision", "")
    if choice not in ("approve", "reject"):
        return _refused(req, app, req.t("loan_choose"))
    amount = _number(req.form.get("amount", ""), 1, 10**12) if req.form.get("amount") else None
    term = _number(req.form.get("term", ""), 1, 360) if req.form.get("term") else None
    try:
        done = apps.decide(
            req.ledger,
            app.id,
            approve=choice == "approve",
            role=req.user.role,
            by=req.user.login,
            reason=req.form.get("reason", ""),
            amount_rp=amount,
            term_months=term,
        )
    except LoanError as err:
        return _refused(req, app, err.text(req.lang))
    _audit(
        req,
        f"loan_{choice}",
        str(app.id),
        f"{done.granted_rp} {done.approved_term_months}: {done.decision_reason}",
    )
    req.request.session["flash"] = "loan_decided"
    return RedirectResponse(f"/loans/applications/{app.id}", 303)


def disburse(req: Req) -> Response:
    assert req.user is not None
    app = _application(req)
    if app is None:
        return not_found(req)
    if req.form.get("confirm") != str(app.id):
        return _refused(req, app, req.t("loan_confirm_payout"))
    key = getattr(req.portal.settings, "office_key", None)
    try:
        office = identity.load(req.ledger, identity.key_path(req.ledger.target, key))
        done = lending.disburse(req.ledger, office, app.id, by=req.user.login)
    except (LoanError, OfficeError) as err:
        return _refused(req, app, err.text(req.lang))
    if not done.already:
        paid = done.payout
        _audit(
            req,
            "loan_disburse",
            str(app.id),
            f"{done.application.loan} {done.application.disbursed_tx} handed {paid.handed_rp} "
            f"fees {paid.fees_rp} {paid.fee_tx or ''}".rstrip(),
        )
    req.request.session["flash"] = "loan_paid_out"
    return RedirectResponse(f"/loans/applications/{app.id}", 303)


def aging(req: Req) -> Response:
    """The loan book by collectibility class as of a day (``?on=``)."""
    on_text = req.query("on")
    today = _today(req)
    try:
        on = date.fromisoformat(on_text) if on_text else today
    except ValueError:
        on = today
    book = portfolio.aging(req.ledger, min(on, today))
    return req.render("loans_aging.html", book=book, on=book.as_of, ratio=float(book.problem_ratio) * 100)


# -- rescheduling (central.loans.rescheduling): the member's or the office's request, the deciders' list ----


@dataclass(frozen=True)
class _Terms:
    loan: str
    term: int | None
    grace: int | None
    rate: str


def _terms(values: Callable[[str], str]) -> _Terms:
    grace_text = values("grace").strip()
    return _Terms(
        loan=values("loan").strip().upper()[:40],
        term=_number(values("term"), 1, 360),
        grace=_number(grace_text, 0, 359) if grace_text else 0,
        rate=values("rate").strip()[:12],
    )


def _own_open_loans(req: Req, today: date) -> list[portfolio.LoanCard]:
    assert req.user is not None
    if req.user.member is None:
        return []
    return [c for c in portfolio.cards(req.ledger, today, member=req.user.member) if c.outstanding_rp > 0]


def reschedule(req: Req) -> Response:
    """GET: the form for one of the member's open loans (the office: any loan), and with a term the new
    schedule; POST: the request, for the deciders."""
    assert req.user is not None
    today = _today(req)
    staff = access.sees_all_members(req.user)
    values: Callable[[str], str] = (
        req.query if req.request.method == "GET" else (lambda k: req.form.get(k, ""))
    )
    asked = _terms(values)
    loans = _own_open_loans(req, today)
    context: dict[str, Any] = {"asked": asked, "loans": loans, "staff": staff, "preview": None, "error": None}
    if asked.loan and not staff and asked.loan not in {c.loan for c in loans}:
        return not_found(req)  # another member's loan, or none: nothing tells them apart
    if req.request.method == "GET" and not (asked.loan and asked.term):
        if any((values("term"), values("preview"))):
            context["error"] = req.t("resched_fill")
            return req.render("loans_reschedule.html", 400, **context)
        return req.render("loans_reschedule.html", **context)
    if not (asked.loan and asked.term and asked.grace is not None):
        context["error"] = req.t("resched_fill")
        return req.render("loans_reschedule.html", 400, **context)
    try:
        rate = rescheduling.rate_of(asked.rate) if asked.rate else None
        if req.request.method == "GET":
            context["preview"] = rescheduling.preview(
                req.ledger,
                asked.loan,
                term_months=asked.term,
                rate_month_pct=rate,
                grace_months=asked.grace,
                on=today,
            )
            return req.render("loans_reschedule.html", **context)
        made = rescheduling.request(
            req.ledger,
            asked.loan,
            term_months=asked.term,
            rate_month_pct=rate,
            grace_months=asked.grace,
            reason=req.form.get("reason", ""),
            by=req.user.login,
            member=None if staff else req.user.member,
        )
    except LoanError as err:
        context["error"] = err.text(req.lang)
        return req.render("loans_reschedule.html", 400, **context)
    _audit(
        req,
        "loan_reschedule_request",
        str(made.id),
        f"{made.loan} {made.term_months} {made.grace_months} {made.rate_month_pct}",
    )
    req.request.session["flash"] = "resched_submitted"
    return RedirectResponse("/loans" if req.user.member == made.member else "/loans/reschedules", 303)


@dataclass(frozen=True)
class _Waiting:
    request: rescheduling.Reschedule
    preview: rescheduling.Preview | None
    error: str | None
    events: list[dict[str, Any]]


def _waiting(req: Req, today: date) -> list[_Waiting]:
    out: list[_Waiting] = []
    for item in rescheduling.listing(req.ledger, state="submitted")[:MAX_LISTED]:
        try:
            shown = rescheduling.preview(
                req.ledger,
                item.loan,
                term_months=item.term_months,
                rate_month_pct=item.rate_month_pct,
                grace_months=item.grace_months,
                on=today,
            )
            out.append(_Waiting(item, shown, None, rescheduling.events(req.ledger, item.id)))
        except LoanError as err:
            out.append(_Waiting(item, None, err.text(req.lang), rescheduling.events(req.ledger, item.id)))
    return out


def _reschedules_page(req: Req, status: int = 200, error: str | None = None) -> Response:
    assert req.user is not None
    today = _today(req)
    decided = [r for r in rescheduling.listing(req.ledger) if r.state != "submitted"][:MAX_LISTED]
    return req.render(
        "loans_reschedules.html",
        status,
        waiting=_waiting(req, today),
        decided=decided,
        may_decide=req.user.role in req.ledger.config.loans.deciders,
        deciders=req.ledger.config.loans.deciders,
        error=error,
        when=lambda ts: _when(req, ts),
    )


def reschedules(req: Req) -> Response:
    """The requests waiting for the deciders, each with the new schedule and what it takes over; those
    decided, with the reason."""
    return _reschedules_page(req)


def reschedule_decide(req: Req) -> Response:
    assert req.user is not None
    ident = _number(req.form.get("request", ""), 1, 10**9)
    choice = req.form.get("decision", "")
    if ident is None or choice not in ("approve", "reject"):
        return _reschedules_page(req, 400, req.t("loan_choose"))
    try:
        done = rescheduling.decide(
            req.ledger,
            ident,
            approve=choice == "approve",
            role=req.user.role,
            by=req.user.login,
            reason=req.form.get("reason", ""),
        )
    except LoanError as err:
        return _reschedules_page(req, 400, err.text(req.lang))
    _audit(req, f"loan_reschedule_{choice}", str(done.id), f"{done.loan}: {done.decision_reason}")
    req.request.session["flash"] = "loan_decided"
    return RedirectResponse("/loans/reschedules", 303)


PAGES: Final[dict[str, Callable[[Req], Response]]] = {
    "loans": my_loans,
    "loan_apply": apply,
    "loan_queue": queue,
    "loan_aging": aging,
    "loan_application": application,
    "loan_decide": decide,
    "loan_disburse": disburse,
    "loan_reschedule": reschedule,
    "loan_reschedules": reschedules,
    "loan_reschedule_decide": reschedule_decide,
}
