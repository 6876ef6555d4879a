"""The texts of the stock pages, the stock-count pages, the shrinkage report and their printed forms, in
Bahasa Indonesia and English (merged into ``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav_stock": ("Stok barang", "Stock"),
    "nav_reorder": ("Daftar belanja", "Reorder list"),
    "nav_slow": ("Barang lambat laku", "Slow movers"),
    "nav_below_cost": ("Terjual di bawah modal", "Sold below cost"),
    "nav_counts": ("Stok opname", "Stock counts"),
    "nav_shrinkage": ("Laporan susut", "Shrinkage report"),
    "st_title_onhand": ("Stok barang", "Stock on hand"),
    "st_title_reorder": ("Daftar belanja (pesan ulang)", "Reorder list"),
    "st_title_slow": ("Barang lambat laku", "Slow movers"),
    "st_title_below_cost": ("Barang terjual di bawah harga pokok", "Items sold below cost"),
    "st_as_of": ("Per tanggal {day}", "As of {day}"),
    "st_unit": ("Unit", "Unit"),
    "st_all_units": ("Semua unit", "All units"),
    "st_show": ("Tampilkan", "Show"),
    "st_none": ("Tidak ada barang di daftar ini.", "No items on this list."),
    "st_rules": (
        "Kecepatan jual: rata-rata {window} hari terakhir. Pesan ulang bila stok <= kecepatan x "
        "{lead} hari + minimum; beli sampai kecepatan x {cover} hari + minimum. "
        "Lambat laku: tidak terjual {slow} hari.",
        "Velocity: average of the last {window} days. Reorder when stock <= velocity x {lead} days + "
        "minimum; buy up to velocity x {cover} days + minimum. Slow: no sale in {slow} days.",
    ),
    "st_col_unit": ("Unit", "Unit"),
    "st_col_sku": ("Kode", "SKU"),
    "st_col_name": ("Barang", "Item"),
    "st_col_onhand": ("Stok", "On hand"),
    "st_col_last_purchase": ("Beli terakhir", "Last purchase"),
    "st_col_last_sale": ("Jual terakhir", "Last sale"),
    "st_col_avg_daily": ("Rata-rata jual/hari", "Avg sold/day"),
    "st_col_days_left": ("Cukup (hari)", "Days left"),
    "st_col_value_rp": ("Nilai (harga pokok)", "Value (at cost)"),
    "st_col_reorder_point": ("Titik pesan", "Reorder point"),
    "st_col_order_qty": ("Jumlah beli", "Order qty"),
    "st_col_order_rp": ("Perkiraan biaya", "Estimated cost"),
    "st_col_days_since_sale": ("Hari sejak terjual", "Days since sale"),
    "st_col_lines": ("Baris", "Lines"),
    "st_col_qty": ("Jumlah", "Qty"),
    "st_col_sold_rp": ("Hasil jual", "Sold for"),
    "st_col_cost_rp": ("Harga pokok", "Cost"),
    "st_col_loss_rp": ("Rugi", "Loss"),
    "st_col_counts": ("Opname", "Counts"),
    "st_col_diff_qty": ("Selisih jumlah", "Qty difference"),
    "st_col_surplus_rp": ("Lebih", "Surplus"),
    "st_col_net_rp": ("Bersih", "Net"),
    "st_col_sales_rp": ("Penjualan", "Sales"),
    "st_col_margin_rp": ("Laba kotor", "Gross margin"),
    "st_col_pct_sales": ("% penjualan", "% of sales"),
    "st_col_pct_margin": ("% laba kotor", "% of margin"),
    "file_stock_onhand": ("stok", "stock-on-hand"),
    "file_stock_reorder": ("daftar-belanja", "reorder-list"),
    "file_stock_slow": ("lambat-laku", "slow-movers"),
    "file_stock_below_cost": ("di-bawah-modal", "below-cost"),
    "file_shrinkage": ("susut-persediaan", "shrinkage"),
    "file_count": ("stok-opname", "stock-count"),
    # counts
    "ct_title": ("Stok opname", "Stock counts"),
    "ct_start": ("Mulai stok opname", "Start a count"),
    "ct_section": ("Bagian (kosong: semua barang)", "Section (empty: every item)"),
    "ct_start_button": ("Mulai", "Start"),
    "ct_pick_unit": ("Pilih unit yang dihitung.", "Choose the unit to count."),
    "ct_none": ("Belum ada stok opname.", "No stock counts yet."),
    "ct_number": ("Nomor", "Number"),
    "ct_state": ("Status", "State"),
    "ct_started": ("Dimulai", "Started"),
    "ct_closed": ("Ditutup", "Closed"),
    "ct_decided": ("Diputus", "Decided"),
    "ct_by": ("oleh {who}", "by {who}"),
    "ct_all_items": ("semua barang", "every item"),
    "ct_state_open": ("terbuka", "open"),
    "ct_state_closed": ("menunggu persetujuan", "awaiting approval"),
    "ct_state_approved": ("disetujui, dibukukan", "approved, posted"),
    "ct_state_rejected": ("ditolak", "rejected"),
    "ct_state_cancelled": ("dibatalkan", "cancelled"),
    "ct_count_title": ("Stok opname {id}: {unit}", "Stock count {id}: {unit}"),
    "ct_enter": ("Isi hasil hitung", "Enter what was counted"),
    "ct_sku": ("Kode barang", "Item code"),
    "ct_qty": ("Jumlah dihitung", "Quantity counted"),
    "ct_enter_button": ("Simpan baris", "Save line"),
    "ct_enter_help": (
        "Penjualan tetap berjalan: setiap baris dibandingkan dengan stok pada saat baris itu diisi. "
        "Hitung semua tempat satu barang sebelum mengisinya; mengisi lagi mengganti baris sebelumnya.",
        "Sales go on: each line is compared with stock at the moment it was entered. Count every place of an "
        "item before entering it; entering it again replaces the earlier line.",
    ),
    "ct_close_button": ("Tutup dan bandingkan", "Close and compare"),
    "ct_close_help": (
        "Menutup menghitung stok seharusnya per baris dan nilai selisih pada harga beli terakhir. "
        "Opname semua barang menghitung 0 untuk barang berstok yang tidak diisi.",
        "Closing works out the expected stock of each line and values the difference at the last purchase "
        "price. A count of every item counts 0 for items with stock that were not entered.",
    ),
    "ct_approve_button": ("Setujui dan bukukan", "Approve and post"),
    "ct_reject_button": ("Tolak", "Reject"),
    "ct_cancel_button": ("Batalkan", "Cancel"),
    "ct_reason": ("Alasan", "Reason"),
    "ct_confirm": ("Ketik nomor stok opname untuk memastikan", "Type the count's number to confirm"),
    "ct_confirm_needed": (
        "Ketik nomor stok opname ({id}) untuk memastikan; tidak ada yang diubah.",
        "Type the count's number ({id}) to confirm; nothing was changed.",
    ),
    "ct_decision": ("Keputusan", "Decision"),
    "ct_decide_help": (
        "Persetujuan membukukan selisih: Dr beban susut / Cr persediaan (lebih: sebaliknya), "
        "di rantai kantor.",
        "Approval posts the difference: Dr shrinkage expense / Cr inventory (a surplus the other "
        "way), on the office chain.",
    ),
    "ct_col_counted": ("Dihitung", "Counted"),
    "ct_col_expected": ("Seharusnya", "Expected"),
    "ct_col_diff": ("Selisih", "Difference"),
    "ct_col_cost": ("Harga pokok", "Cost"),
    "ct_col_value": ("Nilai selisih", "Value"),
    "ct_col_at": ("Waktu hitung", "Counted at"),
    "ct_loss": ("Hilang (nilai)", "Missing (value)"),
    "ct_surplus": ("Lebih (nilai)", "Surplus (value)"),
    "ct_net": ("Bersih", "Net"),
    "ct_posted": ("Jurnal {tx} tanggal {day}", "Journal {tx} on {day}"),
    "ct_trail": ("Jejak", "Trail"),
    "ct_started_flash": ("Stok opname dimulai.", "Stock count started."),
    "ct_line_flash": ("Baris disimpan.", "Line saved."),
    "ct_closed_flash": ("Stok opname ditutup; menunggu persetujuan.", "Count closed; awaiting approval."),
    "ct_approved_flash": ("Stok opname disetujui dan dibukukan.", "Count approved and posted."),
    "ct_rejected_flash": ("Stok opname ditolak.", "Count rejected."),
    "ct_cancelled_flash": ("Stok opname dibatalkan.", "Count cancelled."),
    "ct_office_missing": (
        "Kunci kantor tidak tersedia di server portal; persetujuan tidak dapat dibukukan.",
        "The office key is not available to the portal; the approval cannot be posted.",
    ),
    # shrinkage
    "sh_title": ("Laporan susut persediaan", "Shrinkage report"),
    "sh_period": ("Periode {start} s.d. {end}", "Period {start} to {end}"),
    "sh_units": ("Per unit", "Per unit"),
    "sh_items": ("Per barang", "Per item"),
    "sh_none": ("Tidak ada stok opname yang dibukukan dalam periode ini.", "No count posted in this period."),
    "sh_from": ("Dari", "From"),
    "sh_to": ("Sampai", "To"),
    "sh_shifts": ("Per shift petugas", "Per clerk shift"),
    "sh_shifts_help": (
        "Selisih tiap barang dibagi ke shift petugas (dari setoran harian) menurut lamanya shift itu berada "
        "di antara hitungan barang sebelumnya dan hitungan ini; baris petugas '-': waktu tanpa shift "
        "tercatat. Hitung di setiap pergantian shift agar susut jatuh tepat pada satu shift.",
        "Each item's difference is shared over the clerks' shifts (from their hand-ins) by how long each "
        "shift lay between the item's previous count and this one; the row with clerk '-': time no shift "
        "recorded. Count at every shift change and a loss falls on exactly one shift.",
    ),
    "st_col_clerk": ("Petugas", "Clerk"),
    "st_col_device": ("Perangkat", "Device"),
    "st_col_shift": ("Shift", "Shift"),
    "ct_devices": ("Dihitung di kios", "Counted on kiosks"),
    "ct_devices_help": (
        "Setiap kiriman hitungan dari kios. Yang tiba setelah stok opname ditutup tidak dihitung, tetapi "
        "tetap tersimpan di sini.",
        "Every count sent from a kiosk. One that arrived after the count was closed is not counted, but is "
        "kept here.",
    ),
    "ct_device_lines": ("{lines} barang", "{lines} item(s)"),
    "ct_device_taken": ("masuk hitungan", "taken into the count"),
    "ct_device_late": ("terlambat, tidak dihitung", "late, not counted"),
    # price changes
    "nav_prices": ("Perubahan harga", "Price changes"),
    "pr_title": ("Perubahan harga", "Price changes"),
    "pr_intro": (
        "Harga baru berlaku mulai tanggalnya dan sampai ke semua kios unit itu sebagai perubahan katalog. "
        "Penjualan yang sudah terjadi tetap pada harga saat itu.",
        "A new price holds from its day and reaches every kiosk of the unit as a catalog change. Sales "
        "already made keep the price they were made at.",
    ),
    "pr_new": ("Harga baru", "New price"),
    "pr_sku": ("Kode barang", "Item code"),
    "pr_price": ("Harga baru (Rp)", "New price (Rp)"),
    "pr_from": ("Berlaku mulai", "Holds from"),
    "pr_note": ("Catatan", "Note"),
    "pr_button": ("Simpan harga baru", "Save the new price"),
    "pr_item": ("Barang", "Item"),
    "pr_was": ("sebelumnya {amount}", "was {amount}"),
    "pr_state": ("Status", "State"),
    "pr_state_pending": ("menunggu tanggalnya", "waiting for its day"),
    "pr_state_applied": ("berlaku", "in force"),
    "pr_state_cancelled": ("dibatalkan", "cancelled"),
    "pr_cancel": ("Batalkan", "Cancel"),
    "pr_none": ("Belum ada perubahan harga.", "No price changes yet."),
    "pr_saved_flash": ("Perubahan harga disimpan.", "Price change saved."),
    "pr_cancelled_flash": ("Perubahan harga dibatalkan.", "Price change cancelled."),
    "pr_bad_price": (
        "Harga harus angka rupiah bulat, misalnya 70000.",
        "The price must be whole rupiah, for example 70000.",
    ),
    "pr_bad_day": ("Tanggal berlaku harus seperti 2026-03-31.", "The day must be like 2026-03-31."),
    "pr_by": ("oleh {who}", "by {who}"),
}
