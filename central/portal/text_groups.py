"""The texts of the group pages (Focus Group Symbiosis, meetings, attendance, cadres' visit reports), in
Bahasa Indonesia and English (merged into ``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav_groups": ("Kelompok", "Groups"),
    "nav_visits": ("Laporan kader", "Cadre reports"),
    "gr_title": ("Kelompok (FGS)", "Groups (FGS)"),
    "gr_new": ("Kelompok baru", "New group"),
    "gr_edit": ("Ubah kelompok", "Edit group"),
    "gr_visits": ("Laporan kunjungan kader", "Cadres' visit reports"),
    "gr_group": ("Kelompok", "Group"),
    "gr_name": ("Nama kelompok", "Group name"),
    "gr_village": ("Desa", "Village"),
    "gr_all_villages": ("Semua desa", "Every village"),
    "gr_cadre": ("Kader", "Cadre"),
    "gr_all_cadres": ("Semua kader", "Every cadre"),
    "gr_choose": ("- pilih -", "- choose -"),
    "gr_no_cadres": (
        "Belum ada anggota berperan kader. Ubah peran seorang anggota menjadi kader dulu.",
        "No member has the role kader yet. Give a member that role first.",
    ),
    "gr_members": ("Anggota kelompok", "Group members"),
    "gr_member": ("Anggota", "Member"),
    "gr_members_count": ("{count} anggota", "{count} members"),
    "gr_no_members": ("Kelompok ini belum punya anggota.", "This group has no members yet."),
    "gr_rate": ("Kehadiran", "Attendance"),
    "gr_col_attended": ("Hadir", "Attended"),
    "gr_attended_of": ("hadir {attended} dari {held}", "attended {attended} of {held}"),
    "gr_none": (
        "Anda belum masuk kelompok mana pun. Tanyakan kepada kader atau kantor koperasi.",
        "You are not in a group yet. Ask your cadre or the cooperative's office.",
    ),
    "gr_none_everyone": ("Belum ada kelompok.", "No groups yet."),
    "gr_save": ("Simpan", "Save"),
    "gr_add_numbers": (
        "Tambah anggota (nomor anggota, pisahkan dengan spasi)",
        "Add members (member numbers)",
    ),
    "gr_one_group": (
        "Satu anggota hanya di satu kelompok; keluarkan dulu dari kelompok lamanya untuk memindahkan.",
        "A member is in one group at a time; remove them from their old group first to move them.",
    ),
    "gr_add": ("Tambahkan", "Add"),
    "gr_remove": ("Keluarkan", "Remove"),
    "gr_created_flash": (
        "Kelompok dibuat. Sekarang tambahkan anggotanya.",
        "Group created. Now add its members.",
    ),
    "gr_saved_flash": ("Perubahan kelompok disimpan.", "The group's changes are saved."),
    "gr_audience_codes": ("Kode kelompok dan desa", "Group and village codes"),
    # meetings
    "gr_meetings": ("Pertemuan", "Meetings"),
    "gr_no_meetings": ("Belum ada pertemuan pada masa ini.", "No meetings in this period."),
    "gr_meeting_new": ("Catat pertemuan", "Record a meeting"),
    "gr_meeting_fix": ("Perbaiki pertemuan", "Correct the meeting"),
    "gr_meeting_title": ("Pertemuan {day}", "Meeting of {day}"),
    "gr_day": ("Tanggal pertemuan", "Date of the meeting"),
    "gr_place": ("Tempat", "Place"),
    "gr_agenda": ("Acara", "Agenda"),
    "gr_notes": ("Catatan (dinamika kelompok, keputusan)", "Notes (how it went, what was decided)"),
    "gr_notes_short": ("Catatan", "Notes"),
    "gr_who_came": ("Yang hadir (centang)", "Who came (tick)"),
    "gr_save_meeting": ("Simpan pertemuan", "Save the meeting"),
    "gr_meeting_flash": ("Pertemuan dan daftar hadir disimpan.", "The meeting and its attendance are saved."),
    "gr_present": ("Hadir", "Present"),
    "gr_present_count": ("{present} dari {members} hadir", "{present} of {members} present"),
    "gr_attendance": ("Daftar hadir", "Attendance"),
    "gr_my_attendance": ("Kehadiran saya", "My attendance"),
    "gr_you_present": ("Anda hadir", "You were there"),
    "gr_you_absent": ("Anda tidak hadir", "You were not there"),
    "gr_yes": ("hadir", "present"),
    "gr_no": ("tidak hadir", "absent"),
    "gr_not_listed": (
        "Anda belum menjadi anggota kelompok saat pertemuan ini.",
        "You were not a member of the group at this meeting.",
    ),
    # visit reports
    "gr_visit_new": ("Lapor kunjungan", "File a visit report"),
    "gr_visit_title": ("Kunjungan {day}", "Visit of {day}"),
    "gr_visit_day": ("Tanggal kunjungan", "Date of the visit"),
    "gr_about": ("Yang dikunjungi", "Visited"),
    "gr_whole_group": ("Seluruh kelompok {name}", "The whole group {name}"),
    "gr_report": ("Laporan", "Report"),
    "gr_photo": ("Foto (boleh kosong)", "Photo (optional)"),
    "gr_photo_help": (
        "JPEG, PNG atau WebP, paling besar {mb} MB. Paling banyak {most} foto per laporan; foto berikutnya "
        "ditambahkan satu per satu di halaman laporan. Lokasi GPS di foto dibuang.",
        "JPEG, PNG or WebP, at most {mb} MB. At most {most} photos per report; add more one at a time on the "
        "report's page. The photo's GPS position is removed.",
    ),
    "gr_photo_alt": ("Foto kunjungan {n}", "Visit photo {n}"),
    "gr_photos_count": ("{count} foto", "{count} photo(s)"),
    "gr_add_photo": ("Tambah foto", "Add a photo"),
    "gr_send_photo": ("Kirim foto", "Send the photo"),
    "gr_send_report": ("Kirim laporan", "Send the report"),
    "gr_visit_flash": ("Laporan kunjungan terkirim.", "The visit report is filed."),
    "gr_photo_flash": ("Foto ditambahkan.", "Photo added."),
    "gr_month": ("Bulan", "Month"),
    "gr_bad_month": (
        "Bulan tidak terbaca (tulis seperti 2026-03); yang ditampilkan: semua bulan.",
        "The month could not be read (write it like 2026-03); showing every month.",
    ),
    "gr_visits_count": ("{count} laporan", "{count} report(s)"),
    "gr_no_visits": ("Tidak ada laporan kunjungan untuk pilihan ini.", "No visit reports for this choice."),
    "gr_no_groups_to_report": (
        "Anda belum memimpin kelompok. Kantor koperasi menetapkan kader setiap kelompok.",
        "You lead no group yet. The cooperative's office names each group's cadre.",
    ),
}
