"""The printed savings documents, A4 PDFs by the portal's WeasyPrint path (``central.portal.downloads``):
a term deposit's certificate (bilyet), a leaving member's settlement and the month's payroll deduction
list. Each carries the cooperative's name, the title, the printed line and the signature lines of the
ketua and the bendahara (``print_base.html``). The command line and the portal print the same files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from central.ledger import Ledger
from central.office.payroll import LINES, Deduction
from central.portal import downloads, text
from central.portal.settings import Settings
from central.portal.web import Portal
from central.savings.deposits import Placement
from central.savings.leaving import Settlement


@dataclass(frozen=True)
class _Reader:
    """What ``downloads``' helpers read of a request: the ledger and the language."""

    ledger: Ledger
    lang: str

    def t(self, key: str, **values: object) -> str:
        return text.t(key, self.lang, **values)


def render_pdf(
    ledger: Ledger,
    template: str,
    lang: str,
    *,
    title: str,
    period: str,
    printed_by: str,
    portal: Portal | None = None,
    **context: Any,
) -> bytes:
    """``template`` (extending ``print_base.html``) as an A4 PDF."""
    import weasyprint  # loads Pango on the first PDF only

    reader = _Reader(ledger, lang)
    now = datetime.now(ledger.config.tz)
    day = downloads.long_day(reader, now.date())  # type: ignore[arg-type]
    html = (portal or Portal(ledger, Settings())).html(
        template,
        lang,
        doc_title=title,
        period=period,
        printed=text.t("print_printed", lang, when=f"{day} {now:%H:%M}", who=printed_by),
        signed_on=day,
        signers=downloads.signers(reader),  # type: ignore[arg-type]
        long_day=lambda d: downloads.long_day(reader, d),  # type: ignore[arg-type]
        **context,
    )
    nothing = weasyprint.urls.URLFetcher(allowed_protocols=())
    css = weasyprint.CSS(string=downloads.PRINT_CSS.read_text(encoding="utf-8"), url_fetcher=nothing)
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=nothing).write_pdf(stylesheets=[css])
    return pdf


def certificate_pdf(
    ledger: Ledger, placement: Placement, lang: str, *, printed_by: str, portal: Portal | None = None
) -> bytes:
    """The certificate (bilyet) of a term deposit."""
    member = ledger.member(placement.member)
    product = ledger.config.savings.product(placement.product)
    return render_pdf(
        ledger,
        "print_certificate.html",
        lang,
        title=text.t("cert_title", lang),
        period=f"{text.t('cert_number', lang)} {placement.code}",
        printed_by=printed_by,
        portal=portal,
        placement=placement,
        member=member,
        product_name=product.name if product else placement.product,
    )


def settlement_pdf(
    ledger: Ledger, settlement: Settlement, lang: str, *, printed_by: str, portal: Portal | None = None
) -> bytes:
    """A leaving member's settlement statement."""
    reader = _Reader(ledger, lang)
    return render_pdf(
        ledger,
        "print_settlement.html",
        lang,
        title=text.t("lv_title", lang),
        period=text.t("print_on", lang, day=downloads.long_day(reader, settlement.on)),  # type: ignore[arg-type]
        printed_by=printed_by,
        portal=portal,
        s=settlement,
    )


def payroll_rows(rows: Sequence[Deduction]) -> list[dict[str, Any]]:
    """One row per member with the amount of each line and the member's total, by member number."""
    members: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = members.setdefault(row.member, {"member": row.member, "name": row.name, "total": 0})
        entry[row.line] = entry.get(row.line, 0) + row.amount_rp
        entry["total"] += row.amount_rp
    return [members[k] for k in sorted(members)]


def payroll_pdf(
    ledger: Ledger, rows: Sequence[Deduction], month: str, lang: str, *, printed_by: str
) -> bytes:
    """The month's potong gaji list for the employer: a member a row, wajib, installments, store credit."""
    table = payroll_rows(rows)
    totals = {line: sum(r.get(line, 0) for r in table) for line in LINES}
    return render_pdf(
        ledger,
        "print_payroll.html",
        lang,
        title=text.t("pay_title", lang),
        period=text.t("pay_month", lang, month=month),
        printed_by=printed_by,
        rows=table,
        lines=LINES,
        totals=totals,
        total=sum(totals.values()),
    )
