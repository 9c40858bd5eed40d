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
#: A file name starting with one of these (``libifdvpcd.so``, ``libifdvpcd.so.0.8``).
NETWORK_CARD_DRIVERS = ("libifdvpcd.so",)
#: Where pcsc-lite looks for its drivers (Debian's and the upstream default).
PCSC_DRIVER_DIRS = ("usr/lib/pcsc/drivers", "usr/local/lib/pcsc/drivers")
#: pcsc-lite's serial readers: each file names its driver anywhere with ``LIBPATH``.
READER_CONF_DIR = "etc/reader.conf.d"
#: /proc/modules and a reader.conf.d file are a few KiB; never read more than this.
MAX_READ_BYTES = 1024 * 1024


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
            errno.EBUSY: (
                "busy: held by another process (the running kiosk, pcscd's libccid) or a "
                "kernel NFC driver"
            ),
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
    modules = _read_capped(root / "proc" / "modules")
    loaded = {line.split()[0] for line in modules.splitlines() if line.strip()}
    found.extend(f"kernel module {m}" for m in GRABBING_MODULES if m in loaded)
    for folder in PCSC_DRIVER_DIRS:
        try:
            files = sorted((root / folder).rglob("*"))
        except OSError:
            continue
        found.extend(
            f"pcsc driver /{f.relative_to(root).as_posix()}"
            for f in files
            if _network_driver(f.name)
        )
    try:
        entries = sorted((root / READER_CONF_DIR).iterdir())
    except OSError:
        entries = []
    for entry in entries:
        for line in _read_capped(entry).splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] == "LIBPATH" and _network_driver(Path(words[1]).name):
                found.append(f"/{READER_CONF_DIR}/{entry.name}: LIBPATH {words[1]}")
    return found


def _network_driver(name: str) -> bool:
    return name.startswith(NETWORK_CARD_DRIVERS)


def _read_capped(path: Path) -> str:
    """The start of the text file at ``path`` (at most :data:`MAX_READ_BYTES`); "" when
    it cannot be read (missing, a folder, not text)."""
    try:
        with path.open("rb") as file:
            return file.read(MAX_READ_BYTES).decode("ascii", errors="replace")
    except OSError:
        return ""
