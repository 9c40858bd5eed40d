"""What :class:`kiosk.client.client.CentralClient` returns (plain data, no I/O).

The shapes both sides share are :mod:`contract.wire`'s; the ``parse_*``
functions here build them from the centre's JSON, strictly (:class:`AnswerError`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contract.hospital import HospitalError, parse_hhmm
from contract.shown import shown_key, shown_kodebooking, shown_repr
from contract.wire import HeartbeatAck, KioskInfo, Lease, SubmissionStatus
from kiosk.client.errors import AnswerError

#: The record keys a lookup may fill (``record.<key>`` in the catalog's forms).
RECORD_KEYS = ("medical_record_number", "family_card_number", "phone")
#: The longest text of a hospital place the kiosk keeps.
_MAX_PLACE_TEXT = 200


@dataclass(frozen=True)
class DocumentFetch:
    """The result of fetching a versioned document (catalog, trust or revocation list).

    ``not_modified`` means the ``etag`` sent still matches and ``data`` is
    ``None``; otherwise ``data`` is the JSON object (not yet validated: see
    :meth:`contract.catalog.Catalog.from_json`, :meth:`contract.trust.TrustStore.from_json`)
    and ``etag`` its new tag.
    """

    not_modified: bool
    etag: str | None
    data: dict[str, Any] | None
    #: The exact bytes of the answer (b"" when not modified): what the store keeps.
    raw: bytes = field(default=b"", repr=False)


#: The name the catalog's fetch had first.
CatalogFetch = DocumentFetch


@dataclass(frozen=True)
class CitizenLookup:
    """A citizen's city record: what the card does not hold.

    ``record`` has the keys of :data:`RECORD_KEYS` the city knows. For a
    lookup by UID with the holder's right date of birth (a UID alone finds
    no one), ``full_name`` and ``nik`` say whom the registry lists as the
    card's holder (still unverified: a UID can be copied).
    """

    record: Mapping[str, str]
    full_name: str | None = None
    nik: str | None = None
    card_number: str | None = None

    def __repr__(self) -> str:  # personal data never reaches a log by accident
        return f"CitizenLookup(<{len(self.record)} record fields>, holder={self.nik is not None})"


def _str(data: Mapping[str, Any], key: str, *, empty: bool = False) -> str:
    value = data.get(key)
    if not isinstance(value, str) or (not value and not empty):
        raise AnswerError(f"{key!r} missing or not a string")
    return value


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerError(f"{key!r} missing or not an integer")
    return value


def _opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


#: Times and days the centre sends lie in [EARLIEST, LATEST) in UTC, as the centre
#: itself requires of what kiosks send (central/office/submissions.py): anything else is
#: a broken or hostile answer, and one near year 1 or 9999 cannot even be converted.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _time(data: Mapping[str, Any], key: str) -> dt.datetime:
    """An ISO 8601 time (no offset: UTC), in UTC and between 2000 and 2100."""
    try:
        moment = dt.datetime.fromisoformat(_str(data, key))
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except (ValueError, OverflowError) as exc:
        raise AnswerError(f"{key!r} is not an ISO 8601 time") from exc
    if not EARLIEST <= moment < LATEST:
        raise AnswerError(f"{key!r} is not between 2000 and 2100")
    return moment


def _day(data: Mapping[str, Any], key: str = "day") -> dt.date:
    """A ``YYYY-MM-DD`` day between 2000 and 2100."""
    try:
        day = dt.date.fromisoformat(_str(data, key))
    except ValueError as exc:
        raise AnswerError(f"{key!r} is not YYYY-MM-DD") from exc
    if not EARLIEST.date() <= day < LATEST.date():
        raise AnswerError(f"{key!r} is not between 2000 and 2100")
    return day


def parse_kiosk_info(data: Mapping[str, Any]) -> KioskInfo:
    """``GET /api/v1/kiosks/me``; a missing or null ``name`` is ""."""
    return KioskInfo(
        kiosk_id=_str(data, "kiosk_id"),
        office_id=_str(data, "office_id"),
        kiosk_code=_str(data, "kiosk_code"),
        name=str(data.get("name") or ""),
    )


@shown_repr(kodebooking=shown_kodebooking)  # a Mobile JKN booking's is its code
@dataclass(frozen=True)
class HospitalPlace:
    """The quota place the centre took with a ticket's number (``allocate``'s ``hospital``)."""

    kodebooking: str
    angkaantrean: int
    nomorantrean: str
    estimated_at: dt.time


def parse_place(data: Any) -> HospitalPlace:
    """The ``hospital`` object of an allocation."""
    if not isinstance(data, Mapping):
        raise AnswerError("'hospital' is not an object")
    angka = _int(data, "angkaantrean")
    if angka < 1:
        raise AnswerError("'angkaantrean' must be positive")
    try:
        estimated = parse_hhmm(_str(data, "estimated_at"))
    except HospitalError as exc:
        raise AnswerError("'estimated_at' is not HH:MM") from exc
    kodebooking, nomor = _str(data, "kodebooking"), _str(data, "nomorantrean")
    if len(kodebooking) > _MAX_PLACE_TEXT or len(nomor) > _MAX_PLACE_TEXT:
        raise AnswerError("a hospital place's text is too long")
    return HospitalPlace(kodebooking, angka, nomor, estimated)


@shown_repr(ticket_id=shown_key)  # it opens the ticket's public page (/t/{id})
@dataclass(frozen=True)
class Allocation:
    """``POST /api/v1/tickets/allocate``: a number the centre gave one ticket, online."""

    ticket_id: str
    service_id: str
    day: dt.date
    number: int
    display: str
    counter: str = ""
    people_ahead: int | None = None
    estimated_wait_minutes: int | None = None
    now_serving: str | None = None
    #: The doctor's quota place taken with the number (a registration at a poli).
    hospital: HospitalPlace | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Allocation:
        number = _int(data, "number")
        if number < 1:
            raise AnswerError("'number' must be positive")
        day = _day(data)
        serving = data.get("now_serving")
        return cls(
            ticket_id=_str(data, "ticket_id"),
            service_id=_str(data, "service_id"),
            day=day,
            number=number,
            display=_str(data, "display"),
            counter=str(data.get("counter") or ""),
            people_ahead=_opt_int(data, "people_ahead"),
            estimated_wait_minutes=_opt_int(data, "estimated_wait_minutes"),
            now_serving=serving if isinstance(serving, str) and serving else None,
            hospital=parse_place(data["hospital"]) if data.get("hospital") is not None else None,
        )


def parse_lease(data: Mapping[str, Any]) -> Lease:
    """``POST /api/v1/leases``: a block of numbers ``start..end`` for one queue and day."""
    start, end = _int(data, "start"), _int(data, "end")
    if not 1 <= start <= end:
        raise AnswerError("a lease needs 1 <= start <= end")
    day = _day(data)
    return Lease(
        lease_id=_str(data, "lease_id"),
        office_id=_str(data, "office_id"),
        service_id=_str(data, "service_id"),
        day=day,
        start=start,
        end=end,
        expires_at=_time(data, "expires_at"),
    )


#: The only answers that mean the centre has taken the item under its key.
TAKEN_STATUSES: frozenset[str] = frozenset({SubmissionStatus.ACCEPTED, SubmissionStatus.REPLAYED})


def taken_by_centre(status: str) -> bool:
    """Whether an item's answer means the centre holds it, so the kiosk may drop it.

    Only ``accepted`` (new) and ``replayed`` (this key with this body again).
    ``conflict`` (the key holds another body), ``invalid`` and any answer this
    kiosk does not know are not: the item stays, a dead letter for an operator.
    """
    return status in TAKEN_STATUSES


@shown_repr(key=shown_key)
@dataclass(frozen=True)
class SubmissionResult:
    """One item's answer from ``POST /api/v1/submissions``.

    ``status`` is the centre's word as sent: a :class:`contract.wire.SubmissionStatus`,
    or one a newer centre added, which this kiosk treats as not taken.
    """

    key: str
    status: str
    error: str = ""
    detail: str = ""
    #: The centre's one-word outcome of an item that has one (a ``visit_cancel``'s
    #: ``result.cancel``: ``cancelled``, ``done``, ``unknown_visit``); "" for none.
    outcome: str = ""

    @property
    def taken(self) -> bool:
        """The centre holds the item (:func:`taken_by_centre`)."""
        return taken_by_centre(self.status)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmissionResult:
        return cls(
            key=_str(data, "key"),
            status=_str(data, "status"),
            error=str(data.get("error") or ""),
            detail=str(data.get("detail") or ""),
            outcome=_outcome(data.get("result")),
        )


def _outcome(result: Any) -> str:
    """``result.cancel`` when it is a short word; "" otherwise."""
    word = result.get("cancel") if isinstance(result, dict) else None
    if isinstance(word, str) and 1 <= len(word) <= 32 and word.isascii() and word.isidentifier():
        return word
    return ""


def parse_heartbeat_ack(data: Mapping[str, Any]) -> HeartbeatAck:
    """``POST /api/v1/heartbeats``; a ``kiosk_code`` that is not a string is None."""
    code = data.get("kiosk_code")
    return HeartbeatAck(
        server_time=_time(data, "server_time"),
        kiosk_code=code if isinstance(code, str) else None,
    )
