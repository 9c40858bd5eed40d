"""Indonesian mobile numbers as the centre keeps and sends them.

A citizen types ``0812…``; a gateway wants ``62812…``. A number is 10 to 15
digits and starts ``08`` or ``62`` (then ``8``); :func:`normalise` gives the
``62…`` form every limit and message uses, so ``0812…`` and ``62812…`` are one
number. :func:`masked` is what a page or a log line may show.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(?:08|628)\d{8,13}")


def normalise(phone: object) -> str | None:
    """``62…`` for an Indonesian mobile number given as digits; ``None`` if it is not one."""
    if not isinstance(phone, str) or not 10 <= len(phone) <= 15:
        return None
    if not _DIGITS.fullmatch(phone):
        return None
    return "62" + phone[1:] if phone.startswith("0") else phone


def masked(phone: str) -> str:
    """The first five and the last three digits, the rest hidden: ``62812*****890``."""
    if len(phone) <= 8:
        return "*" * len(phone)
    return phone[:5] + "*" * (len(phone) - 8) + phone[-3:]
