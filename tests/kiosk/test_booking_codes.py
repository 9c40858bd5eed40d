"""Booking codes: nine digits whose last is Damm's check digit (contract/bookings.py)."""

from __future__ import annotations

import itertools

import pytest

from contract.bookings import (
    BOOKING_CODE_DIGITS,
    damm_digit,
    format_code,
    is_valid_code,
    new_code,
    normalise_code,
)


def test_damm_digit_matches_the_published_example() -> None:
    # Damm's algorithm on Wikipedia: 572 gets the check digit 4, and 5724 checks to 0.
    assert damm_digit("572") == 4
    assert damm_digit("5724") == 0


def test_new_codes_are_valid_and_nine_digits() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) > 190
    for code in codes:
        assert len(code) == BOOKING_CODE_DIGITS
        assert is_valid_code(code)


def test_every_single_wrong_digit_and_every_neighbour_swap_is_caught() -> None:
    code = new_code()
    for i, wrong in itertools.product(range(len(code)), "0123456789"):
        if wrong != code[i]:
            assert not is_valid_code(code[:i] + wrong + code[i + 1 :])
    for i in range(len(code) - 1):
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        if swapped != code:
            assert not is_valid_code(swapped)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("482 913 075", "482913075"),
        ("482-913-075", "482913075"),
        ("48291307", None),
        ("4829130755", None),
        ("48291307a", None),
        ("٤٨٢٩١٣٠٧٥", None),  # Arabic-Indic digits are not ours
        ("", None),
        ("1" * 1000, None),
    ],
)
def test_normalise_code_takes_separators_and_refuses_the_rest(
    typed: str, expected: str | None
) -> None:
    assert normalise_code(typed) == expected


def test_format_code_groups_in_threes() -> None:
    assert format_code("482913075") == "482 913 075"
