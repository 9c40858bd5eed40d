"""Words printed on paper, per language, and dates written out in full.

Kept apart from the layout so every document (ticket now, registration slip
later) words things the same way. Dates are formatted here rather than with
``strftime``/``locale`` because the kiosk's locale is not the citizen's
language and Debian images often ship without ``id_ID`` locales.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from printing.ticket import Language


@dataclass(frozen=True)
class TicketTexts:
    """Fixed wording of a queue ticket in one language."""

    heading: str
    counter_label: str
    footer: str


TICKET_TEXTS: dict[Language, TicketTexts] = {
    "id": TicketTexts(
        heading="Nomor Antrean",
        counter_label="Loket",
        footer="Harap menunggu nomor Anda dipanggil",
    ),
    "en": TicketTexts(
        heading="Queue number",
        counter_label="Counter",
        footer="Please wait until your number is called",
    ),
}

MONTHS: dict[Language, tuple[str, ...]] = {
    "id": (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def format_datetime(moment: datetime, language: Language) -> str:
    """``22 November 2026 21:40``: day, month name, year, 24-hour time.

    Both languages use day-month-year order and a 24-hour clock, which is how
    Indonesian offices write it and unambiguous in English.
    """
    month = MONTHS[language][moment.month - 1]
    return f"{moment.day} {month} {moment.year} {moment:%H:%M}"
