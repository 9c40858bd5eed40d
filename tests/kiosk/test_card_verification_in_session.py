"""The controller verifies each tap against its trust store; a refused card never
crashes the session: it shows the reason, then goes back to "tap your card"."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardio.emulators.demo_cards import (
    DEMO_CARDS,
    DEMO_REVOCATION_LIST,
    DEMO_TRUST_LIST,
    DemoCard,
    demo_card,
)
from cardio.readers.simulated import SimulatedReader
from contract.assurance import Assurance
from contract.errors import TrustError
from contract.trust import TrustStore
from kiosk.client.client import CentralClient
from kiosk.config import CardSection, Config, KioskSection, PrinterSection
from kiosk.controller import KioskController
from kiosk.executor import InlineExecutor
from kiosk.session.events import Tick
from kiosk.session.machine import Phase
from kiosk.wiring.from_config import trust_from
from offline_store import Store
from printing import make_printer
from testkit.clocks import ManualClock


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def kiosk(tmp_path: Path, clock: ManualClock) -> Iterator[tuple[KioskController, SimulatedReader]]:
    config = Config(
        kiosk=KioskSection(data_dir=str(tmp_path)),
        printer=PrinterSection(output_dir=str(tmp_path)),
        card=CardSection(
            trust_list=str(DEMO_TRUST_LIST), revocation_list=str(DEMO_REVOCATION_LIST)
        ),
    )
    store = Store.open(config.store_path)
    reader = SimulatedReader()
    controller = KioskController(
        config,
        reader=reader,
        store=store,
        printer=make_printer("pdf_file", output_dir=tmp_path),
        central=CentralClient(f"http://127.0.0.1:{_closed_port()}", timeout_s=0.2),
        executor=InlineExecutor(),
        clock=clock,
        trust=trust_from(config),
    )
    controller.start()
    yield controller, reader
    controller.stop()
    store.close()


@pytest.mark.parametrize(
    "card", [c for c in DEMO_CARDS if c.expect not in set(Assurance)], ids=lambda c: c.key
)
def test_a_refused_card_shows_its_reason_then_attract(
    kiosk: tuple[KioskController, SimulatedReader], clock: ManualClock, card: DemoCard
) -> None:
    controller, reader = kiosk
    reader.tap(card.applet())
    state = controller.session()
    assert (state.phase, state.problem, state.identity) == (Phase.ERROR, card.expect, None)
    clock.advance(controller.config.session.error_display_s)
    controller.dispatch(Tick())
    assert controller.session().phase is Phase.IDLE
    reader.tap(demo_card("budi").applet())  # and the next citizen is served
    assert controller.session().phase is Phase.IDENTIFIED


def test_a_genuine_card_is_identified_as_clone_proof(
    kiosk: tuple[KioskController, SimulatedReader],
) -> None:
    controller, reader = kiosk
    reader.tap(demo_card("siti").applet())
    identity = controller.session().identity
    assert identity is not None and identity.assurance is Assurance.CLONE_PROOF


def test_trust_comes_from_the_configuration(tmp_path: Path) -> None:
    assert not trust_from(Config()).trusts_anyone  # no trust list: nobody is trusted
    config = Config(card=CardSection(trust_list=str(DEMO_TRUST_LIST)))
    assert trust_from(config).issuers == TrustStore.load(DEMO_TRUST_LIST).issuers
    missing = Config(card=CardSection(trust_list=str(tmp_path / "absent.json")))
    with pytest.raises(TrustError, match="cannot read"):
        trust_from(missing)
