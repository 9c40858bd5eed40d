"""Reporting hospital visits to BPJS Antrean RS and the Ministry of Health's SATUSEHAT.

``triggers.py`` is what the rest of the centre calls, in the same
transaction as what happened (a visit registered, a Mobile JKN booking
checked in, a visit cancelled, a counter's step on a visit's ticket). Each
trigger writes what is to be sent into a durable outbox, only for a target
the server's ``--integrations`` file switches on, so a hospital without BPJS
sends nothing and keeps nothing. A sender in every server process delivers
the outbox, with retries and the order per booking kept; BPJS or SATUSEHAT
being down never stops registration (docs/bpjs.md, docs/satusehat.md).

``config.py`` reads the ``--integrations`` TOML file (both off when absent);
``outbox.py`` is the durable outbox every call goes through (once per key, in
order per booking or encounter); ``sender.py`` delivers it from every server
process; ``triggers.py`` writes the calls as a visit moves; ``bpjs/`` signs,
decrypts and calls Antrean RS; ``satusehat/`` talks FHIR to SATUSEHAT.
"""
