"""Consent to be told by message when one's turn nears: which number, checked and shown how.

Before a ticket is issued the citizen is asked once, "Kirim pemberitahuan ke
0813 ••••• 234?" (the session machine's ``consent`` phase). Only a yes puts the
number in the registration the centre receives (``"notify": {"phone": ...}``);
without it the number never leaves the kiosk for this purpose. The same question
follows a complaint once it is sent (its yes puts ``notify`` in the complaint's
outbox body, for "complaint answered"); a complaint form has no phone field, so only
the record's phone is offered.

* :func:`mobile_number` checks and normalises what a record holds or a citizen
  types: an Indonesian mobile number, sent as digits starting ``08``. Indonesia's
  numbering plan gives mobile networks the prefixes 081, 082, 083, 085, 087, 088
  and 089 and numbers of 10 to 13 digits in this form (a national number of 9 to
  12 digits after the 0); 0800 (free calls) and 0809 (premium) are not mobile and
  cannot take a message. The centre accepts a little more (10 to 15 digits:
  docs/central-api.md); the kiosk sends only what can be a mobile.
* :func:`offered_number` is the number the question offers: the phone the
  citizen has just confirmed on the form (a ``phone`` field), else the city
  record's ``phone``; None when neither is a mobile number (a yes then opens
  the keypad).
* :func:`masked` is how the question shows it: the first four and the last
  three digits, the middle hidden (docs/accessibility.md says why).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from contract.catalog import FieldType, FormField

#: Digits of a mobile number in its ``08…`` form (the numbering plan's bounds).
MIN_DIGITS, MAX_DIGITS = 10, 13
#: The mobile networks' prefixes after the 0 (081…, 082…, …, 089…).
MOBILE_PREFIXES = ("81", "82", "83", "85", "87", "88", "89")
#: What a person writes between the digits of a phone number.
_SEPARATORS = re.compile(r"[\s.\-()/]")
_MOBILE = re.compile(rf"0(?:{'|'.join(MOBILE_PREFIXES)})\d{{{MIN_DIGITS - 3},{MAX_DIGITS - 3}}}")
#: Digits shown at each end of a masked number.
SHOWN_HEAD, SHOWN_TAIL = 4, 3
MASK = "•"


def mobile_number(text: str) -> str | None:
    """``text`` as an Indonesian mobile number in digits (``0812…``), or None.

    Accepts the ways people write one: ``0812 3456 7890``, ``0812-3456-7890``,
    ``+62 812 3456 7890``, ``62812…``, and ``+62 0812…`` (the country code before
    the number as it is dialled at home). Anything else (a landline ``021…``, a free
    or premium ``0800``/``0809`` number, letters, too few or too many digits) is None.
    """
    digits = _SEPARATORS.sub("", text.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("62"):
        digits = digits[2:]
        if not digits.startswith("0"):
            digits = "0" + digits
    if not digits.isascii() or not _MOBILE.fullmatch(digits):
        return None
    return digits


def offered_number(
    form: tuple[FormField, ...],
    values: Mapping[str, str],
    record: Mapping[str, str] | None,
) -> str | None:
    """The number the consent question offers (see the module's docstring)."""
    for field in form:
        if field.type is FieldType.PHONE:
            typed = mobile_number(values.get(field.name, ""))
            if typed is not None:
                return typed
    if record is not None:
        return mobile_number(record.get("phone", ""))
    return None


def masked(number: str) -> str:
    """``081378901234`` → ``0813 ••••• 234``: enough for its owner to know it, little
    for someone looking over their shoulder."""
    hidden = len(number) - SHOWN_HEAD - SHOWN_TAIL
    if hidden < 1:
        return MASK * len(number)
    return f"{number[:SHOWN_HEAD]} {MASK * hidden} {number[-SHOWN_TAIL:]}"


def grouped(digits: str) -> str:
    """Digits as they are typed on the keypad, in fours: ``0812 3456 7890``."""
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
