"""A ticket's number asked ahead: as soon as the citizen confirms her summary, on a
worker, while she answers the one question about messages.

The centre's number was the largest part of the wait between her last tap and her
ticket (a round trip; when the centre is away, the client's whole deadline). What the
allocate carries is all on the summary she confirmed: the ticket's id, the service,
the day, and a poli's doctor's place with the patient's keys (:func:`registration`);
nothing of her answer (the phone she may give goes with the registration, stored with
the ticket as before). So the number is asked once she confirms, and is usually there
when she answers; the ticket is then stored, shown and printed as before.

One number per ticket, and none left behind:

- The number is held (:class:`~kiosk.sync.unkept.HeldNumbers`) from before it is asked
  until the ticket is stored, or the number is voided: the sweep of unkept numbers never
  voids a held one, however long she takes.
- The session ends at the question, or goes back past the summary (the form may change
  what the allocate carries): the number is voided at the centre at once, on a worker
  (a doctor's place given back), and a void that fails is left to the sweep.
- Back from the question to the summary and confirmed again: the same number. Nothing
  it carries can change on the summary; a form changed lets it go first.
- At the ticket, what it carries is checked again: another day (midnight passed while
  she answered) or anything else changed voids it and asks anew, as before.
- A refusal of the centre (no place with the doctor, the patient registered already) is
  told at once, at the question: her answer would change nothing, and a doctor's refusal
  sends her back to choose another while the list is fresh.
- The centre does not call the number while she is still here: the ask names how long
  she may stay (:func:`hold_seconds`), and the centre's counters pass the number by that
  long, or until the ticket's registration arrives (sent once the ticket is stored).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Protocol

from contract.shown import shown_key, shown_repr
from contract.ticket_ids import new_ticket_id
from kiosk.client.errors import CentralRefused
from kiosk.client.results import Allocation
from kiosk.config import SessionSection
from kiosk.errors import DOCTOR_REFUSALS, PLACE_REFUSALS
from kiosk.executor import Executor
from kiosk.session.events import IssueTicket
from kiosk.session.machine import CONSENTING, Phase, SessionState
from kiosk.sync.unkept import HeldNumbers
from kiosk.tickets.issue import registration

log = logging.getLogger(__name__)

#: The phases in which a number asked ahead stays held: the question, and the summary
#: it goes back to (from where she can only confirm the same again, or go back further).
HOLDING = frozenset({Phase.CONFIRMING, *CONSENTING})
#: The longest a number's ask waits for the void of the number before it (its doctor's
#: place given back first), and an issue for an ask still under way; each is bounded by
#: its client's deadline already, so this is a guard, not a wait anyone should meet.
WAIT_S = 30.0


def hold_seconds(session: SessionSection) -> int:
    """How long the centre should pass a number asked ahead by: the question's wait for an
    answer (from her last touch), then the issue's deadline (the ticket stored, then its
    registration sent at once). Her registration usually ends it far sooner; a kiosk that
    lost power at the question leaves the number uncallable no longer than this (the
    centre bounds it too)."""
    return math.ceil(session.consent_timeout_s + session.issuing_timeout_s)


class Numbering(Protocol):
    """The sync engine's numbering, as the numbers asked ahead use it."""

    @property
    def held(self) -> HeldNumbers: ...

    def allocate(
        self,
        ticket_id: str,
        service_id: str,
        day: dt.date,
        hospital: Mapping[str, str] | None = None,
        *,
        sent: Callable[[], None] | None = None,
        hold_s: int | None = None,
    ) -> Allocation | None: ...

    def void_number(self, ticket_id: str) -> bool: ...

    def doctors_now(self) -> None: ...


@dataclasses.dataclass(frozen=True)
class Carries:
    """What an allocate carries: the service, the day, a poli's place (doctor, payer and
    the patient's keys) or None. Its ticket id aside, nothing else."""

    service_id: str
    day: dt.date
    place: tuple[tuple[str, str], ...] | None

    @classmethod
    def of(cls, service_id: str, day: dt.date, place: Mapping[str, str] | None) -> Carries:
        return cls(service_id, day, tuple(sorted(place.items())) if place is not None else None)

    def __repr__(self) -> str:  # the place names the patient
        return f"Carries({self.service_id}, {self.day}, place={self.place is not None})"


@shown_repr(ticket_id=shown_key)  # it opens the ticket's public page (/t/{id})
@dataclasses.dataclass(frozen=True)
class Taken:
    """A number asked ahead, as the ticket uses it: its id, and the centre's allocation
    (None: the centre did not answer in time, or was away; a lease's number then)."""

    ticket_id: str
    allocation: Allocation | None = dataclasses.field(repr=False)


class AskedNumber:
    """One number asked ahead for session ``session``'s ticket (any thread)."""

    def __init__(
        self,
        session: int,
        carries: Carries,
        place: Mapping[str, str] | None,
        numbering: Numbering,
        kiosk_code: Callable[[], str | None],
        encode: Callable[[str], None] | None,
        hold_s: int | None = None,
    ) -> None:
        self.session = session
        #: How long the centre passes the number by while she is still here (None: not).
        self.hold_s = hold_s
        self.carries = carries
        self._place = place
        self._numbering = numbering
        self._kiosk_code = kiosk_code
        #: Made by the worker that asks (the kiosk's code is read from the store).
        self.ticket_id = ""
        self._encode = encode
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._sent = False
        self._outcome: Allocation | Exception | None = None
        self._released = False
        self._taken = False
        #: Set once the number is settled: voided (or nothing to void), stored, or left
        #: to the sweep. The next ask waits for it (a doctor's place given back first).
        self.settled = threading.Event()

    def __repr__(self) -> str:
        return f"AskedNumber(session={self.session}, {shown_key(self.ticket_id)})"

    # -- the worker that asks ------------------------------------------------------------
    def ask(self, before: tuple[threading.Event, ...]) -> AskedNumber:
        """Worker: ask the centre (after the voids before it), keep what it answered.
        The status page's QR code is made meanwhile, on a thread of its own, while this
        one waits on the network (as a ticket asked at the last tap does)."""
        for void in before:
            void.wait(WAIT_S)
        with self._lock:
            if self._released:  # the session let it go while this waited: never asked
                self._done.set()
                self.settled.set()
                return self
        sent = threading.Event()
        encoding: threading.Thread | None = None
        try:
            self.ticket_id = new_ticket_id(self._kiosk_code())
            self._numbering.held.hold(self.ticket_id)  # before its note: never the sweep's
            if self._encode is not None:
                encoding = threading.Thread(
                    target=self._encode_code,
                    args=(self._encode, sent),
                    name="qr-ahead",
                    daemon=True,
                )
                encoding.start()

            def on_its_way() -> None:
                self._sent = True
                sent.set()

            outcome: Allocation | Exception | None = self._numbering.allocate(
                self.ticket_id,
                self.carries.service_id,
                self.carries.day,
                self._place,
                sent=on_its_way,
                hold_s=self.hold_s,
            )
        except Exception as exc:  # kept for the ticket, which meets it as before
            outcome = exc
        finally:
            sent.set()  # no request went out (offline, refused early): encode it now
            if encoding is not None:
                encoding.join()
        if isinstance(outcome, CentralRefused) and outcome.code in DOCTOR_REFUSALS:
            self._numbering.doctors_now()  # she chooses again from a list counted anew
        with self._lock:
            self._outcome = outcome
            self._done.set()
            released = self._released
        if released:  # the session let it go while the centre answered
            _forget_qr_codes()
            self._void()
        return self

    def _encode_code(self, encode: Callable[[str], None], sent: threading.Event) -> None:
        """The status page's QR code made while the centre numbers the ticket, once the
        request is on its way (made at once, it held the interpreter from the request);
        forgotten again if the session let the number go meanwhile."""
        sent.wait()
        try:
            encode(self.ticket_id)
        except Exception:  # the screen's and the paper's own encoding meet it and say so
            log.exception("the status page's QR code could not be encoded ahead")
        with self._lock:
            released = self._released
        if released:
            _forget_qr_codes()

    def refusal(self) -> CentralRefused | None:
        """The centre's refusal of the place or patient, once answered; else None."""
        outcome = self._outcome if self._done.is_set() else None
        if isinstance(outcome, CentralRefused) and outcome.code in PLACE_REFUSALS:
            return outcome
        return None

    # -- the ticket that uses it ---------------------------------------------------------
    def take(
        self, service_id: str, day: dt.date, place: Mapping[str, str] | None, /
    ) -> Taken | None:
        """Worker of the ticket: the number, if it carries what the ticket would (and
        came within :data:`WAIT_S`); re-raises what the allocate raised (a refusal).
        None: it does not fit (another day, say) and is voided here first, so the ticket
        asks anew with its doctor's place given back."""
        self._taken = True
        carries = Carries.of(service_id, day, place)
        if carries != self.carries or not self._done.wait(WAIT_S):
            log.info("the number asked ahead does not fit the ticket: voided, asked anew")
            void = self.release()
            if void is not None:
                void()
            return None
        outcome = self._outcome
        if isinstance(outcome, Exception):
            self.kept()
            raise outcome
        return Taken(self.ticket_id, outcome)

    def kept(self) -> None:
        """The ticket is stored (its note with it), or failed: no longer held. A note
        left (the store failed) is the sweep's, as for any number."""
        if self.ticket_id:
            self._numbering.held.let_go(self.ticket_id)
        self.settled.set()

    def unused(self) -> None:
        """Worker of the ticket, once its issue is over: a number the issue never came to
        take (it failed before: no catalog, the service gone) is let go and voided here."""
        if not self._taken:
            void = self.release()
            if void is not None:
                void()

    # -- the session that lets it go -----------------------------------------------------
    def release(self) -> Callable[[], None] | None:
        """Any thread: the session will not store this number's ticket. Returns the void
        to run on a worker; None when the asking worker voids it itself (it has not
        answered yet), or it is already let go."""
        with self._lock:
            if self._released:
                return None
            self._released = True
            done = self._done.is_set()
        return self._void if done else None

    def _void(self) -> None:
        """Worker: void the number at the centre now, unless there is none to void."""
        outcome = self._outcome
        try:
            if isinstance(outcome, CentralRefused) and outcome.code in PLACE_REFUSALS:
                return  # no number was used (the engine forgot its note)
            if not self._sent:
                return  # never reached the centre: nothing there (a note is the sweep's)
            if self._numbering.void_number(self.ticket_id):
                log.info("the number asked ahead was voided (%s)", shown_key(self.ticket_id))
        except Exception:
            log.exception("the number asked ahead was not voided: the sweep will")
        finally:
            self.kept()


class NumberAhead:
    """The session's number asked ahead (GUI thread): asked once the citizen confirms,
    handed to her ticket, or let go (voided) when the session goes elsewhere."""

    def __init__(
        self,
        executor: Executor,
        numbering: Callable[[], Numbering | None],
        *,
        office_id: str,
        kiosk_code: Callable[[], str | None],
        now: Callable[[], dt.datetime],
        encode: Callable[[str], None] | None,
        refused: Callable[[int, CentralRefused], None],
        hold_s: int | None = None,
    ) -> None:
        self._executor = executor
        self._hold_s = hold_s
        self._numbering = numbering
        self._office_id = office_id
        self._kiosk_code = kiosk_code
        self._now = now
        self._encode = encode
        self._refused = refused
        self._asked: AskedNumber | None = None
        #: Numbers let go whose void may still be under way.
        self._voiding: tuple[threading.Event, ...] = ()

    def follow(self, state: SessionState, ticket_request: Callable[[], IssueTicket | None]) -> None:
        """GUI thread, after every event: let the number go when its session went
        elsewhere; ask one when a ticket's question is asked and none is held."""
        asked = self._asked
        if asked is not None and (state.session != asked.session or state.phase not in HOLDING):
            self._asked = None
            self._let_go(asked)
            asked = None
        if asked is not None or state.phase not in CONSENTING:
            return
        request = ticket_request()
        numbering = self._numbering()
        if request is None or numbering is None:
            return
        self._ask(numbering, request)

    def _ask(self, numbering: Numbering, request: IssueTicket) -> None:
        try:
            _, place = registration(request, self._office_id)
        except Exception:  # the ticket asks for its number itself, as before
            log.exception("the number could not be asked ahead")
            return
        carries = Carries.of(request.service_id, self._now().date(), place)
        asked = AskedNumber(
            request.session,
            carries,
            place,
            numbering,
            self._kiosk_code,
            self._encode,
            self._hold_s,
        )
        self._asked = asked
        before, self._voiding = self._voiding, ()
        self._executor.run_in_background(
            lambda: asked.ask(before),
            self._answered,
            lambda _: log.error("the number asked ahead failed unexpectedly"),
        )

    def _answered(self, asked: AskedNumber) -> None:
        refusal = asked.refusal()
        if refusal is not None and asked is self._asked:
            self._refused(asked.session, refusal)  # told now: her answer changes nothing

    def take(self, session: int) -> AskedNumber | None:
        """GUI thread: the number asked ahead for ``session``'s ticket, now being issued
        (the ticket's worker keeps or voids it); None if none was asked."""
        asked = self._asked
        if asked is None or asked.session != session:
            return None
        self._asked = None
        return asked

    def close(self) -> None:
        """The kiosk closes: a number held is let go (voided if the worker still can,
        else by the sweep at the next start)."""
        asked, self._asked = self._asked, None
        if asked is not None:
            self._let_go(asked)

    def _let_go(self, asked: AskedNumber) -> None:
        log.info("session %d left its question: its number asked ahead is voided", asked.session)
        _forget_qr_codes()  # its status page's code, if the worker made it
        self._voiding = (*self._voiding, asked.settled)
        void = asked.release()
        if void is not None:
            self._executor.run_in_background(
                void, lambda _: None, lambda _: log.error("the void failed unexpectedly")
            )


def _forget_qr_codes() -> None:
    """Drop the QR codes kept (a ticket's page address is the citizen's way in)."""
    qr = sys.modules.get("printing.layouts.qr")
    if qr is not None:
        qr.forget_codes()
