"""The office's logo, loaded once and kept small enough to print fast.

A logo is decoration: a missing, unreadable or broken file is logged (once
per file version) and the document prints without it. Loaded logos are
converted to greyscale (thermal heads print dots, office printers print
tickets in black) and scaled down to at most :data:`MAX_PIXELS` on a side,
so embedding one costs about a millisecond per document.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Longest side kept: 400 px is 50 mm at 203 dpi, more than a ticket's logo needs.
MAX_PIXELS = 400

_lock = threading.Lock()
#: (path, mtime_ns, size) → the logo, or None when that version is unusable.
_cache: dict[tuple[str, int, int], Logo | None] = {}


@dataclass(frozen=True)
class Logo:
    #: A :class:`reportlab.lib.utils.ImageReader` over the prepared image.
    image: Any
    #: Width divided by height.
    aspect: float


def load_logo(path: Path | None) -> Logo | None:
    """The logo at ``path`` ready to draw, or None (no path, or unusable: logged)."""
    if path is None:
        return None
    try:
        info = path.stat()
    except OSError as exc:
        key = (str(path), -1, -1)
        with _lock:
            if key not in _cache:
                _cache[key] = None
                log.warning("logo %s not found (%s); printing without it", path, exc.strerror)
        return None
    key = (str(path), info.st_mtime_ns, info.st_size)
    with _lock:
        if key not in _cache:
            _cache[key] = _prepare(path)
        return _cache[key]


def _prepare(path: Path) -> Logo | None:
    from PIL import Image, UnidentifiedImageError
    from reportlab.lib.utils import ImageReader

    try:
        with Image.open(path) as source:
            source.load()
            image = _flatten(source)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("logo %s is not a usable image (%s); printing without it", path, exc)
        return None
    if image.width == 0 or image.height == 0:
        log.warning("logo %s is empty; printing without it", path)
        return None
    image.thumbnail((MAX_PIXELS, MAX_PIXELS))
    return Logo(image=ImageReader(image), aspect=image.width / image.height)


def _flatten(source: Any) -> Any:
    """Greyscale on white: transparent areas become paper, not black."""
    from PIL import Image

    if source.mode in ("RGBA", "LA", "PA") or "transparency" in source.info:
        rgba = source.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    return source.convert("L")
