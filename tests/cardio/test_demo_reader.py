"""The demo's reader: on-screen cards always, and vpcd cards through a real pcscd."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cardio.card.citizen_card import read_identity
from cardio.emulators.demo_cards import DEMO_CARDS
from cardio.emulators.vpcd import DEFAULT_ATR
from cardio.readers.events import CardPresented, CardRemoved
from cardio.readers.multi import MultiReader
from cardio.readers.simulated import READER_NAME, SimulatedReader
from contract.assurance import Assurance
from kiosk.wiring.demo_reader import demo_reader
from testkit.cards import DEMO_TRUST
from testkit.fresh_python import run_python
from testkit.pcscd import READER, Pcscd
from testkit.reader_events import EventLog


def test_without_pcscd_the_demo_uses_the_simulated_reader_alone() -> None:
    simulated = SimulatedReader()
    reader, taps = demo_reader(simulated, use_pcscd=False)
    assert reader is simulated
    assert [t.label for t in taps] == [
        "Siti Aminah",
        "Budi Santoso",
        "e-KTP (UID saja)",
        "Kartu rusak",
        "Kartu kedaluwarsa",
        "Salinan kartu Siti",
        "Kartu diblokir",
        "Kartu palsu",
    ]


def test_with_no_such_pcscd_reader_nothing_is_added() -> None:
    simulated = SimulatedReader()
    reader, taps = demo_reader(simulated, vpcd_reader="No Such Reader 00 00")
    assert reader is simulated and len(taps) == len(DEMO_CARDS)


_WITHOUT_PCSCD = """
import json, sys
from pathlib import Path
from cardio.readers.simulated import SimulatedReader
from kiosk.wiring.demo_reader import demo_reader

simulated = SimulatedReader()
reader, taps = demo_reader(simulated, pcscd_at=Path(sys.argv[1]))
loaded = sorted(m for m in sys.modules if m == "smartcard" or m.startswith("smartcard."))
print(json.dumps({"simulated": reader is simulated, "taps": len(taps), "pyscard": loaded}))
"""


def test_without_pcscd_s_socket_pcscd_is_not_asked_and_pyscard_not_loaded(
    tmp_path: Path,
) -> None:
    """A demo start on a machine without pcscd (as `make bench` runs it) does not load
    pyscard to learn that no pcscd answers."""
    ran = run_python(_WITHOUT_PCSCD, str(tmp_path / "pcscd.comm"), timeout=60)
    seen = json.loads(ran.strip().splitlines()[-1])
    assert seen == {"simulated": True, "taps": len(DEMO_CARDS), "pyscard": []}


@pytest.mark.pcsc
def test_demo_cards_tap_through_a_real_pcscd(pcscd: Pcscd, events: EventLog) -> None:
    simulated = SimulatedReader()
    reader, taps = demo_reader(simulated, vpcd_reader=READER, vpcd_port=pcscd.port)
    assert isinstance(reader, MultiReader)
    by_label = {t.label: t for t in taps}
    reader.start(events)
    try:
        by_label["Siti Aminah (pcscd)"].tap()
        events.wait_for(CardPresented(READER, DEFAULT_ATR))
        with reader.connect(READER) as card:
            identity = read_identity(card, DEMO_TRUST)
        assert identity.citizen is not None and identity.citizen.full_name == "Siti Aminah"
        assert identity.assurance is Assurance.CLONE_PROOF
        events.wait_for(CardRemoved(READER))  # the virtual card leaves by itself

        by_label["Budi Santoso"].tap()  # the on-screen card still works beside it
        with reader.connect(READER_NAME) as card:
            identity = read_identity(card, DEMO_TRUST)
        assert identity.citizen is not None and identity.citizen.full_name == "Budi Santoso"
    finally:
        reader.stop()
