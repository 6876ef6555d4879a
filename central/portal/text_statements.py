"""The texts of the annual statements' pages (arus kas, perubahan ekuitas, catatan, the whole set for the
members' meeting) and their files, in Bahasa Indonesia and English (merged into ``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav_cash_flow": ("Arus kas", "Cash flow"),
    "nav_equity": ("Perubahan ekuitas", "Changes in equity"),
    "nav_notes": ("Catatan", "Notes"),
    "nav_statements": ("Laporan tahunan (RAT)", "Annual statements"),
    "stm_title_cash_flow": ("Laporan arus kas {year}", "Cash-flow statement {year}"),
    "stm_title_equity": ("Laporan perubahan ekuitas {year}", "Statement of changes in equity {year}"),
    "stm_title_notes": ("Catatan atas laporan keuangan {year}", "Notes to the financial statements {year}"),
    "stm_title_statements": ("Laporan keuangan tahun buku {year}", "Financial statements of {year}"),
    "stm_compared": (
        "Tahun {year} dibandingkan dengan tahun {before}; jumlah dalam rupiah, angka negatif adalah uang "
        "keluar atau pengurang.",
        "{year} beside {before}; amounts in rupiah, a negative amount is money out or a deduction.",
    ),
    "stm_cash_flow_about": (
        "Metode langsung: setiap penerimaan dan pengeluaran kas dan bank, digolongkan menurut akun lawannya "
        "(operasi, investasi, pendanaan). Kas awal ditambah arus kas bersih sama dengan kas akhir.",
        "Direct method: every receipt and payment of cash and bank, classed by its counter-account "
        "(operating, investing, financing). Opening cash plus the net flow is closing cash.",
    ),
    "stm_equity_about": (
        "Saldo akhir setiap tahun sama dengan ekuitas di neraca pada 31 Desember.",
        "Each year's closing balance is the balance sheet's equity at 31 December.",
    ),
    "stm_statements_about": (
        "Neraca, perhitungan hasil usaha, arus kas, perubahan ekuitas dan catatan: laporan yang diserahkan "
        "kepada Rapat Anggota Tahunan (SAK EP).",
        "Balance sheet, income statement, cash flow, changes in equity and notes: the statements handed to "
        "the annual members' meeting (SAK EP).",
    ),
    "stm_year": ("Tahun buku", "Book year"),
    "stm_bad_year": (
        "Tahun buku harus antara 1901 dan 9999; ditampilkan tahun {year}.",
        "The book year must be between 1901 and 9999; showing {year}.",
    ),
    "stm_bad_year_file": (
        "Tahun buku pada tautan unduhan tidak valid (harus antara 1901 dan 9999). Buka laporannya, pilih "
        "tahunnya, lalu unduh lagi.",
        "The book year in the download link is not valid (it must be between 1901 and 9999). Open the "
        "report, choose the year, then download again.",
    ),
    "file_cash_flow": ("arus-kas", "cash-flow"),
    "file_equity": ("perubahan-ekuitas", "changes-in-equity"),
    "file_notes": ("catatan", "notes"),
    "file_statements": ("laporan-keuangan", "financial-statements"),
}
