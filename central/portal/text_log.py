"""The texts of the transparency log's pages (``pages_log``) and of the receipt check's inclusion line, in
Bahasa Indonesia and English (merged into ``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav_log": ("Log transparansi", "Transparency log"),
    "log_title": ("Log transparansi buku koperasi", "The cooperative's transparency log"),
    "log_intro": (
        "Setiap transaksi yang diterima pusat, dari toko maupun kantor, menjadi satu daun pohon Merkle "
        "(RFC 6962) yang hanya bisa bertambah. Pusat menandatangani ringkasannya (checkpoint). Siapa pun "
        "bisa menyimpan checkpoint ini dan kemudian memeriksa bahwa tidak ada transaksi yang diubah, "
        "dihapus atau ditukar urutannya, tanpa mempercayai pusat.",
        "Every transaction central accepts, from the shops and from the office, becomes one leaf of a Merkle "
        "tree (RFC 6962) that can only grow. Central signs its summary (a checkpoint). Anybody can keep "
        "these checkpoints and later check that no transaction was changed, removed or reordered, without "
        "trusting central.",
    ),
    "log_none": (
        "Log belum punya checkpoint yang ditandatangani. Kantor menyiapkannya dengan "
        "`central transparency init`.",
        "The log has no signed checkpoint yet. The office sets it up with `central transparency init`.",
    ),
    "log_latest": ("Checkpoint terakhir", "Latest checkpoint"),
    "log_size": ("Jumlah transaksi (ukuran pohon)", "Transactions (tree size)"),
    "log_root": ("Akar pohon (SHA-256)", "Tree root (SHA-256)"),
    "log_signed": ("Ditandatangani", "Signed"),
    "log_origin": ("Nama log", "Log name"),
    "log_note": ("Checkpoint bertanda tangan (simpan salinannya)", "The signed checkpoint (keep a copy)"),
    "log_key": ("Kunci publik log", "The log's public key"),
    "log_key_note": (
        "Cocokkan kunci ini dengan yang diumumkan di kantor dan di rapat anggota sebelum memercayainya.",
        "Compare this key with the one announced at the office and at the members' meeting before "
        "trusting it.",
    ),
    "log_machine": ("Untuk mesin dan saksi", "For machines and witnesses"),
    "log_machine_checkpoint": ("checkpoint terakhir (teks)", "the latest checkpoint (text)"),
    "log_machine_key": ("kunci publik (teks)", "the public key (text)"),
    "log_machine_inclusion": (
        "bukti inklusi sebuah transaksi (JSON)",
        "a transaction's inclusion proof (JSON)",
    ),
    "log_machine_consistency": (
        "bukti konsistensi antara dua checkpoint (JSON)",
        "a consistency proof between two checkpoints (JSON)",
    ),
    "log_verify": ("Memeriksa sendiri", "Checking it yourself"),
    "log_verify_intro": (
        "Pemeriksa kecil ini tidak butuh basis data pusat. Simpan kunci publik dan checkpoint, unduh "
        "buktinya, lalu jalankan:",
        "This small verifier needs no access to central's database. Keep the public key and a checkpoint, "
        "download the proof, then run:",
    ),
    "log_recent": ("Checkpoint terbaru", "Recent checkpoints"),
    "log_bad_size": ("Ukuran pohon harus bilangan bulat.", "A tree size must be a whole number."),
    # the receipt check
    "log_receipt_included": (
        "Tercatat di buku pada posisi {index} dari checkpoint {size}, ditandatangani {time}. "
        "Bukti inklusinya sudah diperiksa dengan kunci publik log.",
        "Included in the books at position {index} of checkpoint {size}, signed at {time}. Its inclusion "
        "proof was verified with the log's public key.",
    ),
    "log_receipt_pending": (
        "Belum ada di checkpoint yang ditandatangani; coba lagi nanti.",
        "Not yet in a signed checkpoint; try again later.",
    ),
    "log_receipt_broken": (
        "PERINGATAN: bukti inklusi gagal ({why}). Laporkan ke pengawas.",
        "WARNING: the inclusion proof failed ({why}). Report it to a supervisor.",
    ),
    "log_receipt_proof": ("Unduh buktinya (JSON)", "Download the proof (JSON)"),
    # devices as witnesses, on the board's pages (/board, /devices)
    "log_flagged": ("Perangkat yang menandai log", "Devices that flagged the log"),
    "log_flagged_note": (
        "Perangkat ini menolak checkpoint dari pusat (bercabang, tidak konsisten, tanda tangan salah) atau "
        "tidak menemukan transaksinya di log. Periksa dengan: central transparency audit.",
        "These devices refused a checkpoint from central (forked, inconsistent, badly signed) or did not "
        "find their transaction in the log. Check with: central transparency audit.",
    ),
    "log_col_witnessed": ("Checkpoint log yang disaksikan", "Log checkpoint witnessed"),
    "log_witnessed_row": (
        "ukuran {size}, ditandatangani {signed}; log bertambah {behind} sejak itu",
        "size {size}, signed {signed}; the log grew by {behind} since",
    ),
    "log_not_witnessed": ("belum ada laporan", "no report yet"),
    "log_col_flags": ("Masalah log yang dilaporkan", "Log problems reported"),
}
