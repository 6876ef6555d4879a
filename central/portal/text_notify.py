"""The texts of the SMS pages (the outbox and its log, a member's messages, announcements with their preview,
a member's own choices), in Bahasa Indonesia and English (merged into ``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav_notify": ("SMS", "SMS"),
    "nav_notify_settings": ("Pengaturan SMS", "SMS settings"),
    "nt_title": ("Antrean dan log SMS", "SMS queue and log"),
    "nt_counts": ("Jumlah per status", "Count per state"),
    "nt_filter": ("Tampilkan", "Show"),
    "nt_all": ("semua", "all"),
    "nt_none": ("Belum ada pesan.", "No messages yet."),
    "nt_number": ("No.", "No."),
    "nt_state": ("Status", "State"),
    "nt_kind": ("Jenis", "Kind"),
    "nt_member": ("Anggota", "Member"),
    "nt_phone": ("Nomor", "Number"),
    "nt_attempts": ("Percobaan", "Attempts"),
    "nt_updated": ("Terakhir berubah", "Last change"),
    "nt_sent": ("Terkirim", "Sent"),
    "nt_text": ("Teks", "Text"),
    "nt_error": ("Kesalahan terakhir", "Last error"),
    "nt_log": ("Log percobaan", "Attempts log"),
    "nt_when": ("Waktu", "When"),
    "nt_outcome": ("Hasil", "Outcome"),
    "nt_detail": ("Keterangan", "Detail"),
    "nt_message_title": ("Pesan SMS {id}", "SMS message {id}"),
    "nt_retry": ("Kirim ulang", "Retry"),
    "nt_cancel": ("Batalkan", "Cancel"),
    "nt_confirm": ("Ketik nomor pesan untuk memastikan", "Type the message number to confirm"),
    "nt_confirm_missing": (
        "Ketik nomor pesan untuk memastikan; tidak ada yang diubah.",
        "Type the message number to confirm; nothing was changed.",
    ),
    "nt_retried_flash": ("Pesan diantrekan lagi.", "Message queued again."),
    "nt_cancelled_flash": ("Pesan dibatalkan.", "Message cancelled."),
    "nt_unknown_help": (
        "Status tidak pasti: layanan berhenti saat mengirim, jadi modem mungkin sudah mengirimnya. "
        "Tanyakan ke anggota, lalu kirim ulang atau batalkan.",
        "Unknown: the service stopped while sending, so the modem may have sent it. Check with the member, "
        "then retry or cancel.",
    ),
    "nt_state_queued": ("antre", "queued"),
    "nt_state_sending": ("sedang dikirim", "sending"),
    "nt_state_sent": ("terkirim", "sent"),
    "nt_state_failed": ("gagal", "failed"),
    "nt_state_unknown": ("tidak pasti", "unknown"),
    "nt_state_cancelled": ("dibatalkan", "cancelled"),
    "nt_delivery": ("Laporan kirim", "Delivery"),
    "nt_delivery_sent": ("menunggu laporan", "awaiting report"),
    "nt_delivery_delivered": ("diterima ponsel", "delivered"),
    "nt_delivery_not delivered": ("tidak sampai", "not delivered"),
    "nt_delivery_no report": ("tanpa laporan", "no report"),
    "nt_delivery_help": (
        "Terkirim berarti jaringan sudah menerima pesan. Laporan kirim dari jaringan menyatakan apakah "
        "ponsel anggota menerimanya; jika tidak ada laporan dalam {hours} jam, tertulis 'tanpa laporan' "
        "(pesan mungkin tetap sampai).",
        "Sent means the network took the message. The network's delivery report says whether the member's "
        "phone got it; without a report within {hours} hours it shows 'no report' (it may still have "
        "arrived).",
    ),
    "nt_unmatched": ("Laporan kirim tanpa pesan", "Delivery reports matching no message"),
    "nt_unmatched_help": (
        "Laporan dari jaringan untuk nomor referensi yang tidak dikirim kantor ke nomor itu (atau lebih "
        "lama dari batas tunggu). Disimpan saja; tidak ada pesan yang berubah.",
        "Reports from the network for a reference the office did not send to that number (or older than "
        "the wait). Kept only; no message changed.",
    ),
    "nt_reference": ("Ref.", "Ref."),
    "nt_kind_wajib": ("pengingat simpanan wajib", "wajib reminder"),
    "nt_kind_installment": ("pengingat angsuran", "installment reminder"),
    "nt_kind_arrears": ("pemberitahuan tunggakan", "arrears notice"),
    "nt_kind_birthday": ("ucapan ulang tahun", "birthday greeting"),
    "nt_kind_deposit": ("konfirmasi setoran wajib", "wajib deposit confirmation"),
    "nt_kind_announce": ("pengumuman", "announcement"),
    "nt_kind_blood": ("panggilan donor darah", "blood-donor call"),
    "nt_member_title": ("SMS untuk {number}", "SMS to {number}"),
    # announcements
    "nt_announce": ("Tulis pengumuman", "Write an announcement"),
    "nt_to": ("Kepada", "To"),
    "nt_to_help": (
        "all (semua anggota), role:ketua, members:A001,A002, group:3 (anggota satu kelompok), "
        "village:Sukamaju (anggota kelompok-kelompok di desa itu), branch:bogor (anggota satu cabang), atau "
        "blood:A+ (panggilan donor darah)",
        "all (every member), role:ketua, members:A001,A002, group:3 (a group's members), village:Sukamaju "
        "(the members of that village's groups), branch:bogor (a branch's members), or blood:A+ "
        "(a blood-donor call)",
    ),
    "nt_announce_text": (
        "Teks (untuk donor darah: catatan anggota yang meminta)",
        "Text (for blood: the requesting member's note)",
    ),
    "nt_preview": ("Pratinjau", "Preview"),
    "nt_send": ("Kirim ke {count} anggota", "Send to {count} member(s)"),
    "nt_preview_title": ("Pratinjau", "Preview"),
    "nt_preview_count": (
        "{count} anggota akan menerima pesan ini ({declined} menolak jenis pesan ini).",
        "{count} member(s) will receive this message ({declined} declined this kind).",
    ),
    "nt_preview_sample": ("Teks yang diterima anggota:", "The text members receive:"),
    "nt_nobody": ("Pengumuman ini tidak sampai ke siapa pun.", "This announcement reaches nobody."),
    "nt_announce_missing": ("Isi penerima dan teks pengumuman.", "Fill in the recipients and the text."),
    "nt_count_changed": (
        "Jumlah penerima berubah sejak pratinjau; periksa pratinjau lagi.",
        "The number of recipients changed since the preview; check the preview again.",
    ),
    "nt_announced_flash": ("Pengumuman diantrekan.", "Announcement queued."),
    # a member's own choices
    "nt_settings_title": ("Pengaturan SMS saya", "My SMS settings"),
    "nt_settings_help": (
        "Pilih SMS yang ingin Anda terima. Pemberitahuan tunggakan angsuran selalu dikirim (wajib menurut "
        "perjanjian pinjaman). Panggilan donor darah hanya dikirim jika Anda bersedia.",
        "Choose the SMS you want to receive. Arrears notices are always sent (the loan agreement requires "
        "them). Blood-donor calls are sent only if you agree.",
    ),
    "nt_settings_saved": ("Pengaturan SMS disimpan.", "SMS settings saved."),
    "nt_save": ("Simpan", "Save"),
    "nt_settings_staff": (
        "Akun staf tidak menerima SMS anggota.",
        "A staff account receives no members' SMS.",
    ),
    "nt_settings_missing": (
        "Formulir tidak lengkap; tidak ada yang diubah.",
        "Incomplete form; nothing was changed.",
    ),
}
