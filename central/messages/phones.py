"""Indonesian mobile numbers as the centre takes, keeps and sends them: one rule for
the booking page, a registration's or a complaint's ``notify`` and every message.

A mobile number is, in its ``08…`` form, 10 to 13 digits starting ``081``, ``082``,
``083``, ``085``, ``087``, ``088`` or ``089`` (the mobile networks' prefixes; the
kiosk's rule, kiosk/session/consent.py): a landline (``021…``), a free or premium
``0800``/``0809`` number cannot receive an SMS or a WhatsApp message.
:func:`mobile` reads one as people write it (``0812 3456 7890``, ``+62 812-3456-7890``,
``62812…``) and gives its ``08…`` form; :func:`normalise` gives the ``62…`` form every
limit and message uses, so ``0812…`` and ``62812…`` are one number. :func:`masked` is
what a page or a log line may show.
"""

from __future__ import annotations

import re

#: Digits of a mobile number in its ``08…`` form.
MIN_DIGITS, MAX_DIGITS = 10, 13
#: The mobile networks' prefixes after the 0.
MOBILE_PREFIXES = ("81", "82", "83", "85", "87", "88", "89")
_MOBILE = re.compile(
    rf"0(?:{'|'.join(MOBILE_PREFIXES)})[0-9]{{{MIN_DIGITS - 3},{MAX_DIGITS - 3}}}", re.ASCII
)
#: What a person writes between the digits of a phone number.
_SEPARATORS = re.compile(r"[\s.\-()/]")
#: Longer than any way of writing a number: not read at all.
_LONGEST_TYPED = 40


def mobile(text: object) -> str | None:
    """``text`` as an Indonesian mobile number in its ``08…`` form; ``None`` if it is not one."""
    if not isinstance(text, str) or len(text) > _LONGEST_TYPED:
        return None
    digits = _SEPARATORS.sub("", text.strip()).removeprefix("+")
    if digits.startswith("62"):
        digits = digits[2:]
        if not digits.startswith("0"):
            digits = "0" + digits
    return digits if _MOBILE.fullmatch(digits) else None


def normalise(phone: object) -> str | None:
    """``62…`` for an Indonesian mobile number; ``None`` if it is not one."""
    found = mobile(phone)
    return None if found is None else "62" + found[1:]


def masked(phone: str) -> str:
    """The first five and the last three digits, the rest hidden: ``62812*****890``."""
    if len(phone) <= 8:
        return "*" * len(phone)
    return phone[:5] + "*" * (len(phone) - 8) + phone[-3:]
