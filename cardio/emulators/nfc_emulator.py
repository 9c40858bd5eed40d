"""Contactless cards emulated over nfcpy's ``udp`` driver, for tests and demos.

nfcpy's ``udp:HOST:PORT`` driver stands in for a radio: a reader opened on
``udp:HOST:PORT`` sends its polling frames as UDP datagrams to that port,
and an emulated card listening there answers. Three cards ship here:

- :class:`IsoDepEmulator`: an ISO 14443-4 Type 4A card on ``listen_tta``
  (RATS/ATS, then the block protocol of :mod:`cardio.emulators._nfc_isodep`) serving
  any card logic with ``execute(apdu) -> response``, such as
  :class:`cardio.emulators.citizen_applet.CitizenCardApplet`.
- :class:`NtagEmulator`: an NXP NTAG21x (NFC Forum Type 2 Tag) holding one
  NDEF message, read-only.
- :class:`Type3NdefEmulator`: an NFC Forum Type 3 Tag (FeliCa, 212 kbit/s)
  holding one NDEF message, read-only, on nfcpy's ``Type3TagEmulation``.

An NFC Forum Type 4 Tag with NDEF is :class:`IsoDepEmulator` serving
:class:`cardio.emulators.nfc_tags.Type4NdefApplet`.

:meth:`NfcEmulator.present` puts the card in the field: it binds the port
and answers on a daemon thread. :meth:`NfcEmulator.remove` takes it away:
the thread stops answering and closes the socket, so the reader's next
presence check times out (after one frame waiting time). Both may be called
from any thread; ``remove`` returns once the thread has ended.

nfcpy's own udp driver binds its listening socket to 0.0.0.0, unbinds and
rebinds it on every ``listen`` call, and if the port is taken (say by a
second emulator) makes ``listen()`` return None without a word. The
emulator runs that driver with five changes: it binds to the host named
in the path (loopback by default), keeps the port bound from ``present`` to
``remove``, raises :class:`cardio.errors.EmulatorPortInUse` from ``present``,
answers each command to the port it came from (see :mod:`cardio.readers._udp_radio`),
and a Type A card answers only once a reader has selected it, as a real one. Never
point an emulator at a kiosk's reader path: whoever reaches the port can
present a card.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from cardio.emulators._nfc_emulator_base import (
    DEFAULT_PATH,
    NfcEmulator,
    parse_udp_path,
)
from cardio.emulators._nfc_isodep import CardApplet, IsoDepTarget
from cardio.emulators.nfc_tags import ntag_memory, type3_attribute_block, type_a_sens_res
from cardio.readers import nfcpy_loader

__all__ = [
    "DEFAULT_PATH",
    "IsoDepEmulator",
    "NfcEmulator",
    "NtagEmulator",
    "Type3NdefEmulator",
    "mime_message",
    "parse_udp_path",
]

log = logging.getLogger(__name__)


def mime_message(mime_type: str, payload: bytes) -> bytes:
    """An NDEF message of one MIME record of ``mime_type`` carrying ``payload``."""
    ndef = nfcpy_loader.ndef_module()
    return b"".join(ndef.message_encoder([ndef.Record(mime_type, "", payload)]))


class IsoDepEmulator(NfcEmulator):
    """An ISO 14443-4 Type 4A card serving ``applet`` (see :mod:`cardio.emulators._nfc_isodep`).

    ``uid`` is 4, 7 or 10 bytes (default: ``applet.uid``). Responses of any
    length are sent, chained in frames of at most 253 bytes; the applet must
    answer within the frame waiting time of ``fwi`` (309 ms at FWI 10).
    """

    def __init__(
        self,
        applet: CardApplet,
        path: str = DEFAULT_PATH,
        uid: bytes | None = None,
        fwi: int = 10,
        historical: bytes = b"",
    ) -> None:
        super().__init__(path)
        self.applet = applet
        self.uid = uid if uid is not None else bytes(getattr(applet, "uid", b""))
        if len(self.uid) not in (4, 7, 10):
            raise ValueError(
                f"a Type A UID is 4, 7 or 10 bytes, not {self.uid.hex()!r} (pass uid=)"
            )
        self.sens_res = type_a_sens_res(self.uid)
        self.fwi = fwi
        self.historical = historical

    def _wake_frames(self) -> list[tuple[str, bytes]]:
        return [("106A", bytes.fromhex("E080"))]  # RATS

    def _local_target(self, nfc: Any) -> Any:
        return nfc.clf.LocalTarget(
            "106A",
            sens_res=bytearray(self.sens_res),
            sdd_res=bytearray(self.uid),
            sel_res=bytearray(b"\x20"),  # ISO/IEC 14443-4 compliant, not NFC-DEP
        )

    def _serve(self, nfc: Any, clf: Any, activated: Any, stop: threading.Event) -> None:
        if activated.tt4_cmd is None or not clf.device.selected:
            return  # a Type 2 command, or no reader selected the card: no answer
        reset = getattr(self.applet, "reset", None)
        if callable(reset):
            reset()
        session = IsoDepTarget(self.applet, self.fwi, self.historical)
        response = session.activate(bytes(activated.tt4_cmd))
        while not stop.is_set():
            if not session.active:
                with contextlib.suppress(nfc.clf.CommunicationError):
                    clf.exchange(bytearray(response or b""), 0)  # DESELECT answered
                return
            command = self._exchange(nfc, clf, response)
            if command is None:
                return
            response = session.handle(command) if command else None


class Type3NdefEmulator(NfcEmulator):
    """A read-only NFC Forum Type 3 Tag holding the NDEF ``message`` bytes.

    :meth:`mime` builds one from a single MIME record. The tag identifier is
    ``idm`` (8 bytes); the PMm names no FeliCa product, so nfcpy reads it as
    a plain Type 3 Tag.
    """

    IDM = bytes.fromhex("0373A1B2C3D4E5F6")
    PMM = bytes.fromhex("00FF00004B4B0000")  # IC FF: no product; generous timing
    BLOCKS_PER_READ = 12

    def __init__(self, message: bytes, path: str = DEFAULT_PATH, idm: bytes = IDM) -> None:
        super().__init__(path)
        if len(idm) != 8:
            raise ValueError("a Type 3 Tag IDm is 8 bytes")
        self.idm = idm
        self.message = message
        data = message + bytes(-len(message) % 16)
        attribute = type3_attribute_block(len(message), len(data) // 16, self.BLOCKS_PER_READ)
        self._blocks = [attribute] + [data[i : i + 16] for i in range(0, len(data), 16)]

    @classmethod
    def mime(cls, mime_type: str, payload: bytes, path: str = DEFAULT_PATH) -> Type3NdefEmulator:
        """A tag with one NDEF MIME record of ``mime_type`` carrying ``payload``."""
        return cls(mime_message(mime_type, payload), path)

    def _wake_frames(self) -> list[tuple[str, bytes]]:
        polling = bytes.fromhex("0600FFFF0100")  # SENSF_REQ, with its length byte
        request_response = bytes([10, 0x04]) + self.idm
        return [("212F", polling), ("212F", request_response)]

    def _local_target(self, nfc: Any) -> Any:
        sensf_res = b"\x01" + self.idm + self.PMM + b"\x12\xfc"  # system code 12FC: NDEF
        return nfc.clf.LocalTarget("212F", sensf_res=bytearray(sensf_res))

    def _read_block(self, number: int, rb: bool, re: bool) -> bytearray | None:
        if 0 <= number < len(self._blocks):
            return bytearray(self._blocks[number])
        return None

    def _serve(self, nfc: Any, clf: Any, activated: Any, stop: threading.Event) -> None:
        tag = nfc.tag.emulate(clf, activated)
        if tag is None:
            return
        tag.add_service(0x0009, self._read_block, None)  # NDEF, read/write access code
        tag.add_service(0x000B, self._read_block, None)  # NDEF, read-only access code
        response = self._process(tag, bytes(tag.cmd))
        while not stop.is_set():
            command = self._exchange(nfc, clf, response)
            if command is None:
                return
            response = self._process(tag, command) if command else None

    def _process(self, tag: Any, command: bytes) -> bytes | None:
        try:
            response = tag.process_command(bytearray(command))
        except Exception:  # nfcpy's emulation indexes into malformed commands
            # its length only: a Type 3 command carries the card's IDm, its UID
            log.debug("no answer to a malformed Type 3 command of %d bytes", len(command))
            return None
        return None if response is None else bytes(response)


class NtagEmulator(NfcEmulator):
    """An NXP NTAG213/215/216 (NFC Forum Type 2 Tag) holding NDEF ``message``, read-only.

    The smallest NTAG that holds the message is emulated (``cardio.emulators.nfc_tags
    .ntag_memory``). It answers READ (``30``, four pages, rolling over at
    the end of memory as NTAG does) and GET_VERSION (``60``); anything else
    gets a NAK and sends the tag back to idle, as a real NTAG does with the
    AUTHENTICATE probe nfcpy sends while identifying it.
    """

    UID = bytes.fromhex("04E1A2B3C4D580")
    NAK = b"\x00"  # the 4-bit NAK, as a byte: the udp driver carries whole bytes

    def __init__(self, message: bytes, path: str = DEFAULT_PATH, uid: bytes = UID) -> None:
        super().__init__(path)
        self.uid = uid
        self.message = message
        self.memory, self.version = ntag_memory(uid, message)

    @classmethod
    def mime(cls, mime_type: str, payload: bytes, path: str = DEFAULT_PATH) -> NtagEmulator:
        """A tag with one NDEF MIME record of ``mime_type`` carrying ``payload``."""
        return cls(mime_message(mime_type, payload), path)

    def _wake_frames(self) -> list[tuple[str, bytes]]:
        return [("106A", bytes.fromhex("3000"))]  # READ page 0

    def _local_target(self, nfc: Any) -> Any:
        return nfc.clf.LocalTarget(
            "106A",
            sens_res=bytearray(type_a_sens_res(self.uid)),
            sdd_res=bytearray(self.uid),
            sel_res=bytearray(b"\x00"),  # Type 2: neither ISO-DEP nor NFC-DEP
        )

    def answer(self, command: bytes) -> bytes:
        """The tag's answer to one Type 2 command."""
        pages = len(self.memory) // 4
        if len(command) == 2 and command[0] == 0x30 and command[1] < pages:
            start = command[1] * 4
            return (self.memory + self.memory)[start : start + 16]
        if command == b"\x60":
            return self.version
        return self.NAK

    def _serve(self, nfc: Any, clf: Any, activated: Any, stop: threading.Event) -> None:
        if not clf.device.selected:
            return  # idle: a tag no reader selected answers nothing, as a real NTAG
        command: bytes | None = bytes(activated.tt2_cmd or b"")
        while command is not None and not stop.is_set():
            response = self.answer(command) if command else None
            if response == self.NAK:
                with contextlib.suppress(nfc.clf.CommunicationError):
                    clf.exchange(bytearray(response), 0)
                return  # idle until the reader selects the tag again
            command = self._exchange(nfc, clf, response)
