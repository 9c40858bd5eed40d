"""A kiosk controller as the kiosk core's tests start one: a simulated reader, a store
of its own, the printer its configuration names, the demo issuer trusted and the
demo catalog in, its centre unreachable unless the test gives one."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from cardio.emulators.demo_cards import demo_trust_store
from cardio.readers.reader import Reader
from cardio.readers.simulated import SimulatedReader
from contract.catalog import Catalog
from kiosk.client.client import CentralClient
from kiosk.config import Config
from kiosk.controller import KioskController
from kiosk.executor import Executor
from kiosk.wiring.printer import printer_from
from offline_store import Store


def closed_port() -> int:
    """A loopback port nobody listens on (an unreachable central server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def started_controller(
    config: Config,
    catalog: Catalog,
    *,
    executor: Executor,
    clock: Callable[[], float],
    now: Callable[[], dt.datetime],
    central: CentralClient | None = None,
    reader: Reader | None = None,
) -> Iterator[KioskController]:
    """``config``'s controller with ``catalog`` in, started; stopped, and its store
    closed, when the block ends. Its reader is a simulated one unless ``reader``."""
    store = Store.open(config.store_path)
    controller = KioskController(
        config,
        reader=reader if reader is not None else SimulatedReader(),
        store=store,
        printer=printer_from(config),
        central=central if central is not None else unreachable_centre(),
        executor=executor,
        clock=clock,
        now=now,
        trust=demo_trust_store(),
    )
    controller._sync.use_catalog(catalog)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
        store.close()


def unreachable_centre() -> CentralClient:
    """The centre's client for :func:`closed_port`: every call fails fast."""
    return CentralClient(f"http://127.0.0.1:{closed_port()}", timeout_s=0.2)
