"""The printed savings documents, A4 PDFs by the portal's WeasyPrint path (``central.portal.downloads``):
a term deposit's certificate (bilyet), a leaving member's settlement and the month's payroll deduction
list. Each is a ``downloads.Doc`` over a print template that extends ``print_base.html`` (the
cooperative's name, the title, the printed line, the signature lines of the ketua and the bendahara):
the portal serves it with ``downloads.respond`` (its PDF turns and file name), the command line writes it
with ``pdf`` below. Both print the same file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from central.ledger import Ledger
from central.office.leaving import Settlement
from central.office.payroll import LINES, Deduction
from central.portal import downloads, text
from central.portal.settings import Settings
from central.portal.web import Portal
from central.savings.deposits import Placement


@dataclass(frozen=True)
class _Reader:
    """What ``downloads``' helpers read of a request (``long_day``, ``signers``): the ledger and the
    language; the command line has no request."""

    ledger: Ledger
    lang: str

    def t(self, key: str, **values: object) -> str:
        return text.t(key, self.lang, **values)


def _long_day(lang: str) -> Callable[[date], str]:
    months = text.t("months", lang).split()
    return lambda day: f"{day.day} {months[day.month - 1]} {day.year}"


def certificate_doc(ledger: Ledger, placement: Placement, lang: str) -> downloads.Doc:
    """The certificate (bilyet) of a term deposit."""
    product = ledger.config.savings.product(placement.product)
    return downloads.Doc(
        kind="certificate",
        title=text.t("cert_title", lang),
        period=f"{text.t('cert_number', lang)} {placement.code}",
        dates=(),
        sections=(),
        template="print_certificate.html",
        context={
            "placement": placement,
            "member": ledger.member(placement.member),
            "product_name": product.name if product else placement.product,
            "long_day": _long_day(lang),
        },
        rows=1,
        number=placement.code,
    )


def settlement_doc(settlement: Settlement, lang: str) -> downloads.Doc:
    """A leaving member's settlement statement."""
    long_day = _long_day(lang)
    return downloads.Doc(
        kind="settlement",
        title=text.t("lv_title", lang),
        period=text.t("print_on", lang, day=long_day(settlement.on)),
        dates=(settlement.on.isoformat(),),
        sections=(),
        template="print_settlement.html",
        context={"s": settlement},
        rows=len(settlement.lines),
        number=settlement.member,
    )


def payroll_rows(rows: Sequence[Deduction]) -> list[dict[str, Any]]:
    """One row per member with the amount of each line and the member's total, by member number."""
    members: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = members.setdefault(row.member, {"member": row.member, "name": row.name, "total": 0})
        entry[row.line] = entry.get(row.line, 0) + row.amount_rp
        entry["total"] += row.amount_rp
    return [members[k] for k in sorted(members)]


def payroll_doc(rows: Sequence[Deduction], month: str, lang: str) -> downloads.Doc:
    """The month's potong gaji list for the employer: a member a row, wajib, installments, store credit."""
    table = payroll_rows(rows)
    totals = {line: sum(r.get(line, 0) for r in table) for line in LINES}
    return downloads.Doc(
        kind="payroll",
        title=text.t("pay_title", lang),
        period=text.t("pay_month", lang, month=month),
        dates=(month,),
        sections=(),
        template="print_payroll.html",
        context={"rows": table, "lines": LINES, "totals": totals, "total": sum(totals.values())},
        rows=len(table),
    )


def pdf(ledger: Ledger, doc: downloads.Doc, lang: str, *, printed_by: str) -> bytes:
    """``doc`` as an A4 PDF, for the command line (the portal uses ``downloads.respond``)."""
    import weasyprint  # loads Pango on the first PDF only

    reader: Any = _Reader(ledger, lang)
    now = datetime.now(ledger.config.tz)
    day = downloads.long_day(reader, now.date())
    html = downloads.render_print(
        Portal(ledger, Settings()),
        doc,
        lang,
        printed=text.t("print_printed", lang, when=f"{day} {now:%H:%M}", who=printed_by),
        signed_on=day,
        signers=downloads.signers(reader),
    )
    nothing = weasyprint.urls.URLFetcher(allowed_protocols=())
    css = weasyprint.CSS(string=downloads.PRINT_CSS.read_text(encoding="utf-8"), url_fetcher=nothing)
    body: bytes = weasyprint.HTML(string=html, url_fetcher=nothing).write_pdf(stylesheets=[css])
    return body


def certificate_pdf(ledger: Ledger, placement: Placement, lang: str, *, printed_by: str) -> bytes:
    return pdf(ledger, certificate_doc(ledger, placement, lang), lang, printed_by=printed_by)


def settlement_pdf(ledger: Ledger, settlement: Settlement, lang: str, *, printed_by: str) -> bytes:
    return pdf(ledger, settlement_doc(settlement, lang), lang, printed_by=printed_by)


def payroll_pdf(
    ledger: Ledger, rows: Sequence[Deduction], month: str, lang: str, *, printed_by: str
) -> bytes:
    return pdf(ledger, payroll_doc(rows, month, lang), lang, printed_by=printed_by)
