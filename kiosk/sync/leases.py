"""Keeping a block of leased ticket numbers per service, so the kiosk can number offline.

For each service of the kiosk's office in the catalog, today's usable central
leases should hold at least ``low_water`` numbers and not all expire within
the hour; if not, one more block of ``size`` is leased. In the last
:data:`TOMORROW_WINDOW` of the day the same is done for tomorrow, so a kiosk
that is offline when the office opens still has central numbers.

Unused numbers go back to the centre (``POST /api/v1/leases/{id}/return``,
which voids them, so they are never handed out nor counted as people ahead)
when the lease's day is over and when its service has left the catalog.
Locally the lease is released first (:meth:`Store.release_lease`: no further
number comes from it, atomically with ticket issuing), then the return is
sent; it is idempotent, so a return that failed is simply sent again. A
return the centre refuses for good (``404 unknown_lease`` after a new
enrolment) settles that lease locally: logged, never sent again, and the
other returns and the top-up carry on.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from contract.catalog import Catalog
from contract.wire import Lease, LeaseSummary
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralRefused
from offline_store import LeaseKind, LeaseState, Store

log = logging.getLogger(__name__)


def usable_central_leases(states: Iterable[LeaseState]) -> list[LeaseSummary]:
    """The central leases a ticket could be numbered from now, one summary each.

    What the heartbeat reports (:mod:`kiosk.sync.heartbeat`) and the status adds
    up per queue and day (:mod:`kiosk.sync.status`); not the fallback counter.
    """
    return [
        LeaseSummary(state.service_id, state.day, state.remaining or 0, state.expires_at)
        for state in states
        if state.source is LeaseKind.CENTRAL and state.usable
    ]


#: Leases for tomorrow are taken in the last hours of today.
TOMORROW_WINDOW = dt.timedelta(hours=4)
#: The highest ticket number the centre takes on a paper (``A-`` and nine digits).
LAST_NUMBER = 999_999_999
#: A lease expiring sooner than this counts as running out.
EXPIRY_MARGIN = dt.timedelta(hours=1)


@dataclass
class LeaseKeeper:
    office_id: str
    size: int = 20
    low_water: int = 5
    #: Leases already given back this run (a return is idempotent; this only saves requests).
    returned: set[str] = field(default_factory=set)

    def top_up(
        self,
        store: Store,
        client: CentralClient,
        catalog: Catalog,
        now: dt.datetime,
        *,
        deadline: float | None = None,
    ) -> int:
        """Lease where numbers run low; returns how many leases were taken.

        ``deadline`` (:func:`time.monotonic`) is checked before every request: a
        centre answering each just inside its timeout cannot hold the step for one
        request per service and day. Past it, the rest waits for the next run.
        """
        states = store.lease_state(now)
        days = [now.date()]
        if _end_of_day(now) - now <= TOMORROW_WINDOW:
            days.append(now.date() + dt.timedelta(days=1))
        taken = 0
        refused: CentralRefused | None = None
        wanted = [
            (service.id, day)
            for service in catalog.services_for(self.office_id)
            for day in days
            if not self._enough(states, service.id, day, now)
        ]
        for service_id, day in wanted:
            if deadline is not None and time.monotonic() >= deadline:
                log.info("lease top-up out of time: the other queues at the next run")
                break
            try:
                lease = client.request_lease(service_id, day, self.size)
                self._check_grant(lease, service_id, day)
            except CentralRefused as exc:
                # One queue refused (its cap reached, a service the centre
                # dropped) must not leave the others without numbers.
                log.warning("lease of %s for %s refused: %s", service_id, day, exc)
                refused = refused or exc
                continue
            store.add_lease(
                lease_id=lease.lease_id,
                office_id=lease.office_id,
                service_id=lease.service_id,
                day=lease.day,
                start=lease.start,
                end=lease.end,
                expires_at=lease.expires_at,
                now=now,
            )
            log.info("leased %s numbers %d-%d for %s", service_id, lease.start, lease.end, day)
            taken += 1
        if refused is not None:
            raise refused  # the engine backs the lease task off
        return taken

    def give_back(
        self, store: Store, client: CentralClient, catalog: Catalog | None, now: dt.datetime
    ) -> int:
        """Return unused numbers of past days' leases and of services no longer offered."""
        offered = {s.id for s in catalog.services_for(self.office_id)} if catalog else None
        given = 0
        for state in store.lease_state(now - dt.timedelta(days=1)):
            if state.source is not LeaseKind.CENTRAL or state.lease_id in self.returned:
                continue
            past = state.day < now.date()
            dropped = offered is not None and state.service_id not in offered
            if not (past or dropped):
                continue
            unused = store.release_lease(state.lease_id, now)
            if unused is not None:
                try:
                    client.return_lease(state.lease_id, unused[0])
                except CentralRefused as exc:
                    # Refused for good (404 unknown_lease: a lease of this kiosk's
                    # enrolment before the last, or of a reset centre): nothing more
                    # can be given back. Settled here; the others and the top-up go on.
                    log.warning(
                        "return of lease %s refused, settled locally: %s", state.lease_id, exc
                    )
                else:
                    log.info("returned %s numbers %d-%d", state.service_id, *unused)
                    given += 1
            self.returned.add(state.lease_id)
        return given

    def _check_grant(self, lease: Lease, service_id: str, day: dt.date) -> None:
        """Refuse a grant that is not what was asked: another office, queue or day, more
        numbers than asked, or numbers past :data:`LAST_NUMBER`. The kiosk would print
        them, and the centre would refuse every ticket numbered from them."""
        asked = (self.office_id, service_id, day)
        if (lease.office_id, lease.service_id, lease.day) != asked:
            raise CentralRefused(
                f"lease {lease.lease_id} is for {lease.office_id}/{lease.service_id} on "
                f"{lease.day}, not the {asked[0]}/{asked[1]} on {asked[2]} asked for",
                code="lease_mismatch",
            )
        if lease.end - lease.start + 1 > self.size or lease.end > LAST_NUMBER:
            raise CentralRefused(
                f"lease {lease.lease_id} grants {lease.start}-{lease.end}: more than the "
                f"{self.size} asked for, or past {LAST_NUMBER}",
                code="lease_mismatch",
            )

    def _enough(
        self, states: list[LeaseState], service_id: str, day: dt.date, now: dt.datetime
    ) -> bool:
        usable = [
            s
            for s in states
            if s.source is LeaseKind.CENTRAL
            and s.usable
            and s.service_id == service_id
            and s.office_id == self.office_id
            and s.day == day
        ]
        left = sum(s.remaining or 0 for s in usable)
        # In the last hour of its day every lease of that day expires within the
        # hour, and a new one would too: leasing again would only hoard numbers.
        last_hour = _end_of(day, now) - now <= EXPIRY_MARGIN
        lasting = any(
            s.expires_at is None or s.expires_at - now > EXPIRY_MARGIN or last_hour for s in usable
        )
        return left >= self.low_water and lasting


def _end_of(day: dt.date, now: dt.datetime) -> dt.datetime:
    """The end of ``day`` in ``now``'s time zone (the kiosk's, which is the city's)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=now.tzinfo)


def _end_of_day(now: dt.datetime) -> dt.datetime:
    return _end_of(now.date(), now)
