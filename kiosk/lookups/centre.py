"""The kiosk's own client to the centre, for what the sync engine does not ask.

The sync engine does the background talking (outbox, catalog, lists, leases,
heartbeats) with a client of its own. A citizen waiting at the screen is
answered through this one instead: the registry's record and the date-of-birth
proof (:mod:`kiosk.lookups.registry`), the queue's figures (:mod:`kiosk.lookups.office_queue`),
the information and applications screens (:mod:`kiosk.lookups.information`).
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

        The sync engine enrols with a client of its own and may be first (its
        catalog then reaches the kiosk without this client ever asking); the
        token it saved is the kiosk's. Reads a file, never the network.
        """
        if not self.client.token:
            self.client.token = load_token(self._token_path)
        return bool(self.client.token)

    def may_ask(self) -> bool:
        """Not known offline, and a token to ask with."""
        return self.online is not False and self.ready()
