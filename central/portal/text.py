"""Every text the portal shows a person, in Bahasa Indonesia (default) and English: one table.

Report column labels and titles come from the books' own table (``central.messages``), so the portal and
the command line name things alike.
"""

from __future__ import annotations

from typing import Final

from central.portal import (
    text_activity,
    text_assets,
    text_board,
    text_branches,
    text_disputes,
    text_files,
    text_groups,
    text_handins,
    text_journal,
    text_late,
    text_loans,
    text_log,
    text_member,
    text_notify,
    text_office,
    text_savings,
    text_statements,
    text_stock,
)

LANGS: Final = ("id", "en")
DEFAULT_LANG: Final = "id"

_CORE: Final[dict[str, tuple[str, str]]] = {
    "portal": ("Portal anggota", "Members' portal"),
    "skip": ("Langsung ke isi", "Skip to content"),
    "nav_home": ("Beranda", "Home"),
    "nav_cashbook": ("Buku kas", "Cash book"),
    "nav_balance_sheet": ("Neraca", "Balance sheet"),
    "nav_income": ("Hasil usaha", "Income"),
    "nav_shu": ("SHU", "SHU"),
    "nav_units": ("Unit usaha", "Units"),
    "nav_audit": ("Catatan audit", "Audit log"),
    "nav_books": ("Buku koperasi", "The cooperative's books"),
    "nav_mine": ("Halaman saya", "My pages"),
    "nav_office": ("Pengurus dan kantor", "Board and office"),
    "nav_purchases": ("Belanja saya", "My purchases"),
    "nav_points": ("Poin saya", "My points"),
    "nav_receipt": ("Cek struk", "Check a receipt"),
    "nav_board": ("Ringkasan pengurus", "Board view"),
    "nav_members": ("Anggota", "Members"),
    "nav_disputes": ("Sanggahan", "Disputes"),
    "nav_quarantine": ("Karantina", "Quarantine"),
    "nav_chains": ("Rantai perangkat", "Device chains"),
    "nav_devices": ("Perangkat", "Devices"),
    "nav_products": ("Barang", "Products"),
    "nav_yearend": ("Tutup buku", "Year-end close"),
    "nav_password": ("Ganti kata sandi", "Change password"),
    "logout": ("Keluar", "Log out"),
    "logged_in_as": ("Masuk sebagai {name} ({login}, {role})", "Logged in as {name} ({login}, {role})"),
    "other_lang": ("English", "Bahasa Indonesia"),
    # login and accounts
    "login_title": ("Masuk", "Log in"),
    "login_field": ("Nomor anggota atau nama pengguna", "Member number or user name"),
    "password_field": ("Kata sandi", "Password"),
    "login_button": ("Masuk", "Log in"),
    "no_password_yet": (
        "Belum punya kata sandi? Minta kode aktivasi di kantor koperasi, lalu buka",
        "No password yet? Ask the cooperative's office for an activation code, then open",
    ),
    "activate_link": ("Aktivasi akun", "Activate your account"),
    "bad_login": (
        "Nomor anggota atau kata sandi salah. Periksa lalu coba lagi.",
        "Wrong member number or password. Check them and try again.",
    ),
    "locked": (
        "Terlalu banyak percobaan yang salah. Demi keamanan, masuk dikunci sampai pukul {until} "
        "(sekitar {minutes} menit lagi). Lupa kata sandi? Minta kode baru di kantor koperasi.",
        "Too many wrong attempts. For your safety, logging in is locked until {until} "
        "(about {minutes} minutes from now). Forgot your password? Ask the office for a new code.",
    ),
    "expired": (
        "Sesi Anda sudah berakhir karena terlalu lama tidak dipakai. Silakan masuk lagi.",
        "Your session has ended because it was idle for too long. Please log in again.",
    ),
    "logged_out": ("Anda sudah keluar.", "You have logged out."),
    "please_login": ("Silakan masuk untuk membuka halaman itu.", "Please log in to open that page."),
    "activate_title": ("Aktivasi akun", "Activate your account"),
    "activate_intro": (
        "Masukkan nomor anggota dan kode aktivasi dari kantor koperasi, lalu buat kata sandi Anda.",
        "Enter your member number and the activation code from the office, then choose your password.",
    ),
    "code_field": ("Kode aktivasi (contoh ABCD-EFGH-JKMN)", "Activation code (like ABCD-EFGH-JKMN)"),
    "new_password": ("Kata sandi baru (minimal {min} karakter)", "New password (at least {min} characters)"),
    "confirm_password": ("Ulangi kata sandi baru", "New password again"),
    "activate_button": ("Simpan kata sandi", "Save password"),
    "bad_activation": (
        "Kode aktivasi salah, sudah dipakai, atau sudah kedaluwarsa. Minta kode baru di kantor koperasi.",
        "The activation code is wrong, already used or expired. Ask the office for a new one.",
    ),
    "activated": ("Kata sandi tersimpan. Selamat datang!", "Password saved. Welcome!"),
    "password_length": (
        "Kata sandi harus {min} sampai {max} karakter.",
        "The password must be {min} to {max} characters long.",
    ),
    "password_mismatch": ("Kedua kata sandi baru tidak sama.", "The two new passwords differ."),
    "password_title": ("Ganti kata sandi", "Change password"),
    "old_password": ("Kata sandi sekarang", "Current password"),
    "password_button": ("Ganti kata sandi", "Change password"),
    "bad_old_password": ("Kata sandi sekarang salah.", "The current password is wrong."),
    "password_changed": (
        "Kata sandi sudah diganti. Sesi lain akun ini sudah ditutup.",
        "Password changed. Other sessions of this account were closed.",
    ),
    # errors
    "forbidden_title": ("Tidak boleh dibuka", "Not allowed"),
    "forbidden": (
        "Halaman ini tidak untuk peran Anda ({role}). Kembali ke beranda.",
        "This page is not for your role ({role}). Go back home.",
    ),
    "not_found_title": ("Tidak ditemukan", "Not found"),
    "not_found": ("Halaman yang Anda cari tidak ada.", "The page you are looking for does not exist."),
    "csrf_title": ("Formulir kedaluwarsa", "Form expired"),
    "csrf": (
        "Formulir ini tidak bisa diterima (sudah lama dibuka atau dikirim dari situs lain). Buka halamannya "
        "lagi lalu kirim ulang.",
        "This form could not be accepted (opened too long ago, or sent from another site). Open the page "
        "again and send it once more.",
    ),
    "bad_request_title": ("Permintaan tidak bisa dibaca", "Request not understood"),
    "bad_request": ("Isian formulir tidak bisa dibaca.", "The form could not be read."),
    "error_title": ("Ada gangguan", "Something went wrong"),
    "error": (
        "Maaf, ada gangguan di server. Coba lagi sebentar lagi; bila terus terjadi, beri tahu kantor.",
        "Sorry, the server had a problem. Try again in a moment; if it persists, tell the office.",
    ),
    "back_home": ("Kembali ke beranda", "Back to home"),
    "to_login": ("Ke halaman masuk", "To the login page"),
    # home
    "hello": ("Halo, {name}", "Hello, {name}"),
    "as_of": ("per {when}", "as of {when}"),
    "savings": ("Simpanan", "Savings"),
    "product": ("Jenis", "Product"),
    "balance": ("Saldo", "Balance"),
    "loans": ("Pinjaman", "Loans"),
    "no_loans": ("Tidak ada pinjaman berjalan.", "No open loans."),
    "outstanding": ("Sisa pinjaman", "Remaining"),
    "next_installment": ("Angsuran berikutnya", "Next installment"),
    "due": ("jatuh tempo {day}", "due {day}"),
    "credit": ("Kredit toko", "Store credit"),
    "credit_used": ("Terpakai", "Used"),
    "credit_limit": ("Batas", "Limit"),
    "points": ("Poin tahun {year}", "Points in {year}"),
    "points_active": ("Poin aktif (transaksi)", "Active points (transactions)"),
    "points_passive": ("Poin pasif (simpanan wajib)", "Passive points (mandatory savings)"),
    "points_bonus": ("Poin bonus rata-rata", "Average bonus points"),
    "points_total": ("Jumlah poin", "Total points"),
    "shu_estimate": ("Perkiraan SHU Anda tahun ini", "Your estimated SHU this year"),
    "shu_estimate_note": (
        "Perkiraan berjalan; angka pasti setelah tutup buku.",
        "A running estimate; final once the year is closed.",
    ),
    "not_available": ("belum tersedia", "not available yet"),
    "purchases": ("Belanja Anda tahun ini", "Your purchases this year"),
    "no_purchases": ("Belum ada belanja.", "No purchases yet."),
    "voided": ("dibatalkan", "voided"),
    "not_me_note": (
        'Ada belanja yang bukan milik Anda? Laporkan "bukan saya" di kios atau ke pengawas.',
        'A purchase that is not yours? Report it as "not me" at the kiosk or to a supervisor.',
    ),
    "staff_home": (
        "Akun staf tidak punya data anggota pribadi. Pilih laporan dari menu.",
        "A staff account has no member data of its own. Choose a report from the menu.",
    ),
    "statement_of": ("Rekening anggota {number}", "Member statement {number}"),
    "your_statement": ("Rekening lengkap Anda", "Your full statement"),
    # reports
    "period": ("Periode", "Period"),
    "from": ("Dari", "From"),
    "to": ("Sampai", "To"),
    "on": ("Per tanggal", "As of"),
    "year": ("Tahun", "Year"),
    "show": ("Tampilkan", "Show"),
    "bad_period": (
        "Tanggal tidak valid; yang ditampilkan: {start} sampai {end}.",
        "Invalid dates; showing {start} to {end}.",
    ),
    "cashbook_intro": (
        "Setiap uang masuk dan keluar koperasi, berurutan, dengan saldo berjalan. Nomor anggota lain "
        'ditulis "anggota".',
        "Every cash receipt and payment of the cooperative, in order, with the running balance. Other "
        'members\' numbers read "member".',
    ),
    "opening": ("Saldo awal", "Opening balance"),
    "closing": ("Saldo akhir", "Closing balance"),
    "total_in": ("Jumlah masuk", "Total in"),
    "total_out": ("Jumlah keluar", "Total out"),
    "col_day": ("Tanggal", "Date"),
    "col_what": ("Uraian", "Description"),
    "col_in": ("Masuk", "In"),
    "col_out": ("Keluar", "Out"),
    "col_balance": ("Saldo", "Balance"),
    "no_rows": ("Tidak ada baris pada periode ini.", "No lines in this period."),
    "page_of": ("Halaman {page} dari {pages}", "Page {page} of {pages}"),
    "prev": ("Sebelumnya", "Previous"),
    "next": ("Berikutnya", "Next"),
    "balanced": ("seimbang", "balanced"),
    "not_balanced": ("TIDAK seimbang", "NOT balanced"),
    "shu_title": ("Pembagian SHU tahun {year}", "SHU allocation of {year}"),
    "shu_not_closed": (
        "Buku tahun {year} belum ditutup; pembagian SHU muncul di sini setelah tutup buku.",
        "The books of {year} are not closed yet; the SHU allocation appears here once they are.",
    ),
    "shu_total": ("SHU tahun ini", "The year's SHU"),
    "fund": ("Dana", "Fund"),
    "percent": ("Persen", "Percent"),
    "amount": ("Jumlah", "Amount"),
    "your_share": ("Bagian Anda", "Your share"),
    "members_share": ("Bagian tiap anggota", "Each member's share"),
    "member": ("Anggota", "Member"),
    "closed_on": ("ditutup {when} oleh {by}", "closed {when} by {by}"),
    "units_title": ("Unit usaha", "Business units"),
    "unit_code": ("Kode", "Code"),
    "unit_name": ("Nama", "Name"),
    "unit_participant": ("Memberi poin anggota", "Earns member points"),
    "yes": ("ya", "yes"),
    "no": ("tidak", "no"),
    "audit_title": ("Catatan audit portal", "Portal audit log"),
    "col_when": ("Waktu", "When"),
    "col_who": ("Siapa", "Who"),
    "col_action": ("Tindakan", "Action"),
    "col_target": ("Sasaran", "Target"),
    "col_address": ("Alamat", "Address"),
    # roles
    "role_anggota": ("anggota", "member"),
    "role_kasir": ("kasir", "clerk"),
    "role_kader": ("kader", "field cadre"),
    "role_ketua": ("ketua", "chair"),
    "role_sekretaris": ("sekretaris", "secretary"),
    "role_bendahara": ("bendahara", "treasurer"),
    "role_pengurus": ("pengurus", "board"),
    "role_pengawas": ("pengawas", "supervisor"),
    "role_manajer": ("manajer", "manager"),
    "role_staf": ("staf kantor", "office staff"),
    # the office's commands
    "issued": (
        "Kode aktivasi untuk {login}: {code}\nBerlaku sampai {expires}. Berikan hanya kepada orangnya; "
        "kode ini hanya bisa dipakai sekali di {url}/activate.",
        "Activation code for {login}: {code}\nValid until {expires}. Give it only to that person; it works "
        "once, at {url}/activate.",
    ),
    "unknown_login": (
        "Tidak ada anggota bernomor {login} (akun staf: tambahkan --staff PERAN).",
        "No member numbered {login} (for a staff account add --staff ROLE).",
    ),
    "bad_staff_role": ("Peran staf harus salah satu dari: {roles}.", "A staff role must be one of: {roles}."),
    "staff_is_member": (
        "{login} adalah nomor anggota; akun staf perlu nama lain.",
        "{login} is a member number; a staff account needs another name.",
    ),
    "state_active": ("aktif", "active"),
    "state_waiting": ("menunggu aktivasi", "waiting for activation"),
    "state_disabled": ("nonaktif", "disabled"),
    "bad_days": ("--days harus 1 sampai {max}.", "--days must be 1 to {max}."),
    "listening": (
        "Portal berjalan di http://{listen} (Ctrl+C untuk berhenti).",
        "Portal running at http://{listen} (Ctrl+C to stop).",
    ),
    "bad_listen": (
        "--listen harus HOST:PORT, misalnya 127.0.0.1:8080.",
        "--listen must be HOST:PORT, e.g. 127.0.0.1:8080.",
    ),
}

_AREAS: Final = (
    text_member.MESSAGES,
    text_board.MESSAGES,
    text_office.MESSAGES,
    text_files.MESSAGES,
    text_loans.MESSAGES,
    text_log.MESSAGES,
    text_savings.MESSAGES,
    text_stock.MESSAGES,
    text_notify.MESSAGES,
    text_handins.MESSAGES,
    text_branches.MESSAGES,
    text_disputes.MESSAGES,
    text_journal.MESSAGES,
    text_late.MESSAGES,
    text_groups.MESSAGES,
    text_assets.MESSAGES,
    text_activity.MESSAGES,
    text_statements.MESSAGES,
)
MESSAGES: Final[dict[str, tuple[str, str]]] = {**_CORE}
for _area in _AREAS:
    _twice = sorted(set(_area) & set(MESSAGES))
    if _twice:
        raise RuntimeError(f"portal texts defined twice: {', '.join(_twice)}")
    MESSAGES.update(_area)


def lang_or_default(value: str | None) -> str:
    return value if value in LANGS else DEFAULT_LANG


def t(key: str, lang: str, **values: object) -> str:
    """The message ``key`` in ``lang``, with ``values`` filled in; a missing key is a programming error."""
    pair = MESSAGES[key]
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text


def rp(value: int | None, lang: str) -> str:
    """Rupiah as Indonesians write them: ``Rp 1.234.567`` (``Rp 1,234,567`` in English), minus in front."""
    if value is None:
        return "-"
    text = f"{abs(int(value)):,}"
    if lang != "en":
        text = text.replace(",", ".")
    return f"-Rp {text}" if value < 0 else f"Rp {text}"


def role_name(role: str, lang: str) -> str:
    key = f"role_{role}"
    return t(key, lang) if key in MESSAGES else role
