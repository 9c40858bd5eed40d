"""The kiosk's one look: high contrast, big type, finger-sized targets."""

from __future__ import annotations

PRIMARY = "#0b5cab"
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
"""
