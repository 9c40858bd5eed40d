"""Wait for one card on a reader and verify it: the engine of ``kiosk card read``.

No Qt, no printing: a result object the CLI prints as JSON or text. A card's UID is
written by its length (``uid=<7 bytes>``), as every kiosk line writes it
(``cardio.readers._nfc_worker.target_words``): a UID is read off a card by anyone near
it, and names its holder to whoever holds the city's list of cards; ``show_uid`` (the
operator's ``--show-uid``) writes it whole.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass, field
from typing import Any

from cardio.card.citizen import CardIdentity
from cardio.card.citizen_card import read_identity
from cardio.errors import CardError, Reason
from cardio.readers.events import CardPresented, ReaderEvent
from cardio.readers.factory import make_reader
from contract.trust import TrustStore


@dataclass
class ReadResult:
    ok: bool
    identity: CardIdentity | None = None
    reason: Reason | None = None
    detail: str = ""
    reader: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self, *, show_uid: bool = False) -> dict[str, Any]:
        if not self.ok or self.identity is None:
            return {
                "ok": False,
                "reason": self.reason or "",
                "detail": self.detail,
                "reader": self.reader,
            }
        identity = self.identity
        return {
            "ok": True,
            "reader": self.reader,
            "uid": identity.uid.hex() if show_uid else None,
            "uid_bytes": len(identity.uid),
            "assurance": identity.assurance.value,
            "issuer": identity.issuer,
            "expires": identity.expires.isoformat() if identity.expires else None,
            "claims": identity.citizen.to_claims() if identity.citizen else None,
        }

    def describe(self, *, show_uid: bool = False) -> str:
        if not self.ok or self.identity is None:
            return f"refused: {self.reason} ({self.detail})"
        identity = self.identity
        who = identity.citizen.full_name if identity.citizen else "(UID only)"
        return f"{who}: {identity.assurance.value}, {shown_uid(identity.uid, show_uid)}"


def shown_uid(uid: bytes, whole: bool = False) -> str:
    """A card's UID as the card commands print it: ``uid=<7 bytes>``, or whole if asked."""
    return f"uid={uid.hex()}" if whole else f"uid=<{len(uid)} bytes>"


def read_one(
    backend: str,
    *,
    reader_filter: str = "",
    nfc_path: str = "usb",
    trust: TrustStore,
    timeout_s: float,
) -> ReadResult:
    """Start the backend, wait up to ``timeout_s`` for a card, read and verify it."""
    reader = make_reader(backend, reader_filter=reader_filter, path=nfc_path)
    presented: queue.Queue[str] = queue.Queue()

    def listen(event: ReaderEvent) -> None:
        if isinstance(event, CardPresented):
            presented.put(event.reader)

    reader.start(listen)
    try:
        try:
            name = presented.get(timeout=timeout_s)
        except queue.Empty:
            return ReadResult(
                False, reason=Reason.TIMEOUT, detail=f"no card within {timeout_s:g} s"
            )
        try:
            with reader.connect(name) as card:
                identity = read_identity(card, trust)
        except CardError as exc:
            return ReadResult(False, reason=exc.reason, detail=exc.detail, reader=name)
        return ReadResult(True, identity=identity, reader=name)
    finally:
        reader.stop()
