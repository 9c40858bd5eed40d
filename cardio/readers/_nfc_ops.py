"""What an nfc connection does with a tag; the tag functions run on the reader's thread.

:func:`exchange_apdu` and :func:`read_ndef` take an nfcpy tag and are handed
to :meth:`cardio.readers._nfc_worker.NfcWorker.call`; they turn nfcpy's errors into
:mod:`cardio.errors`. :func:`get_uid` needs no tag: it answers the PC/SC
pseudo-APDU from the identifier read at activation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from types import ModuleType
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


def read_ndef(tag: Any) -> list[tuple[str, bytes]] | None:
    """The tag's NDEF records as (type, payload); [] if it holds no NDEF message; None
    if its message could not be read, twice, while the tag stayed in the field.

    nfcpy answers "no NDEF" (``tag.ndef`` None) both for a tag that declares none (no
    capability container, no NDEF TLV, an ISO-DEP card that answers ``6A82`` to the NDEF
    application) and for one whose read broke part-way: it swallows the failed command.
    :func:`_failed_commands` notes those failures, which tells the two apart. A tag that
    declares no message is [] at once. One whose read broke is checked for presence:
    gone is :class:`CardRemovedDuringRead`; still there, it may have paused (answered a
    command too late, left the field for a moment) and is read once more; None if that
    read breaks too (the caller reports it: the tag is still held).
    """
    for _attempt in range(2):
        records, broke = _ndef_records(tag)
        if records is not None:
            return records
        if not broke:
            return []
        if not tag.is_present:
            raise CardRemovedDuringRead("the tag left while its NDEF message was read")
    return None


def _ndef_records(tag: Any) -> tuple[list[tuple[str, bytes]] | None, bool]:
    """The records nfcpy read from ``tag`` (None where it found no NDEF message), and
    whether a command of the read failed on the way."""
    nfc = nfcpy_loader.load()
    ndef = nfcpy_loader.ndef_module()
    with _failed_commands(nfc, tag) as failed:
        try:
            found = tag.ndef
            records = None if found is None else list(found.records)
        except ndef.DecodeError as exc:
            raise MalformedCard(f"NDEF message does not decode: {exc}") from None
        except (nfc.tag.TagCommandError, nfc.clf.CommunicationError):
            return None, True  # a failure nfcpy let through: the read broke too
    if records is None:
        return None, bool(failed)
    return [(str(r.type), bytes(r.data)) for r in records], False


#: The methods of each nfcpy tag type that every command of its NDEF read goes through
#: (subclasses, NTAG or FeliCa Lite, use them too). A failure raises ``TagCommandError``.
_COMMANDS = (
    ("tt1.Type1Tag", ("transceive",)),
    ("tt2.Type2Tag", ("read", "sector_select")),
    ("tt3.Type3Tag", ("send_cmd_recv_rsp",)),
    ("tt4.Type4Tag", ("send_apdu",)),
)


@contextlib.contextmanager
def _failed_commands(nfc: ModuleType, tag: Any) -> Iterator[list[int]]:
    """The ``errno`` of each command of ``tag`` that failed in the block, where it broke
    (no answer, a garbled one), not where the tag answered that it cannot (see
    :func:`_broke`). The tag's command methods are wrapped on the instance for the block."""
    failed: list[int] = []
    names = next((names for kind, names in _COMMANDS if isinstance(tag, _tag_class(nfc, kind))), ())

    def noting(method: Callable[..., Any]) -> Callable[..., Any]:
        def command(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except nfc.tag.TagCommandError as exc:
                if _broke(nfc, tag, exc.errno):
                    failed.append(exc.errno)
                raise

        return command

    for name in names:
        setattr(tag, name, noting(getattr(tag, name)))
    try:
        yield failed
    finally:
        for name in names:
            delattr(tag, name)  # the class's method again


def _tag_class(nfc: ModuleType, kind: str) -> type:
    module, name = kind.split(".")
    return getattr(getattr(nfc.tag, module), name)  # type: ignore[no-any-return]


def _broke(nfc: ModuleType, tag: Any, errno: int) -> bool:
    """Whether a command failed because the exchange broke, not because the tag refused.

    nfcpy's errno: 0 and below, no answer, a transmission or a protocol error (every
    tag type). Above 0 the tag answered, but a Type 2 answer that is not 16 bytes
    (INVALID_RESPONSE_ERROR) and a Type 3 response of the wrong length, code or IDm
    (below 256; status flags are above) are garbled answers. A Type 2 NAK or a Type 4
    status word is the tag's refusal: nfcpy reads it as "no NDEF", and so do we.
    """
    if errno <= 0:
        return True
    if isinstance(tag, nfc.tag.tt2.Type2Tag):
        return errno == nfc.tag.tt2.INVALID_RESPONSE_ERROR  # type: ignore[no-any-return]
    if isinstance(tag, nfc.tag.tt3.Type3Tag):
        return errno < 0x100
    return False
