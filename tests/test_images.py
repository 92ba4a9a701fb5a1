"""Images: decided by their bytes, bombs and fakes refused, re-encoded without metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.domain.errors import InvalidValue
from app.domain.images import MAX_JPEG_SCANS, jpeg_scans, process_image


def many_scan_jpeg(side: int = 64, repeats: int = 20_000) -> bytes:
    """A flat progressive JPEG whose last (tiny) scan is repeated ``repeats`` more times.

    The probe's file: 4,896² pixels, 913 KB, and 42 s of decoding. Each copy of the scan
    is a few bytes, and libjpeg decodes every one of them over the whole image.
    """
    data = _image("JPEG", size=(side, side), progressive=True, quality=90)
    last_scan = data.rfind(b"\xff\xda")
    end = data.rfind(b"\xff\xd9")
    return data[:end] + data[last_scan:end] * repeats + data[end:]


def _image(fmt: str, size=(64, 48), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30, 255)[: len(mode)]).save(out, fmt, **save)
    return out.getvalue()


@pytest.mark.parametrize("fmt, mode, expected", [
    ("PNG", "RGB", "image/webp"), ("PNG", "RGBA", "image/png"), ("JPEG", "RGB", "image/webp"),
    ("GIF", "P", "image/webp"), ("WEBP", "RGB", "image/webp"),
])
def test_accepted_formats_are_re_encoded(fmt, mode, expected):
    """PNG, JPEG, GIF and WebP are accepted and written anew (alpha kept as PNG)."""
    result = process_image(_image(fmt, mode=mode))
    assert result.content_type == expected
    assert Image.open(io.BytesIO(result.data)).size == (64, 48)


def test_large_images_are_scaled_and_metadata_dropped():
    """A 2000 px photo with EXIF comes back at most max_side wide and without EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    data = _image("JPEG", size=(2000, 1000), exif=exif.tobytes())
    result = process_image(data, max_side=256)
    assert (result.width, result.height) == (256, 128)
    assert b"SecretCam" not in result.data
    assert not Image.open(io.BytesIO(result.data)).getexif()


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"<html><script>alert(1)</script></html>", "not an image"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "not an image"),
    (b"GIF89a" + b"\x00" * 10, "not an image"),
])
def test_fakes_are_refused(data, message):
    """HTML or SVG named .png, and garbage, are refused by their bytes."""
    with pytest.raises(InvalidValue, match=message):
        process_image(data)


def test_truncated_image_is_refused():
    """A PNG cut in half is refused as damaged."""
    data = _image("PNG", size=(300, 300))
    with pytest.raises(InvalidValue, match="damaged|truncated|not an image"):
        process_image(data[: len(data) // 2])


def test_decompression_bomb_is_refused_before_decoding():
    """A 20000×20000 image (a few KB compressed) is refused by its header."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    assert len(out.getvalue()) < 200_000
    with pytest.raises(InvalidValue, match="too large"):
        process_image(out.getvalue())


def test_a_jpeg_with_thousands_of_scans_is_refused_before_decoding(monkeypatch):
    """20,000 repeats of a tiny scan: refused from the marker count, never decoded."""
    from PIL import ImageFile

    decoded = []
    original = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load",
                        lambda self: decoded.append(self) or original(self))
    bomb = many_scan_jpeg()
    assert jpeg_scans(bomb, 10**6) == 20_010
    with pytest.raises(InvalidValue, match="more than 100 scans"):
        process_image(bomb)
    assert decoded == []


def test_the_scan_limit_shrinks_as_the_image_grows():
    """30 scans pass at 64² but not at 4,896² (24 megapixels allow 24 scans of decoding)."""
    assert process_image(many_scan_jpeg(64, repeats=20)).width == 64
    with pytest.raises(InvalidValue, match="more than 24 scans"):
        process_image(many_scan_jpeg(4896, repeats=20))
    assert process_image(many_scan_jpeg(4896, repeats=0), max_side=64).width == 64


@pytest.mark.parametrize("progressive, scans", [(False, 1), (True, 10)])
def test_scans_are_counted_by_the_segments_not_by_stray_bytes(progressive, scans):
    """Marker bytes inside metadata are skipped with their segment; photos pass."""
    data = _image("JPEG", size=(400, 300), progressive=progressive,
                  icc_profile=b"\xff\xda" * 300)  # looks like 300 SOS markers
    assert data.count(b"\xff\xda") > 300
    assert jpeg_scans(data, MAX_JPEG_SCANS) == scans
    assert process_image(data).width == 400
