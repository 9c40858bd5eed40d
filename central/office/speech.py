"""What a board says when a counter calls: Indonesian number words and the clips to play.

Indonesian boards read a number as words, not digit by digit: 112 is
"seratus dua belas", 220 "dua ratus dua puluh". The irregular forms are the
ones with *se-* (one): ``sepuluh`` (10), ``sebelas`` (11), ``seratus``
(100); the teens are "<digit> belas", the tens "<digit> puluh", the
hundreds "<digit> ratus".

An announcement is a sequence of clip names, one word each, played one
after another (:mod:`central.voice` finds or makes the clip of each name)::

    chime, nomor_antrean, a, seratus, dua, belas, silakan_menuju, loket, tiga

Pure: no I/O, nothing of HTTP.
"""

from __future__ import annotations

import re

DIGITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
LETTERS = tuple("abcdefghijklmnopqrstuvwxyz")
CHIME, NUMBER, GO_TO, COUNTER = "chime", "nomor_antrean", "silakan_menuju", "loket"
#: Every clip an announcement may need: the folder layout of a city's recordings.
VOCABULARY: tuple[str, ...] = (
    CHIME,
    NUMBER,
    GO_TO,
    COUNTER,
    *DIGITS,
    "sepuluh",
    "sebelas",
    "belas",
    "puluh",
    "ratus",
    "seratus",
    *LETTERS,
)
_DISPLAY = re.compile(r"([A-Za-z]{1,8})-?0*(\d{1,6})")
_FIRST_NUMBER = re.compile(r"\d+")


def number_words(n: int) -> list[str]:
    """``n`` (1–999) in Indonesian words, one word per item: 111 → ``["seratus", "sebelas"]``."""
    if not 1 <= n <= 999:
        raise ValueError(f"number words are for 1 to 999, not {n}")
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words += [DIGITS[hundreds], "ratus"]
    tens, ones = divmod(rest, 10)
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif tens == 1:
        words += [DIGITS[ones], "belas"]
    else:
        if tens > 1:
            words += [DIGITS[tens], "puluh"]
        if ones:
            words.append(DIGITS[ones])
    return words


def spoken_number(n: int) -> list[str]:
    """Any whole number as clips: words for 1–999, else digit by digit (0, 1000 and up)."""
    if 1 <= n <= 999:
        return number_words(n)
    return [DIGITS[int(d)] for d in str(abs(n))]


def counter_words(counter: str | None) -> list[str]:
    """The counter's clips: its number in words ("Loket 3" → tiga), else a short code spelled."""
    if not counter:
        return []
    found = _FIRST_NUMBER.search(counter)
    if found is not None:
        return spoken_number(int(found.group()))
    letters = [c for c in counter.lower() if c in LETTERS]
    return letters if 0 < len(letters) <= 3 else []


def announcement(display: str, counter: str | None) -> list[str]:
    """The clips announcing ticket ``display`` (``A-112``) to ``counter``.

    A display that is not letters and a number is announced without the
    ticket (chime, "nomor antrean" … "loket" and the counter still play).
    """
    ticket: list[str] = []
    found = _DISPLAY.fullmatch(display.strip())
    if found is not None:
        ticket = [c for c in found.group(1).lower() if c in LETTERS]
        ticket += spoken_number(int(found.group(2)))
    return [CHIME, NUMBER, *ticket, GO_TO, COUNTER, *counter_words(counter)]
