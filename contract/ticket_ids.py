"""Kiosk-bound ticket ids: how a kiosk makes them and which kiosk may use one.

A ticket's id is its idempotency key and the end of its QR code's address, so
anyone holding the paper knows it. A kiosk therefore makes ids that name it
(:func:`new_ticket_id`; one that does not know its code yet makes a random
version-4 id): a UUID of version 8 (RFC 9562)
whose first 48 bits are the first six bytes of
``SHA-256("anjungan-ticket-id/1:" + kiosk code)`` (the rest is random, 74
bits). The centre takes a bound id only from the kiosk whose code it names:
another kiosk that read the QR code cannot register, number or void it.

Random version-4 ids (from kiosks made before this) are taken as before; a
second kiosk's claim of one is kept apart and its public page disputed
(:mod:`central.office.submissions`). Kiosks make no other ids, and the centre
takes no other from a kiosk (:data:`KIOSK_TICKET_ID`, on allocate, void
and registration): the ids the centre derives itself (version 5, for a
claim kept apart) can then never be taken by a kiosk in advance.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import uuid

__all__ = [
    "KIOSK_TICKET_ID",
    "TAG_CONTEXT",
    "is_foreign",
    "is_kiosk_made",
    "kiosk_tag",
    "new_ticket_id",
]

#: A ticket id a kiosk may send: a lower-case UUID of version 4 (random) or 8
#: (bound), RFC 9562 variant. Any other version or variant is refused.
KIOSK_TICKET_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[48][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
_KIOSK_TICKET_ID = re.compile(KIOSK_TICKET_ID)

#: Prefixed to the kiosk code before hashing: a tag for nothing else.
TAG_CONTEXT = b"anjungan-ticket-id/1:"
BOUND_VERSION = 8


@functools.lru_cache(maxsize=1024)
def kiosk_tag(kiosk_code: str) -> bytes:
    """The six bytes a kiosk's bound ticket ids start with (worked out once per code:
    the centre asks for each item of a batch)."""
    return hashlib.sha256(TAG_CONTEXT + kiosk_code.encode()).digest()[:6]


def new_ticket_id(kiosk_code: str | None) -> str:
    """A fresh ticket id bound to ``kiosk_code`` (a random UUID4 without one)."""
    if not kiosk_code:
        return str(uuid.uuid4())
    raw = bytearray(kiosk_tag(kiosk_code)) + os.urandom(10)
    raw[6] = (raw[6] & 0x0F) | (BOUND_VERSION << 4)
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 9562 variant
    return str(uuid.UUID(bytes=bytes(raw)))


def is_kiosk_made(ticket_id: str) -> bool:
    """Whether ``ticket_id`` is one a kiosk makes: version 4 or 8, lower case."""
    return _KIOSK_TICKET_ID.fullmatch(ticket_id) is not None


def is_foreign(ticket_id: str, kiosk_code: str | None) -> bool:
    """Whether ``ticket_id`` is bound to a kiosk other than the one with ``kiosk_code``.

    ``ticket_id`` must already be a well-formed UUID (the routes check it).
    """
    if _KIOSK_TICKET_ID.fullmatch(ticket_id):  # read off the text: a batch asks 500 times
        if ticket_id[14] != str(BOUND_VERSION):  # version 4, of the RFC 9562 variant
            return False
        return kiosk_code is None or bytes.fromhex(ticket_id[:8] + ticket_id[9:13]) != kiosk_tag(
            kiosk_code
        )
    parsed = uuid.UUID(ticket_id)
    if parsed.variant != uuid.RFC_4122 or parsed.version != BOUND_VERSION:
        return False
    return kiosk_code is None or parsed.bytes[:6] != kiosk_tag(kiosk_code)
