"""New ticket ids, bound to this kiosk (the format: docs/central-api.md).

A ticket's id is its idempotency key and the end of its QR code's address,
so anyone holding the paper knows it. Each id names the kiosk that made it:
a UUID of version 8 (RFC 9562) whose first six bytes are those of
``SHA-256("anjungan-ticket-id/1:" + kiosk code)``, the other 74 bits random.
The centre takes such an id from that kiosk only, so another kiosk that read
the QR code can never register, number or void this kiosk's ticket. A kiosk
that does not know its code yet makes a random version-4 id.
"""

from __future__ import annotations

import hashlib
import os
import uuid

__all__ = ["new_ticket_id"]

TAG_CONTEXT = b"anjungan-ticket-id/1:"


def new_ticket_id(kiosk_code: str | None) -> str:
    """A fresh ticket id bound to ``kiosk_code`` (a random UUID4 without one)."""
    if not kiosk_code:
        return str(uuid.uuid4())
    raw = bytearray(hashlib.sha256(TAG_CONTEXT + kiosk_code.encode()).digest()[:6])
    raw += os.urandom(10)
    raw[6] = (raw[6] & 0x0F) | 0x80  # version 8
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 9562 variant
    return str(uuid.UUID(bytes=bytes(raw)))
