"""The one interface every card reader backend implements.

A backend watches for readers and cards on a thread of its own and reports
what it sees to a listener as :mod:`cardio.readers.events`. To read a card, the
caller asks for a fresh connection per tap with :meth:`Reader.connect`;
backends never cache a card handle across taps, because readers are
unplugged and card services restart.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from cardio.readers.events import ReaderListener


@runtime_checkable
class CardConnection(Protocol):
    """A connection to the card currently on one reader, for one tap."""

    def transmit(self, apdu: bytes) -> bytes:
        """Send a command APDU; return the response data followed by SW1 SW2.

        Raises a :class:`cardio.errors.CardError` if the card is gone or the
        reader fails.
        """
        ...


@runtime_checkable
class NdefConnection(Protocol):
    """A card connection that can also give the tag's NDEF message.

    Backends that read NFC Forum tags (nfcpy: Type 2, 3 and 4) return
    connections with both ``transmit`` (answering at least GET UID, as a
    PC/SC reader does) and :meth:`ndef_records`.
    :func:`cardio.card.citizen_card.read_identity` reads the citizen record from
    the NDEF message when the card has no Anjungan application
    (docs/card-format.md, "NDEF tags").
    """

    def ndef_records(self) -> list[tuple[str, bytes]]:
        """Every record of the tag's NDEF message as ``(type, payload)``.

        ``type`` is named as ndeflib names it: for a media-type record (TNF 2)
        the media type itself (``application/cose; cose-type="cose-sign1"``),
        for a well-known type ``urn:nfc:wkt:T`` and so on. A tag without an
        NDEF message gives ``[]``; one whose message could not be read to the
        end (it left, or stopped answering part-way) is
        :class:`cardio.errors.CardRemovedDuringRead`, never ``[]``. Raises
        :class:`cardio.errors.CardError` subclasses, like ``transmit``.
        """
        ...


class Reader(ABC):
    """A source of card events and card connections."""

    #: Short backend name as used in the configuration (``pcsc``, ``simulated``).
    backend: str = ""

    @abstractmethod
    def start(self, listener: ReaderListener) -> None:
        """Start watching; ``listener`` is called from a background thread.

        Must not raise because a reader or the card service is missing: the
        backend keeps trying and reports readers as they appear.
        """

    @abstractmethod
    def stop(self) -> None:
        """Stop watching and release every handle. Idempotent."""

    @abstractmethod
    def readers(self) -> list[str]:
        """Names of the readers connected now (empty if the service is down)."""

    @abstractmethod
    def connect(self, reader: str) -> AbstractContextManager[CardConnection]:
        """Open a fresh connection to the card on ``reader`` for one tap.

        Connections to NFC Forum tags also implement :class:`NdefConnection`.

        Raises :class:`cardio.errors.ReaderUnavailable`,
        :class:`cardio.errors.CardServiceUnavailable` or
        :class:`cardio.errors.CardRemovedDuringRead`.
        """
