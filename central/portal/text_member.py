"""The texts of the portal's member pages, in Bahasa Indonesia and English (merged into ``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "mp_staff": (
        "Akun staf bukan anggota, jadi tidak punya belanja, poin, atau sanggahan sendiri. Data anggota "
        "ada di menu Anggota dan Sanggahan.",
        "A staff account is not a member, so it has no purchases, points or disputes of its own. Members' "
        "data is under Members and Disputes in the menu.",
    ),
    "mp_pay_cash": ("tunai", "cash"),
    "mp_pay_credit": ("kredit", "credit"),
    # purchases
    "mp_purchases_title": ("Belanja saya", "My purchases"),
    "mp_purchases_intro": (
        'Semua belanja atas nomor anggota Anda. Ada yang bukan Anda? Tekan "Bukan saya" pada baris itu; '
        "pengawas akan memeriksanya.",
        'Every purchase under your member number. One that is not yours? Press "Not me" on that line; a '
        "supervisor will look into it.",
    ),
    "mp_purchases_count": (
        "{count} belanja, jumlah {total} (tanpa yang dibatalkan)",
        "{count} purchases, total {total} (voided ones left out)",
    ),
    "mp_no_purchases": ("Tidak ada belanja pada periode ini.", "No purchases in this period."),
    "mp_col_items": ("Barang", "Items"),
    "mp_col_total": ("Total", "Total"),
    "mp_more_items": ("dan {n} lainnya", "and {n} more"),
    "mp_voided": ("DIBATALKAN", "VOIDED"),
    "mp_disputed_mark": ("DISANGGAH {day}", "DISPUTED {day}"),
    "mp_not_me": ("Bukan saya", "Not me"),
    # dispute
    "mp_dispute_title": ("Bukan saya: sanggah belanja", "Not me: dispute a purchase"),
    "mp_sale": ("Transaksi", "Transaction"),
    "mp_when": ("Waktu", "When"),
    "mp_posted_late": ("Dibukukan", "On the books"),
    "mp_posted_late_why": (
        "(tiba setelah tutup buku tahunnya; dibukukan pada hari pertama tahun berjalan)",
        "(arrived after its year was closed; posted on the first day of the open year)",
    ),
    "mp_unit": ("Unit", "Unit"),
    "mp_device": ("Perangkat", "Device"),
    "mp_payment": ("Cara bayar", "Payment"),
    "mp_qty": ("Jml", "Qty"),
    "mp_price": ("Harga", "Price"),
    "mp_dispute_intro": (
        "Jika belanja ini bukan Anda yang melakukan, tulis alasannya lalu kirim. Sanggahan dicatat di buku "
        "koperasi (tidak memindahkan uang); pengawas atau manajer memeriksanya bersama kasir dan perangkat, "
        "lalu membatalkan belanja ini atau menolak sanggahan dengan alasan yang bisa Anda baca.",
        "If you did not make this purchase, write why and send it. The dispute is recorded in the "
        "cooperative's books (it moves no money); a supervisor or the manager looks at it with the clerk and "
        "the device, then voids the purchase or rejects the dispute with a reason you can read.",
    ),
    "mp_reason": ("Alasan ({min} sampai {max} karakter)", "Reason ({min} to {max} characters)"),
    "mp_reason_hint": (
        "Contoh: saya tidak ke toko hari itu; kartu saya hilang sejak tanggal 3.",
        "For example: I was not at the shop that day; my card has been lost since the 3rd.",
    ),
    "mp_dispute_button": ("Kirim: bukan saya", "Send: not me"),
    "mp_back_purchases": ("Kembali ke belanja saya", "Back to my purchases"),
    "mp_reason_length": (
        "Tulis alasan {min} sampai {max} karakter.",
        "Write a reason of {min} to {max} characters.",
    ),
    "mp_reason_chars": (
        "Alasan berisi karakter yang tidak bisa disimpan; tulis teks biasa.",
        "The reason holds characters that cannot be stored; write plain text.",
    ),
    "mp_already_disputed": (
        "Belanja ini sudah Anda sanggah pada {day} (sanggahan {id}). Sanggahan tidak perlu dikirim lagi; "
        "pengawas sedang atau akan memeriksanya.",
        "You already disputed this purchase on {day} (dispute {id}). There is no need to send it again; a "
        "supervisor is looking or will look into it.",
    ),
    "mp_already_voided": (
        "Belanja ini sudah dibatalkan ({id}); tidak ada yang perlu disanggah.",
        "This purchase was already voided ({id}); there is nothing to dispute.",
    ),
    "mp_disputed": (
        "Sanggahan Anda tercatat. Pengawas akan memeriksanya.",
        "Your dispute is recorded. A supervisor will look into it.",
    ),
    "mp_office_missing": (
        "Sanggahan belum bisa dicatat lewat portal: kantor koperasi belum menyiapkan kunci kantor untuk "
        "portal. Kantor perlu menjalankan `python -m central office init` dan menjalankan portal dengan "
        "--office-key. Sementara itu, laporkan belanja ini di kios atau ke pengawas.",
        "Disputes cannot be recorded through the portal yet: the office has not given the portal the office "
        "key. The office needs to run `python -m central office init` and start the portal with "
        "--office-key. Meanwhile, report this purchase at the kiosk or to a supervisor.",
    ),
    "mp_dispute_refused": (
        "Sanggahan tidak tercatat: {why}",
        "The dispute was not recorded: {why}",
    ),
    # points
    "mp_points_title": ("Poin saya tahun {year}", "My points in {year}"),
    "mp_points_intro": (
        "Poin menentukan bagian SHU Anda. Poin aktif dihitung dari jumlah setahun per aturan (bukan per "
        "transaksi); poin pasif dari saldo simpanan wajib; poin bonus rata-rata dari unit non-anggota.",
        "Points decide your share of the SHU. Active points come from the year's total per rule (not per "
        "transaction); passive points from your mandatory savings balance; average bonus points from the "
        "units that do not serve members.",
    ),
    "mp_points_so_far": ("sampai {day}", "up to {day}"),
    "mp_rule": ("Aturan", "Rule"),
    "mp_counted": ("Dihitung", "Counted"),
    "mp_per_point": ("{basis}, {rp} per poin", "{basis}, {rp} per point"),
    "mp_points_col": ("Poin", "Points"),
    "mp_basis_margin": ("margin", "margin"),
    "mp_basis_amount": ("jumlah", "amount"),
    "mp_rule_savings": ("Simpanan {product}", "{product} savings"),
    "mp_rule_interest": ("Bunga pinjaman dibayar", "Loan interest paid"),
    "mp_rule_term": ("Simpanan {product} (per 3 bulan)", "{product} deposit (per 3 months)"),
    "mp_no_active": ("Belum ada poin aktif tahun ini.", "No active points this year yet."),
    "mp_points_rounded": (
        "Poin dihitung persis; yang ditampilkan dibulatkan dua desimal.",
        "Points are computed exactly; shown rounded to two decimals.",
    ),
    "mp_points_unavailable": (
        "Poin tahun ini belum bisa dihitung. Coba lagi nanti atau tanyakan ke kantor.",
        "The points of this year cannot be computed now. Try again later or ask the office.",
    ),
    "mp_bad_year": ("Tahun tidak valid; yang ditampilkan: {year}.", "Invalid year; showing {year}."),
    "mp_points_link": ("Rincian poin per aturan", "Points per rule"),
    # receipt
    "mp_receipt_title": ("Cek struk", "Check a receipt"),
    "mp_receipt_intro": (
        "Ketik atau tempel teks kode QR pada struk (bentuknya KOP1|...|...). Portal memeriksanya di buku "
        "besar pusat, sama seperti perintah verify-receipt.",
        "Type or paste the text of the QR code on a receipt (it looks like KOP1|...|...). The portal checks "
        "it against the central ledger, as the verify-receipt command does.",
    ),
    "mp_qr": ("Teks kode QR", "QR code text"),
    "mp_check": ("Periksa", "Check"),
    "mp_receipt_valid": ("SAH", "VALID"),
    "mp_receipt_mismatch": ("TIDAK SAH", "NOT VALID"),
    "mp_receipt_unknown": ("BELUM ADA DI BUKU BESAR", "NOT IN THE LEDGER"),
    "mp_receipt_malformed": ("BUKAN KODE STRUK", "NOT A RECEIPT CODE"),
    "mp_receipt_proves": (
        "Artinya: transaksi ini ada di buku besar pusat persis seperti yang ditandatangani perangkat kasir; "
        "struk ini tidak dipalsukan.",
        "This means: the transaction is in the central ledger exactly as the counter's device signed it; the "
        "receipt is not forged.",
    ),
    "mp_receipt_member": ("Nomor anggota", "Member number"),
    "mp_total": ("Total", "Total"),
    # home
    "mp_home_purchases_link": (
        'Semua belanja saya (dan "Bukan saya")',
        'All my purchases (and "Not me")',
    ),
}
