"""The attract screen's first frame waits for nothing it does not show: the other
screens (and their modules) are built when first shown, or once the kiosk is ready
(the cold start's speed is measured in make bench, never here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

import ui.window
from kiosk.overlays import Overlay
from kiosk.session.machine import Phase
from testkit.fresh_python import run_python
from testkit.kiosk_window import button_with, click, offline_config, running_kiosk, wait_phase
from ui.lazy_screens import LazyScreens
from ui.window import KioskWindow

ROOT = Path(__file__).resolve().parents[2]

#: Modules the first frame does not need: the screens not shown, the desk, the
#: operator panel's status and the desk's tickets, the store's former helper library,
#: the ticket's and the card check's libraries, HTTP and what parses its answers, the
#: package metadata the first heartbeat reads.
NOT_BEFORE_THE_FIRST_PAINT = (
    "ui.screens.services",
    "ui.screens.form",
    "ui.screens.consent",
    "ui.screens.ticket",
    "ui.screens.complaint",
    "ui.screens.appointment",
    "ui.screens.hospital",
    "ui.screens.information",
    "ui.screens.operator",
    "ui.screens.pinpad",
    "ui.screens.booking_code",
    "ui.screens.birth_date",
    "ui.desk",
    "ui.keyboard",
    # the operator's panel and the hospital desk's tickets, loaded when first used
    "kiosk.operator.panel",
    "kiosk.tickets.desk",
    "sqlite_utils",
    "reportlab.pdfgen",
    "reportlab.platypus",
    "reportlab.graphics",
    "cwt",
    "requests",
    "urllib3",
    "http.client",
    "email.utils",
    "ssl",
    "importlib.metadata",
)

#: Started in a fresh interpreter: the window as `kiosk run` builds it (store opened
#: after the first paint), and at its first painted frame the modules loaded so far.
_FIRST_PAINT = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from kiosk.wiring.store import open_store
from testkit.demo_kiosk import demo_config
from ui.app import build_window
from ui.first_paint import FirstPaint
from ui.theme import STYLE_SHEET

app = QApplication([])
app.setStyleSheet(STYLE_SHEET)
config = demo_config(Path(sys.argv[1]), "http://127.0.0.1:9", "DEMO")
store = open_store(config, deferred=True)
window = build_window(config, store, demo=True, use_pcscd=False)
seen = {}

def painted():
    seen["modules"] = sorted(sys.modules)
    seen["built"] = len(window.screens.built())
    app.quit()

watch = FirstPaint(window.attract, painted)
window.resize(900, 1200)
window.show()
app.exec()
window.shut_down()
store.close()
print(json.dumps(seen))
"""


def test_nothing_the_attract_screen_does_not_show_is_imported_before_its_first_frame(
    tmp_path: Path,
) -> None:
    env = {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    shown = run_python(_FIRST_PAINT, str(tmp_path), env=env)
    seen = json.loads(shown.strip().splitlines()[-1])
    loaded = set(seen["modules"])
    assert "ui.screens.attract" in loaded  # the screen painted, as a check of the probe
    early = sorted(m for m in loaded if m.startswith(NOT_BEFORE_THE_FIRST_PAINT))
    assert early == []
    assert seen["built"] == 1  # the attract screen alone


#: What `kiosk run` and `kiosk demo` import on their way to the window, in their order
#: (kiosk.cli.main, then ``_start``), and the order the modules were loaded in.
_START_ORDER = """
import json, sys
import kiosk.cli.main
from kiosk.wiring.store import open_store
from ui.app import run_kiosk
print(json.dumps(list(sys.modules)))
"""
_QT_FREE_KIOSK = "import json, sys, kiosk.wiring.kiosk; print(json.dumps(sorted(sys.modules)))"
_OURS = ("kiosk.", "contract.", "cardio.", "offline_store.", "printing.")


def test_the_kiosk_is_imported_before_qt_which_reads_each_later_module_s_source() -> None:
    # Once PySide6 is loaded, its __feature__ switch reads the source of every module an
    # import statement names: the kiosk's own modules (no Qt) are loaded before it.
    env = {"PYTHONPATH": str(ROOT)}
    order = json.loads(run_python(_START_ORDER, env=env).strip().splitlines()[-1])
    kiosk = json.loads(run_python(_QT_FREE_KIOSK, env=env).strip().splitlines()[-1])
    assert "PySide6" not in kiosk  # the kiosk itself has no Qt
    ours = [m for m in kiosk if m.startswith(_OURS)]
    assert "kiosk.controller" in ours and "kiosk.session.events" in ours
    qt = order.index("PySide6")
    after_qt = sorted(m for m in ours if order.index(m) > qt)
    assert after_qt == []


@pytest.fixture
def hidden_kiosk(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[KioskWindow]:
    """The kiosk not shown: never painted, so its store is not opened (no fallback)."""
    monkeypatch.setattr(ui.window, "FIRST_PAINT_FALLBACK_MS", 600_000)
    with running_kiosk(qtbot, offline_config(tmp_path), show=False, deferred_store=True) as window:
        yield window


def _screens_of(window: KioskWindow, kind: str) -> list[QWidget]:
    return [w for w in window.stack.findChildren(QWidget) if type(w).__name__ == kind]


def test_the_services_screen_is_built_when_a_card_first_needs_it(
    qtbot: QtBot, hidden_kiosk: KioskWindow
) -> None:
    window = hidden_kiosk
    assert window.screens.built() == [window.attract]
    assert _screens_of(window, "ServicesScreen") == []
    assert window.stack.count() == 1
    window.show()
    click(qtbot, button_with(window, "Siti Aminah"))
    wait_phase(qtbot, window, Phase.IDENTIFIED)
    services = window.screens[Phase.IDENTIFIED]
    assert _screens_of(window, "ServicesScreen") == [services]
    assert window.stack.currentWidget() is services
    # What the overlays add to it came with it: the status tile and the information button.
    assert window.overlays.status_on_services in services.findChildren(QWidget)
    assert window.overlays.info_on_services.isVisible()


def test_an_overlay_screen_is_built_when_first_opened(
    qtbot: QtBot, hidden_kiosk: KioskWindow
) -> None:
    window = hidden_kiosk
    assert not window.overlays.screens.is_built(Overlay.INFORMATION)
    assert _screens_of(window, "InformationScreen") == []
    window.show()
    click(qtbot, window.overlays.info_on_attract)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.overlays.information)
    assert _screens_of(window, "InformationScreen") == [window.overlays.information]
    assert not window.overlays.screens.is_built(Overlay.OPERATOR)  # still not opened


def test_the_other_screens_are_built_once_the_store_has_settled(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with running_kiosk(qtbot, offline_config(tmp_path), deferred_store=True) as window:
        qtbot.waitUntil(lambda: window.controller.status().store_settled, timeout=10_000)
        qtbot.waitUntil(lambda: all(window.screens.is_built(p) for p in Phase), timeout=10_000)
        assert window.stack.count() == len(window.screens.built())
        assert window.controller.session().phase is Phase.IDLE
        assert window.stack.currentWidget() is window.attract  # built behind it, unseen


def test_each_screen_is_built_once_on_its_first_lookup(qtbot: QtBot) -> None:
    made: list[str] = []
    added: list[QLabel] = []

    def make(name: str) -> QLabel:
        made.append(name)
        return QLabel(name)

    screens: LazyScreens[str, QLabel] = LazyScreens(added.append)
    screens.put(lambda: make("a"), "a")
    screens.put(lambda: make("shared"), "typing", "checking")
    hooked: list[str] = []
    screens.when_built("checking", lambda s: hooked.append(s.text()))
    assert made == [] and list(screens) == ["a", "typing", "checking"] and len(screens) == 3
    assert screens["checking"] is screens["typing"]  # one screen for both keys
    assert made == ["shared"] and hooked == ["shared"] and [s.text() for s in added] == ["shared"]
    assert screens.built() == [added[0]] and not screens.is_built("a")
    with pytest.raises(KeyError):
        screens["nobody"]
    with pytest.raises(ValueError, match="already"):
        screens.put(lambda: make("again"), "a")
    assert [s.text() for s in screens.values()] == ["a", "shared", "shared"]  # builds the rest


def test_a_screen_that_cannot_be_built_is_logged_and_the_rest_still_are(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    parent = QWidget()
    added: list[QLabel] = []

    def broken() -> QLabel:
        raise RuntimeError("a font the screen needs is missing")

    screens: LazyScreens[str, QLabel] = LazyScreens(added.append)
    screens.put(broken, "broken")
    screens.put(lambda: QLabel("after"), "after")
    screens.build_rest(parent)
    qtbot.waitUntil(lambda: screens.is_built("after"), timeout=5000)
    assert [s.text() for s in added] == ["after"] and not screens.is_built("broken")
    assert "could not be built" in caplog.text and "a font the screen needs" in caplog.text
