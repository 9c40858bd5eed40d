"""What the kiosk shows from the centre besides its catalog: plain data, no I/O.

:class:`HealthInfo` (``GET /api/v1/health-info``: beds by ward, doctors on
duty), :class:`QueueState` (``GET /api/v1/queue``: now serving per service)
and :class:`Application` (``POST /api/v1/citizens/applications``: a citizen's
applications and their state), :class:`AnsweredComplaint`
(``POST /api/v1/citizens/complaints``: the answers to their complaints). The
``parse_*`` functions turn the centre's JSON into them and raise
:class:`~kiosk.client.results.AnswerError` (a
:class:`ValueError`) on an answer of the wrong shape, as every parser of the
centre's answers does (the client wraps it as
:class:`kiosk.client.errors.CentralProtocolError`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contract.shown import shown_reference
from contract.wire import ServiceQueue, Ward
from kiosk.client.errors import AnswerError
from kiosk.client.results import _int, _time

#: Application states the centre sends (docs/central-api.md).
APPLICATION_STATES = ("received", "in_progress", "on_hold", "ready", "collected", "rejected")


@dataclass(frozen=True)
class DoctorOnDuty:
    name: str
    specialty: str
    room: str
    start: str  # "from" in the JSON
    until: str


@dataclass(frozen=True)
class HealthInfo:
    office_id: str
    updated_at: str | None
    wards: tuple[Ward, ...]
    doctors: tuple[DoctorOnDuty, ...]

    @property
    def empty(self) -> bool:
        return not self.wards and not self.doctors


@dataclass(frozen=True)
class QueueState:
    office_id: str
    day: str
    services: tuple[ServiceQueue, ...]


@dataclass(frozen=True)
class Application:
    """One application of a citizen (no personal data beyond its reference)."""

    reference: str
    service_id: str
    title: Mapping[str, str]
    submitted_at: str
    state: str
    state_changed_at: str | None
    #: Staff's note in Bahasa Indonesia.
    note: str | None
    #: Staff's note in English (absent from centres before #14).
    note_en: str | None = None

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("id") or self.reference

    def note_in(self, lang: str) -> str | None:
        """Staff's note in ``lang`` only: an English screen never shows the Indonesian note."""
        return self.note_en if lang == "en" else self.note

    @property
    def ready(self) -> bool:
        return self.state == "ready"


def parse_health_info(data: Mapping[str, Any]) -> HealthInfo:
    wards = tuple(
        Ward(
            ward_id=_str(w, "ward_id"),
            name=_str(w, "name"),
            beds_total=_int(w, "beds_total"),
            beds_free=_int(w, "beds_free"),
            updated_at=_time(w, "updated_at"),
        )
        for w in _objects(data, "wards")
    )
    doctors = tuple(
        DoctorOnDuty(
            name=_str(d, "name"),
            specialty=_opt_str(d, "specialty") or "",
            room=_opt_str(d, "room") or "",
            start=_opt_str(d, "from") or "",
            until=_opt_str(d, "until") or "",
        )
        for d in _objects(data, "doctors_on_duty")
    )
    return HealthInfo(
        office_id=_str(data, "office_id"),
        updated_at=_opt_str(data, "updated_at"),
        wards=wards,
        doctors=doctors,
    )


def parse_queue_state(data: Mapping[str, Any]) -> QueueState:
    """The office's queues; a count below zero is refused (the queue stays unknown), and a
    blank number now served is none (the tiles say it in words, never a bare blank)."""
    services = tuple(
        ServiceQueue(
            service_id=_str(s, "service_id"),
            now_serving=(_opt_str(s, "now_serving") or "").strip() or None,
            waiting=_count(s, "waiting"),
            estimated_wait_minutes=_count(s, "estimated_wait_minutes"),
        )
        for s in _objects(data, "services")
    )
    return QueueState(office_id=_str(data, "office_id"), day=_str(data, "day"), services=services)


def _count(data: Mapping[str, Any], key: str) -> int:
    value = _int(data, key)
    if value < 0:
        raise AnswerError(f"{key!r} is below zero")
    return value


def parse_applications(data: Mapping[str, Any]) -> tuple[Application, ...]:
    found = []
    for a in _objects(data, "applications"):
        title = a.get("title")
        if not isinstance(title, dict):
            raise AnswerError("an application's title is not an object")
        found.append(
            Application(
                reference=_str(a, "reference"),
                service_id=_str(a, "service_id"),
                title={k: v for k, v in title.items() if isinstance(v, str)},
                submitted_at=_str(a, "submitted_at"),
                state=_str(a, "state"),
                state_changed_at=_opt_str(a, "state_changed_at"),
                note=_opt_str(a, "note"),
                note_en=_opt_str(a, "note_en"),
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class AnsweredComplaint:
    """Staff's answer to a complaint the citizen filed (its text is not sent back)."""

    reference: str
    state: str
    answer: str
    answered_at: str

    def __repr__(self) -> str:
        # The reference opens her complaint's page (/c/{reference}): shown cut; the
        # answer may name her, so it shows its length only.
        return (
            f"AnsweredComplaint(reference={shown_reference(self.reference)!r}, "
            f"state={self.state!r}, "
            f"answer=<{len(self.answer)} chars>, answered_at={self.answered_at!r})"
        )

    def answered_on(self) -> str:
        """The day it was answered, in the kiosk's time zone (DD-MM-YYYY)."""
        try:
            return dt.datetime.fromisoformat(self.answered_at).astimezone().strftime("%d-%m-%Y")
        except ValueError:
            return self.answered_at[:10]


def parse_complaints(data: Mapping[str, Any]) -> tuple[AnsweredComplaint, ...]:
    return tuple(
        AnsweredComplaint(
            reference=_str(c, "reference"),
            state=_str(c, "state"),
            answer=_str(c, "answer"),
            answered_at=_str(c, "answered_at"),
        )
        for c in _objects(data, "complaints")
    )


def _objects(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = data.get(key)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise AnswerError(f"{key!r} is not a list of objects")
    return items


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise AnswerError(f"{key!r} is not a string")
    return value


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise AnswerError(f"{key!r} is not a string")
    return value
