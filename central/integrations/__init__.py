"""Reporting hospital visits to BPJS Antrean RS and the Ministry of Health's SATUSEHAT.

``triggers.py`` is what the rest of the centre calls, in the same
transaction as what happened (a visit registered, a Mobile JKN booking
checked in, a visit cancelled, a counter's step on a visit's ticket). Each
trigger writes what is to be sent into a durable outbox, only for a target
the server's ``--integrations`` file switches on, so a hospital without BPJS
sends nothing and keeps nothing. A sender in every server process delivers
the outbox, with retries and the order per booking kept; BPJS or SATUSEHAT
being down never stops registration (docs/bpjs.md, docs/satusehat.md).
"""
