"""What a counter does to the ticket it called: recall, transfer, hold, call back, close.

Each step is one guarded ``UPDATE … WHERE status = …`` (and, when the
counter is named, ``AND counter = …``): of two counters acting on one ticket
at once, one changes it and the other is refused with 409
``invalid_transition``, whatever the timing and the database. Each step
writes its :mod:`central.office.calls` event in the caller's transaction;
the caller wakes the office's followers after commit.

* **recall** (panggil ulang): the called ticket is announced again, at its
  counter if the office still has it; nothing else changes.
* **hold** (tunda): ``called`` → ``held``; the ticket keeps its counter, and
  ``held_at`` says since when (a call back or a transfer clears it; one closed from held
  keeps it: :func:`central.office.queue.served_while_called`).
* **call back**: ``held`` → ``called``, by the counter that held it (a held
  ticket is that counter's until it is transferred), and only while that
  counter has no other ticket called (409 :class:`~central.errors.CounterBusy`):
  a counter serves one citizen at a time, so no called ticket is left behind.
* **call next** (:func:`call_next`, the counter page's and the staff API's alike): at the
  counter page, the ticket the page shows is closed as served first (that one only, and
  only if it is still called at this counter: else 409); then, if the counter has no
  ticket called (else 409 :class:`~central.errors.CounterBusy`; a held one does not
  count), the next waiting one is called, one call at a time per counter (a number asked
  ahead whose citizen is still at the kiosk is passed by:
  :func:`central.office.queue.callable_at`).
* **transfer** (alihkan): ``called`` or ``held`` → ``waiting`` in another
  queue of the same office and/or for another counter, with its number and
  priority 1 (it waited once: it is called before the ones who did not). A
  ticket sent to a counter is called by that counter only. A ticket of a day before
  today (called or held before midnight) is never transferred (409
  :class:`~central.errors.PastDayTicket`): a queue is a day's, and its number is its
  own day's; it is closed where it is.
* **served**, **no-show**: ``called`` → closed (:func:`close`, the page's and the staff
  API's alike); also ``held`` at a counter the office no longer has, which nothing can
  call back, when no active service of the office could take it back either, or when
  it is of a day before today (:func:`held_way`: else it goes back to a queue, and
  closing it is refused, 409 :class:`~central.errors.HeldGoesBack`).

How a held ticket leaves its counter is one rule, :func:`held_way`: the steps refuse
what it does not allow, and the counter page offers what it allows.

A step that puts a ticket at a counter, or announces it there, or leaves it there to
be called back (call next, recall, hold, call back, transfer to a counter) takes only a
counter the office has (:func:`central.office.counters.require_offered`, 422
``unknown_counter``), checked before anything changes or is announced (a recall's,
once its guarded update, which changes nothing, holds the ticket): no ticket is
called, sent, held or announced at a counter the boards would name and nobody can
sit at.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, select, update

from central.access.staff import StaffPrincipal, require_reach
from central.errors import (
    ApiError,
    CounterBusy,
    HeldGoesBack,
    InvalidTicketTransition,
    NotFound,
    PastDayTicket,
)
from central.office import calls, desks, queue
from central.office.counters import offered, require_offered
from central.office.numbering import office_services, require_service
from central.office.queue import CALLED, HELD, NO_SHOW, SERVED, WAITING, TicketRow
from central.tables import tickets
from contract.wire import ErrorCode

_log = logging.getLogger(__name__)

#: The priority of a transferred ticket in its new queue.
TRANSFERRED_PRIORITY = 1

#: How a ticket held at a counter leaves it (:func:`held_way`): called back there, sent
#: back to a queue, or closed where it is.
CALL_BACK, GO_BACK, CLOSE = "call_back", "go_back", "close"


def held_way(conn: Connection, ticket: TicketRow, day: dt.date) -> str:
    """How ``ticket``, held at its counter, leaves it on ``day`` (today); the one rule.

    :data:`CALL_BACK` while the office has the counter (:func:`call_back`; closing it held
    is refused). Once a new catalog dropped it, nobody calls it back there:
    :data:`GO_BACK` while an active service of the office could take it back
    (:func:`transfer`; closing it is refused, 409 :class:`HeldGoesBack`: the citizen is
    called again at a counter that exists), else :data:`CLOSE` (:func:`close`: no queue
    could take it, and closing it is the one way its counter's desk is ever left). A
    ticket of a day before ``day`` (held before midnight: the counter page keeps it in
    sight for :data:`central.office.desks.OPEN_DAYS`) goes back to no queue either: its
    number is its day's, today's queues are called by today's numbers
    (:func:`transfer` refuses it, :class:`PastDayTicket`), so it is closed.
    """
    if ticket.counter in offered(conn, ticket.office_id):
        return CALL_BACK
    if ticket.day < day or not office_services(conn, ticket.office_id):
        return CLOSE
    return GO_BACK


def find(conn: Connection, staff: StaffPrincipal, ticket_id: str) -> TicketRow:
    """The ticket ``ticket_id`` of an office ``staff`` reaches; 404 ``unknown_ticket`` otherwise."""
    row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
    unknown = NotFound("no such ticket", code=ErrorCode.UNKNOWN_TICKET)
    if row is None:
        raise unknown
    require_reach(staff.office_id, row.office_id, unknown)
    return row


def _step(
    conn: Connection,
    staff: StaffPrincipal,
    ticket_id: str,
    states: Iterable[str],
    counter: str | None,
    values: dict[str, Any],
    free_at: dt.datetime | None = None,
) -> TicketRow:
    """Move the ticket from ``states`` (at ``counter``, if named) by ``values``; with
    ``free_at`` (now), only while ``counter`` has no ticket called, as :func:`call_next`
    judges it then (else :class:`CounterBusy`)."""
    row = find(conn, staff, ticket_id)
    allowed = tuple(states)
    guard = [tickets.c.id == ticket_id, tickets.c.status.in_(allowed)]
    if counter is not None:
        guard.append(tickets.c.counter == counter)
        if free_at is not None:
            guard.append(~desks.busy_clause(row.office_id, counter, free_at))
    done = conn.execute(update(tickets).where(*guard).values(**values))
    if done.rowcount != 1:
        row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()
        if free_at is not None and row.status in allowed and row.counter == counter:
            raise _busy(
                counter or "", desks.called_here(conn, row.office_id, counter or "", free_at)
            )
        where = f" at counter {counter}" if counter is not None else ""
        raise InvalidTicketTransition(
            f"the ticket is {row.status} (counter {row.counter}), not {'/'.join(allowed)}{where}"
        )
    return conn.execute(select(tickets).where(tickets.c.id == ticket_id)).one()


def _busy(counter: str, called: Any) -> CounterBusy:
    """``counter`` has ``called`` (:func:`central.office.desks.called_here`) called: refused,
    the ticket named (number, day, id) so a staff client can close it; one left called
    before midnight, or in a service the catalog dropped since, is in no queue it lists."""
    label = desks.label(counter)
    if called is None:  # closed in the meantime by another transaction: said as before
        return CounterBusy(
            f"{label} masih memanggil nomor lain: selesaikan, tunda, atau alihkan nomor itu "
            f"dahulu. / {label} has another ticket called: close, hold or transfer it first."
        )
    named = f"{called.display} ({called.day:%Y-%m-%d}, {called.id})"
    return CounterBusy(
        f"{label} masih memanggil nomor {named}: selesaikan, tunda, atau alihkan nomor itu "
        f"dahulu; tidak ada yang dipanggil. / {label} still has ticket {named} called: "
        "close, hold or transfer it first; nobody was called."
    )


def recall(
    conn: Connection, staff: StaffPrincipal, ticket_id: str, counter: str | None, now: dt.datetime
) -> TicketRow:
    """Announce the called ticket again (event ``recall``); the ticket does not change.

    It is announced at the counter it is called to, which must be one the office
    still has (422 ``unknown_counter``): a ticket called at a counter a new catalog
    has since dropped would be announced where nobody sits. Refused, it stays called
    there as it was, to be closed or transferred to a counter the office has.
    """
    row = _step(conn, staff, ticket_id, (CALLED,), counter, {"status": CALLED})
    # The guarded update holds the ticket (and changed nothing): the counter checked is
    # the one the event would announce, whatever another step did since it was read.
    require_offered(conn, row.office_id, row.counter)
    calls.record(conn, row, calls.RECALL, counter=row.counter, actor=staff.actor, at=now)
    return row


def hold(
    conn: Connection, staff: StaffPrincipal, ticket_id: str, counter: str | None, now: dt.datetime
) -> TicketRow:
    """Set the called ticket aside (tunda): ``held``, still the counter's.

    Only at a counter the office still has (422 ``unknown_counter``): a held ticket is
    called back by the counter that held it, and nobody calls one back at a counter a
    new catalog has dropped. Refused, checked before anything changes, the ticket stays
    called there as it was, nothing recorded, to be closed or transferred.
    """
    row = find(conn, staff, ticket_id)
    if row.status == CALLED and row.counter is not None and counter in (None, row.counter):
        require_offered(conn, row.office_id, row.counter)
        # The guard names the counter checked: a ticket moved since is refused (409).
        counter = row.counter
    row = _step(conn, staff, ticket_id, (CALLED,), counter, {"status": HELD, "held_at": now})
    calls.record(conn, row, calls.HOLD, counter=row.counter, actor=staff.actor, at=now)
    return row


def call_back(
    conn: Connection,
    staff: StaffPrincipal,
    ticket_id: str,
    counter: str,
    now: dt.datetime,
    day: dt.date,
) -> TicketRow:
    """Call a held ticket again at ``counter``, the one that held it (an announced ``call``).

    422 for a counter the office does not have (any more: a ticket held at a
    counter the catalog has since dropped is transferred, not called back
    there); 409 when the ticket is not held at ``counter``, or when ``counter``
    has another ticket called (:class:`CounterBusy`): both are guards of the update.
    Busy is judged at ``now``, as :func:`call_next` judges it, whatever the held ticket's
    own day: a ticket held before midnight is called back where a call-next would call.
    Called back, it keeps ``counter`` busy for :data:`central.office.desks.OPEN_DAYS`
    from now, however long it was held (:func:`central.office.desks.busy_clause` counts
    a called ticket by its last call, not its day).
    """
    row = find(conn, staff, ticket_id)
    require_offered(conn, row.office_id, counter)
    desks.lock_counter(conn, row.office_id, counter)
    row = _step(
        conn,
        staff,
        ticket_id,
        (HELD,),
        counter,
        {"status": CALLED, "counter": counter, "called_at": now, "held_at": None},
        free_at=now,
    )
    calls.record(conn, row, calls.CALL, counter=counter, actor=staff.actor, at=now)
    return row


def transfer(
    conn: Connection,
    staff: StaffPrincipal,
    ticket_id: str,
    *,
    from_counter: str | None,
    queue_id: str | None,
    to_counter: str | None,
    now: dt.datetime,
    day: dt.date,
) -> TicketRow:
    """Send a called or held ticket back to ``waiting``, in ``queue_id`` and/or for ``to_counter``.

    It keeps its number and service; it stands in ``queue_id`` (default: its
    own queue) with priority 1; with ``to_counter`` only that counter calls it,
    so it must be one the office has (:func:`central.office.counters.offered`;
    else 422 :class:`~central.errors.UnknownCounter`).

    Only a ticket of ``day`` (today): one of a day before (called or held before
    midnight) is refused, 409 :class:`PastDayTicket`, before anything changes. It would
    wait under its own day, which no counter calls and no page lists (a queue is a
    day's), and today's queue cannot take its number, which is its day's (today's
    sequence may give the same one): it is closed where it is, served or not come.
    """
    if queue_id is None and to_counter is None:
        raise ApiError("name the queue or the counter to transfer to")
    row = find(conn, staff, ticket_id)
    at_hand = row.status in (CALLED, HELD) and from_counter in (None, row.counter)
    if row.day < day and at_hand:  # else the step below says what it is, and where
        _log.info(
            "transfer of ticket %s refused: it is of %s, not today (%s)", row.id, row.day, day
        )
        raise PastDayTicket(
            f"Nomor {row.display} dari tanggal {row.day.isoformat()}, bukan hari ini: "
            "nomornya milik hari itu, jadi tidak dapat kembali ke antrean hari ini. Tutup "
            "nomor itu: selesai bila warga sudah dilayani, tidak hadir bila tidak. / Ticket "
            f"{row.display} is of {row.day.isoformat()}, not today: its number belongs to "
            "that day, so it cannot go back to today's queue. Close it: served if the "
            "citizen was served, no-show if not."
        )
    if to_counter is not None:
        require_offered(conn, row.office_id, to_counter)
    target = queue_id if queue_id is not None else row.queue_id
    if queue_id is not None:
        require_service(conn, row.office_id, queue_id)
    moved = _step(
        conn,
        staff,
        ticket_id,
        (CALLED, HELD),
        from_counter,
        {
            "status": WAITING,
            "queue_id": target,
            "counter": to_counter,
            "priority": TRANSFERRED_PRIORITY,
            "called_at": None,
            "held_at": None,
        },
    )
    calls.record(conn, moved, calls.TRANSFER, counter=to_counter, actor=staff.actor, at=now)
    return moved


def close(
    conn: Connection,
    staff: StaffPrincipal,
    ticket_id: str,
    status: str,
    counter: str | None,
    now: dt.datetime,
    day: dt.date,
) -> TicketRow:
    """Close the called ticket as ``served`` or ``no_show`` (at ``counter``, if named).

    A ticket held at a counter is closed the same way only when :func:`held_way` says
    :data:`CLOSE`: the office no longer has the counter, so nobody can call it back
    there (:func:`call_back`), and has no active service left to send it back to
    (:func:`transfer`). While a service could take it back, closing it is refused (409
    :class:`HeldGoesBack`): it goes back to a queue. Nor can anyone sit down at a
    dropped counter to close it on the page, so the staff API closes it too (``counter``
    ``None``). It is closed from ``held`` at that counter only: a ``counter`` named is
    the one it was held at. So is one held there on a day before ``day`` (today), which
    goes back to no queue (:func:`held_way`). Closed from ``held``, it keeps its
    ``held_at``: it has no service time (:func:`central.office.queue.served_while_called`).
    """
    if status not in (SERVED, NO_SHOW):
        raise ValueError(f"not a closing state: {status}")
    row = find(conn, staff, ticket_id)
    states, at = (CALLED,), counter
    if row.status == HELD and row.counter is not None and counter in (None, row.counter):
        way = held_way(conn, row, day)
        if way == GO_BACK:
            raise HeldGoesBack(
                "Nomor ini ditunda di loket yang tidak ada lagi di kantor ini, dan kantor ini "
                "masih membuka layanan yang dapat menerimanya: kembalikan nomor itu ke antrean "
                "(alihkan), jangan ditutup. / The ticket is held at a counter the office no "
                "longer has, and a service of the office can still take it: send it back to a "
                "queue (transfer) instead of closing it."
            )
        if way == CLOSE:
            states, at = (HELD,), row.counter
    row = _step(conn, staff, ticket_id, states, at, {"status": status, "finished_at": now})
    calls.record(conn, row, _CLOSED[status], counter=row.counter, actor=staff.actor, at=now)
    return row


#: The event of each closing state.
_CLOSED = {SERVED: calls.SERVED, NO_SHOW: calls.NO_SHOW}


def call_next(
    conn: Connection,
    staff: StaffPrincipal,
    office_id: str,
    queue_ids: Sequence[str],
    counter: str,
    day: dt.date,
    now: dt.datetime,
    *,
    shown: str | None = None,
) -> tuple[TicketRow | None, TicketRow | None]:
    """Call the next citizen to ``counter``: the one rule of the counter page and the staff
    API; (closed, called).

    Refused first, nothing closed or called: a queue that is not an active service of
    the office (404 ``unknown_service``), a counter the office does not have (any more:
    422 ``unknown_counter``). Then the counter's turn is taken
    (:func:`central.office.desks.lock_counter`), so that of two calls to one counter at
    once, on any server process, the second sees what the first did.

    ``shown`` (the counter page) is the ticket the page showed as called: it is closed as
    served only if it is still called at ``counter`` (a guarded update; else 409, and
    nothing is called): a stale page, a second tab or a colleague at the same counter
    never closes a ticket it did not show.

    Then, while ``counter`` has a ticket called, nobody is called (409
    :class:`CounterBusy`, ``counter_busy``): a counter serves one citizen at a time, and a
    second ticket called there would be announced on the boards while the counter page
    shows and acts on the first. Else the next waiting ticket is called (``None`` when
    nobody waits).

    A ticket *held* (tunda) at the counter does not make it busy: it was set aside so that
    the counter serves the next citizen while its holder comes back (fetching a document);
    it is called back later (:func:`call_back`), when no other is called there. The counter
    page has always called next over held tickets (:func:`central.office.desks.busy`
    without ``held_on``); only leaving the counter counts them
    (:func:`central.office.desks.choose`), as nobody else could close or call them back.
    """
    for queue_id in queue_ids:
        require_service(conn, office_id, queue_id)
    require_offered(conn, office_id, counter)
    desks.lock_counter(conn, office_id, counter)
    closed = close(conn, staff, shown, SERVED, counter, now, day) if shown else None
    called = desks.called_here(conn, office_id, counter, now)
    if called is not None:
        raise _busy(counter, called)
    row = queue.call_next(conn, office_id, queue_ids, counter, day, now)
    if row is not None:
        calls.record(conn, row, calls.CALL, counter=counter, actor=staff.actor, at=now)
    return closed, row


def call_next_at(
    conn: Connection,
    staff: StaffPrincipal,
    desk: desks.Desk,
    shown: str | None,
    day: dt.date,
    now: dt.datetime,
) -> tuple[TicketRow | None, TicketRow | None]:
    """The counter page's "next citizen" at ``desk``: :func:`call_next` from its queues, to its
    counter, closing ``shown`` first; (closed, called).

    A desk whose counter the office no longer has (the catalog dropped it since the desk
    was chosen) is refused first (422 ``unknown_counter``): nothing is closed or called;
    the staff member chooses another counter.
    """
    return call_next(conn, staff, desk.office_id, desk.queues, desk.counter, day, now, shown=shown)
