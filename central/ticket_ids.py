"""Kiosk-bound ticket ids: which kiosk may use a ticket id.

A ticket's id is printed in its QR code, so anyone holding the paper knows
it. A kiosk therefore makes ids that name it: a UUID of version 8 (RFC 9562)
whose first 48 bits are the first six bytes of
``SHA-256("anjungan-ticket-id/1:" + kiosk code)`` (the rest is random, 74
bits). The centre takes a bound id only from the kiosk whose code it names:
another kiosk that read the QR code cannot register, number or void it.

Ids of other versions (random version-4 ids, from kiosks made before this)
are taken as before; a second kiosk's claim of one is kept apart and its
public page disputed (:mod:`central.submissions`).
"""

from __future__ import annotations

import hashlib
import uuid

__all__ = ["TAG_CONTEXT", "is_foreign", "kiosk_tag"]

#: Prefixed to the kiosk code before hashing: a tag for nothing else.
TAG_CONTEXT = b"anjungan-ticket-id/1:"
BOUND_VERSION = 8


def kiosk_tag(kiosk_code: str) -> bytes:
    """The six bytes a kiosk's bound ticket ids start with."""
    return hashlib.sha256(TAG_CONTEXT + kiosk_code.encode()).digest()[:6]


def is_foreign(ticket_id: str, kiosk_code: str | None) -> bool:
    """Whether ``ticket_id`` is bound to a kiosk other than the one with ``kiosk_code``.

    ``ticket_id`` must already be a well-formed UUID (the routes check it).
    """
    parsed = uuid.UUID(ticket_id)
    if parsed.variant != uuid.RFC_4122 or parsed.version != BOUND_VERSION:
        return False
    return kiosk_code is None or parsed.bytes[:6] != kiosk_tag(kiosk_code)
