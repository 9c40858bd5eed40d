"""The texts of the messages, per language (Indonesian first, English second).

Each template names the fields it takes; a message keeps its template's
name and fields in the outbox and is written out when it is sent, so a
corrected text reaches messages still waiting. No personal data beyond a
first name and a number (a ticket's, an application's, a complaint's, a
booking's): never a NIK, a full name, a date of birth or a card number.
docs/messages.md shows every text with an example; a test keeps the two alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

LANGUAGES = ("id", "en")
#: The longest text a message may be: a gateway splits SMS at 153 characters,
#: and a few parts is the most a citizen should get for one message.
MAX_TEXT = 480


@dataclass(frozen=True)
class Template:
    fields: tuple[str, ...]
    texts: Mapping[str, str]


TEMPLATES: Mapping[str, Template] = {
    "ticket.ahead": Template(
        ("number", "office", "ahead"),
        {
            "id": "Nomor antrean {number} di {office}: tinggal {ahead} orang lagi sebelum "
            "giliran Anda. Mohon bersiap di ruang tunggu.",
            "en": "Queue number {number} at {office}: {ahead} people ahead of you. "
            "Please be ready in the waiting room.",
        },
    ),
    "ticket.next": Template(
        ("number", "office"),
        {
            "id": "Nomor antrean {number} di {office}: Anda berikutnya. "
            "Mohon bersiap di dekat loket.",
            "en": "Queue number {number} at {office}: you are next. "
            "Please be ready near the counters.",
        },
    ),
    "ticket.called": Template(
        ("number", "office", "counter"),
        {
            "id": "Nomor antrean {number} dipanggil ke loket {counter} di {office}. "
            "Silakan menuju loket.",
            "en": "Queue number {number} is called to counter {counter} at {office}. "
            "Please go to the counter.",
        },
    ),
    "application.ready": Template(
        ("first_name", "reference", "service", "office"),
        {
            "id": "Halo {first_name}, berkas {reference} ({service}) siap diambil di {office}. "
            "Bawa KTP-el Anda.",
            "en": "Hello {first_name}, your application {reference} ({service}) is ready "
            "for collection at {office}. Bring your e-KTP.",
        },
    ),
    "complaint.answered": Template(
        ("reference", "office"),
        {
            "id": "Pengaduan {reference} di {office} sudah dijawab. Lihat jawabannya "
            "dengan nomor pengaduan itu di anjungan atau di halaman pengaduan.",
            "en": "Complaint {reference} at {office} has been answered. See the answer "
            "with its reference at the kiosk or on the complaint's page.",
        },
    ),
    "booking.confirmed": Template(
        ("code", "service", "office", "date", "time"),
        {
            "id": "Janji {code} untuk {service} di {office} pada {date} "
            "pukul {time} sudah tercatat. Datang 15 menit sebelumnya.",
            "en": "Booking {code} for {service} at {office} on {date} "
            "at {time} is confirmed. Come 15 minutes early.",
        },
    ),
    "booking.reminder": Template(
        ("code", "service", "office", "date", "time"),
        {
            "id": "Pengingat: besok {date} pukul {time} Anda punya janji "
            "{code} untuk {service} di {office}.",
            "en": "A reminder: tomorrow, {date} at {time}, you have "
            "booking {code} for {service} at {office}.",
        },
    ),
}


def language_of(value: object) -> str:
    """A message's language: the citizen's if we have its texts, else Indonesian."""
    return value if isinstance(value, str) and value in LANGUAGES else "id"


_MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni",
           "Juli", "Agustus", "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June",
           "July", "August", "September", "October", "November", "December"),
}  # fmt: skip


def _value(name: str, value: object, language: str) -> str:
    """A field as the text says it: a ``date`` (ISO) as "7 Desember 2026" / "7 December 2026"."""
    if name == "date" and isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.day} {_MONTHS[language][day.month - 1]} {day.year}"
    return str(value)


def render(template: str, language: str, params: Mapping[str, object]) -> str:
    """The text of ``template`` in ``language`` with ``params``; ``KeyError`` for an unknown one.

    Every field the template names must be given (``KeyError`` otherwise);
    fields it does not name are ignored, so they never reach a citizen.
    """
    found = TEMPLATES[template]
    language = language_of(language)
    values = {name: _value(name, params[name], language) for name in found.fields}
    text = found.texts[language].format_map(values)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def first_name(full_name: str) -> str:
    """The first word of a name (all a message may say of it)."""
    words = full_name.split()
    return words[0][:40] if words else ""
