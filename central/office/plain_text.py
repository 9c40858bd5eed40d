"""Text people type for others to read: nothing in it may reorder or hide the rest.

Bidi controls (U+202E turns "ramah" into "hamar" on screen), zero-width
characters, line and paragraph separators, private-use and unassigned code
points draw nothing but change how the text around them reads. What staff
write for citizens (answers, notes) is refused with them; what a citizen
sent is kept as received and shown without them (:func:`visible_text`).
"""

from __future__ import annotations

import unicodedata

#: The Unicode categories that draw nothing but reorder, hide or split text.
INVISIBLE = frozenset({"Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def has_invisible(text: str) -> bool:
    return any(unicodedata.category(c) in INVISIBLE for c in text)


def visible_text(text: str) -> str:
    """``text`` without the characters that would reorder or hide it."""
    return "".join(c for c in text if unicodedata.category(c) not in INVISIBLE)
