"""What the kiosk and the centre agree on.

The catalog, assurance levels, NIKs, trust and revocation lists, wire shapes.


Plain data and pure functions, no I/O and nothing of ours imported: the centre
imports this package and nothing else of the kiosk side, so it never serves what
a kiosk would refuse.
"""
