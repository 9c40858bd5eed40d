"""The office's queues as the centre last told them: now serving and the wait.

Asked by the touchscreen when a citizen looks at the services (the tiles and
the service detail show them), off the GUI thread, one question at a time,
through the kiosk's own client (:class:`kiosk.lookups.centre.CentreAccess`), never
when the centre is known to be away.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.client.errors import CentralError
from kiosk.client.info import QueueState
from kiosk.executor import BusyFlag, Executor
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
        self._busy = BusyFlag()
        #: The last answer; None until asked, or when it could not be had.
        self.state: QueueState | None = None

    def refresh(self) -> None:
        """Ask the centre for its queues in the background (never when known offline)."""
        if not self._centre.may_ask():
            return
        central = self._centre.client

        def fetch() -> QueueState | None:
            try:
                return central.queue_state()
            except CentralError as exc:
                log.warning("queue state not fetched: %s", exc)
                return None

        self._busy.run(self._executor, fetch, self._fetched, lambda _: self._fetched(None))

    def _fetched(self, state: QueueState | None) -> None:
        self.state = state
        self._changed()
