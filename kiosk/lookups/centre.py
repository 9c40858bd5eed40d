"""The centre, for what the sync engine does not ask.

The sync engine does the background talking (outbox, catalog, lists, leases,
heartbeats); a citizen waiting at the screen is answered through this instead,
with the same :class:`~kiosk.client.client.CentralClient` and its token: the
registry's record and the date-of-birth proof (:mod:`kiosk.lookups.registry`),
the queue's figures (:mod:`kiosk.lookups.office_queue`), the information and
applications screens (:mod:`kiosk.lookups.information`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.client.bearer import load_token
from kiosk.client.client import CentralClient


class CentreAccess:
    def __init__(
        self, client: CentralClient, token_path: Path, online: Callable[[], bool | None]
    ) -> None:
        self.client = client
        self._token_path = token_path
        self._online = online

    @property
    def online(self) -> bool | None:
        """Whether the sync engine last reached the centre; None: not asked yet."""
        return self._online()

    def ready(self) -> bool:
        """Whether the client holds a token, taking the one on disk if not.

        The sync engine enrols and may be first (its catalog then reaches the
        kiosk before anything here is asked); the token it saved is the kiosk's.
        Reads a file, never the network, so it runs on a worker.
        """
        if not self.client.token:
            self.client.token = load_token(self._token_path)
        return bool(self.client.token)

    def may_ask(self) -> bool:
        """Not known offline, and a token to ask with."""
        return self.online is not False and self.ready()
