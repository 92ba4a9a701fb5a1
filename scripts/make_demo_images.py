"""Draw the demo images of the seed catalogue with Pillow.

Every entry of ``app/seed/catalog.json`` whose ``image`` attribute is ``static:demo/<file>``
gets a product-style illustration in ``app/static/demo/<file>``, and every demo user gets a
round avatar in ``app/static/demo/avatars/<username>.png``.

The drawings are deterministic: all colours come from a hash of the slug (or username), no
randomness is involved, so running the script twice gives the same files. Pictures are drawn
at twice their size and scaled down for smooth edges, then quantised to a small palette to
keep each file well under the size budget (25 KB per entry image, 15 KB per avatar).

No real logos are drawn: phones, laptops and chips are generic silhouettes, and languages
get a badge with a short abbreviation.

Usage::

    python scripts/make_demo_images.py [--catalog app/seed/catalog.json] [--out app/static]
"""

from __future__ import annotations

import argparse
import colorsys
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CATALOG = ROOT / "app" / "seed" / "catalog.json"
DEFAULT_STATIC = ROOT / "app" / "static"

SIZE = 480  #: side of an entry image, in pixels
AVATAR_SIZE = 256  #: side of an avatar, in pixels
SCALE = 2  #: supersampling factor used while drawing
PALETTE_COLOURS = 224  #: colours kept when quantising an entry image
MAX_IMAGE_BYTES = 25 * 1024
MAX_AVATAR_BYTES = 15 * 1024

RGB = tuple[int, int, int]

#: Short names drawn on language badges (no logos, just letters).
LANGUAGE_BADGES = {
    "python": "Py",
    "javascript": "JS",
    "typescript": "TS",
    "java": "Jv",
    "c": "C",
    "cpp": "C++",
    "csharp": "C#",
    "go": "Go",
    "rust": "Rs",
    "kotlin": "Kt",
    "swift": "Sw",
    "ruby": "Rb",
}


# --------------------------------------------------------------------------- colours


def seed_of(text: str) -> int:
    """Return a stable integer derived from ``text`` (independent of PYTHONHASHSEED)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def hsv(h: float, s: float, v: float) -> RGB:
    """Convert HSV components in 0..1 to an 8-bit RGB tuple."""
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
    return round(r * 255), round(g * 255), round(b * 255)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """Linear interpolation between colours ``a`` (t=0) and ``b`` (t=1)."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def hue_of(text: str) -> float:
    """Hue in 0..1 derived from ``text``."""
    return (seed_of(text) % 360) / 360.0


# --------------------------------------------------------------------------- helpers


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's built-in font at ``size`` pixels (scalable since Pillow 10.1)."""
    return ImageFont.load_default(size=size)


def vertical_gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    """An RGB image of ``size`` fading from ``top`` to ``bottom``."""
    w, h = size
    column = Image.new("RGB", (1, h))
    for y in range(h):
        column.putpixel((0, y), mix(top, bottom, y / max(h - 1, 1)))
    return column.resize((w, h))


def diagonal_gradient(size: tuple[int, int], a: RGB, b: RGB) -> Image.Image:
    """An RGB image of ``size`` fading from ``a`` (top left) to ``b`` (bottom right)."""
    w, h = size
    n = 64
    small = Image.new("RGB", (n, n))
    for y in range(n):
        for x in range(n):
            small.putpixel((x, y), mix(a, b, (x + y) / (2 * n - 2)))
    return small.resize((w, h), Image.Resampling.BILINEAR)


def paste_rounded(
    canvas: Image.Image, fill: Image.Image, box: tuple[int, int, int, int], radius: int
) -> None:
    """Paste ``fill`` (resized to ``box``) into ``canvas`` through a rounded-rectangle mask."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius=radius, fill=255)
    canvas.paste(fill.resize((w, h)), (x0, y0), mask)


def wrap(draw: ImageDraw.ImageDraw, text: str, fnt, width: int) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` pixels (at most two lines)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=fnt) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return lines


def shadow(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], colour: RGB) -> None:
    """Draw a soft elliptical floor shadow under an object."""
    x0, y0, x1, y1 = box
    for i in range(6):
        inset = i * (x1 - x0) // 24
        draw.ellipse(
            (x0 + inset, y0 + i * 2, x1 - inset, y1 - i),
            fill=mix(colour, (0, 0, 0), 0.04 * (i + 1)),
        )


# --------------------------------------------------------------------------- subjects


def draw_phone(img: Image.Image, entry: dict, hue: float, area: tuple[int, int, int, int]):
    """A phone seen from the back (camera bump) behind the same phone seen from the front."""
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = area
    s = SCALE
    attrs = entry.get("attributes", {})
    foldable = "cover_screen_size" in attrs or "fold" in entry["slug"]
    frame = hsv(hue, 0.35, 0.30)
    back = hsv(hue, 0.45, 0.80)
    cams = _count(attrs.get("rear_cameras"), 2)

    ph = y1 - y0 - 30 * s
    pw = int(ph * (0.62 if foldable else 0.48))
    cx = (x0 + x1) // 2
    shadow(d, (cx - pw, y1 - 26 * s, cx + pw, y1 - 6 * s), hsv(hue, 0.10, 0.93))

    # back of the phone, shifted left and up
    bx, by = cx - pw // 2 - 46 * s, y0 + 2 * s
    if not foldable:
        paste_rounded(
            img,
            vertical_gradient((pw, ph), mix(back, (255, 255, 255), 0.25), back),
            (bx, by, bx + pw, by + ph),
            34 * s,
        )
        d.rounded_rectangle((bx, by, bx + pw, by + ph), radius=34 * s, outline=frame, width=3 * s)
        bump = int(pw * 0.46)
        d.rounded_rectangle(
            (bx + 14 * s, by + 14 * s, bx + 14 * s + bump, by + 14 * s + bump),
            radius=18 * s,
            fill=mix(back, (0, 0, 0), 0.18),
        )
        lens = bump // 2 - 8 * s
        spots = [(0, 0), (1, 1), (0, 1), (1, 0)][: max(1, min(cams, 4))]
        for i, j in spots:
            lx = bx + 14 * s + 6 * s + i * (lens + 4 * s)
            ly = by + 14 * s + 6 * s + j * (lens + 4 * s)
            d.ellipse(
                (lx, ly, lx + lens, ly + lens),
                fill=(28, 30, 36),
                outline=(90, 94, 104),
                width=2 * s,
            )
            d.ellipse(
                (lx + lens // 3, ly + lens // 3, lx + lens // 2, ly + lens // 2),
                fill=(120, 140, 190),
            )

    # front of the phone
    fx = cx - pw // 2 + (0 if foldable else 40 * s)
    fy = y0 + 16 * s
    d.rounded_rectangle((fx, fy, fx + pw, fy + ph), radius=34 * s, fill=frame)
    inset = 7 * s
    screen = vertical_gradient((pw, ph), hsv(hue + 0.06, 0.45, 0.98), hsv(hue - 0.04, 0.90, 0.55))
    paste_rounded(img, screen, (fx + inset, fy + inset, fx + pw - inset, fy + ph - inset), 28 * s)
    if foldable:
        mid = fx + pw // 2
        d.line(
            (mid, fy + inset, mid, fy + ph - inset),
            fill=mix(frame, (255, 255, 255), 0.35),
            width=2 * s,
        )
    else:
        d.ellipse(
            (fx + pw // 2 - 7 * s, fy + 18 * s, fx + pw // 2 + 7 * s, fy + 32 * s),
            fill=(10, 10, 14),
        )
    # a few "widgets" on the screen
    wx0, wy0 = fx + 22 * s, fy + 60 * s
    ww = pw - 44 * s
    d.rounded_rectangle(
        (wx0, wy0, wx0 + ww, wy0 + 54 * s),
        radius=14 * s,
        fill=mix(hsv(hue, 0.3, 1.0), (255, 255, 255), 0.55),
    )
    icon = (ww - 3 * 10 * s) // 4
    for row in range(2):
        for col in range(4):
            ix = wx0 + col * (icon + 10 * s)
            iy = wy0 + 74 * s + row * (icon + 14 * s)
            d.rounded_rectangle(
                (ix, iy, ix + icon, iy + icon),
                radius=icon // 4,
                fill=hsv(hue + 0.11 * (row * 4 + col), 0.45, 0.98),
            )


def draw_laptop(img: Image.Image, entry: dict, hue: float, area: tuple[int, int, int, int]):
    """An open laptop seen from the front: lid with a gradient screen, deck with keyboard."""
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = area
    s = SCALE
    body = hsv(hue, 0.12, 0.78)
    dark = hsv(hue, 0.20, 0.22)
    cx = (x0 + x1) // 2
    lw = int((x1 - x0) * 0.74)
    lh = int(lw * 0.64)
    lx, ly = cx - lw // 2, y0 + 24 * s
    shadow(d, (cx - lw * 6 // 10, y1 - 34 * s, cx + lw * 6 // 10, y1 - 8 * s), hsv(hue, 0.10, 0.93))
    d.rounded_rectangle((lx, ly, lx + lw, ly + lh), radius=14 * s, fill=dark)
    inset = 10 * s
    screen = diagonal_gradient((lw, lh), hsv(hue + 0.10, 0.55, 0.98), hsv(hue - 0.10, 0.90, 0.45))
    paste_rounded(
        img, screen, (lx + inset, ly + inset + 4 * s, lx + lw - inset, ly + lh - inset), 6 * s
    )
    d.ellipse((cx - 3 * s, ly + 4 * s, cx + 3 * s, ly + 10 * s), fill=(60, 64, 72))
    # windows on the screen
    for i, (fx, fy, fw, fh) in enumerate(((0.10, 0.16, 0.46, 0.46), (0.42, 0.34, 0.48, 0.50))):
        wx, wy = lx + int(lw * fx), ly + int(lh * fy)
        d.rounded_rectangle(
            (wx, wy, wx + int(lw * fw), wy + int(lh * fh)),
            radius=6 * s,
            fill=mix(hsv(hue + 0.05 * i, 0.2, 1.0), (255, 255, 255), 0.5),
        )
        d.rectangle((wx, wy, wx + int(lw * fw), wy + 12 * s), fill=hsv(hue + 0.05 * i, 0.5, 0.85))
    # deck (trapezoid) and front lip
    by = ly + lh
    dw = int(lw * 1.16)
    deck = [
        (lx - 4 * s, by),
        (lx + lw + 4 * s, by),
        (cx + dw // 2, by + 34 * s),
        (cx - dw // 2, by + 34 * s),
    ]
    d.polygon(deck, fill=body)
    d.rounded_rectangle(
        (cx - dw // 2, by + 34 * s, cx + dw // 2, by + 44 * s),
        radius=5 * s,
        fill=mix(body, (0, 0, 0), 0.25),
    )
    # keyboard rows and touchpad on the deck
    for row in range(3):
        t0 = (row + 0.6) / 4.2
        ky = by + int(34 * s * t0)
        half = int((lw // 2) * 0.86 + (dw // 2 - lw // 2) * t0)
        d.line((cx - half, ky, cx + half, ky), fill=mix(body, (0, 0, 0), 0.35), width=2 * s)
    d.rounded_rectangle(
        (cx - 34 * s, by + 26 * s, cx + 34 * s, by + 33 * s),
        radius=2 * s,
        fill=mix(body, (255, 255, 255), 0.3),
    )
    d.line(
        (cx - 30 * s, by + 38 * s, cx + 30 * s, by + 38 * s),
        fill=mix(body, (0, 0, 0), 0.45),
        width=2 * s,
    )


def draw_cpu(img: Image.Image, entry: dict, hue: float, area: tuple[int, int, int, int]):
    """A square chip package with pins on every side and the model number on its lid."""
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = area
    s = SCALE
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    side = int(min(x1 - x0, y1 - y0) * 0.62)
    px, py = cx - side // 2, cy - side // 2
    pin = hsv(0.12, 0.55, 0.85)
    n = 9
    step = side / (n + 1)
    pin_len, pin_w = 22 * s, max(4 * s, int(step * 0.42))
    for i in range(1, n + 1):
        o = int(i * step)
        d.rectangle((px + o - pin_w // 2, py - pin_len, px + o + pin_w // 2, py), fill=pin)
        d.rectangle(
            (px + o - pin_w // 2, py + side, px + o + pin_w // 2, py + side + pin_len), fill=pin
        )
        d.rectangle((px - pin_len, py + o - pin_w // 2, px, py + o + pin_w // 2), fill=pin)
        d.rectangle(
            (px + side, py + o - pin_w // 2, px + side + pin_len, py + o + pin_w // 2), fill=pin
        )
    substrate = hsv(hue, 0.55, 0.42)
    d.rounded_rectangle((px, py, px + side, py + side), radius=10 * s, fill=substrate)
    m = side // 9
    lid = diagonal_gradient((side, side), hsv(hue, 0.08, 0.97), hsv(hue, 0.22, 0.66))
    paste_rounded(img, lid, (px + m, py + m, px + side - m, py + side - m), 14 * s)
    d.rounded_rectangle(
        (px + m, py + m, px + side - m, py + side - m),
        radius=14 * s,
        outline=mix(substrate, (0, 0, 0), 0.3),
        width=2 * s,
    )
    # corner marker and model number
    d.polygon(
        [
            (px + m + 8 * s, py + side - m - 8 * s),
            (px + m + 26 * s, py + side - m - 8 * s),
            (px + m + 8 * s, py + side - m - 26 * s),
        ],
        fill=mix(substrate, (0, 0, 0), 0.2),
    )
    label = model_label(entry)
    fnt = font(int(side * 0.16))
    while d.textlength(label, font=fnt) > side - 2 * m - 20 * s and fnt.size > 12 * s:
        fnt = font(fnt.size - 2 * s)
    d.text((cx, cy), label, font=fnt, fill=mix(substrate, (0, 0, 0), 0.35), anchor="mm")
    maker = (entry.get("attributes", {}).get("manufacturer") or "").upper()
    if maker:
        d.text(
            (cx, py + m + 22 * s),
            maker,
            font=font(14 * s),
            fill=mix(substrate, (255, 255, 255), 0.15),
            anchor="mm",
        )


def draw_language(img: Image.Image, entry: dict, hue: float, area: tuple[int, int, int, int]):
    """A rounded badge with a short abbreviation of the language (no logos)."""
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = area
    s = SCALE
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    side = int(min(x1 - x0, y1 - y0) * 0.78)
    bx, by = cx - side // 2, cy - side // 2
    d.rounded_rectangle(
        (bx + 8 * s, by + 12 * s, bx + side + 8 * s, by + side + 12 * s),
        radius=side // 5,
        fill=hsv(hue, 0.25, 0.80),
    )
    badge = diagonal_gradient(
        (side, side), hsv(hue + 0.06, 0.55, 0.98), hsv(hue - 0.06, 0.85, 0.55)
    )
    paste_rounded(img, badge, (bx, by, bx + side, by + side), side // 5)
    d.rounded_rectangle(
        (bx + 10 * s, by + 10 * s, bx + side - 10 * s, by + side - 10 * s),
        radius=side // 5 - 8 * s,
        outline=(255, 255, 255),
        width=3 * s,
    )
    short = LANGUAGE_BADGES.get(entry["slug"], entry["title"][:2])
    fnt = font(int(side * (0.46 if len(short) <= 2 else 0.36)))
    d.text(
        (cx + 3 * s, cy + 5 * s),
        short,
        font=fnt,
        fill=mix(hsv(hue, 0.9, 0.3), (0, 0, 0), 0.3),
        anchor="mm",
    )
    d.text((cx, cy), short, font=fnt, fill=(255, 255, 255), anchor="mm")
    first = str(entry.get("attributes", {}).get("first_appeared", ""))[:4]
    if first:
        d.text(
            (cx, by + side - 34 * s),
            f"since {first}",
            font=font(20 * s),
            fill=(255, 255, 255),
            anchor="mm",
        )


def draw_generic(img: Image.Image, entry: dict, hue: float, area: tuple[int, int, int, int]):
    """Fallback for unknown categories: a tinted circle with the entry's initial."""
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = area
    r = min(x1 - x0, y1 - y0) * 2 // 5
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=hsv(hue, 0.6, 0.85))
    d.text((cx, cy), entry["title"][:1].upper(), font=font(r), fill=(255, 255, 255), anchor="mm")


DRAWERS: dict[str, Callable[[Image.Image, dict, float, tuple[int, int, int, int]], None]] = {
    "phones": draw_phone,
    "laptops": draw_laptop,
    "cpus": draw_cpu,
    "languages": draw_language,
}


def _count(value: object, default: int) -> int:
    """Parse a count such as ``"3"`` from an attribute value, with a fallback."""
    try:
        return int(str(value).split()[0])
    except (ValueError, IndexError):
        return default


def model_label(entry: dict) -> str:
    """The text printed on a chip lid: the model part of the title (``"14900K"``, ``"M3"``)."""
    title = entry["title"].split("(")[0].strip()
    for prefix in ("Intel Core ", "AMD Ryzen ", "Apple ", "Qualcomm Snapdragon "):
        if title.startswith(prefix):
            title = title[len(prefix) :]
            break
    words = title.split() or [entry["title"]]
    if not any(ch.isdigit() for ch in words[-1]):
        return title  # a name rather than a model number, e.g. "X Elite"
    return words[-1].split("-")[-1]


# --------------------------------------------------------------------------- images


def render_entry(entry: dict) -> Image.Image:
    """Draw the illustration of one catalogue entry and return it as a palette image."""
    s = SCALE
    big = SIZE * s
    hue = hue_of(entry["slug"])
    img = vertical_gradient((big, big), hsv(hue, 0.04, 1.0), hsv(hue, 0.12, 0.95))
    draw = ImageDraw.Draw(img)
    drawer = DRAWERS.get(entry.get("category", ""), draw_generic)
    drawer(img, entry, hue, (24 * s, 20 * s, big - 24 * s, big - 112 * s))

    fnt = font(30 * s)
    lines = wrap(draw, entry["title"], fnt, big - 40 * s)
    if len(lines) > 1:
        fnt = font(25 * s)
        lines = wrap(draw, entry["title"], fnt, big - 32 * s)
    line_h = fnt.size + 6 * s
    top = big - 60 * s - (len(lines) - 1) * line_h // 2
    for i, line in enumerate(lines):
        draw.text(
            (big // 2, top + i * line_h), line, font=fnt, fill=hsv(hue, 0.45, 0.22), anchor="mm"
        )

    small = img.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    return small.quantize(
        colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )


def initials(username: str) -> str:
    """One or two letters for an avatar: ``"dana"`` → ``"D"``, ``"mary-ann"`` → ``"MA"``."""
    parts = [p for p in username.replace("_", "-").replace(".", "-").split("-") if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def avatar_hue(index: int) -> float:
    """Hue of the ``index``-th demo user: golden-ratio steps keep neighbours far apart."""
    return (0.58 + index * 0.618034) % 1.0


def render_avatar(user: dict, hue: float) -> Image.Image:
    """Draw a round avatar with the user's initial(s) on a transparent background."""
    s = SCALE
    big = AVATAR_SIZE * s
    circle = diagonal_gradient((big, big), hsv(hue + 0.05, 0.50, 0.95), hsv(hue - 0.05, 0.80, 0.62))
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).ellipse((4 * s, 4 * s, big - 4 * s, big - 4 * s), fill=255)
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    img.paste(circle, (0, 0), mask)
    d = ImageDraw.Draw(img)
    text = initials(user["username"])
    d.text(
        (big // 2, big // 2 + 4 * s),
        text,
        font=font(int(big * (0.5 if len(text) == 1 else 0.38))),
        fill=(255, 255, 255, 255),
        anchor="mm",
    )
    small = img.resize((AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    return small.quantize(colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)


def save_png(img: Image.Image, path: Path, limit: int) -> int:
    """Save ``img`` as an optimised PNG at ``path``; fail if it exceeds ``limit`` bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="PNG", optimize=True)
    size = path.stat().st_size
    if size > limit:
        raise SystemExit(f"{path} is {size} bytes, over the {limit} byte budget")
    return size


def static_target(value: object, static_dir: Path) -> Path | None:
    """Map an image attribute ``"static:demo/x.png"`` to its file under ``static_dir``."""
    if isinstance(value, str) and value.startswith("static:"):
        return static_dir / value[len("static:") :]
    return None


def build(catalog_path: Path, static_dir: Path) -> list[tuple[Path, int]]:
    """Render every entry image and avatar named by the catalogue; return (path, bytes)."""
    catalog = json.loads(catalog_path.read_text(encoding="utf-8"))
    written: list[tuple[Path, int]] = []
    for entry in catalog["entries"]:
        target = static_target(entry.get("attributes", {}).get("image"), static_dir)
        if target is not None:
            written.append((target, save_png(render_entry(entry), target, MAX_IMAGE_BYTES)))
    for index, user in enumerate(catalog.get("users", [])):
        avatar = user.get("avatar")
        if avatar:
            target = static_dir / avatar
            image = render_avatar(user, avatar_hue(index))
            written.append((target, save_png(image, target, MAX_AVATAR_BYTES)))
    return written


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--catalog",
        type=Path,
        default=DEFAULT_CATALOG,
        help="catalogue JSON (default: app/seed/catalog.json)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_STATIC,
        help="static folder that 'static:' paths are relative to",
    )
    args = parser.parse_args(argv)
    written = build(args.catalog, args.out)
    total = sum(size for _, size in written)
    print(f"wrote {len(written)} images, {total / 1024:.0f} KiB in all")


if __name__ == "__main__":
    main()
