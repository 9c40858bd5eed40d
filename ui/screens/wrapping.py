"""A button whose text wraps: the service tiles, the kiosk's own tiles, the choices;
and the label that wraps even a word wider than its line.

A QPushButton paints its text on one line per ``\\n`` and cuts what does not fit
("Pendaftaran Poli Umum Puskesma"). :class:`WrappingButton` paints no text of its
own: it lays out its icon and a word-wrapping plain label (:class:`WrappingText`)
inside itself, and asks its layout for the height a width needs,
so a tile grows instead of cutting its text.

It keeps a button's surface: :meth:`text`/:meth:`setText` and :meth:`icon`/
:meth:`setIcon` read and set what the label shows; the accessible name is the
whole text. The label takes the tile's look from the theme (``QLabel#tileText``,
with the button's ``checked`` and ``blocked`` states copied onto it).

:class:`WrappingText` wraps at word boundaries, as any label; a word wider than its
whole line (a doctor's name written without spaces, an e-mail address or a code in a
service's name, "Pertanggungjawaban" at "A+" in a narrow column) is broken inside,
where its line is full, instead of running past the label's edge and being cut. So a
tile never needs more than the width it is given, and every letter is shown. Every
label that shows words the kiosk did not write (a card's, the city record's, the
catalog's, the centre's, what the citizen types) is one: a caption beside its field
is one ``beside`` it (its minimum its widest word, up to a bound); on a screen with no
scroll area of its own, such a text stands in a box that scrolls where the screen is
short (:mod:`ui.screens.text_box`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTextBoundaryFinder
from PySide6.QtGui import QFontMetricsF, QIcon, QPixmap, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy

from ui.screens.common import plain_label, set_spoken

#: Room inside the tile's border, as the theme's ``padding: 12px 24px`` plus its 2 px border.
INSIDE_X = 26
INSIDE_Y = 14
#: Room between the icon and the text.
ICON_GAP = 20
#: A place a line may break that shows nothing (ZERO WIDTH SPACE): put between the
#: letters of a word wider than its line, and only of such a word.
BREAK = "\u200b"
#: As QLabel: the width a wrapping label prefers is some 80 average letters.
PREFERRED_LETTERS = 80
#: Beside another widget (a form's caption beside its field), the most a label prefers,
#: and the longest word it keeps whole when its row is short of room: some 24 average
#: letters (Indonesian's long words, "Pertanggungjawaban" of 18 is 21 of them).
BESIDE_LETTERS = 24
#: Qt's largest widget width (QWIDGETSIZE_MAX): at it, no word is wider than its line.
UNBOUNDED = (1 << 24) - 1


def _pieces(text: str, kind: QTextBoundaryFinder.BoundaryType) -> list[str]:
    """``text`` cut at each boundary of ``kind``: its words (with the spaces after them)
    between two places Qt may break a line, or its letters (grapheme clusters)."""
    finder = QTextBoundaryFinder(kind, text)
    pieces, start = [], 0
    while (end := finder.toNextBoundary()) != -1:
        if end > start:
            pieces.append(text[start:end])
        start = end
    return pieces


class WrappingText(QLabel):
    """A plain, word-wrapping label whose words wider than a line break inside: a tile's
    text, and a catalog's name or description where it spans its screen.

    It shows the text it is given (:meth:`text`) with a :data:`BREAK` between the
    letters of each word wider than the width it has (:meth:`shown`), so QLabel's own
    wrap breaks such a word where its line is full; a word that fits wraps whole, as
    in any label. Its sizes are QLabel's for the text it would show at each width, so
    a layout asks it no more than that width: its minimum is its widest letter, never
    its longest word. Its accessible name is the text as given (never the breaks), for
    screen readers and the voice.

    The narrow minimum suits a label as wide as its column (a tile's, a screen's). A label
    ``beside`` another widget shares its row: a layout short of room would squeeze it to
    a column of letters, and a QFormLayout gives its caption column the captions' size
    hints whatever the fields need. Such a label prefers at most :data:`BESIDE_LETTERS`
    average letters of width, and its minimum is its widest word up to that width: a
    word that fits is kept whole, one wider breaks, and the row never needs more.
    """

    def __init__(self, *, beside: bool = False) -> None:
        super().__init__()
        self._beside = beside
        self._words = ""
        #: The words between two places a line may break, each with its width, and the
        #: text they are for (a new font forgets them: :meth:`changeEvent`; a style sheet
        #: that changes the font sends that change too).
        self._measured_for: str | None = None
        self._measured: list[tuple[str, float]] = []
        self._widest_word = 0.0
        #: Its size hint and minimum size hint, and what they were made of.
        self._hints_for: tuple[object, ...] | None = None
        self._hint_sizes = (QSize(), QSize())
        #: Its height at each width asked, while its hints' inputs hold (a layout asks
        #: the same few widths many times a pass, and a pass per change of screen).
        self._heights: dict[int, int] = {}
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)

    def text(self) -> str:
        """The text as given, without the breaks put in (:meth:`shown` has them)."""
        return self._words

    def setText(self, text: str) -> None:
        if text == self._words:
            return  # as QLabel: the same words change nothing
        self._words = text
        self._hints_for = None  # its sizes are made again when next asked (_hints)
        self.setAccessibleName(text)
        self._show()

    def shown(self) -> str:
        """The text as painted: the breaks put in for the label's width."""
        return QLabel.text(self)

    def shown_at(self, width: int) -> str:
        """The text shown at ``width``: a :data:`BREAK` between the letters of each word
        wider than the room inside that width."""
        return self._shown_in(self._room(width))

    def _shown_in(self, room: int) -> str:
        words = self._widths()
        if self._widest_word <= room:
            return self._words
        return "".join(self._breakable(piece) if wide > room else piece for piece, wide in words)

    def _widths(self) -> list[tuple[str, float]]:
        """The words and their widths, measured once per text and font (a new font is
        told by :meth:`changeEvent`)."""
        if self._measured_for != self._words:
            metrics = QFontMetricsF(self.font())
            pieces = _pieces(self._words, QTextBoundaryFinder.BoundaryType.Line)
            self._measured = [(p, metrics.horizontalAdvance(p.rstrip())) for p in pieces]
            self._widest_word = max((wide for _, wide in self._measured), default=0.0)
            self._measured_for = self._words
        return self._measured

    @staticmethod
    def _breakable(piece: str) -> str:
        word = piece.rstrip()
        letters = _pieces(word, QTextBoundaryFinder.BoundaryType.Grapheme)
        return BREAK.join(letters) + piece[len(word) :]

    def _extra(self) -> QSize:
        """The room around the text, as QLabel counts it: the contents margins (the
        theme's padding and border), the margin, and the indent a framed label gets."""
        margins = self.contentsMargins()
        wide = margins.left() + margins.right() + 2 * self.margin()
        high = margins.top() + margins.bottom() + 2 * self.margin()
        indent = self.indent()
        if indent < 0 and self.frameWidth():
            indent = self.fontMetrics().horizontalAdvance("x") - 2 * self.margin()
        if indent > 0:
            align = self.alignment()
            if align & (Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignRight):
                wide += indent
            if align & (Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignBottom):
                high += indent
        return QSize(wide, high)

    def whole_width(self) -> int:
        """The width at which no word of the text breaks inside: its widest word and the
        room around it (a row of tiles stands side by side only where each has it)."""
        self._widths()
        return math.ceil(self._widest_word) + self._extra().width()

    def _room(self, width: int) -> int:
        return max(0, width - self._extra().width())

    def _used(self, room: int) -> QSize:
        """The size the text shown in ``room`` takes, laid out as QLabel lays it out."""
        centred = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        flags = (self.alignment() & ~centred).value | Qt.TextFlag.TextWordWrap.value
        shown = self._shown_in(room)
        return self.fontMetrics().boundingRect(QRect(0, 0, room, 2000), flags, shown).size()

    def _size_in(self, room: int) -> QSize:
        """The label's size for the text shown in ``room``."""
        if not self._words:  # QLabel keeps a line's room for no text
            return super().sizeHint()
        return (self._used(room) + self._extra()).expandedTo(self.minimumSize())

    # -- QLabel's sizes for the text it would show ----------------------------------
    def heightForWidth(self, width: int) -> int:
        # For the text it would show at ``width``, never the text it shows now: a scroll
        # area decides its bar from the height at the width without it, and an answer for
        # the breaks of the other width flipped the bar on and off, resizing the label in
        # the area's event filter until the stack overflowed.
        if self._hints_for is None:  # (a layout pass asks the size hint first)
            self._hints()
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = self._size_in(self._room(width)).height()
        return height

    def sizeHint(self) -> QSize:
        return self._hints()[0]

    def minimumSizeHint(self) -> QSize:
        return self._hints()[1]

    def _hints(self) -> tuple[QSize, QSize]:
        """QLabel's hints, kept while what they are made of holds (QLabel keeps its own)."""
        key = (
            self._words,
            self.font().key(),
            self.alignment().value,
            self._extra().toTuple(),
            self.minimumSize().toTuple(),
            self.maximumWidth(),
        )
        if key != self._hints_for:
            self._hints_for, self._hint_sizes = key, self._made_hints()
            self._heights = {}
        return self._hint_sizes

    def _made_hints(self) -> tuple[QSize, QSize]:
        if not self._words:
            return super().sizeHint(), super().minimumSizeHint()
        # some 80 letters wide, narrower when few lines would fill it; beside another
        # widget, at most some 24
        metrics = self.fontMetrics()
        extra = self._extra()
        if self._beside:  # that many letters in the room inside its padding
            most = metrics.averageCharWidth() * BESIDE_LETTERS + extra.width()
        else:
            most = metrics.averageCharWidth() * PREFERRED_LETTERS
        wide = min(most, self.maximumWidth())
        room = self._room(wide)
        lines = metrics.lineSpacing()
        used = self._used(room)
        if not self._beside:
            if used.height() < 4 * lines and used.width() > room // 2:
                used = self._used(room // 2)
            if used.height() < 2 * lines and used.width() > room // 4:
                used = self._used(room // 4)
        hint = (used + extra).expandedTo(self.minimumSize())
        # as high as one line; as wide as the text in no room, where every word breaks:
        # its widest letter (each measured alone: laying out the whole text with a break
        # after every letter cost as much as the rest of the hints together)
        if "\n" in self._words:
            one_line = self._size_in(UNBOUNDED).height()
        else:  # any one line is as high as one letter laid out as QLabel lays it out
            flags = Qt.TextFlag.TextWordWrap.value
            line = metrics.boundingRect(QRect(0, 0, UNBOUNDED, 2000), flags, "x").height()
            one_line = max(line + extra.height(), self.minimumHeight())
        letters = {letter for letter in self._words if not letter.isspace()} or {" "}
        widest = max(metrics.horizontalAdvance(letter) for letter in letters) + extra.width()
        if self._beside:  # its widest word, up to the room it prefers at most
            widest = max(widest, min(self.whole_width(), wide))
            hint.setWidth(max(hint.width(), widest))
        return hint, QSize(max(widest, self.minimumWidth()), min(hint.height(), one_line))

    # -- the breaks follow the width ------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.ContentsRectChange):
            self._hints_for = self._measured_for = None
            self._show()

    def _show(self) -> None:
        shown = self.shown_at(self.width())
        if shown != self.shown():
            super().setText(shown)


def wrapping_text(name: str = "", *, centred: bool = True, beside: bool = False) -> WrappingText:
    """A :class:`WrappingText` as ``common.label`` makes a label: centred, unless not."""
    widget = WrappingText(beside=beside)
    if name:
        widget.setObjectName(name)
    if centred:
        widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return widget


class WrappingButton(QPushButton):
    """A push button showing an icon and a text that wraps; it grows to the text's height."""

    def __init__(self, name: str, *, centred: bool = False) -> None:
        super().__init__()
        self.setObjectName(name)
        self.text_label = wrapping_text("tileText", centred=centred)
        align = Qt.AlignmentFlag.AlignCenter if centred else Qt.AlignmentFlag.AlignLeft
        self.text_label.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        self.icon_label = plain_label(name="tileIcon")
        self.icon_label.hide()
        for part in (self.icon_label, self.text_label):
            # a touch on the text is a touch on the tile
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._row = row = QHBoxLayout(self)
        row.setContentsMargins(INSIDE_X, INSIDE_Y, INSIDE_X, INSIDE_Y)
        row.setSpacing(ICON_GAP)
        row.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.text_label, 1)
        # as wide as its place, as high as its text there (a QPushButton's own height is fixed)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._text = ""
        self._icon = QIcon()
        self._icon_size = QSize()
        self._cap = 0
        self.toggled.connect(lambda _on: self._restyle_label())

    # -- a button's surface, on the label ------------------------------------------
    def text(self) -> str:
        """The text as set (``&&`` for a literal ``&``, as a QPushButton's)."""
        return self._text

    def setText(self, text: str) -> None:
        if text == self._text:  # as a QPushButton: the same words ask for no layout pass
            return
        self._text = text
        shown = text.replace("&&", "&")
        self.text_label.setText(shown)
        self.setAccessibleName(shown)
        self.updateGeometry()
        self._fit_cap()  # new words may need more than the cap: now, not at the next resize

    def icon(self) -> QIcon:
        return self._icon

    def setIcon(self, icon: QIcon | QPixmap) -> None:
        self._icon = QIcon(icon)
        self._show_icon()

    def iconSize(self) -> QSize:
        return self._icon_size

    def setIconSize(self, size: QSize) -> None:
        self._icon_size = size
        self._show_icon()

    def _show_icon(self) -> None:
        shown = not self._icon.isNull() and not self._icon_size.isEmpty()
        if shown:
            self.icon_label.setPixmap(self._icon.pixmap(self._icon_size))
            self.icon_label.setFixedSize(self._icon_size)
        self.icon_label.setVisible(shown)
        self.updateGeometry()

    def mark(self, name: str, value: bool) -> None:
        """Set a state the theme draws (``blocked``) on the tile and on its text."""
        self.setProperty(name, value)
        self.style().unpolish(self)
        self.style().polish(self)
        self._restyle_label()

    def _restyle_label(self) -> None:
        self.text_label.setProperty("checked", self.isChecked())
        self.text_label.setProperty("blocked", self.property("blocked") is True)
        self.text_label.style().unpolish(self.text_label)
        self.text_label.style().polish(self.text_label)
        self.text_label.updateGeometry()
        self.updateGeometry()

    # -- as high as its text needs --------------------------------------------------
    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(self.minimumHeight(), self._row.totalHeightForWidth(width))

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        inner = self._row.sizeHint()
        width = max(hint.width(), inner.width())
        return QSize(width, max(hint.height(), self.heightForWidth(width)))

    def minimumSizeHint(self) -> QSize:
        # A QPushButton's minimum is its size hint: here the words at the wrap the label
        # prefers (some 1,000 px for a long text at "A+"). The tile's is its layout's:
        # its margins, its icon and the text's widest letter (a word wider than the
        # tile breaks inside). The theme's touch size is an explicit minimum, which
        # layouts take instead; this hint is what the layout checks report of a tile.
        return QSize(self._row.minimumSize().width(), super().minimumSizeHint().height())

    def whole_width(self) -> int:
        """The width at which no word of its text breaks inside (``WrappingText``'s)."""
        margins = self._row.contentsMargins()
        icon = self.icon_label.width() + ICON_GAP if self.icon_label.isVisibleTo(self) else 0
        return margins.left() + margins.right() + icon + self.text_label.whole_width()

    def set_height_cap(self, px: int) -> None:
        """Grow with the screen up to ``px`` high, or to what the text needs if more."""
        self._cap = px
        self._fit_cap()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_cap()

    def event(self, event: QEvent) -> bool:
        # What the text needs changed without a resize (a new font, "A+", an icon): a tile
        # already at its cap keeps its size, so no resize would ever lift the cap.
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit_cap()
        return super().event(event)

    def _fit_cap(self) -> None:
        """The cap, or what the words need at this width if more (never cut to the cap)."""
        if self._cap:
            high = max(self._cap, self.heightForWidth(self.width()))
            if high != self.maximumHeight():
                self.setMaximumHeight(high)


def wrapping_button(
    text: str, on_click: Callable[[], None], name: str, *, centred: bool = False
) -> WrappingButton:
    """A :class:`WrappingButton` said aloud when touched, like ``common.button``'s."""
    widget = WrappingButton(name, centred=centred)
    widget.setText(text.replace("&", "&&"))
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    widget.clicked.connect(lambda _checked=False: on_click())
    set_spoken(widget)
    return widget
