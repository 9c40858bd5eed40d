"""The demo's card reader: on-screen demo cards, plus the vpcd virtual card
through a real pcscd where this machine has one.

No Qt here: the UI shows one button per :class:`DemoTap` and calls ``tap``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cardio.emulators.demo_cards import DEMO_CARDS, DemoCard
from cardio.readers.multi import MultiReader
from cardio.readers.pcsc_scard import pcscd_socket
from cardio.readers.reader import Reader
from cardio.readers.simulated import SimulatedReader

log = logging.getLogger(__name__)

#: The reader Debian's vsmartcard-vpcd package adds to the system pcscd
#: (/etc/reader.conf.d/vpcd: channel 0x8C7B = 35963, first slot).
VPCD_READER = "Virtual PCD 00 00"
VPCD_PORT = 0x8C7B
#: How long a virtual card stays "on the reader"; pcscd polls every ~0.4 s.
VPCD_HOLD_S = 2.5


@dataclass(frozen=True)
class DemoTap:
    label: str
    tap: Callable[[], None]


def demo_reader(
    simulated: SimulatedReader,
    *,
    use_pcscd: bool = True,
    vpcd_reader: str = VPCD_READER,
    vpcd_port: int = VPCD_PORT,
    pcscd_at: Path | None = None,
) -> tuple[Reader, list[DemoTap]]:
    """The reader for ``kiosk demo`` and the buttons that tap its cards.

    Where pcscd serves ``vpcd_reader``, two demo cards also tap through it as
    virtual cards on ``vpcd_port``, so the demo shows the real PC/SC path. Without
    pcscd's socket (``pcscd_at``, by default where pcsc-lite's clients look) pcscd
    is not asked, and pyscard not loaded: a start without pcscd does not pay for it.
    """
    taps = [DemoTap(card.label, _simulated_tap(simulated, card)) for card in DEMO_CARDS]
    socket = pcscd_at if pcscd_at is not None else pcscd_socket()
    pcsc = _vpcd_reader(vpcd_reader) if use_pcscd and socket.exists() else None
    if pcsc is None:
        return simulated, taps
    log.info("pcscd serves %s: demo cards also tap through pcscd", vpcd_reader)
    for card in DEMO_CARDS[:2]:
        taps.append(DemoTap(f"{card.label} (pcscd)", _vpcd_tap(card, vpcd_port)))
    return MultiReader([simulated, pcsc]), taps


def _simulated_tap(reader: SimulatedReader, card: DemoCard) -> Callable[[], None]:
    return lambda: reader.tap(card.applet())


def _vpcd_reader(name: str) -> Reader | None:
    try:
        from cardio.readers.pcsc import PcscReader
    except ImportError:
        return None
    reader = PcscReader(reader_filter=name)
    return reader if name in reader.readers() else None


def _vpcd_tap(card: DemoCard, port: int) -> Callable[[], None]:
    def tap() -> None:
        from cardio.emulators.vpcd import VpcdCard

        virtual = VpcdCard(card.applet(), port=port)
        try:
            virtual.insert()
        except OSError as exc:
            log.warning("vpcd demo card not inserted: %s", exc)
            return
        timer = threading.Timer(VPCD_HOLD_S, virtual.remove)
        timer.daemon = True
        timer.start()

    return tap
