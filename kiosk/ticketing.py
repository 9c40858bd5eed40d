"""Issue a ticket: store it first, then print it.

The ticket and its outbox row exist before the printer is asked, so a
printer fault never loses a ticket or hands out a number twice; the citizen
still sees the number on screen.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from kiosk.catalog import Catalog
from kiosk.session_events import IssuedTicket, IssueTicket
from offline_store import Store
from printing import Printer, PrinterError, TicketDocument

log = logging.getLogger(__name__)


class TicketingError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def issue_and_print(
    request: IssueTicket,
    *,
    catalog: Catalog | None,
    office_id: str,
    store: Store,
    printer: Printer,
    paper: str,
    now: Callable[[], dt.datetime],
) -> IssuedTicket:
    """Store the ticket and its outbox row, then print. Raises :class:`TicketingError`."""
    if catalog is None:
        raise TicketingError("no_catalog")
    try:
        service = catalog.service(request.service_id)
        office = catalog.office(service.office_id)
    except KeyError:
        raise TicketingError("service_unknown") from None
    identity = request.identity
    payload = {
        "office_id": office_id,
        "service_id": service.id,
        "language": request.language,
        "assurance": identity.assurance.value,
        "card_uid": identity.uid.hex(),
        "card_number": identity.citizen.card_number if identity.citizen else None,
        "values": dict(request.values),
    }
    issued_at = now()
    stored = store.issue_ticket(
        office_id=office_id,
        service_id=service.id,
        prefix=service.ticket_prefix,
        counter=service.counter,
        payload=payload,
        now=issued_at,
    )
    log.info("ticket %s issued for service %s", stored.number, service.id)
    document = TicketDocument(
        number=stored.number,
        service_name=service.name(request.language),
        office_name=office.name,
        counter=service.counter,
        issued_at=issued_at,
        language="en" if request.language == "en" else "id",
    )
    printed, fault, location = True, "", ""
    try:
        from printing.layout import Paper, render_ticket_pdf  # reportlab, loaded on first use

        pdf = render_ticket_pdf(document, Paper(paper))
        receipt = printer.print_pdf(pdf, f"tiket-{stored.number}")
        location = receipt.job_id
    except PrinterError as exc:
        printed, fault = False, exc.reason.value
        log.warning("ticket %s not printed: %s (%s)", stored.number, fault, exc)
    except Exception:  # the ticket exists: a layout bug must not hide its number
        printed, fault = False, "failed"
        log.exception("ticket %s not printed: rendering failed", stored.number)
    store.record_print(stored.id, printed=printed, fault=fault)
    return IssuedTicket(
        number=stored.number,
        service_id=service.id,
        counter=service.counter,
        printed=printed,
        print_fault=fault,
        pdf_location=location,
    )
