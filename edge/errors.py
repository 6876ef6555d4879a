"""Everything that can go wrong on a device, one class per failure, each with Indonesian and English text.

``str(err)`` speaks the language chosen by ``KOP_LANG`` (Indonesian by default); ``err.message("en")``
picks one explicitly. Every message names what is wrong and, where there is one, how to fix it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from edge.i18n import Lang, current_lang, rupiah


class EdgeError(Exception):
    """Base of every device error; carries the message in both languages."""

    exit_code = 2

    def __init__(self, text_id: str, text_en: str) -> None:
        super().__init__(text_en)
        self.text_id = text_id
        self.text_en = text_en

    def message(self, lang: str | None = None) -> str:
        """The message in ``lang`` (``id`` or ``en``; default from ``KOP_LANG``)."""
        return self.text_en if current_lang(lang) == "en" else self.text_id

    def __str__(self) -> str:
        return self.message()


class NotInitialized(EdgeError):
    """The device directory has no device.toml or store yet."""

    def __init__(self, directory: str) -> None:
        super().__init__(
            f"Direktori perangkat {directory} belum disiapkan. Jalankan dulu: "
            "python -m edge init --device ID --unit UNIT --branch CABANG (atau --bundle DIR).",
            f"Device directory {directory} is not set up. Run first: "
            "python -m edge init --device ID --unit UNIT --branch BRANCH (or --bundle DIR).",
        )


class InvalidSettings(EdgeError):
    """device.toml is unreadable or holds a bad value."""

    def __init__(self, path: str, problem_id: str, problem_en: str) -> None:
        super().__init__(f"Pengaturan {path} salah: {problem_id}", f"Settings {path} are wrong: {problem_en}")


class UnsyncedData(EdgeError):
    """``init`` over a store that still holds transactions central has not confirmed."""

    def __init__(self, directory: str, count: int) -> None:
        super().__init__(
            f"Di {directory} masih ada {count} transaksi yang belum terkirim ke pusat; menyiapkan ulang akan "
            "menghapusnya. Sambungkan perangkat agar tersinkron dulu, atau tambahkan --force bila memang "
            f"rela kehilangan {count} transaksi itu.",
            f"{directory} still holds {count} transaction(s) not yet confirmed by central; setting it up "
            "again would erase them. Let the device sync first, or add --force if you accept losing those "
            f"{count} transaction(s).",
        )


class StoreMissing(EdgeError):
    """device.toml is there but the store is gone: refuse to start an empty one silently."""

    exit_code = 3

    def __init__(self, path: str) -> None:
        super().__init__(
            f"Basis data perangkat {path} hilang. Transaksi yang belum terkirim ke pusat ikut hilang kecuali "
            "berkas itu dipulihkan dari cadangan. Pulihkan berkasnya, atau mulai ulang dengan "
            "python -m edge init --force memakai id perangkat baru.",
            f"The device store {path} is missing. Transactions not yet sent to central are lost unless the "
            "file is restored from a backup. Restore it, or start over with python -m edge init --force "
            "using a new device id.",
        )


class AlreadyInitialized(EdgeError):
    """``init`` over an existing device without --force."""

    def __init__(self, directory: str) -> None:
        super().__init__(
            f"{directory} sudah berisi perangkat. Tambahkan --force untuk menyiapkan ulang "
            "(semua transaksinya sudah terkirim ke pusat).",
            f"{directory} already holds a device. Add --force to set it up again "
            "(all its transactions have reached central).",
        )


class InvalidBundle(EdgeError):
    """A provisioning bundle that is incomplete, tampered with or not signed by its CA."""

    def __init__(self, bundle: str, problem_id: str, problem_en: str) -> None:
        super().__init__(
            f"Paket pendaftaran {bundle} ditolak: {problem_id}. Minta paket baru dari kantor pusat.",
            f"Enrollment bundle {bundle} refused: {problem_en}. Ask the central office for a new bundle.",
        )


class InvalidKey(EdgeError):
    """signing.key is missing, unreadable or not an Ed25519 key."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"Kunci tanda tangan {path} hilang atau rusak (harus Ed25519, PEM PKCS8).",
            f"Signing key {path} is missing or damaged (must be Ed25519, PEM PKCS8).",
        )


class UnknownProduct(EdgeError):
    """A sku that the local catalog does not hold."""

    def __init__(self, sku: str) -> None:
        self.sku = sku
        super().__init__(
            f"Barang {sku!r} tidak ada di katalog perangkat ini. Periksa kodenya, atau tunggu katalog "
            "tersinkron (python -m edge catalog import untuk kasir mandiri).",
            f"Product {sku!r} is not in this device's catalog. Check the code, or wait for the catalog to "
            "sync (python -m edge catalog import for a standalone counter).",
        )


class WrongUnit(EdgeError):
    """A product of another business unit in this unit's sale."""

    def __init__(self, sku: str, product_unit: str, unit: str) -> None:
        super().__init__(
            f"Barang {sku!r} milik unit {product_unit}, bukan unit {unit}; "
            f"jual di kasir unit {product_unit}.",
            f"Product {sku!r} belongs to unit {product_unit}, not {unit}; "
            f"sell it at a {product_unit} counter.",
        )


class OutOfStock(EdgeError):
    """Not enough local stock for a line."""

    def __init__(self, sku: str, wanted: Decimal, available: Decimal) -> None:
        self.sku = sku
        super().__init__(
            f"Stok {sku!r} tidak cukup: diminta {wanted}, tersedia {available}. Kurangi jumlahnya. "
            "Stok di perangkat ini berasal dari impor katalognya (pusat belum mencatat stok); bila barang "
            "baru datang, impor ulang katalog dengan stok yang benar: python -m edge catalog import FILE.csv",
            f"Not enough stock of {sku!r}: {wanted} wanted, {available} available. Lower the quantity. "
            "This device's stock comes from its catalog import (central does not track stock yet); when "
            "goods arrive, import the catalog again with the right stock: python -m edge catalog import "
            "FILE.csv",
        )


class InvalidQuantity(EdgeError):
    """A quantity that is not a positive whole number or decimal with at most 3 places."""

    def __init__(self, sku: str, qty: object) -> None:
        super().__init__(
            f"Jumlah {qty!r} untuk {sku!r} tidak sah: pakai bilangan bulat positif atau desimal "
            "dengan paling banyak 3 angka di belakang titik, misalnya 2 atau 1.250.",
            f"Quantity {qty!r} for {sku!r} is not valid: use a positive whole number or a decimal with "
            "at most 3 places, e.g. 2 or 1.250.",
        )


class InvalidAmount(EdgeError):
    """A rupiah amount that is not a positive whole number within bounds."""

    def __init__(self, name: str, value: object) -> None:
        super().__init__(
            f"{name} = {value!r} tidak sah: harus bilangan bulat rupiah di atas 0 (tanpa titik/koma).",
            f"{name} = {value!r} is not valid: it must be a whole number of rupiah above 0 (no separators).",
        )


class InvalidInput(EdgeError):
    """Anything else a user typed that the envelope format refuses; the reason comes from the format."""

    def __init__(self, reason: str, reason_en: str | None = None) -> None:
        super().__init__(f"Data tidak sah: {reason}", f"Data not valid: {reason_en or reason}")


class EmptySale(EdgeError):
    """A sale without lines."""

    def __init__(self) -> None:
        super().__init__(
            "Penjualan tanpa barang: tambahkan paling sedikit satu --sku S --qty Q (atau --line SKU:QTY).",
            "A sale needs at least one item: add --sku S --qty Q (or --line SKU:QTY).",
        )


class UnknownMember(EdgeError):
    """A member number or card code that the member cache does not hold."""

    def __init__(self, member: str) -> None:
        self.member = member
        super().__init__(
            f"Anggota {member!r} tidak dikenal di perangkat ini. Periksa nomor/kartunya, atau tunggu daftar "
            "anggota tersinkron dari pusat.",
            f"Member {member!r} is not known on this device. Check the number or card, or wait for the "
            "member list to sync from central.",
        )


class InactiveMember(EdgeError):
    """A member who is no longer active."""

    def __init__(self, member: str) -> None:
        super().__init__(
            f"Anggota {member!r} tidak aktif; transaksi atas namanya tidak bisa dicatat. Hubungi pengurus.",
            f"Member {member!r} is not active; no transaction can be recorded in their name. Ask the board.",
        )


class CreditNeedsMember(EdgeError):
    """A credit sale for a walk-in customer."""

    def __init__(self) -> None:
        super().__init__(
            "Pembelian kredit hanya untuk anggota: pindai kartu anggota (--member N) atau bayar tunai.",
            "Credit is for members only: scan the member card (--member N) or pay cash.",
        )


class CreditLimitExceeded(EdgeError):
    """A credit sale above what the member may still owe, counted conservatively while offline."""

    def __init__(self, member: str, total_rp: int, limit_rp: int, used_rp: int, pending_rp: int) -> None:
        self.member = member
        self.total_rp = total_rp
        self.limit_rp = limit_rp
        self.used_rp = used_rp
        self.pending_rp = pending_rp
        self.available_rp = limit_rp - used_rp - pending_rp
        texts = []
        for lang in ("id", "en"):
            lg: Lang = "en" if lang == "en" else "id"
            texts.append(
                (
                    rupiah(total_rp, lg),
                    rupiah(limit_rp, lg),
                    rupiah(used_rp, lg),
                    rupiah(pending_rp, lg),
                    rupiah(max(self.available_rp, 0), lg),
                )
            )
        t, lim, used, pend, avail = texts[0]
        te, lime, usede, pende, availe = texts[1]
        super().__init__(
            f"Kredit anggota {member} tidak cukup untuk {t}: plafon {lim}, terpakai {used} (data pusat "
            f"terakhir), {pend} kredit di perangkat ini belum tersinkron; sisa {avail}. Bayar tunai "
            "atau kurangi belanjaan.",
            f"Member {member}'s credit does not cover {te}: limit {lime}, used {usede} (last data from "
            f"central), {pende} credit on this device not yet synced; available {availe}. Pay cash or "
            "buy less.",
        )


class OutboxFull(EdgeError):
    """Too many transactions waiting for central: the bound that keeps the device's disk from filling."""

    exit_code = 3

    def __init__(self, waiting: int) -> None:
        super().__init__(
            f"Sudah {waiting} transaksi menunggu dikirim ke pusat, batas perangkat ini. Sambungkan perangkat "
            "ke jaringan (atau kirim lewat python -m edge outbox export) sebelum mencatat lagi.",
            f"{waiting} transactions are already waiting for central, this device's limit. Connect the "
            "device (or carry them with python -m edge outbox export) before recording more.",
        )


class UnknownTransaction(EdgeError):
    """A void that names a transaction this device did not record (or has pruned)."""

    def __init__(self, ref: str) -> None:
        super().__init__(
            f"Transaksi {ref!r} tidak ada di perangkat ini. Pembatalan hanya bisa di perangkat yang "
            "mencatatnya, selama transaksinya masih tersimpan di sana (yang sudah terkirim dihapus "
            "setelah beberapa hari): batalkan di perangkat itu. Bila sudah tidak ada, anggota dapat "
            "menyanggahnya (tombol "
            "'Bukan saya' di kios) dan pengurus menanganinya dari laporan sanggahan "
            "(python -m central --db DB report disputes).",
            f"Transaction {ref!r} is not on this device. A transaction can only be voided on the device "
            "that recorded it, while that device still keeps it (delivered ones are removed after some "
            "days): void it there. If it is gone, the member can dispute it ('Not mine' at the kiosk) and "
            "the board handles "
            "it from the disputes report (python -m central --db DB report disputes).",
        )


class NotVoidable(EdgeError):
    """A void of something that cannot be voided (a void, a dispute, or one already voided)."""

    def __init__(self, ref: str, why_id: str, why_en: str) -> None:
        super().__init__(
            f"Transaksi {ref!r} tidak bisa dibatalkan: {why_id}.",
            f"Transaction {ref!r} cannot be voided: {why_en}.",
        )


class DisputeOfNonSale(EdgeError):
    """A dispute of something that is not a sale (a deposit, an installment, a void, a dispute)."""

    def __init__(self, ref: str, kind: str) -> None:
        super().__init__(
            f"Transaksi {ref!r} adalah {kind}, bukan penjualan; hanya penjualan yang bisa disanggah "
            "('Bukan saya'). Untuk simpanan atau angsuran yang keliru, hubungi pengurus.",
            f"Transaction {ref!r} is a {kind}, not a sale; only sales can be disputed ('Not mine'). For a "
            "wrong deposit or installment, ask the board.",
        )


class DisputeOfOthersSale(EdgeError):
    """A member disputing a sale recorded in another member's name (or to a walk-in customer)."""

    def __init__(self, ref: str, member: str) -> None:
        super().__init__(
            f"Penjualan {ref!r} tidak tercatat atas nama anggota {member}; anggota hanya bisa menyanggah "
            "pembeliannya sendiri.",
            f"Sale {ref!r} is not recorded in member {member}'s name; a member can only dispute their own "
            "purchases.",
        )


class DisputeOfVoidedSale(EdgeError):
    """A dispute of a sale that was voided already: there is nothing left to charge."""

    def __init__(self, ref: str) -> None:
        super().__init__(
            f"Penjualan {ref!r} sudah dibatalkan; tidak ada lagi yang ditagihkan, jadi tak perlu disanggah.",
            f"Sale {ref!r} was voided already; nothing is charged for it, so there is nothing to dispute.",
        )


class InstallmentAboveOwed(EdgeError):
    """An installment whose principal is more than the member still owes, by this device's last data."""

    def __init__(self, member: str, principal_rp: int, owed_rp: int, as_of: str) -> None:
        self.owed_rp = owed_rp
        super().__init__(
            f"Pokok angsuran {rupiah(principal_rp, 'id')} melebihi sisa pinjaman anggota {member}, "
            f"{rupiah(owed_rp, 'id')} (data pusat per {as_of}, dikurangi angsuran di perangkat ini). "
            "Periksa jumlahnya; bila data pusat sudah berubah, tunggu tersinkron.",
            f"Installment principal {rupiah(principal_rp, 'en')} is more than member {member} still owes, "
            f"{rupiah(owed_rp, 'en')} (central's data as of {as_of}, less installments on this device). "
            "Check the amount; if central's figures have changed, wait for them to sync.",
        )


# Where a savings product that a counter does not pay out is paid out instead: (Indonesian, English).
_WHERE_INSTEAD: Final[dict[str, tuple[str, str]]] = {
    "pokok": (
        "dikembalikan hanya saat anggota keluar, di kantor (penyelesaian keanggotaan)",
        "paid back only when the member leaves, at the office (the leaving member's settlement)",
    ),
    "wajib": (
        "dikembalikan hanya saat anggota keluar, di kantor (penyelesaian keanggotaan)",
        "paid back only when the member leaves, at the office (the leaving member's settlement)",
    ),
    "berjangka": (
        "dicairkan di kantor saat jatuh tempo, atau lebih awal menurut aturan produknya",
        "paid out at the office at maturity, or early by the product's rule",
    ),
    "shr": (
        "dibayarkan kantor menjelang Idul Fitri",
        "paid out by the office before Idul Fitri",
    ),
    "smsk": (
        "dibayarkan kantor menurut aturan SMSK",
        "paid out by the office by the SMSK rule",
    ),
}


class NotWithdrawableHere(EdgeError):
    """A savings product a counter does not pay out (only ``sync.envelope.COUNTER_WITHDRAWABLE`` it does)."""

    def __init__(self, product: str, allowed: tuple[str, ...]) -> None:
        where_id, where_en = _WHERE_INSTEAD.get(product, ("diurus di kantor", "handled at the office"))
        super().__init__(
            f"Simpanan {product} tidak bisa ditarik di loket: {where_id}. Di loket hanya penarikan "
            f"{', '.join(allowed)}; arahkan anggota ke kantor.",
            f"Savings {product} cannot be withdrawn at a counter: {where_en}. A counter pays out only "
            f"{', '.join(allowed)}; send the member to the office.",
        )


class WithdrawalAboveBalance(EdgeError):
    """A withdrawal above the balance this device knows: central's last summary and this device's own
    movements since."""

    def __init__(self, member: str, product: str, amount_rp: int, known_rp: int, as_of: str) -> None:
        self.known_rp = known_rp
        super().__init__(
            f"Penarikan {rupiah(amount_rp, 'id')} melebihi saldo simpanan {product} anggota {member} yang "
            f"diketahui perangkat ini, {rupiah(known_rp, 'id')} (data pusat per {as_of}, ditambah setoran "
            "dan dikurangi penarikan di perangkat ini sejak itu). Kurangi jumlahnya; bila saldo di pusat "
            "lebih besar, tunggu tersinkron atau arahkan anggota ke kantor.",
            f"Withdrawal {rupiah(amount_rp, 'en')} is more than the {product} savings balance of member "
            f"{member} that this device knows, {rupiah(known_rp, 'en')} (central's data as of {as_of}, plus "
            "deposits and less withdrawals on this device since). Lower the amount; if central holds more, "
            "wait for the sync or send the member to the office.",
        )


class DepositVoidAboveBalance(EdgeError):
    """A void of a savings deposit that the balance this device knows no longer covers (part of it was
    paid out again)."""

    def __init__(self, member: str, product: str, amount_rp: int, known_rp: int, as_of: str) -> None:
        self.known_rp = known_rp
        super().__init__(
            f"Setoran {product} {rupiah(amount_rp, 'id')} anggota {member} tidak bisa dibatalkan: saldo "
            f"yang diketahui perangkat ini tinggal {rupiah(known_rp, 'id')} (data pusat per {as_of}, "
            "dengan setoran dan penarikan di perangkat ini sejak itu), sebagian sudah ditarik. Batalkan "
            "penarikannya dulu, atau selesaikan di kantor.",
            f"The {product} deposit of {rupiah(amount_rp, 'en')} by member {member} cannot be voided: the "
            f"balance this device knows is {rupiah(known_rp, 'en')} (central's data as of {as_of}, with "
            "deposits and withdrawals on this device since), part of it was paid out. Void the withdrawal "
            "first, or settle it at the office.",
        )


class SavingsBalanceUnknown(EdgeError):
    """A withdrawal for a member whose balance this device cannot know: no summary from central yet,
    or one older than what the outbox still keeps (``as_of`` is then the summary's)."""

    def __init__(self, member: str, product: str, as_of: str | None = None) -> None:
        if as_of is None:
            why_id = "perangkat ini belum menerima ringkasan anggota itu dari pusat"
            why_en = "this device has no summary of that member from central yet"
        else:
            why_id = f"ringkasan anggota itu dari pusat (per {as_of}) sudah terlalu lama"
            why_en = f"the device's summary of that member from central (as of {as_of}) is too old"
        super().__init__(
            f"Penarikan simpanan {product} anggota {member} ditolak: {why_id}, jadi saldonya tidak "
            "diketahui dan uang tunai tidak boleh keluar. Tunggu perangkat tersinkron (pindai kartu anggota "
            "saat terhubung) atau arahkan anggota ke kantor.",
            f"Withdrawal of {product} savings for member {member} refused: {why_en}, so the balance is not "
            "known and no cash may leave the till. Wait for the device to sync (scan the member's card while "
            "online) or send the member to the office.",
        )


class InvalidDownlink(EdgeError):
    """A catalog/members/config/clerks payload from central that does not have the agreed shape."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(
            f"Data {name} dari pusat ditolak: {problem}", f"{name} data from central refused: {problem}"
        )


class InvalidCatalogFile(EdgeError):
    """A catalog CSV with a bad header or row; nothing is imported."""

    def __init__(self, path: str, row: int, problem_id: str, problem_en: str) -> None:
        where_id = f"baris {row}" if row else "header"
        where_en = f"row {row}" if row else "header"
        super().__init__(
            f"Berkas katalog {path}, {where_id}: {problem_id}. Tidak ada yang diimpor; perbaiki lalu ulangi. "
            "Kolom: sku,name,unit,price_rp,cost_rp,stock",
            f"Catalog file {path}, {where_en}: {problem_en}. Nothing was imported; fix it and try again. "
            "Columns: sku,name,unit,price_rp,cost_rp,stock",
        )


class NotUtf8(EdgeError):
    """A CSV saved in another encoding than UTF-8 (what Excel's plain "CSV" does on Windows)."""

    def __init__(self, path: str, line: int, byte_hex: str) -> None:
        super().__init__(
            f"Berkas {path} bukan UTF-8 (byte 0x{byte_hex} di baris {line}); tidak ada yang diimpor. "
            "Simpan ulang sebagai UTF-8: di Excel, Simpan Sebagai > 'CSV UTF-8 (Dibatasi koma) (*.csv)'; "
            "di LibreOffice, Simpan Sebagai CSV, centang 'Sunting pengaturan filter', pilih set karakter "
            "'Unicode (UTF-8)'.",
            f"File {path} is not UTF-8 (byte 0x{byte_hex} on line {line}); nothing was imported. Save it "
            "again as UTF-8: in Excel, Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'; in LibreOffice, "
            "Save As CSV, tick 'Edit filter settings' and choose character set 'Unicode (UTF-8)'.",
        )


class UnknownClerk(EdgeError):
    """A clerk id the device does not know."""

    def __init__(self, clerk: str) -> None:
        super().__init__(
            f"Petugas {clerk!r} tidak terdaftar di perangkat ini (python -m edge clerk add).",
            f"Clerk {clerk!r} is not registered on this device (python -m edge clerk add).",
        )


class InvalidPin(EdgeError):
    """A PIN that is not 4 to 12 digits."""

    def __init__(self) -> None:
        super().__init__("PIN harus 4 sampai 12 angka.", "A PIN must be 4 to 12 digits.")


class SchemaTooNew(EdgeError):
    """A store written by a newer version of this software."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"Basis data perangkat berversi {found}, program ini hanya mengenal sampai {known}. "
            "Perbarui program; data tidak diubah.",
            f"The device store is at schema {found}; this program knows up to {known}. Upgrade the program; "
            "the data was not touched.",
        )


class StoreBusy(EdgeError):
    """The store stayed locked by another process for longer than the busy timeout."""

    exit_code = 3

    def __init__(self) -> None:
        super().__init__(
            "Basis data perangkat sedang dipakai proses lain terlalu lama; coba lagi sebentar lagi.",
            "The device store was held by another process for too long; try again in a moment.",
        )


class HandinAlreadyRecorded(EdgeError):
    """A second cash hand-in for a shift that was handed in already (one hand-in per shift)."""

    def __init__(self, clerk: str, until: str) -> None:
        super().__init__(
            f"Setoran petugas {clerk!r} untuk shift ini sudah dicatat (sampai {until}); satu setoran per "
            "shift. Selisih uang diselesaikan bendahara saat menerima setoran.",
            f"Clerk {clerk!r} already handed in the cash of this shift (up to {until}); one hand-in per "
            "shift. A difference is settled by the treasurer on receipt.",
        )


class NoOpenCount(EdgeError):
    """Counting for a stock count that central does not (or no longer) hold open for this unit."""

    def __init__(self, count: str | None, unit: str) -> None:
        self.count = count
        if count is None:
            super().__init__(
                f"Tidak ada stok opname yang terbuka untuk unit {unit}. Kantor memulainya "
                "(central stock count start); perangkat tahu setelah tersinkron.",
                f"There is no open stock count for unit {unit}. The office starts one "
                "(central stock count start); the device learns of it once synced.",
            )
        else:
            super().__init__(
                f"Stok opname {count} sudah ditutup kantor; hitungan baru tidak diterima lagi. Yang sudah "
                "dihitung di sini tetap tercatat dan terkirim.",
                f"Stock count {count} was closed by the office; no more counting for it. What was counted "
                "here is kept and sent.",
            )
