"""Thin helpers over pyscard's ``smartcard.scard`` (PC/SC as C calls).

pyscard is imported only by :func:`load_scard`, so every module of the PC/SC
backend imports without it. Return codes become :mod:`cardio.errors` here and
nowhere else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cardio.errors import (
    CardError,
    CardRemovedDuringRead,
    CardServiceUnavailable,
    CardTimeout,
    ReaderUnavailable,
)

#: Where pcsc-lite's clients find pcscd (``PCSCLITE_CSOCK_NAME`` moves it); with socket
#: activation the socket is there before pcscd runs.
PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")


def pcscd_socket() -> Path:
    """The socket a PC/SC client of this process would connect to."""
    return Path(os.environ.get("PCSCLITE_CSOCK_NAME") or PCSCD_SOCKET)


def load_scard() -> Any:
    """pyscard's low-level ``smartcard.scard`` module (PC/SC as C calls)."""
    try:
        import smartcard.scard as scard
    except ImportError:
        raise CardServiceUnavailable(
            "pyscard is not installed (install the 'pcsc' extra)"
        ) from None
    return scard


def codes(scard: Any, *names: str) -> frozenset[int]:
    """The values of the named PC/SC return codes this pyscard defines."""
    return frozenset(getattr(scard, n) for n in names if hasattr(scard, n))


def service_down_codes(scard: Any) -> frozenset[int]:
    """Return codes meaning the service is gone (or our context died with it)."""
    return codes(
        scard,
        "SCARD_E_NO_SERVICE",
        "SCARD_E_SERVICE_STOPPED",
        "SCARD_F_COMM_ERROR",
        "SCARD_E_INVALID_HANDLE",
    )


def describe(scard: Any, hresult: int, what: str) -> str:
    return f"{what}: {scard.SCardGetErrorMessage(hresult)} (0x{hresult & 0xFFFFFFFF:08X})"


def error_for(scard: Any, hresult: int, what: str) -> CardError:
    """The :mod:`cardio.errors` exception for a failed PC/SC call."""
    detail = describe(scard, hresult, what)
    if hresult in codes(scard, "SCARD_E_NO_SERVICE", "SCARD_E_SERVICE_STOPPED"):
        return CardServiceUnavailable(detail)
    if hresult in codes(
        scard,
        "SCARD_E_UNKNOWN_READER",
        "SCARD_E_READER_UNAVAILABLE",
        "SCARD_E_NO_READERS_AVAILABLE",
    ):
        return ReaderUnavailable(detail)
    if hresult in codes(
        scard, "SCARD_W_REMOVED_CARD", "SCARD_E_NO_SMARTCARD", "SCARD_W_RESET_CARD"
    ):
        return CardRemovedDuringRead(detail)
    if hresult == scard.SCARD_E_TIMEOUT:
        return CardTimeout(detail)
    return CardError(detail)


def establish(scard: Any) -> int:
    """A new PC/SC context; raises :class:`CardServiceUnavailable` without pcscd."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise CardServiceUnavailable(describe(scard, hresult, "SCardEstablishContext"))
    return int(context)


def list_readers(scard: Any, context: int) -> list[str]:
    """Reader names on ``context``; raises a :class:`CardError` on failure."""
    hresult, names = scard.SCardListReaders(context, [])
    if hresult == getattr(scard, "SCARD_E_NO_READERS_AVAILABLE", None):
        return []
    if hresult != scard.SCARD_S_SUCCESS:
        raise error_for(scard, hresult, "SCardListReaders")
    return [str(n) for n in names]
