"""What can happen to a kiosk session (events) and what it asks for (effects).

Events come from the reader, the citizen (through the UI) and the workers
that carry out effects. Results of effects carry the ``session`` number they
were asked for, so a late answer never leaks into the next citizen's session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from cardio.card.citizen import CardIdentity
from contract.bookings import BookingToday
from contract.hospital import DoctorToday, HospitalRequest, Payer
from contract.shown import shown_reference
from kiosk.errors import Problem
from kiosk.privacy import private_repr


class SessionEnd(StrEnum):
    """Why a session ended without an error (kept as the idle state's ``problem``; never shown)."""

    CARD_REMOVED = "card_removed"
    CANCELLED = "cancelled"
    FINISHED = "finished"
    IDLE_TIMEOUT = "idle_timeout"
    #: Another card was tapped: the last citizen's session is wiped first.
    NEW_CARD = "new_card"


# --- events -----------------------------------------------------------------
@dataclass(frozen=True)
class CardTapped:
    """A card came onto ``reader``."""

    reader: str


@dataclass(frozen=True)
class CardLeft:
    """The card left ``reader``."""

    reader: str


@dataclass(frozen=True)
class CardRead:
    """The card of session ``session`` read: who it names, and what the kiosk knows of them."""

    session: int
    identity: CardIdentity
    #: The citizen's city record (``kiosk.client.results.RECORD_KEYS``), if found.
    record: Mapping[str, str] | None = field(default=None, repr=False)
    #: A UID-only card while the centre can be asked: offer the date-of-birth proof
    #: that unlocks the registry's holder and record (a UID alone proves nothing).
    can_prove: bool = False
    #: Today's bookings at this office made with the card's NIK or number (the store's cache).
    bookings: tuple[BookingToday, ...] = field(default=(), repr=False)
    #: The city record is being asked of the centre while the citizen is greeted: a
    #: :class:`RecordFound` follows, and what needs the record waits for it.
    record_to_come: bool = False


@dataclass(frozen=True)
class RecordFound:
    """The city record of session ``session``'s card holder, asked while the citizen was
    greeted (:attr:`CardRead.record_to_come`); None when the centre and the cache had none."""

    session: int
    record: Mapping[str, str] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CardReadFailed:
    """The card of session ``session`` could not be read, or was refused (``reason``)."""

    session: int
    reason: Problem


@dataclass(frozen=True)
class BirthDateEntered:
    """The citizen typed a date of birth on the keypad: eight digits, ``DDMMYYYY``."""

    digits: str = field(repr=False)


@dataclass(frozen=True)
class ProofSkipped:
    """The citizen chose to fill the form by hand ("Lewati")."""


class ProofOutcome(StrEnum):
    """What the centre said of a typed date of birth."""

    MATCHED = "matched"  # the holder and record come with it
    MISMATCH = "mismatch"  # wrong date, or no holder: the same answer
    LOCKED = "locked"  # too many wrong dates for this card or kiosk (429)
    UNAVAILABLE = "unavailable"  # offline, slow, or any other failure


@dataclass(frozen=True)
class BirthDateChecked:
    """The result of :class:`ProveBirthDate`; ``identity`` and ``record`` only when matched."""

    session: int
    outcome: ProofOutcome
    identity: CardIdentity | None = None
    record: Mapping[str, str] | None = field(default=None, repr=False)
    #: Today's bookings of the holder the centre confirmed (the store's cache).
    bookings: tuple[BookingToday, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class CheckInChosen:
    """The citizen tapped "Check-in" on their appointment: the ticket, at once."""


@dataclass(frozen=True)
class OtherServices:
    """The citizen with an appointment chose "Layanan lain": the service grid."""


@dataclass(frozen=True)
class BookingCodeOpened:
    """ "Punya kode janji?" on the attract screen: the keypad, a session without a card."""


@dataclass(frozen=True)
class BookingCodeEntered:
    """The citizen typed a booking code on the keypad (checked here by its Damm digit)."""

    digits: str = field(repr=False)


class BookingLookup(StrEnum):
    """Where :class:`FindBooking` found the code."""

    #: Today's at this office: the store's cache (or the centre's answer, if it is newer).
    TODAY = "today"
    OTHER_DAY = "other_day"  # the centre knows it: this office, another day
    OTHER_OFFICE = "other_office"  # the centre knows it: another office
    UNKNOWN = "unknown"  # nobody has it
    UNAVAILABLE = "unavailable"  # not cached, and the centre could not be asked


@dataclass(frozen=True)
class BookingFound:
    """The result of :class:`FindBooking`; ``booking`` but for ``unknown`` and ``unavailable``
    (from the centre's lookup it holds no personal data)."""

    session: int
    lookup: BookingLookup
    booking: BookingToday | None = field(default=None, repr=False)
    #: The question answered (:attr:`FindBooking.asked`): only the newest is taken.
    asked: int = field(kw_only=True)


@dataclass(frozen=True)
class ServiceSelected:
    """The citizen tapped the service ``service_id``."""

    service_id: str


@dataclass(frozen=True)
class DoctorChosen:
    """The citizen chose a doctor of the poli (a schedule of today)."""

    schedule_id: str


@dataclass(frozen=True)
class PayerChosen:
    """JKN (BPJS) or umum (paying)."""

    payer: Payer


class PatientKey(StrEnum):
    """What a patient without a card types on the keypad to be found."""

    NORM = "norm"  # the hospital's No. RM
    NOMORKARTU = "nomorkartu"  # the BPJS card number, 13 digits
    NIK = "nik"


@dataclass(frozen=True)
class PatientSearchOpened:
    """ "Tanpa kartu" on the attract screen of a hospital: the keypad, a session without a card."""


@dataclass(frozen=True)
class PatientNumberEntered:
    """The number typed on the patient keypad, and what kind of number it is."""

    key: PatientKey
    digits: str = field(repr=False)


@dataclass(frozen=True)
class FormOpened:
    """The citizen chose "Lanjut" on the service detail."""


@private_repr("values")
@dataclass(frozen=True)
class FormSubmitted:
    """The citizen sent the form with these ``values`` (personal: out of the repr)."""

    values: Mapping[str, str]


@dataclass(frozen=True)
class Confirmed:
    """The citizen confirmed the summary: issue the ticket."""


@dataclass(frozen=True)
class NotifyAnswered:
    """The answer to "Kirim pemberitahuan ke 0813…?": yes or no (docs/accessibility.md).

    ``session`` is the session whose question was answered: a tap still queued when that
    session ended never answers the next citizen's question.
    """

    session: int
    yes: bool


@dataclass(frozen=True)
class NotifyNumberWanted:
    """The citizen wants messages at another number than the one offered: the keypad."""

    session: int


@dataclass(frozen=True)
class NotifyPhoneEntered:
    """The number typed on the consent keypad (digits only), a yes for that number."""

    session: int
    digits: str = field(repr=False)


@dataclass(frozen=True)
class TicketReady:
    """The ticket of session ``session`` is issued (and printed, or why not): first, once
    numbered and stored, with ``ticket.printing``; then again with the print's outcome."""

    session: int
    ticket: IssuedTicket


@dataclass(frozen=True)
class IssueFailed:
    """The ticket of session ``session`` could not be issued (``reason``)."""

    session: int
    reason: Problem


@dataclass(frozen=True)
class NumberRefused:
    """The centre refused the number asked for session ``session``'s ticket while its
    question about messages is asked (``reason``: no place with the doctor, the patient
    registered already): no ticket, told at once rather than after her answer."""

    session: int
    reason: Problem


@dataclass(frozen=True)
class Back:
    """The citizen tapped "Kembali": one step back."""


@dataclass(frozen=True)
class Cancel:
    """The citizen tapped "Batal": the session ends."""


@dataclass(frozen=True)
class Finish:
    """The citizen tapped "Selesai" on the last screen."""


@dataclass(frozen=True)
class UserActivity:
    """The citizen touched the screen: the idle clock starts again."""


@dataclass(frozen=True)
class Tick:
    """Time passed; the machine reads its clock and fires due timeouts."""


@dataclass(frozen=True)
class ComplaintOpened:
    """The citizen chose "Pengaduan" (with a card, or from the attract screen without)."""


@dataclass(frozen=True)
class ComplaintSubmitted:
    """The citizen sent a complaint: its ``category`` and ``text`` (personal)."""

    category: str
    text: str = field(repr=False)


@dataclass(frozen=True)
class ComplaintFiled:
    """The complaint of session ``session`` is stored; its ``receipt``."""

    session: int
    receipt: ComplaintReceipt


@dataclass(frozen=True)
class ComplaintFailed:
    """The complaint of session ``session`` could not be stored (``reason``)."""

    session: int
    reason: Problem


@dataclass(frozen=True)
class PatientFound:
    """The result of :class:`FindPatient`: the patient as a card identity and record, or
    ``problem`` (unknown and a wrong date of birth alike, or the centre away)."""

    session: int
    identity: CardIdentity | None = None
    record: Mapping[str, str] | None = field(default=None, repr=False)
    problem: Problem | None = None
    #: The question answered (:attr:`FindPatient.asked`): only the newest is taken.
    asked: int = field(kw_only=True)


SessionEvent = (
    CardTapped
    | CardLeft
    | CardRead
    | CardReadFailed
    | BirthDateEntered
    | ProofSkipped
    | BirthDateChecked
    | RecordFound
    | CheckInChosen
    | OtherServices
    | BookingCodeOpened
    | BookingCodeEntered
    | BookingFound
    | ServiceSelected
    | FormOpened
    | FormSubmitted
    | Confirmed
    | NotifyAnswered
    | NotifyNumberWanted
    | NotifyPhoneEntered
    | TicketReady
    | IssueFailed
    | NumberRefused
    | Back
    | Cancel
    | Finish
    | UserActivity
    | Tick
    | ComplaintOpened
    | ComplaintSubmitted
    | ComplaintFiled
    | ComplaintFailed
    | DoctorChosen
    | PayerChosen
    | PatientSearchOpened
    | PatientNumberEntered
    | PatientFound
)


# --- effects ----------------------------------------------------------------
@dataclass(frozen=True)
class ReadCard:
    """Read the card on ``reader`` for session ``session``."""

    session: int
    reader: str


@dataclass(frozen=True)
class ProveBirthDate:
    """Ask the centre whether ``birth_date`` is the holder's of the UID-only card ``uid``."""

    session: int
    uid: bytes = field(repr=False)
    birth_date: dt.date = field(repr=False)


@dataclass(frozen=True)
class FindPatient:
    """Ask the centre for the hospital's patient with this number and date of birth."""

    session: int
    key: PatientKey
    value: str = field(repr=False)
    birth_date: dt.date = field(repr=False)
    #: This question's number in its session (:attr:`SessionState.asked`): a second one
    #: asked after the first timed out must never take the first one's late answer.
    asked: int = field(kw_only=True)


@dataclass(frozen=True)
class FindBooking:
    """Find the booking ``code`` (its check digit right): today's cache, else the centre."""

    session: int
    code: str = field(repr=False)
    #: This question's number in its session (:attr:`SessionState.asked`).
    asked: int = field(kw_only=True)


@private_repr("values")
@dataclass(frozen=True)
class IssueTicket:
    """Issue (store, then print) the ticket of session ``session`` for ``service_id``."""

    session: int
    #: None: a check-in by booking code, without a card.
    identity: CardIdentity | None
    service_id: str
    values: Mapping[str, str]
    language: str
    # The two below are named at every call (keyword-only): both are optional
    # strings, so a call by position could put a booking code where a phone goes.
    #: The mobile number the citizen said yes to being told at; None: no consent.
    notify_phone: str | None = field(default=None, repr=False, kw_only=True)
    #: The booking this ticket checks in (the registration carries its code to the
    #: centre; the store keeps it checked in). Personal when it came from the cache, and
    #: its code is a bearer secret: out of the repr.
    booking: BookingToday | None = field(default=None, repr=False, kw_only=True)
    #: A registration at a poli: the doctor chosen (printed on the ticket) and what the
    #: registration carries (``hospital``, contract/hospital.py).
    doctor: DoctorToday | None = field(default=None, kw_only=True)
    hospital: HospitalRequest | None = field(default=None, kw_only=True)

    @property
    def booking_code(self) -> str | None:
        """The code of the booking this ticket checks in, if any."""
        return self.booking.code if self.booking is not None else None


@dataclass(frozen=True)
class FileComplaint:
    """Store the complaint with its outbox row, then print its receipt."""

    session: int
    category: str
    text: str = field(repr=False)
    language: str = "id"
    card_number: str | None = field(default=None, repr=False)
    #: The mobile number the citizen said yes to being told at when the complaint is
    #: answered; None: no consent. Keyword-only, as :class:`IssueTicket`'s.
    notify_phone: str | None = field(default=None, repr=False, kw_only=True)


@dataclass(frozen=True)
class WipeSession:
    """The session ended: drop every personal value held anywhere."""

    reason: SessionEnd | Problem


Effect = (
    ReadCard
    | ProveBirthDate
    | FindBooking
    | FindPatient
    | IssueTicket
    | FileComplaint
    | WipeSession
)


# --- results ----------------------------------------------------------------
#: The status page's URL holds the ticket's id, which opens it (/t/{id}).
@private_repr("status_url")
@dataclass(frozen=True)
class IssuedTicket:
    """A ticket issued: its number, counter, and whether and where it was printed."""

    number: str
    service_id: str
    counter: str
    printed: bool
    print_fault: str = ""
    pdf_location: str = ""
    #: The ticket's status page on the central server (its QR code); "" if unknown.
    status_url: str = ""
    #: People ahead and estimated wait when the centre numbered the ticket online; else None.
    people_ahead: int | None = None
    wait_minutes: int | None = None
    #: A ticket of a poli: the doctor, BPJS's queue number and the estimated time ("HH:MM").
    doctor_name: str = ""
    nomorantrean: str = ""
    estimated_at: str = ""
    #: Numbered and stored, shown at once; its paper is being printed (``printed`` and
    #: ``print_fault`` say nothing yet: a second :class:`TicketReady` brings them).
    printing: bool = False


@dataclass(frozen=True)
class ComplaintReceipt:
    """A complaint stored for the centre: its reference, and whether its slip printed."""

    reference: str
    printed: bool
    print_fault: str = ""

    def __repr__(self) -> str:
        # The reference opens her complaint's page (/c/{reference}): shown cut, as the
        # centre's reprs show it.
        return (
            f"ComplaintReceipt(reference={shown_reference(self.reference)!r}, "
            f"printed={self.printed!r}, print_fault={self.print_fault!r})"
        )
