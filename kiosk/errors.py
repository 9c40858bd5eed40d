"""Every error the kiosk raises outside its centre client, and the reasons it reports.

The centre client's own tree is :mod:`kiosk.client.errors`; the card reader's is
:mod:`cardio.errors`, the printer's :mod:`printing.errors`, the local store's
:mod:`offline_store.errors`. Here:

* :class:`ConfigError` — the configuration file cannot be used (names the key);
* :class:`PinFormatError` — an operator PIN or stored PIN hash that cannot be used;
* :class:`TicketingError` — a ticket cannot be issued or reprinted
  (:class:`TicketingReason` says why);
* :class:`SpeechError` — espeak-ng could not make a clip (:class:`SpeechReason`).

And the reasons a screen shows: :data:`Problem`, every code a session can keep as
its ``problem`` (its own :class:`SessionProblem`, the card's, the store's, the
ticket's), and :class:`ApplicationsProblem`, why a citizen's applications cannot
be listed.

Reasons are :class:`~enum.StrEnum`\\ s: their values are the codes the session
keeps as its ``problem``, the screens translate and the logs show, so each
compares equal to the string it has always been.
"""

from __future__ import annotations

from enum import StrEnum

from cardio.errors import Reason
from offline_store.errors import StoreReason


class ConfigError(ValueError):
    """The configuration cannot be used. ``key`` is dotted, e.g. ``card.backend``."""

    def __init__(self, key: str, problem: str, source: str = "") -> None:
        where = f" in {source}" if source else ""
        super().__init__(f"{key}: {problem}{where}")
        self.key = key
        self.problem = problem


class CodeCacheBuildError(RuntimeError):
    """The dataclass code cache could not be built (``python -m kiosk.cli.build_cache``):
    no bytecode on this Python, a cache already installed, or its file not written."""


class PinFormatError(ValueError):
    """A PIN that is not 4 to 12 digits, or a stored hash that cannot be read."""


class TicketingReason(StrEnum):
    """Why a ticket cannot be issued or reprinted."""

    NO_CATALOG = "no_catalog"
    SERVICE_UNKNOWN = "service_unknown"
    TICKET_UNKNOWN = "ticket_unknown"


class TicketingError(Exception):
    """A ticket cannot be issued or reprinted; ``reason`` says why."""

    def __init__(self, reason: TicketingReason | SessionProblem) -> None:
        super().__init__(reason)
        #: A :class:`SessionProblem` for one the citizen can act on (``quota_full``).
        self.reason: TicketingReason | SessionProblem = reason


class SpeechReason(StrEnum):
    """Why the speech engine made no clip."""

    NO_ENGINE = "no_engine"  # espeak-ng is not installed
    TIMEOUT = "timeout"  # it ran past its deadline
    TOO_LARGE = "too_large"  # it wrote more than the size limit
    FAILED = "failed"  # it exited with an error, or wrote no sound


class SpeechError(Exception):
    """espeak-ng made no clip; ``reason`` says why (the text spoken is never in the message)."""

    def __init__(self, reason: SpeechReason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class Failure(StrEnum):
    """What went wrong with a device outside any session: a health check, a print."""

    #: No card reader is connected.
    NO_READER = "no_reader"
    #: Rendering or printing a document failed in a way the printer did not name.
    PRINT_FAILED = "failed"
    #: Not printed: the session that asked for it had ended before it could be
    #: (nobody waited at the printer; the next citizen may stand there).
    SESSION_ENDED = "session_ended"
    #: Not known: the kiosk stopped (a power cut, a crash) after storing the ticket and
    #: before recording its print; marked at the next start.
    INTERRUPTED = "interrupted"


class SessionProblem(StrEnum):
    """What the session itself found wrong: an error, or a notice on a screen in place."""

    #: No card was read before the read's deadline.
    READ_TIMEOUT = "read_timeout"
    #: A ticket or complaint was not ready before its deadline.
    ISSUE_TIMEOUT = "issue_timeout"
    #: Issuing a ticket failed in a way nothing above foresaw.
    ISSUE_FAILED = "issue_failed"
    SERVICE_UNKNOWN = "service_unknown"
    #: The card's assurance is below what the chosen service needs.
    ASSURANCE_TOO_LOW = "assurance_too_low"
    #: The typed date of birth is not a date.
    BIRTH_DATE_INVALID = "birth_date_invalid"
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"
    #: Too many wrong dates in this session: carry on without the record.
    BIRTH_DATE_GAVE_UP = "birth_date_gave_up"
    BIRTH_DATE_LOCKED = "birth_date_locked"
    BIRTH_DATE_UNAVAILABLE = "birth_date_unavailable"
    #: A complaint without a category or text (the screen checks first).
    COMPLAINT_EMPTY = "complaint_empty"
    #: The number typed for messages is not an Indonesian mobile number.
    PHONE_INVALID = "phone_invalid"
    #: Appointments (docs/appointments.md): a code whose check digit is wrong (typed
    #: wrong, nothing asked), one nobody has, a booking of another day or office, one
    #: used, cancelled or missed, one whose service the catalog no longer has, a code
    #: that cannot be checked now, and too many wrong codes in one session.
    BOOKING_CODE_INVALID = "booking_code_invalid"
    BOOKING_UNKNOWN = "booking_unknown"
    BOOKING_OTHER_DAY = "booking_other_day"
    BOOKING_OTHER_OFFICE = "booking_other_office"
    BOOKING_USED = "booking_used"
    BOOKING_CANCELLED = "booking_cancelled"
    BOOKING_MISSED = "booking_missed"
    BOOKING_SERVICE_GONE = "booking_service_gone"
    BOOKING_UNAVAILABLE = "booking_unavailable"
    BOOKING_CODE_LOCKED = "booking_code_locked"
    #: Hospital registration (docs/hospital.md): no doctor practises at the poli today,
    #: the doctor chosen has no place left for the payer (the kiosk's list, or the
    #: centre's ``quota_full`` answer), and a patient the keypad's number and date of
    #: birth do not find.
    NO_DOCTORS = "no_doctors"
    QUOTA_FULL = "quota_full"
    #: The doctor's hours today are over (the office's clock): listed, not chosen.
    DOCTOR_CLOSED = "doctor_closed"
    #: Not a fault: a tap waits for the city record, asked as the card was read; the
    #: screen says so while it comes (at most the read's timeout).
    RECORD_LOADING = "record_loading"
    #: The centre has no such doctor at the poli today any more (``unknown_schedule``:
    #: the hospital removed or moved the schedule after the kiosk's list was read).
    DOCTOR_UNAVAILABLE = "doctor_unavailable"
    PATIENT_UNKNOWN = "patient_unknown"
    PATIENT_NUMBER_INVALID = "patient_number_invalid"
    PATIENT_UNAVAILABLE = "patient_unavailable"
    #: Too many patients not found on the keypad, in this session or at this kiosk.
    PATIENT_LOCKED = "patient_locked"
    #: The centre refused the patient before numbering the poli's ticket (no number
    #: used, no ticket): a visit at this poli today already; keys (No. RM, BPJS card,
    #: NIK, card, name, date of birth) naming different people; a NIK or date of birth
    #: that cannot be. Choosing again cannot help: the registration desk checks.
    ALREADY_REGISTERED = "already_registered"
    IDENTITY_CONFLICT = "identity_conflict"
    INVALID_PATIENT = "invalid_patient"


#: The centre's refusals of a doctor's place (``CentralRefused.code``), each with what
#: the citizen is told: they choose again, and no number was used.
DOCTOR_REFUSALS = {
    "quota_full": SessionProblem.QUOTA_FULL,
    "doctor_closed": SessionProblem.DOCTOR_CLOSED,
    "unknown_schedule": SessionProblem.DOCTOR_UNAVAILABLE,
}
#: The centre's refusals of the patient an allocate names with the doctor's place
#: (``CentralRefused.code``): no number was used, and the citizen is sent to the desk.
PATIENT_REFUSALS = {
    "already_registered": SessionProblem.ALREADY_REGISTERED,
    "identity_conflict": SessionProblem.IDENTITY_CONFLICT,
    "invalid_patient": SessionProblem.INVALID_PATIENT,
}
#: Every refusal of an allocate's ``hospital`` part: the ticket is never numbered from
#: a lease instead (a place, or a patient, the centre refused).
PLACE_REFUSALS = {**DOCTOR_REFUSALS, **PATIENT_REFUSALS}


#: Every code a session keeps as its ``problem`` and a screen shows as ``problem_<code>``.
Problem = SessionProblem | Reason | StoreReason | TicketingReason


class ApplicationsProblem(StrEnum):
    """Why a citizen's applications cannot be listed."""

    #: The card is not one the centre may be asked about (not verified, no number).
    UNVERIFIED = "unverified"
    #: The centre could not be asked, or did not answer.
    OFFLINE = "offline"
