"""The texts of the portal's downloads (CSV and PDF of each report), in Bahasa Indonesia and English
(merged into ``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # the links on each report page
    "downloads": ("Unduh laporan ini", "Download this report"),
    "download_csv": ("CSV (Excel)", "CSV (Excel)"),
    "download_pdf": ("PDF untuk dicetak", "PDF to print"),
    "download_note": (
        "Seluruh periode di atas, bukan hanya halaman ini.",
        "The whole period above, not only this page.",
    ),
    # the file names (ASCII: a browser saves them as they are)
    "file_cashbook": ("buku-kas", "cash-book"),
    "file_balance_sheet": ("neraca", "balance-sheet"),
    "file_income": ("hasil-usaha", "income"),
    "file_shu": ("pembagian-shu", "shu-allocation"),
    "file_member": ("rekening-anggota", "member-statement"),
    # refusals
    "download_refused": ("Unduhan tidak bisa dibuat", "The download could not be made"),
    "download_bad_period": (
        "Tanggal pada tautan unduhan tidak valid. Buka laporannya, pilih periode, lalu unduh lagi.",
        "The dates in the download link are not valid. Open the report, choose the period, then download "
        "again.",
    ),
    "download_too_long": (
        "Buku kas bisa diunduh paling lama {max} hari sekaligus. Pilih periode yang lebih pendek.",
        "The cash book can be downloaded for at most {max} days at once. Choose a shorter period.",
    ),
    "download_too_many": (
        "Laporan ini punya {rows} baris, terlalu banyak untuk satu PDF (paling banyak {max}). Pilih periode "
        "yang lebih pendek, atau unduh CSV.",
        "This report has {rows} lines, too many for one PDF (at most {max}). Choose a shorter period, or "
        "download the CSV.",
    ),
    "download_busy": (
        "Server sedang membuat PDF lain. Coba lagi sebentar lagi.",
        "The server is busy making other PDFs. Try again in a moment.",
    ),
    # the printed document
    "print_period": ("Periode {start} s.d. {end}", "Period {start} to {end}"),
    "print_on": ("Per {day}", "As of {day}"),
    "print_book_year": ("Tahun buku {year}", "Book year {year}"),
    "print_printed": ("Dicetak {when} oleh {who}", "Printed {when} by {who}"),
    "print_page": ("Halaman", "Page"),
    "print_of": ("dari", "of"),
    "print_masked": (
        'Nomor anggota lain ditulis "anggota".',
        'Other members\' numbers read "member".',
    ),
    "col_unit": ("Unit", "Unit"),
    "col_member": ("Anggota", "Member"),
    "col_tx": ("No. transaksi", "Transaction"),
    "sign_intro": ("Mengetahui dan mengesahkan,", "Acknowledged and approved,"),
    "sign_ketua": ("Ketua", "Chair (Ketua)"),
    "sign_bendahara": ("Bendahara", "Treasurer (Bendahara)"),
    "sign_blank": ("(nama jelas)", "(full name)"),
    "months": (
        "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
        "January February March April May June July August September October November December",
    ),
}
