"""The kiosk's one look: high contrast, big type, finger-sized targets."""

from __future__ import annotations

import math

PRIMARY = "#0b5cab"
#: Smallest touch target, in millimetres, on the physical screen (``kiosk.screen_dpi``).
TOUCH_TARGET_MM = 15.0
DEFAULT_DPI = 96.0


def min_touch_px(dpi: float = DEFAULT_DPI) -> int:
    """Pixels that make :data:`TOUCH_TARGET_MM` at ``dpi`` (57 px at 96 dpi)."""
    return math.ceil(TOUCH_TARGET_MM / 25.4 * dpi)


def touch_style(touch_px: int) -> str:
    """Minimum sizes for everything a finger touches, on top of :data:`STYLE_SHEET`."""
    return f"""
QPushButton {{ min-height: {max(touch_px, 72)}px; min-width: {touch_px}px; }}
QPushButton#key {{ min-height: {touch_px}px; padding: 0px; font-size: 28px; }}
QPushButton#demoCard, QPushButton#category {{ min-height: {touch_px}px; padding: 2px 12px; }}
QLineEdit, QComboBox {{ min-height: {max(touch_px, 56)}px; }}
QPlainTextEdit {{ min-height: {max(touch_px, 56)}px; }}
QComboBox QAbstractItemView::item {{ min-height: {touch_px}px; }}
QComboBox::drop-down {{ width: {touch_px}px; }}
QScrollBar:vertical {{ width: {touch_px}px; }}
QScrollBar:horizontal {{ height: {touch_px}px; }}
QScrollBar::handle {{ background: #b8c7d9; border-radius: 8px; min-height: {touch_px}px; }}
"""


STYLE_SHEET = f"""
QWidget {{ font-family: "DejaVu Sans"; font-size: 22px; color: #111; background: #f7f7f2; }}
QLabel#title {{ font-size: 40px; font-weight: bold; color: {PRIMARY}; }}
QLabel#subtitle {{ font-size: 26px; color: #333; }}
QLabel#huge {{ font-size: 120px; font-weight: bold; color: {PRIMARY}; }}
QLabel#badge {{ background: #fff3cd; color: #5c4400; padding: 8px; border-radius: 6px; }}
QLabel#alert {{ background: #fde2e1; color: #8a1c13; padding: 12px; border-radius: 6px; }}
QLabel#fieldError {{ color: #a01212; font-size: 18px; }}
QLabel#source {{ color: #2e6b30; font-size: 16px; }}
QPushButton {{
    min-height: 72px; padding: 8px 20px; font-size: 24px; border-radius: 10px;
    background: white; border: 2px solid {PRIMARY}; color: {PRIMARY};
}}
QPushButton:pressed {{ background: #dbe8f6; }}
QPushButton#primary {{ background: {PRIMARY}; color: white; font-weight: bold; }}
QPushButton#tile {{ min-height: 96px; text-align: left; padding: 12px 24px; font-size: 26px; }}
QPushButton#demoCard {{ min-height: 56px; font-size: 18px; border-style: dashed; }}
QLineEdit, QPlainTextEdit, QComboBox {{
    min-height: 56px; font-size: 24px; background: white; border: 2px solid #888;
    border-radius: 6px; padding: 4px 8px;
}}
QLineEdit[readOnly="true"] {{ background: #eef3ee; border-color: #9bbf9d; }}
QFrame#warning {{ background: #ffe8a3; }}
QPushButton#pinKey, QPushButton[pinKey="true"] {{
    min-height: 110px; min-width: 140px; font-size: 40px;
}}
QLabel#pinDisplay {{ font-size: 48px; min-height: 64px; letter-spacing: 8px; }}
QLabel#infoRow {{ font-size: 24px; padding: 6px; background: white; border-radius: 6px; }}
QLabel#readyRow {{ font-size: 24px; padding: 6px; background: #dff3e0; color: #1d5e20;
    font-weight: bold; border-radius: 6px; }}
QLabel#operatorLine {{ font-size: 20px; }}
QPushButton#danger {{ border-color: #a01212; color: #a01212; }}
QFrame#desk {{ background: #eef2f7; border-left: 2px solid #c5d3e3; }}
QLabel#reference {{ font-size: 60px; font-weight: bold; color: {PRIMARY}; }}
QPushButton#continue {{
    background: {PRIMARY}; color: white; font-weight: bold; min-height: 110px; font-size: 36px;
}}
QFrame#overlay {{ background: rgba(0, 0, 0, 150); }}
QFrame#warningPanel {{ background: #ffe8a3; border-radius: 16px; }}
QFrame#warningPanel QLabel {{ background: transparent; }}
QLabel#countdown {{ font-size: 96px; font-weight: bold; color: #5c4400; background: transparent; }}
QFrame#keyboard {{ background: #dde3ea; border-radius: 10px; }}
QPushButton#key {{ background: white; border: 1px solid #8896a6; color: #111; border-radius: 8px; }}
QPushButton#key:checked {{ background: #dbe8f6; }}
QPushButton#category:checked {{ background: {PRIMARY}; color: white; }}
QPushButton#tile[blocked="true"] {{ border-color: #999; color: #555; background: #eee; }}
QLabel#problemTitle {{ font-size: 40px; font-weight: bold; color: #8a1c13; }}
QLabel#problemTodo {{ font-size: 30px; color: #111; }}
QPushButton#bigAction {{
    background: {PRIMARY}; color: white; font-weight: bold; min-height: 110px; font-size: 36px;
}}
QFrame#notice {{ background: #fde2e1; border-radius: 10px; }}
QFrame#notice QLabel, QFrame#notice QWidget {{ background: transparent; color: #8a1c13; }}
QLabel#noticeHappened {{ font-weight: bold; }}
/* choices as tiles, the full-screen list, the summary card, the step (#15) */
QLabel#progress {{ font-size: 22px; color: #333; }}
QPushButton#choiceTile, QPushButton#choiceRow, QPushButton#choiceOpener {{ font-size: 26px; }}
QPushButton#choiceRow, QPushButton#choiceOpener {{ text-align: left; padding: 12px 24px; }}
QPushButton#choiceTile:checked, QPushButton#choiceRow:checked {{
    background: {PRIMARY}; color: white; font-weight: bold;
}}
QPushButton#choiceTile:disabled {{ border-color: #9bbf9d; color: #444; background: #eef3ee; }}
QPushButton#choiceTile:checked:disabled {{ background: #2e6b30; color: white; }}
QPushButton#choiceOpener:disabled {{ border-color: #9bbf9d; color: #1d4d1f; background: #eef3ee; }}
QFrame#choiceList {{ background: #f7f7f2; }}
QFrame#summaryCard {{ background: white; border: 2px solid #c5d3e3; border-radius: 16px; }}
QFrame#summaryCard QWidget {{ background: white; }}
QLabel#summaryService {{ font-size: 32px; font-weight: bold; color: {PRIMARY}; }}
QLabel#summaryLabel {{ font-size: 20px; color: #444; }}
QLabel#summaryValue {{ font-size: 32px; font-weight: bold; color: #111; }}
QLabel#summarySource {{ font-size: 18px; color: #2e6b30; }}
"""
