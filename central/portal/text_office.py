"""The texts of the portal's office pages, in Bahasa Indonesia and English (merged into ``text.MESSAGES``).

Every key starts with ``office_``. Field names and hints (``office_f_*``, ``office_h_*``) follow the import
files' columns, so a refusal of the import's own rules names the field on the form.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # shared
    "office_save": ("Simpan", "Save"),
    "office_saved": ("Perubahan tersimpan.", "Changes saved."),
    "office_check_field": ("Periksa isian «{field}»: {hint}", "Check the field «{field}»: {hint}"),
    "office_detail": ("Rincian: {detail}", "Details: {detail}"),
    "office_confirm_missing": (
        "Centang kotak konfirmasi dulu, lalu kirim lagi. Tidak ada yang diubah.",
        "Tick the confirmation box first, then send again. Nothing was changed.",
    ),
    "office_back_edit": ("Kembali ke data anggota", "Back to the member's record"),
    "office_print": (
        "Cetak halaman ini (menu peramban: Cetak) dan serahkan kepada anggota.",
        "Print this page (browser menu: Print) and hand it to the member.",
    ),
    # member form
    "office_member_new_title": ("Anggota baru", "New member"),
    "office_member_edit_title": ("Ubah anggota {number}", "Edit member {number}"),
    "office_member_exists": (
        "Nomor anggota {number} sudah ada. Buka halaman ubah anggota itu, atau pakai nomor lain.",
        "Member number {number} already exists. Open that member's edit page, or use another number.",
    ),
    "office_member_intro": (
        "Aturan isian sama dengan impor berkas anggota. Peran dan status aktif berlaku seketika.",
        "The same rules as the members file import. Role and active status take effect at once.",
    ),
    "office_f_number": ("Nomor anggota", "Member number"),
    "office_h_number": (
        "huruf dan angka, tanpa spasi, contoh A001 (paling panjang 40).",
        "letters and digits without spaces, like A001 (at most 40).",
    ),
    "office_f_name": ("Nama", "Name"),
    "office_h_name": ("wajib diisi, paling panjang 200 karakter.", "required, at most 200 characters."),
    "office_f_joined": ("Tanggal masuk", "Joined on"),
    "office_h_joined": ("tanggal seperti 2024-01-31.", "a date like 2024-01-31."),
    "office_f_birth_date": ("Tanggal lahir (boleh kosong)", "Birth date (may be empty)"),
    "office_h_birth_date": ("tanggal seperti 1980-05-17, atau kosong.", "a date like 1980-05-17, or empty."),
    "office_f_phone": ("Nomor HP (boleh kosong)", "Phone (may be empty)"),
    "office_h_phone": (
        "angka saja, contoh 081234567890 atau +6281234567890.",
        "digits only, like 081234567890 or +6281234567890.",
    ),
    "office_f_blood_type": ("Golongan darah (boleh kosong)", "Blood type (may be empty)"),
    "office_h_blood_type": ("A, B, AB atau O, boleh diikuti + atau -.", "A, B, AB or O, optionally + or -."),
    "office_f_role": ("Peran", "Role"),
    "office_h_role": ("pilih salah satu peran dari daftar.", "choose one of the roles in the list."),
    "office_f_credit_limit_rp": (
        "Batas kredit toko, rupiah (kosong: batas umum)",
        "Store credit limit, rupiah (empty: the general limit)",
    ),
    "office_h_credit_limit_rp": (
        "rupiah bulat, contoh 500000 atau 500.000.",
        "whole rupiah, like 500000 or 500.000.",
    ),
    "office_f_active": ("Aktif", "Active"),
    "office_h_active": ("pilih ya atau tidak.", "choose yes or no."),
    "office_card_code": ("Kartu (4 karakter terakhir)", "Card (last 4 characters)"),
    # card and login
    "office_card_title": ("Kartu baru", "New card"),
    "office_card_intro": (
        "Kartu hilang? Buat kode kartu baru; kartu lama tidak berlaku lagi di perangkat setelah unduhan "
        "data anggota berikutnya.",
        "Card lost? Make a new card code; the old card stops working at the devices after the next "
        "members downlink.",
    ),
    "office_card_confirm": ("Ya, ganti kartu anggota ini", "Yes, replace this member's card"),
    "office_card_button": ("Buat kartu baru", "Make a new card"),
    "office_card_done": (
        "Kartu baru untuk {number} {name}: {code}. Kartu lama (…{old}) tidak berlaku lagi di perangkat "
        "setelah unduhan data anggota berikutnya.",
        "New card for {number} {name}: {code}. The old card (…{old}) stops working at the devices after "
        "the next members downlink.",
    ),
    "office_card_print": (
        "Cetak kartunya: python -m provisioning cards (ekspor data anggota dulu).",
        "Print it: python -m provisioning cards (export the members first).",
    ),
    "office_login_title": ("Kode aktivasi portal", "Portal activation code"),
    "office_login_intro": (
        "Buat kode aktivasi sekali pakai (berlaku {days} hari). Bila anggota sudah punya akun, kata sandi "
        "lama dan semua sesinya langsung berhenti berlaku.",
        "Make a one-time activation code (valid {days} days). If the member already has an account, the "
        "old password and every session stop working at once.",
    ),
    "office_login_confirm": ("Ya, buat kode aktivasi baru", "Yes, make a new activation code"),
    "office_login_button": ("Buat kode aktivasi", "Make an activation code"),
    "office_login_for": ("Untuk {name} (nomor anggota {number})", "For {name} (member number {number})"),
    "office_login_code": ("Kode aktivasi", "Activation code"),
    "office_login_until": ("Berlaku sampai {when}, sekali pakai.", "Valid until {when}, once."),
    "office_login_how": (
        "Buka {url}/activate, ketik nomor anggota, kode ini, dan kata sandi baru.",
        "Open {url}/activate, type the member number, this code and a new password.",
    ),
    "office_login_once": (
        "Kode ini hanya ditampilkan sekali dan tidak disimpan. Hilang? Buat kode baru.",
        "This code is shown only once and is not stored. Lost? Make a new one.",
    ),
    # import
    "office_import_title": ("Impor anggota atau barang", "Import members or products"),
    "office_import_intro": (
        "Berkas CSV (UTF-8, pemisah , atau ;) atau Excel .xlsx, paling besar {mb} MB, sama dengan "
        "python -m central import. Semua atau tidak sama sekali: satu baris salah, tidak ada yang diimpor.",
        "A CSV file (UTF-8, , or ; between fields) or an Excel .xlsx, at most {mb} MB, as with python -m "
        "central import. All or nothing: one bad row and nothing is imported.",
    ),
    "office_import_what": ("Jenis data", "What"),
    "office_import_members": ("Anggota", "Members"),
    "office_import_products": ("Barang", "Products"),
    "office_import_columns": ("Kolom: {columns}", "Columns: {columns}"),
    "office_import_file": ("Berkas", "File"),
    "office_import_button": ("Impor", "Import"),
    "office_import_no_file": (
        "Pilih berkas CSV atau .xlsx dulu. Tidak ada yang diimpor.",
        "Choose a CSV or .xlsx file first. Nothing was imported.",
    ),
    "office_import_bad_what": ("Pilih anggota atau barang.", "Choose members or products."),
    "office_import_not_utf8": (
        "Berkas {name} bukan UTF-8 (byte 0x{byte} di baris {line}). Di Excel simpan sebagai "
        '"CSV UTF-8 (Comma delimited)". Tidak ada yang diimpor.',
        'The file {name} is not UTF-8 (byte 0x{byte} on line {line}). In Excel save it as "CSV UTF-8 '
        '(Comma delimited)". Nothing was imported.',
    ),
    "office_import_unreadable": (
        "Berkas tidak bisa dibaca: {detail}. Tidak ada yang diimpor.",
        "The file cannot be read: {detail}. Nothing was imported.",
    ),
    "office_import_bad_rows": (
        "{count} baris salah; tidak ada yang diimpor. Perbaiki baris berikut lalu impor lagi berkas "
        "yang sama.",
        "{count} bad row(s); nothing was imported. Fix the rows below and import the same file again.",
    ),
    "office_import_more_rows": ("… dan {count} baris salah lainnya.", "… and {count} more bad rows."),
    "office_line": ("Baris", "Line"),
    "office_problem": ("Masalah", "Problem"),
    "office_import_done": (
        "{what}: {added} ditambah, {updated} diperbarui.",
        "{what}: {added} added, {updated} updated.",
    ),
    "office_import_semicolon": (
        "Dibaca sebagai CSV dengan pemisah ; (angka gaya Indonesia: 17.500).",
        "Read as a CSV with ; between fields (Indonesian numbers: 17.500).",
    ),
    # products
    "office_product_new_title": ("Barang baru", "New product"),
    "office_product_edit_title": ("Ubah barang {sku}", "Edit product {sku}"),
    "office_product_exists": (
        "Kode barang {sku} sudah ada. Buka halaman ubah barang itu, atau pakai kode lain.",
        "Product code {sku} already exists. Open that product's edit page, or use another code.",
    ),
    "office_product_intro": (
        "Aturan isian sama dengan impor berkas barang. Harga baru sampai di kios pada unduhan katalog "
        "berikutnya.",
        "The same rules as the products file import. A new price reaches the kiosks with the next "
        "catalog downlink.",
    ),
    "office_f_sku": ("Kode barang (SKU)", "Product code (SKU)"),
    "office_h_sku": (
        "huruf, angka, '.', '_' atau '-', contoh kode batang EAN-13.",
        "letters, digits, '.', '_' or '-', like an EAN-13 barcode.",
    ),
    "office_f_unit": ("Unit usaha", "Business unit"),
    "office_h_unit": ("pilih salah satu unit usaha dari daftar.", "choose one of the business units."),
    "office_f_price_rp": ("Harga jual, rupiah", "Price, rupiah"),
    "office_h_price_rp": ("rupiah bulat, contoh 17500 atau 17.500.", "whole rupiah, like 17500 or 17.500."),
    "office_f_cost_rp": ("Harga pokok, rupiah", "Cost, rupiah"),
    "office_h_cost_rp": ("rupiah bulat, contoh 15000 atau 15.000.", "whole rupiah, like 15000 or 15.000."),
    # devices
    "office_revoke_title": ("Cabut perangkat {device}", "Revoke device {device}"),
    "office_device_unit": ("Unit", "Unit"),
    "office_device_branch": ("Cabang", "Branch"),
    "office_device_revoked": (
        "Perangkat ini sudah dicabut ({when}): {reason}",
        "This device is already revoked ({when}): {reason}",
    ),
    "office_revoke_intro": (
        "Setelah dicabut, kiriman perangkat ini berikutnya masuk karantina. Tulis alasannya (disimpan dan "
        "ditampilkan bersama kiriman yang dikarantina).",
        "Once revoked, this device's later envelopes are quarantined. Give the reason (it is kept and "
        "shown with the quarantined envelopes).",
    ),
    "office_revoke_reason": ("Alasan (wajib, paling panjang 200 karakter)", "Reason (required, at most 200)"),
    "office_revoke_button": ("Cabut perangkat", "Revoke the device"),
    "office_revoke_no_reason": (
        "Tulis alasan pencabutan (1 sampai 200 karakter). Perangkat belum dicabut.",
        "Give the reason for revoking (1 to 200 characters). The device was not revoked.",
    ),
    "office_revoke_done": ("Perangkat {device} sudah dicabut.", "Device {device} is revoked."),
    "office_revoke_broker": (
        "Sertifikat broker perangkat ini dicabut terpisah di komputer CA: python -m provisioning revoke "
        '{device} --reason "...".',
        "The device's broker certificate is revoked separately on the CA computer: python -m "
        'provisioning revoke {device} --reason "...".',
    ),
    # year-end
    "office_yearend_title": ("Tutup buku tahun {year}", "Year-end close of {year}"),
    "office_yearend_closed": (
        "Tahun {year} sudah ditutup ({when} oleh {by}).",
        "The year {year} is closed ({when} by {by}).",
    ),
    "office_yearend_see_shu": ("Lihat pembagian SHU", "See the SHU allocation"),
    "office_yearend_running": (
        "Tahun {year} belum berakhir; baru bisa ditutup mulai {day}. Di bawah ini perkiraan sampai hari ini.",
        "The year {year} has not ended; it can be closed from {day}. Below is the estimate to date.",
    ),
    "office_yearend_ready": (
        "Tahun {year} sudah berakhir dan belum ditutup. Periksa pembagian di bawah; menutup buku "
        "membukukan pembagian SHU ke jurnal.",
        "The year {year} has ended and is not closed. Check the allocation below; closing posts the SHU "
        "allocation to the journal.",
    ),
    "office_yearend_nothing": (
        "Tahun {year} tidak punya SHU untuk dibagi (rugi, atau tidak ada anggota berpoin); tidak bisa "
        "ditutup.",
        "The year {year} has no SHU to allocate (a loss, or no member with points); it cannot be closed.",
    ),
    "office_yearend_other": ("Tahun lain", "Another year"),
    "office_yearend_confirm": (
        "Ketik tahunnya sekali lagi untuk menutup buku",
        "Type the year again to close the books",
    ),
    "office_yearend_button": ("Tutup buku tahun {year}", "Close the year {year}"),
    "office_yearend_mismatch": (
        "Ketik tahun {year} persis di kotak konfirmasi. Buku belum ditutup.",
        "Type the year {year} exactly in the confirmation box. The books were not closed.",
    ),
    "office_yearend_bad_year": (
        "Tahun harus angka seperti 2025. Buku belum ditutup.",
        "The year must be a number like 2025. The books were not closed.",
    ),
    "office_yearend_not_over": (
        "Tahun {year} belum berakhir; tutup buku baru bisa mulai 1 Januari tahun berikutnya. Buku belum "
        "ditutup.",
        "The year {year} has not ended; it can be closed from 1 January of the next year. The books were "
        "not closed.",
    ),
    "office_yearend_refused": ("Buku belum ditutup: {reason}", "The books were not closed: {reason}"),
    "office_yearend_done": (
        "Tahun {year} ditutup: SHU {shu} dibagi; {members} anggota menerima {members_rp}.",
        "The year {year} is closed: SHU {shu} allocated; {members} members receive {members_rp}.",
    ),
    "office_yearend_preview": ("Pembagian SHU tahun {year}", "SHU allocation of {year}"),
    "office_yearend_estimate": ("Perkiraan SHU tahun {year}", "Estimated SHU of {year}"),
    "office_points": ("Poin", "Points"),
    "office_members_count": ("{count} anggota", "{count} members"),
    "office_more_members": ("… dan {count} anggota lainnya.", "… and {count} more members."),
}
