"""The texts of the members' assets pages (aset produktif anggota), in Bahasa Indonesia and English (merged
into ``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav_assets": ("Aset saya", "My assets"),
    "nav_assets_all": ("Aset anggota", "Members' assets"),
    "as_title": ("Aset produktif", "Productive assets"),
    "as_title_all": ("Aset produktif anggota", "Members' productive assets"),
    "as_intro": (
        "Warung, ternak, lahan atau kendaraan yang menghasilkan. Hanya Anda, kader kelompok Anda, "
        "pengurus, pengawas dan kantor yang dapat melihatnya.",
        "A shop, livestock, land or a vehicle that earns. Only you, your group's cadre, the board, the "
        "supervisors and the office can see it.",
    ),
    "as_none": ("Belum ada aset tercatat.", "No assets recorded yet."),
    "as_add": ("Tambah aset", "Add an asset"),
    "as_total": ("Jumlah nilai", "Total value"),
    "as_count": ("{count} aset", "{count} asset(s)"),
    "as_kind": ("Jenis", "Kind"),
    "as_all_kinds": ("Semua jenis", "Every kind"),
    "as_member": ("Nomor anggota", "Member number"),
    "as_member_hint": (
        "Kosongkan untuk aset Anda sendiri.",
        "Leave empty for your own asset.",
    ),
    "as_description": ("Keterangan", "Description"),
    "as_description_hint": (
        "Misalnya: warung sembako 3 x 4 m di depan rumah; 2 ekor sapi.",
        "For example: a grocery shop 3 x 4 m in front of the house; 2 cows.",
    ),
    "as_value": ("Perkiraan nilai (Rp)", "Estimated value (Rp)"),
    "as_day": ("Tanggal perkiraan", "Date of the estimate"),
    "as_photo": ("Foto (dari kamera atau galeri)", "Photo (from the camera or gallery)"),
    "as_photo_hint": (
        "JPEG, PNG atau WebP, paling besar {mb} MB. Foto disimpan ulang dan diperkecil.",
        "JPEG, PNG or WebP, at most {mb} MB. The photo is re-saved and made smaller.",
    ),
    "as_keep_location": ("Simpan lokasi foto (GPS)", "Keep the photo's location (GPS)"),
    "as_keep_location_hint": (
        "Biasanya tidak perlu. Tanpa centang, lokasi di dalam foto dibuang.",
        "Usually not needed. Unticked, the location inside the photo is dropped.",
    ),
    "as_save": ("Simpan aset", "Save the asset"),
    "as_saved_flash": ("Aset tersimpan.", "Asset saved."),
    "as_value_flash": ("Nilai baru tersimpan.", "New value saved."),
    "as_photo_flash": ("Foto tersimpan.", "Photo saved."),
    "as_filter": ("Tampilkan", "Show"),
    "as_more": (
        "{count} aset lagi tidak ditampilkan: saring menurut anggota atau jenis, atau unduh CSV.",
        "{count} more asset(s) not shown: filter by member or kind, or download the CSV.",
    ),
    "as_csv": ("Unduh CSV", "Download CSV"),
    "as_col_value": ("Nilai", "Value"),
    "as_col_day": ("Per tanggal", "As of"),
    "as_photos": ("Foto", "Photos"),
    "as_no_photo": ("Belum ada foto.", "No photo yet."),
    "as_located": ("lokasi disimpan", "location kept"),
    "as_history": ("Riwayat nilai", "Value history"),
    "as_note": ("Catatan", "Note"),
    "as_by": ("Oleh", "By"),
    "as_recorded": ("Dicatat oleh {who} pada {day}", "Recorded by {who} on {day}"),
    "as_new_value": ("Perbarui nilai", "Update the value"),
    "as_new_value_button": ("Simpan nilai", "Save the value"),
    "as_add_photo": ("Tambah foto", "Add a photo"),
    "as_add_photo_button": ("Kirim foto", "Send the photo"),
    "as_back": ("Kembali ke daftar aset", "Back to the assets"),
    "as_no_file": ("Pilih foto dulu, lalu kirim.", "Choose a photo first, then send it."),
    "as_need_member": (
        "Isi nomor anggota pemilik aset.",
        "Enter the member number of the asset's owner.",
    ),
    "as_not_yours": (
        "Anda hanya dapat mencatat aset Anda sendiri.",
        "You can only record your own assets.",
    ),
    "as_read_only": (
        "Anda dapat melihat aset ini tetapi tidak mengubahnya.",
        "You can see this asset but not change it.",
    ),
    "upload_file_too_large": (
        "Berkasnya lebih dari {mb} MB, terlalu besar untuk dikirim: kirim berkas yang lebih kecil.",
        "The file is more than {mb} MB, too large to send: send a smaller file.",
    ),
    "upload_too_large": (
        "Berkasnya lebih dari {mb} MB, terlalu besar untuk dikirim: ambil foto dengan resolusi lebih "
        "rendah atau kirim salinan yang lebih kecil.",
        "The file is more than {mb} MB, too large to send: take the photo at a lower resolution or send "
        "a smaller copy.",
    ),
}
