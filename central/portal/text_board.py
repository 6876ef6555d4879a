"""The texts of the portal's board pages, in Bahasa Indonesia and English (merged into ``text.MESSAGES``).

Every key starts with ``bd_`` so that none clashes with another area's texts.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # shared
    "bd_search": ("Cari", "Search"),
    "bd_all": ("semua", "all"),
    "bd_none": ("Tidak ada.", "None."),
    "bd_shown": ("{shown} dari {total}", "{shown} of {total}"),
    "bd_bad_query": (
        "Isian pencarian tidak bisa dipakai; yang ditampilkan: {shown}.",
        "The search could not be used; showing: {shown}.",
    ),
    "bd_never": ("belum pernah", "never"),
    # /board
    "bd_title": ("Ringkasan pengurus", "Board view"),
    "bd_as_of": ("Per {day} (bulan ini sejak {start})", "As of {day} (this month since {start})"),
    "bd_day": ("Hari itu", "That day"),
    "bd_today": ("Hari ini", "Today"),
    "bd_month": ("Bulan ini", "This month"),
    "bd_sales": ("Penjualan", "Sales"),
    "bd_sales_unit": ("Penjualan per unit", "Sales per unit"),
    "bd_sales_count": ("{count} transaksi", "{count} sales"),
    "bd_sales_note": (
        "Penjualan yang dibatalkan tidak dihitung. Ketuk untuk laporan hasil usaha.",
        "Voided sales are not counted. Tap for the income statement.",
    ),
    "bd_cash": ("Kas", "Cash"),
    "bd_cash_note": (
        "Saldo akun kas pada akhir hari. Ketuk untuk buku kas.",
        "Cash account balance at the day's end. Tap for the cash book.",
    ),
    "bd_deposits": ("Setoran simpanan", "Savings deposits"),
    "bd_savings_total": ("Jumlah simpanan anggota", "Members' savings in total"),
    "bd_loans_out": ("Pinjaman beredar", "Loans out"),
    "bd_loans_count": (
        "{count} pinjaman berjalan (sisa pokok)",
        "{count} open loans (principal outstanding)",
    ),
    "bd_late": ("Anggota menunggak", "Members in arrears"),
    "bd_late_note": (
        "Angsuran yang jatuh temponya sudah lewat dan belum lunas, menurut jadwal tiap pinjaman.",
        "An installment past its due day and not fully paid, by each loan's schedule.",
    ),
    "bd_late_row": ("{days} hari, {amount}", "{days} days, {amount}"),
    "bd_silent": ("Perangkat tanpa kabar > 1 hari", "Devices silent > 1 day"),
    "bd_quarantine": ("Karantina menunggu", "Quarantine waiting"),
    "bd_disputes_month": ("Sanggahan bulan ini", "Disputes this month"),
    "bd_more": ("{count} lagi", "{count} more"),
    "bd_show_day": ("Lihat per tanggal", "Show as of"),
    # /members
    "bd_members_title": ("Daftar anggota", "Members"),
    "bd_members_search": ("Nomor atau nama", "Number or name"),
    "bd_member_new": ("Tambah anggota", "Add a member"),
    "bd_members_import": ("Impor anggota (CSV)", "Import members (CSV)"),
    "bd_edit": ("Ubah", "Edit"),
    "bd_col_number": ("Nomor", "Number"),
    "bd_col_name": ("Nama", "Name"),
    "bd_col_role": ("Peran", "Role"),
    "bd_col_active": ("Aktif", "Active"),
    "bd_col_credit": ("Kredit", "Credit"),
    "bd_credit_limit": ("batas {amount}", "limit {amount}"),
    "bd_no_members": ("Tidak ada anggota yang cocok.", "No member matches."),
    # /quarantine
    "bd_q_title": ("Karantina", "Quarantine"),
    "bd_q_intro": (
        "Amplop yang ditolak pusat, dengan alasannya. Kantor mencoba ulang atau mengabaikannya lewat "
        "perintah.",
        "Envelopes central refused, with the reason. The office retries or dismisses them by command.",
    ),
    "bd_q_state_open": ("terbuka", "open"),
    "bd_q_state_accepted": ("diterima", "accepted"),
    "bd_q_state_dismissed": ("diabaikan", "dismissed"),
    "bd_q_none": ("Tidak ada baris karantina dengan keadaan ini.", "No quarantine rows in this state."),
    "bd_col_qid": ("No.", "No."),
    "bd_col_received": ("Diterima", "Received"),
    "bd_col_device": ("Perangkat", "Device"),
    "bd_col_seq": ("Seq", "Seq"),
    "bd_col_reason": ("Alasan", "Reason"),
    "bd_col_state": ("Keadaan", "State"),
    "bd_q_item_title": ("Karantina nomor {qid}", "Quarantine row {qid}"),
    "bd_q_id": ("Id amplop", "Envelope id"),
    "bd_q_holds": ("Memegang posisi rantai", "Holds a chain position"),
    "bd_q_holds_yes": (
        "ya: amplop asli yang ditolak isinya; perangkat sudah melewatinya",
        "yes: an authentic envelope refused for its content; its device has moved past it",
    ),
    "bd_q_actions": ("Riwayat tindakan kantor", "The office's actions"),
    "bd_q_no_actions": ("Belum ada tindakan.", "No action yet."),
    "bd_q_action_row": ("{when} · {who} · {action} · {outcome}", "{when} · {who} · {action} · {outcome}"),
    "bd_q_body": ("Isi seperti diterima", "Body as received"),
    "bd_q_hint": (
        "Tindakan dilakukan kantor di komputer pusat:",
        "The office acts on it at the central computer:",
    ),
    "bd_q_reason_example": ("ALASAN", "REASON"),
    "bd_q_back": ("Kembali ke daftar karantina", "Back to the quarantine list"),
    # /chains
    "bd_chains_title": ("Rantai perangkat", "Device chains"),
    "bd_chains_intro": (
        "Per perangkat: transaksi yang tercatat, seq tertinggi dan yang utuh dari 1, celah, rantai putus dan "
        "amplop yang ditolak pusat (sama dengan `python -m central report chains`).",
        "Per device: committed transactions, highest seq and contiguous seq from 1, gaps, broken links and "
        "envelopes central refused (the same as `python -m central report chains`).",
    ),
    # /disputes: central.portal.text_disputes
    # /devices
    "bd_devices_title": ("Perangkat", "Devices"),
    "bd_col_unit": ("Unit", "Unit"),
    "bd_col_branch": ("Cabang", "Branch"),
    "bd_col_added": ("Didaftarkan", "Added"),
    "bd_col_revoked": ("Dicabut", "Revoked"),
    "bd_col_last_tx": ("Transaksi terakhir", "Last transaction"),
    "bd_col_last_heard": ("Kabar terakhir", "Last heard"),
    "bd_col_contiguous": ("Seq utuh / tertinggi", "Contiguous / highest seq"),
    "bd_col_outbox": ("Antrean kirim", "Outbox"),
    "bd_col_version": ("Versi", "Version"),
    "bd_revoke": ("Cabut", "Revoke"),
    "bd_silent_mark": ("tanpa kabar > 1 hari", "silent > 1 day"),
    "bd_office_device": ("perangkat kantor", "the office's device"),
    "bd_devices_note": (
        'Antrean kirim dan versi perangkat lunak belum dilaporkan ke pusat ("-"); lihat di layar perangkat '
        "(`python -m sync status`). Kabar terakhir: amplop asli terakhir yang diterima pusat.",
        'Outbox depth and software version are not reported to central yet ("-"); see them on the device '
        "(`python -m sync status`). Last heard: the latest authentic envelope central received.",
    ),
    # /products
    "bd_products_title": ("Daftar barang", "Products"),
    "bd_products_search": ("SKU atau nama", "SKU or name"),
    "bd_product_new": ("Tambah barang", "Add a product"),
    "bd_col_sku": ("SKU", "SKU"),
    "bd_col_price": ("Harga", "Price"),
    "bd_col_cost": ("Harga pokok", "Cost"),
    "bd_no_products": ("Tidak ada barang yang cocok.", "No product matches."),
    "bd_unit_all": ("Semua unit", "Every unit"),
}
