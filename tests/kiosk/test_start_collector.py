"""The kiosk's start runs with the cyclic garbage collector held off, and the store's
first settling (opened or not) frees it again, with what the start made frozen out
of later collections. Each case runs in a fresh interpreter: the collector and its
frozen generation belong to the whole process."""

from __future__ import annotations

import json
from pathlib import Path

from testkit.fresh_python import run_python

ROOT = Path(__file__).resolve().parents[2]
ENV = {"PYTHONPATH": str(ROOT)}

#: A store's start-up as the controller wires it; argv: the data folder, and "broken"
#: for a store file that cannot be opened.
_SETTLE = """
import gc, json, sys
from pathlib import Path
from kiosk.startup import StoreStartup, hold_collector
hold_collector()
from kiosk.executor import InlineExecutor
from kiosk.wiring.sync_link import SyncLink
from kiosk.wiring.trust import TrustKeeper
from offline_store import Store

path = Path(sys.argv[1]) / "kiosk.db"
if sys.argv[2:] == ["broken"]:
    path.write_bytes(b"half a database, then the power went" * 200)
store = Store.open(path, deferred=True)
startup = StoreStartup(store, SyncLink(InlineExecutor(), TrustKeeper(), lambda: None),
                       InlineExecutor(), lambda: None)
seen = {"held": not gc.isenabled(), "frozen_before": gc.get_freeze_count()}
startup.load()
seen |= {"settled": startup.settled, "failed": startup.failure is not None,
         "running": gc.isenabled(), "frozen": gc.get_freeze_count()}
print(json.dumps(seen))
"""


def _settle(tmp_path: Path, *args: str) -> dict[str, object]:
    out = run_python(_SETTLE, str(tmp_path), *args, env=ENV)
    seen: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return seen


def test_the_store_settling_frees_the_collector_and_freezes_what_the_start_made(
    tmp_path: Path,
) -> None:
    seen = _settle(tmp_path)
    assert seen["held"] is True and seen["frozen_before"] == 0
    assert seen["settled"] is True and seen["failed"] is False
    assert seen["running"] is True
    frozen = seen["frozen"]
    assert isinstance(frozen, int) and frozen > 10_000  # the modules and classes loaded


def test_a_store_that_cannot_be_opened_frees_the_collector_too(tmp_path: Path) -> None:
    seen = _settle(tmp_path, "broken")
    assert seen["held"] is True
    assert seen["settled"] is True and seen["failed"] is True
    assert seen["running"] is True


def test_a_collector_held_by_someone_else_is_left_as_it_was() -> None:
    code = (
        "import gc\nfrom kiosk.startup import hold_collector, release_collector\n"
        "gc.disable(); hold_collector(); release_collector()\n"
        "print(gc.isenabled(), gc.get_freeze_count())"
    )
    assert run_python(code, env=ENV).split() == ["False", "0"]


#: `kiosk run`'s start (kiosk.cli.main._start) with the window replaced by one that
#: notes whether the collector ran while the window's modules were loaded and built, and
#: whether the dataclasses' methods come from the code cache (kiosk.code_cache).
_RUN = """
import gc, sys
from pathlib import Path
import ui.app
from kiosk.cli import main
from kiosk.config import Config, KioskSection

import dataclasses
seen = []
def window(config, store, **_):
    from kiosk import code_cache
    seen.append(gc.isenabled())
    seen.append(dataclasses.exec == code_cache.install().exec)  # the dataclasses' cache
    return 0
ui.app.run_kiosk = window
status = main._start(Config(kiosk=KioskSection(data_dir=sys.argv[1])), demo=False,
                     fullscreen=False, exit_after=None)
print(status, seen, gc.isenabled())
"""


def test_kiosk_run_holds_the_collector_through_its_start_and_frees_it_after(
    tmp_path: Path,
) -> None:
    cache = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = run_python(_RUN, str(tmp_path), env={**ENV, **cache, "QT_QPA_PLATFORM": "offscreen"})
    assert out.strip().splitlines()[-1] == "0 [False, True] True"
