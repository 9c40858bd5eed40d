"""Integrations with national services: BPJS Kesehatan's Antrean RS and SATUSEHAT.

``config.py`` reads the ``--integrations`` TOML file (both off when absent);
``outbox.py`` is the durable outbox every call goes through (once per key, in
order per booking or encounter); ``sender.py`` delivers it from every server
process; ``triggers.py`` writes the calls as a visit moves; ``bpjs/`` signs,
decrypts and calls Antrean RS; ``satusehat/`` talks FHIR to SATUSEHAT.
"""
