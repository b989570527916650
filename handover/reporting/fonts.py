"""The Chinese font embedded in every PDF, registered with reportlab once per process.

reportlab embeds TrueType outlines only (not CFF-based OTF), and its built-in CID fonts are
not embedded, so readers without a Chinese font show empty boxes. We embed WenQuanYi Micro Hei
(Debian `fonts-wqy-microhei`, Apache-2.0/GPLv3: redistributable), installed by `make fonts`.

Micro Hei covers the common CJK block only: a rare character in a name (䶮 of 刘䶮, CJK
extension A; 𠀀 and its neighbours, extension B) would silently vanish. Such characters are
drawn, one by one, in a fallback font that has them: HanaMin A and B (Debian `fonts-hanazono`,
also installed by `make fonts`; optional: without them the characters still vanish).
"""
import os
import threading
from pathlib import Path

from flask import current_app, has_app_context
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "HandoverCJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/local/share/fonts/wqy-microhei.ttc",
)

#: reportlab name → candidate files, tried in order for a character the main font lacks
FALLBACK_FONTS = (
    ("HandoverCJKExtA", ("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",)),
    ("HandoverCJKExtB", ("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",)),
)

_lock = threading.Lock()


def _to_unicode_cmap(fontname, subset):
    """reportlab's ToUnicode map, but with characters beyond the BMP (extension B) written as
    UTF-16 (a surrogate pair) as the PDF reference asks, so they can be searched and copied;
    reportlab writes five hex digits there, which readers drop with the rest of the line."""
    text = _reportlab_to_unicode_cmap(fontname, subset)
    for index, code in enumerate(subset):
        if code > 0xFFFF:
            text = text.replace("<%02X> <%04X>" % (index, code),
                                "<%02X> <%s>" % (index, chr(code).encode("utf-16-be").hex().upper()))
    return text


if getattr(ttfonts.makeToUnicodeCMap, "__module__", "") != __name__:
    _reportlab_to_unicode_cmap = ttfonts.makeToUnicodeCMap
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
#: reportlab name → the code points it can draw (filled as fonts are registered)
_coverage: dict[str, frozenset[int] | set[int]] = {}
_fallbacks: list[str] | None = None


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
            font = TTFont(FONT_NAME, str(path), subfontIndex=0)
            pdfmetrics.registerFont(font)
            _coverage[FONT_NAME] = frozenset(font.face.charToGlyph)
    return FONT_NAME


def _fallback_fonts() -> list[str]:
    """Register the installed fallback fonts (once, on first need) and return their names."""
    global _fallbacks
    with _lock:
        if _fallbacks is None:
            found = []
            for name, candidates in FALLBACK_FONTS:
                path = next((c for c in candidates if Path(c).is_file()), None)
                if path is None:
                    continue
                if name not in pdfmetrics.getRegisteredFontNames():
                    font = TTFont(name, path)
                    pdfmetrics.registerFont(font)
                    _coverage[name] = frozenset(font.face.charToGlyph)
                found.append(name)
            _fallbacks = found
    return _fallbacks


def font_runs(text: str) -> list[tuple[str, str]]:
    """`text` cut into (font name, run) pieces: the main font wherever it has the character, else
    the first fallback font that has it (else the main font: nothing can draw it)."""
    main = cjk_font()
    covered = _coverage[main]
    if all(ord(char) in covered or char in "\n\r\t" for char in text):
        return [(main, text)] if text else []
    runs: list[tuple[str, str]] = []
    for char in text:
        font = main
        if ord(char) not in covered and char not in "\n\r\t":
            font = next((name for name in _fallback_fonts() if ord(char) in _coverage[name]), main)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def undrawable(text: str) -> str:
    """The characters of `text` that no embedded font can draw (for a warning at import)."""
    main = cjk_font()
    missing = [char for font, run in font_runs(text) if font == main for char in run
               if ord(char) not in _coverage[main] and char not in "\n\r\t"]
    return "".join(dict.fromkeys(missing))
