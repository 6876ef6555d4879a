"""Photos from a phone: re-encoded, upright, shrunk, stripped of location unless kept; bad uploads refused."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from central import images
from central.images import ImageRefused, normalise

ORIENTATION = 0x0112
MAKE = 0x010F


def _photo(size=(2400, 1200), fmt="JPEG", mode="RGB", gps=True, orientation=1) -> bytes:
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 0))
    exif = Image.Exif()
    exif[MAKE] = "PhoneCam"
    exif[ORIENTATION] = orientation
    if gps:
        exif[images.GPS_TAG] = {1: "S", 2: (6.0, 12.0, 30.0), 3: "E", 4: (106.0, 49.0, 10.0)}
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes()) if fmt in ("JPEG", "PNG", "WEBP") else image.save(out, fmt)
    return out.getvalue()


def _exif(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as image:
        return image.getexif()


def test_a_phone_photo_is_shrunk_re_encoded_and_stripped_of_its_location() -> None:
    original = _photo()
    assert _exif(original).get_ifd(images.GPS_TAG)
    photo = normalise(original)
    assert (photo.width, photo.height) == (images.MAX_SIDE, images.MAX_SIDE // 2)
    kept = _exif(photo.jpeg)
    assert not kept.get_ifd(images.GPS_TAG) and MAKE not in kept
    with Image.open(io.BytesIO(photo.thumb)) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == images.THUMB_SIDE
    assert photo.location == b"" and len(photo.sha256) == 64


def test_the_location_is_kept_only_when_asked() -> None:
    photo = normalise(_photo(), keep_location=True)
    gps = _exif(photo.jpeg).get_ifd(images.GPS_TAG)
    assert gps[1] == "S" and gps[3] == "E"
    assert MAKE not in _exif(photo.jpeg)  # only the position, not the camera's other tags
    assert photo.location


def test_a_photo_taken_sideways_is_turned_upright() -> None:
    photo = normalise(_photo(size=(800, 400), orientation=6, gps=False))  # 6: rotate 90° clockwise
    assert (photo.width, photo.height) == (400, 800)
    assert ORIENTATION not in _exif(photo.jpeg)


def test_a_small_png_with_transparency_becomes_a_jpeg_on_white() -> None:
    photo = normalise(_photo(size=(100, 50), fmt="PNG", mode="RGBA", gps=False))
    with Image.open(io.BytesIO(photo.jpeg)) as image:
        assert image.format == "JPEG" and image.size == (100, 50)
        assert image.getpixel((10, 10)) >= (250, 250, 250)


@pytest.mark.parametrize(
    ("data", "word"),
    [
        (b"", "empty"),
        (b"%PDF-1.7 not a photo", "not a photo"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 100, "not a photo"),  # a JPEG's start, then nothing
    ],
)
def test_what_is_not_a_photo_is_refused_in_both_languages(data: bytes, word: str) -> None:
    with pytest.raises(ImageRefused) as refused:
        normalise(data)
    assert word in refused.value.text("en")
    assert refused.value.text("id") != refused.value.text("en")


def test_a_gif_or_bmp_is_refused_by_name() -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "BMP")
    with pytest.raises(ImageRefused, match="BMP"):
        normalise(out.getvalue())


def test_too_many_bytes_or_pixels_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImageRefused, match="MB"):
        normalise(b"\xff" * (images.MAX_BYTES + 1))
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    with pytest.raises(ImageRefused, match="pixels"):
        normalise(_photo(size=(100, 100), gps=False))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2048))
def test_any_bytes_give_a_photo_or_a_clear_refusal(data: bytes) -> None:
    try:
        normalise(data)
    except ImageRefused as refused:
        assert refused.text("id") and refused.text("en")
