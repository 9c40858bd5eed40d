"""The running kiosk, put together from its configuration (no Qt).

:func:`build_kiosk` builds the reader (the demo's on-screen cards in the demo),
the printer, the central client, the controller and the sync engine, and picks
the trust store: the configured lists, or in the demo with none configured the
DEMO issuer's. The touchscreen supplies only its executor and its window
(``ui.app``); a test supplies an :class:`~kiosk.executor.InlineExecutor`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from cardio.readers.factory import make_reader
from cardio.readers.reader import Reader
from cardio.readers.simulated import SimulatedReader
from contract.trust import TrustStore
from kiosk.client.client import CentralClient
from kiosk.config import Config, office_clock
from kiosk.controller import KioskController
from kiosk.executor import Executor
from kiosk.sync import SyncEngine
from kiosk.wiring.from_config import trust_from
from kiosk.wiring.printer import printer_from
from offline_store import Store

log = logging.getLogger(__name__)

#: An on-screen demo card: its label and what tapping it does.
DemoCardButton = tuple[str, Callable[[], None]]


@dataclass(frozen=True)
class Kiosk:
    """What :func:`build_kiosk` made: the controller the screens use, and the
    parts a start-up, a demo or a test drives from outside."""

    controller: KioskController
    #: The sync engine, attached to the controller, not started (``controller.load()`` does).
    engine: SyncEngine
    #: The store it keeps tickets in (opened by ``controller.load()`` when deferred).
    store: Store
    #: The reader the controller listens to (with the demo's cards in the demo).
    reader: Reader
    #: The demo's on-screen cards; [] on a real kiosk.
    demo_cards: list[DemoCardButton]


def build_kiosk(
    config: Config,
    store: Store,
    executor: Executor,
    *,
    demo: bool = False,
    use_pcscd: bool = True,
    trust: TrustStore | None = None,
    desk: bool = False,
    clock: Callable[[], float] = time.monotonic,
) -> Kiosk:
    """Assemble reader, printer, central client, controller and sync engine.

    ``trust`` defaults to the configured trust list; the demo with no trust
    list configured uses the DEMO one. Raises :class:`contract.errors.TrustError`
    if the configured lists cannot be used. Nothing is started.
    """
    reader: Reader = make_reader(
        config.card.backend, reader_filter=config.card.reader, path=config.card.nfc_path
    )
    demo_cards: list[DemoCardButton] = []
    if demo:
        # The demo's keys and cards: loaded only for the demo, never on a kiosk.
        from cardio.emulators.demo_cards import demo_trust_store
        from kiosk.wiring.demo_reader import demo_reader

        if trust is None and not config.card.trust_list:
            log.warning(
                "demo: trusting the DEMO issuer, whose key is public (never on a real kiosk)"
            )
            trust = demo_trust_store()
        if isinstance(reader, SimulatedReader):
            reader, taps = demo_reader(reader, use_pcscd=use_pcscd)
            demo_cards = [(t.label, t.tap) for t in taps]
    if trust is None:
        trust = trust_from(config)
    central = CentralClient.from_config(config.central)
    now = office_clock(config)
    controller = KioskController(
        config,
        reader=reader,
        store=store,
        printer=printer_from(config),
        central=central,
        executor=executor,
        clock=clock,  # the session's timeouts; tests inject a clock they advance
        now=now,
        trust=trust,
        desk=desk,
    )
    # The sync engine (docs/sync.md): its own thread, the controller's client.
    engine = SyncEngine(
        store,
        central,
        config,
        now=now,
        health=controller.device_health,
        catalog=controller.catalog,
        trust=controller.trust,
    )
    controller.attach_sync(engine)
    return Kiosk(controller, engine, store, reader, demo_cards)
