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

from contract.number_words import (
    DIGITS,
    LETTERS,
    counter_parts,
    display_parts,
    number_words,
    spoken_number,
)

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
    "ribu",
    "seribu",
    "juta",
    *LETTERS,
)


def counter_words(counter: str | None) -> list[str]:
    """The counter's clips: its numbers in words ("Loket 3" → tiga), a short code spelled.

    A longer word ("Kasir Utama") has no clip and is left out.
    """
    words: list[str] = []
    for part in counter_parts(counter):
        if isinstance(part, int):
            words += spoken_number(part)
        elif len(part) <= 3:
            words += [c for c in part.lower() if c in LETTERS]
    return words


def announcement(display: str, counter: str | None) -> list[str]:
    """The clips announcing ticket ``display`` (``A-112``) to ``counter``.

    A display that is not letters and a number is announced without the
    ticket (chime, "nomor antrean" … "loket" and the counter still play).
    """
    ticket: list[str] = []
    for part in display_parts(display):  # read as the kiosk reads it
        ticket += spoken_number(part) if isinstance(part, int) else [part.lower()]
    return [CHIME, NUMBER, *ticket, GO_TO, COUNTER, *counter_words(counter)]
