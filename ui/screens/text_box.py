"""A text from outside that takes the lines it needs where its screen has room for them,
and scrolls inside the room left where it has not.

A screen without a scroll area of its own (the ticket, the appointment) shows words
the kiosk did not write: a service named by one word of 200 letters, broken inside
(:class:`~ui.screens.wrapping.WrappingText`), takes eight lines at "A+". Laid out as
a label, it needs them all: a layout short of room cuts it, or the number above it,
and a window grows past its screen. In a :class:`TextBox` it asks for them all (its
size hint), and is content with :data:`LEAST_LINES` (its minimum), so the layout
gives what is short to the boxes alone: the screen's own lines (the number, "take
your ticket") keep their height, and the rest of the box's text is a touch away.
Where the screen has the room, nothing scrolls and it looks as a label would.

The box decides its bar itself, from the text's height at its whole width: Qt's scroll
area measures the text at the width its viewport has now, so a bar once shown (a
narrower line, so more lines) stayed where the whole width needed none, the last lines
hidden behind it on a screen only a little short.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QApplication, QFrame, QScrollArea, QSizePolicy

from ui.screens.wrapping import WrappingText, wrapping_text

#: The lines a box shows at least before it scrolls (and at least its scroll bar's height).
LEAST_LINES = 1


class TextBox(QScrollArea):
    """A :class:`WrappingText` (:attr:`label`) in a scroll area that only scrolls up and
    down, as high as the text where the screen has the room. :meth:`text` and
    :meth:`setText` are the label's; the box is named after its text, as a screen
    reader says a scroll area."""

    def __init__(self, name: str = "", *, centred: bool = True) -> None:
        super().__init__()
        self.label: WrappingText = wrapping_text(name, centred=centred)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setWidget(self.label)

    def text(self) -> str:
        return self.label.text()

    def setText(self, text: str) -> None:
        if text == self.label.text():
            return  # as QLabel: the same words change nothing
        self.label.setText(text)
        self.setAccessibleName(text)
        self.updateGeometry()
        self._place_bar()

    def sizeHint(self) -> QSize:
        # All of the text, at the width its bar would leave it: given that height, the box
        # needs no bar at either width. (Asked for its height at the whole width, a text
        # one line longer beside a bar kept the bar its scroll area had once shown: the
        # bar's range the second line, the bar shorter than a finger.)
        frame = 2 * self.frameWidth()
        width = self.width() - frame - self.verticalScrollBar().sizeHint().width()
        high = self.label.heightForWidth(width) if self.label.text() else 0
        return QSize(self.label.sizeHint().width() + frame, high + frame)

    def minimumSizeHint(self) -> QSize:
        frame = 2 * self.frameWidth()
        bar = self.verticalScrollBar()
        margins = self.label.contentsMargins()
        least = LEAST_LINES * self.label.fontMetrics().lineSpacing() + 2 * self.label.margin()
        least += margins.top() + margins.bottom()
        # its bar, when it shows, as tall as the theme makes it wide: a finger's width
        least = max(least, bar.sizeHint().width())
        wide = self.label.minimumSizeHint().width() + bar.sizeHint().width()
        return QSize(wide + frame, min(self.sizeHint().height(), least + frame))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the text's height at the new width
        self._place_bar()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The text's type changed ("A+", a new style sheet): its height, once the label
        # has measured it again (after this event), decides the bar.
        if watched is self.label and event.type() in (
            QEvent.Type.FontChange,
            QEvent.Type.ContentsRectChange,
        ):
            QApplication.postEvent(self, QEvent(QEvent.Type.LayoutRequest))
        return super().eventFilter(watched, event)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.StyleChange):
            self._place_bar()
        return handled

    def _place_bar(self) -> None:
        """A bar only where the text at the box's whole width is higher than the box (at
        the width the bar leaves, it then scrolls); none where it fits without one."""
        frame = 2 * self.frameWidth()
        text = self.label.text()
        needed = self.label.heightForWidth(self.width() - frame) if text else 0
        bar = needed > self.height() - frame
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAlwaysOn if bar else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        if policy != self.verticalScrollBarPolicy():
            self.setVerticalScrollBarPolicy(policy)
