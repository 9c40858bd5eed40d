"""What printed documents say, independent of paper and printer.

A :class:`TicketDocument` is built from a ticket that is already stored; the
layout turns it into a PDF and a :class:`printing.printers.printer.Printer` prints
that. It holds no personal data (no name, no NIK), so its default ``repr``
is safe to log. The :class:`SlipDocument` (the registration slip for the
counter officer) does carry the form's values and keeps them out of
``repr``. The :class:`ReceiptDocument` is the complaint receipt. Their
layouts are in :mod:`printing.layouts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Literal, get_args

from contract.shown import shape, shown_reference, shown_repr

#: Languages a ticket can be printed in (ISO 639-1).
Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)


def _check_common(number: str, issued_at: datetime, language: str) -> None:
    if not number.strip():
        raise ValueError("a ticket needs a number")
    if issued_at.tzinfo is None or issued_at.utcoffset() is None:
        raise ValueError("issued_at must be timezone-aware")
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")


@dataclass(frozen=True)
class QueueDocument:
    """What every paper carrying a queue number says: the ticket and its slip.

    ``issued_at`` must be timezone-aware; it is printed in its own timezone
    (the office's local time), not converted.
    """

    #: Queue number as called out, e.g. ``"A-017"``.
    number: str
    service_name: str
    office_name: str
    #: Counter (loket) to go to; empty when not yet known.
    counter: str
    issued_at: datetime
    language: Language

    def __post_init__(self) -> None:
        _check_common(self.number, self.issued_at, self.language)


#: The status page's URL holds the ticket's id, which opens it (/t/{id}).
@shown_repr(status_url=shape)
@dataclass(frozen=True)
class TicketDocument(QueueDocument):
    """The printable content of one queue ticket.

    Optional fields are left off the paper when unknown.
    """

    #: No name, NIK or form value: a kept copy may stay (:meth:`Printer.purge_personal`).
    personal_data: ClassVar[bool] = False

    #: The ticket's status page on the central server, printed as a QR code;
    #: empty: no QR code.
    status_url: str = ""
    #: People waiting before this ticket when it was issued; None: unknown.
    people_ahead: int | None = None
    #: Estimated wait in minutes; None: unknown.
    wait_minutes: int | None = None
    #: What to bring to the counter, in the ticket's language.
    requirements: tuple[str, ...] = ()
    #: A poli's ticket (docs/hospital.md): the doctor, BPJS's queue number
    #: (``nomorantrean``) and the estimated time "HH:MM"; "" when not a poli's.
    doctor_name: str = ""
    nomorantrean: str = ""
    estimated_at: str = ""
    #: True when this number was printed (or attempted) before: the paper
    #: says so, so two papers with one number are never mistaken for two places.
    reprint: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("people_ahead", "wait_minutes"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} cannot be negative")


@dataclass(frozen=True)
class SlipField:
    """One line of the registration slip: the form's label and the citizen's value."""

    label: str
    value: str

    def __repr__(self) -> str:  # the value is personal data
        return f"SlipField(label={self.label!r})"


@dataclass(frozen=True)
class SlipDocument(QueueDocument):
    """The registration slip (bukti pendaftaran) handed to the counter officer.

    Printed as a second job after the ticket for services that ask for it.
    ``fields`` hold personal data: ``repr`` shows the number and service only,
    and a kept copy is deleted after its retention (:meth:`Printer.purge_personal`).
    """

    personal_data: ClassVar[bool] = True

    fields: tuple[SlipField, ...]
    status_url: str = ""
    reprint: bool = False

    def __repr__(self) -> str:
        return (
            f"SlipDocument(number={self.number!r}, service_name={self.service_name!r}, "
            f"fields={len(self.fields)})"
        )


#: The reference opens the complaint's page (/c/{reference}), and its page's URL holds it.
@shown_repr(reference=shown_reference, status_url=shape)
@dataclass(frozen=True)
class ReceiptDocument:
    """What the complaint receipt says; ``issued_at`` must be timezone-aware."""

    #: The reference, office, category and time only: a kept copy may stay.
    personal_data: ClassVar[bool] = False

    reference: str
    office_name: str
    #: The complaint's category, in the receipt's language.
    category: str
    issued_at: datetime
    language: Language
    #: The complaint's public page (``{central}/c/{reference}``: its state and answer), if known.
    status_url: str = ""

    def __post_init__(self) -> None:
        _check_common(self.reference, self.issued_at, self.language)
