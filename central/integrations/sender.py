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
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from central.access.audit import utc_now
from central.database import Database
from central.integrations import outbox
from central.integrations.bpjs.antrean import AntreanClient, AntreanDeliverer
from central.integrations.config import BpjsSettings, Integrations, SatusehatSettings, digest

log = logging.getLogger(__name__)

#: The most rows one round sends before it looks at the stop again.
BATCH = 20
#: The longest wait a service's own wish may ask for.
LONGEST_WISH_S = 6 * 3600.0

Deliverer = Callable[[outbox.Item], outbox.Outcome]


@dataclass(frozen=True)
class Policy:
    max_attempts: int = 30
    retry_base_s: float = 30.0
    retry_max_s: float = 1800.0
    deadline_s: float = 10.0
    poll_s: float = 1.0
    claim_margin_s: float = 30.0

    @property
    def hold(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.deadline_s + self.claim_margin_s)

    def backoff(self, attempts: int) -> float:
        """The wait after the ``attempts``-th failed attempt (jittered ±20 %)."""
        wait = min(self.retry_max_s, self.retry_base_s * 2.0 ** min(attempts - 1, 30))
        return wait * random.uniform(0.8, 1.2)  # noqa: S311 - spreading retries, not a secret


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


def sender_of(db: Database, integrations: Integrations, zone: ZoneInfo) -> Sender:
    """The sender for the targets the configuration switches on."""
    deliverers: dict[str, Deliverer] = {}
    policies: dict[str, Policy] = {}
    if integrations.bpjs is not None:
        deliverers[outbox.BPJS] = AntreanDeliverer(AntreanClient(integrations.bpjs), zone)
        policies[outbox.BPJS] = policy_of(integrations.bpjs)
    if integrations.satusehat is not None:
        policies[outbox.SATUSEHAT] = policy_of(integrations.satusehat)
        # The SATUSEHAT deliverer joins here (central/integrations/satusehat/).
    return Sender(db, deliverers, policies)


class Sender:
    """Delivers due rows of the targets it has a deliverer for, on a thread of its own."""

    def __init__(
        self,
        db: Database,
        deliverers: Mapping[str, Deliverer],
        policies: Mapping[str, Policy],
        *,
        poll_s: float = 1.0,
    ) -> None:
        self._db = db
        self._deliverers = dict(deliverers)
        self._policies = dict(policies)
        self._targets = tuple(sorted(self._deliverers))
        self._poll_s = poll_s
        self.worker = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"IntegrationSender({', '.join(self._targets) or 'nothing'})"

    def start(self) -> None:
        if self._thread is None and self._targets:
            self._thread = threading.Thread(
                target=self._run, name="integration-sender", daemon=True
            )
            self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self.run_once()
            except Exception:  # the database away for a moment: try again later
                log.exception("the integration sender failed a round; it goes on")
                handled = 0
            if handled:
                continue
            self._wake.wait(self._poll_s)
            self._wake.clear()

    def _policy(self, target: str) -> Policy:
        return self._policies.get(target, Policy())

    def run_once(self) -> int:
        """Send up to :data:`BATCH` due rows, each claimed right before its call."""
        handled = 0
        longest = max((self._policy(t).hold for t in self._targets), default=Policy().hold)
        least = min((self._policy(t).max_attempts for t in self._targets), default=30)
        for _ in range(BATCH):
            if self._stop.is_set():
                break
            now = utc_now()
            with self._db.read() as conn:
                if not outbox.any_due(conn, now, self._targets):
                    break
            with self._db.begin() as conn:
                claimed = outbox.claim(
                    conn,
                    self.worker,
                    now,
                    hold=longest,
                    limit=1,
                    targets=self._targets,
                    max_attempts=least,
                )
            if not claimed:
                continue
            handled += 1
            self._deliver(claimed[0])
        return handled

    def _deliver(self, item: outbox.Item) -> None:
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
                wait = policy.backoff(item.attempts)
                if outcome.after_s is not None:
                    wait = max(wait, min(outcome.after_s, LONGEST_WISH_S))
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
