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
from .messages import _

__all__ = ["ProcessedImage", "process_image", "ACCEPTED_FORMATS", "MAX_PIXELS"]

ACCEPTED_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
#: Largest decoded image accepted (24 megapixels): anything bigger is refused before
#: decoding, so a small file cannot expand into gigabytes of memory.
MAX_PIXELS = 24_000_000


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
        raise InvalidValue(_("The file is empty."), field)
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
        raise InvalidValue(_("The image could not be read: %(reason)s.") % {"reason": exc},
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
                    _("The image is too large (%(width)s×%(height)s pixels); "
                      "the limit is %(limit)s megapixels.")
                    % {"width": image.width, "height": image.height,
                       "limit": MAX_PIXELS // 1_000_000}, field)
            image.load()
    except InvalidValue:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidValue(
            _("The image is too large; the limit is %(limit)s megapixels.")
            % {"limit": MAX_PIXELS // 1_000_000}, field
        ) from None
    except UnidentifiedImageError:
        raise InvalidValue(
            _("The file is not an image pkyx accepts: use PNG, JPEG, GIF or WebP."), field
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise InvalidValue(_("The image is damaged or truncated."), field) from None
    return image
