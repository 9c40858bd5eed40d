"""The parts the controller holds, each alone and without Qt: the status snapshot
built from them, the store's start-up, the sync engine's link, the trust keeper,
the queue and printer refreshes, the centre's access and the config adapters."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardio.emulators.demo_cards import DEMO_ISSUER_ID, demo_trust_store
from cardio.readers.simulated import SimulatedReader
from contract.catalog import Catalog
from contract.trust import TrustStore
from kiosk.client.bearer import save_token
from kiosk.client.client import CentralClient
from kiosk.client.info import QueueState
from kiosk.config import Config, KioskSection, PrinterSection, SessionSection
from kiosk.executor import InlineExecutor
from kiosk.lookups.centre import CentreAccess
from kiosk.lookups.office_queue import QueueRefresh
from kiosk.printer_refresh import PrinterRefresh
from kiosk.startup import StoreStartup
from kiosk.status import KioskStatus, kiosk_status
from kiosk.sync import SyncEngine
from kiosk.wiring.from_config import timeouts_from
from kiosk.wiring.printer import PrinterHealth
from kiosk.wiring.sync_link import SyncLink, device_health
from kiosk.wiring.trust import TrustKeeper
from offline_store import Store
from printing import make_printer
from testkit.centres import DEMO_CATALOG

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Told:
    """A status listener that counts what it was told."""

    def __init__(self) -> None:
        self.times = 0

    def __call__(self) -> None:
        self.times += 1


class Parts:
    """The parts as the controller wires them, around one store and a closed port."""

    def __init__(self, tmp_path: Path) -> None:
        self.config = Config(
            kiosk=KioskSection(data_dir=str(tmp_path / "data")),
            printer=PrinterSection(output_dir=str(tmp_path)),
        )
        self.store = Store.open(self.config.store_path)
        self.executor = InlineExecutor()
        self.told = Told()
        self.client = CentralClient(f"http://127.0.0.1:{_closed_port()}", timeout_s=0.2)
        self.trust = TrustKeeper(demo_trust_store())
        self.sync = SyncLink(self.executor, self.trust, self.told)
        self.centre = CentreAccess(
            self.client, self.config.central_token_path, lambda: self.sync.online
        )
        self.queue = QueueRefresh(self.centre, self.executor, self.told)
        printer = make_printer("pdf_file", output_dir=tmp_path)
        self.printers = PrinterRefresh(self.config, printer, self.executor, self.told, lambda: NOW)
        self.startup = StoreStartup(self.store, self.sync, self.executor, self.told)

    def engine(self) -> SyncEngine:
        engine = SyncEngine(self.store, self.client, self.config, now=lambda: NOW)
        self.sync.attach(engine)
        return engine

    def status(self, language: str = "id") -> KioskStatus:
        return kiosk_status(
            startup=self.startup,
            printer=self.printers,
            sync=self.sync,
            queue=self.queue,
            trust=self.trust,
            language=language,
        )


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    made = Parts(tmp_path)
    yield made
    made.store.close()


# -- the snapshot ---------------------------------------------------------------------
def test_the_snapshot_is_built_from_the_parts(parts: Parts, catalog: Catalog) -> None:
    first = parts.status()
    assert first.store_failure is None and not first.out_of_service
    assert first.catalog is None and first.online is None and first.queue is None
    assert first.sync is None  # no engine attached
    assert first.printer.state == "unknown" and first.printer_ok
    assert first.trust is parts.trust.current and first.language == "id"

    parts.sync.use_catalog(catalog, '"v1"')
    parts.sync.online = False
    parts.queue.state = QueueState("puskesmas", "2026-11-23", ())
    parts.startup.failure = "disk full"
    parts.printers.refresh()  # the pdf_file printer's folder exists: ok
    engine = parts.engine()
    later = parts.status("en")
    assert (later.catalog, later.catalog_etag) == (catalog, '"v1"')
    assert later.online is False and later.queue == parts.queue.state
    assert later.out_of_service and later.store_failure == "disk full"
    assert later.printer.state == "ok" and later.printer_ok
    assert later.sync == engine.status() and later.language == "en"
    # the first snapshot was not changed by any of it
    assert first.catalog is None and first.store_failure is None and first.online is None


def test_the_snapshot_is_frozen(parts: Parts) -> None:
    status = parts.status()
    with pytest.raises(dataclasses.FrozenInstanceError):
        status.online = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        status.store_failure = "nothing"  # type: ignore[misc]


def test_a_faulty_printer_is_not_ok_in_the_snapshot(parts: Parts, tmp_path: Path) -> None:
    tmp_path.rename(tmp_path.with_name(tmp_path.name + "-gone"))  # the printer's folder too
    try:
        parts.printers.refresh()
    finally:
        tmp_path.with_name(tmp_path.name + "-gone").rename(tmp_path)
    status = parts.status()
    assert status.printer.state == "fault" and not status.printer_ok


# -- the store's start-up ---------------------------------------------------------------
def test_a_store_that_cannot_be_opened_is_out_of_service_until_a_retry_opens_it(
    tmp_path: Path,
) -> None:
    config = Config(kiosk=KioskSection(data_dir=str(tmp_path)))
    config.store_path.parent.mkdir(parents=True, exist_ok=True)
    config.store_path.write_bytes(b"half a database, then the power went" * 200)
    store = Store.open(config.store_path, deferred=True)
    told = Told()
    sync = SyncLink(InlineExecutor(), TrustKeeper(), told)
    startup = StoreStartup(store, sync, InlineExecutor(), told)
    startup.load()
    assert startup.failure is not None and told.times == 1
    config.store_path.unlink()
    startup.retry()
    assert startup.failure is None and told.times == 2
    startup.retry()  # in service: nothing to retry
    assert told.times == 2
    store.close()


def test_the_start_takes_the_catalog_the_engine_cached(parts: Parts) -> None:
    body = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    parts.store.save_catalog(body, '"cached"', body["version"], NOW)
    catalog = Catalog.from_json(body)
    engine = parts.engine()
    parts.startup.load()
    status = parts.status()
    assert status.catalog is not None and status.catalog.version == catalog.version
    assert status.catalog_etag == '"cached"'
    assert engine.running
    engine.stop()


def test_without_an_engine_the_start_takes_no_catalog(parts: Parts) -> None:
    parts.startup.load()
    assert parts.store.is_open and parts.status().catalog is None


# -- the sync engine's link ------------------------------------------------------------------
def test_the_link_follows_the_engine_online_and_offline(parts: Parts) -> None:
    engine = parts.engine()
    engine.board.update(connection="online")
    assert parts.sync.online is True and parts.told.times == 1
    engine.board.update(connection="refused")  # says nothing of being reachable
    assert parts.sync.online is True and parts.told.times == 1
    engine.board.update(connection="offline")
    assert parts.sync.online is False and parts.told.times == 2


def test_the_cached_catalog_never_replaces_the_one_in_use(parts: Parts, catalog: Catalog) -> None:
    newer = dataclasses.replace(catalog, version="newer")
    parts.sync.use_catalog(newer, '"new"')
    parts.sync.take_cached(catalog, '"old"')
    assert parts.status().catalog is newer and parts.status().catalog_etag == '"new"'


def test_the_link_stopped_does_not_start_the_engine(parts: Parts) -> None:
    engine = parts.engine()
    parts.sync.stop()
    parts.sync.start()
    assert not engine.running
    parts.sync.resume()
    parts.sync.start()
    assert engine.running
    parts.sync.stop()
    assert not engine.running


def test_device_health_names_a_missing_reader() -> None:
    class NoReader(SimulatedReader):
        def readers(self) -> list[str]:
            return []

    health = device_health(NoReader(), PrinterHealth("fault", "offline"))
    assert (health.reader.state, health.reader.detail) == ("fault", "no_reader")
    assert (health.printer.state, health.printer.detail) == ("fault", "offline")
    assert device_health(SimulatedReader(), PrinterHealth("ok")).reader.state == "ok"


# -- the trust keeper ---------------------------------------------------------------------------
def test_the_trust_keeper_goes_forward_only() -> None:
    held = demo_trust_store()
    keeper = TrustKeeper(held)
    newer = dataclasses.replace(
        held,
        revoked={DEMO_ISSUER_ID: frozenset({"PKU-000001"})},
        revocation_version=held.revocation_version + 1,
    )
    assert not keeper.install(TrustStore.empty(), "central") and keeper.current is held
    assert keeper.install(newer, "central") and keeper.current is newer
    assert not keeper.install(held, "central") and keeper.current is newer
    assert not TrustKeeper().current.trusts_anyone


# -- the queue and the centre's access ---------------------------------------------------------
def test_the_queue_is_not_asked_when_the_centre_is_known_away(parts: Parts) -> None:
    parts.client.token = "kiosk-token"  # noqa: S105  (a test token, never sent)
    parts.sync.online = False
    parts.queue.refresh()
    assert parts.told.times == 0  # nothing was asked, so nothing came back


def test_an_unanswered_queue_question_leaves_no_figures(parts: Parts) -> None:
    parts.client.token = "kiosk-token"  # noqa: S105  (a test token, never sent)
    parts.queue.refresh()  # the closed port: the question fails
    assert parts.told.times == 1 and parts.status().queue is None


def test_the_centre_access_takes_the_token_the_engine_saved(parts: Parts) -> None:
    assert not parts.centre.ready() and not parts.centre.may_ask()
    save_token(parts.config.central_token_path, "saved-token")
    assert parts.centre.ready() and parts.client.token == "saved-token"  # noqa: S105
    assert parts.centre.may_ask()
    parts.sync.online = False
    assert parts.centre.online is False and not parts.centre.may_ask()


# -- the printer refresh -------------------------------------------------------------------------
def test_the_printer_refresh_tells_only_a_change(parts: Parts) -> None:
    parts.printers.refresh()
    assert parts.told.times == 1  # unknown, then ok
    parts.printers.refresh()
    parts.printers.noticed()
    assert parts.told.times == 1  # still ok: nothing to tell


def test_a_test_print_says_whether_it_printed(parts: Parts) -> None:
    printed: list[bool] = []
    parts.printers.test_print("Puskesmas", "id", lambda: NOW, printed.append)
    assert printed == [True] and parts.status().printer.state == "ok"


# -- the config adapters ---------------------------------------------------------------------------
def test_the_desk_gets_its_own_idle_timeout() -> None:
    config = Config(session=SessionSection(idle_timeout_s=60, desk_idle_timeout_s=600))
    assert timeouts_from(config).idle == 60
    assert timeouts_from(config, desk=True).idle == 600
    assert timeouts_from(config, desk=True).read == timeouts_from(config).read


def test_the_desk_gives_the_consent_question_its_longer_time() -> None:
    config = Config(
        session=SessionSection(idle_timeout_s=60, consent_timeout_s=30, desk_idle_timeout_s=600)
    )
    assert timeouts_from(config).consent == 30
    assert timeouts_from(config, desk=True).consent == 600
