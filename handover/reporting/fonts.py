"""The Chinese font embedded in every PDF, registered with reportlab once per process.

reportlab embeds TrueType outlines only (not CFF-based OTF), and its built-in CID fonts are
not embedded, so readers without a Chinese font show empty boxes. We embed WenQuanYi Micro Hei
(Debian `fonts-wqy-microhei`, Apache-2.0/GPLv3: redistributable), installed by `make fonts`.
"""
import os
import threading
from pathlib import Path

from flask import current_app, has_app_context
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "HandoverCJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/local/share/fonts/wqy-microhei.ttc",
)

_lock = threading.Lock()


class FontMissing(RuntimeError):
    """No embeddable Chinese font: a PDF would show boxes instead of text, so none is made."""


def font_path() -> Path:
    """PDF_FONT_PATH (app config, else environment), else the first installed candidate."""
    configured = (current_app.config.get("PDF_FONT_PATH") if has_app_context() else None) \
        or os.environ.get("PDF_FONT_PATH")
    candidates = [configured] if configured else list(FONT_CANDIDATES)
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        f"No Chinese TrueType font for PDFs (looked at: {', '.join(candidates)}). "
        "Run `make fonts` (apt-get install fonts-wqy-microhei) or set PDF_FONT_PATH to a TrueType .ttf/.ttc.")


def cjk_font() -> str:
    """Register the embedded Chinese font (once) and return its reportlab name."""
    with _lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            path = font_path()
            # subfontIndex 0 of the collection is the proportional face (1 is the monospaced one)
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME
