"""Images: decided by their bytes, bombs and fakes refused, re-encoded without metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.domain.errors import InvalidValue
from app.domain.images import process_image


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
