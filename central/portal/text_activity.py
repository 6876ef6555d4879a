"""The texts of the board activity pages (keaktifan pengurus, seed 000's merit system), in Bahasa Indonesia
and English (merged into ``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav_activity": ("Keaktifan pengurus", "Board activity"),
    "ba_title": ("Keaktifan pengurus {year}", "Board activity {year}"),
    "ba_intro": (
        "Setiap pengurus melaporkan kegiatannya. Skor = jumlah laporan tiap jenis × poinnya; dana pengurus "
        "dibagi menurut skor.",
        "Each board member reports what they did. Score = reports of each kind × its points; the board "
        "fund is split by the scores.",
    ),
    "ba_year": ("Tahun", "Year"),
    "ba_show": ("Tampilkan", "Show"),
    "ba_points": ("Poin per laporan: {rule}", "Points per report: {rule}"),
    "ba_col_manual": ("Penyesuaian", "Adjustment"),
    "ba_col_score": ("Skor", "Score"),
    "ba_col_share": ("Bagian", "Share"),
    "ba_col_amount": ("Dana pengurus", "Board fund"),
    "ba_total": ("Jumlah", "Total"),
    "ba_fund_closed": (
        "Tahun {year} sudah ditutup: dana pengurus {fund} dibagi seperti di bawah ini.",
        "The year {year} is closed: the board fund of {fund} was split as below.",
    ),
    "ba_fund_open": (
        "Tahun {year} belum ditutup: bagian menurut skor sampai hari ini; rupiahnya dihitung saat tutup "
        "buku.",
        "The year {year} is not closed: shares by the scores so far; the rupiah follow at the close.",
    ),
    "ba_not_by_activity": (
        "Dana pengurus koperasi ini tidak dibagi menurut keaktifan ([shu] board_by_activity).",
        "This cooperative's board fund is not split by activity ([shu] board_by_activity).",
    ),
    "ba_rule_remainder": (
        "Rupiah dibulatkan ke bawah; sisa rupiah diberikan satu per satu kepada sisa pecahan terbesar "
        "(sama besar: nomor anggota terkecil).",
        "Rupiah are rounded down; the rupiah left go one each to the largest fractions left (a tie: the "
        "lowest member number).",
    ),
    "ba_none": ("Belum ada laporan tahun ini.", "No reports this year."),
    "ba_file": ("Laporkan kegiatan", "Report an activity"),
    "ba_reports": ("Laporan kegiatan", "Activity reports"),
    "ba_kind": ("Jenis kegiatan", "Kind of activity"),
    "ba_day": ("Tanggal", "Date"),
    "ba_description": ("Keterangan", "Description"),
    "ba_description_hint": (
        "Di mana, dengan siapa, tentang apa. Misalnya: rapat FGS Dusun Krajan, 14 anggota hadir.",
        "Where, with whom, about what. For example: FGS meeting in Krajan, 14 members came.",
    ),
    "ba_photo": ("Foto (boleh kosong)", "Photo (optional)"),
    "ba_send": ("Kirim laporan", "Send the report"),
    "ba_filed_flash": ("Laporan kegiatan tersimpan.", "Activity report saved."),
    "ba_year_closed": (
        "Tahun {year} sudah ditutup; dana pengurusnya sudah dibagi. Laporan untuk tahun itu tidak "
        "diterima lagi.",
        "The year {year} is closed; its board fund is already split. Reports for it are no longer taken.",
    ),
    "ba_report_title": ("Laporan kegiatan nomor {number}", "Activity report number {number}"),
    "ba_back": ("Kembali ke keaktifan pengurus", "Back to board activity"),
    "ba_filed_by": ("Dikirim oleh {who}", "Sent by {who}"),
}
