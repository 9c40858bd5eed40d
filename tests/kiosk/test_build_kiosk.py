"""The kiosk is put together from its configuration without Qt
(:func:`kiosk.wiring.kiosk.build_kiosk`): the touchscreen adds only its executor
and its window."""

from __future__ import annotations

from pathlib import Path

from testkit.fresh_python import run_python

#: Built, started and tapped in a process where any import of Qt fails.
_BUILD_WITHOUT_QT = """
import sys
sys.modules["PySide6"] = None  # any `import PySide6...` now raises ImportError
sys.modules["shiboken6"] = None
from pathlib import Path
from kiosk.config import CentralSection, Config, KioskSection, PrinterSection
from kiosk.executor import InlineExecutor
from kiosk.session.machine import Phase
from kiosk.wiring.kiosk import build_kiosk
from offline_store import Store

tmp = Path(sys.argv[1])
config = Config(
    kiosk=KioskSection(data_dir=str(tmp / "data")),
    printer=PrinterSection(output_dir=str(tmp)),
    central=CentralSection(url="http://127.0.0.1:9", timeout_s=0.2),
)
store = Store.open(config.store_path)
kiosk = build_kiosk(config, store, InlineExecutor(), demo=True, use_pcscd=False)
controller = kiosk.controller
controller.start()
assert kiosk.store is store and not kiosk.engine.running
assert controller.trust().issuers, "the demo trusts the DEMO issuer"
label, tap = kiosk.demo_cards[0]
tap()  # the demo's on-screen card: read on the inline executor
print(label, controller.session().phase.value, controller.status().out_of_service)
controller.stop()
store.close()
print("qt" if any(m.startswith(("PySide6.", "shiboken6.")) for m in sys.modules) else "no qt")
"""


def test_a_kiosk_is_built_and_taken_through_a_tap_without_qt(tmp_path: Path) -> None:
    first, last = run_python(_BUILD_WITHOUT_QT, str(tmp_path)).strip().splitlines()[-2:]
    label, phase, out_of_service = first.rsplit(" ", 2)
    assert (label, phase, out_of_service) == ("Siti Aminah", "identified", "False")
    assert last == "no qt"
