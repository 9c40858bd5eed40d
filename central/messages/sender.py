"""The sender: one thread per server process that delivers due messages.

It claims one due message at a time (:func:`central.messages.outbox.claim`,
safe with several processes), right before sending it through the provider
outside any transaction, and records what became of it:

* delivered: ``sent``;
* the gateway down, slow, 5xx or 429: ``pending`` again, due after a wait
  that doubles with each attempt (``retry_base_s`` up to ``retry_max_s``, with
  a little jitter so a city's messages do not all come back at once), or
  after the gateway's ``Retry-After`` if that is longer (at most a day);
* refused by the gateway (4xx), attempts used up, or a text that cannot be
  written: ``dead``, on the staff's list.

A claim lasts the send's total deadline plus a margin, so no other process
takes a message while its sender still waits for the answer. It is taken for
one message only, right before its send: a claim on a batch would run out
for the batch's last messages while the sender still waited for the gateway
on the first ones, and another process would send them too. The thread
also writes the day-before reminders of bookings (once a minute; each
reminder's key makes it one message whichever process writes it). It looks
every ``poll_s`` for due messages, whichever process wrote them.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from central.access.audit import utc_now
from central.database import Database
from central.delivery import Courier, RetryPolicy
from central.messages import outbox, triggers
from central.messages.providers import (
    Delivered,
    LogProvider,
    Provider,
    Refused,
    RetryLater,
    WebhookProvider,
)
from central.messages.templates import render
from central.settings import CentralSettings

log = logging.getLogger(__name__)

#: The longest wait a gateway's Retry-After may ask for.
LONGEST_RETRY_AFTER_S = 24 * 3600.0
#: How often a sender looks for bookings to remind of tomorrow.
REMINDER_EVERY_S = 60.0


@dataclass(frozen=True)
class Policy(RetryPolicy):
    max_attempts: int = 12
    retry_base_s: float = 15.0
    retry_max_s: float = 3600.0
    per_number_per_hour: int = 10


def policy_of(settings: CentralSettings) -> Policy:
    return Policy(
        max_attempts=settings.message_max_attempts,
        retry_base_s=settings.message_retry_base_s,
        retry_max_s=settings.message_retry_max_s,
        per_number_per_hour=settings.message_per_number_per_hour,
        deadline_s=settings.message_deadline_s,
        poll_s=settings.message_poll_s,
        claim_margin_s=settings.message_claim_margin_s,
    )


def provider_of(settings: CentralSettings) -> Provider:
    """The provider the city configured."""
    if settings.message_provider == "webhook":
        if settings.message_webhook_url is None or settings.message_webhook_secret is None:
            raise ValueError("the webhook provider needs a URL and a secret")
        return WebhookProvider(
            settings.message_webhook_url,
            settings.message_webhook_secret,
            deadline_s=settings.message_deadline_s,
            answer_max_bytes=settings.message_answer_max_bytes,
        )
    return LogProvider()


class Sender(Courier[outbox.Outgoing]):
    """Delivers the outbox's due messages on a thread of its own."""

    thread_name = "message-sender"
    title = "message sender"

    def __init__(
        self, db: Database, provider: Provider, policy: Policy, zone: ZoneInfo | None = None
    ) -> None:
        super().__init__(db, policy.poll_s)
        self._zone = zone
        self._reminded_at = 0.0
        self._provider = provider
        self._policy = policy

    def chores(self) -> None:
        self._remind()

    def _remind(self) -> None:
        """Write the day-before reminders of bookings and forget numbers no longer needed
        (:func:`central.messages.outbox.forget`), at most once a minute per process."""
        if self._zone is None or time.monotonic() - self._reminded_at < REMINDER_EVERY_S:
            return
        self._reminded_at = time.monotonic()
        with self._db.begin() as conn:
            written = triggers.booking_reminders(conn, utc_now(), self._zone)
            outbox.forget(conn, utc_now())
        if written:
            log.info("%d booking reminders written", written)

    def any_due(self, conn: Connection, now: dt.datetime) -> bool:
        return outbox.any_due(conn, now)

    def claim_one(self, conn: Connection, now: dt.datetime) -> outbox.Outgoing | None:
        claimed = outbox.claim(
            conn,
            self.worker,
            now,
            hold=self._policy.hold,
            limit=1,
            per_hour=self._policy.per_number_per_hour,
            max_attempts=self._policy.max_attempts,
        )
        return claimed[0] if claimed else None

    def deliver(self, message: outbox.Outgoing) -> None:
        try:
            text = render(message.template, message.language, message.params)
        except (KeyError, ValueError, IndexError):
            with self._db.begin() as conn:
                outbox.mark_dead(conn, message.id, self.worker, "the template cannot be written")
            log.warning("message %d: its template cannot be written; a dead letter", message.id)
            return
        try:
            outcome = self._provider.send(message, text)
        except Exception as exc:  # a provider's fault is a retry, never a claim left to run out
            log.exception("message %d: the provider failed", message.id)
            outcome = RetryLater(f"the provider failed ({type(exc).__name__})")
        now = utc_now()
        with self._db.begin() as conn:
            if isinstance(outcome, Delivered):
                kept = outbox.mark_sent(conn, message.id, self.worker, now)
            elif isinstance(outcome, Refused) or message.attempts >= self._policy.max_attempts:
                kept = outbox.mark_dead(conn, message.id, self.worker, outcome.error)
                log.warning("message %d is a dead letter: %s", message.id, outcome.error)
            else:
                # The gateway's Retry-After may lengthen the wait, never shorten it.
                wait = self._policy.wait(message.attempts, outcome.after_s, LONGEST_RETRY_AFTER_S)
                due = now + dt.timedelta(seconds=wait)
                kept = outbox.mark_retry(conn, message.id, self.worker, due, outcome.error)
                log.info("message %d: %s; again in %.1f s", message.id, outcome.error, wait)
        if not kept:
            log.warning("message %d: the claim had passed to another sender", message.id)
