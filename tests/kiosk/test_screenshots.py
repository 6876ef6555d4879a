"""Every screen rendered at 800x480 with demo data: real pixels, not blank, and the expected words on it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.kivy, pytest.mark.slow]

EXPECTED = {
    "01-idle": ("Pindai kartu anggota Anda", "Masuk petugas"),
    "02-member": ("Siti Rahayu  ·  A001", "Perkiraan SHU", "Rp 412.350", "Bukan saya", "Wajib"),
    "03-dispute": ("Laporkan pembelian ini bukan milik Anda?", "Ya, laporkan"),
    "04-member-offline": ("salinan tersimpan, kios sedang luring", "Luring (data aman)"),
    "05-card-not-recognised": ("Kartu ini tidak dikenal.",),
    "06-login": ("Masuk petugas", "Sari Wulandari", "**"),
    "07-checkout": ("Barang (4)", "Total Rp 96.500", "Teh Celup isi 25 · Rp 7.000"),
    "08-unknown-product": ("Barang 8990000000001 tidak ada di katalog.",),
    "09-payment": ("Anggota: Siti Rahayu (A001), sisa kredit Rp 375.000", "Poin diperoleh (perkiraan): 4,45"),
    "10-done": ("Penjualan tersimpan", "Struk tercetak."),
    "11-credit-limit": ("Batas kredit tercapai: sisa Rp 10.000 dari plafon Rp 300.000.",),
    "12-printer-out-of-paper": ("Kertas printer habis.", "Cetak ulang"),
    "13-shift": ("Tutup shift: Sari Wulandari", "Setoran tunai: Rp 100.000"),
    "14-counter-fotokopi": ("Fotokopi A4 hitam putih\nRp 250", "25"),
    "15-count": (
        "Stok opname 3: rak 1",
        "Dihitung di kios ini: 3 barang",
        "Jumlah: 8",
        "terhitung di sini: 30",
    ),
    "16-count-unknown-item": (
        "Barcode 8990000000001 tidak ada di katalog kios ini: tidak ada yang dihitung.",
    ),
    "17-count-closed": ("Stok opname 3 sudah ditutup kantor.", "Kantor sudah menutup stok opname ini."),
}


def test_every_screen_renders_with_its_texts(window: Any, tmp_path: Path) -> None:
    """Each PNG is 800x480, has real content (many colours, spread of brightness) and its screen's words."""
    from PIL import Image, ImageStat

    from kiosk.screenshots import render_all

    shots = render_all(tmp_path / "shots")
    assert [shot.path.stem for shot in shots] == list(EXPECTED)
    for shot in shots:
        image = Image.open(shot.path).convert("RGB")
        assert image.size == (800, 480), shot.path.name
        stddev = ImageStat.Stat(image.convert("L")).stddev[0]
        assert stddev > 20, f"{shot.path.name} looks blank"
        assert len(image.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50, shot.path.name
        shown = "\n".join(shot.texts)
        for text in EXPECTED[shot.path.stem]:
            assert text in shown, f"{shot.path.name}: {text!r} not shown"
    keep = os.environ.get("KOP_KIOSK_SCREENSHOTS")
    if keep:  # `KOP_KIOSK_SCREENSHOTS=docs/screenshots pytest ...` refreshes the README's pictures
        for shot in shots:
            shutil.copy(shot.path, Path(keep) / shot.path.name)
