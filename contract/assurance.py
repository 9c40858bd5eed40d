"""How far a card's identity can be trusted: the levels both the kiosk and the catalog speak of."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ASSURANCE_ORDER", "Assurance"]


class Assurance(StrEnum):
    """How far the kiosk can trust who the card says its holder is.

    ``unverified``: a UID only, or claims the kiosk could not check (it trusts
    no issuer); anyone could copy them. ``signed``: the record's signature
    checks against the trust list, but the card could be a copy (an NDEF tag).
    ``clone_proof``: signed, and the card proved it holds its own private key.
    """

    UNVERIFIED = "unverified"
    SIGNED = "signed"
    CLONE_PROOF = "clone_proof"


#: Assurance levels from weakest to strongest, for "is this enough?" checks.
ASSURANCE_ORDER = {Assurance.UNVERIFIED: 0, Assurance.SIGNED: 1, Assurance.CLONE_PROOF: 2}
