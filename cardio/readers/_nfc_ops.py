"""What an nfc connection does with a tag; the tag functions run on the reader's thread.

:func:`exchange_apdu` and :func:`read_ndef` take an nfcpy tag and are handed
to :meth:`cardio.readers._nfc_worker.NfcWorker.call`; they turn nfcpy's errors into
:mod:`cardio.errors`. :func:`get_uid` needs no tag: it answers the PC/SC
pseudo-APDU from the identifier read at activation.
"""

from __future__ import annotations

from typing import Any

from cardio.card import apdu
from cardio.errors import CardError, CardRemovedDuringRead, CardTimeout, MalformedCard
from cardio.readers import nfcpy_loader

SW_END_OF_DATA = 0x6282
SW_FUNCTION_NOT_SUPPORTED = 0x6A81


def get_uid(identifier: bytes, command: bytes) -> bytes:
    """Answer ``FF CA P1 P2 Le`` as PC/SC part 3 (3.2.2.1.3) specifies.

    P1 00: the UID; Le 00 asks for all of it, a shorter Le gets ``6C xx``,
    a longer one the UID and ``62 82``. P1 01 (the ATS historical bytes) is
    ``6A 81``: nfcpy does not keep the ATS.
    """
    if len(command) != 5:
        return apdu.status(apdu.SW_WRONG_LENGTH)
    p1, p2, le = command[2], command[3], command[4]
    if p1 == 0x01 and p2 == 0x00:
        return apdu.status(SW_FUNCTION_NOT_SUPPORTED)
    if p1 != 0x00 or p2 != 0x00:
        return apdu.status(apdu.SW_WRONG_P1P2)
    if le == 0 or le == len(identifier):
        return identifier + apdu.status(apdu.SW_OK)
    if le < len(identifier):
        return apdu.status(0x6C00 | len(identifier))
    return identifier + apdu.status(SW_END_OF_DATA)


def exchange_apdu(tag: Any, command: bytes) -> bytes:
    """Send ``command`` to an ISO-DEP tag; the response data and SW1 SW2.

    A status nfcpy raised as an error (``Type4TagCommandError`` with a
    positive errno) is returned as the status word it was. A timeout or a
    broken exchange is checked against the tag's presence: gone is
    :class:`CardRemovedDuringRead`, still there is :class:`CardTimeout` or
    :class:`MalformedCard` (an ISO-DEP protocol error).
    """
    nfc = nfcpy_loader.load()
    try:
        response = tag.transceive(bytearray(command))
    except nfc.tag.TagCommandError as exc:
        if 0x6000 <= exc.errno <= 0x9FFF:  # SW1 6x or 9x: the card answered
            return apdu.status(exc.errno)
        raise _after_failure(tag, exc.errno == nfc.tag.TIMEOUT_ERROR, str(exc)) from None
    except nfc.clf.CommunicationError as exc:
        timed_out = isinstance(exc, nfc.clf.TimeoutError)
        raise _after_failure(tag, timed_out, type(exc).__name__) from None
    if response is None or len(response) < 2:
        raise MalformedCard(f"ISO-DEP response of {0 if response is None else len(response)} bytes")
    return bytes(response)


def _after_failure(tag: Any, timed_out: bool, detail: str) -> CardError:
    if not tag.is_present:
        return CardRemovedDuringRead(f"the card left during an APDU ({detail})")
    if timed_out:
        return CardTimeout(f"the card did not answer in time ({detail})")
    return MalformedCard(f"ISO-DEP exchange failed ({detail})")


def read_ndef(tag: Any) -> list[tuple[str, bytes]]:
    """The tag's NDEF records as (type, payload), or [] if it holds no NDEF message.

    nfcpy reports a read that failed half-way as "no NDEF". The tag's presence
    tells that apart from a tag that really has none, but a tag that paused
    (answered a command too late, or left the field for a moment) answers the
    presence check too: a tag still there is read once more before it counts as
    holding no message.
    """
    for _attempt in range(2):
        records = _ndef_records(tag)
        if records is not None:
            return records
        if not tag.is_present:
            raise CardRemovedDuringRead("the tag left while its NDEF message was read")
    return []


def _ndef_records(tag: Any) -> list[tuple[str, bytes]] | None:
    """The records nfcpy read from ``tag``, or None where it found no NDEF message."""
    nfc = nfcpy_loader.load()
    ndef = nfcpy_loader.ndef_module()
    try:
        found = tag.ndef
        records = None if found is None else list(found.records)
    except ndef.DecodeError as exc:
        raise MalformedCard(f"NDEF message does not decode: {exc}") from None
    except (nfc.tag.TagCommandError, nfc.clf.CommunicationError):
        return None
    return None if records is None else [(str(r.type), bytes(r.data)) for r in records]
