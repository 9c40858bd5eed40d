"""Numbers as words, the way people say them: what the boards and the kiosk speak.

Indonesian reads a number as words, not digit by digit: 112 is
"seratus dua belas", 220 "dua ratus dua puluh". The irregular forms are the
ones with *se-* (one): ``sepuluh`` (10), ``sebelas`` (11), ``seratus``
(100); the teens are "<digit> belas", the tens "<digit> puluh", the
hundreds "<digit> ratus"; then "seribu" (1000), "<n> ribu", "<n> juta":
1999 is "seribu sembilan ratus sembilan puluh sembilan", 12345 "dua belas
ribu tiga ratus empat puluh lima". English: 112 is "one hundred twelve" (no
"and", as an announcer says it), 21 "twenty-one", 1010 "one thousand ten".

A ticket's display number is read the same way by the boards and the kiosk
(:func:`display_parts`), and so is a counter's name (:func:`counter_parts`).

The display boards (``central.office.speech``) play one clip per Indonesian
word; the kiosk (``kiosk.speech``) has espeak-ng say the words in the
screen's language. Pure: no I/O.
"""

from __future__ import annotations

import re

DIGITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
LETTERS = tuple("abcdefghijklmnopqrstuvwxyz")

_EN_UNDER_TWENTY = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
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
)
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_FIRST_NUMBER = re.compile(r"\d+")
#: The largest number said in words; past it, digit by digit.
MAX_WORDS = 999_999_999


def number_words(n: int) -> list[str]:
    """``n`` (1 to 999 999 999) in Indonesian words, one word per item: 1011 → seribu sebelas."""
    millions, thousands, rest = _groups(n)
    words: list[str] = []
    if millions:
        words += [*_under_thousand(millions), "juta"]
    if thousands == 1:
        words.append("seribu")
    elif thousands:
        words += [*_under_thousand(thousands), "ribu"]
    if rest:
        words += _under_thousand(rest)
    return words


def _groups(n: int) -> tuple[int, int, int]:
    """``n``'s millions, thousands and the rest below a thousand; 1 to :data:`MAX_WORDS`."""
    if not 1 <= n <= MAX_WORDS:
        raise ValueError(f"number words are for 1 to {MAX_WORDS}, not {n}")
    millions, rest = divmod(n, 1_000_000)
    thousands, rest = divmod(rest, 1000)
    return millions, thousands, rest


def _under_thousand(n: int) -> list[str]:
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


def english_number_words(n: int) -> list[str]:
    """``n`` (1 to 999 999 999) in English words: 121 → ``["one", "hundred", "twenty-one"]``."""
    millions, thousands, rest = _groups(n)
    words: list[str] = []
    if millions:
        words += [*_english_under_thousand(millions), "million"]
    if thousands:
        words += [*_english_under_thousand(thousands), "thousand"]
    if rest:
        words += _english_under_thousand(rest)
    return words


def _english_under_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words += [_EN_UNDER_TWENTY[hundreds], "hundred"]
    if 0 < rest < 20:
        words.append(_EN_UNDER_TWENTY[rest])
    elif rest:
        tens, ones = divmod(rest, 10)
        words.append(_EN_TENS[tens] + (f"-{_EN_UNDER_TWENTY[ones]}" if ones else ""))
    return words


def spoken_number(n: int, lang: str = "id") -> list[str]:
    """A whole number as words in ``lang``: 0 "nol"; past :data:`MAX_WORDS` digit by digit."""
    if n < 0:
        raise ValueError(f"no words for a negative number: {n}")
    if 1 <= n <= MAX_WORDS:
        return english_number_words(n) if lang == "en" else number_words(n)
    digits = _EN_UNDER_TWENTY if lang == "en" else DIGITS
    return [digits[int(d)] for d in str(n)]


_DISPLAY = re.compile(r"[A-Za-z0-9]{1,12}(?:-[A-Za-z0-9]{1,12}){0,3}")
_RUN = re.compile(r"[A-Za-z]+|\d+")
_COUNTER_WORD = re.compile(r"^(loket|counter)(?![a-z])\s*", re.IGNORECASE)


def display_parts(display: str) -> list[str | int]:
    """A ticket's display number as it is read: each letter, and numbers.

    The last run of digits is one number ("B-021", "B021" → ``["B", 21]``); any
    other digits, a kiosk's code, are read one by one ("A-K07-001" → ``["A",
    "K", 0, 7, 1]``). ``[]`` for a text that is not a display number.
    """
    text = display.strip()
    if not _DISPLAY.fullmatch(text):
        return []
    runs = _RUN.findall(text)
    numbers = [i for i, run in enumerate(runs) if run.isdigit()]
    parts: list[str | int] = []
    for i, run in enumerate(runs):
        if not run.isdigit():
            parts += list(run.upper())
        elif i == numbers[-1]:
            parts.append(int(run))
        else:
            parts += [int(d) for d in run]
    return parts


def counter_parts(counter: str | None) -> list[str | int]:
    """A counter's name after the word "loket": its numbers and its words.

    "Loket 3", "Loket3" and "3" → ``[3]``; "3A" → ``[3, "A"]``; "Informasi" →
    ``["Informasi"]``; "Loket", blank or None → ``[]``.
    """
    text = _COUNTER_WORD.sub("", (counter or "").strip())
    return [int(run) if run.isdigit() else run for run in _RUN.findall(text)]


def first_number(text: str | None) -> int | None:
    """The first whole number written in ``text`` ("Loket 3" → 3); None when there is none."""
    found = _FIRST_NUMBER.search(text or "")
    return int(found.group()) if found is not None else None
