"""One-shot looks at the card stack, for ``kiosk doctor``: what pcscd lists, whether
nfcpy can open its reader, and which drivers on the machine would take a card from
somewhere else than the reader on the kiosk.

Each call opens what it needs and closes it again; the caller bounds how long it
may take. Nothing here is used while a citizen waits.
"""

from __future__ import annotations

import errno
from pathlib import Path

from cardio.errors import ReaderUnavailable
from cardio.readers import nfcpy_loader
from cardio.readers.pcsc_scard import establish, list_readers, load_scard

#: Kernel modules that claim USB NFC readers before pcscd's libccid or nfcpy can
#: (packaging/modprobe.d/anjungan-nfc-blacklist.conf keeps them off).
GRABBING_MODULES = ("pn533_usb", "pn533", "port100", "nfc")
#: pcsc-lite drivers that accept a "card" over the network: vsmartcard's vpcd
#: (package vsmartcard-vpcd) lets any host that reaches its port present a card.
NETWORK_CARD_DRIVERS = ("libifdvpcd.so",)
#: Where pcsc-lite looks for its drivers (Debian's and the upstream default).
PCSC_DRIVER_DIRS = ("usr/lib/pcsc/drivers", "usr/local/lib/pcsc/drivers")


def pcsc_readers() -> list[str]:
    """The readers pcscd lists now; raises :class:`CardServiceUnavailable` without
    pcscd (or pyscard), another :class:`CardError` if it cannot list them."""
    scard = load_scard()
    context = establish(scard)
    try:
        return list_readers(scard, context)
    finally:
        scard.SCardReleaseContext(context)


def nfc_reader(path: str) -> str:
    """Open the nfcpy reader at ``path`` (``usb``, ``usb:VID:PID``, ``udp:HOST:PORT``),
    close it, and return what nfcpy calls it.

    Raises :class:`CardServiceUnavailable` without nfcpy, :class:`ReaderUnavailable`
    when no reader is found there or it cannot be opened (busy, no permission).
    """
    try:
        device = nfcpy_loader.open_device(path)
    except OSError as exc:
        why = {
            errno.EBUSY: "busy: held by pcscd's libccid or a kernel NFC driver",
            errno.EACCES: "no permission: the udev rules of packaging/udev are missing",
        }.get(exc.errno or 0, exc.strerror or str(exc))
        raise ReaderUnavailable(f"nfcpy cannot open {path}: {why}") from exc
    if device is None:
        raise ReaderUnavailable(f"nfcpy finds no reader at {path}")
    try:
        return f"{device.vendor_name} {device.product_name} ({path})".strip()
    finally:
        device.close()


def dangerous_drivers(root: Path = Path("/")) -> list[str]:
    """Drivers present under ``root`` that a kiosk must not have: kernel NFC modules
    loaded now (they take the readers), and pcsc-lite drivers that accept cards from
    the network. Unreadable places count as none found."""
    found: list[str] = []
    try:
        loaded = {
            line.split()[0]
            for line in (root / "proc" / "modules").read_text(encoding="ascii").splitlines()
            if line.strip()
        }
    except (OSError, UnicodeDecodeError):
        loaded = set()
    found.extend(f"kernel module {m}" for m in GRABBING_MODULES if m in loaded)
    for folder in PCSC_DRIVER_DIRS:
        try:
            files = sorted((root / folder).rglob("*"))
        except OSError:
            continue
        found.extend(
            f"pcsc driver /{f.relative_to(root).as_posix()}"
            for f in files
            if f.name in NETWORK_CARD_DRIVERS
        )
    return found
