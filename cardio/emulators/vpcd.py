"""A virtual card served to the vsmartcard ``vpcd`` reader driver over TCP.

The vpcd driver (Debian ``vsmartcard-vpcd``) runs inside pcscd and listens on
a TCP port per slot; a virtual card *inserts* itself by connecting to that
port and is *removed* by closing the socket. Each frame on the wire is a
2-byte big-endian length followed by the payload. A 1-byte payload is a
control code from the driver (:data:`CTRL_OFF`, :data:`CTRL_ON`,
:data:`CTRL_RESET`, :data:`CTRL_ATR`); only :data:`CTRL_ATR` is answered, with
the card's ATR. Any longer payload is a command APDU, answered with one frame
holding the response APDU (data followed by SW1 SW2).

:class:`VpcdCard` serves any object with ``execute(apdu) -> response`` (and
optionally ``reset()``), such as :class:`cardio.emulators.citizen_applet.CitizenCardApplet`.

vpcd listens on every interface: anyone on the network can present a card.
It belongs on development and test machines only, never on a kiosk.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from typing import Protocol

from cardio.readers.atr import contactless_atr

log = logging.getLogger(__name__)

#: vpcd's default port for its first slot (0x8C7B); the second slot is +1.
DEFAULT_PORT = 35963

CTRL_OFF = 0
CTRL_ON = 1
CTRL_RESET = 2
CTRL_ATR = 4

#: Linux only; elsewhere the card still works, just with delayed ACKs.
_TCP_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)

#: Answered when the card logic itself fails (ISO 7816-4: no precise diagnosis).
SW_NO_PRECISE_DIAGNOSIS = bytes.fromhex("6F00")


#: The ATR :class:`VpcdCard` presents unless told otherwise: an ISO 14443-4
#: Type A card without historical bytes, as a PC/SC contactless reader reports it.
DEFAULT_ATR = contactless_atr()


class CardApplet(Protocol):
    """The card-side logic a virtual card serves."""

    def execute(self, command: bytes) -> bytes: ...


class VpcdCard:
    """A virtual card connected to one vpcd slot while inserted.

    ``insert()`` connects and answers the driver on a daemon thread;
    ``remove()`` closes the socket. Usable as a context manager.
    """

    def __init__(
        self,
        applet: CardApplet,
        port: int = DEFAULT_PORT,
        host: str = "127.0.0.1",
        atr: bytes = DEFAULT_ATR,
        connect_timeout_s: float = 5.0,
    ) -> None:
        self.applet = applet
        self.host = host
        self.port = port
        self.atr = atr
        self.connect_timeout_s = connect_timeout_s
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def inserted(self) -> bool:
        """True while the answer loop is running."""
        return self._thread is not None and self._thread.is_alive()

    def insert(self) -> None:
        """Connect to vpcd and start answering. Raises ``OSError`` if vpcd is not there.

        A card that vpcd dropped (pcscd stopped) can be inserted again without
        :meth:`remove` first, as :attr:`inserted` already says False.
        """
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise RuntimeError("card already inserted")
            if self._sock is not None:
                self._sock.close()  # the connection vpcd dropped
                self._sock = None
            sock = socket.create_connection((self.host, self.port), self.connect_timeout_s)
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = sock
            self._thread = threading.Thread(
                target=self._serve, args=(sock,), name=f"vpcd-card-{self.port}", daemon=True
            )
            self._thread.start()

    def remove(self, timeout_s: float = 2.0) -> None:
        """Close the socket (the card leaves the field). Idempotent."""
        with self._lock:
            sock, self._sock = self._sock, None
            thread, self._thread = self._thread, None
        if sock is not None:
            with contextlib.suppress(OSError):  # vpcd may have closed it already
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)

    def __enter__(self) -> VpcdCard:
        self.insert()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                payload = _recv_frame(sock)
                if payload is None:
                    log.debug("vpcd closed the connection on port %d", self.port)
                    return
                answer = self._answer(payload)
                if answer is not None:
                    sock.sendall(len(answer).to_bytes(2, "big") + answer)
        except OSError as exc:
            # remove() closed the socket under us, or vpcd went away (pcscd stopped).
            log.debug("virtual card on port %d stopped: %s", self.port, exc)

    def _answer(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            code = payload[0]
            if code == CTRL_ATR:
                return self.atr
            if code in (CTRL_OFF, CTRL_ON, CTRL_RESET):
                reset = getattr(self.applet, "reset", None)
                if callable(reset):
                    reset()
            else:
                log.debug("unknown vpcd control code %d ignored", code)
            return None
        try:
            return self.applet.execute(payload)
        except Exception:
            log.exception("card logic failed on a %d-byte APDU", len(payload))
            return SW_NO_PRECISE_DIAGNOSIS


def _recv_frame(sock: socket.socket) -> bytes | None:
    """One length-prefixed payload, or None if the peer closed between frames."""
    head = _recv_exact(sock, 2)
    if head is None:
        return None
    body = _recv_exact(sock, int.from_bytes(head, "big"))
    if body is None:
        raise ConnectionError("vpcd closed the connection mid-frame")
    return body


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < size:
        # vpcd writes length and body separately; without a quick ACK the
        # second write waits for the delayed ACK (~40 ms per APDU).
        # Linux resets QUICKACK after use, so set it before every recv.
        if _TCP_QUICKACK is not None:
            sock.setsockopt(socket.IPPROTO_TCP, _TCP_QUICKACK, 1)
        chunk = sock.recv(size - len(buf))
        if not chunk:
            if buf:
                raise ConnectionError("vpcd closed the connection mid-frame")
            return None
        buf += chunk
    return bytes(buf)
