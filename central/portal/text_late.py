"""The texts of the late-transactions page (transaksi terlambat), in Bahasa Indonesia and English (merged
into ``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav_late": ("Transaksi terlambat", "Late transactions"),
    "late_title": ("Transaksi terlambat", "Late transactions"),
    "late_intro": (
        "Transaksi bertanggal di tahun yang sudah ditutup yang tiba setelah tutup buku (misalnya perangkat "
        "yang offline saat tahun baru). Tidak ditolak dan tidak hilang: dibukukan pada hari pertama tahun "
        "berjalan dengan tanggalnya sendiri, dihitung dalam poin tahun berjalan; laporan tahun yang ditutup "
        "tidak berubah.",
        "Transactions dated in a closed year that arrived after the close (e.g. a device offline over New "
        "Year). Neither refused nor lost: posted on the first day of the open year with their own date, "
        "counted in the open year's points; the closed year's statements do not change.",
    ),
    "late_none": ("Tidak ada transaksi terlambat.", "No late transactions."),
    "late_col_own": ("Tanggal transaksi", "Own date"),
    "late_col_posted": ("Dibukukan", "Posted on"),
    "late_col_device": ("Perangkat", "Device"),
    "late_col_unit": ("Unit", "Unit"),
    "late_col_kind": ("Jenis", "Kind"),
    "late_col_member": ("Anggota", "Member"),
    "late_col_total": ("Jumlah", "Amount"),
    "late_col_id": ("Transaksi", "Transaction"),
}
