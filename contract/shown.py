"""What a log line, an audit row or a ``repr`` may show of a secret that opens a
citizen's page, the same on the kiosk and the centre.

* A complaint's reference (``/c/{reference}``): its first four characters and the first
  six hex digits of its SHA-256 (``ADU-…#1f3a9c``). Every reference starts ``ADU-``: the
  digest tells two complaints apart, and is too short to give a reference back.
* A booking's code (``/b/{code}``: see it, move it, cancel it): its first three digits
  (``482…``). No digest: with the first digits known, a short digest of a nine-digit
  code would give the whole code back.
"""

from __future__ import annotations

import hashlib


def shown_reference(reference: str) -> str:
    """A complaint's reference as it may be shown: ``ADU-…#1f3a9c``."""
    return f"{reference[:4]}…#{hashlib.sha256(reference.encode()).hexdigest()[:6]}"


def shown_code(code: str) -> str:
    """A booking's code as it may be shown: ``482…``."""
    return f"{code[:3]}…"
