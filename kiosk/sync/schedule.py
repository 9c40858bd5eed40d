"""When each sync task runs next, and whether the centre counts as away.

Every task has an interval and a due time. A task the centre answered with a
refusal backs off on its own (its own failure count). When the centre cannot
be reached at all, the whole schedule waits: no task is due before
``offline_until``, drawn from :class:`~kiosk.sync.backoff.Backoff` with the
number of such failures in a row (and at least the server's ``Retry-After``).
The first success ends it and makes every other task due at once. Not
thread-safe by itself: the engine holds its step lock, and :meth:`wake` only
clears due times (a race there costs at most one early or late step).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kiosk.sync.backoff import Backoff

#: Longest the thread sleeps between looks at its clock (stop and wake cut it short).
MAX_SLEEP_S = 1.0


@dataclass
class Task:
    name: str
    interval_s: float
    due: dt.datetime | None = None  # None: now
    failures: int = 0


class Schedule:
    def __init__(self, intervals: Mapping[str, float], backoff: Backoff) -> None:
        self.tasks = {name: Task(name, interval) for name, interval in intervals.items()}
        self.backoff = backoff
        #: No task is due before this while the centre is away.
        self.offline_until: dt.datetime | None = None
        #: Failures to reach the centre in a row.
        self.failures = 0

    def due(self, name: str, now: dt.datetime, *, own_time: bool = False) -> bool:
        """Whether ``name`` is due (``own_time``: by its own due time alone, offline or not)."""
        if not own_time and self.offline_until is not None and now < self.offline_until:
            return False
        due = self.tasks[name].due
        return due is None or due <= now

    def wake(self, names: Iterable[str]) -> None:
        for name in names:
            self.tasks[name].due = None

    def succeeded(self, name: str, now: dt.datetime, *, catch_up: Iterable[str] = ()) -> bool:
        """Record a success; True if the centre had been away (or never reached)."""
        task = self.tasks[name]
        task.failures = 0
        task.due = now + dt.timedelta(seconds=task.interval_s)
        was_away = self.offline_until is not None
        self.failures = 0
        self.offline_until = None
        if was_away:
            self.catch_up(name, catch_up)
        return was_away

    def catch_up(self, name: str, others: Iterable[str]) -> None:
        """Make ``others`` (not failing on their own) due now."""
        for other in others:
            task = self.tasks[other]
            if other != name and task.failures == 0:
                task.due = None

    def unreachable(
        self,
        name: str,
        now: dt.datetime,
        retry_after_s: float | None = None,
        *,
        until: dt.datetime | None = None,
    ) -> dt.datetime:
        """The centre could not be reached: everything waits. Returns until when.

        ``until``: a time :meth:`retry_at` already drew for this failure (the
        outbox items were put back for then), used instead of a new draw.
        """
        self.failures += 1
        if until is None:
            delay = self.backoff.delay(self.failures, retry_after_s)
            until = now + dt.timedelta(seconds=delay)
        self.offline_until = until
        self.tasks[name].due = self.offline_until
        return self.offline_until

    def refused(self, name: str, now: dt.datetime) -> dt.datetime:
        """The centre answered this task with a refusal: it alone waits."""
        task = self.tasks[name]
        task.failures += 1
        task.due = now + dt.timedelta(seconds=self.backoff.delay(task.failures))
        return task.due

    def answered_elsewhere(self, names: Iterable[str], now: dt.datetime) -> None:
        """The centre answered other tasks but not ``names``: those endpoints are
        broken, not the centre. Each backs off on its own (as if refused), and the
        centre counts as reachable."""
        for name in names:
            self.refused(name, now)
        self.failures = 0
        self.offline_until = None

    def retry_at(self, now: dt.datetime, retry_after_s: float | None = None) -> dt.datetime:
        """When something that failed now should be tried again (the next backoff)."""
        return now + dt.timedelta(seconds=self.backoff.delay(self.failures + 1, retry_after_s))

    def sleep_s(self, now: dt.datetime) -> float:
        """How long the thread may sleep before a task is due (at most :data:`MAX_SLEEP_S`)."""
        dues = [t.due for t in self.tasks.values() if t.due is not None]
        if len(dues) < len(self.tasks):
            return 0.0
        if self.offline_until is not None:
            dues = [max(d, self.offline_until) for d in dues]
        return max(0.0, min(MAX_SLEEP_S, min((d - now).total_seconds() for d in dues)))
