"""The functions the ``kiosk card`` commands are built on keep their signatures."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from cardio.card.citizen_card import read_identity
from cardio.emulators import card_tamper
from cardio.issuing.card_image import CardImage
from cardio.issuing.issuer import IssuerKey, generate_issuer_key, issue_card
from contract.trust import TrustStore


@pytest.mark.parametrize(
    ("function", "parameters"),
    [
        (generate_issuer_key, "issuer_id, name"),
        (issue_card, "issuer_key, claims, *, uid, issued, expires, card_key, label, check"),
        (IssuerKey.save, "self, path"),
        (IssuerKey.load, "path"),
        (CardImage.save, "self, path"),
        (CardImage.load, "path"),
        (TrustStore.load, "trust_list, revocation_list"),
        (read_identity, "card, trust, *, now, challenge"),
        (card_tamper.forged, "image, *, keep_kid"),
        (card_tamper.tampered, "image"),
        (card_tamper.cloned, "image, *, uid"),
        (card_tamper.expired, "issuer_key, claims, *, now, uid, label"),
    ],
)
def test_signature(function: Callable[..., Any], parameters: str) -> None:
    names = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and "*" not in names:
            names.append("*")
        names.append(parameter.name)
    assert ", ".join(names) == parameters
