"""What the kiosk and the centre agree on.

The catalog, assurance levels, NIKs, trust and revocation lists, bound ticket ids
and the wire shapes both sides read and write.

Plain data and checks, nothing else of ours imported, no device, network or
database (it reads only the list files it is handed): the centre imports this
package and nothing of the kiosk side, so it never serves what a kiosk would refuse.
"""
