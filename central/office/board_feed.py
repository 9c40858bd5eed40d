"""What a board shows, and the live messages that keep it current.

A board opens with a :func:`snapshot` (the number being called, the last
ones, people waiting per service, the running text, and the id of the
office's newest event); from then on it follows the office's
``call_events`` (:mod:`central.office.calls`) after that id. Each event
becomes one message (:func:`event_message`), with the clips to announce
when it is a call or a recall that is still fresh; the waiting counts and the
running text travel as a separate state message (:func:`state_message`).

Nothing personal: ``call_events`` holds a ticket's number, queue and counter,
and that is all a board ever gets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection

from central.documents.versioned import DocumentCache
from central.office import boards, calls, numbering, queue, speech

#: An event older than this when a board gets it (a board catching up after an
#: outage) is shown but not announced: nobody is waiting for it any more.
ANNOUNCE_WITHIN = dt.timedelta(minutes=2)
RECENT = 4


def counter_label(counter: str | None) -> str:
    """What the board writes for a counter: "Loket 3" for "3", a name as it is."""
    if not counter:
        return ""
    return f"Loket {counter}" if counter[0].isdigit() else counter


@dataclass(frozen=True)
class Called:
    display: str
    counter: str | None
    service: str

    @property
    def where(self) -> str:
        return counter_label(self.counter)


@dataclass(frozen=True)
class Waiting:
    service: str
    waiting: int


@dataclass(frozen=True)
class Snapshot:
    office_name: str
    #: The number being called (the newest call or recall of today), if any.
    current: Called | None
    #: The calls before it, newest first.
    recent: list[Called]
    waiting: list[Waiting]
    running_text: str
    #: The office's newest event: the board follows from here.
    last_id: int


def _names(conn: Connection, documents: DocumentCache) -> dict[str, str]:
    facts = queue.catalog_facts(conn, documents)
    return {sid: names["id"] for sid, names in facts.service_names.items()}


def _service_name(names: dict[str, str], conn: Connection, service_id: str) -> str:
    if service_id in names:
        return names[service_id]
    try:
        return numbering.service_info(conn, service_id).name
    except Exception:  # a service gone from the table: show its id
        return service_id


def waiting(
    conn: Connection, office_id: str, day: dt.date, documents: DocumentCache
) -> list[Waiting]:
    """People waiting now, per active service of the office, in the catalog's names."""
    facts = queue.catalog_facts(conn, documents)
    services = numbering.office_services(conn, office_id)
    states = queue.office_state(conn, list(services), day, facts)
    return [
        Waiting(
            service=facts.service_names.get(s.service_id, {}).get("id")
            or services[s.service_id].name,
            waiting=s.waiting,
        )
        for s in states
    ]


def snapshot(conn: Connection, office_id: str, day: dt.date, documents: DocumentCache) -> Snapshot:
    names = _names(conn, documents)
    facts = queue.catalog_facts(conn, documents)
    last = calls.last_id(conn, office_id)
    called = [
        Called(row.display, row.counter, _service_name(names, conn, row.queue_id))
        for row in calls.recent_calls(conn, office_id, day, limit=RECENT + 1)
    ]
    return Snapshot(
        office_name=facts.office_names.get(office_id, office_id),
        current=called[0] if called else None,
        recent=called[1:],
        waiting=waiting(conn, office_id, day, documents),
        running_text=boards.running_text(conn, office_id),
        last_id=last,
    )


def event_message(
    row: calls.EventRow, now: dt.datetime, names: dict[str, str], conn: Connection
) -> dict[str, Any]:
    """One event as a board receives it; ``announce`` is its clips, or empty."""
    fresh = now - row.at <= ANNOUNCE_WITHIN
    announced = row.kind in calls.ANNOUNCED and fresh
    return {
        "id": int(row.id),
        "kind": row.kind,
        "display": row.display,
        "counter": row.counter,
        "where": counter_label(row.counter),
        "service": _service_name(names, conn, row.queue_id),
        "announce": speech.announcement(row.display, row.counter) if announced else [],
    }


def state_message(
    conn: Connection, office_id: str, day: dt.date, documents: DocumentCache
) -> dict[str, Any]:
    """The waiting counts and the running text, as one message."""
    return {
        "waiting": [asdict(w) for w in waiting(conn, office_id, day, documents)],
        "running_text": boards.running_text(conn, office_id),
    }


def names(conn: Connection, documents: DocumentCache) -> dict[str, str]:
    """Service names (Indonesian) by id, for :func:`event_message`."""
    return _names(conn, documents)
