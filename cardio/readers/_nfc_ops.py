"""What an nfc connection does with a tag; the tag functions run on the reader's thread.

:func:`exchange_apdu` and :func:`read_ndef` take an nfcpy tag and are handed
to :meth:`cardio.readers._nfc_worker.NfcWorker.call`; they turn nfcpy's errors into
:mod:`cardio.errors`. :func:`get_uid` needs no tag: it answers the PC/SC
pseudo-APDU from the identifier read at activation.
"""

from __future__ import annotations

import contextlib
import struct
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

    nfcpy answers "no NDEF" (``tag.ndef`` None) for a tag that declares none (no
    capability container, no NDEF TLV, an ISO-DEP card that answers ``6A82`` to the
    NDEF application), for one that went silent while asked whether it holds NDEF at
    all (a FeliCa card without the NDEF system 12FC does not answer a polling for it),
    and for one whose message read broke part-way: it swallows the failed command.
    :func:`_watched_read` tells these apart (:class:`_Watch`). A tag that declares no
    message is [] at once.
    Any other is checked for presence: gone is :class:`CardRemovedDuringRead`; still
    there, it may have paused (answered a command too late, left the field for a
    moment) and is read once more. If no read got the message, the tag holds none ([])
    unless it showed its NDEF header on a read that then broke: None (the caller
    reports it; the tag is still held).
    """
    broke = False
    for _attempt in range(2):
        records, watch = _ndef_records(tag)
        if records is not None:
            return records
        broke = broke or watch.message_broke
        if not (broke or watch.probe_broke):
            return []  # the tag's own word: no message
        if not tag.is_present:
            raise CardRemovedDuringRead("the tag left while its NDEF message was read")
    return None if broke else []


def _ndef_records(tag: Any) -> tuple[list[tuple[str, bytes]] | None, _Watch]:
    """The records nfcpy read from ``tag`` (None where it found no NDEF message), and
    what the read saw of the tag on the way."""
    nfc = nfcpy_loader.load()
    ndef = nfcpy_loader.ndef_module()
    with _watched_read(nfc, tag) as watch:
        try:
            found = tag.ndef
            records = None if found is None else list(found.records)
        except ndef.DecodeError as exc:
            raise MalformedCard(f"NDEF message does not decode: {exc}") from None
        except nfc.tag.TagCommandError as exc:  # a failure nfcpy let through
            if _broke(nfc, tag, exc.errno):
                watch.broke()
            records = None
        except nfc.clf.CommunicationError:
            watch.broke()
            records = None
    if records is None:
        return None, watch
    return [(str(r.type), bytes(r.data)) for r in records], watch


class _Watch:
    """What one NDEF read saw of the tag.

    A broken exchange (see :func:`_broke`) counts as the message's read broken off
    only once the tag has shown it holds an NDEF message (``header``): a Type 1 Tag
    its capability container; a Type 2 Tag its capability container and the start of
    its NDEF Message TLV; a Type 3 Tag (polled for system 12FC) its attribute block; a
    Type 4 Tag its NDEF application selected and capability container read. Before
    that nfcpy was asking whether the tag holds NDEF at all, and a card without it may
    well go silent (a FeliCa card without system 12FC does not answer a polling for
    it): a ``probe_broke``, which only the tag's absence makes more than "no NDEF".
    """

    def __init__(self) -> None:
        self.header = False
        self.probe_broke = False
        self.message_broke = False

    def broke(self) -> None:
        if self.header:
            self.message_broke = True
        else:
            self.probe_broke = True


_ABSENT = object()


@contextlib.contextmanager
def _watched_read(nfc: ModuleType, tag: Any) -> Iterator[_Watch]:
    """A :class:`_Watch` of the block's NDEF read of ``tag``: the tag's command methods
    (and its NDEF class, which nfcpy looks up on the tag) are replaced on the instance
    for the block, and whatever the instance held before is put back after, however
    the block ends. Blocks nest."""
    watch = _Watch()
    replacements = _replacements(nfc, tag, watch)
    saved: list[tuple[str, object]] = []
    try:
        for name, replacement in replacements.items():
            saved.append((name, vars(tag).get(name, _ABSENT)))
            setattr(tag, name, replacement)
        yield watch
    finally:
        for name, before in reversed(saved):
            if before is _ABSENT:
                vars(tag).pop(name, None)  # the class's own again
            else:
                setattr(tag, name, before)


def _replacements(nfc: ModuleType, tag: Any, watch: _Watch) -> dict[str, Any]:
    """For each nfcpy tag type, the methods every command of its NDEF read goes through
    (subclasses, NTAG or FeliCa Lite, use them too; a failure raises
    ``TagCommandError``), wrapped to note failures, and how the header is seen."""
    tt1, tt2, tt3, tt4 = nfc.tag.tt1, nfc.tag.tt2, nfc.tag.tt3, nfc.tag.tt4

    def noting(name: str, seen: Callable[..., None] | None = None) -> Callable[..., Any]:
        method = getattr(tag, name)

        def command(*args: Any, **kwargs: Any) -> Any:
            try:
                result = method(*args, **kwargs)
            except nfc.tag.TagCommandError as exc:
                if _broke(nfc, tag, exc.errno):
                    watch.broke()
                raise
            if seen is not None:
                seen(result, *args, **kwargs)
            return result

        return command

    def header_when(method: str) -> type:
        """The tag's NDEF class, with ``method`` (nfcpy's own check of the header)
        noting a header it found."""
        base: type = tag.NDEF

        def checked(self: Any, *args: Any) -> Any:
            found = getattr(super(watching, self), method)(*args)
            if found:
                watch.header = True
            return found

        watching = type(f"Watched{base.__name__}", (base,), {method: checked})
        return watching

    if isinstance(tag, tt1.Type1Tag):

        def read_all(data: Any) -> None:
            watch.header = watch.header or _type1_capability(bytes(data))

        return {
            "read_all": noting("read_all", read_all),
            "read_block": noting("read_block"),
            "read_segment": noting("read_segment"),
        }
    if isinstance(tag, tt2.Type2Tag):
        memory = bytearray()  # the tag's memory from page 0, as the NDEF read got it

        def read(data: Any, page: int) -> None:
            if page == len(memory) // 4:  # the next 16 bytes, as nfcpy's reader reads
                memory.extend(data)
                watch.header = watch.header or _type2_message_tlv(tt2, bytes(memory))

        return {"read": noting("read", read), "sector_select": noting("sector_select")}
    if isinstance(tag, tt3.Type3Tag):
        return {
            "send_cmd_recv_rsp": noting("send_cmd_recv_rsp"),
            "NDEF": header_when("_read_attribute_data"),
        }
    if isinstance(tag, tt4.Type4Tag):
        return {"send_apdu": noting("send_apdu"), "NDEF": header_when("_discover_ndef")}
    return {}


def _type1_capability(data: bytes) -> bool:
    """Whether a Type 1 READALL answer (header ROM, then memory from byte 0) holds the
    NDEF capability container nfcpy reads the message after."""
    memory = data[2:]
    return len(memory) >= 12 and data[0] >> 4 == 1 and memory[8] == 0xE1 and memory[9] >> 4 == 1


def _type2_message_tlv(tt2: ModuleType, memory: bytes) -> bool:
    """Whether ``memory`` (a Type 2 Tag's from byte 0) holds the NDEF capability
    container and, walking the TLVs after it as nfcpy does, the NDEF Message TLV's
    start: its type byte."""
    if len(memory) < 16 or memory[12] != 0xE1 or memory[13] >> 4 != 1:
        return False
    end = memory[14] * 8 + 16
    offset, skip_bytes = 16, set[int]()
    while offset < end:
        while offset in skip_bytes:
            offset += 1
        if offset >= len(memory) or memory[offset] == 0xFE:
            return False  # not read that far yet, or the Terminator TLV
        if memory[offset] == 0x03:
            return True
        try:
            tlv_t, tlv_l, tlv_v = tt2.read_tlv(memory, offset, skip_bytes)
        except (IndexError, struct.error):
            return False  # a TLV not read to its end yet: its value, or its long length
        if tlv_t in (0x01, 0x02) and tlv_l == 3:
            ranged = tt2.get_lock_byte_range if tlv_t == 0x01 else tt2.get_rsvd_byte_range
            skip_bytes.update(range(*ranged(tlv_v).indices(0x100000)))
        offset += tlv_l + 1 + (1 if tlv_l < 255 else 3)
    return False


def _broke(nfc: ModuleType, tag: Any, errno: int) -> bool:
    """Whether a command failed because the exchange broke, not because the tag refused.

    nfcpy's errno: 0 and below, no answer, a transmission or a protocol error (every
    tag type). Above 0 the tag answered, but a Type 1 answer too short or with a bad
    CRC, a Type 2 answer that is not 16 bytes (INVALID_RESPONSE_ERROR) and a Type 3
    response of the wrong length, code or IDm (below 256; status flags are above) are
    garbled answers. A Type 2 NAK or a Type 4 status word is the tag's refusal: nfcpy
    reads it as "no NDEF", and so do we.
    """
    if errno <= 0:
        return True
    if isinstance(tag, nfc.tag.tt1.Type1Tag):
        return errno in (nfc.tag.tt1.CHECKSUM_ERROR, nfc.tag.tt1.RESPONSE_ERROR)
    if isinstance(tag, nfc.tag.tt2.Type2Tag):
        return errno == nfc.tag.tt2.INVALID_RESPONSE_ERROR  # type: ignore[no-any-return]
    if isinstance(tag, nfc.tag.tt3.Type3Tag):
        return errno < 0x100
    return False
