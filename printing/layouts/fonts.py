"""The fonts printed documents use, registered with reportlab once per process.

DejaVu Sans (Debian's ``fonts-dejavu-core``) is embedded in every PDF, so a
ticket looks the same on any printer and covers every Indonesian and English
character. If the font files are missing the documents still print, in the
PDF standard Helvetica, and a warning is logged once.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger(__name__)

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
DEJAVU_REGULAR = DEJAVU_DIR / "DejaVuSans.ttf"
DEJAVU_BOLD = DEJAVU_DIR / "DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class Fonts:
    """reportlab font names to draw with."""

    regular: str
    bold: str
    #: True when the fonts are TrueType files embedded in the PDF.
    embedded: bool


#: Built into every PDF reader; not embedded, Latin-1 only.
FALLBACK = Fonts(regular="Helvetica", bold="Helvetica-Bold", embedded=False)

_lock = threading.Lock()
_loaded: dict[tuple[Path, Path], Fonts] = {}


def document_fonts(regular: Path = DEJAVU_REGULAR, bold: Path = DEJAVU_BOLD) -> Fonts:
    """Register ``regular`` and ``bold`` (once) and return their names.

    Falls back to :data:`FALLBACK` with a logged warning if either file is
    missing or unreadable. The outcome is remembered for the process, so the
    warning is logged once, not on every ticket. Safe to call from any thread.
    """
    key = (regular, bold)
    with _lock:
        fonts = _loaded.get(key)
        if fonts is None:
            fonts = _register(regular, bold)
            _loaded[key] = fonts
        return fonts


def _register(regular: Path, bold: Path) -> Fonts:
    try:
        faces = [TTFont(path.stem, str(path)) for path in (regular, bold)]
    except (OSError, TTFError) as exc:
        log.warning(
            "font %s or %s unusable (%s); printing with %s instead",
            regular,
            bold,
            exc,
            FALLBACK.regular,
        )
        return FALLBACK
    registered = set(pdfmetrics.getRegisteredFontNames())
    for face in faces:
        if face.fontName not in registered:
            pdfmetrics.registerFont(face)
    return Fonts(regular=faces[0].fontName, bold=faces[1].fontName, embedded=True)
