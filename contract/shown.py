"""What a log line, an audit row or a ``repr`` may show of a secret that opens a
citizen's page, or of her personal data, the same on the kiosk and the centre.

* A complaint's reference (``/c/{reference}``): its first four characters and the first
  six hex digits of its SHA-256 (``ADU-…#1f3a9c``). Every reference starts ``ADU-``: the
  digest tells two complaints apart, and is too short to give a reference back.
* A booking's code (``/b/{code}``: see it, move it, cancel it): its first three digits
  (``482…``). No digest: with the first digits known, a short digest of a nine-digit
  code would give the whole code back.
* BPJS's ``kodebooking`` of a visit: a Mobile JKN booking's is its code, cut so
  (:func:`shown_kodebooking`).
* An outbox key, which is a submission's key at the centre (a ticket's id, which opens
  its public page ``/t/{ticket_id}``; a complaint's, which gives its reference): its
  last :data:`SHOWN_KEY_CHARS` characters (:func:`shown_key`).
* A personal value (a NIK, a name, a phone number, a form's values): its kind and size
  only (:func:`shape`).

:func:`shown_repr` writes a dataclass's ``repr`` with each of these fields so shown.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Mapping, Sized
from typing import Any, TypeVar

C = TypeVar("C", bound=type)

#: How much of an outbox key a log line or a status view shows: its end.
SHOWN_KEY_CHARS = 12

#: A key that is a UUID after a kind's word (``cancel-<ticket id>``): the word is shown.
_WORD_THEN_UUID = re.compile(
    r"(?P<word>[a-z][a-z_]{0,15}-)?[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"
)


def shown_reference(reference: str) -> str:
    """A complaint's reference as it may be shown: ``ADU-…#1f3a9c``."""
    return f"{reference[:4]}…#{hashlib.sha256(reference.encode()).hexdigest()[:6]}"


def shown_code(code: str) -> str:
    """A booking's code as it may be shown: ``482…``."""
    return f"{code[:3]}…"


#: A kiosk visit's ``kodebooking`` (``central.hospital.quota.kodebooking_for``): its day
#: and eight hex digits of a digest of its ticket's id, which opens nothing.
_KIOSK_KODEBOOKING = re.compile(r"[0-9]{8}[0-9A-F]{8}")


def shown_kodebooking(kodebooking: str) -> str:
    """BPJS's ``kodebooking`` of a visit as it may be shown. A Mobile JKN booking's is the
    booking's code (``/b/{code}``), shown as :func:`shown_code` shows it; a kiosk visit's
    (day and digest) opens nothing and is shown whole, to tell the visits apart; any other
    is cut as a code is."""
    if _KIOSK_KODEBOOKING.fullmatch(kodebooking):
        return kodebooking
    return shown_code(kodebooking)


def shown_key(key: str) -> str:
    """An outbox key as a log line or ``kiosk sync status`` may show it: its last
    :data:`SHOWN_KEY_CHARS` characters (``…3f2a9c0b1d7e``), after the word before its
    UUID if it has one (``cancel-…3f2a9c0b1d7e``: a desk's cancel of a ticket is told
    from the ticket's registration, whose key is the ticket's id), enough to tell the
    dead letters apart and to name one to ``kiosk sync retry-dead``.

    A complaint's key gives its reference (the UUID's first 60 bits,
    ``kiosk.tickets.complaints.reference_for``), and the reference opens the
    citizen's page: the UUID's last group holds none of those bits, and the word
    is the kiosk's own (a key of another shape shows its end alone).
    """
    if len(key) <= SHOWN_KEY_CHARS + 4:
        return key
    found = _WORD_THEN_UUID.fullmatch(key)
    word = (found["word"] or "") if found else ""
    return f"{word}…{key[-SHOWN_KEY_CHARS:]}"


def shape(value: object) -> str:
    """What may be said of a personal value: its kind and size, never its content."""
    if value is None:
        return "None"
    if isinstance(value, Mapping):
        return f"<{len(value)} fields>"
    if isinstance(value, str | bytes):
        return f"<{len(value)} chars>"
    if isinstance(value, Sized):
        return f"<{len(value)} items>"
    return "<hidden>"


def shown_repr(**shown: Callable[[Any], str]) -> Callable[[C], C]:
    """Class decorator (above ``@dataclass``): the ``repr`` the dataclass would write,
    each field named in ``shown`` written as its function shows it (``None`` as
    ``None``), e.g. ``@shown_repr(code=shown_code, body=shape)``. Fields with
    ``repr=False`` stay out, as they do of the generated one."""

    def decorate(cls: C) -> C:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(shown) - names
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {sorted(unknown)}")

        def __repr__(self: Any) -> str:
            parts = []
            for f in dataclasses.fields(self):
                if not f.repr:
                    continue
                value = getattr(self, f.name)
                show = shown.get(f.name)
                text = repr(value) if show is None or value is None else show(value)
                parts.append(f"{f.name}={text}")
            return f"{type(self).__name__}({', '.join(parts)})"

        setattr(cls, "__repr__", __repr__)  # noqa: B010  (mypy: no method assignment)
        return cls

    return decorate
