"""Draws the field client's app icons (PNG) with Pillow: `make field-client` runs it."""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "static" / "field"
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def icon(size: int, *, maskable: bool = False) -> Image.Image:
    image = Image.new("RGB", (size, size), "#1d4ed8")
    draw = ImageDraw.Draw(image)
    inset = size // 5 if maskable else size // 10
    draw.rounded_rectangle([inset, inset, size - inset, size - inset], radius=size // 8, outline="#ffffff",
                           width=max(2, size // 32))
    text = "交付"
    font = ImageFont.truetype(str(FONT), size // 4) if FONT.exists() else ImageFont.load_default()
    box = draw.textbbox((0, 0), text, font=font)
    draw.text(((size - box[2] - box[0]) / 2, (size - box[3] - box[1]) / 2), text, fill="#ffffff", font=font)
    return image


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size).save(OUT / f"icon-{size}.png", optimize=True)
    icon(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
