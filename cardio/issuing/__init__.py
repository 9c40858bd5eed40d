"""Issuing cards: issuer keys, signed records made from citizen claims, card image files."""
