"""The fonts printed documents use, registered with reportlab once per process.

DejaVu Sans (Debian's ``fonts-dejavu-core``) is embedded in every PDF, so a
ticket looks the same on any printer and covers every Indonesian and English
character. If the font files are missing the documents still print, in the
PDF standard Helvetica, and a warning is logged once.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFError,
    TTFont,
    makeToUnicodeCMap,
)

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
        faces = [EmbeddedFont(path.stem, str(path)) for path in (regular, bold)]
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


class _Formatted(pdfdoc.PDFObject):  # type: ignore[misc]
    """A PDF object already written out: reportlab copies its bytes into the file.

    One per document: reportlab marks each object it files with its name there.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data


@dataclass(frozen=True)
class _Subset:
    """One subset's PDF pieces that depend only on the face and the subset's characters."""

    base_name: str
    widths: bytes
    to_unicode: bytes
    font_file: bytes


class EmbeddedFont(TTFont):  # type: ignore[misc]
    """reportlab's :class:`TTFont` that writes each font subset's PDF objects from a cache.

    For every document reportlab subsets the font program (reading the glyph
    tables), lists the widths, writes the ToUnicode map and compresses them.
    All of that depends only on the face and on the subset's characters in
    order, which on our papers barely change: ASCII sits in fixed places
    (``asciiReadable``) and the few other characters follow in order of first
    use. So the pieces are made once per process per subset, already written
    out, and each document gets the same bytes reportlab would write (tested),
    the same objects in the same order.
    """

    def addObjects(self, doc: Any) -> None:
        if not isinstance(doc.encrypt, pdfdoc.NoEncryption):
            super().addObjects(doc)  # encrypted streams differ per document
            return
        state = self.state.get(doc)
        if state is None:
            state = self.state[doc] = TTFont.State(self._asciiReadable)
        state.frozen = 1
        face = self.face
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            pieces = self._subset(n, tuple(subset), bool(doc.compression))
            base = pieces.base_name
            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = f"Font {self.fontName} subset {n}"
            font.Name = internal_name
            font.BaseFont = base
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = _Formatted(pieces.widths)
            font.ToUnicode = doc.Reference(_Formatted(pieces.to_unicode), f"toUnicodeCMap:{base}")
            font_file = doc.Reference(
                _Formatted(pieces.font_file), f"fontFile:{face.filename}({base})"
            )
            descriptor = pdfdoc.PDFDictionary(
                {
                    "Type": "/FontDescriptor",
                    "Ascent": face.ascent,
                    "CapHeight": face.capHeight,
                    "Descent": face.descent,
                    "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                    "FontBBox": pdfdoc.PDFArray(face.bbox),
                    "FontName": pdfdoc.PDFName(base),
                    "ItalicAngle": face.italicAngle,
                    "StemV": face.stemV,
                    "FontFile2": font_file,
                    "MissingWidth": face.defaultWidth,
                }
            )
            font.FontDescriptor = doc.Reference(descriptor, f"fontDescriptor:{base}")
            doc.Reference(font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = font
        del self.state[doc]

    def _subset(self, n: int, subset: tuple[int, ...], compress: bool) -> _Subset:
        """Subset ``n``'s pieces written out as reportlab writes them: those kept found
        again, others made and kept but while a paper with personal data is drawn."""
        key = (self, n, subset, compress)
        with _SUBSETS_LOCK:
            kept = _SUBSETS.get(key)
            if kept is not None:
                _SUBSETS.move_to_end(key)
                return kept
        made = self._make_subset(n, subset, compress)
        if getattr(_drawing, "keep", True):
            with _SUBSETS_LOCK:
                _SUBSETS[key] = made
                while len(_SUBSETS) > _SUBSETS_AT_MOST:
                    _SUBSETS.popitem(last=False)
        return made

    def _make_subset(self, n: int, subset: tuple[int, ...], compress: bool) -> _Subset:
        face = self.face
        base = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
        writer = pdfdoc.DummyDoc()
        widths = pdfdoc.PDFArray([face.getCharWidth(code) for code in subset])
        filters = [pdfdoc.PDFZCompress] if compress else None
        to_unicode = pdfdoc.PDFStream(content=makeToUnicodeCMap(base, list(subset)),
                                      filters=filters)  # fmt: skip
        program = face.makeSubset(list(subset))
        font_file = pdfdoc.PDFStream(content=program, filters=filters)
        font_file.dictionary["Length1"] = len(program)
        return _Subset(
            base_name=base,
            widths=widths.format(writer),
            to_unicode=to_unicode.format(writer),
            font_file=font_file.format(writer),
        )


@contextlib.contextmanager
def drawing_personal_data(personal: bool) -> Iterator[None]:
    """While drawing a paper with personal data (a registration slip: a name, a NIK),
    the font subsets it makes are not kept: a subset lists, in order of first use, the
    characters beyond ASCII its text holds, so one made for "Ṣiti Ḥuṣna" would keep
    her letters in the process after her session is wiped."""
    before = getattr(_drawing, "keep", True)
    _drawing.keep = before and not personal
    try:
        yield
    finally:
        _drawing.keep = before


def kept_subsets() -> tuple[tuple[int, ...], ...]:
    """The characters of each font subset kept for the next papers."""
    with _SUBSETS_LOCK:
        return tuple(subset for _font, _n, subset, _compress in _SUBSETS)


def forget_subsets() -> None:
    """Drop the kept font subsets (the next papers make theirs again)."""
    with _SUBSETS_LOCK:
        _SUBSETS.clear()


#: Font subsets made, kept for the next documents with the same characters (the last few).
_SUBSETS: collections.OrderedDict[tuple[EmbeddedFont, int, tuple[int, ...], bool], _Subset] = (
    collections.OrderedDict()
)
_SUBSETS_AT_MOST = 16
_SUBSETS_LOCK = threading.Lock()
#: Per thread: whether the paper being drawn may keep its subsets (:func:`drawing_personal_data`).
_drawing = threading.local()
