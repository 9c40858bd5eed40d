"""The sender: one thread per server process that delivers the integrations' outbox.

It claims one due row at a time (:func:`central.integrations.outbox.claim`,
safe with several processes; a row waits for the earlier rows of its order
key), right before its call, makes the call outside any transaction through
the target's deliverer, and records what became of it:

* taken: ``sent`` (its answer kept);
* BPJS or SATUSEHAT down, slow, answering garbage or refusing the signature:
  pending again, due after a wait that doubles with each attempt from
  ``retry_base_s`` up to ``retry_max_s`` (jittered), or the service's own
  wish if longer; the rows after it in its order wait with it;
* refused for good (the service's own code and message), or attempts used
  up: ``dead``, on /office/integrations, where staff send it again.

A claim lasts the call's deadline plus a margin, so no other process takes a
row while its sender still waits. Registration never waits for any of this:
the triggers only write rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from central.access.audit import utc_now
from central.database import Database
from central.delivery import Courier, RetryPolicy
from central.integrations import outbox
from central.integrations.bpjs.antrean import AntreanClient, AntreanDeliverer
from central.integrations.config import BpjsSettings, Integrations, SatusehatSettings, digest
from central.integrations.satusehat.client import SatusehatClient
from central.integrations.satusehat.dispatch import SatusehatDeliverer
from central.integrations.satusehat.patients import InDatabase

log = logging.getLogger(__name__)

#: The longest wait a service's own wish may ask for.
LONGEST_WISH_S = 6 * 3600.0

Deliverer = Callable[[outbox.Item], outbox.Outcome]


@dataclass(frozen=True)
class Policy(RetryPolicy):
    max_attempts: int = 30
    retry_base_s: float = 30.0
    retry_max_s: float = 1800.0


def policy_of(settings: BpjsSettings | SatusehatSettings, poll_s: float = 1.0) -> Policy:
    return Policy(
        max_attempts=settings.max_attempts,
        retry_base_s=settings.retry_base_s,
        retry_max_s=settings.retry_max_s,
        deadline_s=settings.timeout_s,
        poll_s=poll_s,
    )


def record_targets(db: Database, integrations: Integrations) -> None:
    """Write which targets this server's configuration switches on (``integration_targets``)."""
    with db.begin() as conn:
        outbox.set_targets(
            conn,
            {
                outbox.BPJS: digest(integrations.bpjs),
                outbox.SATUSEHAT: digest(integrations.satusehat),
            },
            utc_now(),
        )
    on = [
        t
        for t, s in ((outbox.BPJS, integrations.bpjs), (outbox.SATUSEHAT, integrations.satusehat))
        if s
    ]
    log.info("integrations on: %s", ", ".join(on) or "none")


def sender_of(db: Database, integrations: Integrations, zone: ZoneInfo, audit_key: bytes) -> Sender:
    """The sender for the targets the configuration switches on; SATUSEHAT's IHS numbers
    kept in the database under keyed hashes of the NIKs (``audit_key``)."""
    deliverers: dict[str, Deliverer] = {}
    policies: dict[str, Policy] = {}
    if integrations.bpjs is not None:
        deliverers[outbox.BPJS] = AntreanDeliverer(AntreanClient(integrations.bpjs), zone)
        policies[outbox.BPJS] = policy_of(integrations.bpjs)
    if integrations.satusehat is not None:
        client = SatusehatClient(integrations.satusehat, known=InDatabase(db, audit_key))
        deliverers[outbox.SATUSEHAT] = SatusehatDeliverer(client, db)
        policies[outbox.SATUSEHAT] = policy_of(integrations.satusehat)
    return Sender(db, deliverers, policies)


class Sender(Courier[outbox.Item]):
    """Delivers due rows of the targets it has a deliverer for, on a thread of its own."""

    thread_name = "integration-sender"
    title = "integration sender"

    def __init__(
        self,
        db: Database,
        deliverers: Mapping[str, Deliverer],
        policies: Mapping[str, Policy],
        *,
        poll_s: float = 1.0,
    ) -> None:
        super().__init__(db, poll_s)
        self._deliverers = dict(deliverers)
        self._policies = dict(policies)
        self._targets = tuple(sorted(self._deliverers))
        self._longest = max((self._policy(t).hold for t in self._targets), default=Policy().hold)
        self._attempts = {t: self._policy(t).max_attempts for t in self._targets}

    def __repr__(self) -> str:
        return f"IntegrationSender({', '.join(self._targets) or 'nothing'})"

    def start(self) -> None:
        if self._targets:
            super().start()

    def _policy(self, target: str) -> Policy:
        return self._policies.get(target, Policy())

    def any_due(self, conn: Connection, now: dt.datetime) -> bool:
        return outbox.any_due(conn, now, self._targets)

    def claim_one(self, conn: Connection, now: dt.datetime) -> outbox.Item | None:
        claimed = outbox.claim(
            conn,
            self.worker,
            now,
            hold=self._longest,
            limit=1,
            targets=self._targets,
            max_attempts=self._attempts,
        )
        return claimed[0] if claimed else None

    def deliver(self, item: outbox.Item) -> None:
        policy = self._policy(item.target)
        try:
            outcome = self._deliverers[item.target](item)
        except Exception as exc:  # a deliverer's fault is a retry, never a claim left to run out
            log.exception("%s row %d: the deliverer failed", item.target, item.id)
            outcome = outbox.RetryLater("internal", f"the call failed ({type(exc).__name__})")
        now = utc_now()
        with self._db.begin() as conn:
            if isinstance(outcome, outbox.Sent):
                kept = outbox.mark_sent(conn, item.id, self.worker, now, outcome.result)
            elif isinstance(outcome, outbox.Refused) or item.attempts >= policy.max_attempts:
                kept = outbox.mark_dead(conn, item.id, self.worker, outcome.code, outcome.error)
                log.warning(
                    "%s row %d (%s) is dead: %s %s",
                    item.target,
                    item.id,
                    item.kind,
                    outcome.code,
                    outbox.scrubbed(outcome.error),
                )
            else:
                wait = policy.wait(item.attempts, outcome.after_s, LONGEST_WISH_S)
                due = now + dt.timedelta(seconds=wait)
                kept = outbox.mark_retry(
                    conn, item.id, self.worker, due, outcome.code, outcome.error
                )
                log.info(
                    "%s row %d (%s): %s %s; again in %.1f s",
                    item.target,
                    item.id,
                    item.kind,
                    outcome.code,
                    outbox.scrubbed(outcome.error),
                    wait,
                )
        if not kept:
            log.warning("%s row %d: the claim had passed to another sender", item.target, item.id)
