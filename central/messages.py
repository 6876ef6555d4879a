"""User-facing text in Bahasa Indonesia (default) and English (``--lang en`` or ``KOP_LANG=en``)."""

from __future__ import annotations

import os
from typing import Final

LANGS: Final = ("id", "en")

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "error": ("Galat", "Error"),
    "hint_init": (
        "Jalankan dulu: python -m central --db {db} init",
        "Run first: python -m central --db {db} init",
    ),
    "no_ledger": (
        "belum ada buku besar di {path} (hanya init yang membuatnya; tidak ada yang dibuat)",
        "no ledger at {path} (only init creates one; nothing was created)",
    ),
    "db_unreachable": (
        "tidak bisa tersambung ke PostgreSQL di {host}:{port} (basis data {db}): {reason}. Apakah servernya "
        "berjalan, dan apakah host, port, pengguna dan nama basis datanya benar?",
        "cannot connect to PostgreSQL at {host}:{port} (database {db}): {reason}. Is the server running, "
        "and are the host, port, user and database name right?",
    ),
    "hint_upgrade": (
        "Perbarui dulu (semua data tetap): python -m central --db {db} upgrade",
        "Upgrade it first (all data is kept): python -m central --db {db} upgrade",
    ),
    "upgraded": (
        "Buku besar {db} diperbarui dari skema versi {before} ke {after}; semua data tetap.",
        "Ledger {db} upgraded from schema version {before} to {after}; all data kept.",
    ),
    "up_to_date": (
        "Buku besar {db} sudah skema versi {after}; tidak ada yang diubah.",
        "Ledger {db} is already at schema version {after}; nothing changed.",
    ),
    "initialised": (
        "Buku besar siap di {db} ({units} unit usaha, {accounts} akun).",
        "Ledger ready at {db} ({units} business units, {accounts} accounts).",
    ),
    "imported": ("{what}: {added} baru, {updated} diperbarui.", "{what}: {added} added, {updated} updated."),
    "ingested": (
        "Diterima {accepted}, duplikat {duplicates}, ditolak (karantina) {rejected}.",
        "Accepted {accepted}, duplicates {duplicates}, rejected (quarantined) {rejected}.",
    ),
    "rejected_line": ("ditolak", "rejected"),
    "bad_rows": (
        "{what}: {count} baris salah, tidak ada yang diimpor",
        "{what}: {count} bad row(s), nothing imported",
    ),
    "line": ("baris", "line"),
    "file_missing": (
        "Berkas {path} tidak ada atau tidak bisa dibaca: {err}",
        "File {path} does not exist or cannot be read: {err}",
    ),
    "file_not_found": ("Berkas {path} tidak ada.", "File {path} does not exist."),
    "not_utf8": (
        "Berkas {path} bukan UTF-8 (bita 0x{byte} di baris {line}). Di Excel: File > Simpan Sebagai > "
        'pilih "CSV UTF-8 (Dipisahkan koma)" (bukan "CSV" biasa), lalu impor lagi; '
        "atau impor berkas .xlsx-nya langsung.",
        "File {path} is not UTF-8 (byte 0x{byte} on line {line}). In Excel: File > Save As > choose "
        '"CSV UTF-8 (Comma delimited)" (not plain "CSV"), then import again; or import the .xlsx itself.',
    ),
    "read_semicolon": (
        "Pemisah kolom ';' (Excel berbahasa Indonesia): angka dibaca dengan titik ribuan dan koma desimal "
        "(17.500 = 17500).",
        "Fields separated by ';' (Excel in an Indonesian locale): numbers read with thousands points and a "
        "decimal comma (17.500 = 17500).",
    ),
    "xlsx_needs_out": (
        "--xlsx menulis berkas: beri --out NAMA.xlsx",
        "--xlsx writes a file: give --out NAME.xlsx",
    ),
    "cannot_write": ("Tidak bisa menulis {path}: {err}", "Cannot write {path}: {err}"),
    "device_added": ("Perangkat {device} terdaftar.", "Device {device} registered."),
    "device_revoked": ("Perangkat {device} dicabut.", "Device {device} revoked."),
    "demo_written": (
        "{count} transaksi contoh ditulis ke {out}; anggota dan produk contoh dimasukkan.",
        "{count} sample transactions written to {out}; sample members and products imported.",
    ),
    "members": ("Anggota", "Members"),
    "products": ("Produk", "Products"),
    "cashbook": ("Buku kas", "Cash book"),
    "trial_balance": ("Neraca saldo", "Trial balance"),
    "balance_sheet": ("Neraca", "Balance sheet"),
    "income": ("Perhitungan hasil usaha", "Income statement"),
    "member_statement": ("Laporan anggota", "Member statement"),
    "chains": ("Rantai perangkat", "Device chains"),
    "disputes": ("Sanggahan", "Disputes"),
    "quarantine": ("Karantina", "Quarantine"),
    "purchases": ("Pembelian", "Purchases"),
    "savings": ("Simpanan", "Savings"),
    "loans": ("Pinjaman", "Loans"),
    "opening": ("Saldo awal", "Opening balance"),
    "closing": ("Saldo akhir", "Closing balance"),
    "total": ("Jumlah", "Total"),
    "assets": ("Aset", "Assets"),
    "liabilities": ("Kewajiban", "Liabilities"),
    "equity": ("Ekuitas", "Equity"),
    "surplus": ("SHU tahun berjalan", "Surplus (SHU) of the current year"),
    "surplus_earlier": ("SHU tahun lalu belum dibagi", "Undistributed surplus (SHU) of earlier years"),
    "revenue": ("Pendapatan", "Revenue"),
    "expense": ("Beban", "Expenses"),
    "balanced": ("seimbang", "balanced"),
    "not_balanced": ("TIDAK SEIMBANG", "NOT BALANCED"),
    "no_rows": ("(tidak ada data)", "(no rows)"),
    "period": ("Periode", "Period"),
    "as_of": ("Per tanggal", "As of"),
}


# Column and summary labels of the table form of reports (JSON and CSV keep the English keys).
LABELS: Final[dict[str, tuple[str, str]]] = {
    "day": ("tanggal", "day"),
    "tx": ("transaksi", "transaction"),
    "unit": ("unit", "unit"),
    "member": ("anggota", "member"),
    "memo": ("keterangan", "description"),
    "in_rp": ("masuk", "in"),
    "out_rp": ("keluar", "out"),
    "balance_rp": ("saldo", "balance"),
    "opening_rp": ("saldo awal", "opening balance"),
    "closing_rp": ("saldo akhir", "closing balance"),
    "account": ("akun", "account"),
    "name": ("nama", "name"),
    "type": ("jenis", "type"),
    "kind": ("jenis", "kind"),
    "side": ("pos", "side"),
    "debit_rp": ("debit", "debit"),
    "credit_rp": ("kredit", "credit"),
    "amount_rp": ("jumlah", "amount"),
    "payment": ("pembayaran", "payment"),
    "total_rp": ("total", "total"),
    "status": ("status", "status"),
    "product": ("produk", "product"),
    "loan": ("pinjaman", "loan"),
    "principal_rp": ("pokok pinjaman", "principal"),
    "repaid_rp": ("pokok dibayar", "principal repaid"),
    "interest_paid_rp": ("jasa dibayar", "interest paid"),
    "outstanding_rp": ("sisa pinjaman", "outstanding"),
    "credit_used_rp": ("kredit terpakai", "credit used"),
    "assets_rp": ("aset", "assets"),
    "liabilities_rp": ("kewajiban", "liabilities"),
    "equity_rp": ("ekuitas", "equity"),
    "revenue_rp": ("pendapatan", "revenue"),
    "expense_rp": ("beban", "expenses"),
    "surplus_rp": ("SHU (sisa hasil usaha)", "surplus (SHU)"),
    "balanced": ("keseimbangan", "balance check"),
    "device": ("perangkat", "device"),
    "count": ("jumlah", "count"),
    "max_seq": ("seq tertinggi", "highest seq"),
    "contiguous_seq": ("seq utuh", "contiguous seq"),
    "gaps": ("celah", "gaps"),
    "broken_prev_at": ("rantai putus di", "broken chain at"),
    "refused": ("ditolak pusat", "refused by central"),
    "devices": ("perangkat", "devices"),
    "devices_with_problems": ("perangkat bermasalah", "devices with problems"),
    "sale": ("penjualan", "sale"),
    "sale_total_rp": ("total penjualan", "sale total"),
    "reason": ("alasan", "reason"),
    "received": ("diterima", "received"),
    "seq": ("seq", "seq"),
    "qid": ("no", "no"),
    "id": ("id", "id"),
    "branch": ("cabang", "branch"),
    "revoked": ("dicabut", "revoked"),
    "public_key": ("kunci publik", "public key"),
    # the statement of changes in equity (central.books.annual): its columns
    "savings_pokok_rp": ("simpanan pokok", "simpanan pokok"),
    "savings_wajib_rp": ("simpanan wajib", "simpanan wajib"),
    "reserve_rp": ("cadangan", "reserve"),
    "undistributed_rp": ("SHU belum dibagi", "undistributed SHU"),
    "other_equity_rp": ("ekuitas lain", "other equity"),
}


def label(key: str, lang: str) -> str:
    """The table label of a report column or summary key (unknown keys, e.g. ``wajib_rp``, lose ``_rp``)."""
    pair = LABELS.get(key)
    if pair is None:
        return key.removesuffix("_rp")
    return pair[1] if lang == "en" else pair[0]


def lang_of(value: str | None = None) -> str:
    """The language to use: ``value`` if given, else ``KOP_LANG``, else Indonesian."""
    chosen = (value or os.environ.get("KOP_LANG") or "id").lower()[:2]
    return chosen if chosen in LANGS else "id"


def t(key: str, lang: str, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in (unknown keys come back as the key)."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text


def rupiah(value: int, lang: str = "id") -> str:
    """Rupiah as the member reads them: ``Rp 1.234.567`` (``Rp 1,234,567`` in English)."""
    text = f"{value:,}"
    return "Rp " + (text if lang == "en" else text.replace(",", "."))
