"""Days and times as people there write them: "12 Maret 1985", "18.34"; "12 March 1985", "18:34".

The kiosk stores and sends ISO dates ("1985-03-12"); a citizen never reads one.
The month names come from Qt's CLDR data, as on the attract screen's clock.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale, QTime

#: Per language: Qt's locale, how a day is written, how a time of day is written.
FORMATS = {
    "id": (QLocale.Language.Indonesian, "d MMMM yyyy", "HH.mm"),
    "en": (QLocale.Language.English, "d MMMM yyyy", "HH:mm"),
}


def day_words(day: dt.date, lang: str) -> str:
    """ "12 Maret 1985" / "12 March 1985"."""
    language, pattern, _ = FORMATS.get(lang, FORMATS["id"])
    return QLocale(language).toString(QDate(day.year, day.month, day.day), pattern)


def time_words(moment: dt.time | dt.datetime, lang: str) -> str:
    """ "18.34" / "18:34"."""
    language, _, pattern = FORMATS.get(lang, FORMATS["id"])
    return QLocale(language).toString(QTime(moment.hour, moment.minute), pattern)


def iso_day_words(value: str, lang: str) -> str:
    """An ISO date ("1985-03-12") in words; anything else as it is."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return day_words(day, lang)
