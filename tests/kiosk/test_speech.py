"""What the kiosk says, without Qt: the ticket in words, English numbers, who hears it.

The English words are written out by hand below, not made by the code under test.
"""

from __future__ import annotations

import dataclasses

import pytest

from contract.number_words import english_number_words, spoken_number
from kiosk.errors import SessionProblem
from kiosk.session.events import IssuedTicket, SessionEnd
from kiosk.session.machine import Phase, SessionState
from kiosk.speech import (
    SCREEN_LINES,
    Line,
    ProblemLines,
    SpeechMode,
    SpeechSwitch,
    screen_script,
    ticket_phrase,
    ticket_words,
)

ENGLISH: dict[int, str] = {
    1: "one",
    7: "seven",
    10: "ten",
    11: "eleven",
    12: "twelve",
    13: "thirteen",
    19: "nineteen",
    20: "twenty",
    21: "twenty-one",
    40: "forty",
    58: "fifty-eight",
    99: "ninety-nine",
    100: "one hundred",
    101: "one hundred one",
    110: "one hundred ten",
    112: "one hundred twelve",
    215: "two hundred fifteen",
    340: "three hundred forty",
    999: "nine hundred ninety-nine",
}
_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _said(n: int) -> str:
    parts = []
    if n >= 100:
        parts.append(f"{_ONES[n // 100 - 1]} hundred")
        n %= 100
    if 10 <= n < 20:
        parts.append(_TEENS[n - 10])
    elif n >= 20:
        parts.append(_TENS[n // 10 - 2] + (f"-{_ONES[n % 10 - 1]}" if n % 10 else ""))
    elif n:
        parts.append(_ONES[n - 1])
    return " ".join(parts)


@pytest.mark.parametrize(("n", "words"), sorted(ENGLISH.items()))
def test_numbers_are_read_as_english_words(n: int, words: str) -> None:
    assert " ".join(english_number_words(n)) == words


def test_every_number_from_1_to_999_is_said_in_english_as_a_person_says_it() -> None:
    assert all(_said(n) == words for n, words in ENGLISH.items())  # the two tables agree
    for n in range(1, 1000):
        assert " ".join(english_number_words(n)) == _said(n), n


#: Past 999, where leased and online numbers meet: written out by hand.
ENGLISH_THOUSANDS: dict[int, str] = {
    1000: "one thousand",
    1001: "one thousand one",
    1010: "one thousand ten",
    1100: "one thousand one hundred",
    1999: "one thousand nine hundred ninety-nine",
    2000: "two thousand",
    12345: "twelve thousand three hundred forty-five",
    100021: "one hundred thousand twenty-one",
    1000000: "one million",
    3004005: "three million four thousand five",
}


@pytest.mark.parametrize(("n", "words"), sorted(ENGLISH_THOUSANDS.items()))
def test_thousands_and_millions_are_read_as_english_words(n: int, words: str) -> None:
    assert " ".join(english_number_words(n)) == words


def test_zero_is_a_word_a_huge_number_its_digits_and_a_negative_one_nothing() -> None:
    assert spoken_number(0, "id") == ["nol"]
    assert spoken_number(1_000_000_000, "en") == ["one"] + ["zero"] * 9
    with pytest.raises(ValueError):
        spoken_number(-1, "id")


def _ticket(number: str = "B-021", counter: str = "3", **more: int | None) -> IssuedTicket:
    return IssuedTicket(number=number, service_id="ktp", counter=counter, printed=True, **more)


def test_the_ticket_end_is_said_in_indonesian_words() -> None:
    assert ticket_phrase(_ticket(people_ahead=4, wait_minutes=12), "id") == (
        "Nomor antrean Anda, B, dua puluh satu, silakan menuju loket tiga. "
        "Di depan Anda ada empat orang. Perkiraan waktu tunggu dua belas menit."
    )
    assert ticket_phrase(_ticket("A-112", "Loket 11"), "id") == (
        "Nomor antrean Anda, A, seratus dua belas, silakan menuju loket sebelas."
    )


def test_the_ticket_end_is_said_in_english_words() -> None:
    assert ticket_phrase(_ticket(people_ahead=1, wait_minutes=1), "en") == (
        "Your queue number is B, twenty-one, please go to counter three. "
        "There is one person ahead of you. The estimated wait is one minute."
    )
    assert ticket_phrase(_ticket("C-200", "Informasi", people_ahead=0), "en") == (
        "Your queue number is C, two hundred, please go to counter Informasi. "
        "No one is ahead of you."
    )


def test_a_fallback_number_spells_the_kiosk_code() -> None:
    assert ticket_words("A-K07-001", "id") == "A, K, nol, tujuh, satu"
    assert ticket_words("A-K07-001", "en") == "A, K, zero, seven, one"


def test_a_number_above_999_and_one_without_a_dash_are_read_as_the_board_reads_them() -> None:
    assert ticket_words("B-1000", "id") == "B, seribu"
    assert ticket_words("B-1200", "en") == "B, one thousand two hundred"
    assert ticket_words("B021", "id") == "B, dua puluh satu"
    assert ticket_words("ab-012", "id") == "A, B, dua belas"


@pytest.mark.parametrize(
    ("counter", "said"),
    [
        ("Loket2", "silakan menuju loket dua."),
        ("Loket", "silakan menuju loket."),
        ("3A", "silakan menuju loket tiga A."),
        ("Counter 12B", "silakan menuju loket dua belas B."),
        ("Kasir 2", "silakan menuju loket Kasir dua."),
    ],
)
def test_a_counters_name_is_said_once_after_loket(counter: str, said: str) -> None:
    assert ticket_phrase(_ticket(counter=counter), "id").endswith(", " + said)


def test_a_blank_counter_and_a_negative_count_are_not_said() -> None:
    assert ticket_phrase(_ticket(counter="  ", people_ahead=-1), "id") == (
        "Nomor antrean Anda, B, dua puluh satu."
    )


def _state(phase: Phase, session: int) -> SessionState:
    return SessionState(phase=phase, session=session)


def _walk(switch: SpeechSwitch, session: int) -> list[bool]:
    """Whether each screen of one session is spoken: tap, services, ticket, done, attract."""
    heard = []
    for phase in (Phase.READING, Phase.IDENTIFIED, Phase.TICKET_ISSUED, Phase.DONE):
        switch.rendered(_state(phase, session))
        heard.append(switch.on(_state(phase, session)))
    switch.rendered(_state(Phase.IDLE, session))
    heard.append(switch.on(_state(Phase.IDLE, session)))
    return heard


def test_the_button_holds_for_the_next_citizen_only() -> None:
    switch = SpeechSwitch(SpeechMode.BUTTON)
    switch.rendered(_state(Phase.IDLE, 0))
    assert not switch.on(_state(Phase.IDLE, 0))
    assert switch.pressed(_state(Phase.IDLE, 0), 0.0)
    assert switch.on(_state(Phase.IDLE, 0))
    assert _walk(switch, 1) == [True, True, True, True, False]  # ends with the session
    assert _walk(switch, 2) == [False] * 5  # a new citizen starts silent


def test_a_new_card_mid_session_starts_silent() -> None:
    switch = SpeechSwitch(SpeechMode.BUTTON)
    switch.rendered(_state(Phase.IDLE, 0))
    switch.pressed(_state(Phase.IDLE, 0), 0.0)
    switch.rendered(_state(Phase.IDENTIFIED, 1))
    assert switch.on(_state(Phase.IDENTIFIED, 1))
    switch.rendered(_state(Phase.READING, 2))
    assert not switch.on(_state(Phase.READING, 2))


def test_always_speaks_to_everyone_and_the_button_silences_one_citizen() -> None:
    switch = SpeechSwitch(SpeechMode.ALWAYS)
    switch.rendered(_state(Phase.IDLE, 0))
    assert not switch.pressed(_state(Phase.IDLE, 0), 0.0)
    assert _walk(switch, 1)[:4] == [False] * 4
    assert _walk(switch, 2) == [True] * 5


def test_off_never_speaks_and_has_no_button() -> None:
    switch = SpeechSwitch(SpeechMode.OFF)
    assert not switch.has_button
    switch.pressed(_state(Phase.IDLE, 0), 0.0)
    assert _walk(switch, 1) == [False] * 5


def test_pressed_and_no_card_within_the_idle_time_the_button_lapses() -> None:
    switch = SpeechSwitch(SpeechMode.BUTTON)
    switch.rendered(_state(Phase.IDLE, 0))
    assert switch.pressed(_state(Phase.IDLE, 0), 100.0)
    assert not switch.lapsed(_state(Phase.IDLE, 0), 159.0, 60.0)
    assert switch.on(_state(Phase.IDLE, 0))
    assert switch.lapsed(_state(Phase.IDLE, 0), 160.0, 60.0)  # whoever pressed it has gone
    assert not switch.on(_state(Phase.IDLE, 0)) and not switch.on(_state(Phase.READING, 1))
    assert not switch.lapsed(_state(Phase.IDLE, 0), 500.0, 60.0)  # once


def test_a_card_within_the_idle_time_keeps_speech_for_the_whole_session() -> None:
    switch = SpeechSwitch(SpeechMode.BUTTON)
    switch.rendered(_state(Phase.IDLE, 0))
    switch.pressed(_state(Phase.IDLE, 0), 100.0)
    switch.rendered(_state(Phase.READING, 1))
    assert not switch.lapsed(_state(Phase.IDENTIFIED, 1), 1000.0, 60.0)
    assert switch.on(_state(Phase.IDENTIFIED, 1))
    switch.rendered(_state(Phase.IDLE, 1))
    assert not switch.lapsed(_state(Phase.IDLE, 1), 2000.0, 60.0)  # ended with its session


@pytest.mark.parametrize(
    ("phase", "problem"),
    [
        (Phase.CONSENT_PHONE, SessionProblem.PHONE_INVALID),
        (Phase.PROVING, SessionProblem.BIRTH_DATE_INVALID),
        (Phase.PROVING, SessionProblem.BIRTH_DATE_MISMATCH),
        (Phase.IDENTIFIED, SessionProblem.BIRTH_DATE_GAVE_UP),
        (Phase.COMPLAINT, SessionProblem.COMPLAINT_EMPTY),
    ],
)
def test_a_problem_shown_in_place_is_said_first(phase: Phase, problem: SessionProblem) -> None:
    script = screen_script(SessionState(phase=phase, session=1, problem=problem), "id")
    assert script[0] == ProblemLines(problem)  # what happened and what to do, as shown
    assert script[1:] == screen_script(SessionState(phase=phase, session=1), "id")


def test_a_screen_without_a_problem_and_the_end_of_a_session_say_none() -> None:
    keypad = screen_script(SessionState(phase=Phase.CONSENT_PHONE, session=1), "id")
    assert [line for line in keypad if isinstance(line, Line) and "problem" in line.key] == []
    idle = SessionState(phase=Phase.IDLE, session=1, problem=SessionEnd.IDLE_TIMEOUT)
    assert screen_script(idle, "id") == SCREEN_LINES[Phase.IDLE]


def test_a_ticket_still_printing_is_said_as_being_made_never_as_not_printed() -> None:
    """Asked for while its paper prints (the speech button pressed then), the ticket
    screen is said as it shows: the number, and that the ticket is being made; never
    "photograph this screen", as if no paper were coming."""
    ticket = dataclasses.replace(_ticket(), printed=False, printing=True)
    state = SessionState(phase=Phase.TICKET_ISSUED, session=1, ticket=ticket)
    script = screen_script(state, "id")
    assert Line("photo_ticket") not in script and Line("take_ticket") not in script
    assert script[-1] == Line("issuing")
    printed = SessionState(phase=Phase.TICKET_ISSUED, session=1, ticket=_ticket())
    assert screen_script(printed, "id")[-1] == Line("take_ticket")
