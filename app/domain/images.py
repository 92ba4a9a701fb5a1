"""Uploaded images: decided by their bytes, bombs refused, re-encoded without metadata.

Only PNG, JPEG, GIF and WebP are accepted, whatever the file is called. Every image
is decoded and written anew (at most ``max_side`` pixels a side, EXIF and other
metadata dropped), so what is stored is always a clean image of a known type.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InvalidValue
from .messages import M_

__all__ = ["ProcessedImage", "process_image", "ACCEPTED_FORMATS", "MAX_PIXELS",
           "MAX_JPEG_SCANS", "MAX_JPEG_SCAN_PIXELS", "jpeg_scans"]

ACCEPTED_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
#: Largest decoded image accepted (24 megapixels): anything bigger is refused before
#: decoding, so a small file cannot expand into gigabytes of memory.
MAX_PIXELS = 24_000_000
#: Most scans a JPEG may have, and most scans × pixels. Decoding costs about one pass over
#: the image per scan, so a 1 MB progressive file that repeats a tiny scan 20,000 times
#: held a thread for 42 s (14 ms a scan at 24 megapixels here). Encoders write 1
#: (baseline) to about 12 (progressive) scans; libjpeg-turbo's own tools offer the same
#: guard (``djpeg -maxscans``). The work limit allows 24 scans at the largest size.
MAX_JPEG_SCANS = 100
MAX_JPEG_SCAN_PIXELS = 24 * MAX_PIXELS


@dataclass(frozen=True)
class ProcessedImage:
    """A re-encoded image ready to store."""

    data: bytes
    content_type: str
    width: int
    height: int
    extension: str


def process_image(data: bytes, *, max_side: int = 512, field: str = "file") -> ProcessedImage:
    """Check ``data`` is an accepted image and re-encode it (PNG if it has alpha, else WebP)."""
    if not data:
        raise InvalidValue(M_("The file is empty."), field)
    image = _open(data, field)
    try:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        out = io.BytesIO()
        if has_alpha:
            image.save(out, "PNG", optimize=True)
            kind = ("image/png", "png")
        else:
            image.save(out, "WEBP", quality=85, method=4)
            kind = ("image/webp", "webp")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidValue(M_("The image could not be read: %(reason)s.") % {"reason": exc},
                           field) from None
    return ProcessedImage(out.getvalue(), kind[0], image.width, image.height, kind[1])


def _open(data: bytes, field: str) -> Image.Image:
    """Open and fully decode ``data`` after checking its format and pixel count."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise InvalidValue(
                    M_("The image is too large (%(width)s×%(height)s pixels); "
                      "the limit is %(limit)s megapixels.")
                    % {"width": image.width, "height": image.height,
                       "limit": MAX_PIXELS // 1_000_000}, field)
            if image.format == "JPEG":
                limit = min(MAX_JPEG_SCANS,
                            MAX_JPEG_SCAN_PIXELS // max(1, image.width * image.height))
                if jpeg_scans(data, limit) > limit:
                    raise InvalidValue(
                        M_("The JPEG has more than %(limit)s scans, which no camera or editor "
                          "writes at this size; save it again as an ordinary JPEG.")
                        % {"limit": limit}, field)
            image.load()
    except InvalidValue:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidValue(
            M_("The image is too large; the limit is %(limit)s megapixels.")
            % {"limit": MAX_PIXELS // 1_000_000}, field
        ) from None
    except UnidentifiedImageError:
        raise InvalidValue(
            M_("The file is not an image pkyx accepts: use PNG, JPEG, GIF or WebP."), field
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise InvalidValue(M_("The image is damaged or truncated."), field) from None
    return image


def jpeg_scans(data: bytes, stop_after: int) -> int:
    """How many scans (SOS segments) a JPEG holds, counted without decoding it.

    The walk follows the segments' lengths, so bytes inside metadata (an EXIF thumbnail,
    an ICC profile) are never taken for markers, and skips entropy-coded data to the
    next marker (``FF 00`` is a stuffed byte, ``FF D0``–``FF D7`` restart markers). It
    stops counting once past ``stop_after``.
    """
    scans, pos, end = 0, 2, len(data)  # after SOI
    while pos < end - 1:
        if data[pos] != 0xFF:  # entropy-coded data
            pos = data.find(b"\xff", pos)
            if pos < 0:
                break
            continue
        marker = data[pos + 1]
        if marker == 0xFF:  # a fill byte before a marker
            pos += 1
        elif marker in _STANDALONE:
            pos += 2
        elif marker == 0xD9:  # EOI
            break
        else:
            if marker == 0xDA:
                scans += 1
                if scans > stop_after:
                    break
            pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    return scans


#: Bytes after FF that stand alone (no length): a stuffed 00, TEM, RST0–RST7.
_STANDALONE = frozenset({0x00, 0x01, *range(0xD0, 0xD8)})
