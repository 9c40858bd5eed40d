"""The trust store every card read is verified against, replaced only forward."""

from __future__ import annotations

import logging
import threading

from contract.errors import TrustRollback
from contract.trust import TrustStore, check_successor

log = logging.getLogger(__name__)


class TrustKeeper:
    """Holds the kiosk's :class:`TrustStore`; :meth:`install` is the one way to replace it."""

    def __init__(self, trust: TrustStore | None = None) -> None:
        self._trust = trust if trust is not None else TrustStore.empty()
        self._lock = threading.Lock()

    @property
    def current(self) -> TrustStore:
        """The store in use now (any thread): a read takes it once and keeps it."""
        return self._trust

    def install(self, offered: TrustStore, source: str) -> bool:
        """Verify reads against ``offered`` from now on, unless it would go back.

        The cached lists at start, the centre's from the sync engine (on the
        GUI thread). A list older than the one held, or as old but different
        (:func:`contract.trust.check_successor`), is refused and logged; an empty
        trust list never replaces one that trusts someone. One reference swap:
        a read in flight finishes with the store it took.
        """
        with self._lock:
            held = self._trust
            try:
                check_successor(held, offered)
            except TrustRollback as exc:
                log.error("%s trust or revocation list refused: %s", source, exc)
                return False
            self._trust = offered
        log.info("%s trust lists in use (%s)", source, offered.describe())
        return True
