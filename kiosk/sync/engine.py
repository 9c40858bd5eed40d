"""The sync engine: one background thread that does all of the kiosk's talking to the centre.

Each step (:meth:`SyncEngine.run_once`) runs the tasks that are due:

- ``identity``: the kiosk's token (enrolling with the code if needed) and its
  short code (``GET /api/v1/kiosks/me``) for the fallback numbers;
- ``documents``: catalog, trust list and revocations, with ``If-None-Match``;
- ``outbox``: batches of outbox items until none is due (the next batch is
  claimed and decrypted while the centre stores the one in flight);
- ``bookings``: today's bookings of the office, cached sealed for check-in
  (offline too); every cached booking of another day is purged first;
- ``doctors``: today's doctors of a hospital office with their places left, cached
  for the poli screens and an offline ticket (on the bookings' interval);
- ``leases``: top up leased number blocks, give back unused ones;
- ``heartbeat``: health, outbox figures, leases, versions, clock.

When the centre cannot be reached (refused, reset, timed out, 5xx, 429) the
engine goes ``offline``, still tries the outbox (and the other due tasks) in that
step until a second call fails, and then waits by :class:`~kiosk.sync.backoff.Backoff`
(full jitter, capped, at least the server's ``Retry-After``) before any task
tries again; the first success brings it back ``online`` and every task is
then due on its own interval. A task the centre answers but refuses (a 4xx)
backs off on its own without taking the others down; so does a task that
fails in a way nobody foresaw (any other exception: logged with its traceback
once), and a whole step that raises makes the thread wait a backoff too. Times come from the
injected ``now`` and the random draws from the injected ``rng``, so tests
drive :meth:`run_once` step by step; :meth:`start` runs it on a thread and
:meth:`stop` ends it (within one request's timeout).

No Qt: listeners are called on the engine's thread.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from contract.catalog import Catalog
from contract.errors import CatalogError, TrustRollback
from contract.shown import shown_key
from contract.trust import TrustStore, check_successor
from kiosk.client.bearer import adopt_kiosk_code, authorised, ensure_token
from kiosk.client.client import CentralClient
from kiosk.client.errors import (
    CentralAuthError,
    CentralError,
    CentralRefused,
    CentralUnavailable,
)
from kiosk.client.results import Allocation
from kiosk.config import Config
from kiosk.errors import PLACE_REFUSALS
from kiosk.sync.backoff import Backoff
from kiosk.sync.documents import cached_trust, pull_catalog, pull_trust
from kiosk.sync.heartbeat import DeviceHealth, heartbeat_body
from kiosk.sync.leases import LeaseKeeper
from kiosk.sync.push import (
    Answered,
    Claim,
    PushResult,
    _PushCut,
    _PushFailed,
    claim_batch,
    push_claimed,
)
from kiosk.sync.schedule import Schedule
from kiosk.sync.status import StatusBoard, SyncStatus, store_figures
from kiosk.sync.unkept import HeldNumbers, UnkeptNumbers
from offline_store import Store, StoreError, SyncResult

log = logging.getLogger(__name__)

TASKS = ("identity", "documents", "outbox", "bookings", "doctors", "leases", "heartbeat")
#: Tasks that catch up at once when the centre is back.
CATCH_UP = ("documents", "outbox", "bookings", "doctors", "leases", "heartbeat")
#: Longest one step keeps pushing the outbox before the other tasks get a turn.
PUSH_BUDGET_S = 5.0
#: Longest one step keeps asking for leases (checked before every request).
LEASE_BUDGET_S = 5.0
#: How long tickets skip the online number after the centre failed to give one.
ALLOCATE_PAUSE = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class StepReport:
    """What one :meth:`SyncEngine.run_once` did (for ``kiosk sync now`` and tests)."""

    ran: tuple[str, ...]
    failed: tuple[str, ...]
    pushed: PushResult
    status: SyncStatus


class SyncEngine:
    def __init__(
        self,
        store: Store,
        client: CentralClient,
        config: Config,
        *,
        now: Callable[[], dt.datetime],
        rng: random.Random | None = None,
        health: Callable[[], DeviceHealth] = DeviceHealth,
        catalog: Callable[[], Catalog | None] | None = None,
        trust: Callable[[], TrustStore] | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.config = config
        self._now = now
        self._health = health
        sync = config.sync
        self.backoff = Backoff(sync.backoff_base_s, sync.backoff_cap_s, rng=rng or random.Random())  # noqa: S311 (jitter)
        self.leases = LeaseKeeper(config.kiosk.office_id, sync.lease_size, sync.lease_low_water)
        #: Online numbers asked for and never kept in a ticket, voided at the centre.
        self.unkept = UnkeptNumbers()
        self.board = StatusBoard()
        self._catalog_source = catalog
        #: The running kiosk's trust store: a list older than it is refused too.
        self._trust_source = trust
        self._catalog: Catalog | None = None
        self._catalog_listeners: list[Callable[[Catalog, str | None], None]] = []
        self._trust_listeners: list[Callable[[TrustStore], None]] = []
        self._doctor_listeners: list[Callable[[], None]] = []
        intervals = {
            "identity": 3600.0,
            "documents": sync.documents_interval_s,
            "outbox": sync.interval_s,
            "leases": sync.interval_s,
            "bookings": sync.bookings_interval_s,
            "doctors": sync.bookings_interval_s,
            "heartbeat": sync.heartbeat_interval_s,
        }
        self.schedule = Schedule(intervals, self.backoff)
        #: After an online number could not be had, tickets use leases until then.
        self._allocate_paused_until: dt.datetime | None = None
        #: The retry time drawn for a failed batch, which the engine's wait then reuses.
        self._drawn: dt.datetime | None = None
        #: The batch size after a split the push budget cut (None: ``sync.batch_size``).
        self._push_limit: int | None = None
        #: Set when a call of the running step waited out its whole deadline.
        self._waited_out = False
        #: The tasks of the running step that found the centre away, and why.
        self._away: list[tuple[str, CentralUnavailable]] = []
        self._step_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- what others read and hear --------------------------------------------------
    def status(self) -> SyncStatus:
        return self.board.current()

    def subscribe(self, listener: Callable[[SyncStatus], None]) -> None:
        """``listener(status)`` after every change, on the engine's thread."""
        self.board.subscribe(listener)

    def on_catalog(self, listener: Callable[[Catalog, str | None], None]) -> None:
        """``listener(catalog, etag)`` when the centre sends a new catalog."""
        self._catalog_listeners.append(listener)

    def on_trust(self, listener: Callable[[TrustStore], None]) -> None:
        """``listener(trust)`` when the centre sends a new trust or revocation list."""
        self._trust_listeners.append(listener)

    def cached_trust(self, held: TrustStore | None = None) -> TrustStore | None:
        """The trust store the centre last sent, from the store (for the kiosk's start).

        None if there is none, or if it would go back from ``held`` (the lists the
        kiosk starts with, :func:`contract.trust.check_successor`): that refusal is
        logged and shown in :attr:`SyncStatus.refused`.
        """
        try:
            cached = cached_trust(self.store)
        except StoreError as exc:
            log.error("cached trust list unreadable: %s", exc)
            return None
        if cached is None or held is None:
            return cached
        try:
            check_successor(held, cached)
        except TrustRollback as exc:
            log.error("cached trust list refused, older than the configured one: %s", exc)
            self.board.update(refused=(f"cached trust: {exc}"[:200],))
            return None
        return cached

    def cached_catalog(self) -> tuple[Catalog, str | None] | None:
        """The catalog the centre last sent and its ETag, from the store (for the kiosk's start).

        None if none was ever kept, or if the kept one cannot be read or used (logged).
        """
        try:
            cached = self.store.load_catalog()
        except StoreError as exc:
            log.error("cached catalog unreadable: %s", exc)
            return None
        if cached is None:
            return None
        body, etag = cached
        try:
            return Catalog.from_json(body), etag
        except CatalogError as exc:
            log.error("cached catalog rejected: %s", exc)
            return None

    def refresh_documents(self) -> None:
        """Fetch the catalog and the lists at the next step (the operator's reload); any thread."""
        self.schedule.wake(["documents"])
        self._wake.set()

    # -- the thread ---------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._thread is not None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="sync-engine", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float | None = None) -> bool:
        """Stop the thread; True if it ended within ``timeout_s`` (default: one request's time)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        self._stop.set()
        self._wake.set()
        thread.join(self.client.timeout_s + 1.0 if timeout_s is None else timeout_s)
        return not thread.is_alive()

    def wake_all(self) -> None:
        """Run every task at the next step (the backoff still applies); any thread."""
        self.schedule.wake(CATCH_UP)
        self._wake.set()

    def wake(self) -> None:
        """Push the outbox soon (a ticket was just issued); any thread."""
        self.schedule.wake(["outbox"])
        self._wake.set()

    def _loop(self) -> None:
        crashes = 0  # steps in a row that failed unexpectedly
        while not self._stop.is_set():
            try:
                self.run_once()
                pause = self.schedule.sleep_s(self._now())
            except Exception as exc:
                # A defect, not the centre: never retried at once (that would spin
                # a core and flood the centre); the traceback once, then a line.
                crashes += 1
                pause = self.backoff.delay(crashes)
                if crashes == 1:
                    log.exception("sync step failed unexpectedly; next try in %.1f s", pause)
                else:
                    log.error("sync step failed again (%s); next try in %.1f s", exc, pause)
                self._stop.wait(pause)  # a wake() does not cut this wait short
                continue
            crashes = 0
            self._wake.wait(pause)
            self._wake.clear()

    # -- one step -------------------------------------------------------------------------
    def run_once(self, *, force: bool = False) -> StepReport:
        """Run every due task once (``force``: every task, offline or not).

        A task that finds the centre away does not end the step at once: the
        outbox (if due by its own time) is tried next, then the other tasks due by
        their own time, until a second task finds the centre away (in a forced
        step: until a second call waits out its whole deadline). So no endpoint
        that fails alone holds up the tickets, and a silent centre costs at most
        two deadlines. If the centre answered some task of the step, the tasks it
        did not answer back off on their own (:meth:`Schedule.answered_elsewhere`).
        """
        with self._step_lock:
            ran: list[str] = []
            failed: list[str] = []
            pushed = PushResult()
            self._waited_out = False
            self._away = []
            answers = self.client.answers
            waited = 0
            queue = list(TASKS)
            while queue:
                name = queue.pop(0)
                if self._stop.is_set() and not force:
                    break
                now = self._now()
                if not force and not self.schedule.due(name, now, own_time=bool(self._away)):
                    continue
                ran.append(name)
                token = self.client.token
                away = len(self._away)
                ok, result = self._run_task(name, now)
                if not ok:
                    failed.append(name)
                if self.client.token != token and name != "identity":
                    # Enrolled anew on a refused token: learn the kiosk code now, before
                    # the next ticket binds its id or its fallback number to the old one.
                    self._run_task("identity", self._now())
                if isinstance(result, PushResult):
                    pushed += result
                if len(self._away) == away:
                    continue
                waited += self._waited_out
                self._waited_out = False
                if waited >= 2 or (len(self._away) >= 2 and not force):
                    # The centre is away: a second call failed (or, even in a forced
                    # step, `kiosk sync now`, waited out its deadline): the rest would too.
                    break
                if "outbox" in queue:  # ticket delivery waits on no other endpoint
                    queue.remove("outbox")
                    queue.insert(0, "outbox")
            self._settle_away(answered=self.client.answers > answers)
            status = self._refresh_status()
            return StepReport(tuple(ran), tuple(failed), pushed, status)

    def _settle_away(self, *, answered: bool) -> None:
        """Tasks the centre did not answer while it answered others: their endpoints
        fail alone, so each backs off on its own and the kiosk stays online. A 429
        is the centre's limit on the whole kiosk: then everything waits."""
        away = self._away
        if not (away and answered) or any(exc.status == 429 for _, exc in away):
            return
        names = [name for name, _ in away]
        self.schedule.answered_elsewhere(names, self._now())
        last_name, last_exc = away[-1]
        log.warning(
            "the centre answers, but not %s (%s): backing off that alone",
            ", ".join(names),
            last_exc,
        )
        self.board.update(connection="online", last_error=f"{last_name}: {last_exc}"[:300])

    def _run_task(self, name: str, started: dt.datetime) -> tuple[bool, PushResult | None]:
        try:
            result = self._call(name, started)
        except CentralUnavailable as exc:
            self._went_offline(name, exc, started)
            return False, exc.partial if isinstance(exc, _Partial) else None
        except CentralAuthError as exc:
            self._task_failed(name, exc, started, connection="refused")
            return False, None
        except CentralError as exc:
            self._task_failed(name, exc, started, connection="online")
            return False, None
        except StoreError as exc:
            self._task_failed(name, exc, started, connection=None)
            return False, None
        except Exception as exc:
            # Anything else is a defect (a document or answer no parser foresaw, a
            # listener that broke): this task fails and backs off on its own, so it
            # can neither starve the other tasks nor make the engine spin.
            self._task_crashed(name, exc, started)
            return False, None
        detail = ""
        if isinstance(result, PushResult) and result.sent:
            detail = f"sent {result.sent}, delivered {result.delivered}, dead {result.dead}"
        if isinstance(result, tuple) and result:
            # The centre answered, but sent what the kiosk refuses: a failure in the
            # log and the status, yet no reason to ask sooner than the interval.
            self._succeeded(name, started, "refused: " + "; ".join(result), refused=True)
            return False, None
        self._succeeded(name, started, detail)
        return True, result if isinstance(result, PushResult) else None

    def _call(self, name: str, now: dt.datetime) -> PushResult | tuple[str, ...] | None:
        if name == "identity":
            self._identity()
        elif name == "documents":
            return self._documents(now)
        elif name == "outbox":
            return self._push()
        elif name == "leases":
            self._keep_leases(now)
        elif name == "bookings":
            return self._bookings(now)
        elif name == "doctors":
            return self._doctors(now)
        else:
            self._heartbeat(now)
        return None

    # -- outcomes ----------------------------------------------------------------------------
    def _succeeded(
        self, name: str, started: dt.datetime, detail: str = "", *, refused: bool = False
    ) -> None:
        now = self._now()
        previous = self.board.current().connection
        self.schedule.succeeded(name, now)
        self._allocate_paused_until = None
        error = f"{name}: {detail}"[:300] if refused else ""
        self.board.update(connection="online", last_success=now, last_error=error)
        if previous != "online":
            log.info("central server reachable%s", " again" if previous == "offline" else "")
            self.schedule.catch_up(name, CATCH_UP)
        self._log(name, SyncResult.FAILED if refused else SyncResult.OK, started, now, detail)

    def _went_offline(self, name: str, exc: CentralUnavailable, started: dt.datetime) -> None:
        now = self._now()
        until, self._drawn = self._drawn, None
        self._waited_out = self._waited_out or exc.timed_out
        self.schedule.unreachable(name, now, exc.retry_after_s, until=until)
        self._away.append((name, exc))
        if self.schedule.failures == 1:
            log.warning("central server unreachable (%s): working offline", exc)
        self.board.update(connection="offline", last_error=str(exc)[:300])
        self._log(name, SyncResult.FAILED, started, now, str(exc))

    def _task_failed(
        self, name: str, exc: Exception, started: dt.datetime, *, connection: str | None
    ) -> None:
        now = self._now()
        self.schedule.refused(name, now)
        log.warning("sync %s failed: %s", name, exc)
        changes: dict[str, object] = {"last_error": f"{name}: {exc}"[:300]}
        if connection is not None:
            changes["connection"] = connection
        if connection == "online":
            changes["last_success"] = now  # the centre answered
        self.board.update(**changes)
        self._log(name, SyncResult.FAILED, started, now, str(exc))

    def _task_crashed(self, name: str, exc: Exception, started: dt.datetime) -> None:
        if self.schedule.tasks[name].failures == 0:  # the traceback once per run of failures
            log.error("sync %s failed unexpectedly", name, exc_info=exc)
        text = f"unexpected {type(exc).__name__}: {exc}"
        self._task_failed(name, RuntimeError(text), started, connection=None)

    def _log(
        self,
        task: str,
        result: SyncResult,
        started: dt.datetime,
        finished: dt.datetime,
        detail: str = "",
    ) -> None:
        if result is SyncResult.OK and task in ("outbox", "leases") and not detail:
            return  # routine looks at the outbox and leases are not worth a row each
        try:
            self.store.sync_log(
                task,
                result,
                started_at=started,
                finished_at=finished,
                detail=detail,
            )
        except StoreError as exc:
            log.error("sync log not written: %s", exc)

    def retry_at(self, exc: CentralError) -> dt.datetime:
        """When a failed outbox batch is due again (the next backoff delay)."""
        if not isinstance(exc, CentralUnavailable):
            return self.schedule.retry_at(self._now())
        # the same time the whole engine will wait: drawn once, for both
        self._drawn = self.schedule.retry_at(self._now(), exc.retry_after_s)
        return self._drawn

    # -- the tasks ---------------------------------------------------------------------------
    def _identity(self) -> None:
        if not ensure_token(self.client, self.config):
            raise CentralAuthError("not enrolled: no token and no central.enrolment_code")
        info = authorised(self.client, self.config, self.client.kiosk_me)
        if self.store.kiosk_code() != info.kiosk_code:
            self.store.set_kiosk_code(info.kiosk_code)
            log.info("kiosk code %s recorded for fallback numbers", info.kiosk_code)
        if info.office_id != self.config.kiosk.office_id:
            log.error(
                "the centre enrolled this kiosk for office %s but kiosk.office_id is %s",
                info.office_id,
                self.config.kiosk.office_id,
            )
        self.board.update(kiosk_code=info.kiosk_code)

    def _documents(self, now: dt.datetime) -> tuple[str, ...]:
        """Pull the catalog and the lists; what was refused, and why.

        The engine is the catalog's only source for the running kiosk: a new
        one is cached, then handed to the ``on_catalog`` listeners.
        """
        pulled = authorised(
            self.client, self.config, lambda: pull_catalog(self.store, self.client, now)
        )
        if pulled.catalog is not None:
            self._catalog = pulled.catalog
            log.info("catalog %s fetched", pulled.catalog.version)
            adopt_kiosk_code(self.store, self.config)  # tickets can be issued from now on
            for listener in list(self._catalog_listeners):
                listener(pulled.catalog, pulled.catalog_etag)
        held = self._trust_source() if self._trust_source is not None else None
        trust = authorised(
            self.client, self.config, lambda: pull_trust(self.store, self.client, now, held=held)
        )
        if trust.trust is not None:
            log.info("trust and revocation lists updated (%s)", trust.trust.describe())
            for trust_listener in list(self._trust_listeners):
                trust_listener(trust.trust)
        refused = pulled.refused + trust.refused
        self.board.update(refused=refused)
        return refused

    def _bookings(self, now: dt.datetime) -> tuple[str, ...]:
        """Cache today's bookings of the office; what was refused, and why.

        The cached bookings of any other day go first, whether the centre
        answers or not: a kiosk never checks in yesterday's booking.
        """
        day, office = now.date(), self.config.kiosk.office_id
        purged = self.store.purge_bookings(day)
        if purged:
            log.info("%d cached bookings of another day purged", purged)
        etag = self.store.bookings_etag(office, day)
        fetched = authorised(self.client, self.config, lambda: self.client.bookings_today(etag))
        if fetched is None:
            return ()  # not modified
        if fetched.office_id != office or fetched.day != day:
            log.error(
                "bookings refused: the centre sent office %s's of %s, this kiosk is %s's on %s",
                fetched.office_id,
                fetched.day,
                office,
                day,
            )
            return (f"bookings of {fetched.office_id} on {fetched.day}",)
        kept = self.store.save_bookings(
            office, day, fetched.bookings, etag=fetched.etag, now=self._now()
        )
        log.info("%d bookings of today cached", kept)
        return ()

    def _doctors(self, now: dt.datetime) -> tuple[str, ...]:
        """Cache today's doctors of a hospital office; what was refused, and why.

        An office whose catalog has no poli asks nothing. A centre without the
        hospital routes (404) leaves the cache as it is.
        """
        catalog = self._current_catalog()
        office = self.config.kiosk.office_id
        if catalog is None or not any(
            s.poli is not None and s.office_id == office for s in catalog.services
        ):
            return ()
        fetched = authorised(self.client, self.config, self.client.doctors_today)
        if fetched is None:
            return ()
        if fetched.office_id != office or fetched.day != now.date():
            log.error(
                "doctors refused: the centre sent office %s's of %s, this kiosk is %s's on %s",
                fetched.office_id,
                fetched.day,
                office,
                now.date(),
            )
            return (f"doctors of {fetched.office_id} on {fetched.day}",)
        kept = self.store.save_doctors(office, fetched.day, fetched.doctors, now=self._now())
        log.info("%d doctors of today cached", kept)
        for listener in list(self._doctor_listeners):
            listener()
        return ()

    def on_doctors(self, listener: Callable[[], None]) -> None:
        """``listener()`` after a new list of today's doctors is cached (engine's thread)."""
        self._doctor_listeners.append(listener)

    def refresh_doctors(self) -> None:
        """Fetch today's doctors at the next step; any thread."""
        self.schedule.wake(["doctors"])
        self._wake.set()

    def doctors_now(self) -> None:
        """Fetch today's doctors at once (a citizen found a doctor full and chooses again):
        within the client's timeout, never raising; the next step tries again if it failed."""
        try:
            self._doctors(self._now())
        except (CentralError, StoreError) as exc:
            log.warning("today's doctors not fetched again: %s", exc)
            self.refresh_doctors()

    def _push(self) -> PushResult:
        """Batches until none is due or the budget is spent. While the centre stores
        one batch, the next is claimed and decrypted (the two sides work at once);
        a claimed batch that is not sent (the push stopped or failed first) goes
        back to the outbox as it was, its attempt not counted."""
        total = PushResult()
        deadline = time.monotonic() + PUSH_BUDGET_S
        batch_size = self.config.sync.batch_size
        ahead: list[Claim] = []  # the next batch, claimed while this one is in flight
        answered: list[Answered] = []  # the last answer, written while the next is in flight
        try:
            while not self._stop.is_set() and time.monotonic() < deadline:
                # after a cut split, no batch larger than the part left unsent
                limit = min(self._push_limit or batch_size, batch_size)
                try:
                    result = authorised(
                        self.client,
                        self.config,
                        functools.partial(self._push_one, limit, deadline, ahead, answered),
                    )
                except _PushCut as cut:
                    self._push_limit = cut.next_size
                    total += cut.partial
                    break
                except _PushFailed as failed:
                    cause = failed.cause
                    if isinstance(cause, CentralUnavailable):
                        raise _Partial(cause, total + failed.partial) from cause
                    raise cause from failed
                self._push_limit = None
                total += result
                if result.sent == 0:
                    return total
        finally:
            for done in answered:  # no next batch went: written now
                done.record(self.store)
            for claim in ahead:
                self.store.release_claim(claim.keys, self._now())
        self.schedule.wake(["outbox"])  # budget spent: more in the next step
        return total

    def _push_one(
        self, limit: int, deadline: float, ahead: list[Claim], answered: list[Answered]
    ) -> PushResult:
        """Send the batch claimed ahead (or claim one now); meanwhile write the previous
        batch's answer and claim the next."""
        claim = ahead.pop() if ahead else claim_batch(self.store, limit, self._now())

        def claim_next() -> None:
            if self._stop.is_set() or time.monotonic() >= deadline:
                return
            try:
                ahead.append(claim_batch(self.store, limit, self._now()))
            except StoreError as exc:  # claimed at the next turn instead
                log.error("the next outbox batch was not claimed: %s", exc)

        return push_claimed(
            self.store,
            self.client,
            claim,
            now=self._now(),
            retry_at=self.retry_at,
            deadline=deadline,
            meanwhile=claim_next,
            answered=answered,
        )

    def _keep_leases(self, now: dt.datetime) -> None:
        catalog = self._current_catalog()
        deadline = time.monotonic() + LEASE_BUDGET_S
        try:
            if catalog is not None:
                authorised(
                    self.client,
                    self.config,
                    lambda: self.leases.give_back(self.store, self.client, catalog, now),
                )
                authorised(
                    self.client,
                    self.config,
                    lambda: self.leases.top_up(
                        self.store, self.client, catalog, now, deadline=deadline
                    ),
                )
        except CentralUnavailable:
            raise  # the voids would fail the same way
        except CentralError:
            self._void_unkept(now)  # a lease refused never holds up the voids
            raise
        self._void_unkept(now)

    def _void_unkept(self, now: dt.datetime) -> None:
        due = self.unkept.due(self.store, now)  # once per run, outside any retry
        if due:
            settle = self.unkept.settle
            authorised(self.client, self.config, lambda: settle(self.store, self.client, due))

    def _heartbeat(self, now: dt.datetime) -> None:
        body = heartbeat_body(self.store, now, self._health())
        ack = authorised(self.client, self.config, lambda: self.client.heartbeat(body))
        skew = (ack.server_time - self._now()).total_seconds()
        if abs(skew) > 60:
            log.warning("the kiosk's clock is %.0f s off the centre's", -skew)
        changes: dict[str, object] = {"clock_skew_s": skew}
        if ack.kiosk_code:
            changes["kiosk_code"] = ack.kiosk_code
        self.board.update(**changes)

    def _current_catalog(self) -> Catalog | None:
        if self._catalog_source is not None:
            catalog = self._catalog_source()
            if catalog is not None:
                return catalog
        if self._catalog is None:
            cached = self.store.load_catalog()
            if cached is not None:
                try:
                    self._catalog = Catalog.from_json(cached[0])
                except CatalogError:
                    return None
        return self._catalog

    # -- ticket numbers at issue time --------------------------------------------------------
    def allocate(
        self,
        ticket_id: str,
        service_id: str,
        day: dt.date,
        hospital: Mapping[str, str] | None = None,
        *,
        sent: Callable[[], None] | None = None,
        hold_s: int | None = None,
    ) -> Allocation | None:
        """A number from the centre for a ticket being issued now, or None (use a lease).

        Never waits longer than ``sync.allocate_deadline_s``; it does not try while
        the engine knows the centre is away. ``hospital`` takes the doctor's quota
        place with the number; the exceptions it lets through are the centre's
        :class:`~kiosk.client.errors.CentralRefused` refusals of that place or of the
        patient it names (:data:`~kiosk.errors.PLACE_REFUSALS`: no place left, the
        doctor's hours over, no such doctor there today; the patient registered at the
        poli today already, or not one person): no number was used, and a lease's
        number would give a place, or a visit, the centre refused. ``sent`` is called once
        the request is on its way to the centre, never if it was not sent. ``hold_s``: the
        number is asked ahead of the ticket, while the citizen answers one more question;
        the centre's counters pass it by that long, or until its registration arrives
        (:meth:`CentralClient.allocate_ticket`).
        """
        status = self.board.current()
        if status.connection in ("offline", "refused") or not self.client.token:
            return None
        paused = self._allocate_paused_until
        if paused is not None and self._now() < paused:
            return None
        deadline = self.config.sync.allocate_deadline_s
        try:
            # Noted first: if the ticket is then never stored, the number is voided (unkept.py).
            self.store.note_number_request(ticket_id, self._now())
        except StoreError as exc:
            log.error("no online number: the request could not be noted (%s)", exc)
            return None
        try:
            allocation = self.client.allocate_ticket(
                ticket_id,
                service_id,
                deadline_s=deadline,
                hospital=hospital,
                sent=sent,
                hold_s=hold_s,
            )
        except CentralRefused as exc:
            if hospital is not None and exc.code in PLACE_REFUSALS:
                self.store.forget_number_request(ticket_id)
                raise
            log.warning("no online number for this ticket (%s): using a lease", exc)
            return None
        except CentralError as exc:
            log.warning("no online number for this ticket (%s): using a lease", exc)
            if isinstance(exc, CentralUnavailable):
                # the next citizens do not wait for the deadline too: leases until
                # the engine has reached the centre again (it tries now)
                self._allocate_paused_until = self._now() + ALLOCATE_PAUSE
                self.wake_all()
            return None
        if allocation.day != day or allocation.service_id != service_id:
            log.error("the centre numbered the ticket for %s, not today's queue", allocation.day)
            return None
        return allocation

    @property
    def held(self) -> HeldNumbers:
        """The numbers a live session holds ahead of its ticket: the sweep leaves them be."""
        return self.unkept.held

    def void_number(self, ticket_id: str) -> bool:
        """Void now the online number asked for ``ticket_id``, whose ticket its session
        will never store (it ended at the question about messages), as the sweep would
        a minute later: its place in the queue, and a doctor's place, are given back at
        once. True once settled (voided, or nothing to void) and the note forgotten;
        False: the note stays, and the sweep voids it later."""
        shown = shown_key(ticket_id)
        try:
            settled = authorised(
                self.client,
                self.config,
                lambda: self.unkept.settle(self.store, self.client, [ticket_id]),
            )
        except (CentralError, StoreError) as exc:
            log.warning("number of ticket %s not voided now, later (%s)", shown, exc)
            return False
        return settled == 1

    # -- status --------------------------------------------------------------------------------
    def _refresh_status(self) -> SyncStatus:
        try:
            figures = store_figures(self.store, self._now())
        except StoreError as exc:
            log.error("sync status not refreshed: %s", exc)
            return self.board.current()
        return self.board.update(**figures, next_attempt=self.schedule.offline_until)


class _Partial(CentralUnavailable):
    """The centre went away in the middle of a push that had delivered ``partial``."""

    def __init__(self, cause: CentralUnavailable, partial: PushResult) -> None:
        super().__init__(
            str(cause),
            status=cause.status,
            retry_after_s=cause.retry_after_s,
            timed_out=cause.timed_out,
        )
        self.partial = partial
