"""NIK parsing: regions, the +40 day for women, the century rule, and the cross-check."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.errors import NikError, NikReason
from contract.nik import PROVINCES, Sex, parse_nik

TODAY = dt.date(2026, 6, 1)


def test_a_mans_nik_parses_into_its_parts() -> None:
    nik = parse_nik("1471011708790002", reference=TODAY)
    assert (nik.province, nik.regency, nik.district) == ("14", "71", "01")
    assert nik.province_name == "Riau"
    assert nik.birth_date == dt.date(1979, 8, 17)
    assert nik.sex is Sex.MALE
    assert nik.serial == "0002"


def test_a_womans_day_of_birth_has_40_added() -> None:
    nik = parse_nik("1471015203850001", reference=TODAY)
    assert nik.birth_date == dt.date(1985, 3, 12)
    assert nik.sex is Sex.FEMALE
    assert parse_nik("3273017112990001", reference=TODAY).birth_date == dt.date(1999, 12, 31)


def test_there_are_38_provinces_including_the_new_papua_ones() -> None:
    assert len(PROVINCES) == 38
    assert {"11", "14", "21", "32", "94", "95", "96", "97"} <= set(PROVINCES)
    assert PROVINCES["21"] == "Kepulauan Riau" and PROVINCES["92"] == "Papua Barat Daya"


@pytest.mark.parametrize(
    ("nik", "problem"),
    [
        ("147101170879000", "16 digits"),  # 15 digits
        ("14710117087900021", "16 digits"),  # 17 digits
        ("14710117O8790002", "16 digits"),  # a letter O
        ("１４７１０１１７０８７９０００２", "16 digits"),  # full-width digits
        ("9971011708790002", "province code 99"),
        ("2071011708790002", "province code 20"),
        ("9371011708790002", "province code 93"),  # no province 93 (Papua codes skip it)
        ("1400011708790002", "regency"),
        ("1471001708790002", "district"),
        ("1471011713790002", "month"),  # month 13
        ("1471011700790002", "month"),  # month 00
        ("1471010008790002", "day"),  # day 00
        ("1471013208790002", "day"),  # day 32 is neither a man's nor a woman's
        ("1471017208790002", "day"),  # day 72 = 32 for a woman
        ("1471013002790002", "date of birth"),  # 30 February
        ("1471012902230002", "date of birth"),  # 29 February 2023 (or 1923)
        ("1471011708790000", "serial"),
    ],
)
def test_impossible_niks_are_refused_naming_the_part(nik: str, problem: str) -> None:
    with pytest.raises(NikError, match=problem):
        parse_nik(nik, reference=TODAY)


@pytest.mark.parametrize(
    ("nik", "reason"),
    [
        ("147101170879000", NikReason.LENGTH),
        ("9971011708790002", NikReason.PROVINCE),
        ("1400011708790002", NikReason.REGENCY),
        ("1471001708790002", NikReason.DISTRICT),
        ("1471011708790000", NikReason.SERIAL),
        ("1471011713790002", NikReason.MONTH),
        ("1471017208790002", NikReason.DAY),
        ("1471013002790002", NikReason.DATE),
    ],
)
def test_each_impossible_part_has_its_own_reason(nik: str, reason: NikReason) -> None:
    with pytest.raises(NikError) as caught:
        parse_nik(nik, reference=TODAY)
    assert caught.value.reason is reason


def test_errors_never_repeat_the_digits_of_the_date() -> None:
    with pytest.raises(NikError) as caught:
        parse_nik("1471013002790002", reference=TODAY)
    assert "30" not in str(caught.value) and "79" not in str(caught.value)


@pytest.mark.parametrize(
    ("yymmdd", "reference", "born"),
    [
        ("010626", dt.date(2026, 6, 1), dt.date(2026, 6, 1)),  # born today: age 0
        ("020626", dt.date(2026, 6, 1), dt.date(1926, 6, 2)),  # tomorrow: a century ago
        ("311299", dt.date(2026, 6, 1), dt.date(1999, 12, 31)),
        ("010130", dt.date(2026, 6, 1), dt.date(1930, 1, 1)),
        ("290200", dt.date(2026, 6, 1), dt.date(2000, 2, 29)),  # 2000 was a leap year
        ("150810", dt.date(2009, 1, 1), dt.date(1910, 8, 15)),  # the issue date decides
    ],
)
def test_century_is_the_latest_that_is_not_after_the_reference(
    yymmdd: str, reference: dt.date, born: dt.date
) -> None:
    nik = f"147101{yymmdd}0001"
    assert parse_nik(nik, reference=reference).birth_date == born


def test_matches_compares_day_month_two_digit_year_and_sex() -> None:
    nik = parse_nik("1471015203850001", reference=TODAY)
    assert nik.matches(dt.date(1985, 3, 12), Sex.FEMALE)
    assert nik.matches(dt.date(1885, 3, 12), Sex.FEMALE)  # a century apart: same NIK
    assert not nik.matches(dt.date(1985, 3, 12), Sex.MALE)  # the +40 says woman
    assert not nik.matches(dt.date(1985, 3, 13), Sex.FEMALE)
    assert not nik.matches(dt.date(1985, 4, 12), Sex.FEMALE)
    assert not nik.matches(dt.date(1986, 3, 12), Sex.FEMALE)


def test_repr_hides_everything_but_the_region() -> None:
    text = repr(parse_nik("1471015203850001", reference=TODAY))
    assert "14" in text and "520385" not in text and "1985" not in text and "0001" not in text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=16, max_size=16) | st.text(max_size=20))
def test_any_text_is_a_nik_or_a_nik_error(text: str) -> None:
    try:
        nik = parse_nik(text, reference=TODAY)
    except NikError:
        return
    assert nik.birth_date <= TODAY and nik.province in PROVINCES
