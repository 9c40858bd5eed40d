"""The office's queues as the centre last told them: now serving and the wait.

Asked by the touchscreen when a citizen looks at the services (the tiles and
the service detail show them), off the GUI thread, one question at a time,
through the kiosk's own client (:class:`kiosk.lookups.centre.CentreAccess`), never
when the centre is known to be away. Asked again while a question is on its way,
it asks once more when that one answers (:class:`kiosk.executor.FreshRead`): the
detail screen shows the wait as of its own asking, not the grid's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.client.errors import CentralError
from kiosk.client.info import QueueState
from kiosk.executor import Executor, FreshRead
from kiosk.lookups.centre import CentreAccess

log = logging.getLogger(__name__)


class QueueRefresh:
    def __init__(
        self, centre: CentreAccess, executor: Executor, changed: Callable[[], None]
    ) -> None:
        self._centre = centre
        self._executor = executor
        #: Called on the GUI thread with each answer (or its absence).
        self._changed = changed
        # One question on its way at a time; asked again meanwhile (the service's
        # detail after the grid), it is asked once more when that one answers.
        self._read: FreshRead[QueueState | None] = FreshRead(
            "the queue's figures", self._ask, self._fetched, lambda _: self._fetched(None)
        )
        #: The last answer; None until one came. A failed read keeps it: the figures
        #: as the centre last told them, as when it is known to be away.
        self.state: QueueState | None = None

    @property
    def asking(self) -> bool:
        """Whether a question is on its way (or will be asked again once it answers)."""
        return self._read.on_its_way

    def refresh(self) -> None:
        """Ask the centre for its queues in the background (never when known offline)."""
        if self._centre.may_ask():
            self._read.ask()

    def _ask(
        self, done: Callable[[QueueState | None], None], failed: Callable[[Exception], None]
    ) -> None:
        central, may_ask = self._centre.client, self._centre.may_ask()

        def fetch() -> QueueState | None:
            if not may_ask:  # asked again after the centre was found away
                return None
            try:
                return central.queue_state()
            except CentralError as exc:
                log.warning("queue state not fetched: %s", exc)
                return None

        self._executor.run_in_background(fetch, done, failed)

    def _fetched(self, state: QueueState | None) -> None:
        if state is not None:
            self.state = state
        self._changed()
