"""Every error :mod:`contract` raises, in one place.

All three are :class:`ValueError`\\ s: each refuses a document or a number that
came from outside (a file, the network, a card). The message says where; the
``reason``, where the callers tell reasons apart, says what, without parsing text.

* :class:`TrustError` — a trust or revocation list that cannot be used;
  :class:`TrustRollback` — one older than the list held;
  :class:`TrustVersionJump` — one whose version leaps too far.
* :class:`NikError` — a NIK that cannot exist.
* :class:`CatalogError` — a service catalog that is not usable.
* :class:`HospitalError` — a hospital document (today's doctors, a registration's
  ``hospital`` object) that is not usable.
"""

from __future__ import annotations

from enum import StrEnum


class TrustReason(StrEnum):
    """Why a trust or revocation list is refused."""

    UNUSABLE = "unusable"
    ROLLBACK = "rollback"
    VERSION_JUMP = "version_jump"


class TrustError(ValueError):
    """A trust or revocation list that cannot be used; the message says where."""

    reason: TrustReason = TrustReason.UNUSABLE


class TrustRollback(TrustError):
    """A list older than the one held, or as old but different (:func:`check_successor`)."""

    reason = TrustReason.ROLLBACK


class TrustVersionJump(TrustRollback):
    """A list whose version leaps too far past the one held (:func:`check_step`)."""

    reason = TrustReason.VERSION_JUMP


class NikReason(StrEnum):
    """Which part of a NIK cannot exist."""

    LENGTH = "length"
    PROVINCE = "province"
    REGENCY = "regency"
    DISTRICT = "district"
    SERIAL = "serial"
    MONTH = "month"
    DAY = "day"
    DATE = "date"


class NikError(ValueError):
    """A NIK that cannot be valid; ``reason`` and the message say which part is wrong.

    Messages never repeat the NIK's digits (they reach logs), only the
    province code.
    """

    def __init__(self, reason: NikReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class CatalogError(ValueError):
    """The catalog is not usable; the message names the offending path."""


class HospitalError(ValueError):
    """A hospital document that cannot be used; the message names the path."""
