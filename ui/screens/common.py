"""Building blocks shared by the screens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from contract.catalog import Catalog, Service
from kiosk.client.info import QueueState
from kiosk.session.events import SessionEvent
from kiosk.session.machine import SessionState
from ui.texts import tr


@dataclass
class View:
    """What every screen may read besides the session state."""

    lang: str
    catalog: Catalog | None
    office_id: str
    dispatch: Callable[[SessionEvent], None]
    #: False while the printer is faulty: the screens then promise no paper.
    printer_ok: bool = True
    #: Smallest touch target in pixels (15 mm at ``kiosk.screen_dpi``).
    touch_px: int = 57
    #: The office's queues as the centre last told them; None: unknown (offline).
    queue: QueueState | None = None
    #: ``kiosk.help_counter``: where a citizen with a problem is sent ("" for "loket informasi").
    help_counter: str = ""
    #: The "A+" mode is on: the type is 1.5 times larger for this session.
    larger_text: bool = False

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.lang, **values)


def plain_label(text: str = "", name: str = "", *, wrap: bool = False) -> QLabel:
    """The one way the screens make a label: plain text, always.

    A QLabel left to itself guesses whether its text is HTML
    (``Qt.TextFormat.AutoText``), so a service, office, doctor or citizen name
    from the centre or a card holding ``<b>`` or ``<img>`` would be rendered
    as markup. Plain text shows such a name exactly as it is. A test walks
    every screen and fails on a label that is not plain text.
    """
    widget = QLabel()
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setText(text)
    widget.setWordWrap(wrap)
    if name:
        widget.setObjectName(name)
    return widget


def label(text: str = "", name: str = "", *, wrap: bool = True) -> QLabel:
    """A centred, wrapping plain-text label (headings and messages)."""
    widget = plain_label(text, name, wrap=wrap)
    widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return widget


def button(
    text: str, on_click: Callable[[], None], name: str = "", *, spoken: bool = True
) -> QPushButton:
    """A push button. ``spoken``: with speech on, touching it says its name (tiles,
    navigation); a key that types a citizen's value (a digit, a letter) passes False.
    """
    widget = QPushButton(text.replace("&", "&&"))
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    widget.clicked.connect(lambda _checked=False: on_click())
    if name:
        widget.setObjectName(name)
    set_spoken(widget, spoken)
    return widget


def set_spoken(widget: QWidget, spoken: bool = True) -> None:
    """The one way a control opts in (or out) of being said aloud when touched.

    With speech on, the kiosk says a touched control's accessible name (else its
    text) only if it opted in: tiles, choices and navigation do; keys of a keypad or
    keyboard, which type a birth date, a form's value or a PIN, never do. A control
    not made by :func:`button` (a radio tile, a list item) calls this to be said.
    """
    widget.setProperty("spoken", spoken)


def set_button_text(widget: QPushButton, text: str) -> None:
    widget.setText(text.replace("&", "&&"))


def set_style_name(widget: QWidget, name: str) -> None:
    """Give ``widget`` the style sheet's look for ``name`` now (Qt restyles only on a polish)."""
    widget.setObjectName(name)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def find_service(catalog: Catalog | None, service_id: str) -> Service | None:
    """The catalog's service ``service_id``; None without a catalog or such a service."""
    if catalog is None:
        return None
    try:
        return catalog.service(service_id)
    except KeyError:
        return None


def service_name(catalog: Catalog | None, service_id: str, lang: str) -> str:
    """The service's name in ``lang``; its id when the catalog does not have it."""
    service = find_service(catalog, service_id)
    return service.name(lang) if service is not None else service_id


class Screen(QWidget):
    """Base of every screen. ``render_state`` must be cheap: it runs on each change.

    A screen sizes itself as any widget does, in Qt alone: the window's stack
    (:class:`ui.lazy_screens.ScreenStack`) lays out the shown screen only, so a
    hidden one is never asked for room and needs no answer of its own.
    """

    def __init__(self) -> None:
        super().__init__()
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(48, 48, 48, 48)
        self.box.setSpacing(12)

    def render_state(self, state: SessionState, view: View) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        """Forget every personal value shown (session ended)."""

    def left(self) -> None:
        """Another screen took this one's place: a keypad forgets what was typed on it."""

    def button_row(self, *buttons: QPushButton) -> QHBoxLayout:
        """The screen's actions, last on the screen: at thumb height on a portrait one.

        The primary action takes the row's width; back or cancel stands beside
        it at its own size. A row without a primary action shares the width.
        """
        row = QHBoxLayout()
        row.setSpacing(24)
        primary = any(b.objectName() == "primary" for b in buttons)
        for b in buttons:
            row.addWidget(b, 1 if not primary or b.objectName() == "primary" else 0)
        self.box.addLayout(row)
        return row
