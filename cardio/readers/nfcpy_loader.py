"""Loading nfcpy lazily, and the two places we step around it.

nfcpy is an optional extra (``anjungan[nfc]``): nothing imports it until a
reader or emulator starts, and a missing nfcpy becomes
:class:`cardio.errors.CardServiceUnavailable`, never an ImportError.

Importing ``nfc.tag`` calls ``logging.captureWarnings(True)``, which would
route every warning of the whole process into logging; :func:`load` puts
the previous ``warnings.showwarning`` back. nfcpy 1.0.4 raises no warnings
on import on Python 3.11 (checked with ``-W error``), so none are filtered.

:func:`open_device` opens a device by path through ``nfc.clf.device.connect``
and :func:`frontend` wraps it in a ``ContactlessFrontend``: the same steps as
``ContactlessFrontend.open`` without its ERROR log line on every miss, which
a kiosk polling for an unplugged reader would write every few seconds. A ``udp``
path opens :mod:`cardio.readers._udp_radio`'s driver, whose answers are paired with
their commands as a real radio's are.
"""

from __future__ import annotations

import importlib
import threading
import warnings
from types import ModuleType
from typing import Any

from cardio.errors import CardServiceUnavailable
from cardio.readers._udp_radio import reader_device

#: Imported up front: nfcpy imports a tag type's module on the first tag of
#: that type, which would add milliseconds to the first tap.
_MODULES = (
    "nfc.clf",
    "nfc.clf.device",
    "nfc.clf.udp",
    "nfc.tag",
    "nfc.tag.tt1",
    "nfc.tag.tt2",
    "nfc.tag.tt2_nxp",
    "nfc.tag.tt3",
    "nfc.tag.tt3_sony",
    "nfc.tag.tt4",
    "ndef",
)

_lock = threading.Lock()
_loaded: ModuleType | None = None


def load() -> ModuleType:
    """The ``nfc`` package with ``nfc.clf``, ``nfc.tag`` and ``ndef`` imported."""
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        shown = warnings.showwarning
        try:
            nfc = importlib.import_module("nfc")
            for name in _MODULES:
                importlib.import_module(name)
        except ImportError as exc:
            raise CardServiceUnavailable(
                f"nfcpy is not installed (pip install 'anjungan[nfc]'): {exc}"
            ) from None
        except OSError as exc:  # libusb1 without the libusb-1.0 shared library
            raise CardServiceUnavailable(f"nfcpy cannot load libusb: {exc}") from None
        finally:
            warnings.showwarning = shown
        _loaded = nfc
        return nfc


def ndef_module() -> ModuleType:
    load()
    return importlib.import_module("ndef")


def open_device(path: str) -> Any:
    """The nfcpy driver for ``path``, or None if no such device is connected.

    Raises ``OSError`` (EACCES, EBUSY, ENODEV) for a device that is there
    but cannot be used, as nfcpy does for fully qualified paths.
    """
    nfc = load()
    if path.startswith("udp"):  # answers paired with their commands (see _udp_radio)
        parts = path.split(":")
        host = parts[1] if len(parts) > 1 and parts[1] else "localhost"
        port = int(parts[2]) if len(parts) > 2 and parts[2] else 54321
        return reader_device(nfc, host, port)
    return nfc.clf.device.connect(path)


def frontend(device: Any) -> Any:
    """A ``ContactlessFrontend`` driving ``device`` (closed by ``close()``)."""
    nfc = load()
    clf = nfc.ContactlessFrontend()
    clf.device = device
    return clf
