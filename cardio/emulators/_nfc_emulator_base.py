"""The part every emulated card shares: nfcpy's udp driver, bound, on a thread.

See :mod:`cardio.emulators.nfc_emulator` for the cards and how presenting and removing
work. The driver here is nfcpy's ``udp`` driver with five changes: it binds
to the host named in the path (nfcpy binds 0.0.0.0), keeps the port bound
from ``present`` to ``remove`` (nfcpy unbinds and rebinds on every
``listen``), raises :class:`EmulatorPortInUse` when the port is taken
(nfcpy's ``listen`` then returns None without a word), answers each
command to the address it came from (nfcpy: to the one that activated the
card), which is how :mod:`cardio.readers._udp_radio` pairs answers with commands,
and tells whether a Type A ``listen`` ended selected. nfcpy's Type A ``listen``
returns on the first frame that is not part of the anticollision, selected or
not; a card in the field answers nothing until a reader selects it (ISO/IEC
14443-3), not the presence check of the card it replaced, so the Type A cards
serve only a ``listen`` that ended :attr:`selected`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import threading
from abc import ABC, abstractmethod
from typing import Any

from cardio.errors import EmulatorPortInUse
from cardio.readers import nfcpy_loader

log = logging.getLogger("cardio.emulators.nfc_emulator")

DEFAULT_PATH = "udp:127.0.0.1:54321"
#: How long one ``listen`` call waits to be activated. Long on purpose: the
#: driver forgets a half-done Type F activation (polling answered, first
#: command not yet in) when ``listen`` returns, so every return is a chance
#: to drop a tap. ``remove`` does not wait for it (see :meth:`NfcEmulator._wake`).
LISTEN_S = 30.0
#: Longest the serving thread waits for a command before looking at the stop flag.
SLICE_S = 0.1


def parse_udp_path(path: str) -> tuple[str, int]:
    """``udp:HOST:PORT`` → (HOST, PORT); HOST defaults to 127.0.0.1, PORT to 54321."""
    parts = path.split(":")
    if parts[0] != "udp" or len(parts) > 3:
        raise ValueError(f"not a udp device path: {path!r} (want udp:HOST:PORT)")
    host = parts[1] if len(parts) > 1 and parts[1] else "127.0.0.1"
    port = int(parts[2]) if len(parts) > 2 and parts[2] else 54321
    return host, port


def _bound_udp_device(host: str, port: int) -> Any:
    """nfcpy's udp driver, bound to ``host:port`` now and until ``close()``."""
    udp_driver: Any = nfcpy_loader.load().clf.udp.Device

    class BoundUdpDevice(udp_driver):  # type: ignore[misc]
        socket: Any
        addr: tuple[str, int]

        #: The last Type A ``listen`` sent a SEL_RES with the UID complete (cascade bit
        #: clear): a reader selected the card since it last came into the field.
        selected = False
        _selecting = False

        def _listen_tta(self, target: Any, time_to_return: float, init: Any = None) -> Any:
            self.selected, self._selecting = False, True
            try:
                return super()._listen_tta(target, time_to_return, init)
            finally:
                self._selecting = False

        def _send_data(self, brty: str, data: Any, addr: tuple[str, int]) -> None:
            # while listening only SENS_RES (2 bytes), SDD_RES (5) and SEL_RES (1) go out
            if self._selecting and len(data) == 1 and not data[0] & 0x04:
                self.selected = True
            super()._send_data(brty, data, addr)

        def _bind_socket(self, time_to_return: float) -> bool:
            if self.socket.getsockname()[1] == self.addr[1]:
                return True  # bound by an earlier listen of this presence
            try:
                self.socket.bind(self.addr)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise EmulatorPortInUse(exc.errno, f"UDP {self.addr} is in use") from None
                raise
            return True

        def send_rsp_recv_cmd(self, target: Any, data: Any, timeout: float | None) -> Any:
            """nfcpy's, but each answer goes to where its command came from (nfcpy's
            to where the activating frame did): a reader tells a late answer by its port."""
            if data is not None:
                self._send_data(target.brty, data, target._addr)
            if timeout is None or timeout > 0:
                _brty, command, target._addr = self._recv_data(timeout, target.brty)
                return command
            return None

        def mute(self) -> None:
            """Keep the socket: ``listen`` mutes first, which would unbind the port."""

        def close(self) -> None:
            if self.socket is not None:
                self.socket.close()
                self.socket = None

    device = BoundUdpDevice(host, port)
    device._vendor_name, device._device_name, device._chipset_name = "Anjungan", "emulator", "UDP"
    device._path = f"udp:{host}:{port}"
    try:
        device._bind_socket(0.0)
    except BaseException:
        device.close()
        raise
    return device


class NfcEmulator(ABC):
    """A card that answers a reader on nfcpy's udp driver while presented."""

    def __init__(self, path: str = DEFAULT_PATH) -> None:
        self.host, self.port = parse_udp_path(path)
        self.path = path
        #: Why the serving thread ended early (the port taken, a driver error).
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def presented(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def present(self) -> None:
        """Enter the field: bind the port and answer from a daemon thread.

        Raises :class:`EmulatorPortInUse` if the port is taken, and
        :class:`cardio.errors.CardServiceUnavailable` without nfcpy.
        """
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("card already presented")
            clf = nfcpy_loader.frontend(_bound_udp_device(self.host, self.port))
            self.error = None
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(clf, self._stop), name=f"nfc-emu-{self.port}", daemon=True
            )
            self._thread.start()

    def remove(self, timeout_s: float = 2.0) -> None:
        """Leave the field: stop answering and close the socket. Idempotent."""
        with self._lock:
            thread, self._thread = self._thread, None
            stop, self._stop = self._stop, None
        if stop is not None:
            stop.set()
            self._wake()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)
            if thread.is_alive():
                log.warning("NFC emulator on %s did not stop within %.1f s", self.path, timeout_s)

    def __enter__(self) -> NfcEmulator:
        self.present()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()

    def _wake(self) -> None:
        """Make the serving thread look at its stop flag now.

        Sends what a reader would, in the udp driver's wire format (``BRTY
        HEX`` datagrams): ``RFOFF`` ends an exchange, and the frames of
        :meth:`_wake_frames` make ``listen`` return, however long it waits.
        """
        address = (socket.gethostbyname(self.host), self.port)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
            waker.bind((address[0], 0))
            with contextlib.suppress(OSError):
                waker.sendto(b"RFOFF", address)
                for brty, frame in self._wake_frames():
                    waker.sendto(brty.encode("ascii") + b" " + frame.hex().encode("ascii"), address)

    def _run(self, clf: Any, stop: threading.Event) -> None:
        nfc = nfcpy_loader.load()
        try:
            while not stop.is_set():
                activated = clf.listen(self._local_target(nfc), LISTEN_S)
                if activated is not None and not stop.is_set():
                    self._serve(nfc, clf, activated, stop)
        except Exception as exc:  # the thread must end cleanly and say why
            self.error = exc
            log.error("NFC emulator on %s stopped: %s", self.path, exc)
        finally:
            clf.close()

    def _exchange(self, nfc: Any, clf: Any, response: bytes | None) -> bytes | None:
        """Send ``response`` (if any) and wait up to one slice for the next command.

        Returns b"" when nothing came in time, None when the reader switched
        its field off (the udp driver's ``RFOFF``).
        """
        try:
            command = clf.exchange(None if response is None else bytearray(response), SLICE_S)
        except nfc.clf.BrokenLinkError:
            return None
        except nfc.clf.CommunicationError:
            return b""
        return b"" if command is None else bytes(command)

    @abstractmethod
    def _wake_frames(self) -> list[tuple[str, bytes]]:
        """Reader frames that make ``listen`` return with this card activated."""

    @abstractmethod
    def _local_target(self, nfc: Any) -> Any:
        """The ``LocalTarget`` to listen as."""

    @abstractmethod
    def _serve(self, nfc: Any, clf: Any, activated: Any, stop: threading.Event) -> None:
        """Answer the reader from activation until the link breaks or ``stop``."""
