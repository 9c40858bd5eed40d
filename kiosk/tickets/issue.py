"""Issue a ticket: store it first, then print it.

The ticket and its outbox row exist before the printer is asked, so a
printer fault never loses a ticket or hands out a number twice; the citizen
still sees the number (and the QR code of its status page) on screen. A
ticket is printed once; printing it again is a *reprint* and says so on the
paper ("CETAK ULANG"), so two papers with one number are never two places.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from contract.bookings import BookingToday
from contract.catalog import Catalog, Service
from contract.hospital import (
    DoctorToday,
    HospitalRequest,
    Payer,
    PlaceRequest,
    estimate,
    parse_hhmm,
)
from contract.ticket_ids import new_ticket_id
from kiosk.client.errors import CentralRefused
from kiosk.client.results import Allocation
from kiosk.errors import (
    PLACE_REFUSALS,
    Failure,
    SessionProblem,
    TicketingError,
    TicketingReason,
)
from kiosk.session.events import IssuedTicket, IssueTicket
from offline_store import NumberSource, Store, StoredTicket
from printing import Printer, PrinterError, SlipDocument, SlipField, TicketDocument
from printing.documents import Language

log = logging.getLogger(__name__)


class Allocate(Protocol):
    """Asks the centre to number a ticket online (the sync engine's ``allocate``)."""

    def __call__(
        self,
        ticket_id: str,
        service_id: str,
        day: dt.date,
        hospital: Mapping[str, str] | None,
        /,
        *,
        sent: Callable[[], None] | None = None,
    ) -> Allocation | None:
        """The centre's number, or None when it cannot answer in time. ``hospital``:
        the doctor's quota place to take with it and the patient it is for
        (:func:`place_of`), or None; a doctor with no place left raises
        :class:`CentralRefused` ``quota_full``, a patient the centre refuses
        ``already_registered`` (:data:`~kiosk.errors.PLACE_REFUSALS`). ``sent`` is called
        once the request is on its way, before the answer is awaited; never if none was
        sent."""


class NumberedAhead(Protocol):
    """A number asked for the ticket before it is issued (:mod:`kiosk.tickets.ahead`)."""

    def take(
        self, service_id: str, day: dt.date, place: Mapping[str, str] | None, /
    ) -> Numbered | None:
        """Its ticket id and allocation, if it carries what this ticket would ask with;
        re-raises the allocate's refusal. None: it does not fit (voided here)."""

    def kept(self) -> None:
        """The ticket is stored, or failed: the number is no longer held."""


class Numbered(Protocol):
    @property
    def ticket_id(self) -> str: ...

    @property
    def allocation(self) -> Allocation | None: ...


@dataclass(frozen=True)
class Issued:
    ticket: IssuedTicket
    #: The registration slip to print once the ticket is on screen (services
    #: with ``slip: true`` whose ticket printed); holds personal data.
    slip: SlipDocument | None = None


@dataclass(frozen=True)
class PrintSetup:
    """How documents are printed on this kiosk (from ``[printer]`` and ``[central]``)."""

    printer: Printer
    paper: str = "80mm"
    logo: Path | None = None
    #: The central server's base URL; a ticket's status page is ``{url}/t/{id}``.
    central_url: str = ""

    def status_url(self, ticket_id: str) -> str:
        return f"{self.central_url.rstrip('/')}/t/{ticket_id}" if self.central_url else ""

    def complaint_url(self, reference: str) -> str:
        """A complaint's public page (its state and staff's answer), as the receipt's QR code."""
        return f"{self.central_url.rstrip('/')}/c/{reference}" if self.central_url else ""


def _language(value: str) -> Language:
    return "en" if value == "en" else "id"


@dataclass(frozen=True)
class Printed:
    """A ticket stored, then printed: the kiosk's and the desk's alike."""

    stored: StoredTicket
    document: TicketDocument
    ticket: IssuedTicket
    #: The centre's allocation when it numbered the ticket (None: a lease's or the fallback's).
    online: Allocation | None


#: The doctor's lines of a poli's ticket, from the centre's allocation (None: none came)
#: and the time of issue: ``{"doctor_name", "nomorantrean", "estimated_at"}``, {} for
#: other services. May raise :class:`TicketingError` (before anything is stored).
DoctorLines = Callable[[Allocation | None, dt.datetime], Mapping[str, str]]


def place_of(hospital: HospitalRequest, payload: Mapping[str, Any]) -> dict[str, str]:
    """The allocate's ``hospital`` for a poli's ticket whose registration is ``payload``
    (its ``hospital`` object ``hospital``): the doctor, the payer, and the patient by the
    very keys the registration carries (No. RM, BPJS number, NIK, card, name, date of
    birth), so the centre refuses, before a number is used, a patient it would refuse
    when the registration arrives. The kiosk's and the desk's alike.

    The keys are sent as the contract takes them (:meth:`PatientKeys.fitted`): a name
    typed over two lines, or a key no allocate may carry, would otherwise have the
    whole allocate refused, and the ticket numbered here unchecked."""
    place = PlaceRequest.of(hospital, payload)
    keys, left_out = place.patient.fitted()
    if left_out:  # the key's name only: its value is personal data
        log.warning(
            "the allocate leaves out the patient's %s (not of a form the centre takes): "
            "the centre checks the others now, the registration all of them",
            ", ".join(left_out),
        )
    return PlaceRequest(place.schedule_id, place.payer, keys).to_json()


def service_of(catalog: Catalog | None, service_id: str) -> tuple[Service, str]:
    """The service ``service_id`` and its office's name. Raises :class:`TicketingError`."""
    if catalog is None:
        raise TicketingError(TicketingReason.NO_CATALOG)
    try:
        service = catalog.service(service_id)
        return service, catalog.office(service.office_id).name
    except KeyError:
        raise TicketingError(TicketingReason.SERVICE_UNKNOWN) from None


def store_and_print(
    service: Service,
    office_name: str,
    payload: Mapping[str, Any],
    *,
    place: Mapping[str, str] | None,
    doctor_lines: DoctorLines,
    language: str,
    office_id: str,
    store: Store,
    setup: PrintSetup,
    now: Callable[[], dt.datetime],
    allocate: Allocate | None,
    booking: BookingToday | None = None,
    wanted: Callable[[], bool] | None = None,
    numbered: Callable[[IssuedTicket], None] | None = None,
    ahead: NumberedAhead | None = None,
) -> Printed:
    """Number the ticket, store it with its outbox row (``payload``), then print it.

    The number: the centre's, when ``allocate`` gets one within its deadline
    (taking the doctor's quota ``place`` with it, when given; the paper then also
    shows the people ahead and the estimated wait); else a leased one; else the
    kiosk's fallback (offline_store/leases.py). A doctor with no place left at the
    centre raises :class:`TicketingError` ``quota_full``, a patient it refuses
    ``already_registered`` (or ``identity_conflict``, ``invalid_patient``): nothing
    stored, no number used, nothing printed.

    ``wanted`` (:meth:`kiosk.executor.Awaited.claim`) is asked once the ticket is
    stored, right before it is printed: False means the session that asked for it
    has ended, and nobody stands at the printer for it (:func:`_not_handed_out`).
    ``numbered`` is handed the ticket as the screen may show it (``printing``) once it
    is stored, before the paper is rendered and printed.

    ``ahead``: the number asked while the citizen answered her last question, used
    when it carries what this ticket's allocate would (else voided, and asked anew);
    it is let go once the ticket is stored, or failed.
    """
    issued_at = now()
    try:
        taken = ahead.take(service.id, issued_at.date(), place) if ahead is not None else None
        if taken is None:
            ticket_id, allocation = _allocate(
                service, place, issued_at, store, setup, allocate, numbered
            )
        else:
            ticket_id, allocation = taken.ticket_id, taken.allocation
            if allocation is None and allocate is not None:
                # No number came at the question (the centre away, or slower than the
                # deadline, when it may have numbered it still): asked again now under
                # the same id, as at the last tap. The centre answers the number it gave
                # that id, else a new one; the engine answers None at once while it knows
                # the centre is away. Else the ticket would print a lease's number while
                # the centre calls another for the same ticket.
                allocation = allocate(ticket_id, service.id, issued_at.date(), place)
    except CentralRefused as exc:  # no number used: another doctor, or the desk
        log.info("no place with the doctor chosen (%s): no ticket", exc.code)
        raise TicketingError(PLACE_REFUSALS.get(exc.code or "", SessionProblem.QUOTA_FULL)) from exc
    try:
        lines = doctor_lines(allocation, issued_at)
        stored = store.issue_ticket(
            office_id=office_id,
            service_id=service.id,
            prefix=service.ticket_prefix,
            counter=service.counter,
            payload=payload,
            now=issued_at,
            allocated=allocation.number if allocation else None,
            ticket_id=ticket_id,
            booking=booking,
        )
    finally:
        if ahead is not None:
            ahead.kept()  # stored with its note gone, or the note left for the sweep
    log.info("ticket %s issued for service %s (%s)", stored.number, service.id, stored.source)
    online = allocation if stored.source is NumberSource.ONLINE else None
    document = ticket_document(
        service, office_name, stored, issued_at, _language(language), setup, online, lines
    )
    if numbered is not None:
        numbered(_as_shown(document, service.id, printed=False, printing=True))
    if wanted is not None and not wanted():
        return Printed(
            stored, document, _not_handed_out(document, service.id, stored.id, store), online
        )
    ticket = _print_and_record(
        document, service.id, stored.id, store, setup, f"tiket-{stored.number}"
    )
    return Printed(stored, document, ticket, online)


def _allocate(
    service: Service,
    place: Mapping[str, str] | None,
    issued_at: dt.datetime,
    store: Store,
    setup: PrintSetup,
    allocate: Allocate | None,
    numbered: Callable[[IssuedTicket], None] | None,
) -> tuple[str, Allocation | None]:
    """A new ticket id and the centre's number for it, asked now (None: none came)."""
    ticket_id = new_ticket_id(store.kiosk_code())
    # Ahead, and kept, only for a screen that shows the code (the session's wipe forgets
    # it): the desk shows none, and its paper encodes its own.
    ahead = allocate is not None and numbered is not None
    sent = threading.Event()
    encoding = _encode_meanwhile(setup.status_url(ticket_id), sent) if ahead else None
    try:
        allocation = (
            allocate(ticket_id, service.id, issued_at.date(), place, sent=sent.set)
            if allocate
            else None
        )
    finally:
        if encoding is not None:
            sent.set()  # no request went out (offline, refused early): encode it now
            encoding.join()  # its code kept, or its failure left for the print to meet
    return ticket_id, allocation


def _encode_meanwhile(status_url: str, sent: threading.Event) -> threading.Thread | None:
    """The status page's QR code encoded on a thread of its own while the centre numbers
    the ticket: this worker waits on the network meanwhile, so the code (some 4 ms of
    Python) costs the citizen nothing, and the screen and the paper find it made (kept
    with ``keep_code``; a wiped session forgets it).

    The thread waits for ``sent``: the request written to the centre. Started at once,
    it held the interpreter for the whole encoding while this worker was still building
    and sending the request, so the request left only after the code was made.
    """
    if not status_url:
        return None
    from printing.layouts.qr import keep_code  # reportlab's encoder, lazily

    def encode() -> None:
        sent.wait()  # set by the request written, or by the worker once allocate is done
        try:
            keep_code(status_url)
        except Exception:  # the screen's and the paper's own encoding meet it and say so
            log.exception("the status page's QR code could not be encoded ahead")

    thread = threading.Thread(target=encode, name="qr-ahead", daemon=True)
    thread.start()
    return thread


def issue_and_print(
    request: IssueTicket,
    *,
    catalog: Catalog | None,
    office_id: str,
    store: Store,
    setup: PrintSetup,
    now: Callable[[], dt.datetime],
    allocate: Allocate | None = None,
    wanted: Callable[[], bool] | None = None,
    numbered: Callable[[IssuedTicket], None] | None = None,
    ahead: NumberedAhead | None = None,
) -> Issued:
    """Store the ticket and its outbox row, then print (:func:`store_and_print`; with
    ``wanted`` False there, neither the ticket nor its slip is printed; ``numbered``
    hears of the ticket once stored, before it is printed; ``ahead``: the number asked
    while the citizen answered the question about messages, :mod:`kiosk.tickets.ahead`).
    Raises :class:`TicketingError`."""
    service, office_name = service_of(catalog, request.service_id)
    payload, place = registration(request, office_id)
    printed = store_and_print(
        service,
        office_name,
        payload,
        place=place,
        doctor_lines=lambda allocation, at: _hospital_lines(
            request, allocation, store, office_id, at
        ),
        language=request.language,
        office_id=office_id,
        store=store,
        setup=setup,
        now=now,
        allocate=allocate,
        booking=request.booking,
        wanted=wanted,
        numbered=numbered,
        ahead=ahead,
    )
    ticket, document = printed.ticket, printed.document
    slip = _slip(document, service, request) if service.slip and ticket.printed else None
    return Issued(ticket, slip)


def registration(
    request: IssueTicket, office_id: str
) -> tuple[dict[str, Any], dict[str, str] | None]:
    """The registration ``request`` stores and sends (the outbox's payload), and the
    doctor's place its allocate takes with it (:func:`place_of`; None: no poli's place).
    The place carries nothing of the answer about messages: a number asked before it
    (:mod:`kiosk.tickets.ahead`) fits the ticket whatever she answers."""
    identity = request.identity  # None: a check-in by booking code, without a card
    citizen = identity.citizen if identity else None
    # Never the card's UID: the centre has no use for it, and kept beside her name and NIK
    # it would tie a card anyone near it can read to a person (older kiosks sent it).
    payload: dict[str, Any] = {
        "office_id": office_id,
        "service_id": request.service_id,
        "language": request.language,
        "assurance": identity.assurance.value if identity else None,
        "card_number": (citizen.card_number or None) if citizen else None,
        "values": dict(request.values),
    }
    if request.notify_phone is not None:  # only with the citizen's yes (kiosk/session/consent.py)
        payload["notify"] = {"phone": request.notify_phone}
    if request.booking_code is not None:  # the check-in travels with the registration
        payload["booking_code"] = request.booking_code
    # A Mobile JKN booking checked in holds its doctor's place (``booking.doctor``):
    # the ticket asks for none of its own, or one patient would use two places.
    holds_place = request.booking is not None and bool(request.booking.doctor)
    if request.hospital is not None and not holds_place:  # a poli's: the doctor, the payer
        payload["hospital"] = request.hospital.to_json()
    place = (
        place_of(request.hospital, payload)
        if request.hospital is not None and not holds_place
        else None
    )
    return payload, place


def ticket_document(
    service: Service,
    office_name: str,
    stored: StoredTicket,
    issued_at: dt.datetime,
    language: Language,
    setup: PrintSetup,
    online: Allocation | None,
    hospital_lines: Mapping[str, str],
) -> TicketDocument:
    """What the ticket of ``stored`` says: the kiosk's and the desk's tickets alike.

    ``online`` is the centre's allocation when the number came from it (the queue's
    figures are then the centre's); ``hospital_lines`` the doctor, the poli's number
    and the estimated time of a poli's ticket (empty for any other service).
    """
    return TicketDocument(
        number=stored.number,
        service_name=service.name(language),
        office_name=office_name,
        counter=service.counter,
        issued_at=issued_at,
        language=language,
        status_url=setup.status_url(stored.id),
        people_ahead=online.people_ahead if online else None,
        wait_minutes=online.estimated_wait_minutes if online else None,
        requirements=tuple(requirement(language) for requirement in service.requirements),
        doctor_name=hospital_lines.get("doctor_name", ""),
        nomorantrean=hospital_lines.get("nomorantrean", ""),
        estimated_at=hospital_lines.get("estimated_at", ""),
    )


def _print_and_record(
    document: TicketDocument,
    service_id: str,
    ticket_id: str,
    store: Store,
    setup: PrintSetup,
    job_name: str,
) -> IssuedTicket:
    """Print ``document``, record the outcome on the stored ticket, say what the citizen got."""
    printed, fault, location = print_document(document, setup, job_name)
    store.record_print(ticket_id, printed=printed, fault=fault)
    return _as_shown(document, service_id, printed=printed, fault=fault, location=location)


def _as_shown(
    document: TicketDocument,
    service_id: str,
    *,
    printed: bool,
    fault: str = "",
    location: str = "",
    printing: bool = False,
) -> IssuedTicket:
    """What the citizen is shown of the ticket ``document``, printed or not (or being)."""
    return IssuedTicket(
        number=document.number,
        service_id=service_id,
        counter=document.counter,
        printed=printed,
        print_fault=fault,
        pdf_location=location,
        status_url=document.status_url,
        people_ahead=document.people_ahead,
        wait_minutes=document.wait_minutes,
        doctor_name=document.doctor_name,
        nomorantrean=document.nomorantrean,
        estimated_at=document.estimated_at,
        printing=printing,
    )


def _not_handed_out(
    document: TicketDocument, service_id: str, ticket_id: str, store: Store
) -> IssuedTicket:
    """A ticket stored after its session ended: kept, never printed, marked so.

    The citizen was told the kiosk could not confirm the request and has gone, or
    a next citizen stands at the printer: the paper (and the slip's name, NIK and
    phone) must not come out. The ticket is kept rather than voided: its number may
    be the centre's, its registration already queued, and a void would need a
    cancel the centre does not take for every service. Its row is marked not printed
    (``session_ended``) and the log names its number (never the citizen's data); it
    stays in the day's tickets, where the operator's reprint can still hand it out
    if the citizen comes back. No paper is ever printed for it here.
    """
    log.warning(
        "ticket %s stored after its session ended: not printed, kept and marked %s",
        document.number,
        Failure.SESSION_ENDED.value,
    )
    store.record_print(ticket_id, printed=False, fault=Failure.SESSION_ENDED)
    return IssuedTicket(
        number=document.number,
        service_id=service_id,
        counter=document.counter,
        printed=False,
        print_fault=Failure.SESSION_ENDED,
        pdf_location="",
        status_url=document.status_url,
    )


def _hospital_lines(
    request: IssueTicket,
    allocation: Allocation | None,
    store: Store,
    office_id: str,
    at: dt.datetime,
) -> dict[str, str]:
    """What a poli's ticket says of the doctor: the centre's place when it numbered the
    ticket online, else a place taken from the kiosk's cache of today's doctors (the
    centre takes its own when the registration arrives); {} for any other service."""
    doctor, hospital = request.doctor, request.hospital
    if doctor is None or hospital is None or (request.booking and request.booking.doctor):
        booked = request.booking  # a Mobile JKN booking checked in: its doctor
        return {"doctor_name": booked.doctor} if booked is not None and booked.doctor else {}
    return doctor_place(doctor, hospital.payer, allocation, store, office_id, at)


def doctor_place(
    doctor: DoctorToday,
    payer: Payer,
    allocation: Allocation | None,
    store: Store,
    office_id: str,
    at: dt.datetime,
) -> dict[str, str]:
    """The doctor's lines of a poli's ticket, the kiosk's and the desk's alike: the
    centre's place when it numbered the ticket online, else a place of ``payer``'s
    quota taken from the cache of today's doctors (so the cache shows the doctor full
    once this kiosk used the places up) and the time estimated from it.

    Without the centre's place, a doctor whose hours are over at ``at`` (the list was
    read before they ended) is :class:`TicketingError` ``doctor_closed``, as the
    centre would answer: no place is taken for a doctor who has gone home.
    """
    lines = {"doctor_name": doctor.doctor_name}
    if allocation is not None and allocation.hospital is not None:
        place = allocation.hospital
        lines["nomorantrean"] = place.nomorantrean
        lines["estimated_at"] = place.estimated_at.strftime("%H:%M")
        return lines
    if doctor.closed_at(at.time()):
        log.info("the doctor chosen has ended their hours: no ticket")
        raise TicketingError(SessionProblem.DOCTOR_CLOSED)
    angka = store.take_doctor_place(office_id, at.date(), doctor.schedule_id, payer)
    if angka is None:  # not in the cache (or full there): the time is not known here
        log.warning("poli ticket issued offline without a cached place for its doctor")
        return lines
    estimated = estimate(parse_hhmm(doctor.starts), angka, doctor.minutes_per_patient)
    lines["estimated_at"] = estimated.strftime("%H:%M")
    return lines


def _slip(document: TicketDocument, service: Service, request: IssueTicket) -> SlipDocument:
    language = document.language
    fields = tuple(
        SlipField(field.label(language), request.values.get(field.name, ""))
        for field in service.form
    )
    return slip_for(document, fields)


def slip_for(document: TicketDocument, fields: tuple[SlipField, ...]) -> SlipDocument:
    """The registration slip that goes with the ticket ``document``: its number, service,
    office, counter, time and status page, and the registration's ``fields`` (personal
    data: printed, never kept long). The kiosk's and the desk's alike."""
    return SlipDocument(
        number=document.number,
        service_name=document.service_name,
        office_name=document.office_name,
        counter=document.counter,
        issued_at=document.issued_at,
        language=document.language,
        fields=fields,
        status_url=document.status_url,
    )


def print_document(
    document: TicketDocument | SlipDocument, setup: PrintSetup, job_name: str
) -> tuple[bool, str, str]:
    """Render and print; returns (printed, fault code or "", the backend's job id).

    Never raises: the ticket already exists, and a layout bug must not hide
    its number from the citizen.
    """
    from printing.layouts.paper import Paper  # reportlab, lazily
    from printing.layouts.slip import render_slip_pdf
    from printing.layouts.ticket import render_ticket_pdf

    try:
        paper = Paper(setup.paper)
        if isinstance(document, SlipDocument):
            pdf = render_slip_pdf(document, paper, logo=setup.logo)
        else:
            pdf = render_ticket_pdf(document, paper, logo=setup.logo)
        receipt = setup.printer.print_pdf(pdf, job_name, personal=document.personal_data)
    except PrinterError as exc:
        log.warning("%s not printed: %s (%s)", job_name, exc.reason.value, exc.detail)
        return False, exc.reason.value, ""
    except Exception:
        log.exception("%s not printed: rendering or printing failed", job_name)
        return False, Failure.PRINT_FAILED, ""
    return True, "", receipt.job_id


def print_slip(slip: SlipDocument, setup: PrintSetup) -> str:
    """Print the registration slip as its own job; returns the fault code or ""."""
    printed, fault, _ = print_document(slip, setup, f"slip-{slip.number}")
    if printed:
        log.info("registration slip for %s printed", slip.number)
    return fault


def reprint_ticket(
    ticket_id: str, *, store: Store, catalog: Catalog, setup: PrintSetup, language: str = "id"
) -> IssuedTicket:
    """Print a stored ticket again, marked as a reprint ("CETAK ULANG").

    For the operator, once the printer is fixed. Records the outcome on the
    ticket as the first print did. Raises :class:`TicketingError` for a
    ticket or service this kiosk does not know.
    """
    try:
        row = store.ticket(ticket_id)
    except Exception as exc:  # the store's own "not found"
        raise TicketingError(TicketingReason.TICKET_UNKNOWN) from exc
    try:
        service = catalog.service(row["service_id"])
        office = catalog.office(service.office_id)
    except KeyError:
        raise TicketingError(TicketingReason.SERVICE_UNKNOWN) from None
    lang = _language(language)
    document = TicketDocument(
        number=row["number"],
        service_name=service.name(lang),
        office_name=office.name,
        counter=row["counter"],
        issued_at=dt.datetime.fromisoformat(row["issued_at"]),
        language=lang,
        status_url=setup.status_url(ticket_id),
        requirements=tuple(requirement(lang) for requirement in service.requirements),
        reprint=True,
    )
    return _print_and_record(
        document, service.id, ticket_id, store, setup, f"tiket-{row['number']}-ulang"
    )
