"""The wire shapes both sides use: what the centre answers and the kiosk reads.

One dataclass per shape. The centre builds them and FastAPI writes them out
(their fields are the JSON's, docs/central-api.md; a field's docstring is its
description in the OpenAPI schema, through ``__pydantic_config__``, a plain
dict, so nothing here imports pydantic); the kiosk's client builds them from the
JSON it checked (:mod:`kiosk.client.results`, :mod:`kiosk.client.info`).

Plus the closed sets of words on the wire: :class:`ErrorCode` (the ``error`` of
a refusal) and :class:`SubmissionStatus` (an outbox item's answer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

#: Field docstrings become the OpenAPI descriptions (pydantic reads this dict).
_DOCUMENTED = {"use_attribute_docstrings": True}


@dataclass(frozen=True)
class Lease:
    """``POST /api/v1/leases``: a block of numbers ``start..end`` for one queue and day."""

    lease_id: str
    office_id: str
    service_id: str
    day: dt.date
    start: int
    end: int
    expires_at: dt.datetime


@dataclass(frozen=True)
class Ward:
    """A hospital ward's beds, as staff last set them (``GET /api/v1/health-info``).

    Every ward says when staff last set it (``updated_at``, docs/central-api.md).
    """

    ward_id: str
    name: str
    beds_total: int
    beds_free: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class ServiceQueue:
    """One queue of ``GET /api/v1/queue``: who is served now, how many wait, how long."""

    service_id: str
    now_serving: str | None
    waiting: int
    estimated_wait_minutes: int


@dataclass(frozen=True)
class KioskInfo:
    """``GET /api/v1/kiosks/me``: who the centre says this kiosk is."""

    kiosk_id: str
    office_id: str
    kiosk_code: str
    name: str


@dataclass(frozen=True)
class HeartbeatAck:
    """``POST /api/v1/heartbeats``: the centre's answer to a heartbeat."""

    __pydantic_config__ = _DOCUMENTED

    server_time: dt.datetime
    """To compare clocks."""
    kiosk_code: str | None
    """This kiosk's short code (fallback tickets)."""


@dataclass(frozen=True, kw_only=True)
class Enrolment:
    """``POST /api/v1/enrol``: the kiosk's id, office, bearer token and short code.

    The kiosk reads a ``kiosk_code`` missing from an older centre's answer as "".
    """

    __pydantic_config__ = _DOCUMENTED

    kiosk_id: str
    office_id: str
    token: str = field(repr=False)
    """The kiosk's bearer token; shown this once, keep it secret."""
    token_type: Literal["bearer"] = field(default="bearer", repr=False)
    kiosk_code: str
    """The kiosk's short code (e.g. K07), unique and never reused; fallback numbers carry it."""


@dataclass(frozen=True)
class LeaseSummary:
    """One queue's usable leased numbers, as a heartbeat reports them and the status shows.

    ``left``: numbers left; ``expires_at``: when the lease ends (None: no end known).
    """

    service_id: str
    day: dt.date
    left: int
    expires_at: dt.datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "service_id": self.service_id,
            "day": self.day.isoformat(),
            "left": self.left,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LeaseSummary:
        """The inverse of :meth:`to_json` (raises ``KeyError``, ``ValueError`` on a bad one)."""
        expires = data["expires_at"]
        return cls(
            service_id=str(data["service_id"]),
            day=dt.date.fromisoformat(data["day"]),
            left=int(data["left"]),
            expires_at=dt.datetime.fromisoformat(expires) if expires is not None else None,
        )


class SubmissionStatus(StrEnum):
    """An outbox item's answer in ``POST /api/v1/submissions``."""

    #: New: the centre took it.
    ACCEPTED = "accepted"
    #: This key with this body again: the centre already holds it.
    REPLAYED = "replayed"
    #: The key holds another body.
    CONFLICT = "conflict"
    #: An item that will never succeed (``error`` says why).
    INVALID = "invalid"


class ErrorCode(StrEnum):
    """The stable ``error`` of a refusal: ``{"error": ..., "detail": ...}``, docs/central-api.md."""

    BAD_REQUEST = "bad_request"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    TOO_MANY_LOOKUPS = "too_many_lookups"
    LOGIN_LOCKED = "login_locked"
    ENROLMENT_REFUSED = "enrolment_refused"
    ENROLMENT_CODE_UNKNOWN = "enrolment_code_unknown"
    ENROLMENT_CODE_USED = "enrolment_code_used"
    ENROLMENT_CODE_EXPIRED = "enrolment_code_expired"
    LEASE_LIMIT = "lease_limit"
    INVALID_TRANSITION = "invalid_transition"
    #: 409: the counter still has a ticket called; nobody was called (docs/central-api.md).
    COUNTER_BUSY = "counter_busy"
    TICKET_DISPUTED = "ticket_disputed"
    INVALID_REQUEST = "invalid_request"
    INVALID_RANGE = "invalid_range"
    INVALID_DAY = "invalid_day"
    INVALID_NUMBER = "invalid_number"
    INVALID_SIZE = "invalid_size"
    INVALID_USERNAME = "invalid_username"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 - a refusal's name, not a secret
    STAFF_EXISTS = "staff_exists"
    OFFICE_REQUIRED = "office_required"
    NOT_PUBLISHED = "not_published"
    UNKNOWN_APPLICATION = "unknown_application"
    UNKNOWN_BOOKING = "unknown_booking"
    UNKNOWN_CITIZEN = "unknown_citizen"
    UNKNOWN_KIOSK = "unknown_kiosk"
    UNKNOWN_LEASE = "unknown_lease"
    UNKNOWN_OFFICE = "unknown_office"
    UNKNOWN_SERVICE = "unknown_service"
    #: 422: a counter the office does not have (docs/central-api.md, call-next).
    UNKNOWN_COUNTER = "unknown_counter"
    UNKNOWN_STAFF = "unknown_staff"
    UNKNOWN_TICKET = "unknown_ticket"
    UNKNOWN_WARD = "unknown_ward"
    UNKNOWN_PATIENT = "unknown_patient"
    UNKNOWN_SCHEDULE = "unknown_schedule"
    #: A doctor's quota for the payer is used up today (docs/hospital.md).
    QUOTA_FULL = "quota_full"
    #: The doctor's hours are over for today: no place is taken (docs/hospital.md).
    DOCTOR_CLOSED = "doctor_closed"
    #: The patient has a live visit at the poli that day already (docs/hospital.md).
    ALREADY_REGISTERED = "already_registered"
    #: A patient's keys (No. RM, BPJS number, NIK, card, name, date of birth) name
    #: different people, or not the record's person (docs/hospital.md).
    IDENTITY_CONFLICT = "identity_conflict"
    #: A patient's NIK cannot exist, or the date of birth is not a past date.
    INVALID_PATIENT = "invalid_patient"
    #: 503: the centre's database is busy (a lock held past its wait) or cannot be
    #: reached; nothing was done; ask again after ``Retry-After``.
    DATABASE_UNAVAILABLE = "database_unavailable"
