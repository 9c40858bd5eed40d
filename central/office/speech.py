"""What a board says when a counter calls: the clips to play, one word each.

A board reads a number as Indonesian words, not digit by digit (the words
themselves are the contract's, :mod:`contract.number_words`, shared with the
kiosk that speaks). An announcement is a sequence of clip names, one word
each, played one after another (:mod:`central.voice` finds or makes the clip
of each name)::

    chime, nomor_antrean, a, seratus, dua, belas, silakan_menuju, loket, tiga

Pure: no I/O, nothing of HTTP.
"""

from __future__ import annotations

import re

from contract.number_words import DIGITS, LETTERS, first_number, number_words, spoken_number

__all__ = [
    "CHIME",
    "COUNTER",
    "DIGITS",
    "GO_TO",
    "LETTERS",
    "NUMBER",
    "VOCABULARY",
    "announcement",
    "counter_words",
    "number_words",
    "spoken_number",
]

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


def counter_words(counter: str | None) -> list[str]:
    """The counter's clips: its number in words ("Loket 3" → tiga), else a short code spelled."""
    if not counter:
        return []
    number = first_number(counter)
    if number is not None:
        return spoken_number(number)
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
