"""Demo cards as the card tests read them: a fixed clock and challenge, recording
connections and card logic, cards the DEMO issuer signs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from cardio.card.citizen import CardIdentity
from cardio.card.citizen_card import read_identity
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.demo_cards import DEMO_ISSUER_KEY, SITI, demo_trust_store
from cardio.issuing.card_image import CardImage
from cardio.issuing.issuer import IssuerKey, issue_card
from cardio.readers.simulated import Applet
from contract.trust import TrustStore

#: Inside the demo cards' validity (2025-01-01 to 2035-01-01).
NOW = dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC)
#: The challenge the tests send instead of 32 fresh random bytes.
CHALLENGE = bytes(range(0xA0, 0xC0))
DEMO_TRUST = demo_trust_store()
DEMO_ISSUER = IssuerKey.load(DEMO_ISSUER_KEY)
UID = bytes.fromhex("04112233445566")


class Recorder:
    """A card connection that records every command and lets a test alter answers."""

    def __init__(self, applet: Applet, rewrite: Mapping[bytes, bytes] | None = None) -> None:
        self.applet = applet
        self.rewrite = dict(rewrite or {})
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        self.sent.append(apdu)
        answer = self.applet.execute(apdu)
        return self.rewrite.get(apdu, answer)


def read(
    applet: Applet,
    trust: TrustStore | None = DEMO_TRUST,
    *,
    now: dt.datetime = NOW,
    rewrite: Mapping[bytes, bytes] | None = None,
) -> CardIdentity:
    """Read ``applet`` the way the kiosk does, with the fixed clock and challenge."""
    return read_identity(
        Recorder(applet, rewrite), trust, now=lambda: now, challenge=lambda: CHALLENGE
    )


def citizen_claims(**changes: Any) -> dict[str, Any]:
    """A valid citizen map (Siti Aminah's demo claims) with ``changes`` applied."""
    return {**SITI, **changes}


def demo_issued(claims: Mapping[str, Any] | None = None, **kwargs: Any) -> CardImage:
    """A card signed by the DEMO issuer, valid at :data:`NOW` unless told otherwise."""
    kwargs.setdefault("uid", UID)
    kwargs.setdefault("issued", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    return issue_card(DEMO_ISSUER, citizen_claims() if claims is None else claims, **kwargs)


class RecordingApplet:
    """Card logic wrapper that records every command and reset it is given."""

    def __init__(self, inner: CitizenCardApplet) -> None:
        self.inner = inner
        self.commands: list[bytes] = []
        self.resets = 0

    def execute(self, command: bytes) -> bytes:
        self.commands.append(command)
        return self.inner.execute(command)

    def reset(self) -> None:
        self.resets += 1
        self.inner.reset()
