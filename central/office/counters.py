"""The counters (loket) an office has: the only ones a ticket is called or sent to.

Every office has the numbered counters ``Loket 1`` … ``Loket`` :data:`COUNTERS`,
and every counter its active services name in the catalog (a number, such as
``"9"``, or a name, such as ``Informasi``). A counter is written as the catalog
writes it: ``"3"``, not ``"Loket 3"``. Nothing else is a counter of the office:
a ticket called to one would be announced on the boards at a counter nobody
sits at, so every step that puts a ticket at a counter or announces it there
(call next, recall, call back, transfer, sitting at a desk) asks
:func:`require_offered` before anything is announced or changed, and a counter the
office does not have is refused as the caller's mistake (422 ``unknown_counter``).
A ticket still called at a counter the catalog has since dropped stays there, to
be closed or transferred; it is not announced there again.

A ticket transferred to a counter waits for that counter alone; if the
catalog drops the counter before it is called, nobody could call it any
more, so it stands in its queue again (:func:`waiting_for`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, or_

from central.errors import UnknownCounter
from central.office.numbering import office_services
from central.tables import tickets

#: How many numbered counters (Loket 1 … N) every office has.
COUNTERS = 8


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
    by_number = {str(n) for n in range(1, COUNTERS + 1)} | {c for c in named if numbered(c)}
    others = sorted(c for c in named if not numbered(c))
    return sorted(by_number, key=lambda c: (int(c), len(c), c)) + others


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
