"""Online numbers the kiosk asked for and never kept: voided at the centre.

The kiosk notes a ticket id in its store before asking the centre to number
it, and storing the ticket removes the note in the same transaction. A note
older than :data:`SETTLE_AFTER` therefore names a ticket that was never
stored: the store failed, or the kiosk lost power between the centre's
answer and the commit. No citizen holds that number, but the centre keeps it
waiting, and staff would call it. The sync engine tells the centre
(``POST /api/v1/tickets/{id}/void``) and forgets the note once the centre
has settled it: voided now or before, never numbered (``unknown_ticket``),
or registered or called after all (``conflict``: then a citizen holds it).

A number asked ahead (as soon as the citizen confirms her summary, while she
answers the question about messages: :mod:`kiosk.tickets.ahead`) is noted the
same way, and may wait far longer than a minute for her answer. The session
holds it in :class:`HeldNumbers` until the ticket is stored or the number is
voided: the sweep never voids a held number, however old its note.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

from contract.shown import shown_key
from contract.wire import ErrorCode
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralRefused, CentralUnavailable
from offline_store import Store

log = logging.getLogger(__name__)

#: An issue takes well under a second; a note older than this was left behind.
SETTLE_AFTER = dt.timedelta(minutes=1)


class HeldNumbers:
    """The ticket ids a live session holds numbered ahead and not yet stored (any thread).

    The session's work adds an id before its number is asked and takes it away once
    the ticket is stored or the number voided (or left, for the sweep, when the void
    could not be made)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: set[str] = set()

    def hold(self, ticket_id: str) -> None:
        with self._lock:
            self._ids.add(ticket_id)

    def let_go(self, ticket_id: str) -> None:
        with self._lock:
            self._ids.discard(ticket_id)

    def __contains__(self, ticket_id: object) -> bool:
        with self._lock:
            return ticket_id in self._ids

    def __repr__(self) -> str:  # the whole id opens the ticket's page
        with self._lock:
            return f"HeldNumbers({len(self._ids)} held)"


@dataclass
class UnkeptNumbers:
    """Voids, run after run, the numbers of tickets the kiosk never stored.

    A note is due once two runs have seen it and it is older than
    :data:`SETTLE_AFTER`: a clock set forward during an issue then cannot make
    the kiosk void a number it is about to print. After a restart the first
    run only looks.
    """

    #: The notes the previous run saw.
    seen: set[str] = field(default_factory=set)
    #: Numbers a live session holds for a ticket it has not stored yet: never due.
    held: HeldNumbers = field(default_factory=HeldNumbers)

    def due(self, store: Store, now: dt.datetime) -> list[str]:
        """This run's look: the notes to void now (call once per run). A held note is
        not seen: once let go, it is due after two more runs, as a new one."""
        noted = [
            ticket_id
            for ticket_id in store.unkept_number_requests(now - SETTLE_AFTER)
            if ticket_id not in self.held
        ]
        due = [ticket_id for ticket_id in noted if ticket_id in self.seen]
        self.seen = set(noted)
        return due

    def settle(self, store: Store, client: CentralClient, due: list[str]) -> int:
        """Void ``due`` at the centre; returns how many notes were settled and forgotten.

        Safe to call again with the same list (a retry after enrolling again):
        the void is idempotent. A refusal the kiosk does not expect (a centre
        without this endpoint, a proxy in the way) keeps the note for later
        without stopping the rest; a server error keeps this and the remaining
        notes for the next run. Raises when the centre cannot be reached, asks
        the kiosk to slow down (429), or refuses its token.
        """
        settled = 0
        for ticket_id in due:
            shown = shown_key(ticket_id)  # the whole id opens the ticket's page
            try:
                client.void_ticket(ticket_id)
                log.warning("an online number this kiosk never kept was voided (%s)", shown)
            except CentralRefused as exc:
                if exc.code not in (ErrorCode.UNKNOWN_TICKET, ErrorCode.CONFLICT):
                    log.error("could not void the number of ticket %s: %s", shown, exc)
                    continue
                log.info("nothing to void for ticket %s (%s)", shown, exc.code)
            except CentralUnavailable as exc:
                if exc.status is None or exc.status == 429:
                    raise
                log.error("the centre failed to void ticket %s: %s", shown, exc)
                break
            store.forget_number_request(ticket_id)
            self.seen.discard(ticket_id)
            settled += 1
        return settled
