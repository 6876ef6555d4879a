"""The texts of the dispute pages (sanggahan): the cases, a case with its decision, the report by clerk
and device, and what the member reads of the outcome, in Bahasa Indonesia and English (merged into
``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # the list (the title is the one /disputes always had)
    "ds_title": ("Sanggahan anggota", "Members' disputes"),
    "ds_intro": (
        'Pembelian yang dilaporkan anggota sebagai "bukan saya". Pengawas atau manajer memeriksa penjualan, '
        "perangkat, petugas dan waktunya, lalu menerima (penjualan dibatalkan) atau menolak dengan alasan.",
        'Purchases a member reported as "not me". The supervisor or manager looks at the sale, the device, '
        "the clerk and the time, then accepts (the sale is voided) or rejects with a reason.",
    ),
    "ds_filter_state": ("Status", "State"),
    "ds_state_open": ("Terbuka", "Open"),
    "ds_state_decided": ("Sudah diputus", "Decided"),
    "ds_state_all": ("Semua", "All"),
    "ds_state_accepted": ("Diterima", "Accepted"),
    "ds_state_rejected": ("Ditolak", "Rejected"),
    "ds_filter_unit": ("Unit", "Unit"),
    "ds_filter_clerk": ("Petugas", "Clerk"),
    "ds_filter_device": ("Perangkat", "Device"),
    "ds_any": ("semua", "any"),
    "ds_show": ("Tampilkan", "Show"),
    "ds_count": ("{count} sanggahan", "{count} dispute(s)"),
    "ds_none": ("Tidak ada sanggahan yang cocok.", "No disputes match."),
    "ds_report_link": ("Laporan per petugas dan perangkat", "Report by clerk and device"),
    "ds_col_case": ("Sanggahan", "Dispute"),
    "ds_col_member": ("Anggota", "Member"),
    "ds_col_sale": ("Penjualan yang disanggah", "Disputed sale"),
    "ds_col_words": ("Kata anggota", "Member's words"),
    "ds_col_by": ("Dicatat di", "Recorded at"),
    "ds_col_state": ("Status", "State"),
    "ds_by_office": ("kantor ({device})", "office ({device})"),
    "ds_sale_missing": ("penjualan tidak ada di buku besar", "sale not in the ledger"),
    "ds_sale_voided": ("DIBATALKAN", "VOIDED"),
    "ds_open_case": ("Periksa", "Look into it"),
    # a case
    "ds_case_title": ("Sanggahan {id}", "Dispute {id}"),
    "ds_member": ("Anggota", "Member"),
    "ds_words": ("Kata anggota", "Member's words"),
    "ds_recorded": ("Dicatat", "Recorded"),
    "ds_sale": ("Penjualan", "Sale"),
    "ds_sale_at": ("Waktu penjualan", "Time of the sale"),
    "ds_unit": ("Unit", "Unit"),
    "ds_device": ("Perangkat", "Device"),
    "ds_clerk": ("Petugas", "Clerk"),
    "ds_payment": ("Pembayaran", "Payment"),
    "ds_amount": ("Jumlah", "Amount"),
    "ds_items": ("Barang", "Items"),
    "ds_no_clerk": ("(tidak tercatat)", "(not recorded)"),
    "ds_voided_already": (
        "Penjualan ini sudah dibatalkan ({void}): anggota tidak ditagih lagi. Menerima sanggahan mencatatnya "
        "tanpa membatalkan lagi.",
        "This sale is voided already ({void}): the member is not charged for it. Accepting the dispute "
        "records that without voiding again.",
    ),
    "ds_other_disputes": (
        "Penjualan yang sama disanggah lagi: {ids}",
        "The same sale was disputed again: {ids}",
    ),
    "ds_decision": ("Keputusan", "Decision"),
    "ds_decided_line": ("{state} oleh {by} ({role}), {when}", "{state} by {by} ({role}), {when}"),
    "ds_reason": ("Alasan", "Reason"),
    "ds_void": ("Pembatalan", "Void"),
    "ds_accept_legend": ("Terima sanggahan", "Accept the dispute"),
    "ds_accept_help": (
        "Penjualan dibatalkan di rantai kantor: stok kembali, kredit dan poin anggota ikut berkurang.",
        "The sale is voided on the office chain: the stock comes back; the member's credit and points "
        "follow.",
    ),
    "ds_accept_reason": ("Catatan untuk anggota (boleh kosong)", "A note for the member (optional)"),
    "ds_accept": ("Terima dan batalkan penjualan", "Accept and void the sale"),
    "ds_reject_legend": ("Tolak sanggahan", "Reject the dispute"),
    "ds_reject_reason": (
        "Alasan penolakan (dibaca anggota, {min} sampai {max} karakter)",
        "Why it is rejected (the member reads it, {min} to {max} characters)",
    ),
    "ds_reject": ("Tolak", "Reject"),
    "ds_deciders_only": (
        "Hanya pengawas atau manajer yang memutus sanggahan.",
        "Only the supervisor or the manager decides a dispute.",
    ),
    "ds_trail": ("Riwayat", "Trail"),
    "ds_action_open": ("dibuka", "opened"),
    "ds_action_accept": ("diterima", "accepted"),
    "ds_action_reject": ("ditolak", "rejected"),
    "ds_accepted_flash": (
        "Sanggahan diterima; penjualan dibatalkan di rantai kantor.",
        "Dispute accepted; the sale is voided on the office chain.",
    ),
    "ds_accepted_already_flash": (
        "Sanggahan diterima. Penjualan sudah dibatalkan sebelumnya; tidak ada yang dibatalkan lagi.",
        "Dispute accepted. The sale was voided already; nothing was voided again.",
    ),
    "ds_rejected_flash": (
        "Sanggahan ditolak; pembukuan tidak berubah.",
        "Dispute rejected; the books are unchanged.",
    ),
    "ds_bad_decision": ("Pilih terima atau tolak.", "Choose accept or reject."),
    "ds_office_missing": (
        "kunci kantor tidak tersedia untuk portal; terima dengan `central disputes accept`",
        "the office key is not available to the portal; accept with `central disputes accept`",
    ),
    "ds_back": ("Kembali ke daftar sanggahan", "Back to the disputes"),
    # the report
    "ds_report_title": ("Sanggahan per petugas dan perangkat", "Disputes by clerk and device"),
    "ds_report_intro": (
        "Menurut hari sanggahan; petugas dan perangkat adalah yang mencatat penjualan yang disanggah.",
        "By the day of the dispute; the clerk and the device are those that recorded the disputed sale.",
    ),
    "ds_by_clerk": ("Per petugas", "By clerk"),
    "ds_by_device": ("Per perangkat", "By device"),
    "ds_col_key_clerk": ("Petugas", "Clerk"),
    "ds_col_key_device": ("Perangkat", "Device"),
    "ds_col_count": ("Sanggahan", "Disputes"),
    "ds_col_amount": ("Jumlah", "Amount"),
    "ds_col_open": ("Terbuka", "Open"),
    "ds_col_accepted": ("Diterima", "Accepted"),
    "ds_col_rejected": ("Ditolak", "Rejected"),
    "ds_total": ("Jumlah", "Total"),
    "ds_csv": ("Unduh CSV", "Download CSV"),
    "file_disputes": ("sanggahan", "disputes"),
    # what the member reads
    "ds_member_open": (
        "Sanggahan Anda ({day}) sedang diperiksa pengawas.",
        "Your dispute ({day}) is being looked into by the supervisor.",
    ),
    "ds_member_accepted": (
        "Sanggahan Anda diterima pada {day}: pembelian ini dibatalkan, tagihan dan poinnya dihapus.",
        "Your dispute was accepted on {day}: this purchase is voided, its charge and points removed.",
    ),
    "ds_member_rejected": (
        "Sanggahan Anda ditolak pada {day}. Alasan: {reason}",
        "Your dispute was rejected on {day}. Reason: {reason}",
    ),
    "ds_member_note": ("Catatan: {reason}", "Note: {reason}"),
    "ds_mark_accepted": ("SANGGAHAN DITERIMA", "DISPUTE ACCEPTED"),
    "ds_mark_rejected": ("SANGGAHAN DITOLAK", "DISPUTE REJECTED"),
    "ds_home_title": ("Sanggahan saya", "My disputes"),
    "ds_home_sale": ("Belanja {day}, {amount}", "Purchase of {day}, {amount}"),
    "ds_home_open": ("sedang diperiksa", "being looked into"),
    "ds_home_accepted": ("diterima: pembelian dibatalkan", "accepted: the purchase is voided"),
    "ds_home_rejected": ("ditolak: {reason}", "rejected: {reason}"),
}
