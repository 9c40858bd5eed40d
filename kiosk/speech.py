"""What the kiosk says aloud, and when (``kiosk.speech``; docs/accessibility.md).

No Qt and no sound here: the screens (``ui/speech.py``) ask this module
what to say and hand it to the engine (:mod:`kiosk.espeak`).

* :class:`SpeechSwitch` decides whether this citizen hears the kiosk: off,
  on from the attract screen's button until the end of the next session, or
  always (the button then turns it off for one citizen).
* :func:`screen_script` is what each screen says: its title and what to do,
  as keys of the screens' texts (``ui/texts.py``, both languages), plus
  what only this session knows (the service's name, the ticket).
* :func:`ticket_phrase` says the ticket at the end in words, in the screen's
  language: "Nomor antrean Anda, B, dua puluh satu, silakan menuju loket
  tiga." The number words are the contract's, shared with the boards.

Nothing personal is said aloud: no name, no NIK, no value of the form (the
kiosk stands in a public hall). The ticket's number is said, and its clip is
never kept past the session (:attr:`Said.personal`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from contract.number_words import counter_parts, display_parts, spoken_number
from kiosk.privacy import private_repr
from kiosk.session.events import IssuedTicket, SessionEnd
from kiosk.session.machine import Phase, SessionState


class SpeechMode(StrEnum):
    OFF = "off"  # no button, never spoken
    BUTTON = "button"  # the attract screen's button turns it on for one citizen
    ALWAYS = "always"  # every citizen hears it; the button turns it off for one


#: espeak-ng's voice for each language of the screens.
VOICES = {"id": "id", "en": "en"}


@dataclass(frozen=True)
class Line:
    """A text of the screens by its key; ``refs`` fills placeholders with other texts' keys.

    Its other placeholders (``{time}``, ``{service}``, ``{desk}``…) are filled with
    the values its screen shows (``ui.screens.booking_words.screen_values``), so
    what is said is what is shown. ``personal``: those values are this citizen's
    (their booking's time): the clip is never kept past the session.
    """

    key: str
    refs: Mapping[str, str] = field(default_factory=dict)
    personal: bool = False


@dataclass(frozen=True)
class ProblemLines:
    """A problem's notice, said as its screen shows it: what happened, then what to do
    (``ui/problems.py`` says which texts), filled like a :class:`Line`."""

    code: str
    personal: bool = False


@private_repr("text")
@dataclass(frozen=True)
class Said:
    """Words made here, already in the screen's language."""

    text: str
    #: Carries something of this citizen (their ticket): never kept past the session.
    personal: bool = False


Script = tuple[Line | ProblemLines | Said, ...]

#: What each screen says: its title, then what to do.
SCREEN_LINES: dict[Phase, tuple[Line, ...]] = {
    Phase.IDLE: (Line("tap_card"), Line("tap_hint")),
    Phase.READING: (Line("reading"), Line("reading_hint")),
    Phase.PROVING: (Line("birth_date_title"), Line("birth_date_hint")),
    Phase.IDENTIFIED: (Line("welcome"), Line("choose_service"), Line("speak_services")),
    Phase.FORM: (Line("form_title"), Line("speak_form", {"next": "next"})),
    Phase.CONFIRMING: (Line("confirm_title"),),
    # never the number itself: the kiosk stands in a public hall
    Phase.CONSENT: (
        Line("consent_title"),
        Line("consent_hint"),
        Line("speak_consent", {"yes": "consent_yes", "no": "consent_no"}),
    ),
    Phase.CONSENT_PHONE: (Line("consent_phone_title"), Line("consent_phone_hint")),
    Phase.ISSUING: (Line("issuing"),),
    Phase.COMPLAINT: (Line("complaint_title"), Line("complaint_hint")),
    Phase.COMPLAINT_SENDING: (Line("complaint_sending"),),
    Phase.COMPLAINT_FILED: (Line("complaint_filed"),),
    Phase.BOOKING_CODE: (Line("booking_code_title"), Line("booking_code_hint")),
    Phase.BOOKING_CHECK: (Line("booking_code_checking"),),
    # a hospital (docs/hospital-kiosk.md): each doctor's row and payer's tile is said
    # when touched; a patient's number and date of birth never
    Phase.DOCTOR: (Line("doctor_prompt"),),
    Phase.PAYER: (Line("payer_title"),),
    Phase.PATIENT_NUMBER: (Line("patient_title"),),
    Phase.PATIENT_BIRTH: (Line("patient_birth_title"), Line("patient_birth_hint")),
    Phase.PATIENT_CHECK: (Line("patient_checking"),),
}


def screen_script(state: SessionState, lang: str) -> Script:
    """What the screen of ``state`` says, in ``lang``; () for a screen that says nothing new.

    A problem shown in place (a wrong date of birth, a number that cannot take a
    message, an empty complaint…) is said first, as the screen shows it first: one
    who cannot read the screen must hear why it asks again.
    """
    script = _screen_lines(state, lang)
    problem = state.problem
    if problem is None or isinstance(problem, SessionEnd) or state.phase is Phase.ERROR:
        return script
    return (ProblemLines(problem, personal=state.booking is not None), *script)


def _screen_lines(state: SessionState, lang: str) -> Script:
    service = state.service.name(lang) if state.service is not None else ""
    match state.phase:
        case Phase.SERVICE_CHOSEN:
            return (
                Said(service),
                Line("speak_detail", {"register": "register", "back": "back"}),
            )
        case Phase.CONFIRMING:
            return (
                Line("confirm_title"),
                Said(service),
                Line("speak_confirm", {"confirm": "confirm"}),
            )
        case Phase.TICKET_ISSUED if state.ticket is not None:
            # as the screen says it: being made while it prints, then what came of it
            paper = (
                "issuing"
                if state.ticket.printing
                else "take_ticket"
                if state.ticket.printed
                else "photo_ticket"
            )
            return (Said(ticket_phrase(state.ticket, lang), personal=True), Line(paper))
        case Phase.ERROR:
            return (ProblemLines(str(state.problem or "unknown")),)
        case Phase.DONE:
            return (Line("thanks"),)
        case Phase.PROVING_CHECK:
            return (Line("birth_date_checking"),)
        case Phase.APPOINTMENT:
            # as the screen shows it: the time and the service, the day, how to check in
            # (never the code: a bearer secret, and the kiosk stands in a public hall)
            return (
                Line("appointment_title", personal=True),
                Line("appointment_when", personal=True),
                Line("appointment_hint"),
            )
    return SCREEN_LINES.get(state.phase, ())


# -- the ticket in words ---------------------------------------------------------

SPOKEN: dict[str, dict[str, str]] = {
    "id": {
        "number": "Nomor antrean Anda, {number}",
        "number_unknown": "Ini nomor antrean Anda",
        "counter": "silakan menuju loket {counter}",
        "counter_unnamed": "silakan menuju loket",
        "ahead_none": "Tidak ada antrean di depan Anda.",
        "ahead_one": "Di depan Anda ada satu orang.",
        "ahead": "Di depan Anda ada {count} orang.",
        "wait": "Perkiraan waktu tunggu {minutes} menit.",
        "wait_one": "Perkiraan waktu tunggu satu menit.",
        "wait_none": "Anda akan segera dilayani.",
    },
    "en": {
        "number": "Your queue number is {number}",
        "number_unknown": "This is your queue number",
        "counter": "please go to counter {counter}",
        "counter_unnamed": "please go to the counter",
        "ahead_none": "No one is ahead of you.",
        "ahead_one": "There is one person ahead of you.",
        "ahead": "There are {count} people ahead of you.",
        "wait": "The estimated wait is {minutes} minutes.",
        "wait_one": "The estimated wait is one minute.",
        "wait_none": "You will be called shortly.",
    },
}


def in_words(n: int, lang: str) -> str:
    return " ".join(spoken_number(n, lang))


def ticket_words(number: str, lang: str) -> str:
    """A ticket number as it is read out: ``B-021`` → "B, dua puluh satu" (letters spelled).

    Read as the boards read it (``contract.number_words.display_parts``).
    """
    return ", ".join(
        in_words(part, lang) if isinstance(part, int) else part for part in display_parts(number)
    )


def counter_said(counter: str, lang: str) -> str:
    """The counter's name as said after "loket": "3", "Loket 3", "Loket3" → "tiga".

    Numbers in words, a short code spelled ("3A" → "tiga A"), a name as it is.
    """
    said: list[str] = []
    for part in counter_parts(counter):
        if isinstance(part, int):
            said.append(in_words(part, lang))
        elif len(part) <= 3:
            said.append(" ".join(part.upper()))
        else:
            said.append(part)
    return " ".join(said)


def ticket_phrase(ticket: IssuedTicket, lang: str) -> str:
    """The end of the walk, said: the number, the counter, the people ahead and the wait."""
    words = SPOKEN[_lang(lang)]
    number = ticket_words(ticket.number, lang)
    first = words["number"].format(number=number) if number else words["number_unknown"]
    if ticket.counter and ticket.counter.strip():
        counter = counter_said(ticket.counter, lang)
        first += ", " + words["counter" if counter else "counter_unnamed"].format(counter=counter)
    sentences = [first + "."]
    if ticket.people_ahead is not None and ticket.people_ahead >= 0:  # below 0: not known
        n = ticket.people_ahead
        key = "ahead_none" if n == 0 else "ahead_one" if n == 1 else "ahead"
        sentences.append(words[key].format(count=in_words(n, lang) if n else ""))
    if ticket.wait_minutes is not None:
        m = ticket.wait_minutes
        key = "wait_none" if m <= 0 else "wait_one" if m == 1 else "wait"
        sentences.append(words[key].format(minutes=in_words(m, lang) if m > 0 else ""))
    return " ".join(sentences)


def _lang(lang: str) -> str:
    return lang if lang in SPOKEN else "id"


# -- whether this citizen hears it ------------------------------------------------


class SpeechSwitch:
    """On or off for the citizen at the screen; a new citizen starts as the setting says.

    The button is on the attract screen: pressed there, speech stays on through
    the session that follows and ends with it (back on the attract screen, or a
    new card tapped). ``always`` starts every session on. Pressed and no card
    tapped within the attract screen's idle time (:meth:`lapsed`), the choice
    lapses: whoever pressed it has gone.
    """

    def __init__(self, mode: SpeechMode) -> None:
        self.mode = mode
        #: The last session this citizen's choice holds for; None: no choice made.
        self._choice: tuple[int, bool] | None = None
        #: When the button was last pressed on the attract screen (the clock of ``pressed``).
        self._pressed_at: float | None = None
        self._last: tuple[int, Phase] | None = None

    @property
    def has_button(self) -> bool:
        return self.mode is not SpeechMode.OFF

    def on(self, state: SessionState) -> bool:
        """Whether ``state``'s screen is spoken."""
        if self.mode is SpeechMode.OFF:
            return False
        if self._choice is not None and state.session <= self._choice[0]:
            return self._choice[1]
        return self.mode is SpeechMode.ALWAYS

    def pressed(self, state: SessionState, now: float) -> bool:
        """The button was pressed on ``state``'s screen at ``now``; returns whether speech is on."""
        turned_on = not self.on(state)
        # On the attract screen the choice holds for the session a tap starts next.
        idle = state.phase is Phase.IDLE
        self._choice = (state.session + 1 if idle else state.session, turned_on)
        self._pressed_at = now if idle else None
        return turned_on

    def lapsed(self, state: SessionState, now: float, after_s: float) -> bool:
        """The choice made on the attract screen ``after_s`` ago, and still no card: forget it.

        True when it lapsed just now (the attract screen shows the button as it was).
        """
        if (
            self._choice is None
            or self._pressed_at is None
            or state.phase is not Phase.IDLE
            or state.session >= self._choice[0]
            or now - self._pressed_at < after_s
        ):
            return False
        self._choice = None
        self._pressed_at = None
        return True

    def rendered(self, state: SessionState) -> bool:
        """Note a screen shown; True when it ends a session (a new citizen starts silent)."""
        before, self._last = self._last, (state.session, state.phase)
        ended = (
            before is not None
            and before[1] is not Phase.IDLE
            and (state.phase is Phase.IDLE or state.session != before[0])
        )
        if ended:
            self._choice = None
        if state.phase is not Phase.IDLE:
            self._pressed_at = None  # a card came: the choice holds for the session
        return ended


# -- what reaches the speaker ------------------------------------------------------


@private_repr("text")
@dataclass(frozen=True)
class Utterance:
    """One thing said: its words and language; ``personal``: this citizen's, never kept."""

    text: str
    lang: str
    personal: bool = False

    @property
    def voice(self) -> str:
        return VOICES.get(self.lang, VOICES["id"])


class SpeechOutput(StrEnum):
    """Whether the kiosk can be heard, for the operator panel."""

    OFF = "off"  # kiosk.speech = "off"
    UNCHECKED = "unchecked"  # not looked for yet (until the first screen is painted)
    NO_ENGINE = "no_engine"  # espeak-ng is not installed
    NO_OUTPUT = "no_output"  # no audio output (or no Qt Multimedia)
    READY = "ready"
