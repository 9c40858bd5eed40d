"""The SATUSEHAT adapter (Kemenkes, FHIR R4): each hospital visit reported as an Encounter.

``config.py`` (the ``[satusehat]`` section), ``transport.py`` (the one place that
sends HTTP: a total deadline and an answer cap on every call), ``auth.py`` (the
OAuth2 client-credentials token, cached until it expires), ``fhir.py`` (the
Encounter built and checked against the ``fhir.resources`` models before it is
sent), ``client.py`` (Patient by NIK, Encounter create and update) and
``dispatch.py`` (what the integration outbox's SATUSEHAT rows become).
docs/satusehat.md tells a hospital how to switch it on.
"""
