"""Numbers as words, the way people say them: what the boards and the kiosk speak.

Indonesian reads a number as words, not digit by digit: 112 is
"seratus dua belas", 220 "dua ratus dua puluh". The irregular forms are the
ones with *se-* (one): ``sepuluh`` (10), ``sebelas`` (11), ``seratus``
(100); the teens are "<digit> belas", the tens "<digit> puluh", the
hundreds "<digit> ratus". English: 112 is "one hundred twelve" (no "and",
as an announcer says it), 21 "twenty-one".

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


def english_number_words(n: int) -> list[str]:
    """``n`` (1–999) in English words: 121 → ``["one", "hundred", "twenty-one"]``."""
    if not 1 <= n <= 999:
        raise ValueError(f"number words are for 1 to 999, not {n}")
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
    """Any whole number as words in ``lang``: 1–999 as words, else digit by digit (0, 1000 up)."""
    if 1 <= n <= 999:
        return english_number_words(n) if lang == "en" else number_words(n)
    digits = _EN_UNDER_TWENTY if lang == "en" else DIGITS
    return [digits[int(d)] for d in str(abs(n))]


def first_number(text: str | None) -> int | None:
    """The first whole number written in ``text`` ("Loket 3" → 3); None when there is none."""
    found = _FIRST_NUMBER.search(text or "")
    return int(found.group()) if found is not None else None
