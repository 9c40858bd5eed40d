"""The on-screen keyboard: letters for text, a number pad for NIK, phone and dates.

Qt's own virtual keyboard (``QT_IM_MODULE=qtvirtualkeyboard``) ships in the
PySide6 add-ons here, but it is a QML input panel: it never appears under the
``offscreen`` platform the tests and screenshots use, has no Python API to
drive it, and covers the bottom of the screen including the field being
edited. This one is a plain widget inside the screen's layout: it types into
the field it is attached to through that field's own API (``insert``,
``backspace``), never through synthetic key events, and its keys are as large
as every other touch target (``kiosk.screen_dpi``).

Layout: the Indonesian QWERTY (Indonesian needs no extra letters), digits on
top, a one-shot shift, space, backspace and the punctuation addresses and
names need (, . - / @ ').

A key without a letter or digit carries its spoken name ("hapus", "spasi",
"huruf besar") as its accessible name, in the screen's language
(:meth:`OnScreenKeyboard.set_language`), so a screen reader can say it.
"""

from __future__ import annotations

from enum import StrEnum

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.texts import LANGUAGES, tr

Target = QLineEdit | QPlainTextEdit

LETTER_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
PUNCTUATION = (",", ".", "-", "/", "@", "'")
#: Keys of the number pad's last row, left of 0, per mode.
PAD_EXTRA = {"number": "", "phone": "+", "date": "-"}
SPACE, BACKSPACE, SHIFT = "space", "backspace", "shift"
#: A ``QPlainTextEdit`` has no maxLength: the keyboard reads this property instead.
MAX_LENGTH_PROPERTY = "max_length"
#: The keys without a letter or digit, and the texts (ui/texts.py) that name them aloud.
SPOKEN_NAMES = {
    SHIFT: "key_shift",
    BACKSPACE: "key_backspace",
    SPACE: "key_space",
    ",": "key_comma",
    ".": "key_period",
    "-": "key_hyphen",
    "/": "key_slash",
    "@": "key_at",
    "'": "key_apostrophe",
    "+": "key_plus",
}


class Mode(StrEnum):
    TEXT = "text"
    NUMBER = "number"  # NIK and other digits only
    PHONE = "phone"
    DATE = "date"


class OnScreenKeyboard(QFrame):
    """Keys that type into one attached field; hidden while nothing is attached."""

    #: Emitted after each key typed into the field (the screen may re-check it).
    typed = Signal()

    def __init__(self, touch_px: int, labels: dict[str, str] | None = None) -> None:
        super().__init__()
        self.setObjectName("keyboard")
        self.touch_px = touch_px
        self._target: Target | None = None
        self.mode = Mode.TEXT
        self.shifted = False
        self._labels = labels or {}
        #: The language the keys' spoken names are in.
        self.lang = LANGUAGES[0]
        self._keys: dict[str, QPushButton] = {}
        self._pad_keys: dict[str, QPushButton] = {}
        #: The two pages, built on first use: some 120 buttons the attract screen
        #: does not need (the kiosk's start is measured in make bench).
        self._pages: tuple[QStackedWidget, QWidget, QWidget] | None = None
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(8, 8, 8, 8)
        self.hide()

    # -- building ------------------------------------------------------------
    def _built(self) -> tuple[QStackedWidget, QWidget, QWidget]:
        if self._pages is None:
            pages = QStackedWidget()
            text_page = self._text_page(self._labels)
            pad_page = self._pad_page(self._labels)
            pages.addWidget(text_page)
            pages.addWidget(pad_page)
            self._box.addWidget(pages)
            self._pages = (pages, text_page, pad_page)
            self._name_keys()
        return self._pages

    def set_language(self, lang: str) -> None:
        """Name the keys without a letter in ``lang`` (the screen's language)."""
        if lang != self.lang:
            self.lang = lang
            if self._pages is not None:
                self._name_keys()

    def _name_keys(self) -> None:
        for store in (self._keys, self._pad_keys):
            for key, button in store.items():
                if key in SPOKEN_NAMES:
                    button.setAccessibleName(tr(SPOKEN_NAMES[key], self.lang))

    @property
    def pages(self) -> QStackedWidget:
        return self._built()[0]

    @property
    def text_page(self) -> QWidget:
        return self._built()[1]

    @property
    def pad_page(self) -> QWidget:
        return self._built()[2]

    @property
    def keys(self) -> dict[str, QPushButton]:
        """The letter page's keys by key name (the page is built if it was not)."""
        self._built()
        return self._keys

    @property
    def pad_keys(self) -> dict[str, QPushButton]:
        self._built()
        return self._pad_keys

    def _key(self, key: str, text: str, store: dict[str, QPushButton]) -> QPushButton:
        button = QPushButton(text.replace("&", "&&"))
        button.setObjectName("key")
        button.setProperty("key", key)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the focus
        button.setAutoRepeat(key == BACKSPACE)
        button.setMinimumSize(self.touch_px, self.touch_px)
        button.clicked.connect(lambda _checked=False, k=key: self.press(k))
        store[key] = button
        return button

    def _text_page(self, labels: dict[str, str]) -> QWidget:
        page = QWidget()
        rows = QVBoxLayout(page)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(6)
        for i, letters in enumerate(LETTER_ROWS):
            row = QHBoxLayout()
            row.setSpacing(6)
            if i == 3:
                shift = self._key(SHIFT, labels.get(SHIFT, "⇧"), self._keys)
                shift.setCheckable(True)
                row.addWidget(shift, 3)
            for ch in letters:
                row.addWidget(self._key(ch, ch, self._keys), 2)
            if i == 3:
                row.addWidget(self._key(BACKSPACE, labels.get(BACKSPACE, "⌫"), self._keys), 3)
            rows.addLayout(row)
        last = QHBoxLayout()
        last.setSpacing(6)
        for ch in PUNCTUATION[:3]:
            last.addWidget(self._key(ch, ch, self._keys), 2)
        last.addWidget(self._key(SPACE, labels.get(SPACE, ""), self._keys), 8)  # blank, as on paper
        for ch in PUNCTUATION[3:]:
            last.addWidget(self._key(ch, ch, self._keys), 2)
        rows.addLayout(last)
        return page

    def _pad_page(self, labels: dict[str, str]) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        for i, ch in enumerate("123456789"):
            grid.addWidget(self._key(ch, ch, self._pad_keys), i // 3, i % 3)
        for extra in sorted(set(PAD_EXTRA.values()) - {""}):
            grid.addWidget(self._key(extra, extra, self._pad_keys), 3, 0)
        grid.addWidget(self._key("0", "0", self._pad_keys), 3, 1)
        grid.addWidget(self._key(BACKSPACE, labels.get(BACKSPACE, "⌫"), self._pad_keys), 3, 2)
        wrapper = QWidget()
        centre = QHBoxLayout(wrapper)
        centre.setContentsMargins(0, 0, 0, 0)
        centre.addStretch(1)
        centre.addWidget(page, 2)
        centre.addStretch(1)
        return wrapper

    # -- use -------------------------------------------------------------------
    @property
    def target(self) -> Target | None:
        if self._target is not None and not shiboken6.isValid(self._target):
            self._target = None  # the field was deleted with its screen's rows
        return self._target

    def attach(self, target: Target | None, mode: Mode = Mode.TEXT) -> None:
        """Type into ``target`` from now on (None: detach and hide)."""
        if target is not None and target.isReadOnly():
            target = None
        self._target = target
        self.mode = mode
        if target is None:
            self.hide()
            return
        pad = mode is not Mode.TEXT
        self.pages.setCurrentWidget(self.pad_page if pad else self.text_page)
        for extra in set(PAD_EXTRA.values()) - {""}:
            self.pad_keys[extra].setVisible(PAD_EXTRA.get(mode.value) == extra)
        self._set_shift(False)
        self.show()

    def press(self, key: str) -> None:
        target = self.target
        if target is None or target.isReadOnly():
            return
        if key == SHIFT:
            self._set_shift(not self.shifted)
            return
        if key == BACKSPACE:
            if isinstance(target, QLineEdit):
                target.backspace()
            else:
                cursor = target.textCursor()
                cursor.deletePreviousChar()
                target.setTextCursor(cursor)
        else:
            text = " " if key == SPACE else key
            if self.shifted:
                text = text.upper()
                self._set_shift(False)
            self._insert(target, text)
        self.typed.emit()

    def _insert(self, target: Target, text: str) -> None:
        if isinstance(target, QLineEdit):
            target.insert(text)  # honours maxLength
            return
        limit = target.property(MAX_LENGTH_PROPERTY)
        if isinstance(limit, int) and len(target.toPlainText()) + len(text) > limit:
            return
        target.insertPlainText(text)

    def _set_shift(self, on: bool) -> None:
        self.shifted = on
        shift = self.keys[SHIFT]
        shift.setChecked(on)
        for row in LETTER_ROWS[1:]:
            for ch in row:
                self.keys[ch].setText(ch.upper() if on else ch)
