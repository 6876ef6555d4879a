"""The texts of the daily-deposit pages (setoran harian), in Bahasa Indonesia and English (merged into
``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav_handins": ("Setoran harian", "Daily deposits"),
    "hi_title": ("Setoran harian", "Daily deposits"),
    "hi_day": ("Tanggal", "Day"),
    "hi_show": ("Tampilkan", "Show"),
    "hi_none": ("Tidak ada setoran pada tanggal ini.", "No hand-ins on this day."),
    "hi_col_unit": ("Unit", "Unit"),
    "hi_col_clerk": ("Petugas", "Clerk"),
    "hi_col_device": ("Perangkat", "Device"),
    "hi_col_period": ("Shift", "Shift"),
    "hi_col_expected_device": ("Seharusnya (perangkat)", "Expected (device)"),
    "hi_col_expected_ledger": ("Seharusnya (buku besar)", "Expected (ledger)"),
    "hi_col_counted": ("Dihitung petugas", "Counted by clerk"),
    "hi_col_received": ("Diterima bendahara", "Received by treasurer"),
    "hi_col_difference": ("Selisih", "Difference"),
    "hi_col_transactions": ("Transaksi", "Transactions"),
    "hi_disagrees": ("perangkat tidak cocok dengan buku besar", "the device does not match the ledger"),
    "hi_by": ("oleh {who}", "by {who}"),
    "hi_confirm": ("Terima", "Confirm receipt"),
    "hi_received_rp": ("Uang diterima (Rp)", "Cash received (Rp)"),
    "hi_confirmed_flash": (
        "Setoran dikonfirmasi; selisih (bila ada) dibukukan.",
        "Hand-in confirmed; any difference booked.",
    ),
    "hi_bad_amount": (
        "Isi uang yang diterima sebagai rupiah bulat tanpa titik, misalnya 150000.",
        "Enter the cash received as whole rupiah without separators, e.g. 150000.",
    ),
    "hi_office_missing": (
        "kunci kantor tidak tersedia untuk portal; konfirmasi dengan `central handins confirm`",
        "the office key is not available to the portal; confirm with `central handins confirm`",
    ),
    "hi_missing": ("Shift tanpa setoran", "Shifts without a hand-in"),
    "hi_missing_none": ("Semua shift hari ini sudah disetor.", "Every shift of this day was handed in."),
    "hi_col_count": ("Jumlah transaksi", "Transactions"),
    "hi_col_cash": ("Uang tunai seharusnya", "Cash expected"),
    "board_handins_missing": (
        "{count} shift tanpa setoran kemarin",
        "{count} shift(s) without a hand-in yesterday",
    ),
}
