"""The texts of the general-journal pages (jurnal umum), in Bahasa Indonesia and English (merged into
``text.MESSAGES``)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav_journal": ("Jurnal umum", "General journal"),
    "jl_title": ("Jurnal umum", "General journal"),
    "jl_intro": (
        "Pengeluaran kantor (gaji, listrik, sewa, ATK, transport), pendapatan lain, setor/tarik bank, "
        "penyusutan dan penyesuaian. Satu orang membuat draf, orang lain menyetujui; yang disetujui "
        "dibukukan dan tampil di buku kas.",
        "The office's expenses (salaries, electricity, rent, supplies, transport), other income, bank "
        "deposits and withdrawals, depreciation and adjustments. One user drafts, another approves; what "
        "is approved is posted and shows in the cash book.",
    ),
    "jl_new": ("Buat draf jurnal", "Draft an entry"),
    "jl_none": ("Belum ada jurnal.", "No entries yet."),
    "jl_col_no": ("No.", "No."),
    "jl_col_day": ("Tanggal", "Date"),
    "jl_col_kind": ("Jenis", "Kind"),
    "jl_col_description": ("Keterangan", "Description"),
    "jl_col_total": ("Jumlah", "Amount"),
    "jl_col_state": ("Status", "State"),
    "jl_col_photos": ("Foto", "Photos"),
    "jl_col_by": ("Dibuat oleh", "Drafted by"),
    "jl_state_draft": ("menunggu persetujuan", "awaiting approval"),
    "jl_state_approved": ("disetujui", "approved"),
    "jl_state_rejected": ("ditolak", "rejected"),
    "jl_kind_expense": ("Beban (pengeluaran)", "Expense"),
    "jl_kind_income": ("Pendapatan lain", "Other income"),
    "jl_kind_transfer": ("Setor/tarik bank", "Bank deposit/withdrawal"),
    "jl_kind_depreciation": ("Penyusutan", "Depreciation"),
    "jl_kind_adjustment": ("Penyesuaian", "Adjustment"),
    "jl_form_title": ("Draf jurnal", "Draft entry"),
    "jl_edit_title": ("Ubah draf jurnal {id}", "Change draft {id}"),
    "jl_day": ("Tanggal", "Date"),
    "jl_description": ("Keterangan", "Description"),
    "jl_kind": ("Jenis", "Kind"),
    "jl_unit": ("Unit", "Unit"),
    "jl_lines": ("Baris jurnal", "Lines"),
    "jl_line": ("Baris {n}", "Line {n}"),
    "jl_account": ("Akun", "Account"),
    "jl_choose": ("- pilih akun -", "- choose an account -"),
    "jl_side": ("Sisi", "Side"),
    "jl_debit": ("Debit", "Debit"),
    "jl_credit": ("Kredit", "Credit"),
    "jl_amount": ("Jumlah (Rp)", "Amount (Rp)"),
    "jl_memo": ("Catatan baris (boleh kosong)", "Line memo (optional)"),
    "jl_add_line": ("Tambah baris", "Add a line"),
    "jl_lines_hint": (
        "Debit dan kredit harus sama. Rupiah bulat tanpa titik. Lebih dari {n} baris: pakai "
        "`central journal draft`.",
        "Debits must equal credits. Whole rupiah without separators. More than {n} lines: use "
        "`central journal draft`.",
    ),
    "jl_photo": ("Foto nota (boleh menyusul)", "Photo of the receipt (may follow later)"),
    "jl_save": ("Simpan draf", "Save the draft"),
    "jl_saved_flash": (
        "Draf disimpan; menunggu persetujuan orang lain.",
        "Draft saved; awaiting another user's approval.",
    ),
    "jl_entry_title": ("Jurnal {id}", "Entry {id}"),
    "jl_made": ("Dibuat oleh {who} ({role})", "Drafted by {who} ({role})"),
    "jl_decided_approved": ("Disetujui oleh {who} ({role})", "Approved by {who} ({role})"),
    "jl_decided_rejected": ("Ditolak oleh {who} ({role}): {reason}", "Rejected by {who} ({role}): {reason}"),
    "jl_posted": ("Dibukukan sebagai transaksi {tx}", "Posted as transaction {tx}"),
    "jl_total": ("Jumlah", "Total"),
    "jl_photos": ("Foto nota", "Receipt photos"),
    "jl_no_photos": ("Belum ada foto nota.", "No receipt photo yet."),
    "jl_photo_alt": ("Foto nota {n} jurnal {id}", "Receipt photo {n} of entry {id}"),
    "jl_add_photo": ("Tambah foto", "Add the photo"),
    "jl_photo_flash": ("Foto nota disimpan.", "Receipt photo kept."),
    "jl_edit": ("Ubah draf", "Change the draft"),
    "jl_decide": ("Putuskan", "Decide"),
    "jl_approve": ("Setujui dan bukukan", "Approve and post"),
    "jl_reject": ("Tolak", "Reject"),
    "jl_reason": ("Alasan penolakan", "Reason for rejecting"),
    "jl_own": (
        "Anda membuat atau mengubah jurnal ini; orang lain yang memutuskannya.",
        "You drafted or changed this entry; somebody else decides it.",
    ),
    "jl_approved_flash": ("Jurnal disetujui dan dibukukan.", "Entry approved and posted."),
    "jl_rejected_flash": ("Jurnal ditolak.", "Entry rejected."),
    "jl_history": ("Riwayat", "History"),
    "jl_action_draft": ("membuat draf", "drafted"),
    "jl_action_edit": ("mengubah", "changed"),
    "jl_action_photo": ("menambah foto", "added a photo"),
    "jl_action_approve": ("menyetujui", "approved"),
    "jl_action_reject": ("menolak", "rejected"),
    "jl_too_many": (
        "Jurnal ini punya lebih dari {n} baris; ubah dengan `central journal edit {id}`.",
        "This entry has more than {n} lines; change it with `central journal edit {id}`.",
    ),
    "jl_bad_day": ("Isi tanggal seperti 2026-03-31.", "Enter a date like 2026-03-31."),
    "jl_no_office": (
        "kunci kantor tidak tersedia untuk portal; setujui dengan `central journal approve`",
        "the office key is not available to the portal; approve with `central journal approve`",
    ),
}
