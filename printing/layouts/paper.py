"""The papers a document is laid out for, and their geometry.

Three papers: 80 mm and 58 mm thermal rolls (the page is as tall as the
ticket) and A4 for an office printer. Light on purpose (no reportlab canvas,
no fonts): the kiosk reads :data:`ROLL_DOTS` to set up its printer before its
first screen is up.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reportlab.lib.units import mm


class Paper(StrEnum):
    """Paper a document can be laid out for. Values are used in configuration."""

    ROLL_80MM = "80mm"
    ROLL_58MM = "58mm"
    A4 = "a4"


#: Dots a head prints across each roll at 203 dpi (72 mm and 48 mm of the paper).
ROLL_DOTS = {"80mm": 576, "58mm": 384}


@dataclass(frozen=True)
class Frame:
    """Where blocks go on the page: its width, margins and (A4) fixed height."""

    width: float
    side_margin: float
    top_margin: float
    bottom_margin: float
    #: None for roll paper: the page is as tall as its content.
    page_height: float | None = None

    @property
    def text_width(self) -> float:
        return self.width - 2 * self.side_margin


@dataclass(frozen=True)
class PaperSpec(Frame):
    """Geometry of one paper, in PDF points (1/72 inch)."""

    #: Largest size of the queue number; smaller if it would not fit.
    number_size: float = 64
    #: Every other font size is multiplied by this.
    scale: float = 1.0
    #: Side of the QR code, quiet zone included.
    qr_size: float = 30 * mm
    #: Tallest a logo is drawn.
    logo_height: float = 14 * mm
    #: Dots a thermal head prints across the text width at 203 dpi; None for A4.
    dots: int | None = None


PAPERS: dict[Paper, PaperSpec] = {
    # 80 mm rolls are printed 72 mm wide (576 dots at 203 dpi) by most heads.
    Paper.ROLL_80MM: PaperSpec(
        width=80 * mm, side_margin=4 * mm, top_margin=5 * mm, bottom_margin=6 * mm,
        number_size=64, qr_size=30 * mm, dots=ROLL_DOTS["80mm"],
    ),
    # 58 mm rolls: 48 mm printed (384 dots).
    Paper.ROLL_58MM: PaperSpec(
        width=58 * mm, side_margin=5 * mm, top_margin=4 * mm, bottom_margin=5 * mm,
        number_size=48, scale=0.85, qr_size=26 * mm, logo_height=11 * mm,
        dots=ROLL_DOTS["58mm"],
    ),
    Paper.A4: PaperSpec(
        width=210 * mm, side_margin=30 * mm, top_margin=25 * mm, bottom_margin=20 * mm,
        page_height=297 * mm, number_size=120, scale=1.6, qr_size=45 * mm,
        logo_height=25 * mm,
    ),
}  # fmt: skip
