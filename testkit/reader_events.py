"""What a reader emitted, recorded for a test to wait on."""

from __future__ import annotations

import threading

from cardio.readers.events import ReaderEvent

#: Long enough for pcscd's 0.4 s reader polling plus our own poll interval.
EVENT_DEADLINE_S = 5.0


class EventLog:
    """A thread-safe list of reader events with deadline-bound waits."""

    def __init__(self) -> None:
        self.events: list[ReaderEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: ReaderEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def snapshot(self) -> list[ReaderEvent]:
        with self._changed:
            return list(self.events)

    def wait_for(
        self, expected: ReaderEvent, after: int = 0, timeout_s: float = EVENT_DEADLINE_S
    ) -> int:
        """Wait until ``expected`` is emitted at an index >= ``after``; return that index."""

        def position() -> int | None:
            for index in range(after, len(self.events)):
                if self.events[index] == expected:
                    return index
            return None

        with self._changed:
            self._changed.wait_for(lambda: position() is not None, timeout_s)
            index = position()
            if index is None:
                raise AssertionError(f"no {expected!r} within {timeout_s} s; got {self.events!r}")
            return index
