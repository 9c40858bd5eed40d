"""Messages to citizens: SMS or WhatsApp through the city's gateway, sent by the centre only.

``triggers.py`` writes a message into the outbox (``outbox.py``) in the same
transaction as what caused it (a counter's call, an application made ready,
a complaint answered), once per idempotency key. ``sender.py`` runs in every
server process and delivers due messages through the configured provider
(``providers.py``: ``webhook`` or ``log``), with retries, backoff and the
per-number limit; what never goes is a dead letter staff see. ``templates.py``
holds the texts (docs/messages.md), ``phones.py`` the numbers.
"""
