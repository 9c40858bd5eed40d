"""NIKs that never exist stay that way: no test or testkit file writes one of its own.

Tests share a centre and make citizens on it; a test that looks up a NIK to find
nobody takes one from :func:`testkit.citizen_lookups.never_existing_nik`, whose
district no citizen any test makes is in (see testkit/citizen_lookups.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contract.nik import parse_nik
from testkit.citizen_lookups import NEVER_EXISTS_DISTRICT, UNKNOWN_NIK, never_existing_nik

ROOT = Path(__file__).resolve().parent.parent
#: A NIK written in a string, or the head of one an f-string completes.
NIK_TEXT = re.compile(r"""["'](\d{6,16})(?=["'{])""")


def test_the_never_existing_niks_are_niks_the_centre_takes() -> None:
    """A malformed NIK would be refused before any lookup and prove nothing."""
    for serial in (1, 9, 9999):
        nik = parse_nik(never_existing_nik(serial))
        assert nik.province == "14" and nik.serial == f"{serial:04d}"
    assert UNKNOWN_NIK.startswith(NEVER_EXISTS_DISTRICT)
    for serial in (0, 10_000):
        with pytest.raises(ValueError):
            never_existing_nik(serial)


def test_no_test_writes_a_nik_of_the_district_that_never_exists() -> None:
    owner = ROOT / "testkit" / "citizen_lookups.py"
    found = [
        f"{path.relative_to(ROOT)}: {match.group(1)}"
        for folder in ("tests", "testkit", "central", "contract")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != owner
        for match in NIK_TEXT.finditer(path.read_text(encoding="utf-8"))
        if match.group(1).startswith(NEVER_EXISTS_DISTRICT)
    ]
    assert found == [], "take a NIK that never exists from never_existing_nik()"
