"""Attract (tap your card, or out of service) and reading screens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QDateTime, QLocale, QRectF, QSize, Qt, QTime, QTimeZone
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from kiosk.session.machine import SessionState
from ui.problems import NOTICES
from ui.screens.common import Screen, View, button, label, set_button_text
from ui.screens.message import SCREEN_ICON_PX, ProblemIcon, notice_texts
from ui.screens.wrapping import wrapping_text
from ui.speech import speaker_icon

#: The tap picture's drawing size.
PICTURE_W, PICTURE_H = 320, 260
#: The demo's simulated cards across a row: one row on a landscape screen.
DEMO_COLUMNS = {"portrait": 4, "landscape": 8}


class TapPicture(QWidget):
    """A card over a reader: where to tap, without words."""

    def __init__(self) -> None:
        super().__init__()
        # Drawn for 320×260; it shrinks (never below half) where the screen is short.
        self.setMinimumSize(PICTURE_W // 2, PICTURE_H // 2)

    def sizeHint(self) -> QSize:
        return QSize(PICTURE_W, PICTURE_H)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        k = min(1.0, self.width() / PICTURE_W, self.height() / PICTURE_H)
        p.translate((self.width() - PICTURE_W * k) / 2, (self.height() - PICTURE_H * k) / 2)
        p.scale(k, k)
        w, h = PICTURE_W, PICTURE_H
        reader = QRectF(w / 2 - 130, h - 90, 260, 70)
        p.setPen(QPen(QColor("#333"), 3))
        p.setBrush(QColor("#555"))
        p.drawRoundedRect(reader, 14, 14)
        p.setBrush(QColor("#7fd1ff"))
        p.drawEllipse(reader.center(), 22, 12)
        card = QRectF(w / 2 - 95, 20, 190, 120)
        p.setBrush(QColor("#0b5cab"))
        p.drawRoundedRect(card, 12, 12)
        p.setBrush(QColor("#f4c542"))
        p.drawRoundedRect(QRectF(card.left() + 20, card.top() + 40, 40, 30), 4, 4)
        p.setPen(QPen(QColor("#0b5cab"), 4, Qt.PenStyle.DashLine))
        p.drawLine(int(w / 2), int(card.bottom() + 10), int(w / 2), int(reader.top() - 10))
        p.end()


class AttractScreen(Screen):
    def __init__(
        self,
        on_language: Callable[[], None],
        demo_cards: list[tuple[str, Callable[[], None]]],
        on_complaint: Callable[[], None] | None = None,
        on_speech: Callable[[], None] | None = None,
        on_larger_text: Callable[[], None] | None = None,
        on_booking_code: Callable[[], None] | None = None,
        on_patient_search: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.office = wrapping_text("subtitle")  # the catalog's name of the office
        self.clock = label()
        self.clock.setObjectName("clock")
        self.title = label(name="title")
        self.hint = label(name="subtitle")
        self.offline = label(name="badge")
        self.alert = label(name="alert")
        self.language = button("", on_language)
        self.language.setObjectName("language")
        self.box.addWidget(self.office)
        self.box.addWidget(self.clock)
        self.box.addStretch(1)
        self.box.addWidget(self.title)
        self.picture = TapPicture()
        self.box.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignHCenter)
        #: In place of the picture while out of service.
        self.closed_icon = ProblemIcon(SCREEN_ICON_PX)
        self.closed_icon.hide()
        self.box.addWidget(self.closed_icon, 0, Qt.AlignmentFlag.AlignHCenter)
        self.box.addWidget(self.hint)
        self.box.addStretch(1)
        # The banners (offline, printer or catalog) share a row: the screen stays its height.
        banners = QHBoxLayout()
        banners.setSpacing(12)
        banners.addWidget(self.offline, 1)
        banners.addWidget(self.alert, 1)
        self.box.addLayout(banners)
        self.demo_title: QLabel | None = None
        self.demo_cards: list[QPushButton] = []
        self.demo_grid = QGridLayout()
        self._demo_columns = 0
        if demo_cards:
            self.demo_title = label(name="subtitle")
            self.box.addWidget(self.demo_title)
            for text, tap in demo_cards:
                b = button(text, tap, "demoCard", spoken=False)  # a holder's name
                b.setProperty("demo", True)
                self.demo_cards.append(b)
            self._place_demo_cards(DEMO_COLUMNS["portrait"])
            self.box.addLayout(self.demo_grid)
        #: The entries that need no card, side by side: the complaint (sent without a
        #: name, #7) and what :meth:`add_entry` adds (the information).
        self.complaint: QPushButton | None = None
        self.entries = QBoxLayout(QBoxLayout.Direction.LeftToRight)  # stacked in portrait
        self.entries.setSpacing(24)
        if on_complaint is not None:
            self.complaint = button("", on_complaint)
            self.complaint.setObjectName("complaint")
            self.entries.addWidget(self.complaint, 1)
        #: "Punya kode janji?": check in with the booking code, without a card (#16).
        self.booking_code: QPushButton | None = None
        if on_booking_code is not None:
            self.booking_code = button("", on_booking_code)
            self.booking_code.setObjectName("bookingCode")
            self.entries.insertWidget(0, self.booking_code, 1)
        #: "Tanpa kartu?": a hospital's patient found by No. RM, BPJS number or NIK (#17);
        #: shown only at an office whose catalog has a poli.
        self.patient_search: QPushButton | None = None
        if on_patient_search is not None:
            self.patient_search = button("", on_patient_search)
            self.patient_search.setObjectName("patientSearch")
            self.entries.insertWidget(0, self.patient_search, 1)
        self.box.addLayout(self.entries)
        #: The citizen's own settings, on the last row: voice, type size, language.
        bottom = QHBoxLayout()
        bottom.setSpacing(24)
        bottom.addStretch(1)
        #: "Bacakan layar": the kiosk reads each screen aloud for this citizen (kiosk.speech).
        self.speech: QPushButton | None = None
        self.speech_on = False
        if on_speech is not None:
            self.speech = button("", on_speech, spoken=False)  # it speaks for itself
            self.speech.setObjectName("speech")
            self.speech.setCheckable(True)
            self.speech.setIcon(speaker_icon(48))
            self.speech.setIconSize(QSize(48, 48))
            bottom.addWidget(self.speech)
        #: "A+": the whole flow in larger type, for this session.
        self.larger_text: QPushButton | None = None
        if on_larger_text is not None:
            self.larger_text = button("", on_larger_text, "largeText")
            self.larger_text.setCheckable(True)
            bottom.addWidget(self.larger_text)
        bottom.addWidget(self.language)
        self.box.addLayout(bottom)
        # Tighter than other screens: the demo's cards must fit a landscape screen too.
        self.box.setContentsMargins(32, 32, 32, 32)
        self.box.setSpacing(12)
        #: The kiosk cannot keep a ticket (its store is unusable): no tap is taken.
        self.out_of_service = False

    def add_entry(self, entry: QPushButton) -> None:
        """Show ``entry`` beside the complaint, the same width."""
        self.entries.addWidget(entry, 1)

    def _place_demo_cards(self, columns: int) -> None:
        if columns == self._demo_columns:
            return
        self._demo_columns = columns
        for card in self.demo_cards:
            self.demo_grid.removeWidget(card)
        for i, card in enumerate(self.demo_cards):
            self.demo_grid.addWidget(card, i // columns, i % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        landscape = self.width() > self.height()
        self.entries.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )
        if self.demo_cards:
            self._place_demo_cards(DEMO_COLUMNS["landscape" if landscape else "portrait"])

    def render_state(self, state: SessionState, view: View) -> None:
        office = ""
        if view.catalog is not None:
            try:
                office = view.catalog.office(view.office_id).name
            except KeyError:
                office = ""
        self.office.setText(office or view.t("app_title"))
        closed = self.out_of_service
        if closed:
            notice = NOTICES["out_of_service"]
            happened, todo = notice_texts(notice, view)
            self.closed_icon.show_kind(notice.icon, view)
            self.title.setText(happened)
            self.hint.setText(todo)
        else:
            self.title.setText(view.t("tap_card"))
            self.hint.setText(view.t("tap_hint"))
        self.picture.setVisible(not closed)
        self.closed_icon.setVisible(closed)
        self.picture.setAccessibleName(view.t("tap_picture"))
        if self.complaint is not None:
            self.complaint.setVisible(not closed)  # a complaint is stored too
        if self.booking_code is not None:
            self.booking_code.setVisible(not closed)  # a check-in is a stored ticket
            set_button_text(self.booking_code, view.t("booking_code_entry"))
        if self.patient_search is not None:
            hospital = view.catalog is not None and any(
                s.poli is not None and s.office_id == view.office_id for s in view.catalog.services
            )
            self.patient_search.setVisible(hospital and not closed)
            set_button_text(self.patient_search, view.t("patient_search_entry"))
        set_button_text(self.language, view.t("switch_language"))
        if self.speech is not None:
            self.speech.setChecked(self.speech_on)
            self.speech.setVisible(not closed)
            set_button_text(
                self.speech, view.t("speech_stop" if self.speech_on else "speech_start")
            )
            self.speech.setAccessibleName(self.speech.text())
        if self.larger_text is not None:
            set_button_text(self.larger_text, view.t("larger_text"))
            self.larger_text.setAccessibleName(view.t("larger_text_name"))
            self.larger_text.setChecked(view.larger_text)
        if self.complaint is not None:
            set_button_text(self.complaint, view.t("complaint"))
        if self.demo_title is not None:
            self.demo_title.setText(view.t("demo_cards"))

    def show_time(self, now: dt.datetime, lang: str) -> None:
        """The office's date and time, to the minute, as people there write it."""
        text = clock_text(now, lang)
        if self.clock.text() != text:
            self.clock.setText(text)

    def set_status(self, view: View, *, online: bool | None, printer_ok: bool) -> None:
        # Out of service, the title says all: no ticket, so no printer or catalog news.
        self.offline.setVisible(online is False and not self.out_of_service)
        self.offline.setText(view.t("offline"))
        problems = []
        if view.catalog is None:
            problems.append(view.t("no_catalog"))
        if not printer_ok:
            problems.append(view.t("printer_down"))
        self.alert.setVisible(bool(problems) and not self.out_of_service)
        self.alert.setText("\n".join(problems))


#: How each language writes the date and time on the attract screen (Qt's CLDR data).
CLOCK_FORMATS = {
    "id": (QLocale.Language.Indonesian, "dddd, d MMMM yyyy · HH.mm"),
    "en": (QLocale.Language.English, "dddd d MMMM yyyy · HH:mm"),
}


def clock_text(now: dt.datetime, lang: str) -> str:
    language, pattern = CLOCK_FORMATS.get(lang, CLOCK_FORMATS["id"])
    offset = now.utcoffset() or dt.timedelta(0)
    moment = QDateTime(
        QDate(now.year, now.month, now.day),
        QTime(now.hour, now.minute, now.second, now.microsecond // 1000),
        QTimeZone.fromSecondsAheadOfUtc(int(offset.total_seconds())),
    )
    return QLocale(language).toString(moment, pattern)


class ReadingScreen(Screen):
    def __init__(self) -> None:
        super().__init__()
        self.title = label(name="title")
        self.hint = label(name="subtitle")
        self.box.addStretch(1)
        self.box.addWidget(self.title)
        self.box.addWidget(self.hint)
        self.box.addStretch(1)

    def render_state(self, state: SessionState, view: View) -> None:
        self.title.setText(view.t("reading"))
        self.hint.setText(view.t("reading_hint"))
