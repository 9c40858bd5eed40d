"""What the operator panel shows and does, without Qt (#7).

:func:`operator_status` gathers the reader, printer, outbox and sync state
(store reads and a reader query: run it off the GUI thread);
:func:`test_card_read` reads one tapped card and says only how it verified
(an assurance level or a refusal code), never whose it is.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from cardio.card.citizen_card import read_identity
from cardio.errors import CardError
from cardio.readers.reader import Reader
from contract.trust import TrustStore
from kiosk.sync.status import SyncStatus
from kiosk.wiring.printer import PrinterHealth
from offline_store import Store, StoreError
from offline_store.models import OutboxStats, StoredTicket, SyncLogEntry, SyncResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OperatorStatus:
    readers: tuple[str, ...]
    #: Why the readers could not be listed; "" if they could.
    reader_error: str
    printer: PrinterHealth
    outbox: OutboxStats | None
    last_sync: SyncLogEntry | None
    last_sync_ok: SyncLogEntry | None
    #: Why the store could not be read; "" if it could.
    store_error: str
    online: bool | None
    catalog_version: str | None
    #: The sync engine's own snapshot, when the kiosk runs one.
    sync: SyncStatus | None = None
    #: Today's tickets the citizen got no paper for (a printer's fault, or stored after
    #: the session ended), newest first: their numbers and why, for the operator to
    #: hand out again when the citizen asks.
    not_handed_out: tuple[StoredTicket, ...] = ()


def operator_status(
    *,
    reader: Reader,
    store: Store,
    printer: PrinterHealth,
    online: bool | None,
    catalog_version: str | None,
    now: dt.datetime,
    sync: SyncStatus | None = None,
) -> OperatorStatus:
    """A snapshot for the panel; never raises for a faulty part (it is reported)."""
    readers: tuple[str, ...] = ()
    reader_error = ""
    try:
        readers = tuple(reader.readers())
    except Exception as exc:  # any backend fault is something to show, not to crash on
        reader_error = type(exc).__name__
        log.warning("operator panel: readers unavailable: %s", exc)
    outbox = last = last_ok = None
    store_error = ""
    unprinted: tuple[StoredTicket, ...] = ()
    try:
        outbox = store.outbox_stats(now)
        last = store.last_sync()
        last_ok = store.last_sync(result=SyncResult.OK)
        unprinted = tuple(store.unprinted_on(now.date()))
    except StoreError as exc:
        store_error = exc.reason
        log.error("operator panel: store unreadable: %s", exc)
    return OperatorStatus(
        readers=readers,
        reader_error=reader_error,
        printer=printer,
        outbox=outbox,
        last_sync=last,
        last_sync_ok=last_ok,
        store_error=store_error,
        online=online,
        catalog_version=catalog_version,
        sync=sync,
        not_handed_out=unprinted,
    )


def test_card_read(
    reader: Reader, reader_name: str, trust: TrustStore, now: Callable[[], dt.datetime]
) -> str:
    """Read the card on ``reader_name``: its assurance level, or why it was refused."""
    try:
        with reader.connect(reader_name) as card:
            identity = read_identity(card, trust, now=now)
    except CardError as exc:
        log.info("operator test read refused: %s", exc.reason.value)
        return exc.reason.value
    except Exception:
        log.exception("operator test read failed")
        return "malformed"
    log.info("operator test read: %s", identity.assurance.value)
    return identity.assurance.value


def tickets_today(store: Store, day: dt.date) -> list[StoredTicket]:
    """The tickets this kiosk issued on ``day``, newest first ([] if the store fails)."""
    try:
        return store.tickets_on(day)
    except StoreError as exc:
        log.error("today's tickets unreadable: %s", exc)
        return []
