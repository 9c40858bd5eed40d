"""The ``escpos`` backend: thermal receipt printers through python-escpos.

The ticket is the same PDF every backend prints, rasterised for the head
(:mod:`printing.printers.raster`: 203 dpi, exactly ``dots`` wide) and sent as one
``GS v 0`` raster image, then fed and cut. A printer that answers the
real-time status request (``DLE EOT 4``, paper sensor; ``DLE EOT 2``, cover)
is asked before every job; one that does not answer within
``status_timeout_s`` is printed to anyway. The connection is opened for each
job and status check and closed after it: a printer unplugged, switched off
or out of paper is found again on the next ticket without a restart.

python-escpos is imported lazily (the ``escpos`` extra); its USB support
also needs ``pyusb``.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from typing import Any, Literal

from printing import errors
from printing.printers.printer import Printer, PrinterStatus, PrintReceipt, check_pdf
from printing.printers.raster import pdf_to_bitmap

log = logging.getLogger(__name__)

#: Real-time status requests and the bits that answer them (ESC/POS ``DLE EOT n``).
STATUS_PAPER = b"\x10\x04\x04"
STATUS_CAUSE = b"\x10\x04\x02"
PAPER_END = 0x60  # roll end sensor (bits 5 and 6)
PAPER_NEAR_END = 0x0C  # near-end sensor (bits 2 and 3)
COVER_OPEN = 0x04  # in the offline-cause byte


@dataclass(frozen=True)
class EscposDevice:
    """Where the printer is: ``usb:VID:PID``, ``serial:DEVICE[:BAUD]``,
    ``tcp:HOST[:PORT]`` or ``file:PATH`` (e.g. the usblp device ``/dev/usb/lp0``)."""

    kind: Literal["usb", "serial", "tcp", "file"]
    address: str = ""
    #: TCP port or serial baud rate.
    port: int = 0
    vendor: int = 0
    product: int = 0

    def __str__(self) -> str:
        if self.kind == "usb":
            return f"usb:{self.vendor:04x}:{self.product:04x}"
        suffix = f":{self.port}" if self.port else ""
        return f"{self.kind}:{self.address}{suffix}"


def parse_device(text: str) -> EscposDevice:
    """Parse the ``printer.escpos_device`` setting; :class:`ValueError` says what is wrong."""
    kind, _, rest = text.strip().partition(":")
    try:
        if kind == "usb":
            vendor, product = rest.split(":")
            return EscposDevice("usb", vendor=int(vendor, 16), product=int(product, 16))
        if kind == "tcp":
            host, _, port = rest.partition(":")
            if not host:
                raise ValueError
            return EscposDevice("tcp", host, int(port) if port else 9100)
        if kind == "serial":
            path, baud = rest, 9600
            head, _, tail = rest.rpartition(":")
            if head and tail.isdigit():
                path, baud = head, int(tail)
            if not path.startswith("/"):
                raise ValueError
            return EscposDevice("serial", path, baud)
        if kind == "file" and rest.startswith("/"):
            return EscposDevice("file", rest)
    except ValueError:
        pass
    raise ValueError(
        f"{text!r} is not an ESC/POS device: use usb:VID:PID (hex, e.g. usb:04b8:0202), "
        "serial:/dev/ttyUSB0[:BAUD], tcp:HOST[:PORT] or file:/dev/usb/lp0"
    )


def write_job(connection: Any, bitmap: Any) -> None:
    """Send ``bitmap`` to an open python-escpos printer: initialise, raster image, cut."""
    connection.hw("INIT")
    connection.image(bitmap, impl="bitImageRaster", center=False)
    connection.cut()


class EscposPrinter(Printer):
    """Prints to the ESC/POS printer at ``device``, ``dots`` wide (576 for 80 mm, 384 for 58 mm).

    ``timeout_s`` bounds each write to the device; ``status_timeout_s`` is how
    long a status request may go unanswered before the printer is taken to
    have no return channel.
    """

    backend = "escpos"

    def __init__(
        self,
        device: str | EscposDevice,
        *,
        dots: int = 576,
        timeout_s: float = 15.0,
        status_timeout_s: float = 1.0,
    ) -> None:
        self.device = parse_device(device) if isinstance(device, str) else device
        self.dots = dots
        self.timeout_s = timeout_s
        self.status_timeout_s = status_timeout_s

    def __repr__(self) -> str:
        return f"EscposPrinter({str(self.device)!r}, dots={self.dots})"

    def status(self) -> PrinterStatus:
        try:
            connection = self._open()
        except errors.PrinterError as exc:
            return PrinterStatus(ready=False, fault=exc.reason, detail=exc.detail)
        try:
            return self._probe(connection)
        finally:
            _close(connection)

    def print_pdf(self, pdf: bytes, job_name: str, *, personal: bool = False) -> PrintReceipt:
        check_pdf(pdf)
        bitmap = pdf_to_bitmap(pdf, self.dots)
        connection = self._open()
        try:
            before = self._probe(connection)
            if not before.ready:
                raise errors.ERROR_FOR_FAULT[before.fault or errors.PrintFault.FAILED](
                    before.detail
                )
            self._set_timeout(connection, self.timeout_s)
            write_job(connection, bitmap)
        except errors.PrinterError:
            raise
        except TimeoutError as exc:
            raise errors.PrintTimeout(
                f"{self.device}: the printer stopped taking data ({exc})"
            ) from None
        except Exception as exc:  # OSError, USBError, SerialException: the device went away
            raise errors.PrintFailed(f"{self.device}: sending the ticket failed ({exc})") from None
        finally:
            _close(connection)
        log.info("ticket %s sent to %s (%d×%d dots)", job_name, self.device, *bitmap.size)
        return PrintReceipt(backend=self.backend, job_id=str(self.device))

    # -- device ----------------------------------------------------------------
    def _open(self) -> Any:
        from escpos import printer as escpos_printer
        from escpos.exceptions import DeviceNotFoundError

        d = self.device
        profile = _profile(self.dots)
        if d.kind == "tcp":
            # Connected here rather than by Network.open(), which leaks its socket
            # when the printer refuses the connection (python-escpos 3.1).
            connection: Any = escpos_printer.Network(d.address, d.port, profile=profile)
            try:
                connection.device = socket.create_connection(
                    (d.address, d.port), timeout=max(self.status_timeout_s, 3.0)
                )
            except OSError as exc:
                raise errors.PrinterOffline(f"{d}: not reachable ({exc.strerror or exc})") from None
            return connection
        if d.kind == "usb":
            if not escpos_printer.Usb.is_usable():
                raise errors.PrinterUnavailable("USB printers need pyusb, which is not installed")
            connection = escpos_printer.Usb(
                d.vendor, d.product, timeout=int(self.status_timeout_s * 1000), profile=profile
            )
        elif d.kind == "serial":
            connection = escpos_printer.Serial(
                d.address, baudrate=d.port, timeout=self.status_timeout_s, profile=profile
            )
        else:
            connection = escpos_printer.File(d.address, profile=profile)
        try:
            connection.open()
        except DeviceNotFoundError as exc:
            detail = " ".join(str(exc).split())
            raise errors.PrinterUnavailable(f"{d}: not connected ({detail})") from None
        return connection

    def _probe(self, connection: Any) -> PrinterStatus:
        unknown = PrinterStatus(
            True, None, f"{self.device}: connected (no status reported)", reported=False
        )
        if self.device.kind == "file":  # opened write-only: nothing can be read back
            return unknown
        self._set_timeout(connection, self.status_timeout_s)
        try:
            paper = connection.query_status(STATUS_PAPER)
            if not paper:
                return unknown
            if paper[0] & PAPER_END == PAPER_END:
                return PrinterStatus(
                    False, errors.PrintFault.OUT_OF_PAPER, f"{self.device}: paper roll empty"
                )
            cause = connection.query_status(STATUS_CAUSE)
        except Exception as exc:  # no answer in time, or a device that cannot be read
            log.debug("%s does not report its status: %s", self.device, exc)
            return unknown
        if cause and cause[0] & COVER_OPEN:
            return PrinterStatus(
                False, errors.PrintFault.OUT_OF_PAPER, f"{self.device}: cover open"
            )
        low = " (paper near end)" if paper[0] & PAPER_NEAR_END == PAPER_NEAR_END else ""
        return PrinterStatus(True, None, f"{self.device}: ready{low}")

    def _set_timeout(self, connection: Any, seconds: float) -> None:
        device = getattr(connection, "device", None)
        if self.device.kind == "tcp" and device is not None:
            device.settimeout(seconds)


def _profile(dots: int) -> Any:
    """python-escpos's default profile with this head's width, as an instance of its own.

    Profile data is shared by every printer of a profile class; the copy keeps
    our width from leaking into other printers in the process.
    """
    from escpos.capabilities import Profile

    profile = Profile(features=dict(Profile.profile_data["features"]))
    media = {"width": {"pixels": dots, "mm": round(dots / 8)}, "dpi": 203}
    profile.profile_data = {**Profile.profile_data, "media": media}
    return profile


def _close(connection: Any) -> None:
    try:
        connection.close()
    except Exception as exc:  # closing a device that is already gone
        log.debug("closing the printer connection failed: %s", exc)
