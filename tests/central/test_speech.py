"""A board reads a ticket's number as Indonesian words, and announces a call clip by clip.

The words are the contract's (``contract.number_words``, which the kiosk that
speaks shares); the board's clips are built from them.

The expected words are written out here by hand, not made by the code under
test: every irregular form (the *se-* words, the teens, the round tens and
hundreds) and a spread of regular numbers; then every number from 1 to 999
against a table composed from words written out below.
"""

from __future__ import annotations

import pytest

from central.office.speech import VOCABULARY, announcement, counter_words
from contract.number_words import number_words

WRITTEN_OUT: dict[int, str] = {
    1: "satu",
    2: "dua",
    3: "tiga",
    4: "empat",
    5: "lima",
    6: "enam",
    7: "tujuh",
    8: "delapan",
    9: "sembilan",
    10: "sepuluh",
    11: "sebelas",
    12: "dua belas",
    13: "tiga belas",
    14: "empat belas",
    15: "lima belas",
    16: "enam belas",
    17: "tujuh belas",
    18: "delapan belas",
    19: "sembilan belas",
    20: "dua puluh",
    21: "dua puluh satu",
    30: "tiga puluh",
    45: "empat puluh lima",
    58: "lima puluh delapan",
    60: "enam puluh",
    77: "tujuh puluh tujuh",
    89: "delapan puluh sembilan",
    90: "sembilan puluh",
    99: "sembilan puluh sembilan",
    100: "seratus",
    101: "seratus satu",
    109: "seratus sembilan",
    110: "seratus sepuluh",
    111: "seratus sebelas",
    112: "seratus dua belas",
    119: "seratus sembilan belas",
    120: "seratus dua puluh",
    199: "seratus sembilan puluh sembilan",
    200: "dua ratus",
    201: "dua ratus satu",
    210: "dua ratus sepuluh",
    211: "dua ratus sebelas",
    215: "dua ratus lima belas",
    220: "dua ratus dua puluh",
    305: "tiga ratus lima",
    340: "tiga ratus empat puluh",
    411: "empat ratus sebelas",
    500: "lima ratus",
    614: "enam ratus empat belas",
    700: "tujuh ratus",
    777: "tujuh ratus tujuh puluh tujuh",
    810: "delapan ratus sepuluh",
    900: "sembilan ratus",
    918: "sembilan ratus delapan belas",
    999: "sembilan ratus sembilan puluh sembilan",
}


@pytest.mark.parametrize(("n", "words"), sorted(WRITTEN_OUT.items()))
def test_numbers_are_read_as_indonesian_words(n: int, words: str) -> None:
    assert number_words(n) == words.split()


# Words for 1..19 and the round tens and hundreds, written out once more, to
# compose every number of 1..999 the way a person would say it.
_UNDER_TWENTY = [
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
    "dua belas",
    "tiga belas",
    "empat belas",
    "lima belas",
    "enam belas",
    "tujuh belas",
    "delapan belas",
    "sembilan belas",
]
_TENS = {
    20: "dua puluh",
    30: "tiga puluh",
    40: "empat puluh",
    50: "lima puluh",
    60: "enam puluh",
    70: "tujuh puluh",
    80: "delapan puluh",
    90: "sembilan puluh",
}
_HUNDREDS = {
    100: "seratus",
    200: "dua ratus",
    300: "tiga ratus",
    400: "empat ratus",
    500: "lima ratus",
    600: "enam ratus",
    700: "tujuh ratus",
    800: "delapan ratus",
    900: "sembilan ratus",
}


def _said(n: int) -> str:
    parts = []
    if n >= 100:
        parts.append(_HUNDREDS[n - n % 100])
        n %= 100
    if n >= 20:
        parts.append(_TENS[n - n % 10])
        n %= 10
    if n:
        parts.append(_UNDER_TWENTY[n - 1])
    return " ".join(parts)


def test_every_number_from_1_to_999_is_said_as_a_person_says_it() -> None:
    table = {n: _said(n) for n in range(1, 1000)}
    assert all(table[n] == words for n, words in WRITTEN_OUT.items())  # the two tables agree
    for n, words in table.items():
        assert number_words(n) == words.split(), n
    assert len({" ".join(number_words(n)) for n in range(1, 1000)}) == 999


def test_every_word_has_a_clip() -> None:
    for n in range(1, 1000):
        assert set(number_words(n)) <= set(VOCABULARY), n


#: Past 999, where leased and online numbers meet (B-1000): written out by hand.
THOUSANDS: dict[int, str] = {
    1000: "seribu",
    1001: "seribu satu",
    1010: "seribu sepuluh",
    1011: "seribu sebelas",
    1100: "seribu seratus",
    1200: "seribu dua ratus",
    1999: "seribu sembilan ratus sembilan puluh sembilan",
    2000: "dua ribu",
    2015: "dua ribu lima belas",
    10000: "sepuluh ribu",
    11000: "sebelas ribu",
    12345: "dua belas ribu tiga ratus empat puluh lima",
    100000: "seratus ribu",
    101000: "seratus satu ribu",
    999999: "sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan",
    1000000: "satu juta",
    2001000: "dua juta seribu",
}


@pytest.mark.parametrize(("n", "words"), sorted(THOUSANDS.items()))
def test_thousands_and_millions_are_read_as_indonesian_words(n: int, words: str) -> None:
    assert number_words(n) == words.split()
    assert set(number_words(n)) <= set(VOCABULARY)  # and the board has a clip for each


@pytest.mark.parametrize("n", [0, -1, 1_000_000_000])
def test_numbers_outside_1_to_999_999_999_are_refused(n: int) -> None:
    with pytest.raises(ValueError):
        number_words(n)


def test_a_call_is_announced_chime_number_letter_words_and_counter() -> None:
    assert announcement("A-112", "Loket 3") == [
        "chime",
        "nomor_antrean",
        "a",
        "seratus",
        "dua",
        "belas",
        "silakan_menuju",
        "loket",
        "tiga",
    ]
    assert announcement("B-001", "11") == [
        "chime",
        "nomor_antrean",
        "b",
        "satu",
        "silakan_menuju",
        "loket",
        "sebelas",
    ]


def test_a_number_past_999_is_read_in_words() -> None:
    assert announcement("C-1000", "2")[2:4] == ["c", "seribu"]
    assert announcement("B-1001", "2")[2:5] == ["b", "seribu", "satu"]


def test_the_board_reads_a_display_number_as_the_kiosk_does() -> None:
    assert announcement("B021", "3")[2:-3] == ["b", "dua", "puluh", "satu"]
    assert announcement("A-K07-001", "3")[2:-3] == ["a", "k", "nol", "tujuh", "satu"]
    assert announcement("<b>", "3") == ["chime", "nomor_antrean", "silakan_menuju", "loket", "tiga"]


def test_a_counter_is_read_after_its_word_loket() -> None:
    assert counter_words("Loket2") == ["dua"]
    assert counter_words("Loket") == []
    assert counter_words("3A") == ["tiga", "a"]


def test_a_counter_without_a_number_is_spelled_when_short_and_left_out_when_long() -> None:
    assert counter_words("B") == ["b"]
    assert counter_words("Kasir Utama") == []
    assert counter_words(None) == []
