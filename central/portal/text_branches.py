"""The texts of the branch pages (perbandingan cabang), in Bahasa Indonesia and English (merged into
``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav_branches": ("Perbandingan cabang", "Branches compared"),
    "br_title": ("Perbandingan cabang", "Branches compared"),
    "br_month": ("Bulan", "Month"),
    "br_show": ("Tampilkan", "Show"),
    "br_branch": ("Cabang", "Branch"),
    "br_all": ("Semua cabang (konsolidasi)", "All branches (consolidated)"),
    "br_office": ("Kantor pusat", "Central office"),
    "br_total": ("Jumlah (konsolidasi)", "Total (consolidated)"),
    "br_sales": ("Penjualan", "Sales"),
    "br_margin": ("Laba kotor", "Gross margin"),
    "br_shrinkage": ("Susut persediaan", "Shrinkage"),
    "br_handin_expected": ("Setoran seharusnya", "Hand-ins expected"),
    "br_handin_difference": ("Selisih setoran", "Hand-in difference"),
    "br_devices": ("Perangkat", "Devices"),
    "br_offline": ("tanpa kabar", "offline"),
    "br_help": (
        "Setiap transaksi masuk cabang perangkat yang mencatatnya; catatan kantor (rantai kantor) masuk "
        "kantor pusat. Laba kotor = penjualan - harga pokok. Susut = nilai kehilangan bersih stock opname "
        "yang disetujui bulan ini. Selisih setoran = diterima (atau dihitung) - seharusnya; minus berarti "
        "kurang. Perangkat tanpa kabar: tidak terdengar lebih dari 1 hari.",
        "Each transaction belongs to the branch of the device that recorded it; the office's own entries "
        "(the office chain) belong to the central office. Gross margin = sales - cost of goods. Shrinkage = "
        "the net loss of the stock counts approved this month. Hand-in difference = received (or counted) "
        "- expected; below zero is short. Offline: not heard from for more than 1 day.",
    ),
    "br_units": ("Penjualan dan laba kotor per unit: {branch}", "Sales and gross margin per unit: {branch}"),
    "br_unit": ("Unit", "Unit"),
    "br_cost": ("Harga pokok", "Cost of goods"),
    "br_no_sales": ("Tidak ada penjualan bulan ini.", "No sales this month."),
    "file_branches": ("perbandingan-cabang", "branches"),
}
