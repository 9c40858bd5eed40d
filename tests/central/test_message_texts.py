"""The message texts as docs/messages.md shows them: every template, both languages, an
example each, word for word; and nothing personal beyond a first name."""

from __future__ import annotations

from pathlib import Path

import pytest

from central.messages.templates import TEMPLATES, render

DOCS = Path(__file__).resolve().parents[2] / "docs" / "messages.md"
OFFICE = "Mal Pelayanan Publik Kota Pekanbaru"
BOOKING: dict[str, object] = {
    "code": "482 913 075",
    "service": "Cetak Ulang KTP-el",
    "office": OFFICE,
    "date": "2026-12-07",
    "time": "10.30",
}
#: The examples docs/messages.md shows.
EXAMPLES: dict[str, dict[str, object]] = {
    "ticket.ahead": {"number": "C-017", "office": OFFICE, "ahead": 3},
    "ticket.next": {"number": "C-017", "office": OFFICE},
    "ticket.called": {"number": "C-017", "office": OFFICE, "counter": "3"},
    "application.ready": {
        "first_name": "Budi",
        "reference": "BRK-DEMO0003",
        "service": "Perubahan Kartu Keluarga",
        "office": OFFICE,
    },
    "complaint.answered": {"reference": "ADU-7KQ2-M9XD-4TPR", "office": OFFICE},
    "booking.confirmed": BOOKING,
    "booking.reminder": BOOKING,
}


def test_every_template_has_an_example() -> None:
    assert set(EXAMPLES) == set(TEMPLATES)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
@pytest.mark.parametrize("language", ["id", "en"])
def test_the_docs_show_each_text_as_it_is_sent(name: str, language: str) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert f"`{name}`" in docs
    assert render(name, language, EXAMPLES[name]) in docs, (name, language)


def test_a_date_is_written_in_the_citizens_language() -> None:
    assert "7 Desember 2026" in render("booking.reminder", "id", BOOKING)
    assert "7 December 2026" in render("booking.reminder", "en", BOOKING)


@pytest.mark.parametrize("name", ["booking.confirmed", "booking.reminder"])
def test_a_booking_message_carries_no_name(name: str) -> None:
    """The booking page's number is nobody's verified one: a name would answer "whose NIK"."""
    assert "first_name" not in TEMPLATES[name].fields
    for language in ("id", "en"):
        assert "Siti" not in render(name, language, {**BOOKING, "first_name": "Siti"})


def test_an_unknown_language_gets_indonesian() -> None:
    assert render("ticket.next", "jv", EXAMPLES["ticket.next"]).startswith("Nomor antrean")
