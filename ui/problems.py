"""What the touchscreen shows for each problem: one table, no Qt.

Every problem the kiosk can show is shown the same way (#15): a large icon,
a plain sentence of what happened, a second one of what to do, and, on the
error screen, one big button. :data:`PROBLEMS` holds that for every code a
session keeps as its ``problem`` (:data:`kiosk.errors.Problem`);
:data:`NOTICES` for the other surfaces (out of service, a ticket or receipt
not printed, a list that cannot be loaded, the operator's PIN). The values
are keys of :mod:`ui.texts`; a test checks each has its words in both
languages.

Where a citizen is sent for help is the office's own: the texts say
``{desk}``, filled with :func:`help_desk_values` from ``kiosk.help_counter``
("loket 2"), or "loket informasi" when it is not set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from cardio.errors import Reason
from kiosk.errors import SessionProblem, TicketingReason
from offline_store.errors import StoreReason


class Icon(StrEnum):
    """The problem icons of :mod:`ui.icons`, one per kind of problem."""

    #: The card itself was refused or could not be read.
    CARD = "card"
    #: Too late or too early: an expired card, a read that took too long.
    CLOCK = "clock"
    #: Something is not connected: the reader, the centre, the kiosk's service.
    PLUG = "plug"
    PRINTER = "printer"
    #: Blocked: a blocked card, too many tries, a service the card may not use.
    LOCK = "lock"
    #: Something the citizen types is missing or wrong.
    PENCIL = "pencil"
    #: The kiosk itself failed.
    WARNING = "warning"
    #: Not a problem: the thank-you screen.
    DONE = "done"


@dataclass(frozen=True)
class Notice:
    """How one problem is shown: keys of :mod:`ui.texts`, and the icon."""

    icon: Icon
    #: What happened, one plain sentence.
    happened: str
    #: What to do, one plain sentence (may name the help desk as ``{desk}``).
    todo: str
    #: The error screen's one button ("" where the problem is shown in place).
    button: str = "close"


_CLOSE, _AGAIN = "close", "try_again"


def _card(happened: str, todo: str = "todo_card_desk", icon: Icon = Icon.CARD) -> Notice:
    return Notice(icon, happened, todo, _CLOSE)


#: Every code a session can keep as its ``problem``, by code.
PROBLEMS: dict[str, Notice] = {
    # the card (cardio.errors.Reason)
    Reason.MALFORMED: _card("problem_malformed", "todo_tap_again"),
    Reason.REMOVED_DURING_READ: Notice(
        Icon.CARD, "problem_removed_during_read", "todo_hold_card", _AGAIN
    ),
    Reason.UNSUPPORTED_CARD: _card("problem_unsupported_card"),
    Reason.SERVICE_UNAVAILABLE: _card("problem_service_unavailable", "todo_staff", Icon.PLUG),
    Reason.READER_UNAVAILABLE: _card("problem_reader_unavailable", "todo_staff", Icon.PLUG),
    Reason.TIMEOUT: Notice(Icon.CLOCK, "problem_timeout", "todo_hold_card", _AGAIN),
    Reason.BAD_SIGNATURE: _card("problem_bad_signature"),
    Reason.UNKNOWN_ISSUER: _card("problem_unknown_issuer"),
    Reason.EXPIRED: _card("problem_expired", "todo_renew_card", Icon.CLOCK),
    Reason.NOT_YET_VALID: _card("problem_not_yet_valid", icon=Icon.CLOCK),
    Reason.REVOKED: _card("problem_revoked", icon=Icon.LOCK),
    Reason.CLONE_SUSPECTED: _card("problem_clone_suspected"),
    Reason.NIK_MISMATCH: _card("problem_nik_mismatch"),
    # the session's own (kiosk.errors.SessionProblem)
    SessionProblem.READ_TIMEOUT: Notice(
        Icon.CLOCK, "problem_read_timeout", "todo_hold_card", _AGAIN
    ),
    SessionProblem.ISSUE_TIMEOUT: Notice(Icon.CLOCK, "problem_issue_timeout", "todo_ask_first"),
    SessionProblem.ISSUE_FAILED: Notice(Icon.WARNING, "problem_issue_failed", "todo_staff"),
    SessionProblem.SERVICE_UNKNOWN: Notice(
        Icon.WARNING, "problem_service_unknown", "todo_other_service"
    ),
    SessionProblem.ASSURANCE_TOO_LOW: Notice(
        Icon.LOCK, "problem_assurance_too_low", "todo_other_service"
    ),
    SessionProblem.BIRTH_DATE_INVALID: Notice(
        Icon.PENCIL, "problem_birth_date_invalid", "todo_type_date", ""
    ),
    SessionProblem.BIRTH_DATE_MISMATCH: Notice(
        Icon.PENCIL, "problem_birth_date_mismatch", "todo_once_more", ""
    ),
    SessionProblem.BIRTH_DATE_GAVE_UP: Notice(
        Icon.LOCK, "problem_birth_date_gave_up", "todo_fill_yourself", ""
    ),
    SessionProblem.BIRTH_DATE_LOCKED: Notice(
        Icon.LOCK, "problem_birth_date_locked", "todo_fill_yourself", ""
    ),
    SessionProblem.BIRTH_DATE_UNAVAILABLE: Notice(
        Icon.PLUG, "problem_birth_date_unavailable", "todo_fill_yourself", ""
    ),
    SessionProblem.COMPLAINT_EMPTY: Notice(
        Icon.PENCIL, "problem_complaint_empty", "todo_write_complaint", ""
    ),
    SessionProblem.PHONE_INVALID: Notice(
        Icon.PENCIL, "problem_phone_invalid", "todo_type_phone", ""
    ),
    # appointments: the code on the keypad, a card's booking above the grid (#16)
    SessionProblem.BOOKING_CODE_INVALID: Notice(
        Icon.PENCIL, "problem_booking_code_invalid", "todo_check_code", ""
    ),
    SessionProblem.BOOKING_UNKNOWN: Notice(
        Icon.PENCIL, "problem_booking_unknown", "todo_check_code", ""
    ),
    SessionProblem.BOOKING_OTHER_DAY: Notice(
        Icon.CLOCK, "problem_booking_other_day", "todo_come_that_day", ""
    ),
    SessionProblem.BOOKING_OTHER_OFFICE: Notice(
        Icon.WARNING, "problem_booking_other_office", "todo_go_to_office", ""
    ),
    SessionProblem.BOOKING_USED: Notice(Icon.LOCK, "problem_booking_used", "todo_ticket_taken", ""),
    SessionProblem.BOOKING_CANCELLED: Notice(
        Icon.WARNING, "problem_booking_cancelled", "todo_walk_in", ""
    ),
    SessionProblem.BOOKING_MISSED: Notice(Icon.CLOCK, "problem_booking_missed", "todo_walk_in", ""),
    SessionProblem.BOOKING_SERVICE_GONE: Notice(
        Icon.WARNING, "problem_booking_service_gone", "todo_ask_desk", ""
    ),
    SessionProblem.BOOKING_UNAVAILABLE: Notice(
        Icon.PLUG, "problem_booking_unavailable", "todo_later_or_ask", ""
    ),
    SessionProblem.BOOKING_CODE_LOCKED: Notice(
        Icon.LOCK, "problem_booking_code_locked", "todo_code_desk"
    ),
    # a hospital's poli (docs/hospital.md)
    SessionProblem.NO_DOCTORS: Notice(Icon.CLOCK, "problem_no_doctors", "todo_ask_desk", ""),
    SessionProblem.QUOTA_FULL: Notice(Icon.LOCK, "problem_quota_full", "todo_other_doctor", ""),
    SessionProblem.DOCTOR_CLOSED: Notice(
        Icon.CLOCK, "problem_doctor_closed", "todo_other_doctor", ""
    ),
    SessionProblem.RECORD_LOADING: Notice(Icon.CLOCK, "problem_record_loading", "todo_wait", ""),
    SessionProblem.DOCTOR_UNAVAILABLE: Notice(
        Icon.CLOCK, "problem_doctor_unavailable", "todo_other_doctor", ""
    ),
    SessionProblem.PATIENT_UNKNOWN: Notice(
        Icon.PENCIL, "problem_patient_unknown", "todo_check_number", ""
    ),
    SessionProblem.PATIENT_NUMBER_INVALID: Notice(
        Icon.PENCIL, "problem_patient_number_invalid", "todo_check_number", ""
    ),
    SessionProblem.PATIENT_UNAVAILABLE: Notice(
        Icon.PLUG, "problem_patient_unavailable", "todo_later_or_ask", ""
    ),
    SessionProblem.PATIENT_LOCKED: Notice(Icon.LOCK, "problem_patient_locked", "todo_patient_desk"),
    # the centre refused the patient before numbering the ticket: the error screen, no ticket
    SessionProblem.ALREADY_REGISTERED: Notice(
        Icon.LOCK, "problem_already_registered", "todo_registration_desk"
    ),
    SessionProblem.IDENTITY_CONFLICT: Notice(
        Icon.WARNING, "problem_identity_conflict", "todo_registration_desk"
    ),
    SessionProblem.INVALID_PATIENT: Notice(
        Icon.PENCIL, "problem_invalid_patient", "todo_registration_desk"
    ),
    # the local store (offline_store.errors.StoreReason)
    StoreReason.STORE_FULL: Notice(Icon.WARNING, "problem_store_full", "todo_staff"),
    StoreReason.STORE_FAILED: Notice(Icon.WARNING, "problem_store_failed", "todo_staff"),
    StoreReason.STORE_CORRUPT: Notice(Icon.WARNING, "problem_store_corrupt", "todo_staff"),
    # issuing (kiosk.errors.TicketingReason)
    TicketingReason.NO_CATALOG: Notice(Icon.PLUG, "problem_no_catalog", "todo_staff"),
    TicketingReason.TICKET_UNKNOWN: Notice(Icon.WARNING, "problem_ticket_unknown", "todo_staff"),
}
#: A code no row names (never expected: a test checks every code has its row).
UNKNOWN = Notice(Icon.WARNING, "problem_unknown", "todo_try_or_ask")

#: The other surfaces that show a problem, by name.
NOTICES: dict[str, Notice] = {
    # the attract screen when the kiosk's store cannot be used
    "out_of_service": Notice(Icon.PLUG, "out_of_service", "todo_served_at_desk", ""),
    # the ticket and the complaint receipt, still shown, when the paper may not come
    "photo_ticket": Notice(Icon.PRINTER, "ticket_not_printed", "photo_ticket", ""),
    "check_ticket": Notice(Icon.PRINTER, "printer_unsure", "check_ticket", ""),
    "complaint_photo": Notice(Icon.PRINTER, "receipt_not_printed", "complaint_photo", ""),
    # the complaint screen checks before it sends
    "complaint_no_category": Notice(
        Icon.PENCIL, "complaint_no_category", "todo_choose_category", ""
    ),
    "complaint_empty": PROBLEMS[SessionProblem.COMPLAINT_EMPTY],
    # information and the citizen's applications
    "cannot_check": Notice(Icon.PLUG, "cannot_check", "todo_later_or_ask", ""),
    "status_unverified": Notice(Icon.LOCK, "status_unverified", "todo_ask_desk", ""),
    # the operator's PIN
    "pin_wrong": Notice(Icon.LOCK, "pin_wrong", "pin_tries_left", ""),
    "pin_locked": Notice(Icon.CLOCK, "pin_locked", "pin_wait", ""),
}


def shown_problem(problem: str | None, tap_waiting: bool) -> str | None:
    """What a screen's notice says: that a tap waits for the city record, while one
    does (:attr:`kiosk.session.machine.SessionState.tap_waiting`), else ``problem``."""
    return SessionProblem.RECORD_LOADING if tap_waiting else problem


def problem_notice(code: str) -> Notice:
    """How the problem ``code`` is shown (:data:`UNKNOWN` for a code with no row)."""
    return PROBLEMS.get(code, UNKNOWN)


def help_desk_values(help_counter: str, t: Callable[[str], str]) -> dict[str, str]:
    """``{desk}`` for the texts: "loket 2" for ``kiosk.help_counter = "2"``, else
    "loket informasi" (``t`` translates a key into the screen's language)."""
    if help_counter.strip():
        return {"desk": t("help_counter_named").format(counter=help_counter.strip())}
    return {"desk": t("help_counter_default")}


def notice_words(
    notice: Notice, t: Callable[..., str], values: Mapping[str, object]
) -> tuple[str, str]:
    """What happened and what to do, ``t`` translating each key filled with ``values``:
    the one way a notice becomes words, on the screen and aloud."""
    return t(notice.happened, **values), t(notice.todo, **values)
