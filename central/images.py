"""Photos uploaded from a phone (a receipt, a member's warung or goats, a cadre's visit), made safe to keep.

``normalise`` takes the bytes a browser sent and gives back a ``Photo``: a JPEG re-encoded by Pillow
(so nothing of the upload's own bytes is kept: no hidden payload, no EXIF, no GPS position unless the
caller asks to keep it on purpose), turned upright from the camera's orientation tag, at most
``MAX_SIDE`` pixels on its longer side, and a small thumbnail for lists. Anything that is not a JPEG,
PNG or WebP picture, is too large in bytes or in pixels, or does not decode, is refused with
``ImageRefused``, whose reason names what is wrong and what to do, in Indonesian and English.

Pure: bytes in, bytes out; where the photo is stored is the caller's business (a side table of the
ledger, see e.g. the members' assets).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

from central.errors import Refusal

MAX_BYTES: Final = 12 * 1024 * 1024  # a phone camera's photo is 2-8 MB
MAX_PIXELS: Final = 50_000_000  # decoding more would take memory a small office server may not have
MAX_SIDE: Final = 1600  # kept photo, longer side: sharp on a phone and a desktop, ~200-400 kB
THUMB_SIDE: Final = 320
QUALITY: Final = 82
FORMATS: Final = frozenset({"JPEG", "PNG", "WEBP", "MPO"})  # MPO: what some phones call their JPEGs
GPS_TAG: Final = 0x8825  # the EXIF GPSInfo IFD


class ImageRefused(Refusal):
    """The upload cannot be kept as a photo; nothing was stored. ``text(lang)`` gives the reason."""


@dataclass(frozen=True)
class Photo:
    """A photo as kept: the re-encoded JPEG, its thumbnail, its size in pixels and its SHA-256 (hex)."""

    jpeg: bytes
    thumb: bytes
    width: int
    height: int
    sha256: str
    location: bytes = b""  # the EXIF GPS block, only when the caller kept it on purpose


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _open(data: bytes) -> Image.Image:
    """The decoded picture, or ``ImageRefused`` naming why not."""
    if not data:
        raise ImageRefused(
            "the file is empty: choose a photo (JPEG, PNG or WebP) and send it again",
            "berkasnya kosong: pilih foto (JPEG, PNG atau WebP) lalu kirim lagi",
        )
    if len(data) > MAX_BYTES:
        raise ImageRefused(
            f"the photo is {_mb(len(data))} MB, more than the {_mb(MAX_BYTES)} MB allowed: "
            "take it at a lower resolution or send a smaller copy",
            f"fotonya {_mb(len(data))} MB, lebih dari batas {_mb(MAX_BYTES)} MB: "
            "ambil dengan resolusi lebih rendah atau kirim salinan yang lebih kecil",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:  # checked before the pixels are decoded
                raise Image.DecompressionBombError(f"{image.width}x{image.height}")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise ImageRefused(
            f"the picture has too many pixels (at most {MAX_PIXELS:,}): send a smaller copy",
            f"gambarnya terlalu banyak piksel (paling banyak {MAX_PIXELS:,}): kirim salinan yang lebih kecil",
        ) from err
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        raise ImageRefused(
            "the file is not a photo that can be read (JPEG, PNG or WebP): choose a photo from the gallery "
            "or the camera and send it again",
            "berkasnya bukan foto yang bisa dibaca (JPEG, PNG atau WebP): pilih foto dari galeri atau kamera "
            "lalu kirim lagi",
        ) from err
    if image.format not in FORMATS:
        raise ImageRefused(
            f"a {image.format} file is not accepted: send a JPEG, PNG or WebP photo",
            f"berkas {image.format} tidak diterima: kirim foto JPEG, PNG atau WebP",
        )
    return image


def _jpeg(image: Image.Image, side: int, exif: bytes = b"") -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True, exif=exif)
    return out.getvalue()


def _location(image: Image.Image) -> bytes:
    """The EXIF block holding only the GPS position of ``image`` (empty when it has none)."""
    gps = image.getexif().get_ifd(GPS_TAG)
    if not gps:
        return b""
    kept = Image.Exif()
    kept[GPS_TAG] = gps
    return kept.tobytes()


def normalise(data: bytes, *, keep_location: bool = False) -> Photo:
    """The photo in ``data`` made safe to keep (see the module's text), or ``ImageRefused``."""
    image = _open(data)
    location = _location(image) if keep_location else b""
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "L"):
        flat = Image.new("RGB", upright.size, "white")  # a PNG's transparency over white, not black
        rgba = upright.convert("RGBA")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        upright = flat
    jpeg = _jpeg(upright, MAX_SIDE, location)
    thumb = _jpeg(upright, THUMB_SIDE)
    with Image.open(io.BytesIO(jpeg)) as kept:
        width, height = kept.size
    return Photo(jpeg, thumb, width, height, hashlib.sha256(jpeg).hexdigest(), location)
