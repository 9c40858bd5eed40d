"""The counters (loket) an office has: the only ones a ticket is called or sent to.

Every office has the numbered counters ``Loket 1`` … ``Loket N``, N its catalog
entry's ``counters`` (:data:`contract.catalog.DEFAULT_COUNTERS`, 8, when it does not
say; :func:`numbered_counters`), and every counter its active services name in the
catalog (a number, such as ``"9"``, or a name, such as ``Informasi``). A counter is
written as the catalog writes it: ``"3"``, not ``"Loket 3"``. Nothing else is a
counter of the office: a ticket called to one would be announced on the boards at a
counter nobody sits at, so every step that puts a ticket at a counter or announces it there
(call next, recall, call back, transfer, sitting at a desk) asks
:func:`require_offered` before anything is announced or changed, and a counter the
office does not have is refused as the caller's mistake (422 ``unknown_counter``).
A ticket still called at a counter the catalog has since dropped (a service's counter
gone, or an office's ``counters`` lowered) stays there, to be closed or transferred; it
is not announced there again.

A ticket transferred to a counter waits for that counter alone; if the
catalog drops the counter before it is called, nobody could call it any
more, so it stands in its queue again (:func:`waiting_for`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, or_, select

from central.errors import UnknownCounter
from central.office.numbering import office_services
from central.tables import offices, tickets
from contract.catalog import DEFAULT_COUNTERS

_COUNTERS = select(offices.c.counters).where(offices.c.id == bindparam("office_id"))


def numbered(counter: str) -> bool:
    """Whether ``counter`` is written as a number (``"3"``, ``"12"``), in ASCII digits.

    Not :meth:`str.isdigit` alone: it takes ``"²"`` or ``"①"`` too, which :func:`int`
    refuses, so a catalog naming such a counter made every call of its office fail.
    """
    return counter.isascii() and counter.isdigit()


def offered(conn: Connection, office_id: str) -> list[str]:
    """The counters of ``office_id``: Loket 1 … N and its services' own, numbered ones first
    (by number; ``"3"`` before ``"03"``), then the named ones."""
    named = {s.counter for s in office_services(conn, office_id).values() if s.counter}
    count = numbered_counters(conn, office_id)
    by_number = {str(n) for n in range(1, count + 1)} | {c for c in named if numbered(c)}
    others = sorted(c for c in named if not numbered(c))
    return sorted(by_number, key=lambda c: (int(c), len(c), c)) + others


def numbered_counters(conn: Connection, office_id: str) -> int:
    """How many numbered counters ``office_id`` has (Loket 1 … N): its catalog entry's
    ``counters``; 8 for an office stored before the setting, or none stored."""
    count = conn.execute(_COUNTERS, {"office_id": office_id}).scalar_one_or_none()
    return DEFAULT_COUNTERS if count is None else int(count)


def require_offered(conn: Connection, office_id: str, counter: str) -> None:
    """Refuse (422 :class:`UnknownCounter`) a counter ``office_id`` does not have.

    The refusal lists the office's counters, never repeats the one asked for.
    """
    have = offered(conn, office_id)
    if counter not in have:
        listed = ", ".join(have)
        raise UnknownCounter(
            f"Loket itu tidak ada di kantor ini; pilih salah satu: {listed}. / "
            f"The office has no such counter; choose one of: {listed}."
        )


def waiting_for(conn: Connection, office_id: str, queue_ids: Sequence[str], counter: str) -> Any:
    """Which waiting tickets ``counter`` of ``office_id`` calls from ``queue_ids``, as a
    condition: those sent to ``counter`` by a transfer, whatever their queue, and those
    of the queues sent to no counter, or to one the office no longer has (the catalog
    dropped it after the transfer: that counter can call nothing, and the ticket would
    wait all day for nobody). The call and the counter page's list both ask it, so a
    desk is shown the tickets it calls."""
    have = offered(conn, office_id)
    return or_(
        and_(
            tickets.c.queue_id.in_(list(queue_ids)),
            or_(tickets.c.counter.is_(None), tickets.c.counter.not_in(have)),
        ),
        tickets.c.counter == counter,
    )


def whose(conn: Connection, office_id: str, service_id: str, counter: str | None) -> str | None:
    """The service whose counter ``counter`` is, now, for a ticket of ``service_id``: that
    service itself when it names it (a numbered counter two services share stays the
    ticket's own), else the first by id of the office's other active services naming it,
    else None (a numbered counter no service names, or none). Written with each counter
    step (``call_events.counter_service_id``, :func:`central.office.calls.record`), so
    whether a step sent a ticket on to another service is what the catalog said then,
    whatever a catalog published since renames or drops."""
    if counter is None:
        return None
    naming = [s.id for s in office_services(conn, office_id).values() if s.counter == counter]
    if service_id in naming:
        return service_id
    return naming[0] if naming else None
