"""The texts of the savings pages and printed savings documents (term-deposit certificate, a leaving
member's settlement, the payroll deduction list), in Bahasa Indonesia and English (merged into
``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # the member's savings page
    "nav_savings": ("Simpanan saya", "My savings"),
    "sv_balances": ("Saldo simpanan", "Savings balances"),
    "sv_deposits": ("Simpanan berjangka", "Term deposits"),
    "sv_no_deposits": ("Belum ada simpanan berjangka.", "No term deposits yet."),
    "sv_no_balance": ("Belum ada saldo simpanan.", "No savings balance yet."),
    "sv_certificate": ("Bilyet (PDF)", "Certificate (PDF)"),
    "sv_interest_at_maturity": ("Bunga s.d. jatuh tempo", "Interest to maturity"),
    "sv_accrued": ("Bunga tercatat", "Interest accrued"),
    "sv_state_open": ("berjalan", "running"),
    "sv_state_paid": ("dibayar", "paid out"),
    "sv_state_rolled": ("diperpanjang", "rolled over"),
    "sv_state_withdrawn": ("ditarik sebelum jatuh tempo", "withdrawn early"),
    "sv_staff": (
        "Akun staf tidak punya simpanan sendiri. Simpanan anggota ada di halaman anggota.",
        "A staff account has no savings of its own. Members' savings are on each member's page.",
    ),
    # the certificate (bilyet)
    "file_certificate": ("bilyet-berjangka", "term-deposit-certificate"),
    "cert_title": ("Bilyet Simpanan Berjangka", "Term Deposit Certificate"),
    "cert_number": ("Nomor bilyet", "Certificate number"),
    "cert_member": ("Anggota", "Member"),
    "cert_product": ("Produk", "Product"),
    "cert_principal": ("Nominal", "Principal"),
    "cert_rate": ("Bunga per tahun", "Interest per year"),
    "cert_term": ("Jangka waktu", "Term"),
    "cert_months": ("{n} bulan", "{n} months"),
    "cert_start": ("Tanggal penempatan", "Placed on"),
    "cert_maturity": ("Jatuh tempo", "Matures on"),
    "cert_interest": ("Bunga s.d. jatuh tempo", "Interest to maturity"),
    "cert_at_maturity": ("Saat jatuh tempo", "At maturity"),
    "cert_rule_payout": ("pokok dan bunga dibayarkan", "principal and interest paid out"),
    "cert_rule_rollover": (
        "bunga dibayarkan, pokok diperpanjang satu jangka lagi",
        "interest paid out, principal placed for another term",
    ),
    "cert_rule_rollover_interest": (
        "bunga ditambahkan ke pokok, diperpanjang satu jangka lagi",
        "interest added to the principal, placed for another term",
    ),
    "cert_early": ("Penarikan sebelum jatuh tempo", "Withdrawal before maturity"),
    "cert_early_penalty": ("denda {pct}% dari nominal", "a penalty of {pct}% of the principal"),
    "cert_early_forfeit": ("bunga yang sudah berjalan hangus", "the interest accrued so far is forfeited"),
    "cert_early_none": (
        "tanpa denda, bunga sampai hari penarikan dibayar",
        "no penalty, interest to the day paid",
    ),
    "cert_state": ("Status", "Status"),
    # a leaving member's settlement
    "nav_leaving": ("Penyelesaian anggota keluar", "Leaving member's settlement"),
    "file_settlement": ("penyelesaian-anggota-keluar", "leaving-settlement"),
    "lv_title": ("Penyelesaian Anggota Keluar", "Settlement of a Leaving Member"),
    "lv_line_pokok": ("Simpanan pokok", "Simpanan pokok (entry share)"),
    "lv_line_wajib": ("Simpanan wajib", "Simpanan wajib (mandatory savings)"),
    "lv_line_sukarela": ("Simpanan sukarela", "Simpanan sukarela (voluntary savings)"),
    "lv_line_smsk": ("Simpanan SMSK", "SMSK savings"),
    "lv_line_shr": ("Simpanan hari raya (SHR)", "Holiday savings (SHR)"),
    "lv_line_berjangka": ("Simpanan berjangka", "Term deposit"),
    "lv_line_berjangka_penalty": ("Denda penarikan awal berjangka", "Early-withdrawal penalty"),
    "lv_line_berjangka_interest": ("Bunga simpanan berjangka", "Term-deposit interest"),
    "lv_line_shu": ("SHU yang belum dibayar", "SHU payable"),
    "lv_line_loan": ("Sisa pinjaman", "Loan outstanding"),
    "lv_line_credit": ("Kredit toko", "Store credit owed"),
    "lv_owed_to": ("Hak anggota", "Owed to the member"),
    "lv_owed_by": ("Kewajiban anggota", "Owed by the member"),
    "lv_net_pay": ("Dibayarkan kepada anggota", "Net payable to the member"),
    "lv_net_owe": ("Harus dibayar anggota", "Net owed by the member"),
    "lv_state_draft": ("belum disetujui pengurus", "not yet approved by the board"),
    "lv_state_approved": ("disetujui oleh {by}", "approved by {by}"),
    "lv_state_paying": ("sedang dibayar", "being paid"),
    "lv_state_paid": ("sudah dibayar; anggota nonaktif", "paid; member inactive"),
    "lv_nothing": ("Tidak ada saldo.", "No balances."),
    "lv_cli_hint": (
        "Persetujuan pengurus dan pembayaran: central savings leave approve {member} --by NOMOR-PENGURUS, "
        "lalu central savings leave pay {member}.",
        "The board's approval and the payment: central savings leave approve {member} --by BOARD-NUMBER, "
        "then central savings leave pay {member}.",
    ),
    "lv_what": ("Rincian", "Item"),
    "lv_ref": ("Keterangan", "Reference"),
    "lv_amount": ("Jumlah", "Amount"),
    # the payroll deduction list
    "file_payroll": ("potong-gaji", "payroll-deductions"),
    "pay_title": ("Daftar Potong Gaji", "Payroll Deduction List"),
    "pay_month": ("Bulan {month}", "Month {month}"),
    "pay_member": ("No. anggota", "Member"),
    "pay_name": ("Nama", "Name"),
    "pay_line_wajib": ("Simpanan wajib", "Mandatory savings"),
    "pay_line_angsuran": ("Angsuran pinjaman", "Loan installment"),
    "pay_line_kredit": ("Kredit toko", "Store credit"),
    "pay_total_member": ("Jumlah", "Total"),
    "pay_total": ("Jumlah seluruhnya", "Grand total"),
}
