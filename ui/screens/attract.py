"""Attract (tap your card, or out of service) and reading screens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QDateTime, QLocale, QRectF, QSize, Qt, QTime, QTimeZone
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from kiosk.session.machine import SessionState
from ui.problems import NOTICES
from ui.screens.common import Screen, View, button, label, set_button_text
from ui.screens.message import SCREEN_ICON_PX, ProblemIcon, notice_texts
from ui.speech import speaker_icon


class TapPicture(QWidget):
    """A card over a reader: where to tap, without words."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(320, 260)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
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
    ) -> None:
        super().__init__()
        self.office = label(name="subtitle")
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
        self.box.addWidget(self.offline)
        self.box.addWidget(self.alert)
        self.demo_title: QLabel | None = None
        if demo_cards:
            self.demo_title = label(name="subtitle")
            self.box.addWidget(self.demo_title)
            grid = QGridLayout()
            for i, (text, tap) in enumerate(demo_cards):
                b = button(text, tap, "demoCard", spoken=False)  # a holder's name
                b.setProperty("demo", True)
                grid.addWidget(b, i // 4, i % 4)  # four across: fits landscape too
            self.box.addLayout(grid)
        #: A complaint needs no card: it is sent without a name (#7).
        self.complaint: QPushButton | None = None
        bottom = QHBoxLayout()
        bottom.setSpacing(24)
        if on_complaint is not None:
            self.complaint = button("", on_complaint)
            self.complaint.setObjectName("complaint")
            bottom.addWidget(self.complaint, 1)
        else:
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
