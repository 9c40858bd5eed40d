"""One rule for a phone that can receive messages, on the centre as on the kiosk."""

from __future__ import annotations

import pytest

from central.messages.phones import mobile, normalise
from central.web.booking import parse_phone
from kiosk.session.consent import mobile_number

TYPED = [
    ("081234567890", "081234567890"),
    ("0812 3456 7890", "081234567890"),
    ("+62 812-3456-7890", "081234567890"),
    ("6281234567890", "081234567890"),
    ("62 0812 3456 7890", "081234567890"),
    ("0895123456", "0895123456"),  # ten digits
    ("0881234567890", "0881234567890"),  # thirteen
    ("0212345678", None),  # a landline
    ("622155512345", None),  # a landline with the country code
    ("08001234567", None),  # free
    ("08091234567", None),  # premium
    ("0841234567", None),  # no mobile network's prefix
    ("081234567890123", None),  # fifteen digits
    ("6281234567890123", None),
    ("081234567", None),  # nine
    ("０８１２３４５６７８９０", None),  # full-width digits
    ("0812345678٩", None),
    ("", None),
]


@pytest.mark.parametrize(("typed", "digits"), TYPED)
def test_the_booking_page_the_registrations_and_the_kiosk_share_one_rule(
    typed: str, digits: str | None
) -> None:
    assert mobile(typed) == digits
    assert parse_phone(typed) == digits  # the booking page
    assert normalise(typed) == (None if digits is None else "62" + digits[1:])  # notify
    assert mobile_number(typed) == digits  # the kiosk's own rule agrees
