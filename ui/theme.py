"""The kiosk's one look: high contrast, big type, finger-sized targets.

Sizes come from the physical screen (``kiosk.screen_dpi``), never fixed
pixels: a touch target is at least :data:`TOUCH_TARGET_MM`, and every text a
citizen reads is at least :data:`TEXT_MM` of em height, read at arm's length.
The type scale (:data:`LEVELS`) is a set of multiples of that body size; the
"A+" larger-text mode multiplies the whole scale by :data:`LARGER_TEXT`.

Every text's colours are named here, and every rule that colours a text is a
:class:`Look` in :data:`LOOKS`, with the background it is painted on: a test
checks each pair against WCAG 2.2 AA, another measures the painted screens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Smallest touch target, in millimetres, on the physical screen (``kiosk.screen_dpi``).
TOUCH_TARGET_MM = 15.0
#: Smallest em height of any text a citizen must read, in millimetres (arm's length).
TEXT_MM = 7.0
DEFAULT_DPI = 96.0
#: The "A+" mode: the whole flow's type, this much larger, for one session.
LARGER_TEXT = 1.5

# -- colours (every text colour and every background a text is painted on) ----------
PRIMARY = "#0b5cab"
INK = "#111111"
PAPER = "#f7f7f2"
WHITE = "#ffffff"
SUBTLE = "#333333"
PRESSED = "#dbe8f6"
BADGE_BG = "#fff3cd"
BADGE_INK = "#5c4400"
ALERT_BG = "#fde2e1"
ALERT_INK = "#8a1c13"
ERROR_INK = "#a01212"
SOURCE_INK = "#2e6b30"
READ_ONLY_BG = "#eef3ee"
READY_BG = "#dff3e0"
READY_INK = "#1d5e20"
WARNING_BG = "#ffe8a3"
KEYBOARD_BG = "#dde3ea"
DESK_BG = "#eef2f7"
BLOCKED_BG = "#eeeeee"
BLOCKED_INK = "#555555"
#: A text or picture painted on its parent's background (a tile's label).
CLEAR = "background: transparent;"
#: Lines that are not text (field borders, key borders); WCAG 1.4.11 asks 3:1 of them.
FIELD_BORDER = "#767676"


def min_touch_px(dpi: float = DEFAULT_DPI) -> int:
    """Pixels that make :data:`TOUCH_TARGET_MM` at ``dpi`` (57 px at 96 dpi)."""
    return math.ceil(TOUCH_TARGET_MM / 25.4 * dpi)


def min_text_px(dpi: float = DEFAULT_DPI) -> int:
    """Pixels that make :data:`TEXT_MM` of em height at ``dpi`` (27 px at 96 dpi)."""
    return math.ceil(TEXT_MM / 25.4 * dpi)


#: The type scale, in multiples of the body size. Nothing a citizen reads is under 1.
LEVELS = {
    "body": 1.0,
    "lead": 1.15,  # subtitles, tiles, the keyboard's keys
    "action": 1.3,  # the screen's primary action
    "title": 1.5,
    "pin": 1.8,  # the digits typed on a keypad
    "reference": 2.2,
    "countdown": 3.5,
    "number": 4.4,  # the ticket's number
}
#: Levels already several times the body size, the same in the "A+" mode: the ticket's
#: number is read from across the hall at its usual size, and half as large again
#: would push what stands beside it off a landscape screen.
UNSCALED = frozenset({"number"})
#: The one text under the body size: the demo build's simulated cards. They stand
#: in for a real card on the reader, are never shown by a kiosk in an office, and
#: must leave the room the citizen's texts need (a test skips them by name).
DEMO_CAPTION_PX = 18


@dataclass(frozen=True)
class TypeScale:
    """The pixel sizes of :data:`LEVELS` on one screen, in one text mode."""

    body: int
    #: The body size of the usual mode: the levels of :data:`UNSCALED` keep to it.
    usual_body: int = 0

    @classmethod
    def at(cls, dpi: float = DEFAULT_DPI, scale: float = 1.0) -> TypeScale:
        usual = min_text_px(dpi)
        return cls(math.ceil(usual * scale), usual)

    def px(self, level: str) -> int:
        body = self.usual_body if level in UNSCALED and self.usual_body else self.body
        return math.ceil(body * LEVELS[level])


@dataclass(frozen=True)
class Look:
    """One style rule that paints text: its size on the scale, its colours, its weight.

    ``bg`` is what the text is painted on (the rule paints it when ``paints``);
    ``fg`` None keeps the inherited colour (``INK`` on ``PAPER`` unless said).
    """

    selector: str
    level: str | None = None
    fg: str | None = None
    bg: str = PAPER
    bold: bool = False
    paints: bool = False
    extra: str = ""

    @property
    def ink(self) -> str:
        return self.fg or INK

    def rule(self, scale: TypeScale) -> str:
        parts = []
        if self.level is not None:
            parts.append(f"font-size: {scale.px(self.level)}px;")
        if self.fg is not None:
            parts.append(f"color: {self.fg};")
        if self.paints:
            parts.append(f"background: {self.bg};")
        if self.bold:
            parts.append("font-weight: bold;")
        if self.extra:
            parts.append(self.extra)
        return f"{self.selector} {{ {' '.join(parts)} }}\n"


LOOKS: tuple[Look, ...] = (
    Look("QWidget", "body", INK, PAPER, paints=True, extra='font-family: "DejaVu Sans";'),
    Look("QLabel#title", "title", PRIMARY, bold=True),
    Look("QLabel#subtitle", "lead", SUBTLE),
    Look("QLabel#huge", "number", PRIMARY, bold=True),
    Look("QLabel#badge", "body", BADGE_INK, BADGE_BG, paints=True, extra="padding: 4px 8px;"),
    Look("QLabel#alert", "body", ALERT_INK, ALERT_BG, paints=True, extra="padding: 12px;"),
    Look("QLabel#fieldError", "body", ERROR_INK),
    Look("QLabel#source", "body", SOURCE_INK),
    Look("QPushButton", "body", PRIMARY, WHITE, paints=True),
    Look("QPushButton:pressed", None, PRIMARY, PRESSED, paints=True),
    Look("QPushButton#primary", "action", WHITE, PRIMARY, bold=True, paints=True),
    Look("QPushButton#tile", "lead", PRIMARY, WHITE, extra="text-align: left; padding: 12px 24px;"),
    Look("QLineEdit, QPlainTextEdit, QComboBox", "body", INK, WHITE, paints=True),
    Look('QLineEdit[readOnly="true"]', None, INK, READ_ONLY_BG, paints=True),
    Look("QComboBox:disabled", None, INK, READ_ONLY_BG, paints=True),
    Look('QPushButton#pinKey, QPushButton[pinKey="true"]', "title", PRIMARY, WHITE),
    Look("QLabel#pinDisplay", "pin", extra="letter-spacing: 8px;"),
    Look("QLabel#infoRow", "body", INK, WHITE, paints=True, extra="padding: 6px;"),
    Look("QLabel#readyRow", "body", READY_INK, READY_BG, True, True, "padding: 6px;"),
    Look("QLabel#operatorLine", "body"),
    Look("QPushButton#danger", None, ERROR_INK, WHITE),
    Look("QLabel#reference", "reference", PRIMARY, bold=True),
    Look("QLabel#counterCall", "reference", PRIMARY, bold=True),
    Look("QPushButton#continue", "action", WHITE, PRIMARY, bold=True, paints=True),
    Look("QFrame#warningPanel QLabel", None, None, WARNING_BG, extra="background: transparent;"),
    Look("QFrame#warningPanel QLabel#title", None, PRIMARY, WARNING_BG),
    Look("QFrame#warningPanel QLabel#subtitle", None, SUBTLE, WARNING_BG),
    Look("QLabel#countdown", "countdown", BADGE_INK, WARNING_BG, bold=True),
    Look("QPushButton#key", "body", INK, WHITE, paints=True),
    Look("QPushButton#key:checked", None, INK, PRESSED, paints=True),
    Look("QPushButton#category:checked", None, WHITE, PRIMARY, paints=True),
    Look('QPushButton#tile[blocked="true"]', None, BLOCKED_INK, BLOCKED_BG, paints=True),
    Look("QPushButton#largeText:checked", None, WHITE, PRIMARY, paints=True),
    Look("QFrame#desk QLabel", None, INK, DESK_BG),
    # the problem screens and the notices in place
    Look("QLabel#problemTitle", "title", ALERT_INK, bold=True),
    Look("QLabel#problemTodo", "lead", INK),
    Look("QPushButton#bigAction", "action", WHITE, PRIMARY, bold=True, paints=True),
    Look("QFrame#notice QLabel", "body", ALERT_INK, ALERT_BG, extra="background: transparent;"),
    Look("QFrame#notice QLabel#noticeHappened", None, ALERT_INK, ALERT_BG, bold=True),
    # the steps, choices as tiles or a list, the summary card
    Look("QLabel#progress", "body", SUBTLE),
    Look("QPushButton#choiceTile, QPushButton#choiceRow, QPushButton#choiceOpener", "lead"),
    Look(
        "QPushButton#choiceTile:checked, QPushButton#choiceRow:checked",
        None,
        WHITE,
        PRIMARY,
        bold=True,
        paints=True,
    ),
    Look("QPushButton#choiceTile:disabled", None, SUBTLE, READ_ONLY_BG, paints=True),
    Look("QPushButton#choiceTile:checked:disabled", None, WHITE, SOURCE_INK, paints=True),
    Look("QPushButton#choiceOpener:disabled", None, READY_INK, READ_ONLY_BG, paints=True),
    Look("QLabel#summaryService", "title", PRIMARY, WHITE, bold=True),
    Look("QLabel#summaryLabel", "body", SUBTLE, WHITE),
    Look("QLabel#summaryValue", "title", INK, WHITE, bold=True),
    Look("QLabel#summarySource", "body", SOURCE_INK, WHITE),
    Look("QPushButton#speech:checked", None, WHITE, PRIMARY, paints=True),
    # the text inside a wrapping tile (ui/screens/wrapping.py): its tile's colours
    Look("QLabel#tileText", "lead", PRIMARY, WHITE, extra=CLEAR),
    Look('QLabel#tileText[checked="true"]', None, WHITE, PRIMARY, bold=True, extra=CLEAR),
    Look("QLabel#tileText:disabled", None, SUBTLE, READ_ONLY_BG, extra=CLEAR),
    Look('QLabel#tileText[checked="true"]:disabled', None, WHITE, SOURCE_INK, extra=CLEAR),
    Look('QLabel#tileText[blocked="true"]', None, BLOCKED_INK, BLOCKED_BG, extra=CLEAR),
    Look("QLabel#tileIcon", None, extra=CLEAR),
    Look("QPushButton#primary QLabel#tileText", "action", WHITE, PRIMARY, bold=True, extra=CLEAR),
)


def touch_style(touch_px: int, scale: TypeScale | None = None) -> str:
    """Minimum sizes for everything a finger touches, on top of :func:`base_style`."""
    t = scale or TypeScale.at()
    # A key's label in its own key's height, whatever the text size.
    key_px = max(touch_px, math.ceil(t.px("body") * 1.3))
    return f"""
QPushButton {{ min-height: {max(touch_px, 72)}px; min-width: {touch_px}px; }}
QPushButton#key {{ min-height: {key_px}px; padding: 0px; }}
QPushButton#demoCard, QPushButton#category {{ min-height: {touch_px}px; padding: 2px 12px; }}
QLineEdit, QComboBox {{ min-height: {max(touch_px, 56)}px; }}
QPlainTextEdit {{ min-height: {max(touch_px, 56)}px; }}
QComboBox QAbstractItemView::item {{ min-height: {touch_px}px; }}
QComboBox::drop-down {{ width: {touch_px}px; }}
QScrollBar:vertical {{ width: {touch_px}px; }}
QScrollBar:horizontal {{ height: {touch_px}px; }}
QScrollBar::handle {{ background: #b8c7d9; border-radius: 8px; min-height: {touch_px}px; }}
"""


def base_style(t: TypeScale) -> str:
    """The look of every screen at the type scale ``t``, without the touch sizes."""
    return (
        "".join(look.rule(t) for look in LOOKS)
        + f"""
QLabel#badge, QLabel#alert, QLabel#infoRow, QLabel#readyRow {{ border-radius: 6px; }}
QPushButton {{ min-height: 72px; padding: 8px 20px; border-radius: 10px;
    border: 2px solid {PRIMARY}; }}
QPushButton#demoCard {{ min-height: 56px; font-size: {DEMO_CAPTION_PX}px; border-style: dashed; }}
QLineEdit, QPlainTextEdit, QComboBox {{
    min-height: 56px; border: 2px solid {FIELD_BORDER}; border-radius: 6px; padding: 4px 8px;
}}
QLineEdit[readOnly="true"] {{ border-color: #9bbf9d; }}
QFrame#warning {{ background: {WARNING_BG}; }}
QPushButton#pinKey, QPushButton[pinKey="true"] {{ min-height: 110px; min-width: 140px; }}
QLabel#pinDisplay {{ min-height: 64px; }}
QPushButton#continue {{ min-height: 110px; }}
QPushButton#danger {{ border-color: {ERROR_INK}; }}
QFrame#desk {{ background: {DESK_BG}; border-left: 2px solid #c5d3e3; }}
QFrame#overlay {{ background: rgba(0, 0, 0, 150); }}
QFrame#warningPanel {{ background: {WARNING_BG}; border-radius: 16px; }}
QLabel#countdown {{ background: transparent; }}
QFrame#keyboard {{ background: {KEYBOARD_BG}; border-radius: 10px; }}
QPushButton#key {{ border: 1px solid #8896a6; border-radius: 8px; }}
QPushButton#tile[blocked="true"] {{ border-color: #999; }}
QFrame#notice {{ background: {ALERT_BG}; border-radius: 10px; }}
QFrame#notice QWidget {{ background: transparent; }}
QPushButton#bigAction {{ min-height: 110px; }}
QPushButton#choiceRow, QPushButton#choiceOpener {{ text-align: left; padding: 12px 24px; }}
QPushButton#choiceTile:disabled, QPushButton#choiceOpener:disabled {{ border-color: #9bbf9d; }}
QFrame#choiceList {{ background: {PAPER}; }}
QFrame#summaryCard {{ background: {WHITE}; border: 2px solid #c5d3e3; border-radius: 16px; }}
QFrame#summaryCard QWidget {{ background: {WHITE}; }}
"""
    )


def style_sheet(dpi: float = DEFAULT_DPI, *, larger: bool = False) -> str:
    """The whole style sheet for a screen of ``dpi``, in the "A+" mode when ``larger``."""
    t = TypeScale.at(dpi, LARGER_TEXT if larger else 1.0)
    return base_style(t) + touch_style(min_touch_px(dpi), t)


STYLE_SHEET = base_style(TypeScale.at())
