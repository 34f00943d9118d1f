"""Draw the app icons (PNG) for the web app manifest: `python tools/make_icons.py [--out static]`.

The shapes copy static/icon.svg (a 64x64 view box: a rounded indigo square with a white hand-drawn "2"), drawn
with Pillow at 4x and scaled down for smooth edges, so no SVG renderer is needed. Writes:
- icon-192.png, icon-512.png: the rounded square, transparent corners ("any" purpose);
- icon-maskable-512.png: full-bleed square, the "2" shrunk into the central safe circle (80 % of the side) that
  launchers keep whatever mask they apply.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
BACKGROUND = "#4b46d6"  # static/icon.svg and static/app.css --accent
INK = "#ffffff"
VIEW = 64  # the SVG's view box side
CORNER = 14  # the SVG's rect rx
STROKE = 7  # the SVG's stroke-width
# The SVG path "M22 18 c8-6 22-4 22 7 0 9-14 14-22 23 h24" as absolute cubic Bezier segments and a line.
CUBICS = [((22, 18), (30, 12), (44, 14), (44, 25)), ((44, 25), (44, 34), (30, 39), (22, 48))]
LINE_END = (46, 48)
SUPERSAMPLE = 4


def glyph_points(steps: int = 160) -> list[tuple[float, float]]:
    """The "2" as a polyline in view-box units."""
    points = []
    for p0, p1, p2, p3 in CUBICS:
        for i in range(steps + 1):
            t = i / steps
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
            points.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                           a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    points.append(LINE_END)
    return points


def draw_icon(size: int, maskable: bool = False) -> Image.Image:
    """(size, size) RGBA icon; maskable: no transparent corners, glyph inside the safe zone."""
    big = size * SUPERSAMPLE
    unit = big / VIEW
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=BACKGROUND)
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=CORNER * unit, fill=BACKGROUND)
    # Maskable: shrink the glyph about the centre so it stays inside the 80 % safe circle.
    scale = 0.72 if maskable else 1.0
    centre = VIEW / 2

    def to_pixels(point):
        return ((centre + (point[0] - centre) * scale) * unit, (centre + (point[1] - centre) * scale) * unit)

    points = [to_pixels(p) for p in glyph_points()]
    width = STROKE * scale * unit
    draw.line(points, fill=INK, width=round(width))
    # A round brush at every point: round caps and joins (the SVG's stroke-linecap/linejoin), and no hairline
    # gaps on the outside of curves, which Pillow's wide polylines leave.
    for x, y in points:
        draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=INK)
    return image.resize((size, size), Image.LANCZOS)


ICONS = {"icon-192.png": (192, False), "icon-512.png": (512, False), "icon-maskable-512.png": (512, True)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "static")
    args = parser.parse_args(argv)
    for name, (size, maskable) in ICONS.items():
        draw_icon(size, maskable).save(args.out / name, optimize=True)
        print("wrote %s" % (args.out / name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
